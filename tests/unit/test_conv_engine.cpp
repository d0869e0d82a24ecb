// ConvEngine against the golden conv: random shapes, strides, kernel sizes, lanes and MAC
// array sizes, with random stalls on both sides; and its cycle count per output pixel.
#include <gtest/gtest.h>

#include <random>

#include "hw/conv/conv_engine.hpp"
#include "tb/ref/golden.hpp"
#include "tests/common/stream_tb.hpp"

using namespace skipsim;
using namespace skipsim::test;

namespace {
struct Case {
  int h, w, c, out_c, k, s, lanes, rows, cols;
  bool relu;
  double gap, stall;
  Dataflow dataflow = Dataflow::kWs;
  int tile = 0;
};

ConvParams random_conv(const Case& t, uint64_t seed) {
  std::mt19937_64 rng(seed);
  ConvParams p;
  p.out_c = t.out_c;
  p.in_c = t.c;
  p.k = t.k;
  p.stride = t.s;
  p.relu = t.relu;
  p.weight.resize(static_cast<size_t>(t.out_c) * t.c * t.k * t.k);
  for (auto& v : p.weight) v = static_cast<int8_t>(static_cast<int>(rng() % 128) - 64);
  for (int o = 0; o < t.out_c; ++o) {
    p.bias.push_back(static_cast<int32_t>(rng() % 2001) - 1000);
    p.mult.push_back(static_cast<int32_t>(rng() % 20000) + 10000);
    p.shift.push_back(20);
  }
  return p;
}

struct Result {
  Tensor8 out;
  uint64_t last_cycle = 0;
  uint64_t busy = 0, tiles = 0;
  int tile_pixels = 0;
};

Result run_engine(const Case& t, const Tensor8& x, const ConvParams& p) {
  sc_core::sc_clock clk("clk", 1, sc_core::SC_NS);
  SramBanks sram(16, 1 << 16, 16);
  ConvEngineConfig cfg;
  cfg.geom = {t.h, t.w, t.c, t.k, t.s};
  cfg.out_c = t.out_c;
  cfg.relu = t.relu;
  cfg.lanes = t.lanes;
  cfg.mac_rows = t.rows;
  cfg.mac_cols = t.cols;
  cfg.dataflow = t.dataflow;
  cfg.tile_pixels = t.tile;
  ConvEngine eng("conv", cfg, sram);
  const auto blob = pack_conv_params(p.out_c, p.in_c, p.k, p.weight, p.bias, p.mult, p.shift);
  eng.write_params(0, blob.data(), blob.size());
  eng.params_loaded();
  std::vector<std::pair<Beat, bool>> beats;
  const int bpp = beats_per_pixel(t.c, t.lanes);
  for (int y = 0; y < t.h; ++y)
    for (int xx = 0; xx < t.w; ++xx)
      for (int b = 0; b < bpp; ++b) {
        Beat beat;
        for (int l = 0; l < t.lanes && b * t.lanes + l < t.c; ++l)
          beat.lane[l] = x.at(y, xx, b * t.lanes + l);
        beats.emplace_back(beat, y == t.h - 1 && xx == t.w - 1 && b == bpp - 1);
      }
  Stream a("a"), y("y");
  StreamSource src("src", beats, t.gap, 21);
  StreamSink sink("sink", t.stall, 22);
  src.clk(clk);
  eng.clk(clk);
  sink.clk(clk);
  src.out.bind(a);
  eng.in.bind(a);
  eng.out.bind(y);
  sink.in.bind(y);
  const int oh = cfg.geom.out_h(), ow = cfg.geom.out_w();
  const int obpp = beats_per_pixel(t.out_c, t.lanes);
  sc_core::sc_start(sc_core::sc_time(
      static_cast<double>(oh * ow) * eng.cycles_per_pixel() * 4 + 20.0 * beats.size() + 1000,
      sc_core::SC_NS));
  Result r;
  r.out = Tensor8(oh, ow, t.out_c);
  EXPECT_EQ(sink.beats.size(), static_cast<size_t>(oh * ow * obpp));
  for (size_t i = 0; i < sink.beats.size(); ++i) {
    const size_t px = i / obpp;
    const int b = static_cast<int>(i % obpp);
    for (int l = 0; l < t.lanes && b * t.lanes + l < t.out_c; ++l)
      r.out.data[px * t.out_c + b * t.lanes + l] = sink.beats[i].lane[l];
    EXPECT_EQ(sink.lasts[i], i + 1 == sink.beats.size());
  }
  if (!sink.cycles.empty()) r.last_cycle = sink.cycles.back();
  r.busy = eng.stall_stats().busy;
  r.tiles = eng.tiles();
  r.tile_pixels = eng.tile_pixels();
  return r;
}

void check(const Case& t, uint64_t seed) {
  std::mt19937_64 rng(seed);
  Tensor8 x(t.h, t.w, t.c);
  for (auto& v : x.data) v = static_cast<int8_t>(rng() % 256);
  const ConvParams p = random_conv(t, seed + 1);
  const Tensor8 want = golden_conv(x, p);
  const Result got = run_engine(t, x, p);
  ASSERT_EQ(got.out.h, want.h);
  ASSERT_EQ(got.out.w, want.w);
  for (size_t i = 0; i < want.data.size(); ++i)
    ASSERT_EQ(got.out.data[i], want.data[i]) << "value " << i;
}
}  // namespace

TEST(ConvEngine, Conv3x3Stride1MatchesGolden) { check({6, 7, 5, 6, 3, 1, 4, 8, 4, true, 0, 0}, 1); }
TEST(ConvEngine, Conv3x3Stride2OddSizesMatchesGolden) {
  check({9, 7, 12, 20, 3, 2, 16, 16, 8, false, 0.2, 0.3}, 2);
}
TEST(ConvEngine, Conv1x1Stride2MatchesGolden) {
  check({8, 9, 12, 20, 1, 2, 8, 4, 16, false, 0.1, 0.5}, 3);
}
TEST(ConvEngine, RandomStallsDoNotChangeTheResult) {
  check({5, 5, 3, 17, 3, 1, 2, 5, 3, true, 0.5, 0.6}, 4);
}

// The same conv on every dataflow of the systolic array, with tiles that cut output rows
// and stalls on both sides (one elaboration per test: one per process under ctest).
#define DATAFLOW_CASE(name, d, tile, seed) \
  TEST(ConvEngine, name) { check({7, 6, 10, 9, 3, 1, 4, 4, 3, true, 0.2, 0.3, d, tile}, seed); }
DATAFLOW_CASE(WsDefaultTileMatchesGolden, Dataflow::kWs, 0, 10)
DATAFLOW_CASE(WsTile3MatchesGolden, Dataflow::kWs, 3, 11)
DATAFLOW_CASE(OsDefaultTileMatchesGolden, Dataflow::kOs, 0, 12)
DATAFLOW_CASE(OsTile1MatchesGolden, Dataflow::kOs, 1, 13)
DATAFLOW_CASE(IsDefaultTileMatchesGolden, Dataflow::kIs, 0, 14)
DATAFLOW_CASE(IsTile3MatchesGolden, Dataflow::kIs, 3, 15)
#undef DATAFLOW_CASE

TEST(ConvEngine, ComputeBoundCyclesAreTheArraysClosedFormPerTile) {
  // 6x6x16 -> 32, 3x3: each output row is one ws tile of 6 pixels, a GEMM M = 6, K = 144,
  // N = 32 on the 16x16 array (9 x 2 folds).
  const Case t{6, 6, 16, 32, 3, 1, 16, 16, 16, false, 0, 0};
  std::mt19937_64 rng(5);
  Tensor8 x(t.h, t.w, t.c);
  for (auto& v : x.data) v = static_cast<int8_t>(rng() % 256);
  const ConvParams p = random_conv(t, 6);
  const Result got = run_engine(t, x, p);
  EXPECT_EQ(got.out, golden_conv(x, p));
  EXPECT_EQ(got.tile_pixels, 6);
  EXPECT_EQ(got.tiles, 6u);
  const auto per_tile =
      static_cast<uint64_t>(skipsim_closed_form_cycles(Dataflow::kWs, 16, 16, 6, 32, 144));
  // The engine is busy exactly while the array runs.
  EXPECT_EQ(got.busy, 6 * per_tile);
  // A tile starts the cycle after the previous one ends once its windows are in; the line
  // buffer holds k = 3 rows, so the next input row (6 beats) enters only after a tile
  // retires its oldest row. First window: pixel (1,5) at about edge 2 + 12.
  EXPECT_GE(got.last_cycle, 6 * per_tile + 12);
  EXPECT_LE(got.last_cycle, 6 * (per_tile + 1 + 6 + 3) + 2 + 12 + 2 + 4);
}
