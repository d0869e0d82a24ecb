#include "tb/top/residual_block.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include <fmt/format.h>

#include "tb/ref/block_params.hpp"
#include "tb/top/block_factory.hpp"
#include "tb/top/codec_factory.hpp"

namespace skipsim {

namespace {

uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }

// What to change when the regions do not fit: the bank size that would hold them at this
// bank count, and the skip FIFO's share (the one region sized by a key of its own).
std::string sram_advice(const SramBanks& sram, const HardwareConfig& hw) {
  const int entry = skip_entry_bytes(hw);
  const bool spill = hw.skip_fifo.policy == SkipPolicy::kSpill && hw.skip_fifo.impl != Impl::kRtl;
  const uint64_t fifo =
      skip_fifo_storage(hw.skip_fifo.depth, entry,
                        spill ? spill_staging_beats(hw.dram.burst_bytes, entry) : 0)
          .sram_bytes(sram.width_bytes());
  const uint64_t banks = static_cast<uint64_t>(sram.banks());
  return fmt::format(
      "raise hardware.sram.bank_bytes (to at least {} at {} banks) or hardware.sram.banks, or "
      "lower hardware.skip_fifo.depth ({} entries take {} B)",
      (sram.used() + banks - 1) / banks, banks, hw.skip_fifo.depth, fifo);
}

}  // namespace

AddConfig add_config(const AddParams& a, int lanes) {
  AddConfig ac;
  ac.mult_main = a.mult_main;
  ac.mult_skip = a.mult_skip;
  ac.shift = a.shift;
  ac.lanes = lanes;
  return ac;
}

std::unique_ptr<DramTarget> make_dram(const Config& cfg, uint64_t size, DramController** ddr) {
  const auto& d = cfg.hardware.dram;
  *ddr = nullptr;
  if (d.model == DramModel::kDdr) {
    auto c = std::make_unique<DramController>("dram", ddr_config_of(cfg), size);
    *ddr = c.get();
    return c;
  }
  SimpleDramConfig dc;
  dc.clock_ghz = d.clock_ghz;
  dc.latency_ns = d.latency_ns;
  dc.bytes_per_cycle = d.bytes_per_cycle;
  dc.queue_depth = d.queue_depth;
  return std::make_unique<SimpleDram>("dram", dc, size);
}

Stream& wire_stage_chain(StreamOut& out, const std::string& from, const std::string& from_port,
                         std::string name,
                         const std::vector<std::pair<ConvEngine*, std::string>>& stages,
                         const std::string& to, const std::string& to_port,
                         const StreamMaker& stream) {
  StreamOut* o = &out;
  std::string producer = from, pport = from_port;
  for (const auto& [e, out_name] : stages) {
    Stream& s = stream(name, producer, pport, e->block_name(), "in");
    o->bind(s);
    e->in.bind(s);
    o = &e->out;
    producer = e->block_name();
    pport = "out";
    name = out_name;
  }
  Stream& s = stream(name, producer, pport, to, to_port);
  o->bind(s);
  return s;
}

ConvEngineConfig conv_engine_config(const Config& cfg, const ConvStage& s) {
  const ConvParams& p = s.params;
  ConvEngineConfig e;
  e.geom = {s.in_h, s.in_w, p.in_c, p.k, p.stride, p.padding};
  e.out_c = p.out_c;
  e.relu = p.relu;
  e.lanes = cfg.hardware.stream.lanes;
  e.mac_rows = cfg.hardware.mac_array.rows;
  e.mac_cols = cfg.hardware.mac_array.cols;
  e.dataflow = cfg.hardware.mac_array.dataflow;
  e.model =
      cfg.hardware.mac_array.impl == Impl::kRtl ? ArrayModel::kPe : cfg.hardware.mac_array.model;
  e.tile_pixels = cfg.hardware.mac_array.tile_pixels;
  e.frames = cfg.workload.frames;
  return e;
}

uint64_t spill_ring_bytes(const Config& cfg) {
  const auto burst = static_cast<uint64_t>(cfg.hardware.dram.burst_bytes);
  if (cfg.hardware.skip_fifo.spill_ring_bytes > 0)
    return static_cast<uint64_t>(cfg.hardware.skip_fifo.spill_ring_bytes);
  // Two frames of the skip tensor (incompressible, when compressed), in whole bursts of
  // whole entries: the FIFO never holds more than a frame and a few rows.
  const WorkloadConfig& w = cfg.workload;
  const BlockShape shape = block_shape(w);
  const uint64_t oh = shape.out_h(), ow = shape.out_w();
  const uint64_t beats = oh * ow * beats_per_pixel(w.out_channels, cfg.hardware.stream.lanes);
  const uint64_t entries = skip_worst_entries(cfg.hardware, beats);
  const int entry = skip_entry_bytes(cfg.hardware);
  const uint64_t bpb = spill_beats_per_burst(static_cast<int>(burst), entry);
  return std::max<uint64_t>(2, 2 * ((entries + bpb - 1) / bpb)) *
         spill_slot_bytes(static_cast<int>(burst), entry);
}

uint64_t longest_healthy_gap(const Config& cfg, uint64_t max_tile_cycles) {
  const auto& d = cfg.hardware.dram;
  double dram_ns;
  if (d.model == DramModel::kDdr) {
    // Every queued request a row conflict in one bank, behind a refresh.
    const DdrConfig dc = ddr_config_of(cfg);
    const double per_req = dc.trc() + dc.tRCD + dc.CL + dc.data_cycles();
    dram_ns = (dc.tRFC + dc.max_queued() * per_req) * dc.tck_ns();
  } else {
    // A request may wait behind a full controller queue: latency plus queue_depth bursts
    // on the data bus.
    dram_ns = d.latency_ns + d.queue_depth *
                                 std::ceil(static_cast<double>(d.burst_bytes) / d.bytes_per_cycle) /
                                 d.clock_ghz;
  }
  const auto dram_cycles = static_cast<uint64_t>(std::ceil(dram_ns * cfg.hardware.clock_ghz));
  // An engine can compute a whole tile (and its queue holds two) with no stream moving.
  return 3 * max_tile_cycles + dram_cycles;
}

uint64_t derived_deadlock_window(const Config& cfg, uint64_t max_tile_cycles) {
  return 4 * longest_healthy_gap(cfg, max_tile_cycles) + 256;
}

ResidualBlock::ResidualBlock(sc_core::sc_module_name name, const Config& cfg,
                             const BlockParams& params, const CosimOptions& cosim)
    : ResidualBlock(name, cfg, describe_block(params), params.input, cosim) {}

ResidualBlock::ResidualBlock(sc_core::sc_module_name name, const Config& cfg,
                             const BlockDescription& block, const Tensor8& input,
                             const CosimOptions& cosim)
    : sc_module(name),
      m_period_ns(1.0 / cfg.hardware.clock_ghz),
      m_clk("clk", sc_core::sc_time(std::round(1000.0 / cfg.hardware.clock_ghz), sc_core::SC_PS)),
      m_out_h(block.out_h()),
      m_out_w(block.out_w()),
      m_out_c(block.out_c()) {
  const auto& hw = cfg.hardware;
  m_sram = std::make_unique<SramBanks>(hw.sram.banks, hw.sram.bank_bytes, hw.sram.width_bytes,
                                       hw.sram.dual_port);
  m_sram->defer_capacity_check();  // one message naming every region, below

  // Engines allocate their line buffers and weights, then the skip FIFO its storage.
  build_engines(cfg, block);
  const auto blobs = plan_dram(cfg, block, input);
  build_skip_fifo(cfg, cosim);
  m_sram->check_capacity(sram_advice(*m_sram, hw));
  m_fork = make_fork("fork", hw.fork.impl, hw.stream.lanes);
  m_add = make_add("add", hw.add.impl, add_config(block.add, hw.stream.lanes));
  build_dram(cfg, input, blobs);
  build_dma(cfg, input);
  wire_streams(block);
  build_monitor(cfg);
  bind_clocks();
  if (!cosim.module.empty()) {
    CosimTwin::Streams s;
    s.named = [this](const std::string& n) -> Stream& { return stream_named(n); };
    s.main_out = block.main.back().out_stream;
    s.skip_in = block.skip ? block.skip->out_stream : "fork_skip";
    s.skip_frame_beats = static_cast<uint64_t>(m_out_h) * m_out_w *
                         static_cast<uint64_t>(beats_per_pixel(m_out_c, hw.stream.lanes));
    m_cosim = std::make_unique<CosimTwin>(cosim, cfg, add_config(block.add, hw.stream.lanes), s,
                                          m_clk.signal());
  }
}

void ResidualBlock::build_engines(const Config& cfg, const BlockDescription& block) {
  const auto& mac = cfg.hardware.mac_array;
  for (const ConvStage& s : block.main)
    m_main.push_back(
        std::make_unique<ConvEngine>(s.name.c_str(), conv_engine_config(cfg, s), *m_sram));
  if (block.skip)
    m_skip_conv = std::make_unique<ConvEngine>(block.skip->name.c_str(),
                                               conv_engine_config(cfg, *block.skip), *m_sram);
  // With impl rtl the arrays compute on the Verilated RTL, sequenced by the C++ model.
  for (ConvEngine* e : engines())
    if (auto d = make_mac_datapath(mac.impl, mac.rows, mac.cols, mac.dataflow))
      e->set_datapath(std::move(d));
}

std::vector<std::vector<uint8_t>> ResidualBlock::plan_dram(const Config& cfg,
                                                           const BlockDescription& block,
                                                           const Tensor8& input) {
  // Input, each engine's parameters, output; 4 KiB aligned.
  std::vector<std::vector<uint8_t>> blobs;
  for (const ConvStage* s : block.stages()) {
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
  if (cfg.hardware.skip_fifo.policy == SkipPolicy::kSpill) {
    m_layout.spill_ring = at;
    m_layout.spill_ring_bytes = spill_ring_bytes(cfg);
    at = align_up(at + m_layout.spill_ring_bytes, 4096);
  }
  m_layout.size = at;
  return blobs;
}

void ResidualBlock::build_skip_fifo(const Config& cfg, const CosimOptions& cosim) {
  const auto& hw = cfg.hardware;
  const auto depth = static_cast<uint64_t>(hw.skip_fifo.depth);
  // Entries: beats, or with compression the codec's words, one SRAM row each.
  const int entry = skip_entry_bytes(hw), lanes = hw.stream.lanes;
  if (hw.skip_fifo.compression != SkipCompression::kNone) {
    m_compressor = make_skip_compressor("compressor", hw.skip_fifo.compression, hw.skip_codec.impl,
                                        lanes, entry);
    const uint64_t beats = static_cast<uint64_t>(m_out_h) * m_out_w *
                           static_cast<uint64_t>(beats_per_pixel(m_out_c, lanes));
    m_decompressor = make_skip_decompressor("decompressor", hw.skip_fifo.compression,
                                            hw.skip_codec.impl, lanes, entry, beats);
  }
  if (hw.skip_fifo.impl == Impl::kSystemC && hw.skip_fifo.policy == SkipPolicy::kSpill) {
    SpillConfig sc;
    sc.depth = depth;
    sc.lanes = entry;
    sc.burst_bytes = hw.dram.burst_bytes;
    sc.ring_base = m_layout.spill_ring;
    sc.ring_bytes = m_layout.spill_ring_bytes;
    m_dma_skip = std::make_unique<DmaSkip>(
        "dma_skip", hw.dma.max_outstanding, hw.dram.burst_bytes,
        static_cast<size_t>(spill_slot_bytes(hw.dram.burst_bytes, entry)));
    auto f = std::make_unique<SpillSkipFifo>("skip_fifo", sc, *m_sram, *m_dma_skip);
    m_spill_fifo = f.get();
    m_skip_fifo = std::move(f);
  } else if (hw.skip_fifo.impl == Impl::kRtl && cosim.pipeline_skip_fifo_rtl) {
    m_skip_fifo = cosim.pipeline_skip_fifo_rtl("skip_fifo", depth);  // no SRAM reserved
  } else {
    m_skip_fifo = make_skip_fifo("skip_fifo", hw.skip_fifo.impl, depth, entry, *m_sram);
  }
}

void ResidualBlock::build_dram(const Config& cfg, const Tensor8& input,
                               const std::vector<std::vector<uint8_t>>& blobs) {
  m_dram = make_dram(cfg, m_layout.size, &m_ddr);
  std::memcpy(m_dram->memory() + m_layout.input, input.data.data(), input.data.size());
  for (size_t i = 0; i < blobs.size(); ++i)
    std::memcpy(m_dram->memory() + m_layout.params[i], blobs[i].data(), blobs[i].size());
}

void ResidualBlock::build_dma(const Config& cfg, const Tensor8& input) {
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
  if (m_dma_skip) {
    m_dma_skip->socket.bind(m_dram->socket);
    m_dma_skip->clk.bind(m_clk.signal());
  }
}

Stream& ResidualBlock::wire_chain(StreamOut& out, const std::string& from,
                                  const std::string& from_port, std::string name,
                                  const std::vector<std::pair<ConvEngine*, std::string>>& stages,
                                  const std::string& to, const std::string& to_port) {
  return wire_stage_chain(out, from, from_port, std::move(name), stages, to, to_port,
                          [this](const std::string& n, const std::string& p, const std::string& pp,
                                 const std::string& c, const std::string& cp) -> Stream& {
                            return stream(n, p, pp, c, cp);
                          });
}

void ResidualBlock::wire_streams(const BlockDescription& block) {
  Stream& in = stream("input", "dma_read", "out", "fork", "in");
  m_dma_read->out.bind(in);
  m_fork->in.bind(in);
  std::vector<std::pair<ConvEngine*, std::string>> main, skip;
  for (size_t i = 0; i < m_main.size(); ++i)
    main.emplace_back(m_main[i].get(), block.main[i].out_stream);
  if (m_skip_conv) skip.emplace_back(m_skip_conv.get(), block.skip->out_stream);
  m_add->main.bind(wire_chain(m_fork->main, "fork", "main", "fork_main", main, "add", "main"));
  const std::string fifo = m_skip_fifo->block_name();
  if (m_compressor) {
    // fork -> [projection] -> compressor -words-> FIFO -words-> decompressor -> add
    Stream& raw_in =
        wire_chain(m_fork->skip, "fork", "skip", "fork_skip", skip, "compressor", "in");
    m_compressor->in.bind(raw_in);
    m_skip_fifo->in.bind(
        wire_chain(m_compressor->out, "compressor", "out", "skip_packed", {}, fifo, "in"));
    m_decompressor->in.bind(
        wire_chain(m_skip_fifo->out, fifo, "out", "skip_out_packed", {}, "decompressor", "in"));
    Stream& raw_out =
        wire_chain(m_decompressor->out, "decompressor", "out", "skip_out", {}, "add", "skip");
    m_add->skip.bind(raw_out);
    m_codec_streams = {&raw_in, &raw_out};
  } else {
    m_skip_fifo->in.bind(wire_chain(m_fork->skip, "fork", "skip", "fork_skip", skip, fifo, "in"));
    m_add->skip.bind(wire_chain(m_skip_fifo->out, fifo, "out", "skip_out", {}, "add", "skip"));
  }
  m_dma_write->in.bind(wire_chain(m_add->out, "add", "out", "output", {}, "dma_write", "in"));
}

void ResidualBlock::build_monitor(const Config& cfg) {
  uint64_t max_tile = 0;
  for (ConvEngine* e : engines()) max_tile = std::max(max_tile, e->tile_cycles(e->tile_pixels()));
  m_deadlock_window = cfg.sim.deadlock_window > 0 ? static_cast<uint64_t>(cfg.sim.deadlock_window)
                                                  : derived_deadlock_window(cfg, max_tile);
  // A shorter window would call a healthy pipeline deadlocked (a tile being computed).
  const uint64_t floor = longest_healthy_gap(cfg, max_tile) + 1;
  if (m_deadlock_window < floor)
    throw InputError(fmt::format(
        "sim.deadlock_window: {} cycles is shorter than this block can go without a transfer "
        "while healthy ({} cycles: three tiles of the slowest engine and the worst DRAM wait); "
        "give 0 (derived: {}) or at least {}",
        m_deadlock_window, floor - 1, derived_deadlock_window(cfg, max_tile), floor));
  std::vector<Stream*> sp;
  for (auto& s : m_streams) sp.push_back(s.get());
  m_monitor = std::make_unique<Monitor>("monitor", sp, m_deadlock_window,
                                        static_cast<uint64_t>(cfg.sim.max_cycles));
  m_monitor->set_finished_probe([this] { return m_dma_write->finished(); });
  if (m_cosim) m_monitor->set_drained_probe([this] { return m_cosim->lockstep().drained(); });
  m_monitor->set_blocks(blocks());
  if (m_codec_streams.first) {
    const auto index = [&](const Stream* s) {
      return static_cast<size_t>(std::find(sp.begin(), sp.end(), s) - sp.begin());
    };
    m_monitor->track_in_flight(index(m_codec_streams.first), index(m_codec_streams.second));
  }
  m_dma_read->set_activity_counter(m_monitor->activity_counter());
  m_dma_write->set_activity_counter(m_monitor->activity_counter());
  if (m_dma_skip) m_dma_skip->set_activity_counter(m_monitor->activity_counter());
}

void ResidualBlock::bind_clocks() {
  m_dma_read->clk.bind(m_clk.signal());
  m_dma_write->clk.bind(m_clk.signal());
  m_fork->clk.bind(m_clk.signal());
  for (ConvEngine* e : engines()) e->clk.bind(m_clk.signal());
  m_skip_fifo->clk.bind(m_clk.signal());
  if (m_compressor) {
    m_compressor->clk.bind(m_clk.signal());
    m_decompressor->clk.bind(m_clk.signal());
  }
  m_add->clk.bind(m_clk.signal());
  m_monitor->clk.bind(m_clk.signal());
}

Stream& ResidualBlock::stream_named(const std::string& name) {
  for (auto& s : m_streams)
    if (s->name == name) return *s;
  throw std::logic_error("no stream " + name);
}

ResidualBlock::~ResidualBlock() = default;

Stream& ResidualBlock::stream(const std::string& name, const std::string& producer,
                              const std::string& pport, const std::string& consumer,
                              const std::string& cport) {
  return add_stream(m_streams, name, producer, pport, consumer, cport);
}

Stream& add_stream(std::vector<std::unique_ptr<Stream>>& streams, const std::string& name,
                   const std::string& producer, const std::string& pport,
                   const std::string& consumer, const std::string& cport) {
  streams.push_back(std::make_unique<Stream>(name));
  Stream& s = *streams.back();
  s.producer = producer;
  s.producer_port = pport;
  s.consumer = consumer;
  s.consumer_port = cport;
  return s;
}

std::vector<ConvEngine*> ResidualBlock::engines() const {
  std::vector<ConvEngine*> v;
  for (const auto& e : m_main) v.push_back(e.get());
  if (m_skip_conv) v.push_back(m_skip_conv.get());
  return v;
}

std::vector<HwBlock*> ResidualBlock::blocks() const {
  std::vector<HwBlock*> v{m_dma_read.get(), m_fork.get()};
  for (ConvEngine* e : engines()) v.push_back(e);
  if (m_compressor) v.push_back(m_compressor.get());
  v.push_back(m_skip_fifo.get());
  if (m_decompressor) v.push_back(m_decompressor.get());
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
