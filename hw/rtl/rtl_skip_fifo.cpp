#include "hw/rtl/rtl_skip_fifo.hpp"

#include "Vskip_fifo.h"

namespace skipsim {

RtlBits to_bits(const Beat& b) {
  RtlBits v;
  for (int l = 0; l < kRtlLanes; ++l) v.range(8 * l + 7, 8 * l) = static_cast<uint8_t>(b.lane[l]);
  return v;
}

Beat from_bits(const RtlBits& v) {
  Beat b;
  for (int l = 0; l < kRtlLanes; ++l)
    b.lane[l] = static_cast<int8_t>(v.range(8 * l + 7, 8 * l).to_uint());
  return b;
}

std::unique_ptr<SkipFifoBase> make_rtl_skip_fifo(const char* name, uint64_t depth) {
  return std::make_unique<RtlSkipFifoT<Vskip_fifo>>(name, depth);
}

}  // namespace skipsim
