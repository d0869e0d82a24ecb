// The built-in chain networks (AlexNet, VGG-16): torchvision's layers and shapes, explicit
// conv padding, the flatten order of the first FC layer, and golden activations that stay
// spread layer after layer.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "hw/common/errors.hpp"
#include "tb/net/network.hpp"

using namespace skipsim;

namespace {

TEST(ChainModels, AlexNetTopologyAt224) {
  const Network n = builtin_network("alexnet", 224, 224, 1);
  std::vector<std::string> names;
  for (const NetBlock& b : n.blocks) names.push_back(b.name);
  EXPECT_EQ(names, (std::vector<std::string>{"features.0", "features.3", "features.6", "features.8",
                                             "features.10", "classifier.1", "classifier.4",
                                             "classifier.6"}));
  const NetBlock& c1 = n.blocks[0];
  EXPECT_EQ(c1.kind, NetBlockKind::kConv);
  EXPECT_EQ(c1.stem.conv1.pad(), 2);  // 11x11 s4 p2: 224 -> 55, pool 3 s2 -> 27
  EXPECT_EQ(c1.out_h(), 27);
  EXPECT_EQ(n.blocks[4].out_h(), 6);  // the 6 x 6 map the adaptive pool leaves as it is
  EXPECT_EQ(n.blocks[4].out_c(), 256);
  const NetBlock& fc6 = n.blocks[5];
  EXPECT_EQ(fc6.kind, NetBlockKind::kFc);
  EXPECT_EQ(fc6.fc.in_f(), 9216);
  EXPECT_FALSE(fc6.fc.logits);
  EXPECT_TRUE(n.blocks.back().fc.logits);
  EXPECT_EQ(n.blocks.back().out_c(), 1000);
  uint64_t macs = 0;
  for (const NetBlock& b : n.blocks) macs += b.macs();
  EXPECT_EQ(macs, 714188480u);  // torchvision's 0.71 GMACs
}

TEST(ChainModels, Vgg16TopologyAt224) {
  const Network n = builtin_network("vgg16", 224, 224, 1);
  ASSERT_EQ(n.blocks.size(), 16u);  // 13 convs, 3 FC layers
  EXPECT_EQ(n.blocks[12].name, "features.28");
  EXPECT_EQ(n.blocks[12].out_h(), 7);
  EXPECT_EQ(n.blocks[13].name, "classifier.0");
  EXPECT_EQ(n.blocks[13].fc.in_f(), 25088);
  uint64_t macs = 0;
  for (const NetBlock& b : n.blocks) macs += b.macs();
  EXPECT_EQ(macs, 15470264320u);  // torchvision's 15.5 GMACs
}

TEST(ChainModels, SizeErrors) {
  EXPECT_THROW(builtin_network("alexnet", 62, 224, 1), InputError);  // the last pool has no row
  EXPECT_NO_THROW(builtin_network("alexnet", 63, 63, 1));
  EXPECT_THROW(builtin_network("vgg16", 31, 32, 1), InputError);
}

// A conv with explicit padding against the definition (zeros outside the image).
TEST(ChainModels, ExplicitPaddingGolden) {
  Tensor8 x(9, 9, 2);
  for (size_t i = 0; i < x.data.size(); ++i) x.data[i] = static_cast<int8_t>(i * 37 % 251 - 120);
  ConvParams p;
  p.in_c = 2;
  p.out_c = 3;
  p.k = 5;
  p.stride = 2;
  p.padding = 1;
  p.weight.resize(3 * 2 * 25);
  for (size_t i = 0; i < p.weight.size(); ++i) p.weight[i] = static_cast<int8_t>(i * 13 % 17 - 8);
  p.bias = {5, -7, 11};
  p.mult = {1 << 20, 1 << 19, 1 << 21};
  p.shift = {24, 24, 24};
  const Tensor8 y = golden_conv(x, p);
  ASSERT_EQ(y.h, 4);  // (9 + 2 - 5) / 2 + 1
  for (int oy = 0; oy < y.h; ++oy)
    for (int ox = 0; ox < y.w; ++ox)
      for (int o = 0; o < 3; ++o) {
        int32_t acc = p.bias[o];
        for (int ky = 0; ky < 5; ++ky)
          for (int kx = 0; kx < 5; ++kx) {
            const int iy = oy * 2 - 1 + ky, ix = ox * 2 - 1 + kx;
            if (iy < 0 || ix < 0 || iy >= 9 || ix >= 9) continue;
            for (int i = 0; i < 2; ++i) acc += x.at(iy, ix, i) * p.w(o, i, ky, kx);
          }
        EXPECT_EQ(y.at(oy, ox, o), golden_requant(acc, p.mult[o], p.shift[o], false));
      }
}

// The first FC layer reads its input map flattened H x W x C: the same as golden_fc on the
// map's bytes, and the golden trace hands the logits' FC its flattened input.
TEST(ChainModels, FcTakesTheFlattenedMap) {
  const Network n = builtin_network("alexnet", 64, 64, 2);
  const NetworkTrace t = golden_forward(n);
  ASSERT_EQ(t.logits.size(), 1000u);
  const Tensor8& last_in = t.inputs.back();
  EXPECT_EQ(last_in.c, 4096);
  EXPECT_EQ(golden_fc(t.outputs.back(), n.blocks.back().fc.fc), t.logits);
  const NetBlock& fc6 = n.blocks[5];
  EXPECT_EQ(t.inputs[5].h * t.inputs[5].w * t.inputs[5].c, fc6.fc.in_f());
}

// A max pool keeps the largest of its window: more values at 127 than after a conv alone.
TEST(ChainModels, GoldenActivationsStaySpread) {
  for (const auto& [model, size] : {std::pair<const char*, int>{"alexnet", 80}, {"vgg16", 48}}) {
    const Network n = builtin_network(model, size, size, 3);
    const NetworkTrace t = golden_forward(n);
    for (size_t i = 0; i + 1 < n.blocks.size(); ++i) {
      const Tensor8& y = t.outputs[i];
      const auto m = static_cast<double>(y.data.size());
      EXPECT_LT(std::count(y.data.begin(), y.data.end(), 0) / m, 0.9)
          << model << " " << n.blocks[i].name;
      EXPECT_LT(std::count(y.data.begin(), y.data.end(), 127) / m, 0.3)
          << model << " " << n.blocks[i].name;
      EXPECT_EQ(y.h * y.w * y.c, n.blocks[i].out_h() * n.blocks[i].out_w() * n.blocks[i].out_c());
    }
    const auto [lo, hi] = std::minmax_element(t.logits.begin(), t.logits.end());
    EXPECT_LT(*lo, *hi) << model;
  }
}

}  // namespace
