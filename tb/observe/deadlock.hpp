#pragma once
// Deadlock diagnosis: the state of every stream (full / empty / moving) and the chain of
// waits (who waits on whom) followed through the block graph until it closes on itself.
#include <string>
#include <vector>

#include "hw/common/hw_block.hpp"
#include "hw/common/stats.hpp"
#include "hw/stream/stream.hpp"

namespace skipsim {

struct WaitHop {
  std::string block, state, port, detail, waits_on;
};

struct DeadlockDiagnosis {
  std::vector<WaitHop> chain;  // starts at the fork when it is blocked
  bool cycle = false;          // the chain returns to a block already in it
  std::vector<std::string> full_streams, empty_streams;
  std::string text;  // one line, e.g. "fork blocked on skip: ... -> add waits ..."
  void report(StatsNode& node) const;
};

// One hop of the chain as text, e.g. "fork blocked on skip by skip_fifo".
std::string describe_hop(const WaitHop& h);

DeadlockDiagnosis diagnose_deadlock(const std::vector<HwBlock*>& blocks,
                                    const std::vector<Stream*>& streams);

}  // namespace skipsim
