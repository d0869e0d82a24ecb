#pragma once
// The ZVC compressor and decompressor as Verilated RTL (hw/rtl/zvc_compressor.v,
// hw/rtl/zvc_decompressor.v, or the user's files with the same ports), wrapped with the
// SystemC codecs' stream ports, statistics and wait states (observed from the pins) so that
// the pipeline cannot tell them apart.
#include <cstdint>
#include <memory>

#include <systemc>

#include "hw/rtl/rtl_skip_fifo.hpp"
#include "hw/rtl/rtl_traceable.hpp"
#include "hw/skip_fifo/skip_codec.hpp"

class Vzvc_compressor;
class Vzvc_decompressor;

namespace skipsim {

// The RTL codecs' word port: the widest SRAM row.
using RtlWordBits = sc_dt::sc_bv<kMaxLanes * 8>;

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

class RtlZvcCompressor : public SkipCompressor, public RtlTraceable {
 public:
  SC_HAS_PROCESS(RtlZvcCompressor);

  RtlZvcCompressor(sc_core::sc_module_name name, int lanes, int word_bytes);
  ~RtlZvcCompressor() override;

  const StallStats& stall_stats() const override { return m_stats; }
  WaitState wait_state() const override { return m_wait; }
  bool quiescent() const override { return m_wait.kind != WaitState::Kind::kBusy; }
  void report(StatsNode& node) const override;
  const CodecStats& codec_stats() const override { return m_codec; }
  void settle() override;
  void trace_rtl(VerilatedVcdC* vcd, int levels) override;

 private:
  void on_clock();
  void drive_in();
  void take_out();

  std::unique_ptr<Vzvc_compressor> m_rtl;
  sc_core::sc_signal<bool> m_rst_n{"rst_n", true};
  sc_core::sc_signal<uint32_t> m_lanes_sig{"lanes_sig"}, m_word_sig{"word_sig"};
  sc_core::sc_signal<RtlBits> m_in_bits{"in_bits"};
  sc_core::sc_signal<RtlWordBits> m_out_bits{"out_bits"};
  int m_mask;
  bool m_after_edge = false;
  CodecPins m_pins;
  CodecStats m_codec;
  StallStats m_stats;
  WaitState m_wait;
};

class RtlZvcDecompressor : public SkipDecompressor, public RtlTraceable {
 public:
  SC_HAS_PROCESS(RtlZvcDecompressor);

  RtlZvcDecompressor(sc_core::sc_module_name name, int lanes, int word_bytes,
                     uint64_t beats_per_frame);
  ~RtlZvcDecompressor() override;

  const StallStats& stall_stats() const override { return m_stats; }
  WaitState wait_state() const override { return m_wait; }
  bool quiescent() const override { return m_wait.kind != WaitState::Kind::kBusy; }
  void settle() override;
  void trace_rtl(VerilatedVcdC* vcd, int levels) override;

 private:
  void on_clock();
  void drive_in();
  void take_out();

  std::unique_ptr<Vzvc_decompressor> m_rtl;
  sc_core::sc_signal<bool> m_rst_n{"rst_n", true};
  sc_core::sc_signal<uint32_t> m_lanes_sig{"lanes_sig"}, m_word_sig{"word_sig"},
      m_frame_sig{"frame_sig"};
  sc_core::sc_signal<RtlWordBits> m_in_bits{"in_bits"};
  sc_core::sc_signal<RtlBits> m_out_bits{"out_bits"};
  bool m_after_edge = false;
  CodecPins m_pins;
  StallStats m_stats;
  WaitState m_wait;
};

}  // namespace skipsim
