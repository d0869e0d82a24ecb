// Inputs that were accepted, crashed or ended as internal errors: each must now end in exit 2
// (or its own documented code) with one line naming the option or key and what is allowed.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "tests/common/cli.hpp"

namespace fs = std::filesystem;

namespace {

const std::string kTiny = std::string(SKIPSIM_SOURCE_DIR) + "/configs/workloads/tiny_basic.yaml";

int lines(const std::string& s) {
  int n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

fs::path scratch() {
  return skipsim::test::scratch_dir(
      "bad", ::testing::UnitTest::GetInstance()->current_test_info()->name());
}

void expect_exit(const std::string& args, int code, const std::string& must_contain) {
  const skipsim::test::CliOut o = skipsim::test::run_cli(args, scratch());
  EXPECT_EQ(o.code, code) << o.err;
  EXPECT_EQ(lines(o.err), 1) << o.err;
  EXPECT_NE(o.err.find(must_contain), std::string::npos) << o.err;
}

void expect_input_error(const std::string& args, const std::string& must_contain) {
  expect_exit(args, 2, must_contain);
}

}  // namespace

TEST(BadInput, ToleranceNan) {
  expect_input_error("find-depth -c " + kTiny + " --tolerance nan", "--tolerance nan");
}
TEST(BadInput, ToleranceAboveOne) {
  expect_input_error("find-depth -c " + kTiny + " --tolerance 2", "[0, 1]");
}
TEST(BadInput, FindDepthJobsZero) {
  expect_input_error("find-depth -c " + kTiny + " --jobs 0", "--jobs 0");
}
TEST(BadInput, FindDepthJobsNegative) {
  expect_input_error("find-depth -c " + kTiny + " --jobs -3", "--jobs -3");
}
TEST(BadInput, SweepJobsZero) {
  expect_input_error(
      "sweep -c " + kTiny + " --param hardware.skip_fifo.depth=4,8 --jobs 0 --out s.csv",
      "--jobs 0");
}
TEST(BadInput, SweepJobsNegative) {
  expect_input_error(
      "sweep -c " + kTiny + " --param hardware.skip_fifo.depth=4,8 --jobs -3 --out s.csv",
      "--jobs -3");
}
TEST(BadInput, SweepRepeatedParamKey) {
  expect_input_error("sweep -c " + kTiny +
                         " --param hardware.skip_fifo.depth=4,8 --param "
                         "hardware.skip_fifo.depth=16 --out s.csv",
                     "hardware.skip_fifo.depth is already swept");
}
TEST(BadInput, SweepOutIsADirectory) {
  const fs::path d = scratch();
  fs::create_directories(d / "dir");
  const skipsim::test::CliOut o = skipsim::test::run_cli(
      "sweep -c " + kTiny + " --param hardware.skip_fifo.depth=4,8 --out dir", d);
  EXPECT_EQ(o.code, 2) << o.err;
  EXPECT_EQ(lines(o.err), 1) << o.err;
  EXPECT_NE(o.err.find("--out 'dir': is a directory"), std::string::npos) << o.err;
}
TEST(BadInput, LayerNegativeSeed) {
  expect_input_error("layer -c " + kTiny + " --layer h=8,kh=3,c=4,n=4 --seed -1", "--seed '-1'");
}
TEST(BadInput, LayerRepeatedKey) {
  expect_input_error("layer -c " + kTiny + " --layer h=8,h=9,kh=3,c=4,n=4", "key 'h' given twice");
}
TEST(BadInput, LayerRepeatedName) {
  expect_input_error("layer -c " + kTiny + " --layer name=a,name=b,h=8,kh=3,c=4,n=4",
                     "key 'name' given twice");
}
TEST(BadInput, VcdWindowWithoutVcd) {
  expect_input_error("run -c " + kTiny + " -q --vcd-window 1:10", "needs --vcd");
}
TEST(BadInput, VcdScopeWithoutVcd) {
  expect_input_error("run -c " + kTiny + " -q --vcd-scope 'skip_*'", "needs --vcd");
}

// Sizes are checked from the configuration before any tensor is made: these ended in
// std::bad_alloc (exit 1) or took 30 s to reach the SRAM error.
TEST(BadInput, HugeBlockFailsBeforeItsTensorsAreMade) {
  expect_input_error("run -c " + kTiny +
                         " -q --set workload.input.h=4096 --set workload.input.w=4096 --set "
                         "workload.input.c=4096 --set workload.out_channels=4096",
                     "workload.input: 4096 x 4096 x 4096");
}
TEST(BadInput, HugeInputTensorWithAHugeSram) {
  expect_input_error("run -c " + kTiny +
                         " -q --set workload.input.h=4096 --set workload.input.w=4096 --set "
                         "workload.input.c=128 --set workload.out_channels=128 --set "
                         "hardware.sram.banks=1024 --set hardware.sram.bank_bytes=1073741824",
                     "workload.input: 4096 x 4096 x 128");
}
TEST(BadInput, HugeTopologyRow) {
  const fs::path d = scratch();
  std::ofstream(d / "big.csv") << "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter "
                                  "Width, Channels, Num Filter, Strides,\n"
                                  "big, 100000, 100000, 3, 3, 4, 4, 1,\n";
  const skipsim::test::CliOut o =
      skipsim::test::run_cli("layer -c " + kTiny + " --topology big.csv", d);
  EXPECT_EQ(o.code, 2) << o.err;
  EXPECT_EQ(lines(o.err), 1) << o.err;
  EXPECT_NE(o.err.find("big.csv:2: layer 'big': ifmap 100000 x 100000 x 4"), std::string::npos)
      << o.err;
}
TEST(BadInput, HugeLayerArgument) {
  expect_input_error("layer -c " + kTiny + " --layer h=100000,kh=3,c=4,n=4", "256 MiB");
}

// A window a healthy pipeline can exceed (a tile being computed) reported a false deadlock.
TEST(BadInput, DeadlockWindowBelowAHealthyGap) {
  expect_input_error("run -c " + kTiny + " -q --set sim.deadlock_window=1",
                     "sim.deadlock_window: 1 cycles is shorter");
}
TEST(BadInput, DeadlockWindowAtTheFloorRuns) {
  const skipsim::test::CliOut o =
      skipsim::test::run_cli("run -c " + kTiny + " -q --set sim.deadlock_window=1", scratch());
  const size_t at = o.err.find("at least ");
  ASSERT_NE(at, std::string::npos) << o.err;
  const std::string floor = std::to_string(std::stoull(o.err.substr(at + 9)));
  const skipsim::test::CliOut ok = skipsim::test::run_cli(
      "run -c " + kTiny + " -q --set sim.deadlock_window=" + floor, scratch());
  EXPECT_EQ(ok.code, 0) << ok.err;
}

// The RTL FIFO has no DRAM port: comparing it with a spilling FIFO reported a false mismatch.
TEST(BadInput, CosimSkipFifoWithSpill) {
  expect_input_error("run -c " + kTiny +
                         " -q --cosim skip_fifo --set hardware.skip_fifo.policy=spill --set "
                         "hardware.skip_fifo.depth=4",
                     "--cosim skip_fifo: hardware.skip_fifo.policy is spill");
}

// Reaching sim.max_cycles is not bad input (exit 2) but its own documented outcome.
TEST(BadInput, CycleLimitHasItsOwnExitCode) {
  expect_exit("run -c " + kTiny + " -q --set sim.max_cycles=10", 5,
              "stopped at sim.max_cycles = 10");
}
