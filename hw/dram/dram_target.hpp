#pragma once
// DramTarget: what the pipeline sees of a DRAM model, whichever timing it has (SimpleDram's
// fixed latency or DramController's DDR scheduler): one TLM-2.0 AT multi-socket that DMA
// engines bind to, the backing memory (a testbench backdoor, outside simulated time) and
// the traffic counters. Data moves when a request is accepted, so the memory reflects
// requests in acceptance order.
#include <cstdint>
#include <vector>

#include <tlm_utils/multi_passthrough_target_socket.h>
#include <systemc>
#include <tlm>

#include "hw/common/stats.hpp"

namespace skipsim {

struct DramStats {
  uint64_t reads = 0, writes = 0;
  uint64_t bytes_read = 0, bytes_written = 0;
  uint64_t busy_cycles = 0;                           // DRAM cycles the data bus carried data
  double latency_sum_ns = 0.0, latency_max_ns = 0.0;  // BEGIN_REQ -> BEGIN_RESP
  uint64_t responses = 0;
};

class DramTarget : public sc_core::sc_module {
 public:
  tlm_utils::multi_passthrough_target_socket<DramTarget> socket;

  DramTarget(sc_core::sc_module_name name, uint64_t size_bytes);

  uint8_t* memory() { return m_mem.data(); }
  const uint8_t* memory() const { return m_mem.data(); }
  uint64_t size() const { return m_mem.size(); }
  const DramStats& stats() const { return m_stats; }
  virtual sc_core::sc_time cycle_time() const = 0;
  // Requests accepted and not yet answered.
  virtual int in_flight() const = 0;
  // "simple" or "ddr".
  virtual const char* model_name() const = 0;
  // The model, the traffic (requests, bytes, latency in ns); the DDR model adds its own.
  virtual void report(StatsNode& node) const;

 protected:
  virtual tlm::tlm_sync_enum transport_fw(int id, tlm::tlm_generic_payload& tr, tlm::tlm_phase& ph,
                                          sc_core::sc_time& delay) = 0;
  // Moves the data of tr to or from memory and counts it; sets the response status.
  void access(tlm::tlm_generic_payload& tr);
  // A response leaves: latency from `begin` to now.
  void count_response(const sc_core::sc_time& begin);

  std::vector<uint8_t> m_mem;
  DramStats m_stats;

 private:
  tlm::tlm_sync_enum fw(int id, tlm::tlm_generic_payload& tr, tlm::tlm_phase& ph,
                        sc_core::sc_time& delay) {
    return transport_fw(id, tr, ph, delay);
  }
};

}  // namespace skipsim
