#pragma once
// ONNX import: a float ResNet-like model (stem, residual blocks, head) read through Debian's
// libonnx (protobuf), recognised block by block and quantized to the int8 contract of
// DESIGN.md section 4 by the rule in README "ONNX import: quantization rule".
#include <cstdint>
#include <string>
#include <vector>

#include "tb/net/network.hpp"

namespace skipsim {

// What the quantization chose, for checks against a float forward pass.
struct OnnxImportInfo {
  double input_scale = 0;             // real image = int8 * input_scale
  std::vector<double> output_scales;  // per block: real output = int8 * scale (head: pooled)
  double logit_scale = 0;             // real logit = int32 logit * logit_scale
};

// Reads `path` (an .onnx file), builds the network for an h x w input and quantizes it,
// calibrating on the random image drawn from `seed`. Throws InputError with one line (the
// file, the node, its op and what is supported) for anything outside stem/blocks/head.
// With `image` (h x w x the model's channels) the calibration uses it instead.
Network import_onnx(const std::string& path, int h, int w, uint64_t seed,
                    OnnxImportInfo* info = nullptr, const Tensor8* image = nullptr);

// The same on the file's bytes (`where` names it in errors; the model is named after it).
Network import_onnx_bytes(const std::string& bytes, const std::string& where, int h, int w,
                          uint64_t seed, OnnxImportInfo* info = nullptr,
                          const Tensor8* image = nullptr);

}  // namespace skipsim
