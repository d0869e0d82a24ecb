// GlobalPool against golden_global_pool: random shapes and requant parameters with random
// stalls, saturation, several frames, and the documented cycle count.
#include <gtest/gtest.h>

#include <random>

#include "hw/common/errors.hpp"
#include "hw/pool/global_pool.hpp"
#include "tb/ref/golden.hpp"
#include "tests/common/pixel_stream.hpp"
#include "tests/common/stream_tb.hpp"

using namespace skipsim;
using namespace skipsim::test;

namespace {
struct Outcome {
  std::vector<Tensor8> out;
  std::vector<uint64_t> out_edges, in_edges;
  StallStats stats;
  uint64_t last_edge = 0;
};

Outcome run_pool(const GlobalPoolConfig& cfg, const std::vector<Tensor8>& frames, double gap,
                 double stall, uint64_t seed) {
  sc_core::sc_clock clk("clk", 1, sc_core::SC_NS);
  GlobalPool pool("gap", cfg);
  const auto beats = pixel_beats(frames, cfg.lanes);
  Stream a("a"), y("y");
  StreamSource src("src", beats, gap, seed);
  StreamSink sink("sink", stall, seed + 1);
  src.clk(clk);
  pool.clk(clk);
  sink.clk(clk);
  src.out.bind(a);
  pool.in.bind(a);
  pool.out.bind(y);
  sink.in.bind(y);
  const double slack = 1.0 / ((1 - gap) * (1 - stall));
  sc_core::sc_start(
      sc_core::sc_time((static_cast<double>(beats.size()) * 2 + 200) * slack, sc_core::SC_NS));
  Outcome r;
  const int bpp = beats_per_pixel(cfg.c, cfg.lanes);
  EXPECT_EQ(sink.beats.size(), static_cast<size_t>(cfg.frames) * bpp);
  if (sink.beats.size() == static_cast<size_t>(cfg.frames) * bpp)
    for (int f = 0; f < cfg.frames; ++f)
      r.out.push_back(tensor_from_beats(sink.beats, f, 1, 1, cfg.c, cfg.lanes));
  for (size_t i = 0; i < sink.lasts.size(); ++i)
    EXPECT_EQ(sink.lasts[i], (i + 1) % bpp == 0) << "beat " << i;
  r.out_edges = sink.cycles;
  r.in_edges = src.send_cycles;
  r.stats = pool.stall_stats();
  r.last_edge = pool.unstalled_last_edge(2);
  return r;
}

GlobalPoolConfig random_config(uint64_t seed) {
  std::mt19937_64 rng(seed);
  GlobalPoolConfig c;
  c.h = 1 + static_cast<int>(rng() % 9);
  c.w = 1 + static_cast<int>(rng() % 9);
  c.c = 1 + static_cast<int>(rng() % 70);
  const int lanes[] = {1, 4, 8, 16, 64};
  c.lanes = lanes[rng() % 5];
  c.mult = static_cast<int32_t>(rng() % (1u << 20));
  c.shift = 10 + static_cast<int32_t>(rng() % 20);
  return c;
}

void check_random(uint64_t seed, double gap, double stall) {
  GlobalPoolConfig cfg = random_config(seed);
  cfg.frames = 2;
  SCOPED_TRACE(::testing::Message() << cfg.h << "x" << cfg.w << "x" << cfg.c << " lanes "
                                    << cfg.lanes << " mult " << cfg.mult << " shift " << cfg.shift);
  const Tensor8 x0 = random_tensor(cfg.h, cfg.w, cfg.c, seed + 100);
  const Tensor8 x1 = random_tensor(cfg.h, cfg.w, cfg.c, seed + 200);
  const Outcome r = run_pool(cfg, {x0, x1}, gap, stall, seed);
  ASSERT_EQ(r.out.size(), 2u);
  EXPECT_EQ(r.out[0], golden_global_pool(x0, {cfg.mult, cfg.shift}));
  EXPECT_EQ(r.out[1], golden_global_pool(x1, {cfg.mult, cfg.shift}));
}
}  // namespace

TEST(GlobalPool, ResNetHeadShapeMatchesGoldenAndTheClosedForm) {
  GlobalPoolConfig cfg;
  cfg.h = 7, cfg.w = 7, cfg.c = 72, cfg.lanes = 16, cfg.mult = 1 << 14, cfg.shift = 20;
  const Tensor8 x = random_tensor(7, 7, 72, 3);
  const Outcome r = run_pool(cfg, {x}, 0, 0, 1);
  ASSERT_EQ(r.out.size(), 1u);
  EXPECT_EQ(r.out[0], golden_global_pool(x, {cfg.mult, cfg.shift}));
  const uint64_t bpp = 5;
  for (size_t i = 0; i < r.in_edges.size(); ++i) ASSERT_EQ(r.in_edges[i], 2 + i) << i;
  // Beat b leaves at E + 2 + b, E = the edge of the last input beat.
  ASSERT_EQ(r.out_edges.size(), bpp);
  for (uint64_t b = 0; b < bpp; ++b) EXPECT_EQ(r.out_edges[b], r.in_edges.back() + 2 + b);
  EXPECT_EQ(r.out_edges.back(), 2 + (49 + 1) * bpp);
  EXPECT_EQ(r.out_edges.back(), r.last_edge);
  EXPECT_EQ(r.stats.busy, 49 * bpp + bpp);
}

TEST(GlobalPool, RequantSaturatesAtBothEnds) {
  // (Wrapping the int32 sum needs 2^24 pixels of -128: beyond a unit test.)
  GlobalPoolConfig cfg;
  cfg.h = 40, cfg.w = 40, cfg.c = 3, cfg.lanes = 4, cfg.mult = 1, cfg.shift = 1;
  Tensor8 x(40, 40, 3);
  for (size_t i = 0; i < x.data.size(); ++i) x.data[i] = i % 3 == 0 ? -128 : (i % 3 == 1 ? 127 : 0);
  const Outcome r = run_pool(cfg, {x}, 0.1, 0.1, 2);
  ASSERT_EQ(r.out.size(), 1u);
  EXPECT_EQ(r.out[0], golden_global_pool(x, {1, 1}));
  EXPECT_EQ(r.out[0].data[0], -128);
  EXPECT_EQ(r.out[0].data[1], 127);
  EXPECT_EQ(r.out[0].data[2], 0);
}

#define RANDOM_CASE(name, seed, gap, stall) \
  TEST(GlobalPool, name) { check_random(seed, gap, stall); }
RANDOM_CASE(RandomShape1MatchesGolden, 11, 0.0, 0.0)
RANDOM_CASE(RandomShape2MatchesGolden, 12, 0.4, 0.0)
RANDOM_CASE(RandomShape3MatchesGolden, 13, 0.0, 0.6)
RANDOM_CASE(RandomShape4MatchesGolden, 14, 0.4, 0.4)
RANDOM_CASE(RandomShape5MatchesGolden, 15, 0.7, 0.2)
RANDOM_CASE(RandomShape6MatchesGolden, 16, 0.2, 0.7)
#undef RANDOM_CASE

TEST(GlobalPool, NextFrameWaitsForTheDrain) {
  GlobalPoolConfig cfg;
  cfg.h = 2, cfg.w = 3, cfg.c = 40, cfg.lanes = 8, cfg.frames = 2, cfg.mult = 3000, cfg.shift = 12;
  const Tensor8 x0 = random_tensor(2, 3, 40, 5), x1 = random_tensor(2, 3, 40, 6);
  const Outcome r = run_pool(cfg, {x0, x1}, 0, 0, 3);
  ASSERT_EQ(r.out.size(), 2u);
  EXPECT_EQ(r.out[1], golden_global_pool(x1, {cfg.mult, cfg.shift}));
  // Frame 0 ends with beat 29 at edge E; the 5 output beats load at E+1 .. E+5, and frame 1's
  // first beat transfers at E + 6.
  const uint64_t e = r.in_edges.at(29);
  EXPECT_EQ(e, 31u);
  EXPECT_EQ(r.in_edges.at(30), e + 6);
  EXPECT_EQ(r.out_edges.back(), r.in_edges.back() + 1 + 5);
}

TEST(GlobalPool, BadRequantIsRefused) {
  GlobalPoolConfig cfg;
  cfg.h = cfg.w = cfg.c = 1;
  cfg.shift = 0;
  EXPECT_THROW(check_global_pool_config(cfg), InputError);
  cfg.shift = 63;
  EXPECT_THROW(check_global_pool_config(cfg), InputError);
  cfg.shift = 4, cfg.mult = -1;
  EXPECT_THROW(check_global_pool_config(cfg), InputError);
}
