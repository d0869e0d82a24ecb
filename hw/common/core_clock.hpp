#pragma once
// The core clock: the same edges as an sc_clock (rising at 0, p, 2p, ..., falling at p/2 +
// k p), and, once gating is enabled, no edges while every clocked process sleeps
// (hw/common/edge_sleep.hpp) and the observer allows it: the clock then stops after a
// falling edge and resumes, on the same grid, at the first rising edge someone needs (a
// sleeper woken by a wire or its timeout, or the observer's next deadline). Time and cycle
// numbers are unchanged: an edge nobody would have acted on is simply not simulated.
#include <cstdint>
#include <functional>

#include <systemc>

namespace skipsim {

class CoreClock;

// The clock wire blocks bind their clk port to; it knows its generator.
class ClockSignal : public sc_core::sc_signal<bool> {
 public:
  ClockSignal(const char* name, CoreClock* owner) : sc_signal<bool>(name), m_owner(owner) {}
  CoreClock* clock() const { return m_owner; }

 private:
  CoreClock* m_owner;
};

class CoreClock : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(CoreClock);
  CoreClock(sc_core::sc_module_name name, const sc_core::sc_time& period);

  ClockSignal& signal() { return m_sig; }
  const sc_core::sc_time& period() const { return m_period; }
  // The cycle number of the rising edge at the current time (1 for the edge at 0).
  uint64_t cycle_now() const { return sc_core::sc_time_stamp().value() / m_period.value() + 1; }

  // Stops the clock while `sleepers` processes sleep and `may_pause` allows it; it returns
  // the latest cycle (a rising edge) the clock must produce, 0 for none.
  void enable_gating(int sleepers, std::function<bool(uint64_t&)> may_pause);
  // Sleepers tell when they start and stop sleeping, and when a sleeper woken between edges
  // needs the next rising edge.
  void sleeper_asleep() { ++m_asleep; }
  void sleeper_awake() { --m_asleep; }
  void demand();
  uint64_t paused_edges() const { return m_paused_edges; }

 private:
  enum class State { kHigh, kLow, kPaused };
  void tick();
  void rise();

  ClockSignal m_sig;
  sc_core::sc_time m_period, m_high_time;
  State m_state = State::kLow;
  bool m_started = false;
  bool m_gating = false, m_demanded = false;
  int m_sleepers = 0, m_asleep = 0;
  std::function<bool(uint64_t&)> m_may_pause;
  sc_core::sc_event m_resume;
  sc_core::sc_time m_paused_at;
  uint64_t m_paused_edges = 0;
};

}  // namespace skipsim
