#include "tb/top/chain_pipeline.hpp"

#include <cmath>
#include <cstring>

#include <fmt/format.h>

#include "tb/top/block_factory.hpp"

namespace skipsim {

namespace {
uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }
}  // namespace

ChainPipeline::ChainPipeline(sc_core::sc_module_name name, const Config& cfg,
                             const ChainDescription& chain, const Tensor8& input)
    : sc_module(name),
      m_clk("clk", sc_core::sc_time(std::round(1000.0 / cfg.hardware.clock_ghz), sc_core::SC_PS)),
      m_out(chain.out_shape()) {
  if (chain.stages.empty()) throw InputError("chain pipeline: no stages; allowed: at least one");
  if (input.h != chain.in_h || input.w != chain.in_w || input.c != chain.in_c)
    throw InputError(fmt::format("chain pipeline: input {}x{}x{}, the description expects {}x{}x{}",
                                 input.h, input.w, input.c, chain.in_h, chain.in_w, chain.in_c));
  const auto& hw = cfg.hardware;
  m_sram = std::make_unique<SramBanks>(hw.sram.banks, hw.sram.bank_bytes, hw.sram.width_bytes,
                                       hw.sram.dual_port);
  m_sram->defer_capacity_check();
  const auto blobs = build_stages(cfg, chain);
  m_sram->check_capacity("raise hardware.sram.bank_bytes or hardware.sram.banks");
  plan_dram(cfg, input, blobs);
  build_dram(cfg, input, blobs);
  build_dma(cfg, input);
  wire_streams(chain);
  build_monitor(cfg);
  m_dma_read->clk.bind(m_clk.signal());
  m_dma_write->clk.bind(m_clk.signal());
  for (Stage& s : m_stages) s.clk->bind(m_clk.signal());
  m_monitor->clk.bind(m_clk.signal());
}

ChainPipeline::~ChainPipeline() = default;

std::vector<std::vector<uint8_t>> ChainPipeline::build_stages(const Config& cfg,
                                                              const ChainDescription& d) {
  const auto& hw = cfg.hardware;
  const int lanes = hw.stream.lanes, frames = cfg.workload.frames;
  std::vector<std::vector<uint8_t>> blobs;
  for (const ChainStage& cs : d.stages) {
    Stage st;
    const char* name = stage_name(cs).c_str();
    if (const auto* c = std::get_if<ConvStage>(&cs)) {
      auto e = std::make_unique<ConvEngine>(name, conv_engine_config(cfg, *c), *m_sram);
      const ConvParams& p = c->params;
      blobs.push_back(pack_conv_params(p.out_c, p.in_c, p.k, p.weight, p.bias, p.mult, p.shift));
      st = {e.get(), e.get(), &e->in, &e->out, &e->clk, e.get()};
      m_modules.push_back(std::move(e));
    } else if (const auto* f = std::get_if<FcStage>(&cs)) {
      FcConfig fc;
      fc.in_f = f->params.in_f;
      fc.out_f = f->params.out_f;
      fc.lanes = lanes;
      fc.mac_rows = hw.mac_array.rows;
      fc.mac_cols = hw.mac_array.cols;
      fc.dataflow = hw.mac_array.dataflow;
      fc.model = hw.mac_array.impl == Impl::kRtl ? ArrayModel::kPe : hw.mac_array.model;
      fc.frames = frames;
      auto e = std::make_unique<FcEngine>(name, fc, *m_sram);
      blobs.push_back(pack_fc_params(fc.out_f, fc.in_f, f->params.weight, f->params.bias));
      st = {e.get(), e.get(), &e->in, &e->out, &e->clk, e.get()};
      m_modules.push_back(std::move(e));
    } else if (const auto* p = std::get_if<MaxPoolStage>(&cs)) {
      MaxPoolConfig mc;
      mc.h = p->in_h, mc.w = p->in_w, mc.c = p->in_c;
      mc.k = p->params.k, mc.stride = p->params.stride, mc.pad = p->params.pad;
      mc.lanes = lanes;
      mc.frames = frames;
      auto e = std::make_unique<MaxPool>(name, mc, *m_sram);
      st = {e.get(), e.get(), &e->in, &e->out, &e->clk, nullptr};
      m_modules.push_back(std::move(e));
    } else {
      const auto& g = std::get<GlobalPoolStage>(cs);
      GlobalPoolConfig gc;
      gc.h = g.in_h, gc.w = g.in_w, gc.c = g.in_c;
      gc.mult = g.params.mult, gc.shift = g.params.shift;
      gc.lanes = lanes;
      gc.frames = frames;
      auto e = std::make_unique<GlobalPool>(name, gc);
      st = {e.get(), e.get(), &e->in, &e->out, &e->clk, nullptr};
      m_modules.push_back(std::move(e));
    }
    m_stages.push_back(st);
  }
  const auto& mac = hw.mac_array;
  for (ConvEngine* e : engines())
    if (auto dp = make_mac_datapath(mac.impl, mac.rows, mac.cols, mac.dataflow))
      e->set_datapath(std::move(dp));
  return blobs;
}

void ChainPipeline::plan_dram(const Config& cfg, const Tensor8& input,
                              const std::vector<std::vector<uint8_t>>& blobs) {
  const auto frames = static_cast<uint64_t>(cfg.workload.frames);
  uint64_t at = align_up(input.data.size(), 4096);
  for (const auto& b : blobs) {
    m_layout.params.push_back(at);
    at = align_up(at + b.size(), 4096);
  }
  m_layout.output = at;
  at = align_up(at + frames * m_out.h * m_out.w * m_out.bytes, 4096);
  m_layout.size = at;
}

void ChainPipeline::build_dram(const Config& cfg, const Tensor8& input,
                               const std::vector<std::vector<uint8_t>>& blobs) {
  m_dram = make_dram(cfg, m_layout.size, &m_ddr);
  std::memcpy(m_dram->memory() + m_layout.input, input.data.data(), input.data.size());
  for (size_t i = 0; i < blobs.size(); ++i)
    std::memcpy(m_dram->memory() + m_layout.params[i], blobs[i].data(), blobs[i].size());
}

void ChainPipeline::build_dma(const Config& cfg, const Tensor8& input) {
  const auto& hw = cfg.hardware;
  const int burst = hw.dram.burst_bytes, lanes = hw.stream.lanes;
  const WorkloadConfig& w = cfg.workload;
  m_dma_read = std::make_unique<DmaRead>("dma_read", hw.dma.max_outstanding, burst);
  m_dma_write = std::make_unique<DmaWrite>("dma_write", hw.dma.max_outstanding, burst,
                                           static_cast<uint64_t>(hw.dma.max_outstanding) * burst);
  if (cfg.sim.output_stall_probability > 0)
    m_dma_write->set_stall_injection(cfg.sim.output_stall_probability,
                                     w.seed * 0x9E3779B97F4A7C15ull + 1);
  const std::vector<ConvEngine*> eng = engines();
  for (size_t i = 0; i < eng.size(); ++i) m_dma_read->add_param_job(m_layout.params[i], eng[i]);
  TensorStreamShape in_shape;
  in_shape.pixels = static_cast<uint64_t>(input.h) * input.w;
  in_shape.channels = input.c;
  in_shape.lanes = lanes;
  in_shape.frames = w.frames;
  m_dma_read->add_stream_job(m_layout.input, in_shape);
  if (w.input_rate < 1.0 || w.input_stall_probability > 0)
    m_dma_read->set_throttle(w.input_rate, w.input_stall_probability,
                             w.seed * 0xD1B54A32D192ED03ull + 7);
  m_dma_write->set_stream_job(m_layout.output, static_cast<uint64_t>(m_out.h) * m_out.w,
                              m_out.bytes, lanes, w.frames);
  m_dma_read->socket.bind(m_dram->socket);
  m_dma_write->socket.bind(m_dram->socket);
}

void ChainPipeline::wire_streams(const ChainDescription& d) {
  StreamOut* o = &m_dma_read->out;
  std::string name = "input", producer = "dma_read";
  for (size_t i = 0; i < m_stages.size(); ++i) {
    Stage& st = m_stages[i];
    Stream& s = stream(name, producer, "out", st.block->block_name(), "in");
    o->bind(s);
    st.in->bind(s);
    o = st.out;
    producer = st.block->block_name();
    name = i + 1 == m_stages.size() ? "output" : stage_out_stream(d.stages[i]);
  }
  Stream& s = stream(name, producer, "out", "dma_write", "in");
  o->bind(s);
  m_dma_write->in.bind(s);
}

void ChainPipeline::build_monitor(const Config& cfg) {
  uint64_t max_tile = 0;
  for (ConvEngine* e : engines()) max_tile = std::max(max_tile, e->tile_cycles(e->tile_pixels()));
  // A global pool drains for a frame's worth of beats with nothing downstream moving.
  for (const Stage& st : m_stages)
    if (auto* g = dynamic_cast<GlobalPool*>(st.block)) {
      const GlobalPoolConfig& gc = g->config();
      max_tile = std::max<uint64_t>(
          max_tile, static_cast<uint64_t>(gc.h) * gc.w * beats_per_pixel(gc.c, gc.lanes));
    }
  m_deadlock_window = cfg.sim.deadlock_window > 0 ? static_cast<uint64_t>(cfg.sim.deadlock_window)
                                                  : derived_deadlock_window(cfg, max_tile);
  const uint64_t floor = longest_healthy_gap(cfg, max_tile) + 1;
  if (m_deadlock_window < floor)
    throw InputError(fmt::format(
        "sim.deadlock_window: {} cycles is shorter than this chain can go without a transfer "
        "while healthy ({} cycles: three tiles or a global pool drain of the slowest stage and "
        "the worst DRAM wait); give 0 (derived: {}) or at least {}",
        m_deadlock_window, floor - 1, derived_deadlock_window(cfg, max_tile), floor));
  std::vector<Stream*> sp;
  for (auto& s : m_streams) sp.push_back(s.get());
  m_monitor = std::make_unique<Monitor>("monitor", sp, m_deadlock_window,
                                        static_cast<uint64_t>(cfg.sim.max_cycles));
  m_monitor->set_finished_probe([this] { return m_dma_write->finished(); });
  m_monitor->set_blocks(blocks());
  m_dma_read->set_activity_counter(m_monitor->activity_counter());
  m_dma_write->set_activity_counter(m_monitor->activity_counter());
}

Stream& ChainPipeline::stream(const std::string& name, const std::string& producer,
                              const std::string& pport, const std::string& consumer,
                              const std::string& cport) {
  return add_stream(m_streams, name, producer, pport, consumer, cport);
}

std::vector<ConvEngine*> ChainPipeline::engines() const {
  std::vector<ConvEngine*> v;
  for (const Stage& s : m_stages)
    if (s.engine) v.push_back(s.engine);
  return v;
}

std::vector<HwBlock*> ChainPipeline::blocks() const {
  std::vector<HwBlock*> v{m_dma_read.get()};
  for (const Stage& s : m_stages) v.push_back(s.block);
  v.push_back(m_dma_write.get());
  return v;
}

Tensor8 ChainPipeline::read_output() const {
  Tensor8 t(m_out.h, m_out.w, m_out.bytes);
  std::memcpy(t.data.data(), m_dram->memory() + m_layout.output, t.data.size());
  return t;
}

std::vector<int32_t> ChainPipeline::read_logits() const {
  const Tensor8 t = read_output();
  std::vector<int32_t> v(t.data.size() / 4);
  for (size_t o = 0; o < v.size(); ++o) {
    uint32_t u = 0;
    for (int b = 0; b < 4; ++b)
      u |= static_cast<uint32_t>(static_cast<uint8_t>(t.data[4 * o + b])) << (8 * b);
    v[o] = static_cast<int32_t>(u);
  }
  return v;
}

}  // namespace skipsim
