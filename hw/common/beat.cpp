#include "hw/common/beat.hpp"

namespace skipsim {

std::ostream& operator<<(std::ostream& os, const Beat& b) {
  os << '[';
  for (int i = 0; i < kMaxLanes; ++i) os << (i ? "," : "") << static_cast<int>(b.lane[i]);
  return os << ']';
}

void trace_beat(sc_core::sc_trace_file* tf, const Beat& b, const std::string& name, int lanes) {
  for (int i = 0; i < lanes && i < kMaxLanes; ++i) {
    // sc_trace has no int8_t overload; a signed char is traced through its int8 bits.
    sc_core::sc_trace(tf, reinterpret_cast<const char&>(b.lane[i]), name + ".l" + std::to_string(i),
                      8);
  }
}

void sc_trace(sc_core::sc_trace_file* tf, const Beat& b, const std::string& name) {
  trace_beat(tf, b, name, kMaxLanes);
}

}  // namespace skipsim
