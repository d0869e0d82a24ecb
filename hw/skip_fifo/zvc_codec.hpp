#pragma once
// Zero-value compression (ZVC) of the skip path: ZvcCompressor before the skip FIFO packs
// each beat into a bitmask of its non-zero lanes plus those lanes' bytes; ZvcDecompressor
// after it restores the beats. Post-ReLU activations are largely zero, so the FIFO holds
// fewer bytes (Rhu et al., "Compressing DMA Engine", HPCA 2018: the same mask + values
// format on the DMA path).
//
// Format: per beat of `lanes` lanes, M = ceil(lanes/8) mask bytes (bit i of byte i/8: lane i
// non-zero), then the non-zero lanes' bytes in lane order; the beats' bytes follow one
// another, packed into words of `word_bytes` bytes (the SRAM row width), which are the
// compressed stream's beats (lanes 0..word_bytes-1). A frame's last word is padded with zeros
// and carries `last`; the decompressor knows the frame's beat count and drops the padding.
//
// Timing (the stream convention of hw/stream/stream.hpp: registered valid, data, last and
// ready):
// - Compressor: takes at most one beat per cycle; its ready promises room for a beat whose
//   lanes are all non-zero. The output register loads a word once the buffer holds one (or
//   the frame's tail): a beat taken at edge e is in a word that can leave at edge e+2 at the
//   earliest. Out: at most one word per cycle, so a beat of more than word_bytes - M non-zero
//   lanes costs more than a cycle of output (worst case, all lanes non-zero: M + lanes bytes
//   per beat, 16/18 beats per cycle with 16 lanes in 16-byte words).
// - Decompressor: takes at most one word per cycle, emits at most one beat per cycle once its
//   mask and bytes are buffered (a word taken at edge e gives its first beat at edge e+1).
#include <cstdint>
#include <vector>

#include <systemc>

#include "hw/skip_fifo/codec_model.hpp"

namespace skipsim {

// Bytes of one beat in the compressed format.
int zvc_beat_bytes(const int8_t* lanes, int n);
// The mask bytes per beat.
inline int zvc_mask_bytes(int lanes) { return (lanes + 7) / 8; }
// Words of `word_bytes` that `beats` (lanes each, beats.size() / lanes of them) compress to.
uint64_t zvc_words(const std::vector<int8_t>& beats, int lanes, int word_bytes);
// Those words' bytes as the compressor emits them for one frame (the last word zero-padded):
// the codec's software model.
std::vector<int8_t> zvc_encode(const std::vector<int8_t>& beats, int lanes, int word_bytes);

class ZvcCompressor : public CodecModel<SkipCompressor> {
 public:
  SC_HAS_PROCESS(ZvcCompressor);

  ZvcCompressor(sc_core::sc_module_name name, int lanes, int word_bytes);

  void report(StatsNode& node) const override;
  const CodecStats& codec_stats() const override { return m_codec; }

 private:
  void on_clock();
  int m_mask;
  std::vector<uint8_t> m_buf;  // bytes waiting to leave as words (front first)
  size_t m_head = 0;           // first byte not yet in a word
  bool m_flush = false;        // the frame's last beat is in: send the tail padded
  bool m_out_busy = false;
  CodecStats m_codec;
};

class ZvcDecompressor : public CodecModel<SkipDecompressor> {
 public:
  SC_HAS_PROCESS(ZvcDecompressor);

  // beats_per_frame: the frame's beats (pixels x ceil(C / lanes)), where `last` goes.
  ZvcDecompressor(sc_core::sc_module_name name, int lanes, int word_bytes,
                  uint64_t beats_per_frame);

 private:
  void on_clock();
  // A whole beat at the buffer's front: its size in bytes, or 0.
  size_t front_beat_bytes() const;
  int m_mask;
  uint64_t m_frame_beats, m_beat = 0;  // beats of the frame emitted
  std::vector<uint8_t> m_buf;
  size_t m_head = 0;
  bool m_last_word_in = false;  // the frame's last word is in; its padding ends at m_pad_end
  size_t m_pad_end = 0;
  bool m_out_busy = false;
};

}  // namespace skipsim
