#include "hw/skip_fifo/rlc_codec.hpp"

#include <algorithm>
#include <stdexcept>

#include "hw/common/errors.hpp"

namespace skipsim {

namespace {

void check(int lanes, int word_bytes, const char* who) {
  if (lanes < 1 || lanes > kMaxLanes || word_bytes < 2 || word_bytes > kMaxLanes)
    throw InputError(std::string(who) +
                     ": lanes must be in [1, 64] and word bytes in [2, 64] (a 13-bit pair a word)");
}

uint16_t pair(int run, int8_t level) {
  return static_cast<uint16_t>(run | static_cast<uint8_t>(level) << 5);
}
int pair_run(uint16_t p) { return p & 31; }
int8_t pair_level(uint16_t p) { return static_cast<int8_t>(static_cast<uint8_t>(p >> 5)); }

// The coder's step for one lane: appends the pair it ends, if any.
template <class Push>
void code_lane(int8_t v, int& run, Push&& push) {
  if (v != 0) {
    push(pair(run, v));
    run = 0;
  } else if (++run == kRlcMaxRun + 1) {
    push(pair(kRlcMaxRun, 0));
    run = 0;
  }
}

// The frame's closing pair for the zeros after its last pair.
template <class Push>
void close_frame(int& run, Push&& push) {
  if (run > 0) push(pair(run - 1, 0));
  run = 0;
}

// Drops the consumed front of a buffer once it is large, keeping the rest in order.
void compact(std::vector<uint16_t>& buf, size_t& head) {
  if (head < 256) return;
  buf.erase(buf.begin(), buf.begin() + static_cast<long>(head));
  head = 0;
}

}  // namespace

uint64_t rlc_pairs(const std::vector<int8_t>& frame) {
  uint64_t n = 0;
  int run = 0;
  auto push = [&n](uint16_t) { ++n; };
  for (int8_t v : frame) code_lane(v, run, push);
  close_frame(run, push);
  return n;
}

uint64_t rlc_words(const std::vector<int8_t>& beats, int lanes, int word_bytes) {
  // Whole beats only, as zvc_words counts them.
  const size_t n = beats.size() / static_cast<size_t>(lanes) * static_cast<size_t>(lanes);
  const std::vector<int8_t> frame(beats.begin(), beats.begin() + static_cast<long>(n));
  const auto p = static_cast<uint64_t>(rlc_pairs_per_word(word_bytes));
  return (rlc_pairs(frame) + p - 1) / p;
}

std::vector<int8_t> rlc_encode(const std::vector<int8_t>& beats, int lanes, int word_bytes) {
  check(lanes, word_bytes, "rlc_encode");
  std::vector<uint16_t> pairs;
  int run = 0;
  auto push = [&pairs](uint16_t p) { pairs.push_back(p); };
  const size_t n = beats.size() / static_cast<size_t>(lanes) * static_cast<size_t>(lanes);
  for (size_t i = 0; i < n; ++i) code_lane(beats[i], run, push);
  close_frame(run, push);
  const auto per_word = static_cast<size_t>(rlc_pairs_per_word(word_bytes));
  const size_t words = (pairs.size() + per_word - 1) / per_word;
  std::vector<uint8_t> out(words * static_cast<size_t>(word_bytes), 0);
  for (size_t i = 0; i < pairs.size(); ++i) {
    uint8_t* w = out.data() + i / per_word * static_cast<size_t>(word_bytes);
    const size_t bit = i % per_word * kRlcPairBits;
    const uint32_t shifted = static_cast<uint32_t>(pairs[i]) << (bit % 8);
    for (size_t j = 0; j < 3 && bit / 8 + j < static_cast<size_t>(word_bytes); ++j)
      w[bit / 8 + j] |= static_cast<uint8_t>(shifted >> (8 * j));
  }
  return std::vector<int8_t>(out.begin(), out.end());
}

RlcCompressor::RlcCompressor(sc_core::sc_module_name name, int lanes, int word_bytes)
    : CodecModel(name, lanes, word_bytes), m_pairs_per_word(rlc_pairs_per_word(word_bytes)) {
  check(lanes, word_bytes, this->name());
  SC_METHOD(on_clock);
  sensitive << clk.pos();
  dont_initialize();
}

void RlcCompressor::append_beat(const Beat& b, bool last) {
  auto push = [this](uint16_t p) { m_buf.push_back(p); };
  const size_t was = m_buf.size();
  for (int i = 0; i < m_lanes; ++i) {
    m_codec.zero_lanes += b.lane[i] == 0;
    code_lane(b.lane[i], m_run, push);
  }
  if (last) close_frame(m_run, push);
  m_pair_count += m_buf.size() - was;
  m_codec.compressed_bytes = (m_pair_count * kRlcPairBits + 7) / 8;
}

void RlcCompressor::on_clock() {
  if (!begin_edge()) return;
  const bool fired_out = m_out_busy && out.ready.read();
  if (fired_out) {
    m_out_busy = false;
    ++m_codec.words;
  }
  bool loaded = false;
  const size_t avail = m_buf.size() - m_head;
  const auto per_word = static_cast<size_t>(m_pairs_per_word);
  if (!m_out_busy && (avail >= per_word || (m_flush && avail > 0))) {
    Beat w;
    const size_t n = std::min(avail, per_word);
    for (size_t k = 0; k < n; ++k) {
      const uint32_t p = m_buf[m_head + k];
      const size_t bit = k * kRlcPairBits;
      // 13 bits at `bit` straddle at most three bytes.
      const uint32_t shifted = p << (bit % 8);
      for (size_t j = 0; j < 3 && bit / 8 + j < static_cast<size_t>(m_word); ++j)
        w.lane[bit / 8 + j] = static_cast<int8_t>(static_cast<uint8_t>(w.lane[bit / 8 + j]) |
                                                  static_cast<uint8_t>(shifted >> (8 * j)));
    }
    m_head += n;
    const bool last = m_flush && m_head == m_buf.size();
    if (last) m_flush = false;
    out.put(w, last);
    m_out_busy = loaded = true;
  } else if (!m_out_busy && out.valid.read()) {
    out.idle();
  }
  compact(m_buf, m_head);
  const bool fired_in = in.fire();
  if (fired_in) {
    const bool last = in.last.read();
    append_beat(in.data.read(), last);
    ++m_codec.beats;
    m_codec.raw_bytes += static_cast<uint64_t>(m_lanes);
    if (last) m_flush = true;
  }
  // Room for a beat of `lanes` pairs beside what waits; a frame's tail leaves first.
  const size_t pending = m_buf.size() - m_head;
  const bool ready = !m_flush && pending <= 2 * per_word;
  const bool ready_changed = in.ready.read() != ready;
  if (ready_changed) in.ready.write(ready);
  end_edge(fired_in || fired_out || loaded, ready_changed, m_out_busy, "word waiting", "no beat");
}

void RlcCompressor::report(StatsNode& node) const {
  HwBlock::report(node);
  report_codec(node);
}

RlcDecompressor::RlcDecompressor(sc_core::sc_module_name name, int lanes, int word_bytes,
                                 uint64_t beats_per_frame)
    : CodecModel(name, lanes, word_bytes),
      m_pairs_per_word(rlc_pairs_per_word(word_bytes)),
      m_frame_beats(beats_per_frame) {
  check(lanes, word_bytes, this->name());
  if (beats_per_frame == 0) throw InputError(std::string(this->name()) + ": a frame has beats");
  SC_METHOD(on_clock);
  sensitive << clk.pos();
  dont_initialize();
}

bool RlcDecompressor::beat_ready() const {
  // Each pair covers run + 1 lanes; the front one has m_used of them emitted.
  int covered = -m_used;
  for (size_t i = m_head; i < m_buf.size() && covered < m_lanes; ++i)
    covered += pair_run(m_buf[i]) + 1;
  return covered >= m_lanes;
}

Beat RlcDecompressor::take_beat() {
  Beat b;
  for (int l = 0; l < m_lanes;) {
    const uint16_t p = m_buf[m_head];
    const int span = pair_run(p) + 1;
    // The pair's lanes still to emit: zeros, then the level on its last lane.
    const int n = std::min(span - m_used, m_lanes - l);
    m_used += n;
    l += n;
    if (m_used == span) {
      b.lane[l - 1] = pair_level(p);
      ++m_head;
      m_used = 0;
    }
  }
  return b;
}

void RlcDecompressor::on_clock() {
  if (!begin_edge()) return;
  const bool fired_out = m_out_busy && out.ready.read();
  if (fired_out) m_out_busy = false;
  bool loaded = false;
  if (!m_out_busy && beat_ready()) {
    const Beat b = take_beat();
    const bool last = ++m_beat == m_frame_beats;
    if (last) {
      // The frame's pairs end with its last lane; the rest of its last word is padding.
      if (!m_last_word_in || m_used != 0 || m_head > m_pad_end)
        throw std::logic_error(std::string(name()) + ": frame ended off a pair boundary");
      m_head = m_pad_end;
      m_last_word_in = false;
      m_beat = 0;
    }
    out.put(b, last);
    m_out_busy = loaded = true;
  } else if (!m_out_busy && out.valid.read()) {
    out.idle();
  }
  if (m_head >= 256 || m_head == m_buf.size()) {
    m_buf.erase(m_buf.begin(), m_buf.begin() + static_cast<long>(m_head));
    m_pad_end -= std::min(m_pad_end, m_head);
    m_head = 0;
  }
  const bool fired_in = in.fire();
  if (fired_in) {
    const Beat& w = in.data.read();
    for (int k = 0; k < m_pairs_per_word; ++k) {
      const int bit = k * kRlcPairBits;
      uint32_t v = 0;
      for (int j = 0; j < 3 && bit / 8 + j < m_word; ++j)
        v |= static_cast<uint32_t>(static_cast<uint8_t>(w.lane[bit / 8 + j])) << (8 * j);
      m_buf.push_back(static_cast<uint16_t>((v >> (bit % 8)) & 0x1fff));
    }
    if (in.last.read()) {
      if (m_last_word_in) throw std::logic_error(std::string(name()) + ": two frame ends queued");
      m_last_word_in = true;
      m_pad_end = m_buf.size();
    }
  }
  // Room for one more word beside the word being used and two beats' worth (`lanes` pairs
  // each: the beat the next edge emits before the word lands, and the one after); none once a
  // frame's last word waits (its padding is dropped with the frame's last beat).
  const size_t pending = m_buf.size() - m_head;
  const auto per_word = static_cast<size_t>(m_pairs_per_word);
  const bool ready =
      !m_last_word_in && pending + per_word <= 2 * per_word + 2 * static_cast<size_t>(m_lanes);
  const bool ready_changed = in.ready.read() != ready;
  if (ready_changed) in.ready.write(ready);
  end_edge(fired_in || fired_out || loaded, ready_changed, m_out_busy, "beat waiting", "no word");
}

}  // namespace skipsim
