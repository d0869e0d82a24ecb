#pragma once
// Tensors as streams of HWC beats (a pixel of C channels in ceil(C/lanes) beats, `last` on
// each frame's final beat) and back, for the engine tests.
#include <cstdint>
#include <random>
#include <utility>
#include <vector>

#include "hw/common/beat.hpp"
#include "tb/ref/tensor.hpp"

namespace skipsim::test {

inline std::vector<std::pair<Beat, bool>> pixel_beats(const std::vector<Tensor8>& frames,
                                                      int lanes) {
  std::vector<std::pair<Beat, bool>> beats;
  for (const Tensor8& x : frames) {
    const int bpp = beats_per_pixel(x.c, lanes);
    for (int y = 0; y < x.h; ++y)
      for (int xx = 0; xx < x.w; ++xx)
        for (int b = 0; b < bpp; ++b) {
          Beat beat;
          for (int l = 0; l < lanes && b * lanes + l < x.c; ++l)
            beat.lane[l] = x.at(y, xx, b * lanes + l);
          beats.emplace_back(beat, y == x.h - 1 && xx == x.w - 1 && b == bpp - 1);
        }
  }
  return beats;
}

// Frame `f` of h x w x c tensors from consecutive beats.
inline Tensor8 tensor_from_beats(const std::vector<Beat>& beats, int f, int h, int w, int c,
                                 int lanes) {
  Tensor8 t(h, w, c);
  const int bpp = beats_per_pixel(c, lanes);
  const size_t base = static_cast<size_t>(f) * h * w * bpp;
  for (size_t px = 0; px < static_cast<size_t>(h) * w; ++px)
    for (int ch = 0; ch < c; ++ch)
      t.data[px * c + ch] = beats.at(base + px * bpp + ch / lanes).lane[ch % lanes];
  return t;
}

inline Tensor8 random_tensor(int h, int w, int c, uint64_t seed) {
  std::mt19937_64 rng(seed);
  Tensor8 x(h, w, c);
  for (auto& v : x.data) v = static_cast<int8_t>(rng() % 256);
  return x;
}

}  // namespace skipsim::test
