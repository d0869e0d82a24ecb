#pragma once
// The float graph an ONNX file holds, reduced to the ops the importer understands: Identity
// nodes resolved, BatchNormalization folded into its conv, MatMul + bias Add merged, every
// attribute checked. Internal to the importer (tb/net/onnx_import.hpp); tests use it to check
// BN folding.
#include <cstdint>
#include <string>
#include <vector>

#include "tb/ref/golden.hpp"

namespace skipsim {

// A float conv, weights O x I x k x k, with its bias (zeros when the node has none).
struct FloatConv {
  int out_c = 0, in_c = 0, k = 1, stride = 1;
  int pad = -1;  // zeros on each side; -1: k/2 (same padding)
  std::vector<float> weight;
  std::vector<float> bias;
};

struct FloatBatchNorm {
  std::vector<float> scale, bias, mean, var;  // one per channel
  float epsilon = 1e-5f;
};

// conv then BN as one conv: w'[o] = w[o] * g[o], b'[o] = (b[o] - mean[o]) * g[o] + beta[o]
// with g = scale / sqrt(var + epsilon), all in double rounded once to float.
void fold_batchnorm(FloatConv* conv, const FloatBatchNorm& bn);

// Fully connected, weights out_f x in_f (Gemm's B transposed if transB = 0, MatMul's B^T).
struct FloatFc {
  int out_f = 0, in_f = 0;
  std::vector<float> weight;
  std::vector<float> bias;
};

enum class OnnxOpKind { kConv, kRelu, kAdd, kMaxPool, kAvgPool, kFlatten, kFc };

struct OnnxOp {
  OnnxOpKind kind = OnnxOpKind::kRelu;
  std::string name, op_type;        // the node's, for errors
  std::vector<std::string> inputs;  // activation inputs only (weights are folded in)
  std::string output;
  FloatConv conv;              // kConv
  MaxPoolParams maxpool;       // kMaxPool
  int avg_kh = 0, avg_kw = 0;  // kAvgPool: the window, 0 x 0 for GlobalAveragePool
  int avg_stride = 1;          // kAvgPool: equal along H and W, else 0
  FloatFc fc;                  // kFc
};

struct OnnxGraph {
  std::string input;  // the image's tensor name
  int in_c = 0;       // its channels (0: not given in the file)
  std::vector<OnnxOp> ops;
  std::vector<std::string> outputs;
};

// Largest file read (bytes) and largest initializer or activation tensor (elements).
inline constexpr uint64_t kMaxOnnxFileBytes = uint64_t{1} << 30;  // VGG-16: 528 MiB
inline constexpr int64_t kMaxTensorElements = int64_t{1} << 27;

// Parses the ModelProto in `bytes` (the file's contents; `where` names it in errors). Throws
// InputError with one line naming the node, its op and what is supported.
OnnxGraph parse_onnx_graph(const std::string& bytes, const std::string& where);

}  // namespace skipsim
