#pragma once
// The built-in chain networks (alexnet, vgg16) for builtin_network (tb/net/network.hpp).
#include <cstdint>
#include <string>

#include "tb/net/network.hpp"

namespace skipsim {

// True for the chain models' names.
bool is_chain_model(const std::string& model);
// The model's blocks after the image (already in `net`): one per conv (with its max pool)
// and one per fully connected layer, named after torchvision's modules ("features.0",
// "classifier.6"); parameters from seeds network_block_seed(seed, 0, 1, ...).
void add_chain_blocks(Network* net, uint64_t seed);
// A seed per block from the network's seed (splitmix64), so that blocks differ.
uint64_t network_block_seed(uint64_t seed, uint64_t index);
// A fully connected layer with random parameters: int8 out (requant, ReLU) or int32 logits.
FcLayerParams random_fc_layer(int in_f, int out_f, bool logits, uint64_t seed);

}  // namespace skipsim
