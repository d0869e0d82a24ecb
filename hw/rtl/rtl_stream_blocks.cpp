#include "hw/rtl/rtl_stream_blocks.hpp"

#include "Vadd.h"
#include "Vstream_fork.h"

namespace skipsim {

RtlFork::RtlFork(sc_core::sc_module_name name)
    : ForkBase(name), m_rtl(std::make_unique<Vstream_fork>("rtl")) {
  m_rtl->clk(clk);
  m_rtl->rst_n(m_rst_n);
  m_rtl->in_valid(in.valid);
  m_rtl->in_ready(in.ready);
  m_rtl->in_data(m_in_bits);
  m_rtl->in_last(in.last);
  m_rtl->main_valid(main.valid);
  m_rtl->main_ready(main.ready);
  m_rtl->main_data(m_main_bits);
  m_rtl->main_last(main.last);
  m_rtl->skip_valid(skip.valid);
  m_rtl->skip_ready(skip.ready);
  m_rtl->skip_data(m_skip_bits);
  m_rtl->skip_last(skip.last);
  SC_METHOD(on_clock);
  sensitive << clk.pos();
  dont_initialize();
  SC_METHOD(drive_in);
  sensitive << in.data;
  SC_METHOD(take_out);
  sensitive << m_main_bits << m_skip_bits;
  dont_initialize();
}

RtlFork::~RtlFork() = default;
void RtlFork::trace_rtl(VerilatedVcdC* vcd, int levels) { m_rtl->trace(vcd, levels); }

void RtlFork::drive_in() { m_in_bits.write(to_bits(in.data.read())); }
void RtlFork::take_out() {
  main.data.write(from_bits(m_main_bits.read()));
  skip.data.write(from_bits(m_skip_bits.read()));
}

// The same classification as the SystemC Fork, from the pins.
void RtlFork::on_clock() {
  const bool main_ready = main.ready.read(), skip_ready = skip.ready.read();
  const bool had = m_held > 0;
  const bool fired = had && main_ready && skip_ready;
  m_wait = {};
  if (fired) {
    ++m_stats.busy;
    m_wait.kind = WaitState::Kind::kBusy;
  } else if (had) {
    ++m_stats.blocked;
    const int port = !skip_ready ? 1 : 0;
    ++m_stats.blocked_on[port];
    m_wait.kind = WaitState::Kind::kBlocked;
    m_wait.port = port ? "skip" : "main";
  } else {
    ++m_stats.starved;
    ++m_stats.starved_on[0];
    m_wait.kind = WaitState::Kind::kStarved;
    m_wait.port = "in";
  }
  m_held += (in.valid.read() && in.ready.read()) - fired;
  record_state(m_wait.kind);
}

RtlAdd::RtlAdd(sc_core::sc_module_name name, const AddConfig& cfg)
    : AddBase(name), m_rtl(std::make_unique<Vadd>("rtl")) {
  m_mult_main.write(static_cast<uint32_t>(cfg.mult_main));
  m_mult_skip.write(static_cast<uint32_t>(cfg.mult_skip));
  m_shift.write(static_cast<uint32_t>(cfg.shift));
  m_rtl->clk(clk);
  m_rtl->rst_n(m_rst_n);
  m_rtl->mult_main(m_mult_main);
  m_rtl->mult_skip(m_mult_skip);
  m_rtl->shift(m_shift);
  m_rtl->main_valid(main.valid);
  m_rtl->main_ready(main.ready);
  m_rtl->main_data(m_main_bits);
  m_rtl->main_last(main.last);
  m_rtl->skip_valid(skip.valid);
  m_rtl->skip_ready(skip.ready);
  m_rtl->skip_data(m_skip_bits);
  m_rtl->skip_last(skip.last);
  m_rtl->out_valid(out.valid);
  m_rtl->out_ready(out.ready);
  m_rtl->out_data(m_out_bits);
  m_rtl->out_last(out.last);
  SC_METHOD(on_clock);
  sensitive << clk.pos();
  dont_initialize();
  SC_METHOD(drive_in);
  sensitive << main.data << skip.data;
  SC_METHOD(take_out);
  sensitive << m_out_bits;
  dont_initialize();
}

RtlAdd::~RtlAdd() = default;
void RtlAdd::trace_rtl(VerilatedVcdC* vcd, int levels) { m_rtl->trace(vcd, levels); }

void RtlAdd::drive_in() {
  m_main_bits.write(to_bits(main.data.read()));
  m_skip_bits.write(to_bits(skip.data.read()));
}
void RtlAdd::take_out() { out.data.write(from_bits(m_out_bits.read())); }

// The same classification as the SystemC Add, from the pins.
void RtlAdd::on_clock() {
  const bool fired = m_out_busy && out.ready.read();
  const bool out_free = !m_out_busy || fired;
  m_wait = {};
  const bool compute = out_free && m_main_held > 0 && m_skip_held > 0;
  if (compute) {
    ++m_stats.busy;
    m_wait.kind = WaitState::Kind::kBusy;
    m_out_busy = true;
  } else {
    if (fired) m_out_busy = false;
    if (!out_free) {
      ++m_stats.blocked;
      ++m_stats.blocked_on[0];
      m_wait.kind = WaitState::Kind::kBlocked;
      m_wait.port = "out";
    } else {
      const int port = m_main_held == 0 ? 0 : 1;
      ++m_stats.starved;
      ++m_stats.starved_on[port];
      m_wait.kind = WaitState::Kind::kStarved;
      m_wait.port = port ? "skip" : "main";
    }
  }
  m_main_held += (main.valid.read() && main.ready.read()) - compute;
  m_skip_held += (skip.valid.read() && skip.ready.read()) - compute;
  record_state(m_wait.kind);
}

}  // namespace skipsim
