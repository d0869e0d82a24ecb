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
  bool relu = false;
  std::vector<int8_t> weight;  // out_c * in_c * k * k
  std::vector<int32_t> bias;   // out_c
  std::vector<int32_t> mult;   // out_c, each in [0, 2^31-1]
  std::vector<int32_t> shift;  // out_c, each in [1, 62]

  int pad() const { return same_pad(k); }
  int out_size(int in) const { return conv_out_size(in, k, stride, pad()); }
  int8_t w(int o, int i, int ky, int kx) const {
    return weight[((static_cast<size_t>(o) * in_c + i) * k + ky) * k + kx];
  }
};

struct AddParams {
  int32_t mult_main = 1, mult_skip = 1, shift = 1;
};

enum class BlockKind { kBasic, kDownsample };

inline constexpr EnumName<BlockKind> kBlockKindNames[] = {{BlockKind::kBasic, "basic"},
                                                          {BlockKind::kDownsample, "downsample"}};
constexpr const auto& enum_table(BlockKind) { return kBlockKindNames; }

// Everything one residual block run needs: input, the convs, the add.
// kBasic: conv1 (3x3, s1, relu) -> conv2 (3x3, s1) -> add with identity skip.
// kDownsample: conv1 (3x3, s2, relu) -> conv2 (3x3, s1) -> add with skip = conv1x1 s2.
struct BlockParams {
  BlockKind kind = BlockKind::kBasic;
  Tensor8 input;
  ConvParams conv1, conv2;
  std::optional<ConvParams> skip;  // present iff kind == kDownsample
  AddParams add;
};

// y = clamp((acc*mult + (1 << (shift-1))) >> shift, relu ? 0 : -128, 127), 64-bit product.
int8_t golden_requant(int32_t acc, int32_t mult, int32_t shift, bool relu);
// y = clamp((main*mm + skip*ms + (1 << (shift-1))) >> shift, 0, 127), 64-bit arithmetic.
int8_t golden_add(int8_t main, int8_t skip, const AddParams& p);

Tensor8 golden_conv(const Tensor8& x, const ConvParams& p);
Tensor8 golden_add(const Tensor8& main, const Tensor8& skip, const AddParams& p);
Tensor8 golden_block(const BlockParams& b);

}  // namespace skipsim
