#include "tb/modes/depth_search.hpp"

#include <vector>

namespace skipsim {

void DepthSearch::set_hi(uint64_t hi) {
  if (m_hi == 0 || hi < m_hi) m_hi = hi;
}

uint64_t DepthSearch::next(const std::set<uint64_t>& running) const {
  if (done()) return 0;
  // Until both sides of a guess are known, only they are probed: a right guess then costs
  // two probes and no more.
  for (const uint64_t h : m_hints) {
    if (h == 0) continue;
    bool pending = false;
    for (const uint64_t d : {m_low_first ? h - 1 : h, m_low_first ? h : h - 1}) {
      if (d == 0 || !useful(d) || m_probed.count(d)) continue;
      if (!running.count(d)) return d;
      pending = true;
    }
    if (pending) return 0;
  }
  if (m_hi == 0) return 0;
  // The middle of the widest gap between the bounds and the probes already running.
  uint64_t best = 0, best_gap = 1, prev = m_lo;
  std::vector<uint64_t> cuts;
  for (auto it = running.upper_bound(m_lo); it != running.end() && *it < m_hi; ++it)
    cuts.push_back(*it);
  cuts.push_back(m_hi);
  for (const uint64_t c : cuts) {
    if (c - prev > best_gap) {
      best_gap = c - prev;
      best = prev + best_gap / 2;
    }
    prev = c;
  }
  return best;
}

void DepthSearch::record(uint64_t depth, bool holds) {
  m_probed.insert(depth);
  if (!useful(depth)) return;
  if (holds)
    m_hi = depth;
  else
    m_lo = depth;
}

uint64_t bisection_probes(uint64_t lo, uint64_t hi) {
  uint64_t n = 0;
  for (uint64_t span = hi > lo ? hi - lo : 1; span > 1; span = (span + 1) / 2) ++n;
  return n;
}

}  // namespace skipsim
