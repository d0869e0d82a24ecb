#pragma once
// Residual-block tensors: random from a seed, loaded from / dumped to a directory of .npy
// files (DESIGN.md section 4 names), with shape, dtype and range checks.
#include <cstdint>
#include <string>

#include "hw/common/conv_geometry.hpp"
#include "tb/config/config.hpp"
#include "tb/ref/golden.hpp"

namespace skipsim {

struct BlockShape {
  BlockKind kind = BlockKind::kBasic;
  int h = 0, w = 0, c = 0;  // input
  int out_c = 0;            // channels of the output (and of every conv of a basic block)
  int width = 0;            // bottleneck: channels of conv1 and conv2
  int stride = 1;           // bottleneck: conv2's and the projection's (downsample: always 2)

  int block_stride() const { return kind == BlockKind::kDownsample ? 2 : stride; }
  // A projection on the skip path: always when downsampling; a bottleneck when the shape
  // changes (torchvision).
  bool projection() const {
    return kind == BlockKind::kDownsample ||
           (kind == BlockKind::kBottleneck && (stride != 1 || c != out_c));
  }
  int out_h() const { return conv_out_size(h, 3, block_stride(), 1); }
  int out_w() const { return conv_out_size(w, 3, block_stride(), 1); }
};

// The convs of a block of this shape, without tensors (weights etc. empty).
struct BlockLayout {
  ConvParams conv1, conv2;
  std::optional<ConvParams> conv3, skip;
};
BlockLayout block_layout(const BlockShape& s);

// The block shape a configuration's workload asks for.
BlockShape block_shape(const WorkloadConfig& w);

// Random input (int8 full range), weights, bias, and requant parameters chosen from the
// layer's fan-in so that outputs spread over the int8 range instead of saturating.
BlockParams random_block(const BlockShape& shape, uint64_t seed);

// Random parameters for a block of this shape inside a network (input left empty): as
// random_block, scaled for an input X that is post-ReLU when relu_input.
BlockParams random_block_params(const BlockShape& shape, bool relu_input, uint64_t seed);
// Random weights, bias and requant parameters for a conv whose geometry is set.
void random_conv_params(ConvParams* p, bool relu_input, uint64_t seed);

// Loads input.npy, conv1.*, conv2.*, conv3.* (bottleneck), skip.* (with a projection) and
// add.npy from dir.
// Throws InputError naming the file and what is wrong (missing, dtype, shape, range).
BlockParams load_block(const std::string& dir, const BlockShape& shape);

// Writes every tensor and parameter of b into dir (created if missing), same names.
void dump_block(const std::string& dir, const BlockParams& b);

}  // namespace skipsim
