#pragma once
// Where a block's cycles went, and what it waits on right now (for deadlock diagnosis).
// Every clocked block puts each of its cycles in exactly one bucket.
#include <cstdint>
#include <string>

namespace skipsim {

struct StallStats {
  uint64_t busy = 0;          // did its work this cycle
  uint64_t starved = 0;       // had nothing to work on (an input was empty)
  uint64_t blocked = 0;       // could not hand its result on (an output was full)
  uint64_t waiting_dram = 0;  // waited for a DRAM response
  uint64_t idle = 0;          // nothing left to do (finished, or not started)
  // Per-port detail: cycles starved on a named input / blocked on a named output.
  uint64_t starved_on[2] = {0, 0};
  uint64_t blocked_on[2] = {0, 0};

  uint64_t total() const { return busy + starved + blocked + waiting_dram + idle; }
};

// What a block waits for at this moment.
struct WaitState {
  enum class Kind { kBusy, kStarved, kBlocked, kWaitingDram, kIdle } kind = Kind::kIdle;
  std::string port;    // the input (starved) or output (blocked) it waits on
  std::string detail;  // e.g. "full 64/64", "window needs pixel (2,3)"
};

const char* to_string(WaitState::Kind k);

}  // namespace skipsim
