#pragma once
// Lock-step check of a SystemC block against its RTL: both see the same input pins every
// cycle; the SystemC block drives the pipeline, the RTL drives shadow wires. Between edges
// (at the falling clock edge, when every process has settled) each output pin pair is
// compared; the first difference stops the run with the cycle, the pin and both values.
#include <cstdint>
#include <string>
#include <vector>

#include <systemc>

#include "hw/common/beat.hpp"
#include "hw/common/stats.hpp"

namespace skipsim {

struct LockstepMismatch {
  uint64_t cycle = 0;  // core cycle (rising edges so far)
  std::string pin, systemc_value, rtl_value;
};

class Lockstep : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(Lockstep);
  sc_core::sc_in<bool> clk;

  Lockstep(sc_core::sc_module_name name, std::string module, int lanes);

  void add_pin(const std::string& pin, const sc_core::sc_signal<bool>& systemc,
               const sc_core::sc_signal<bool>& rtl);
  void add_data(const std::string& pin, const sc_core::sc_signal<Beat>& systemc,
                const sc_core::sc_signal<Beat>& rtl);

  bool equal() const { return m_first.pin.empty(); }
  const LockstepMismatch& first_mismatch() const { return m_first; }
  uint64_t compared_cycles() const { return m_cycles; }
  void report(StatsNode& node) const;

 private:
  void compare();

  std::string m_module;
  int m_lanes;
  std::vector<std::pair<
      std::string, std::pair<const sc_core::sc_signal<bool>*, const sc_core::sc_signal<bool>*>>>
      m_pins;
  std::vector<std::pair<
      std::string, std::pair<const sc_core::sc_signal<Beat>*, const sc_core::sc_signal<Beat>*>>>
      m_data;
  uint64_t m_cycles = 0;
  LockstepMismatch m_first;
};

}  // namespace skipsim
