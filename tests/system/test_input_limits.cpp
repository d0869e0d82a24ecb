// Inputs that used to run without end or past what the model can represent: each now ends
// quickly in one error line and exit 2. Every command runs under `timeout`, so a regression
// fails (exit 124) instead of hanging the suite.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>

#include "tests/common/cli.hpp"

namespace {

namespace fs = std::filesystem;

const std::string kSrc = SKIPSIM_SOURCE_DIR;
const std::string kTiny = kSrc + "/configs/workloads/tiny_basic.yaml";

fs::path dir(const std::string& name) { return skipsim::test::scratch_dir("limits", name); }

// Runs `skipsim ARGS` under a 30 s timeout; the error must be one line naming `want`.
void expect_input_error(const std::string& args, const fs::path& d, const std::string& want) {
  const int code = skipsim::test::sh("cd '" + d.string() + "' && timeout 30 " +
                                     std::string(SKIPSIM_BINARY) + " " + args + " >out 2>err");
  const std::string err = skipsim::test::slurp(d / "err");
  EXPECT_EQ(code, 2) << args << "\n" << err;
  EXPECT_NE(err.find(want), std::string::npos) << err;
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
}

std::string write(const fs::path& p, const std::string& text) {
  std::ofstream(p) << text;
  return p.string();
}

}  // namespace

TEST(InputLimits, SweepStepThatDoesNotAdvance) {
  const fs::path d = dir("step");
  expect_input_error("sweep --config " + kTiny +
                         " --param hardware.skip_fifo.depth=1:2:+1e-20 --out " +
                         (d / "s.csv").string(),
                     d, "range '1:2:+1e-20' does not advance");
}

TEST(InputLimits, SweepRangeWithTooManySteps) {
  const fs::path d = dir("steps");
  expect_input_error("sweep --config " + kTiny +
                         " --param hardware.skip_fifo.depth=1:1e300:x1.0000001 --out " +
                         (d / "s.csv").string(),
                     d, "more than");
}

TEST(InputLimits, TraceArrivalCycleFarAway) {
  const fs::path d = dir("cycle");
  const std::string t = write(d / "t.trace", "0x0 READ 18446744073709551615\n");
  expect_input_error("dram --config ddr4_3200 --trace " + t, d,
                     "t.trace:1: expected a cycle of at most");
}

// Idle time is skipped in O(1): a request 2^61 cycles (~23 years at 3.2 GHz) after the first
// is replayed at once, with every refresh in between counted.
TEST(InputLimits, TraceWithAGapOfYearsReplaysAtOnce) {
  const fs::path d = dir("gap");
  const std::string t = write(d / "t.trace", "0x0 READ 0\n0x40 READ 2305843009213693952\n");
  const skipsim::test::CliOut r =
      skipsim::test::run_cli("dram --config ddr4_3200 --trace " + t + " --json", d);
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string& report = r.out;
  // 2^61 / tREFI (12480) whole intervals, two ranks.
  EXPECT_NE(report.find("\"REF\": " + std::to_string(2 * ((uint64_t{1} << 61) / 12480))),
            std::string::npos)
      << report.substr(0, 2000);
}

TEST(InputLimits, TraceAddressBeyondTheCapacity) {
  const fs::path d = dir("addr");
  const std::string t = write(d / "t.trace", "0x0 READ 0\n0xFFFFFFFFFFFFFFC0 WRITE 5\n");
  expect_input_error("dram --config ddr4_3200 --trace " + t, d,
                     "t.trace:2: expected an address below the DRAM capacity");
}

TEST(InputLimits, CoreClockTooSlow) {
  for (const char* v : {"1e-9", "1e-15"})
    expect_input_error(std::string("run -q --config ") + kTiny + " --set hardware.clock_ghz=" + v,
                       dir(std::string("clk") + (v[3] == '9' ? "9" : "15")),
                       "hardware.clock_ghz: expected a number in [0.01, 10]");
}

TEST(InputLimits, SimpleDramClockTooSlow) {
  expect_input_error(std::string("run -q --config ") + kTiny +
                         " --set hardware.dram.model=simple --set hardware.dram.clock_ghz=1e-12",
                     dir("dclk"), "hardware.dram.clock_ghz: expected a number in [0.01, 10]");
}
