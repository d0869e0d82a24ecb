// skipsim network on the chain networks (AlexNet, VGG-16): every layer simulated through
// run-chain and checked bit-exact against the golden forward pass, the report rows and CSV,
// the layers' tensors, and the errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/common/cli.hpp"

namespace {

namespace fs = std::filesystem;
using skipsim::test::run_cli;
using skipsim::test::slurp;

fs::path dir(const std::string& name) { return skipsim::test::scratch_dir("chain_network", name); }

TEST(ChainNetwork, AlexNetBitExactWithReportAndCsv) {
  const fs::path d = dir("alexnet");
  const auto r = run_cli(
      "network --model alexnet --input 64x64 -j 2 --report r.json --csv r.csv --dump-tensors t", d);
  ASSERT_EQ(r.code, 0) << r.err << r.out;
  const auto j = nlohmann::json::parse(slurp(d / "r.json"));
  EXPECT_TRUE(j["bit_exact"].get<bool>());
  ASSERT_EQ(j["blocks"].size(), 8u);
  uint64_t cycles = 0;
  std::vector<std::string> kinds;
  for (const auto& b : j["blocks"]) {
    EXPECT_TRUE(b["matches_golden"].get<bool>()) << b["name"];
    EXPECT_GT(b["cycles"].get<uint64_t>(), 0u) << b["name"];
    EXPECT_FALSE(b.contains("fifos")) << b["name"];  // no skip path
    cycles += b["cycles"].get<uint64_t>();
    kinds.push_back(b["kind"]);
  }
  EXPECT_EQ(j["cycles"].get<uint64_t>(), cycles);
  EXPECT_EQ(kinds,
            (std::vector<std::string>{"conv", "conv", "conv", "conv", "conv", "fc", "fc", "fc"}));
  // 11x11 s4 p2: 64 -> 15, max pool 3 s2 -> 7.
  EXPECT_EQ(j["blocks"][0]["output_shape"], nlohmann::json({7, 7, 64}));
  // The hidden 4096 x 4096 FC layer's 16 MiB of weights: the SRAM raised to hold them.
  EXPECT_TRUE(j["blocks"][6].contains("sram_set"));
  EXPECT_FALSE(j["blocks"][0].contains("sram_set"));
  const std::string csv = slurp(d / "r.csv");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 9);
  EXPECT_NE(csv.find("classifier.4,fc,0,1,1,4096,1,1,4096,"), std::string::npos) << csv;
  EXPECT_NE(r.out.find("classifier.6 fc"), std::string::npos) << r.out;
  for (const char* f : {"conv1.weight.npy", "conv1.pad.npy", "pool.npy", "output.npy"})
    EXPECT_TRUE(fs::exists(d / "t" / "features.0" / f)) << f;
  for (const char* f : {"fc.weight.npy", "fc.bias.npy", "output.npy", "input.npy"})
    EXPECT_TRUE(fs::exists(d / "t" / "classifier.6" / f)) << f;
  EXPECT_FALSE(fs::exists(d / "t" / "classifier.6" / "pool.npy"));
}

TEST(ChainNetwork, Vgg16BitExact) {
  const fs::path d = dir("vgg16");
  const auto r = run_cli("network --model vgg16 --input 32x32 -j 2 -q --report r.json", d);
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(slurp(d / "r.json"));
  EXPECT_TRUE(j["bit_exact"].get<bool>());
  ASSERT_EQ(j["blocks"].size(), 16u);
  for (const auto& b : j["blocks"]) EXPECT_TRUE(b["matches_golden"].get<bool>()) << b["name"];
  EXPECT_EQ(j["blocks"][12]["output_shape"], nlohmann::json({1, 1, 512}));
}

// An ONNX chain network (AlexNet's layers at small widths) imported and simulated layer by
// layer, bit-exact.
TEST(ChainNetwork, OnnxAlexNetShapeRunsBitExact) {
  const fs::path d = dir("onnx");
  const auto r = run_cli(std::string("network --onnx ") + SKIPSIM_SOURCE_DIR +
                             "/tests/data/onnx/alexnet_mini.onnx --input 95x95 -q --report r.json",
                         d);
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(slurp(d / "r.json"));
  EXPECT_TRUE(j["bit_exact"].get<bool>());
  ASSERT_EQ(j["blocks"].size(), 8u);
  EXPECT_EQ(j["blocks"][0]["name"], "features.0");
  EXPECT_EQ(j["blocks"][7]["kind"], "fc");
}

TEST(ChainNetwork, BadInputsOneLineExit2) {
  const fs::path d = dir("bad");
  const std::pair<std::string, std::string> cases[] = {
      {"network --model alexnet --input 40x40", "alexnet needs H and W in [63, 4096]"},
      {"network --model vgg16 --input 32x32 --fused features.0:features.2",
       "only residual blocks fuse"},
      {"network --model alexnet --input 64x64 --vcd-block features.0 --vcd x.vcd",
       "waveforms are written for residual"},
      {std::string("network --onnx ") + SKIPSIM_SOURCE_DIR +
           "/tests/data/onnx/vgg_mini.onnx --input 40x40",
       "weight expects 128 inputs, the flattened 5x5x8 map has 200"},
  };
  for (const auto& [args, want] : cases) {
    const auto r = run_cli(args, d);
    EXPECT_EQ(r.code, 2) << args << "\n" << r.err;
    EXPECT_NE(r.err.find(want), std::string::npos) << args << "\n" << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
}

}  // namespace
