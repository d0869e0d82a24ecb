#pragma once
// What every SystemC codec on the skip path does around its edge: the stall state of each
// edge (busy when a beat or word moved or the output register loaded; else blocked while a
// result waits at `out`, else starved at `in`) and sleeping through idle edges until `in`
// turns valid or `out` ready (hw/common/edge_sleep.hpp). A codec derives from
// CodecModel<SkipCompressor> or CodecModel<SkipDecompressor> and brackets its edge with
// begin_edge() and end_edge().
#include <cstdint>

#include "hw/common/edge_sleep.hpp"
#include "hw/skip_fifo/skip_codec.hpp"

namespace skipsim {

template <class Base>
class CodecModel : public Base {
 public:
  const StallStats& stall_stats() const override { return m_stats; }
  WaitState wait_state() const override { return m_wait; }
  bool quiescent() const override { return m_wait.kind != WaitState::Kind::kBusy; }
  bool allow_sleep() override {
    m_sleep.want();
    return true;
  }
  void settle() override { m_stats.add_times(m_edge_counts, m_sleep.settle()); }

 protected:
  using Base::Base;

  // First thing at an edge: false when the codec sleeps through it.
  bool begin_edge() {
    if (m_sleep.needs_setup()) {
      m_sleep.watch(this->in.valid->value_changed_event());
      m_sleep.watch(this->out.ready->value_changed_event());
      m_sleep.enable(this->clk);
    }
    uint64_t skipped = 0;
    if (!m_sleep.at_edge(this->clk, skipped)) return false;
    if (skipped) m_stats.add_times(m_edge_counts, skipped);
    m_before = m_stats;
    return true;
  }
  // Last thing at an edge: its state, and sleep when nothing moved and `in.ready` held.
  void end_edge(bool moved, bool ready_changed, bool out_busy, const char* out_waits,
                const char* in_waits) {
    if (moved) {
      ++m_stats.busy;
      m_wait = {WaitState::Kind::kBusy, "", ""};
    } else if (out_busy) {
      ++m_stats.blocked;
      ++m_stats.blocked_on[0];
      m_wait = {WaitState::Kind::kBlocked, "out", out_waits};
    } else {
      ++m_stats.starved;
      ++m_stats.starved_on[0];
      m_wait = {WaitState::Kind::kStarved, "in", in_waits};
    }
    this->record_state(m_wait.kind);
    if (m_sleep.enabled() && !moved && !ready_changed) {
      m_edge_counts = m_stats.since(m_before);
      m_sleep.sleep();
    }
  }

 private:
  StallStats m_stats, m_edge_counts, m_before;
  WaitState m_wait;
  EdgeSleep m_sleep;
};

}  // namespace skipsim
