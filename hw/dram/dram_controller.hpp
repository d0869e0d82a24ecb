#pragma once
// DramController: the DdrController scheduler as a TLM-2.0 approximately-timed target on its
// own DRAM clock (tCK of the preset).
//
//  * BEGIN_REQ at time t is taken at DRAM cycle c = ceil(t / tCK). A request longer than one
//    DDR burst is split into bursts (consecutive addresses). END_REQ is returned at once when
//    every burst fits the controller's read or write queue; otherwise it is withheld and the
//    request waits in a FIFO at the port (later requests queue behind it) until bursts leave
//    the controller queue: back-pressure.
//  * BEGIN_RESP goes out at the DRAM cycle the last data beat of the last burst is on the bus
//    (DdrController's done cycle). An initiator answering TLM_ACCEPTED gets no further
//    BEGIN_RESP until its END_RESP.
//  * Event-driven: one SC_METHOD runs only at the cycle the controller's next command is due
//    (next_event_cycle) and when a request arrives; idle DRAM cycles cost nothing.
//
// With the controller's fixed pipeline of one cycle (DdrController::kPipeline), an idle
// DDR4-3200 answers a read 27 (row hit), 49 (closed bank) or 71 (row conflict) DRAM cycles
// after the cycle it was accepted.
#include <cstdint>
#include <deque>
#include <unordered_map>
#include <vector>

#include <tlm_utils/peq_with_get.h>

#include "hw/dram/ddr_controller.hpp"
#include "hw/dram/dram_target.hpp"

namespace skipsim {

class DramController : public DramTarget {
 public:
  SC_HAS_PROCESS(DramController);

  DramController(sc_core::sc_module_name name, const DdrConfig& cfg, uint64_t size_bytes);

  sc_core::sc_time cycle_time() const override { return m_tck; }
  int in_flight() const override { return static_cast<int>(m_tr_slot.size()); }
  const char* model_name() const override { return "ddr"; }
  // Adds the preset's name and a `ddr` node: the DDR statistics over the simulated time so far.
  void report(StatsNode& node) const override;

  const DdrController& controller() const { return m_ctl; }
  // Records every issued command for take_commands (the waveform's command bus).
  void enable_command_log() { m_ctl.set_log(true); }
  // Moves the commands issued so far into out (appended).
  void take_commands(std::vector<DdrIssued>& out);
  // The DRAM cycle of a time (rounded up to the next edge).
  uint64_t cycle_at(const sc_core::sc_time& t) const {
    return (t.value() + m_tck.value() - 1) / m_tck.value();
  }

 private:
  struct Txn {
    int socket_id = 0;
    tlm::tlm_generic_payload* tr = nullptr;
    sc_core::sc_time begin;
    uint64_t addr = 0;         // next burst to enqueue
    uint32_t to_enqueue = 0;   // bursts not yet in the controller
    uint32_t outstanding = 0;  // bursts enqueued, column command not issued
    uint64_t done = 0;         // latest done cycle of its bursts
    bool is_write = false;
  };

  tlm::tlm_sync_enum transport_fw(int id, tlm::tlm_generic_payload& tr, tlm::tlm_phase& ph,
                                  sc_core::sc_time& delay) override;
  void step();
  void respond();
  // Runs the controller through `cycle` and turns completions into scheduled responses.
  void sync(uint64_t cycle);
  // Moves waiting requests into the controller at `cycle`; returns the slot that the caller's
  // request became fully accepted in this call, or -1. END_REQ is sent for the others.
  int accept_waiting(uint64_t cycle, int caller_slot);
  void rearm();
  void send_response(int slot);

  sc_core::sc_time m_tck;
  DdrController m_ctl;
  uint64_t m_burst;
  std::vector<Txn> m_txn;
  std::vector<int> m_free;
  std::deque<int> m_waiting;                    // END_REQ withheld, in arrival order
  std::unordered_map<uint64_t, int> m_id_slot;  // controller request id -> slot
  std::unordered_map<const tlm::tlm_generic_payload*, int> m_tr_slot;
  std::vector<int> m_resp_busy;               // per socket: slot awaiting END_RESP, or -1
  std::vector<std::deque<int>> m_resp_queue;  // per socket: responses held meanwhile
  std::vector<DdrCompletion> m_done;
  tlm_utils::peq_with_get<tlm::tlm_generic_payload> m_resp_peq;
  sc_core::sc_event m_wake;
  void start_of_simulation() override { rearm(); }
};

}  // namespace skipsim
