#pragma once
// The fork and the residual add as Verilated RTL (hw/rtl/stream_fork.v, hw/rtl/add.v, or
// the user's files with the same ports), wrapped with the SystemC blocks' stream ports and
// statistics so that the pipeline cannot tell them apart.
#include <memory>

#include <systemc>

#include "hw/common/hw_block.hpp"
#include "hw/rtl/rtl_checks.hpp"
#include "hw/rtl/rtl_skip_fifo.hpp"
#include "hw/rtl/rtl_traceable.hpp"
#include "hw/stream/add.hpp"
#include "hw/stream/fork.hpp"
#include "hw/stream/stream.hpp"

class Vstream_fork;
class Vadd;

namespace skipsim {

class RtlFork : public ForkBase, public RtlTraceable, public RtlChecked {
 public:
  SC_HAS_PROCESS(RtlFork);

  explicit RtlFork(sc_core::sc_module_name name);
  ~RtlFork() override;

  Vstream_fork& rtl() { return *m_rtl; }
  void trace_rtl(VerilatedVcdC* vcd, int levels) override;
  void report_rtl_checks(StatsNode& n) const override;

 private:
  void on_clock();
  void drive_in();
  void take_out();

  std::unique_ptr<Vstream_fork> m_rtl;
  sc_core::sc_signal<bool> m_rst_n{"rst_n", true};
  sc_core::sc_signal<RtlBits> m_in_bits{"in_bits"}, m_main_bits{"main_bits"},
      m_skip_bits{"skip_bits"};
  int m_held = 0;  // beats in the RTL's skid queue, from the handshakes
  uint64_t m_edge = 0;
  OutputHoldCheck<RtlBits> m_main_hold{false}, m_skip_hold{false};
};

class RtlAdd : public AddBase, public RtlTraceable, public RtlChecked {
 public:
  SC_HAS_PROCESS(RtlAdd);

  RtlAdd(sc_core::sc_module_name name, const AddConfig& cfg);
  ~RtlAdd() override;

  Vadd& rtl() { return *m_rtl; }
  void trace_rtl(VerilatedVcdC* vcd, int levels) override;
  void report_rtl_checks(StatsNode& n) const override;

 private:
  void on_clock();
  void drive_in();
  void take_out();

  std::unique_ptr<Vadd> m_rtl;
  sc_core::sc_signal<bool> m_rst_n{"rst_n", true};
  sc_core::sc_signal<uint32_t> m_mult_main{"mult_main"}, m_mult_skip{"mult_skip"}, m_shift{"shift"};
  sc_core::sc_signal<RtlBits> m_main_bits{"main_bits"}, m_skip_bits{"skip_bits"},
      m_out_bits{"out_bits"};
  int m_main_held = 0, m_skip_held = 0;  // skid queue fill, from the handshakes
  bool m_out_busy = false;
  uint64_t m_edge = 0;
  OutputHoldCheck<RtlBits> m_out_hold;
};

}  // namespace skipsim
