#pragma once
// A chain pipeline as data: stages one after another with no skip path (the ResNet stem and
// head), elaborated by ChainPipeline: DRAM -> dma_read -> stage 0 -> ... -> dma_write -> DRAM.
// Each stage names its engine and the stream it drives.
#include <string>
#include <variant>
#include <vector>

#include "tb/ref/golden.hpp"
#include "tb/top/block_description.hpp"

namespace skipsim {

struct MaxPoolStage {
  std::string name, out_stream;
  int in_h = 0, in_w = 0, in_c = 0;
  MaxPoolParams params;
};

struct GlobalPoolStage {
  std::string name, out_stream;
  int in_h = 0, in_w = 0, in_c = 0;
  GlobalPoolParams params;
};

// Input 1 x 1 x in_f; output 1 x 1 pixel of out_f int32 logits (4 bytes each on the stream).
struct FcStage {
  std::string name, out_stream;
  FcParams params;
};

using ChainStage = std::variant<ConvStage, MaxPoolStage, GlobalPoolStage, FcStage>;

// The tensor between stages: h x w pixels of `bytes` bytes (c int8 channels, or 4*out_f
// bytes of int32 logits after an FC stage).
struct ChainShape {
  int h = 0, w = 0, bytes = 0;
};

struct ChainDescription {
  std::string kind;  // "stem", "head", ...
  int in_h = 0, in_w = 0, in_c = 0;
  std::vector<ChainStage> stages;

  ChainShape out_shape() const;
  // True when the last stage is an FC (the output holds int32 logits).
  bool int32_output() const;
};

ChainShape stage_out_shape(const ChainStage& s);
const std::string& stage_name(const ChainStage& s);
const std::string& stage_out_stream(const ChainStage& s);

// The ResNet stem: conv1 (k x k, stride, ReLU as its params say; 7x7 s2 p3 in ResNets) -conv1_out->
// pool (max pool) -pool_out->; without a pool when `pool` is null.
ChainDescription describe_stem(int in_h, int in_w, const ConvParams& conv1,
                               const MaxPoolParams* pool);
// The ResNet head: pool (global pool) -pool_out-> fc -fc_out->.
ChainDescription describe_head(int in_h, int in_w, int in_c, const GlobalPoolParams& pool,
                               const FcParams& fc);
// A chain network's last layer: fc -fc_out-> on a 1 x 1 x in_f input.
ChainDescription describe_fc(const FcParams& fc);
// The golden model of a chain: the int8 tensor after the last stage, or for an FC chain the
// logits' bytes (little-endian int32) as a 1 x 1 x 4*out_f tensor, as the DRAM holds them.
Tensor8 golden_chain(const ChainDescription& d, const Tensor8& input);

}  // namespace skipsim
