#pragma once
// One of find-depth's searches: the smallest depth in (lo, hi] at which a property holds
// that is monotone in the depth (false up to some depth, true from there on), with probes
// chosen one at a time so that a free core never waits for a round to end.
#include <cstdint>
#include <set>
#include <utility>
#include <vector>

namespace skipsim {

class DepthSearch {
 public:
  // The answer lies in (lo, hi]; hi = 0 while unknown (set_hi). `hints` (0s ignored) are
  // guesses of the answer, in order: the first probes are a guess h and h - 1, which end
  // the search when the guess is right; when it is not, the next guess still inside the
  // bounds is tried, then the search bisects what is left. `low_first`: h - 1 before h
  // (when h - 1 holds, h need not run).
  DepthSearch(uint64_t lo, std::vector<uint64_t> hints, bool low_first = false)
      : m_lo(lo), m_hints(std::move(hints)), m_low_first(low_first) {}
  DepthSearch(uint64_t lo, uint64_t hint, bool low_first = false)
      : DepthSearch(lo, std::vector<uint64_t>{hint}, low_first) {}
  // An upper end known to hold (not probed).
  void set_hi(uint64_t hi);
  // A depth worth probing now, none of `running`; 0 if there is none (done, a guess's
  // probes still running, or hi unknown and the guesses already tried).
  uint64_t next(const std::set<uint64_t>& running) const;
  // The property at `depth`. A result that contradicts monotonicity (holding at or below
  // lo, failing at or above hi) is ignored, as the jitter of cycles near the tolerance can.
  void record(uint64_t depth, bool holds);
  // Whether probing `depth` could still narrow the answer.
  bool useful(uint64_t depth) const { return depth > m_lo && (m_hi == 0 || depth < m_hi); }
  bool done() const { return m_hi != 0 && m_hi - m_lo <= 1; }
  uint64_t lo() const { return m_lo; }
  uint64_t hi() const { return m_hi; }

 private:
  uint64_t m_lo, m_hi = 0;
  std::vector<uint64_t> m_hints;
  bool m_low_first;
  std::set<uint64_t> m_probed;
};

// Probes a plain bisection needs to find the smallest depth in (lo, hi] with the property
// known to hold at hi: ceil(log2(hi - lo)).
uint64_t bisection_probes(uint64_t lo, uint64_t hi);

}  // namespace skipsim
