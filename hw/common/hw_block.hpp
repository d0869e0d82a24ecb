#pragma once
// What every clocked hardware block tells the monitor: where its cycles went and what it
// waits on now. Port names index StallStats::starved_on / blocked_on.
#include <string>
#include <vector>

#include "hw/common/occupancy_probe.hpp"
#include "hw/common/stall_stats.hpp"
#include "hw/common/stats.hpp"

namespace skipsim {

class HwBlock {
 public:
  virtual ~HwBlock() = default;
  virtual std::string block_name() const = 0;
  virtual const StallStats& stall_stats() const = 0;
  virtual WaitState wait_state() const = 0;
  // True when, at the last edge, the block neither moved a beat nor has work in flight
  // that could change its state on its own (pipelines, DRAM requests, random stalls):
  // its next cycle is the same as this one unless a stream wire changes.
  virtual bool quiescent() const { return false; }
  virtual std::vector<std::string> input_ports() const { return {}; }
  virtual std::vector<std::string> output_ports() const { return {}; }
  // Writes the block's statistics into `node`: where its cycles went (busy, starved,
  // blocked, waiting_dram, idle, per-port starved_on / blocked_on); blocks add their own.
  virtual void report(StatsNode& node) const;

  // Lets the block skip edges at which it provably repeats itself (hw/common/edge_sleep.hpp);
  // call before the simulation starts. False for a block that runs every edge regardless.
  virtual bool allow_sleep() { return false; }
  // Once the simulation has stopped: replays the edges the block slept through, so that
  // its statistics count every edge. Call before reading them.
  virtual void settle() {}

  // This cycle's stall cause as a waveform code: 0 busy, 1 starved, 2 blocked,
  // 3 waiting for DRAM, 4 idle (WaitState::Kind order). Written only once traced.
  OccupancyProbe state_probe{"stall_state"};

 protected:
  void record_state(WaitState::Kind k) { state_probe.set(static_cast<uint64_t>(k)); }
};

}  // namespace skipsim
