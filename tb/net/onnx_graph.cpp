#include "tb/net/onnx_graph.hpp"

#include <onnx/onnx_pb.h>

#include <cmath>
#include <cstring>
#include <map>
#include <set>

#include "hw/common/errors.hpp"

namespace skipsim {

void fold_batchnorm(FloatConv* conv, const FloatBatchNorm& bn) {
  const size_t per_o = static_cast<size_t>(conv->in_c) * conv->k * conv->k;
  for (int o = 0; o < conv->out_c; ++o) {
    const double g = double{bn.scale[o]} / std::sqrt(double{bn.var[o]} + bn.epsilon);
    for (size_t i = 0; i < per_o; ++i) {
      float& w = conv->weight[o * per_o + i];
      w = static_cast<float>(w * g);
    }
    conv->bias[o] =
        static_cast<float>((double{conv->bias[o]} - bn.mean[o]) * g + double{bn.bias[o]});
  }
}

namespace {

struct Tensor {
  std::vector<int64_t> dims;
  std::vector<float> data;
};

class Parser {
 public:
  Parser(const onnx::GraphProto& g, const std::string& where) : g_(g), where_(where) {}

  OnnxGraph run() {
    for (const auto& t : g_.initializer()) consts_[t.name()] = &t;
    for (const auto& n : g_.node())
      if (n.op_type() == "Constant")
        for (const auto& a : n.attribute())
          if (a.name() == "value" && a.has_t() && n.output_size() == 1)
            consts_[n.output(0)] = &a.t();
    for (const auto& in : g_.input()) {
      if (consts_.count(in.name())) continue;
      if (!out_.input.empty())
        throw InputError(where_ + ": the graph has more than one input ('" + out_.input + "', '" +
                         in.name() + "'); supported: one image input N x C x H x W");
      out_.input = in.name();
      const auto& shape = in.type().tensor_type().shape();
      if (shape.dim_size() != 4)
        throw InputError(where_ + ": input '" + in.name() + "' has " +
                         std::to_string(shape.dim_size()) +
                         " dimensions; supported: N x C x H x W");
      const int64_t c = shape.dim(1).dim_value();
      if (c < 0 || c > 65536)
        throw InputError(where_ + ": input '" + in.name() + "' has " + std::to_string(c) +
                         " channels; supported: 1 to 65536");
      out_.in_c = static_cast<int>(c);
    }
    if (out_.input.empty())
      throw InputError(where_ + ": the graph has no input (every input is an initializer)");
    for (const auto& n : g_.node()) node(n);
    for (const auto& o : g_.output()) out_.outputs.push_back(resolve(o.name()));
    return std::move(out_);
  }

 private:
  [[noreturn]] void fail(const onnx::NodeProto& n, const std::string& what) const {
    throw InputError(where_ + ": node '" + n.name() + "' (" + n.op_type() + "): " + what);
  }

  std::string resolve(const std::string& name) const {
    auto it = alias_.find(name);
    return it == alias_.end() ? name : it->second;
  }

  const onnx::AttributeProto* attr(const onnx::NodeProto& n, const char* name) const {
    for (const auto& a : n.attribute())
      if (a.name() == name) return &a;
    return nullptr;
  }
  int64_t attr_int(const onnx::NodeProto& n, const char* name, int64_t def) const {
    const auto* a = attr(n, name);
    return a ? a->i() : def;
  }
  float attr_float(const onnx::NodeProto& n, const char* name, float def) const {
    const auto* a = attr(n, name);
    return a ? a->f() : def;
  }
  std::vector<int64_t> attr_ints(const onnx::NodeProto& n, const char* name) const {
    const auto* a = attr(n, name);
    return a ? std::vector<int64_t>(a->ints().begin(), a->ints().end()) : std::vector<int64_t>{};
  }
  // Every value in `v` equals `want` (an absent attribute passes).
  static bool all_equal(const std::vector<int64_t>& v, int64_t want) {
    for (int64_t x : v)
      if (x != want) return false;
    return true;
  }
  void check_no_auto_pad(const onnx::NodeProto& n) const {
    const auto* a = attr(n, "auto_pad");
    if (a && a->s() != "NOTSET" && !a->s().empty())
      fail(n, "auto_pad " + a->s() + " is not supported (only explicit pads)");
  }

  // The float initializer (or Constant) named by input i of n.
  Tensor weight(const onnx::NodeProto& n, int i, const char* what) const {
    if (i >= n.input_size() || n.input(i).empty()) fail(n, std::string("missing ") + what);
    auto it = consts_.find(n.input(i));
    if (it == consts_.end())
      fail(n, std::string(what) + " '" + n.input(i) +
                  "' is not an initializer (supported: constant float32 weights)");
    const onnx::TensorProto& t = *it->second;
    const std::string where = std::string(what) + " '" + n.input(i) + "'";
    if (t.data_type() != onnx::TensorProto_DataType_FLOAT)
      fail(n, where + " has data type " + std::to_string(t.data_type()) + " (supported: float32)");
    if (t.data_location() == onnx::TensorProto_DataLocation_EXTERNAL)
      fail(n, where + " is stored outside the file (supported: data inside the .onnx file)");
    Tensor out;
    int64_t count = 1;
    for (int64_t d : t.dims()) {
      if (d < 0 || d > kMaxTensorElements || count * d > kMaxTensorElements)
        fail(n, where + " has a dimension " + std::to_string(d) + " out of range (at most " +
                    std::to_string(kMaxTensorElements) + " elements)");
      count *= d;
      out.dims.push_back(d);
    }
    const auto ucount = static_cast<size_t>(count);
    if (t.has_raw_data()) {
      if (t.raw_data().size() != ucount * sizeof(float))
        fail(n, where + " has " + std::to_string(t.raw_data().size()) + " bytes of data for " +
                    std::to_string(count) + " elements");
      out.data.resize(ucount);
      if (ucount) std::memcpy(out.data.data(), t.raw_data().data(), ucount * sizeof(float));
    } else {
      if (static_cast<size_t>(t.float_data_size()) != ucount)
        fail(n, where + " has " + std::to_string(t.float_data_size()) + " values for " +
                    std::to_string(count) + " elements");
      out.data.assign(t.float_data().begin(), t.float_data().end());
    }
    for (float v : out.data)
      if (!std::isfinite(v)) fail(n, where + " holds a value that is not finite");
    return out;
  }
  std::vector<float> vec(const onnx::NodeProto& n, int i, const char* what, int64_t len) const {
    Tensor t = weight(n, i, what);
    if (static_cast<int64_t>(t.data.size()) != len || t.dims.size() != 1)
      fail(n, std::string(what) + " '" + n.input(i) + "' must be a vector of " +
                  std::to_string(len) + " values");
    return std::move(t.data);
  }

  OnnxOp& add_op(const onnx::NodeProto& n, OnnxOpKind kind, int activations) {
    if (n.input_size() < activations || n.output_size() < 1 || n.output(0).empty())
      fail(n, "expected " + std::to_string(activations) + " input(s) and an output");
    OnnxOp op;
    op.kind = kind;
    op.name = n.name();
    op.op_type = n.op_type();
    for (int i = 0; i < activations; ++i) {
      if (consts_.count(n.input(i)))
        fail(n, "input '" + n.input(i) + "' is a constant; supported: activations only");
      op.inputs.push_back(resolve(n.input(i)));
    }
    op.output = n.output(0);
    index_[op.output] = out_.ops.size();
    out_.ops.push_back(std::move(op));
    return out_.ops.back();
  }

  // The op producing `name` if it is of `kind`, else null.
  OnnxOp* producer(const std::string& name, OnnxOpKind kind) {
    auto it = index_.find(name);
    if (it == index_.end() || out_.ops[it->second].kind != kind) return nullptr;
    return &out_.ops[it->second];
  }

  void node(const onnx::NodeProto& n) {
    const std::string& t = n.op_type();
    if (!n.domain().empty() && n.domain() != "ai.onnx")
      fail(n, "domain '" + n.domain() + "' is not supported (only the default ONNX domain)");
    if (t == "Constant") return;  // taken as an initializer
    if (t == "Identity" || t == "Dropout") {
      if (n.input_size() < 1 || n.output_size() < 1) fail(n, "expected an input and an output");
      auto c = consts_.find(n.input(0));
      if (c != consts_.end())
        consts_[n.output(0)] = c->second;  // torch.onnx.export aliases shared weights so
      else
        alias_[n.output(0)] = resolve(n.input(0));
      return;
    }
    if (t == "Conv") return conv(n);
    if (t == "BatchNormalization") return batchnorm(n);
    if (t == "Relu") return (void)add_op(n, OnnxOpKind::kRelu, 1);
    if (t == "Add") return add(n);
    if (t == "MaxPool") return maxpool(n);
    if (t == "GlobalAveragePool") return (void)add_op(n, OnnxOpKind::kAvgPool, 1);
    if (t == "AveragePool") return avgpool(n);
    if (t == "Flatten") {
      if (attr_int(n, "axis", 1) != 1) fail(n, "axis must be 1 (flattening C x H x W)");
      return (void)add_op(n, OnnxOpKind::kFlatten, 1);
    }
    if (t == "Reshape") return (void)add_op(n, OnnxOpKind::kFlatten, 1);
    if (t == "Gemm" || t == "MatMul") return fc(n);
    fail(n,
         "op not supported (supported: Conv, Relu, Add, MaxPool, AveragePool, "
         "GlobalAveragePool, Flatten, Reshape, Gemm, MatMul, Identity, BatchNormalization)");
  }

  void conv(const onnx::NodeProto& n) {
    check_no_auto_pad(n);
    if (attr_int(n, "group", 1) != 1)
      fail(n,
           "group " + std::to_string(attr_int(n, "group", 1)) + " is not supported (only group 1)");
    if (!all_equal(attr_ints(n, "dilations"), 1)) fail(n, "dilations must be 1");
    Tensor w = weight(n, 1, "weight");
    if (w.dims.size() != 4 || w.dims[2] != w.dims[3] || w.dims[0] < 1 || w.dims[1] < 1 ||
        w.dims[2] < 1 || w.dims[2] > 15)
      fail(n, "weight must be O x I x k x k with 1 <= k <= 15 (square kernels)");
    const int k = static_cast<int>(w.dims[2]);
    const auto ks = attr_ints(n, "kernel_shape");
    if (!ks.empty() && (ks.size() != 2 || ks[0] != k || ks[1] != k))
      fail(n, "kernel_shape does not match the weight's k x k");
    const auto strides = attr_ints(n, "strides");
    int64_t s = strides.empty() ? 1 : strides[0];
    if (strides.size() > 2 || !all_equal(strides, s) || s < 1 || s > 16)
      fail(n, "strides must be equal along H and W and in [1, 16]");
    const auto pads = attr_ints(n, "pads");
    const int64_t p = pads.empty() ? 0 : pads[0];
    if ((!pads.empty() && pads.size() != 4) || !all_equal(pads, p) || p < 0 || 2 * p >= k + 1)
      fail(n,
           "pads must be equal on every side and at most (k-1)/2 = " + std::to_string((k - 1) / 2));
    OnnxOp& op = add_op(n, OnnxOpKind::kConv, 1);
    FloatConv& c = op.conv;
    c.out_c = static_cast<int>(w.dims[0]);
    c.in_c = static_cast<int>(w.dims[1]);
    c.k = k;
    c.stride = static_cast<int>(s);
    c.pad = p == k / 2 ? -1 : static_cast<int>(p);
    c.weight = std::move(w.data);
    c.bias = n.input_size() > 2 && !n.input(2).empty() ? vec(n, 2, "bias", c.out_c)
                                                       : std::vector<float>(c.out_c, 0.0f);
  }

  void batchnorm(const onnx::NodeProto& n) {
    if (n.input_size() != 5 || n.output_size() < 1)
      fail(n, "expected inputs X, scale, B, mean, var and one output");
    OnnxOp* c = producer(resolve(n.input(0)), OnnxOpKind::kConv);
    if (!c) fail(n, "supported only right after a Conv (folded into it)");
    FloatBatchNorm bn;
    bn.epsilon = attr_float(n, "epsilon", 1e-5f);
    if (!(bn.epsilon >= 0.0f) || !std::isfinite(bn.epsilon)) fail(n, "epsilon must be >= 0");
    const int ch = c->conv.out_c;
    bn.scale = vec(n, 1, "scale", ch);
    bn.bias = vec(n, 2, "B", ch);
    bn.mean = vec(n, 3, "mean", ch);
    bn.var = vec(n, 4, "var", ch);
    for (float v : bn.var)
      if (!(v + bn.epsilon > 0.0f)) fail(n, "var + epsilon must be > 0");
    fold_batchnorm(&c->conv, bn);
    for (float v : c->conv.weight)
      if (!std::isfinite(v)) fail(n, "folding into the conv gives weights that are not finite");
    for (float v : c->conv.bias)
      if (!std::isfinite(v)) fail(n, "folding into the conv gives a bias that is not finite");
    // The conv now produces the BN's output; its own output name disappears.
    index_.erase(c->output);
    c->output = n.output(0);
    index_[c->output] = static_cast<size_t>(c - out_.ops.data());
  }

  void add(const onnx::NodeProto& n) {
    if (n.input_size() != 2) fail(n, "expected two inputs");
    for (int i = 0; i < 2; ++i) {
      if (!consts_.count(n.input(i))) continue;
      // MatMul's bias.
      OnnxOp* fc = producer(resolve(n.input(1 - i)), OnnxOpKind::kFc);
      if (!fc || fc->op_type != "MatMul" || n.output_size() < 1)
        fail(n, "a constant input is supported only as the bias after a MatMul");
      fc->fc.bias = vec(n, i, "bias", fc->fc.out_f);
      index_.erase(fc->output);
      fc->output = n.output(0);
      index_[fc->output] = static_cast<size_t>(fc - out_.ops.data());
      return;
    }
    add_op(n, OnnxOpKind::kAdd, 2);
  }

  void maxpool(const onnx::NodeProto& n) {
    check_no_auto_pad(n);
    if (attr_int(n, "ceil_mode", 0) != 0) fail(n, "ceil_mode must be 0");
    if (!all_equal(attr_ints(n, "dilations"), 1)) fail(n, "dilations must be 1");
    const auto ks = attr_ints(n, "kernel_shape");
    if (ks.size() != 2 || ks[0] != ks[1] || ks[0] < 1 || ks[0] > 15)
      fail(n, "kernel_shape must be k x k with 1 <= k <= 15");
    const auto strides = attr_ints(n, "strides");
    const int64_t s = strides.empty() ? 1 : strides[0];
    if (strides.size() > 2 || !all_equal(strides, s) || s < 1 || s > 16)
      fail(n, "strides must be equal along H and W and in [1, 16]");
    const auto pads = attr_ints(n, "pads");
    const int64_t p = pads.empty() ? 0 : pads[0];
    if ((!pads.empty() && pads.size() != 4) || !all_equal(pads, p) || p < 0 ||
        2 * p >= ks[0] + (ks[0] % 2 == 0))
      fail(n, "pads must be equal on every side and smaller than half the window");
    OnnxOp& op = add_op(n, OnnxOpKind::kMaxPool, 1);
    op.maxpool.k = static_cast<int>(ks[0]);
    op.maxpool.stride = static_cast<int>(s);
    op.maxpool.pad = static_cast<int>(p);
  }

  void avgpool(const onnx::NodeProto& n) {
    check_no_auto_pad(n);
    if (attr_int(n, "ceil_mode", 0) != 0) fail(n, "ceil_mode must be 0");
    const auto ks = attr_ints(n, "kernel_shape");
    if (ks.size() != 2 || ks[0] < 1 || ks[1] < 1 || ks[0] > 65536 || ks[1] > 65536)
      fail(n, "kernel_shape must be kh x kw");
    if (!all_equal(attr_ints(n, "pads"), 0)) fail(n, "pads must be 0");
    OnnxOp& op = add_op(n, OnnxOpKind::kAvgPool, 1);
    op.avg_kh = static_cast<int>(ks[0]);
    op.avg_kw = static_cast<int>(ks[1]);
    const auto strides = attr_ints(n, "strides");
    op.avg_stride = strides.empty() ? 1 : static_cast<int>(strides[0]);
    if (!all_equal(strides, strides.empty() ? 1 : strides[0])) op.avg_stride = 0;
  }

  void fc(const onnx::NodeProto& n) {
    const bool gemm = n.op_type() == "Gemm";
    if (gemm && attr_int(n, "transA", 0) != 0) fail(n, "transA must be 0");
    const bool trans_b = gemm && attr_int(n, "transB", 0) != 0;
    const float alpha = gemm ? attr_float(n, "alpha", 1.0f) : 1.0f;
    const float beta = gemm ? attr_float(n, "beta", 1.0f) : 1.0f;
    if (!std::isfinite(alpha) || !std::isfinite(beta)) fail(n, "alpha and beta must be finite");
    Tensor b = weight(n, 1, "weight");
    if (b.dims.size() != 2 || b.dims[0] < 1 || b.dims[1] < 1)
      fail(n, "weight must be a 2-D matrix");
    OnnxOp& op = add_op(n, OnnxOpKind::kFc, 1);
    FloatFc& f = op.fc;
    f.out_f = static_cast<int>(trans_b ? b.dims[0] : b.dims[1]);
    f.in_f = static_cast<int>(trans_b ? b.dims[1] : b.dims[0]);
    f.weight.resize(b.data.size());
    for (int o = 0; o < f.out_f; ++o)
      for (int i = 0; i < f.in_f; ++i)
        f.weight[static_cast<size_t>(o) * f.in_f + i] =
            alpha * b.data[trans_b ? static_cast<size_t>(o) * f.in_f + i
                                   : static_cast<size_t>(i) * f.out_f + o];
    f.bias.assign(f.out_f, 0.0f);
    if (gemm && n.input_size() > 2 && !n.input(2).empty()) {
      Tensor c = weight(n, 2, "bias");
      // C broadcasts to 1 x out_f: a vector of out_f (or 1 x out_f), or a scalar.
      if (c.data.size() != static_cast<size_t>(f.out_f) && c.data.size() != 1)
        fail(n, "bias must have " + std::to_string(f.out_f) + " values");
      for (int o = 0; o < f.out_f; ++o) f.bias[o] = beta * c.data[c.data.size() == 1 ? 0 : o];
    }
    for (float v : f.weight)
      if (!std::isfinite(v)) fail(n, "alpha times the weight is not finite");
    for (float v : f.bias)
      if (!std::isfinite(v)) fail(n, "beta times the bias is not finite");
  }

  const onnx::GraphProto& g_;
  std::string where_;
  std::map<std::string, const onnx::TensorProto*> consts_;
  std::map<std::string, std::string> alias_;
  std::map<std::string, size_t> index_;  // output name -> op
  OnnxGraph out_;
};

}  // namespace

OnnxGraph parse_onnx_graph(const std::string& bytes, const std::string& where) {
  onnx::ModelProto model;
  if (!model.ParseFromString(bytes))
    throw InputError(where + ": not an ONNX model (the protobuf does not parse)");
  if (!model.has_graph()) throw InputError(where + ": the ONNX model has no graph");
  return Parser(model.graph(), where).run();
}

}  // namespace skipsim
