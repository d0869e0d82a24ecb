#include "hw/rtl/rtl_zvc_codec.hpp"

#include <fmt/format.h>

#include "Vzvc_compressor.h"
#include "Vzvc_decompressor.h"
#include "hw/common/errors.hpp"
#include "hw/skip_fifo/zvc_codec.hpp"

namespace skipsim {

// Four lanes per 32-bit word of the vector: lane l in bits [8l+7:8l].
RtlWordBits to_word_bits(const Beat& b) {
  RtlWordBits v;
  for (int w = 0; w < kMaxLanes / 4; ++w) {
    uint32_t x = 0;
    for (int k = 0; k < 4; ++k) x |= uint32_t{static_cast<uint8_t>(b.lane[4 * w + k])} << (8 * k);
    v.set_word(w, x);
  }
  return v;
}

Beat from_word_bits(const RtlWordBits& v) {
  Beat b;
  for (int w = 0; w < kMaxLanes / 4; ++w) {
    const uint32_t x = v.get_word(w);
    for (int k = 0; k < 4; ++k) b.lane[4 * w + k] = static_cast<int8_t>(x >> (8 * k));
  }
  return b;
}

// The RTL is built for at most kRtlLanes lanes and words of at most kMaxLanes bytes.
void check_rtl_codec(int lanes, int word_bytes, const char* who) {
  if (lanes < 1 || lanes > kRtlLanes)
    throw InputError(fmt::format(
        "config error: rtl {} is built for at most {} lanes, hardware.stream.lanes is {} "
        "(rebuild with -DSKIPSIM_RTL_LANES={})",
        who, kRtlLanes, lanes, lanes));
  if (word_bytes < 1 || word_bytes > kMaxLanes)
    throw InputError(
        fmt::format("config error: rtl {}: hardware.sram.width_bytes must be in "
                    "[1, {}], got {}",
                    who, kMaxLanes, word_bytes));
}

void CodecPins::before(bool fired_in, bool out_valid, bool out_ready) {
  m_fired_in = fired_in;
  m_fired_out = out_valid && out_ready;
  m_held = out_valid && !out_ready;
}

WaitState::Kind CodecPins::after(bool out_valid, StallStats& stats, WaitState& wait,
                                 const char* held, const char* none) {
  // A held output stays valid; otherwise valid after the edge means a new output loaded.
  const bool loaded = out_valid && !m_held;
  if (m_fired_in || m_fired_out || loaded) {
    ++stats.busy;
    wait = {WaitState::Kind::kBusy, "", ""};
  } else if (m_held) {
    ++stats.blocked;
    ++stats.blocked_on[0];
    wait = {WaitState::Kind::kBlocked, "out", held};
  } else {
    ++stats.starved;
    ++stats.starved_on[0];
    wait = {WaitState::Kind::kStarved, "in", none};
  }
  return wait.kind;
}

int zvc_beat_bytes_of(const Beat& b, int lanes) { return zvc_beat_bytes(b.lane.data(), lanes); }

std::unique_ptr<SkipCompressor> make_rtl_zvc_compressor(const char* name, int lanes,
                                                        int word_bytes) {
  return std::make_unique<RtlZvcCompressorT<Vzvc_compressor>>(name, lanes, word_bytes);
}

std::unique_ptr<SkipDecompressor> make_rtl_zvc_decompressor(const char* name, int lanes,
                                                            int word_bytes,
                                                            uint64_t beats_per_frame) {
  return std::make_unique<RtlZvcDecompressorT<Vzvc_decompressor>>(name, lanes, word_bytes,
                                                                  beats_per_frame);
}

}  // namespace skipsim
