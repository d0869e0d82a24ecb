#include "tb/npu/lower.hpp"

#include <string>

#include "hw/common/errors.hpp"

namespace skipsim {

namespace {
uint64_t act_bytes(int h, int w, int c) {
  return static_cast<uint64_t>(h) * static_cast<uint64_t>(w) * static_cast<uint64_t>(c);
}
}  // namespace

int lower_block(OpGraphBuilder& b, const NetBlock& blk, int x) {
  const std::string& n = blk.name;
  switch (blk.kind) {
    case NetBlockKind::kStem:
    case NetBlockKind::kConv: {  // a chain network's conv layer: conv (+ max pool), as the stem
      const ConvParams& c = blk.stem.conv1;
      const int h = c.out_size(blk.in_h), w = c.out_size(blk.in_w);
      int t = b.op_out(n + ".conv1", NpuOpType::kConv, {x}, act_bytes(h, w, c.out_c));
      if (blk.stem.has_pool) {
        const MaxPoolParams& p = blk.stem.pool;
        t = b.op_out(n + ".maxpool", NpuOpType::kMaxPool, {t},
                     act_bytes(p.out_size(h), p.out_size(w), c.out_c));
      }
      return t;
    }
    case NetBlockKind::kBasic:
    case NetBlockKind::kBottleneck: {
      const BlockParams& p = blk.block;
      int h = blk.in_h, w = blk.in_w;
      auto conv = [&](const std::string& name, const ConvParams& c, int in) {
        h = c.out_size(h);
        w = c.out_size(w);
        return b.op_out(n + "." + name, NpuOpType::kConv, {in}, act_bytes(h, w, c.out_c));
      };
      int main = conv("conv1", p.conv1, x);
      main = conv("conv2", p.conv2, main);
      if (p.conv3) main = conv("conv3", *p.conv3, main);
      int skip = x;
      if (p.skip) {
        const ConvParams& s = *p.skip;
        skip = b.op_out(n + ".downsample", NpuOpType::kConv, {x},
                        act_bytes(s.out_size(blk.in_h), s.out_size(blk.in_w), s.out_c));
      }
      return b.op_out(n + ".add", NpuOpType::kAdd, {main, skip}, b.graph().tensors[main].bytes);
    }
    case NetBlockKind::kHead: {
      const int pooled =
          b.op_out(n + ".avgpool", NpuOpType::kGlobalPool, {x}, static_cast<uint64_t>(blk.in_c));
      return b.op_out(n + ".fc", NpuOpType::kFc, {pooled},
                      static_cast<uint64_t>(blk.head.fc.out_f) * 4);
    }
    case NetBlockKind::kFc: {  // int8 out with requant, or the int32 logits
      const FcLayerParams& f = blk.fc;
      return b.op_out(n, NpuOpType::kFc, {x},
                      static_cast<uint64_t>(f.out_f()) * (f.logits ? 4 : 1));
    }
  }
  throw InputError("npu: block " + n + " of kind " + std::string(enum_name(blk.kind)) +
                   " cannot be lowered to ops (lowered: stem, basic, bottleneck, head, conv, fc)");
}

OpGraph lower_network(const Network& net, const LowerOptions& opt) {
  OpGraphBuilder b;
  if (net.blocks.empty()) throw InputError("npu: network " + net.model + " has no blocks");
  const NetBlock& first = net.blocks.front();
  int x = b.tensor("input", act_bytes(first.in_h, first.in_w, first.in_c));
  for (const NetBlock& blk : net.blocks) x = lower_block(b, blk, x);
  OpGraph g = b.take();
  if (!opt.include_input) {
    // Drop tensor 0: the first op then reads a tensor outside the graph.
    for (NpuOp& op : g.ops) {
      std::vector<int> in;
      for (int t : op.inputs)
        if (t != 0) in.push_back(t - 1);
      op.inputs = in;
      for (int& t : op.outputs) --t;
    }
    g.tensors.erase(g.tensors.begin());
  }
  return g;
}

}  // namespace skipsim
