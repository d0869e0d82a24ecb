#pragma once
// Residual-block tensors: random from a seed, loaded from / dumped to a directory of .npy
// files (DESIGN.md section 4 names), with shape, dtype and range checks.
#include <cstdint>
#include <string>

#include "tb/config/config.hpp"
#include "tb/ref/golden.hpp"

namespace skipsim {

struct BlockShape {
  BlockKind kind = BlockKind::kBasic;
  int h = 0, w = 0, c = 0;  // input
  int out_c = 0;            // channels of conv1, conv2, skip and the output
};

// The block shape a configuration's workload asks for.
BlockShape block_shape(const WorkloadConfig& w);

// Random input (int8 full range), weights, bias, and requant parameters chosen from the
// layer's fan-in so that outputs spread over the int8 range instead of saturating.
BlockParams random_block(const BlockShape& shape, uint64_t seed);

// Loads input.npy, conv1.*, conv2.*, skip.* (downsample only) and add.npy from dir.
// Throws InputError naming the file and what is wrong (missing, dtype, shape, range).
BlockParams load_block(const std::string& dir, const BlockShape& shape);

// Writes every tensor and parameter of b into dir (created if missing), same names.
void dump_block(const std::string& dir, const BlockParams& b);

}  // namespace skipsim
