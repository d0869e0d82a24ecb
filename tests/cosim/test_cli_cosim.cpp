// The co-simulation options as a user meets them: quiet means quiet, and the RTL array's
// VCD is estimated before it is written.
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <string>

#include "tests/common/cli.hpp"

namespace fs = std::filesystem;
using skipsim::test::CliOut;
using skipsim::test::run_cli;

namespace {

const std::string kSrc = SKIPSIM_SOURCE_DIR;

fs::path scratch() {
  return skipsim::test::scratch_dir(
      "cosim_cli", ::testing::UnitTest::GetInstance()->current_test_info()->name());
}

TEST(CosimCli, QuietPrintsNothing) {
  const fs::path d = scratch();
  const CliOut o = run_cli(
      "run -q --cosim skip_fifo --config " + kSrc + "/configs/workloads/tiny_basic.yaml", d);
  EXPECT_EQ(o.code, 0) << o.err;
  EXPECT_EQ(o.out, "");
  EXPECT_EQ(o.err, "");
}

// The estimate of Verilator's VCD of the array is within a factor of two of the files written,
// for each dataflow.
TEST(CosimCli, LayerVcdEstimateFollowsTheFiles) {
  const fs::path d = scratch();
  const std::string layers =
      " --layer name=a,h=8,w=8,kh=3,c=16,n=16,pad=1 --layer name=b,h=6,kh=1,c=40,n=20";
  for (const std::string df : {"ws", "os", "is"}) {
    const std::string base = "layer --config " + kSrc + "/configs/resnet18_conv2x.yaml" +
                             " --cosim mac_array --dataflow " + df + layers + " --vcd a.vcd";
    const CliOut refused = run_cli(base + " --vcd-max-mb 0.001", d);
    ASSERT_EQ(refused.code, 2) << refused.err;
    std::smatch m;
    ASSERT_TRUE(std::regex_search(refused.err, m, std::regex("about ([0-9.]+) MB"))) << refused.err;
    EXPECT_FALSE(fs::exists(d / "a.vcd"));
    const double estimate = std::stod(m[1]) * 1e6;
    const CliOut ok = run_cli(base + " --vcd-max-mb 0", d);
    ASSERT_EQ(ok.code, 0) << ok.err;
    const double actual =
        static_cast<double>(fs::file_size(d / "a.vcd") + fs::file_size(d / "a.b.vcd"));
    EXPECT_LT(estimate, 2 * actual) << df << " actual " << actual;
    EXPECT_GT(estimate, actual / 2) << df << " actual " << actual;
    fs::remove(d / "a.vcd");
    fs::remove(d / "a.b.vcd");
  }
}

}  // namespace

namespace {

// Every block as RTL at once, the MAC arrays included: the run finishes bit-exact and the
// process exits. SystemC RTL blocks built after an array must not join the array's own
// Verilator context: it dies first, and their teardown then hung in a fatal error.
TEST(CosimCli, EveryBlockAsRtlRunsAndExits) {
  const fs::path d = scratch();
  const std::string cmd = "cd '" + d.string() + "' && timeout 120 " + SKIPSIM_BINARY +
                          " run -q --config " + kSrc + "/configs/workloads/tiny_basic.yaml" +
                          " --set hardware.mac_array.impl=rtl --set hardware.fork.impl=rtl" +
                          " --set hardware.add.impl=rtl --set hardware.skip_fifo.impl=rtl";
  EXPECT_EQ(skipsim::test::sh(cmd), 0);
}

}  // namespace
