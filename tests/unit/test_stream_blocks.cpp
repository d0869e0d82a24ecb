// Unit tests of the stream blocks: handshake, SkipFifo, Fork, Add. Each test elaborates
// its own little design, so ctest runs each in its own process.
#include <gtest/gtest.h>

#include <memory>

#include "hw/common/requant.hpp"
#include "hw/sram/sram_banks.hpp"
#include "hw/stream/add.hpp"
#include "hw/stream/fork.hpp"
#include "hw/skip_fifo/skip_fifo.hpp"
#include "tests/common/stream_tb.hpp"

using namespace skipsim;
using namespace skipsim::test;

namespace {
sc_core::sc_time run_cycles(int n) {
  sc_core::sc_start(sc_core::sc_time(n, sc_core::SC_NS));
  return sc_core::sc_time_stamp();
}

struct FifoBench {
  sc_core::sc_clock clk{"clk", 1, sc_core::SC_NS};
  SramBanks sram;
  Stream a{"a"}, b{"b"};
  StreamSource src;
  SkipFifo fifo;
  StreamSink sink;
  FifoBench(int n, uint64_t depth, double gap, double stall, int banks = 4, bool dual_port = true)
      : sram(banks, 4096, 16, dual_port),
        src("src", counting_beats(n, 16), gap, 11),
        fifo("fifo", depth, 16, sram),
        sink("sink", stall, 12) {
    src.clk(clk);
    fifo.clk(clk);
    sink.clk(clk);
    src.out.bind(a);
    fifo.in.bind(a);
    fifo.out.bind(b);
    sink.in.bind(b);
  }
};
}  // namespace

TEST(StreamHandshake, FifoPassesEveryBeatOncePerCycleAtFullRate) {
  FifoBench tb(20, 8, 0.0, 0.0);
  run_cycles(40);
  ASSERT_EQ(tb.sink.beats.size(), 20u);
  const auto ref = counting_beats(20, 16);
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(tb.sink.beats[i], ref[i].first) << i;
    EXPECT_EQ(tb.sink.lasts[i], i == 19) << i;
    // Ready is registered, so the first transfer into the FIFO is at edge 2, out at edge 3;
    // after that one beat per cycle.
    EXPECT_EQ(tb.sink.cycles[i], static_cast<uint64_t>(i + 3)) << i;
  }
  EXPECT_EQ(tb.fifo.stats().push_blocked_cycles, 0u);
}

TEST(StreamHandshake, RandomStallsOnBothSidesKeepOrderAndCount) {
  FifoBench tb(300, 5, 0.3, 0.4);
  run_cycles(3000);
  ASSERT_EQ(tb.sink.beats.size(), 300u);
  const auto ref = counting_beats(300, 16);
  for (int i = 0; i < 300; ++i) ASSERT_EQ(tb.sink.beats[i], ref[i].first) << i;
  EXPECT_LE(tb.fifo.stats().max_occupancy, 5u);
  EXPECT_EQ(tb.fifo.stats().pushes, 300u);
  EXPECT_EQ(tb.fifo.stats().pops, 300u);
}

TEST(SkipFifo, FillsToDepthThenBlocksThePusher) {
  FifoBench tb(10, 4, 0.0, 0.0);
  tb.sink.hold(true);
  run_cycles(20);
  EXPECT_EQ(tb.fifo.occupancy(), 4u);
  EXPECT_EQ(tb.fifo.stats().max_occupancy, 4u);
  EXPECT_FALSE(tb.a.ready.read());
  EXPECT_TRUE(tb.b.valid.read());
  EXPECT_GT(tb.fifo.stats().push_blocked_cycles, 10u);
  EXPECT_EQ(tb.src.sent(), 4u);
  tb.sink.hold(false);
  run_cycles(20);
  EXPECT_EQ(tb.sink.beats.size(), 10u);
  EXPECT_EQ(tb.fifo.occupancy(), 0u);
  EXPECT_FALSE(tb.b.valid.read());
}

TEST(SkipFifo, DepthOneStillMovesEveryBeat) {
  FifoBench tb(12, 1, 0.0, 0.0);
  run_cycles(60);
  ASSERT_EQ(tb.sink.beats.size(), 12u);
  EXPECT_EQ(tb.fifo.stats().max_occupancy, 1u);
}

// One 1RW bank: a push and the head's read into the output register cannot share a cycle,
// the write wins. Released from full (depth 4, source waiting), every 4 edges repeat:
// A pop (no push: ready was low), head read; B pop + push, read conflicts, output empty;
// C push (count 4), read conflicts again; D nothing moves in, head read. Two pushes and two
// conflicts per period: the 6 beats still to come cost 6 conflicts, then the FIFO drains at
// one beat per cycle.
TEST(SkipFifo, OneReadWritePortBankConflictsStallTheHeadRead) {
  FifoBench tb(10, 4, 0.0, 0.0, 1, false);
  tb.sink.hold(true);
  run_cycles(20);
  EXPECT_EQ(tb.fifo.occupancy(), 4u);
  EXPECT_EQ(tb.fifo.bank_conflict_cycles(), 0u);  // no reads while held
  tb.sink.hold(false);
  run_cycles(40);
  ASSERT_EQ(tb.sink.beats.size(), 10u);
  const auto ref = counting_beats(10, 16);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(tb.sink.beats[i], ref[i].first) << i;
  EXPECT_EQ(tb.fifo.bank_conflict_cycles(), 6u);
  EXPECT_EQ(tb.sram.regions().at(0).conflicts, 6u);
  // Pops of the conflict phase are 4 edges apart in pairs: 1, 4, 5, 8, 9, 12, 13 after the
  // first; the last three beats leave on consecutive edges.
  const uint64_t t0 = tb.sink.cycles[0];
  const uint64_t want[] = {0, 1, 4, 5, 8, 9, 12, 13, 14, 15};
  for (int i = 0; i < 10; ++i) EXPECT_EQ(tb.sink.cycles[i] - t0, want[i]) << i;
}

TEST(SkipFifo, DualPortBanksNeverConflict) {
  FifoBench tb(10, 4, 0.0, 0.0, 1, true);
  tb.sink.hold(true);
  run_cycles(20);
  tb.sink.hold(false);
  run_cycles(40);
  ASSERT_EQ(tb.sink.beats.size(), 10u);
  EXPECT_EQ(tb.fifo.bank_conflict_cycles(), 0u);
  for (int i = 1; i < 10; ++i) EXPECT_EQ(tb.sink.cycles[i], tb.sink.cycles[0] + i) << i;
}

TEST(SkipFifo, StorageIsAllocatedInSram) {
  sc_core::sc_clock clk{"clk", 1, sc_core::SC_NS};
  SramBanks sram(2, 64, 16);
  EXPECT_THROW(SkipFifo("fifo", 100, 16, sram), std::exception);
}

namespace {
struct ForkBench {
  sc_core::sc_clock clk{"clk", 1, sc_core::SC_NS};
  Stream in{"in"}, m{"m"}, s{"s"};
  StreamSource src;
  Fork fork{"fork"};
  StreamSink main_sink, skip_sink;
  ForkBench(int n, double gap, double main_stall, double skip_stall)
      : src("src", counting_beats(n, 16), gap, 3),
        main_sink("main_sink", main_stall, 4),
        skip_sink("skip_sink", skip_stall, 5) {
    src.clk(clk);
    fork.clk(clk);
    main_sink.clk(clk);
    skip_sink.clk(clk);
    src.out.bind(in);
    fork.in.bind(in);
    fork.main.bind(m);
    fork.skip.bind(s);
    main_sink.in.bind(m);
    skip_sink.in.bind(s);
  }
};
}  // namespace

TEST(Fork, BeatLeavesBothBranchesAtTheSameEdge) {
  ForkBench tb(200, 0.2, 0.5, 0.3);
  auto& main_sink = tb.main_sink;
  auto& skip_sink = tb.skip_sink;
  run_cycles(2000);
  ASSERT_EQ(main_sink.beats.size(), 200u);
  ASSERT_EQ(skip_sink.beats.size(), 200u);
  const auto ref = counting_beats(200, 16);
  for (int i = 0; i < 200; ++i) {
    EXPECT_EQ(main_sink.beats[i], ref[i].first);
    EXPECT_EQ(skip_sink.beats[i], ref[i].first);
    EXPECT_EQ(main_sink.cycles[i], skip_sink.cycles[i]) << "beat " << i << " not in lockstep";
  }
  EXPECT_GT(tb.fork.stall_stats().blocked, 0u);
}

TEST(Fork, OneBranchHeldBlocksTheOther) {
  ForkBench tb(10, 0.0, 0.0, 0.0);
  auto& main_sink = tb.main_sink;
  auto& skip_sink = tb.skip_sink;
  auto& fork = tb.fork;
  skip_sink.hold(true);
  run_cycles(20);
  EXPECT_TRUE(main_sink.beats.empty());
  EXPECT_EQ(fork.wait_state().kind, WaitState::Kind::kBlocked);
  EXPECT_EQ(fork.wait_state().port, "skip");
  skip_sink.hold(false);
  run_cycles(30);
  EXPECT_EQ(main_sink.beats.size(), 10u);
  EXPECT_EQ(skip_sink.beats.size(), 10u);
}

TEST(Add, PairsBeatsInOrderAndRequantizes) {
  sc_core::sc_clock clk{"clk", 1, sc_core::SC_NS};
  Stream a("a"), b("b"), y("y");
  auto main_beats = counting_beats(150, 16);
  auto skip_beats = counting_beats(150, 16);
  for (auto& [beat, last] : skip_beats)
    for (auto& l : beat.lane) l = static_cast<int8_t>(l * 3 - 50);
  StreamSource sa("sa", main_beats, 0.3, 7), sb("sb", skip_beats, 0.6, 8);
  AddConfig cfg;
  cfg.mult_main = 23000;
  cfg.mult_skip = -9000;
  cfg.shift = 15;
  Add add("add", cfg);
  StreamSink sink("sink", 0.25, 9);
  sa.clk(clk);
  sb.clk(clk);
  add.clk(clk);
  sink.clk(clk);
  sa.out.bind(a);
  sb.out.bind(b);
  add.main.bind(a);
  add.skip.bind(b);
  add.out.bind(y);
  sink.in.bind(y);
  run_cycles(2000);
  ASSERT_EQ(sink.beats.size(), 150u);
  int saturated = 0, mid = 0;
  for (int i = 0; i < 150; ++i) {
    for (int l = 0; l < 16; ++l) {
      const int64_t v = (int64_t{main_beats[i].first.lane[l]} * cfg.mult_main +
                         int64_t{skip_beats[i].first.lane[l]} * cfg.mult_skip + (1 << 14)) >>
                        15;
      const int8_t want = static_cast<int8_t>(std::min<int64_t>(127, std::max<int64_t>(0, v)));
      ASSERT_EQ(sink.beats[i].lane[l], want) << "beat " << i << " lane " << l;
      saturated += want == 0 || want == 127;
      mid += want > 0 && want < 127;
    }
    EXPECT_EQ(sink.lasts[i], i == 149);
  }
  EXPECT_GT(mid, 100);  // the case exercises the rounding, not only the clamps
}

TEST(Requant, HardwareUnitMatchesTheContractAtTheEdges) {
  // Exact half rounds up (toward +inf), then clamps.
  EXPECT_EQ(requant(1, 1, 1, false), 1);    // (1 + 1) >> 1
  EXPECT_EQ(requant(-1, 1, 1, false), 0);   // (-1 + 1) >> 1
  EXPECT_EQ(requant(-3, 1, 1, false), -1);  // (-3 + 1) >> 1 = -1
  EXPECT_EQ(requant(-3, 1, 1, true), 0);    // ReLU floor
  EXPECT_EQ(requant(1000, 1, 1, false), 127);
  EXPECT_EQ(requant(-1000, 1, 1, false), -128);
  // 64-bit product: 2^31-1 times a large accumulator must not wrap.
  EXPECT_EQ(requant(2'000'000'000, 2147483647, 62, false), 1);
  EXPECT_EQ(requant(-2'000'000'000, 2147483647, 55, false), -119);
  EXPECT_EQ(add_requant(127, 127, 2147483647, 2147483647, 62), 0);
  EXPECT_EQ(add_requant(-128, 5, 1 << 20, 0, 16), 0);
  EXPECT_EQ(add_requant(3, 0, 1, 0, 1), 2);  // (3 + 1) >> 1
}
