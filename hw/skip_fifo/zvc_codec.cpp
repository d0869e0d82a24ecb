#include "hw/skip_fifo/zvc_codec.hpp"

#include <algorithm>
#include <stdexcept>

#include "hw/common/errors.hpp"

namespace skipsim {

namespace {

void check(int lanes, int word_bytes, const char* who) {
  if (lanes < 1 || lanes > kMaxLanes || word_bytes < 1 || word_bytes > kMaxLanes)
    throw InputError(std::string(who) + ": lanes and word bytes must be in [1, 64]");
}

// Appends beat b's compressed bytes to buf; returns the number of zero lanes.
int append_beat(const Beat& b, int lanes, int mask_bytes, std::vector<uint8_t>& buf) {
  const size_t at = buf.size();
  buf.resize(at + static_cast<size_t>(mask_bytes), 0);
  int zeros = 0;
  for (int i = 0; i < lanes; ++i) {
    if (b.lane[i] == 0) {
      ++zeros;
      continue;
    }
    buf[at + static_cast<size_t>(i / 8)] |= static_cast<uint8_t>(1u << (i % 8));
    buf.push_back(static_cast<uint8_t>(b.lane[i]));
  }
  return zeros;
}

// Drops the consumed front of a byte buffer once it is large, keeping the rest in order.
void compact(std::vector<uint8_t>& buf, size_t& head) {
  if (head == 0 || head < 256) return;
  buf.erase(buf.begin(), buf.begin() + static_cast<long>(head));
  head = 0;
}

}  // namespace

int zvc_beat_bytes(const int8_t* lanes, int n) {
  int nz = 0;
  for (int i = 0; i < n; ++i) nz += lanes[i] != 0;
  return zvc_mask_bytes(n) + nz;
}

uint64_t zvc_words(const std::vector<int8_t>& beats, int lanes, int word_bytes) {
  uint64_t bytes = 0;
  for (size_t i = 0; i + static_cast<size_t>(lanes) <= beats.size();
       i += static_cast<size_t>(lanes))
    bytes += static_cast<uint64_t>(zvc_beat_bytes(beats.data() + i, lanes));
  return (bytes + static_cast<uint64_t>(word_bytes) - 1) / static_cast<uint64_t>(word_bytes);
}

std::vector<int8_t> zvc_encode(const std::vector<int8_t>& beats, int lanes, int word_bytes) {
  check(lanes, word_bytes, "zvc_encode");
  std::vector<uint8_t> buf;
  buf.reserve(beats.size() + beats.size() / static_cast<size_t>(lanes) * 8 + 64);
  Beat b;
  for (size_t i = 0; i + static_cast<size_t>(lanes) <= beats.size();
       i += static_cast<size_t>(lanes)) {
    std::copy_n(beats.begin() + static_cast<long>(i), lanes, b.lane.begin());
    append_beat(b, lanes, zvc_mask_bytes(lanes), buf);
  }
  const size_t w = static_cast<size_t>(word_bytes);
  buf.resize((buf.size() + w - 1) / w * w, 0);
  return std::vector<int8_t>(buf.begin(), buf.end());
}

ZvcCompressor::ZvcCompressor(sc_core::sc_module_name name, int lanes, int word_bytes)
    : CodecModel(name, lanes, word_bytes), m_mask(zvc_mask_bytes(lanes)) {
  check(lanes, word_bytes, this->name());
  SC_METHOD(on_clock);
  sensitive << clk.pos();
  dont_initialize();
}

void ZvcCompressor::on_clock() {
  if (!begin_edge()) return;
  const bool fired_out = m_out_busy && out.ready.read();
  if (fired_out) {
    m_out_busy = false;
    ++m_codec.words;
  }
  bool loaded = false;
  const size_t avail = m_buf.size() - m_head;
  if (!m_out_busy && (avail >= static_cast<size_t>(m_word) || (m_flush && avail > 0))) {
    Beat w;
    const size_t n = std::min(avail, static_cast<size_t>(m_word));
    for (size_t i = 0; i < n; ++i) w.lane[i] = static_cast<int8_t>(m_buf[m_head + i]);
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
    const Beat& b = in.data.read();
    const size_t was = m_buf.size();
    m_codec.zero_lanes += static_cast<uint64_t>(append_beat(b, m_lanes, m_mask, m_buf));
    m_codec.compressed_bytes += m_buf.size() - was;
    ++m_codec.beats;
    m_codec.raw_bytes += static_cast<uint64_t>(m_lanes);
    if (in.last.read()) m_flush = true;
  }
  // Room for a beat of all lanes non-zero beside what waits; a frame's tail leaves first.
  const size_t pending = m_buf.size() - m_head;
  const bool ready =
      !m_flush && pending + static_cast<size_t>(m_mask + m_lanes) <=
                      2 * static_cast<size_t>(m_word) + static_cast<size_t>(m_mask + m_lanes);
  const bool ready_changed = in.ready.read() != ready;
  if (ready_changed) in.ready.write(ready);
  end_edge(fired_in || fired_out || loaded, ready_changed, m_out_busy, "word waiting", "no beat");
}

void ZvcCompressor::report(StatsNode& node) const {
  HwBlock::report(node);
  report_codec(node);
}

ZvcDecompressor::ZvcDecompressor(sc_core::sc_module_name name, int lanes, int word_bytes,
                                 uint64_t beats_per_frame)
    : CodecModel(name, lanes, word_bytes),
      m_mask(zvc_mask_bytes(lanes)),
      m_frame_beats(beats_per_frame) {
  check(lanes, word_bytes, this->name());
  if (beats_per_frame == 0) throw InputError(std::string(this->name()) + ": a frame has beats");
  SC_METHOD(on_clock);
  sensitive << clk.pos();
  dont_initialize();
}

size_t ZvcDecompressor::front_beat_bytes() const {
  const size_t avail = m_buf.size() - m_head;
  if (avail < static_cast<size_t>(m_mask)) return 0;
  size_t n = static_cast<size_t>(m_mask);
  for (int i = 0; i < m_mask; ++i) n += static_cast<size_t>(__builtin_popcount(m_buf[m_head + i]));
  return n <= avail ? n : 0;
}

void ZvcDecompressor::on_clock() {
  if (!begin_edge()) return;
  const bool fired_out = m_out_busy && out.ready.read();
  if (fired_out) m_out_busy = false;
  bool loaded = false;
  const size_t n = m_out_busy ? 0 : front_beat_bytes();
  if (n > 0) {
    Beat b;
    size_t at = m_head + static_cast<size_t>(m_mask);
    for (int i = 0; i < m_lanes; ++i)
      if (m_buf[m_head + static_cast<size_t>(i / 8)] >> (i % 8) & 1)
        b.lane[i] = static_cast<int8_t>(m_buf[at++]);
    m_head += n;
    const bool last = ++m_beat == m_frame_beats;
    if (last) {
      // The frame's padding: the rest of its last word.
      if (!m_last_word_in) throw std::logic_error(std::string(name()) + ": frame ended early");
      m_head = std::max(m_head, m_pad_end);
      m_last_word_in = false;
      m_beat = 0;
    }
    out.put(b, last);
    m_out_busy = loaded = true;
  } else if (!m_out_busy && out.valid.read()) {
    out.idle();
  }
  if (m_head == m_buf.size()) {
    m_buf.clear();
    m_pad_end -= std::min(m_pad_end, m_head);
    m_head = 0;
  }
  const bool fired_in = in.fire();
  if (fired_in) {
    const Beat& w = in.data.read();
    for (int i = 0; i < m_word; ++i) m_buf.push_back(static_cast<uint8_t>(w.lane[i]));
    if (in.last.read()) {
      if (m_last_word_in) throw std::logic_error(std::string(name()) + ": two frame ends queued");
      m_last_word_in = true;
      m_pad_end = m_buf.size();
    }
  }
  // Room for one more word; none once a frame's last word waits (its padding is dropped
  // with the frame's last beat).
  const size_t pending = m_buf.size() - m_head;
  const bool ready = !m_last_word_in &&
                     pending + static_cast<size_t>(m_word) <=
                         2 * static_cast<size_t>(m_word) + static_cast<size_t>(m_mask + m_lanes);
  const bool ready_changed = in.ready.read() != ready;
  if (ready_changed) in.ready.write(ready);
  end_edge(fired_in || fired_out || loaded, ready_changed, m_out_busy, "beat waiting", "no word");
}

}  // namespace skipsim
