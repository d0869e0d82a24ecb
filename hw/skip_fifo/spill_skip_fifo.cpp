#include "hw/skip_fifo/spill_skip_fifo.hpp"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

namespace skipsim {

SpillSkipFifo::SpillSkipFifo(sc_core::sc_module_name name, const SpillConfig& cfg, SramBanks& sram,
                             DmaSkip& dma)
    : SkipFifoBase(name, cfg.depth),
      m_cfg(cfg),
      m_sram(sram),
      m_dma(dma),
      m_bpb(spill_beats_per_burst(cfg.burst_bytes, cfg.lanes)),
      m_slot_bytes(spill_slot_bytes(cfg.burst_bytes, cfg.lanes)),
      m_ring_slots(cfg.ring_bytes / m_slot_bytes),
      m_stage_cap(spill_staging_beats(cfg.burst_bytes, cfg.lanes)),
      m_stage_last(m_stage_cap, false),
      m_burst_buf(static_cast<size_t>(m_bpb) * static_cast<size_t>(cfg.lanes), 0) {
  const std::string n = this->name();
  const SkipFifoStorage st = skip_fifo_storage(cfg.depth, cfg.lanes, m_stage_cap);
  m_data_region = sram.allocate(n + ".data", st.data);
  m_last_region = sram.allocate(n + ".last", st.last);
  m_stage_region = sram.allocate(n + ".staging", st.staging);
  own_sram_regions(sram, {m_data_region, m_last_region, m_stage_region});
  SC_METHOD(on_clock);
  sensitive << clk.pos();
  dont_initialize();
}

WaitState SpillSkipFifo::wait_state() const {
  WaitState w = SkipFifoBase::wait_state();
  if (w.kind == WaitState::Kind::kBlocked || w.kind == WaitState::Kind::kWaitingDram) {
    const uint64_t ring = m_w_issued - m_f_done;
    w.detail = fmt::format(
        "holding {}: {}/{} on chip, {}/{} bursts in the DRAM ring{}, {}/{} staged", m_count,
        m_onchip, m_depth, ring, m_ring_slots,
        ring == m_ring_slots ? " (full: hardware.skip_fifo.spill_ring_bytes too small)" : "",
        m_stage_count, m_stage_cap);
  }
  return w;
}

void SpillSkipFifo::onchip_push(const uint8_t* data, bool last) {
  const uint64_t slot = (m_head + m_onchip) % m_depth;
  std::memcpy(m_sram.data(m_data_region) + slot * m_cfg.lanes, data, m_cfg.lanes);
  uint8_t& bits = m_sram.data(m_last_region)[slot / 8];
  const auto mask = static_cast<uint8_t>(1u << (slot % 8));
  bits = last ? (bits | mask) : (bits & ~mask);
  m_sram.count_write(m_data_region, m_cfg.lanes);
  ++m_onchip;
}

void SpillSkipFifo::on_clock() {
  m_dma.tick();
  const bool out_valid = out.valid.read(), out_ready = out.ready.read();
  const bool in_valid = in.valid.read(), in_ready = in.ready.read();
  const bool popped = out_valid && out_ready;
  const int lanes = m_cfg.lanes;
  if (popped) {
    m_head = (m_head + 1) % m_depth;
    --m_onchip;
  }
  // Acknowledged spills become readable; arrived fills land on chip (in ring order).
  while (m_dma.spill_acked()) {
    m_dma.pop_spill();
    ++m_w_acked;
  }
  while (m_dma.fill_arrived()) {
    const uint8_t* d = m_dma.fill_data();
    for (uint64_t k = 0; k < m_bpb; ++k) {
      onchip_push(d + k * lanes, m_ring_last.front());
      m_ring_last.pop_front();
    }
    m_dma.pop_fill();
    m_reserved -= m_bpb;
    ++m_f_done;
  }
  const bool ring_empty = m_w_issued == m_f_done;
  uint8_t* stage = m_sram.data(m_stage_region);
  // The staged tail goes on chip directly while the ring is empty.
  if (ring_empty && m_stage_count > 0 && m_onchip + m_reserved < m_depth) {
    onchip_push(stage + m_stage_head * lanes, m_stage_last[m_stage_head]);
    m_sram.count_read(m_stage_region, lanes);
    m_stage_head = (m_stage_head + 1) % m_stage_cap;
    --m_stage_count;
  }
  if (in_valid && in_ready) {
    const Beat& b = in.data.read();
    const auto* bytes = reinterpret_cast<const uint8_t*>(b.lane.data());
    if (ring_empty && m_stage_count == 0 && m_onchip + m_reserved < m_depth) {
      onchip_push(bytes, in.last.read());
    } else {
      const uint64_t slot = (m_stage_head + m_stage_count) % m_stage_cap;
      std::memcpy(stage + slot * lanes, bytes, lanes);
      m_stage_last[slot] = in.last.read();
      m_sram.count_write(m_stage_region, lanes);
      ++m_stage_count;
    }
  }

  // One DMA request per edge: a fill when the on-chip part has room for a whole burst, a
  // spill of a full staged burst when the ring has a free slot and the tail cannot go on
  // chip directly.
  const bool want_fill = m_w_acked > m_f_issued && m_onchip + m_reserved + m_bpb <= m_depth;
  const bool want_spill = m_stage_count >= m_bpb && m_w_issued - m_f_done < m_ring_slots &&
                          !(ring_empty && m_onchip + m_reserved < m_depth);
  bool fill_first = want_fill && (!want_spill || m_fill_turn);
  if (want_fill && want_spill) m_fill_turn = !m_fill_turn;
  const uint64_t slot_bytes = m_slot_bytes;
  const auto len = static_cast<unsigned>(m_bpb * lanes);
  if (fill_first) {
    if (m_dma.can_fill()) {
      m_dma.fill(m_cfg.ring_base + (m_f_issued % m_ring_slots) * slot_bytes, len);
      m_reserved += m_bpb;
      ++m_f_issued;
      ++m_spill.fill_bursts;
      m_spill.fill_bytes += len;
    } else {
      m_dma.note_wait(false);
    }
  } else if (want_spill) {
    if (m_dma.can_spill()) {
      for (uint64_t k = 0; k < m_bpb; ++k) {
        std::memcpy(m_burst_buf.data() + k * lanes, stage + m_stage_head * lanes, lanes);
        m_ring_last.push_back(m_stage_last[m_stage_head]);
        m_stage_head = (m_stage_head + 1) % m_stage_cap;
      }
      m_sram.count_read(m_stage_region, len);
      m_stage_count -= m_bpb;
      m_dma.spill(m_cfg.ring_base + (m_w_issued % m_ring_slots) * slot_bytes, m_burst_buf.data(),
                  len);
      ++m_w_issued;
      ++m_spill.spill_bursts;
      m_spill.spill_bytes += len;
      m_spill.max_ring_bursts = std::max(m_spill.max_ring_bursts, m_w_issued - m_f_done);
    } else {
      m_dma.note_wait(true);
    }
  }

  in.ready.write(m_stage_count < m_stage_cap);
  if (m_onchip > 0) {
    if (popped || !out_valid) {
      Beat b;
      std::memcpy(b.lane.data(), m_sram.data(m_data_region) + m_head * lanes, lanes);
      m_sram.count_read(m_data_region, lanes);
      out.put(b, (m_sram.data(m_last_region)[m_head / 8] >> (m_head % 8)) & 1);
    }
  } else if (out_valid) {
    out.idle();
  }
  const uint64_t total = m_onchip + m_stage_count + (m_w_issued - m_f_done) * m_bpb;
  m_spill.max_onchip = std::max(m_spill.max_onchip, m_onchip);
  if (in_valid && !in_ready) ++m_spill.input_blocked_cycles;
  m_dram_wait = m_onchip == 0 && total > 0;
  if (m_dram_wait) ++m_spill.fill_wait_cycles;
  observe(in_valid, in_ready, out_valid, out_ready, out.last.read(), total);
}

void SpillSkipFifo::report_fifo(StatsNode& node) const {
  SkipFifoBase::report_fifo(node);
  const SpillStats& ss = m_spill;
  node.child("spill")
      .set("ring_bytes", m_cfg.ring_bytes)
      .set("beats_per_burst", beats_per_burst())
      .set("staging_beats", staging_beats())
      .set("spill_bytes", ss.spill_bytes)
      .set("fill_bytes", ss.fill_bytes)
      .set("spill_bursts", ss.spill_bursts)
      .set("fill_bursts", ss.fill_bursts)
      .set("max_onchip_occupancy", ss.max_onchip)
      .set("max_ring_bursts", ss.max_ring_bursts)
      .set("input_blocked_cycles", ss.input_blocked_cycles)
      .set("fill_wait_cycles", ss.fill_wait_cycles)
      .set("stall_cycles", ss.input_blocked_cycles + ss.fill_wait_cycles);
}

}  // namespace skipsim
