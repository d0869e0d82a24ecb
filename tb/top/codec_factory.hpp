#pragma once
// The skip path's codec (hardware.skip_fifo.compression), made behind the interface of
// hw/skip_fifo/skip_codec.hpp whichever codec it is.
#include <cstdint>
#include <memory>

#include "hw/skip_fifo/skip_codec.hpp"
#include "tb/config/config.hpp"

namespace skipsim {

// kind must not be kNone. impl (hardware.skip_codec.impl): the SystemC model or its
// Verilated RTL (tb/top/block_factory.hpp; InputError in a build without it).
std::unique_ptr<SkipCompressor> make_skip_compressor(const char* name, SkipCompression kind,
                                                     Impl impl, int lanes, int word_bytes);
// beats_per_frame: the frame's beats (pixels x ceil(C / lanes)), where `last` goes.
std::unique_ptr<SkipDecompressor> make_skip_decompressor(const char* name, SkipCompression kind,
                                                         Impl impl, int lanes, int word_bytes,
                                                         uint64_t beats_per_frame);

}  // namespace skipsim
