#pragma once
// One simulation of consecutive residual blocks fused into one streaming pipeline
// (FusedPipeline) from their tensor folders, as `skipsim network --fused` dumps them: load,
// elaborate, run, report every block's skip FIFO peak, golden check of the last output.
// SystemC elaborates once per process: call run_fused once (the network runs it in a child).
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tb/config/config.hpp"
#include "tb/ref/block_params.hpp"
#include "tb/top/fused_pipeline.hpp"

namespace skipsim {

struct FusedInput {
  std::vector<FusedBlock> blocks;
  std::vector<BlockParams> params;  // per block; only the first one's input is used
};

// A block shape as "KIND,H,W,C,OUT_C,WIDTH,STRIDE" (KIND basic, downsample or bottleneck;
// WIDTH 0 unless bottleneck). Throws InputError naming `what`.
BlockShape parse_block_shape(const std::string& spec, const std::string& what);
std::string block_shape_spec(const BlockShape& s);

// Block i: names[i], its tensors in dirs[i] (load_block) of shapes[i], skip FIFO depth
// depths[i] (0 = configured; `depths` may be empty).
FusedInput load_fused(const std::vector<std::string>& names, const std::vector<std::string>& dirs,
                      const std::vector<BlockShape>& shapes, const std::vector<uint64_t>& depths);

struct FusedRunResult {
  nlohmann::json report;  // README "Fused pipelines"
  bool deadlock = false, cycle_limit = false, matches_golden = true;
};

FusedRunResult run_fused(const Config& cfg, const FusedInput& in, bool check_golden);

}  // namespace skipsim
