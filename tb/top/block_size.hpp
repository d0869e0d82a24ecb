#pragma once
// Size checks made from the configuration alone, before any tensor is generated or loaded:
// a block too large for the host's memory fails at once with the key and the limit, not with
// std::bad_alloc or after seconds of generating data (the SRAM check, which names every
// region, needs the elaborated block: the limit keeps the data made before it small).
#include <cstdint>
#include <string>

#include "tb/config/config.hpp"

namespace skipsim {

// Bytes one tensor (activations, weights, im2col matrix, results) may take on the host.
constexpr uint64_t kMaxTensorBytes = uint64_t{1} << 28;  // 16x ResNet's largest

// The block's input and output tensors against kMaxTensorBytes. Throws InputError.
void check_block_size(const Config& cfg);

// a * b, or UINT64_MAX when that overflows: sizes from user input can.
inline uint64_t mul_sat(uint64_t a, uint64_t b) {
  uint64_t r;
  return __builtin_mul_overflow(a, b, &r) ? UINT64_MAX : r;
}

// Throws InputError when `bytes` is above kMaxTensorBytes; `what` names the tensor and the
// keys that size it.
void check_tensor_bytes(const std::string& what, uint64_t bytes);

}  // namespace skipsim
