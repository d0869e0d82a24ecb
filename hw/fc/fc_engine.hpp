#pragma once
// FcEngine: the head's fully connected layer, int8 weights out_f x in_f, int32 bias, int32
// logits (no requant; DESIGN.md section 4). It is a ConvEngine running a 1x1 conv on a 1 x 1
// map with raw int32 output: the line buffer holds the one input pixel (in_f channels), the
// MAC array runs one GEMM M = 1, K = in_f, N = out_f with the bias preloaded, and the results
// leave unrequantized.
//
// Stream format of the logits: one pixel of 4*out_f bytes, logit o as bytes 4o..4o+3 (int32
// little-endian) in lane order, ceil(4*out_f/lanes) beats, lanes past the end zero; `last` on
// the final beat. unpack_logits() reads it back.
//
// Parameters: weight[o][i] (int8, the PyTorch O x I order), then bias (int32 little-endian,
// out_f); pack_fc_params() makes that blob.
//
// Timing, the input pixel's beats transferring at edges e0 ... e0 + bpp_in - 1 and the output
// always ready: the GEMM starts at the next edge and runs A = the array's closed form
// (skipsim_closed_form_cycles(dataflow, R, C, 1, out_f, in_f)) cycles, its results load the
// output register from the edge after, and the last logit beat transfers at
//     e0 + bpp_in + A + ceil(4*out_f/lanes).
#include <cstdint>
#include <vector>

#include "hw/conv/conv_engine.hpp"

namespace skipsim {

struct FcConfig {
  int in_f = 0, out_f = 0;
  int lanes = 16;
  int mac_rows = 16, mac_cols = 16;
  Dataflow dataflow = Dataflow::kWs;
  ArrayModel model = ArrayModel::kTile;
  int frames = 1;
};

// The ConvEngine that computes the layer.
ConvEngineConfig fc_engine_config(const FcConfig& cfg);
std::vector<uint8_t> pack_fc_params(int out_f, int in_f, const std::vector<int8_t>& weight,
                                    const std::vector<int32_t>& bias);
// Logits of consecutive frames from the engine's output beats (format above).
std::vector<int32_t> unpack_logits(const std::vector<Beat>& beats, int out_f, int lanes);
// The last output edge of the header's closed form.
uint64_t fc_unstalled_last_edge(const FcConfig& cfg, uint64_t e0);

class FcEngine : public ConvEngine {
 public:
  FcEngine(sc_core::sc_module_name name, const FcConfig& cfg, SramBanks& sram)
      : ConvEngine(name, fc_engine_config(cfg), sram), m_fc(cfg) {}
  const FcConfig& fc_config() const { return m_fc; }

 private:
  FcConfig m_fc;
};

}  // namespace skipsim
