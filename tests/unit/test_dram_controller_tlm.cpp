// DramController through its TLM-2.0 socket: the idle latencies of a row hit, a closed bank
// and a row conflict equal DdrController's closed forms (plus its one-cycle pipeline),
// END_REQ is withheld while the controller queue is full, END_RESP is honoured, and a DMA
// streams the right data through it.
#include <gtest/gtest.h>

#include <tlm_utils/simple_initiator_socket.h>

#include <functional>
#include <vector>

#include "hw/dma/dma_read.hpp"
#include "hw/dram/dram_controller.hpp"
#include "tests/common/ddr_helpers.hpp"
#include "tests/common/stream_tb.hpp"

using namespace skipsim;
using namespace skipsim::test;
using sc_core::sc_time;

namespace {

// An initiator driven by a script: send() issues BEGIN_REQ (the next only after END_REQ, as
// the base protocol wants) and records when END_REQ and BEGIN_RESP arrive.
class Probe : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(Probe);
  tlm_utils::simple_initiator_socket<Probe> socket;
  struct Req {
    tlm::tlm_generic_payload tr;
    std::vector<uint8_t> buf = std::vector<uint8_t>(64, 0);
    sc_time end_req = sc_core::SC_ZERO_TIME, begin_resp = sc_core::SC_ZERO_TIME;
    bool accepted_at_once = false, answered = false;
  };
  std::vector<Req> reqs = std::vector<Req>(64);
  bool hold_first_response = false;  // answer the first BEGIN_RESP with TLM_ACCEPTED
  std::function<void(Probe&)> script;
  sc_core::sc_event end_req_event;

  explicit Probe(sc_core::sc_module_name n) : sc_module(n), socket("socket") {
    socket.register_nb_transport_bw(this, &Probe::bw);
    SC_THREAD(run);
  }
  void send(size_t i, uint64_t addr, bool write) {
    Req& r = reqs[i];
    r.tr.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    r.tr.set_address(addr);
    r.tr.set_data_ptr(r.buf.data());
    r.tr.set_data_length(64);
    r.tr.set_streaming_width(64);
    r.tr.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    tlm::tlm_phase ph = tlm::BEGIN_REQ;
    sc_time d = sc_core::SC_ZERO_TIME;
    if (socket->nb_transport_fw(r.tr, ph, d) == tlm::TLM_UPDATED && ph == tlm::END_REQ) {
      r.accepted_at_once = true;
      r.end_req = sc_core::sc_time_stamp();
    } else {
      m_waiting = &r;
      wait(end_req_event);
    }
  }
  void end_resp(size_t i) {
    tlm::tlm_phase ph = tlm::END_RESP;
    sc_time d = sc_core::SC_ZERO_TIME;
    socket->nb_transport_fw(reqs[i].tr, ph, d);
  }

 private:
  void run() { script(*this); }
  tlm::tlm_sync_enum bw(tlm::tlm_generic_payload& tr, tlm::tlm_phase& ph, sc_time&) {
    for (Req& r : reqs) {
      if (&r.tr != &tr) continue;
      if (ph == tlm::END_REQ) {
        r.end_req = sc_core::sc_time_stamp();
        if (m_waiting == &r) {
          m_waiting = nullptr;
          end_req_event.notify(sc_core::SC_ZERO_TIME);
        }
        return tlm::TLM_ACCEPTED;
      }
      if (ph == tlm::BEGIN_RESP) {
        r.begin_resp = sc_core::sc_time_stamp();
        r.answered = true;
        if (hold_first_response && &r == &reqs[0]) return tlm::TLM_ACCEPTED;
        return tlm::TLM_COMPLETED;
      }
    }
    return tlm::TLM_ACCEPTED;
  }
  Req* m_waiting = nullptr;
};

uint64_t addr(const DramController& d, int rank, int bg, int bank, int64_t row, int col) {
  return d.controller().address_map().encode(skipsim::test::at(rank, bg, bank, row, col));
}

}  // namespace

TEST(DramControllerTlm, IdleLatenciesThroughTheSocketEqualTheClosedForms) {
  const DdrConfig cfg;  // DDR4-3200
  DramController dram("dram", cfg, 4 << 20);
  Probe p("probe");
  p.socket.bind(dram.socket);
  const sc_time tck = dram.cycle_time();
  ASSERT_EQ(tck, sc_time(625, sc_core::SC_PS));
  const uint64_t a_hit0 = addr(dram, 0, 1, 2, 3, 0), a_hit1 = addr(dram, 0, 1, 2, 3, 5);
  const uint64_t a_conflict = addr(dram, 0, 1, 2, 7, 0);
  ASSERT_LT(a_conflict, 4u << 20);
  p.script = [&](Probe& pr) {
    wait(tck * 100);
    pr.send(0, a_hit0, false);  // closed bank
    wait(tck * 200);
    pr.send(1, a_hit1, false);  // row hit
    wait(tck * 200);
    pr.send(2, a_conflict, false);  // row conflict
  };
  sc_core::sc_start(tck * 1000);
  const uint64_t pipe = DdrController::kPipeline;
  const uint64_t hit = pipe + cfg.CL + cfg.data_cycles();
  EXPECT_EQ(hit, 27u);
  EXPECT_EQ(pipe + cfg.tRCD + cfg.CL + cfg.data_cycles(), 49u);
  EXPECT_EQ(pipe + cfg.tRP + cfg.tRCD + cfg.CL + cfg.data_cycles(), 71u);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(p.reqs[i].answered) << i;
    EXPECT_TRUE(p.reqs[i].accepted_at_once) << i;
  }
  EXPECT_EQ(p.reqs[0].begin_resp, tck * (100 + 49));
  EXPECT_EQ(p.reqs[1].begin_resp, tck * (300 + 27));
  EXPECT_EQ(p.reqs[2].begin_resp, tck * (500 + 71));
  StatsNode n;
  dram.report(n);
  const StatsNode& j = n.at("ddr");
  EXPECT_EQ(n.str("model"), "ddr");
  EXPECT_EQ(j.u64("row_hits"), 1u);
  EXPECT_EQ(j.u64("row_misses"), 1u);
  EXPECT_EQ(j.u64("row_conflicts"), 1u);
  EXPECT_EQ(dram.stats().reads, 3u);
  EXPECT_NEAR(dram.stats().latency_max_ns, 71 * 0.625, 1e-9);
}

TEST(DramControllerTlm, RequestsBetweenEdgesAreTakenAtTheNextEdge) {
  const DdrConfig cfg;
  DramController dram("dram", cfg, 1 << 20);
  Probe p("probe");
  p.socket.bind(dram.socket);
  const sc_time tck = dram.cycle_time();
  p.script = [&](Probe& pr) {
    wait(tck * 100 + sc_time(1, sc_core::SC_PS));  // just after edge 100: taken at 101
    pr.send(0, 0, false);
  };
  sc_core::sc_start(tck * 400);
  ASSERT_TRUE(p.reqs[0].answered);
  EXPECT_EQ(p.reqs[0].begin_resp, tck * (101 + 49));
}

TEST(DramControllerTlm, FullReadQueueWithholdsEndReqUntilAColumnCommandFreesASlot) {
  const DdrConfig cfg;
  DramController dram("dram", cfg, 64 << 20);
  dram.enable_command_log();
  Probe p("probe");
  p.socket.bind(dram.socket);
  const sc_time tck = dram.cycle_time();
  const size_t n = static_cast<size_t>(cfg.read_queue) + 1;
  p.script = [&](Probe& pr) {
    wait(tck * 100);
    // All to one bank, each to another row: every one a conflict, so the queue stays full.
    for (size_t i = 0; i < n; ++i)
      pr.send(i, addr(dram, 0, 0, 0, static_cast<int64_t>(i), 0), false);
  };
  sc_core::sc_start(tck * 20000);
  for (size_t i = 0; i + 1 < n; ++i) {
    EXPECT_TRUE(p.reqs[i].accepted_at_once) << i;
    EXPECT_EQ(p.reqs[i].end_req, tck * 100) << i;
  }
  EXPECT_FALSE(p.reqs[n - 1].accepted_at_once);
  std::vector<DdrIssued> cmds;
  dram.take_commands(cmds);
  uint64_t first_rd = 0;
  for (const DdrIssued& c : cmds)
    if (c.cmd == DdrCommand::kRd) {
      first_rd = c.cycle;
      break;
    }
  ASSERT_GT(first_rd, 100u);
  // The first read's column command leaves the queue; the waiting request enters at once.
  EXPECT_EQ(p.reqs[n - 1].end_req, tck * static_cast<double>(first_rd));
  for (size_t i = 0; i < n; ++i) EXPECT_TRUE(p.reqs[i].answered) << i;
}

TEST(DramControllerTlm, NoSecondResponseBeforeEndResp) {
  const DdrConfig cfg;
  DramController dram("dram", cfg, 1 << 20);
  Probe p("probe");
  p.hold_first_response = true;
  p.socket.bind(dram.socket);
  const sc_time tck = dram.cycle_time();
  p.script = [&](Probe& pr) {
    wait(tck * 100);
    pr.send(0, 0, false);
    pr.send(1, 64 * 4, false);  // another bank group: done a few cycles later
    wait(tck * 300);
    EXPECT_FALSE(pr.reqs[1].answered);
    pr.end_resp(0);
  };
  sc_core::sc_start(tck * 1000);
  ASSERT_TRUE(p.reqs[1].answered);
  EXPECT_EQ(p.reqs[1].begin_resp, tck * 400);
}

TEST(DramControllerTlm, DmaReadStreamsTheDataThroughTheDdrModel) {
  sc_core::sc_clock clk{"clk", 1, sc_core::SC_NS};
  DramController dram("dram", DdrConfig{}, 1 << 20);
  DmaRead dma("dma", 8, 64);
  Stream s{"s"};
  StreamSink sink("sink");
  const uint64_t pixels = 300;
  const int c = 24;
  for (uint64_t i = 0; i < pixels * c; ++i) dram.memory()[i] = static_cast<uint8_t>(i * 7 + 3);
  TensorStreamShape sh;
  sh.pixels = pixels;
  sh.channels = c;
  sh.lanes = 16;
  dma.add_stream_job(0, sh);
  dma.socket.bind(dram.socket);
  dma.clk(clk);
  sink.clk(clk);
  dma.out.bind(s);
  sink.in.bind(s);
  sc_core::sc_start(sc_core::sc_time(20, sc_core::SC_US));
  ASSERT_EQ(sink.beats.size(), 2 * pixels);
  for (uint64_t px = 0; px < pixels; ++px)
    for (int ch = 0; ch < c; ++ch)
      ASSERT_EQ(static_cast<uint8_t>(sink.beats[px * 2 + ch / 16].lane[ch % 16]),
                static_cast<uint8_t>((px * c + ch) * 7 + 3));
  EXPECT_EQ(dram.stats().bytes_read, pixels * c);
  EXPECT_EQ(dram.in_flight(), 0);
  const auto& st = dma.dma_stats().by_purpose[static_cast<int>(DmaPurpose::kInput)];
  EXPECT_EQ(st.bytes, pixels * c);
  EXPECT_EQ(st.requests, (pixels * c + 63) / 64);
}
