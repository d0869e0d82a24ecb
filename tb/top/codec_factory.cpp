#include "tb/top/codec_factory.hpp"

#include <stdexcept>

#include "tb/top/block_factory.hpp"

namespace skipsim {

std::unique_ptr<SkipCompressor> make_skip_compressor(const char* name, SkipCompression kind,
                                                     Impl impl, int lanes, int word_bytes) {
  switch (kind) {
    case SkipCompression::kZvc:
      return make_zvc_compressor(name, impl, lanes, word_bytes);
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
    case SkipCompression::kNone:
      break;
  }
  throw std::logic_error("make_skip_decompressor: no codec");
}

}  // namespace skipsim
