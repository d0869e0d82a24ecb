// ZVC codec of the skip path: compressor -> decompressor returns every beat and `last`
// exactly, under random gaps and stalls; the compressed size is mask + non-zero bytes per
// beat in whole words; a sparse stream flows at one beat per cycle, an incompressible one at
// the word rate (word_bytes / (mask + lanes) beats per cycle); the closed form zvc_words.
#include <gtest/gtest.h>

#include <random>

#include "hw/skip_fifo/zvc_codec.hpp"
#include "tests/common/stream_tb.hpp"

using namespace skipsim;
using namespace skipsim::test;

namespace {

// n beats of `lanes` lanes, each lane zero with probability `zero_p` (seeded), in frames of
// frame_beats beats (last on each frame's final beat); lanes >= c are zero.
std::vector<std::pair<Beat, bool>> sparse_beats(int n, int lanes, int c, double zero_p,
                                                uint64_t seed, int frame_beats) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<std::pair<Beat, bool>> v;
  for (int i = 0; i < n; ++i) {
    Beat b;
    for (int l = 0; l < c; ++l)
      b.lane[l] = u(rng) < zero_p ? 0 : static_cast<int8_t>(1 + (rng() % 127));
    v.emplace_back(b, (i + 1) % frame_beats == 0);
  }
  return v;
}

struct CodecBench {
  sc_core::sc_clock clk{"clk", 1, sc_core::SC_NS};
  Stream a{"a"}, w{"w"}, b{"b"};
  StreamSource src;
  ZvcCompressor comp;
  ZvcDecompressor dec;
  StreamSink sink;
  CodecBench(const std::vector<std::pair<Beat, bool>>& beats, int lanes, int word,
             uint64_t frame_beats, double gap, double stall)
      : src("src", beats, gap, 3),
        comp("comp", lanes, word),
        dec("dec", lanes, word, frame_beats),
        sink("sink", stall, 4) {
    src.clk(clk);
    comp.clk(clk);
    dec.clk(clk);
    sink.clk(clk);
    src.out.bind(a);
    comp.in.bind(a);
    comp.out.bind(w);
    dec.in.bind(w);
    dec.out.bind(b);
    sink.in.bind(b);
  }
};

void expect_same(const std::vector<std::pair<Beat, bool>>& want, const StreamSink& sink) {
  ASSERT_EQ(sink.beats.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    ASSERT_EQ(sink.beats[i], want[i].first) << "beat " << i;
    ASSERT_EQ(sink.lasts[i], want[i].second) << "beat " << i;
  }
}

}  // namespace

TEST(ZvcCodec, RoundTripUnderGapsAndStallsInTwoFrames) {
  const auto beats = sparse_beats(600, 16, 13, 0.6, 7, 300);
  CodecBench tb(beats, 16, 16, 300, 0.2, 0.3);
  sc_core::sc_start(sc_core::sc_time(5, sc_core::SC_US));
  expect_same(beats, tb.sink);
  const CodecStats& s = tb.comp.codec_stats();
  EXPECT_EQ(s.beats, 600u);
  EXPECT_EQ(s.raw_bytes, 600u * 16);
  uint64_t bytes = 0, zeros = 0;
  for (const auto& [b, last] : beats) {
    bytes += static_cast<uint64_t>(zvc_beat_bytes(b.lane.data(), 16));
    for (int l = 0; l < 16; ++l) zeros += b.lane[l] == 0;
  }
  EXPECT_EQ(s.compressed_bytes, bytes);
  EXPECT_EQ(s.zero_lanes, zeros);
  // Each frame's tail is padded to a whole word.
  std::vector<int8_t> f0, f1;
  for (size_t i = 0; i < beats.size(); ++i)
    (i < 300 ? f0 : f1)
        .insert((i < 300 ? f0 : f1).end(), beats[i].first.lane.begin(),
                beats[i].first.lane.begin() + 16);
  EXPECT_EQ(s.words, zvc_words(f0, 16, 16) + zvc_words(f1, 16, 16));
  EXPECT_LT(s.words * 16, s.raw_bytes * 3 / 4);  // 60% zeros: under 3/4 of the raw bytes
}

TEST(ZvcCodec, SparseStreamFlowsAtOneBeatPerCycle) {
  const auto beats = sparse_beats(400, 16, 16, 0.8, 9, 400);
  CodecBench tb(beats, 16, 16, 400, 0, 0);
  sc_core::sc_start(sc_core::sc_time(2, sc_core::SC_US));
  expect_same(beats, tb.sink);
  // Source to sink in 400 beats plus the pipeline's latency.
  EXPECT_LE(tb.sink.cycles.back() - tb.src.send_cycles.front(), 400u + 8);
}

TEST(ZvcCodec, IncompressibleStreamFlowsAtTheWordRate) {
  const auto beats = sparse_beats(360, 16, 16, 0.0, 11, 360);  // no zero lane: 18 B per beat
  CodecBench tb(beats, 16, 16, 360, 0, 0);
  sc_core::sc_start(sc_core::sc_time(2, sc_core::SC_US));
  expect_same(beats, tb.sink);
  EXPECT_EQ(tb.comp.codec_stats().words, 360u * 18 / 16);
  // 405 words leave one per cycle: the beats take 405 cycles, not 360.
  const uint64_t span = tb.sink.cycles.back() - tb.src.send_cycles.front();
  EXPECT_GE(span, 405u);
  EXPECT_LE(span, 405u + 8);
}

TEST(ZvcCodec, NarrowLanesAndWideWords) {
  const auto beats = sparse_beats(257, 5, 5, 0.5, 13, 257);  // 1 mask byte per 5-lane beat
  CodecBench tb(beats, 5, 32, 257, 0.1, 0.1);
  sc_core::sc_start(sc_core::sc_time(3, sc_core::SC_US));
  expect_same(beats, tb.sink);
}

TEST(ZvcCodec, AllZeroFrameIsOneMaskPerBeat) {
  const auto beats = sparse_beats(64, 16, 16, 1.0, 1, 64);
  CodecBench tb(beats, 16, 16, 64, 0, 0);
  sc_core::sc_start(sc_core::sc_time(1, sc_core::SC_US));
  expect_same(beats, tb.sink);
  EXPECT_EQ(tb.comp.codec_stats().words, 64u * 2 / 16);  // 2 mask bytes per beat
}

// zvc_encode, the software model the layer-by-layer NPU stores, is the compressor's words.
TEST(ZvcCodec, SoftwareModelIsTheCompressorsWords) {
  const auto beats = sparse_beats(301, 16, 13, 0.5, 17, 301);
  sc_core::sc_clock clk("clk", 1, sc_core::SC_NS);
  Stream a("a"), w("w");
  StreamSource src("src", beats, 0.2, 3);
  ZvcCompressor comp("comp", 16, 16);
  StreamSink sink("sink", 0.3, 4);
  src.clk(clk);
  comp.clk(clk);
  sink.clk(clk);
  src.out.bind(a);
  comp.in.bind(a);
  comp.out.bind(w);
  sink.in.bind(w);
  sc_core::sc_start(sc_core::sc_time(3, sc_core::SC_US));
  std::vector<int8_t> flat;
  for (const auto& [b, last] : beats) flat.insert(flat.end(), b.lane.begin(), b.lane.begin() + 16);
  const std::vector<int8_t> want = zvc_encode(flat, 16, 16);
  ASSERT_EQ(want.size(), zvc_words(flat, 16, 16) * 16);
  ASSERT_EQ(sink.beats.size() * 16, want.size());
  for (size_t i = 0; i < sink.beats.size(); ++i) {
    for (int l = 0; l < 16; ++l) ASSERT_EQ(sink.beats[i].lane[l], want[i * 16 + l]) << i;
    EXPECT_EQ(sink.lasts[i], i + 1 == sink.beats.size()) << i;
  }
}
