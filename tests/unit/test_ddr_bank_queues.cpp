// Unit tests of the DDR controller's per-bank queue structure (queue_structure: per_bank),
// staggered refresh and the data-bus gaps a preset sets (tRTRS, read_to_write_gap,
// tRTRS_write_to_write), and of their configuration errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "hw/common/errors.hpp"
#include "hw/dram/ddr_config.hpp"
#include "hw/dram/ddr_controller.hpp"
#include "tb/config/dram_preset.hpp"
#include "tests/common/ddr_helpers.hpp"
#include "tests/common/dram_timings.hpp"

using namespace skipsim;
using skipsim::test::at;
using skipsim::test::ddr4;
using skipsim::test::drain;
using skipsim::test::dramsim3;

namespace {

uint64_t latency_of(DdrController& c, uint64_t addr, bool write, uint64_t cycle) {
  c.advance_to(cycle);
  c.enqueue(addr, write, cycle);
  drain(c);
  std::vector<DdrCompletion> done;
  c.take_completed(done);
  EXPECT_EQ(done.size(), 1u);
  return done.empty() ? 0 : done[0].done_cycle - cycle;
}

// The cycle of the first `cmd` logged for request `id` (kNever when none).
uint64_t cycle_of(const DdrController& c, DdrCommand cmd, uint64_t id) {
  for (const DdrIssued& e : c.log())
    if (e.cmd == cmd && e.request == id) return e.cycle;
  return DdrController::kNever;
}

std::vector<uint64_t> refreshes(const DdrController& c, int rank) {
  std::vector<uint64_t> out;
  for (const DdrIssued& e : c.log())
    if (e.cmd == DdrCommand::kRef && e.target.rank == rank) out.push_back(e.cycle);
  return out;
}

std::string config_error(const std::string& yaml) {
  try {
    parse_dram_preset("dram: {" + skipsim::test::with_ddr4_timings(yaml) + "}", "x.yaml");
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(DdrPerBank, PresetKeepsTheIdleLatencies) {
  const DdrConfig cfg = dramsim3();
  ASSERT_EQ(cfg.queue_structure, QueueStructure::kPerBank);
  DdrController c(cfg);
  const AddressMap& m = c.address_map();
  EXPECT_EQ(latency_of(c, m.encode(at(0, 1, 2, 100, 3)), false, 0), 49u);
  EXPECT_EQ(latency_of(c, m.encode(at(0, 1, 2, 100, 7)), false, 1000), 27u);
  EXPECT_EQ(latency_of(c, m.encode(at(0, 1, 2, 101, 3)), false, 2000), 71u);
}

// The transaction queue holds trans_queue_size requests; each bank's command queue
// cmd_queue_size more: requests to one bank back-pressure the others once both are full.
TEST(DdrPerBank, CommandQueueLimitBackPressuresTheTransactionQueue) {
  for (const int cmd_size : {2, 3}) {
    DdrConfig cfg = dramsim3();
    cfg.cmd_queue_size = cmd_size;
    cfg.trans_queue_size = 4;
    DdrController c(cfg);
    const AddressMap& m = c.address_map();
    int accepted = 0;
    for (uint64_t cycle = 0; cycle < 20; ++cycle) {
      c.advance_to(cycle);  // one move a cycle, no column command before cycle 23
      const uint64_t a = m.encode(at(0, 0, 0, 7, accepted));
      if (!c.can_accept(a, false)) break;
      c.enqueue(a, false, cycle);
      ++accepted;
    }
    EXPECT_EQ(accepted, 4 + cmd_size);
    EXPECT_FALSE(c.can_accept(m.encode(at(1, 3, 3, 9, 0)), false)) << "another bank";
    EXPECT_TRUE(c.can_accept(m.encode(at(1, 3, 3, 9, 0)), true)) << "writes queue apart";
    drain(c);
  }
  // The read/write structure takes read_queue reads whatever their banks.
  DdrConfig rw = ddr4();
  rw.read_queue = 6;
  DdrController c(rw);
  for (int i = 0; i < 6; ++i) c.enqueue(c.address_map().encode(at(0, 0, 0, 7, i)), false, 0);
  EXPECT_FALSE(c.can_accept(0, false));
}

// A write to another row ahead of a read hit in the bank's command queue: the row stays
// open for the read (the PRE waits until no queued command hits it), although the PRE is
// legal first and older.
TEST(DdrPerBank, PrechargeWaitsForQueuedRowHits) {
  DdrConfig cfg = dramsim3();
  cfg.tCCD_L = 40;              // the read hit is legal at 23 + 40, the PRE at 1 + tRAS = 53
  cfg.write_low_watermark = 0;  // a lone write drains once the command queues are empty
  DdrController c(cfg);
  c.set_log(true);
  const AddressMap& m = c.address_map();
  c.enqueue(m.encode(at(0, 0, 0, 1, 0)), false, 0);  // ACT 1, RD 23
  c.advance_to(30);
  const uint64_t w = c.enqueue(m.encode(at(0, 0, 0, 2, 0)), true, 30);   // moves at 31
  const uint64_t r = c.enqueue(m.encode(at(0, 0, 0, 1, 5)), false, 30);  // moves at 32
  drain(c);
  EXPECT_EQ(cycle_of(c, DdrCommand::kRd, r), 23u + 40u);
  EXPECT_GT(cycle_of(c, DdrCommand::kPre, w), 23u + 40u);
  EXPECT_EQ(c.stats().act, 2u);  // row 1, row 2, and no reopening of row 1
}

// After four column commands to the open row, an older conflicting request may close it.
TEST(DdrPerBank, FourRowHitsLetAnOlderConflictPrecharge) {
  DdrConfig cfg = dramsim3();
  cfg.tCCD_L = 40;  // after the reads at 23, 63, 103, 143: PRE legal at 155, a read at 183
  cfg.write_low_watermark = 0;
  DdrController c(cfg);
  c.set_log(true);
  const AddressMap& m = c.address_map();
  for (int i = 0; i < 4; ++i) c.enqueue(m.encode(at(0, 0, 0, 1, i)), false, 0);
  drain(c);
  const uint64_t w = c.enqueue(m.encode(at(0, 0, 0, 2, 0)), true, c.now() - 1);
  const uint64_t r = c.enqueue(m.encode(at(0, 0, 0, 1, 9)), false, c.now() - 1);
  drain(c);
  EXPECT_LT(cycle_of(c, DdrCommand::kPre, w), cycle_of(c, DdrCommand::kRd, r));
}

TEST(DdrPerBank, ReadOfAQueuedWriteIsForwardedAndWritesMerge) {
  DdrController c(dramsim3());
  c.set_log(true);
  c.advance_to(10);
  c.enqueue(0x1000, true, 10);
  const uint64_t merged = c.enqueue(0x1000, true, 10);
  const uint64_t fwd = c.enqueue(0x1000, false, 10);
  drain(c);
  std::vector<DdrCompletion> done;
  c.take_completed(done);
  ASSERT_EQ(done.size(), 3u);
  for (const DdrCompletion& d : done) {
    if (d.id == merged || d.id == fwd) EXPECT_EQ(d.done_cycle, 11u) << d.id;
  }
  EXPECT_EQ(c.stats().rd, 0u);
  EXPECT_EQ(c.stats().wr, 1u);
}

TEST(DdrRefresh, StaggeredRanksEveryTrefiApart) {
  DdrConfig cfg = ddr4();
  cfg.refresh = RefreshPolicy::kStaggered;
  DdrController c(cfg);
  c.set_log(true);
  c.advance_to(3 * 12480 + 10);
  const uint64_t half = 12480 / 2;
  EXPECT_EQ(refreshes(c, 0), (std::vector<uint64_t>{half - 1, half - 1 + 12480, half - 1 + 24960}));
  EXPECT_EQ(refreshes(c, 1),
            (std::vector<uint64_t>{2 * half - 1, 2 * half - 1 + 12480, 2 * half - 1 + 24960}));
  // all_ranks: both ranks at tREFI, one command a cycle.
  DdrController a(ddr4());
  a.set_log(true);
  a.advance_to(12480 + 10);
  EXPECT_EQ(refreshes(a, 0), std::vector<uint64_t>{12480});
  EXPECT_EQ(refreshes(a, 1), std::vector<uint64_t>{12481});
}

// Idle refresh rounds are skipped in O(1); with staggered ranks and per-bank queues the
// outcome equals the one simulated round by round.
TEST(DdrRefresh, IdleSkipIsExactStaggeredPerBank) {
  const DdrConfig cfg = dramsim3();
  std::vector<DdrCompletion> out[2];
  uint64_t refs[2] = {0, 0}, now[2] = {0, 0};
  for (int skip = 0; skip < 2; ++skip) {
    DdrController c(cfg);
    c.set_idle_skip(skip != 0);
    std::mt19937_64 rng(11);
    uint64_t t = 0;
    std::vector<DdrCompletion> got;
    for (int i = 0; i < 2000; ++i) {
      t += rng() % 100 < 3 ? rng() % (30 * static_cast<uint64_t>(cfg.tREFI)) : rng() % 8;
      const uint64_t addr = (rng() % (cfg.capacity_bytes() / 64)) * 64;
      const bool write = rng() % 10 < 3;
      c.advance_to(t);
      while (!c.can_accept(addr, write)) c.advance_to(c.next_event_cycle());
      c.enqueue(addr, write, c.now() - 1);
      c.take_completed(got);
      out[skip].insert(out[skip].end(), got.begin(), got.end());
    }
    drain(c);
    c.advance_to(t + 50 * static_cast<uint64_t>(cfg.tREFI) + 3);
    c.take_completed(got);
    out[skip].insert(out[skip].end(), got.begin(), got.end());
    refs[skip] = c.stats().ref;
    now[skip] = c.now();
  }
  ASSERT_EQ(out[0].size(), out[1].size());
  for (size_t i = 0; i < out[0].size(); ++i) {
    EXPECT_EQ(out[0][i].id, out[1][i].id) << i;
    EXPECT_EQ(out[0][i].done_cycle, out[1][i].done_cycle) << i;
  }
  EXPECT_EQ(refs[0], refs[1]);
  EXPECT_GT(refs[0], 100u);
  EXPECT_EQ(now[0], now[1]);
}

TEST(DdrTiming, RankSwitchGapsFromThePreset) {
  for (const int trtrs : {1, 2}) {
    DdrConfig cfg = ddr4();
    cfg.tRTRS = trtrs;
    DdrController c(cfg);
    c.issue(DdrCommand::kAct, at(0, 0, 0), 0);
    c.issue(DdrCommand::kAct, at(1, 0, 0), 1);
    c.issue(DdrCommand::kRd, at(0, 0, 0), 30);  // data [52, 56)
    EXPECT_EQ(c.earliest(DdrCommand::kRd, at(1, 0, 0)), 30u + 4u + trtrs) << trtrs;
  }
  // Read to write: read_to_write_gap idle clocks on the data bus (DDR4: 2, DRAMSim3: tRTRS).
  const DdrConfig ds = dramsim3();
  for (const int gap : {1, 2}) {
    DdrConfig cfg = ds;
    cfg.read_to_write_gap = gap;
    DdrController c(cfg);
    c.issue(DdrCommand::kAct, at(0, 0, 0), 0);
    c.issue(DdrCommand::kAct, at(0, 1, 0), 4);
    c.issue(DdrCommand::kRd, at(0, 0, 0), 30);
    EXPECT_EQ(c.earliest(DdrCommand::kWr, at(0, 1, 0)), 56u + gap - 16u) << gap;
  }
  // Write to write on another rank: tRTRS unless tRTRS_write_to_write is false.
  for (const bool w2w : {true, false}) {
    DdrConfig cfg = ds;
    cfg.tRTRS = 2;
    cfg.tRTRS_write_to_write = w2w;
    DdrController c(cfg);
    c.issue(DdrCommand::kAct, at(0, 0, 0), 0);
    c.issue(DdrCommand::kAct, at(1, 0, 0), 1);
    c.issue(DdrCommand::kWr, at(0, 0, 0), 30);  // data [46, 50)
    EXPECT_EQ(c.earliest(DdrCommand::kWr, at(1, 0, 0)), 30u + 4u + (w2w ? 2u : 0u)) << w2w;
  }
}

TEST(DdrConfig, QueueStructureAndRefreshErrors) {
  EXPECT_EQ(config_error("queue_structure: per_bank, refresh: staggered"), "");
  EXPECT_EQ(config_error("queue_structure: banks"),
            "config error: x.yaml: dram.queue_structure: expected one of: read_write, per_bank, "
            "got 'banks'");
  EXPECT_EQ(config_error("refresh: some"),
            "config error: x.yaml: dram.refresh: expected one of: all_ranks, staggered, got "
            "'some'");
  EXPECT_EQ(config_error("cmd_queue_size: 0"),
            "config error: x.yaml: dram.cmd_queue_size: expected an integer in [1, 256], got '0'");
  EXPECT_NE(config_error("trans_queue_size: -3")
                .find("dram.trans_queue_size: expected an integer "
                      "in [1, 4096]"),
            std::string::npos);
  EXPECT_NE(
      config_error("read_to_write_gap: x").find("dram.read_to_write_gap: expected an integer"),
      std::string::npos);
  EXPECT_NE(config_error("tRTRS_write_to_write: 2").find("dram.tRTRS_write_to_write: expected"),
            std::string::npos);
  EXPECT_EQ(config_error("refresh: staggered, ranks: 4, tRFC: 3, tREFI: 6"),
            "config error: x.yaml: dram.tREFI: expected at least 2 x ranks (8) with refresh: "
            "staggered, got 6");
}
