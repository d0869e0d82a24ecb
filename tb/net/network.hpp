#pragma once
// A whole network as data: the stem, the residual blocks in order and the head, or a chain
// network's conv and fc layers, each with its int8 parameters (DESIGN.md section 4), plus the
// input image. Built-in ResNets come from
// builtin_network (random parameters from a seed), imported models from import_onnx
// (tb/net/onnx_import.hpp); golden_forward computes every block's input and the logits.
#include <cstdint>
#include <string>
#include <vector>

#include "hw/common/enum_names.hpp"
#include "tb/ref/golden.hpp"
#include "tb/ref/tensor.hpp"

namespace skipsim {

// kConv and kFc are the layers of chain networks (AlexNet, VGG): no skip path.
enum class NetBlockKind { kStem, kBasic, kBottleneck, kHead, kConv, kFc };

inline constexpr EnumName<NetBlockKind> kNetBlockKindNames[] = {
    {NetBlockKind::kStem, "stem"},
    {NetBlockKind::kBasic, "basic"},
    {NetBlockKind::kBottleneck, "bottleneck"},
    {NetBlockKind::kHead, "head"},
    {NetBlockKind::kConv, "conv"},
    {NetBlockKind::kFc, "fc"}};
constexpr const auto& enum_table(NetBlockKind) { return kNetBlockKindNames; }

// Stem: conv1 (k x k, stride s, relu; ResNet: 7x7 s2 pad 3) then an optional max pool.
struct StemParams {
  ConvParams conv1;
  bool has_pool = true;
  MaxPoolParams pool;
};

// Head: global average pool (sum, requant) then the fully connected layer (int32 logits).
struct HeadParams {
  GlobalPoolParams pool;
  FcParams fc;
};

// A fully connected layer on its input flattened in H x W x C order (in_f = H*W*C; torchvision
// flattens C x H x W, so imported weights have their columns permuted to this order). Hidden
// layers requantize to int8 (with ReLU) and run as a 1x1 conv on a 1 x 1 x in_f map; the last
// gives int32 logits.
struct FcLayerParams {
  bool logits = false;
  ConvParams conv;  // !logits: k = 1, in_c = in_f, out_c = out_f
  FcParams fc;      // logits
  int in_f() const { return logits ? fc.in_f : conv.in_c; }
  int out_f() const { return logits ? fc.out_f : conv.out_c; }
};

// A chain network's block is one layer: kConv a conv (with ReLU) and the max pool after it,
// if any (in `stem`, as the ResNet stem); kFc a fully connected layer (in `fc`).
struct NetBlock {
  std::string name;  // "stem", "layer1.0" ... "layer4.2", "head" (torchvision's names)
  NetBlockKind kind = NetBlockKind::kBasic;
  int in_h = 0, in_w = 0, in_c = 0;
  // kStem / kConv: the conv and its max pool (in_c = the conv's in_c).
  // kBasic / kBottleneck: the residual block (its `input` is left empty: golden_forward
  // computes it). kBasic blocks with a projection have kind kDownsample inside.
  BlockParams block;
  StemParams stem;   // kStem, kConv
  HeadParams head;   // kHead
  FcLayerParams fc;  // kFc

  // Blocks without a skip path, run through the chain pipeline (`run-chain`).
  bool chain() const { return kind != NetBlockKind::kBasic && kind != NetBlockKind::kBottleneck; }
  // The last layer: its output is the logits.
  bool gives_logits() const {
    return kind == NetBlockKind::kHead || (kind == NetBlockKind::kFc && fc.logits);
  }
  bool projection() const { return block.skip.has_value(); }
  // Output shape (head and the logits' fc: 1 x 1 x classes).
  int out_h() const;
  int out_w() const;
  int out_c() const;
  // int8 multiply-accumulates of one image (convs and the FC layer).
  uint64_t macs() const;
};

struct Network {
  std::string model;  // "resnet50", or the ONNX file's name
  Tensor8 input;      // the image, H x W x C int8
  std::vector<NetBlock> blocks;
};

// Built-in models: resnet18, resnet34 (basic), resnet50, resnet101, resnet152 (bottleneck),
// torchvision's topology for an input of h x w x 3 (h, w >= 32), 1000 classes; alexnet and
// vgg16, torchvision's layers without the adaptive average pool before the classifier (the
// identity at 224 x 224: 6 x 6 and 7 x 7 maps), so at other sizes the first FC layer takes
// the flattened map as it is (h, w >= 63 for alexnet, >= 32 for vgg16). Parameters
// and the image are random from `seed`, scaled so activations spread over the int8 range.
// Throws InputError for an unknown name or too small an input.
Network builtin_network(const std::string& model, int h, int w, uint64_t seed);
// The names builtin_network accepts, for --help and errors.
const std::vector<std::string>& builtin_models();

// Every block's input (inputs[i] for blocks[i]), the last block's int8 output (head: the
// pooled vector; the logits' fc: its flattened input) and the logits.
struct NetworkTrace {
  std::vector<Tensor8> inputs;
  std::vector<Tensor8> outputs;  // outputs[i] of blocks[i]; the head's is its pooled vector
  std::vector<int32_t> logits;
};
NetworkTrace golden_forward(const Network& net);
// One block on its input (the stem or a conv: conv then pool; a residual block: golden_block;
// the head: its pooled vector, an fc: its int8 output or for the logits its flattened input,
// with the logits in `logits` when given).
Tensor8 golden_net_block(const NetBlock& b, const Tensor8& input,
                         std::vector<int32_t>* logits = nullptr);

}  // namespace skipsim
