// Unit tests of the one conv output-size helper, and the hardware and reference models
// agreeing with it.
#include <gtest/gtest.h>

#include "hw/common/conv_geometry.hpp"
#include "hw/conv/line_buffer.hpp"
#include "tb/ref/golden.hpp"

using namespace skipsim;

namespace {

TEST(ConvGeometry, OutputSizes) {
  EXPECT_EQ(conv_out_size(56, 3, 1, 1), 56);  // same
  EXPECT_EQ(conv_out_size(56, 3, 2, 1), 28);
  EXPECT_EQ(conv_out_size(57, 3, 2, 1), 29);
  EXPECT_EQ(conv_out_size(56, 1, 2, 0), 28);  // 1x1 projection
  EXPECT_EQ(conv_out_size(224, 7, 2, 3), 112);
  EXPECT_EQ(conv_out_size(230, 7, 2, 0), 112);  // pre-padded
  EXPECT_EQ(conv_out_size(1, 3, 1, 1), 1);
  EXPECT_EQ(conv_out_size(1, 3, 1, 0), 0);  // the window does not fit
  EXPECT_EQ(conv_out_size(2, 5, 2, 1), 0);
  EXPECT_EQ(same_pad(3), 1);
  EXPECT_EQ(same_pad(1), 0);
  static_assert(conv_out_size(9, 3, 2, 1) == 5);
}

TEST(ConvGeometry, EveryUserAgrees) {
  for (int in = 1; in <= 20; ++in)
    for (int k : {1, 3, 5, 7})
      for (int s : {1, 2, 3}) {
        const int want = conv_out_size(in, k, s, k / 2);
        ConvParams p;
        p.k = k;
        p.stride = s;
        EXPECT_EQ(p.out_size(in), want) << in << " " << k << " " << s;
        ConvGeometry g{in, in + 1, 4, k, s};
        EXPECT_EQ(g.out_h(), want);
        EXPECT_EQ(g.out_w(), conv_out_size(in + 1, k, s, k / 2));
      }
}

}  // namespace
