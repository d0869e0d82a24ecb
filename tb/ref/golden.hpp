#pragma once
// Plain C++ golden model of a residual block (no SystemC, no timing): the bit-exact
// reference of DESIGN.md section 4 that the hardware model is checked against.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hw/common/conv_geometry.hpp"
#include "hw/common/enum_names.hpp"
#include "tb/ref/tensor.hpp"

namespace skipsim {

// One conv layer's parameters. Weight layout O x I x kh x kw (PyTorch), kh == kw == k.
struct ConvParams {
  int out_c = 0, in_c = 0, k = 1, stride = 1;
  int padding = -1;  // zeros on each side; -1: same_pad(k) (every ResNet conv)
  bool relu = false;
  std::vector<int8_t> weight;  // out_c * in_c * k * k
  std::vector<int32_t> bias;   // out_c
  std::vector<int32_t> mult;   // out_c, each in [0, 2^31-1]
  std::vector<int32_t> shift;  // out_c, each in [1, 62]

  int pad() const { return padding < 0 ? same_pad(k) : padding; }
  int out_size(int in) const { return conv_out_size(in, k, stride, pad()); }
  int8_t w(int o, int i, int ky, int kx) const {
    return weight[((static_cast<size_t>(o) * in_c + i) * k + ky) * k + kx];
  }
};

struct AddParams {
  int32_t mult_main = 1, mult_skip = 1, shift = 1;
};

enum class BlockKind { kBasic, kDownsample, kBottleneck };

inline constexpr EnumName<BlockKind> kBlockKindNames[] = {{BlockKind::kBasic, "basic"},
                                                          {BlockKind::kDownsample, "downsample"},
                                                          {BlockKind::kBottleneck, "bottleneck"}};
constexpr const auto& enum_table(BlockKind) { return kBlockKindNames; }

// Everything one residual block run needs: input, the convs, the add.
// kBasic: conv1 (3x3, s1, relu) -> conv2 (3x3, s1) -> add with identity skip.
// kDownsample: conv1 (3x3, s2, relu) -> conv2 (3x3, s1) -> add with skip = conv1x1 s2.
// kBottleneck (torchvision v1.5): conv1 (1x1, relu) -> conv2 (3x3, stride s, relu) -> conv3
//   (1x1) -> add with identity, or with skip = conv1x1 stride s when the shape changes.
struct BlockParams {
  BlockKind kind = BlockKind::kBasic;
  Tensor8 input;
  ConvParams conv1, conv2;
  std::optional<ConvParams> conv3;  // present iff kind == kBottleneck
  std::optional<ConvParams> skip;   // the projection: kDownsample always, kBottleneck maybe
  AddParams add;
};

// Max pooling, k x k windows moved by `stride`, `pad` on each side; padding never wins (the
// max is over the window's real pixels).
struct MaxPoolParams {
  int k = 3, stride = 2, pad = 1;
  int out_size(int in) const { return conv_out_size(in, k, stride, pad); }
};
// Global average pool as the hardware does it: the per-channel int32 sum over H x W,
// requantized with [mult, shift] (no ReLU) to int8, 1 x 1 x C.
struct GlobalPoolParams {
  int32_t mult = 1, shift = 1;
};
// Fully connected: int8 weights out_f x in_f, int32 bias; int32 outputs (no requant).
struct FcParams {
  int out_f = 0, in_f = 0;
  std::vector<int8_t> weight;  // out_f * in_f
  std::vector<int32_t> bias;   // out_f
};

// y = clamp((acc*mult + (1 << (shift-1))) >> shift, relu ? 0 : -128, 127), 64-bit product.
int8_t golden_requant(int32_t acc, int32_t mult, int32_t shift, bool relu);
// y = clamp((main*mm + skip*ms + (1 << (shift-1))) >> shift, 0, 127), 64-bit arithmetic.
int8_t golden_add(int8_t main, int8_t skip, const AddParams& p);

Tensor8 golden_conv(const Tensor8& x, const ConvParams& p);
Tensor8 golden_add(const Tensor8& main, const Tensor8& skip, const AddParams& p);
Tensor8 golden_block(const BlockParams& b);
Tensor8 golden_maxpool(const Tensor8& x, const MaxPoolParams& p);
Tensor8 golden_global_pool(const Tensor8& x, const GlobalPoolParams& p);
// x: 1 x 1 x in_f (or any tensor of in_f values, flattened in HWC order).
std::vector<int32_t> golden_fc(const Tensor8& x, const FcParams& p);

}  // namespace skipsim
