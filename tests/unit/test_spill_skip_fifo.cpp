// SpillSkipFifo against a DRAM target that answers writes slowly and reads fast and logs
// every request and response: a burst is read back only after its write was acknowledged,
// spills are whole bursts, and the beats leave in order.
#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <vector>

#include <tlm_utils/peq_with_get.h>
#include <tlm_utils/simple_target_socket.h>
#include <systemc>
#include <tlm>

#include "hw/dma/dma_skip.hpp"
#include "hw/sram/sram_banks.hpp"
#include "hw/skip_fifo/spill_skip_fifo.hpp"
#include "tests/common/stream_tb.hpp"

using namespace skipsim;
using namespace skipsim::test;

namespace {

// AT target: END_REQ at once, BEGIN_RESP after write_ns (writes) or read_ns (reads).
class LoggingDram : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(LoggingDram);
  tlm_utils::simple_target_socket<LoggingDram> socket;
  struct Event {
    double ns;
    bool write;
    uint64_t addr;
    unsigned len;
  };
  std::vector<Event> requests, responses;

  LoggingDram(sc_core::sc_module_name n, double write_ns, double read_ns)
      : sc_module(n), socket("socket"), m_peq("peq"), m_write_ns(write_ns), m_read_ns(read_ns) {
    socket.register_nb_transport_fw(this, &LoggingDram::fw);
    SC_METHOD(respond);
    sensitive << m_peq.get_event();
    dont_initialize();
  }

 private:
  tlm::tlm_sync_enum fw(tlm::tlm_generic_payload& tr, tlm::tlm_phase& ph, sc_core::sc_time& d) {
    if (ph == tlm::END_RESP) return tlm::TLM_COMPLETED;
    if (ph != tlm::BEGIN_REQ) return tlm::TLM_ACCEPTED;
    const bool write = tr.is_write();
    requests.push_back({(sc_core::sc_time_stamp() + d).to_seconds() * 1e9, write, tr.get_address(),
                        tr.get_data_length()});
    if (write) {
      auto& m = m_mem[tr.get_address()];
      m.assign(tr.get_data_ptr(), tr.get_data_ptr() + tr.get_data_length());
    }
    m_peq.notify(tr, d + sc_core::sc_time(write ? m_write_ns : m_read_ns, sc_core::SC_NS));
    ph = tlm::END_REQ;
    return tlm::TLM_UPDATED;
  }
  void respond() {
    while (tlm::tlm_generic_payload* tr = m_peq.get_next_transaction()) {
      if (tr->is_read()) {
        const auto& m = m_mem[tr->get_address()];
        std::memcpy(tr->get_data_ptr(), m.data(),
                    std::min<size_t>(m.size(), tr->get_data_length()));
      }
      responses.push_back({sc_core::sc_time_stamp().to_seconds() * 1e9, tr->is_write(),
                           tr->get_address(), tr->get_data_length()});
      tr->set_response_status(tlm::TLM_OK_RESPONSE);
      tlm::tlm_phase ph = tlm::BEGIN_RESP;
      sc_core::sc_time d = sc_core::SC_ZERO_TIME;
      socket->nb_transport_bw(*tr, ph, d);
    }
  }
  tlm_utils::peq_with_get<tlm::tlm_generic_payload> m_peq;
  double m_write_ns, m_read_ns;
  std::map<uint64_t, std::vector<uint8_t>> m_mem;
};

}  // namespace

// Depth 4 (one 64-byte burst of 16-lane beats), a sink that stalls most cycles: the FIFO
// spills. Writes take 300 ns to be acknowledged, reads 5 ns, so a fill issued before its
// write's acknowledgement would show up in the log.
TEST(SpillSkipFifo, FillsOnlyAcknowledgedBurstsAndKeepsOrder) {
  sc_core::sc_clock clk("clk", 1, sc_core::SC_NS);
  SramBanks sram(4, 4096, 16);
  DmaSkip dma("dma_skip", 4, 64);
  SpillConfig sc;
  sc.depth = 4;
  sc.lanes = 16;
  sc.burst_bytes = 64;
  sc.ring_base = 0;
  sc.ring_bytes = 64 * 64;
  SpillSkipFifo fifo("fifo", sc, sram, dma);
  LoggingDram dram("dram", 300.0, 5.0);
  Stream a("a"), b("b");
  const int n = 200;
  StreamSource src("src", counting_beats(n, 16), 0.0, 7);
  StreamSink sink("sink", 0.85, 8);
  src.clk(clk);
  fifo.clk(clk);
  dma.clk(clk);
  sink.clk(clk);
  src.out.bind(a);
  fifo.in.bind(a);
  fifo.out.bind(b);
  sink.in.bind(b);
  dma.socket.bind(dram.socket);
  sc_core::sc_start(sc_core::sc_time(20000, sc_core::SC_NS));

  ASSERT_EQ(sink.beats.size(), static_cast<size_t>(n));
  const auto ref = counting_beats(n, 16);
  for (int i = 0; i < n; ++i) ASSERT_EQ(sink.beats[i], ref[i].first) << i;
  const SpillStats& st = fifo.spill_stats();
  ASSERT_GT(st.spill_bursts, 4u) << "the bench must make the FIFO spill";
  EXPECT_EQ(st.spill_bursts, st.fill_bursts);
  EXPECT_EQ(st.spill_bytes, 64 * st.spill_bursts);

  // Every request is a whole burst; every read of a ring slot comes after the acknowledgement
  // of the write that filled it, and before the next write to that slot is issued.
  std::map<uint64_t, double> acked;  // slot -> acknowledgement time of its latest write
  size_t reads = 0;
  for (const auto& r : dram.requests) {
    EXPECT_EQ(r.len, 64u);
    if (r.write) continue;
    ++reads;
    double ack = -1;
    for (const auto& w : dram.responses)
      if (w.write && w.addr == r.addr && w.ns <= r.ns) ack = std::max(ack, w.ns);
    EXPECT_GE(ack, 0.0) << "read of 0x" << std::hex << r.addr << " before its write's ack";
    double issued = -1;
    for (const auto& w : dram.requests)
      if (w.write && w.addr == r.addr && w.ns <= r.ns) issued = std::max(issued, w.ns);
    EXPECT_GE(r.ns, issued + 300.0) << "read of 0x" << std::hex << r.addr;
  }
  EXPECT_EQ(reads, st.fill_bursts);
}
