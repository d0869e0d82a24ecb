// The skip FIFO's spill policy end to end: no depth deadlocks, the output stays bit-exact,
// the DRAM traffic per purpose adds up, and on the default block the cycles and the spill
// traffic against the on-chip depth (the spill traffic is zero from the unbounded peak
// occupancy on). Multi-point checks run the skipsim binary (one design per process).
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "hw/common/errors.hpp"
#include "tb/config/config.hpp"
#include "tb/modes/run.hpp"
#include "tb/ref/block_params.hpp"
#include "tb/ref/golden.hpp"

#include "tests/common/cli.hpp"

using namespace skipsim;
namespace fs = std::filesystem;

using skipsim::test::sh;
using skipsim::test::slurp;

namespace {
const std::string kBin = SKIPSIM_BINARY;
const std::string kSrc = SKIPSIM_SOURCE_DIR;
const std::string kDefault = kSrc + "/configs/resnet18_conv2x.yaml";

fs::path scratch(const std::string& name) { return skipsim::test::scratch_dir("spill", name); }

// Rows of a sweep CSV keyed by (policy, depth); the cells used here hold no commas.
std::map<std::pair<std::string, int>, std::map<std::string, std::string>> sweep(
    const std::string& config, const std::string& params, const fs::path& dir) {
  const fs::path out = dir / "s.csv";
  EXPECT_EQ(sh(kBin + " sweep --config " + config + " " + params + " --jobs 2 --out " +
               out.string() + " 2>/dev/null"),
            0);
  std::istringstream in(slurp(out));
  std::string line;
  std::vector<std::string> header;
  std::map<std::pair<std::string, int>, std::map<std::string, std::string>> m;
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::stringstream ls(line);
    for (std::string cell; std::getline(ls, cell, ',');) f.push_back(cell);
    if (header.empty()) {
      header = f;
      continue;
    }
    std::map<std::string, std::string> row;
    for (size_t i = 0; i < f.size() && i < header.size(); ++i) row[header[i]] = f[i];
    m[{row["fifos.skip.policy"], std::stoi(row["hardware.skip_fifo.depth"])}] = row;
  }
  return m;
}

uint64_t u64(const std::map<std::string, std::string>& row, const std::string& k) {
  const std::string& v = row.at(k);
  return v.empty() ? 0 : std::stoull(v);
}

Config tiny(const std::string& extra, const std::string& block = "basic") {
  const std::string y = fmt::format(
      "base: {}/configs/npu/default.yaml\n"
      "workload:\n  block: {}\n  input: {{h: 8, w: 8, c: 16}}\n  out_channels: {}\n",
      kSrc, block, block == "basic" ? 16 : 24);
  std::vector<std::string> sets;
  std::stringstream ss(extra);
  for (std::string s; ss >> s;) sets.push_back(s);
  return parse_config(y, sets);
}

RunResult run_bit_exact(const Config& cfg, uint64_t seed) {
  const BlockParams p = random_block(block_shape(cfg.workload), seed);
  RunResult r = run_block(cfg, p, {});
  EXPECT_EQ(r.end, RunResult::End::kFinished) << r.deadlock_text;
  EXPECT_EQ(r.output, golden_block(p)) << "output differs from the golden model";
  return r;
}
}  // namespace

TEST(SpillDefaultBlock, CyclesAgainstOnChipDepthForBothPolicies) {
  const fs::path d = scratch("both");
  const auto m = sweep(kDefault,
                       "--param hardware.skip_fifo.policy=block,spill "
                       "--param hardware.skip_fifo.depth=16,669,670,1100",
                       d);
  ASSERT_EQ(m.size(), 8u);
  // block: deadlocks below the closed-form depth 670; at the boundary the convs take turns
  // (conv2's whole-row tile waits for conv1's next row); past the unbounded peak (1053) it
  // runs at full speed.
  for (int depth : {16, 669}) EXPECT_EQ(m.at({"block", depth}).at("status"), "deadlock");
  for (int depth : {670, 1100}) EXPECT_EQ(m.at({"block", depth}).at("status"), "ok");
  const uint64_t full = u64(m.at({"block", 1100}), "cycles");
  EXPECT_GT(u64(m.at({"block", 670}), "cycles"), full * 3 / 2);
  // spill: every depth finishes, never slower than block, and the traffic shrinks with depth.
  uint64_t prev_spill = ~uint64_t{0}, prev_sram = 0;
  for (int depth : {16, 669, 670, 1100}) {
    const auto& r = m.at({"spill", depth});
    ASSERT_EQ(r.at("status"), "ok") << depth;
    const uint64_t spill = u64(r, "fifos.skip.spill.spill_bytes");
    EXPECT_EQ(spill, u64(r, "fifos.skip.spill.fill_bytes")) << depth;
    EXPECT_LE(spill, prev_spill) << depth;
    EXPECT_GT(u64(r, "fifos.skip.sram_bytes"), prev_sram) << depth;
    EXPECT_LE(u64(r, "fifos.skip.spill.max_onchip_occupancy"), static_cast<uint64_t>(depth));
    // The stall of spill and fill stays small (about 2.5% at depth 16: spill's DMA shares
    // the DRAM with input and output).
    EXPECT_LE(u64(r, "cycles"), full + full / 20) << depth;
    if (m.at({"block", depth}).at("status") == "ok")
      EXPECT_LE(u64(r, "cycles"), u64(m.at({"block", depth}), "cycles")) << depth;
    // The DRAM carries the spill twice (out and back) on top of the block's own traffic.
    EXPECT_EQ(u64(r, "dram.bytes_written"),
              u64(m.at({"block", 1100}), "dram.bytes_written") + spill)
        << depth;
    prev_spill = spill;
    prev_sram = u64(r, "fifos.skip.sram_bytes");
  }
  EXPECT_GT(u64(m.at({"spill", 16}), "fifos.skip.spill.spill_bytes"), 100000u);
  EXPECT_EQ(u64(m.at({"spill", 1100}), "fifos.skip.spill.spill_bytes"), 0u);
  EXPECT_EQ(u64(m.at({"spill", 1100}), "cycles"), full);
}

TEST(SpillDefaultBlock, TrafficFallsToZeroAtTheUnboundedPeakOccupancy) {
  const fs::path d = scratch("peak");
  ASSERT_EQ(sh(kBin + " run -q --config " + kDefault + " --report " + (d / "r.json").string()), 0);
  const auto j = nlohmann::json::parse(slurp(d / "r.json"));
  const int peak = j["fifos"]["skip"]["max_occupancy"].get<int>();
  ASSERT_LT(peak, j["fifos"]["skip"]["depth"].get<int>()) << "the default depth is unbounded";
  const auto m = sweep(kDefault,
                       fmt::format("--set hardware.skip_fifo.policy=spill "
                                   "--param hardware.skip_fifo.depth={},{}",
                                   peak - 32, peak),
                       d);
  EXPECT_GT(u64(m.at({"spill", peak - 32}), "fifos.skip.spill.spill_bytes"), 0u);
  for (int depth : {peak}) {
    const auto& r = m.at({"spill", depth});
    EXPECT_EQ(u64(r, "fifos.skip.spill.spill_bytes"), 0u) << depth;
    EXPECT_EQ(u64(r, "fifos.skip.spill.fill_bytes"), 0u) << depth;
    EXPECT_EQ(u64(r, "cycles"), j["cycles"].get<uint64_t>()) << depth;
    EXPECT_EQ(u64(r, "fifos.skip.max_occupancy"), static_cast<uint64_t>(peak)) << depth;
  }
}

TEST(SpillTiny, DepthThatDeadlocksWithBlockFinishesWithSpill) {
  const fs::path d = scratch("tiny");
  const auto m = sweep(kSrc + "/configs/workloads/tiny_basic.yaml",
                       "--param hardware.skip_fifo.policy=block,spill "
                       "--param hardware.skip_fifo.depth=4,8",
                       d);
  for (int depth : {4, 8}) {
    EXPECT_EQ(m.at({"block", depth}).at("status"), "deadlock") << depth;
    EXPECT_EQ(m.at({"spill", depth}).at("status"), "ok") << depth;
    EXPECT_GT(u64(m.at({"spill", depth}), "fifos.skip.spill.spill_bytes"), 0u) << depth;
  }
}

TEST(SpillBitExact, BasicAtTheSmallestDepth) {
  const RunResult r =
      run_bit_exact(tiny("hardware.skip_fifo.policy=spill hardware.skip_fifo.depth=4"), 31);
  const auto& sp = r.report["fifos"]["skip"]["spill"];
  EXPECT_GT(sp["spill_bytes"].get<uint64_t>(), 0u);
  EXPECT_EQ(sp["spill_bytes"], sp["fill_bytes"]);
  EXPECT_EQ(sp["max_onchip_occupancy"].get<uint64_t>(), 4u);
  // Every spill is a whole burst of 64 B (4 beats of 16 lanes).
  EXPECT_EQ(sp["spill_bytes"].get<uint64_t>(), 64u * sp["spill_bursts"].get<uint64_t>());
  EXPECT_EQ(r.report["fifos"]["skip"]["pushes"].get<uint64_t>(), 64u);
  EXPECT_EQ(r.report["fifos"]["skip"]["pops"].get<uint64_t>(), 64u);
}

TEST(SpillBitExact, DownsampleWithPartialBeatsSimpleDram) {
  // 24 channels on 16 lanes: two beats a pixel, the second half empty.
  run_bit_exact(tiny("hardware.skip_fifo.policy=spill hardware.skip_fifo.depth=4 "
                     "hardware.dram.model=simple",
                     "downsample"),
                32);
}

TEST(SpillBitExact, FramesJitterAndOutputStallsWithAFourBurstRing) {
  const RunResult r =
      run_bit_exact(tiny("hardware.skip_fifo.policy=spill hardware.skip_fifo.depth=8 "
                         "hardware.skip_fifo.spill_ring_bytes=256 hardware.stream.lanes=8 "
                         "workload.frames=3 workload.input_throttle.stall_probability=0.3 "
                         "sim.output_stall_probability=0.3"),
                    33);
  const auto& sp = r.report["fifos"]["skip"]["spill"];
  EXPECT_EQ(sp["ring_bytes"].get<uint64_t>(), 256u);
  EXPECT_EQ(sp["max_ring_bursts"].get<uint64_t>(), 4u);
  EXPECT_GT(sp["input_blocked_cycles"].get<uint64_t>(), 0u) << "a full ring holds the input";
  EXPECT_EQ(r.report["frames"]["done_cycles"].size(), 3u);
}

TEST(SpillTiny, TooSmallRingDeadlocksAndTheDiagnosisSaysSo) {
  // 8 on chip + 16 staged + 2 bursts of 8 in DRAM: fills need 8 free entries on chip.
  const Config cfg = tiny(
      "hardware.skip_fifo.policy=spill hardware.skip_fifo.depth=8 "
      "hardware.skip_fifo.spill_ring_bytes=128 hardware.stream.lanes=8");
  const RunResult r = run_block(cfg, random_block(block_shape(cfg.workload), 33), {});
  ASSERT_EQ(r.end, RunResult::End::kDeadlock);
  EXPECT_NE(r.deadlock_text.find("2/2 bursts in the DRAM ring (full: "
                                 "hardware.skip_fifo.spill_ring_bytes too small)"),
            std::string::npos)
      << r.deadlock_text;
}

TEST(DramTraffic, PerPurposeSumsEqualTheTotals) {
  const RunResult r = run_bit_exact(
      tiny("hardware.skip_fifo.policy=spill hardware.skip_fifo.depth=4", "downsample"), 34);
  const auto& d = r.report["dram"];
  uint64_t bytes = 0, requests = 0;
  for (const char* p : {"input", "weights", "output", "spill", "fill"}) {
    ASSERT_TRUE(d["by_purpose"].contains(p)) << p;
    EXPECT_GT(d["by_purpose"][p]["requests"].get<uint64_t>(), 0u) << p;
    bytes += d["by_purpose"][p]["bytes"].get<uint64_t>();
    requests += d["by_purpose"][p]["requests"].get<uint64_t>();
  }
  EXPECT_EQ(bytes, d["bytes_read"].get<uint64_t>() + d["bytes_written"].get<uint64_t>());
  EXPECT_EQ(requests, d["reads"].get<uint64_t>() + d["writes"].get<uint64_t>());
  EXPECT_EQ(requests, d["requests"].get<uint64_t>());
  uint64_t rd = 0, wr = 0;
  for (const auto& [k, v] : d["bytes_read_by_purpose"].items()) rd += v.get<uint64_t>();
  for (const auto& [k, v] : d["bytes_written_by_purpose"].items()) wr += v.get<uint64_t>();
  EXPECT_EQ(rd, d["bytes_read"].get<uint64_t>());
  EXPECT_EQ(wr, d["bytes_written"].get<uint64_t>());
  // The weights are the packed parameters of the three engines (README "Report").
  EXPECT_EQ(d["bytes_read_by_purpose"]["weights"].get<uint64_t>(),
            24u * 144 + 24u * 216 + 24u * 16 + 3 * 12 * 24);
  // The DDR model saw the same requests (in 64 B bursts).
  EXPECT_EQ(d["ddr"]["reads"].get<uint64_t>() + d["ddr"]["writes"].get<uint64_t>(), requests);
  for (const char* k : {"bandwidth_gbps", "row_hits", "row_misses", "row_conflicts", "commands",
                        "energy_pj", "read_latency"})
    EXPECT_TRUE(d["ddr"].contains(k)) << k;
  for (const char* k : {"avg", "p50", "p99", "max"})
    EXPECT_TRUE(d["ddr"]["read_latency"].contains(k)) << k;
}

// Caught when the configuration loads, before elaboration.
TEST(SpillConfig, DepthBelowOneBurstIsAConfigError) {
  try {
    const Config cfg = tiny("hardware.skip_fifo.policy=spill hardware.skip_fifo.depth=3");
    run_block(cfg, random_block(block_shape(cfg.workload), 1), {});
    FAIL() << "expected a config error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("hardware.skip_fifo.depth"), std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("4 beats"), std::string::npos) << e.what();
  }
}

// A beat wider than a burst (lanes > burst_bytes) spans several bursts of one ring slot; the
// widths around it (17, 20, 24 lanes) leave part of each slot unused. C = lanes: one beat a
// pixel.
class SpillWideBeats : public ::testing::TestWithParam<std::pair<int, int>> {};

TEST_P(SpillWideBeats, BitExactAgainstTheGoldenModel) {
  const auto [lanes, burst] = GetParam();
  const std::string y = fmt::format(
      "base: {}/configs/npu/default.yaml\n"
      "workload:\n  block: basic\n  input: {{h: 8, w: 8, c: {}}}\n  out_channels: {}\n",
      kSrc, lanes, lanes);
  const Config cfg =
      parse_config(y, {"hardware.skip_fifo.policy=spill", "hardware.skip_fifo.depth=4",
                       fmt::format("hardware.stream.lanes={}", lanes),
                       fmt::format("hardware.dram.burst_bytes={}", burst)});
  const RunResult r = run_bit_exact(cfg, 40 + lanes);
  const auto& sp = r.report["fifos"]["skip"]["spill"];
  EXPECT_GT(sp["spill_bursts"].get<uint64_t>(), 0u);
  EXPECT_EQ(sp["spill_bytes"], sp["fill_bytes"]);
  const uint64_t bpb = std::max(1, burst / lanes);
  EXPECT_EQ(sp["beats_per_burst"].get<uint64_t>(), bpb);
  EXPECT_EQ(sp["spill_bytes"].get<uint64_t>(), bpb * lanes * sp["spill_bursts"].get<uint64_t>());
}

INSTANTIATE_TEST_SUITE_P(LanesAndBursts, SpillWideBeats,
                         ::testing::Values(std::pair{17, 16}, std::pair{20, 16}, std::pair{24, 16},
                                           std::pair{64, 16}, std::pair{17, 64}, std::pair{20, 64},
                                           std::pair{24, 64}, std::pair{64, 64}),
                         [](const auto& info) {
                           return fmt::format("lanes{}_burst{}", info.param.first,
                                              info.param.second);
                         });

TEST(SpillConfig, RingSmallerThanTwoWideSlotsIsAConfigError) {
  // 64 lanes on 16 B bursts: a slot is 64 B, the ring needs 128 B.
  try {
    tiny(
        "hardware.skip_fifo.policy=spill hardware.stream.lanes=64 "
        "hardware.dram.burst_bytes=16 hardware.skip_fifo.spill_ring_bytes=64");
    FAIL() << "expected a config error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("at least two ring slots of 64 B"), std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("(128), got 64"), std::string::npos) << e.what();
  }
}
