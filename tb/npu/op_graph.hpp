#pragma once
// The layer-by-layer NPU's view of a network for SRAM allocation: ops in execution order and
// the activation tensors they read and write. Weights are not tensors here (they stream from
// DRAM per layer); a tensor without a producer is a graph input (the image), held in DRAM
// until its first use.
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "hw/common/enum_names.hpp"

namespace skipsim {

enum class NpuOpType { kConv, kAdd, kMaxPool, kGlobalPool, kFc };

inline constexpr EnumName<NpuOpType> kNpuOpTypeNames[] = {{NpuOpType::kConv, "conv"},
                                                          {NpuOpType::kAdd, "add"},
                                                          {NpuOpType::kMaxPool, "maxpool"},
                                                          {NpuOpType::kGlobalPool, "global_pool"},
                                                          {NpuOpType::kFc, "fc"}};
constexpr const auto& enum_table(NpuOpType) { return kNpuOpTypeNames; }

struct NpuOp {
  std::string name;
  NpuOpType type = NpuOpType::kConv;
  std::vector<int> inputs;   // tensor ids
  std::vector<int> outputs;  // tensor ids
};

struct NpuTensor {
  std::string name;
  uint64_t bytes = 0;
  int producer = -1;           // op index; -1: a graph input
  std::vector<int> consumers;  // op indices, ascending, no repeats
  // Liveness in op indices, both ends included: from the producer (a graph input: its first
  // consumer) to the last consumer (no consumer: the producer alone).
  int first_op() const { return producer >= 0 ? producer : (consumers.empty() ? 0 : consumers[0]); }
  int last_op() const {
    return consumers.empty() ? first_op() : std::max(consumers.back(), first_op());
  }
  bool live_at(int op) const { return first_op() <= op && op <= last_op(); }
};

struct OpGraph {
  std::vector<NpuOp> ops;
  std::vector<NpuTensor> tensors;

  // Tensor ids live at `op`, ascending.
  std::vector<int> live_at(int op) const;
  uint64_t live_bytes_at(int op) const;
  // The liveness peaks over all ops (what an unbounded SRAM must hold).
  uint64_t peak_live_bytes() const;
  int max_live_tensors() const;
  // Throws std::logic_error when an op uses a tensor before its producer ran, or a tensor
  // has two producers.
  void validate() const;
};

// Builds an OpGraph op by op in execution order; the producer and consumers of every tensor
// follow from the ops.
class OpGraphBuilder {
 public:
  int tensor(const std::string& name, uint64_t bytes);
  int op(const std::string& name, NpuOpType type, const std::vector<int>& inputs,
         const std::vector<int>& outputs);
  // One op writing a new tensor named after the op; returns the tensor id.
  int op_out(const std::string& name, NpuOpType type, const std::vector<int>& inputs,
             uint64_t out_bytes);
  const OpGraph& graph() const { return g_; }
  OpGraph take() { return std::move(g_); }

 private:
  OpGraph g_;
};

}  // namespace skipsim
