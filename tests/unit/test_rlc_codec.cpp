// RLC codec of the skip path: compressor -> decompressor returns every beat and `last`
// exactly, under random gaps and stalls, across zero runs longer than 31 and frame tails of
// zeros; pairs are packed 13 bits apart in the word; the word counts match rlc_words; an
// incompressible stream flows at P / lanes beats per cycle in narrow words.
#include <gtest/gtest.h>

#include <random>

#include "hw/skip_fifo/rlc_codec.hpp"
#include "tests/common/stream_tb.hpp"

using namespace skipsim;
using namespace skipsim::test;

namespace {

using Beats = std::vector<std::pair<Beat, bool>>;

// n beats of `lanes` lanes, each lane zero with probability `zero_p` (seeded), in frames of
// frame_beats beats (last on each frame's final beat).
Beats sparse_beats(int n, int lanes, double zero_p, uint64_t seed, int frame_beats) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0, 1);
  Beats v;
  for (int i = 0; i < n; ++i) {
    Beat b;
    for (int l = 0; l < lanes; ++l)  // non-zero lanes take any of the 255 non-zero values
      b.lane[l] = u(rng) < zero_p ? 0 : static_cast<int8_t>(static_cast<uint8_t>(1 + rng() % 255));
    v.emplace_back(b, (i + 1) % frame_beats == 0);
  }
  return v;
}

// Lanes in stream order to beats of `lanes`, frames of frame_beats beats.
Beats to_beats(const std::vector<int8_t>& lanes_in, int lanes, int frame_beats) {
  Beats v;
  for (size_t i = 0; i < lanes_in.size(); i += static_cast<size_t>(lanes)) {
    Beat b;
    for (int l = 0; l < lanes; ++l) b.lane[l] = lanes_in[i + static_cast<size_t>(l)];
    v.emplace_back(b, (v.size() + 1) % static_cast<size_t>(frame_beats) == 0);
  }
  return v;
}

// One frame's lanes.
std::vector<int8_t> frame_lanes(const Beats& beats, size_t first, size_t n, int lanes) {
  std::vector<int8_t> f;
  for (size_t i = first; i < first + n; ++i)
    f.insert(f.end(), beats[i].first.lane.begin(), beats[i].first.lane.begin() + lanes);
  return f;
}

struct CodecBench {
  sc_core::sc_clock clk{"clk", 1, sc_core::SC_NS};
  Stream a{"a"}, w{"w"}, b{"b"};
  StreamSource src;
  RlcCompressor comp;
  RlcDecompressor dec;
  StreamSink sink;
  CodecBench(const Beats& beats, int lanes, int word, uint64_t frame_beats, double gap,
             double stall)
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

void expect_same(const Beats& want, const StreamSink& sink) {
  ASSERT_EQ(sink.beats.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    ASSERT_EQ(sink.beats[i], want[i].first) << "beat " << i;
    ASSERT_EQ(sink.lasts[i], want[i].second) << "beat " << i;
  }
}

}  // namespace

TEST(RlcCodec, PairCountsFollowTheRuns) {
  const auto zeros = [](size_t n) { return std::vector<int8_t>(n, 0); };
  auto with = [](std::vector<int8_t> v, int8_t x) {
    v.push_back(x);
    return v;
  };
  EXPECT_EQ(rlc_pairs(with(zeros(2), 5)), 1u);
  EXPECT_EQ(rlc_pairs(with(zeros(31), 5)), 1u);
  EXPECT_EQ(rlc_pairs(with(zeros(32), 5)), 2u);  // (31, 0) (0, 5)
  EXPECT_EQ(rlc_pairs(with(zeros(64), 5)), 3u);  // (31, 0) (31, 0) (0, 5)
  EXPECT_EQ(rlc_pairs(zeros(1)), 1u);            // (0, 0) closes the frame
  EXPECT_EQ(rlc_pairs(zeros(32)), 1u);           // (31, 0)
  EXPECT_EQ(rlc_pairs(zeros(33)), 2u);           // (31, 0) (0, 0)
  EXPECT_EQ(rlc_pairs(std::vector<int8_t>(7, 3)), 7u);
  EXPECT_EQ(rlc_pairs_per_word(16), 9);
  EXPECT_EQ(rlc_pairs_per_word(32), 19);
  EXPECT_EQ(rlc_pairs_per_word(2), 1);
}

TEST(RlcCodec, PairsSitThirteenBitsApartInTheWord) {
  // Lanes 2, 5, 40 non-zero: (2, 5) (2, -1) (31, 0) (2, 7) then the closing (22, 0).
  std::vector<int8_t> lanes(64, 0);
  lanes[2] = 5;
  lanes[5] = -1;
  lanes[40] = 7;
  const Beats beats = to_beats(lanes, 16, 4);
  sc_core::sc_clock clk{"clk", 1, sc_core::SC_NS};
  Stream a{"a"}, w{"w"};
  StreamSource src("src", beats, 0, 3);
  RlcCompressor comp("comp", 16, 16);
  StreamSink sink("sink", 0, 4);
  src.clk(clk);
  comp.clk(clk);
  sink.clk(clk);
  src.out.bind(a);
  comp.in.bind(a);
  comp.out.bind(w);
  sink.in.bind(w);
  sc_core::sc_start(sc_core::sc_time(100, sc_core::SC_NS));
  ASSERT_EQ(sink.beats.size(), 1u);
  EXPECT_TRUE(sink.lasts[0]);
  unsigned __int128 bits = 0;
  for (int i = 0; i < 16; ++i)
    bits |= static_cast<unsigned __int128>(static_cast<uint8_t>(sink.beats[0].lane[i])) << (8 * i);
  const uint16_t want[] = {2 | 5 << 5, 2 | 0xff << 5, 31, 2 | 7 << 5, 22};
  for (int k = 0; k < 9; ++k)
    EXPECT_EQ(static_cast<unsigned>(bits >> (13 * k) & 0x1fff), k < 5 ? want[k] : 0u)
        << "pair " << k;
  EXPECT_EQ(static_cast<unsigned>(bits >> 117), 0u);  // the 11 unused bits
  EXPECT_EQ(comp.codec_stats().compressed_bytes, (5u * 13 + 7) / 8);
}

TEST(RlcCodec, RoundTripUnderGapsAndStallsInTwoFrames) {
  const auto beats = sparse_beats(600, 16, 0.6, 7, 300);
  CodecBench tb(beats, 16, 16, 300, 0.2, 0.3);
  sc_core::sc_start(sc_core::sc_time(10, sc_core::SC_US));
  expect_same(beats, tb.sink);
  const CodecStats& s = tb.comp.codec_stats();
  EXPECT_EQ(s.beats, 600u);
  EXPECT_EQ(s.raw_bytes, 600u * 16);
  uint64_t zeros = 0;
  for (const auto& [b, last] : beats)
    for (int l = 0; l < 16; ++l) zeros += b.lane[l] == 0;
  EXPECT_EQ(s.zero_lanes, zeros);
  const auto f0 = frame_lanes(beats, 0, 300, 16), f1 = frame_lanes(beats, 300, 300, 16);
  EXPECT_EQ(s.compressed_bytes, ((rlc_pairs(f0) + rlc_pairs(f1)) * 13 + 7) / 8);
  // Each frame's tail is padded to a whole word.
  EXPECT_EQ(s.words, rlc_words(f0, 16, 16) + rlc_words(f1, 16, 16));
  EXPECT_LT(s.words * 16, s.raw_bytes);
}

TEST(RlcCodec, LongZeroRunsAndZeroTailsRoundTrip) {
  // Frames of 10 beats x 16 lanes: runs of 0..100 zeros between non-zero lanes; the frames end
  // on a non-zero lane, on exactly 32 zeros, and on 45 zeros.
  std::mt19937_64 rng(21);
  std::vector<int8_t> lanes;
  const size_t frame = 160;
  for (int tail : {0, 32, 45}) {
    const size_t end = lanes.size() + frame - static_cast<size_t>(tail);
    while (lanes.size() < end) {
      const size_t run = std::min<size_t>(rng() % 101, end - lanes.size() - 1);
      lanes.insert(lanes.end(), run, 0);
      lanes.push_back(static_cast<int8_t>(1 + rng() % 100));
    }
    lanes.insert(lanes.end(), static_cast<size_t>(tail), 0);
  }
  const Beats beats = to_beats(lanes, 16, 10);
  CodecBench tb(beats, 16, 16, 10, 0.3, 0.3);
  sc_core::sc_start(sc_core::sc_time(3, sc_core::SC_US));
  expect_same(beats, tb.sink);
  uint64_t words = 0;
  for (size_t f = 0; f < 3; ++f) words += rlc_words(frame_lanes(beats, f * 10, 10, 16), 16, 16);
  EXPECT_EQ(tb.comp.codec_stats().words, words);
}

TEST(RlcCodec, AllZeroFrameIsOnePairPer32Zeros) {
  const auto beats = sparse_beats(64, 16, 1.0, 1, 64);
  CodecBench tb(beats, 16, 16, 64, 0, 0);
  sc_core::sc_start(sc_core::sc_time(1, sc_core::SC_US));
  expect_same(beats, tb.sink);
  // 1024 zeros: 32 pairs (31, 0), 9 a word.
  EXPECT_EQ(tb.comp.codec_stats().words, 4u);
  EXPECT_EQ(tb.comp.codec_stats().compressed_bytes, 32u * 13 / 8);
}

TEST(RlcCodec, IncompressibleStreamFlowsAtThePairRate) {
  const auto beats = sparse_beats(360, 16, 0.0, 11, 360);  // no zero lane: 16 pairs a beat
  CodecBench tb(beats, 16, 16, 360, 0, 0);
  sc_core::sc_start(sc_core::sc_time(2, sc_core::SC_US));
  expect_same(beats, tb.sink);
  // 360 x 16 pairs, 9 a word: 640 words leave one per cycle, so 360 beats take 640 cycles.
  EXPECT_EQ(tb.comp.codec_stats().words, 360u * 16 / 9);
  const uint64_t span = tb.sink.cycles.back() - tb.src.send_cycles.front();
  EXPECT_GE(span, 640u);
  EXPECT_LE(span, 640u + 8);
}

TEST(RlcCodec, EightLanesInWideWords) {
  const auto beats = sparse_beats(500, 8, 0.5, 13, 250);
  CodecBench tb(beats, 8, 32, 250, 0.1, 0.1);
  sc_core::sc_start(sc_core::sc_time(5, sc_core::SC_US));
  expect_same(beats, tb.sink);
  EXPECT_EQ(tb.comp.codec_stats().words, rlc_words(frame_lanes(beats, 0, 250, 8), 8, 32) +
                                             rlc_words(frame_lanes(beats, 250, 250, 8), 8, 32));
}

TEST(RlcCodec, IncompressibleStreamKeepsOneBeatPerCycleIn32ByteWords) {
  const auto beats = sparse_beats(400, 16, 0.0, 17, 400);  // 16 pairs a beat, 19 a word
  CodecBench tb(beats, 16, 32, 400, 0, 0);
  sc_core::sc_start(sc_core::sc_time(2, sc_core::SC_US));
  expect_same(beats, tb.sink);
  EXPECT_EQ(tb.comp.codec_stats().words, (400u * 16 + 18) / 19);
  EXPECT_LE(tb.sink.cycles.back() - tb.src.send_cycles.front(), 400u + 8);
}

// rlc_encode, the software model the layer-by-layer NPU stores, is the compressor's words,
// with runs longer than 31 and a zero tail in the frame.
TEST(RlcCodec, SoftwareModelIsTheCompressorsWords) {
  auto beats = sparse_beats(301, 16, 0.8, 23, 301);
  for (int i = 100; i < 110; ++i) beats[i].first.lane.fill(0);
  for (int i = 290; i < 301; ++i) beats[i].first.lane.fill(0);
  sc_core::sc_clock clk("clk", 1, sc_core::SC_NS);
  Stream a("a"), w("w");
  StreamSource src("src", beats, 0.2, 3);
  RlcCompressor comp("comp", 16, 16);
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
  const std::vector<int8_t> want = rlc_encode(flat, 16, 16);
  ASSERT_EQ(want.size(), rlc_words(flat, 16, 16) * 16);
  ASSERT_EQ(sink.beats.size() * 16, want.size());
  for (size_t i = 0; i < sink.beats.size(); ++i) {
    for (int l = 0; l < 16; ++l) ASSERT_EQ(sink.beats[i].lane[l], want[i * 16 + l]) << i;
    EXPECT_EQ(sink.lasts[i], i + 1 == sink.beats.size()) << i;
  }
}
