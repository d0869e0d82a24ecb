// What a new user tripped over, each as the user met it: the binary run from a scratch
// directory, the output read back.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "hw/skip_fifo/skip_fifo.hpp"
#include "tests/common/cli.hpp"

namespace fs = std::filesystem;
using skipsim::test::CliOut;
using skipsim::test::run_cli;
using skipsim::test::slurp;

namespace {

const std::string kSrc = SKIPSIM_SOURCE_DIR;
const std::string kTiny = kSrc + "/configs/workloads/tiny_basic.yaml";
const std::string kConv2x = kSrc + "/configs/resnet18_conv2x.yaml";

fs::path scratch() {
  return skipsim::test::scratch_dir(
      "trips", ::testing::UnitTest::GetInstance()->current_test_info()->name());
}

int lines(const std::string& s) { return static_cast<int>(std::count(s.begin(), s.end(), '\n')); }

bool has(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

// find-depth speaks in SRAM bytes too: what the FIFO allocates at each depth, the same
// figure `run` reports as fifos.skip.sram_bytes at that depth; the table shows KiB.
TEST(FindDepth, BytesNextToBeats) {
  const fs::path d = scratch();
  const CliOut o = run_cli("find-depth --config " + kTiny + " --json", d);
  ASSERT_EQ(o.code, 0) << o.err;
  EXPECT_EQ(o.err, "");  // not a terminal: no progress
  const auto j = nlohmann::json::parse(o.out);
  for (const char* k : {"unbounded_max_occupancy", "min_deadlock_free_depth",
                        "min_full_speed_depth", "analytic_depth", "simulations"})
    EXPECT_TRUE(j.contains(k)) << k;
  const std::pair<const char*, const char*> pairs[] = {
      {"unbounded_max_occupancy", "unbounded_max_occupancy_bytes"},
      {"min_deadlock_free_depth", "min_deadlock_free_bytes"},
      {"min_full_speed_depth", "min_full_speed_bytes"},
      {"analytic_depth", "analytic_bytes"}};
  for (const auto& [depth, bytes] : pairs) {
    ASSERT_TRUE(j.contains(bytes)) << bytes;
    // tiny: 16 lanes, 16-byte bank rows: data depth*16, last bits rounded up to one row.
    const uint64_t n = j[depth].get<uint64_t>();
    EXPECT_EQ(j[bytes].get<uint64_t>(), n * 16 + ((n + 7) / 8 + 15) / 16 * 16) << bytes;
    EXPECT_EQ(j[bytes].get<uint64_t>(), skipsim::skip_fifo_storage(n, 16).sram_bytes(16));
  }
  const uint64_t depth = j["min_full_speed_depth"].get<uint64_t>();
  const CliOut r =
      run_cli("run --config " + kTiny +
                  " -q --report r.json --set hardware.skip_fifo.depth=" + std::to_string(depth),
              d);
  ASSERT_EQ(r.code, 0) << r.err;
  const auto rep = nlohmann::json::parse(slurp(d / "r.json"));
  EXPECT_EQ(rep["fifos"]["skip"]["sram_bytes"].get<uint64_t>(),
            j["min_full_speed_bytes"].get<uint64_t>());

  const CliOut t = run_cli("find-depth --config " + kTiny, d);
  ASSERT_EQ(t.code, 0) << t.err;
  EXPECT_TRUE(has(t.out, "KiB")) << t.out;
}

// On a terminal find-depth shows its progress (probes, bounds so far); with --json or when
// stderr is not a terminal it prints nothing there.
TEST(FindDepth, ProgressOnATerminalOnly) {
  const fs::path d = scratch();
  const CliOut tty = run_cli("find-depth --config " + kTiny + " -j 2", d, true);
  ASSERT_EQ(tty.code, 0) << tty.out << tty.err;
  EXPECT_TRUE(has(tty.out, "probes done")) << tty.out;
  EXPECT_TRUE(has(tty.out, "deadlock-free depth")) << tty.out;
  const CliOut json = run_cli("find-depth --config " + kTiny + " -j 2 --json", d, true);
  ASSERT_EQ(json.code, 0) << json.out;
  EXPECT_FALSE(has(json.out, "probes done")) << json.out;
  const CliOut pipe = run_cli("find-depth --config " + kTiny + " -j 2", d);
  ASSERT_EQ(pipe.code, 0) << pipe.err;
  EXPECT_EQ(pipe.err, "");
}

// Policy spill needs at least one DRAM burst on chip (64 B / 16 lanes = 4 beats): the search
// starts there instead of dying at depth 2 or 3.
TEST(FindDepth, SpillSearchesFromTheSmallestLegalDepth) {
  const fs::path d = scratch();
  const CliOut o =
      run_cli("find-depth --config " + kTiny + " --set hardware.skip_fifo.policy=spill --json", d);
  ASSERT_EQ(o.code, 0) << o.err;
  const auto j = nlohmann::json::parse(o.out);
  EXPECT_EQ(j["min_legal_depth"].get<uint64_t>(), 4u);
  EXPECT_GE(j["min_deadlock_free_depth"].get<uint64_t>(), 4u);
  EXPECT_GE(j["min_full_speed_depth"].get<uint64_t>(),
            j["min_deadlock_free_depth"].get<uint64_t>());
  const CliOut t =
      run_cli("find-depth --config " + kTiny + " --set hardware.skip_fifo.policy=spill", d);
  ASSERT_EQ(t.code, 0) << t.err;
  EXPECT_TRUE(has(t.out, "searched from depth 4")) << t.out;
}

// The SRAM error names every region (the skip FIFO's too) and the keys to change.
TEST(Sram, TooSmallNamesEveryRegionAndTheKeys) {
  const fs::path d = scratch();
  const CliOut o = run_cli(
      "run --config " + kTiny + " --set hardware.sram.banks=2 --set hardware.sram.bank_bytes=1024",
      d);
  EXPECT_EQ(o.code, 2);
  EXPECT_EQ(lines(o.err), 1) << o.err;
  for (const char* part :
       {"top.conv1.weights", "top.conv2.weights", "line_buffer", "top.skip_fifo.data",
        "top.skip_fifo.last", "2 banks x 1024 B", "hardware.sram.bank_bytes", "hardware.sram.banks",
        "hardware.skip_fifo.depth"})
    EXPECT_TRUE(has(o.err, part)) << part << " in " << o.err;
}

// The default SRAM holds realistic blocks: conv4_x on a 32x32 array, and conv5_1 (3x3
// 256->512 and 512->512, a 1x1 projection: 3.7 MB of weights). Stopped after a few cycles:
// what matters is that elaboration accepts them.
TEST(Sram, DefaultHoldsLargeBlocks) {
  const fs::path d = scratch();
  const std::string conv4 =
      " --set workload.input.h=14 --set workload.input.w=14 --set workload.input.c=256 "
      "--set workload.out_channels=256 --set hardware.mac_array.rows=32 "
      "--set hardware.mac_array.cols=32 --set sim.max_cycles=100";
  const CliOut a = run_cli("run -q --config " + kConv2x + conv4, d);
  EXPECT_TRUE(has(a.err, "sim.max_cycles")) << a.err;
  const std::string conv5 =
      " --set workload.block=downsample --set workload.input.h=14 --set workload.input.w=14 "
      "--set workload.input.c=256 --set workload.out_channels=512 --set sim.max_cycles=100";
  const CliOut b = run_cli("run -q --config " + kConv2x + conv5, d);
  EXPECT_TRUE(has(b.err, "sim.max_cycles")) << b.err;
}

// --vcd refuses a file estimated above --vcd-max-mb before writing anything; a window makes
// it small enough; 0 lifts the limit.
TEST(Vcd, RunRefusesAboveTheLimit) {
  const fs::path d = scratch();
  const CliOut o = run_cli("run -q --config " + kConv2x + " --vcd w.vcd --vcd-max-mb 1", d);
  EXPECT_EQ(o.code, 2);
  EXPECT_EQ(lines(o.err), 1) << o.err;
  EXPECT_TRUE(std::regex_search(o.err, std::regex("about [0-9.]+ MB"))) << o.err;
  EXPECT_TRUE(has(o.err, "--vcd-window")) << o.err;
  EXPECT_TRUE(has(o.err, "--vcd-max-mb")) << o.err;
  EXPECT_FALSE(fs::exists(d / "w.vcd"));
  EXPECT_FALSE(fs::exists(d / "w.gtkw"));
  const CliOut w = run_cli(
      "run -q --config " + kConv2x + " --vcd w.vcd --vcd-max-mb 1 --vcd-window 1000:5000", d);
  EXPECT_EQ(w.code, 0) << w.err;
  EXPECT_GT(fs::file_size(d / "w.vcd"), 0u);
  EXPECT_LT(fs::file_size(d / "w.vcd"), 1000000u);
}

// The estimate follows the file: within a factor of two of what is written, whole, windowed
// and scoped.
TEST(Vcd, EstimateFollowsTheFile) {
  const fs::path d = scratch();
  for (const std::string narrow : {"", " --vcd-window 20:300", " --vcd-scope 'skip*'"}) {
    const CliOut o =
        run_cli("run -q --config " + kTiny + " --vcd w.vcd --vcd-max-mb 0.0001" + narrow, d);
    ASSERT_EQ(o.code, 2) << o.err;
    std::smatch m;
    ASSERT_TRUE(std::regex_search(o.err, m, std::regex("about ([0-9.]+) MB"))) << o.err;
    const double estimate = std::stod(m[1]) * 1e6;
    const CliOut w =
        run_cli("run -q --config " + kTiny + " --vcd w.vcd --vcd-max-mb 0" + narrow, d);
    ASSERT_EQ(w.code, 0) << w.err;
    const double actual = static_cast<double>(fs::file_size(d / "w.vcd"));
    EXPECT_LT(estimate, 2 * actual) << narrow;
    EXPECT_GT(estimate, actual / 2) << narrow;
  }
}

TEST(Vcd, LayerCosimRefusesAboveTheLimit) {
  const fs::path d = scratch();
  const CliOut o = run_cli("layer --config " + kConv2x +
                               " --dataflow os --cosim mac_array --layer "
                               "name=c1,h=16,w=16,kh=3,kw=3,c=64,n=64,pad=1 --vcd a.vcd "
                               "--vcd-max-mb 1",
                           d);
  EXPECT_EQ(o.code, 2);
  EXPECT_EQ(lines(o.err), 1) << o.err;
  EXPECT_TRUE(std::regex_search(o.err, std::regex("about [0-9.]+ MB"))) << o.err;
  EXPECT_TRUE(has(o.err, "--vcd-max-mb")) << o.err;
  EXPECT_FALSE(fs::exists(d / "a.vcd"));
}

// The .gtkw names its VCD relative to itself (the pair can be moved) and starts at the window.
TEST(Vcd, GtkwIsRelativeAndStartsAtTheWindow) {
  const fs::path d = scratch();
  fs::create_directories(d / "sub");
  const CliOut o = run_cli("run -q --config " + kTiny + " --vcd sub/w.vcd --vcd-window 40:60", d);
  ASSERT_EQ(o.code, 0) << o.err;
  const std::string gtkw = slurp(d / "sub" / "w.gtkw");
  EXPECT_TRUE(has(gtkw, "[dumpfile] \"w.vcd\"\n")) << gtkw;
  // The first time stamp in the VCD is the window's first cycle.
  const std::string vcd = slurp(d / "sub" / "w.vcd");
  const size_t at = vcd.find("\n#");
  ASSERT_NE(at, std::string::npos);
  const std::string first = vcd.substr(at + 2, vcd.find('\n', at + 1) - at - 2);
  EXPECT_NE(first, "0");
  EXPECT_TRUE(has(gtkw, "[timestart] " + first + "\n")) << gtkw << " first stamp " << first;
}

TEST(Cli, UnknownSubcommandIsNamed) {
  const fs::path d = scratch();
  const CliOut o = run_cli("frobnicate --config x.yaml", d);
  EXPECT_EQ(o.code, 2);
  EXPECT_EQ(lines(o.err), 1) << o.err;
  EXPECT_TRUE(has(o.err, "unknown subcommand 'frobnicate'")) << o.err;
  EXPECT_TRUE(has(o.err, "run, sweep, find-depth, layer, dram")) << o.err;
}

TEST(Cli, BadSeedNamesTheOption) {
  const fs::path d = scratch();
  const CliOut o = run_cli("run --config " + kTiny + " --seed abc", d);
  EXPECT_EQ(o.code, 2);
  EXPECT_EQ(lines(o.err), 1) << o.err;
  EXPECT_TRUE(has(o.err, "--seed 'abc'")) << o.err;
  EXPECT_FALSE(has(o.err, "--set")) << o.err;
}

// The table's header says what this dataflow does: os has no stationary operand to overlap.
TEST(Cli, LayerHeaderPerDataflow) {
  const fs::path d = scratch();
  const std::string l = " --layer name=c,h=8,kh=3,c=4,n=4,pad=1";
  const CliOut os = run_cli("layer --config " + kConv2x + " --dataflow os" + l, d);
  ASSERT_EQ(os.code, 0) << os.err;
  EXPECT_FALSE(has(os.out, "ws/is")) << os.out;
  EXPECT_FALSE(has(os.out, "overlapped")) << os.out;
  const CliOut ws = run_cli("layer --config " + kConv2x + " --dataflow ws" + l, d);
  ASSERT_EQ(ws.code, 0) << ws.err;
  EXPECT_TRUE(has(ws.out, "ws folds overlapped")) << ws.out;
}

// ResNet-18's topology gives the true output sizes in the default mode too.
TEST(Cli, LayerTopologyTrueSizes) {
  const fs::path d = scratch();
  const CliOut o = run_cli("layer --config " + kConv2x + " --topology " + kSrc +
                               "/configs/topologies/resnet18.csv --no-check --json "
                               "--set hardware.mac_array.rows=32 --set hardware.mac_array.cols=32",
                           d);
  ASSERT_EQ(o.code, 0) << o.err;
  const auto j = nlohmann::json::parse(o.out);
  ASSERT_EQ(j.size(), 20u);
  for (const auto& l : j) {
    const std::string n = l["name"].get<std::string>();
    const int want = n == "conv1"               ? 112
                     : n.rfind("conv2", 0) == 0 ? 56
                     : n.rfind("conv3", 0) == 0 ? 28
                     : n.rfind("conv4", 0) == 0 ? 14
                                                : 7;
    EXPECT_EQ(l["ofmap"]["h"].get<int>(), want) << n;
    EXPECT_EQ(l["ofmap"]["w"].get<int>(), want) << n;
    EXPECT_EQ(l["ofmap_h"].get<int>(), want) << n;
    EXPECT_EQ(l["ofmap_w"].get<int>(), want) << n;
  }
}

// Every file a README command writes goes under out/, which git ignores.
TEST(Readme, ExamplesWriteUnderOut) {
  const std::string readme = slurp(kSrc + "/README.md");
  const std::regex opt(
      "--(vcd|report|output|occupancy|out|dump-tensors|csv|json-out|png|trace-out) +([^ \\n`]+)");
  bool in_code = false;
  std::istringstream in(readme);
  std::string line;
  int checked = 0;
  while (std::getline(in, line)) {
    if (line.rfind("```", 0) == 0) {
      in_code = !in_code;
      continue;
    }
    if (!in_code) continue;
    for (std::sregex_iterator it(line.begin(), line.end(), opt), end; it != end; ++it) {
      const std::string path = (*it)[2];
      if (path.rfind("--", 0) == 0 || path[0] == '[' || path == "FILE" || path == "DIR") continue;
      ++checked;
      EXPECT_EQ(path.rfind("out/", 0), 0u) << line;
    }
  }
  EXPECT_GT(checked, 3);
  EXPECT_TRUE(has(slurp(kSrc + "/.gitignore"), "/out/"));
}

}  // namespace
