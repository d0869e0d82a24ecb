// Golden model checked against values computed by hand from DESIGN.md section 4.
#include <gtest/gtest.h>

#include <cstdint>
#include <stdexcept>

#include "tb/ref/golden.hpp"

namespace skipsim {
namespace {

constexpr int32_t kMaxMult = 2147483647;

ConvParams unit_conv(int in_c, int out_c, int k, int stride, bool relu) {
  ConvParams p;
  p.in_c = in_c;
  p.out_c = out_c;
  p.k = k;
  p.stride = stride;
  p.relu = relu;
  p.weight.assign(static_cast<size_t>(out_c) * in_c * k * k, 0);
  p.bias.assign(out_c, 0);
  p.mult.assign(out_c, 1 << 16);  // with shift 16: y = acc
  p.shift.assign(out_c, 16);
  return p;
}

Tensor8 ramp(int h, int w, int c) {
  Tensor8 t(h, w, c);
  for (size_t i = 0; i < t.data.size(); ++i) t.data[i] = static_cast<int8_t>(i % 7 + 1);
  return t;
}

TEST(GoldenRequant, IdentityScale) {
  EXPECT_EQ(golden_requant(5, 1 << 16, 16, false), 5);
  EXPECT_EQ(golden_requant(-5, 1 << 16, 16, false), -5);
  EXPECT_EQ(golden_requant(0, 1 << 16, 16, true), 0);
}

TEST(GoldenRequant, ExactHalfRoundsTowardPlusInfinity) {
  // acc*mult / 2^shift: 3/2 = 1.5 -> 2; -3/2 = -1.5 -> -1; 5/4 = 1.25 -> 1; -5/4 -> -1.
  EXPECT_EQ(golden_requant(3, 1, 1, false), 2);
  EXPECT_EQ(golden_requant(-3, 1, 1, false), -1);
  EXPECT_EQ(golden_requant(5, 1, 2, false), 1);
  EXPECT_EQ(golden_requant(-5, 1, 2, false), -1);
  EXPECT_EQ(golden_requant(-6, 1, 2, false), -1);  // -1.5 -> -1
  EXPECT_EQ(golden_requant(-7, 1, 2, false), -2);  // -1.75 -> -2
  EXPECT_EQ(golden_requant(1, 1, 1, false), 1);    // 0.5 -> 1
  EXPECT_EQ(golden_requant(-1, 1, 1, false), 0);   // -0.5 -> 0
}

TEST(GoldenRequant, ClampsAndRelu) {
  EXPECT_EQ(golden_requant(127, 1 << 16, 16, false), 127);
  EXPECT_EQ(golden_requant(128, 1 << 16, 16, false), 127);
  EXPECT_EQ(golden_requant(-128, 1 << 16, 16, false), -128);
  EXPECT_EQ(golden_requant(-129, 1 << 16, 16, false), -128);
  EXPECT_EQ(golden_requant(-1, 1 << 16, 16, true), 0);
  EXPECT_EQ(golden_requant(-100000, 1 << 16, 16, true), 0);
  EXPECT_EQ(golden_requant(100000, 1 << 16, 16, true), 127);
  EXPECT_EQ(golden_requant(77, 1 << 16, 16, true), 77);
}

TEST(GoldenRequant, NeedsTheSixtyFourBitProduct) {
  // (2^31-1) * 2^20 would wrap in 32 bits; >> 45 gives (2^51 - 2^20 + 2^44) >> 45 = 64.
  EXPECT_EQ(golden_requant(1 << 20, kMaxMult, 45, false), 64);
  EXPECT_EQ(golden_requant(-(1 << 20), kMaxMult, 45, false), -64);
  // Extreme magnitudes: INT32_MIN * (2^31-1) is about -2^62, no overflow, shift 62 -> -1.
  EXPECT_EQ(golden_requant(INT32_MIN, kMaxMult, 62, false), -1);
  EXPECT_EQ(golden_requant(INT32_MAX, kMaxMult, 62, false), 1);
  EXPECT_EQ(golden_requant(INT32_MAX, kMaxMult, 1, false), 127);
  EXPECT_EQ(golden_requant(INT32_MIN, kMaxMult, 1, false), -128);
}

TEST(GoldenRequant, ShiftSixtyTwoAndOne) {
  EXPECT_EQ(golden_requant(1 << 30, 1 << 30, 61, false), 1);           // 2^60 / 2^61 = 0.5 -> 1
  EXPECT_EQ(golden_requant(1 << 30, 1 << 30, 62, false), 0);           // 0.25 -> 0
  EXPECT_EQ(golden_requant(INT32_MIN, 1 << 30, 62, false), 0);         // -2^61 / 2^62 = -0.5 -> 0
  EXPECT_EQ(golden_requant(INT32_MIN, (1 << 30) + 1, 62, false), -1);  // just below -0.5
  EXPECT_EQ(golden_requant(101, 1, 1, false), 51);                     // 50.5 -> 51
  EXPECT_EQ(golden_requant(-101, 1, 1, false), -50);                   // -50.5 -> -50
  EXPECT_EQ(golden_requant(0, 0, 1, false), 0);
}

TEST(GoldenRequant, RejectsOutOfRangeParameters) {
  EXPECT_THROW(golden_requant(1, 1, 0, false), std::invalid_argument);
  EXPECT_THROW(golden_requant(1, 1, 63, false), std::invalid_argument);
  EXPECT_THROW(golden_requant(1, -1, 8, false), std::invalid_argument);
}

TEST(GoldenAdd, ScalarRoundingClampAndRelu) {
  const AddParams half{1 << 15, 1 << 15, 16};  // (a + b) / 2
  EXPECT_EQ(golden_add(int8_t{10}, int8_t{20}, half), 15);
  EXPECT_EQ(golden_add(int8_t{10}, int8_t{21}, half), 16);   // 15.5 -> 16
  EXPECT_EQ(golden_add(int8_t{-10}, int8_t{-21}, half), 0);  // ReLU
  EXPECT_EQ(golden_add(int8_t{-1}, int8_t{2}, half), 1);     // 0.5 -> 1
  EXPECT_EQ(golden_add(int8_t{-2}, int8_t{1}, half), 0);     // -0.5 -> 0 -> 0
  const AddParams sum{1, 1, 1};                              // (a + b + 1) >> 1
  EXPECT_EQ(golden_add(int8_t{127}, int8_t{127}, sum), 127);
  const AddParams big{4, 4, 1};  // 2 * (a + b), clamps
  EXPECT_EQ(golden_add(int8_t{40}, int8_t{30}, big), 127);
  EXPECT_EQ(golden_add(int8_t{-128}, int8_t{-128}, big), 0);
  const AddParams neg{-(1 << 16), 1 << 16, 16};  // skip - main
  EXPECT_EQ(golden_add(int8_t{-50}, int8_t{20}, neg), 70);
  EXPECT_EQ(golden_add(int8_t{50}, int8_t{20}, neg), 0);
  // 254 * (2^31-1) needs 64 bits; / 2^33 = 63.5 - 254/2^33, just below the half -> 63.
  const AddParams ext{kMaxMult, kMaxMult, 33};
  EXPECT_EQ(golden_add(int8_t{127}, int8_t{127}, ext), 63);
}

TEST(GoldenAdd, TensorIsElementwise) {
  Tensor8 a(1, 2, 2), b(1, 2, 2);
  a.data = {1, 2, 3, -100};
  b.data = {4, -10, 3, 50};
  const Tensor8 y = golden_add(a, b, AddParams{1 << 16, 1 << 16, 16});
  EXPECT_EQ(y.data, (std::vector<int8_t>{5, 0, 6, 0}));
  EXPECT_EQ(y.h, 1);
  EXPECT_EQ(y.w, 2);
  EXPECT_EQ(y.c, 2);
  EXPECT_THROW(golden_add(a, Tensor8(2, 1, 2), AddParams{}), std::invalid_argument);
}

TEST(GoldenConv, OneByOneIdentityWeightsCopyTheInput) {
  ConvParams p = unit_conv(3, 3, 1, 1, false);
  for (int o = 0; o < 3; ++o) p.weight[o * 3 + o] = 1;
  Tensor8 x(2, 3, 3);
  for (size_t i = 0; i < x.data.size(); ++i) x.data[i] = static_cast<int8_t>(i * 13 - 100);
  EXPECT_EQ(golden_conv(x, p), x);
  // Swap channels 0 and 2 and add bias 1 to channel 1.
  p.weight.assign(9, 0);
  p.weight[0 * 3 + 2] = 1;
  p.weight[1 * 3 + 1] = 1;
  p.weight[2 * 3 + 0] = 1;
  p.bias[1] = 1;
  const Tensor8 y = golden_conv(x, p);
  for (int yy = 0; yy < 2; ++yy)
    for (int xx = 0; xx < 3; ++xx) {
      EXPECT_EQ(y.at(yy, xx, 0), x.at(yy, xx, 2));
      EXPECT_EQ(y.at(yy, xx, 1), std::min(127, x.at(yy, xx, 1) + 1));
      EXPECT_EQ(y.at(yy, xx, 2), x.at(yy, xx, 0));
    }
}

TEST(GoldenConv, ThreeByThreePaddingAtCornersByHand) {
  // Input 3x3x1 = [[1 2 3] [4 5 6] [7 8 9]], all weights 1, bias 0: each output is the
  // sum of its in-image 3x3 neighbourhood.
  ConvParams p = unit_conv(1, 1, 3, 1, false);
  p.weight.assign(9, 1);
  Tensor8 x(3, 3, 1);
  x.data = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  const Tensor8 y = golden_conv(x, p);
  ASSERT_EQ(y.h, 3);
  ASSERT_EQ(y.w, 3);
  EXPECT_EQ(y.data, (std::vector<int8_t>{12, 21, 16, 27, 45, 33, 24, 39, 28}));

  // Position-dependent weights w[ky][kx] = 3*ky + kx + 1 (1..9): top-left output sees
  // only (ky, kx) in {1,2}x{1,2}: 5*1 + 6*2 + 8*4 + 9*5 = 94.
  for (int i = 0; i < 9; ++i) p.weight[i] = static_cast<int8_t>(i + 1);
  p.bias[0] = -100;
  const Tensor8 z = golden_conv(x, p);
  EXPECT_EQ(z.at(0, 0, 0), 94 - 100);
  // Bottom-right: (ky, kx) in {0,1}x{0,1}: 1*5 + 2*6 + 4*8 + 5*9 = 94.
  EXPECT_EQ(z.at(2, 2, 0), 94 - 100);
  // Top-right: ky in {1,2}, kx in {0,1}: 4*2 + 5*3 + 7*5 + 8*6 = 106.
  EXPECT_EQ(z.at(0, 2, 0), 6);
  // Centre: sum (i+1)*(i+1) for i in 0..8 = 285 -> -100 + 285 = 185 -> clamps to 127.
  EXPECT_EQ(z.at(1, 1, 0), 127);
}

TEST(GoldenConv, MultiChannelSumAndPerChannelRequant) {
  // 1x1 input, 3x3 kernel: only the centre tap sees the pixel.
  ConvParams p = unit_conv(2, 2, 3, 1, true);
  Tensor8 x(1, 1, 2);
  x.data = {10, -3};
  // o=0: 2*10 + 5*(-3) = 5; o=1: -1*10 + 1*(-3) = -13.
  p.weight[((0 * 2 + 0) * 3 + 1) * 3 + 1] = 2;
  p.weight[((0 * 2 + 1) * 3 + 1) * 3 + 1] = 5;
  p.weight[((1 * 2 + 0) * 3 + 1) * 3 + 1] = -1;
  p.weight[((1 * 2 + 1) * 3 + 1) * 3 + 1] = 1;
  p.weight[0] = 100;            // corner tap: falls on padding
  p.mult = {3 << 15, 1 << 16};  // 1.5x and 1x
  const Tensor8 y = golden_conv(x, p);
  EXPECT_EQ(y.at(0, 0, 0), 8);  // 7.5 -> 8
  EXPECT_EQ(y.at(0, 0, 1), 0);  // ReLU
  p.relu = false;
  EXPECT_EQ(golden_conv(x, p).at(0, 0, 1), -13);
}

TEST(GoldenConv, StrideTwoOddSizesOutputShape) {
  ConvParams p3 = unit_conv(2, 4, 3, 2, false);
  ConvParams p1 = unit_conv(2, 4, 1, 2, false);
  for (int h : {1, 2, 5, 7, 8}) {
    const Tensor8 x = ramp(h, 9, 2);
    const Tensor8 y3 = golden_conv(x, p3), y1 = golden_conv(x, p1);
    EXPECT_EQ(y3.h, (h + 2 - 3) / 2 + 1) << h;
    EXPECT_EQ(y3.w, (9 + 2 - 3) / 2 + 1);
    EXPECT_EQ(y1.h, (h - 1) / 2 + 1) << h;
    EXPECT_EQ(y1.w, 5);
    EXPECT_EQ(y3.c, 4);
  }
}

TEST(GoldenConv, StrideTwoSamplesEveryOtherPixel) {
  // 1x1 stride 2 identity: picks x(2i, 2j).
  ConvParams p = unit_conv(1, 1, 1, 2, false);
  p.weight[0] = 1;
  Tensor8 x(5, 5, 1);
  for (int i = 0; i < 25; ++i) x.data[i] = static_cast<int8_t>(i);
  const Tensor8 y = golden_conv(x, p);
  ASSERT_EQ(y.h, 3);
  EXPECT_EQ(y.data, (std::vector<int8_t>{0, 2, 4, 10, 12, 14, 20, 22, 24}));
  // 3x3 stride 2 all ones on 5x5: output (1, 1) is centred on input (2, 2):
  // rows 1..3, cols 1..3: sum = 9*12 = 108 (the values are 5r+c).
  ConvParams q = unit_conv(1, 1, 3, 2, false);
  q.weight.assign(9, 1);
  const Tensor8 z = golden_conv(x, q);
  EXPECT_EQ(z.at(1, 1, 0), 108);
  EXPECT_EQ(z.at(0, 0, 0), 0 + 1 + 5 + 6);      // centred on (0, 0)
  EXPECT_EQ(z.at(2, 2, 0), 18 + 19 + 23 + 24);  // centred on (4, 4): 84
}

TEST(GoldenConv, AccumulatorWrapsModuloTwoToTheThirtyTwo) {
  // bias INT32_MAX + 1*1 wraps to INT32_MIN in int32, which requantizes to -128.
  ConvParams p = unit_conv(1, 1, 1, 1, false);
  p.weight[0] = 1;
  p.bias[0] = INT32_MAX;
  p.mult[0] = 1;
  p.shift[0] = 1;
  Tensor8 x(1, 1, 1);
  x.data = {1};
  EXPECT_EQ(golden_conv(x, p).data[0], -128);
  x.data = {0};
  EXPECT_EQ(golden_conv(x, p).data[0], 127);
}

TEST(GoldenConv, RejectsMismatchedParameters) {
  ConvParams p = unit_conv(2, 2, 3, 1, false);
  EXPECT_THROW(golden_conv(Tensor8(3, 3, 3), p), std::invalid_argument);
  p.bias.pop_back();
  EXPECT_THROW(golden_conv(Tensor8(3, 3, 2), p), std::invalid_argument);
}

TEST(GoldenBlock, BasicIsConvConvAddWithIdentity) {
  BlockParams b;
  b.kind = BlockKind::kBasic;
  b.input = ramp(4, 3, 2);
  b.conv1 = unit_conv(2, 2, 3, 1, true);
  b.conv2 = unit_conv(2, 2, 3, 1, false);
  // conv1: centre tap identity then -3 bias; conv2: centre tap negates.
  for (int o = 0; o < 2; ++o) {
    b.conv1.weight[((o * 2 + o) * 3 + 1) * 3 + 1] = 1;
    b.conv1.bias[o] = -3;
    b.conv2.weight[((o * 2 + o) * 3 + 1) * 3 + 1] = -1;
  }
  b.add = AddParams{1 << 16, 2 << 16, 16};  // y = main + 2*skip
  const Tensor8 y = golden_block(b);
  ASSERT_EQ(y.h, 4);
  ASSERT_EQ(y.c, 2);
  for (size_t i = 0; i < y.data.size(); ++i) {
    const int x = b.input.data[i];
    EXPECT_EQ(y.data[i], -std::max(0, x - 3) + 2 * x) << i;
  }
}

TEST(GoldenBlock, DownsampleUsesTheSkipConv) {
  BlockParams b;
  b.kind = BlockKind::kDownsample;
  b.input = ramp(5, 4, 1);
  b.conv1 = unit_conv(1, 2, 3, 2, true);
  b.conv2 = unit_conv(2, 2, 3, 1, false);
  b.skip = unit_conv(1, 2, 1, 2, false);
  // Main path zero (all weights 0): y = skip = x(2i, 2j) * (o + 1).
  b.skip->weight = {1, 2};
  b.add = AddParams{1 << 16, 1 << 16, 16};
  const Tensor8 y = golden_block(b);
  ASSERT_EQ(y.h, 3);
  ASSERT_EQ(y.w, 2);
  ASSERT_EQ(y.c, 2);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 2; ++j)
      for (int o = 0; o < 2; ++o) EXPECT_EQ(y.at(i, j, o), b.input.at(2 * i, 2 * j, 0) * (o + 1));
  b.skip.reset();
  EXPECT_THROW(golden_block(b), std::invalid_argument);
}

}  // namespace
}  // namespace skipsim
