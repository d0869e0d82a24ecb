#include "hw/rtl/rtl_zvc_codec.hpp"

#include <fmt/format.h>

#include "Vzvc_compressor.h"
#include "Vzvc_decompressor.h"
#include "hw/common/errors.hpp"
#include "hw/skip_fifo/zvc_codec.hpp"

namespace skipsim {

namespace {

RtlWordBits to_word_bits(const Beat& b) {
  RtlWordBits v;
  for (int l = 0; l < kMaxLanes; ++l) v.range(8 * l + 7, 8 * l) = static_cast<uint8_t>(b.lane[l]);
  return v;
}

Beat from_word_bits(const RtlWordBits& v) {
  Beat b;
  for (int l = 0; l < kMaxLanes; ++l)
    b.lane[l] = static_cast<int8_t>(v.range(8 * l + 7, 8 * l).to_uint());
  return b;
}

// The RTL is built for at most kRtlLanes lanes and words of at most kMaxLanes bytes.
void check(int lanes, int word_bytes, const char* who) {
  if (lanes < 1 || lanes > kRtlLanes)
    throw InputError(fmt::format(
        "config error: rtl {} is built for at most {} lanes, hardware.stream.lanes is {} "
        "(rebuild with -DSKIPSIM_RTL_LANES={})",
        who, kRtlLanes, lanes, lanes));
  if (word_bytes < 1 || word_bytes > kMaxLanes)
    throw InputError(
        fmt::format("config error: rtl {}: hardware.sram.width_bytes must be in "
                    "[1, {}], got {}",
                    who, kMaxLanes, word_bytes));
}

}  // namespace

void CodecPins::before(bool fired_in, bool out_valid, bool out_ready) {
  m_fired_in = fired_in;
  m_fired_out = out_valid && out_ready;
  m_held = out_valid && !out_ready;
}

WaitState::Kind CodecPins::after(bool out_valid, StallStats& stats, WaitState& wait,
                                 const char* held, const char* none) {
  // A held output stays valid; otherwise valid after the edge means a new output loaded.
  const bool loaded = out_valid && !m_held;
  if (m_fired_in || m_fired_out || loaded) {
    ++stats.busy;
    wait = {WaitState::Kind::kBusy, "", ""};
  } else if (m_held) {
    ++stats.blocked;
    ++stats.blocked_on[0];
    wait = {WaitState::Kind::kBlocked, "out", held};
  } else {
    ++stats.starved;
    ++stats.starved_on[0];
    wait = {WaitState::Kind::kStarved, "in", none};
  }
  return wait.kind;
}

RtlZvcCompressor::RtlZvcCompressor(sc_core::sc_module_name name, int lanes, int word_bytes)
    : SkipCompressor(name, lanes, word_bytes),
      m_rtl(std::make_unique<Vzvc_compressor>("rtl")),
      m_mask(zvc_mask_bytes(lanes)) {
  check(lanes, word_bytes, "compressor");
  m_lanes_sig.write(static_cast<uint32_t>(lanes));
  m_word_sig.write(static_cast<uint32_t>(word_bytes));
  m_rtl->clk(clk);
  m_rtl->rst_n(m_rst_n);
  m_rtl->lanes(m_lanes_sig);
  m_rtl->word_bytes(m_word_sig);
  m_rtl->in_valid(in.valid);
  m_rtl->in_ready(in.ready);
  m_rtl->in_data(m_in_bits);
  m_rtl->in_last(in.last);
  m_rtl->out_valid(out.valid);
  m_rtl->out_ready(out.ready);
  m_rtl->out_data(m_out_bits);
  m_rtl->out_last(out.last);
  SC_METHOD(on_clock);
  sensitive << clk.pos();
  dont_initialize();
  SC_METHOD(drive_in);
  sensitive << in.data;
  SC_METHOD(take_out);
  sensitive << m_out_bits;
  dont_initialize();
}

RtlZvcCompressor::~RtlZvcCompressor() = default;
void RtlZvcCompressor::trace_rtl(VerilatedVcdC* vcd, int levels) { m_rtl->trace(vcd, levels); }
void RtlZvcCompressor::drive_in() { m_in_bits.write(to_bits(in.data.read())); }
void RtlZvcCompressor::take_out() { out.data.write(from_word_bits(m_out_bits.read())); }

// At the edge: the handshakes (and the codec counts, from the beat taken); a delta later:
// the stall state, once the RTL's output register shows whether it loaded.
void RtlZvcCompressor::on_clock() {
  if (m_after_edge) {
    m_after_edge = false;
    record_state(m_pins.after(out.valid.read(), m_stats, m_wait, "word waiting", "no beat"));
    return;
  }
  const bool fired_in = in.fire();
  m_pins.before(fired_in, out.valid.read(), out.ready.read());
  if (fired_in) {
    const int bytes = zvc_beat_bytes(in.data.read().lane.data(), m_lanes);
    ++m_codec.beats;
    m_codec.raw_bytes += static_cast<uint64_t>(m_lanes);
    m_codec.compressed_bytes += static_cast<uint64_t>(bytes);
    m_codec.zero_lanes += static_cast<uint64_t>(m_lanes - (bytes - m_mask));
  }
  if (out.fire()) ++m_codec.words;
  m_after_edge = true;
  next_trigger(sc_core::SC_ZERO_TIME);
}

// A run stopped at an edge: its state, from the pins as they are now.
void RtlZvcCompressor::settle() {
  if (!m_after_edge) return;
  m_after_edge = false;
  m_pins.after(out.valid.read(), m_stats, m_wait, "word waiting", "no beat");
}

void RtlZvcCompressor::report(StatsNode& node) const {
  HwBlock::report(node);
  report_codec(node);
}

RtlZvcDecompressor::RtlZvcDecompressor(sc_core::sc_module_name name, int lanes, int word_bytes,
                                       uint64_t beats_per_frame)
    : SkipDecompressor(name, lanes, word_bytes), m_rtl(std::make_unique<Vzvc_decompressor>("rtl")) {
  check(lanes, word_bytes, "decompressor");
  if (beats_per_frame == 0 || beats_per_frame > UINT32_MAX)
    throw InputError(fmt::format("rtl decompressor: a frame of {} beats (allowed: 1 to {})",
                                 beats_per_frame, UINT32_MAX));
  m_lanes_sig.write(static_cast<uint32_t>(lanes));
  m_word_sig.write(static_cast<uint32_t>(word_bytes));
  m_frame_sig.write(static_cast<uint32_t>(beats_per_frame));
  m_rtl->clk(clk);
  m_rtl->rst_n(m_rst_n);
  m_rtl->lanes(m_lanes_sig);
  m_rtl->word_bytes(m_word_sig);
  m_rtl->beats_per_frame(m_frame_sig);
  m_rtl->in_valid(in.valid);
  m_rtl->in_ready(in.ready);
  m_rtl->in_data(m_in_bits);
  m_rtl->in_last(in.last);
  m_rtl->out_valid(out.valid);
  m_rtl->out_ready(out.ready);
  m_rtl->out_data(m_out_bits);
  m_rtl->out_last(out.last);
  SC_METHOD(on_clock);
  sensitive << clk.pos();
  dont_initialize();
  SC_METHOD(drive_in);
  sensitive << in.data;
  SC_METHOD(take_out);
  sensitive << m_out_bits;
  dont_initialize();
}

RtlZvcDecompressor::~RtlZvcDecompressor() = default;
void RtlZvcDecompressor::trace_rtl(VerilatedVcdC* vcd, int levels) { m_rtl->trace(vcd, levels); }
void RtlZvcDecompressor::drive_in() { m_in_bits.write(to_word_bits(in.data.read())); }
void RtlZvcDecompressor::take_out() { out.data.write(from_bits(m_out_bits.read())); }

void RtlZvcDecompressor::on_clock() {
  if (m_after_edge) {
    m_after_edge = false;
    record_state(m_pins.after(out.valid.read(), m_stats, m_wait, "beat waiting", "no word"));
    return;
  }
  m_pins.before(in.fire(), out.valid.read(), out.ready.read());
  m_after_edge = true;
  next_trigger(sc_core::SC_ZERO_TIME);
}

void RtlZvcDecompressor::settle() {
  if (!m_after_edge) return;
  m_after_edge = false;
  m_pins.after(out.valid.read(), m_stats, m_wait, "beat waiting", "no word");
}

}  // namespace skipsim
