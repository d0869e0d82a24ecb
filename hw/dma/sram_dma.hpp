#pragma once
// SramDma: moves activation tensors between the on-chip SRAM and DRAM for the layer-by-layer
// NPU: a spill (SRAM -> DRAM), a fill or a load (DRAM -> SRAM). Jobs run in order, each in
// bursts of burst_bytes with up to max_outstanding reads and as many writes in flight. A
// write burst claims the SRAM read ports of the rows it takes at its issue cycle; a read's
// data claims the write ports when its response is taken, and waits a cycle when a port is
// taken. The first `blocking` jobs must land before the op may start (what the op reads):
// `blocking_done` goes high once they have; the others overlap the op.
#include <cstdint>
#include <vector>

#include "hw/dma/dma_engine.hpp"
#include "hw/sram/sram_banks.hpp"

namespace skipsim {

struct SramDmaJob {
  bool to_dram = true;  // spill; false: fill or load
  int region = 0;
  uint64_t sram_offset = 0, dram_addr = 0, bytes = 0;
  DmaPurpose purpose = DmaPurpose::kSpill;
  bool blocking = false;  // must precede the op (then it precedes every non-blocking job)
};

class SramDma : public DmaEngine {
 public:
  SC_HAS_PROCESS(SramDma);
  sc_core::sc_out<bool> blocking_done;

  SramDma(sc_core::sc_module_name name, SramBanks& sram, int max_outstanding, int burst_bytes);

  // Blocking jobs must be added before the others.
  void add_job(const SramDmaJob& j);

  WaitState wait_state() const override { return m_wait; }
  bool quiescent() const override {
    return !awaiting_dram() && m_wait.kind != WaitState::Kind::kBusy;
  }
  bool finished() const override { return m_done_jobs == m_jobs.size(); }
  bool allow_sleep() override {
    m_sleep.want();
    return true;
  }
  // Core cycle (1-based) at which the blocking jobs had all landed (0: none, or not yet).
  uint64_t blocking_done_cycle() const { return m_blocking_cycle; }
  uint64_t finish_cycle() const { return m_finish_cycle; }
  uint64_t bank_conflict_cycles() const { return m_conflicts; }
  // Per job added (zero-byte jobs are not), the bytes in place so far.
  const std::vector<uint64_t>& landed_bytes() const { return m_landed; }

 private:
  void on_clock();
  void issue_next(bool& moved);
  void job_progress(size_t job, uint64_t n);

  SramBanks& m_sram;
  std::vector<SramDmaJob> m_jobs;
  std::vector<uint64_t> m_landed;  // per job: bytes in place (SRAM written / DRAM acked)
  size_t m_blocking = 0, m_done_jobs = 0, m_blocking_left = 0;
  size_t m_issue_job = 0;
  uint64_t m_issued = 0;  // bytes of m_issue_job issued
  std::vector<uint8_t> m_tmp;
  uint64_t m_blocking_cycle = 0, m_finish_cycle = 0, m_conflicts = 0;
  bool m_blocking_signalled = false;
  WaitState m_wait;
};

}  // namespace skipsim
