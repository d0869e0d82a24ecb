#include "tb/top/npu_op_top.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include <fmt/format.h>

#include "hw/common/errors.hpp"
#include "hw/fc/fc_engine.hpp"
#include "hw/pool/global_pool.hpp"
#include "hw/pool/max_pool.hpp"
#include "tb/top/block_factory.hpp"
#include "tb/top/codec_factory.hpp"
#include "tb/top/residual_block.hpp"

namespace skipsim {

namespace {
uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }
}  // namespace

NpuOpTop::NpuOpTop(sc_core::sc_module_name name, const Config& cfg, const NpuOpJob& job)
    : sc_module(name),
      m_job(job),
      m_clk("clk", sc_core::sc_time(std::round(1000.0 / cfg.hardware.clock_ghz), sc_core::SC_PS)) {
  const auto& hw = cfg.hardware;
  m_word = static_cast<uint64_t>(hw.sram.width_bytes);
  m_sram = std::make_unique<SramBanks>(hw.sram.banks, hw.sram.bank_bytes, hw.sram.width_bytes,
                                       hw.sram.dual_port);
  m_sram->defer_capacity_check();
  m_arena = m_sram->allocate("activations", std::max<uint64_t>(job.arena_bytes, 1));
  if (job.next_weight_buffer_bytes)
    m_next_weights = m_sram->allocate("next_weights", job.next_weight_buffer_bytes);
  build_compute(cfg);
  m_sram->check_capacity(
      "lower npu.activation_bytes or npu.weight_buffer_bytes, or raise hardware.sram.banks or "
      "hardware.sram.bank_bytes");
  build_dram(cfg);
  build_io(cfg);
  build_monitor(cfg);
}

NpuOpTop::~NpuOpTop() = default;

void NpuOpTop::build_compute(const Config& cfg) {
  const auto& hw = cfg.hardware;
  const int lanes = hw.stream.lanes;
  auto keep = [&](auto e, HwBlock* b, std::vector<StreamIn*> in, StreamOut* out,
                  sc_core::sc_in<bool>* clk) {
    m_compute_module = e.get();
    m_compute = b;
    m_compute_in = std::move(in);
    m_compute_out = out;
    for (const std::string& port : b->input_ports())
      m_in_consumer.emplace_back(b->block_name(), port);
    m_compute_clk = clk;
    m_modules.push_back(std::move(e));
  };
  if (const auto* c = std::get_if<ConvStage>(&m_job.compute)) {
    auto e = std::make_unique<ConvEngine>(c->name.c_str(), conv_engine_config(cfg, *c), *m_sram);
    const ConvParams& p = c->params;
    m_params = pack_conv_params(p.out_c, p.in_c, p.k, p.weight, p.bias, p.mult, p.shift);
    m_engine = e.get();
    keep(std::move(e), m_engine, {&m_engine->in}, &m_engine->out, &m_engine->clk);
  } else if (const auto* f = std::get_if<FcStage>(&m_job.compute)) {
    FcConfig fc;
    fc.in_f = f->params.in_f;
    fc.out_f = f->params.out_f;
    fc.lanes = lanes;
    fc.mac_rows = hw.mac_array.rows;
    fc.mac_cols = hw.mac_array.cols;
    fc.dataflow = hw.mac_array.dataflow;
    fc.model = hw.mac_array.impl == Impl::kRtl ? ArrayModel::kPe : hw.mac_array.model;
    auto e = std::make_unique<FcEngine>(f->name.c_str(), fc, *m_sram);
    m_params = pack_fc_params(fc.out_f, fc.in_f, f->params.weight, f->params.bias);
    m_engine = e.get();
    keep(std::move(e), m_engine, {&m_engine->in}, &m_engine->out, &m_engine->clk);
  } else if (const auto* mp = std::get_if<MaxPoolStage>(&m_job.compute)) {
    MaxPoolConfig mc;
    mc.h = mp->in_h, mc.w = mp->in_w, mc.c = mp->in_c;
    mc.k = mp->params.k, mc.stride = mp->params.stride, mc.pad = mp->params.pad;
    mc.lanes = lanes;
    auto e = std::make_unique<MaxPool>(mp->name.c_str(), mc, *m_sram);
    MaxPool* m = e.get();
    keep(std::move(e), m, {&m->in}, &m->out, &m->clk);
  } else if (const auto* g = std::get_if<GlobalPoolStage>(&m_job.compute)) {
    GlobalPoolConfig gc;
    gc.h = g->in_h, gc.w = g->in_w, gc.c = g->in_c;
    gc.mult = g->params.mult, gc.shift = g->params.shift;
    gc.lanes = lanes;
    auto e = std::make_unique<GlobalPool>(g->name.c_str(), gc);
    GlobalPool* m = e.get();
    keep(std::move(e), m, {&m->in}, &m->out, &m->clk);
  } else {
    const auto& a = std::get<AddStage>(m_job.compute);
    auto e = std::make_unique<Add>(a.name.c_str(), add_config(a.params, lanes));
    Add* m = e.get();
    keep(std::move(e), m, {&m->main, &m->skip}, &m->out, &m->clk);
  }
  if (m_job.fused_add) {
    auto e = std::make_unique<Add>(m_job.fused_add->name.c_str(),
                                   add_config(m_job.fused_add->params, lanes));
    m_fused_add = e.get();
    Stream& s =
        stream(m_compute->block_name() + "_out", m_compute->block_name(), "out", "add", "main");
    m_compute_out->bind(s);
    m_fused_add->main.bind(s);
    m_compute_in.push_back(&m_fused_add->skip);
    m_in_consumer.emplace_back(m_fused_add->block_name(), "skip");
    m_compute_out = &m_fused_add->out;
    m_fused_add->clk.bind(m_clk.signal());
    m_modules.push_back(std::move(e));
  }
  if (m_compute_in.size() != m_job.inputs.size())
    throw std::logic_error(fmt::format("npu op {}: {} operands for an engine of {} inputs",
                                       m_job.name, m_job.inputs.size(), m_compute_in.size()));
  if (m_engine) {
    const auto& mac = hw.mac_array;
    if (auto dp = make_mac_datapath(mac.impl, mac.rows, mac.cols, mac.dataflow))
      m_engine->set_datapath(std::move(dp));
  }
}

void NpuOpTop::build_dram(const Config& cfg) {
  uint64_t at = 0;
  auto take = [&at](uint64_t bytes) {
    const uint64_t a = at;
    at = align_up(at + std::max<uint64_t>(bytes, 1), 4096);
    return a;
  };
  m_weights_addr = take(m_params.size());
  for (const NpuOperandJob& in : m_job.inputs)
    m_input_addr.push_back(in.in_sram ? 0 : take(in.data->size()));
  for (const NpuTransferJob& t : m_job.transfers) m_transfer_addr.push_back(take(t.bytes));
  const NpuOutputJob& o = m_job.output;
  m_output_addr = take(o.words ? o.words * static_cast<uint64_t>(cfg.hardware.sram.width_bytes)
                               : static_cast<uint64_t>(o.h) * o.w * o.channels);
  m_dram = make_dram(cfg, at, &m_ddr);
  uint8_t* mem = m_dram->memory();
  if (!m_params.empty()) std::memcpy(mem + m_weights_addr, m_params.data(), m_params.size());
  uint8_t* arena = m_sram->data(m_arena);
  for (size_t i = 0; i < m_job.inputs.size(); ++i) {
    const NpuOperandJob& in = m_job.inputs[i];
    if (!in.in_sram)
      std::memcpy(mem + m_input_addr[i], in.data->data(), in.data->size());
    else if (!in.filled_here)
      std::memcpy(arena + in.sram_offset, in.data->data(), in.data->size());
  }
  if (m_engine && m_job.weights_preloaded) {
    m_engine->write_params(0, m_params.data(), m_params.size());
    m_engine->params_loaded();
  }
  for (size_t i = 0; i < m_job.transfers.size(); ++i) {
    const NpuTransferJob& t = m_job.transfers[i];
    if (t.next_weights && (m_next_weights < 0 || t.bytes > m_job.next_weight_buffer_bytes))
      throw std::logic_error("npu op " + m_job.name + ": next weights without their buffer");
    if (t.to_dram)
      std::memcpy(arena + t.sram_offset, t.data->data(), t.bytes);
    else
      std::memcpy(mem + m_transfer_addr[i], t.data->data(), t.bytes);
  }
}

void NpuOpTop::build_io(const Config& cfg) {
  const auto& hw = cfg.hardware;
  const int burst = hw.dram.burst_bytes, lanes = hw.stream.lanes, mo = hw.dma.max_outstanding;
  m_transfer = std::make_unique<SramDma>("dma_transfer", *m_sram, mo, burst);
  for (size_t i = 0; i < m_job.transfers.size(); ++i) {
    const NpuTransferJob& t = m_job.transfers[i];
    SramDmaJob j;
    j.to_dram = t.to_dram;
    j.region = t.next_weights ? m_next_weights : m_arena;
    j.sram_offset = t.sram_offset;
    j.dram_addr = m_transfer_addr[i];
    j.bytes = t.bytes;
    j.purpose = t.purpose;
    j.blocking = t.blocking;
    m_transfer->add_job(j);
  }
  m_transfer->blocking_done.bind(m_ready_to_start);
  m_transfer->socket.bind(m_dram->socket);
  m_transfer->clk.bind(m_clk.signal());
  const std::string engine = m_fused_add ? "add" : m_compute->block_name();
  if (m_engine && !m_job.weights_preloaded) {
    m_dma_weights = std::make_unique<DmaRead>("dma_weights", mo, burst);
    m_dma_weights->add_param_job(m_weights_addr, m_engine);
    Stream& s = stream("weights_unused", "dma_weights", "out", "", "");
    m_dma_weights->out.bind(s);
    m_dma_weights->socket.bind(m_dram->socket);
    m_dma_weights->clk.bind(m_clk.signal());
  }
  const int word = hw.sram.width_bytes;
  for (size_t i = 0; i < m_job.inputs.size(); ++i) {
    const NpuOperandJob& in = m_job.inputs[i];
    const std::string sname = fmt::format("in{}", i);
    const uint64_t pixels = static_cast<uint64_t>(in.h) * in.w;
    // A compressed operand: its words stream to a decompressor, whose beats the engine takes.
    StreamIn* consumer = m_compute_in[i];
    std::string cname = m_in_consumer[i].first, cport = m_in_consumer[i].second;
    if (in.words) {
      auto dec = make_skip_decompressor(
          fmt::format("decompressor{}", i).c_str(), cfg.npu.skip_compression, Impl::kSystemC, lanes,
          word, pixels * static_cast<uint64_t>(beats_per_pixel(in.c, lanes)));
      Stream& s = stream(sname, dec->block_name(), "out", cname, cport);
      dec->out.bind(s);
      m_compute_in[i]->bind(s);
      dec->clk.bind(m_clk.signal());
      consumer = &dec->in;
      cname = dec->block_name(), cport = "in";
      m_decompressors.push_back(std::move(dec));
    }
    const std::string src = in.words ? sname + "_words" : sname;
    if (in.in_sram) {
      SramTensorView v;
      v.region = m_arena;
      v.offset = in.sram_offset;
      v.pixels = in.words ? in.words : pixels;
      v.pixel_stride = in.words ? word : (in.pixel_stride ? in.pixel_stride : in.c);
      v.channel_offset = in.words ? 0 : in.channel_offset;
      v.channels = in.words ? word : in.c;
      auto r = std::make_unique<SramReader>(fmt::format("reader{}", i).c_str(), *m_sram, v,
                                            in.words ? word : lanes);
      Stream& s = stream(src, r->block_name(), "out", cname, cport);
      r->out.bind(s);
      consumer->bind(s);
      r->enable.bind(m_ready_to_start);
      r->clk.bind(m_clk.signal());
      m_readers.push_back(std::move(r));
    } else {
      auto d = std::make_unique<DmaRead>(fmt::format("dma_in{}", i).c_str(), mo, burst);
      TensorStreamShape sh;
      sh.pixels = in.words ? in.words : pixels;
      sh.channels = in.words ? word : in.c;
      sh.lanes = in.words ? word : lanes;
      d->add_stream_job(m_input_addr[i], sh, in.purpose);
      Stream& s = stream(src, d->block_name(), "out", cname, cport);
      d->out.bind(s);
      consumer->bind(s);
      d->socket.bind(m_dram->socket);
      d->clk.bind(m_clk.signal());
      m_dma_in.push_back(std::move(d));
    }
  }
  const NpuOutputJob& o = m_job.output;
  // A compressed output: the engine's beats pass the compressor, whose words are stored.
  StreamOut* producer = m_compute_out;
  std::string pname = engine;
  if (o.words) {
    // The NPU's codec is the SystemC model (hardware.skip_codec.impl drives the streaming one).
    m_compressor =
        make_skip_compressor("compressor", cfg.npu.skip_compression, Impl::kSystemC, lanes, word);
    Stream& s = stream("out", engine, "out", "compressor", "in");
    m_compute_out->bind(s);
    m_compressor->in.bind(s);
    m_compressor->clk.bind(m_clk.signal());
    producer = &m_compressor->out;
    pname = "compressor";
  }
  const std::string oname = o.words ? "out_words" : "out";
  const uint64_t out_beats = o.words ? o.words : static_cast<uint64_t>(o.h) * o.w;
  if (o.in_sram) {
    SramTensorView v;
    v.region = m_arena;
    v.offset = o.sram_offset;
    v.pixels = out_beats;
    v.pixel_stride = o.words ? word : o.pixel_stride;
    v.channel_offset = o.words ? 0 : o.channel_offset;
    v.channels = o.words ? word : o.channels;
    m_writer = std::make_unique<SramWriter>("writer", *m_sram, v, o.words ? word : lanes);
    Stream& s = stream(oname, pname, "out", "writer", "in");
    producer->bind(s);
    m_writer->in.bind(s);
    m_writer->clk.bind(m_clk.signal());
  } else {
    m_dma_out = std::make_unique<DmaWrite>("dma_out", mo, burst, static_cast<uint64_t>(mo) * burst);
    m_dma_out->set_stream_job(m_output_addr, out_beats, o.words ? word : o.channels,
                              o.words ? word : lanes, 1);
    m_dma_out->set_purpose(DmaPurpose::kSpill);  // streamed out: it does not fit the SRAM
    Stream& s = stream(oname, pname, "out", "dma_out", "in");
    producer->bind(s);
    m_dma_out->in.bind(s);
    m_dma_out->socket.bind(m_dram->socket);
    m_dma_out->clk.bind(m_clk.signal());
  }
  m_compute_clk->bind(m_clk.signal());
}

void NpuOpTop::build_monitor(const Config& cfg) {
  uint64_t max_tile = 0;
  if (m_engine) max_tile = m_engine->tile_cycles(m_engine->tile_pixels());
  if (const auto* g = std::get_if<GlobalPoolStage>(&m_job.compute))
    max_tile =
        std::max<uint64_t>(max_tile, static_cast<uint64_t>(g->in_h) * g->in_w *
                                         beats_per_pixel(g->in_c, cfg.hardware.stream.lanes));
  // A blocking fill or a whole layer's weights may come before the first beat moves.
  uint64_t before_start = m_params.size();
  for (const NpuTransferJob& t : m_job.transfers)
    if (t.blocking) before_start += t.bytes;
  max_tile = std::max<uint64_t>(max_tile, before_start / 4 + 1);
  m_deadlock_window = cfg.sim.deadlock_window > 0 ? static_cast<uint64_t>(cfg.sim.deadlock_window)
                                                  : derived_deadlock_window(cfg, max_tile);
  std::vector<Stream*> sp;
  for (auto& s : m_streams) sp.push_back(s.get());
  m_monitor = std::make_unique<Monitor>("monitor", sp, m_deadlock_window,
                                        static_cast<uint64_t>(cfg.sim.max_cycles));
  m_monitor->set_finished_probe([this] {
    const bool out_done = m_writer ? m_writer->done() : m_dma_out->finished();
    return out_done && m_transfer->finished();
  });
  m_monitor->set_blocks(blocks());
  for (const DmaEngine* d : dma_engines())
    const_cast<DmaEngine*>(d)->set_activity_counter(m_monitor->activity_counter());
  m_monitor->clk.bind(m_clk.signal());
}

Stream& NpuOpTop::stream(const std::string& name, const std::string& producer,
                         const std::string& pport, const std::string& consumer,
                         const std::string& cport) {
  return add_stream(m_streams, name, producer, pport, consumer, cport);
}

std::vector<HwBlock*> NpuOpTop::blocks() const {
  std::vector<HwBlock*> v;
  if (m_dma_weights) v.push_back(m_dma_weights.get());
  for (const auto& d : m_dma_in) v.push_back(d.get());
  for (const auto& r : m_readers) v.push_back(r.get());
  for (const auto& d : m_decompressors) v.push_back(d.get());
  v.push_back(m_compute);
  if (m_fused_add) v.push_back(m_fused_add);
  if (m_compressor) v.push_back(m_compressor.get());
  if (m_writer) v.push_back(m_writer.get());
  if (m_dma_out) v.push_back(m_dma_out.get());
  v.push_back(m_transfer.get());
  return v;
}

std::vector<const DmaEngine*> NpuOpTop::dma_engines() const {
  std::vector<const DmaEngine*> v;
  if (m_dma_weights) v.push_back(m_dma_weights.get());
  for (const auto& d : m_dma_in) v.push_back(d.get());
  if (m_dma_out) v.push_back(m_dma_out.get());
  v.push_back(m_transfer.get());
  return v;
}

std::vector<int8_t> NpuOpTop::read_output() const {
  const NpuOutputJob& o = m_job.output;
  const uint64_t pixels = static_cast<uint64_t>(o.h) * o.w;
  std::vector<int8_t> v(o.words ? o.words * m_word : pixels * static_cast<uint64_t>(o.channels));
  if (!o.in_sram || o.words) {  // compressed words lie one after another
    std::memcpy(
        v.data(),
        o.in_sram ? m_sram->data(m_arena) + o.sram_offset : m_dram->memory() + m_output_addr,
        v.size());
    return v;
  }
  const uint8_t* a = m_sram->data(m_arena);
  for (uint64_t p = 0; p < pixels; ++p)
    std::memcpy(v.data() + p * o.channels,
                a + o.sram_offset + p * static_cast<uint64_t>(o.pixel_stride) + o.channel_offset,
                static_cast<size_t>(o.channels));
  return v;
}

bool NpuOpTop::transfers_match() const {
  const uint8_t* a = m_sram->data(m_arena);
  const uint8_t* mem = m_dram->memory();
  for (size_t i = 0; i < m_job.transfers.size(); ++i) {
    const NpuTransferJob& t = m_job.transfers[i];
    const uint8_t* sram = t.next_weights ? m_sram->data(m_next_weights) : a;
    const uint8_t* got = t.to_dram ? mem + m_transfer_addr[i] : sram + t.sram_offset;
    if (std::memcmp(got, t.data->data(), t.bytes) != 0) return false;
  }
  return true;
}

uint64_t NpuOpTop::first_write_cycle() const { return m_writer ? m_writer->first_beat_cycle() : 0; }

uint64_t NpuOpTop::output_done_cycle() const {
  return m_writer ? m_writer->last_beat_cycle() : m_dma_out->finish_cycle();
}

uint64_t NpuOpTop::last_read_cycle() const {
  uint64_t c = 0;
  for (const auto& r : m_readers) c = std::max(c, r->last_beat_cycle());
  return c;
}

std::vector<uint64_t> NpuOpTop::transfer_bytes() const {
  std::vector<uint64_t> v;
  size_t job = 0;
  for (const NpuTransferJob& t : m_job.transfers)
    v.push_back(t.bytes ? m_transfer->landed_bytes().at(job++) : 0);
  return v;
}

std::vector<uint64_t> NpuOpTop::input_dram_bytes() const {
  std::vector<uint64_t> v;
  size_t k = 0;
  for (const NpuOperandJob& in : m_job.inputs)
    v.push_back(in.in_sram ? 0 : m_dma_in.at(k++)->dma_stats().bytes_read);
  return v;
}

uint64_t NpuOpTop::output_dram_bytes() const {
  return m_dma_out ? m_dma_out->dma_stats().bytes_written : 0;
}

}  // namespace skipsim
