#pragma once
// The skip path's codec (hardware.skip_fifo.compression), made behind the interface of
// hw/skip_fifo/skip_codec.hpp whichever codec it is.
#include <cstdint>
#include <memory>
#include <vector>

#include "hw/skip_fifo/skip_codec.hpp"
#include "tb/config/config.hpp"

namespace skipsim {

// Bytes of one skip FIFO entry: a beat (stream.lanes), or with compression a word of one
// SRAM row (sram.width_bytes).
int skip_entry_bytes(const HardwareConfig& hw);
// The entries `beats` beats take in the skip FIFO at worst, when no lane is zero: the beats,
// or the words of the codec's incompressible format (a frame's last word padded).
uint64_t skip_worst_entries(const HardwareConfig& hw, uint64_t beats);

// kind must not be kNone. impl (hardware.skip_codec.impl): the SystemC model or its
// Verilated RTL (tb/top/block_factory.hpp; InputError in a build without it).
std::unique_ptr<SkipCompressor> make_skip_compressor(const char* name, SkipCompression kind,
                                                     Impl impl, int lanes, int word_bytes);
// beats_per_frame: the frame's beats (pixels x ceil(C / lanes)), where `last` goes.
std::unique_ptr<SkipDecompressor> make_skip_decompressor(const char* name, SkipCompression kind,
                                                         Impl impl, int lanes, int word_bytes,
                                                         uint64_t beats_per_frame);
// The words (word_bytes each, concatenated) that kind's compressor emits for one frame of
// `beats` (lanes bytes each): the codec's software model, which the layer-by-layer NPU
// stores and checks the compressor against. kind must not be kNone.
std::vector<int8_t> encode_skip_words(SkipCompression kind, const std::vector<int8_t>& beats,
                                      int lanes, int word_bytes);

}  // namespace skipsim
