#pragma once
// R x C systolic array of int8 x int8 -> int32 PEs, simulated cycle by cycle with real data
// (plain C++, no SystemC time). It runs a GEMM O[M][N] = A[M][K] * B[K][N] (+ bias[N]) fold
// by fold; see dataflow.hpp for the mappings. Every register between PEs is modelled: the
// operand skew at the array edge, the weight preload shifting down the columns, the
// activations moving right, the partial sums moving down, the OS results draining up. The
// cycle count is where the last result appears, never a formula.
//
// Timing (t counted from a fold's first streaming cycle):
//   ws/is: row r receives streamed element m at t = m + r; PE (r, c) sees it at m + r + c and
//          adds its product to the partial sum from PE (r-1, c); the sum for (m, c) leaves
//          the bottom at t = m + R - 1 + c. Each PE has two stationary registers (banks);
//          an activation carries its fold's bank bit, so consecutive folds share the array
//          along a diagonal wavefront. Preload shifts a fold's operand down the columns of
//          its bank in R cycles; when preloads and streams happen: stationary_schedule.
//   os:    row r receives A[m0+r][k] at t = k + r, column c receives B[k][n0+c] at t = k + c,
//          PE (r, c) multiplies them at t = k + r + c and is final at T - 1 + r + c. Compat
//          counts a result as written when final (the drain hides behind the next fold, as
//          SCALE-Sim assumes); by default results drain up the columns through a register
//          chain and the fold ends when the last leaves the top, at T + 2R + C - 3.
// Compat reports the index of the last cycle (SCALE-Sim's "total cycles", count - 1).
//
// With ArrayModel::kTile (dataflow.hpp) the same GEMM takes the same cycles and counts, but
// its result is computed when it starts and no PE is stepped: step() counts down the closed
// form, and the pins stay empty (lock-step with the RTL needs kPe).
//
// A GEMM is either run whole (run_gemm) or started and then stepped one clock cycle at a time
// (start/step), which is how a streaming conv engine drives it from its clock process and how
// the RTL array is checked pin by pin: after each step, out_pins() holds what left the array
// in that cycle (ws/is: the bottom row's partial sums; os: the drain chain's top row) and
// in_pins() what the edge feeders drove into it (hw/rtl/systolic_array.v's input ports).
#include <cstdint>
#include <string>
#include <vector>

#include "hw/mac_array/dataflow.hpp"

namespace skipsim {

struct SystolicStats {
  uint64_t cycles = 0;  // compat: last cycle index; default: cycle count
  uint64_t folds = 0;
  uint64_t row_folds = 0, col_folds = 0;
  uint64_t useful_macs = 0;       // M * N * K
  double mapping_efficiency = 0;  // used PEs / (R * C), averaged over folds
  uint64_t ifmap_reads = 0;       // elements of A read from SRAM into the array
  uint64_t filter_reads = 0;      // elements of B
  uint64_t ofmap_writes = 0;      // results (partial or final) written
  uint64_t ofmap_reads = 0;       // partial sums read back to accumulate over row folds
  double utilization(int rows, int cols) const {
    return cycles ? static_cast<double>(useful_macs) / (static_cast<double>(rows) * cols * cycles)
                  : 0.0;
  }
};

// Operands of one GEMM with arbitrary strides: A(i, p) = a[i * a_si + p * a_sj] (M x K),
// B(p, j) = b[p * b_si + j * b_sj] (K x N); out is M x N row-major, overwritten with bias.
struct GemmOperands {
  int64_t m = 0, n = 0, k = 0;
  const int8_t* a = nullptr;
  int64_t a_si = 0, a_sj = 1;
  const int8_t* b = nullptr;
  int64_t b_si = 0, b_sj = 1;
  const int32_t* bias = nullptr;  // N values or nullptr
  int32_t* out = nullptr;
};

// Output pins of one cycle: column c carries value[c] when valid[c] (index[c] is the row of
// O for ws/os, the column of O for is, whose element it is a partial sum of).
struct ArrayPins {
  std::vector<int32_t> value;
  std::vector<uint8_t> valid;
  std::vector<int64_t> index;
};

// Input pins of one cycle, what the edge feeders drove (sampled at the edge that ends the
// cycle). Activations enter row r's left edge and move right one PE per cycle together with
// their flags; PE (r, 0) multiplies the one on its pin in the same cycle.
//   ws/is: act_bank[r] names the stationary bank the activation meets, act_valid[r] says it
//          is an element of a fold (not a fill zero); a PE's partial sum is valid when its
//          activation and the partial sum from above are. When w_shift, every column of bank
//          w_bank shifts its stationary registers down one PE and row 0 takes col[c].
//   os:    col[c] enters column c's top and moves down one PE per cycle; act_first[r] marks
//          the first element of a fold (the PE starts a new sum), act_last[r] the last (the
//          PE's sum, this element included, moves into its drain register).
// Compat mode drives the same pins but does not model the os drain.
struct ArrayInputs {
  std::vector<int8_t> act;
  std::vector<uint8_t> act_bank, act_valid;  // ws/is
  std::vector<uint8_t> act_first, act_last;  // os
  std::vector<int8_t> col;
  uint8_t w_shift = 0, w_bank = 0;  // ws/is
};

class SystolicArray;

// Another implementation of the array's datapath (the Verilated RTL) driven by the model's
// edge feeders: the model sequences the GEMM (in_pins), the datapath computes, and its
// output pins give the result in place of the model's.
class ArrayDatapath {
 public:
  virtual ~ArrayDatapath() = default;
  virtual void start(const SystolicArray& model, const GemmOperands& g) = 0;
  // After model.step(): one clock edge of the datapath with model.in_pins().
  virtual void cycle(const SystolicArray& model) = 0;
  // After the model's last step: writes the GEMM result (M x N, bias included) as assembled
  // from the datapath's output pins. Throws std::runtime_error if it is incomplete.
  virtual void finish(int32_t* out) = 0;
  // Cycles at which an output pin differed from the model's, and the first such, described.
  virtual uint64_t mismatched_cycles() const = 0;
  virtual std::string first_mismatch() const = 0;
};

class SystolicArray {
 public:
  SystolicArray(int rows, int cols, Dataflow dataflow, bool scalesim_compat,
                ArrayModel model = ArrayModel::kPe);

  // Starts a GEMM (the array must not be busy). Throws std::invalid_argument on bad shapes.
  void start(const GemmOperands& g);
  // One clock cycle of the running GEMM; true when its last result left in this cycle.
  bool step();
  bool busy() const { return m_phase != Phase::kIdle; }
  // kTile: steps until the running GEMM is done (the step that returns true included), and
  // n steps at once that do not reach it (a block that slept through them).
  uint64_t steps_left() const { return m_tile_cycles - m_cycle; }
  void skip_steps(uint64_t n);
  // Counts of the running or last GEMM (cycles and mapping efficiency final once done).
  const SystolicStats& stats() const { return m_st; }
  const ArrayPins& out_pins() const { return m_pins; }
  const ArrayInputs& in_pins() const { return m_in; }

  // a: M x K row-major, b: K x N row-major, bias: N values or nullptr, out: M x N row-major
  // (overwritten). Returns the counts of this GEMM.
  SystolicStats run_gemm(int64_t m, int64_t n, int64_t k, const int8_t* a, const int8_t* b,
                         const int32_t* bias, int32_t* out);

  int rows() const { return m_rows; }
  int cols() const { return m_cols; }
  Dataflow dataflow() const { return m_dataflow; }
  bool scalesim_compat() const { return m_compat; }
  ArrayModel model() const { return m_model; }

 private:
  // An operand matrix element (i, j) at p[i * si + j * sj].
  struct View {
    const int8_t* p;
    int64_t si, sj;
    int16_t at(int64_t i, int64_t j) const { return static_cast<int16_t>(p[i * si + j * sj]); }
  };
  enum class Phase { kIdle, kStream };

  // kTile: the result by a plain GEMM, the counts and cycles by the closed forms.
  void start_tile(const GemmOperands& g);
  void begin_fold_os();
  void preload_cycle(int16_t* w, int64_t i0, int64_t j0, int p);
  void stream_cycle_stationary();
  void stream_cycle_output_stationary();

  // The running GEMM.
  Phase m_phase = Phase::kIdle;
  SystolicStats m_st;
  ArrayPins m_pins;
  ArrayInputs m_in;
  int64_t m_sr = 0, m_sc = 0, m_tlen = 0;  // mapping
  View m_x{}, m_s{};                       // ws/is: streamed and stationary; os: A and B
  int32_t* m_out = nullptr;
  int64_t m_ot = 0, m_oj = 0, m_on = 0;
  uint64_t* m_x_reads = nullptr;
  uint64_t* m_s_reads = nullptr;
  uint64_t m_cycle = 0;
  uint64_t m_tile_cycles = 0;          // kTile: steps the running GEMM takes
  int64_t m_expected = 0, m_done = 0;  // results to leave the array / left
  // ws/is: fold schedule (see stationary_schedule) and the folds being preloaded and fed.
  std::vector<FoldTimes> m_sched;
  int64_t m_preload_f = 0;  // next fold whose preload has not finished
  int64_t m_feed_f = 0;     // newest fold whose streaming has started
  // os: the running fold.
  int64_t m_f = 0, m_t = 0, m_m0 = 0, m_n0 = 0;
  int m_rows_used = 0, m_cols_used = 0;
  std::vector<int> m_last_pos;  // column of each row's last-element token, -1 none

  // Activation shift registers of all rows: row r's registers of PEs 0..C-1 are
  // m_act[r * m_act_stride + m_win + c]. Moving every register one PE right is m_win - 1;
  // the window is copied back to the end of the buffer every kWindowSlack cycles.
  void shift_rows();
  void reset_rows();

  static constexpr int kWindowSlack = 1024;

  int m_rows, m_cols;
  Dataflow m_dataflow;
  bool m_compat;
  ArrayModel m_model;
  int m_act_stride;
  int m_win = 0;
  std::vector<int16_t> m_act;     // R x (C + slack) activation registers
  std::vector<uint8_t> m_bank;    // R x (C + slack): weight bank of each activation (fold parity)
  std::vector<int64_t> m_tag;     // bottom row: f * T + element of each activation, -1 none
  std::vector<int16_t> m_w;       // 2 banks of R x C stationary registers (fold f uses f & 1)
  std::vector<int32_t> m_psum;    // R x C partial-sum registers (os: accumulators)
  std::vector<int16_t> m_b_ring;  // os: column registers, a ring of R injected rows
  std::vector<int32_t> m_drain;   // os: drain chain, a ring of R + 1 rows
  std::vector<int16_t> m_drain_src;  // os: PE row each drain register's result came from, -1 none
  std::vector<int8_t> m_pack_a, m_pack_b;  // kTile: operands repacked for contiguous dot products
};

}  // namespace skipsim
