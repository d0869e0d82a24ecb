// The deadlock line's hops: a block waiting on no port (computing, or on DRAM) gets no
// "on <port>" with an empty name.
#include <gtest/gtest.h>

#include "tb/observe/deadlock.hpp"

using skipsim::describe_hop;
using skipsim::WaitHop;

TEST(DeadlockText, HopWithoutPortNamesNoEmptyPort) {
  WaitHop dram{"dma_read", "waiting_dram", "", "", ""};
  EXPECT_EQ(describe_hop(dram), "dma_read waiting_dram");
  WaitHop busy{"conv1", "busy", "", "", ""};
  EXPECT_EQ(describe_hop(busy), "conv1 busy");
  WaitHop starved{"add", "starved", "", "", ""};
  EXPECT_EQ(describe_hop(starved), "add starved");
}

TEST(DeadlockText, HopWithPortKeepsItsWording) {
  EXPECT_EQ(describe_hop({"fork", "blocked", "main", "", "conv1"}),
            "fork blocked on main by conv1");
  EXPECT_EQ(describe_hop({"fork", "starved", "in", "", "dma_read"}), "fork waits dma_read (in)");
  EXPECT_EQ(describe_hop({"skip_fifo", "blocked", "out", "full (2/2)", "add"}),
            "skip_fifo full (2/2)");
}
