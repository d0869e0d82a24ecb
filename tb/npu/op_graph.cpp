#include "tb/npu/op_graph.hpp"

#include <algorithm>
#include <stdexcept>

namespace skipsim {

std::vector<int> OpGraph::live_at(int op) const {
  std::vector<int> out;
  for (int t = 0; t < static_cast<int>(tensors.size()); ++t)
    if (tensors[t].live_at(op)) out.push_back(t);
  return out;
}

uint64_t OpGraph::live_bytes_at(int op) const {
  uint64_t sum = 0;
  for (const NpuTensor& t : tensors)
    if (t.live_at(op)) sum += t.bytes;
  return sum;
}

uint64_t OpGraph::peak_live_bytes() const {
  uint64_t peak = 0;
  for (int i = 0; i < static_cast<int>(ops.size()); ++i) peak = std::max(peak, live_bytes_at(i));
  return peak;
}

int OpGraph::max_live_tensors() const {
  int peak = 0;
  for (int i = 0; i < static_cast<int>(ops.size()); ++i)
    peak = std::max(peak, static_cast<int>(live_at(i).size()));
  return peak;
}

void OpGraph::validate() const {
  const int n = static_cast<int>(tensors.size());
  for (int i = 0; i < static_cast<int>(ops.size()); ++i) {
    for (int t : ops[i].inputs) {
      if (t < 0 || t >= n) throw std::logic_error("op " + ops[i].name + ": bad input tensor id");
      if (tensors[t].producer >= i)
        throw std::logic_error("op " + ops[i].name + " reads " + tensors[t].name +
                               " before its producer");
    }
    for (int t : ops[i].outputs)
      if (t < 0 || t >= n || tensors[t].producer != i)
        throw std::logic_error("op " + ops[i].name + ": output tensor without this producer");
  }
}

int OpGraphBuilder::tensor(const std::string& name, uint64_t bytes) {
  NpuTensor t;
  t.name = name;
  t.bytes = bytes;
  g_.tensors.push_back(t);
  return static_cast<int>(g_.tensors.size()) - 1;
}

int OpGraphBuilder::op(const std::string& name, NpuOpType type, const std::vector<int>& inputs,
                       const std::vector<int>& outputs) {
  const int id = static_cast<int>(g_.ops.size());
  for (int t : outputs) {
    if (g_.tensors.at(t).producer >= 0)
      throw std::logic_error("tensor " + g_.tensors[t].name + " has two producers");
    g_.tensors[t].producer = id;
  }
  for (int t : inputs) {
    std::vector<int>& c = g_.tensors.at(t).consumers;
    if (c.empty() || c.back() != id) c.push_back(id);
  }
  g_.ops.push_back({name, type, inputs, outputs});
  return id;
}

int OpGraphBuilder::op_out(const std::string& name, NpuOpType type, const std::vector<int>& inputs,
                           uint64_t out_bytes) {
  const int t = tensor(name, out_bytes);
  op(name, type, inputs, {t});
  return t;
}

}  // namespace skipsim
