// The layer-by-layer NPU's SRAM adapters: SramReader -> SramWriter copies a channel slice at
// one beat per cycle, bank-port conflicts cost cycles but never data, and SramDma spills a
// tensor to DRAM and fills it back with the blocking signal raised once the blocking job
// has landed.
#include <gtest/gtest.h>

#include <cstring>

#include "hw/common/errors.hpp"
#include "hw/dma/sram_dma.hpp"
#include "hw/dram/simple_dram.hpp"
#include "hw/sram/sram_stream.hpp"

using namespace skipsim;

namespace {

struct CopyBench {
  sc_core::sc_clock clk{"clk", 1, sc_core::SC_NS};
  sc_core::sc_signal<bool> go{"go", true};
  SramBanks sram;
  int src, dst;
  Stream s{"s"};
  std::unique_ptr<SramReader> reader;
  std::unique_ptr<SramWriter> writer;
  // 10 pixels of 40 channels; channels [8, 32) copied into a 24-channel tensor.
  CopyBench(bool dual_port, int lanes) : sram(4, 4096, 16, dual_port) {
    src = sram.allocate("src", 400);
    dst = sram.allocate("dst", 240);
    for (int i = 0; i < 400; ++i) sram.data(src)[i] = static_cast<uint8_t>(i * 7 + 3);
    SramTensorView in{src, 0, 10, 40, 8, 24};
    SramTensorView out{dst, 0, 10, 24, 0, 24};
    reader = std::make_unique<SramReader>("reader", sram, in, lanes);
    writer = std::make_unique<SramWriter>("writer", sram, out, lanes);
    reader->clk(clk);
    reader->enable(go);
    writer->clk(clk);
    reader->out.bind(s);
    writer->in.bind(s);
  }
  bool copied() const {
    for (int p = 0; p < 10; ++p)
      for (int c = 0; c < 24; ++c)
        if (sram.data(dst)[p * 24 + c] != sram.data(src)[p * 40 + 8 + c]) return false;
    return true;
  }
};

}  // namespace

TEST(SramStream, ReaderToWriterCopiesAChannelSliceAtOneBeatPerCycle) {
  CopyBench tb(true, 16);  // 24 channels: 2 beats per pixel, 20 beats
  sc_core::sc_start(sc_core::sc_time(100, sc_core::SC_NS));
  ASSERT_TRUE(tb.writer->done());
  EXPECT_TRUE(tb.copied());
  EXPECT_TRUE(tb.reader->done());
  // The first beat loads at edge 1 and moves at edge 2; then one beat per edge.
  EXPECT_EQ(tb.writer->first_beat_cycle(), 2u);
  EXPECT_EQ(tb.writer->last_beat_cycle(), 21u);
  EXPECT_EQ(tb.reader->conflicts(), 0u);
  EXPECT_EQ(tb.sram.region(tb.src).reads, 240u);
  EXPECT_EQ(tb.sram.region(tb.dst).writes, 240u);
}

TEST(SramStream, SinglePortedBanksConflictButKeepTheData) {
  CopyBench tb(false, 16);
  sc_core::sc_start(sc_core::sc_time(200, sc_core::SC_NS));
  ASSERT_TRUE(tb.writer->done());
  EXPECT_TRUE(tb.copied());
  // Reads and writes meet on a bank's single port: someone waited.
  EXPECT_GT(tb.reader->conflicts() + tb.writer->conflicts(), 0u);
  EXPECT_GT(tb.writer->last_beat_cycle(), 21u);
}

TEST(SramStream, ReaderWaitsForEnable) {
  CopyBench tb(true, 16);
  tb.go.write(false);
  sc_core::sc_start(sc_core::sc_time(50, sc_core::SC_NS));
  EXPECT_EQ(tb.writer->first_beat_cycle(), 0u);
  tb.go.write(true);
  sc_core::sc_start(sc_core::sc_time(100, sc_core::SC_NS));
  ASSERT_TRUE(tb.writer->done());
  EXPECT_TRUE(tb.copied());
  EXPECT_GT(tb.reader->stall_stats().waiting_dram, 40u);
}

TEST(SramStream, ASliceOutsideItsPixelIsRefused) {
  SramBanks sram(4, 4096, 16);
  const int r = sram.allocate("r", 100);
  EXPECT_THROW(SramReader("bad", sram, SramTensorView{r, 0, 2, 10, 8, 4}, 16), InputError);
  EXPECT_THROW(SramWriter("past", sram, SramTensorView{r, 0, 20, 10, 0, 10}, 16), InputError);
}

TEST(SramDma, SpillsThenFillsBackWithTheBlockingSignal) {
  sc_core::sc_clock clk{"clk", 1, sc_core::SC_NS};
  sc_core::sc_signal<bool> done{"done"};
  SramBanks sram(4, 8192, 16);
  const int a = sram.allocate("arena", 8192);
  for (int i = 0; i < 3000; ++i) sram.data(a)[i] = static_cast<uint8_t>(i * 5 + 1);
  SimpleDramConfig dc;
  SimpleDram dram("dram", dc, 1 << 20);
  for (int i = 0; i < 1000; ++i) dram.memory()[65536 + i] = static_cast<uint8_t>(i * 3 + 2);
  SramDma dma("dma", sram, 4, 64);
  // Blocking: the fill of 1000 B at SRAM 4096; then the spill of 3000 B overlapping.
  dma.add_job({false, a, 4096, 65536, 1000, DmaPurpose::kFill, true});
  dma.add_job({true, a, 0, 0, 3000, DmaPurpose::kSpill, false});
  EXPECT_THROW(dma.add_job({false, a, 0, 0, 10, DmaPurpose::kFill, true}), std::logic_error);
  dma.clk(clk);
  dma.blocking_done(done);
  dma.socket.bind(dram.socket);
  sc_core::sc_start(sc_core::sc_time(5, sc_core::SC_US));
  ASSERT_TRUE(dma.finished());
  EXPECT_TRUE(done.read());
  EXPECT_GT(dma.blocking_done_cycle(), 0u);
  EXPECT_LT(dma.blocking_done_cycle(), dma.finish_cycle());
  for (int i = 0; i < 1000; ++i)
    ASSERT_EQ(sram.data(a)[4096 + i], static_cast<uint8_t>(i * 3 + 2)) << i;
  for (int i = 0; i < 3000; ++i) ASSERT_EQ(dram.memory()[i], static_cast<uint8_t>(i * 5 + 1)) << i;
  EXPECT_EQ(dma.dma_stats().by_purpose[static_cast<int>(DmaPurpose::kSpill)].bytes, 3000u);
  EXPECT_EQ(dma.dma_stats().by_purpose[static_cast<int>(DmaPurpose::kFill)].bytes, 1000u);
}
