// One builder for any description: a block with three convs on the main path (the shape
// of a bottleneck block) elaborates from its description alone and is bit-exact against
// the golden model composed the same way.
#include <gtest/gtest.h>

#include <random>

#include <systemc>

#include "tb/config/config.hpp"
#include "tb/ref/golden.hpp"
#include "tb/top/block_description.hpp"
#include "tb/top/residual_block.hpp"

using namespace skipsim;

namespace {

ConvParams random_conv(int in_c, int out_c, int k, bool relu, std::mt19937& rng) {
  ConvParams p;
  p.in_c = in_c;
  p.out_c = out_c;
  p.k = k;
  p.relu = relu;
  std::uniform_int_distribution<int> w(-4, 4), b(-200, 200);
  p.weight.resize(static_cast<size_t>(out_c) * in_c * k * k);
  for (auto& x : p.weight) x = static_cast<int8_t>(w(rng));
  // Shift so that a full-scale accumulator lands near the int8 range.
  int shift = 1;
  while ((1 << shift) < k * k * in_c * 4) ++shift;
  for (int o = 0; o < out_c; ++o) {
    p.bias.push_back(b(rng));
    p.mult.push_back(1);
    p.shift.push_back(shift);
  }
  return p;
}

}  // namespace

TEST(BlockDescription, ThreeConvMainPathRunsBitExact) {
  const Config cfg = parse_config(
      "hardware:\n  mac_array: {rows: 8, cols: 8}\n  stream: {lanes: 16}\n"
      "workload:\n  block: basic\n  input: {h: 6, w: 7, c: 16}\n  out_channels: 16\n");
  std::mt19937 rng(42);
  Tensor8 x(6, 7, 16);
  std::uniform_int_distribution<int> v(-128, 127);
  for (auto& e : x.data) e = static_cast<int8_t>(v(rng));

  BlockDescription d;
  d.kind = "bottleneck";
  d.in_h = 6;
  d.in_w = 7;
  d.in_c = 16;
  d.main.push_back({"conv1", "conv1_out", 6, 7, random_conv(16, 8, 1, true, rng)});
  d.main.push_back({"conv2", "conv2_out", 6, 7, random_conv(8, 8, 3, true, rng)});
  d.main.push_back({"conv3", "conv3_out", 6, 7, random_conv(8, 16, 1, false, rng)});
  d.add = {3, 2, 2};

  sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
  ResidualBlock top("top", cfg, d, x);
  ASSERT_EQ(top.engines().size(), 3u);
  std::vector<std::string> streams;
  for (const auto& s : top.streams()) streams.push_back(s->name);
  EXPECT_EQ(streams, (std::vector<std::string>{"input", "fork_main", "conv1_out", "conv2_out",
                                               "conv3_out", "fork_skip", "skip_out", "output"}));
  EXPECT_EQ(top.streams()[4]->producer, "conv3");
  EXPECT_EQ(top.streams()[4]->consumer, "add");
  sc_core::sc_start();
  ASSERT_EQ(top.monitor().end(), Monitor::End::kFinished);

  Tensor8 main = x;
  for (const ConvStage& s : d.main) main = golden_conv(main, s.params);
  const Tensor8 want = golden_add(main, x, d.add);
  const Tensor8 got = top.read_output();
  ASSERT_EQ(got.h, want.h);
  ASSERT_EQ(got.w, want.w);
  ASSERT_EQ(got.c, want.c);
  EXPECT_EQ(got.data, want.data);
}
