#pragma once
// A seeded per-cycle coin for stall injection (xorshift64: the same sequence on every
// platform and standard library).
#include <cstdint>

namespace skipsim {

class SeededStall {
 public:
  SeededStall() = default;
  SeededStall(double probability, uint64_t seed) : m_p(probability), m_state(seed ? seed : 1) {}
  bool active() const { return m_p > 0; }
  // Draws once; true with the configured probability.
  bool stall() {
    if (m_p <= 0) return false;
    m_state ^= m_state << 13;
    m_state ^= m_state >> 7;
    m_state ^= m_state << 17;
    return static_cast<double>(m_state >> 11) * 0x1.0p-53 < m_p;
  }

 private:
  double m_p = 0.0;
  uint64_t m_state = 1;
};

}  // namespace skipsim
