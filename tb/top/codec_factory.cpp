#include "tb/top/codec_factory.hpp"

#include <stdexcept>

#include "hw/skip_fifo/rlc_codec.hpp"
#include "hw/skip_fifo/zvc_codec.hpp"

namespace skipsim {

std::unique_ptr<SkipCompressor> make_skip_compressor(const char* name, SkipCompression kind,
                                                     int lanes, int word_bytes) {
  switch (kind) {
    case SkipCompression::kZvc:
      return std::make_unique<ZvcCompressor>(name, lanes, word_bytes);
    case SkipCompression::kRlc:
      return std::make_unique<RlcCompressor>(name, lanes, word_bytes);
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
    case SkipCompression::kRlc:
      return std::make_unique<RlcDecompressor>(name, lanes, word_bytes, beats_per_frame);
    case SkipCompression::kNone:
      break;
  }
  throw std::logic_error("make_skip_decompressor: no codec");
}

}  // namespace skipsim
