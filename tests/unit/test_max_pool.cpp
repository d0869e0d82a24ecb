// MaxPool against golden_maxpool: random shapes, windows, strides, paddings and lanes with
// random stalls on both sides; its output edges against the documented timing when nothing
// stalls; back-pressure, padding that must never win, frames and the line buffer's SRAM.
#include <gtest/gtest.h>

#include <random>

#include "hw/common/errors.hpp"
#include "hw/pool/max_pool.hpp"
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
  uint64_t line_buffer_bytes = 0, sram_region_bytes = 0, pixels_out = 0;
};

// `hold_cycles`: the sink refuses everything for that many cycles first.
Outcome run_pool(const MaxPoolConfig& cfg, const std::vector<Tensor8>& frames, double gap,
                 double stall, uint64_t seed, int hold_cycles = 0) {
  sc_core::sc_clock clk("clk", 1, sc_core::SC_NS);
  SramBanks sram(8, 1 << 16, 16);
  MaxPool pool("pool", cfg, sram);
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
  if (hold_cycles > 0) {
    sink.hold(true);
    sc_core::sc_start(sc_core::sc_time(hold_cycles, sc_core::SC_NS));
    sink.hold(false);
  }
  const double slack = 1.0 / ((1 - gap) * (1 - stall));
  sc_core::sc_start(sc_core::sc_time((static_cast<double>(beats.size()) * cfg.k * 2 + 200) * slack,
                                     sc_core::SC_NS));
  Outcome r;
  const int oh = cfg.out_h(), ow = cfg.out_w();
  const size_t want = static_cast<size_t>(cfg.frames) * oh * ow * beats_per_pixel(cfg.c, cfg.lanes);
  EXPECT_EQ(sink.beats.size(), want);
  if (sink.beats.size() == want)
    for (int f = 0; f < cfg.frames; ++f)
      r.out.push_back(tensor_from_beats(sink.beats, f, oh, ow, cfg.c, cfg.lanes));
  const size_t per_frame = want / cfg.frames;
  for (size_t i = 0; i < sink.lasts.size(); ++i)
    EXPECT_EQ(sink.lasts[i], (i + 1) % per_frame == 0) << "beat " << i;
  r.out_edges = sink.cycles;
  r.in_edges = src.send_cycles;
  r.stats = pool.stall_stats();
  r.line_buffer_bytes = pool.line_buffer_bytes();
  for (const auto& reg : sram.regions())
    if (reg.name == "pool.line_buffer") r.sram_region_bytes = reg.bytes;
  r.pixels_out = pool.pixels_out();
  return r;
}

MaxPoolConfig random_config(uint64_t seed) {
  std::mt19937_64 rng(seed);
  MaxPoolConfig c;
  const int ks[] = {1, 2, 3, 5};
  c.k = ks[rng() % 4];
  c.stride = 1 + static_cast<int>(rng() % 3);
  const int max_pad = (c.k - 1 + (c.k % 2 == 0)) / 2;
  c.pad = static_cast<int>(rng() % (max_pad + 1));
  c.h = c.k + static_cast<int>(rng() % 12);
  c.w = c.k + static_cast<int>(rng() % 12);
  c.c = 1 + static_cast<int>(rng() % 40);
  const int lanes[] = {1, 4, 8, 16};
  c.lanes = lanes[rng() % 4];
  return c;
}

void check_random(uint64_t seed, double gap, double stall) {
  const MaxPoolConfig cfg = random_config(seed);
  SCOPED_TRACE(::testing::Message()
               << cfg.h << "x" << cfg.w << "x" << cfg.c << " k" << cfg.k << " s" << cfg.stride
               << " p" << cfg.pad << " lanes " << cfg.lanes);
  const Tensor8 x = random_tensor(cfg.h, cfg.w, cfg.c, seed + 100);
  const Outcome r = run_pool(cfg, {x}, gap, stall, seed);
  ASSERT_EQ(r.out.size(), 1u);
  EXPECT_EQ(r.out[0], golden_maxpool(x, {cfg.k, cfg.stride, cfg.pad}));
}
}  // namespace

TEST(MaxPool, StemWindowMatchesGoldenAndTheClosedForm) {
  MaxPoolConfig cfg;  // 3x3 stride 2 pad 1
  cfg.h = 14, cfg.w = 13, cfg.c = 20, cfg.lanes = 8;
  const Tensor8 x = random_tensor(cfg.h, cfg.w, cfg.c, 7);
  const Outcome r = run_pool(cfg, {x}, 0, 0, 1);
  ASSERT_EQ(r.out.size(), 1u);
  EXPECT_EQ(r.out[0], golden_maxpool(x, {3, 2, 1}));
  // The input never waits: beat i transfers at edge 2 + i.
  const uint64_t e0 = 2, bpp = 3;
  for (size_t i = 0; i < r.in_edges.size(); ++i) ASSERT_EQ(r.in_edges[i], e0 + i) << i;
  // Output beat b of pixel i loads the edge after its window's last pixel is in.
  EXPECT_EQ(r.out_edges, max_pool_unstalled_output_edges(cfg, e0));
  const ConvGeometry g = cfg.geometry();
  for (int oy = 0, i = 0; oy < g.out_h(); ++oy)
    for (int ox = 0; ox < g.out_w(); ++ox, ++i)
      for (uint64_t b = 0; b < bpp; ++b)
        ASSERT_EQ(r.out_edges[i * bpp + b], e0 + (g.last_pixel(oy, ox) + 1) * bpp + 1 + b);
  EXPECT_EQ(r.out_edges.back(), e0 + (14 * 13 + 1) * bpp);
  EXPECT_EQ(r.stats.busy, r.out_edges.size());
  EXPECT_EQ(r.stats.blocked, 0u);
  EXPECT_EQ(r.pixels_out, 7u * 7u);
}

TEST(MaxPool, StrideOneQueuesTiedWindowsAsDocumented) {
  // 3x3 stride 1 pad 1: the last column's and the last row's windows complete together with
  // their neighbours', so outputs queue; the recurrence gives every edge.
  MaxPoolConfig cfg;
  cfg.h = 9, cfg.w = 10, cfg.c = 16, cfg.lanes = 8, cfg.stride = 1;
  const Tensor8 x = random_tensor(cfg.h, cfg.w, cfg.c, 8);
  const Outcome r = run_pool(cfg, {x}, 0, 0, 2);
  ASSERT_EQ(r.out.size(), 1u);
  EXPECT_EQ(r.out[0], golden_maxpool(x, {3, 1, 1}));
  for (size_t i = 0; i < r.in_edges.size(); ++i) ASSERT_EQ(r.in_edges[i], 2 + i) << i;
  EXPECT_EQ(r.out_edges, max_pool_unstalled_output_edges(cfg, 2));
  // Rows 7 and 8 both become ready along input row 8, row 7 keeping pace with it: behind the
  // stride-2-like end (e0 + (H*W + 1) * bpp) queue the tied last pixel of row 7 and the whole
  // of row 8, (W + 1) * bpp beats.
  EXPECT_EQ(r.out_edges.back(), 2 + (9 * 10 + 1) * 2 + (10 + 1) * 2);
}

TEST(MaxPool, PaddingNeverWins) {
  MaxPoolConfig cfg;
  cfg.h = 6, cfg.w = 5, cfg.c = 5, cfg.lanes = 4;
  Tensor8 x(cfg.h, cfg.w, cfg.c);
  std::mt19937_64 rng(3);
  for (auto& v : x.data) v = static_cast<int8_t>(-128 + static_cast<int>(rng() % 100));
  const Outcome r = run_pool(cfg, {x}, 0.2, 0.2, 3);
  ASSERT_EQ(r.out.size(), 1u);
  EXPECT_EQ(r.out[0], golden_maxpool(x, {3, 2, 1}));
  for (int8_t v : r.out[0].data) EXPECT_LT(v, 0);
}

#define RANDOM_CASE(name, seed, gap, stall) \
  TEST(MaxPool, name) { check_random(seed, gap, stall); }
RANDOM_CASE(RandomShape1MatchesGolden, 11, 0.0, 0.0)
RANDOM_CASE(RandomShape2MatchesGolden, 12, 0.3, 0.0)
RANDOM_CASE(RandomShape3MatchesGolden, 13, 0.0, 0.5)
RANDOM_CASE(RandomShape4MatchesGolden, 14, 0.4, 0.4)
RANDOM_CASE(RandomShape5MatchesGolden, 15, 0.6, 0.3)
RANDOM_CASE(RandomShape6MatchesGolden, 16, 0.2, 0.7)
RANDOM_CASE(RandomShape7MatchesGolden, 17, 0.5, 0.5)
RANDOM_CASE(RandomShape8MatchesGolden, 18, 0.1, 0.1)
#undef RANDOM_CASE

TEST(MaxPool, RandomShapeMeetsTheRecurrenceWhenNothingStalls) {
  // Beyond the stem and stride-1 shapes above: the recurrence holds for a random window too.
  const MaxPoolConfig cfg = random_config(21);
  const Tensor8 x = random_tensor(cfg.h, cfg.w, cfg.c, 22);
  const Outcome r = run_pool(cfg, {x}, 0, 0, 4);
  ASSERT_EQ(r.out.size(), 1u);
  EXPECT_EQ(r.out[0], golden_maxpool(x, {cfg.k, cfg.stride, cfg.pad}));
  for (size_t i = 0; i < r.in_edges.size(); ++i) ASSERT_EQ(r.in_edges[i], 2 + i) << i;
  EXPECT_EQ(r.out_edges, max_pool_unstalled_output_edges(cfg, 2));
}

TEST(MaxPool, TwoFramesWithStalls) {
  MaxPoolConfig cfg;
  cfg.h = 7, cfg.w = 8, cfg.c = 9, cfg.lanes = 4, cfg.frames = 2;
  const Tensor8 x0 = random_tensor(cfg.h, cfg.w, cfg.c, 31), x1 = random_tensor(7, 8, 9, 32);
  const Outcome r = run_pool(cfg, {x0, x1}, 0.3, 0.4, 5);
  ASSERT_EQ(r.out.size(), 2u);
  EXPECT_EQ(r.out[0], golden_maxpool(x0, {3, 2, 1}));
  EXPECT_EQ(r.out[1], golden_maxpool(x1, {3, 2, 1}));
}

TEST(MaxPool, BackPressureBlocksThenStallsTheInput) {
  MaxPoolConfig cfg;
  cfg.h = 8, cfg.w = 6, cfg.c = 8, cfg.lanes = 8;
  const Tensor8 x = random_tensor(cfg.h, cfg.w, cfg.c, 41);
  const Outcome r = run_pool(cfg, {x}, 0, 0, 6, 100);
  ASSERT_EQ(r.out.size(), 1u);
  EXPECT_EQ(r.out[0], golden_maxpool(x, {3, 2, 1}));
  // Held output: the first result waits in the register, the line buffer (3 rows) fills and
  // the input stops until the sink lets go at edge 101.
  EXPECT_GT(r.stats.blocked, 80u);
  EXPECT_EQ(r.stats.blocked_on[0], r.stats.blocked);
  EXPECT_GT(r.in_edges.at(3 * 6 + 1), 100u);
  EXPECT_LE(r.in_edges.at(3 * 6 - 1), 100u);
  EXPECT_EQ(r.stats.total(), r.stats.busy + r.stats.starved + r.stats.blocked + r.stats.idle);
}

TEST(MaxPool, LineBufferIsKRowsInSram) {
  MaxPoolConfig cfg;
  cfg.h = 5, cfg.w = 12, cfg.c = 24, cfg.lanes = 16;
  const Tensor8 x = random_tensor(cfg.h, cfg.w, cfg.c, 51);
  const Outcome r = run_pool(cfg, {x}, 0, 0, 7);
  EXPECT_EQ(r.line_buffer_bytes, 3u * 12 * 24);
  EXPECT_EQ(r.sram_region_bytes, 3u * 12 * 24);  // a multiple of the 16-byte rows
}

TEST(MaxPool, BadWindowIsRefused) {
  MaxPoolConfig cfg;
  cfg.h = 5, cfg.w = 5, cfg.c = 4, cfg.pad = 2;  // 2*pad >= k: a window of padding only
  EXPECT_THROW(check_max_pool_config(cfg), InputError);
  cfg.pad = 1, cfg.k = 9;  // does not fit 5 + 2
  EXPECT_THROW(check_max_pool_config(cfg), InputError);
  cfg.k = 3, cfg.lanes = kMaxLanes + 1;
  EXPECT_THROW(check_max_pool_config(cfg), InputError);
}
