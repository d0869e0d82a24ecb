#pragma once
// Test benches for stream blocks: a source that offers a list of beats with seeded random
// gaps, and a sink that takes them with seeded random ready, recording the cycle of each
// transfer. Both follow the stream convention (registered valid / registered ready).
#include <cstdint>
#include <random>
#include <utility>
#include <vector>

#include <systemc>

#include "hw/stream/stream.hpp"

namespace skipsim::test {

class StreamSource : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(StreamSource);
  sc_core::sc_in<bool> clk;
  StreamOut out;

  StreamSource(sc_core::sc_module_name n, std::vector<std::pair<Beat, bool>> beats,
               double gap_probability = 0.0, uint64_t seed = 1)
      : sc_module(n),
        clk("clk"),
        out("out"),
        m_beats(std::move(beats)),
        m_gap(gap_probability),
        m_rng(seed) {
    SC_METHOD(on_clock);
    sensitive << clk.pos();
    dont_initialize();
  }
  size_t sent() const { return m_next; }
  std::vector<uint64_t> send_cycles;

 private:
  void on_clock() {
    ++m_cycle;
    if (m_busy && out.ready.read()) {
      send_cycles.push_back(m_cycle);
      ++m_next;
      m_busy = false;
    }
    if (!m_busy) {
      const bool gap = m_gap > 0 && std::uniform_real_distribution<double>(0, 1)(m_rng) < m_gap;
      if (m_next < m_beats.size() && !gap) {
        out.put(m_beats[m_next].first, m_beats[m_next].second);
        m_busy = true;
      } else {
        out.idle();
      }
    }
  }
  std::vector<std::pair<Beat, bool>> m_beats;
  double m_gap;
  std::mt19937_64 m_rng;
  size_t m_next = 0;
  bool m_busy = false;
  uint64_t m_cycle = 0;
};

class StreamSink : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(StreamSink);
  sc_core::sc_in<bool> clk;
  StreamIn in;

  StreamSink(sc_core::sc_module_name n, double stall_probability = 0.0, uint64_t seed = 2)
      : sc_module(n), clk("clk"), in("in"), m_stall(stall_probability), m_rng(seed) {
    SC_METHOD(on_clock);
    sensitive << clk.pos();
    dont_initialize();
  }
  std::vector<Beat> beats;
  std::vector<bool> lasts;
  std::vector<uint64_t> cycles;  // edge (1-based) at which each beat transferred
  void hold(bool h) { m_hold = h; }

 private:
  void on_clock() {
    ++m_cycle;
    if (in.fire()) {
      beats.push_back(in.data.read());
      lasts.push_back(in.last.read());
      cycles.push_back(m_cycle);
    }
    const bool stall =
        m_hold || (m_stall > 0 && std::uniform_real_distribution<double>(0, 1)(m_rng) < m_stall);
    in.ready.write(!stall);
  }
  double m_stall;
  std::mt19937_64 m_rng;
  bool m_hold = false;
  uint64_t m_cycle = 0;
};

// Beats 0..n-1 with lane l of beat i = (i * 7 + l) as int8, last on the final one.
inline std::vector<std::pair<Beat, bool>> counting_beats(int n, int lanes) {
  std::vector<std::pair<Beat, bool>> v;
  for (int i = 0; i < n; ++i) {
    Beat b;
    for (int l = 0; l < lanes; ++l) b.lane[l] = static_cast<int8_t>(i * 7 + l);
    v.emplace_back(b, i == n - 1);
  }
  return v;
}

}  // namespace skipsim::test
