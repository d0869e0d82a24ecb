// The RTL's own claims checked at run time (occupancy port, depth, data holding), and
// co-simulation at transaction level: test models in cosim/rtl, each the shipped skip FIFO
// with one thing changed.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "Vskip_fifo_data_moves.h"
#include "Vskip_fifo_ignores_depth.h"
#include "Vskip_fifo_latency.h"
#include "Vskip_fifo_occupancy_stuck.h"
#include "hw/rtl/rtl_skip_fifo.hpp"
#include "tb/config/config.hpp"
#include "tb/modes/run.hpp"
#include "tb/ref/block_params.hpp"

namespace fs = std::filesystem;
using namespace skipsim;

namespace {
const std::string kSrc = SKIPSIM_SOURCE_DIR;

template <class V>
std::function<std::unique_ptr<SkipFifoBase>(const char*, uint64_t)> fifo() {
  return [](const char* name, uint64_t depth) {
    return std::unique_ptr<SkipFifoBase>(std::make_unique<RtlSkipFifoT<V>>(name, depth));
  };
}

RunResult run(const std::string& config, const std::vector<std::string>& sets,
              const RunOptions& opt) {
  const Config cfg = load_config(kSrc + "/" + config, sets);
  const BlockParams p = random_block(block_shape(cfg.workload), cfg.workload.seed);
  RunResult r = run_block(cfg, p, opt);
  finish_run(r, cfg, p, true);
  return r;
}

// A beat offered one edge late: what --cosim skip_fifo sees.
RunResult late_fifo_cosim(CosimCompare compare, bool keep_going) {
  RunOptions opt;
  opt.cosim.module = "skip_fifo";
  opt.cosim.compare = compare;
  opt.cosim.keep_going = keep_going;
  opt.cosim.skip_fifo_rtl = fifo<Vskip_fifo_latency>();
  return run("configs/workloads/tiny_basic.yaml", {"sim.output_stall_probability=0.3"}, opt);
}

int cli(const std::string& args, std::string* err = nullptr) {
  const fs::path e = fs::temp_directory_path() /
                     ("skipsim_rtlchecks_" +
                      std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
  const std::string cmd = std::string(SKIPSIM_BINARY) + " run -q --config " + kSrc +
                          "/configs/workloads/tiny_basic.yaml " + args + " 2>" + e.string();
  const int st = std::system(cmd.c_str());
  if (err) {
    std::ifstream f(e);
    err->assign(std::istreambuf_iterator<char>(f), {});
  }
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}
}  // namespace

TEST(RtlChecks, ExtraLatencyFailsPinComparisonAtTheFirstOutValid) {
  const RunResult r = late_fifo_cosim(CosimCompare::kPins, false);
  ASSERT_EQ(r.end, RunResult::End::kCosimMismatch);
  const auto& c = r.report["cosim"];
  EXPECT_EQ(c["first_mismatch"]["pin"], "out_valid");
  EXPECT_EQ(c["differences"].get<uint64_t>(), 1u);
}

TEST(RtlChecks, ExtraLatencyPassesTransactionComparisonWithItsLatency) {
  const RunResult r = late_fifo_cosim(CosimCompare::kTransactions, false);
  ASSERT_EQ(r.end, RunResult::End::kFinished);
  EXPECT_TRUE(r.report["output"]["matches_golden"].get<bool>());
  const auto& c = r.report["cosim"];
  EXPECT_TRUE(c["equal"].get<bool>());
  EXPECT_EQ(c["compare"], "transactions");
  const auto& out = c["ports"]["out"];
  EXPECT_GT(out["systemc_beats"].get<uint64_t>(), 0u);
  EXPECT_EQ(out["systemc_beats"], out["rtl_beats"]);
  const auto& l = c["latency_difference"];
  EXPECT_EQ(l["beats"], out["systemc_beats"]);
  // One edge late where the FIFO ran empty, hidden where beats queue in it.
  EXPECT_EQ(l["min"].get<int64_t>(), 0);
  EXPECT_GT(l["mean"].get<double>(), 0.0);
  EXPECT_EQ(l["max"].get<int64_t>(), 1);
}

TEST(RtlChecks, KeepGoingCountsEveryDifferingPinCycle) {
  const RunResult r = late_fifo_cosim(CosimCompare::kPins, true);
  ASSERT_EQ(r.end, RunResult::End::kCosimMismatch);
  const auto& c = r.report["cosim"];
  EXPECT_GT(c["differences"].get<uint64_t>(), 1u);
  EXPECT_GT(c["pin_differences"]["out_valid"].get<uint64_t>(), 1u);
  EXPECT_EQ(c["first_mismatch"]["pin"], "out_valid");
  // The run went on to the end.
  EXPECT_GT(c["compared_cycles"].get<uint64_t>(),
            c["first_mismatch"]["cycle"].get<uint64_t>() + 100);
}

TEST(RtlChecks, OccupancyPortStuckAtZeroStopsTheRun) {
  RunOptions opt;
  opt.cosim.pipeline_skip_fifo_rtl = fifo<Vskip_fifo_occupancy_stuck>();
  const RunResult r =
      run("configs/workloads/tiny_basic.yaml", {"hardware.skip_fifo.impl=rtl"}, opt);
  ASSERT_EQ(r.end, RunResult::End::kRtlCheckFailed);
  EXPECT_NE(r.rtl_failure.find("its occupancy port says 0 beats, its handshakes say 1"),
            std::string::npos)
      << r.rtl_failure;
  const auto& k = r.report["rtl_checks"]["skip_fifo"];
  EXPECT_GE(k["occupancy_mismatches"].get<uint64_t>(), 1u);
  EXPECT_GT(k["first_occupancy_mismatch_cycle"].get<uint64_t>(), 0u);
  EXPECT_EQ(r.report["rtl_check_failure"], r.rtl_failure);
}

// With the shipped FIFO, depth 64 deadlocks the default block; a FIFO that ignores its
// depth would finish. The check stops it instead.
TEST(RtlChecks, FifoIgnoringItsDepthIsCaughtOnTheDefaultBlock) {
  RunOptions opt;
  opt.cosim.pipeline_skip_fifo_rtl = fifo<Vskip_fifo_ignores_depth>();
  const RunResult r = run("configs/resnet18_conv2x.yaml",
                          {"hardware.skip_fifo.impl=rtl", "hardware.skip_fifo.depth=64"}, opt);
  ASSERT_EQ(r.end, RunResult::End::kRtlCheckFailed);
  EXPECT_NE(r.rtl_failure.find("holds 65 beats (65 from its handshakes), more than its depth 64"),
            std::string::npos)
      << r.rtl_failure;
}

TEST(RtlChecks, DataMovingWhileValidIsLowIsReportedWithItsFirstCycle) {
  RunOptions opt;
  opt.cosim.pipeline_skip_fifo_rtl = fifo<Vskip_fifo_data_moves>();
  const RunResult r =
      run("configs/workloads/tiny_basic.yaml", {"hardware.skip_fifo.impl=rtl"}, opt);
  ASSERT_EQ(r.end, RunResult::End::kFinished);  // a warning, not a failure
  EXPECT_TRUE(r.report["output"]["matches_golden"].get<bool>());
  const auto& o = r.report["rtl_checks"]["skip_fifo"]["out"];
  EXPECT_GT(o["data_changed_while_invalid"].get<uint64_t>(), 0u);
  EXPECT_GT(o["first_data_changed_while_invalid_cycle"].get<uint64_t>(), 0u);
  EXPECT_EQ(o["data_changed_while_stalled"].get<uint64_t>(), 0u);
}

TEST(RtlChecks, ShippedRtlPassesEveryCheck) {
  RunOptions opt;
  const RunResult r = run("configs/workloads/tiny_basic.yaml",
                          {"hardware.skip_fifo.impl=rtl", "hardware.fork.impl=rtl",
                           "hardware.add.impl=rtl", "sim.output_stall_probability=0.3"},
                          opt);
  ASSERT_EQ(r.end, RunResult::End::kFinished);
  const auto& k = r.report["rtl_checks"];
  EXPECT_EQ(k["skip_fifo"]["occupancy_mismatches"].get<uint64_t>(), 0u);
  EXPECT_EQ(k["skip_fifo"]["over_depth_cycles"].get<uint64_t>(), 0u);
  EXPECT_GT(k["skip_fifo"]["max_rtl_occupancy"].get<uint64_t>(), 0u);
  for (const auto& [block, port] : {std::pair<const char*, const char*>{"skip_fifo", "out"},
                                    {"fork", "main"},
                                    {"fork", "skip"},
                                    {"add", "out"}}) {
    EXPECT_EQ(k[block][port]["data_changed_while_invalid"].get<uint64_t>(), 0u) << block;
    EXPECT_EQ(k[block][port]["data_changed_while_stalled"].get<uint64_t>(), 0u) << block;
  }
}

TEST(RtlChecks, CliTransactionsOnTheShippedRtlHasNoLatencyDifference) {
  const fs::path rep = fs::temp_directory_path() / "skipsim_rtlchecks_tx.json";
  std::string err;
  ASSERT_EQ(cli("--cosim skip_fifo --compare transactions --set hardware.skip_fifo.depth=30 "
                "--report " +
                    rep.string(),
                &err),
            0)
      << err;
  EXPECT_EQ(err, "");  // -q: nothing when equal
  std::ifstream f(rep);
  const auto c = nlohmann::json::parse(f)["cosim"];
  EXPECT_TRUE(c["equal"].get<bool>());
  EXPECT_EQ(c["latency_difference"]["min"].get<int64_t>(), 0);
  EXPECT_EQ(c["latency_difference"]["max"].get<int64_t>(), 0);
  EXPECT_GT(c["latency_difference"]["beats"].get<uint64_t>(), 0u);
}

TEST(RtlChecks, CliRejectsBadCompareOptions) {
  std::string err;
  EXPECT_EQ(cli("--cosim fork --compare beats", &err), 2);
  EXPECT_NE(err.find("--compare 'beats': allowed: pins, transactions"), std::string::npos) << err;
  EXPECT_EQ(cli("--keep-going", &err), 2);
  EXPECT_NE(err.find("--keep-going: needs --cosim BLOCK"), std::string::npos) << err;
}
