// skipsim network --fused: consecutive residual blocks as one streaming pipeline (each block
// its own engines and skip FIFO, add_i feeding fork_i+1), bit-exact against the golden
// model, every skip FIFO's peak reported, faster than the blocks run one after another.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/common/cli.hpp"

namespace {

namespace fs = std::filesystem;
using skipsim::test::run_cli;
using skipsim::test::slurp;

fs::path dir(const std::string& name) { return skipsim::test::scratch_dir("fused", name); }

// The fused report of `range` inside the simulated `blocks`: bit-exact, a peak per block,
// fewer cycles than the blocks alone.
void check_fused(const std::string& model, const std::string& blocks, const std::string& range,
                 size_t n) {
  const fs::path d = dir(model);
  const auto r = run_cli("network --model " + model + " --input 32x32 -j 2 --blocks " + blocks +
                             " --fused " + range + " --report r.json",
                         d);
  ASSERT_EQ(r.code, 0) << r.err << r.out;
  EXPECT_NE(r.out.find("fused " + range + ":"), std::string::npos) << r.out;
  const auto j = nlohmann::json::parse(slurp(d / "r.json"));
  EXPECT_TRUE(j["bit_exact"].get<bool>());
  ASSERT_TRUE(j.contains("fused"));
  const auto& f = j["fused"];
  EXPECT_EQ(f["range"], range);
  EXPECT_EQ(f["blocks"].size(), n);
  EXPECT_TRUE(f["matches_golden"].get<bool>());
  const uint64_t cycles = f["cycles"].get<uint64_t>();
  EXPECT_GT(cycles, 0u);
  // Streaming overlaps the blocks: block i+1 computes while block i still does.
  EXPECT_LT(cycles, f["cycles_alone_sum"].get<uint64_t>());
  uint64_t bytes = 0, alone = 0;
  size_t fused_blocks = 0;
  for (const auto& b : j["blocks"]) {
    if (!b.contains("fused")) continue;
    ++fused_blocks;
    const auto& s = b["fused"]["fifos"]["skip"];
    EXPECT_GT(s["max_occupancy"].get<uint64_t>(), 0u) << b["name"];
    EXPECT_LE(s["max_occupancy"].get<uint64_t>(), s["depth"].get<uint64_t>()) << b["name"];
    EXPECT_GT(s["max_occupancy_bytes"].get<uint64_t>(), 0u) << b["name"];
    bytes += s["max_occupancy_bytes"].get<uint64_t>();
    alone += b["fifos"]["skip"]["max_occupancy_bytes"].get<uint64_t>();
    // The blocks alone are still reported as before.
    EXPECT_TRUE(b["matches_golden"].get<bool>()) << b["name"];
  }
  EXPECT_EQ(fused_blocks, n);
  EXPECT_EQ(f["skip_fifo_bytes"].get<uint64_t>(), bytes);
  EXPECT_EQ(f["skip_fifo_bytes_alone_sum"].get<uint64_t>(), alone);
  EXPECT_GT(f["sram"]["used_bytes"].get<uint64_t>(), bytes);
}

TEST(Fused, ResNet18BasicAndDownsampleBitExact) {
  check_fused("resnet18", "layer1.0:layer2.0", "layer1.0:layer2.0", 3);
}

TEST(Fused, ResNet50BottlenecksBitExact) {
  check_fused("resnet50", "layer1.0:layer2.0", "layer1.1:layer2.0", 3);
}

// run-fused takes each block's skip FIFO depth: one beat is too shallow for any block, so the
// pipeline deadlocks (exit 3) where the unbounded depths of the network run finished.
TEST(Fused, PerBlockDepthsReachTheFifos) {
  const fs::path d = dir("depths");
  auto r = run_cli(
      "network --model resnet18 --input 32x32 --blocks layer1.0:layer2.0 --dump-tensors t -q", d);
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string blocks =
      " --name layer1.0 --tensors t/layer1.0 --shape basic,8,8,64,64,0,1"
      " --name layer1.1 --tensors t/layer1.1 --shape basic,8,8,64,64,0,1";
  const std::string cfg = "run-fused -c " SKIPSIM_SOURCE_DIR "/configs/npu/default.yaml -q";
  r = run_cli(cfg + blocks + " --depths 200,200 --report ok.json", d);
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(slurp(d / "ok.json"));
  EXPECT_EQ(j["blocks"][1]["fifos"]["skip"]["depth"], 200);
  EXPECT_TRUE(j["output"]["matches_golden"].get<bool>());
  r = run_cli(cfg + blocks + " --depths 200,1", d);
  EXPECT_EQ(r.code, 3) << r.err;
  // Blocks in the wrong order: layer2.0's output (4x4x128) is not layer1.1's input.
  r = run_cli(cfg +
                  " --name layer2.0 --tensors t/layer2.0 --shape downsample,8,8,64,128,0,2"
                  " --name layer1.1 --tensors t/layer1.1 --shape basic,8,8,64,64,0,1",
              d);
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("block layer1.1 takes 8x8x64, but its input stream carries 4x4x128"),
            std::string::npos)
      << r.err;
}

// --find-depth with --fused: per-block depths searched together on the fused pipeline, all
// set at once in a final run that stays within the tolerance, next to the per-block answers.
TEST(Fused, FindDepthTogetherVerified) {
  const fs::path d = dir("find_depth");
  const auto r = run_cli(
      "network --model resnet18 --input 32x32 -j 2 --blocks layer1.0:layer2.0 --fused "
      "layer1.1:layer2.0 --find-depth --report r.json",
      d);
  ASSERT_EQ(r.code, 0) << r.err << r.out;
  EXPECT_NE(r.out.find("full-speed depths together"), std::string::npos) << r.out;
  const auto j = nlohmann::json::parse(slurp(d / "r.json"));
  const auto& fd = j["fused"]["find_depth"];
  EXPECT_TRUE(fd["verified"].get<bool>());
  EXPECT_EQ(fd["depths"].size(), 2u);
  EXPECT_LE(static_cast<double>(fd["verified_cycles"].get<uint64_t>()),
            1.001 * static_cast<double>(fd["unbounded_cycles"].get<uint64_t>()));
  EXPECT_GT(fd["alone_min_full_speed_bytes_sum"].get<uint64_t>(), 0u);
  uint64_t bytes = 0;
  size_t k = 0;
  for (const auto& b : j["blocks"]) {
    if (!b.contains("fused")) continue;
    const auto& f = b["fused"];
    const uint64_t depth = f["min_full_speed_depth"].get<uint64_t>();
    EXPECT_EQ(depth, fd["depths"][k++].get<uint64_t>());
    EXPECT_GE(depth, 1u);
    EXPECT_LE(depth, f["fifos"]["skip"]["max_occupancy"].get<uint64_t>() + 1) << b["name"];
    bytes += f["min_full_speed_depth_bytes"].get<uint64_t>();
  }
  EXPECT_EQ(fd["bytes_sum"].get<uint64_t>(), bytes);
}

TEST(Fused, BadRangesOneLineExit2) {
  const fs::path d = dir("bad");
  const std::pair<std::string, std::string> cases[] = {
      {"--fused stem:layer1.1", "'stem' is the stem; only residual blocks fuse"},
      {"--fused layer4.0:head", "'head' is the head; only residual blocks fuse"},
      {"--fused layer2.0:layer1.0", "--fused 'layer2.0:layer1.0': the last block comes before"},
      {"--fused layer1.0", "expected FIRST:LAST"},
      {"--fused layer1.0:layer1.0", "one block"},
      {"--fused layer1.0:layer9.9", "--fused 'layer1.0:layer9.9': no block 'layer9.9'"},
      {"--blocks layer1.0:layer1.1 --fused layer1.0:layer2.0", "outside the simulated blocks"},
  };
  for (const auto& [args, want] : cases) {
    const auto r = run_cli("network --model resnet18 --input 32x32 " + args, d);
    EXPECT_EQ(r.code, 2) << args << "\n" << r.err;
    EXPECT_NE(r.err.find(want), std::string::npos) << args << "\n" << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
}

}  // namespace
