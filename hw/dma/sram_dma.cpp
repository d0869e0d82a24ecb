#include "hw/dma/sram_dma.hpp"

#include <algorithm>
#include <cstring>

#include "hw/common/errors.hpp"

namespace skipsim {

namespace {
// A request's tag: its job and its byte position in the job.
constexpr int kJobShift = 40;
uint64_t make_tag(size_t job, uint64_t pos) {
  return (static_cast<uint64_t>(job) << kJobShift) | pos;
}
size_t tag_job(uint64_t tag) { return static_cast<size_t>(tag >> kJobShift); }
uint64_t tag_pos(uint64_t tag) { return tag & ((uint64_t{1} << kJobShift) - 1); }
}  // namespace

SramDma::SramDma(sc_core::sc_module_name name, SramBanks& sram, int max_outstanding,
                 int burst_bytes)
    : DmaEngine(name, max_outstanding, burst_bytes),
      blocking_done("blocking_done"),
      m_sram(sram),
      m_tmp(static_cast<size_t>(burst_bytes), 0) {
  SC_METHOD(on_clock);
  sensitive << clk.pos();
  dont_initialize();
}

void SramDma::add_job(const SramDmaJob& j) {
  if (j.blocking && m_blocking != m_jobs.size())
    throw std::logic_error(std::string(name()) + ": blocking jobs must come first");
  if (j.bytes == 0) return;
  if (j.sram_offset + j.bytes > m_sram.region(j.region).bytes)
    throw InputError(std::string(name()) + ": a transfer runs past its SRAM region");
  m_jobs.push_back(j);
  m_landed.push_back(0);
  if (j.blocking) {
    ++m_blocking;
    ++m_blocking_left;
  }
}

void SramDma::job_progress(size_t job, uint64_t n) {
  m_landed[job] += n;
  if (m_landed[job] < m_jobs[job].bytes) return;
  ++m_done_jobs;
  if (m_jobs[job].blocking) --m_blocking_left;
}

void SramDma::issue_next(bool& moved) {
  if (m_issue_job == m_jobs.size()) return;
  // Non-blocking jobs wait for the blocking ones to be issued (they are in order anyway).
  const SramDmaJob& j = m_jobs[m_issue_job];
  const auto len = static_cast<unsigned>(std::min<uint64_t>(m_burst, j.bytes - m_issued));
  if (!can_issue(j.to_dram)) {
    note_slot_wait(j.purpose, j.to_dram);
    return;
  }
  if (j.to_dram) {
    if (!m_sram.claim(j.region, j.sram_offset + m_issued, len, false, cycle() - 1)) {
      ++m_conflicts;
      return;
    }
    std::memcpy(m_tmp.data(), m_sram.data(j.region) + j.sram_offset + m_issued, len);
    m_sram.count_read(j.region, len);
    issue(true, j.dram_addr + m_issued, len, m_tmp.data(), make_tag(m_issue_job, m_issued),
          j.purpose);
  } else {
    issue(false, j.dram_addr + m_issued, len, nullptr, make_tag(m_issue_job, m_issued), j.purpose);
  }
  moved = true;
  m_issued += len;
  if (m_issued == j.bytes) {
    ++m_issue_job;
    m_issued = 0;
  }
}

void SramDma::on_clock() {
  if (m_sleep.needs_setup()) {
    // Nothing upstream wakes it: it sleeps only once every job has landed, for good.
    m_sleep.watch(blocking_done->value_changed_event());
    m_sleep.enable(clk);
  }
  uint64_t skipped = 0;
  if (!m_sleep.at_edge(clk, skipped)) return;
  replay(skipped);
  const StallStats before = m_stall;
  count_cycle();
  bool moved = false;
  while (front_done(true)) {  // spill bursts acknowledged
    Request& r = front(true);
    job_progress(tag_job(r.tag), r.tr.get_data_length());
    pop_front(true);
    moved = true;
  }
  while (front_done(false)) {  // fill data lands in SRAM, in order
    Request& r = front(false);
    const size_t job = tag_job(r.tag);
    const SramDmaJob& j = m_jobs[job];
    const unsigned len = r.tr.get_data_length();
    const uint64_t at = j.sram_offset + tag_pos(r.tag);
    if (!m_sram.claim(j.region, at, len, true, cycle() - 1)) {
      ++m_conflicts;
      break;
    }
    std::memcpy(m_sram.data(j.region) + at, r.buf.data(), len);
    m_sram.count_write(j.region, len);
    job_progress(job, len);
    pop_front(false);
    moved = true;
  }
  issue_next(moved);
  if (m_blocking_left == 0 && !m_blocking_signalled) {
    m_blocking_signalled = true;
    if (m_blocking > 0) m_blocking_cycle = cycle();
    blocking_done.write(true);
  }
  if (finished() && m_finish_cycle == 0 && !m_jobs.empty()) m_finish_cycle = cycle();
  m_wait = {};
  if (moved) {
    ++m_stall.busy;
    m_wait.kind = WaitState::Kind::kBusy;
  } else if (finished()) {
    ++m_stall.idle;
  } else {
    ++m_stall.waiting_dram;
    m_wait.kind = WaitState::Kind::kWaitingDram;
  }
  record_state(m_wait.kind);
  if (m_sleep.enabled() && finished() && !awaiting_dram()) sleep_after_edge(before);
}

}  // namespace skipsim
