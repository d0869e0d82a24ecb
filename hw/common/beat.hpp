#pragma once
// One stream beat: up to kMaxLanes int8 channels of one pixel. Lanes past the pixel's
// channel count are zero. A struct carried by sc_signal needs ==, << and sc_trace.
#include <array>
#include <cstdint>
#include <ostream>
#include <string>

#include <systemc>

namespace skipsim {

constexpr int kMaxLanes = 64;

struct Beat {
  std::array<int8_t, kMaxLanes> lane{};

  bool operator==(const Beat& o) const { return lane == o.lane; }
  bool operator!=(const Beat& o) const { return !(*this == o); }
};

std::ostream& operator<<(std::ostream& os, const Beat& b);
// Traces the first `lanes` lanes as 8-bit vectors name.l0, name.l1, ...
void trace_beat(sc_core::sc_trace_file* tf, const Beat& b, const std::string& name, int lanes);
// Needed by sc_signal<Beat>; traces all lanes.
void sc_trace(sc_core::sc_trace_file* tf, const Beat& b, const std::string& name);

// Beats per pixel of c channels on a stream of `lanes` lanes.
inline int beats_per_pixel(int c, int lanes) { return (c + lanes - 1) / lanes; }

}  // namespace skipsim
