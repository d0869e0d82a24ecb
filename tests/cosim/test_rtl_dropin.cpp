// RTL drop-in: the whole residual block with the Verilated skip FIFO, fork and add gives
// the same output, cycle count and FIFO statistics as the pure SystemC run, including with
// random output stalls and in the deadlock case.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/common/cli.hpp"

namespace fs = std::filesystem;

using skipsim::test::sh;
using skipsim::test::slurp;

namespace {
const std::string kBin = SKIPSIM_BINARY;

struct RunOut {
  int code = -1;
  nlohmann::json report;
  std::string output;
};

RunOut run(const std::string& config, const std::string& sets, const std::string& tag) {
  const fs::path d =
      fs::temp_directory_path() /
      ("skipsim_cosim_" +
       std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + "_" + tag);
  fs::remove_all(d);
  fs::create_directories(d);
  const std::string cmd = kBin + " run -q --config " + std::string(SKIPSIM_SOURCE_DIR) + "/" +
                          config + " " + sets + " --report " + (d / "r.json").string() +
                          " --output " + (d / "y.npy").string() + " 2>/dev/null";
  const int st = std::system(cmd.c_str());
  RunOut r;
  r.code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  if (fs::exists(d / "r.json")) r.report = nlohmann::json::parse(slurp(d / "r.json"));
  if (fs::exists(d / "y.npy")) r.output = slurp(d / "y.npy");
  return r;
}

const char* kAllRtl =
    "--set hardware.skip_fifo.impl=rtl --set hardware.fork.impl=rtl --set hardware.add.impl=rtl";

void expect_same(const std::string& config, const std::string& sets, const std::string& rtl) {
  const RunOut a = run(config, sets, "systemc");
  const RunOut b = run(config, sets + " " + rtl, "rtl");
  EXPECT_EQ(a.code, b.code);
  EXPECT_EQ(a.report["cycles"], b.report["cycles"]);
  EXPECT_EQ(a.output, b.output);
  // sram_bytes: the RTL keeps its storage itself, the SRAM reserved in its name is its own.
  for (const char* k : {"max_occupancy", "push_blocked_cycles", "pop_starved_cycles", "pushes",
                        "histogram", "max_occupancy_per_frame", "sram_bytes"})
    EXPECT_EQ(a.report["fifos"]["skip"][k], b.report["fifos"]["skip"][k]) << k;
  EXPECT_EQ(a.report["channels"], b.report["channels"]);
  for (const char* m : {"fork", "skip_fifo", "add"})
    EXPECT_EQ(a.report["modules"][m], b.report["modules"][m]) << m;
}
}  // namespace

TEST(RtlDropIn, BasicBlockAllRtlWithOutputStalls) {
  expect_same("configs/workloads/tiny_basic.yaml",
              "--set workload.input.w=11 --set sim.output_stall_probability=0.4", kAllRtl);
}

TEST(RtlDropIn, DownsampleBlockSkipFifoAndAddWithThrottledInput) {
  expect_same("configs/workloads/tiny_downsample.yaml",
              "--set workload.input_throttle.stall_probability=0.3 --set workload.frames=2",
              "--set hardware.skip_fifo.impl=rtl --set hardware.add.impl=rtl");
}

TEST(RtlDropIn, DeadlockIsTheSameDeadlock) {
  const RunOut a =
      run("configs/workloads/tiny_basic.yaml", "--set hardware.skip_fifo.depth=9", "s");
  const RunOut b = run("configs/workloads/tiny_basic.yaml",
                       std::string("--set hardware.skip_fifo.depth=9 ") + kAllRtl, "r");
  EXPECT_EQ(a.code, 3);
  EXPECT_EQ(b.code, 3);
  EXPECT_EQ(a.report["cycles"], b.report["cycles"]);
  EXPECT_EQ(a.report["deadlock_report"]["text"], b.report["deadlock_report"]["text"]);
}

TEST(RtlDropIn, NearTheDeadlockBoundaryEveryStallMatches) {
  // Depth 22 on an 8-wide basic block is the deadlock boundary (find-depth): the fork
  // blocks on almost every beat, the hardest case for cycle equality.
  expect_same("configs/workloads/tiny_basic.yaml", "--set hardware.skip_fifo.depth=22", kAllRtl);
}

TEST(RtlDropIn, WrongLaneCountIsAConfigError) {
  const RunOut r = run("configs/workloads/tiny_basic.yaml",
                       "--set hardware.stream.lanes=8 --set hardware.skip_fifo.impl=rtl", "x");
  EXPECT_EQ(r.code, 2);
}

TEST(RtlDropIn, VerilatorVcdOfTheRtlInternalsBesideTheSystemcOne) {
  const fs::path d = fs::temp_directory_path() / "skipsim_cosim_rtlvcd";
  fs::remove_all(d);
  fs::create_directories(d);
  const std::string cmd = kBin + " run -q --config " + std::string(SKIPSIM_SOURCE_DIR) +
                          "/configs/workloads/tiny_basic.yaml " + kAllRtl + " --vcd " +
                          (d / "b.vcd").string();
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  const std::string rtl = slurp(d / "b.rtl.vcd");
  EXPECT_NE(rtl.find("count"), std::string::npos);  // a register inside skip_fifo.v
  EXPECT_NE(rtl.find("$timescale"), std::string::npos);
  EXPECT_TRUE(fs::exists(d / "b.vcd"));
  EXPECT_TRUE(fs::exists(d / "b.gtkw"));
}

// hardware.mac_array.impl: rtl: every conv engine computes on the Verilated systolic array
// (sequenced by the C++ model's feeders); the block gives the same output, golden-checked,
// and the same cycles, with every output pin of every array equal to the model's.
void expect_same_with_rtl_array(const std::string& config, const std::string& sets) {
  const RunOut a = run(config, sets, "systemc");
  const RunOut b = run(config, sets + " --set hardware.mac_array.impl=rtl", "rtl");
  ASSERT_EQ(a.code, 0);
  ASSERT_EQ(b.code, 0);
  EXPECT_EQ(a.report["cycles"], b.report["cycles"]);
  EXPECT_EQ(a.output, b.output);
  EXPECT_TRUE(b.report["output"]["matches_golden"].get<bool>());
  for (const auto& [name, m] : b.report["modules"].items()) {
    if (!m.contains("mac_array_impl")) continue;
    EXPECT_EQ(m["mac_array_impl"], "rtl") << name;
    EXPECT_EQ(m["rtl_mismatched_cycles"].get<uint64_t>(), 0u) << name << m["rtl_first_mismatch"];
    EXPECT_GT(m["tiles"].get<uint64_t>(), 0u) << name;
  }
}

TEST(RtlDropIn, MacArrayWsInEveryEngineOfADownsampleBlock) {
  expect_same_with_rtl_array("configs/workloads/tiny_downsample.yaml",
                             "--set sim.output_stall_probability=0.3");
}

TEST(RtlDropIn, MacArrayOsInABasicBlockWithSmallTiles) {
  expect_same_with_rtl_array("configs/workloads/tiny_basic.yaml",
                             "--set hardware.mac_array.dataflow=os "
                             "--set hardware.mac_array.tile_pixels=3");
}

TEST(RtlDropIn, MacArrayOfAnotherSizeThanBuiltIsAConfigError) {
  const RunOut r = run("configs/workloads/tiny_basic.yaml",
                       "--set hardware.mac_array.impl=rtl --set hardware.mac_array.rows=8", "x");
  EXPECT_EQ(r.code, 2);
}
