#include "tb/npu/placement.hpp"

#include <algorithm>
#include <numeric>

namespace skipsim {

namespace {
bool overlap_in_time(const PlacementBuffer& a, const PlacementBuffer& b) {
  return a.first_op <= b.last_op && b.first_op <= a.last_op;
}
}  // namespace

std::vector<uint64_t> place_greedy_by_size(const std::vector<PlacementBuffer>& bufs,
                                           uint64_t alignment) {
  std::vector<int> order(bufs.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
    const PlacementBuffer &x = bufs[a], &y = bufs[b];
    if (x.bytes != y.bytes) return x.bytes > y.bytes;
    if (x.first_op != y.first_op) return x.first_op < y.first_op;
    return x.tie < y.tie;
  });
  std::vector<uint64_t> offset(bufs.size(), 0);
  std::vector<int> placed;
  for (int id : order) {
    const PlacementBuffer& b = bufs[id];
    const uint64_t size = align_up(b.bytes, alignment);
    std::vector<int> conflicts;
    for (int p : placed)
      if (overlap_in_time(b, bufs[p])) conflicts.push_back(p);
    std::sort(conflicts.begin(), conflicts.end(),
              [&](int a, int c) { return offset[a] < offset[c]; });
    uint64_t candidate = 0;
    for (int p : conflicts) {
      if (candidate + size <= offset[p]) break;  // the gap below p holds it
      candidate =
          std::max(candidate, align_up(offset[p] + align_up(bufs[p].bytes, alignment), alignment));
    }
    offset[id] = candidate;
    placed.push_back(id);
  }
  return offset;
}

std::vector<uint64_t> place_slots(const std::vector<PlacementBuffer>& bufs, uint64_t slot_bytes) {
  std::vector<int> order(bufs.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
    if (bufs[a].first_op != bufs[b].first_op) return bufs[a].first_op < bufs[b].first_op;
    return bufs[a].tie < bufs[b].tie;
  });
  std::vector<int> slot_free_after;  // slot -> last op of its current holder
  std::vector<uint64_t> offset(bufs.size(), 0);
  for (int id : order) {
    size_t s = 0;
    while (s < slot_free_after.size() && slot_free_after[s] >= bufs[id].first_op) ++s;
    if (s == slot_free_after.size()) slot_free_after.push_back(0);
    slot_free_after[s] = bufs[id].last_op;
    offset[id] = s * slot_bytes;
  }
  return offset;
}

}  // namespace skipsim
