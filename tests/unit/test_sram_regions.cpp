// SRAM regions belong to the block that allocated them: the skip FIFO reports the bytes of
// its own regions, whatever other regions are called.
#include <gtest/gtest.h>

#include "hw/skip_fifo/skip_fifo.hpp"
#include "hw/sram/sram_banks.hpp"

using namespace skipsim;

TEST(SramRegions, SkipFifoReportsOnlyItsOwnRegions) {
  SramBanks sram(4, 1 << 16, 16);
  // Another block's region whose name starts like the FIFO's: a name match would count it.
  sram.allocate("skip_fifo.decoy", 4096);
  SkipFifo fifo("skip_fifo", 64, 16, sram);
  sram.allocate("skip_fifo.after", 512);
  // 64 beats of 16 bytes, plus 64 last bits rounded up to one 16-byte bank row.
  EXPECT_EQ(fifo.sram_bytes(), 64u * 16 + 16);
  StatsNode n;
  fifo.report_fifo(n);
  EXPECT_EQ(n.u64("sram_bytes"), 64u * 16 + 16);
  EXPECT_EQ(n.u64("depth"), 64u);
  EXPECT_TRUE(n.has("bank_conflict_cycles"));
}

TEST(SramRegions, AllocateReturnsAHandleToTheRegion) {
  SramBanks sram(2, 1024, 8);
  const int a = sram.allocate("a", 10);
  const int b = sram.allocate("b", 3);
  EXPECT_EQ(sram.region(a).name, "a");
  EXPECT_EQ(sram.region(a).bytes, 16u);  // whole bank rows
  EXPECT_EQ(sram.region(b).base, 16u);
  StatsNode n;
  sram.report(n);
  EXPECT_EQ(n.u64("used_bytes"), 24u);
  EXPECT_EQ(n.at("regions").at("b").u64("bytes"), 8u);
  EXPECT_TRUE(n.flag("dual_port"));
}
