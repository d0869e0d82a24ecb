#pragma once
// Offset placement of buffers with op-index lifetimes (used by plan_sram).
#include <cstdint>
#include <vector>

namespace skipsim {

struct PlacementBuffer {
  int first_op = 0, last_op = 0;  // both included
  uint64_t bytes = 0;
  int tie = 0;  // orders equal-sized buffers with equal first use
};

inline uint64_t align_up(uint64_t v, uint64_t a) { return a <= 1 ? v : (v + a - 1) / a * a; }

// Greedy by size (TFLite Micro, TVM USMP): largest first (ties: earlier first_op, then
// tie), each at the lowest `alignment`-aligned offset free over its lifetime. Offsets in
// input order.
std::vector<uint64_t> place_greedy_by_size(const std::vector<PlacementBuffer>& bufs,
                                           uint64_t alignment);

// Slots of `slot_bytes`: in order of first_op, each buffer in the lowest slot not held
// over its lifetime (optimal for intervals: slots used = the most buffers live at once).
// Offsets (slot * slot_bytes) in input order.
std::vector<uint64_t> place_slots(const std::vector<PlacementBuffer>& bufs, uint64_t slot_bytes);

}  // namespace skipsim
