// The skipsim binary as a user runs it: exit codes, one clear error line for bad input,
// the report file, tensors dumped and reloaded.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "tb/ref/npy.hpp"

#include "tests/common/cli.hpp"

namespace fs = std::filesystem;

using skipsim::test::sh;
using skipsim::test::slurp;

namespace {
struct Out {
  int code = -1;
  std::string out, err;
};

fs::path scratch(const std::string& name) { return skipsim::test::scratch_dir("cli", name); }

Out run(const std::string& args, const fs::path& dir) {
  const std::string cmd = std::string(SKIPSIM_BINARY) + " " + args + " >" + (dir / "out").string() +
                          " 2>" + (dir / "err").string();
  const int st = std::system(cmd.c_str());
  Out o;
  o.code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  o.out = slurp(dir / "out");
  o.err = slurp(dir / "err");
  return o;
}

int lines(const std::string& s) {
  int n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

const std::string kTiny = std::string(SKIPSIM_SOURCE_DIR) + "/configs/workloads/tiny_basic.yaml";
const std::string kTinyDown =
    std::string(SKIPSIM_SOURCE_DIR) + "/configs/workloads/tiny_downsample.yaml";

void expect_input_error(const std::string& args, const std::string& must_contain) {
  const fs::path d = scratch(::testing::UnitTest::GetInstance()->current_test_info()->name());
  const Out o = run(args, d);
  EXPECT_EQ(o.code, 2) << o.err;
  EXPECT_EQ(lines(o.err), 1) << o.err;
  EXPECT_NE(o.err.find(must_contain), std::string::npos) << o.err;
}
}  // namespace

TEST(Cli, HelpExitsZero) {
  const fs::path d = scratch("help");
  const Out o = run("run --help", d);
  EXPECT_EQ(o.code, 0);
  EXPECT_NE(o.out.find("--config"), std::string::npos);
  EXPECT_NE(o.out.find("--dump-tensors"), std::string::npos);
}

TEST(Cli, RunWritesReportVcdAndOutput) {
  const fs::path d = scratch("run");
  const Out o = run("run --config " + kTiny + " --report " + (d / "r.json").string() + " --vcd " +
                        (d / "w.vcd").string() + " --output " + (d / "y.npy").string(),
                    d);
  ASSERT_EQ(o.code, 0) << o.err;
  const auto j = nlohmann::json::parse(slurp(d / "r.json"));
  EXPECT_GT(j["cycles"].get<uint64_t>(), 0u);
  EXPECT_TRUE(j["output"]["matches_golden"].get<bool>());
  const std::string vcd = slurp(d / "w.vcd");
  // Signals are grouped in one scope per stream (GTKWave shows them as a tree).
  EXPECT_NE(vcd.find("$scope module fork_skip $end"), std::string::npos);
  EXPECT_NE(vcd.find("$scope module skip_fifo $end"), std::string::npos);
  EXPECT_NE(vcd.find("occupancy"), std::string::npos);
  EXPECT_NE(vcd.find("$enddefinitions"), std::string::npos);
  const skipsim::Tensor8 y = skipsim::read_tensor8((d / "y.npy").string(), 8, 8, 16);
  EXPECT_EQ(y.h, 8);
  EXPECT_NE(o.out.find("bottleneck"), std::string::npos);
}

TEST(Cli, DumpedTensorsReproduceTheOutput) {
  const fs::path d = scratch("dump");
  Out o = run("run --config " + kTinyDown + " --seed 9 --dump-tensors " + (d / "t").string(), d);
  ASSERT_EQ(o.code, 0) << o.err;
  for (const char* f :
       {"input.npy", "conv1.weight.npy", "conv1.bias.npy", "conv1.mult.npy", "conv1.shift.npy",
        "conv2.weight.npy", "skip.weight.npy", "skip.shift.npy", "add.npy", "output.npy"})
    EXPECT_TRUE(fs::exists(d / "t" / f)) << f;
  o = run("run --config " + kTinyDown + " --seed 1234 --tensors " + (d / "t").string() +
              " --output " + (d / "again.npy").string(),
          d);
  ASSERT_EQ(o.code, 0) << o.err;
  EXPECT_EQ(slurp(d / "again.npy"), slurp(d / "t" / "output.npy"));
}

TEST(Cli, DeadlockExitsThreeAndStillWritesTheReport) {
  const fs::path d = scratch("deadlock");
  const Out o = run("run --config " + kTiny + " --set hardware.skip_fifo.depth=2 --report " +
                        (d / "r.json").string(),
                    d);
  EXPECT_EQ(o.code, 3) << o.err;
  EXPECT_NE(o.err.find("deadlock"), std::string::npos);
  EXPECT_NE(o.err.find("skip_fifo full (2/2)"), std::string::npos) << o.err;
  const auto j = nlohmann::json::parse(slurp(d / "r.json"));
  EXPECT_TRUE(j["deadlock"].get<bool>());
}

TEST(CliBadInput, UnknownKey) {
  expect_input_error("run --config " + kTiny + " --set hardware.mac_array.rowz=4", "rowz");
}
TEST(CliBadInput, WrongType) {
  expect_input_error("run --config " + kTiny + " --set hardware.mac_array.rows=many",
                     "hardware.mac_array.rows");
}
TEST(CliBadInput, ZeroSize) {
  expect_input_error("run --config " + kTiny + " --set workload.input.h=0", "workload.input.h");
}
TEST(CliBadInput, NegativeSize) {
  expect_input_error("run --config " + kTiny + " --set hardware.skip_fifo.depth=-5",
                     "hardware.skip_fifo.depth");
}
TEST(CliBadInput, MissingConfig) {
  expect_input_error("run --config /nonexistent.yaml", "nonexistent");
}
TEST(CliBadInput, MissingTensorFile) {
  const fs::path d = scratch("missing");
  ASSERT_EQ(run("run --config " + kTiny + " --dump-tensors " + (d / "t").string(), d).code, 0);
  fs::remove(d / "t" / "conv2.bias.npy");
  expect_input_error("run --config " + kTiny + " --tensors " + (d / "t").string(),
                     "conv2.bias.npy");
}
TEST(CliBadInput, WrongTensorShape) {
  const fs::path d = scratch("shape");
  ASSERT_EQ(run("run --config " + kTiny + " --dump-tensors " + (d / "t").string(), d).code, 0);
  expect_input_error(
      "run --config " + kTiny + " --set workload.input.h=9 --tensors " + (d / "t").string(),
      "input.npy");
}
TEST(CliBadInput, WrongTensorDtype) {
  const fs::path d = scratch("dtype");
  ASSERT_EQ(run("run --config " + kTiny + " --dump-tensors " + (d / "t").string(), d).code, 0);
  // An int32 file where int8 weights belong.
  skipsim::write_npy_i32((d / "t" / "conv1.weight.npy").string(),
                         std::vector<int32_t>(16 * 16 * 9, 1), {16, 16, 3, 3});
  expect_input_error("run --config " + kTiny + " --tensors " + (d / "t").string(),
                     "conv1.weight.npy");
}
TEST(CliBadInput, SramTooSmall) {
  expect_input_error(
      "run --config " + kTiny + " --set hardware.sram.banks=1 --set hardware.sram.bank_bytes=1024",
      "hardware.sram");
}
TEST(CliBadInput, UnknownOption) {
  const fs::path d = scratch("opt");
  const Out o = run("run --config " + kTiny + " --frobnicate", d);
  EXPECT_EQ(o.code, 2);
}
TEST(CliBadInput, UnwritableOutputIsRefusedBeforeTheRun) {
  expect_input_error("run --config " + kTiny + " --vcd /nonexistent-dir/w.vcd",
                     "/nonexistent-dir/w.vcd");
}
TEST(CliBadInput, NegativeSeed) {
  expect_input_error("run --config " + kTiny + " --seed -1", "--seed '-1'");
}

TEST(Cli, VcdWindowAndScopeKeepTheFileSmallAndAGtkwGroupsIt) {
  const fs::path d = scratch("vcdwin");
  const Out full = run("run -q --config " + kTiny + " --vcd " + (d / "full.vcd").string(), d);
  ASSERT_EQ(full.code, 0) << full.err;
  const Out part = run("run -q --config " + kTiny + " --vcd " + (d / "part.vcd").string() +
                           " --vcd-window 200:260 --vcd-scope 'skip_*' --vcd-scope fork",
                       d);
  ASSERT_EQ(part.code, 0) << part.err;
  const std::string f = slurp(d / "full.vcd"), p = slurp(d / "part.vcd");
  EXPECT_LT(p.size() * 5, f.size());
  // Only the chosen scopes, and only timestamps inside the window (1 ns cycles, in ps).
  EXPECT_NE(p.find("$scope module skip_out $end"), std::string::npos);
  EXPECT_NE(p.find("$scope module fork $end"), std::string::npos);
  EXPECT_EQ(p.find("$scope module conv1_out $end"), std::string::npos);
  EXPECT_NE(p.find("\n#199000\n"), std::string::npos);
  EXPECT_EQ(p.find("\n#198000\n"), std::string::npos);
  EXPECT_EQ(p.find("\n#260000\n"), std::string::npos);
  EXPECT_NE(f.find("stall_state"), std::string::npos);
  const std::string g = slurp(d / "part.gtkw");
  EXPECT_NE(g.find("-skip_out"), std::string::npos);
  EXPECT_NE(g.find("top.skip_out.valid"), std::string::npos);
  EXPECT_NE(g.find("[dumpfile]"), std::string::npos);
}

TEST(CliBadInput, BadVcdWindow) {
  expect_input_error("run --config " + kTiny + " --vcd /tmp/x.vcd --vcd-window 9:3",
                     "--vcd-window");
}

TEST(Cli, VcdCarriesTheDdrCommandBusAtDramClockResolution) {
  const fs::path d = scratch("vcddram");
  const Out o = run("run -q --config " + kTiny + " --vcd " + (d / "w.vcd").string() + " --report " +
                        (d / "r.json").string(),
                    d);
  ASSERT_EQ(o.code, 0) << o.err;
  const auto j = nlohmann::json::parse(slurp(d / "r.json"));
  const std::string vcd = slurp(d / "w.vcd");
  ASSERT_NE(vcd.find("$scope module dram $end"), std::string::npos);
  // The identifier of dram.cmd, then every change of it: one per ACT, RD and WR issued.
  const size_t var = vcd.find(" cmd [2:0] $end");
  ASSERT_NE(var, std::string::npos);
  const size_t id_start = vcd.rfind(' ', var - 1) + 1;
  const std::string id = vcd.substr(id_start, var - id_start);
  std::istringstream in(vcd);
  std::map<int, uint64_t> pulses;
  uint64_t t = 0, prev_t = 0;
  bool monotone = true, on_dram_clock = true;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line[0] == '#') {
      t = std::stoull(line.substr(1));
      monotone = monotone && t >= prev_t;
      prev_t = t;
    } else if (line.size() > id.size() + 1 && line[0] == 'b' &&
               line.compare(line.size() - id.size() - 1, std::string::npos, " " + id) == 0) {
      ++pulses[std::stoi(line.substr(1, line.size() - id.size() - 2), nullptr, 2)];
      on_dram_clock = on_dram_clock && t % 625 == 0;
    }
  }
  EXPECT_TRUE(monotone);
  EXPECT_TRUE(on_dram_clock);
  const auto& c = j["dram"]["ddr"]["commands"];
  EXPECT_EQ(pulses[1], c["ACT"].get<uint64_t>());
  EXPECT_EQ(pulses[3], c["RD"].get<uint64_t>());
  EXPECT_EQ(pulses[4], c["WR"].get<uint64_t>());
  EXPECT_GT(pulses[3], 0u);
  EXPECT_NE(slurp(d / "w.gtkw").find("top.dram.cmd[2:0]"), std::string::npos);
  // The simple model has no command bus.
  const Out s = run("run -q --config " + kTiny + " --set hardware.dram.model=simple --vcd " +
                        (d / "s.vcd").string(),
                    d);
  ASSERT_EQ(s.code, 0) << s.err;
  EXPECT_EQ(slurp(d / "s.vcd").find("$scope module dram $end"), std::string::npos);
}
