// Whole residual blocks as a user runs them twice, with hardware.mac_array.model: tile and
// pe, or with sim.skip_idle_edges: true and false (blocks sleeping through idle edges, or
// every block at every edge): the same exit code, the same output tensor, the same waveform (every
// stream's valid/ready/last/data, every buffer's fill level and every block's stall cause
// at every cycle) and the same JSON report except the fields that time the simulator
// itself. Random small blocks (kind, shape, lanes, array, dataflow, tile size, frames, DRAM
// model, skip FIFO depth, input throttling and output stalls from fixed seeds), and the two
// default blocks.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/common/cli.hpp"

namespace fs = std::filesystem;
using skipsim::test::run_cli;
using skipsim::test::slurp;

namespace {

// Keys that time the simulator (or name the model), wherever they are in the report.
void strip_timing(nlohmann::json& j) {
  if (j.is_object()) {
    for (const char* k :
         {"sim_seconds", "sim_cycles_per_second", "peak_rss_mib", "mac_array_model"})
      j.erase(k);
    for (auto& [key, v] : j.items()) strip_timing(v);
  } else if (j.is_array()) {
    for (auto& v : j) strip_timing(v);
  }
}

// The first line where two texts differ, for a readable failure.
std::string first_difference(const std::string& a, const std::string& b) {
  size_t i = 0, line = 1, start = 0;
  while (i < a.size() && i < b.size() && a[i] == b[i]) {
    if (a[i] == '\n') ++line, start = i + 1;
    ++i;
  }
  auto line_at = [start](const std::string& s) {
    return s.substr(start, s.find('\n', start) - start);
  };
  return fmt::format("line {}: '{}' vs '{}'", line, line_at(a), line_at(b));
}

struct Compared {
  int code = -1;
  nlohmann::json report;
};

// Two ways to run the same block that must not be told apart.
struct Variants {
  const char* name[2];
  const char* set[2];
  bool models;  // tile vs pe (the report names the model)
};
const Variants kModels{
    {"tile", "pe"}, {"hardware.mac_array.model=tile", "hardware.mac_array.model=pe"}, true};
const Variants kSleep{
    {"sleep", "every_edge"}, {"sim.skip_idle_edges=true", "sim.skip_idle_edges=false"}, false};

// Runs `config` both ways in a scratch directory; expects everything equal.
Compared run_both(const std::string& name, const std::string& config, bool vcd,
                  const std::string& extra = "", const Variants& v = kModels) {
  const fs::path d = skipsim::test::scratch_dir("array_models", name);
  std::string cfg_path = config;
  if (config.find('\n') != std::string::npos) {
    std::ofstream(d / "cfg.yaml") << config;
    cfg_path = (d / "cfg.yaml").string();
  }
  Compared out[2];
  for (int i = 0; i < 2; ++i) {
    const std::string m = v.name[i];
    const auto r =
        run_cli(fmt::format("run -q -c '{}' --set {} --report {}.json --output {}.npy "
                            "{} {}",
                            cfg_path, v.set[i], m, m, vcd ? "--vcd " + m + ".vcd" : "", extra),
                d);
    out[i].code = r.code;
    EXPECT_TRUE(fs::exists(d / (m + ".json"))) << m << ": " << r.err;
    if (!fs::exists(d / (m + ".json"))) return out[1];
    out[i].report = nlohmann::json::parse(slurp(d / (m + ".json")));
  }
  EXPECT_EQ(out[0].code, out[1].code) << "exit codes";
  // The report says which model ran; nothing else may tell them apart.
  if (v.models) {
    EXPECT_NE(out[0].report.dump().find("\"mac_array_model\":\"tile\""), std::string::npos);
    EXPECT_NE(out[1].report.dump().find("\"mac_array_model\":\"pe\""), std::string::npos);
  }
  nlohmann::json a = out[0].report, b = out[1].report;
  strip_timing(a);
  strip_timing(b);
  if (a != b) {
    const std::string ta = a.dump(1), tb = b.dump(1);
    ADD_FAILURE() << "reports differ, " << first_difference(ta, tb);
  }
  const std::string n0 = v.name[0], n1 = v.name[1];
  if (fs::exists(d / (n0 + ".npy")) || fs::exists(d / (n1 + ".npy")))
    EXPECT_TRUE(slurp(d / (n0 + ".npy")) == slurp(d / (n1 + ".npy"))) << "output tensors differ";
  if (vcd) {
    const std::string va = slurp(d / (n0 + ".vcd")), vb = slurp(d / (n1 + ".vcd"));
    EXPECT_GT(vb.size(), 1000u);
    EXPECT_NE(vb.find(" valid $end"), std::string::npos);
    EXPECT_NE(vb.find(" ready $end"), std::string::npos);
    if (va != vb) ADD_FAILURE() << "waveforms differ, " << first_difference(va, vb);
  }
  fs::remove_all(d);
  return out[1];
}

std::string random_block_config(const char* dataflow, std::mt19937_64& rng, uint64_t seed) {
  auto pick = [&rng](int lo, int hi) { return lo + static_cast<int>(rng() % (hi - lo + 1)); };
  const char* kinds[] = {"basic", "downsample", "bottleneck"};
  const char* kind = kinds[rng() % 3];
  const int lanes[] = {1, 4, 8, 16};
  std::string extra;
  if (std::string(kind) == "bottleneck")
    extra = fmt::format("  width: {}\n  stride: {}\n", pick(1, 12), pick(1, 2));
  // Mostly a deep skip FIFO; sometimes a shallow one (back-pressure, maybe a deadlock:
  // then both models must deadlock alike).
  const int depth = rng() % 4 == 0 ? pick(8, 200) : 4096;
  const bool ddr = rng() % 2;
  const int c = pick(1, 20);
  const int out_c = std::string(kind) == "basic" ? c : pick(1, 20);  // identity shortcut
  return fmt::format(
      "hardware:\n"
      "  mac_array: {{rows: {}, cols: {}, dataflow: {}, tile_pixels: {}}}\n"
      "  stream: {{lanes: {}}}\n"
      "  skip_fifo: {{depth: {}}}\n"
      "  dram: {{model: {}}}\n"
      "workload:\n"
      "  block: {}\n"
      "  input: {{h: {}, w: {}, c: {}}}\n"
      "  out_channels: {}\n{}"
      "  seed: {}\n"
      "  frames: {}\n"
      "  input_throttle: {{rate: {}, stall_probability: {}}}\n"
      "sim:\n"
      "  output_stall_probability: {}\n"
      "  deadlock_window: 20000\n",
      pick(1, 16), pick(1, 16), dataflow, rng() % 3 == 0 ? 0 : pick(1, 8), lanes[rng() % 4], depth,
      ddr ? "ddr" : "simple", kind, pick(1, 10), pick(1, 10), c, out_c, extra, seed, pick(1, 2),
      rng() % 3 == 0 ? 1.0 : 0.1 * pick(3, 9), rng() % 3 == 0 ? 0.0 : 0.1 * pick(1, 6),
      rng() % 3 == 0 ? 0.0 : 0.1 * pick(1, 7));
}

void random_blocks(const char* dataflow, uint64_t seed, int count, const Variants& v = kModels) {
  std::mt19937_64 rng(seed);
  int finished = 0;
  for (int i = 0; i < count; ++i) {
    const std::string cfg = random_block_config(dataflow, rng, seed * 100 + i);
    SCOPED_TRACE(cfg);
    // Without a waveform the sleeping run also stops the clock while every block sleeps.
    const bool vcd = v.models || i % 2 == 0;
    const Compared r = run_both(fmt::format("{}_{}_{}", v.name[0], dataflow, i), cfg, vcd, "", v);
    finished += r.code == 0;
  }
  // Most finish (a shallow FIFO may deadlock, on both models alike).
  EXPECT_GE(finished, count / 2);
}

}  // namespace

TEST(ArrayModelsBlocks, WeightStationaryRandomBlocks) { random_blocks("ws", 21, 8); }
TEST(ArrayModelsBlocks, OutputStationaryRandomBlocks) { random_blocks("os", 22, 8); }
TEST(ArrayModelsBlocks, InputStationaryRandomBlocks) { random_blocks("is", 23, 8); }

// The default blocks: same reports, cycles and outputs (their cycle counts are fixed).
TEST(ArrayModelsBlocks, DefaultBlocksSameReports) {
  const std::string dir = std::string(SKIPSIM_SOURCE_DIR) + "/configs/";
  const Compared a = run_both("conv2x", dir + "resnet18_conv2x.yaml", false);
  EXPECT_EQ(a.code, 0);
  EXPECT_EQ(a.report["cycles"].get<uint64_t>(), 493042u);
  const Compared b = run_both("conv3_1", dir + "resnet18_conv3_1.yaml", false);
  EXPECT_EQ(b.code, 0);
  EXPECT_EQ(b.report["cycles"].get<uint64_t>(), 636501u);
}

// Skip FIFOs at the deadlock boundary of a block with one-pixel tiles (conv1 has run 9 tiles
// when depth 16 deadlocks; 18 finishes): both models deadlock at the same cycle with the
// same diagnosis, or both finish.
TEST(ArrayModelsBlocks, DeadlockBoundaryAlike) {
  const auto cfg = [](int depth) {
    return fmt::format(
        "hardware: {{skip_fifo: {{depth: {}}}, mac_array: {{tile_pixels: 1}}}}\n"
        "workload: {{block: basic, input: {{h: 8, w: 8, c: 16}}, out_channels: 16, seed: 3}}\n",
        depth);
  };
  const Compared dead = run_both("deadlock16", cfg(16), true);
  EXPECT_NE(dead.code, 0);
  EXPECT_TRUE(dead.report.value("deadlock", false));
  EXPECT_GT(dead.report["modules"]["conv1"]["tiles"].get<uint64_t>(), 0u);
  const Compared done = run_both("deadlock18", cfg(18), true);
  EXPECT_EQ(done.code, 0);
}

// Sleeping blocks (sim.skip_idle_edges, the default) against every block at every edge: the
// same reports, outputs and waveforms on random blocks (throttled input and stalled output
// among them), at the deadlock boundary, spilling to DRAM, and on the default blocks.
TEST(SkipIdleEdges, RandomBlocksWeightStationary) { random_blocks("ws", 31, 8, kSleep); }
TEST(SkipIdleEdges, RandomBlocksOutputStationary) { random_blocks("os", 32, 6, kSleep); }
TEST(SkipIdleEdges, RandomBlocksInputStationary) { random_blocks("is", 33, 6, kSleep); }

TEST(SkipIdleEdges, DeadlockSpillAndDefaultBlocks) {
  const auto cfg = [](int depth, const char* policy) {
    return fmt::format(
        "hardware: {{skip_fifo: {{depth: {}, policy: {}}}, mac_array: {{tile_pixels: 1}}}}\n"
        "workload: {{block: basic, input: {{h: 8, w: 8, c: 16}}, out_channels: 16, seed: 3}}\n",
        depth, policy);
  };
  for (bool vcd : {true, false}) {
    EXPECT_NE(run_both("dead16", cfg(16, "block"), vcd, "", kSleep).code, 0);
    EXPECT_EQ(run_both("spill8", cfg(8, "spill"), vcd, "", kSleep).code, 0);
  }
  const std::string dir = std::string(SKIPSIM_SOURCE_DIR) + "/configs/";
  for (bool vcd : {true, false}) {
    const Compared a = run_both("conv2x", dir + "resnet18_conv2x.yaml", vcd, "", kSleep);
    EXPECT_EQ(a.code, 0);
    EXPECT_EQ(a.report["cycles"].get<uint64_t>(), 493042u);
  }
  // A stopped clock must still end a run at the cycle limit, and at a deadlock found by
  // the window rather than the fixed point (a tile is always running there).
  const std::string conv2x = dir + "resnet18_conv2x.yaml";
  EXPECT_EQ(run_both("limit", conv2x, false, "--set sim.max_cycles=100003", kSleep).code, 5);
  const Compared w =
      run_both("window", conv2x, false,
               "--set hardware.skip_fifo.depth=64 --set sim.deadlock_window=100000", kSleep);
  EXPECT_TRUE(w.report.value("deadlock", false));
}

// A small network both ways: the stem (conv, max pool), the residual blocks and the head
// (global pool, fully connected) sleep too; the network report and the logits are equal.
TEST(SkipIdleEdges, NetworkStemBlocksAndHead) {
  const fs::path d = skipsim::test::scratch_dir("array_models", "network");
  nlohmann::json rep[2];
  const char* names[] = {"sleep", "every_edge"};
  for (int i = 0; i < 2; ++i) {
    const auto r = run_cli(
        fmt::format("network -q --model resnet18 --input 32x32 --set sim.skip_idle_edges={} "
                    "--report {}.json",
                    i == 0 ? "true" : "false", names[i]),
        d);
    ASSERT_EQ(r.code, 0) << r.err;
    rep[i] = nlohmann::json::parse(slurp(d / (std::string(names[i]) + ".json")));
    for (const char* k : {"wall_seconds"}) rep[i].erase(k);
    strip_timing(rep[i]);
  }
  EXPECT_EQ(rep[0]["blocks"].size(), 10u);
  if (rep[0] != rep[1])
    ADD_FAILURE() << "reports differ, " << first_difference(rep[0].dump(1), rep[1].dump(1));
  fs::remove_all(d);
}
