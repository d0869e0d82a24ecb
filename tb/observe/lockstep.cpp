#include "tb/observe/lockstep.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace skipsim {

namespace {
std::string lanes_text(const Beat& b, int lanes) {
  std::string s = "[";
  for (int i = 0; i < lanes; ++i) s += fmt::format("{}{}", i ? "," : "", int{b.lane[i]});
  return s + "]";
}
}  // namespace

Lockstep::Lockstep(sc_core::sc_module_name name, std::string module, int lanes,
                   CosimCompare compare, bool keep_going)
    : sc_module(name),
      clk("clk"),
      m_module(std::move(module)),
      m_lanes(lanes),
      m_mode(compare),
      m_keep_going(keep_going) {
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

void Lockstep::add_port(const std::string& port, PortPins systemc, PortPins rtl) {
  Port p;
  p.name = port;
  p.sides[0] = systemc;
  p.sides[1] = rtl;
  m_ports.push_back(std::move(p));
}

void Lockstep::differ(LockstepMismatch m) {
  if (m_differences++ == 0) {
    m_first = std::move(m);
    if (!m_keep_going) sc_core::sc_stop();
  }
}

void Lockstep::compare() {
  ++m_cycles;
  if (!m_keep_going && m_differences) return;
  if (m_mode == CosimCompare::kPins)
    compare_pins();
  else
    compare_ports();
}

void Lockstep::compare_pins() {
  for (const auto& [pin, s] : m_pins) {
    if (s.first->read() != s.second->read()) {
      ++m_pin_differences[pin];
      differ({m_cycles, pin, s.first->read() ? "1" : "0", s.second->read() ? "1" : "0"});
      if (!m_keep_going) return;
    }
  }
  for (const auto& [pin, s] : m_data) {
    if (s.first->read() != s.second->read()) {
      ++m_pin_differences[pin];
      differ({m_cycles, pin, lanes_text(s.first->read(), m_lanes),
              lanes_text(s.second->read(), m_lanes)});
      if (!m_keep_going) return;
    }
  }
}

// A beat on offer now with ready high moves at the next rising edge: cycle m_cycles + 1.
void Lockstep::compare_ports() {
  for (Port& p : m_ports) {
    for (int side = 0; side < 2; ++side) {
      const PortPins& s = p.sides[side];
      if (!s.valid->read() || !s.ready->read()) continue;
      p.pending[side].push_back({s.data->read(), s.last->read(), m_cycles + 1});
      ++p.beats[side];
    }
    match(p);
  }
}

void Lockstep::match(Port& p) {
  while (!p.pending[0].empty() && !p.pending[1].empty()) {
    const Fired a = p.pending[0].front(), b = p.pending[1].front();
    p.pending[0].pop_front();
    p.pending[1].pop_front();
    const uint64_t k = p.beats[0] - p.pending[0].size() - 1;  // this beat's index
    const int64_t lat = static_cast<int64_t>(b.cycle) - static_cast<int64_t>(a.cycle);
    if (k == 0) p.lat_min = p.lat_max = lat;
    p.lat_min = std::min(p.lat_min, lat);
    p.lat_max = std::max(p.lat_max, lat);
    p.lat_sum += static_cast<double>(lat);
    if (!(a.data == b.data) || a.last != b.last) {
      ++p.differing;
      LockstepMismatch m{std::max(a.cycle, b.cycle), p.name,
                         lanes_text(a.data, m_lanes) + (a.last ? " last" : ""),
                         lanes_text(b.data, m_lanes) + (b.last ? " last" : "")};
      m.beat = k;
      differ(std::move(m));
      if (!m_keep_going) return;
    }
  }
}

bool Lockstep::drained() {
  if (m_mode == CosimCompare::kPins || (!m_keep_going && m_differences)) return true;
  if (!m_drain_asked) m_drain_asked = m_cycles;
  if (m_cycles - m_drain_asked >= kDrainCycles) return true;
  for (const Port& p : m_ports)
    if (!p.pending[0].empty() || !p.pending[1].empty()) return false;
  return true;
}

void Lockstep::finish() {
  if (m_finished || m_mode == CosimCompare::kPins) return;
  m_finished = true;
  for (Port& p : m_ports) {
    for (int side = 0; side < 2; ++side) {
      if (p.pending[side].empty() || (!m_keep_going && m_differences)) continue;
      const uint64_t k = p.beats[side] - p.pending[side].size();
      const std::string none = "no beat";
      const std::string have = lanes_text(p.pending[side].front().data, m_lanes);
      p.differing += p.pending[side].size();
      LockstepMismatch m{m_cycles, p.name, side ? none : have, side ? have : none};
      m.beat = k;
      differ(std::move(m));
      m_differences += p.pending[side].size() - 1;
    }
  }
}

void Lockstep::report(StatsNode& node) const {
  node.set("module", m_module)
      .set("equal", equal())
      .set("compared_cycles", m_cycles)
      .set("compare", std::string(m_mode == CosimCompare::kPins ? "pins" : "transactions"))
      .set("keep_going", m_keep_going)
      .set("differences", m_differences);
  if (!equal()) {
    StatsNode& f = node.child("first_mismatch");
    f.set("cycle", m_first.cycle)
        .set("pin", m_first.pin)
        .set("systemc", m_first.systemc_value)
        .set("rtl", m_first.rtl_value);
    if (m_mode == CosimCompare::kTransactions) f.set("port", m_first.pin).set("beat", m_first.beat);
  }
  if (m_mode == CosimCompare::kPins) {
    StatsNode& pd = node.child("pin_differences");
    for (const auto& [pin, n] : m_pin_differences) pd.set(pin, n);
    return;
  }
  int64_t lo = 0, hi = 0;
  double sum = 0;
  uint64_t matched = 0;
  StatsNode& ports = node.child("ports");
  for (const Port& p : m_ports) {
    const uint64_t m = std::min(p.beats[0] - p.pending[0].size(), p.beats[1] - p.pending[1].size());
    StatsNode& n = ports.child(p.name);
    n.set("systemc_beats", p.beats[0])
        .set("rtl_beats", p.beats[1])
        .set("differing_beats", p.differing);
    if (m) {
      n.child("latency_difference")
          .set("min", p.lat_min)
          .set("mean", p.lat_sum / static_cast<double>(m))
          .set("max", p.lat_max);
      lo = matched ? std::min(lo, p.lat_min) : p.lat_min;
      hi = matched ? std::max(hi, p.lat_max) : p.lat_max;
      sum += p.lat_sum;
      matched += m;
    }
  }
  StatsNode& l = node.child("latency_difference");
  l.set("min", lo)
      .set("mean", matched ? sum / static_cast<double>(matched) : 0.0)
      .set("max", hi)
      .set("beats", matched);
}

}  // namespace skipsim
