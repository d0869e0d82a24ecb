#include "tb/top/fused_pipeline.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include <fmt/format.h>

#include "hw/common/errors.hpp"
#include "tb/top/block_factory.hpp"

namespace skipsim {

namespace {
uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }
}  // namespace

std::string fused_prefix(const std::string& block_name) {
  std::string p = block_name;
  std::replace(p.begin(), p.end(), '.', '_');
  return p;
}

FusedStage::FusedStage(sc_core::sc_module_name name, const Config& cfg, const FusedBlock& block,
                       SramBanks& sram)
    : sc_module(name), m_prefix(basename()) {
  const auto& hw = cfg.hardware;
  const BlockDescription& d = block.desc;
  const auto& mac = hw.mac_array;
  for (const ConvStage& s : d.main)
    m_main.push_back(
        std::make_unique<ConvEngine>(s.name.c_str(), conv_engine_config(cfg, s), sram));
  if (d.skip)
    m_skip_conv =
        std::make_unique<ConvEngine>(d.skip->name.c_str(), conv_engine_config(cfg, *d.skip), sram);
  for (ConvEngine* e : engines())
    if (auto dp = make_mac_datapath(mac.impl, mac.rows, mac.cols, mac.dataflow))
      e->set_datapath(std::move(dp));
  const uint64_t depth =
      block.skip_depth > 0 ? block.skip_depth : static_cast<uint64_t>(hw.skip_fifo.depth);
  m_skip_fifo = make_skip_fifo("skip_fifo", hw.skip_fifo.impl, depth, hw.stream.lanes, sram);
  m_fork = make_fork("fork", hw.fork.impl, hw.stream.lanes);
  m_add = make_add("add", hw.add.impl, add_config(d.add, hw.stream.lanes));

  // Streams inside the stage: signals named in this module's scope, stream and block names
  // prefixed with the stage's for the monitor and the reports.
  const StreamMaker make = [this](const std::string& n, const std::string& p, const std::string& pp,
                                  const std::string& c, const std::string& cp) -> Stream& {
    m_streams.push_back(std::make_unique<Stream>(n));
    Stream& s = *m_streams.back();
    s.name = m_prefix + "." + n;
    s.producer = m_prefix + "." + p;
    s.producer_port = pp;
    s.consumer = m_prefix + "." + c;
    s.consumer_port = cp;
    return s;
  };
  std::vector<std::pair<ConvEngine*, std::string>> main, skip;
  for (size_t i = 0; i < m_main.size(); ++i)
    main.emplace_back(m_main[i].get(), d.main[i].out_stream);
  if (m_skip_conv) skip.emplace_back(m_skip_conv.get(), d.skip->out_stream);
  m_add->main.bind(
      wire_stage_chain(m_fork->main, "fork", "main", "fork_main", main, "add", "main", make));
  m_skip_fifo->in.bind(
      wire_stage_chain(m_fork->skip, "fork", "skip", "fork_skip", skip, "skip_fifo", "in", make));
  m_add->skip.bind(
      wire_stage_chain(m_skip_fifo->out, "skip_fifo", "out", "skip_out", {}, "add", "skip", make));
}

FusedStage::~FusedStage() = default;

std::vector<ConvEngine*> FusedStage::engines() const {
  std::vector<ConvEngine*> v;
  for (const auto& e : m_main) v.push_back(e.get());
  if (m_skip_conv) v.push_back(m_skip_conv.get());
  return v;
}

std::vector<HwBlock*> FusedStage::blocks() const {
  std::vector<HwBlock*> v{m_fork.get()};
  for (ConvEngine* e : engines()) v.push_back(e);
  v.push_back(m_skip_fifo.get());
  v.push_back(m_add.get());
  return v;
}

void FusedStage::bind_clock(ClockSignal& clk) {
  m_fork->clk.bind(clk);
  for (ConvEngine* e : engines()) e->clk.bind(clk);
  m_skip_fifo->clk.bind(clk);
  m_add->clk.bind(clk);
}

FusedPipeline::FusedPipeline(sc_core::sc_module_name name, const Config& cfg,
                             const std::vector<FusedBlock>& blocks, const Tensor8& input)
    : sc_module(name),
      m_clk("clk", sc_core::sc_time(std::round(1000.0 / cfg.hardware.clock_ghz), sc_core::SC_PS)) {
  const auto& hw = cfg.hardware;
  if (blocks.empty()) throw InputError("fused pipeline: no blocks; allowed: one or more");
  if (hw.skip_fifo.policy == SkipPolicy::kSpill)
    throw InputError(
        "fused pipeline: hardware.skip_fifo.policy spill is not supported (the skip FIFOs stay "
        "on chip); allowed: block");
  int h = input.h, w = input.w, c = input.c;
  for (const FusedBlock& b : blocks) {
    const BlockDescription& d = b.desc;
    if (d.in_h != h || d.in_w != w || d.in_c != c)
      throw InputError(fmt::format(
          "fused pipeline: block {} takes {}x{}x{}, but its input stream carries {}x{}x{}", b.name,
          d.in_h, d.in_w, d.in_c, h, w, c));
    h = d.out_h(), w = d.out_w(), c = d.out_c();
  }
  m_out_h = h, m_out_w = w, m_out_c = c;
  m_sram = std::make_unique<SramBanks>(hw.sram.banks, hw.sram.bank_bytes, hw.sram.width_bytes,
                                       hw.sram.dual_port);
  m_sram->defer_capacity_check();  // one message naming every region
  for (const FusedBlock& b : blocks)
    m_stages.push_back(std::make_unique<FusedStage>(fused_prefix(b.name).c_str(), cfg, b, *m_sram));
  m_sram->check_capacity(
      "raise hardware.sram.bank_bytes or hardware.sram.banks (a fused pipeline holds every "
      "block's weights, line buffers and skip FIFO at once), or fuse fewer blocks");
  build_dram(cfg, blocks, input);
  build_dma(cfg, input);

  // dma_read -> stage 0 -> ... -> stage n-1 -> dma_write.
  Stream* s = &top_stream("input", "dma_read", m_stages[0]->prefix() + ".fork");
  m_dma_read->out.bind(*s);
  for (size_t i = 0; i < m_stages.size(); ++i) {
    FusedStage& st = *m_stages[i];
    st.fork().in.bind(*s);
    const bool last = i + 1 == m_stages.size();
    s = &top_stream(last ? "output" : st.prefix() + "_out", st.prefix() + ".add",
                    last ? "dma_write" : m_stages[i + 1]->prefix() + ".fork");
    st.add().out.bind(*s);
  }
  m_dma_write->in.bind(*s);

  build_monitor(cfg);
  m_dma_read->clk.bind(m_clk.signal());
  m_dma_write->clk.bind(m_clk.signal());
  for (auto& st : m_stages) st->bind_clock(m_clk.signal());
  m_monitor->clk.bind(m_clk.signal());
}

FusedPipeline::~FusedPipeline() = default;

void FusedPipeline::build_dram(const Config& cfg, const std::vector<FusedBlock>& blocks,
                               const Tensor8& input) {
  // Input, each engine's parameters (stage order, as engines()), output; 4 KiB aligned.
  std::vector<std::vector<uint8_t>> blobs;
  for (const FusedBlock& b : blocks)
    for (const ConvStage* s : b.desc.stages()) {
      const ConvParams& p = s->params;
      blobs.push_back(pack_conv_params(p.out_c, p.in_c, p.k, p.weight, p.bias, p.mult, p.shift));
    }
  uint64_t at = align_up(input.data.size(), 4096);
  for (const auto& b : blobs) {
    m_layout.params.push_back(at);
    at = align_up(at + b.size(), 4096);
  }
  m_layout.output = at;
  at = align_up(at + static_cast<uint64_t>(m_out_h) * m_out_w * m_out_c, 4096);
  m_layout.size = at;
  m_dram = make_dram(cfg, m_layout.size, &m_ddr);
  std::memcpy(m_dram->memory() + m_layout.input, input.data.data(), input.data.size());
  for (size_t i = 0; i < blobs.size(); ++i)
    std::memcpy(m_dram->memory() + m_layout.params[i], blobs[i].data(), blobs[i].size());
}

void FusedPipeline::build_dma(const Config& cfg, const Tensor8& input) {
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
  m_dma_write->set_stream_job(m_layout.output, static_cast<uint64_t>(m_out_h) * m_out_w, m_out_c,
                              lanes, w.frames);
  m_dma_read->socket.bind(m_dram->socket);
  m_dma_write->socket.bind(m_dram->socket);
}

void FusedPipeline::build_monitor(const Config& cfg) {
  uint64_t max_tile = 0;
  for (ConvEngine* e : engines()) max_tile = std::max(max_tile, e->tile_cycles(e->tile_pixels()));
  m_deadlock_window = cfg.sim.deadlock_window > 0 ? static_cast<uint64_t>(cfg.sim.deadlock_window)
                                                  : derived_deadlock_window(cfg, max_tile);
  const uint64_t floor = longest_healthy_gap(cfg, max_tile) + 1;
  if (m_deadlock_window < floor)
    throw InputError(fmt::format(
        "sim.deadlock_window: {} cycles is shorter than this pipeline can go without a transfer "
        "while healthy ({} cycles); give 0 (derived: {}) or at least {}",
        m_deadlock_window, floor - 1, derived_deadlock_window(cfg, max_tile), floor));
  std::vector<Stream*> sp;
  for (auto& s : m_streams) sp.push_back(s.get());
  for (auto& st : m_stages)
    for (auto& s : st->streams()) sp.push_back(s.get());
  m_monitor = std::make_unique<Monitor>("monitor", sp, m_deadlock_window,
                                        static_cast<uint64_t>(cfg.sim.max_cycles));
  m_monitor->set_finished_probe([this] { return m_dma_write->finished(); });
  m_monitor->set_blocks(blocks());
  m_dma_read->set_activity_counter(m_monitor->activity_counter());
  m_dma_write->set_activity_counter(m_monitor->activity_counter());
}

Stream& FusedPipeline::top_stream(const std::string& name, const std::string& producer,
                                  const std::string& consumer) {
  m_streams.push_back(std::make_unique<Stream>(name));
  Stream& s = *m_streams.back();
  s.producer = producer;
  s.producer_port = "out";
  s.consumer = consumer;
  s.consumer_port = "in";
  return s;
}

std::vector<ConvEngine*> FusedPipeline::engines() const {
  std::vector<ConvEngine*> v;
  for (const auto& st : m_stages)
    for (ConvEngine* e : st->engines()) v.push_back(e);
  return v;
}

std::vector<HwBlock*> FusedPipeline::blocks() const {
  std::vector<HwBlock*> v{m_dma_read.get()};
  for (const auto& st : m_stages)
    for (HwBlock* b : st->blocks()) v.push_back(b);
  v.push_back(m_dma_write.get());
  return v;
}

Tensor8 FusedPipeline::read_output() const {
  Tensor8 t(m_out_h, m_out_w, m_out_c);
  std::memcpy(t.data.data(), m_dram->memory() + m_layout.output, t.data.size());
  return t;
}

}  // namespace skipsim
