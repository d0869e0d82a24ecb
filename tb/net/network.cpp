#include "tb/net/network.hpp"

#include <algorithm>
#include <cmath>
#include <random>

#include <fmt/format.h>

#include "hw/common/errors.hpp"
#include "tb/net/chain_models.hpp"
#include "tb/ref/block_params.hpp"

namespace skipsim {

namespace {

struct ResNetSpec {
  const char* name;
  bool bottleneck;
  int layers[4];
};

// torchvision's resnet.py: blocks per stage.
constexpr ResNetSpec kResNets[] = {{"resnet18", false, {2, 2, 2, 2}},
                                   {"resnet34", false, {3, 4, 6, 3}},
                                   {"resnet50", true, {3, 4, 6, 3}},
                                   {"resnet101", true, {3, 4, 23, 3}},
                                   {"resnet152", true, {3, 8, 36, 3}}};

uint64_t block_seed(uint64_t seed, uint64_t index) { return network_block_seed(seed, index); }

// A 1 x 1 x (H*W*C) view of x: the same bytes (H x W x C order).
Tensor8 flattened(const Tensor8& x) {
  Tensor8 y(1, 1, x.h * x.w * x.c);
  y.data = x.data;
  return y;
}

}  // namespace

const std::vector<std::string>& builtin_models() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (const ResNetSpec& s : kResNets) v.emplace_back(s.name);
    v.emplace_back("alexnet");
    v.emplace_back("vgg16");
    return v;
  }();
  return names;
}

int NetBlock::out_h() const {
  switch (kind) {
    case NetBlockKind::kStem:
    case NetBlockKind::kConv: {
      const int h = stem.conv1.out_size(in_h);
      return stem.has_pool ? stem.pool.out_size(h) : h;
    }
    case NetBlockKind::kHead:
    case NetBlockKind::kFc:
      return 1;
    default: {
      int h = block.conv2.out_size(block.conv1.out_size(in_h));
      return block.conv3 ? block.conv3->out_size(h) : h;
    }
  }
}

int NetBlock::out_w() const {
  switch (kind) {
    case NetBlockKind::kStem:
    case NetBlockKind::kConv: {
      const int w = stem.conv1.out_size(in_w);
      return stem.has_pool ? stem.pool.out_size(w) : w;
    }
    case NetBlockKind::kHead:
    case NetBlockKind::kFc:
      return 1;
    default: {
      int w = block.conv2.out_size(block.conv1.out_size(in_w));
      return block.conv3 ? block.conv3->out_size(w) : w;
    }
  }
}

int NetBlock::out_c() const {
  switch (kind) {
    case NetBlockKind::kStem:
    case NetBlockKind::kConv:
      return stem.conv1.out_c;
    case NetBlockKind::kHead:
      return head.fc.out_f;
    case NetBlockKind::kFc:
      return fc.out_f();
    default:
      return block.conv3 ? block.conv3->out_c : block.conv2.out_c;
  }
}

uint64_t NetBlock::macs() const {
  const auto conv = [](const ConvParams& p, int h, int w) {
    return static_cast<uint64_t>(p.out_size(h)) * p.out_size(w) * p.out_c * p.in_c * p.k * p.k;
  };
  switch (kind) {
    case NetBlockKind::kStem:
    case NetBlockKind::kConv:
      return conv(stem.conv1, in_h, in_w);
    case NetBlockKind::kHead:
      return static_cast<uint64_t>(head.fc.out_f) * head.fc.in_f;
    case NetBlockKind::kFc:
      return static_cast<uint64_t>(fc.out_f()) * fc.in_f();
    default: {
      uint64_t m = conv(block.conv1, in_h, in_w);
      int h = block.conv1.out_size(in_h), w = block.conv1.out_size(in_w);
      m += conv(block.conv2, h, w);
      if (block.conv3) m += conv(*block.conv3, block.conv2.out_size(h), block.conv2.out_size(w));
      if (block.skip) m += conv(*block.skip, in_h, in_w);
      return m;
    }
  }
}

Network builtin_network(const std::string& model, int h, int w, uint64_t seed) {
  const ResNetSpec* spec = nullptr;
  for (const ResNetSpec& s : kResNets)
    if (model == s.name) spec = &s;
  if (!spec && !is_chain_model(model))
    throw InputError(fmt::format("--model: unknown model '{}' (built in: {})", model,
                                 fmt::join(builtin_models(), ", ")));
  if (h < 32 || w < 32 || h > 4096 || w > 4096)
    throw InputError(fmt::format("--input: {}x{}: expected H x W with each in [32, 4096]", h, w));
  Network net;
  net.model = model;
  net.input = Tensor8(h, w, 3);
  {
    std::mt19937_64 gen(block_seed(seed, 1000000));
    for (auto& v : net.input.data) v = static_cast<int8_t>(static_cast<int>(gen() % 256) - 128);
  }
  if (!spec) {
    add_chain_blocks(&net, seed);
    return net;
  }
  uint64_t index = 0;

  NetBlock stem;
  stem.name = "stem";
  stem.kind = NetBlockKind::kStem;
  stem.in_h = h;
  stem.in_w = w;
  stem.in_c = 3;
  stem.stem.conv1.in_c = 3;
  stem.stem.conv1.out_c = 64;
  stem.stem.conv1.k = 7;
  stem.stem.conv1.stride = 2;
  stem.stem.conv1.relu = true;
  random_conv_params(&stem.stem.conv1, false, block_seed(seed, index++));
  int ch = h, cw = w, cc = 64;
  ch = stem.out_h();
  cw = stem.out_w();
  net.blocks.push_back(std::move(stem));

  const int expansion = spec->bottleneck ? 4 : 1;
  for (int layer = 0; layer < 4; ++layer) {
    const int planes = 64 << layer;
    for (int i = 0; i < spec->layers[layer]; ++i) {
      const int stride = (layer > 0 && i == 0) ? 2 : 1;
      BlockShape shape;
      shape.h = ch;
      shape.w = cw;
      shape.c = cc;
      shape.out_c = planes * expansion;
      if (spec->bottleneck) {
        shape.kind = BlockKind::kBottleneck;
        shape.width = planes;
        shape.stride = stride;
      } else {
        shape.kind = stride == 2 ? BlockKind::kDownsample : BlockKind::kBasic;
      }
      NetBlock b;
      b.name = fmt::format("layer{}.{}", layer + 1, i);
      b.kind = spec->bottleneck ? NetBlockKind::kBottleneck : NetBlockKind::kBasic;
      b.in_h = ch;
      b.in_w = cw;
      b.in_c = cc;
      b.block = random_block_params(shape, true, block_seed(seed, index++));
      ch = b.out_h();
      cw = b.out_w();
      cc = b.out_c();
      net.blocks.push_back(std::move(b));
    }
  }

  NetBlock head;
  head.name = "head";
  head.kind = NetBlockKind::kHead;
  head.in_h = ch;
  head.in_w = cw;
  head.in_c = cc;
  // Average: sum * 2^20 / (H*W) >> 20, times 2 so the mean of a post-ReLU map spreads.
  head.head.pool.shift = 20;
  head.head.pool.mult = static_cast<int32_t>(
      std::min<int64_t>(2147483647, std::llround(2.0 * std::ldexp(1.0, 20) / (ch * cw))));
  FcParams& fc = head.head.fc;
  fc.in_f = cc;
  fc.out_f = 1000;
  std::mt19937_64 gen(block_seed(seed, index++));
  fc.weight.resize(static_cast<size_t>(fc.out_f) * fc.in_f);
  for (auto& v : fc.weight) v = static_cast<int8_t>(static_cast<int>(gen() % 128) - 64);
  fc.bias.resize(static_cast<size_t>(fc.out_f));
  for (auto& v : fc.bias) v = static_cast<int32_t>(gen() % 4096) - 2048;
  net.blocks.push_back(std::move(head));
  return net;
}

Tensor8 golden_net_block(const NetBlock& b, const Tensor8& input, std::vector<int32_t>* logits) {
  switch (b.kind) {
    case NetBlockKind::kStem:
    case NetBlockKind::kConv: {
      Tensor8 y = golden_conv(input, b.stem.conv1);
      return b.stem.has_pool ? golden_maxpool(y, b.stem.pool) : y;
    }
    case NetBlockKind::kHead: {
      Tensor8 pooled = golden_global_pool(input, b.head.pool);
      if (logits) *logits = golden_fc(pooled, b.head.fc);
      return pooled;
    }
    case NetBlockKind::kFc: {
      Tensor8 x = flattened(input);
      if (!b.fc.logits) return golden_conv(x, b.fc.conv);
      if (logits) *logits = golden_fc(x, b.fc.fc);
      return x;
    }
    default: {
      BlockParams p = b.block;
      p.input = input;
      return golden_block(p);
    }
  }
}

NetworkTrace golden_forward(const Network& net) {
  NetworkTrace t;
  Tensor8 x = net.input;
  for (const NetBlock& b : net.blocks) {
    t.inputs.push_back(x);
    x = golden_net_block(b, x, b.gives_logits() ? &t.logits : nullptr);
    t.outputs.push_back(x);
  }
  return t;
}

}  // namespace skipsim
