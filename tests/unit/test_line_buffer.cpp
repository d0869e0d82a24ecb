// LineBuffer: k x k windows with zero padding and stride over a raster stream, with the
// k-row capacity gating the writer.
#include <gtest/gtest.h>

#include <random>

#include "hw/conv/line_buffer.hpp"

using namespace skipsim;

namespace {
struct Case {
  int h, w, c, k, s, lanes;
};

int8_t value(int y, int x, int ch) { return static_cast<int8_t>(y * 31 + x * 7 + ch * 3 - 60); }

// Streams the tensor in, computing every output's window as soon as it is ready, and checks
// each element against direct indexing with zero padding.
void check_windows(const Case& t) {
  SramBanks sram(8, 1 << 16, 16);
  ConvGeometry g{t.h, t.w, t.c, t.k, t.s};
  LineBuffer lb(g, t.lanes, sram, "lb");
  const int bpp = beats_per_pixel(t.c, t.lanes);
  int y = 0, x = 0, beat = 0;
  int oy = 0, ox = 0, outputs = 0;
  std::vector<int8_t> win(lb.window_elems());
  int guard = 0;
  while (oy < g.out_h() && ++guard < 1000000) {
    if (lb.window_ready(oy, ox)) {
      lb.gather(oy, ox, 0, lb.window_elems(), win.data());
      int e = 0;
      for (int ky = 0; ky < t.k; ++ky)
        for (int kx = 0; kx < t.k; ++kx)
          for (int ch = 0; ch < t.c; ++ch, ++e) {
            const int iy = oy * t.s - t.k / 2 + ky, ix = ox * t.s - t.k / 2 + kx;
            const bool in = iy >= 0 && iy < t.h && ix >= 0 && ix < t.w;
            ASSERT_EQ(win[e], in ? value(iy, ix, ch) : 0)
                << "out (" << oy << "," << ox << ") ky " << ky << " kx " << kx << " ch " << ch;
          }
      lb.retire(oy, ox);
      ++outputs;
      if (++ox == g.out_w()) {
        ox = 0;
        ++oy;
      }
      continue;
    }
    ASSERT_TRUE(lb.can_accept()) << "stuck: window of (" << oy << "," << ox
                                 << ") not ready and no room";
    ASSERT_LT(y, t.h);
    Beat b;
    for (int l = 0; l < t.lanes && beat * t.lanes + l < t.c; ++l)
      b.lane[l] = value(y, x, beat * t.lanes + l);
    lb.push_beat(b);
    ASSERT_LE(lb.pixels_held(), lb.capacity_pixels());
    if (++beat == bpp) {
      beat = 0;
      if (++x == t.w) {
        x = 0;
        ++y;
      }
    }
  }
  EXPECT_EQ(outputs, g.out_h() * g.out_w());
}
}  // namespace

TEST(LineBuffer, Windows3x3Stride1Padding) { check_windows({5, 6, 3, 3, 1, 2}); }
TEST(LineBuffer, Windows3x3Stride2OddSizes) { check_windows({7, 9, 5, 3, 2, 4}); }
TEST(LineBuffer, Windows1x1Stride2) { check_windows({9, 7, 12, 1, 2, 16}); }
TEST(LineBuffer, NarrowImagesNarrowerThanTheKernel) {
  check_windows({4, 1, 2, 3, 1, 1});
  check_windows({3, 2, 3, 3, 2, 2});
}
TEST(LineBuffer, ManyLanesFewChannels) { check_windows({6, 5, 3, 3, 1, 16}); }

TEST(LineBuffer, HoldsAtMostKRowsAndGatesTheWriter) {
  SramBanks sram(8, 1 << 16, 16);
  ConvGeometry g{10, 4, 1, 3, 1};
  LineBuffer lb(g, 1, sram, "lb");
  int pushed = 0;
  while (lb.can_accept()) {
    lb.push_beat(Beat{});
    ++pushed;
  }
  EXPECT_EQ(pushed, 12);  // 3 rows of 4 pixels
  EXPECT_EQ(lb.capacity_pixels(), 12u);
  // Output (0,0) .. (0,3) read rows 0-1 only; (1,0) still needs row 0, so nothing frees
  // until row 1's outputs begin.
  for (int ox = 0; ox < 4; ++ox) {
    ASSERT_TRUE(lb.window_ready(0, ox));
    lb.retire(0, ox);
  }
  EXPECT_FALSE(lb.can_accept());
  lb.retire(1, 0);  // (1,1) still reads pixel (0,0)
  EXPECT_FALSE(lb.can_accept());
  lb.retire(1, 1);  // (1,2) starts at (0,1): pixel (0,0) is free
  EXPECT_TRUE(lb.can_accept());
  lb.push_beat(Beat{});
  EXPECT_FALSE(lb.can_accept());
}

TEST(LineBuffer, SramCapacityIsChecked) {
  SramBanks sram(1, 64, 16);
  ConvGeometry g{8, 8, 4, 3, 1};
  EXPECT_THROW(LineBuffer(g, 4, sram, "lb"), std::exception);
}
