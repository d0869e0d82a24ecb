#pragma once
// Lock-step co-simulation of one block of a built design (README "RTL co-simulation"): the
// block's RTL twin reads the same input pins as the pipeline's SystemC block and drives
// shadow wires; a Lockstep compares every output pin of the two each cycle.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <systemc>

#include "hw/common/core_clock.hpp"

#include "hw/common/beat.hpp"
#include "hw/rtl/rtl_checks.hpp"
#include "hw/skip_fifo/skip_codec.hpp"
#include "hw/skip_fifo/skip_fifo.hpp"
#include "hw/stream/add.hpp"
#include "hw/stream/stream.hpp"
#include "tb/config/config.hpp"
#include "tb/observe/lockstep.hpp"

namespace skipsim {

struct CosimOptions {
  std::string module;  // "", "skip_fifo", "fork", "add", "compressor" or "decompressor"
  CosimCompare compare = CosimCompare::kPins;
  bool keep_going = false;  // count every difference instead of stopping at the first
  // Builds the RTL skip FIFO to compare; empty = the build's (tests pass altered variants).
  std::function<std::unique_ptr<SkipFifoBase>(const char*, uint64_t)> skip_fifo_rtl;
  // With hardware.skip_fifo.impl: rtl, builds the pipeline's skip FIFO instead of the
  // build's (tests run altered variants in the pipeline; they get no SRAM reserved).
  std::function<std::unique_ptr<SkipFifoBase>(const char*, uint64_t)> pipeline_skip_fifo_rtl;
  // Likewise the RTL compressor (name, lanes, word bytes).
  std::function<std::unique_ptr<SkipCompressor>(const char*, int, int)> compressor_rtl;
};

class CosimTwin {
 public:
  // The streams of the design by name (input, fork_main, fork_skip, skip_out, output, the
  // main path's last stream and the skip FIFO's input stream).
  struct Streams {
    std::function<Stream&(const std::string&)> named;
    std::string main_out, skip_in;
    uint64_t skip_frame_beats = 0;  // beats of a skip frame (where the decompressor's last goes)
  };
  // Throws InputError for an unknown block or one already RTL in the pipeline.
  CosimTwin(const CosimOptions& opt, const Config& cfg, const AddConfig& add,
            const Streams& streams, ClockSignal& clk);
  ~CosimTwin();

  Lockstep& lockstep() { return *m_lockstep; }
  const RtlChecked* twin_checks() const { return dynamic_cast<const RtlChecked*>(m_twin.get()); }
  const std::string& module() const { return m_module; }

 private:
  void twin_in(StreamIn& p, Stream& s, const std::string& pin);
  void twin_out(StreamOut& p, Stream& s, const std::string& pin);
  sc_core::sc_signal<bool>& shadow_bool(const std::string& name);
  sc_core::sc_signal<Beat>& shadow_beat(const std::string& name);

  std::string m_module;
  std::unique_ptr<Lockstep> m_lockstep;
  std::unique_ptr<sc_core::sc_module> m_twin;
  std::vector<std::unique_ptr<sc_core::sc_signal<bool>>> m_bools;
  std::vector<std::unique_ptr<sc_core::sc_signal<Beat>>> m_beats;
  std::vector<std::unique_ptr<sc_core::sc_module>> m_replays;
  ClockSignal* m_clk;
};

}  // namespace skipsim
