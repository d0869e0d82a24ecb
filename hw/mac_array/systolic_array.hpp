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
//          the bottom at t = m + R - 1 + c. Preload: R cycles before streaming (compat), or
//          into shadow registers during the previous fold's streaming (default), so that
//          only the first fold's preload is exposed.
//   os:    row r receives A[m0+r][k] at t = k + r, column c receives B[k][n0+c] at t = k + c,
//          PE (r, c) multiplies them at t = k + r + c and is final at T - 1 + r + c. Compat
//          counts a result as written when final (the drain hides behind the next fold, as
//          SCALE-Sim assumes); by default results drain up the columns through a register
//          chain and the fold ends when the last leaves the top, at T + 2R + C - 3.
// Compat reports the index of the last cycle (SCALE-Sim's "total cycles", count - 1).
#include <cstdint>
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

class SystolicArray {
 public:
  SystolicArray(int rows, int cols, Dataflow dataflow, bool scalesim_compat);

  // a: M x K row-major, b: K x N row-major, bias: N values or nullptr, out: M x N row-major
  // (overwritten). Returns the counts of this GEMM.
  SystolicStats run_gemm(int64_t m, int64_t n, int64_t k, const int8_t* a, const int8_t* b,
                         const int32_t* bias, int32_t* out);

  int rows() const { return m_rows; }
  int cols() const { return m_cols; }
  Dataflow dataflow() const { return m_dataflow; }
  bool scalesim_compat() const { return m_compat; }

 private:
  // An operand matrix element (i, j) at p[i * si + j * sj].
  struct View {
    const int8_t* p;
    int64_t si, sj;
    int8_t at(int64_t i, int64_t j) const { return p[i * si + j * sj]; }
  };
  // ws and is: stationary S (Sr x Sc) in the PEs, X (T x Sr) streamed along the rows,
  // Y[t][j] = sum_i X[t][i] * S[i][j] stored at out[t * ot + j * oj].
  void run_stationary(int64_t sr, int64_t sc, int64_t t_len, View x, View s, int32_t* out,
                      int64_t ot, int64_t oj, uint64_t* x_reads, uint64_t* s_reads,
                      SystolicStats* st);
  void run_output_stationary(int64_t m, int64_t n, int64_t k, View a, View b, int32_t* out,
                             SystolicStats* st);

  // Activation shift registers of all rows: row r's registers of PEs 0..C-1 are
  // m_act[r * m_act_stride + m_win + c]. Moving every register one PE right is m_win - 1;
  // the window is copied back to the end of the buffer every kWindowSlack cycles.
  void shift_rows();
  void reset_rows();

  static constexpr int kWindowSlack = 1024;

  int m_rows, m_cols;
  Dataflow m_dataflow;
  bool m_compat;
  int m_act_stride;
  int m_win = 0;
  std::vector<int16_t> m_act;     // R x (C + slack) activation registers
  std::vector<int64_t> m_tag;     // bottom row: index of the streamed element in each PE, -1 none
  std::vector<int16_t> m_w;       // R x C stationary registers in use
  std::vector<int16_t> m_w_next;  // R x C shadow registers being preloaded
  std::vector<int32_t> m_psum;    // R x C partial-sum registers (os: accumulators)
  std::vector<int16_t> m_b_ring;  // os: column registers, a ring of R injected rows
  std::vector<int32_t> m_drain;   // os: drain chain, a ring of R + 1 rows
  std::vector<int16_t> m_drain_src;  // os: PE row each drain register's result came from, -1 none
};

}  // namespace skipsim
