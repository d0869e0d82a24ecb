#pragma once
// `skipsim network --fused RANGE`: the residual blocks in RANGE run once more, fused into one
// streaming pipeline (tb/top/fused_pipeline.hpp) in a `run-fused` child, next to their runs
// alone; the report gains a `fused` object and each fused block a `fused` entry.
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "tb/modes/network_mode.hpp"
#include "tb/net/network.hpp"

namespace skipsim {

// Blocks by name or 0-based index, as --blocks takes them (network_mode.cpp); `flag` names
// the option in errors.
std::pair<size_t, size_t> block_range(const Network& net, const std::string& range,
                                      const std::string& flag);
// The workload overrides that make the configured NPU run block b.
std::vector<std::string> workload_sets(const NetBlock& b);

// The checked --fused range: two or more consecutive residual blocks inside [first, last]
// (the simulated ones). Throws InputError naming what is wrong.
std::pair<size_t, size_t> fused_range(const Network& net, const std::string& range, size_t first,
                                      size_t last);

// Runs blocks [a, b] fused (their tensor folders are scratch/<name>) and fills
// report["fused"] and each block entry's "fused". Returns false (and adds to `failures`)
// when the fused run failed or differs from the golden model.
bool run_fused_range(const NetworkOptions& opt, const Network& net, std::pair<size_t, size_t> r,
                     const std::string& scratch, nlohmann::json& report,
                     std::vector<std::string>& failures);

// With --find-depth, after run_fused_range and the per-block searches: per-block skip FIFO
// depths that keep the fused run within the tolerance of its cycles when all are set
// together (from each fused peak + 1, one block lowered at a time by a k-ary search, the
// others as found so far), verified by a final run with all of them. Fills
// report["fused"]["find_depth"] and each block's fused.min_full_speed_depth(_bytes).
bool find_fused_depths(const NetworkOptions& opt, const Network& net, std::pair<size_t, size_t> r,
                       const std::string& scratch, nlohmann::json& report,
                       std::vector<std::string>& failures);

// The printed lines of report["fused"]: cycles against the blocks alone, each skip FIFO's
// peak fused and alone.
std::string fused_table(const nlohmann::json& report);

}  // namespace skipsim
