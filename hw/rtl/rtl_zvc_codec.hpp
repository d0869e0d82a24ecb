#pragma once
// The ZVC compressor and decompressor as Verilated RTL (hw/rtl/zvc_compressor.v,
// hw/rtl/zvc_decompressor.v, or the user's files with the same ports), wrapped with the
// SystemC codecs' stream ports, statistics and wait states (observed from the pins) so that
// the pipeline cannot tell them apart. Templated on the Verilated class so that a test can
// wrap a deliberately altered variant the same way.
#include <cstdint>
#include <memory>
#include <string>

#include <systemc>

#include "hw/common/errors.hpp"
#include "hw/rtl/rtl_checks.hpp"
#include "hw/rtl/rtl_skip_fifo.hpp"
#include "hw/rtl/rtl_traceable.hpp"
#include "hw/skip_fifo/skip_codec.hpp"
#include "verilated_vcd_c.h"

namespace skipsim {

// The RTL codecs' word port: the widest SRAM row.
using RtlWordBits = sc_dt::sc_bv<kMaxLanes * 8>;
RtlWordBits to_word_bits(const Beat& b);
Beat from_word_bits(const RtlWordBits& v);
// Throws InputError unless the RTL codec takes `lanes` lanes and words of `word_bytes`.
void check_rtl_codec(int lanes, int word_bytes, const char* who);
int zvc_beat_bytes_of(const Beat& b, int lanes);

// A codec's stall accounting from its pins, as the SystemC codecs count: the pins before a
// rising edge, then one delta later (the RTL's registers out) whether a new output loaded.
class CodecPins {
 public:
  void before(bool fired_in, bool out_valid, bool out_ready);
  // out_valid: after the edge. Returns the edge's state and adds it to `stats`.
  WaitState::Kind after(bool out_valid, StallStats& stats, WaitState& wait, const char* held,
                        const char* none);

 private:
  bool m_fired_in = false, m_fired_out = false, m_held = false;
};

template <class V>
class RtlZvcCompressorT : public SkipCompressor, public RtlTraceable, public RtlChecked {
 public:
  SC_HAS_PROCESS(RtlZvcCompressorT);

  RtlZvcCompressorT(sc_core::sc_module_name name, int lanes, int word_bytes)
      : SkipCompressor(name, lanes, word_bytes),
        m_rtl(std::make_unique<V>("rtl")),
        m_mask((lanes + 7) / 8) {
    check_rtl_codec(lanes, word_bytes, "compressor");
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

  const StallStats& stall_stats() const override { return m_stats; }
  WaitState wait_state() const override { return m_wait; }
  bool quiescent() const override { return m_wait.kind != WaitState::Kind::kBusy; }
  const CodecStats& codec_stats() const override { return m_codec; }
  void report(StatsNode& node) const override {
    HwBlock::report(node);
    report_codec(node);
  }
  // A run stopped at an edge: its state, from the pins as they are now.
  void settle() override {
    if (!m_after_edge) return;
    m_after_edge = false;
    m_pins.after(out.valid.read(), m_stats, m_wait, "word waiting", "no beat");
  }
  void trace_rtl(VerilatedVcdC* vcd, int levels) override { m_rtl->trace(vcd, levels); }
  void report_rtl_checks(StatsNode& n) const override { m_out_hold.report(n.child("out")); }

 private:
  void drive_in() { m_in_bits.write(to_bits(in.data.read())); }
  void take_out() { out.data.write(from_word_bits(m_out_bits.read())); }
  // At the edge: the handshakes (and the codec counts, from the beat taken); a delta later:
  // the stall state, once the RTL's output register shows whether it loaded.
  void on_clock() {
    if (m_after_edge) {
      m_after_edge = false;
      record_state(m_pins.after(out.valid.read(), m_stats, m_wait, "word waiting", "no beat"));
      return;
    }
    const bool fired_in = in.fire();
    m_out_hold.sample(++m_edge, out.valid.read(), out.ready.read(), m_out_bits.read());
    m_pins.before(fired_in, out.valid.read(), out.ready.read());
    if (fired_in) {
      const int bytes = zvc_beat_bytes_of(in.data.read(), m_lanes);
      ++m_codec.beats;
      m_codec.raw_bytes += static_cast<uint64_t>(m_lanes);
      m_codec.compressed_bytes += static_cast<uint64_t>(bytes);
      m_codec.zero_lanes += static_cast<uint64_t>(m_lanes - (bytes - m_mask));
    }
    if (out.fire()) ++m_codec.words;
    m_after_edge = true;
    next_trigger(sc_core::SC_ZERO_TIME);
  }

  std::unique_ptr<V> m_rtl;
  sc_core::sc_signal<bool> m_rst_n{"rst_n", true};
  sc_core::sc_signal<uint32_t> m_lanes_sig{"lanes_sig"}, m_word_sig{"word_sig"};
  sc_core::sc_signal<RtlBits> m_in_bits{"in_bits"};
  sc_core::sc_signal<RtlWordBits> m_out_bits{"out_bits"};
  int m_mask;
  uint64_t m_edge = 0;
  OutputHoldCheck<RtlWordBits> m_out_hold;
  bool m_after_edge = false;
  CodecPins m_pins;
  CodecStats m_codec;
  StallStats m_stats;
  WaitState m_wait;
};

template <class V>
class RtlZvcDecompressorT : public SkipDecompressor, public RtlTraceable, public RtlChecked {
 public:
  SC_HAS_PROCESS(RtlZvcDecompressorT);

  RtlZvcDecompressorT(sc_core::sc_module_name name, int lanes, int word_bytes,
                      uint64_t beats_per_frame)
      : SkipDecompressor(name, lanes, word_bytes), m_rtl(std::make_unique<V>("rtl")) {
    check_rtl_codec(lanes, word_bytes, "decompressor");
    if (beats_per_frame == 0 || beats_per_frame > UINT32_MAX)
      throw InputError("rtl decompressor: a frame of " + std::to_string(beats_per_frame) +
                       " beats (allowed: 1 to 4294967295)");
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

  const StallStats& stall_stats() const override { return m_stats; }
  WaitState wait_state() const override { return m_wait; }
  bool quiescent() const override { return m_wait.kind != WaitState::Kind::kBusy; }
  void settle() override {
    if (!m_after_edge) return;
    m_after_edge = false;
    m_pins.after(out.valid.read(), m_stats, m_wait, "beat waiting", "no word");
  }
  void trace_rtl(VerilatedVcdC* vcd, int levels) override { m_rtl->trace(vcd, levels); }
  void report_rtl_checks(StatsNode& n) const override { m_out_hold.report(n.child("out")); }

 private:
  void drive_in() { m_in_bits.write(to_word_bits(in.data.read())); }
  void take_out() { out.data.write(from_bits(m_out_bits.read())); }
  void on_clock() {
    if (m_after_edge) {
      m_after_edge = false;
      record_state(m_pins.after(out.valid.read(), m_stats, m_wait, "beat waiting", "no word"));
      return;
    }
    m_out_hold.sample(++m_edge, out.valid.read(), out.ready.read(), m_out_bits.read());
    m_pins.before(in.fire(), out.valid.read(), out.ready.read());
    m_after_edge = true;
    next_trigger(sc_core::SC_ZERO_TIME);
  }

  std::unique_ptr<V> m_rtl;
  sc_core::sc_signal<bool> m_rst_n{"rst_n", true};
  sc_core::sc_signal<uint32_t> m_lanes_sig{"lanes_sig"}, m_word_sig{"word_sig"},
      m_frame_sig{"frame_sig"};
  sc_core::sc_signal<RtlWordBits> m_in_bits{"in_bits"};
  sc_core::sc_signal<RtlBits> m_out_bits{"out_bits"};
  bool m_after_edge = false;
  uint64_t m_edge = 0;
  OutputHoldCheck<RtlBits> m_out_hold;
  CodecPins m_pins;
  StallStats m_stats;
  WaitState m_wait;
};

// The build's codec RTL.
std::unique_ptr<SkipCompressor> make_rtl_zvc_compressor(const char* name, int lanes,
                                                        int word_bytes);
std::unique_ptr<SkipDecompressor> make_rtl_zvc_decompressor(const char* name, int lanes,
                                                            int word_bytes,
                                                            uint64_t beats_per_frame);

}  // namespace skipsim
