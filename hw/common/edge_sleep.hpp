#pragma once
// Lets a block's clocked SC_METHOD skip the edges at which it provably repeats its last
// cycle (no beat moved, nothing in flight, nothing random drawn): it sleeps until one of its
// stream wires changes, or until a given edge, instead of running at every edge (DESIGN
// section 7), and replays the skipped edges' accounting when it wakes. A wire written at
// edge n changes after that edge, so the first edge that can see it is n + 1: a wake-up
// between edges only re-arms the clock sensitivity. Off unless enabled (the tops enable it;
// tests that step a block alone see every edge).
//
// Use, in the clocked method:
//   if (m_sleep.needs_setup()) { m_sleep.watch(...); ...; m_sleep.enable(clk); }
//   uint64_t skipped = 0;
//   if (!m_sleep.at_edge(clk, skipped)) return;   // woken between edges
//   if (skipped) replay(skipped);                 // the edges slept through
//   ... the cycle ...
//   if (nothing can change but a wire) m_sleep.sleep();
// and settle() (HwBlock) replays up to the last edge once the simulation has stopped.
#include <cstdint>

#include <systemc>

#include "hw/common/core_clock.hpp"

namespace skipsim {

class EdgeSleep {
 public:
  // Asked for (HwBlock::allow_sleep); the block then calls watch() and enable() at its
  // next edge, when its ports are bound.
  void want() { m_wanted = true; }
  bool needs_setup() const { return m_wanted && !m_set_up; }
  // Wires (value_changed events) whose change ends a sleep.
  void watch(const sc_core::sc_event& e) { m_wake |= e; }
  // Sleeping needs the clock's period (a clk bound to a CoreClock or an sc_clock); else it
  // stays off. A CoreClock is told when the block sleeps, to stop while everyone does.
  void enable(const sc_core::sc_in<bool>& clk) {
    m_set_up = true;
    if (const auto* s = dynamic_cast<const ClockSignal*>(clk.get_interface())) {
      m_clock = s->clock();
      m_period = m_clock->period();
    } else if (const auto* c = dynamic_cast<const sc_core::sc_clock*>(clk.get_interface())) {
      m_period = c->period();
    }
    m_on = m_period != sc_core::SC_ZERO_TIME && m_wake.size() > 0;
  }
  bool enabled() const { return m_on; }
  bool asleep() const { return m_asleep; }

  // False when called between edges (a watched wire changed or the timeout came): return
  // at once. Else true, with `skipped` the edges slept through since the last call.
  bool at_edge(const sc_core::sc_in<bool>& clk, uint64_t& skipped) {
    skipped = 0;
    if (!m_asleep) return true;
    if (!clk.posedge()) {  // static sensitivity: the next edge
      if (m_clock) m_clock->demand();
      return false;
    }
    skipped = edges_since() - 1;
    m_asleep = false;
    if (m_clock) m_clock->sleeper_awake();
    return true;
  }
  // Sleep from this edge on until a watched wire changes, or at most max_edges edges
  // (0: no limit): the method then runs again at edge now + max_edges + 1 at the latest.
  void sleep(uint64_t max_edges = 0) {
    if (!m_on) return;
    m_asleep = true;
    if (m_clock) m_clock->sleeper_asleep();
    m_since = sc_core::sc_time_stamp();
    if (max_edges == 0) {
      sc_core::next_trigger(m_wake);
    } else {
      // Half a period before edge now + max_edges + 1; the clock then takes over.
      sc_core::next_trigger(m_period * static_cast<double>(max_edges) + m_period / 2, m_wake);
    }
  }
  // After the simulation stopped: the edges slept through so far, the last one included
  // (it ran for every awake block). The sleep goes on from here if the simulation resumes.
  uint64_t settle() {
    if (!m_asleep) return 0;
    const uint64_t n = edges_since();
    m_since = sc_core::sc_time_stamp();
    return n;
  }

 private:
  uint64_t edges_since() const {
    return (sc_core::sc_time_stamp() - m_since).value() / m_period.value();
  }

  sc_core::sc_event_or_list m_wake;
  sc_core::sc_time m_period, m_since;
  CoreClock* m_clock = nullptr;
  bool m_wanted = false, m_set_up = false, m_on = false, m_asleep = false;
};

}  // namespace skipsim
