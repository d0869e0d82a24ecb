#pragma once
// The systolic MAC array as Verilated RTL (hw/rtl/systolic_array.v, or the user's file with
// the same ports), checked cycle for cycle against the C++ SystolicArray: every cycle the
// RTL's input pins get exactly what the model's edge feeders drove (in_pins), and its output
// pins must equal out_pins. Verilated as plain C++ (no SystemC): the array is a datapath
// under test, not a block of the pipeline. Compat mode is an accounting mode with no
// hardware behind it (no os drain): the check refuses it.
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "hw/mac_array/systolic_array.hpp"
#include "verilated.h"
#include "verilated_vcd_c.h"

namespace skipsim {

// One Verilated systolic_array, whatever its size and port types.
class RtlMacArray {
 public:
  virtual ~RtlMacArray() = default;
  virtual int rows() const = 0;
  virtual int cols() const = 0;
  virtual bool output_stationary() const = 0;
  // One rising edge with rst_n low.
  virtual void reset() = 0;
  // Drives the input pins and en, then one rising edge of clk.
  virtual void cycle(const ArrayInputs& in, bool en) = 0;
  virtual bool out_valid(int c) const = 0;
  virtual int32_t out_value(int c) const = 0;
  // Verilator's VCD of the array's internals (only if Verilated with TRACE); one time unit
  // per half clock period.
  virtual void open_vcd(const std::string& path) = 0;
};

namespace rtl_pins {
// Fields never straddle a 32-bit word: 1-bit flags, 8-bit lanes and 32-bit lanes.
template <class T>
void put(T& port, int lsb, int width, uint32_t v) {
  static_assert(std::is_unsigned_v<T>);
  const uint64_t mask = ((width == 64 ? 0 : (uint64_t{1} << width)) - 1) << lsb;
  port = static_cast<T>((static_cast<uint64_t>(port) & ~mask) |
                        ((static_cast<uint64_t>(v) << lsb) & mask));
}
template <std::size_t W>
void put(VlWide<W>& port, int lsb, int width, uint32_t v) {
  put(port.at(static_cast<size_t>(lsb / 32)), lsb % 32, width, v);
}
template <class T>
uint32_t get(const T& port, int lsb, int width) {
  return static_cast<uint32_t>((static_cast<uint64_t>(port) >> lsb) & ((uint64_t{1} << width) - 1));
}
template <std::size_t W>
uint32_t get(const VlWide<W>& port, int lsb, int width) {
  return get(port.at(static_cast<size_t>(lsb / 32)), lsb % 32, width);
}
template <class T, class = void>
struct HasTrace : std::false_type {};
template <class T>
struct HasTrace<
    T, std::void_t<decltype(std::declval<T&>().trace(static_cast<VerilatedVcdC*>(nullptr), 0))>>
    : std::true_type {};
}  // namespace rtl_pins

// V: the Verilated class (its ROWS, COLS, OUTPUT_STATIONARY given at Verilation time).
template <class V>
class VerilatedMacArray final : public RtlMacArray {
 public:
  VerilatedMacArray(int rows, int cols, bool output_stationary)
      : m_rows(rows),
        m_cols(cols),
        m_os(output_stationary),
        m_outer_ctx(Verilated::threadContextp()),
        m_ctx(std::make_unique<VerilatedContext>()),
        m_v(std::make_unique<V>(m_ctx.get(), "systolic_array")) {
    // A new context becomes the thread's: Verilated SystemC blocks built after this array
    // would join it and outlive it (a fatal error, then a hang, when they are destroyed).
    Verilated::threadContextp(m_outer_ctx);
    m_v->clk = 0;
    m_v->rst_n = 1;
    m_v->en = 0;
    m_v->eval();
  }
  ~VerilatedMacArray() override {
    if (m_vcd) m_vcd->close();
    m_v->final();
  }
  int rows() const override { return m_rows; }
  int cols() const override { return m_cols; }
  bool output_stationary() const override { return m_os; }

  void reset() override {
    m_v->rst_n = 0;
    edge();
    m_v->rst_n = 1;
  }
  void cycle(const ArrayInputs& in, bool en) override {
    using rtl_pins::put;
    V& v = *m_v;
    v.en = en;
    for (int r = 0; r < m_rows; ++r) {
      put(v.act_in, 8 * r, 8, static_cast<uint8_t>(in.act[r]));
      put(v.act_bank, r, 1, in.act_bank[r]);
      put(v.act_valid, r, 1, in.act_valid[r]);
      put(v.act_first, r, 1, in.act_first[r]);
      put(v.act_last, r, 1, in.act_last[r]);
    }
    for (int c = 0; c < m_cols; ++c) put(v.col_in, 8 * c, 8, static_cast<uint8_t>(in.col[c]));
    v.w_shift = in.w_shift;
    v.w_bank = in.w_bank;
    edge();
  }
  bool out_valid(int c) const override { return rtl_pins::get(m_v->out_valid, c, 1) != 0; }
  int32_t out_value(int c) const override {
    return static_cast<int32_t>(rtl_pins::get(m_v->out_value, 32 * c, 32));
  }
  void open_vcd(const std::string& path) override {
    if constexpr (rtl_pins::HasTrace<V>::value) {
      m_ctx->traceEverOn(true);
      m_vcd = std::make_unique<VerilatedVcdC>();
      m_v->trace(m_vcd.get(), 99);
      m_vcd->open(path.c_str());
      m_vcd->dump(m_ctx->time());
    } else {
      throw std::logic_error("systolic_array was Verilated without TRACE: no VCD");
    }
  }

 private:
  void edge() {
    m_v->clk = 1;
    m_v->eval();
    m_ctx->timeInc(1);
    if (m_vcd) m_vcd->dump(m_ctx->time());
    m_v->clk = 0;
    m_v->eval();
    m_ctx->timeInc(1);
    if (m_vcd) m_vcd->dump(m_ctx->time());
  }

  int m_rows, m_cols;
  bool m_os;
  VerilatedContext* m_outer_ctx;  // the thread's context before this array's was made
  std::unique_ptr<VerilatedContext> m_ctx;
  std::unique_ptr<V> m_v;
  std::unique_ptr<VerilatedVcdC> m_vcd;
};

struct MacArrayMismatch {
  uint64_t cycle = 0;  // the model's cycle (stalled cycles not counted)
  int column = 0;
  std::string pin;  // "out_valid", "out_value", or either "(stalled)": changed while en low
  int64_t rtl = 0, model = 0;
};

struct MacArrayLockstep {
  uint64_t cycles = 0;        // cycles compared (the model's cycle count when equal)
  uint64_t stall_cycles = 0;  // extra RTL cycles with en low
  std::optional<MacArrayMismatch> mismatch;
  bool equal() const { return !mismatch; }
  // The GEMM result assembled from the RTL's output pins alone (M x N row-major, bias
  // included), complete when equal.
  std::vector<int32_t> rtl_out;
};

// Seeded random stalls: each cycle, with this probability, en is low for the RTL (its
// inputs then carry random junk) and the model is not stepped.
struct StallInjection {
  double probability = 0;
  uint64_t seed = 1;
};

std::string describe(const MacArrayMismatch& m);

// The RTL array as the datapath of a conv engine (hardware.mac_array.impl: rtl): reset at
// each GEMM's start, clocked with the model's input pins each cycle, its output pins
// decoded into the result and compared with the model's.
std::unique_ptr<ArrayDatapath> make_rtl_datapath(std::unique_ptr<RtlMacArray> rtl);

// The array Verilated into skipsim itself (SKIPSIM_RTL_MAC_ROWS x SKIPSIM_RTL_MAC_COLS, ws
// and os, with TRACE). Throws InputError when rows x cols is not the built size.
std::unique_ptr<RtlMacArray> make_builtin_mac_array(int rows, int cols, Dataflow d);

// Runs g on the model and the RTL side by side from reset until the model's last result,
// stopping at the first output pin that differs (the model then finishes alone). The model
// must not be busy, must not be in compat mode, and must match the RTL's size and dataflow
// (ws and is both run on output_stationary() == false). Throws std::invalid_argument otherwise.
MacArrayLockstep run_lockstep(SystolicArray& model, RtlMacArray& rtl, const GemmOperands& g,
                              const StallInjection& stalls = {});

}  // namespace skipsim
