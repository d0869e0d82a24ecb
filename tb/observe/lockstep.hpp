#pragma once
// Lock-step check of a SystemC block against its RTL: both see the same input beats; the
// SystemC block drives the pipeline, the RTL drives shadow wires. Between edges (at the
// falling clock edge, when every process has settled) the outputs are compared:
// - pins: each output pin pair, every cycle (the RTL must match the SystemC timing);
// - transactions: the beats each output port hands on ((data, last) of every fired beat, in
//   order), whenever they move, and the latency of each (RTL fire cycle minus SystemC's).
// The first difference stops the run, or with keep_going every difference is counted.
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include <systemc>

#include "hw/common/beat.hpp"
#include "hw/common/stats.hpp"

namespace skipsim {

enum class CosimCompare { kPins, kTransactions };

struct LockstepMismatch {
  uint64_t cycle = 0;  // core cycle (rising edges so far)
  std::string pin, systemc_value, rtl_value;
  uint64_t beat = 0;  // transactions: the 0-based index of the differing beat on `pin` (a port)
};

class Lockstep : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(Lockstep);
  sc_core::sc_in<bool> clk;

  Lockstep(sc_core::sc_module_name name, std::string module, int lanes,
           CosimCompare compare = CosimCompare::kPins, bool keep_going = false);

  // Pins mode.
  void add_pin(const std::string& pin, const sc_core::sc_signal<bool>& systemc,
               const sc_core::sc_signal<bool>& rtl);
  void add_data(const std::string& pin, const sc_core::sc_signal<Beat>& systemc,
                const sc_core::sc_signal<Beat>& rtl);
  // Transactions mode: an output port, the pins of each side.
  struct PortPins {
    const sc_core::sc_signal<bool>* valid;
    const sc_core::sc_signal<bool>* ready;
    const sc_core::sc_signal<Beat>* data;
    const sc_core::sc_signal<bool>* last;
  };
  void add_port(const std::string& port, PortPins systemc, PortPins rtl);

  CosimCompare mode() const { return m_mode; }
  bool equal() const { return m_differences == 0; }
  const LockstepMismatch& first_mismatch() const { return m_first; }
  uint64_t compared_cycles() const { return m_cycles; }
  uint64_t differences() const { return m_differences; }
  // Transactions: every beat of the SystemC side has its RTL beat, or the RTL has had
  // kDrainCycles to deliver it since first asked (the rest then counts as missing).
  bool drained();
  // After the run: beats one side handed on and the other never did count as differences.
  void finish();
  void report(StatsNode& node) const;

  static constexpr uint64_t kDrainCycles = 1000;

 private:
  struct Fired {
    Beat data;
    bool last;
    uint64_t cycle;
  };
  struct Port {
    std::string name;
    PortPins sides[2];             // systemc, rtl
    std::deque<Fired> pending[2];  // beats one side handed on that the other has not yet
    uint64_t beats[2] = {0, 0};
    uint64_t differing = 0;
    int64_t lat_min = 0, lat_max = 0;
    double lat_sum = 0;
  };
  void compare();
  void compare_pins();
  void compare_ports();
  void match(Port& p);
  void differ(LockstepMismatch m);

  std::string m_module;
  int m_lanes;
  CosimCompare m_mode;
  bool m_keep_going;
  std::vector<std::pair<
      std::string, std::pair<const sc_core::sc_signal<bool>*, const sc_core::sc_signal<bool>*>>>
      m_pins;
  std::vector<std::pair<
      std::string, std::pair<const sc_core::sc_signal<Beat>*, const sc_core::sc_signal<Beat>*>>>
      m_data;
  std::map<std::string, uint64_t> m_pin_differences;
  std::vector<Port> m_ports;
  uint64_t m_cycles = 0, m_differences = 0, m_drain_asked = 0;
  bool m_finished = false;
  LockstepMismatch m_first;
};

}  // namespace skipsim
