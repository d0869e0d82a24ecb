// DmaRead / DmaWrite through the SimpleDram TLM-2.0 AT target: data integrity, and the
// bandwidth and latency bounds of the simple DRAM model.
#include <gtest/gtest.h>

#include <cstring>

#include "hw/dma/dma_read.hpp"
#include "hw/dma/dma_write.hpp"
#include "hw/dram/simple_dram.hpp"
#include "tests/common/stream_tb.hpp"

using namespace skipsim;
using namespace skipsim::test;

namespace {
struct ReadBench {
  sc_core::sc_clock clk{"clk", 1, sc_core::SC_NS};
  SimpleDram dram;
  DmaRead dma;
  Stream s{"s"};
  StreamSink sink;
  ReadBench(const SimpleDramConfig& dc, int outstanding, uint64_t pixels, int c, int lanes)
      : dram("dram", dc, 1 << 20), dma("dma", outstanding, 64), sink("sink") {
    for (uint64_t i = 0; i < pixels * c; ++i) dram.memory()[i] = static_cast<uint8_t>(i * 13 + 1);
    TensorStreamShape sh;
    sh.pixels = pixels;
    sh.channels = c;
    sh.lanes = lanes;
    dma.add_stream_job(0, sh);
    dma.socket.bind(dram.socket);
    dma.clk(clk);
    sink.clk(clk);
    dma.out.bind(s);
    sink.in.bind(s);
  }
};
}  // namespace

TEST(DmaRead, StreamsEveryPixelWithPartialLastBeat) {
  SimpleDramConfig dc;
  ReadBench tb(dc, 4, 37, 20, 16);  // 20 channels = 16 + 4 lanes per pixel
  sc_core::sc_start(sc_core::sc_time(5, sc_core::SC_US));
  ASSERT_EQ(tb.sink.beats.size(), 74u);
  for (int px = 0; px < 37; ++px) {
    for (int ch = 0; ch < 20; ++ch) {
      const Beat& b = tb.sink.beats[px * 2 + ch / 16];
      ASSERT_EQ(static_cast<uint8_t>(b.lane[ch % 16]),
                static_cast<uint8_t>((px * 20 + ch) * 13 + 1));
    }
    for (int l = 4; l < 16; ++l) ASSERT_EQ(tb.sink.beats[px * 2 + 1].lane[l], 0);
  }
  EXPECT_TRUE(tb.sink.lasts.back());
  EXPECT_TRUE(tb.dma.finished());
  EXPECT_EQ(tb.dram.stats().bytes_read, 37u * 20);
}

TEST(SimpleDram, BandwidthBoundStreamTakesBytesOverBusWidth) {
  SimpleDramConfig dc;
  dc.clock_ghz = 1.0;  // same as the core: one DRAM cycle per core cycle
  dc.latency_ns = 40;
  dc.bytes_per_cycle = 4;
  dc.queue_depth = 64;
  ReadBench tb(dc, 32, 256, 16, 16);  // 4096 B: 64 bursts, 1024 bus cycles
  sc_core::sc_start(sc_core::sc_time(5, sc_core::SC_US));
  ASSERT_EQ(tb.sink.beats.size(), 256u);
  const uint64_t last = tb.sink.cycles.back();
  // First data after the latency plus one burst, then the bus is the bound.
  EXPECT_GE(last, 40u + 1024u);
  EXPECT_LE(last, 40u + 1024u + 6u);
  EXPECT_EQ(tb.dram.stats().busy_cycles, 1024u);
}

TEST(SimpleDram, LatencyBoundWithOneOutstandingBurst) {
  SimpleDramConfig dc;
  dc.clock_ghz = 1.0;
  dc.latency_ns = 50;
  dc.bytes_per_cycle = 64;
  ReadBench tb(dc, 1, 64, 16, 16);  // 1024 B = 16 bursts, each waits the full round trip
  sc_core::sc_start(sc_core::sc_time(5, sc_core::SC_US));
  ASSERT_EQ(tb.sink.beats.size(), 64u);
  // A burst issued at edge e is answered at e + 50 + 1 (latency + one bus cycle), seen at
  // edge e + 52 (responses on an edge are taken at the next one); its 4 beats leave at
  // e+52..e+55, and the slot frees with the last, so the next burst issues at e + 55.
  // Burst 15 issues at edge 1 + 15*55; its last beat is offered at 1+825+55 = 881, taken
  // at 882.
  EXPECT_EQ(tb.sink.cycles.back(), 882u);
  EXPECT_NEAR(tb.dram.stats().latency_sum_ns / 16, 51.0, 0.01);
}

TEST(SimpleDram, FullQueueWithholdsEndReq) {
  SimpleDramConfig dc;
  dc.clock_ghz = 1.0;
  dc.latency_ns = 100;
  dc.bytes_per_cycle = 64;
  dc.queue_depth = 2;
  ReadBench tb(dc, 16, 64, 16, 16);
  sc_core::sc_start(sc_core::sc_time(20, sc_core::SC_US));
  ASSERT_EQ(tb.sink.beats.size(), 64u);
  EXPECT_EQ(tb.dram.in_flight(), 0);
  // Two in flight at a time: 8 rounds of ~101 cycles.
  EXPECT_GE(tb.sink.cycles.back(), 8u * 100);
}

TEST(DmaWrite, WritesTheStreamToDramInBursts) {
  sc_core::sc_clock clk{"clk", 1, sc_core::SC_NS};
  SimpleDramConfig dc;
  SimpleDram dram("dram", dc, 1 << 16);
  DmaWrite dma("dma", 4, 64, 256);
  const int pixels = 50, c = 20, lanes = 16;
  std::vector<std::pair<Beat, bool>> beats;
  for (int px = 0; px < pixels; ++px)
    for (int b = 0; b < 2; ++b) {
      Beat beat;
      for (int l = 0; l < lanes && b * lanes + l < c; ++l)
        beat.lane[l] = static_cast<int8_t>(px * 3 + b * lanes + l);
      beats.emplace_back(beat, px == pixels - 1 && b == 1);
    }
  Stream s("s");
  StreamSource src("src", beats, 0.3, 5);
  dma.set_stream_job(1000, pixels, c, lanes, 1);
  dma.socket.bind(dram.socket);
  src.clk(clk);
  dma.clk(clk);
  src.out.bind(s);
  dma.in.bind(s);
  sc_core::sc_start(sc_core::sc_time(5, sc_core::SC_US));
  EXPECT_TRUE(dma.finished());
  EXPECT_GT(dma.finish_cycle(), 0u);
  for (int px = 0; px < pixels; ++px)
    for (int ch = 0; ch < c; ++ch)
      ASSERT_EQ(static_cast<int8_t>(dram.memory()[1000 + px * c + ch]),
                static_cast<int8_t>(px * 3 + ch));
  EXPECT_EQ(dram.stats().bytes_written, static_cast<uint64_t>(pixels * c));
  EXPECT_EQ(dram.stats().writes, (pixels * c + 63u) / 64);
}

TEST(DmaRead, ThrottleRateSpacesBeatsAndStallsAreSeeded) {
  SimpleDramConfig dc;
  ReadBench tb(dc, 8, 64, 16, 16);
  tb.dma.set_throttle(0.25, 0.0, 1);
  sc_core::sc_start(sc_core::sc_time(5, sc_core::SC_US));
  ASSERT_EQ(tb.sink.beats.size(), 64u);
  for (size_t i = 1; i < tb.sink.cycles.size(); ++i)
    EXPECT_GE(tb.sink.cycles[i] - tb.sink.cycles[i - 1], 4u) << i;
  // Once data is there, exactly one beat every 4 cycles.
  EXPECT_LE(tb.sink.cycles.back() - tb.sink.cycles[8], 4u * 56 + 4);
}

TEST(DmaRead, StallProbabilityHoldsBeatsBack) {
  SimpleDramConfig dc;
  ReadBench tb(dc, 8, 400, 16, 16);
  tb.dma.set_throttle(1.0, 0.5, 42);
  sc_core::sc_start(sc_core::sc_time(20, sc_core::SC_US));
  ASSERT_EQ(tb.sink.beats.size(), 400u);
  // With half the cycles held back, 400 beats take about 800 cycles after the first data.
  const uint64_t span = tb.sink.cycles.back() - tb.sink.cycles.front();
  EXPECT_GT(span, 650u);
  EXPECT_LT(span, 950u);
}
