#pragma once
// Run-length coding (RLC) of zeros on the skip path, after Eyeriss (Chen et al., "Eyeriss: An
// Energy-Efficient Reconfigurable Accelerator for Deep Convolutional Neural Networks", IEEE
// JSSC 2017, sec. IV-D: (5-bit run of zeros, 16-bit level) pairs, three per 64-bit word plus a
// termination bit), with int8 levels. RlcCompressor before the skip FIFO packs a frame's lanes
// into pairs; RlcDecompressor after it restores the beats.
//
// Format: a frame's lanes in stream order (beat after beat, lane 0 first, padding lanes of a
// pixel's last beat included) become 13-bit pairs (run: 5 bits, level: 8 bits); a pair stands
// for `run` zeros followed by the lane `level`, so every pair covers run + 1 lanes and a pair
// of level 0 covers run + 1 zeros. A zero run longer than 31 is cut into (31, 0) pairs of 32
// zeros each (sent as the 32nd zero arrives); the zeros after a frame's last non-zero lane
// (1..31 of them once the 32s are sent) end the frame as one pair (zeros - 1, 0). The pairs
// thus cover exactly the frame's beats x lanes lanes, which the decompressor knows, like
// ZvcDecompressor. A word of `word_bytes` bytes (the SRAM row) holds P = floor(8 word_bytes
// / 13) pairs, pair k in bits [13k, 13k + 13) (bit i: bit i % 8 of byte i / 8; run in the
// pair's low 5 bits); its top 8 word_bytes - 13 P bits are unused (11 of 128 in a 16-byte
// row, 9 of 256 in a 32-byte one; Eyeriss spends its spare bit on termination, here `last`
// does that). A frame's last word carries `last`, its unused pairs zero; word_bytes >= 2.
// CodecStats::compressed_bytes counts the pairs' bits rounded up to whole bytes, without the
// unused bits and the padding pairs.
//
// Timing (the stream convention of hw/stream/stream.hpp):
// - Compressor: takes at most one beat per cycle, which gives at most `lanes` pairs (one per
//   non-zero lane or 32nd zero, plus the frame's closing pair on a lane that gave none); its
//   ready promises room for `lanes` pairs. Out: at most one word per cycle, loaded once P
//   pairs (or the frame's tail) wait: a pair made at edge e leaves at edge e+2 at the
//   earliest. A beat's zeros travel with the pair that ends their run, so they wait for the
//   next non-zero lane, the 32nd zero or the frame's end. Rate: an incompressible stream (no
//   zero lane) moves at P / lanes beats per cycle when lanes > P: 9/16 with 16 lanes in
//   16-byte rows; 32-byte rows (P = 19) keep one beat per cycle.
// - Decompressor: takes at most one word per cycle, emits at most one beat per cycle once
//   the pairs covering its lanes are buffered (up to `lanes` pairs per beat, a run may span
//   beats): a word taken at edge e gives its first beat at edge e+1.
#include <cstdint>
#include <vector>

#include <systemc>

#include "hw/skip_fifo/codec_model.hpp"

namespace skipsim {

inline constexpr int kRlcPairBits = 13;
inline constexpr int kRlcMaxRun = 31;
// Pairs per word of `word_bytes` bytes.
inline int rlc_pairs_per_word(int word_bytes) { return 8 * word_bytes / kRlcPairBits; }
// Pairs one frame of `frame` (its lanes in stream order) codes to.
uint64_t rlc_pairs(const std::vector<int8_t>& frame);
// Words of `word_bytes` that one frame of `beats` (lanes each, beats.size() / lanes of them)
// compresses to, its last word padded.
uint64_t rlc_words(const std::vector<int8_t>& beats, int lanes, int word_bytes);
// The words RlcCompressor makes of one frame of whole beats, word after word (word_bytes
// each, the last padded): the software model the layer-by-layer NPU sizes and checks with.
std::vector<int8_t> rlc_encode(const std::vector<int8_t>& beats, int lanes, int word_bytes);

class RlcCompressor : public CodecModel<SkipCompressor> {
 public:
  SC_HAS_PROCESS(RlcCompressor);

  RlcCompressor(sc_core::sc_module_name name, int lanes, int word_bytes);

  void report(StatsNode& node) const override;
  const CodecStats& codec_stats() const override { return m_codec; }

 private:
  void on_clock();
  // Codes beat b's lanes, closing the frame when `last`.
  void append_beat(const Beat& b, bool last);
  int m_pairs_per_word;
  std::vector<uint16_t> m_buf;  // pairs waiting to leave as words (front first)
  size_t m_head = 0;            // first pair not yet in a word
  int m_run = 0;                // zeros not yet in a pair (0..31)
  uint64_t m_pair_count = 0;
  bool m_flush = false;  // the frame's last beat is in: send the tail padded
  bool m_out_busy = false;
  CodecStats m_codec;
};

class RlcDecompressor : public CodecModel<SkipDecompressor> {
 public:
  SC_HAS_PROCESS(RlcDecompressor);

  // beats_per_frame: the frame's beats (pixels x ceil(C / lanes)), where `last` goes.
  RlcDecompressor(sc_core::sc_module_name name, int lanes, int word_bytes,
                  uint64_t beats_per_frame);

 private:
  void on_clock();
  // Whether the buffered pairs cover a whole beat.
  bool beat_ready() const;
  Beat take_beat();
  int m_pairs_per_word;
  uint64_t m_frame_beats, m_beat = 0;  // beats of the frame emitted
  std::vector<uint16_t> m_buf;
  size_t m_head = 0;
  int m_used = 0;               // lanes of the front pair already emitted
  bool m_last_word_in = false;  // the frame's last word is in; its padding ends at m_pad_end
  size_t m_pad_end = 0;
  bool m_out_busy = false;
};

}  // namespace skipsim
