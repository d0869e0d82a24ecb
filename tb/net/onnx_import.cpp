#include "tb/net/onnx_import.hpp"

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>

#include "hw/common/errors.hpp"
#include "tb/net/onnx_quant.hpp"
#include "tb/net/onnx_recogniser.hpp"
#include "tb/ref/block_params.hpp"

namespace skipsim {
namespace onnx_detail {

std::vector<FloatStage> Recogniser::run() {
  std::string x = g_.input;
  stem(&x);
  int index = 0;
  for (;;) {
    const auto& cons = consumers(x);
    if (cons.empty())
      throw InputError(where_ + ": tensor '" + x + "' ends the graph before the head; " +
                       kTopology);
    const OnnxOpKind k = op(cons[0]).kind;
    if (cons.size() == 1 &&
        (k == OnnxOpKind::kFlatten || (k == OnnxOpKind::kAvgPool && classifier_follows(cons[0])))) {
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
    if (!visited_[i]) fail(g_.ops[i], std::string("not part of the network's chain; ") + kTopology);
  name_blocks();
  name_chain();
  return std::move(stages_);
}

void Recogniser::stem(std::string* x) {
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

void Recogniser::conv_layer(std::string* x, NetBlockKind kind, const std::string& name) {
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

size_t Recogniser::chain(size_t i, std::vector<std::pair<size_t, bool>>* convs) {
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

void Recogniser::block(std::string* x, int index) {
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
                  std::to_string(l.skip->out_c) + " with stride " + std::to_string(l.skip->stride));
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

void Recogniser::head(const std::string& x) {
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

void Recogniser::name_blocks() {
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

}  // namespace onnx_detail

using onnx_detail::Recogniser;

Network import_onnx_bytes(const std::string& bytes, const std::string& where, int h, int w,
                          uint64_t seed, OnnxImportInfo* info, const Tensor8* image) {
  if (h < 1 || w < 1 || h > 8192 || w > 8192)
    throw InputError(where + ": input size " + std::to_string(h) + "x" + std::to_string(w) +
                     " out of range (1 to 8192 each)");
  const OnnxGraph g = parse_onnx_graph(bytes, where);
  const std::vector<FloatStage> stages = Recogniser(g, where, h, w).run();
  return quantize_network(stages, std::filesystem::path(where).stem().string(), seed, info, image);
}

Network import_onnx(const std::string& path, int h, int w, uint64_t seed, OnnxImportInfo* info,
                    const Tensor8* image) {
  std::error_code ec;
  const uintmax_t size = std::filesystem::file_size(path, ec);
  if (ec) throw InputError(path + ": cannot read the ONNX file (" + ec.message() + ")");
  if (size > kMaxOnnxFileBytes)
    throw InputError(path + ": the ONNX file has " + std::to_string(size) +
                     " bytes; at most 1 GiB is read");
  std::ifstream f(path, std::ios::binary);
  std::string bytes(static_cast<size_t>(size), '\0');
  if (!f || !f.read(bytes.data(), static_cast<std::streamsize>(size)))
    throw InputError(path + ": cannot read the ONNX file");
  return import_onnx_bytes(bytes, path, h, w, seed, info, image);
}

}  // namespace skipsim
