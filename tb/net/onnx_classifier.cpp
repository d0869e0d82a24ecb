// The recogniser's chain-network part: the classifier after the features (AlexNet, VGG) and
// the layers' names.
#include <map>
#include <regex>
#include <string>

#include "tb/net/onnx_recogniser.hpp"

namespace skipsim::onnx_detail {

bool Recogniser::classifier_follows(size_t pi) const {
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

void Recogniser::classifier(std::string x) {
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
          for (int ch = 0; ch < c_; ++ch) dst[p * c_ + ch] = src[static_cast<size_t>(ch) * hw + p];
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
      fail(fc, std::string("expected a Relu after a hidden Gemm of the classifier; ") + kTopology);
    visit(next[0]);
    x = op(next[0]).output;
    stages_.push_back(std::move(s));
  }
}

void Recogniser::name_chain() {
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

}  // namespace skipsim::onnx_detail
