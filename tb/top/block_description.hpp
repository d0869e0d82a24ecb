#pragma once
// A residual block as data: what the builder (ResidualBlock) elaborates. The main path is an
// ordered list of conv stages from the fork to the add; the skip path is the identity or one
// projection stage in front of the skip FIFO. Each stage names its engine and the stream it
// drives, so a block with three convs on the main path (bottleneck) is one more description,
// not another builder.
#include <optional>
#include <string>
#include <vector>

#include "tb/ref/golden.hpp"

namespace skipsim {

struct ConvStage {
  std::string name;        // engine (and SystemC module) name, e.g. "conv1"
  std::string out_stream;  // the stream it drives, e.g. "conv1_out"
  int in_h = 0, in_w = 0;  // input geometry; channels, k, stride, ReLU and out_c in params
  ConvParams params;

  int in_c() const { return params.in_c; }
  int out_h() const { return params.out_size(in_h); }
  int out_w() const { return params.out_size(in_w); }
  int out_c() const { return params.out_c; }
};

struct BlockDescription {
  std::string kind;  // "basic", "downsample", ...
  int in_h = 0, in_w = 0, in_c = 0;
  std::vector<ConvStage> main;    // fork -> main[0] -> ... -> main.back() -> add
  std::optional<ConvStage> skip;  // fork -> skip -> skip FIFO; identity when empty
  AddParams add;

  int out_h() const { return main.back().out_h(); }
  int out_w() const { return main.back().out_w(); }
  int out_c() const { return main.back().out_c(); }
  // Every conv stage: the main path in order, then the projection.
  std::vector<const ConvStage*> stages() const;
};

// The description of a basic or downsampling block from its tensors (DESIGN.md section 4):
// conv1 -conv1_out-> conv2 -conv2_out-> add, skip identity or skip_conv -skip_proj->.
BlockDescription describe_block(const BlockParams& p);

}  // namespace skipsim
