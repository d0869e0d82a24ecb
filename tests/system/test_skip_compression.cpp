// Compression on the skip path (hardware.skip_fifo.compression: zvc, rlc): the block
// stays bit-exact, the report gives raw and compressed bytes, the FIFO holds fewer bytes on
// post-ReLU data (a network's own block inputs), the incompressible worst case still finishes,
// and what is not supported yet is refused with one line.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/common/cli.hpp"

namespace {

namespace fs = std::filesystem;
using skipsim::test::run_cli;
using skipsim::test::slurp;

fs::path dir(const std::string& name) {
  return skipsim::test::scratch_dir("skip_compression", name);
}

const std::string kConfig = std::string(SKIPSIM_SOURCE_DIR) + "/configs/resnet18_conv2x.yaml";

TEST(SkipCompression, DefaultBlockBitExactWithCodecFigures) {
  const fs::path d = dir("block");
  const auto r = run_cli(
      "run -q --config " + kConfig + " --set hardware.skip_fifo.compression=zvc --report r.json",
      d);
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(slurp(d / "r.json"));
  EXPECT_TRUE(j["output"]["matches_golden"].get<bool>());
  const auto& f = j["fifos"]["skip"];
  EXPECT_EQ(f["compression"], "zvc");
  EXPECT_EQ(f["raw_bytes"].get<uint64_t>(), 56u * 56 * 64);
  // Words of 16 bytes: at least one mask of 2 bytes per 16-lane beat.
  EXPECT_GE(f["compressed_bytes"].get<uint64_t>(), 56u * 56 * 4 * 2);
  EXPECT_EQ(f["pushes"].get<uint64_t>() * 16, f["compressed_bytes"].get<uint64_t>());
  EXPECT_TRUE(j["modules"].contains("compressor"));
  EXPECT_TRUE(j["modules"].contains("decompressor"));
  // The random block input has almost no zeros: the codec cannot shrink it, and the block
  // still finishes within a few cycles of the uncompressed one.
  EXPECT_LT(f["compression_ratio"].get<double>(), 1.0);
  EXPECT_LE(j["cycles"].get<uint64_t>(), 493042u + 2000);
  // The same run's peak in uncompressed beats: the 1053 beats the uncompressed FIFO peaks at.
  EXPECT_EQ(f["max_occupancy_raw_bytes"].get<uint64_t>(), 1053u * 16);
}

TEST(SkipCompression, PostReluSkipTensorsTakeFewerFifoBytes) {
  const std::string args = "network -q --model resnet18 --input 64x64 --blocks layer2.1:layer3.1 ";
  const fs::path d = dir("net");
  ASSERT_EQ(run_cli(args + "--report none.json", d).code, 0);
  const auto r = run_cli(args + "--set hardware.skip_fifo.compression=zvc --report zvc.json", d);
  ASSERT_EQ(r.code, 0) << r.err;
  const auto a = nlohmann::json::parse(slurp(d / "none.json"));
  const auto b = nlohmann::json::parse(slurp(d / "zvc.json"));
  EXPECT_TRUE(b["bit_exact"].get<bool>());
  // layer2.1's and layer3.1's X are block outputs after ReLU: about half zeros.
  for (size_t i : {0u, 2u}) {
    const auto& fa = a["blocks"][i]["fifos"]["skip"];
    const auto& fb = b["blocks"][i]["fifos"]["skip"];
    EXPECT_GT(fb["zero_lane_fraction"].get<double>(), 0.3) << b["blocks"][i]["name"];
    EXPECT_GT(fb["compression_ratio"].get<double>(), 1.3) << b["blocks"][i]["name"];
    EXPECT_LT(fb["max_occupancy_bytes"].get<uint64_t>(), fa["max_occupancy_bytes"].get<uint64_t>())
        << b["blocks"][i]["name"];
    // Peak with and without compression from the one compressed run.
    EXPECT_EQ(fb["max_occupancy_raw_bytes"].get<uint64_t>(),
              fa["max_occupancy"].get<uint64_t>() * 16)
        << b["blocks"][i]["name"];
  }
}

// Policy spill with compression: the ring in DRAM holds the compressed words, so a sparse X
// spills and fills fewer bytes, and the block stays bit-exact.
TEST(SkipCompression, SpillRingCarriesCompressedWords) {
  const std::string args =
      "network -q --model resnet18 --input 64x64 --blocks layer2.1 --configured-depth "
      "--set hardware.skip_fifo.policy=spill --set hardware.skip_fifo.depth=16 ";
  const fs::path d = dir("spill");
  ASSERT_EQ(run_cli(args + "--report none.json", d).code, 0);
  const auto r = run_cli(args + "--set hardware.skip_fifo.compression=zvc --report zvc.json", d);
  ASSERT_EQ(r.code, 0) << r.err;
  const auto a = nlohmann::json::parse(slurp(d / "none.json"));
  const auto b = nlohmann::json::parse(slurp(d / "zvc.json"));
  ASSERT_TRUE(a["bit_exact"].get<bool>());
  ASSERT_TRUE(b["bit_exact"].get<bool>());
  const uint64_t spill_none = a["dram"]["spill"].get<uint64_t>();
  const uint64_t spill_zvc = b["dram"]["spill"].get<uint64_t>();
  EXPECT_GT(spill_none, 0u);
  EXPECT_GT(spill_zvc, 0u);
  EXPECT_EQ(b["dram"]["fill"].get<uint64_t>(), spill_zvc);
  // A spilled word is a compressed word: never more than the compressed tensor (in whole
  // bursts), and the ratio carries over to the DRAM traffic.
  const auto& f = b["blocks"][0]["fifos"]["skip"];
  EXPECT_LE(spill_zvc, f["compressed_bytes"].get<uint64_t>() + 64);
  EXPECT_LT(spill_zvc * 13, spill_none * 10) << spill_zvc << " vs " << spill_none;
  EXPECT_EQ(b["skip_raw_bytes"].get<uint64_t>(), f["raw_bytes"].get<uint64_t>());
  EXPECT_EQ(b["skip_compressed_bytes"].get<uint64_t>(), f["compressed_bytes"].get<uint64_t>());
}

// Sparsity per skip tensor, with and without compression, from the network's own data; with
// compression the codec's count of zero lanes is the same figure.
TEST(SkipCompression, NetworkReportsSparsityPerSkipTensor) {
  const std::string args = "network -q --model resnet18 --input 64x64 --blocks layer2.0:layer2.1 ";
  const fs::path d = dir("sparsity");
  ASSERT_EQ(run_cli(args + "--csv none.csv --report none.json", d).code, 0);
  ASSERT_EQ(run_cli(args + "--set hardware.skip_fifo.compression=zvc --report zvc.json", d).code,
            0);
  const auto a = nlohmann::json::parse(slurp(d / "none.json"));
  const auto b = nlohmann::json::parse(slurp(d / "zvc.json"));
  for (size_t i : {0u, 1u}) {
    const double z = a["blocks"][i]["skip_zero_fraction"].get<double>();
    EXPECT_DOUBLE_EQ(z, b["blocks"][i]["skip_zero_fraction"].get<double>());
    EXPECT_NEAR(z, b["blocks"][i]["fifos"]["skip"]["zero_lane_fraction"].get<double>(), 1e-9)
        << a["blocks"][i]["name"];
  }
  // layer2.0's skip is its projection (no ReLU), layer2.1's a ReLU output.
  EXPECT_LT(a["blocks"][0]["skip_zero_fraction"].get<double>(), 0.1);
  EXPECT_GT(a["blocks"][1]["skip_zero_fraction"].get<double>(), 0.3);
  EXPECT_NE(slurp(d / "none.csv").find(",skip_zero_fraction,skip_raw_bytes,skip_compressed_bytes"),
            std::string::npos);
  EXPECT_EQ(a["compression"], "none");
  EXPECT_FALSE(a.contains("skip_raw_bytes"));
}

// The worst case: X with no zero lane. find-depth gives its depth in words (the uncompressed
// search's depth in the codec's incompressible words); a FIFO sized for sparse data deadlocks
// on such an X unless policy spill sends the overflow to DRAM.
TEST(SkipCompression, WorstCaseDepthSurvivesIncompressibleX) {
  const fs::path d = dir("worst");
  auto r = run_cli(
      "find-depth --json -j 2 --config " + kConfig + " --set hardware.skip_fifo.compression=zvc",
      d);
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  const auto& w = j["worst_case"];
  const uint64_t raw = w["uncompressed_deadlock_free_depth"].get<uint64_t>();
  EXPECT_EQ(raw, 670u);  // the closed form of the default block, in beats
  // 16 lanes: 2 mask bytes + 16 bytes per beat, in words of 16 bytes.
  EXPECT_EQ(w["deadlock_free_depth"].get<uint64_t>(), (raw * 18 + 15) / 16);
  EXPECT_EQ(w["deadlock_free_bytes"].get<uint64_t>(), 754u * 16 + 96);
  // The default block's random X is nearly incompressible: its own depth is just below.
  const uint64_t own = j["min_deadlock_free_depth"].get<uint64_t>();
  EXPECT_LE(own, w["deadlock_free_depth"].get<uint64_t>());
  EXPECT_GE(own + 16, w["deadlock_free_depth"].get<uint64_t>());
  EXPECT_GE(w["full_speed_depth"].get<uint64_t>(), j["min_full_speed_depth"].get<uint64_t>());

  // A post-ReLU block's own data needs far fewer words than the worst case.
  r = run_cli(
      "network -q --model resnet18 --input 64x64 --blocks layer2.1 --find-depth -j 2 "
      "--set hardware.skip_fifo.compression=zvc --report n.json",
      d);
  ASSERT_EQ(r.code, 0) << r.err;
  const auto b = nlohmann::json::parse(slurp(d / "n.json"))["blocks"][0];
  const uint64_t sparse = b["min_deadlock_free_depth"].get<uint64_t>();
  EXPECT_LT(sparse * 3, b["worst_deadlock_free_depth"].get<uint64_t>() * 2)
      << sparse << " vs " << b["worst_deadlock_free_depth"];
  // The same block on random (dense) data at that depth: deadlock with policy block, and
  // bit-exact with policy spill, which spills the overflow.
  const std::string same =
      "run -q --config " + std::string(SKIPSIM_SOURCE_DIR) +
      "/configs/npu/default.yaml --set workload.block=basic --set workload.input.h=8 --set "
      "workload.input.w=8 --set workload.input.c=128 --set workload.out_channels=128 --set "
      "hardware.skip_fifo.compression=zvc --set hardware.skip_fifo.depth=" +
      std::to_string(sparse);
  r = run_cli(same, d);
  EXPECT_EQ(r.code, 3) << r.err;
  EXPECT_NE(r.err.find("deadlock"), std::string::npos) << r.err;
  r = run_cli(same + " --set hardware.skip_fifo.policy=spill --report s.json", d);
  ASSERT_EQ(r.code, 0) << r.err;
  j = nlohmann::json::parse(slurp(d / "s.json"));
  EXPECT_TRUE(j["output"]["matches_golden"].get<bool>());
  EXPECT_GT(j["dram"]["by_purpose"]["spill"]["bytes"].get<uint64_t>(), 0u);
}

// Run-length coding (compression: rlc): the default block stays bit-exact; its random input has
// few zeros, so each beat takes about 16 pairs of 13 bits, 9 a 16-byte word, and the skip path
// moves at 9/16 beats per cycle, still far above the block's own rate.
TEST(SkipCompression, RlcDefaultBlockBitExactWithinAFewCycles) {
  const fs::path d = dir("rlc_block");
  const auto r = run_cli(
      "run -q --config " + kConfig + " --set hardware.skip_fifo.compression=rlc --report r.json",
      d);
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(slurp(d / "r.json"));
  EXPECT_TRUE(j["output"]["matches_golden"].get<bool>());
  const auto& f = j["fifos"]["skip"];
  EXPECT_EQ(f["compression"], "rlc");
  EXPECT_EQ(f["raw_bytes"].get<uint64_t>(), 56u * 56 * 64);
  EXPECT_EQ(f["pushes"].get<uint64_t>() * 16, f["compressed_bytes"].get<uint64_t>());
  const auto& c = j["modules"]["compressor"]["codec"];
  // Pair bits in whole bytes: at most 13 bits a lane, over 8 once a lane in 13 is zero.
  EXPECT_LE(c["compressed_bytes"].get<uint64_t>(), (56u * 56 * 64 * 13 + 7) / 8);
  EXPECT_LT(f["compression_ratio"].get<double>(), 1.0);
  EXPECT_LE(j["cycles"].get<uint64_t>(), 493042u * 102 / 100);
}

TEST(SkipCompression, RlcPostReluSkipTensorTakesFewerWordsThanRaw) {
  const std::string args = "network -q --model resnet18 --input 64x64 --blocks layer3.1 ";
  const fs::path d = dir("rlc_net");
  const auto r = run_cli(args + "--set hardware.skip_fifo.compression=rlc --report rlc.json", d);
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(slurp(d / "rlc.json"));
  EXPECT_TRUE(j["bit_exact"].get<bool>());
  const auto& f = j["blocks"][0]["fifos"]["skip"];
  EXPECT_EQ(f["compression"], "rlc");
  EXPECT_GT(f["zero_lane_fraction"].get<double>(), 0.3);
  EXPECT_LT(f["compressed_bytes"].get<uint64_t>(), f["raw_bytes"].get<uint64_t>());
}

TEST(SkipCompression, UnsupportedCombinationsAreRefused) {
  const fs::path d = dir("bad");
  auto r =
      run_cli("run -q --config " + kConfig +
                  " --set hardware.skip_fifo.compression=zvc --set hardware.skip_fifo.impl=rtl",
              d);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("hardware.skip_fifo.compression: zvc stores words in the SystemC skip FIFO"),
            std::string::npos)
      << r.err;
  // Policy spill with words of 32 B and bursts of 64 B: two words per burst at least.
  r = run_cli("run -q --config " + kConfig +
                  " --set hardware.skip_fifo.compression=zvc --set hardware.skip_fifo.policy=spill"
                  " --set hardware.sram.width_bytes=32 --set hardware.skip_fifo.depth=1",
              d);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("hardware.dram.burst_bytes / hardware.sram.width_bytes = 64 / 32 = 2 words"),
            std::string::npos)
      << r.err;
  r = run_cli("run -q --config " + kConfig +
                  " --set hardware.skip_fifo.compression=rlc --set hardware.skip_fifo.impl=rtl",
              d);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("hardware.skip_fifo.compression: rlc stores words in the SystemC skip FIFO"),
            std::string::npos)
      << r.err;
  // A 13-bit pair needs a word of two bytes.
  r = run_cli("run -q --config " + kConfig +
                  " --set hardware.skip_fifo.compression=rlc --set hardware.sram.width_bytes=1",
              d);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("rlc packs 13-bit pairs"), std::string::npos) << r.err;
  r = run_cli("run -q --config " + kConfig + " --set hardware.skip_fifo.compression=lz4", d);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("hardware.skip_fifo.compression"), std::string::npos) << r.err;
}

}  // namespace
