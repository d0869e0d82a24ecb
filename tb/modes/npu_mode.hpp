#pragma once
// skipsim npu: a network layer by layer on one NPU (README "skipsim npu"). The network lowers
// to ops (tb/npu/npu_program.hpp), the SRAM allocator places their activation tensors
// (tb/npu/allocator.hpp, npu.* keys), and every op runs cycle by cycle on the hardware
// (tb/top/npu_op_top.hpp): its operands from the SRAM arena at the planned offsets (or from
// DRAM when streamed), its weights from DRAM through the weight buffer (in passes over
// output channels when they exceed npu.weight_buffer_bytes), and the spills and fills that
// the plan schedules in its window on the SRAM DMA. Ops run one after another on the one
// array; each op (each pass) is simulated in its own child process, in parallel, on the
// golden value of its operands, and checked bit-exact against the golden output.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace skipsim {

struct NpuOptions {
  std::string model, onnx;
  int h = 224, w = 224;
  std::string image;  // an int8 H x W x 3 .npy image instead of the random one, or empty
  std::string config;
  std::vector<std::string> sets;
  std::string blocks;  // RANGE as `skipsim network --blocks`; empty = all
  int jobs = 0;        // parallel children; 0 = all cores
  uint64_t seed = 1;
  bool progress = false;
  std::string dump_tensors;  // DIR/<tensor>.npy of every tensor (golden = simulated)
  // Also run with npu.fuse_add flipped; the report's fuse_add_comparison sets both side by side.
  bool compare_fuse_add = false;
};

// The report (README "skipsim npu" documents every key). Throws InputError for bad input.
nlohmann::json run_npu(const NpuOptions& opt);
// One row per op.
std::string npu_csv(const nlohmann::json& report);
// The summary a person reads: totals, then one line per op.
std::string npu_table(const nlohmann::json& report);

}  // namespace skipsim
