#pragma once
// The float network the ONNX graph was recognised as (stem, blocks, head, in order), and its
// quantization to the int8 network (README "ONNX import: quantization rule"). Internal to
// the importer.
#include <optional>
#include <string>
#include <vector>

#include "tb/net/network.hpp"
#include "tb/net/onnx_graph.hpp"
#include "tb/net/onnx_import.hpp"

namespace skipsim {

struct FloatStage {
  std::string name;
  NetBlockKind kind = NetBlockKind::kStem;
  BlockKind block_kind = BlockKind::kBasic;  // kBasic / kBottleneck stages
  int in_h = 0, in_w = 0, in_c = 0;
  // Stem and kConv: conv1 (ReLU) and the pool; blocks: the convs with block_layout's geometry.
  FloatConv conv1, conv2;
  std::optional<FloatConv> conv3, skip;
  bool has_pool = false;
  MaxPoolParams pool;
  FloatFc fc;           // head, kFc (columns in H x W x C order)
  bool logits = false;  // kFc: the last layer (no ReLU, int32 out)
};

// Quantizes the stages, calibrating on `image`, or without one on the image drawn from `seed`
// (h x w x the stem's in_c).
Network quantize_network(const std::vector<FloatStage>& stages, const std::string& model,
                         uint64_t seed, OnnxImportInfo* info, const Tensor8* image = nullptr);

}  // namespace skipsim
