// ONNX import: stem / block / head recognition, names, BN folding, one-line errors, and the
// quantized network's logits following an independent float forward pass (numpy).
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <tuple>

#include "hw/common/errors.hpp"
#include "tb/net/onnx_graph.hpp"
#include "tb/net/onnx_import.hpp"
#include "tb/ref/npy.hpp"

namespace skipsim {
namespace {

namespace fs = std::filesystem;

std::string fixture(const std::string& name) {
  return std::string(SKIPSIM_SOURCE_DIR) + "/tests/data/onnx/" + name;
}

// The network's integer forward pass with the golden ops, block by block.
std::vector<int32_t> integer_logits(const Network& net) {
  Tensor8 x = net.input;
  std::vector<int32_t> logits;
  for (const NetBlock& b : net.blocks) {
    if (b.kind == NetBlockKind::kStem || b.kind == NetBlockKind::kConv) {
      x = golden_conv(x, b.stem.conv1);
      if (b.stem.has_pool) x = golden_maxpool(x, b.stem.pool);
    } else if (b.kind == NetBlockKind::kFc) {
      Tensor8 flat(1, 1, x.h * x.w * x.c);
      flat.data = x.data;
      if (b.fc.logits)
        logits = golden_fc(flat, b.fc.fc);
      else
        x = golden_conv(flat, b.fc.conv);
    } else if (b.kind == NetBlockKind::kHead) {
      x = golden_global_pool(x, b.head.pool);
      logits = golden_fc(x, b.head.fc);
    } else {
      BlockParams p = b.block;
      p.input = x;
      x = golden_block(p);
    }
  }
  return logits;
}

void expect_conv(const ConvParams& p, int in_c, int out_c, int k, int stride, bool relu) {
  EXPECT_EQ(p.in_c, in_c);
  EXPECT_EQ(p.out_c, out_c);
  EXPECT_EQ(p.k, k);
  EXPECT_EQ(p.stride, stride);
  EXPECT_EQ(p.relu, relu);
  EXPECT_EQ(p.weight.size(), static_cast<size_t>(out_c) * in_c * k * k);
  ASSERT_EQ(p.mult.size(), static_cast<size_t>(out_c));
  for (int o = 0; o < out_c; ++o) {
    EXPECT_GE(p.mult[o], 0);
    EXPECT_GE(p.shift[o], 1);
    EXPECT_LE(p.shift[o], 62);
  }
}

TEST(OnnxImport, TinyModelGivesStemBasicBottleneckHead) {
  const Network net = import_onnx(fixture("tiny.onnx"), 16, 16, 1);
  EXPECT_EQ(net.model, "tiny");
  EXPECT_EQ(net.input.h, 16);
  EXPECT_EQ(net.input.c, 3);
  ASSERT_EQ(net.blocks.size(), 4u);
  const NetBlock& stem = net.blocks[0];
  EXPECT_EQ(stem.name, "stem");
  EXPECT_EQ(stem.kind, NetBlockKind::kStem);
  expect_conv(stem.stem.conv1, 3, 8, 3, 1, true);
  EXPECT_TRUE(stem.stem.has_pool);
  EXPECT_EQ(stem.stem.pool.k, 3);
  EXPECT_EQ(stem.stem.pool.stride, 2);
  EXPECT_EQ(stem.stem.pool.pad, 1);

  const NetBlock& basic = net.blocks[1];
  EXPECT_EQ(basic.name, "layer1.0");
  EXPECT_EQ(basic.kind, NetBlockKind::kBasic);
  EXPECT_EQ(basic.block.kind, BlockKind::kBasic);
  EXPECT_EQ(basic.in_h, 8);
  EXPECT_EQ(basic.in_w, 8);
  EXPECT_EQ(basic.in_c, 8);
  EXPECT_FALSE(basic.projection());
  expect_conv(basic.block.conv1, 8, 8, 3, 1, true);
  expect_conv(basic.block.conv2, 8, 8, 3, 1, false);

  const NetBlock& bot = net.blocks[2];
  EXPECT_EQ(bot.name, "layer2.0");
  EXPECT_EQ(bot.kind, NetBlockKind::kBottleneck);
  EXPECT_EQ(bot.block.kind, BlockKind::kBottleneck);
  EXPECT_EQ(bot.in_h, 8);
  EXPECT_EQ(bot.in_c, 8);
  ASSERT_TRUE(bot.projection());
  expect_conv(bot.block.conv1, 8, 4, 1, 1, true);
  expect_conv(bot.block.conv2, 4, 4, 3, 2, true);
  ASSERT_TRUE(bot.block.conv3.has_value());
  expect_conv(*bot.block.conv3, 4, 16, 1, 1, false);
  expect_conv(*bot.block.skip, 8, 16, 1, 2, false);

  const NetBlock& head = net.blocks[3];
  EXPECT_EQ(head.name, "head");
  EXPECT_EQ(head.kind, NetBlockKind::kHead);
  EXPECT_EQ(head.in_h, 4);
  EXPECT_EQ(head.in_w, 4);
  EXPECT_EQ(head.in_c, 16);
  EXPECT_EQ(head.head.fc.out_f, 10);
  EXPECT_EQ(head.head.fc.in_f, 16);
}

TEST(OnnxImport, UnnamedNodesNumberBlocksAndOtherOpsImport) {
  // Stem 5x5 stride 2 without pool, a downsampling basic block, AveragePool over the whole
  // map, Reshape, MatMul + Add, Identity.
  const Network net = import_onnx(fixture("tiny_unnamed.onnx"), 16, 16, 1);
  ASSERT_EQ(net.blocks.size(), 3u);
  EXPECT_EQ(net.blocks[0].name, "stem");
  EXPECT_FALSE(net.blocks[0].stem.has_pool);
  expect_conv(net.blocks[0].stem.conv1, 3, 4, 5, 2, true);
  EXPECT_EQ(net.blocks[1].name, "block0");
  EXPECT_EQ(net.blocks[1].block.kind, BlockKind::kDownsample);
  EXPECT_EQ(net.blocks[1].in_h, 8);
  expect_conv(*net.blocks[1].block.skip, 4, 8, 1, 2, false);
  EXPECT_EQ(net.blocks[2].name, "head");
  EXPECT_EQ(net.blocks[2].in_h, 4);
  EXPECT_EQ(net.blocks[2].head.fc.out_f, 7);
  // The AveragePool's 4x4 window no longer covers the map at another input size.
  EXPECT_THROW(import_onnx(fixture("tiny_unnamed.onnx"), 32, 32, 1), InputError);
}

TEST(OnnxImport, OtherInputSizesReshapeEveryBlock) {
  const Network net = import_onnx(fixture("tiny.onnx"), 40, 24, 1);
  EXPECT_EQ(net.blocks[1].in_h, 20);
  EXPECT_EQ(net.blocks[1].in_w, 12);
  EXPECT_EQ(net.blocks[3].in_h, 10);
  EXPECT_EQ(net.blocks[3].in_w, 6);
}

TEST(OnnxImport, SameSeedSameNetworkOtherSeedOtherImage) {
  const Network a = import_onnx(fixture("tiny.onnx"), 16, 16, 4);
  const Network b = import_onnx(fixture("tiny.onnx"), 16, 16, 4);
  const Network c = import_onnx(fixture("tiny.onnx"), 16, 16, 5);
  EXPECT_EQ(a.input, b.input);
  EXPECT_EQ(a.blocks[2].block.conv2.mult, b.blocks[2].block.conv2.mult);
  EXPECT_EQ(a.blocks[2].block.conv2.weight, c.blocks[2].block.conv2.weight);
  EXPECT_FALSE(a.input == c.input);
}

// conv (float, HWC input, no padding) at output position (y, x), channel o.
double float_conv_at(const FloatConv& c, const std::vector<float>& in, int w, int y, int x, int o) {
  double acc = c.bias[o];
  for (int i = 0; i < c.in_c; ++i)
    for (int ky = 0; ky < c.k; ++ky)
      for (int kx = 0; kx < c.k; ++kx)
        acc += double{c.weight[((static_cast<size_t>(o) * c.in_c + i) * c.k + ky) * c.k + kx]} *
               in[((static_cast<size_t>(y + ky) * w) + x + kx) * c.in_c + i];
  return acc;
}

TEST(OnnxImport, BatchNormFoldsIntoTheConv) {
  std::mt19937 gen(3);
  std::normal_distribution<float> n(0.0f, 1.0f);
  FloatConv c;
  c.out_c = 5, c.in_c = 3, c.k = 3;
  c.weight.resize(5 * 3 * 9);
  for (auto& v : c.weight) v = n(gen);
  c.bias.resize(5);
  for (auto& v : c.bias) v = n(gen);
  FloatBatchNorm bn;
  for (int o = 0; o < 5; ++o) {
    bn.scale.push_back(1.0f + 0.3f * n(gen));
    bn.bias.push_back(n(gen));
    bn.mean.push_back(n(gen));
    bn.var.push_back(0.5f + std::fabs(n(gen)));
  }
  bn.epsilon = 1e-3f;
  const int w = 6;
  std::vector<float> in(w * w * 3);
  for (auto& v : in) v = n(gen);
  FloatConv folded = c;
  fold_batchnorm(&folded, bn);
  for (int o = 0; o < 5; ++o)
    for (int y = 0; y + 3 <= w; ++y)
      for (int x = 0; x + 3 <= w; ++x) {
        const double conv = float_conv_at(c, in, w, y, x, o);
        const double want =
            (conv - bn.mean[o]) / std::sqrt(double{bn.var[o]} + bn.epsilon) * bn.scale[o] +
            bn.bias[o];
        EXPECT_NEAR(float_conv_at(folded, in, w, y, x, o), want, 1e-4 * (1 + std::fabs(want)));
      }
}

// The InputError message of importing `name`.
std::string import_error(const std::string& name, int h = 16, int w = 16) {
  try {
    import_onnx(fixture(name), h, w, 1);
  } catch (const InputError& e) {
    return e.what();
  }
  return "no error";
}

void expect_one_line(const std::string& msg, std::initializer_list<const char*> parts) {
  EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  for (const char* p : parts) EXPECT_NE(msg.find(p), std::string::npos) << p << " not in: " << msg;
}

TEST(OnnxImport, UnsupportedOpNamesNodeAndOp) {
  expect_one_line(import_error("bad_sigmoid.onnx"),
                  {"bad_sigmoid.onnx", "node '/relu/Sigmoid' (Sigmoid)", "op not supported",
                   "supported: Conv, Relu"});
}

TEST(OnnxImport, GroupedConvNamesNodeAndOp) {
  expect_one_line(import_error("bad_grouped.onnx"),
                  {"node '/layer1/layer1.0/conv1/Conv' (Conv)", "group 2", "only group 1"});
}

TEST(OnnxImport, MissingInitializerNamesNodeAndOp) {
  expect_one_line(
      import_error("bad_missing_init.onnx"),
      {"node '/layer1/layer1.0/conv2/Conv' (Conv)", "layer1.0.conv2.weight", "not an initializer"});
}

TEST(OnnxImport, TopologyOutsideTheIrNamesNode) {
  expect_one_line(import_error("bad_projection_stride.onnx"),
                  {"(Add)", "a basic block with a projection must have stride 2"});
}

TEST(OnnxImport, BadFilesAndSizes) {
  expect_one_line(import_error("tiny.onnx", 0, 16), {"input size 0x16 out of range"});
  expect_one_line(import_error("no_such.onnx"), {"no_such.onnx", "cannot read"});
  // Tensors over 2^27 values are refused before anything is allocated: the image, or the
  // stem conv's 5000 x 5000 x 8 output.
  expect_one_line(import_error("tiny.onnx", 8192, 8192),
                  {"an input of 8192x8192x3 exceeds 134217728 values"});
  expect_one_line(import_error("tiny.onnx", 5000, 5000),
                  {"node '/conv1/Conv' (Conv)", "5000x5000x8 exceeds 134217728 values"});
  // A file that is not a protobuf ModelProto.
  expect_one_line(import_error("make_fixtures.py"), {"make_fixtures.py", "not an ONNX model"});
}

// Pearson correlation.
double correlation(const std::vector<double>& a, const std::vector<double>& b) {
  double ma = 0, mb = 0;
  for (size_t i = 0; i < a.size(); ++i) ma += a[i] / a.size(), mb += b[i] / b.size();
  double sab = 0, saa = 0, sbb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) * (a[i] - ma);
    sbb += (b[i] - mb) * (b[i] - mb);
  }
  return sab / std::sqrt(saa * sbb);
}

void expect_logits_follow_float(const std::string& path, uint64_t seed, int hw = 16) {
  const std::string model = fs::path(path).filename().string();
  OnnxImportInfo info;
  const Network net = import_onnx(path, hw, hw, seed, &info);
  const std::vector<int32_t> q = integer_logits(net);
  const fs::path dir = fs::temp_directory_path() /
                       ("skipsim_onnx_" + std::to_string(getpid()) + "_" + std::to_string(seed));
  fs::create_directories(dir);
  write_tensor8((dir / "input.npy").string(), net.input);
  const std::string cmd = "/usr/bin/python3 '" + fixture("float_forward.py") + "' '" + path +
                          "' '" + (dir / "input.npy").string() + "' '" +
                          (dir / "logits.txt").string() + "'";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  std::ifstream f(dir / "logits.txt");
  std::vector<double> ref, got;
  for (double v; f >> v;) ref.push_back(v);
  fs::remove_all(dir);
  ASSERT_EQ(ref.size(), q.size());
  for (int32_t v : q) got.push_back(v * info.logit_scale);
  const double r = correlation(ref, got);
  std::printf("%s seed %llu: correlation %.4f\n", model.c_str(),
              static_cast<unsigned long long>(seed), r);
  EXPECT_GT(r, 0.98) << model << " seed " << seed;
  EXPECT_EQ(std::max_element(ref.begin(), ref.end()) - ref.begin(),
            std::max_element(got.begin(), got.end()) - got.begin())
      << model << " seed " << seed;
  // The dequantized logits are on the float model's scale, not only correlated.
  double max_ref = 0, max_err = 0;
  for (size_t i = 0; i < ref.size(); ++i) {
    max_ref = std::max(max_ref, std::fabs(ref[i]));
    max_err = std::max(max_err, std::fabs(ref[i] - got[i]));
  }
  EXPECT_LT(max_err, 0.25 * max_ref) << model << " seed " << seed;
}

TEST(OnnxImport, QuantizedLogitsFollowTheFloatModel) {
  for (uint64_t seed : {1, 2, 3}) expect_logits_follow_float(fixture("tiny.onnx"), seed);
  expect_logits_follow_float(fixture("tiny_unnamed.onnx"), 1);
}

// AlexNet- and VGG-shaped chain networks as torch.onnx.export writes them: conv layers with
// explicit padding, the identity AveragePool, a classifier whose first Gemm reads the map in
// PyTorch's C x H x W order (the float pass flattens so: a wrong permutation breaks the match).
TEST(OnnxImport, ChainNetworksImportAsConvAndFcLayers) {
  const Network a = import_onnx(fixture("alexnet_mini.onnx"), 95, 95, 1);
  std::vector<std::string> names;
  for (const NetBlock& b : a.blocks) names.push_back(b.name);
  EXPECT_EQ(names, (std::vector<std::string>{"features.0", "features.3", "features.6", "features.8",
                                             "features.10", "classifier.1", "classifier.4",
                                             "classifier.6"}));
  EXPECT_EQ(a.blocks[0].kind, NetBlockKind::kConv);
  EXPECT_EQ(a.blocks[0].stem.conv1.pad(), 2);
  EXPECT_EQ(a.blocks[0].out_h(), 11);  // 95 -> 23 -> pool 11
  EXPECT_EQ(a.blocks[5].kind, NetBlockKind::kFc);
  EXPECT_FALSE(a.blocks[5].fc.logits);
  EXPECT_EQ(a.blocks[5].fc.in_f(), 2 * 2 * 12);
  EXPECT_TRUE(a.blocks.back().fc.logits);
  for (uint64_t seed : {1, 2}) expect_logits_follow_float(fixture("alexnet_mini.onnx"), seed, 95);
  expect_logits_follow_float(fixture("vgg_mini.onnx"), 1, 32);
  // The classifier's width is fixed: another input size is one error naming the Gemm.
  try {
    import_onnx(fixture("vgg_mini.onnx"), 40, 40, 1);
    ADD_FAILURE() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("classifier.0/Gemm' (Gemm): weight expects 128 inputs"),
              std::string::npos)
        << e.what();
  }
}

// torchvision's alexnet / vgg16 exported by torch.onnx.export, when SKIPSIM_TORCHVISION_ONNX
// names the folder holding alexnet.onnx and vgg16.onnx.
TEST(OnnxImport, TorchvisionChainNetworksWhenExported) {
  const char* dir = std::getenv("SKIPSIM_TORCHVISION_ONNX");
  if (!dir) GTEST_SKIP() << "SKIPSIM_TORCHVISION_ONNX not set";
  for (const auto& [model, blocks, fc6] :
       {std::tuple{"alexnet", size_t{8}, 9216}, std::tuple{"vgg16", size_t{16}, 25088}}) {
    if (!fs::exists(std::string(dir) + "/" + model + ".onnx"))
      GTEST_SKIP() << model << ".onnx not in " << dir;
    const auto t0 = std::chrono::steady_clock::now();
    const Network net = import_onnx(std::string(dir) + "/" + model + ".onnx", 224, 224, 1);
    std::printf("%s: imported and calibrated at 224x224 in %.2f s\n", model,
                std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    ASSERT_EQ(net.blocks.size(), blocks) << model;
    EXPECT_EQ(net.blocks[0].name, "features.0");
    EXPECT_EQ(net.blocks[blocks - 3].fc.in_f(), fc6) << model;
    EXPECT_EQ(net.blocks.back().name, "classifier.6");
    EXPECT_EQ(net.blocks.back().out_c(), 1000);
    expect_logits_follow_float(std::string(dir) + "/" + model + ".onnx", 1, 224);
  }
}

// torchvision's resnet18 / resnet50 exported by torch.onnx.export (README "ONNX import"),
// when SKIPSIM_TORCHVISION_ONNX names the folder holding resnet18.onnx and resnet50.onnx.
TEST(OnnxImport, TorchvisionResnetsWhenExported) {
  const char* dir = std::getenv("SKIPSIM_TORCHVISION_ONNX");
  if (!dir) GTEST_SKIP() << "SKIPSIM_TORCHVISION_ONNX not set";
  for (const auto& [model, depths, bottleneck] :
       {std::tuple{"resnet18", std::vector<int>{2, 2, 2, 2}, false},
        std::tuple{"resnet50", std::vector<int>{3, 4, 6, 3}, true}}) {
    const auto t0 = std::chrono::steady_clock::now();
    const Network net = import_onnx(std::string(dir) + "/" + model + ".onnx", 224, 224, 1);
    std::printf("%s: imported and calibrated at 224x224 in %.2f s\n", model,
                std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    std::vector<std::string> names = {"stem"};
    for (int l = 0; l < 4; ++l)
      for (int i = 0; i < depths[l]; ++i)
        names.push_back("layer" + std::to_string(l + 1) + "." + std::to_string(i));
    names.push_back("head");
    ASSERT_EQ(net.blocks.size(), names.size()) << model;
    int h = 56, c = 64;
    for (size_t i = 0; i < names.size(); ++i) {
      const NetBlock& b = net.blocks[i];
      EXPECT_EQ(b.name, names[i]) << model;
      if (i == 0 || i + 1 == names.size()) continue;
      const bool first = b.name.back() == '0';
      const int stage = b.name[5] - '1';
      EXPECT_EQ(b.in_h, h) << model << " " << b.name;
      EXPECT_EQ(b.in_c, c) << model << " " << b.name;
      EXPECT_EQ(b.kind, bottleneck ? NetBlockKind::kBottleneck : NetBlockKind::kBasic);
      const int out_c = (64 << stage) * (bottleneck ? 4 : 1);
      const int stride = first && stage > 0 ? 2 : 1;
      EXPECT_EQ(b.projection(), first && (stage > 0 || bottleneck)) << model << " " << b.name;
      h = (h - 1) / stride + 1;
      c = out_c;
    }
    EXPECT_EQ(net.blocks[0].stem.conv1.k, 7);
    EXPECT_EQ(net.blocks[0].stem.conv1.stride, 2);
    EXPECT_EQ(net.blocks.back().in_h, 7);
    EXPECT_EQ(net.blocks.back().in_c, c);
    EXPECT_EQ(net.blocks.back().head.fc.out_f, 1000);
    expect_logits_follow_float(std::string(dir) + "/" + model + ".onnx", 1, 224);
  }
}

}  // namespace
}  // namespace skipsim
