#include "hw/pool/max_pool.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "hw/common/errors.hpp"

namespace skipsim {

void check_max_pool_config(const MaxPoolConfig& cfg) {
  if (cfg.h < 1 || cfg.w < 1 || cfg.c < 1 || cfg.frames < 1)
    throw InputError(fmt::format("max pool: input {}x{}x{} ({} frames); allowed: every size >= 1",
                                 cfg.h, cfg.w, cfg.c, cfg.frames));
  if (cfg.lanes < 1 || cfg.lanes > kMaxLanes)
    throw InputError(fmt::format("max pool: lanes {}; allowed: 1 to {}", cfg.lanes, kMaxLanes));
  if (cfg.k < 1 || cfg.stride < 1 || cfg.pad < 0 || 2 * cfg.pad >= cfg.k + (cfg.k % 2 == 0))
    throw InputError(fmt::format(
        "max pool: window k {} stride {} pad {}; allowed: k >= 1, stride >= 1, 0 <= pad with "
        "2*pad < k (2*pad <= k for an even k)",
        cfg.k, cfg.stride, cfg.pad));
  if (cfg.out_h() < 1 || cfg.out_w() < 1)
    throw InputError(fmt::format("max pool: a {}x{} window (pad {}) does not fit a {}x{} input",
                                 cfg.k, cfg.k, cfg.pad, cfg.h, cfg.w));
}

std::vector<uint64_t> max_pool_unstalled_output_edges(const MaxPoolConfig& cfg, uint64_t e0) {
  const ConvGeometry g = cfg.geometry();
  const uint64_t bpp = static_cast<uint64_t>(beats_per_pixel(cfg.c, cfg.lanes));
  const uint64_t frame_px = static_cast<uint64_t>(cfg.h) * cfg.w;
  std::vector<uint64_t> edges;
  uint64_t load = 0;  // edge of the previous output beat's load
  for (int f = 0; f < cfg.frames; ++f)
    for (int oy = 0; oy < g.out_h(); ++oy)
      for (int ox = 0; ox < g.out_w(); ++ox) {
        const uint64_t last = f * frame_px + g.last_pixel(oy, ox);
        const uint64_t ready = e0 + (last + 1) * bpp - 1 + 1;
        for (uint64_t b = 0; b < bpp; ++b) {
          load = std::max(ready, load + 1);
          edges.push_back(load + 1);
        }
      }
  return edges;
}

MaxPool::MaxPool(sc_core::sc_module_name name, const MaxPoolConfig& cfg, SramBanks& sram)
    : sc_module(name),
      clk("clk"),
      in("in"),
      out("out"),
      m_cfg((check_max_pool_config(cfg), cfg)),
      m_g(cfg.geometry()),
      m_lb(m_g, cfg.lanes, sram, std::string(this->name()) + ".line_buffer"),
      m_bpp(beats_per_pixel(cfg.c, cfg.lanes)),
      m_oh(m_g.out_h()),
      m_ow(m_g.out_w()),
      m_tmp(static_cast<size_t>(cfg.lanes)) {
  SC_METHOD(on_clock);
  sensitive << clk.pos();
  dont_initialize();
}

void MaxPool::reduce(Beat& b) {
  const int c0 = m_out_beat * m_cfg.lanes;
  const int n = std::min(m_cfg.lanes, m_cfg.c - c0);
  const int y0 = m_oy * m_g.stride - m_g.pad(), x0 = m_ox * m_g.stride - m_g.pad();
  int8_t* acc = reinterpret_cast<int8_t*>(b.lane.data());
  std::fill(acc, acc + n, static_cast<int8_t>(-128));
  for (int ky = 0; ky < m_g.k; ++ky) {
    if (y0 + ky < 0 || y0 + ky >= m_g.h) continue;
    for (int kx = 0; kx < m_g.k; ++kx) {
      if (x0 + kx < 0 || x0 + kx >= m_g.w) continue;
      m_lb.gather(m_oy, m_ox, (ky * m_g.k + kx) * m_g.c + c0, n, m_tmp.data());
      for (int i = 0; i < n; ++i) acc[i] = std::max(acc[i], m_tmp[i]);
    }
  }
}

void MaxPool::on_clock() {
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
    if (m_out_beat == 0) ++m_pixels_out;  // the beat that left ended a pixel
  }

  WaitState::Kind kind;
  if (m_out_busy) {
    kind = WaitState::Kind::kBlocked;
  } else if (m_frame == m_cfg.frames) {
    kind = WaitState::Kind::kIdle;
  } else if (!m_lb.window_ready(m_oy, m_ox)) {
    kind = WaitState::Kind::kStarved;
  } else {
    kind = WaitState::Kind::kBusy;
    Beat b;
    reduce(b);
    const bool pixel_done = ++m_out_beat == m_bpp;
    out.put(b, pixel_done && m_oy == m_oh - 1 && m_ox == m_ow - 1);
    m_out_busy = true;
    if (pixel_done) {
      m_out_beat = 0;
      m_lb.retire(m_oy, m_ox);
      if (++m_ox == m_ow) {
        m_ox = 0;
        if (++m_oy == m_oh) {
          m_oy = 0;
          ++m_frame;
        }
      }
    }
  }
  if (fired && !m_out_busy) out.idle();

  const bool took = in.fire();
  if (took) m_lb.push_beat(in.data.read());
  in.ready.write(m_lb.can_accept());
  line_buffer_probe.set(m_lb.pixels_held());
  m_moved = fired || took || kind == WaitState::Kind::kBusy;

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

WaitState MaxPool::wait_state() const {
  WaitState w;
  w.kind = m_last_kind;
  if (m_last_kind == WaitState::Kind::kStarved) {
    const uint64_t need = m_lb.last_needed(m_oy, m_ox);
    const uint64_t px = static_cast<uint64_t>(m_g.h) * m_g.w;
    w.port = "in";
    w.detail = fmt::format("output ({},{}) needs input pixel ({},{}), has {} of {}", m_oy, m_ox,
                           (need % px) / m_g.w, need % m_g.w, m_lb.pixels_received() % px, px);
  } else if (m_last_kind == WaitState::Kind::kBlocked) {
    w.port = "out";
    w.detail = "output register full";
  }
  return w;
}

void MaxPool::report(StatsNode& node) const {
  HwBlock::report(node);
  node.set("pixels_out", pixels_out())
      .set("line_buffer_pixels", m_lb.capacity_pixels())
      .set("line_buffer_bytes", line_buffer_bytes());
}

}  // namespace skipsim
