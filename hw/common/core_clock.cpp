#include "hw/common/core_clock.hpp"

#include <utility>

namespace skipsim {

CoreClock::CoreClock(sc_core::sc_module_name name, const sc_core::sc_time& period)
    : sc_module(name), m_sig("clk", this), m_period(period), m_high_time(period * 0.5) {
  SC_METHOD(tick);  // initialized: the first rising edge is at time 0, as sc_clock's
}

void CoreClock::enable_gating(int sleepers, std::function<bool(uint64_t&)> may_pause) {
  m_gating = true;
  m_sleepers = sleepers;
  m_may_pause = std::move(may_pause);
}

void CoreClock::demand() {
  m_demanded = true;
  if (m_state == State::kPaused) m_resume.notify();
}

void CoreClock::rise() {
  m_sig.write(true);
  m_demanded = false;
  m_state = State::kHigh;
  sc_core::next_trigger(m_high_time);
}

void CoreClock::tick() {
  const sc_core::sc_time& now = sc_core::sc_time_stamp();
  const uint64_t p = m_period.value();
  switch (m_state) {
    case State::kLow:
      rise();
      return;
    case State::kHigh: {
      m_sig.write(false);
      uint64_t bound = 0;  // a cycle whose rising edge must happen
      if (m_gating && m_asleep == m_sleepers && !m_demanded && m_may_pause(bound) &&
          (bound == 0 || (bound - 1) * p > now.value())) {
        m_state = State::kPaused;
        m_paused_at = now;
        if (bound)
          sc_core::next_trigger(sc_core::sc_time::from_value((bound - 1) * p) - now, m_resume);
        else
          sc_core::next_trigger(m_resume);
        return;
      }
      m_state = State::kLow;
      sc_core::next_trigger(m_period - m_high_time);
      return;
    }
    case State::kPaused: {
      // The first rising edge of the grid at or after now.
      const uint64_t t = now.value(), next = (t + p - 1) / p * p;
      m_paused_edges += (next - m_paused_at.value()) / p;
      if (next == t) {
        rise();
      } else {
        m_state = State::kLow;
        sc_core::next_trigger(sc_core::sc_time::from_value(next - t));
      }
      return;
    }
  }
}

}  // namespace skipsim
