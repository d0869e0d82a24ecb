#pragma once
// The fill level of a block's internal buffer as a signal for VCD tracing. It costs a
// signal write per cycle only once traced.
#include <cstdint>
#include <string>

#include <systemc>

namespace skipsim {

class OccupancyProbe {
 public:
  explicit OccupancyProbe(const char* name) : m_sig(name) {}
  void set(uint64_t v) {
    if (m_on) m_sig.write(v);
  }
  void trace(sc_core::sc_trace_file* tf, const std::string& name) {
    m_on = true;
    sc_core::sc_trace(tf, m_sig, name);
  }
  // Starts writing the signal, for a waveform writer that samples it.
  const sc_core::sc_signal<uint64_t>& enable() {
    m_on = true;
    return m_sig;
  }

 private:
  sc_core::sc_signal<uint64_t> m_sig;
  bool m_on = false;
};

}  // namespace skipsim
