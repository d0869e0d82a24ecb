// MacArray: folds of R x C int8 MACs, pipelined adder tree, accumulation with bias.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "hw/mac_array/mac_array.hpp"

using namespace skipsim;

TEST(MacArray, LatencyIsMultiplierPlusAdderTreeDepth) {
  EXPECT_EQ(MacArray(1, 4).latency(), 1);
  EXPECT_EQ(MacArray(2, 4).latency(), 2);
  EXPECT_EQ(MacArray(16, 16).latency(), 5);
  EXPECT_EQ(MacArray(17, 16).latency(), 6);
}

TEST(MacArray, SingleFoldResultAppearsAfterLatencyCycles) {
  MacArray a(4, 2);
  const int8_t act[4] = {1, -2, 3, 127};
  // column 0 weights, then column 1 (w_stride 4)
  const int8_t w[8] = {1, 1, 1, 1, -128, 2, 0, 1};
  const int32_t bias[2] = {10, -5};
  MacArray::Fold f{act, w, 4, 4, 2, true, true, bias, 7};
  EXPECT_FALSE(a.cycle(&f));
  for (int i = 1; i < a.latency(); ++i) EXPECT_FALSE(a.cycle(nullptr)) << i;
  ASSERT_TRUE(a.cycle(nullptr));
  EXPECT_EQ(a.result_tag(), 7);
  EXPECT_EQ(a.result()[0], 10 + 1 - 2 + 3 + 127);
  EXPECT_EQ(a.result()[1], -5 + -128 - 4 + 0 + 127);
  EXPECT_TRUE(a.empty());
}

TEST(MacArray, BackToBackFoldsAccumulateLikeADotProduct) {
  const int R = 8, C = 5, K = 37, N = 5;
  std::mt19937 rng(3);
  std::vector<int8_t> act(K), w(N * K);
  for (auto& v : act) v = static_cast<int8_t>(rng() % 256 - 128);
  for (auto& v : w) v = static_cast<int8_t>(rng() % 256 - 128);
  std::vector<int32_t> bias = {1, -2, 3, -4, 5};
  MacArray a(R, C);
  const int folds = (K + R - 1) / R;
  std::vector<int32_t> got;
  int done = 0;
  for (int cyc = 0; cyc < folds + a.latency() + 2; ++cyc) {
    MacArray::Fold f;
    const bool issue = cyc < folds;
    if (issue) {
      const int k0 = cyc * R;
      f = {act.data() + k0,  w.data() + k0, K, std::min(R, K - k0), N, cyc == 0,
           cyc == folds - 1, bias.data(),   0};
    }
    if (a.cycle(issue ? &f : nullptr)) {
      ++done;
      got.assign(a.result(), a.result() + N);
      EXPECT_EQ(cyc, folds - 1 + a.latency());
    }
  }
  ASSERT_EQ(done, 1);
  for (int n = 0; n < N; ++n) {
    int32_t want = bias[n];
    for (int k = 0; k < K; ++k) want += act[k] * w[n * K + k];
    EXPECT_EQ(got[n], want) << n;
  }
  EXPECT_EQ(a.folds(), static_cast<uint64_t>(folds));
  EXPECT_EQ(a.useful_macs(), static_cast<uint64_t>(K * N));
}
