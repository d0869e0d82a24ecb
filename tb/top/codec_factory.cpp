#include "tb/top/codec_factory.hpp"

#include <stdexcept>

#include "hw/skip_fifo/rlc_codec.hpp"
#include "hw/skip_fifo/zvc_codec.hpp"
#include "tb/top/block_factory.hpp"

namespace skipsim {

int skip_entry_bytes(const HardwareConfig& hw) {
  return hw.skip_fifo.compression == SkipCompression::kNone ? hw.stream.lanes : hw.sram.width_bytes;
}

uint64_t skip_worst_entries(const HardwareConfig& hw, uint64_t beats) {
  const auto lanes = static_cast<uint64_t>(hw.stream.lanes);
  const auto word = static_cast<uint64_t>(hw.sram.width_bytes);
  switch (hw.skip_fifo.compression) {
    case SkipCompression::kZvc:
      return (beats * (static_cast<uint64_t>(zvc_mask_bytes(hw.stream.lanes)) + lanes) + word - 1) /
             word;
    case SkipCompression::kRlc: {
      // A beat with no zero lane is `lanes` pairs, P a word.
      const auto p = static_cast<uint64_t>(rlc_pairs_per_word(hw.sram.width_bytes));
      return (beats * lanes + p - 1) / p;
    }
    case SkipCompression::kNone:
      break;
  }
  return beats;
}

std::unique_ptr<SkipCompressor> make_skip_compressor(const char* name, SkipCompression kind,
                                                     Impl impl, int lanes, int word_bytes) {
  switch (kind) {
    case SkipCompression::kZvc:
      return make_zvc_compressor(name, impl, lanes, word_bytes);
    case SkipCompression::kRlc:
      return std::make_unique<RlcCompressor>(name, lanes, word_bytes);
    case SkipCompression::kNone:
      break;
  }
  throw std::logic_error("make_skip_compressor: no codec");
}

std::unique_ptr<SkipDecompressor> make_skip_decompressor(const char* name, SkipCompression kind,
                                                         Impl impl, int lanes, int word_bytes,
                                                         uint64_t beats_per_frame) {
  switch (kind) {
    case SkipCompression::kZvc:
      return make_zvc_decompressor(name, impl, lanes, word_bytes, beats_per_frame);
    case SkipCompression::kRlc:
      return std::make_unique<RlcDecompressor>(name, lanes, word_bytes, beats_per_frame);
    case SkipCompression::kNone:
      break;
  }
  throw std::logic_error("make_skip_decompressor: no codec");
}

std::vector<int8_t> encode_skip_words(SkipCompression kind, const std::vector<int8_t>& beats,
                                      int lanes, int word_bytes) {
  switch (kind) {
    case SkipCompression::kZvc:
      return zvc_encode(beats, lanes, word_bytes);
    case SkipCompression::kRlc:
      return rlc_encode(beats, lanes, word_bytes);
    case SkipCompression::kNone:
      break;
  }
  throw std::logic_error("encode_skip_words: no codec");
}

}  // namespace skipsim
