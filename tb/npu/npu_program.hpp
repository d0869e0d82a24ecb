#pragma once
// A network as the layer-by-layer NPU runs it: its ops in execution order, each with the
// engine stage that computes it (tb/top/npu_op_top.hpp), the op graph the SRAM allocator
// plans (tb/npu/op_graph.hpp), and every tensor's golden value (the same forward pass as
// `skipsim network`), which each op's simulation is checked against.
//
// A residual block lowers to conv1, conv2 [, conv3] [, downsample], add (the vector unit's
// add reads F(X) and X); with fuse_add the add joins the last main conv's output stage
// instead (after the projection, which then runs before it): one op, reading its input and X.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "tb/net/network.hpp"
#include "tb/npu/op_graph.hpp"
#include "tb/top/npu_op_top.hpp"

namespace skipsim {

struct NpuProgramOp {
  std::string name, block;
  NpuOpType type = NpuOpType::kConv;
  NpuCompute compute;
  std::optional<AddStage> fused_add;  // the conv's output stage adds X (fuse_add)
  std::vector<int> inputs;            // tensor ids; with fused_add the last is X
  int output = 0;
  uint64_t macs = 0;
  uint64_t ops = 0;           // arithmetic ops: 2 per MAC, 1 per added / pooled value
  uint64_t weight_bytes = 0;  // parameters streamed from DRAM (weights, bias, requant)
};

struct NpuTensorShape {
  int h = 0, w = 0, c = 0;  // c: bytes per pixel (4 per logit)
};

struct NpuProgram {
  std::string model;
  OpGraph graph;
  std::vector<NpuProgramOp> ops;
  std::vector<NpuTensorShape> shapes;       // per tensor
  std::vector<std::vector<int8_t>> values;  // per tensor, golden
  std::vector<bool> skip;                   // per tensor: a residual block's X
  std::vector<int32_t> logits;              // golden, when the network ends in logits
  // Per tensor: its bytes as SRAM and DRAM hold them when stored compressed (the codec's
  // packed words, compress_skip_tensors), else empty: stored raw. graph.tensors[t].bytes is
  // the stored size.
  std::vector<std::vector<int8_t>> stored;
  SkipCompression codec = SkipCompression::kNone;

  bool compressed(int t) const { return !stored.empty() && !stored[t].empty(); }
  const std::vector<int8_t>& stored_value(int t) const {
    return compressed(t) ? stored[t] : values[t];
  }
};

// The blocks [first, last] of `net`; the first block's input is `input` (the golden value
// of that block's input). Throws InputError for a block kind the NPU cannot run.
NpuProgram build_npu_program(const Network& net, size_t first, size_t last, const Tensor8& input,
                             bool fuse_add);

// Stores the skip tensors compressed by `kind` in words of word_bytes: each one's stored value
// is its stream (beats of `lanes` lanes, lanes past C zero) as the compressor packs it, and its
// graph size that of the words. A tensor some op writes or reads other than as one whole
// stream stays raw: written in passes over output channels (passes(op) > 1), read by an FC
// (flattened) or in channel slices (a fused add in passes); so does one whose words would
// not be fewer bytes than it (a dense X, e.g. a projection without ReLU): the compiler, which
// sizes every buffer from the data, keeps the codec off for it.
void compress_skip_tensors(NpuProgram& p, SkipCompression kind, int lanes, int word_bytes,
                           const std::function<int(const NpuProgramOp&)>& passes);

// Parameter bytes of a conv and an FC layer as the engines load them.
uint64_t conv_weight_bytes(const ConvParams& p);
uint64_t fc_weight_bytes(const FcParams& p);

}  // namespace skipsim
