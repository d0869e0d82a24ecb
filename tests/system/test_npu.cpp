// skipsim npu: networks layer by layer on one NPU, every op simulated and checked bit-exact;
// the SRAM plan as the report shows it (chain vs residual lifetimes, spill and fill as the
// SRAM shrinks, measured DRAM traffic equal to the plan's), the add on the vector unit vs
// fused, weights in passes, the roofline fields, and the errors.
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

fs::path dir(const std::string& name) { return skipsim::test::scratch_dir("npu", name); }

nlohmann::json npu(const std::string& args, const fs::path& d) {
  const auto r = run_cli("npu -q -j 2 --report r.json " + args, d);
  EXPECT_EQ(r.code, 0) << r.err << r.out;
  if (r.code != 0) return {};
  return nlohmann::json::parse(slurp(d / "r.json"));
}

const nlohmann::json* op(const nlohmann::json& r, const std::string& name) {
  for (const auto& o : r["ops"])
    if (o["name"] == name) return &o;
  return nullptr;
}

TEST(Npu, ResNet18BlocksBitExactWithOpsTensorsAndRoofline) {
  const fs::path d = dir("r18");
  const auto r = npu("--model resnet18 --input 64x64 --blocks stem:layer2.0 --csv r.csv", d);
  ASSERT_FALSE(r.is_null());
  EXPECT_TRUE(r["golden"]["match"].get<bool>());
  // stem: conv + maxpool; layer1.x: 2 convs + add; layer2.0: 2 convs + downsample + add.
  ASSERT_EQ(r["ops"].size(), 2u + 3 + 3 + 4);
  uint64_t cycles = 0, next = 0;
  for (const auto& o : r["ops"]) {
    EXPECT_TRUE(o["matches_golden"].get<bool>()) << o["name"];
    EXPECT_EQ(o["first_cycle"].get<uint64_t>(), next) << o["name"];  // one op after another
    next += o["cycles"].get<uint64_t>();
    cycles += o["cycles"].get<uint64_t>();
    const double roof = o["roof_ops_per_cycle"].get<double>();
    EXPECT_LE(o["attained_ops_per_cycle"].get<double>(), roof * 1.0001) << o["name"];
    EXPECT_LE(roof, r["hardware"]["peak_ops_per_cycle"].get<double>());
  }
  EXPECT_EQ(r["cycles"].get<uint64_t>(), cycles);
  const auto* add = op(r, "layer1.0.add");
  ASSERT_NE(add, nullptr);
  EXPECT_EQ((*add)["type"], "add");
  EXPECT_EQ((*add)["bound"], "memory");  // 1 op per 3 bytes moved
  EXPECT_EQ((*add)["mac_busy_cycles"].get<uint64_t>(), 0u);
  // Its DRAM traffic and time are its own: the next conv's weights, loaded meanwhile, count
  // for the conv, and so does the wait for them once the add is done.
  EXPECT_EQ((*add)["dram"]["weights"].get<uint64_t>(), 0u);
  EXPECT_EQ((*add)["transfer_wait_cycles"].get<uint64_t>(), 0u);
  EXPECT_EQ((*op(r, "layer1.1.conv1"))["dram"]["weights"].get<uint64_t>(),
            (*op(r, "layer1.1.conv1"))["weight_bytes"].get<uint64_t>());
  EXPECT_EQ((*op(r, "layer1.0.conv1"))["bound"], "compute");
  EXPECT_EQ(r["add_cycles"].get<uint64_t>(),
            (*add)["output_cycles"].get<uint64_t>() +
                (*op(r, "layer1.1.add"))["output_cycles"].get<uint64_t>() +
                (*op(r, "layer2.0.add"))["output_cycles"].get<uint64_t>());
  // The add's own work: one pass over the tensor at one beat per cycle, its two reads
  // sharing a bank's read port at worst every cycle (each conflict costs a cycle).
  const uint64_t beats = 16 * 16 * 64 / 16;
  const uint64_t add_cycles = (*add)["output_cycles"].get<uint64_t>();
  EXPECT_GE(add_cycles, beats);
  EXPECT_LE(add_cycles, beats + (*add)["sram_conflicts"].get<uint64_t>() + 20);
  EXPECT_LE(add_cycles, 2 * beats + 20);
  // X of layer1.0 (the stem's output) lives from the max pool to the add: across both convs.
  bool found = false;
  for (const auto& t : r["tensors"]) {
    if (t["name"] != "stem.maxpool") continue;
    found = true;
    EXPECT_TRUE(t["skip"].get<bool>());
    EXPECT_LE(t["first_cycle"].get<uint64_t>(),
              (*op(r, "layer1.0.conv1"))["first_cycle"].get<uint64_t>());
    EXPECT_GE(t["last_cycle"].get<uint64_t>(),
              (*op(r, "layer1.0.conv2"))["last_cycle"].get<uint64_t>());
  }
  EXPECT_TRUE(found);
  EXPECT_EQ(r["max_live_activation_tensors"].get<int>(), 3);
  EXPECT_EQ(r["spill_bytes"].get<uint64_t>(), 0u);
  const std::string csv = slurp(d / "r.csv");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 13);
}

TEST(Npu, ChainNetworkNeedsTwoBuffersAndNoSpill) {
  const auto r = npu("--model vgg16 --input 32x32 --blocks features.0:features.5", dir("vgg"));
  ASSERT_FALSE(r.is_null());
  EXPECT_TRUE(r["golden"]["match"].get<bool>());
  EXPECT_EQ(r["max_live_activation_tensors"].get<int>(), 2);
  EXPECT_EQ(r["spill_bytes"].get<uint64_t>(), 0u);
  for (const auto& t : r["tensors"]) EXPECT_FALSE(t["skip"].get<bool>()) << t["name"];
}

TEST(Npu, ShortSramSpillsAndFillsWhatThePlanSaysStillBitExact) {
  const auto big = npu("--model resnet18 --input 64x64 --blocks stem:layer2.1", dir("big"));
  const auto small =
      npu("--model resnet18 --input 64x64 --blocks stem:layer2.1 --set npu.activation_bytes=40000",
          dir("small"));
  ASSERT_FALSE(big.is_null());
  ASSERT_FALSE(small.is_null());
  EXPECT_TRUE(small["golden"]["match"].get<bool>());
  EXPECT_EQ(big["spill_bytes"].get<uint64_t>(), 0u);
  EXPECT_GT(small["spill_bytes"].get<uint64_t>(), 0u);
  EXPECT_GT(small["fill_bytes"].get<uint64_t>(), 0u);
  // The DRAM traffic measured on the hardware is the plan's: spills (and streamed outputs)
  // written, fills (and streamed inputs but the image) read.
  EXPECT_EQ(small["dram"]["spill"].get<uint64_t>(), small["spill_bytes"].get<uint64_t>());
  EXPECT_EQ(small["dram"]["fill"].get<uint64_t>() + small["dram"]["input"].get<uint64_t>(),
            small["fill_bytes"].get<uint64_t>() + small["load_bytes"].get<uint64_t>());
  EXPECT_GT(small["dram"]["total"].get<uint64_t>(), big["dram"]["total"].get<uint64_t>());
  EXPECT_LE(small["sram_peak_live_bytes"].get<uint64_t>(), 40000u);
  bool spilled = false;
  for (const auto& t : small["tensors"]) spilled |= t["spilled_bytes"].get<uint64_t>() > 0;
  EXPECT_TRUE(spilled);
}

TEST(Npu, FusedAddRemovesTheAddOpsAndTheirCycles) {
  const std::string args = "--model resnet18 --input 64x64 --blocks layer1.0:layer2.0";
  const auto sep = npu(args, dir("sep"));
  const auto fused = npu(args + " --set npu.fuse_add=true", dir("fused"));
  ASSERT_FALSE(sep.is_null());
  ASSERT_FALSE(fused.is_null());
  EXPECT_TRUE(fused["golden"]["match"].get<bool>());
  EXPECT_EQ(fused["add_cycles"].get<uint64_t>(), 0u);
  EXPECT_GT(sep["add_cycles"].get<uint64_t>(), 0u);
  EXPECT_EQ(sep["ops"].size(), fused["ops"].size() + 3);
  EXPECT_NE(op(fused, "layer1.0.conv2+add"), nullptr);
  EXPECT_LT(fused["cycles"].get<uint64_t>(), sep["cycles"].get<uint64_t>());
  // One run giving both: the same figures as the two runs.
  const auto both = npu(args + " --compare-fuse-add", dir("both"));
  ASSERT_FALSE(both.is_null());
  const auto& c = both["fuse_add_comparison"];
  EXPECT_EQ(c["separate"]["cycles"], sep["cycles"]);
  EXPECT_EQ(c["fused"]["cycles"], fused["cycles"]);
  EXPECT_EQ(c["fused"]["add_cycles"].get<uint64_t>(), 0u);
  EXPECT_EQ(c["cycles_saved"].get<int64_t>(),
            sep["cycles"].get<int64_t>() - fused["cycles"].get<int64_t>());
}

TEST(Npu, WeightsLargerThanTheBufferRunInPasses) {
  const std::string args = "--model resnet18 --input 64x64 --blocks layer1.0";
  const auto one = npu(args, dir("one"));
  const auto four = npu(args + " --set npu.weight_buffer_bytes=10000", dir("four"));
  ASSERT_FALSE(four.is_null());
  EXPECT_TRUE(four["golden"]["match"].get<bool>());
  // 64 x 64 x 3 x 3 weights + 12 B per channel = 588 B per output channel: 17 per pass.
  EXPECT_EQ((*op(four, "layer1.0.conv1"))["passes"].get<int>(), 4);
  EXPECT_EQ((*op(one, "layer1.0.conv1"))["passes"].get<int>(), 1);
  EXPECT_EQ(four["dram"]["weights"], one["dram"]["weights"]);
  EXPECT_GT(four["cycles"].get<uint64_t>(), one["cycles"].get<uint64_t>());
}

// Double-buffered weights: the next op's weights load while the current one runs, so no op
// but the first waits for its own; the same bytes move, in fewer cycles.
TEST(Npu, WeightPrefetchHidesWeightLoads) {
  const std::string args = "--model resnet18 --input 64x64 --blocks layer3.0:layer4.1";
  const auto on = npu(args, dir("prefetch_on"));
  const auto off = npu(args + " --set npu.weight_prefetch=false", dir("prefetch_off"));
  ASSERT_FALSE(on.is_null());
  ASSERT_FALSE(off.is_null());
  EXPECT_TRUE(on["golden"]["match"].get<bool>());
  EXPECT_EQ(on["dram"]["weights"], off["dram"]["weights"]);
  EXPECT_LT(on["cycles"].get<uint64_t>(), off["cycles"].get<uint64_t>());
  // The second weight buffer comes out of the activations' share of the SRAM.
  EXPECT_EQ(off["npu"]["activation_bytes"].get<uint64_t>() -
                on["npu"]["activation_bytes"].get<uint64_t>(),
            on["npu"]["weight_buffer_bytes"].get<uint64_t>());
}

// ONNX models, residual (tiny) and chain (VGG-like, its FC reading the flattened map).
TEST(Npu, OnnxModelsBitExact) {
  const std::string data = std::string(SKIPSIM_SOURCE_DIR) + "/tests/data/onnx/";
  const auto vgg = npu("--onnx " + data + "vgg_mini.onnx --input 32x32", dir("onnx_vgg"));
  ASSERT_FALSE(vgg.is_null());
  EXPECT_TRUE(vgg["golden"]["match"].get<bool>());
  EXPECT_EQ(vgg["max_live_activation_tensors"].get<int>(), 2);
  EXPECT_EQ(vgg["ops"].back()["type"], "fc");
  const auto tiny = npu("--onnx " + data + "tiny.onnx --input 64x64", dir("onnx_tiny"));
  ASSERT_FALSE(tiny.is_null());
  EXPECT_TRUE(tiny["golden"]["match"].get<bool>());
  EXPECT_GT(tiny["add_cycles"].get<uint64_t>(), 0u);
}

TEST(Npu, BadInputGivesOneLine) {
  const fs::path d = dir("bad");
  auto r = run_cli("npu -q --model resnet18 --input 64x64 --blocks layer9.9", d);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("no block 'layer9.9'"), std::string::npos) << r.err;
  r = run_cli("npu -q --model resnet18 --input 64x64 --set npu.allocator=best", d);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("npu.allocator"), std::string::npos) << r.err;
  r = run_cli("npu -q --model resnet18 --input 64x64 --set hardware.sram.banks=1", d);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("no room for activations"), std::string::npos) << r.err;
  r = run_cli("npu -q --model resnet18 --input 64x64 --set npu.activation_bytes=1099511627776", d);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("npu.activation_bytes: 1099511627776 B"), std::string::npos) << r.err;
  r = run_cli("npu -q --model resnet18 --input 64x64 --dump-tensors /proc/nope", d);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--dump-tensors /proc/nope: cannot create"), std::string::npos) << r.err;
  r = run_cli("npu -q", d);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--model"), std::string::npos) << r.err;
}

}  // namespace
