#include "tb/observe/lockstep.hpp"

#include <fmt/format.h>

namespace skipsim {

namespace {
std::string lanes_text(const Beat& b, int lanes) {
  std::string s = "[";
  for (int i = 0; i < lanes; ++i) s += fmt::format("{}{}", i ? "," : "", int{b.lane[i]});
  return s + "]";
}
}  // namespace

Lockstep::Lockstep(sc_core::sc_module_name name, std::string module, int lanes)
    : sc_module(name), clk("clk"), m_module(std::move(module)), m_lanes(lanes) {
  SC_METHOD(compare);
  sensitive << clk.neg();
  dont_initialize();
}

void Lockstep::add_pin(const std::string& pin, const sc_core::sc_signal<bool>& systemc,
                       const sc_core::sc_signal<bool>& rtl) {
  m_pins.push_back({pin, {&systemc, &rtl}});
}

void Lockstep::add_data(const std::string& pin, const sc_core::sc_signal<Beat>& systemc,
                        const sc_core::sc_signal<Beat>& rtl) {
  m_data.push_back({pin, {&systemc, &rtl}});
}

void Lockstep::compare() {
  ++m_cycles;
  if (!m_first.pin.empty()) return;
  for (const auto& [pin, s] : m_pins) {
    if (s.first->read() != s.second->read()) {
      m_first = {m_cycles, pin, s.first->read() ? "1" : "0", s.second->read() ? "1" : "0"};
      sc_core::sc_stop();
      return;
    }
  }
  for (const auto& [pin, s] : m_data) {
    if (s.first->read() != s.second->read()) {
      m_first = {m_cycles, pin, lanes_text(s.first->read(), m_lanes),
                 lanes_text(s.second->read(), m_lanes)};
      sc_core::sc_stop();
      return;
    }
  }
}

void Lockstep::report(StatsNode& node) const {
  node.set("module", m_module).set("equal", equal()).set("compared_cycles", m_cycles);
  if (!equal()) {
    node.child("first_mismatch")
        .set("cycle", m_first.cycle)
        .set("pin", m_first.pin)
        .set("systemc", m_first.systemc_value)
        .set("rtl", m_first.rtl_value);
  }
}

}  // namespace skipsim
