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
  // Adds n times the counts of d (a cycle's increments, to replay skipped cycles).
  void add_times(const StallStats& d, uint64_t n) {
    busy += d.busy * n, starved += d.starved * n, blocked += d.blocked * n;
    waiting_dram += d.waiting_dram * n, idle += d.idle * n;
    for (int i = 0; i < 2; ++i) starved_on[i] += d.starved_on[i] * n;
    for (int i = 0; i < 2; ++i) blocked_on[i] += d.blocked_on[i] * n;
  }
  // The counts added since `before`.
  StallStats since(const StallStats& before) const {
    StallStats d;
    d.busy = busy - before.busy, d.starved = starved - before.starved;
    d.blocked = blocked - before.blocked, d.waiting_dram = waiting_dram - before.waiting_dram;
    d.idle = idle - before.idle;
    for (int i = 0; i < 2; ++i) d.starved_on[i] = starved_on[i] - before.starved_on[i];
    for (int i = 0; i < 2; ++i) d.blocked_on[i] = blocked_on[i] - before.blocked_on[i];
    return d;
  }
};

// What a block waits for at this moment.
struct WaitState {
  enum class Kind { kBusy, kStarved, kBlocked, kWaitingDram, kIdle } kind = Kind::kIdle;
  std::string port;    // the input (starved) or output (blocked) it waits on
  std::string detail;  // e.g. "full 64/64", "window needs pixel (2,3)"
};

const char* to_string(WaitState::Kind k);

}  // namespace skipsim
