#include "hw/conv/conv_engine.hpp"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "hw/common/requant.hpp"

namespace skipsim {

namespace {
void put_i32(std::vector<uint8_t>& v, int32_t x) {
  const auto u = static_cast<uint32_t>(x);
  for (int i = 0; i < 4; ++i) v.push_back(static_cast<uint8_t>(u >> (8 * i)));
}
int32_t get_i32(const uint8_t* p) {
  uint32_t u = 0;
  for (int i = 0; i < 4; ++i) u |= static_cast<uint32_t>(p[i]) << (8 * i);
  return static_cast<int32_t>(u);
}
}  // namespace

std::vector<uint8_t> pack_conv_params(int out_c, int in_c, int k, const std::vector<int8_t>& weight,
                                      const std::vector<int32_t>& bias,
                                      const std::vector<int32_t>& mult,
                                      const std::vector<int32_t>& shift) {
  std::vector<uint8_t> v;
  v.reserve(static_cast<size_t>(out_c) * in_c * k * k + 12 * out_c);
  for (int o = 0; o < out_c; ++o)
    for (int ky = 0; ky < k; ++ky)
      for (int kx = 0; kx < k; ++kx)
        for (int ci = 0; ci < in_c; ++ci)
          v.push_back(static_cast<uint8_t>(
              weight[((static_cast<size_t>(o) * in_c + ci) * k + ky) * k + kx]));
  for (int32_t x : bias) put_i32(v, x);
  for (int32_t x : mult) put_i32(v, x);
  for (int32_t x : shift) put_i32(v, x);
  return v;
}

ConvEngine::ConvEngine(sc_core::sc_module_name name, const ConvEngineConfig& cfg, SramBanks& sram)
    : sc_module(name),
      clk("clk"),
      in("in"),
      out("out"),
      m_cfg(cfg),
      m_sram(sram),
      m_lb(cfg.geom, cfg.lanes, sram, std::string(this->name()) + ".line_buffer"),
      m_array(cfg.mac_rows, cfg.mac_cols) {
  m_K = m_lb.window_elems();
  m_k_folds = (m_K + cfg.mac_rows - 1) / cfg.mac_rows;
  m_n_folds = (cfg.out_c + cfg.mac_cols - 1) / cfg.mac_cols;
  m_beats_out = beats_per_pixel(cfg.out_c, cfg.lanes);
  m_oh = cfg.geom.out_h();
  m_ow = cfg.geom.out_w();
  m_param_bytes = static_cast<uint64_t>(cfg.out_c) * m_K + 12ull * cfg.out_c;
  m_param_region = sram.allocate(std::string(this->name()) + ".weights", m_param_bytes);
  m_act.assign(cfg.mac_rows, 0);
  m_slots.assign(cfg.out_queue_pixels, std::vector<int8_t>(cfg.out_c, 0));
  m_slot_last.assign(cfg.out_queue_pixels, false);

  SC_METHOD(on_clock);
  sensitive << clk.pos();
  dont_initialize();
}

void ConvEngine::write_params(uint64_t offset, const uint8_t* src, size_t n) {
  std::memcpy(m_sram.data(m_param_region) + offset, src, n);
  m_sram.count_write(m_param_region, n);
}

void ConvEngine::params_loaded() {
  const uint8_t* p = m_sram.data(m_param_region) + static_cast<size_t>(m_cfg.out_c) * m_K;
  m_bias.resize(m_cfg.out_c);
  m_mult.resize(m_cfg.out_c);
  m_shift.resize(m_cfg.out_c);
  for (int o = 0; o < m_cfg.out_c; ++o) {
    m_bias[o] = get_i32(p + 4 * o);
    m_mult[o] = get_i32(p + 4 * (m_cfg.out_c + o));
    m_shift[o] = get_i32(p + 4 * (2 * m_cfg.out_c + o));
  }
  m_sram.count_read(m_param_region, 12ull * m_cfg.out_c);
  m_params_loaded = true;
}

double ConvEngine::mac_utilization(uint64_t cycles) const {
  if (cycles == 0) return 0.0;
  return static_cast<double>(m_array.useful_macs()) /
         (static_cast<double>(cycles) * m_cfg.mac_rows * m_cfg.mac_cols);
}

void ConvEngine::issue_fold(MacArray::Fold& f) {
  const int nf = m_step / m_k_folds, kf = m_step % m_k_folds;
  const int k0 = kf * m_cfg.mac_rows, n0 = nf * m_cfg.mac_cols;
  f.k_valid = std::min(m_cfg.mac_rows, m_K - k0);
  f.n_valid = std::min(m_cfg.mac_cols, m_cfg.out_c - n0);
  m_lb.gather(m_oy, m_ox, k0, f.k_valid, m_act.data());
  f.act = m_act.data();
  f.weight = reinterpret_cast<const int8_t*>(m_sram.data(m_param_region)) +
             static_cast<size_t>(n0) * m_K + k0;
  f.w_stride = m_K;
  m_sram.count_read(m_param_region, static_cast<uint64_t>(f.k_valid) * f.n_valid);
  f.first = kf == 0;
  f.last = kf == m_k_folds - 1;
  f.bias = m_bias.data() + n0;
  f.tag = m_issue_slot * m_n_folds + nf;
}

void ConvEngine::retire_result() {
  const int slot = m_array.result_tag() / m_n_folds, nf = m_array.result_tag() % m_n_folds;
  const int n0 = nf * m_cfg.mac_cols;
  const int32_t* acc = m_array.result();
  std::vector<int8_t>& px = m_slots[slot];
  for (int c = 0; c < m_array.result_cols(); ++c)
    px[n0 + c] = requant(acc[c], m_mult[n0 + c], m_shift[n0 + c], m_cfg.relu);
  if (nf == m_n_folds - 1) ++m_complete;
}

void ConvEngine::load_out_register(bool fired) {
  if (fired) {
    if (++m_out_beat == m_beats_out) {
      m_out_beat = 0;
      m_head = (m_head + 1) % m_cfg.out_queue_pixels;
      --m_reserved;
      --m_complete;
      ++m_pixels_out;
    }
  }
  if (m_out_busy && !fired) return;  // holds its beat until taken
  if (m_complete == 0) {
    if (m_out_busy) out.idle();
    m_out_busy = false;
    return;
  }
  Beat b;
  const std::vector<int8_t>& px = m_slots[m_head];
  const int c0 = m_out_beat * m_cfg.lanes;
  const int n = std::min(m_cfg.lanes, m_cfg.out_c - c0);
  std::copy(px.begin() + c0, px.begin() + c0 + n, b.lane.begin());
  out.put(b, m_slot_last[m_head] && m_out_beat == m_beats_out - 1);
  m_out_busy = true;
}

void ConvEngine::on_clock() {
  const bool fired = m_out_busy && out.ready.read();
  // The output register loads from pixels completed before this edge.
  load_out_register(fired);

  // The fold whose result leaves the array this cycle was issued latency() cycles ago.
  bool issued = false;
  MacArray::Fold fold;
  WaitState::Kind kind;
  if (!m_params_loaded) {
    kind = WaitState::Kind::kWaitingDram;
  } else if (m_frame == m_cfg.frames) {
    kind = WaitState::Kind::kIdle;
  } else if (!m_lb.window_ready(m_oy, m_ox)) {
    kind = WaitState::Kind::kStarved;
  } else if (m_step == 0 && m_reserved == m_cfg.out_queue_pixels) {
    kind = WaitState::Kind::kBlocked;
  } else {
    if (m_step == 0) {
      m_issue_slot = (m_head + m_reserved) % m_cfg.out_queue_pixels;
      ++m_reserved;
      m_slot_last[m_issue_slot] = m_oy == m_oh - 1 && m_ox == m_ow - 1;
    }
    issue_fold(fold);
    issued = true;
    kind = WaitState::Kind::kBusy;
  }
  if (m_array.cycle(issued ? &fold : nullptr)) retire_result();
  if (issued && ++m_step == m_k_folds * m_n_folds) {
    m_step = 0;
    m_lb.retire(m_oy, m_ox);
    if (++m_ox == m_ow) {
      m_ox = 0;
      if (++m_oy == m_oh) {
        m_oy = 0;
        ++m_frame;
      }
    }
  }

  if (in.fire()) m_lb.push_beat(in.data.read());
  in.ready.write(m_lb.can_accept());
  line_buffer_probe.set(m_lb.pixels_held());
  out_queue_probe.set(static_cast<uint64_t>(m_reserved));

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
    case WaitState::Kind::kWaitingDram:
      ++m_stats.waiting_dram;
      break;
    case WaitState::Kind::kIdle:
      ++m_stats.idle;
      break;
  }
}

WaitState ConvEngine::wait_state() const {
  WaitState w;
  w.kind = m_last_kind;
  switch (m_last_kind) {
    case WaitState::Kind::kStarved: {
      const uint64_t need = m_lb.last_needed(m_oy, m_ox);
      const uint64_t px = static_cast<uint64_t>(m_cfg.geom.h) * m_cfg.geom.w;
      w.port = "in";
      w.detail = fmt::format("output ({},{}) needs input pixel ({},{}), has {} of {}", m_oy, m_ox,
                             (need % px) / m_cfg.geom.w, need % m_cfg.geom.w,
                             m_lb.pixels_received() % px, px);
      break;
    }
    case WaitState::Kind::kBlocked:
      w.port = "out";
      w.detail =
          fmt::format("output queue full ({}/{} pixels)", m_reserved, m_cfg.out_queue_pixels);
      break;
    case WaitState::Kind::kWaitingDram:
      w.detail = "weights not loaded";
      break;
    default:
      break;
  }
  return w;
}

}  // namespace skipsim
