#pragma once
// From the Network IR (tb/net/network.hpp) to the op graph the SRAM allocator plans: one op
// per conv, add, pool and FC layer, int8 activations of H x W x C bytes (the FC's int32
// logits 4 bytes each). A residual block lowers to conv1, conv2 [, conv3] [, the projection
// conv], add: the block input X stays live until the projection or the add reads it.
#include "tb/net/network.hpp"
#include "tb/npu/op_graph.hpp"

namespace skipsim {

struct LowerOptions {
  // The image as a graph input (held in DRAM, loaded before the first op).
  bool include_input = true;
};

OpGraph lower_network(const Network& net, const LowerOptions& opt = {});

// The ops of one block appended to `b`, reading tensor `x`; returns the block's output
// tensor. Chain blocks (plain conv / pool layers, when the IR grows them) get their case
// here, as a run of op_out calls. Throws InputError for a block kind it cannot lower.
int lower_block(OpGraphBuilder& b, const NetBlock& blk, int x);

}  // namespace skipsim
