#pragma once
// The skip FIFO as Verilated RTL (hw/rtl/skip_fifo.v, or the user's file with the same
// ports), wrapped so that the pipeline cannot tell it from the SystemC SkipFifo: the same
// stream ports, statistics and wait states (observed from its handshakes). Templated on the
// Verilated class so that a test can wrap a deliberately altered variant the same way.
#include <algorithm>
#include <cstdint>
#include <memory>

#include <fmt/format.h>
#include <systemc>

#include "hw/common/errors.hpp"
#include "hw/rtl/rtl_checks.hpp"
#include "hw/rtl/rtl_traceable.hpp"
#include "hw/skip_fifo/skip_fifo.hpp"
#include "verilated_vcd_c.h"

class Vskip_fifo;

namespace skipsim {

constexpr int kRtlLanes = SKIPSIM_RTL_LANES;
using RtlBits = sc_dt::sc_bv<kRtlLanes * 8>;

// Beat <-> the RTL's packed lanes (lane l in bits [8l+7:8l]).
RtlBits to_bits(const Beat& b);
Beat from_bits(const RtlBits& v);

template <class V>
class RtlSkipFifoT : public SkipFifoBase, public RtlTraceable, public RtlChecked {
 public:
  SC_HAS_PROCESS(RtlSkipFifoT);
  static constexpr int kAddrBits = 14;  // skip_fifo.v's default ADDR_BITS

  RtlSkipFifoT(sc_core::sc_module_name name, uint64_t depth)
      : SkipFifoBase(name, depth), m_rtl(std::make_unique<V>("rtl")) {
    if (depth > (uint64_t{1} << kAddrBits))
      throw InputError(fmt::format(
          "config error: hardware.skip_fifo.depth: the RTL skip FIFO holds at most {} beats, "
          "got {}",
          uint64_t{1} << kAddrBits, depth));
    m_depth_sig.write(static_cast<uint32_t>(depth));
    m_rtl->clk(clk);
    m_rtl->rst_n(m_rst_n);
    m_rtl->depth(m_depth_sig);
    m_rtl->in_valid(in.valid);
    m_rtl->in_ready(in.ready);
    m_rtl->in_data(m_in_bits);
    m_rtl->in_last(in.last);
    m_rtl->out_valid(out.valid);
    m_rtl->out_ready(out.ready);
    m_rtl->out_data(m_out_bits);
    m_rtl->out_last(out.last);
    m_rtl->occupancy(m_occ);
    SC_METHOD(on_clock);
    sensitive << clk.pos();
    dont_initialize();
    SC_METHOD(drive_in);
    sensitive << in.data;
    SC_METHOD(take_out);
    sensitive << m_out_bits;
    dont_initialize();
  }

  V& rtl() { return *m_rtl; }
  void trace_rtl(VerilatedVcdC* vcd, int levels) override { m_rtl->trace(vcd, levels); }
  // The RTL's occupancy output (differs from occupancy() only if the RTL is wrong).
  uint64_t rtl_occupancy() const { return m_occ.read(); }
  void report_rtl_checks(StatsNode& n) const override {
    n.set("occupancy_mismatches", m_occ_mismatches)
        .set("first_occupancy_mismatch_cycle", m_first_occ_mismatch)
        .set("max_rtl_occupancy", m_max_rtl_occ)
        .set("over_depth_cycles", m_over_depth);
    m_out_hold.report(n.child("out"));
  }

 private:
  void drive_in() { m_in_bits.write(to_bits(in.data.read())); }
  void take_out() { out.data.write(from_bits(m_out_bits.read())); }
  void on_clock() {
    const bool in_valid = in.valid.read(), in_ready = in.ready.read();
    const bool out_valid = out.valid.read(), out_ready = out.ready.read();
    const uint64_t after = m_count - (out_valid && out_ready) + (in_valid && in_ready);
    check(out_valid, out_ready);
    observe(in_valid, in_ready, out_valid, out_ready, out.last.read(), after);
  }
  // The RTL's occupancy port against the beats its handshakes left in it, both as of the
  // last edge; neither may exceed the depth it was given.
  void check(bool out_valid, bool out_ready) {
    ++m_edge;
    const uint64_t rtl = m_occ.read();
    m_max_rtl_occ = std::max(m_max_rtl_occ, rtl);
    if (rtl != m_count && m_occ_mismatches++ == 0) {
      m_first_occ_mismatch = m_edge;
      fail(fmt::format(
          "skipsim: RTL check failed: {} at cycle {}: its occupancy port says {} beats, its "
          "handshakes say {} (the port must count every beat held, the one on offer included)",
          basename(), m_edge, rtl, m_count));
    }
    const uint64_t held = std::max(rtl, m_count);
    if (held > m_depth && m_over_depth++ == 0)
      fail(fmt::format(
          "skipsim: RTL check failed: {} at cycle {}: holds {} beats ({} from its handshakes), "
          "more than its depth {} (it must drop in_ready at hardware.skip_fifo.depth)",
          basename(), m_edge, held, m_count, m_depth));
    m_out_hold.sample(m_edge, out_valid, out_ready, m_out_bits.read());
  }

  std::unique_ptr<V> m_rtl;
  sc_core::sc_signal<bool> m_rst_n{"rst_n", true};
  sc_core::sc_signal<uint32_t> m_depth_sig{"depth_sig"}, m_occ{"occ"};
  sc_core::sc_signal<RtlBits> m_in_bits{"in_bits"}, m_out_bits{"out_bits"};
  uint64_t m_edge = 0, m_occ_mismatches = 0, m_first_occ_mismatch = 0, m_max_rtl_occ = 0,
           m_over_depth = 0;
  OutputHoldCheck<RtlBits> m_out_hold;
};

// The build's skip FIFO RTL.
std::unique_ptr<SkipFifoBase> make_rtl_skip_fifo(const char* name, uint64_t depth);

}  // namespace skipsim
