// skipsim npu with npu.skip_compression: the skip tensors stored compressed in SRAM and DRAM
// (written through the codec's compressor, read through its decompressor) stay bit-exact,
// take fewer SRAM bytes, and spill and fill their compressed bytes; a tensor some op reads in
// channel slices stays raw; bad values give one line.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/common/cli.hpp"

namespace {

namespace fs = std::filesystem;
using skipsim::test::run_cli;
using skipsim::test::slurp;

fs::path dir(const std::string& name) { return skipsim::test::scratch_dir("npu_skipc", name); }

nlohmann::json npu(const std::string& args, const fs::path& d) {
  const auto r = run_cli("npu -q -j 2 --report r.json " + args, d);
  EXPECT_EQ(r.code, 0) << r.err << r.out;
  if (r.code != 0) return {};
  return nlohmann::json::parse(slurp(d / "r.json"));
}

const std::string kBlocks = "--model resnet18 --input 64x64 --blocks stem:layer2.1";

TEST(NpuSkipCompression, ZvcBitExactAndSkipTensorsTakeFewerSramBytes) {
  const auto none = npu(kBlocks, dir("none"));
  const auto zvc = npu(kBlocks + " --set npu.skip_compression=zvc", dir("zvc"));
  ASSERT_FALSE(none.is_null());
  ASSERT_FALSE(zvc.is_null());
  EXPECT_TRUE(zvc["golden"]["match"].get<bool>());
  for (const auto& o : zvc["ops"]) EXPECT_TRUE(o["matches_golden"].get<bool>()) << o["name"];
  EXPECT_EQ(zvc["npu"]["skip_compression"], "zvc");
  EXPECT_EQ(none["npu"]["skip_compression"], "none");
  int skips = 0, compressed = 0;
  for (size_t i = 0; i < zvc["tensors"].size(); ++i) {
    const auto& t = zvc["tensors"][i];
    const auto& raw = none["tensors"][i];
    EXPECT_EQ(t["bytes"], raw["bytes"]) << t["name"];  // `bytes` stays the raw size
    if (!t["skip"].get<bool>()) {
      EXPECT_FALSE(t["compressed"].get<bool>()) << t["name"];
      EXPECT_EQ(t["stored_bytes"], t["bytes"]) << t["name"];
      continue;
    }
    ++skips;
    EXPECT_FALSE(raw["compressed"].get<bool>()) << t["name"];
    EXPECT_EQ(raw["compressed_bytes"], raw["raw_bytes"]) << t["name"];
    EXPECT_EQ(t["compressed_bytes"], t["stored_bytes"]) << t["name"];
    if (!t["compressed"].get<bool>()) {  // dense: ZVC would add a mask byte per 8 lanes
      EXPECT_EQ(t["compressed_bytes"], t["raw_bytes"]) << t["name"];
      continue;
    }
    ++compressed;
    // Post-ReLU X: a zero lane costs a mask bit instead of a byte. Words of 16 B.
    EXPECT_LT(t["compressed_bytes"].get<uint64_t>(), t["raw_bytes"].get<uint64_t>()) << t["name"];
    EXPECT_EQ(t["compressed_bytes"].get<uint64_t>() % 16, 0u) << t["name"];
  }
  EXPECT_EQ(skips, 5);  // layer1.0, layer1.1, layer2.0 (X and its projection), layer2.1
  EXPECT_GE(compressed, 2);
  EXPECT_EQ(zvc["skip_raw_bytes"], none["skip_raw_bytes"]);
  EXPECT_EQ(none["skip_compressed_bytes"], none["skip_raw_bytes"]);
  EXPECT_LT(zvc["skip_compressed_bytes"].get<uint64_t>(), zvc["skip_raw_bytes"].get<uint64_t>());
  EXPECT_GT(zvc["skip_compression_ratio"].get<double>(), 1.0);
  // The SRAM holds fewer bytes at its peak; the saving is measured against the raw plan.
  const auto& s = zvc["skip_compression_saving"];
  EXPECT_EQ(s["sram_peak_live_bytes_raw"], none["sram_peak_live_bytes"]);
  EXPECT_EQ(s["sram_peak_live_bytes"], zvc["sram_peak_live_bytes"]);
  // At 64x64 the stem's raw tensors set both peaks: no larger, not smaller.
  EXPECT_LE(zvc["liveness_peak_bytes"].get<uint64_t>(),
            none["liveness_peak_bytes"].get<uint64_t>());
  EXPECT_LE(zvc["sram_peak_live_bytes"].get<uint64_t>(),
            none["sram_peak_live_bytes"].get<uint64_t>());
  EXPECT_FALSE(none.contains("skip_compression_saving"));
}

// Ping-pong slots (two, of the largest tensor) make every X leave the SRAM whatever its size,
// so both runs spill and fill the same tensors: a compressed one moves its compressed bytes.
TEST(NpuSkipCompression, ShortSramSpillsAndFillsTheCompressedBytes) {
  const std::string args =
      "--model resnet18 --input 64x64 --blocks layer1.1:layer3.1 --set npu.allocator=ping_pong "
      "--set npu.activation_bytes=32768";
  const auto none = npu(args, dir("short_none"));
  const auto zvc = npu(args + " --set npu.skip_compression=zvc", dir("short_zvc"));
  ASSERT_FALSE(none.is_null());
  ASSERT_FALSE(zvc.is_null());
  EXPECT_TRUE(zvc["golden"]["match"].get<bool>());
  // The DMA engines moved what the plan says, as a whole.
  EXPECT_EQ(zvc["dram"]["spill"].get<uint64_t>(), zvc["spill_bytes"].get<uint64_t>());
  EXPECT_EQ(zvc["dram"]["fill"].get<uint64_t>() + zvc["dram"]["input"].get<uint64_t>(),
            zvc["fill_bytes"].get<uint64_t>() + zvc["load_bytes"].get<uint64_t>());
  int moved = 0;
  for (size_t i = 0; i < zvc["tensors"].size(); ++i) {
    const auto& t = zvc["tensors"][i];
    const auto& raw = none["tensors"][i];
    if (!t["skip"].get<bool>()) continue;
    // Measured per tensor, equal to the plan's, in whole stored tensors: as many as raw.
    const uint64_t out = t["dram_spilled_bytes"].get<uint64_t>();
    const uint64_t in = t["dram_filled_bytes"].get<uint64_t>();
    const uint64_t c = t["compressed_bytes"].get<uint64_t>(), r = t["raw_bytes"].get<uint64_t>();
    EXPECT_EQ(out, t["spilled_bytes"].get<uint64_t>()) << t["name"];
    EXPECT_EQ(in, t["filled_bytes"].get<uint64_t>()) << t["name"];
    EXPECT_EQ(out * r, raw["dram_spilled_bytes"].get<uint64_t>() * c) << t["name"];
    EXPECT_EQ(in * r, raw["dram_filled_bytes"].get<uint64_t>() * c) << t["name"];
    moved += t["compressed"].get<bool>() && out > 0 && in > 0;
  }
  EXPECT_GE(moved, 2);
  const uint64_t z =
      zvc["skip_dram_spill_bytes"].get<uint64_t>() + zvc["skip_dram_fill_bytes"].get<uint64_t>();
  const uint64_t n =
      none["skip_dram_spill_bytes"].get<uint64_t>() + none["skip_dram_fill_bytes"].get<uint64_t>();
  EXPECT_LT(z, n);
  EXPECT_LT(zvc["dram"]["total"].get<uint64_t>(), none["dram"]["total"].get<uint64_t>());
  EXPECT_EQ(zvc["skip_compression_saving"]["skip_spill_fill_bytes"].get<uint64_t>(), z);
  EXPECT_EQ(zvc["skip_compression_saving"]["skip_spill_fill_bytes_raw"].get<uint64_t>(), n);
}

// The greedy planner with a short SRAM (its spill choices follow the sizes): bit-exact, and
// every tensor's measured DRAM bytes are the plan's.
TEST(NpuSkipCompression, GreedyShortSramMovesWhatThePlanSays) {
  const auto zvc = npu(kBlocks + " --set npu.activation_bytes=40000 --set npu.skip_compression=zvc",
                       dir("greedy_short"));
  ASSERT_FALSE(zvc.is_null());
  EXPECT_TRUE(zvc["golden"]["match"].get<bool>());
  EXPECT_GT(zvc["spill_bytes"].get<uint64_t>(), 0u);
  for (const auto& t : zvc["tensors"]) {
    EXPECT_EQ(t["dram_spilled_bytes"], t["spilled_bytes"]) << t["name"];
    EXPECT_EQ(t["dram_filled_bytes"], t["filled_bytes"]) << t["name"];
  }
}

// The fused add reads X at its Add through the decompressor; a fused add in passes reads X in
// channel slices, which a stream of whole pixels cannot give: that X stays raw.
TEST(NpuSkipCompression, FusedAddReadsXDecompressedOrRawWhenSliced) {
  const std::string args =
      "--model resnet18 --input 64x64 --blocks layer1.0:layer2.1 --set npu.fuse_add=true "
      "--set npu.skip_compression=zvc";
  const auto whole = npu(args, dir("fused"));
  ASSERT_FALSE(whole.is_null());
  EXPECT_TRUE(whole["golden"]["match"].get<bool>());
  int compressed = 0;
  for (const auto& t : whole["tensors"]) compressed += t["compressed"].get<bool>();
  EXPECT_EQ(compressed, 2);
  const auto sliced = npu(args + " --set npu.weight_buffer_bytes=10000", dir("fused_passes"));
  ASSERT_FALSE(sliced.is_null());
  EXPECT_TRUE(sliced["golden"]["match"].get<bool>());
  for (const auto& t : sliced["tensors"]) EXPECT_FALSE(t["compressed"].get<bool>()) << t["name"];
  EXPECT_EQ(sliced["skip_compressed_bytes"], sliced["skip_raw_bytes"]);
}

TEST(NpuSkipCompression, BadValueGivesOneLine) {
  const fs::path d = dir("bad");
  auto r = run_cli("npu -q --model resnet18 --input 64x64 --set npu.skip_compression=gzip", d);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("npu.skip_compression"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("zvc"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  r = run_cli(
      "npu -q --model resnet18 --input 64x64 --set npu.skip_compression=zvc "
      "--set hardware.sram.width_bytes=128",
      d);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("npu.skip_compression: zvc packs into words"), std::string::npos) << r.err;
}

}  // namespace
