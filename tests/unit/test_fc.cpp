// FcEngine (a ConvEngine in raw int32 mode on a 1 x 1 map) against golden_fc: random sizes,
// lanes, MAC arrays and dataflows with random stalls; the logit stream format; the cycle
// count against the documented closed form.
#include <gtest/gtest.h>

#include <random>

#include "hw/common/errors.hpp"
#include "hw/fc/fc_engine.hpp"
#include "tb/ref/golden.hpp"
#include "tests/common/pixel_stream.hpp"
#include "tests/common/stream_tb.hpp"

using namespace skipsim;
using namespace skipsim::test;

namespace {
FcParams random_fc(int in_f, int out_f, uint64_t seed) {
  std::mt19937_64 rng(seed);
  FcParams p;
  p.in_f = in_f;
  p.out_f = out_f;
  p.weight.resize(static_cast<size_t>(in_f) * out_f);
  for (auto& v : p.weight) v = static_cast<int8_t>(rng() % 256);
  for (int o = 0; o < out_f; ++o) p.bias.push_back(static_cast<int32_t>(rng() % 2000001) - 1000000);
  return p;
}

struct Outcome {
  std::vector<int32_t> logits;
  std::vector<Beat> beats;
  std::vector<uint64_t> out_edges, in_edges;
  StallStats stats;
  uint64_t param_bytes = 0;
};

Outcome run_fc(const FcConfig& cfg, const std::vector<Tensor8>& frames, const FcParams& p,
               double gap, double stall, uint64_t seed) {
  sc_core::sc_clock clk("clk", 1, sc_core::SC_NS);
  SramBanks sram(16, 1 << 16, 16);
  FcEngine fc("fc", cfg, sram);
  const auto blob = pack_fc_params(p.out_f, p.in_f, p.weight, p.bias);
  EXPECT_EQ(blob.size(), fc.param_bytes());
  fc.write_params(0, blob.data(), blob.size());
  fc.params_loaded();
  const auto beats = pixel_beats(frames, cfg.lanes);
  Stream a("a"), y("y");
  StreamSource src("src", beats, gap, seed);
  StreamSink sink("sink", stall, seed + 1);
  src.clk(clk);
  fc.clk(clk);
  sink.clk(clk);
  src.out.bind(a);
  fc.in.bind(a);
  fc.out.bind(y);
  sink.in.bind(y);
  const double slack = 1.0 / ((1 - gap) * (1 - stall));
  const double per_frame = static_cast<double>(fc_unstalled_last_edge(cfg, 0)) * 2 + 100;
  sc_core::sc_start(sc_core::sc_time(per_frame * cfg.frames * slack, sc_core::SC_NS));
  Outcome r;
  const size_t bpp_out = static_cast<size_t>(beats_per_pixel(4 * cfg.out_f, cfg.lanes));
  EXPECT_EQ(sink.beats.size(), bpp_out * cfg.frames);
  for (size_t i = 0; i < sink.lasts.size(); ++i)
    EXPECT_EQ(sink.lasts[i], (i + 1) % bpp_out == 0) << "beat " << i;
  r.logits = unpack_logits(sink.beats, cfg.out_f, cfg.lanes);
  r.beats = sink.beats;
  r.out_edges = sink.cycles;
  r.in_edges = src.send_cycles;
  r.stats = fc.stall_stats();
  r.param_bytes = fc.param_bytes();
  return r;
}

void check_random(uint64_t seed, double gap, double stall) {
  std::mt19937_64 rng(seed);
  FcConfig cfg;
  cfg.in_f = 1 + static_cast<int>(rng() % 90);
  cfg.out_f = 1 + static_cast<int>(rng() % 40);
  const int lanes[] = {4, 8, 16, 64};
  cfg.lanes = lanes[rng() % 4];
  cfg.mac_rows = 2 + static_cast<int>(rng() % 15);
  cfg.mac_cols = 2 + static_cast<int>(rng() % 15);
  const Dataflow flows[] = {Dataflow::kWs, Dataflow::kOs, Dataflow::kIs};
  cfg.dataflow = flows[rng() % 3];
  cfg.frames = 2;
  SCOPED_TRACE(::testing::Message()
               << cfg.in_f << " -> " << cfg.out_f << " lanes " << cfg.lanes << " array "
               << cfg.mac_rows << "x" << cfg.mac_cols << " " << dataflow_name(cfg.dataflow));
  const Tensor8 x0 = random_tensor(1, 1, cfg.in_f, seed + 1);
  const Tensor8 x1 = random_tensor(1, 1, cfg.in_f, seed + 2);
  const FcParams p = random_fc(cfg.in_f, cfg.out_f, seed + 3);
  const Outcome r = run_fc(cfg, {x0, x1}, p, gap, stall, seed);
  std::vector<int32_t> want = golden_fc(x0, p);
  const std::vector<int32_t> want1 = golden_fc(x1, p);
  want.insert(want.end(), want1.begin(), want1.end());
  EXPECT_EQ(r.logits, want);
}
}  // namespace

TEST(Fc, ResNetLikeHeadMatchesGoldenAndTheClosedForm) {
  FcConfig cfg;
  cfg.in_f = 64, cfg.out_f = 37, cfg.lanes = 16;  // 16x16 ws array
  const Tensor8 x = random_tensor(1, 1, 64, 1);
  const FcParams p = random_fc(64, 37, 2);
  const Outcome r = run_fc(cfg, {x}, p, 0, 0, 1);
  EXPECT_EQ(r.logits, golden_fc(x, p));
  // 4 input beats at edges 2..5; then the GEMM M = 1, K = 64, N = 37; then 148 bytes in 10
  // beats.
  ASSERT_EQ(r.in_edges.size(), 4u);
  EXPECT_EQ(r.in_edges.back(), 5u);
  const auto array =
      static_cast<uint64_t>(skipsim_closed_form_cycles(Dataflow::kWs, 16, 16, 1, 37, 64));
  EXPECT_EQ(r.stats.busy, array);
  ASSERT_EQ(r.out_edges.size(), 10u);
  for (size_t b = 0; b < 10; ++b) EXPECT_EQ(r.out_edges[b], 5 + array + 2 + b) << b;
  EXPECT_EQ(r.out_edges.back(), fc_unstalled_last_edge(cfg, 2));
  EXPECT_EQ(r.param_bytes, 64u * 37 + 4 * 37);
}

TEST(Fc, LogitsLeaveAsLittleEndianInt32InLaneOrder) {
  FcConfig cfg;
  cfg.in_f = 3, cfg.out_f = 3, cfg.lanes = 8, cfg.mac_rows = 4, cfg.mac_cols = 4;
  Tensor8 x(1, 1, 3);
  x.data = {1, 0, 0};
  FcParams p;
  p.in_f = p.out_f = 3;
  p.weight = {2, 0, 0, -3, 0, 0, 0, 0, 0};
  p.bias = {0x01020300, -0x100, 0x7fffffff};
  const Outcome r = run_fc(cfg, {x}, p, 0, 0, 2);
  ASSERT_EQ(r.beats.size(), 2u);                         // 12 bytes on 8 lanes
  const int8_t want0[8] = {2, 3, 2, 1, -3, -2, -1, -1};  // 0x01020302, -0x103
  const int8_t want1[8] = {-1, -1, -1, 0x7f, 0, 0, 0, 0};
  for (int l = 0; l < 8; ++l) {
    EXPECT_EQ(r.beats[0].lane[l], want0[l]) << l;
    EXPECT_EQ(r.beats[1].lane[l], want1[l]) << l;
  }
  EXPECT_EQ(r.logits, golden_fc(x, p));
}

#define RANDOM_CASE(name, seed, gap, stall) \
  TEST(Fc, name) { check_random(seed, gap, stall); }
RANDOM_CASE(RandomShape1MatchesGolden, 11, 0.0, 0.0)
RANDOM_CASE(RandomShape2MatchesGolden, 12, 0.4, 0.0)
RANDOM_CASE(RandomShape3MatchesGolden, 13, 0.0, 0.6)
RANDOM_CASE(RandomShape4MatchesGolden, 14, 0.4, 0.4)
RANDOM_CASE(RandomShape5MatchesGolden, 15, 0.6, 0.3)
RANDOM_CASE(RandomShape6MatchesGolden, 16, 0.3, 0.6)
#undef RANDOM_CASE

TEST(Fc, BadSizesAreRefused) {
  EXPECT_THROW(fc_engine_config(FcConfig{0, 10}), InputError);
  EXPECT_THROW(pack_fc_params(2, 3, std::vector<int8_t>(5), std::vector<int32_t>(2)), InputError);
}
