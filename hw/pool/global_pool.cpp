#include "hw/pool/global_pool.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "hw/common/errors.hpp"
#include "hw/common/requant.hpp"

namespace skipsim {

void check_global_pool_config(const GlobalPoolConfig& cfg) {
  if (cfg.h < 1 || cfg.w < 1 || cfg.c < 1 || cfg.frames < 1)
    throw InputError(
        fmt::format("global pool: input {}x{}x{} ({} frames); allowed: every size >= 1", cfg.h,
                    cfg.w, cfg.c, cfg.frames));
  if (cfg.lanes < 1 || cfg.lanes > kMaxLanes)
    throw InputError(fmt::format("global pool: lanes {}; allowed: 1 to {}", cfg.lanes, kMaxLanes));
  if (cfg.mult < 0 || cfg.shift < 1 || cfg.shift > 62)
    throw InputError(
        fmt::format("global pool: mult {} shift {}; allowed: mult in [0, 2^31-1], shift in [1, 62]",
                    cfg.mult, cfg.shift));
}

GlobalPool::GlobalPool(sc_core::sc_module_name name, const GlobalPoolConfig& cfg)
    : sc_module(name),
      clk("clk"),
      in("in"),
      out("out"),
      m_cfg((check_global_pool_config(cfg), cfg)),
      m_bpp(beats_per_pixel(cfg.c, cfg.lanes)),
      m_frame_beats(static_cast<uint64_t>(cfg.h) * cfg.w * m_bpp),
      m_acc(static_cast<size_t>(cfg.c), 0) {
  SC_METHOD(on_clock);
  sensitive << clk.pos();
  dont_initialize();
}

uint64_t GlobalPool::unstalled_last_edge(uint64_t e0) const {
  return e0 + (static_cast<uint64_t>(m_cfg.h) * m_cfg.w + 1) * m_bpp;
}

void GlobalPool::on_clock() {
  if (m_sleep.needs_setup()) {
    m_sleep.watch(in.valid->value_changed_event());
    m_sleep.watch(in.ready->value_changed_event());
    m_sleep.watch(out.valid->value_changed_event());
    m_sleep.watch(out.ready->value_changed_event());
    m_sleep.enable(clk);
  }
  uint64_t skipped = 0;
  if (!m_sleep.at_edge(clk, skipped)) return;
  m_stats.add_times(m_edge_counts, skipped);
  const StallStats before = m_stats;
  const bool fired = m_out_busy && out.ready.read();
  if (fired) {
    m_out_busy = false;
    if (m_out_last_of_pixel) ++m_pixels_out;
  }

  WaitState::Kind kind;
  bool loaded = false;
  if (m_draining) {
    if (m_out_busy) {
      kind = WaitState::Kind::kBlocked;
    } else {
      kind = WaitState::Kind::kBusy;
      Beat b;
      const int c0 = m_out_beat * m_cfg.lanes;
      const int n = std::min(m_cfg.lanes, m_cfg.c - c0);
      for (int i = 0; i < n; ++i)
        b.lane[i] = requant(m_acc[c0 + i], m_cfg.mult, m_cfg.shift, false);
      m_out_last_of_pixel = ++m_out_beat == m_bpp;
      out.put(b, m_out_last_of_pixel);
      m_out_busy = loaded = true;
      if (m_out_last_of_pixel) {
        std::fill(m_acc.begin(), m_acc.end(), 0);
        m_out_beat = 0;
        m_draining = false;
        ++m_frame;
      }
    }
  } else if (m_frame == m_cfg.frames) {
    kind = m_out_busy ? WaitState::Kind::kBlocked : WaitState::Kind::kIdle;
  } else {
    // Summing does not need the output register: without a beat it is starved.
    kind = in.fire() ? WaitState::Kind::kBusy : WaitState::Kind::kStarved;
  }
  if (fired && !loaded) out.idle();

  const bool took = in.fire();
  if (took) {
    // ready is low while draining, so a beat that transfers is always summed.
    const Beat b = in.data.read();
    const int c0 = static_cast<int>(m_rx % m_bpp) * m_cfg.lanes;
    const int n = std::min(m_cfg.lanes, m_cfg.c - c0);
    for (int i = 0; i < n; ++i)
      m_acc[c0 + i] = static_cast<int32_t>(static_cast<uint32_t>(m_acc[c0 + i]) +
                                           static_cast<uint32_t>(int32_t{b.lane[i]}));
    if (++m_rx == m_frame_beats) {
      m_rx = 0;
      m_draining = true;
    }
  }
  in.ready.write(!m_draining && m_frame < m_cfg.frames);
  m_moved = fired || took || loaded;

  m_last_kind = kind;
  record_state(kind);
  switch (kind) {
    case WaitState::Kind::kBusy:
      ++m_stats.busy;
      break;
    case WaitState::Kind::kStarved:
      ++m_stats.starved;
      ++m_stats.starved_on[0];
      break;
    case WaitState::Kind::kBlocked:
      ++m_stats.blocked;
      ++m_stats.blocked_on[0];
      break;
    default:
      ++m_stats.idle;
      break;
  }
  // Nothing moved: the next edges repeat this one until a wire changes.
  if (m_sleep.enabled() && !m_moved) {
    m_edge_counts = m_stats.since(before);
    m_sleep.sleep();
  }
}

WaitState GlobalPool::wait_state() const {
  WaitState w;
  w.kind = m_last_kind;
  if (m_last_kind == WaitState::Kind::kStarved) {
    w.port = "in";
    w.detail = fmt::format("summed {} of {} beats", m_rx, m_frame_beats);
  } else if (m_last_kind == WaitState::Kind::kBlocked) {
    w.port = "out";
    w.detail = "output register full";
  }
  return w;
}

void GlobalPool::report(StatsNode& node) const {
  HwBlock::report(node);
  node.set("pixels_out", pixels_out()).set("accumulator_bytes", accumulator_bytes());
}

}  // namespace skipsim
