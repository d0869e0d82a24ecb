// The layer-mode data generator: the block Mersenne Twister against std::mt19937_64, and
// make_layer_data's values as they were when drawn from std::mt19937_64 one by one.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "tb/modes/layer_mode.hpp"
#include "tb/ref/mt19937_64_block.hpp"

namespace skipsim {
namespace {

TEST(Mt19937_64Block, SameWordsAsTheStandardEngine) {
  for (const uint64_t seed : {uint64_t{0}, uint64_t{1}, uint64_t{5489}, ~uint64_t{0}}) {
    std::mt19937_64 ref(seed);
    Mt19937_64Block blk(seed);
    for (int i = 0; i < 2000; ++i) ASSERT_EQ(blk(), ref()) << "seed " << seed << " word " << i;
    std::vector<uint64_t> v(1000);  // generate() continues the same stream, across refills
    blk.generate(v.data(), v.size(), [](uint64_t x) { return x; });
    for (size_t i = 0; i < v.size(); ++i) ASSERT_EQ(v[i], ref()) << "seed " << seed;
  }
}

// The layer data of a seed as std::mt19937_64 gave it: ifmap, weights, bias, in that order.
TEST(LayerData, SameValuesAsTheStandardEngine) {
  LayerSpec l;
  l.ifmap_h = 11, l.ifmap_w = 7, l.channels = 5, l.filter_h = 3, l.filter_w = 3;
  l.num_filters = 13;
  const LayerData d = make_layer_data(l, 42);
  std::mt19937_64 gen(42);
  auto i8 = [&] { return static_cast<int8_t>(static_cast<int>(gen() % 256) - 128); };
  ASSERT_EQ(d.ifmap.size(), 11u * 7 * 5);
  for (int8_t v : d.ifmap) ASSERT_EQ(v, i8());
  ASSERT_EQ(d.weight.size(), 13u * 5 * 3 * 3);
  for (int8_t v : d.weight) ASSERT_EQ(v, i8());
  ASSERT_EQ(d.bias.size(), 13u);
  for (int32_t v : d.bias) ASSERT_EQ(v, static_cast<int32_t>(gen() % 2048) - 1024);
  LayerData reused = make_layer_data(l, 1);  // the in-place form, over other data
  make_layer_data(l, 42, reused);
  EXPECT_EQ(reused.ifmap, d.ifmap);
  EXPECT_EQ(reused.weight, d.weight);
  EXPECT_EQ(reused.bias, d.bias);
}

}  // namespace
}  // namespace skipsim
