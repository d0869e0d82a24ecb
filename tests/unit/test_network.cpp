// The built-in networks: torchvision's topology (names, shapes, MACs), a golden forward
// pass whose activations stay spread over the int8 range block after block, and the
// bottleneck block's golden composition.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "hw/common/errors.hpp"
#include "tb/net/network.hpp"

using namespace skipsim;

namespace {

std::vector<std::string> names(const Network& n) {
  std::vector<std::string> v;
  for (const NetBlock& b : n.blocks) v.push_back(b.name);
  return v;
}

TEST(BuiltinNetwork, ResNet18Topology) {
  const Network n = builtin_network("resnet18", 224, 224, 1);
  EXPECT_EQ(names(n),
            (std::vector<std::string>{"stem", "layer1.0", "layer1.1", "layer2.0", "layer2.1",
                                      "layer3.0", "layer3.1", "layer4.0", "layer4.1", "head"}));
  const NetBlock& stem = n.blocks.front();
  EXPECT_EQ(stem.out_h(), 56);
  EXPECT_EQ(stem.out_c(), 64);
  EXPECT_FALSE(n.blocks[1].projection());
  EXPECT_TRUE(n.blocks[3].projection());
  EXPECT_EQ(n.blocks[3].block.kind, BlockKind::kDownsample);
  EXPECT_EQ(n.blocks[8].out_h(), 7);
  EXPECT_EQ(n.blocks[8].out_c(), 512);
  EXPECT_EQ(n.blocks.back().out_c(), 1000);
  uint64_t macs = 0;
  for (const NetBlock& b : n.blocks) macs += b.macs();
  EXPECT_EQ(macs, 1814073344u);  // torchvision resnet18: 1.814 G multiply-adds
}

TEST(BuiltinNetwork, ResNet50And152Topology) {
  const Network n = builtin_network("resnet50", 224, 224, 1);
  ASSERT_EQ(n.blocks.size(), 18u);
  const NetBlock& l10 = n.blocks[1];
  EXPECT_EQ(l10.name, "layer1.0");
  EXPECT_EQ(l10.kind, NetBlockKind::kBottleneck);
  EXPECT_TRUE(l10.projection());  // 64 -> 256 channels at stride 1
  EXPECT_EQ(l10.block.skip->stride, 1);
  EXPECT_EQ(l10.out_c(), 256);
  EXPECT_EQ(n.blocks[4].name, "layer2.0");
  EXPECT_EQ(n.blocks[4].block.conv2.stride, 2);
  EXPECT_EQ(n.blocks[4].block.conv1.stride, 1);
  EXPECT_EQ(n.blocks[16].name, "layer4.2");
  EXPECT_EQ(n.blocks[16].out_c(), 2048);
  uint64_t macs = 0;
  for (const NetBlock& b : n.blocks) macs += b.macs();
  EXPECT_EQ(macs, 4089184256u);  // torchvision resnet50: 4.09 G multiply-adds
  EXPECT_EQ(builtin_network("resnet152", 64, 64, 1).blocks.size(), 3u + 8 + 36 + 3 + 2);
  EXPECT_EQ(builtin_network("resnet101", 64, 64, 1).blocks.size(), 3u + 4 + 23 + 3 + 2);
  EXPECT_EQ(builtin_network("resnet34", 64, 64, 1).blocks.size(), 3u + 4 + 6 + 3 + 2);
}

TEST(BuiltinNetwork, OddSizesAndErrors) {
  const Network n = builtin_network("resnet18", 33, 47, 1);
  EXPECT_EQ(n.blocks.front().out_h(), 9);   // 33 -> 17 -> 9
  EXPECT_EQ(n.blocks.front().out_w(), 12);  // 47 -> 24 -> 12
  EXPECT_THROW(builtin_network("resnet19", 224, 224, 1), InputError);
  EXPECT_THROW(builtin_network("resnet18", 31, 224, 1), InputError);
}

// Share of a tensor's values at 0 and at 127.
std::pair<double, double> extremes(const Tensor8& t) {
  const auto n = static_cast<double>(t.data.size());
  return {std::count(t.data.begin(), t.data.end(), 0) / n,
          std::count(t.data.begin(), t.data.end(), 127) / n};
}

TEST(BuiltinNetwork, GoldenActivationsStaySpread) {
  for (const char* model : {"resnet18", "resnet50"}) {
    const Network n = builtin_network(model, 64, 64, 3);
    const NetworkTrace t = golden_forward(n);
    ASSERT_EQ(t.inputs.size(), n.blocks.size());
    ASSERT_EQ(t.logits.size(), 1000u);
    for (size_t i = 0; i + 1 < n.blocks.size(); ++i) {
      const auto [zeros, sat] = extremes(t.outputs[i]);
      EXPECT_LT(zeros, 0.9) << model << " " << n.blocks[i].name;
      EXPECT_LT(sat, 0.2) << model << " " << n.blocks[i].name;
      EXPECT_EQ(t.outputs[i].h, n.blocks[i].out_h());
      EXPECT_EQ(t.outputs[i].c, n.blocks[i].out_c());
    }
    const auto [lo, hi] = std::minmax_element(t.logits.begin(), t.logits.end());
    EXPECT_LT(*lo, *hi) << model;
  }
}

}  // namespace
