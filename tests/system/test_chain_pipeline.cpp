// Chain pipelines without a skip path, from DRAM to DRAM: the ResNet stem (conv 7x7 stride 2
// pad 3 + ReLU, then max pool 3x3 stride 2 pad 1) and head (global pool, then the FC's int32
// logits) elaborate from their descriptions and are bit-exact against the golden ops.
#include <gtest/gtest.h>

#include <random>

#include <systemc>

#include "hw/common/errors.hpp"
#include "tb/config/config.hpp"
#include "tb/ref/golden.hpp"
#include "tb/top/chain_pipeline.hpp"

using namespace skipsim;

namespace {
Tensor8 random_input(int h, int w, int c, std::mt19937& rng) {
  Tensor8 x(h, w, c);
  std::uniform_int_distribution<int> v(-128, 127);
  for (auto& e : x.data) e = static_cast<int8_t>(v(rng));
  return x;
}

const char* kConfig =
    "hardware:\n  mac_array: {rows: 8, cols: 8}\n  stream: {lanes: 16}\n"
    "workload:\n  block: basic\n  input: {h: 8, w: 8, c: 16}\n  out_channels: 16\n";

void run_stem(const Config& cfg) {
  std::mt19937 rng(7);
  const Tensor8 x = random_input(30, 28, 3, rng);
  ConvParams conv;
  conv.in_c = 3, conv.out_c = 20, conv.k = 7, conv.stride = 2, conv.relu = true;
  std::uniform_int_distribution<int> w(-8, 8), b(-500, 500);
  conv.weight.resize(20 * 3 * 49);
  for (auto& v : conv.weight) v = static_cast<int8_t>(w(rng));
  for (int o = 0; o < 20; ++o) {
    conv.bias.push_back(b(rng));
    conv.mult.push_back(3 + o);
    conv.shift.push_back(10);
  }
  const MaxPoolParams pool{3, 2, 1};
  const ChainDescription d = describe_stem(30, 28, conv, &pool);

  sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
  ChainPipeline top("top", cfg, d, x);
  std::vector<std::string> streams;
  for (const auto& s : top.streams()) streams.push_back(s->name);
  EXPECT_EQ(streams, (std::vector<std::string>{"input", "conv1_out", "output"}));
  EXPECT_EQ(top.streams()[1]->consumer, "pool");
  sc_core::sc_start();
  ASSERT_EQ(top.monitor().end(), Monitor::End::kFinished);
  const Tensor8 want = golden_maxpool(golden_conv(x, conv), pool);
  EXPECT_EQ(want, golden_chain(d, x));
  const Tensor8 got = top.read_output();
  EXPECT_EQ(got.h, 8);
  EXPECT_EQ(got.w, 7);
  EXPECT_EQ(got, want);
}
}  // namespace

TEST(ChainPipeline, StemConv7x7AndMaxPoolRunBitExact) { run_stem(parse_config(kConfig)); }

TEST(ChainPipeline, StemUnderRandomStallsStaysBitExact) {
  // Narrow lanes (20 channels in 3 beats), a throttled input and a stalling output.
  run_stem(
      parse_config("hardware:\n  mac_array: {rows: 4, cols: 8}\n  stream: {lanes: 8}\n"
                   "workload:\n  block: basic\n  input: {h: 8, w: 8, c: 16}\n  out_channels: 16\n"
                   "  input_throttle: {stall_probability: 0.4}\n"
                   "sim: {output_stall_probability: 0.5}\n"));
}

TEST(ChainPipeline, HeadGlobalPoolAndFcGiveTheGoldenLogits) {
  const Config cfg = parse_config(kConfig);
  std::mt19937 rng(8);
  const Tensor8 x = random_input(7, 7, 40, rng);
  const GlobalPoolParams pool{1 << 12, 14};
  FcParams fc;
  fc.in_f = 40, fc.out_f = 25;
  std::uniform_int_distribution<int> w(-128, 127), b(-100000, 100000);
  fc.weight.resize(40 * 25);
  for (auto& v : fc.weight) v = static_cast<int8_t>(w(rng));
  for (int o = 0; o < 25; ++o) fc.bias.push_back(b(rng));
  const ChainDescription d = describe_head(7, 7, 40, pool, fc);

  sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
  ChainPipeline top("top", cfg, d, x);
  ASSERT_EQ(top.engines().size(), 1u);
  sc_core::sc_start();
  ASSERT_EQ(top.monitor().end(), Monitor::End::kFinished);
  const std::vector<int32_t> want = golden_fc(golden_global_pool(x, pool), fc);
  EXPECT_EQ(top.read_logits(), want);
  EXPECT_EQ(top.read_output(), golden_chain(d, x));
}

TEST(ChainPipeline, DeadlockWindowBelowTheHealthyGapIsRefused) {
  // The head's FC computes one long tile with no stream moving: a short window would call
  // that a deadlock.
  const Config cfg = parse_config(std::string(kConfig) + "sim: {deadlock_window: 100}\n");
  std::mt19937 rng(9);
  const Tensor8 x = random_input(2, 2, 64, rng);
  FcParams fc;
  fc.in_f = 64, fc.out_f = 64;
  fc.weight.assign(64 * 64, 1);
  fc.bias.assign(64, 0);
  const ChainDescription d = describe_head(2, 2, 64, GlobalPoolParams{1, 1}, fc);
  try {
    ChainPipeline top("top", cfg, d, x);
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("sim.deadlock_window: 100 cycles is shorter"),
              std::string::npos)
        << e.what();
  }
}
