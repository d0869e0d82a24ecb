#include "hw/conv/conv_engine.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>

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
      m_array(cfg.mac_rows, cfg.mac_cols, cfg.dataflow, false, cfg.model) {
  m_K = m_lb.window_elems();
  m_out_bytes = cfg.raw_int32 ? 4 * cfg.out_c : cfg.out_c;
  m_beats_out = beats_per_pixel(m_out_bytes, cfg.lanes);
  m_oh = cfg.geom.out_h();
  m_ow = cfg.geom.out_w();
  m_tile_max = max_tile_pixels(cfg);
  m_queue_pixels = 2 * m_tile_max;
  m_param_bytes =
      static_cast<uint64_t>(cfg.out_c) * m_K + (cfg.raw_int32 ? 4ull : 12ull) * cfg.out_c;
  m_param_region = sram.allocate(std::string(this->name()) + ".weights", m_param_bytes);
  m_a.assign(static_cast<size_t>(m_tile_max) * m_K, 0);
  m_acc.assign(static_cast<size_t>(m_tile_max) * cfg.out_c, 0);
  m_slots.assign(m_queue_pixels, std::vector<int8_t>(m_out_bytes, 0));
  m_slot_last.assign(m_queue_pixels, false);

  SC_METHOD(on_clock);
  sensitive << clk.pos();
  dont_initialize();
}

void ConvEngine::set_datapath(std::unique_ptr<ArrayDatapath> d) {
  if (m_array.model() != ArrayModel::kPe)
    throw std::logic_error("conv engine: an array datapath needs the PE model");
  m_datapath = std::move(d);
}

void ConvEngine::write_params(uint64_t offset, const uint8_t* src, size_t n) {
  std::memcpy(m_sram.data(m_param_region) + offset, src, n);
  m_sram.count_write(m_param_region, n);
}

void ConvEngine::params_loaded() {
  const uint8_t* p = m_sram.data(m_param_region) + static_cast<size_t>(m_cfg.out_c) * m_K;
  m_bias.resize(m_cfg.out_c);
  for (int o = 0; o < m_cfg.out_c; ++o) m_bias[o] = get_i32(p + 4 * o);
  if (!m_cfg.raw_int32) {
    m_mult.resize(m_cfg.out_c);
    m_shift.resize(m_cfg.out_c);
    for (int o = 0; o < m_cfg.out_c; ++o) {
      m_mult[o] = get_i32(p + 4 * (m_cfg.out_c + o));
      m_shift[o] = get_i32(p + 4 * (2 * m_cfg.out_c + o));
    }
  }
  m_sram.count_read(m_param_region, (m_cfg.raw_int32 ? 4ull : 12ull) * m_cfg.out_c);
  m_params_loaded = true;
}

int default_tile_pixels(Dataflow d, int rows, int cols) {
  switch (d) {
    case Dataflow::kWs:
      return 4 * rows;
    case Dataflow::kOs:
      return rows;
    case Dataflow::kIs:
      return cols;
  }
  return rows;
}

uint64_t ConvEngine::tile_cycles(int pixels) const {
  return static_cast<uint64_t>(skipsim_closed_form_cycles(
             m_cfg.dataflow, m_cfg.mac_rows, m_cfg.mac_cols, pixels, m_cfg.out_c, m_K)) +
         1;
}

double ConvEngine::mac_utilization(uint64_t cycles) const {
  if (cycles == 0) return 0.0;
  return static_cast<double>(m_useful_macs) /
         (static_cast<double>(cycles) * m_cfg.mac_rows * m_cfg.mac_cols);
}

void ConvEngine::report(StatsNode& node) const {
  HwBlock::report(node);
  node.set("cycles_per_pixel", cycles_per_pixel())
      .set("pixels_out", pixels_out())
      .set("dataflow", dataflow_name(m_cfg.dataflow))
      .set("tile_pixels", tile_pixels())
      .set("tiles", tiles())
      .set("folds", folds())
      .set("useful_macs", useful_macs())
      .set("mac_array_impl", m_datapath ? "rtl" : "systemc")
      .set("mac_array_model", std::string(enum_name(m_array.model())));
  if (m_datapath) {
    node.set("rtl_mismatched_cycles", m_datapath->mismatched_cycles())
        .set("rtl_first_mismatch", m_datapath->first_mismatch());
  }
  node.set("line_buffer_pixels", m_lb.capacity_pixels());
}

int max_tile_pixels(const ConvEngineConfig& cfg) {
  const int t = cfg.tile_pixels > 0 ? cfg.tile_pixels
                                    : default_tile_pixels(cfg.dataflow, cfg.mac_rows, cfg.mac_cols);
  return std::min(cfg.geom.out_w(), t);
}

int tile_pixels_at(const ConvGeometry& g, int tile_max, int oy, int ox) {
  int n = std::min(tile_max, g.out_w() - ox);
  const uint64_t first = g.first_pixel(oy, ox), cap = static_cast<uint64_t>(g.k) * g.w;
  while (n > 1 && g.last_pixel(oy, ox + n - 1) - first + 1 > cap) --n;
  return n;
}

int ConvEngine::next_tile_pixels() const {
  return tile_pixels_at(m_cfg.geom, m_tile_max, m_oy, m_ox);
}

void ConvEngine::start_tile(int pixels) {
  m_tile_n = pixels;
  m_tile_slot = (m_head + m_reserved) % m_queue_pixels;
  m_reserved += pixels;
  for (int i = 0; i < pixels; ++i) {
    m_lb.gather(m_oy, m_ox + i, 0, m_K, &m_a[static_cast<size_t>(i) * m_K]);
    m_slot_last[(m_tile_slot + i) % m_queue_pixels] = m_oy == m_oh - 1 && m_ox + i == m_ow - 1;
  }
  GemmOperands g;
  g.m = pixels, g.n = m_cfg.out_c, g.k = m_K;
  g.a = m_a.data(), g.a_si = m_K, g.a_sj = 1;
  // weight[o][e] is B(e, o).
  g.b = reinterpret_cast<const int8_t*>(m_sram.data(m_param_region));
  g.b_si = 1, g.b_sj = m_K;
  g.bias = m_bias.data();
  g.out = m_acc.data();
  m_array.start(g);
  if (m_datapath) m_datapath->start(m_array, g);
  m_read_b = 0;
}

void ConvEngine::finish_tile() {
  const int n = m_cfg.out_c;
  for (int i = 0; i < m_tile_n; ++i) {
    std::vector<int8_t>& px = m_slots[(m_tile_slot + i) % m_queue_pixels];
    const int32_t* acc = &m_acc[static_cast<size_t>(i) * n];
    if (m_cfg.raw_int32) {
      for (int c = 0; c < n; ++c)
        for (int byte = 0; byte < 4; ++byte)
          px[4 * c + byte] = static_cast<int8_t>(static_cast<uint32_t>(acc[c]) >> (8 * byte));
    } else {
      for (int c = 0; c < n; ++c) px[c] = requant(acc[c], m_mult[c], m_shift[c], m_cfg.relu);
    }
  }
  m_complete += m_tile_n;
  const SystolicStats& st = m_array.stats();
  ++m_tiles;
  m_folds += st.folds;
  m_useful_macs += st.useful_macs;
  m_lb.retire(m_oy, m_ox + m_tile_n - 1);
  m_ox += m_tile_n;
  if (m_ox == m_ow) {
    m_ox = 0;
    if (++m_oy == m_oh) {
      m_oy = 0;
      ++m_frame;
    }
  }
  m_tile_n = 0;
}

bool ConvEngine::load_out_register(bool fired) {
  if (fired) {
    if (++m_out_beat == m_beats_out) {
      m_out_beat = 0;
      m_head = (m_head + 1) % m_queue_pixels;
      --m_reserved;
      --m_complete;
      ++m_pixels_out;
    }
  }
  if (m_out_busy && !fired) return false;  // holds its beat until taken
  if (m_complete == 0) {
    const bool dropped = m_out_busy;
    if (m_out_busy) out.idle();
    m_out_busy = false;
    return dropped;
  }
  Beat b;
  const std::vector<int8_t>& px = m_slots[m_head];
  const int c0 = m_out_beat * m_cfg.lanes;
  const int n = std::min(m_cfg.lanes, m_out_bytes - c0);
  std::copy(px.begin() + c0, px.begin() + c0 + n, b.lane.begin());
  out.put(b, m_slot_last[m_head] && m_out_beat == m_beats_out - 1);
  m_out_busy = true;
  return true;
}

void ConvEngine::setup_sleep() {
  m_sleep.watch(in.valid->value_changed_event());
  m_sleep.watch(in.ready->value_changed_event());
  m_sleep.watch(out.valid->value_changed_event());
  m_sleep.watch(out.ready->value_changed_event());
  m_sleep.enable(clk);
}

void ConvEngine::replay(uint64_t edges) {
  if (edges == 0) return;
  m_stats.add_times(m_edge_counts, edges);
  if (m_array.busy()) m_array.skip_steps(edges);
}

void ConvEngine::on_clock() {
  if (m_sleep.needs_setup()) setup_sleep();
  uint64_t skipped = 0;
  if (!m_sleep.at_edge(clk, skipped)) return;
  replay(skipped);
  const StallStats before = m_stats;
  const bool fired = m_out_busy && out.ready.read();
  // The output register loads from pixels completed before this edge.
  const bool out_changed = load_out_register(fired);
  bool done = false;

  WaitState::Kind kind;
  if (m_array.busy()) {
    kind = WaitState::Kind::kBusy;
  } else if (!m_params_loaded) {
    kind = WaitState::Kind::kWaitingDram;
  } else if (m_frame == m_cfg.frames) {
    kind = WaitState::Kind::kIdle;
  } else {
    const int n = next_tile_pixels();
    if (!m_lb.window_ready(m_oy, m_ox + n - 1)) {
      kind = WaitState::Kind::kStarved;
    } else if (m_reserved + n > m_queue_pixels) {
      kind = WaitState::Kind::kBlocked;
    } else {
      start_tile(n);
      kind = WaitState::Kind::kBusy;
    }
  }
  if (kind == WaitState::Kind::kBusy) {
    done = m_array.step();
    if (m_datapath) {
      m_datapath->cycle(m_array);
      if (done) m_datapath->finish(m_acc.data());
    }
    // SRAM traffic as the array's feeders read it.
    const SystolicStats& st = m_array.stats();
    m_sram.count_read(m_param_region, st.filter_reads - m_read_b);
    m_read_b = st.filter_reads;
    if (done) finish_tile();
  }

  const bool took = in.fire();
  if (took) m_lb.push_beat(in.data.read());
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
  // Until a wire changes, the next edges repeat this one: nothing moved, no DRAM load is
  // under way (params_loaded comes from the DMA, not a wire), and a running tile only
  // counts down (the tile model; the PE model and an RTL datapath step every cycle).
  if (!m_sleep.enabled() || out_changed || took || done || kind == WaitState::Kind::kWaitingDram)
    return;
  m_edge_counts = m_stats.since(before);
  if (kind != WaitState::Kind::kBusy) {
    m_sleep.sleep();
  } else if (m_array.model() == ArrayModel::kTile && !m_datapath && m_array.steps_left() > 1) {
    m_sleep.sleep(m_array.steps_left() - 1);
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
      w.detail = fmt::format("output queue full ({}/{} pixels, next tile {})", m_reserved,
                             m_queue_pixels, next_tile_pixels());
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
