#pragma once
// One simulation of a chain without a skip path (a network's stem or head) from its tensor
// files, as `skipsim network` dumps them: elaborate ChainPipeline, run, report, golden check.
// SystemC elaborates once per process: call it once (the network runs it in a child).
#include <string>

#include <nlohmann/json.hpp>

#include "tb/config/config.hpp"
#include "tb/ref/tensor.hpp"
#include "tb/top/chain_description.hpp"

namespace skipsim {

struct ChainInput {
  ChainDescription desc;
  Tensor8 input;
};

// DIR/input.npy and either the stem's conv1.* (+ conv1.stride.npy, pool.npy = [k, stride,
// pad] when it pools) or the head's pool.npy = [mult, shift], fc.weight.npy, fc.bias.npy.
// Throws InputError naming the file.
ChainInput load_chain(const std::string& dir);

struct ChainRunResult {
  nlohmann::json report;  // run's keys where they apply (README "skipsim network")
  bool deadlock = false, cycle_limit = false, matches_golden = true;
};

ChainRunResult run_chain(const Config& cfg, const ChainInput& in, bool check_golden);

}  // namespace skipsim
