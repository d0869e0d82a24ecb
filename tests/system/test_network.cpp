// skipsim network end to end: built-in ResNets block by block, each block simulated in its
// own process and checked bit-exact against the golden forward pass; the report, the CSV,
// the tensor dump and the errors.
#include <gtest/gtest.h>

#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tb/ref/npy.hpp"
#include "tests/common/cli.hpp"

namespace {

namespace fs = std::filesystem;
using skipsim::test::run_cli;
using skipsim::test::slurp;

fs::path dir(const std::string& name) { return skipsim::test::scratch_dir("network", name); }

TEST(Network, ResNet18BlocksBitExactWithReportAndCsv) {
  const fs::path d = dir("r18");
  const auto r = run_cli(
      "network --model resnet18 --input 32x40 --blocks stem:layer2.0 -j 2 --report r.json --csv "
      "r.csv",
      d);
  ASSERT_EQ(r.code, 0) << r.err << r.out;
  const auto j = nlohmann::json::parse(slurp(d / "r.json"));
  EXPECT_EQ(j["model"], "resnet18");
  EXPECT_EQ(j["input"], nlohmann::json({32, 40, 3}));
  EXPECT_TRUE(j["bit_exact"].get<bool>());
  ASSERT_EQ(j["blocks"].size(), 4u);  // stem, layer1.0, layer1.1, layer2.0
  uint64_t cycles = 0, fifo_sum = 0, fifo_max = 0;
  for (const auto& b : j["blocks"]) {
    // The stem too: conv 7x7 s2 and the max pool, simulated and checked.
    EXPECT_TRUE(b["simulated"].get<bool>()) << b["name"];
    EXPECT_TRUE(b["matches_golden"].get<bool>()) << b["name"];
    EXPECT_GT(b["cycles"].get<uint64_t>(), 0u);
    cycles += b["cycles"].get<uint64_t>();
    if (b["kind"] == "stem") continue;
    const uint64_t f = b["fifos"]["skip"]["max_occupancy_bytes"].get<uint64_t>();
    EXPECT_GT(f, 0u);
    fifo_sum += f;
    fifo_max = std::max(fifo_max, f);
    for (const char* k : {"mac_utilization", "stalls", "bottleneck", "input_shape"})
      EXPECT_TRUE(b.contains(k)) << k;
  }
  EXPECT_EQ(j["cycles"].get<uint64_t>(), cycles);
  EXPECT_EQ(j["skip_fifo_bytes_sum"].get<uint64_t>(), fifo_sum);
  EXPECT_EQ(j["skip_fifo_bytes_max"].get<uint64_t>(), fifo_max);
  const auto& l20 = j["blocks"][3];
  EXPECT_EQ(l20["name"], "layer2.0");
  EXPECT_TRUE(l20["projection"].get<bool>());
  EXPECT_EQ(l20["input_shape"], nlohmann::json({8, 10, 64}));
  EXPECT_EQ(l20["output_shape"], nlohmann::json({4, 5, 128}));
  const std::string csv = slurp(d / "r.csv");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 5);
  EXPECT_NE(csv.find("layer1.1,basic,0,8,10,64,8,10,64,"), std::string::npos) << csv;
  EXPECT_NE(r.out.find("layer2.0"), std::string::npos);
}

TEST(Network, ResNet50BottlenecksBitExactAndDumped) {
  const fs::path d = dir("r50");
  const auto r = run_cli(
      "network --model resnet50 --input 32x32 --blocks layer1.0:layer2.0 --dump-tensors t -q "
      "--report r.json",
      d);
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(slurp(d / "r.json"));
  ASSERT_EQ(j["blocks"].size(), 4u);
  for (const auto& b : j["blocks"]) {
    EXPECT_EQ(b["kind"], "bottleneck");
    EXPECT_TRUE(b["matches_golden"].get<bool>()) << b["name"];
  }
  EXPECT_TRUE(j["blocks"][0]["projection"].get<bool>());  // 64 -> 256 at stride 1
  EXPECT_FALSE(j["blocks"][1]["projection"].get<bool>());
  EXPECT_EQ(j["blocks"][3]["output_shape"], nlohmann::json({4, 4, 512}));
  for (const char* f : {"input.npy", "conv1.weight.npy", "conv2.mult.npy", "conv3.shift.npy",
                        "skip.bias.npy", "add.npy", "output.npy"})
    EXPECT_TRUE(fs::exists(d / "t" / "layer1.0" / f)) << f;
  EXPECT_FALSE(fs::exists(d / "t" / "layer1.1" / "skip.weight.npy"));
  // A block's output is the next block's input.
  EXPECT_EQ(slurp(d / "t" / "layer1.0" / "output.npy"), slurp(d / "t" / "layer1.1" / "input.npy"));
}

TEST(Network, StemAndHeadTensorsDumped) {
  const fs::path d = dir("dump");
  const auto r = run_cli(
      "network --model resnet18 --input 32x32 --blocks layer4.1:head --dump-tensors t -q", d);
  ASSERT_EQ(r.code, 0) << r.err;
  for (const char* f : {"pool.npy", "fc.weight.npy", "fc.bias.npy", "output.npy", "input.npy"})
    EXPECT_TRUE(fs::exists(d / "t" / "head" / f)) << f;
  const auto s =
      run_cli("network --model resnet18 --input 32x32 --blocks stem --dump-tensors u -q", d);
  ASSERT_EQ(s.code, 0) << s.err;
  for (const char* f : {"conv1.weight.npy", "conv1.mult.npy", "output.npy", "input.npy"})
    EXPECT_TRUE(fs::exists(d / "u" / "stem" / f)) << f;
}

// --input FILE.npy: the stem runs on that image (its size sets the network's), bit-exact, in
// network and npu alike; a file that is not an int8 H x W x 3 image gets one line.
TEST(Network, ImageFromNpyFeedsTheStem) {
  const fs::path d = dir("image");
  fs::create_directories(d);
  skipsim::Tensor8 img(40, 48, 3);
  for (size_t i = 0; i < img.data.size(); ++i)
    img.data[i] = static_cast<int8_t>(static_cast<int>(i * 37 % 251) - 125);
  skipsim::write_tensor8((d / "img.npy").string(), img);
  const auto r = run_cli(
      "network --model resnet18 --input img.npy --blocks stem:layer1.0 --dump-tensors t "
      "--report r.json -q",
      d);
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(slurp(d / "r.json"));
  EXPECT_EQ(j["input"], nlohmann::json({40, 48, 3}));
  EXPECT_TRUE(j["bit_exact"].get<bool>());
  EXPECT_EQ(skipsim::read_tensor8((d / "t" / "stem" / "input.npy").string(), 40, 48, 3).data,
            img.data);
  const auto n = run_cli("npu --model resnet18 --input img.npy --blocks stem --report n.json", d);
  ASSERT_EQ(n.code, 0) << n.err;
  EXPECT_EQ(nlohmann::json::parse(slurp(d / "n.json"))["input"]["w"], 48);

  skipsim::write_npy_i8((d / "gray.npy").string(), std::vector<int8_t>(40 * 48), {40, 48});
  const auto e = run_cli("network --model resnet18 --input gray.npy -q", d);
  EXPECT_EQ(e.code, 2);
  EXPECT_NE(e.err.find("--input gray.npy: expected an int8 ('|i1') image of shape H x W x 3"),
            std::string::npos)
      << e.err;
}

// The bottleneck closed form equals the simulated deadlock-free depth on identity blocks
// and projection blocks of stride 1 and 2 (as on every block of ResNet-50 at 224x224).
TEST(Network, FindDepthPerBlockMatchesTheClosedForm) {
  const fs::path d = dir("fd");
  const auto r = run_cli(
      "network --model resnet50 --input 48x48 --blocks layer1.0:layer2.1 --find-depth -q "
      "--report r.json",
      d);
  ASSERT_EQ(r.code, 0) << r.err;
  const auto blocks = nlohmann::json::parse(slurp(d / "r.json"))["blocks"];
  ASSERT_EQ(blocks.size(), 5u);
  for (const auto& b : blocks)
    EXPECT_EQ(b["analytic_depth"], b["min_deadlock_free_depth"]) << b["name"];
  EXPECT_GT(blocks[1]["min_deadlock_free_depth"].get<uint64_t>(), 1u);  // identity: rows of X
  const auto b = blocks[3];  // layer2.0, stride-2 projection
  const uint64_t dl = b["min_deadlock_free_depth"], fs_ = b["min_full_speed_depth"];
  EXPECT_GE(fs_, dl);
  EXPECT_GE(dl, 1u);
  EXPECT_GT(b["analytic_depth"].get<uint64_t>(), 0u);
  EXPECT_GT(b["min_full_speed_depth_bytes"].get<uint64_t>(), 0u);
  // The unbounded run's peak is at least what full speed needs.
  EXPECT_GE(b["fifos"]["skip"]["max_occupancy"].get<uint64_t>() + 2, fs_);
}

// A block whose process is killed from outside is not recorded; the finished ones are kept
// in REPORT.partial and a rerun simulates only the missing block.
TEST(Network, ResumesAfterAKilledBlock) {
  const fs::path d = dir("resume");
  const std::string args =
      "network --model resnet18 --input 32x32 --blocks layer1.0:layer2.1 -q --report r.json";
  setenv("SKIPSIM_TEST_SIGKILL_SET", "workload.input.c=128", 1);  // layer2.1's child
  const auto a = run_cli(args, d);
  unsetenv("SKIPSIM_TEST_SIGKILL_SET");
  EXPECT_EQ(a.code, 1) << a.err;
  EXPECT_NE(a.err.find("layer2.1"), std::string::npos) << a.err;
  const std::string partial = slurp(d / "r.json.partial");
  EXPECT_EQ(std::count(partial.begin(), partial.end(), '\n'), 4) << partial;  // header + 3
  const auto b = run_cli(args, d);
  ASSERT_EQ(b.code, 0) << b.err;
  const auto j = nlohmann::json::parse(slurp(d / "r.json"));
  EXPECT_EQ(j["resumed_results"].get<int>(), 3);
  EXPECT_TRUE(j["bit_exact"].get<bool>());
  EXPECT_FALSE(fs::exists(d / "r.json.partial"));
}

TEST(Network, WaveformOfOneBlock) {
  const fs::path d = dir("vcd");
  const auto r = run_cli(
      "network --model resnet18 --input 32x32 --blocks layer1.0:layer1.1 --vcd-block layer1.1 "
      "--vcd " +
          (d / "w.vcd").string() + " -q",
      d);
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string vcd = slurp(d / "w.vcd");
  EXPECT_NE(vcd.find("$enddefinitions"), std::string::npos);
  EXPECT_NE(vcd.find("skip_out"), std::string::npos);
}

// The head (global pool + FC on the MAC array) simulated, its int32 logits bit-exact.
TEST(Network, HeadSimulatedBitExact) {
  const fs::path d = dir("head");
  const auto r =
      run_cli("network --model resnet18 --input 32x32 --blocks head -q --report r.json", d);
  ASSERT_EQ(r.code, 0) << r.err;
  const auto b = nlohmann::json::parse(slurp(d / "r.json"))["blocks"][0];
  EXPECT_EQ(b["kind"], "head");
  EXPECT_TRUE(b["matches_golden"].get<bool>());
  EXPECT_GT(b["cycles"].get<uint64_t>(), 0u);
  EXPECT_TRUE(b["stalls"].contains("fc"));
}

// An ONNX model (stem, a basic block, a bottleneck with projection, head) runs block by
// block, bit-exact, with the blocks the importer recognised.
TEST(Network, OnnxModelRunsBitExact) {
  const fs::path d = dir("onnx");
  const auto r = run_cli(std::string("network --onnx ") + SKIPSIM_SOURCE_DIR +
                             "/tests/data/onnx/tiny.onnx --input 32x32 -q --report r.json",
                         d);
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(slurp(d / "r.json"));
  EXPECT_EQ(j["model"], "tiny");
  EXPECT_TRUE(j["bit_exact"].get<bool>());
  std::vector<std::string> kinds;
  for (const auto& b : j["blocks"]) kinds.push_back(b["kind"]);
  EXPECT_EQ(kinds, (std::vector<std::string>{"stem", "basic", "bottleneck", "head"}));
}

TEST(Network, BadInputsOneLineExit2) {
  const fs::path d = dir("bad");
  const std::pair<std::string, std::string> cases[] = {
      {"network --model resnet19", "unknown model 'resnet19'"},
      {"network --model resnet18 --input 16x16", "expected H and W in [32, 4096]"},
      {"network --model resnet18 --input 2x", "expected HxW"},
      {"network --model resnet18 --blocks layer9.0", "no block 'layer9.0'"},
      {"network --model resnet18 --blocks layer2.0:layer1.0", "comes before the first"},
      {"network", "exactly one of --model NAME and --onnx FILE"},
      {"network --model resnet18 --vcd-block layer1.0", "--vcd-block and --vcd go together"},
      {"network --model resnet18 --vcd-block stem --vcd x.vcd",
       "waveforms are written for residual"},
      {"network --onnx nothere.onnx", "nothere.onnx"},
      {"network --model resnet18 --input 32x32 --blocks layer1.0 --configured-depth --set "
       "hardware.sram.banks=1 --set hardware.sram.bank_bytes=1024",
       "layer1.0: skipsim: config error: hardware.sram"},
      {"network --model resnet18 --jobs 0", "--jobs"},
  };
  for (const auto& [args, want] : cases) {
    const auto r = run_cli(args, d);
    EXPECT_EQ(r.code, 2) << args << "\n" << r.err;
    EXPECT_NE(r.err.find(want), std::string::npos) << args << "\n" << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
}

// A bottleneck block through `run` directly: the workload keys and the golden check.
TEST(Network, BottleneckBlockRunsAlone) {
  const fs::path d = dir("bneck");
  const auto r = run_cli(std::string("run -q --config ") + SKIPSIM_SOURCE_DIR +
                             "/configs/workloads/tiny_basic.yaml --set workload.block=bottleneck "
                             "--set workload.out_channels=32 --set workload.width=8 --set "
                             "workload.stride=2 --report r.json",
                         d);
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(slurp(d / "r.json"));
  EXPECT_TRUE(j["output"]["matches_golden"].get<bool>());
  EXPECT_TRUE(j["modules"].contains("conv3"));
  EXPECT_TRUE(j["modules"].contains("skip_conv"));
}

}  // namespace
