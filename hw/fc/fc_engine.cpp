#include "hw/fc/fc_engine.hpp"

#include <fmt/format.h>

#include "hw/common/errors.hpp"

namespace skipsim {

ConvEngineConfig fc_engine_config(const FcConfig& cfg) {
  if (cfg.in_f < 1 || cfg.out_f < 1)
    throw InputError(fmt::format("fully connected: {} inputs, {} outputs; allowed: both >= 1",
                                 cfg.in_f, cfg.out_f));
  ConvEngineConfig c;
  c.geom = {1, 1, cfg.in_f, 1, 1};
  c.out_c = cfg.out_f;
  c.relu = false;
  c.lanes = cfg.lanes;
  c.mac_rows = cfg.mac_rows;
  c.mac_cols = cfg.mac_cols;
  c.dataflow = cfg.dataflow;
  c.model = cfg.model;
  c.frames = cfg.frames;
  c.raw_int32 = true;
  return c;
}

std::vector<uint8_t> pack_fc_params(int out_f, int in_f, const std::vector<int8_t>& weight,
                                    const std::vector<int32_t>& bias) {
  if (weight.size() != static_cast<size_t>(out_f) * in_f ||
      bias.size() != static_cast<size_t>(out_f))
    throw InputError(fmt::format(
        "fully connected: {} weights and {} biases; allowed: {} x {} weights, {} biases",
        weight.size(), bias.size(), out_f, in_f, out_f));
  std::vector<uint8_t> v(weight.size() + 4 * bias.size());
  for (size_t i = 0; i < weight.size(); ++i) v[i] = static_cast<uint8_t>(weight[i]);
  for (size_t o = 0; o < bias.size(); ++o)
    for (int byte = 0; byte < 4; ++byte)
      v[weight.size() + 4 * o + byte] =
          static_cast<uint8_t>(static_cast<uint32_t>(bias[o]) >> (8 * byte));
  return v;
}

std::vector<int32_t> unpack_logits(const std::vector<Beat>& beats, int out_f, int lanes) {
  const size_t bytes = 4 * static_cast<size_t>(out_f);
  const auto bpp = static_cast<size_t>(beats_per_pixel(static_cast<int>(bytes), lanes));
  std::vector<int32_t> logits;
  for (size_t f = 0; f + bpp <= beats.size(); f += bpp)
    for (int o = 0; o < out_f; ++o) {
      uint32_t u = 0;
      for (int byte = 0; byte < 4; ++byte) {
        const size_t i = 4 * static_cast<size_t>(o) + byte;
        u |= static_cast<uint32_t>(static_cast<uint8_t>(beats[f + i / lanes].lane[i % lanes]))
             << (8 * byte);
      }
      logits.push_back(static_cast<int32_t>(u));
    }
  return logits;
}

uint64_t fc_unstalled_last_edge(const FcConfig& cfg, uint64_t e0) {
  const auto array = static_cast<uint64_t>(
      skipsim_closed_form_cycles(cfg.dataflow, cfg.mac_rows, cfg.mac_cols, 1, cfg.out_f, cfg.in_f));
  return e0 + beats_per_pixel(cfg.in_f, cfg.lanes) + array +
         beats_per_pixel(4 * cfg.out_f, cfg.lanes);
}

}  // namespace skipsim
