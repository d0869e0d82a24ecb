#pragma once
// The skip FIFO as Verilated RTL (hw/rtl/skip_fifo.v, or the user's file with the same
// ports), wrapped so that the pipeline cannot tell it from the SystemC SkipFifo: the same
// stream ports, statistics and wait states (observed from its handshakes).
#include <cstdint>
#include <memory>

#include <systemc>

#include "hw/stream/skip_fifo.hpp"

class Vskip_fifo;

namespace skipsim {

constexpr int kRtlLanes = SKIPSIM_RTL_LANES;
using RtlBits = sc_dt::sc_bv<kRtlLanes * 8>;

// Beat <-> the RTL's packed lanes (lane l in bits [8l+7:8l]).
RtlBits to_bits(const Beat& b);
Beat from_bits(const RtlBits& v);

class RtlSkipFifo : public SkipFifoBase {
 public:
  SC_HAS_PROCESS(RtlSkipFifo);
  RtlSkipFifo(sc_core::sc_module_name name, uint64_t depth);
  ~RtlSkipFifo() override;

  // The RTL's own registers, for Verilator's VCD of the internals.
  Vskip_fifo& rtl() { return *m_rtl; }
  // The RTL's occupancy output (differs from occupancy() only if the RTL is wrong).
  uint64_t rtl_occupancy() const { return m_occ.read(); }

 private:
  void on_clock();
  void drive_in();
  void take_out();

  std::unique_ptr<Vskip_fifo> m_rtl;
  sc_core::sc_signal<bool> m_rst_n{"rst_n", true};
  sc_core::sc_signal<uint32_t> m_depth_sig{"depth_sig"}, m_occ{"occ"};
  sc_core::sc_signal<RtlBits> m_in_bits{"in_bits"}, m_out_bits{"out_bits"};
};

}  // namespace skipsim
