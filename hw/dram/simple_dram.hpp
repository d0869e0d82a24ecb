#pragma once
// SimpleDram: a TLM-2.0 approximately-timed DRAM target with a fixed access latency and a
// data bus of `bytes_per_cycle` bytes per DRAM clock, serving requests in arrival order.
// Timing of request i accepted at time a_i:
//   done_i = max(a_i + latency, done_{i-1}) + ceil(bytes_i / bytes_per_cycle) DRAM cycles,
// then BEGIN_RESP at done_i (on a DRAM clock edge). It holds at most `queue_depth` requests;
// past that END_REQ is withheld until a response leaves (back-pressure).
// Several initiators (DMA engines) bind to the one multi-socket.
#include <cstdint>
#include <deque>
#include <vector>

#include <tlm_utils/multi_passthrough_target_socket.h>
#include <tlm_utils/peq_with_get.h>
#include <systemc>
#include <tlm>

namespace skipsim {

struct SimpleDramConfig {
  double clock_ghz = 1.6;
  double latency_ns = 60.0;
  int bytes_per_cycle = 16;
  int queue_depth = 16;
};

struct DramStats {
  uint64_t reads = 0, writes = 0;
  uint64_t bytes_read = 0, bytes_written = 0;
  uint64_t busy_cycles = 0;                           // DRAM cycles the data bus carried data
  double latency_sum_ns = 0.0, latency_max_ns = 0.0;  // BEGIN_REQ -> BEGIN_RESP
};

class SimpleDram : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(SimpleDram);
  tlm_utils::multi_passthrough_target_socket<SimpleDram> socket;

  SimpleDram(sc_core::sc_module_name name, const SimpleDramConfig& cfg, uint64_t size_bytes);

  // Backdoor for the testbench: preload inputs and read results, outside simulated time.
  uint8_t* memory() { return m_mem.data(); }
  uint64_t size() const { return m_mem.size(); }
  const DramStats& stats() const { return m_stats; }
  sc_core::sc_time cycle_time() const { return m_tck; }
  // Requests accepted and not yet answered.
  int in_flight() const { return static_cast<int>(m_queue.size()); }

 private:
  tlm::tlm_sync_enum nb_transport_fw(int id, tlm::tlm_generic_payload& tr, tlm::tlm_phase& ph,
                                     sc_core::sc_time& delay);
  void respond();
  void accept(int id, tlm::tlm_generic_payload& tr, const sc_core::sc_time& at);
  sc_core::sc_time align(const sc_core::sc_time& t) const;

  struct Entry {
    int id;
    tlm::tlm_generic_payload* tr;
    sc_core::sc_time begin;
  };
  SimpleDramConfig m_cfg;
  sc_core::sc_time m_tck, m_latency;
  std::vector<uint8_t> m_mem;
  std::deque<Entry> m_queue;    // accepted, awaiting response
  std::deque<Entry> m_waiting;  // END_REQ withheld (queue full)
  sc_core::sc_time m_bus_free = sc_core::SC_ZERO_TIME;
  tlm_utils::peq_with_get<tlm::tlm_generic_payload> m_resp_peq;
  sc_core::sc_event m_resp_event;
  DramStats m_stats;
};

}  // namespace skipsim
