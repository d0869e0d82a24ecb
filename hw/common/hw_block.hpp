#pragma once
// What every clocked hardware block tells the monitor: where its cycles went and what it
// waits on now. Port names index StallStats::starved_on / blocked_on.
#include <string>
#include <vector>

#include "hw/common/stall_stats.hpp"

namespace skipsim {

class HwBlock {
 public:
  virtual ~HwBlock() = default;
  virtual std::string block_name() const = 0;
  virtual const StallStats& stall_stats() const = 0;
  virtual WaitState wait_state() const = 0;
  virtual std::vector<std::string> input_ports() const { return {}; }
  virtual std::vector<std::string> output_ports() const { return {}; }
};

}  // namespace skipsim
