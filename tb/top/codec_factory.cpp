#include "tb/top/codec_factory.hpp"

#include <stdexcept>

#include "hw/skip_fifo/zvc_codec.hpp"

namespace skipsim {

std::unique_ptr<SkipCompressor> make_skip_compressor(const char* name, SkipCompression kind,
                                                     int lanes, int word_bytes) {
  switch (kind) {
    case SkipCompression::kZvc:
      return std::make_unique<ZvcCompressor>(name, lanes, word_bytes);
    case SkipCompression::kNone:
      break;
  }
  throw std::logic_error("make_skip_compressor: no codec");
}

std::unique_ptr<SkipDecompressor> make_skip_decompressor(const char* name, SkipCompression kind,
                                                         int lanes, int word_bytes,
                                                         uint64_t beats_per_frame) {
  switch (kind) {
    case SkipCompression::kZvc:
      return std::make_unique<ZvcDecompressor>(name, lanes, word_bytes, beats_per_frame);
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
    case SkipCompression::kNone:
      break;
  }
  throw std::logic_error("encode_skip_words: no codec");
}

}  // namespace skipsim
