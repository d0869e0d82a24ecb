#include "tb/top/chain_description.hpp"

#include <stdexcept>

namespace skipsim {

namespace {
template <class... F>
struct Overload : F... {
  using F::operator()...;
};
template <class... F>
Overload(F...) -> Overload<F...>;
}  // namespace

ChainShape stage_out_shape(const ChainStage& s) {
  return std::visit(
      Overload{[](const ConvStage& c) {
                 return ChainShape{c.out_h(), c.out_w(), c.out_c()};
               },
               [](const MaxPoolStage& p) {
                 return ChainShape{p.params.out_size(p.in_h), p.params.out_size(p.in_w), p.in_c};
               },
               [](const GlobalPoolStage& p) {
                 return ChainShape{1, 1, p.in_c};
               },
               [](const FcStage& f) {
                 return ChainShape{1, 1, 4 * f.params.out_f};
               }},
      s);
}

const std::string& stage_name(const ChainStage& s) {
  return std::visit([](const auto& x) -> const std::string& { return x.name; }, s);
}

const std::string& stage_out_stream(const ChainStage& s) {
  return std::visit([](const auto& x) -> const std::string& { return x.out_stream; }, s);
}

ChainShape ChainDescription::out_shape() const {
  return stages.empty() ? ChainShape{in_h, in_w, in_c} : stage_out_shape(stages.back());
}

bool ChainDescription::int32_output() const {
  return !stages.empty() && std::holds_alternative<FcStage>(stages.back());
}

ChainDescription describe_stem(int in_h, int in_w, const ConvParams& conv1,
                               const MaxPoolParams* pool) {
  ChainDescription d;
  d.kind = "stem";
  d.in_h = in_h;
  d.in_w = in_w;
  d.in_c = conv1.in_c;
  ConvStage c{"conv1", "conv1_out", in_h, in_w, conv1};
  const int h = c.out_h(), w = c.out_w(), ch = c.out_c();
  d.stages.emplace_back(std::move(c));
  if (pool) d.stages.emplace_back(MaxPoolStage{"pool", "pool_out", h, w, ch, *pool});
  return d;
}

ChainDescription describe_head(int in_h, int in_w, int in_c, const GlobalPoolParams& pool,
                               const FcParams& fc) {
  ChainDescription d;
  d.kind = "head";
  d.in_h = in_h;
  d.in_w = in_w;
  d.in_c = in_c;
  d.stages.emplace_back(GlobalPoolStage{"pool", "pool_out", in_h, in_w, in_c, pool});
  d.stages.emplace_back(FcStage{"fc", "fc_out", fc});
  return d;
}

ChainDescription describe_fc(const FcParams& fc) {
  ChainDescription d;
  d.kind = "fc";
  d.in_h = 1;
  d.in_w = 1;
  d.in_c = fc.in_f;
  d.stages.emplace_back(FcStage{"fc", "fc_out", fc});
  return d;
}

Tensor8 golden_chain(const ChainDescription& d, const Tensor8& input) {
  Tensor8 x = input;
  for (const ChainStage& s : d.stages) {
    if (const auto* c = std::get_if<ConvStage>(&s)) {
      x = golden_conv(x, c->params);
    } else if (const auto* p = std::get_if<MaxPoolStage>(&s)) {
      x = golden_maxpool(x, p->params);
    } else if (const auto* g = std::get_if<GlobalPoolStage>(&s)) {
      x = golden_global_pool(x, g->params);
    } else {
      const auto logits = golden_fc(x, std::get<FcStage>(s).params);
      Tensor8 y(1, 1, 4 * static_cast<int>(logits.size()));
      for (size_t o = 0; o < logits.size(); ++o)
        for (int b = 0; b < 4; ++b)
          y.data[4 * o + b] = static_cast<int8_t>(static_cast<uint32_t>(logits[o]) >> (8 * b));
      x = std::move(y);
    }
  }
  return x;
}

}  // namespace skipsim
