#pragma once
// Layer mode's data: the seeded layer tensors, the GEMM operands built from them, and the
// direct convolution the array's result is checked against (independent of the operands).
#include <cstdint>
#include <vector>

#include "tb/modes/layer_mode.hpp"

namespace skipsim {

// Buffers of the direct convolution, kept across layers.
struct DirectConvScratch {
  std::vector<int8_t> padded, wr, win;
  std::vector<int32_t> acc;
};

// Whether out (M x N) is the direct convolution of the layer data; see layer_conv.cpp.
bool matches_direct_conv(const LayerSpec& l, const LayerGeometry& g, const LayerData& d,
                         const int32_t* out, DirectConvScratch& s);

// A (M x K) and B (K x N), row-major, of the layer as a GEMM.
void layer_im2col(const LayerSpec& l, const LayerGeometry& g, const LayerData& d, int8_t* a,
                  int8_t* b);

}  // namespace skipsim
