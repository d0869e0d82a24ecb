#pragma once
// Fork: broadcasts each input beat to the main and the skip branch in lockstep; a beat
// leaves only at an edge where both branches accept it (FINN's duplicator). Its valids are
// the one combinational exception of the stream convention:
//   main.valid = has_beat && skip.ready,  skip.valid = has_beat && main.ready.
// The input side is a 2-entry skid queue whose head is the beat on offer.
#include <systemc>

#include "hw/common/edge_sleep.hpp"
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
  const StallStats& stall_stats() const override { return m_stats; }
  WaitState wait_state() const override { return m_wait; }
  bool quiescent() const override { return m_wait.kind != WaitState::Kind::kBusy; }
  void settle() override { m_stats.add_times(m_edge_counts, m_sleep.settle()); }

 protected:
  // Sleep support for a clocked model (hw/common/edge_sleep.hpp): the edges slept through
  // repeat the stall counts of the last awake one.
  void sleep_after_edge(const StallStats& before) {
    m_edge_counts = m_stats.since(before);
    m_sleep.sleep();
  }
  void replay(uint64_t edges) { m_stats.add_times(m_edge_counts, edges); }
  const StallStats& counts() const { return m_stats; }
  EdgeSleep m_sleep;

  // Once per edge, from the pre-edge pins: whether a beat was on offer and the readies.
  // Returns whether the beat left (on both branches).
  bool account(bool had, bool main_ready, bool skip_ready);

 private:
  StallStats m_stats, m_edge_counts;
  WaitState m_wait;
};

class Fork : public ForkBase {
 public:
  SC_HAS_PROCESS(Fork);

  explicit Fork(sc_core::sc_module_name name);

  uint64_t beats() const { return m_beats; }
  bool allow_sleep() override {
    m_sleep.want();
    return true;
  }
  OccupancyProbe queue_probe{"queue_occupancy"};

 private:
  void on_clock();
  void drive_valids();

  BeatQueue m_q{2};
  sc_core::sc_signal<bool> m_has_beat{"has_beat"};
  uint64_t m_beats = 0;
};

}  // namespace skipsim
