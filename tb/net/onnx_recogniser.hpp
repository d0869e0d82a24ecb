#pragma once
// The recogniser of the ONNX importer: walks the float graph from its input and names what it
// finds stem, residual blocks, chain layers, head or classifier (FloatStage). Internal to the
// importer (tb/net/onnx_import.cpp, tb/net/onnx_classifier.cpp).
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "hw/common/conv_geometry.hpp"
#include "hw/common/errors.hpp"
#include "tb/net/onnx_graph.hpp"
#include "tb/net/onnx_quant.hpp"

namespace skipsim::onnx_detail {

inline const char* const kTopology =
    "supported: stem (Conv + Relu [+ MaxPool]), residual blocks (Add of a conv chain and its "
    "input or a 1x1 projection, then Relu) or chain layers (Conv + Relu [+ MaxPool]), head "
    "(GlobalAveragePool, Flatten, Gemm) or classifier ([identity AveragePool,] Flatten, "
    "(Gemm, Relu)*, Gemm)";

class Recogniser {
 public:
  Recogniser(const OnnxGraph& g, const std::string& where, int h, int w)
      : g_(g), where_(where), h_(h), w_(w), c_(g.in_c) {
    for (size_t i = 0; i < g.ops.size(); ++i) {
      producer_[g.ops[i].output] = i;
      for (const auto& in : g.ops[i].inputs) consumers_[in].push_back(i);
    }
    for (size_t i = 0; i < g.ops.size(); ++i)
      for (const auto& in : g.ops[i].inputs)
        if (in != g.input && !producer_.count(in))
          fail(g.ops[i], "input '" + in +
                             "' is not produced by any node, not the graph input and not an "
                             "initializer");
    visited_.assign(g.ops.size(), false);
  }

  std::vector<FloatStage> run();

 private:
  [[noreturn]] void fail(const OnnxOp& o, const std::string& what) const {
    throw InputError(where_ + ": node '" + o.name + "' (" + o.op_type + "): " + what);
  }
  const OnnxOp& op(size_t i) const { return g_.ops[i]; }
  const std::vector<size_t>& consumers(const std::string& t) const {
    static const std::vector<size_t> none;
    auto it = consumers_.find(t);
    return it == consumers_.end() ? none : it->second;
  }
  // The single op reading t; `after` names the op that produced it, for the error.
  size_t only_consumer(const std::string& t, const OnnxOp& after, const char* expected) {
    const auto& cons = consumers(t);
    if (cons.size() != 1)
      fail(after, "its output feeds " + std::to_string(cons.size()) + " nodes; expected one " +
                      expected + "; " + kTopology);
    return cons[0];
  }
  void visit(size_t i) {
    if (visited_[i]) fail(op(i), std::string("reached twice; ") + kTopology);
    visited_[i] = true;
  }
  // Spatial size after a conv; an input that leaves nothing is an error.
  void apply_conv(const OnnxOp& o, int* h, int* w, int* c) const {
    if (o.conv.in_c != *c)
      fail(o, "weight expects " + std::to_string(o.conv.in_c) + " input channels, the tensor has " +
                  std::to_string(*c));
    const int pad = o.conv.pad < 0 ? o.conv.k / 2 : o.conv.pad;
    *h = conv_out_size(*h, o.conv.k, o.conv.stride, pad);
    *w = conv_out_size(*w, o.conv.k, o.conv.stride, pad);
    *c = o.conv.out_c;
    if (*h < 1 || *w < 1) fail(o, "the input is too small for this conv");
    if (int64_t{*h} * *w * *c > kMaxTensorElements)
      fail(o, "its output of " + std::to_string(*h) + "x" + std::to_string(*w) + "x" +
                  std::to_string(*c) + " exceeds " + std::to_string(kMaxTensorElements) +
                  " values");
  }

  void stem(std::string* x);
  // Conv + Relu [+ MaxPool] from the single consumer of *x: the stem or a chain layer.
  void conv_layer(std::string* x, NetBlockKind kind, const std::string& name);
  // Convs (each maybe followed by Relu) from op `i` up to an Add; returns the Add's index.
  size_t chain(size_t i, std::vector<std::pair<size_t, bool>>* convs);
  void block(std::string* x, int index);
  // An AveragePool that leaves the map as it is (a 1x1 window moved by 1, or a global pool of
  // a 1 x 1 map) followed by Flatten and a Gemm whose output feeds a Relu: a classifier of
  // several FC layers (AlexNet, VGG), not a ResNet head.
  bool classifier_follows(size_t pi) const;
  // [identity AveragePool,] Flatten, then Gemm layers with a Relu between them; the first
  // Gemm's columns go from PyTorch's C x H x W flatten order to the H x W x C of the map.
  void classifier(std::string x);
  // A chain network (no residual block): its first conv is a chain layer too, and the layers
  // take torchvision's names ("features.3", "classifier.6") from node names such as
  // /features/features.3/Conv, when every layer has one and they are distinct.
  void name_chain();
  void head(const std::string& x);
  // torchvision names ("layer2.1") from node names such as /layer2/layer2.1/conv1/Conv, when
  // every block has one and they are distinct; else block0, block1, ...
  void name_blocks();

  const OnnxGraph& g_;
  std::string where_;
  int h_, w_, c_;
  std::map<std::string, size_t> producer_;
  std::map<std::string, std::vector<size_t>> consumers_;
  std::vector<bool> visited_;
  std::vector<FloatStage> stages_;
  std::vector<std::pair<size_t, std::string>> node_names_;   // stage, node name
  std::vector<std::pair<size_t, std::string>> chain_names_;  // conv or Gemm node per stage
};

}  // namespace skipsim::onnx_detail
