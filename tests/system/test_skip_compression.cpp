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
  }
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
                  " --set hardware.skip_fifo.compression=zvc --set hardware.skip_fifo.policy=spill",
              d);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("hardware.skip_fifo.compression: zvc runs with"), std::string::npos)
      << r.err;
  r = run_cli("run -q --config " + kConfig +
                  " --set hardware.skip_fifo.compression=rlc --set hardware.skip_fifo.impl=rtl",
              d);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("hardware.skip_fifo.compression: rlc runs with"), std::string::npos)
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
