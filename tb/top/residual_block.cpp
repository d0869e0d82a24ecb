#include "tb/top/residual_block.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include <fmt/format.h>

#ifdef SKIPSIM_HAVE_RTL
#include "hw/rtl/rtl_mac_array.hpp"
#include "hw/rtl/rtl_skip_fifo.hpp"
#include "hw/rtl/rtl_stream_blocks.hpp"
#endif
#include "hw/common/errors.hpp"

namespace skipsim {

namespace {
// A block asked for as RTL: the build must have it, for the configured stream width.
void require_rtl(const char* key, int lanes) {
#ifdef SKIPSIM_HAVE_RTL
  if (lanes != SKIPSIM_RTL_LANES)
    throw InputError(fmt::format(
        "config error: {}: rtl is built for {} lanes, hardware.stream.lanes is {} (rebuild with "
        "-DSKIPSIM_RTL_LANES={})",
        key, SKIPSIM_RTL_LANES, lanes, lanes));
#else
  (void)lanes;
  throw InputError(
      fmt::format("config error: {}: rtl needs a build with Verilator (-DSKIPSIM_RTL=ON)", key));
#endif
}

uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }

ConvEngineConfig engine_config(const Config& cfg, int h, int w, const ConvParams& p) {
  ConvEngineConfig e;
  e.geom = {h, w, p.in_c, p.k, p.stride};
  e.out_c = p.out_c;
  e.relu = p.relu;
  e.lanes = cfg.hardware.stream.lanes;
  e.mac_rows = cfg.hardware.mac_array.rows;
  e.mac_cols = cfg.hardware.mac_array.cols;
  e.dataflow = cfg.hardware.mac_array.dataflow;
  e.tile_pixels = cfg.hardware.mac_array.tile_pixels;
  e.frames = cfg.workload.frames;
  return e;
}
}  // namespace

uint64_t spill_ring_bytes(const Config& cfg) {
  const auto burst = static_cast<uint64_t>(cfg.hardware.dram.burst_bytes);
  if (cfg.hardware.skip_fifo.spill_ring_bytes > 0)
    return static_cast<uint64_t>(cfg.hardware.skip_fifo.spill_ring_bytes);
  // Two frames of the skip tensor, in whole bursts of whole beats: the FIFO never holds
  // more than a frame and a few rows.
  const WorkloadConfig& w = cfg.workload;
  const bool down = w.block == BlockKind::kDownsample;
  const uint64_t oh = down ? (w.h - 1) / 2 + 1 : w.h, ow = down ? (w.w - 1) / 2 + 1 : w.w;
  const int lanes = cfg.hardware.stream.lanes;
  const uint64_t beats = oh * ow * beats_per_pixel(w.out_channels, lanes);
  const uint64_t bpb = std::max<uint64_t>(1, burst / static_cast<uint64_t>(lanes));
  return std::max<uint64_t>(2, 2 * ((beats + bpb - 1) / bpb)) * burst;
}

uint64_t derived_deadlock_window(const Config& cfg, uint64_t max_tile_cycles) {
  const auto& d = cfg.hardware.dram;
  double dram_ns;
  if (d.model == DramModel::kDdr) {
    // Every queued request a row conflict in one bank, behind a refresh.
    const DdrConfig dc = ddr_config_of(cfg);
    const double per_req = dc.trc() + dc.tRCD + dc.CL + dc.data_cycles();
    dram_ns = (dc.tRFC + (dc.read_queue + dc.write_queue) * per_req) * dc.tck_ns();
  } else {
    // A request may wait behind a full controller queue: latency plus queue_depth bursts
    // on the data bus.
    dram_ns = d.latency_ns + d.queue_depth *
                                 std::ceil(static_cast<double>(d.burst_bytes) / d.bytes_per_cycle) /
                                 d.clock_ghz;
  }
  const auto dram_cycles = static_cast<uint64_t>(std::ceil(dram_ns * cfg.hardware.clock_ghz));
  // An engine can compute a whole tile (and its queue holds two) with no stream moving.
  const uint64_t engine = 3 * max_tile_cycles;
  return 4 * (engine + dram_cycles) + 256;
}

ResidualBlock::ResidualBlock(sc_core::sc_module_name name, const Config& cfg,
                             const BlockParams& params, const CosimOptions& cosim)
    : sc_module(name),
      m_period_ns(1.0 / cfg.hardware.clock_ghz),
      m_clk("clk", sc_core::sc_time(std::round(1000.0 / cfg.hardware.clock_ghz), sc_core::SC_PS)) {
  const auto& hw = cfg.hardware;
  const int lanes = hw.stream.lanes;
  const Tensor8& x = params.input;
  const bool down = params.kind == BlockKind::kDownsample;

  if (!hw.sram.dual_port && hw.skip_fifo.impl == Impl::kRtl)
    throw InputError(
        "config error: hardware.sram.dual_port: false (1RW banks) is modelled by the SystemC "
        "skip FIFO only; hardware.skip_fifo.impl: rtl needs dual_port: true");
  m_sram = std::make_unique<SramBanks>(hw.sram.banks, hw.sram.bank_bytes, hw.sram.width_bytes,
                                       hw.sram.dual_port);

  // Engines allocate their line buffers and weights, then the skip FIFO its storage.
  m_conv1 =
      std::make_unique<ConvEngine>("conv1", engine_config(cfg, x.h, x.w, params.conv1), *m_sram);
  const int h1 = params.conv1.out_size(x.h), w1 = params.conv1.out_size(x.w);
  m_conv2 =
      std::make_unique<ConvEngine>("conv2", engine_config(cfg, h1, w1, params.conv2), *m_sram);
  if (down) {
    m_skip_conv = std::make_unique<ConvEngine>("skip_conv",
                                               engine_config(cfg, x.h, x.w, *params.skip), *m_sram);
  }
  if (hw.mac_array.impl == Impl::kRtl) {
#ifdef SKIPSIM_HAVE_RTL
    // The engines' arrays compute on the Verilated RTL, sequenced by the C++ model.
    for (ConvEngine* e : {m_conv1.get(), m_conv2.get(), m_skip_conv.get()}) {
      if (!e) continue;
      auto rtl =
          make_builtin_mac_array(hw.mac_array.rows, hw.mac_array.cols, hw.mac_array.dataflow);
      e->set_datapath(make_rtl_datapath(std::move(rtl)));
    }
#else
    throw InputError(
        "config error: hardware.mac_array.impl: rtl needs a build with Verilator "
        "(-DSKIPSIM_RTL=ON)");
#endif
  }
  m_out_h = params.conv2.out_size(h1);
  m_out_w = params.conv2.out_size(w1);
  m_out_c = params.conv2.out_c;

  // DRAM: input, each engine's parameters, output; 4 KiB aligned.
  std::vector<std::vector<uint8_t>> blobs;
  blobs.push_back(pack_conv_params(params.conv1.out_c, params.conv1.in_c, params.conv1.k,
                                   params.conv1.weight, params.conv1.bias, params.conv1.mult,
                                   params.conv1.shift));
  blobs.push_back(pack_conv_params(params.conv2.out_c, params.conv2.in_c, params.conv2.k,
                                   params.conv2.weight, params.conv2.bias, params.conv2.mult,
                                   params.conv2.shift));
  if (down) {
    const ConvParams& s = *params.skip;
    blobs.push_back(pack_conv_params(s.out_c, s.in_c, s.k, s.weight, s.bias, s.mult, s.shift));
  }
  uint64_t at = align_up(x.data.size(), 4096);
  for (const auto& b : blobs) {
    m_layout.params.push_back(at);
    at = align_up(at + b.size(), 4096);
  }
  m_layout.output = at;
  at = align_up(at + static_cast<uint64_t>(m_out_h) * m_out_w * m_out_c, 4096);
  if (hw.skip_fifo.policy == SkipPolicy::kSpill) {
    m_layout.spill_ring = at;
    m_layout.spill_ring_bytes = spill_ring_bytes(cfg);
    at = align_up(at + m_layout.spill_ring_bytes, 4096);
  }
  m_layout.size = at;

  if (hw.skip_fifo.impl == Impl::kRtl) {
    require_rtl("hardware.skip_fifo.impl", lanes);
#ifdef SKIPSIM_HAVE_RTL
    // The RTL keeps its own storage; the same SRAM is reserved so capacity checks agree.
    const int data =
        m_sram->allocate("top.skip_fifo.data", static_cast<uint64_t>(hw.skip_fifo.depth) * lanes);
    const int last = m_sram->allocate("top.skip_fifo.last", (hw.skip_fifo.depth + 7) / 8);
    m_skip_fifo = make_rtl_skip_fifo("skip_fifo", hw.skip_fifo.depth);
    m_skip_fifo->own_sram_regions(*m_sram, {data, last});
#endif
  } else if (hw.skip_fifo.policy == SkipPolicy::kSpill) {
    SpillConfig sc;
    sc.depth = static_cast<uint64_t>(hw.skip_fifo.depth);
    sc.lanes = lanes;
    sc.burst_bytes = hw.dram.burst_bytes;
    sc.ring_base = m_layout.spill_ring;
    sc.ring_bytes = m_layout.spill_ring_bytes;
    const uint64_t bpb = std::max(1, hw.dram.burst_bytes / lanes);
    if (sc.depth < bpb)
      throw InputError(fmt::format(
          "config error: hardware.skip_fifo.depth: policy spill fills whole DRAM bursts back on "
          "chip, so depth must be at least burst_bytes / lanes = {} beats, got {}",
          bpb, sc.depth));
    m_dma_skip = std::make_unique<DmaSkip>("dma_skip", hw.dma.max_outstanding, hw.dram.burst_bytes);
    auto f = std::make_unique<SpillSkipFifo>("skip_fifo", sc, *m_sram, *m_dma_skip);
    m_spill_fifo = f.get();
    m_skip_fifo = std::move(f);
  } else {
    m_skip_fifo = std::make_unique<SkipFifo>("skip_fifo", hw.skip_fifo.depth, lanes, *m_sram);
  }
  if (hw.fork.impl == Impl::kRtl) {
    require_rtl("hardware.fork.impl", lanes);
#ifdef SKIPSIM_HAVE_RTL
    m_fork = std::make_unique<RtlFork>("fork");
#endif
  } else {
    m_fork = std::make_unique<Fork>("fork");
  }
  AddConfig ac;
  ac.mult_main = params.add.mult_main;
  ac.mult_skip = params.add.mult_skip;
  ac.shift = params.add.shift;
  ac.lanes = lanes;
  if (hw.add.impl == Impl::kRtl) {
    require_rtl("hardware.add.impl", lanes);
#ifdef SKIPSIM_HAVE_RTL
    m_add = std::make_unique<RtlAdd>("add", ac);
#endif
  } else {
    m_add = std::make_unique<Add>("add", ac);
  }

  if (hw.dram.model == DramModel::kDdr) {
    auto d = std::make_unique<DramController>("dram", ddr_config_of(cfg), m_layout.size);
    m_ddr = d.get();
    m_dram = std::move(d);
  } else {
    SimpleDramConfig dc;
    dc.clock_ghz = hw.dram.clock_ghz;
    dc.latency_ns = hw.dram.latency_ns;
    dc.bytes_per_cycle = hw.dram.bytes_per_cycle;
    dc.queue_depth = hw.dram.queue_depth;
    m_dram = std::make_unique<SimpleDram>("dram", dc, m_layout.size);
  }
  std::memcpy(m_dram->memory() + m_layout.input, x.data.data(), x.data.size());
  for (size_t i = 0; i < blobs.size(); ++i)
    std::memcpy(m_dram->memory() + m_layout.params[i], blobs[i].data(), blobs[i].size());

  const int burst = hw.dram.burst_bytes;
  m_dma_read = std::make_unique<DmaRead>("dma_read", hw.dma.max_outstanding, burst);
  m_dma_write = std::make_unique<DmaWrite>("dma_write", hw.dma.max_outstanding, burst,
                                           static_cast<uint64_t>(hw.dma.max_outstanding) * burst);
  if (cfg.sim.output_stall_probability > 0)
    m_dma_write->set_stall_injection(cfg.sim.output_stall_probability,
                                     cfg.workload.seed * 0x9E3779B97F4A7C15ull + 1);
  std::vector<ConvEngine*> eng = engines();
  for (size_t i = 0; i < eng.size(); ++i) m_dma_read->add_param_job(m_layout.params[i], eng[i]);
  TensorStreamShape in_shape;
  in_shape.pixels = static_cast<uint64_t>(x.h) * x.w;
  in_shape.channels = x.c;
  in_shape.lanes = lanes;
  in_shape.frames = cfg.workload.frames;
  m_dma_read->add_stream_job(m_layout.input, in_shape);
  if (cfg.workload.input_rate < 1.0 || cfg.workload.input_stall_probability > 0)
    m_dma_read->set_throttle(cfg.workload.input_rate, cfg.workload.input_stall_probability,
                             cfg.workload.seed * 0xD1B54A32D192ED03ull + 7);
  m_dma_write->set_stream_job(m_layout.output, static_cast<uint64_t>(m_out_h) * m_out_w, m_out_c,
                              lanes, cfg.workload.frames);
  m_dma_read->socket.bind(m_dram->socket);
  m_dma_write->socket.bind(m_dram->socket);
  if (m_dma_skip) {
    m_dma_skip->socket.bind(m_dram->socket);
    m_dma_skip->clk.bind(m_clk);
  }

  // Streams.
  m_dma_read->out.bind(stream("input", "dma_read", "out", "fork", "in"));
  m_fork->in.bind(*m_streams.back());
  m_fork->main.bind(stream("fork_main", "fork", "main", "conv1", "in"));
  m_conv1->in.bind(*m_streams.back());
  m_conv1->out.bind(stream("conv1_out", "conv1", "out", "conv2", "in"));
  m_conv2->in.bind(*m_streams.back());
  m_conv2->out.bind(stream("conv2_out", "conv2", "out", "add", "main"));
  m_add->main.bind(*m_streams.back());
  if (down) {
    m_fork->skip.bind(stream("fork_skip", "fork", "skip", "skip_conv", "in"));
    m_skip_conv->in.bind(*m_streams.back());
    m_skip_conv->out.bind(stream("skip_proj", "skip_conv", "out", "skip_fifo", "in"));
    m_skip_fifo->in.bind(*m_streams.back());
  } else {
    m_fork->skip.bind(stream("fork_skip", "fork", "skip", "skip_fifo", "in"));
    m_skip_fifo->in.bind(*m_streams.back());
  }
  m_skip_fifo->out.bind(stream("skip_out", "skip_fifo", "out", "add", "skip"));
  m_add->skip.bind(*m_streams.back());
  m_add->out.bind(stream("output", "add", "out", "dma_write", "in"));
  m_dma_write->in.bind(*m_streams.back());

  uint64_t max_tile = 0;
  for (ConvEngine* e : eng) max_tile = std::max(max_tile, e->tile_cycles(e->tile_pixels()));
  m_deadlock_window = cfg.sim.deadlock_window > 0 ? static_cast<uint64_t>(cfg.sim.deadlock_window)
                                                  : derived_deadlock_window(cfg, max_tile);
  std::vector<Stream*> sp;
  for (auto& s : m_streams) sp.push_back(s.get());
  m_monitor = std::make_unique<Monitor>("monitor", sp, m_deadlock_window,
                                        static_cast<uint64_t>(cfg.sim.max_cycles));
  m_monitor->set_finished_probe([this] { return m_dma_write->finished(); });
  m_monitor->set_blocks(blocks());
  m_dma_read->set_activity_counter(m_monitor->activity_counter());
  m_dma_write->set_activity_counter(m_monitor->activity_counter());
  if (m_dma_skip) m_dma_skip->set_activity_counter(m_monitor->activity_counter());

  m_dma_read->clk.bind(m_clk);
  m_dma_write->clk.bind(m_clk);
  m_fork->clk.bind(m_clk);
  for (ConvEngine* e : eng) e->clk.bind(m_clk);
  m_skip_fifo->clk.bind(m_clk);
  m_add->clk.bind(m_clk);
  m_monitor->clk.bind(m_clk);
  if (!cosim.module.empty()) attach_cosim(cfg, cosim);
}

Stream& ResidualBlock::stream_named(const std::string& name) {
  for (auto& s : m_streams)
    if (s->name == name) return *s;
  throw std::logic_error("no stream " + name);
}

sc_core::sc_signal<bool>& ResidualBlock::shadow_bool(const std::string& name) {
  m_shadow_bools.push_back(std::make_unique<sc_core::sc_signal<bool>>(("rtl_" + name).c_str()));
  return *m_shadow_bools.back();
}

sc_core::sc_signal<Beat>& ResidualBlock::shadow_beat(const std::string& name) {
  m_shadow_beats.push_back(std::make_unique<sc_core::sc_signal<Beat>>(("rtl_" + name).c_str()));
  return *m_shadow_beats.back();
}

// The RTL twin reads the same input pins as the pipeline's SystemC block and drives shadow
// wires; the lock-step checker compares every output pin of the two.
void ResidualBlock::attach_cosim(const Config& cfg, const CosimOptions& cosim) {
  const int lanes = cfg.hardware.stream.lanes;
  const std::string& m = cosim.module;
  const bool rtl_in_pipeline = (m == "skip_fifo" && cfg.hardware.skip_fifo.impl == Impl::kRtl) ||
                               (m == "fork" && cfg.hardware.fork.impl == Impl::kRtl) ||
                               (m == "add" && cfg.hardware.add.impl == Impl::kRtl);
  if (m != "skip_fifo" && m != "fork" && m != "add")
    throw InputError(fmt::format("--cosim: unknown block '{}' (allowed: skip_fifo, fork, add)", m));
  if (rtl_in_pipeline)
    throw InputError(fmt::format(
        "--cosim {0}: compares the SystemC {0} with its RTL; leave hardware.{0}.impl at systemc",
        m));
  require_rtl("--cosim", lanes);
#ifdef SKIPSIM_HAVE_RTL
  m_lockstep = std::make_unique<Lockstep>("lockstep", m, lanes);
  m_lockstep->clk.bind(m_clk);
  Lockstep& ls = *m_lockstep;
  // Wires an input port of the twin to the pipeline's stream, its ready to a shadow.
  auto twin_in = [&](StreamIn& p, Stream& s, const std::string& pin) {
    p.valid.bind(s.valid);
    p.data.bind(s.data);
    p.last.bind(s.last);
    sc_core::sc_signal<bool>& r = shadow_bool(pin + "_ready");
    p.ready.bind(r);
    ls.add_pin(pin + "_ready", s.ready, r);
  };
  auto twin_out = [&](StreamOut& p, Stream& s, const std::string& pin) {
    p.ready.bind(s.ready);
    sc_core::sc_signal<bool>& v = shadow_bool(pin + "_valid");
    sc_core::sc_signal<bool>& l = shadow_bool(pin + "_last");
    sc_core::sc_signal<Beat>& d = shadow_beat(pin + "_data");
    p.valid.bind(v);
    p.last.bind(l);
    p.data.bind(d);
    ls.add_pin(pin + "_valid", s.valid, v);
    ls.add_pin(pin + "_last", s.last, l);
    ls.add_data(pin + "_data", s.data, d);
  };
  if (m == "skip_fifo") {
    const uint64_t depth = cfg.hardware.skip_fifo.depth;
    std::unique_ptr<SkipFifoBase> f = cosim.skip_fifo_rtl
                                          ? cosim.skip_fifo_rtl("skip_fifo_rtl", depth)
                                          : make_rtl_skip_fifo("skip_fifo_rtl", depth);
    f->clk.bind(m_clk);
    twin_in(f->in, stream_named(m_skip_conv ? "skip_proj" : "fork_skip"), "in");
    twin_out(f->out, stream_named("skip_out"), "out");
    m_shadow = std::move(f);
  } else if (m == "fork") {
    auto f = std::make_unique<RtlFork>("fork_rtl");
    f->clk.bind(m_clk);
    twin_in(f->in, stream_named("input"), "in");
    twin_out(f->main, stream_named("fork_main"), "main");
    twin_out(f->skip, stream_named("fork_skip"), "skip");
    m_shadow = std::move(f);
  } else {
    AddConfig ac;
    const auto* a = dynamic_cast<const Add*>(m_add.get());
    ac = a->config();
    auto f = std::make_unique<RtlAdd>("add_rtl", ac);
    f->clk.bind(m_clk);
    twin_in(f->main, stream_named("conv2_out"), "main");
    twin_in(f->skip, stream_named("skip_out"), "skip");
    twin_out(f->out, stream_named("output"), "out");
    m_shadow = std::move(f);
  }
#endif
}

ResidualBlock::~ResidualBlock() = default;

Stream& ResidualBlock::stream(const std::string& name, const std::string& producer,
                              const std::string& pport, const std::string& consumer,
                              const std::string& cport) {
  m_streams.push_back(std::make_unique<Stream>(name));
  Stream& s = *m_streams.back();
  s.producer = producer;
  s.producer_port = pport;
  s.consumer = consumer;
  s.consumer_port = cport;
  return s;
}

std::vector<ConvEngine*> ResidualBlock::engines() const {
  std::vector<ConvEngine*> v{m_conv1.get(), m_conv2.get()};
  if (m_skip_conv) v.push_back(m_skip_conv.get());
  return v;
}

std::vector<HwBlock*> ResidualBlock::blocks() const {
  std::vector<HwBlock*> v{m_dma_read.get(), m_fork.get(), m_conv1.get(), m_conv2.get()};
  if (m_skip_conv) v.push_back(m_skip_conv.get());
  v.push_back(m_skip_fifo.get());
  v.push_back(m_add.get());
  v.push_back(m_dma_write.get());
  return v;
}

Tensor8 ResidualBlock::read_output() const {
  Tensor8 t(m_out_h, m_out_w, m_out_c);
  std::memcpy(t.data.data(), m_dram->memory() + m_layout.output, t.data.size());
  return t;
}

}  // namespace skipsim
