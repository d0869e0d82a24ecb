#include "tb/top/block_description.hpp"

namespace skipsim {

std::vector<const ConvStage*> BlockDescription::stages() const {
  std::vector<const ConvStage*> v;
  for (const ConvStage& s : main) v.push_back(&s);
  if (skip) v.push_back(&*skip);
  return v;
}

BlockDescription describe_block(const BlockParams& p) {
  BlockDescription d;
  d.kind = std::string(enum_name(p.kind));
  d.in_h = p.input.h;
  d.in_w = p.input.w;
  d.in_c = p.input.c;
  ConvStage c1{"conv1", "conv1_out", d.in_h, d.in_w, p.conv1};
  ConvStage c2{"conv2", "conv2_out", c1.out_h(), c1.out_w(), p.conv2};
  d.main = {std::move(c1), std::move(c2)};
  if (p.conv3) {
    const ConvStage& m = d.main.back();
    d.main.push_back(ConvStage{"conv3", "conv3_out", m.out_h(), m.out_w(), *p.conv3});
  }
  if (p.skip) d.skip = ConvStage{"skip_conv", "skip_proj", d.in_h, d.in_w, *p.skip};
  d.add = p.add;
  return d;
}

}  // namespace skipsim
