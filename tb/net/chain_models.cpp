#include "tb/net/chain_models.hpp"

#include <random>

#include <fmt/format.h>

#include "hw/common/errors.hpp"
#include "tb/ref/block_params.hpp"

namespace skipsim {

namespace {

// A conv layer (k, stride, pad, out channels), then a max pool (k, stride) when pool_k > 0.
struct ChainConv {
  int index, k, stride, pad, out_c, pool_k, pool_stride;
};

// torchvision's alexnet.py: features.0 ... features.12 (ReLU after each conv).
constexpr ChainConv kAlexNet[] = {{0, 11, 4, 2, 64, 3, 2},
                                  {3, 5, 1, 2, 192, 3, 2},
                                  {6, 3, 1, 1, 384, 0, 0},
                                  {8, 3, 1, 1, 256, 0, 0},
                                  {10, 3, 1, 1, 256, 3, 2}};
// torchvision's vgg.py, configuration "D" (vgg16, no batch norm).
constexpr ChainConv kVgg16[] = {
    {0, 3, 1, 1, 64, 0, 0},   {2, 3, 1, 1, 64, 2, 2},   {5, 3, 1, 1, 128, 0, 0},
    {7, 3, 1, 1, 128, 2, 2},  {10, 3, 1, 1, 256, 0, 0}, {12, 3, 1, 1, 256, 0, 0},
    {14, 3, 1, 1, 256, 2, 2}, {17, 3, 1, 1, 512, 0, 0}, {19, 3, 1, 1, 512, 0, 0},
    {21, 3, 1, 1, 512, 2, 2}, {24, 3, 1, 1, 512, 0, 0}, {26, 3, 1, 1, 512, 0, 0},
    {28, 3, 1, 1, 512, 2, 2}};

}  // namespace

bool is_chain_model(const std::string& model) { return model == "alexnet" || model == "vgg16"; }

uint64_t network_block_seed(uint64_t seed, uint64_t index) {
  uint64_t z = seed + 0x9E3779B97F4A7C15ull * (index + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

FcLayerParams random_fc_layer(int in_f, int out_f, bool logits, uint64_t seed) {
  FcLayerParams l;
  l.logits = logits;
  if (!logits) {
    l.conv.in_c = in_f;
    l.conv.out_c = out_f;
    l.conv.k = 1;
    l.conv.relu = true;
    random_conv_params(&l.conv, true, seed);
    return l;
  }
  l.fc.in_f = in_f;
  l.fc.out_f = out_f;
  std::mt19937_64 gen(seed);
  l.fc.weight.resize(static_cast<size_t>(out_f) * in_f);
  for (auto& v : l.fc.weight) v = static_cast<int8_t>(static_cast<int>(gen() % 128) - 64);
  l.fc.bias.resize(static_cast<size_t>(out_f));
  for (auto& v : l.fc.bias) v = static_cast<int32_t>(gen() % 4096) - 2048;
  return l;
}

void add_chain_blocks(Network* net, uint64_t seed) {
  const bool alex = net->model == "alexnet";
  const int min_size = alex ? 63 : 32;
  int h = net->input.h, w = net->input.w, c = net->input.c;
  if (h < min_size || w < min_size)
    throw InputError(
        fmt::format("--input: {}x{}: {} needs H and W in [{}, 4096]", h, w, net->model, min_size));
  uint64_t index = 0;
  const auto add = [&](const ChainConv& l) {
    NetBlock b;
    b.name = fmt::format("features.{}", l.index);
    b.kind = NetBlockKind::kConv;
    b.in_h = h;
    b.in_w = w;
    b.in_c = c;
    ConvParams& p = b.stem.conv1;
    p.in_c = c;
    p.out_c = l.out_c;
    p.k = l.k;
    p.stride = l.stride;
    p.padding = l.pad;
    p.relu = true;
    const bool relu_input = index > 0;  // the image is not post-ReLU
    random_conv_params(&p, relu_input, network_block_seed(seed, index++));
    b.stem.has_pool = l.pool_k > 0;
    b.stem.pool = MaxPoolParams{l.pool_k, l.pool_stride, 0};
    h = b.out_h();
    w = b.out_w();
    c = b.out_c();
    net->blocks.push_back(std::move(b));
  };
  if (alex)
    for (const ChainConv& l : kAlexNet) add(l);
  else
    for (const ChainConv& l : kVgg16) add(l);
  // The classifier: dropout is the identity at inference.
  const int fc_index[3] = {alex ? 1 : 0, alex ? 4 : 3, 6};
  const int widths[3] = {4096, 4096, 1000};
  int in_f = h * w * c;
  for (int i = 0; i < 3; ++i) {
    NetBlock b;
    b.name = fmt::format("classifier.{}", fc_index[i]);
    b.kind = NetBlockKind::kFc;
    b.in_h = i == 0 ? h : 1;
    b.in_w = i == 0 ? w : 1;
    b.in_c = i == 0 ? c : in_f;
    b.fc = random_fc_layer(in_f, widths[i], i == 2, network_block_seed(seed, index++));
    in_f = widths[i];
    net->blocks.push_back(std::move(b));
  }
}

}  // namespace skipsim
