#include "hw/skip_fifo/skip_codec.hpp"

namespace skipsim {

void SkipCompressor::report_codec(StatsNode& node) const {
  const CodecStats& c = codec_stats();
  node.child("codec")
      .set("beats", c.beats)
      .set("words", c.words)
      .set("raw_bytes", c.raw_bytes)
      .set("compressed_bytes", c.compressed_bytes)
      .set("word_bytes", c.words * static_cast<uint64_t>(m_word))
      .set("zero_lanes", c.zero_lanes);
}

}  // namespace skipsim
