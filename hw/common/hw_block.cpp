#include "hw/common/hw_block.hpp"

namespace skipsim {

void HwBlock::report(StatsNode& node) const {
  const StallStats& s = stall_stats();
  node.set("busy", s.busy)
      .set("starved", s.starved)
      .set("blocked", s.blocked)
      .set("waiting_dram", s.waiting_dram)
      .set("idle", s.idle);
  const auto in = input_ports();
  const auto out = output_ports();
  StatsNode& son = node.child("starved_on");
  StatsNode& bon = node.child("blocked_on");
  for (size_t i = 0; i < in.size() && i < 2; ++i) son.set(in[i], s.starved_on[i]);
  for (size_t i = 0; i < out.size() && i < 2; ++i) bon.set(out[i], s.blocked_on[i]);
}

}  // namespace skipsim
