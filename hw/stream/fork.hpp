#pragma once
// Fork: broadcasts each input beat to the main and the skip branch in lockstep; a beat
// leaves only at an edge where both branches accept it (FINN's duplicator). Its valids are
// the one combinational exception of the stream convention:
//   main.valid = has_beat && skip.ready,  skip.valid = has_beat && main.ready.
// The input side is a 2-entry skid queue whose head is the beat on offer.
#include <systemc>

#include "hw/common/hw_block.hpp"
#include "hw/common/occupancy_probe.hpp"
#include "hw/stream/beat_queue.hpp"
#include "hw/stream/stream.hpp"

namespace skipsim {

// The fork's ports, shared by the SystemC model and the Verilated RTL (hw/rtl/).
class ForkBase : public sc_core::sc_module, public HwBlock {
 public:
  sc_core::sc_in<bool> clk;
  StreamIn in;
  StreamOut main, skip;

  explicit ForkBase(sc_core::sc_module_name name)
      : sc_module(name), clk("clk"), in("in"), main("main"), skip("skip") {}
  std::string block_name() const override { return basename(); }
  std::vector<std::string> input_ports() const override { return {"in"}; }
  std::vector<std::string> output_ports() const override { return {"main", "skip"}; }
};

class Fork : public ForkBase {
 public:
  SC_HAS_PROCESS(Fork);

  explicit Fork(sc_core::sc_module_name name);

  const StallStats& stall_stats() const override { return m_stats; }
  WaitState wait_state() const override;
  uint64_t beats() const { return m_beats; }
  OccupancyProbe queue_probe{"queue_occupancy"};
  bool quiescent() const override { return m_wait.kind != WaitState::Kind::kBusy; }

 private:
  void on_clock();
  void drive_valids();

  BeatQueue m_q{2};
  sc_core::sc_signal<bool> m_has_beat{"has_beat"};
  StallStats m_stats;
  WaitState m_wait;
  uint64_t m_beats = 0;
};

}  // namespace skipsim
