// Networks lowered to the NPU op graph: ResNet-18's stretched skip lifetimes against a
// VGG-16-shaped chain, peaks computed here from the layer shapes, and plans at SRAM sizes.
#include <gtest/gtest.h>

#include <cstdio>

#include "hw/common/errors.hpp"
#include "tb/npu/allocator.hpp"
#include "tb/npu/lower.hpp"

namespace skipsim {
namespace {

uint64_t hwc(int h, int w, int c) { return uint64_t(h) * uint64_t(w) * uint64_t(c); }

// The peak live bytes of a ResNet from its blocks' shapes, op by op: the stem (image +
// conv, conv + pool), each residual block (X stays live: X + conv1, X + conv1 + conv2
// [+ conv3 ...], then the projection and the add), the head.
uint64_t resnet_peak(const Network& net, int* max_live) {
  uint64_t peak = 0;
  *max_live = 0;
  auto at = [&](std::initializer_list<uint64_t> live) {
    uint64_t s = 0;
    for (uint64_t b : live) s += b;
    peak = std::max(peak, s);
    *max_live = std::max(*max_live, static_cast<int>(live.size()));
  };
  for (const NetBlock& b : net.blocks) {
    const uint64_t x = hwc(b.in_h, b.in_w, b.in_c);
    if (b.kind == NetBlockKind::kStem) {
      const int h = b.stem.conv1.out_size(b.in_h), w = b.stem.conv1.out_size(b.in_w);
      const uint64_t c = hwc(h, w, b.stem.conv1.out_c);
      at({x, c});
      at({c, hwc(b.out_h(), b.out_w(), b.out_c())});
    } else if (b.kind == NetBlockKind::kHead) {
      at({x, uint64_t(b.in_c)});
      at({uint64_t(b.in_c), uint64_t(b.head.fc.out_f) * 4});
    } else {
      std::vector<const ConvParams*> main{&b.block.conv1, &b.block.conv2};
      if (b.block.conv3) main.push_back(&*b.block.conv3);
      int h = b.in_h, w = b.in_w;
      uint64_t prev = x;
      for (const ConvParams* c : main) {
        h = c->out_size(h), w = c->out_size(w);
        const uint64_t out = hwc(h, w, c->out_c);
        at(prev == x ? std::initializer_list<uint64_t>{x, out}
                     : std::initializer_list<uint64_t>{x, prev, out});
        prev = out;
      }
      const uint64_t y = hwc(b.out_h(), b.out_w(), b.out_c());
      if (b.projection()) {
        at({x, prev, y});  // the projection conv: X in, F(X) waiting, its output
        at({prev, y, y});  // the add
      } else {
        at({x, prev, y});
      }
    }
  }
  return peak;
}

// VGG-16's convolutions and pools at h x w (3x3 same convs, 2x2 pools), then its three FC
// layers (int8 4096, 4096; int32 logits).
OpGraph vgg16_chain(int h, int w) {
  OpGraphBuilder b;
  int t = b.tensor("input", hwc(h, w, 3));
  const int stages[5][2] = {{2, 64}, {2, 128}, {3, 256}, {3, 512}, {3, 512}};
  for (int s = 0; s < 5; ++s) {
    for (int i = 0; i < stages[s][0]; ++i)
      t = b.op_out("conv" + std::to_string(s + 1) + "_" + std::to_string(i + 1), NpuOpType::kConv,
                   {t}, hwc(h, w, stages[s][1]));
    h /= 2, w /= 2;
    t = b.op_out("pool" + std::to_string(s + 1), NpuOpType::kMaxPool, {t}, hwc(h, w, stages[s][1]));
  }
  t = b.op_out("fc6", NpuOpType::kFc, {t}, 4096);
  t = b.op_out("fc7", NpuOpType::kFc, {t}, 4096);
  b.op_out("fc8", NpuOpType::kFc, {t}, 1000 * 4);
  return b.take();
}

TEST(NpuLower, Resnet18LivenessMatchesTheLayerShapes) {
  const Network net = builtin_network("resnet18", 224, 224, 1);
  const OpGraph g = lower_network(net);
  int max_live = 0;
  const uint64_t peak = resnet_peak(net, &max_live);
  EXPECT_EQ(g.peak_live_bytes(), peak);
  EXPECT_EQ(peak, 802816u + 200704u);  // the stem's conv output and its pool
  EXPECT_EQ(g.max_live_tensors(), max_live);
  EXPECT_EQ(max_live, 3);
  // 1 (image) + stem 2 + 8 blocks (3 or 4 ops) + head 2.
  EXPECT_EQ(g.ops.size(), 2u + 8 * 3 + 3 + 2);
  // Every block input lives from its producer until its block's add or projection, three
  // ops later (a chain tensor lives one op).
  int stretched = 0;
  for (const NpuOp& op : g.ops) {
    if (op.type != NpuOpType::kAdd) continue;
    const NpuTensor& main = g.tensors[op.inputs[0]];
    const NpuTensor* x = &g.tensors[op.inputs[1]];
    const bool projection = g.ops[x->producer].name.find("downsample") != std::string::npos;
    if (projection) x = &g.tensors[g.ops[x->producer].inputs[0]];
    EXPECT_EQ(x->last_op() - x->first_op(), 3) << op.name;
    // F(X) waits for the projection conv, which runs after the main path.
    EXPECT_EQ(main.last_op() - main.first_op(), projection ? 2 : 1) << op.name;
    ++stretched;
  }
  EXPECT_EQ(stretched, 8);
  // Layer 1's blocks peak at X + the main path's pair: 3 x 56 x 56 x 64.
  const int add =
      static_cast<int>(std::find_if(g.ops.begin(), g.ops.end(),
                                    [](const NpuOp& o) { return o.name == "layer1.0.add"; }) -
                       g.ops.begin());
  EXPECT_EQ(g.live_bytes_at(add), 3 * hwc(56, 56, 64));
}

TEST(NpuLower, BottleneckBlocksKeepXAcrossThreeConvs) {
  const Network net = builtin_network("resnet50", 64, 64, 1);
  const OpGraph g = lower_network(net);
  int max_live = 0;
  EXPECT_EQ(g.peak_live_bytes(), resnet_peak(net, &max_live));
  EXPECT_EQ(g.max_live_tensors(), max_live);
  for (const NpuOp& op : g.ops)
    if (op.name == "layer1.1.conv1") {
      const NpuTensor& x = g.tensors[op.inputs[0]];
      EXPECT_EQ(x.last_op() - x.first_op(), 4);  // conv1, conv2, conv3, add
    }
  const SramPlan p = plan_sram(g, {});
  EXPECT_TRUE(check_plan(g, p).empty());
  const nlohmann::json j = to_json(g, p);
  EXPECT_EQ(j["sram_peak_live_bytes"], g.peak_live_bytes());
  EXPECT_EQ(j["max_live_activation_tensors"], max_live);
  EXPECT_EQ(j["tensors"].size(), g.tensors.size());
}

TEST(NpuLower, WithoutTheImageTheStemReadsNothingLive) {
  const Network net = builtin_network("resnet18", 64, 64, 1);
  LowerOptions o;
  o.include_input = false;
  const OpGraph g = lower_network(net, o);
  EXPECT_EQ(g.tensors.size(), lower_network(net).tensors.size() - 1);
  EXPECT_TRUE(g.ops[0].inputs.empty());
  EXPECT_NO_THROW(g.validate());
  EXPECT_TRUE(check_plan(g, plan_sram(g, {})).empty());
}

TEST(NpuLower, BlockKindsWithoutLoweringAreAnInputError) {
  OpGraphBuilder b;
  NetBlock blk;
  blk.name = "features.0";
  blk.kind = static_cast<NetBlockKind>(99);
  EXPECT_THROW(lower_block(b, blk, b.tensor("in", 1)), InputError);
}

TEST(NpuLower, Vgg16ChainNeedsTwoBuffers) {
  const OpGraph g = vgg16_chain(224, 224);
  EXPECT_EQ(g.max_live_tensors(), 2);
  EXPECT_EQ(g.peak_live_bytes(), 2 * hwc(224, 224, 64));  // conv1_1 -> conv1_2
  for (const NpuTensor& t : g.tensors) EXPECT_LE(t.last_op() - t.first_op(), 1) << t.name;
  AllocOptions o;
  o.policy = AllocPolicy::kPingPong;
  const SramPlan p = plan_sram(g, o);
  EXPECT_TRUE(check_plan(g, p).empty());
  EXPECT_EQ(p.sram_arena_bytes, 2 * hwc(224, 224, 64));  // two slots of the largest tensor
}

void print_table(const char* title, const OpGraph& g) {
  std::printf("%s: liveness peak %llu B, max live tensors %d\n", title,
              static_cast<unsigned long long>(g.peak_live_bytes()), g.max_live_tensors());
  std::printf("%-15s %9s %10s %10s %8s %11s %11s %11s %11s\n", "allocator", "SRAM KiB", "peak_live",
              "arena", "max_res", "spill", "fill", "stream_out", "stream_in");
  for (AllocPolicy pol : {AllocPolicy::kGreedyBySize, AllocPolicy::kPingPong})
    for (uint64_t kib : {0, 256, 512, 1024, 2048}) {
      AllocOptions o;
      o.policy = pol;
      o.capacity = kib * 1024;
      o.alignment = 16;
      const SramPlan p = plan_sram(g, o);
      const std::vector<std::string> e = check_plan(g, p);
      EXPECT_TRUE(e.empty()) << title << " " << kib << ": " << (e.empty() ? "" : e[0]);
      if (kib == 0) {
        EXPECT_EQ(p.spill_bytes + p.fill_bytes, 0u);
        EXPECT_EQ(p.sram_peak_live_bytes, g.peak_live_bytes());
      }
      std::printf("%-15s %9s %10llu %10llu %8d %11llu %11llu %11llu %11llu\n",
                  std::string(enum_name(pol)).c_str(),
                  kib ? std::to_string(kib).c_str() : "unbounded",
                  static_cast<unsigned long long>(p.sram_peak_live_bytes),
                  static_cast<unsigned long long>(p.sram_arena_bytes), p.max_resident_tensors,
                  static_cast<unsigned long long>(p.spill_bytes),
                  static_cast<unsigned long long>(p.fill_bytes),
                  static_cast<unsigned long long>(p.stream_out_bytes),
                  static_cast<unsigned long long>(p.stream_in_bytes));
    }
}

TEST(NpuLower, PlansAtEverySramSizeAreSound) {
  print_table("resnet18 @224", lower_network(builtin_network("resnet18", 224, 224, 1)));
  print_table("vgg16 chain @224", vgg16_chain(224, 224));
}

// The built-in VGG-16 (a chain network) lowers to one tensor live between layers: at most
// 2 live at once, the peak the largest adjacent pair (conv1_1 -> conv1_2: 2 x 224x224x64),
// and no spill with that much SRAM; AlexNet likewise.
TEST(NpuLower, BuiltinChainNetworksNeedTwoBuffers) {
  for (const char* model : {"vgg16", "alexnet"}) {
    SCOPED_TRACE(model);
    const Network net = builtin_network(model, 224, 224, 1);
    const OpGraph g = lower_network(net);
    EXPECT_EQ(g.max_live_tensors(), 2);
    uint64_t pair = 0;
    for (const NpuOp& op : g.ops) {
      uint64_t s = 0;
      for (int t : op.inputs) s += g.tensors[t].bytes;
      for (int t : op.outputs) s += g.tensors[t].bytes;
      pair = std::max(pair, s);
    }
    EXPECT_EQ(g.peak_live_bytes(), pair);
    if (std::string(model) == "vgg16") EXPECT_EQ(pair, 2u * 224 * 224 * 64);
    AllocOptions o;
    o.capacity = pair;
    const SramPlan plan = plan_sram(g, o);
    EXPECT_EQ(plan.spill_bytes, 0u);
    EXPECT_EQ(plan.max_live_activation_tensors, 2);
  }
}

}  // namespace
}  // namespace skipsim
