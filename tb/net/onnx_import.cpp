#include "tb/net/onnx_import.hpp"

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>

#include "hw/common/errors.hpp"
#include "tb/net/onnx_quant.hpp"
#include "tb/ref/block_params.hpp"

namespace skipsim {
namespace {

const char* const kTopology =
    "supported: stem (Conv + Relu [+ MaxPool]), residual blocks (Add of a conv chain and its "
    "input or a 1x1 projection, then Relu) or chain layers (Conv + Relu [+ MaxPool]), head "
    "(GlobalAveragePool, Flatten, Gemm) or classifier ([identity AveragePool,] Flatten, "
    "(Gemm, Relu)*, Gemm)";

// Recognises stem / blocks / head by walking the graph from its input.
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

  std::vector<FloatStage> run() {
    std::string x = g_.input;
    stem(&x);
    int index = 0;
    for (;;) {
      const auto& cons = consumers(x);
      if (cons.empty())
        throw InputError(where_ + ": tensor '" + x + "' ends the graph before the head; " +
                         kTopology);
      const OnnxOpKind k = op(cons[0]).kind;
      if (cons.size() == 1 && (k == OnnxOpKind::kFlatten ||
                               (k == OnnxOpKind::kAvgPool && classifier_follows(cons[0])))) {
        classifier(x);
        break;
      }
      if (cons.size() == 1 && k == OnnxOpKind::kAvgPool) {
        head(x);
        break;
      }
      if (cons.size() == 1 && k == OnnxOpKind::kConv) {
        conv_layer(&x, NetBlockKind::kConv, "conv" + std::to_string(index++));
        continue;
      }
      block(&x, index++);
    }
    for (size_t i = 0; i < g_.ops.size(); ++i)
      if (!visited_[i])
        fail(g_.ops[i], std::string("not part of the network's chain; ") + kTopology);
    name_blocks();
    name_chain();
    return std::move(stages_);
  }

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

  void stem(std::string* x) {
    const auto& cons = consumers(*x);
    if (cons.size() != 1 || op(cons[0]).kind != OnnxOpKind::kConv)
      throw InputError(where_ + ": the input '" + *x + "' must feed exactly one Conv (the stem); " +
                       kTopology);
    if (c_ == 0) c_ = op(cons[0]).conv.in_c;
    if (int64_t{h_} * w_ * c_ > kMaxTensorElements)
      throw InputError(where_ + ": an input of " + std::to_string(h_) + "x" + std::to_string(w_) +
                       "x" + std::to_string(c_) + " exceeds " + std::to_string(kMaxTensorElements) +
                       " values");
    conv_layer(x, NetBlockKind::kStem, "stem");
  }

  // Conv + Relu [+ MaxPool] from the single consumer of *x: the stem or a chain layer.
  void conv_layer(std::string* x, NetBlockKind kind, const std::string& name) {
    const auto& cons = consumers(*x);
    FloatStage s;
    s.name = name;
    s.kind = kind;
    s.in_h = h_, s.in_w = w_, s.in_c = c_;
    const OnnxOp& conv = op(cons[0]);
    visit(cons[0]);
    apply_conv(conv, &h_, &w_, &c_);
    s.conv1 = conv.conv;
    chain_names_.push_back({stages_.size(), conv.name});
    const size_t r = only_consumer(conv.output, conv, "Relu");
    if (op(r).kind != OnnxOpKind::kRelu)
      fail(op(r), std::string("expected a Relu after the conv; ") + kTopology);
    visit(r);
    *x = op(r).output;
    const auto& next = consumers(*x);
    if (next.size() == 1 && op(next[0]).kind == OnnxOpKind::kMaxPool) {
      const OnnxOp& p = op(next[0]);
      visit(next[0]);
      s.has_pool = true;
      s.pool = p.maxpool;
      h_ = s.pool.out_size(h_);
      w_ = s.pool.out_size(w_);
      if (h_ < 1 || w_ < 1) fail(p, "the input is too small for this pool");
      *x = p.output;
    }
    stages_.push_back(std::move(s));
  }

  // Convs (each maybe followed by Relu) from op `i` up to an Add; returns the Add's index.
  size_t chain(size_t i, std::vector<std::pair<size_t, bool>>* convs) {
    for (size_t steps = 0; steps <= g_.ops.size(); ++steps) {
      const OnnxOp& o = op(i);
      if (o.kind == OnnxOpKind::kAdd) return i;
      if (o.kind == OnnxOpKind::kRelu && !convs->empty() && !convs->back().second) {
        convs->back().second = true;
      } else if (o.kind == OnnxOpKind::kConv) {
        convs->push_back({i, false});
      } else {
        fail(o, std::string("unexpected inside a residual block; ") + kTopology);
      }
      visit(i);
      i = only_consumer(o.output, o, "Conv, Relu or Add");
    }
    fail(op(i), "the graph has a cycle");
  }

  void block(std::string* x, int index) {
    const auto& cons = consumers(*x);
    const OnnxOp& first = op(cons[0]);
    if (cons.size() != 2)
      fail(first, "its input '" + *x + "' feeds " + std::to_string(cons.size()) +
                      " nodes; a residual block's input feeds two (main path and skip); " +
                      kTopology);
    std::vector<std::pair<size_t, bool>> a, b;
    const size_t add_a = chain(cons[0], &a), add_b = chain(cons[1], &b);
    const OnnxOp& add = op(add_a);
    if (add_a != add_b)
      fail(add, std::string("the two paths from '") + *x + "' end in different Adds; " + kTopology);
    visit(add_a);
    // The longer path is the main one; the other is X itself or a 1x1 projection.
    if (a.size() < b.size()) std::swap(a, b);
    if (b.size() > 1 || (b.size() == 1 && b[0].second))
      fail(add, "the skip path must be the block input or one 1x1 conv without Relu");
    const size_t relu = only_consumer(add.output, add, "Relu");
    if (op(relu).kind != OnnxOpKind::kRelu)
      fail(op(relu), "expected a Relu after the residual Add (the hardware adds with ReLU)");
    visit(relu);

    FloatStage s;
    s.name = "block" + std::to_string(index);
    s.in_h = h_, s.in_w = w_, s.in_c = c_;
    std::vector<int> ks;
    ks.reserve(a.size());
    for (const auto& cv : a) ks.push_back(op(cv.first).conv.k);
    const bool basic = ks == std::vector<int>{3, 3};
    const bool bottleneck = ks == std::vector<int>{1, 3, 1};
    if (!basic && !bottleneck) {
      std::string kl;
      for (int k : ks) kl += (kl.empty() ? "" : ", ") + std::to_string(k) + "x" + std::to_string(k);
      fail(add, "residual main path of convs [" + kl +
                    "] is neither basic (3x3, 3x3) nor bottleneck (1x1, 3x3, 1x1)");
    }
    BlockShape shape;
    shape.h = h_, shape.w = w_, shape.c = c_;
    const FloatConv& last = op(a.back().first).conv;
    shape.out_c = last.out_c;
    if (bottleneck) {
      shape.kind = BlockKind::kBottleneck;
      shape.width = op(a[0].first).conv.out_c;
      shape.stride = op(a[1].first).conv.stride;
    } else {
      shape.kind = b.empty() ? BlockKind::kBasic : BlockKind::kDownsample;
    }
    if (!bottleneck && !b.empty() && op(a[0].first).conv.stride != 2)
      fail(add, "a basic block with a projection must have stride 2 (got " +
                    std::to_string(op(a[0].first).conv.stride) + " on its first conv)");
    if (bottleneck && shape.stride != 1 && shape.stride != 2)
      fail(op(a[1].first), "a bottleneck's 3x3 conv must have stride 1 or 2");
    if (shape.projection() != !b.empty())
      fail(add, b.empty() ? "the block changes the shape but adds its input unchanged "
                            "(a 1x1 projection is needed)"
                          : (bottleneck ? "a bottleneck keeping the shape must add its input "
                                          "unchanged (no projection)"
                                        : "a basic block with a projection must have stride 2"));
    // Every conv must have the geometry the IR block of this shape has.
    const BlockLayout l = block_layout(shape);
    std::vector<const ConvParams*> want = {&l.conv1, &l.conv2};
    if (l.conv3) want.push_back(&*l.conv3);
    int h = h_, w = w_, c = c_;
    for (const auto& cv : a)
      if (op(cv.first).conv.pad >= 0)
        fail(op(cv.first), "a residual block's convs must pad k/2 on every side (same padding)");
    for (const auto& cv : b)
      if (op(cv.first).conv.pad >= 0) fail(op(cv.first), "the projection must not pad");
    for (size_t i = 0; i < a.size(); ++i) {
      const OnnxOp& o = op(a[i].first);
      const ConvParams& p = *want[i];
      apply_conv(o, &h, &w, &c);
      if (o.conv.in_c != p.in_c || o.conv.out_c != p.out_c || o.conv.stride != p.stride ||
          a[i].second != p.relu)
        fail(o, "conv " + std::to_string(i + 1) + " of a " + std::string(enum_name(shape.kind)) +
                    " block must be " + std::to_string(p.in_c) + " -> " + std::to_string(p.out_c) +
                    " channels, stride " + std::to_string(p.stride) +
                    (p.relu ? ", with Relu" : ", without Relu") +
                    " (basic: stride 2 only with a projection; bottleneck: stride on the 3x3)");
    }
    if (!b.empty()) {
      const OnnxOp& o = op(b[0].first);
      if (o.conv.k != 1 || o.conv.in_c != l.skip->in_c || o.conv.out_c != l.skip->out_c ||
          o.conv.stride != l.skip->stride)
        fail(o, "the projection must be a 1x1 conv " + std::to_string(l.skip->in_c) + " -> " +
                    std::to_string(l.skip->out_c) + " with stride " +
                    std::to_string(l.skip->stride));
      s.skip = o.conv;
    }
    s.kind = bottleneck ? NetBlockKind::kBottleneck : NetBlockKind::kBasic;
    s.block_kind = shape.kind;
    s.conv1 = op(a[0].first).conv;
    s.conv2 = op(a[1].first).conv;
    if (bottleneck) s.conv3 = op(a[2].first).conv;
    for (const auto& cv : a) node_names_.push_back({stages_.size(), op(cv.first).name});
    node_names_.push_back({stages_.size(), add.name});
    h_ = h, w_ = w, c_ = c;
    stages_.push_back(std::move(s));
    *x = op(relu).output;
  }

  // An AveragePool that leaves the map as it is (a 1x1 window moved by 1, or a global pool of
  // a 1 x 1 map) followed by Flatten and a Gemm whose output feeds a Relu: a classifier of
  // several FC layers (AlexNet, VGG), not a ResNet head.
  bool classifier_follows(size_t pi) const {
    const OnnxOp& pool = op(pi);
    if (pool.avg_kh == 1 && pool.avg_kw == 1 && pool.avg_stride == 1 && (h_ > 1 || w_ > 1))
      return true;
    const auto& f = consumers(pool.output);
    if (f.size() != 1 || op(f[0]).kind != OnnxOpKind::kFlatten) return false;
    const auto& g = consumers(op(f[0]).output);
    if (g.size() != 1 || op(g[0]).kind != OnnxOpKind::kFc) return false;
    const auto& r = consumers(op(g[0]).output);
    return r.size() == 1 && op(r[0]).kind == OnnxOpKind::kRelu;
  }

  // [identity AveragePool,] Flatten, then Gemm layers with a Relu between them; the first
  // Gemm's columns go from PyTorch's C x H x W flatten order to the H x W x C of the map.
  void classifier(std::string x) {
    size_t i = consumers(x)[0];
    if (op(i).kind == OnnxOpKind::kAvgPool) {
      const OnnxOp& pool = op(i);
      const bool identity = (pool.avg_kh == 1 && pool.avg_kw == 1 && pool.avg_stride == 1) ||
                            (h_ == 1 && w_ == 1 && (pool.avg_kh <= 1 && pool.avg_kw <= 1));
      if (!identity)
        fail(pool, "the pool before the classifier must leave the " + std::to_string(h_) + "x" +
                       std::to_string(w_) +
                       " map as it is (torchvision's AdaptiveAvgPool2d is exported so only when "
                       "the features already have its output size, e.g. 6x6 for AlexNet and "
                       "7x7 for VGG at 224x224)");
      visit(i);
      i = only_consumer(pool.output, pool, "Flatten or Reshape");
    }
    if (op(i).kind != OnnxOpKind::kFlatten)
      fail(op(i), std::string("expected Flatten or Reshape before the classifier; ") + kTopology);
    visit(i);
    x = op(i).output;
    int in_f = h_ * w_ * c_;
    for (bool first = true;; first = false) {
      const size_t gi = only_consumer(x, op(producer_.at(x)), "Gemm or MatMul");
      const OnnxOp& fc = op(gi);
      if (fc.kind != OnnxOpKind::kFc)
        fail(fc, std::string("expected Gemm or MatMul in the classifier; ") + kTopology);
      visit(gi);
      if (fc.fc.in_f != in_f)
        fail(fc, "weight expects " + std::to_string(fc.fc.in_f) + " inputs, the " +
                     (first ? "flattened " + std::to_string(h_) + "x" + std::to_string(w_) + "x" +
                                  std::to_string(c_) + " map has "
                            : std::string("previous layer gives ")) +
                     std::to_string(in_f) +
                     (first ? " (for torchvision's AlexNet and VGG: give --input 224x224)" : ""));
      FloatStage s;
      s.name = "fc" + std::to_string(stages_.size());
      s.kind = NetBlockKind::kFc;
      s.in_h = first ? h_ : 1, s.in_w = first ? w_ : 1, s.in_c = first ? c_ : in_f;
      s.fc = fc.fc;
      if (first && (h_ > 1 || w_ > 1)) {
        const size_t hw = static_cast<size_t>(h_) * w_;
        for (int o = 0; o < fc.fc.out_f; ++o) {
          const float* src = &fc.fc.weight[static_cast<size_t>(o) * in_f];
          float* dst = &s.fc.weight[static_cast<size_t>(o) * in_f];
          for (size_t p = 0; p < hw; ++p)
            for (int ch = 0; ch < c_; ++ch)
              dst[p * c_ + ch] = src[static_cast<size_t>(ch) * hw + p];
        }
      }
      chain_names_.push_back({stages_.size(), fc.name});
      const auto& next = consumers(fc.output);
      in_f = fc.fc.out_f;
      if (next.empty()) {
        bool is_output = false;
        for (const auto& o : g_.outputs) is_output |= o == fc.output;
        if (!is_output) fail(fc, "its output must be the graph's output (the logits)");
        s.logits = true;
        stages_.push_back(std::move(s));
        return;
      }
      if (next.size() != 1 || op(next[0]).kind != OnnxOpKind::kRelu)
        fail(fc,
             std::string("expected a Relu after a hidden Gemm of the classifier; ") + kTopology);
      visit(next[0]);
      x = op(next[0]).output;
      stages_.push_back(std::move(s));
    }
  }

  // A chain network (no residual block): its first conv is a chain layer too, and the layers
  // take torchvision's names ("features.3", "classifier.6") from node names such as
  // /features/features.3/Conv, when every layer has one and they are distinct.
  void name_chain() {
    bool chain = false;
    for (const FloatStage& st : stages_) {
      if (st.kind == NetBlockKind::kBasic || st.kind == NetBlockKind::kBottleneck) return;
      chain |= st.kind == NetBlockKind::kFc || st.kind == NetBlockKind::kConv;
    }
    if (!chain) return;
    if (stages_.front().kind == NetBlockKind::kStem) {
      stages_.front().kind = NetBlockKind::kConv;
      stages_.front().name = "conv0";
    }
    static const std::regex re(R"((features|classifier)\.[0-9]+)");
    std::map<size_t, std::string> found;
    std::map<std::string, int> seen;
    for (const auto& [stage, node] : chain_names_) {
      std::smatch m;
      if (!std::regex_search(node, m, re)) return;
      found[stage] = m.str();
      ++seen[m.str()];
    }
    for (const auto& [name, n] : seen)
      if (n > 1) return;
    for (const auto& [stage, name] : found) stages_[stage].name = name;
  }

  void head(const std::string& x) {
    const size_t pi = consumers(x)[0];
    const OnnxOp& pool = op(pi);
    visit(pi);
    if (pool.avg_kh != 0 && (pool.avg_kh != h_ || pool.avg_kw != w_))
      fail(pool, "the window " + std::to_string(pool.avg_kh) + "x" + std::to_string(pool.avg_kw) +
                     " must cover the whole " + std::to_string(h_) + "x" + std::to_string(w_) +
                     " map (global average pool)");
    const size_t fi = only_consumer(pool.output, pool, "Flatten or Reshape");
    if (op(fi).kind != OnnxOpKind::kFlatten)
      fail(op(fi), std::string("expected Flatten or Reshape after the pool; ") + kTopology);
    visit(fi);
    const size_t gi = only_consumer(op(fi).output, op(fi), "Gemm or MatMul");
    const OnnxOp& fc = op(gi);
    if (fc.kind != OnnxOpKind::kFc)
      fail(fc, std::string("expected Gemm or MatMul after the flatten; ") + kTopology);
    visit(gi);
    if (fc.fc.in_f != c_)
      fail(fc, "weight expects " + std::to_string(fc.fc.in_f) + " inputs, the pooled vector has " +
                   std::to_string(c_));
    if (!consumers(fc.output).empty())
      fail(op(consumers(fc.output)[0]), "nothing may follow the final Gemm/MatMul");
    bool is_output = false;
    for (const auto& o : g_.outputs) is_output |= o == fc.output;
    if (!is_output) fail(fc, "its output must be the graph's output (the logits)");
    FloatStage s;
    s.name = "head";
    s.kind = NetBlockKind::kHead;
    s.in_h = h_, s.in_w = w_, s.in_c = c_;
    s.fc = fc.fc;
    stages_.push_back(std::move(s));
  }

  // torchvision names ("layer2.1") from node names such as /layer2/layer2.1/conv1/Conv, when
  // every block has one and they are distinct; else block0, block1, ...
  void name_blocks() {
    static const std::regex re(R"(layer[0-9]+\.[0-9]+)");
    std::map<size_t, std::string> found;
    for (const auto& [stage, node] : node_names_) {
      std::smatch m;
      if (!found.count(stage) && std::regex_search(node, m, re)) found[stage] = m.str();
    }
    std::map<std::string, int> seen;
    for (const auto& [stage, name] : found) ++seen[name];
    size_t blocks = 0;
    for (const FloatStage& st : stages_)
      blocks += st.kind == NetBlockKind::kBasic || st.kind == NetBlockKind::kBottleneck;
    if (found.size() != blocks) return;
    for (const auto& [name, n] : seen)
      if (n > 1) return;
    for (const auto& [stage, name] : found) stages_[stage].name = name;
  }

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

}  // namespace

Network import_onnx_bytes(const std::string& bytes, const std::string& where, int h, int w,
                          uint64_t seed, OnnxImportInfo* info) {
  if (h < 1 || w < 1 || h > 8192 || w > 8192)
    throw InputError(where + ": input size " + std::to_string(h) + "x" + std::to_string(w) +
                     " out of range (1 to 8192 each)");
  const OnnxGraph g = parse_onnx_graph(bytes, where);
  const std::vector<FloatStage> stages = Recogniser(g, where, h, w).run();
  return quantize_network(stages, std::filesystem::path(where).stem().string(), seed, info);
}

Network import_onnx(const std::string& path, int h, int w, uint64_t seed, OnnxImportInfo* info) {
  std::error_code ec;
  const uintmax_t size = std::filesystem::file_size(path, ec);
  if (ec) throw InputError(path + ": cannot read the ONNX file (" + ec.message() + ")");
  if (size > kMaxOnnxFileBytes)
    throw InputError(path + ": the ONNX file has " + std::to_string(size) +
                     " bytes; at most 512 MiB are read");
  std::ifstream f(path, std::ios::binary);
  std::string bytes(static_cast<size_t>(size), '\0');
  if (!f || !f.read(bytes.data(), static_cast<std::streamsize>(size)))
    throw InputError(path + ": cannot read the ONNX file");
  return import_onnx_bytes(bytes, path, h, w, seed, info);
}

}  // namespace skipsim
