#pragma once
// Add: consumes one main and one skip beat together and emits
// clamp((main*mult_main + skip*mult_skip + round) >> shift, 0, 127) per lane (ReLU after
// the add). Each input has a 2-entry skid queue; the output is a register.
#include <cstdint>

#include <systemc>

#include "hw/common/edge_sleep.hpp"
#include "hw/common/hw_block.hpp"
#include "hw/common/occupancy_probe.hpp"
#include "hw/stream/beat_queue.hpp"
#include "hw/stream/stream.hpp"

namespace skipsim {

struct AddConfig {
  int32_t mult_main = 1, mult_skip = 1, shift = 1;
  int lanes = 16;
};

// The add's ports, shared by the SystemC model and the Verilated RTL (hw/rtl/).
class AddBase : public sc_core::sc_module, public HwBlock {
 public:
  sc_core::sc_in<bool> clk;
  StreamIn main, skip;
  StreamOut out;

  explicit AddBase(sc_core::sc_module_name name)
      : sc_module(name), clk("clk"), main("main"), skip("skip"), out("out") {}
  std::string block_name() const override { return basename(); }
  std::vector<std::string> input_ports() const override { return {"main", "skip"}; }
  std::vector<std::string> output_ports() const override { return {"out"}; }
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

  // Once per edge: whether a pair was consumed, whether the output register was free,
  // whether the main input was empty.
  void account(bool computed, bool out_free, bool main_empty);

 private:
  StallStats m_stats, m_edge_counts;
  WaitState m_wait;
};

class Add : public AddBase {
 public:
  SC_HAS_PROCESS(Add);

  Add(sc_core::sc_module_name name, const AddConfig& cfg);

  const AddConfig& config() const { return m_cfg; }
  bool allow_sleep() override {
    m_sleep.want();
    return true;
  }
  OccupancyProbe main_probe{"main_queue_occupancy"}, skip_probe{"skip_queue_occupancy"};

 private:
  void on_clock();

  AddConfig m_cfg;
  BeatQueue m_main_q{2}, m_skip_q{2};
  bool m_out_busy = false;
};

}  // namespace skipsim
