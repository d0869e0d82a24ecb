#pragma once
// Common part of the DMA engines: a TLM-2.0 approximately-timed initiator with a fixed pool
// of burst requests (no allocation while simulating). Requests are issued from the engine's
// clocked process one at a time (BEGIN_REQ; the next waits for END_REQ); responses
// (BEGIN_RESP, completed at once) are taken at the first core edge strictly after they
// arrive, so a response coinciding with an edge is seen one edge later, deterministically.
// Reads and writes have separate queues, each with up to max_outstanding requests in flight
// and retired in its own issue order, so a slow write never holds back a read's data.
// Every request carries its purpose (what the bytes are), counted per purpose.
#include <array>
#include <cstdint>
#include <deque>
#include <vector>

#include <tlm_utils/simple_initiator_socket.h>
#include <systemc>
#include <tlm>

#include "hw/common/edge_sleep.hpp"
#include "hw/common/hw_block.hpp"

namespace skipsim {

enum class DmaPurpose : uint8_t { kInput, kWeights, kOutput, kSpill, kFill };
constexpr int kDmaPurposes = 5;
const char* purpose_name(DmaPurpose p);

struct DmaPurposeStats {
  uint64_t requests = 0, bytes = 0;
  uint64_t slot_wait_cycles = 0;  // a burst was ready but no request slot was free
};

struct DmaStats {
  uint64_t read_requests = 0, write_requests = 0;
  uint64_t bytes_read = 0, bytes_written = 0;
  uint64_t req_backpressure_cycles = 0;  // a request waited for END_REQ
  uint64_t latency_cycles_sum = 0;       // issue -> response seen, core cycles
  uint64_t latency_cycles_max = 0;
  std::array<DmaPurposeStats, kDmaPurposes> by_purpose{};
};

// Requests, bytes and slot waits per purpose (one child each, every purpose present),
// summed over `engines`: the DRAM traffic by what the bytes are.
class DmaEngine;
void report_dma_purposes(const std::vector<const DmaEngine*>& engines, StatsNode& node);

class DmaEngine : public sc_core::sc_module, public HwBlock {
 public:
  sc_core::sc_in<bool> clk;
  tlm_utils::simple_initiator_socket<DmaEngine> socket;

  // request_bytes: the largest request issued, when it exceeds a burst (the DRAM splits it).
  DmaEngine(sc_core::sc_module_name name, int max_outstanding, int burst_bytes,
            size_t request_bytes = 0);

  std::string block_name() const override { return basename(); }
  const StallStats& stall_stats() const override { return m_stall; }
  const DmaStats& dma_stats() const { return m_stats; }
  // Adds a `dma` node (requests, bytes, back-pressure, latency, per purpose) to the stall stats.
  void report(StatsNode& node) const override;
  // Counter shared with the monitor: bumped on every TLM phase (deadlock watchdog).
  void set_activity_counter(uint64_t* c) { m_activity = c; }
  int outstanding() const { return m_outstanding[0] + m_outstanding[1]; }
  // A request is on its way or its response has not reached a core edge yet.
  bool awaiting_dram() const {
    if (m_req_pending) return true;
    for (const auto& q : m_order)
      for (int slot : q)
        if (!visible(m_pool[slot])) return true;
    return false;
  }
  virtual bool finished() const = 0;
  void settle() override { replay(m_sleep.settle()); }

 protected:
  struct Request {
    tlm::tlm_generic_payload tr;
    std::vector<uint8_t> buf;
    bool in_use = false, done = false;
    uint64_t tag = 0;  // caller's (byte position)
    uint64_t issue_cycle = 0;
    sc_core::sc_time resp_time;
  };

  // A read (write) may be issued this cycle: a free slot in its queue and no BEGIN_REQ
  // awaiting END_REQ.
  bool can_issue(bool write) const { return !m_req_pending && m_outstanding[write] < m_max; }
  // Issues a read (data == nullptr) or write of len bytes. Returns the request's slot.
  int issue(bool write, uint64_t addr, unsigned len, const uint8_t* data, uint64_t tag,
            DmaPurpose purpose);
  // A burst of `purpose` (a read or a write) was ready this cycle but could not be issued.
  // Counted only when DRAM is what holds the queue up (a request awaits END_REQ, or the
  // oldest one its response), not when the oldest slot holds data nobody has taken yet.
  void note_slot_wait(DmaPurpose purpose, bool write) {
    const bool dram =
        m_req_pending || (!m_order[write].empty() && !visible(m_pool[m_order[write].front()]));
    if (dram) ++m_stats.by_purpose[static_cast<int>(purpose)].slot_wait_cycles;
  }
  // Oldest issued read (write), if any, and whether its response is visible at this edge.
  bool front_done(bool write) const;
  Request& front(bool write) { return m_pool[m_order[write].front()]; }
  void pop_front(bool write);
  size_t in_order_count(bool write) const { return m_order[write].size(); }
  Request& in_order(bool write, size_t i) { return m_pool[m_order[write][i]]; }
  // The response of r has arrived before this edge.
  bool visible(const Request& r) const { return r.done && r.resp_time < sc_core::sc_time_stamp(); }
  void count_cycle() { ++m_cycle; }
  // Sleep support (hw/common/edge_sleep.hpp): the edges slept through repeat the last awake
  // one's stall counts. A model sleeps only with nothing in flight (!awaiting_dram()).
  void replay(uint64_t edges) {
    m_cycle += edges;
    m_stall.add_times(m_edge_counts, edges);
  }
  void sleep_after_edge(const StallStats& before) {
    m_edge_counts = m_stall.since(before);
    m_sleep.sleep();
  }
  EdgeSleep m_sleep;
  StallStats m_edge_counts;
  uint64_t cycle() const { return m_cycle; }

  int m_burst;
  StallStats m_stall;
  DmaStats m_stats;

 private:
  tlm::tlm_sync_enum nb_transport_bw(tlm::tlm_generic_payload& tr, tlm::tlm_phase& ph,
                                     sc_core::sc_time& delay);

  std::vector<Request> m_pool;
  std::array<std::deque<int>, 2> m_order;  // per direction (read, write): slots in issue order
  std::array<int, 2> m_outstanding{};
  int m_max;
  int m_last_slot = -1;  // the request last issued
  bool m_req_pending = false;
  uint64_t m_cycle = 0;
  uint64_t* m_activity = nullptr;
};

}  // namespace skipsim
