#pragma once
// The skip path's codec interface: a compressor before the skip FIFO turns beats of `lanes`
// lanes into words of one SRAM row (hardware.sram.width_bytes), a decompressor after it turns
// them back. Every codec (zvc_codec.hpp, its RTL twin, and others) implements these two, so
// the builders wire and report any of them the same way.
#include <cstdint>

#include <systemc>

#include "hw/common/hw_block.hpp"
#include "hw/stream/stream.hpp"

namespace skipsim {

struct CodecStats {
  uint64_t beats = 0, words = 0;
  uint64_t raw_bytes = 0;         // lanes bytes per beat
  uint64_t compressed_bytes = 0;  // the codec's bytes before padding a frame's last word
  uint64_t zero_lanes = 0;
};

class SkipCompressor : public sc_core::sc_module, public HwBlock {
 public:
  sc_core::sc_in<bool> clk{"clk"};
  StreamIn in{"in"};     // beats of `lanes` lanes
  StreamOut out{"out"};  // words of word_bytes bytes

  std::string block_name() const override { return basename(); }
  std::vector<std::string> input_ports() const override { return {"in"}; }
  std::vector<std::string> output_ports() const override { return {"out"}; }
  virtual const CodecStats& codec_stats() const = 0;
  int lanes() const { return m_lanes; }
  int word_bytes() const { return m_word; }

 protected:
  SkipCompressor(sc_core::sc_module_name name, int lanes, int word_bytes)
      : sc_module(name), m_lanes(lanes), m_word(word_bytes) {}
  // Adds the `codec` node with the statistics every codec keeps.
  void report_codec(StatsNode& node) const;
  int m_lanes, m_word;
};

class SkipDecompressor : public sc_core::sc_module, public HwBlock {
 public:
  sc_core::sc_in<bool> clk{"clk"};
  StreamIn in{"in"};     // words
  StreamOut out{"out"};  // beats

  std::string block_name() const override { return basename(); }
  std::vector<std::string> input_ports() const override { return {"in"}; }
  std::vector<std::string> output_ports() const override { return {"out"}; }

 protected:
  SkipDecompressor(sc_core::sc_module_name name, int lanes, int word_bytes)
      : sc_module(name), m_lanes(lanes), m_word(word_bytes) {}
  int m_lanes, m_word;
};

}  // namespace skipsim
