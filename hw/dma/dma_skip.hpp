#pragma once
// DmaSkip: the skip FIFO's DMA channel to its DRAM ring buffer. Spill writes and fill reads
// go to separate queues (DmaEngine), each with up to max_outstanding bursts in flight. It has
// no clocked process of its own: the spilling skip FIFO calls it from its clocked process,
// once per edge, so that both see the same edge.
#include <cstdint>

#include "hw/dma/dma_engine.hpp"

namespace skipsim {

class DmaSkip : public DmaEngine {
 public:
  // slot_bytes: one spill or fill request (spill_slot_bytes, whole bursts).
  DmaSkip(sc_core::sc_module_name name, int max_outstanding, int burst_bytes, size_t slot_bytes = 0)
      : DmaEngine(name, max_outstanding, burst_bytes, slot_bytes) {}

  void tick() { count_cycle(); }
  bool can_spill() const { return can_issue(true); }
  bool can_fill() const { return can_issue(false); }
  void spill(uint64_t addr, const uint8_t* data, unsigned len) {
    issue(true, addr, len, data, 0, DmaPurpose::kSpill);
  }
  void fill(uint64_t addr, unsigned len) { issue(false, addr, len, nullptr, 0, DmaPurpose::kFill); }
  void note_wait(bool write) {
    note_slot_wait(write ? DmaPurpose::kSpill : DmaPurpose::kFill, write);
  }
  // The oldest spill write has been acknowledged (visible at this edge).
  bool spill_acked() const { return front_done(true); }
  void pop_spill() { pop_front(true); }
  // The oldest fill read's data has arrived (visible at this edge).
  bool fill_arrived() const { return front_done(false); }
  const uint8_t* fill_data() { return front(false).buf.data(); }
  void pop_fill() { pop_front(false); }

  WaitState wait_state() const override { return {}; }
  bool finished() const override { return outstanding() == 0; }
};

}  // namespace skipsim
