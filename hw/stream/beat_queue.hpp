#pragma once
// A small fixed-capacity ring of beats (skid queues and register slices), no allocation
// after construction.
#include <vector>

#include "hw/common/beat.hpp"

namespace skipsim {

class BeatQueue {
 public:
  explicit BeatQueue(int capacity) : m_beats(capacity), m_last(capacity, false) {}
  bool empty() const { return m_size == 0; }
  bool full() const { return m_size == static_cast<int>(m_beats.size()); }
  int size() const { return m_size; }
  int capacity() const { return static_cast<int>(m_beats.size()); }
  const Beat& front() const { return m_beats[m_head]; }
  bool front_last() const { return m_last[m_head]; }
  void push(const Beat& b, bool last) {
    const int i = (m_head + m_size) % capacity();
    m_beats[i] = b;
    m_last[i] = last;
    ++m_size;
  }
  void pop() {
    m_head = (m_head + 1) % capacity();
    --m_size;
  }

 private:
  std::vector<Beat> m_beats;
  std::vector<bool> m_last;
  int m_head = 0, m_size = 0;
};

}  // namespace skipsim
