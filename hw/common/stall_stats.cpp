#include "hw/common/stall_stats.hpp"

namespace skipsim {

const char* to_string(WaitState::Kind k) {
  switch (k) {
    case WaitState::Kind::kBusy:
      return "busy";
    case WaitState::Kind::kStarved:
      return "starved";
    case WaitState::Kind::kBlocked:
      return "blocked";
    case WaitState::Kind::kWaitingDram:
      return "waiting_dram";
    case WaitState::Kind::kIdle:
      return "idle";
  }
  return "?";
}

}  // namespace skipsim
