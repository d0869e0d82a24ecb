#pragma once
// The requantization and add units' arithmetic (DESIGN.md section 4), shared by every
// hardware block that narrows an int32 accumulator to int8.
#include <algorithm>
#include <cstdint>

namespace skipsim {

// y = clamp((acc*mult + (1 << (shift-1))) >> shift, relu ? 0 : -128, 127).
inline int8_t requant(int32_t acc, int32_t mult, int32_t shift, bool relu) {
  const int64_t v = (static_cast<int64_t>(acc) * mult + (int64_t{1} << (shift - 1))) >> shift;
  return static_cast<int8_t>(std::clamp<int64_t>(v, relu ? 0 : -128, 127));
}

// y = clamp((main*mult_main + skip*mult_skip + (1 << (shift-1))) >> shift, 0, 127).
inline int8_t add_requant(int8_t main, int8_t skip, int32_t mult_main, int32_t mult_skip,
                          int32_t shift) {
  const int64_t v = (static_cast<int64_t>(main) * mult_main +
                     static_cast<int64_t>(skip) * mult_skip + (int64_t{1} << (shift - 1))) >>
                    shift;
  return static_cast<int8_t>(std::clamp<int64_t>(v, 0, 127));
}

}  // namespace skipsim
