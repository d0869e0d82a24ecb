#pragma once
// SpillSkipFifo: the skip FIFO with policy `spill`. It keeps `depth` beats on chip like
// SkipFifo; when they are full, the overflow goes to a staging buffer and from there, in
// whole DRAM bursts only, to a ring buffer in DRAM (spill writes); it comes back in order
// (fill reads) into the on-chip part as room frees. The beats held form three segments, in
// order: on-chip (head, the output side), DRAM ring (middle), staging (tail).
//
//  * A beat goes straight on chip when the DRAM ring and the staging buffer are empty and
//    the on-chip part (counting room reserved for fills in flight) has a free entry; else to
//    the staging buffer. ready = the staging buffer has a free entry after the edge.
//  * While the ring is empty (no spilled burst, no fill in flight), the staging buffer moves
//    its oldest beat on chip, one per cycle, when there is room: a partial tail burst never
//    goes to DRAM.
//  * Otherwise a full burst of staged beats (burst_bytes / lanes beats) is written to the
//    next ring slot when one is free; a spilled burst is readable only once its write has
//    been acknowledged; it is read back when the on-chip part has room for the whole burst,
//    which is reserved at the read; the data lands on chip at the edge the response is seen.
//  * At most one DMA request per edge; when both a spill and a fill are ready they
//    alternate (round-robin). The `last` flags of spilled beats stay on chip (a bit each).
//  * A beat arriving on chip at edge t is offered from edge t on, as in SkipFifo.
//
// Occupancy (statistics, waveform) counts the beats in all three segments.
#include <algorithm>
#include <cstdint>
#include <deque>
#include <vector>

#include "hw/dma/dma_skip.hpp"
#include "hw/skip_fifo/skip_fifo.hpp"

namespace skipsim {

struct SpillConfig {
  uint64_t depth = 0;  // on-chip beats
  int lanes = 16;
  int burst_bytes = 64;
  uint64_t ring_base = 0;   // DRAM address of the ring
  uint64_t ring_bytes = 0;  // at least two slots (spill_slot_bytes)
};

// Beats of one DRAM burst; the on-chip depth must hold at least one burst.
inline uint64_t spill_beats_per_burst(int burst_bytes, int lanes) {
  return std::max<uint64_t>(1, static_cast<uint64_t>(burst_bytes / lanes));
}
// Bytes of one ring slot: the spill unit (beats_per_burst beats) rounded up to whole DRAM
// bursts. One burst unless a beat is wider than a burst (lanes > burst_bytes).
inline uint64_t spill_slot_bytes(int burst_bytes, int lanes) {
  const auto burst = static_cast<uint64_t>(burst_bytes);
  const uint64_t unit = spill_beats_per_burst(burst_bytes, lanes) * static_cast<uint64_t>(lanes);
  return (unit + burst - 1) / burst * burst;
}
// Staging entries: two bursts.
inline uint64_t spill_staging_beats(int burst_bytes, int lanes) {
  return 2 * spill_beats_per_burst(burst_bytes, lanes);
}

struct SpillStats {
  uint64_t spill_bytes = 0, fill_bytes = 0;  // DRAM bytes written and read back
  uint64_t spill_bursts = 0, fill_bursts = 0;
  uint64_t max_onchip = 0;            // peak on-chip occupancy (beats)
  uint64_t max_ring_bursts = 0;       // peak ring slots in use
  uint64_t input_blocked_cycles = 0;  // input valid, staging buffer full
  uint64_t fill_wait_cycles = 0;      // nothing on chip to offer, beats held in DRAM or staging
};

class SpillSkipFifo : public SkipFifoBase {
 public:
  SC_HAS_PROCESS(SpillSkipFifo);
  SpillSkipFifo(sc_core::sc_module_name name, const SpillConfig& cfg, SramBanks& sram,
                DmaSkip& dma);

  const SpillStats& spill_stats() const { return m_spill; }
  const SpillConfig& spill_config() const { return m_cfg; }
  uint64_t beats_per_burst() const { return m_bpb; }
  uint64_t staging_beats() const { return m_stage_cap; }
  // Adds the `spill` node: DRAM traffic, ring use and stalls.
  void report_fifo(StatsNode& node) const override;
  // Names where the beats are when blocked (a full ring means spill_ring_bytes is too small).
  WaitState wait_state() const override;
  bool quiescent() const override {
    return SkipFifoBase::quiescent() && !m_dma.awaiting_dram() && m_onchip == m_count;
  }

 private:
  void on_clock();
  void onchip_push(const uint8_t* data, bool last);

  SpillConfig m_cfg;
  SramBanks& m_sram;
  DmaSkip& m_dma;
  int m_data_region, m_last_region, m_stage_region;
  uint64_t m_bpb;         // beats per burst
  uint64_t m_slot_bytes;  // DRAM bytes per ring slot
  uint64_t m_ring_slots;
  uint64_t m_stage_cap;  // staging entries: two bursts
  // On chip.
  uint64_t m_head = 0, m_onchip = 0, m_reserved = 0;
  // Staging ring.
  uint64_t m_stage_head = 0, m_stage_count = 0;
  std::vector<bool> m_stage_last;
  // DRAM ring, as burst counters: written <= acked <= ... ; fills issued and returned.
  uint64_t m_w_issued = 0, m_w_acked = 0, m_f_issued = 0, m_f_done = 0;
  std::deque<bool> m_ring_last;  // `last` of every beat in the ring, oldest first
  std::vector<uint8_t> m_burst_buf;
  bool m_fill_turn = false;  // round-robin: who goes first when both are ready
  SpillStats m_spill;
};

}  // namespace skipsim
