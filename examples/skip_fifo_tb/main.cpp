// A testbench of its own around skipsim's SkipFifo: a producer offers a burst of beats while
// the consumer is held back, then drains with seeded random back-pressure. The FIFO must
// deliver every beat in order, fill to its depth and hold the producer back while full.
// Prints one line of statistics; exits 0 when every check holds.
#include <cstdio>
#include <random>

#include <systemc>

#include "hw/skip_fifo/skip_fifo.hpp"
#include "hw/sram/sram_banks.hpp"
#include "hw/stream/stream.hpp"

namespace {

constexpr int kLanes = 8;
constexpr int kBeats = 200;
constexpr uint64_t kDepth = 32;
constexpr uint64_t kHoldCycles = 100;  // consumer not ready at first

// Offers beats 0..kBeats-1 back to back (registered valid, as the stream convention asks).
struct Producer : sc_core::sc_module {
  SC_HAS_PROCESS(Producer);
  sc_core::sc_in<bool> clk{"clk"};
  skipsim::StreamOut out{"out"};
  int next = 0;
  bool offered = false;

  explicit Producer(sc_core::sc_module_name n) : sc_module(n) {
    SC_METHOD(tick);
    sensitive << clk.pos();
    dont_initialize();
  }
  void tick() {
    if (offered && out.ready.read()) {
      ++next;
      offered = false;
    }
    if (!offered && next < kBeats) {
      skipsim::Beat b;
      for (int l = 0; l < kLanes; ++l) b.lane[l] = static_cast<int8_t>(next + l);
      out.put(b, next == kBeats - 1);
      offered = true;
    } else if (!offered) {
      out.idle();
    }
  }
};

// Holds ready low for kHoldCycles, then takes beats with probability 1/2 per cycle.
struct Consumer : sc_core::sc_module {
  SC_HAS_PROCESS(Consumer);
  sc_core::sc_in<bool> clk{"clk"};
  skipsim::StreamIn in{"in"};
  uint64_t cycle = 0;
  int received = 0, out_of_order = 0;
  bool saw_last = false;
  std::mt19937 rng{7};

  explicit Consumer(sc_core::sc_module_name n) : sc_module(n) {
    SC_METHOD(tick);
    sensitive << clk.pos();
    dont_initialize();
  }
  void tick() {
    ++cycle;
    if (in.fire()) {
      if (in.data.read().lane[0] != static_cast<int8_t>(received)) ++out_of_order;
      saw_last = in.last.read();
      ++received;
      if (saw_last) sc_core::sc_stop();
    }
    in.ready.write(cycle > kHoldCycles && (rng() & 1));
  }
};

}  // namespace

int sc_main(int, char*[]) {
  sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
  sc_core::sc_clock clk("clk", 1, sc_core::SC_NS);
  // 4 banks of 1 KiB, 8-byte rows: the FIFO's depth x lanes bytes live here.
  skipsim::SramBanks sram(4, 1024, 8);
  skipsim::SkipFifo fifo("skip_fifo", kDepth, kLanes, sram);
  Producer producer("producer");
  Consumer consumer("consumer");
  skipsim::Stream to_fifo("to_fifo"), from_fifo("from_fifo");
  producer.clk(clk);
  consumer.clk(clk);
  fifo.clk(clk);
  producer.out.bind(to_fifo);
  fifo.in.bind(to_fifo);
  fifo.out.bind(from_fifo);
  consumer.in.bind(from_fifo);

  sc_core::sc_start(10, sc_core::SC_US);

  const skipsim::SkipFifoStats& s = fifo.stats();
  std::printf(
      "skip_fifo_tb: %d beats received (%d out of order, last %s) in %llu cycles; depth %llu, "
      "max occupancy %llu, producer blocked %llu cycles; SRAM %llu of %llu B used\n",
      consumer.received, consumer.out_of_order, consumer.saw_last ? "seen" : "missing",
      static_cast<unsigned long long>(consumer.cycle),
      static_cast<unsigned long long>(fifo.depth()),
      static_cast<unsigned long long>(s.max_occupancy),
      static_cast<unsigned long long>(s.push_blocked_cycles),
      static_cast<unsigned long long>(sram.used()),
      static_cast<unsigned long long>(sram.capacity()));
  const bool ok = consumer.received == kBeats && consumer.out_of_order == 0 && consumer.saw_last &&
                  s.max_occupancy == kDepth && s.push_blocked_cycles > 0;
  std::printf("skip_fifo_tb: %s\n", ok ? "PASS" : "FAIL");
  return ok ? 0 : 1;
}
