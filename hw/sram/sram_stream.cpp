#include "hw/sram/sram_stream.hpp"

#include <algorithm>
#include <cstring>

#include "hw/common/errors.hpp"

namespace skipsim {

namespace {

void check_view(const SramBanks& sram, const SramTensorView& v, int lanes, const char* who) {
  if (lanes < 1 || lanes > kMaxLanes || v.channels < 1 || v.pixel_stride < 1 ||
      v.channel_offset < 0 || v.channel_offset + v.channels > v.pixel_stride)
    throw InputError(std::string(who) +
                     ": a pixel slice must lie within its pixel and lanes be in [1, 64]");
  const uint64_t end = v.offset +
                       (v.pixels ? (v.pixels - 1) * static_cast<uint64_t>(v.pixel_stride) : 0) +
                       static_cast<uint64_t>(v.channel_offset + v.channels);
  if (v.region < 0 || static_cast<size_t>(v.region) >= sram.regions().size() ||
      end > sram.region(v.region).bytes)
    throw InputError(std::string(who) + ": the tensor runs past its SRAM region");
}

// Bytes [first, first + n) of the region that beat `index` carries.
void beat_span(const SramTensorView& v, int lanes, int bpp, uint64_t index, uint64_t& first,
               int& n) {
  const uint64_t p = index / static_cast<uint64_t>(bpp);
  const int j = static_cast<int>(index % static_cast<uint64_t>(bpp));
  first = v.offset + p * static_cast<uint64_t>(v.pixel_stride) +
          static_cast<uint64_t>(v.channel_offset + j * lanes);
  n = std::min(lanes, v.channels - j * lanes);
}

}  // namespace

SramReader::SramReader(sc_core::sc_module_name name, SramBanks& sram, const SramTensorView& view,
                       int lanes)
    : sc_module(name),
      clk("clk"),
      enable("enable"),
      out("out"),
      m_sram(sram),
      m_view(view),
      m_lanes(lanes),
      m_bpp(beats_per_pixel(view.channels, lanes)),
      m_total(view.pixels * static_cast<uint64_t>(m_bpp)) {
  check_view(sram, view, lanes, this->name());
  SC_METHOD(on_clock);
  sensitive << clk.pos();
  dont_initialize();
}

void SramReader::on_clock() {
  if (m_sleep.needs_setup()) {
    m_sleep.watch(out.ready->value_changed_event());
    m_sleep.watch(enable->value_changed_event());
    m_sleep.enable(clk);
  }
  uint64_t skipped = 0;
  if (!m_sleep.at_edge(clk, skipped)) return;
  if (skipped) {
    m_cycle += skipped;
    m_stats.add_times(m_edge_counts, skipped);
  }
  const StallStats before = m_stats;
  const uint64_t cycle = m_cycle++;
  const bool fired = out.fire();
  if (fired) {
    ++m_sent;
    m_loaded = false;
    m_last_cycle = cycle + 1;
    if (m_sent == 1) m_first_cycle = cycle + 1;
  }
  bool conflict = false, loaded_now = false;
  if (!m_loaded && m_next < m_total && enable.read()) {
    uint64_t first = 0;
    int n = 0;
    beat_span(m_view, m_lanes, m_bpp, m_next, first, n);
    if (m_sram.claim(m_view.region, first, static_cast<uint64_t>(n), false, cycle)) {
      Beat b;
      std::memcpy(b.lane.data(), m_sram.data(m_view.region) + first, static_cast<size_t>(n));
      m_sram.count_read(m_view.region, static_cast<uint64_t>(n));
      ++m_next;
      out.put(b, m_next == m_total);
      m_loaded = loaded_now = true;
    } else {
      ++m_conflicts;
      conflict = true;
    }
  }
  if (!m_loaded && out.valid.read()) out.idle();
  // Where the cycle went.
  if (fired || conflict) {
    ++m_stats.busy;
    m_wait = {WaitState::Kind::kBusy, "", conflict ? "bank conflict" : ""};
  } else if (m_loaded) {
    ++m_stats.blocked;
    ++m_stats.blocked_on[0];
    m_wait = {WaitState::Kind::kBlocked, "out", "downstream not ready"};
  } else if (m_next < m_total) {
    ++m_stats.waiting_dram;
    m_wait = {WaitState::Kind::kWaitingDram, "", "waiting for the tensor's fill"};
  } else {
    ++m_stats.idle;
    m_wait = {WaitState::Kind::kIdle, "", "tensor sent"};
  }
  record_state(m_wait.kind);
  // Held beat with ready low, waiting for enable, or done: repeats until a wire changes.
  if (m_sleep.enabled() && !fired && !conflict && !loaded_now) {
    m_edge_counts = m_stats.since(before);
    m_sleep.sleep();
  }
}

void SramReader::report(StatsNode& node) const {
  HwBlock::report(node);
  node.set("beats", m_sent).set("bank_conflict_cycles", m_conflicts);
}

SramWriter::SramWriter(sc_core::sc_module_name name, SramBanks& sram, const SramTensorView& view,
                       int lanes)
    : sc_module(name),
      clk("clk"),
      in("in"),
      m_sram(sram),
      m_view(view),
      m_lanes(lanes),
      m_bpp(beats_per_pixel(view.channels, lanes)),
      m_total(view.pixels * static_cast<uint64_t>(m_bpp)) {
  check_view(sram, view, lanes, this->name());
  SC_METHOD(on_clock);
  sensitive << clk.pos();
  dont_initialize();
}

bool SramWriter::write_beat(uint64_t index, const Beat& b) {
  uint64_t first = 0;
  int n = 0;
  beat_span(m_view, m_lanes, m_bpp, index, first, n);
  if (!m_sram.claim(m_view.region, first, static_cast<uint64_t>(n), true, m_cycle)) return false;
  std::memcpy(m_sram.data(m_view.region) + first, b.lane.data(), static_cast<size_t>(n));
  m_sram.count_write(m_view.region, static_cast<uint64_t>(n));
  return true;
}

void SramWriter::on_clock() {
  if (m_sleep.needs_setup()) {
    m_sleep.watch(in.valid->value_changed_event());
    m_sleep.enable(clk);
  }
  uint64_t skipped = 0;
  if (!m_sleep.at_edge(clk, skipped)) return;
  if (skipped) {
    m_cycle += skipped;
    m_stats.add_times(m_edge_counts, skipped);
  }
  const StallStats before = m_stats;
  bool wrote = false;
  if (m_held) {
    if (write_beat(m_taken, m_held_beat)) {
      m_held = false;
      wrote = true;
    } else {
      ++m_conflicts;
    }
  } else if (in.fire()) {
    if (m_taken >= m_total)
      throw std::logic_error(std::string(name()) + ": more beats than the tensor holds");
    const Beat b = in.data.read();
    if (write_beat(m_taken, b)) {
      wrote = true;
    } else {
      m_held = true;
      m_held_beat = b;
      ++m_conflicts;
    }
  }
  if (wrote) {
    ++m_taken;
    m_last_cycle = m_cycle + 1;
    if (m_taken == 1) m_first_cycle = m_cycle + 1;
  }
  ++m_cycle;
  const bool ready = !m_held && m_taken < m_total;
  if (in.ready.read() != ready) in.ready.write(ready);
  if (wrote || m_held) {
    ++m_stats.busy;
    m_wait = {WaitState::Kind::kBusy, "", m_held ? "bank conflict" : ""};
  } else if (m_taken < m_total) {
    ++m_stats.starved;
    ++m_stats.starved_on[0];
    m_wait = {WaitState::Kind::kStarved, "in", "no beat"};
  } else {
    ++m_stats.idle;
    m_wait = {WaitState::Kind::kIdle, "", "tensor written"};
  }
  record_state(m_wait.kind);
  if (m_sleep.enabled() && !wrote && !m_held && !in.valid.read()) {
    m_edge_counts = m_stats.since(before);
    m_sleep.sleep();
  }
}

void SramWriter::report(StatsNode& node) const {
  HwBlock::report(node);
  node.set("beats", m_taken).set("bank_conflict_cycles", m_conflicts);
}

}  // namespace skipsim
