// Conv engines on the tile-level and on the PE-level MAC array, side by side in one
// simulation: twins fed the same beats with the same seeded gaps and stalls. Every stream of
// a twin must carry the same valid/ready/last/data as its sibling's at every clock edge, and
// the engines must end with the same counts and report. Random shapes, strides, kernels,
// lanes, array sizes, tile sizes, frames and stall rates, one dataflow per test (SystemC
// elaborates once per process).
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "hw/conv/conv_engine.hpp"
#include "tb/observe/stats_json.hpp"
#include "tb/ref/block_params.hpp"
#include "tb/ref/golden.hpp"
#include "tests/common/pixel_stream.hpp"
#include "tests/common/stream_tb.hpp"

using namespace skipsim;
using namespace skipsim::test;

namespace {

struct EngineCase {
  int h, w, c, out_c, k, s, lanes, rows, cols, tile, frames;
  bool relu, raw;
  double gap, stall;
  Dataflow dataflow;
  uint64_t seed;
  std::string text() const {
    std::ostringstream o;
    o << h << "x" << w << "x" << c << " -> " << out_c << " k" << k << " s" << s << " lanes "
      << lanes << " array " << rows << "x" << cols << " " << dataflow_name(dataflow) << " tile "
      << tile << " frames " << frames << (raw ? " raw" : "") << " gap " << gap << " stall " << stall
      << " seed " << seed;
    return o.str();
  }
};

EngineCase random_case(Dataflow d, std::mt19937_64& rng, uint64_t seed) {
  auto pick = [&rng](int lo, int hi) { return lo + static_cast<int>(rng() % (hi - lo + 1)); };
  EngineCase t{};
  t.k = rng() % 3 == 0 ? 1 : 3;
  t.s = pick(1, 2);
  t.h = pick(t.k, 9);
  t.w = pick(t.k, 9);
  t.c = pick(1, 24);
  t.out_c = pick(1, 24);
  const int lanes[] = {1, 2, 4, 8, 16};
  t.lanes = lanes[rng() % 5];
  t.rows = pick(1, 16);
  t.cols = pick(1, 16);
  t.tile = rng() % 3 == 0 ? 0 : pick(1, 6);
  t.frames = pick(1, 2);
  t.relu = rng() % 2;
  t.raw = rng() % 6 == 0;
  t.gap = rng() % 3 == 0 ? 0.0 : 0.1 * pick(1, 5);
  t.stall = rng() % 3 == 0 ? 0.0 : 0.1 * pick(1, 7);
  t.dataflow = d;
  t.seed = seed;
  return t;
}

// Per edge, the four wires of a stream and of its twin; counts the edges where they differ
// and the transfers of each (the cycles at which valid && ready held before the edge).
struct StreamPair {
  const Stream* tile;
  const Stream* pe;
  std::string name;
  std::vector<uint64_t> fires_tile, fires_pe;
  uint64_t differing_edges = 0, first_difference = 0;
};

class HandshakeRecorder : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(HandshakeRecorder);
  sc_core::sc_in<bool> clk;
  std::vector<StreamPair> pairs;

  explicit HandshakeRecorder(sc_core::sc_module_name n) : sc_module(n), clk("clk") {
    SC_METHOD(on_clock);
    sensitive << clk.pos();
    dont_initialize();
  }

 private:
  void on_clock() {
    ++m_cycle;
    for (StreamPair& p : pairs) {
      const Stream &a = *p.tile, &b = *p.pe;
      if (a.valid.read() && a.ready.read()) p.fires_tile.push_back(m_cycle);
      if (b.valid.read() && b.ready.read()) p.fires_pe.push_back(m_cycle);
      // Data and last only matter while valid (both sides agree on valid first).
      const bool same =
          a.valid.read() == b.valid.read() && a.ready.read() == b.ready.read() &&
          (!a.valid.read() || (a.last.read() == b.last.read() && a.data.read() == b.data.read()));
      if (!same && p.differing_edges++ == 0) p.first_difference = m_cycle;
    }
  }
  uint64_t m_cycle = 0;
};

// One side of a twin: source -> engine -> sink with its own SRAM.
struct Side {
  SramBanks sram{16, 1 << 16, 16};
  std::unique_ptr<ConvEngine> eng;
  Stream a, y;
  std::unique_ptr<StreamSource> src;
  std::unique_ptr<StreamSink> sink;

  Side(const std::string& name, const ConvEngineConfig& cfg, const std::vector<uint8_t>& blob,
       const std::vector<std::pair<Beat, bool>>& beats, const EngineCase& t, sc_core::sc_clock& clk)
      : a(name + "_a"), y(name + "_y") {
    eng = std::make_unique<ConvEngine>((name + "_conv").c_str(), cfg, sram);
    eng->write_params(0, blob.data(), blob.size());
    eng->params_loaded();
    src = std::make_unique<StreamSource>((name + "_src").c_str(), beats, t.gap, t.seed * 7 + 1);
    sink = std::make_unique<StreamSink>((name + "_sink").c_str(), t.stall, t.seed * 7 + 2);
    src->clk(clk);
    eng->clk(clk);
    sink->clk(clk);
    src->out.bind(a);
    eng->in.bind(a);
    eng->out.bind(y);
    sink->in.bind(y);
  }
};

struct Twin {
  EngineCase t;
  ConvParams p;
  std::vector<Tensor8> frames;
  size_t want_beats = 0;
  std::unique_ptr<Side> tile, pe;
};

std::unique_ptr<Twin> make_twin(const EngineCase& t, int index, sc_core::sc_clock& clk,
                                HandshakeRecorder& rec) {
  auto tw = std::make_unique<Twin>();
  tw->t = t;
  tw->p.out_c = t.out_c, tw->p.in_c = t.c, tw->p.k = t.k, tw->p.stride = t.s;
  tw->p.relu = t.relu;
  random_conv_params(&tw->p, false, t.seed);
  for (int f = 0; f < t.frames; ++f) tw->frames.push_back(random_tensor(t.h, t.w, t.c, t.seed + f));
  ConvEngineConfig cfg;
  cfg.geom = {t.h, t.w, t.c, t.k, t.s};
  cfg.out_c = t.out_c;
  cfg.relu = t.relu;
  cfg.lanes = t.lanes;
  cfg.mac_rows = t.rows;
  cfg.mac_cols = t.cols;
  cfg.dataflow = t.dataflow;
  cfg.tile_pixels = t.tile;
  cfg.frames = t.frames;
  cfg.raw_int32 = t.raw;
  const auto blob = t.raw ? pack_conv_params(t.out_c, t.c, t.k, tw->p.weight, tw->p.bias, {}, {})
                          : pack_conv_params(t.out_c, t.c, t.k, tw->p.weight, tw->p.bias,
                                             tw->p.mult, tw->p.shift);
  const auto beats = pixel_beats(tw->frames, t.lanes);
  const std::string n = "c" + std::to_string(index);
  cfg.model = ArrayModel::kTile;
  tw->tile = std::make_unique<Side>(n + "_tile", cfg, blob, beats, t, clk);
  cfg.model = ArrayModel::kPe;
  tw->pe = std::make_unique<Side>(n + "_pe", cfg, blob, beats, t, clk);
  const int out_bytes = t.raw ? 4 * t.out_c : t.out_c;
  tw->want_beats = static_cast<size_t>(cfg.geom.out_h()) * cfg.geom.out_w() *
                   beats_per_pixel(out_bytes, t.lanes) * t.frames;
  rec.pairs.push_back({&tw->tile->a, &tw->pe->a, n + " input", {}, {}, 0, 0});
  rec.pairs.push_back({&tw->tile->y, &tw->pe->y, n + " output", {}, {}, 0, 0});
  return tw;
}

void run_twins(Dataflow d, uint64_t seed, int count) {
  sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
  sc_core::sc_clock clk("clk", 1, sc_core::SC_NS);
  HandshakeRecorder rec("handshakes");
  rec.clk(clk);
  std::mt19937_64 rng(seed);
  std::vector<std::unique_ptr<Twin>> twins;
  for (int i = 0; i < count; ++i)
    twins.push_back(make_twin(random_case(d, rng, seed * 100 + i), i, clk, rec));
  auto all_done = [&] {
    for (const auto& tw : twins)
      if (tw->tile->sink->beats.size() < tw->want_beats ||
          tw->pe->sink->beats.size() < tw->want_beats)
        return false;
    return true;
  };
  // Until every sink has its beats, then a little longer (nothing may move after).
  for (int chunk = 0; chunk < 400 && !all_done(); ++chunk)
    sc_core::sc_start(sc_core::sc_time(1000, sc_core::SC_NS));
  sc_core::sc_start(sc_core::sc_time(50, sc_core::SC_NS));

  for (size_t i = 0; i < twins.size(); ++i) {
    const Twin& tw = *twins[i];
    SCOPED_TRACE(tw.t.text());
    const Side &a = *tw.tile, &b = *tw.pe;
    ASSERT_EQ(b.sink->beats.size(), tw.want_beats) << "the PE side did not finish";
    for (size_t s = 2 * i; s < 2 * i + 2; ++s) {
      const StreamPair& p = rec.pairs[s];
      EXPECT_EQ(p.differing_edges, 0u) << p.name << ": wires differ at " << p.differing_edges
                                       << " edges, first at edge " << p.first_difference;
      EXPECT_EQ(p.fires_tile, p.fires_pe) << p.name << ": transfer cycles";
      EXPECT_FALSE(p.fires_pe.empty()) << p.name;
    }
    EXPECT_EQ(a.sink->beats, b.sink->beats);
    EXPECT_EQ(a.sink->lasts, b.sink->lasts);
    EXPECT_EQ(a.sink->cycles, b.sink->cycles);
    EXPECT_EQ(a.src->send_cycles, b.src->send_cycles);
    const StallStats &sa = a.eng->stall_stats(), &sb = b.eng->stall_stats();
    EXPECT_EQ(sa.busy, sb.busy);
    EXPECT_EQ(sa.starved, sb.starved);
    EXPECT_EQ(sa.blocked, sb.blocked);
    EXPECT_EQ(sa.waiting_dram, sb.waiting_dram);
    EXPECT_EQ(sa.idle, sb.idle);
    EXPECT_EQ(a.eng->tiles(), b.eng->tiles());
    EXPECT_EQ(a.eng->folds(), b.eng->folds());
    EXPECT_EQ(a.eng->useful_macs(), b.eng->useful_macs());
    EXPECT_EQ(a.eng->pixels_out(), b.eng->pixels_out());
    // The engine's and the SRAM's report subtrees, the model's name aside.
    StatsNode ra, rb, ma, mb;
    a.eng->report(ra);
    b.eng->report(rb);
    nlohmann::json ja = stats_to_json(ra), jb = stats_to_json(rb);
    EXPECT_EQ(ja["mac_array_model"], "tile");
    EXPECT_EQ(jb["mac_array_model"], "pe");
    ja.erase("mac_array_model");
    jb.erase("mac_array_model");
    EXPECT_EQ(ja, jb);
    a.sram.report(ma);
    b.sram.report(mb);
    // SRAM regions are named after their engine: compare them in order, without the names.
    nlohmann::json sa_json = stats_to_json(ma), sb_json = stats_to_json(mb), ra_list, rb_list;
    for (const auto& [k, v] : sa_json["regions"].items()) ra_list.push_back(v);
    for (const auto& [k, v] : sb_json["regions"].items()) rb_list.push_back(v);
    EXPECT_EQ(ra_list.size(), 2u);
    EXPECT_EQ(ra_list, rb_list);
    sa_json.erase("regions");
    sb_json.erase("regions");
    EXPECT_EQ(sa_json, sb_json);
    // And the PE side is right (so that equal means right).
    if (!tw.t.raw) {
      const int oh = conv_out_size(tw.t.h, tw.t.k, tw.t.s, tw.t.k / 2);
      const int ow = conv_out_size(tw.t.w, tw.t.k, tw.t.s, tw.t.k / 2);
      for (int f = 0; f < tw.t.frames; ++f)
        EXPECT_EQ(tensor_from_beats(b.sink->beats, f, oh, ow, tw.t.out_c, tw.t.lanes),
                  golden_conv(tw.frames[f], tw.p))
            << "frame " << f;
    }
  }
}

}  // namespace

TEST(ArrayModelsEngine, WeightStationaryTwinsCycleForCycle) { run_twins(Dataflow::kWs, 11, 16); }
TEST(ArrayModelsEngine, OutputStationaryTwinsCycleForCycle) { run_twins(Dataflow::kOs, 12, 16); }
TEST(ArrayModelsEngine, InputStationaryTwinsCycleForCycle) { run_twins(Dataflow::kIs, 13, 16); }
