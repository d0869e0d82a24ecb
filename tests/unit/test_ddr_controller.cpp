// Unit tests of the DDR timing core: every timing constraint at its exact edge, idle
// latencies, bandwidth limits (bank group interleaving, tCCD_L, tFAW), refresh, write drain,
// page policies, statistics and the configuration loader.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "hw/common/errors.hpp"
#include "hw/dram/ddr_config.hpp"
#include "hw/dram/ddr_controller.hpp"
#include "hw/dram/dram_stats.hpp"
#include "tb/config/dram_preset.hpp"
#include "tests/common/ddr_helpers.hpp"
#include "tests/common/dram_timings.hpp"

using namespace skipsim;
using skipsim::test::at;
using skipsim::test::ddr4;
using skipsim::test::drain;

namespace {

const std::string kSourceDir = SKIPSIM_SOURCE_DIR;

// `cmd` to `t` is legal at `cycle` and not one cycle earlier.
void expect_edge(const DdrController& c, DdrCommand cmd, const DramAddress& t, uint64_t cycle) {
  EXPECT_FALSE(c.is_legal(cmd, t, cycle - 1)) << to_string(cmd) << " at " << cycle - 1;
  EXPECT_TRUE(c.is_legal(cmd, t, cycle)) << to_string(cmd) << " at " << cycle;
  EXPECT_EQ(c.earliest(cmd, t), cycle) << to_string(cmd);
}

// One request on an otherwise idle controller: its latency (done - accepted).
uint64_t latency_of(DdrController& c, uint64_t addr, bool write, uint64_t cycle) {
  c.advance_to(cycle);
  const uint64_t id = c.enqueue(addr, write, cycle);
  drain(c);
  std::vector<DdrCompletion> done;
  c.take_completed(done);
  EXPECT_EQ(done.size(), 1u);
  EXPECT_EQ(done.at(0).id, id);
  return done.at(0).done_cycle - cycle;
}

// Feeds `addrs` as reads (or writes) as fast as the queue accepts them, from cycle 0; returns
// the fraction of peak bandwidth reached.
double stream_fraction_of_peak(DdrController& c, const std::vector<uint64_t>& addrs,
                               bool write = false) {
  c.advance_to(0);
  for (uint64_t a : addrs) {
    while (!c.can_accept(a, write)) c.advance_to(c.next_event_cycle());
    c.enqueue(a, write, c.now() - 1);
  }
  drain(c);
  StatsNode n;
  c.report(n);
  return n.num("bandwidth_fraction_of_peak");
}

std::vector<uint64_t> command_cycles(const DdrController& c, DdrCommand cmd, int rank = -1) {
  std::vector<uint64_t> out;
  for (const DdrIssued& e : c.log()) {
    if (e.cmd == cmd && (rank < 0 || e.target.rank == rank)) out.push_back(e.cycle);
  }
  std::sort(out.begin(), out.end());
  return out;
}

// ---------------------------------------------------------------------------------------
// Each constraint: legal at exactly its value, illegal one DRAM cycle earlier.

TEST(DdrTiming, Trcd) {
  DdrController c(ddr4());
  c.issue(DdrCommand::kAct, at(0, 0, 0, 5), 0);
  expect_edge(c, DdrCommand::kRd, at(0, 0, 0, 5), 22);
  expect_edge(c, DdrCommand::kWr, at(0, 0, 0, 5), 22);
  EXPECT_EQ(c.earliest(DdrCommand::kRd, at(0, 0, 0, 6)), DdrController::kNever);  // other row
}

TEST(DdrTiming, Tras) {
  DdrController c(ddr4());
  c.issue(DdrCommand::kAct, at(0, 0, 0), 0);
  expect_edge(c, DdrCommand::kPre, at(0, 0, 0), 52);
}

TEST(DdrTiming, Trp) {
  DdrController c(ddr4());
  c.issue(DdrCommand::kAct, at(0, 0, 0), 0);
  c.issue(DdrCommand::kPre, at(0, 0, 0), 100);
  expect_edge(c, DdrCommand::kAct, at(0, 0, 0, 1), 122);
}

TEST(DdrTiming, TrcWhenLongerThanTrasPlusTrp) {
  DdrConfig cfg = ddr4();
  cfg.tRC = 80;
  DdrController c(cfg);
  c.issue(DdrCommand::kAct, at(0, 0, 0), 0);
  c.issue(DdrCommand::kPre, at(0, 0, 0), 52);
  expect_edge(c, DdrCommand::kAct, at(0, 0, 0, 1), 80);  // tRP alone would allow 74
}

TEST(DdrTiming, TrrdShortAndLong) {
  DdrController c(ddr4());
  c.issue(DdrCommand::kAct, at(0, 0, 0), 0);
  expect_edge(c, DdrCommand::kAct, at(0, 1, 0), 4);          // other bank group: tRRD_S
  expect_edge(c, DdrCommand::kAct, at(0, 0, 1), 8);          // same bank group: tRRD_L
  EXPECT_EQ(c.earliest(DdrCommand::kAct, at(1, 0, 1)), 1u);  // other rank: only the command bus
}

TEST(DdrTiming, Tfaw) {
  DdrController c(ddr4());
  for (int i = 0; i < 4; ++i) c.issue(DdrCommand::kAct, at(0, i, 0), 4 * i);
  // tRRD alone would allow the fifth ACT at 16.
  expect_edge(c, DdrCommand::kAct, at(0, 1, 1), 34);
  EXPECT_EQ(c.earliest(DdrCommand::kAct, at(1, 1, 1)), 13u);  // the window is per rank
}

TEST(DdrTiming, TccdShortAndLong) {
  DdrController c(ddr4());
  c.issue(DdrCommand::kAct, at(0, 0, 0), 0);
  c.issue(DdrCommand::kAct, at(0, 1, 0), 4);
  c.issue(DdrCommand::kAct, at(0, 0, 1), 8);
  c.issue(DdrCommand::kRd, at(0, 0, 0), 30);
  expect_edge(c, DdrCommand::kRd, at(0, 1, 0), 34);  // tCCD_S
  expect_edge(c, DdrCommand::kRd, at(0, 0, 1), 38);  // tCCD_L
}

TEST(DdrTiming, TwtrShortAndLong) {
  DdrController c(ddr4());
  c.issue(DdrCommand::kAct, at(0, 0, 0), 0);
  c.issue(DdrCommand::kAct, at(0, 1, 0), 4);
  c.issue(DdrCommand::kWr, at(0, 0, 0), 30);              // data ends at 30 + CWL 16 + 4 = 50
  expect_edge(c, DdrCommand::kRd, at(0, 1, 0), 50 + 4);   // tWTR_S
  expect_edge(c, DdrCommand::kRd, at(0, 0, 0), 50 + 12);  // tWTR_L
}

TEST(DdrTiming, Trtp) {
  DdrController c(ddr4());
  c.issue(DdrCommand::kAct, at(0, 0, 0), 0);
  c.issue(DdrCommand::kRd, at(0, 0, 0), 100);
  expect_edge(c, DdrCommand::kPre, at(0, 0, 0), 112);
}

TEST(DdrTiming, TwrFromEndOfWriteData) {
  DdrController c(ddr4());
  c.issue(DdrCommand::kAct, at(0, 0, 0), 0);
  c.issue(DdrCommand::kWr, at(0, 0, 0), 100);
  expect_edge(c, DdrCommand::kPre, at(0, 0, 0), 100 + 16 + 4 + 24);
}

TEST(DdrTiming, Trfc) {
  DdrController c(ddr4());
  c.issue(DdrCommand::kRef, at(0, 0, 0), 10);
  expect_edge(c, DdrCommand::kAct, at(0, 2, 3), 570);
  EXPECT_EQ(c.earliest(DdrCommand::kAct, at(1, 2, 3)), 11u);  // the other rank is not blocked
}

TEST(DdrTiming, RefreshNeedsAllBanksPrecharged) {
  DdrController c(ddr4());
  c.issue(DdrCommand::kAct, at(0, 3, 3), 0);
  EXPECT_EQ(c.earliest(DdrCommand::kRef, at(0, 0, 0)), DdrController::kNever);
  c.issue(DdrCommand::kPre, at(0, 3, 3), 52);
  expect_edge(c, DdrCommand::kRef, at(0, 0, 0), 74);  // tRP (and tRC) after the PRE
}

TEST(DdrTiming, RankSwitchAndReadToWriteOnTheDataBus) {
  DdrController c(ddr4());
  c.issue(DdrCommand::kAct, at(0, 0, 0), 0);
  c.issue(DdrCommand::kAct, at(1, 0, 0), 1);
  c.issue(DdrCommand::kAct, at(0, 1, 0), 4);
  c.issue(DdrCommand::kRd, at(0, 0, 0), 30);                 // data [52, 56)
  expect_edge(c, DdrCommand::kRd, at(1, 0, 0), 30 + 4 + 2);  // + tRTRS
  // Write data may start 2 cycles after the read data ends: 56 + 2 - CWL.
  expect_edge(c, DdrCommand::kWr, at(0, 1, 0), 56 + 2 - 16);
  EXPECT_EQ(c.earliest(DdrCommand::kWr, at(0, 2, 0)), DdrController::kNever);  // bank closed
}

TEST(DdrTiming, IssueRejectsAnIllegalCommand) {
  DdrController c(ddr4());
  c.issue(DdrCommand::kAct, at(0, 0, 0), 0);
  EXPECT_THROW(c.issue(DdrCommand::kRd, at(0, 0, 0), 21), std::logic_error);
  EXPECT_THROW(c.issue(DdrCommand::kAct, at(0, 0, 0), 200), std::logic_error);  // bank open
}

// ---------------------------------------------------------------------------------------
// The scheduler

TEST(DdrLatency, IdleReadRowHitClosedBankConflict) {
  DdrController c(ddr4());
  const AddressMap& m = c.address_map();
  const uint64_t a = m.encode(at(0, 1, 2, 100, 3));
  const uint64_t same_row = m.encode(at(0, 1, 2, 100, 7));
  const uint64_t other_row = m.encode(at(0, 1, 2, 101, 3));
  EXPECT_EQ(latency_of(c, a, false, 0), 49u);             // tRCD + CL + BL/2 + 1
  EXPECT_EQ(latency_of(c, same_row, false, 1000), 27u);   // CL + BL/2 + 1
  EXPECT_EQ(latency_of(c, other_row, false, 2000), 71u);  // tRP + tRCD + CL + BL/2 + 1
  const DdrStats& s = c.stats();
  EXPECT_EQ(s.row_misses, 1u);
  EXPECT_EQ(s.row_hits, 1u);
  EXPECT_EQ(s.row_conflicts, 1u);
  EXPECT_EQ(s.act, 2u);
  EXPECT_EQ(s.pre, 1u);
  EXPECT_EQ(s.rd, 3u);
  EXPECT_DOUBLE_EQ(s.read_latency.mean(), (49 + 27 + 71) / 3.0);
}

TEST(DdrLatency, IdleWriteIsCwlLater) {
  DdrController c(ddr4());
  EXPECT_EQ(latency_of(c, 0, true, 0), 22u + 16 + 4 + 1);
}

TEST(DdrLatency, ClosedPagePrechargesAfterEachAccess) {
  DdrConfig cfg = ddr4();
  cfg.page_policy = PagePolicy::kClosed;
  DdrController c(cfg);
  const uint64_t a = c.address_map().encode(at(0, 0, 0, 9, 0));
  const uint64_t b = c.address_map().encode(at(0, 0, 0, 9, 1));
  EXPECT_EQ(latency_of(c, a, false, 0), 49u);
  EXPECT_EQ(latency_of(c, b, false, 1000), 49u);  // same row, but the bank was closed
  EXPECT_EQ(c.stats().act, 2u);
  EXPECT_EQ(c.stats().pre, 2u);
  EXPECT_EQ(c.stats().row_hits, 0u);
  // With open pages the second access hits.
  DdrController o(ddr4());
  latency_of(o, a, false, 0);
  EXPECT_EQ(latency_of(o, b, false, 1000), 27u);
  EXPECT_EQ(o.stats().pre, 0u);
}

TEST(DdrLatency, ClosedPageAutoPrechargeRespectsTras) {
  DdrConfig cfg = ddr4();
  cfg.page_policy = PagePolicy::kClosed;
  DdrController c(cfg);
  c.set_log(true);
  latency_of(c, 0, false, 0);  // ACT at 1, RD at 23: PRE at max(1 + tRAS, 23 + tRTP) = 53
  EXPECT_EQ(command_cycles(c, DdrCommand::kPre), std::vector<uint64_t>{53});
}

TEST(DdrBandwidth, SequentialWithBankGroupsBelowColumnsAbove90Percent) {
  DdrConfig cfg = ddr4();
  cfg.address_map = "ro-ra-ba-co-bg-ch";
  DdrController c(cfg);
  std::vector<uint64_t> addrs;
  for (uint64_t i = 0; i < 40000; ++i) addrs.push_back(i * 64);
  const double f = stream_fraction_of_peak(c, addrs);
  EXPECT_GT(f, 0.90);
  EXPECT_LE(f, 1.0);
}

TEST(DdrBandwidth, OneBankGroupStreamLimitedByTccdL) {
  DdrConfig cfg = ddr4();
  cfg.address_map = "bg-ro-ra-ba-co-ch";  // a sequential stream stays in bank group 0
  DdrController c(cfg);
  std::vector<uint64_t> addrs;
  for (uint64_t i = 0; i < 40000; ++i) addrs.push_back(i * 64);
  const double f = stream_fraction_of_peak(c, addrs);
  const double bound = static_cast<double>(cfg.data_cycles()) / cfg.tCCD_L;  // 4 / 8
  EXPECT_LE(f, bound + 1e-9);
  EXPECT_GT(f, 0.9 * bound);  // less refresh and row switches
}

TEST(DdrBandwidth, RandomReadsOnOneRankLimitedByTfaw) {
  DdrConfig cfg = ddr4();
  cfg.ranks = 1;
  DdrController c(cfg);
  c.set_log(true);
  std::mt19937_64 rng(7);
  std::vector<uint64_t> addrs;
  for (int i = 0; i < 20000; ++i) addrs.push_back(rng() % cfg.capacity_bytes() & ~uint64_t{63});
  const double f = stream_fraction_of_peak(c, addrs);
  const std::vector<uint64_t> acts = command_cycles(c, DdrCommand::kAct);
  ASSERT_GT(acts.size(), 19000u);
  for (size_t i = 4; i < acts.size(); ++i) {
    ASSERT_GE(acts[i] - acts[i - 4], static_cast<uint64_t>(cfg.tFAW)) << "ACT " << i;
  }
  // At most four bursts (one per ACT) per tFAW window.
  const double bound = 4.0 * cfg.data_cycles() / cfg.tFAW;
  EXPECT_LE(f, bound * 1.01);
  EXPECT_GT(f, 0.85 * bound);
}

TEST(DdrRefresh, EveryTrefiAndBlocksForTrfc) {
  const DdrConfig cfg = ddr4();
  DdrController c(cfg);
  c.set_log(true);
  c.advance_to(3 * cfg.tREFI + 5);
  const uint64_t refi = cfg.tREFI;
  EXPECT_EQ(command_cycles(c, DdrCommand::kRef, 0),
            (std::vector<uint64_t>{refi, 2 * refi, 3 * refi}));
  EXPECT_EQ(command_cycles(c, DdrCommand::kRef, 1).size(), 3u);
  // A read arriving as the rank refreshes waits tRFC for its ACT.
  const uint64_t t = 4 * refi;
  EXPECT_EQ(latency_of(c, 0, false, t), static_cast<uint64_t>(cfg.tRFC) + 22 + 26);
  EXPECT_EQ(c.stats().ref, 8u);
}

TEST(DdrRefresh, PrechargesOpenBanksFirst) {
  const DdrConfig cfg = ddr4();
  DdrController c(cfg);
  c.set_log(true);
  const uint64_t due = cfg.tREFI;
  latency_of(c, 0, false, due - 10);  // ACT at due - 9 leaves the bank open
  c.advance_to(due + 200);
  // PRE once tRAS has passed, REF tRP later.
  const uint64_t pre = due - 9 + cfg.tRAS;
  EXPECT_EQ(command_cycles(c, DdrCommand::kPre, 0), std::vector<uint64_t>{pre});
  EXPECT_EQ(command_cycles(c, DdrCommand::kRef, 0), std::vector<uint64_t>{pre + cfg.tRP});
}

// The order in which column commands issued: 'R' and 'W'.
std::string column_order(const DdrController& c) {
  std::vector<std::pair<uint64_t, char>> cmds;
  for (const DdrIssued& e : c.log()) {
    if (e.cmd == DdrCommand::kRd) cmds.push_back({e.cycle, 'R'});
    if (e.cmd == DdrCommand::kWr) cmds.push_back({e.cycle, 'W'});
  }
  std::sort(cmds.begin(), cmds.end());
  std::string s;
  for (const auto& p : cmds) s += p.second;
  return s;
}

std::string drain_order(int reads, int writes) {
  DdrConfig cfg = ddr4();
  cfg.write_queue = 16;
  cfg.write_high_watermark = 12;
  cfg.write_low_watermark = 4;
  DdrController c(cfg);
  c.set_log(true);
  c.advance_to(0);
  for (int i = 0; i < reads; ++i) c.enqueue(static_cast<uint64_t>(i) * 64, false, 0);
  for (int i = 0; i < writes; ++i) c.enqueue((1u << 20) + static_cast<uint64_t>(i) * 64, true, 0);
  drain(c);
  return column_order(c);
}

TEST(DdrWriteDrain, BelowHighWatermarkReadsGoFirst) {
  EXPECT_EQ(drain_order(8, 11), std::string(8, 'R') + std::string(11, 'W'));
}

TEST(DdrWriteDrain, HighWatermarkDrainsDownToLowWatermark) {
  // 12 writes reach the high watermark: 8 drain (to 4), then the reads, then the rest.
  EXPECT_EQ(drain_order(8, 12), std::string(8, 'W') + std::string(8, 'R') + std::string(4, 'W'));
}

TEST(DdrController, QueueBackPressure) {
  DdrConfig cfg = ddr4();
  cfg.read_queue = 4;
  DdrController c(cfg);
  c.advance_to(0);
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(c.can_accept(0, false));
    c.enqueue(static_cast<uint64_t>(i) * 256, false, 0);  // one row of one bank
  }
  EXPECT_FALSE(c.can_accept(0, false));
  EXPECT_TRUE(c.can_accept(0, true));
  EXPECT_THROW(c.enqueue(0, false, 0), std::logic_error);
  c.advance_to(c.next_event_cycle());  // ACT
  EXPECT_FALSE(c.can_accept(0, false));
  c.advance_to(c.next_event_cycle());  // RD frees a slot
  EXPECT_TRUE(c.can_accept(0, false));
  EXPECT_EQ(c.pending(), 3u);
}

TEST(DdrController, EventDrivenJumpsOverIdleCycles) {
  DdrController c(ddr4());
  EXPECT_EQ(c.next_event_cycle(), 12480u);  // nothing before the first refresh
  c.advance_to(0);
  c.enqueue(0, false, 0);
  EXPECT_EQ(c.next_event_cycle(), 1u);  // ACT one pipeline cycle after acceptance
  c.advance_to(1);
  EXPECT_EQ(c.next_event_cycle(), 23u);  // RD tRCD later
}

// A random trace with idle gaps of up to 40 refresh intervals, replayed with and without the
// O(1) skip of idle refresh rounds: the same completions, command counts and latencies.
void replay_gappy(const DdrConfig& cfg, bool skip, std::vector<DdrCompletion>& done,
                  DdrStats& stats, uint64_t& now) {
  DdrController c(cfg);
  c.set_idle_skip(skip);
  std::mt19937_64 rng(7);
  uint64_t t = 0;
  std::vector<DdrCompletion> got;
  for (int i = 0; i < 3000; ++i) {
    const uint64_t r = rng() % 100;
    t += r < 3 ? rng() % (40 * static_cast<uint64_t>(cfg.tREFI)) : rng() % 8;
    const uint64_t addr = (rng() % (cfg.capacity_bytes() / 64)) * 64;
    const bool write = rng() % 10 < 3;
    c.advance_to(t);
    while (!c.can_accept(addr, write)) c.advance_to(c.next_event_cycle());
    c.enqueue(addr, write, c.now() - 1);
    c.take_completed(got);
    done.insert(done.end(), got.begin(), got.end());
  }
  drain(c);
  c.advance_to(t + 100 * static_cast<uint64_t>(cfg.tREFI) + 17);
  c.take_completed(got);
  done.insert(done.end(), got.begin(), got.end());
  stats = c.stats();
  now = c.now();
}

void expect_idle_skip_exact(DdrConfig cfg) {
  std::vector<DdrCompletion> a, b;
  DdrStats sa, sb;
  uint64_t na = 0, nb = 0;
  replay_gappy(cfg, true, a, sa, na);
  replay_gappy(cfg, false, b, sb, nb);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].id, b[i].id) << i;
    EXPECT_EQ(a[i].done_cycle, b[i].done_cycle) << i;
  }
  EXPECT_EQ(na, nb);
  EXPECT_EQ(sa.ref, sb.ref);
  EXPECT_GT(sa.ref, 100u);
  EXPECT_EQ(sa.act, sb.act);
  EXPECT_EQ(sa.pre, sb.pre);
  EXPECT_EQ(sa.row_hits, sb.row_hits);
  EXPECT_EQ(sa.read_latency.mean(), sb.read_latency.mean());
  EXPECT_EQ(sa.write_latency.max(), sb.write_latency.max());
}

TEST(DdrRefresh, IdleSkipIsExactOpenPageTwoRanks) {
  DdrConfig cfg = ddr4();
  ASSERT_EQ(cfg.ranks, 2);
  expect_idle_skip_exact(cfg);
}

TEST(DdrRefresh, IdleSkipIsExactClosedPageFourRanksTwoChannels) {
  DdrConfig cfg = ddr4();
  cfg.page_policy = PagePolicy::kClosed;
  cfg.ranks = 4;
  cfg.channels = 2;
  expect_idle_skip_exact(cfg);
}

TEST(DdrRefresh, IdleSkipJumpsAnyGapInConstantTime) {
  const DdrConfig cfg = ddr4();
  DdrController c(cfg);
  const uint64_t far = uint64_t{1} << 60;  // 2^60 cycles: ~2^47 refresh rounds
  c.advance_to(far);
  c.enqueue(0, false, far);
  drain(c);
  std::vector<DdrCompletion> done;
  c.take_completed(done);
  ASSERT_EQ(done.size(), 1u);
  // Both ranks refreshed once per whole interval up to `far`.
  EXPECT_EQ(c.stats().ref, 2 * (far / cfg.tREFI));
  EXPECT_GE(done[0].done_cycle - far, 49u);
}

TEST(DdrStats, LatencyHistogramPercentiles) {
  LatencyHistogram h;
  for (uint64_t v = 1; v <= 100; ++v) h.add(v);
  EXPECT_EQ(h.percentile(0.5), 50u);
  EXPECT_EQ(h.percentile(0.99), 99u);
  EXPECT_EQ(h.max(), 100u);
  EXPECT_DOUBLE_EQ(h.mean(), 50.5);
  LatencyHistogram big;
  big.add(1000000);
  const double p = static_cast<double>(big.percentile(0.5));
  EXPECT_NEAR(p, 1e6, 1e6 / 128);
}

TEST(DdrStats, EnergyAndReportKeys) {
  DdrController c(ddr4());
  latency_of(c, 0, false, 0);
  latency_of(c, 256, true, 100);  // a row hit
  StatsNode j;
  c.report(j);
  for (const char* k : {"total_cycles", "avg_read_latency", "bandwidth_gbps", "row_hit_rate",
                        "utilization", "commands", "energy_pj", "read_latency"}) {
    EXPECT_TRUE(j.has(k)) << k;
  }
  const DdrConfig cfg = ddr4();
  const double cmd = cfg.e_act_pj + cfg.e_rd_pj + cfg.e_wr_pj;
  const double bg = cfg.background_mw * cfg.ranks * j.num("total_cycles") * cfg.tck_ns();
  EXPECT_NEAR(j.at("energy_pj").num("total"), cmd + bg, 1e-6 * (cmd + bg));
  EXPECT_EQ(j.at("commands").u64("WR"), 1u);
  EXPECT_EQ(j.u64("bytes_written"), 64u);
}

// ---------------------------------------------------------------------------------------
// Configuration

std::string config_error(const std::string& yaml) {
  try {
    parse_dram_preset("dram: {" + skipsim::test::with_ddr4_timings(yaml) + "}", "x.yaml");
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(DdrConfig, Ddr4PresetHasTheDesignFigures) {
  const DdrConfig c = ddr4();
  EXPECT_EQ(c.tCK_ps, 625);
  EXPECT_EQ(c.ranks, 2);
  EXPECT_EQ(c.bank_groups * c.banks_per_group, 16);
  EXPECT_EQ(c.burst_bytes(), 64);
  EXPECT_EQ(c.columns / c.burst_length * c.burst_bytes(), 8192);  // 8 KB page
  const int t[] = {c.CL,     c.tRCD, c.tRP, c.tRAS, c.CWL,    c.tCCD_S, c.tCCD_L, c.tRRD_S,
                   c.tRRD_L, c.tFAW, c.tWR, c.tRTP, c.tWTR_S, c.tWTR_L, c.tRFC,   c.tREFI};
  const int want[] = {22, 22, 22, 52, 16, 4, 8, 4, 8, 34, 24, 12, 4, 12, 560, 12480};
  for (size_t i = 0; i < std::size(t); ++i) EXPECT_EQ(t[i], want[i]) << i;
  EXPECT_DOUBLE_EQ(c.peak_gbytes_per_s(), 25.6);
}

TEST(DdrConfig, EveryPresetLoads) {
  for (const char* p : {"ddr4_3200", "ddr4_2400", "lpddr4_3200", "hbm2_pc"}) {
    const DdrConfig c = load_dram_preset(kSourceDir + "/configs/dram/" + p + ".yaml");
    DdrController ctl(c);
    EXPECT_GT(latency_of(ctl, 0, false, 0), 0u) << p;
  }
}

TEST(DdrConfig, ErrorsNameTheKeyAndTheRange) {
  EXPECT_EQ(config_error("tRCD: 22"), "");
  EXPECT_NE(config_error("tRCDX: 1").find("dram.tRCDX: unknown key (allowed: name, channels"),
            std::string::npos);
  EXPECT_EQ(config_error("tRCD: 0"),
            "config error: x.yaml: dram.tRCD: expected an integer in [1, 1000], got '0'");
  EXPECT_NE(config_error("tRCD: 1.5").find("dram.tRCD: expected an integer"), std::string::npos);
  EXPECT_NE(config_error("tRCD: '22'").find("the string '22'"), std::string::npos);
  EXPECT_NE(config_error("ranks: 3").find("dram.ranks: expected a power of two"),
            std::string::npos);
  EXPECT_NE(
      config_error("page_policy: half").find("dram.page_policy: expected one of: open, closed"),
      std::string::npos);
  EXPECT_NE(config_error("write_low_watermark: 30").find("dram.write_low_watermark"),
            std::string::npos);
  EXPECT_NE(config_error("address_map: ro-ra-bg-ba-co")
                .find("dram.address_map: field 'ch' is "
                      "missing"),
            std::string::npos);
  EXPECT_NE(config_error("e_act_pj: -1").find("dram.e_act_pj: expected a number in [0"),
            std::string::npos);
}

}  // namespace

TEST(DdrConfig, PresetWithoutATimingKeyNamesTheMissingOnes) {
  std::string all = skipsim::test::with_ddr4_timings("name: X");
  const std::string trcd = ", tRCD: 22";
  all.erase(all.find(trcd), trcd.size());
  try {
    parse_dram_preset("dram: {" + all + "}", "p.yaml");
    FAIL() << "expected a config error";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()),
              "config error: p.yaml: dram: a preset must give every timing key (tRC: 0 for tRAS "
              "+ tRP); missing: tRCD");
  }
  try {
    parse_dram_preset("dram: {name: X, tRP: 22}", "p.yaml");
    FAIL() << "expected a config error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("missing: tCK_ps, CL, CWL, tRCD, tRAS, tRC,"),
              std::string::npos)
        << e.what();
  }
}
