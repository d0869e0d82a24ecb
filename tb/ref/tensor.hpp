#pragma once
// An int8 activation tensor in H x W x C (HWC, C order) layout.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace skipsim {

struct Tensor8 {
  int h = 0, w = 0, c = 0;
  std::vector<int8_t> data;  // h*w*c values, index (y*w + x)*c + ch

  Tensor8() = default;
  Tensor8(int h_, int w_, int c_)
      : h(h_), w(w_), c(c_), data(static_cast<size_t>(h_) * w_ * c_, 0) {}
  int8_t& at(int y, int x, int ch) { return data[(static_cast<size_t>(y) * w + x) * c + ch]; }
  int8_t at(int y, int x, int ch) const { return data[(static_cast<size_t>(y) * w + x) * c + ch]; }
  bool operator==(const Tensor8& o) const {
    return h == o.h && w == o.w && c == o.c && data == o.data;
  }
};

}  // namespace skipsim
