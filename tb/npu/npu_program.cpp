#include "tb/npu/npu_program.hpp"

#include <fmt/format.h>

#include "hw/common/errors.hpp"
#include "hw/stream/stream.hpp"
#include "tb/top/codec_factory.hpp"

namespace skipsim {

uint64_t conv_weight_bytes(const ConvParams& p) {
  return static_cast<uint64_t>(p.out_c) * p.in_c * p.k * p.k + 12ull * p.out_c;
}

uint64_t fc_weight_bytes(const FcParams& p) {
  return static_cast<uint64_t>(p.out_f) * p.in_f + 4ull * p.out_f;
}

namespace {

class Builder {
 public:
  Builder(NpuProgram& p, bool fuse_add) : m_p(p), m_fuse(fuse_add) {}

  int tensor(const std::string& name, const Tensor8& v) {
    const int t = m_b.tensor(name, v.data.size());
    m_p.shapes.push_back({v.h, v.w, v.c});
    m_p.values.push_back(v.data);
    m_p.skip.push_back(false);
    return t;
  }
  int op(NpuProgramOp o, const Tensor8& out) {
    const int t = m_b.op_out(o.name, o.type, o.inputs, out.data.size());
    m_p.shapes.push_back({out.h, out.w, out.c});
    m_p.values.push_back(out.data);
    m_p.skip.push_back(false);
    o.output = t;
    m_p.ops.push_back(std::move(o));
    return t;
  }
  const Tensor8 value(int t) const {
    Tensor8 x;
    x.h = m_p.shapes[t].h, x.w = m_p.shapes[t].w, x.c = m_p.shapes[t].c;
    x.data = m_p.values[t];
    return x;
  }
  int conv(const std::string& block, const std::string& name, const ConvParams& c, int in) {
    const Tensor8 x = value(in);
    NpuProgramOp o;
    o.name = block + "." + name;
    o.block = block;
    o.type = NpuOpType::kConv;
    o.compute = ConvStage{name, name + "_out", x.h, x.w, c};
    o.inputs = {in};
    const Tensor8 y = golden_conv(x, c);
    o.macs = static_cast<uint64_t>(y.h) * y.w * c.out_c * c.in_c * c.k * c.k;
    o.ops = 2 * o.macs;
    o.weight_bytes = conv_weight_bytes(c);
    return op(std::move(o), y);
  }
  void block(const NetBlock& blk, int& x);
  // The logits' FC on tensor `in` flattened: int32 outputs, 4 bytes each little-endian.
  int fc_logits(const std::string& name, const std::string& block, const FcParams& fc, int in) {
    const Tensor8 v = value(in);
    Tensor8 flat(1, 1, static_cast<int>(v.data.size()));
    flat.data = v.data;
    NpuProgramOp o;
    o.name = name;
    o.block = block;
    o.type = NpuOpType::kFc;
    o.compute = FcStage{"fc", "fc_out", fc};
    o.inputs = {in};
    o.macs = static_cast<uint64_t>(fc.out_f) * fc.in_f;
    o.ops = 2 * o.macs;
    o.weight_bytes = fc_weight_bytes(fc);
    m_p.logits = golden_fc(flat, fc);
    Tensor8 out(1, 1, 4 * fc.out_f);
    for (int i = 0; i < fc.out_f; ++i)
      for (int k = 0; k < 4; ++k)
        out.data[4 * i + k] =
            static_cast<int8_t>(static_cast<uint32_t>(m_p.logits[i]) >> (8 * k) & 0xff);
    return op(std::move(o), out);
  }
  OpGraph take() { return m_b.take(); }

 private:
  NpuProgram& m_p;
  bool m_fuse;
  OpGraphBuilder m_b;
};

void Builder::block(const NetBlock& blk, int& x) {
  const std::string& n = blk.name;
  switch (blk.kind) {
    case NetBlockKind::kStem:
    case NetBlockKind::kConv: {
      int t = conv(n, "conv1", blk.stem.conv1, x);
      if (blk.stem.has_pool) {
        const Tensor8 v = value(t);
        const MaxPoolParams& p = blk.stem.pool;
        NpuProgramOp o;
        o.name = n + ".maxpool";
        o.block = n;
        o.type = NpuOpType::kMaxPool;
        o.compute = MaxPoolStage{"maxpool", "maxpool_out", v.h, v.w, v.c, p};
        o.inputs = {t};
        const Tensor8 y = golden_maxpool(v, p);
        o.ops = y.data.size() * static_cast<uint64_t>(p.k * p.k);
        t = op(std::move(o), y);
      }
      x = t;
      return;
    }
    case NetBlockKind::kBasic:
    case NetBlockKind::kBottleneck: {
      const BlockParams& p = blk.block;
      m_p.skip[x] = true;
      int main = conv(n, "conv1", p.conv1, x);
      const ConvParams& last = p.conv3 ? *p.conv3 : p.conv2;
      if (p.conv3) main = conv(n, "conv2", p.conv2, main);
      int skip = x;
      if (p.skip) {
        skip = conv(n, "downsample", *p.skip, x);
        m_p.skip[skip] = true;
      }
      const char* last_name = p.conv3 ? "conv3" : "conv2";
      const Tensor8 s = value(skip);
      if (m_fuse) {
        // conv_last + add as one op: the engine's output stream meets X at the add.
        const Tensor8 in = value(main);
        NpuProgramOp o;
        o.name = n + "." + last_name + "+add";
        o.block = n;
        o.type = NpuOpType::kConv;
        o.compute = ConvStage{last_name, std::string(last_name) + "_out", in.h, in.w, last};
        o.inputs = {main, skip};
        const Tensor8 f = golden_conv(in, last);
        o.fused_add = AddStage{"add", f.h, f.w, f.c, p.add};
        o.macs = static_cast<uint64_t>(f.h) * f.w * last.out_c * last.in_c * last.k * last.k;
        o.ops = 2 * o.macs + f.data.size();
        o.weight_bytes = conv_weight_bytes(last);
        x = op(std::move(o), golden_add(f, s, p.add));
        return;
      }
      main = conv(n, last_name, last, main);
      const Tensor8 f = value(main);
      NpuProgramOp o;
      o.name = n + ".add";
      o.block = n;
      o.type = NpuOpType::kAdd;
      o.compute = AddStage{"add", f.h, f.w, f.c, p.add};
      o.inputs = {main, skip};
      o.ops = f.data.size();
      x = op(std::move(o), golden_add(f, s, p.add));
      return;
    }
    case NetBlockKind::kHead: {
      const Tensor8 v = value(x);
      NpuProgramOp o;
      o.name = n + ".avgpool";
      o.block = n;
      o.type = NpuOpType::kGlobalPool;
      o.compute = GlobalPoolStage{"avgpool", "avgpool_out", v.h, v.w, v.c, blk.head.pool};
      o.inputs = {x};
      o.ops = v.data.size();
      const Tensor8 pooled = golden_global_pool(v, blk.head.pool);
      const int t = op(std::move(o), pooled);
      x = fc_logits(n + ".fc", n, blk.head.fc, t);
      return;
    }
    case NetBlockKind::kFc: {
      const FcLayerParams& f = blk.fc;
      if (f.logits) {
        x = fc_logits(n, n, f.fc, x);
        return;
      }
      // The input flattened in H x W x C order: the same bytes, read as one pixel.
      Tensor8 in = value(x);
      NpuProgramOp o;
      o.name = n;
      o.block = n;
      o.type = NpuOpType::kFc;
      o.compute = ConvStage{"fc", "fc_out", 1, 1, f.conv};
      o.inputs = {x};
      Tensor8 flat(1, 1, static_cast<int>(in.data.size()));
      flat.data = in.data;
      const Tensor8 out = golden_conv(flat, f.conv);
      o.macs = static_cast<uint64_t>(f.conv.out_c) * f.conv.in_c;
      o.ops = 2 * o.macs;
      o.weight_bytes = conv_weight_bytes(f.conv);
      x = op(std::move(o), out);
      return;
    }
  }
  throw InputError("npu: block " + n + " of kind " + std::string(enum_name(blk.kind)) +
                   " cannot run on the NPU (it runs: stem, basic, bottleneck, head, conv, fc)");
}

}  // namespace

NpuProgram build_npu_program(const Network& net, size_t first, size_t last, const Tensor8& input,
                             bool fuse_add) {
  NpuProgram p;
  p.model = net.model;
  Builder b(p, fuse_add);
  int x = b.tensor("input", input);
  for (size_t i = first; i <= last; ++i) b.block(net.blocks[i], x);
  p.graph = b.take();
  p.graph.validate();
  return p;
}

namespace {

// A tensor's stream: ceil(C / lanes) beats of `lanes` bytes per pixel, lanes past C zero.
std::vector<int8_t> stream_beats(const std::vector<int8_t>& v, int c, int lanes) {
  const int bpp = beats_per_pixel(c, lanes);
  if (bpp * lanes == c) return v;
  const size_t pixels = v.size() / static_cast<size_t>(c);
  std::vector<int8_t> b(pixels * static_cast<size_t>(bpp * lanes), 0);
  for (size_t p = 0; p < pixels; ++p)
    std::copy_n(v.begin() + static_cast<long>(p * c), c,
                b.begin() + static_cast<long>(p * static_cast<size_t>(bpp * lanes)));
  return b;
}

}  // namespace

void compress_skip_tensors(NpuProgram& p, SkipCompression kind, int lanes, int word_bytes,
                           const std::function<int(const NpuProgramOp&)>& passes) {
  p.codec = kind;
  p.stored.assign(p.values.size(), {});
  if (kind == SkipCompression::kNone) return;
  std::vector<bool> whole(p.values.size(), true);
  for (const NpuProgramOp& o : p.ops) {
    const bool split = passes(o) > 1;
    if (split) whole[static_cast<size_t>(o.output)] = false;
    for (size_t i = 0; i < o.inputs.size(); ++i) {
      const bool x_sliced = o.fused_add && split && i + 1 == o.inputs.size();
      if (o.type == NpuOpType::kFc || x_sliced) whole[static_cast<size_t>(o.inputs[i])] = false;
    }
  }
  for (size_t t = 0; t < p.values.size(); ++t) {
    if (!p.skip[t] || !whole[t]) continue;
    std::vector<int8_t> words =
        encode_skip_words(kind, stream_beats(p.values[t], p.shapes[t].c, lanes), lanes, word_bytes);
    if (words.size() >= p.values[t].size()) continue;  // no saving (dense X): stored raw
    p.stored[t] = std::move(words);
    p.graph.tensors[t].bytes = p.stored[t].size();
  }
}

}  // namespace skipsim
