#pragma once
// The report of skipsim npu from the program, the SRAM plan and each simulation's results:
// per op its cycles and roofline, per tensor its lifetime in cycles and where it lived, and
// the totals (README "skipsim npu").
#include <cstdint>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "tb/config/config.hpp"
#include "tb/npu/allocator.hpp"
#include "tb/npu/npu_program.hpp"

namespace skipsim {

struct NpuRunFacts {
  uint64_t arena_bytes = 0;
  double wall_seconds = 0;
  size_t simulations = 0;
  // With npu.skip_compression: the plan with every tensor raw (the saving's reference).
  const SramPlan* raw_plan = nullptr;
  // Per tensor: DRAM bytes the hardware wrote (spills, streamed outputs) and read back (fills,
  // streamed operands).
  std::vector<uint64_t> tensor_spilled, tensor_filled;
};

// pass_ops[i] = (op, pass) of results[i], in op order.
nlohmann::json npu_report(const Config& cfg, const NpuProgram& prog, const SramPlan& plan,
                          const std::vector<std::pair<int, int>>& pass_ops,
                          const std::vector<nlohmann::json>& results, const NpuRunFacts& facts,
                          std::pair<int, int> input_hw);

// Peak bytes per core cycle of the configured DRAM and SRAM, and MAC ops per cycle.
double npu_peak_ops_per_cycle(const Config& cfg);
double npu_dram_bytes_per_cycle(const Config& cfg);
double npu_sram_bytes_per_cycle(const Config& cfg);

}  // namespace skipsim
