#pragma once
// Checks of what a wrapped RTL block's own outputs claim, made once per rising edge from the
// pre-edge pin values. A broken claim the run cannot go on from (an occupancy port that
// disagrees with the handshakes, more beats held than the depth) stops the simulation;
// data that moves while nobody may take it is a warning with its first cycle.
#include <cstdint>
#include <string>

#include <fmt/format.h>
#include <systemc>

#include "hw/common/stats.hpp"

namespace skipsim {

class RtlChecked {
 public:
  virtual ~RtlChecked() = default;
  // The broken claim that stopped the run, as one line ("" if none).
  const std::string& rtl_failure() const { return m_failure; }
  // The checks' counts into `node` (README "RTL co-simulation").
  virtual void report_rtl_checks(StatsNode& node) const = 0;

 protected:
  void fail(std::string line) {
    if (!m_failure.empty()) return;
    m_failure = std::move(line);
    sc_core::sc_stop();
  }

 private:
  std::string m_failure;
};

// One output port: its data must hold while valid is low (from the last beat on, as the
// README's stream convention says), and while a beat is on offer and not taken
// (valid/ready: the beat may not change before it moves).
template <class Data>
class OutputHoldCheck {
 public:
  // `hold_while_invalid` false: only the stalled rule (the fork, whose valids are
  // combinational and low while the other branch is not ready, loads its next beat then).
  explicit OutputHoldCheck(bool hold_while_invalid = true) : m_check_invalid(hold_while_invalid) {}
  // `cycle`: the rising edge (1-based) whose pre-edge values these are.
  void sample(uint64_t cycle, bool valid, bool ready, const Data& data) {
    if (m_seen && !(data == m_data)) {
      if (!valid && m_check_invalid)
        count(m_invalid, m_first_invalid, cycle);  // incl. the last beat's value
      if (m_valid && !m_ready) count(m_stalled, m_first_stalled, cycle);
    }
    m_seen = true;
    m_valid = valid;
    m_ready = ready;
    m_data = data;
  }
  void report(StatsNode& n) const {
    n.set("data_changed_while_invalid", m_invalid)
        .set("first_data_changed_while_invalid_cycle", m_first_invalid)
        .set("data_changed_while_stalled", m_stalled)
        .set("first_data_changed_while_stalled_cycle", m_first_stalled);
  }

 private:
  static void count(uint64_t& n, uint64_t& first, uint64_t cycle) {
    if (n++ == 0) first = cycle;
  }
  bool m_check_invalid, m_seen = false, m_valid = false, m_ready = false;
  Data m_data{};
  uint64_t m_invalid = 0, m_first_invalid = 0, m_stalled = 0, m_first_stalled = 0;
};

}  // namespace skipsim
