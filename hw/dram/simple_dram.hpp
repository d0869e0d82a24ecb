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

#include <tlm_utils/peq_with_get.h>

#include "hw/dram/dram_target.hpp"

namespace skipsim {

struct SimpleDramConfig {
  double clock_ghz = 1.6;
  double latency_ns = 60.0;
  int bytes_per_cycle = 16;
  int queue_depth = 16;
};

class SimpleDram : public DramTarget {
 public:
  SC_HAS_PROCESS(SimpleDram);

  SimpleDram(sc_core::sc_module_name name, const SimpleDramConfig& cfg, uint64_t size_bytes);

  sc_core::sc_time cycle_time() const override { return m_tck; }
  int in_flight() const override { return static_cast<int>(m_queue.size()); }
  const char* model_name() const override { return "simple"; }

 private:
  tlm::tlm_sync_enum transport_fw(int id, tlm::tlm_generic_payload& tr, tlm::tlm_phase& ph,
                                  sc_core::sc_time& delay) override;
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
  std::deque<Entry> m_queue;    // accepted, awaiting response
  std::deque<Entry> m_waiting;  // END_REQ withheld (queue full)
  sc_core::sc_time m_bus_free = sc_core::SC_ZERO_TIME;
  tlm_utils::peq_with_get<tlm::tlm_generic_payload> m_resp_peq;
};

}  // namespace skipsim
