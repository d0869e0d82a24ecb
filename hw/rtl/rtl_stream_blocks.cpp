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
void RtlFork::report_rtl_checks(StatsNode& n) const {
  m_main_hold.report(n.child("main"));
  m_skip_hold.report(n.child("skip"));
}

void RtlFork::drive_in() { m_in_bits.write(to_bits(in.data.read())); }
void RtlFork::take_out() {
  main.data.write(from_bits(m_main_bits.read()));
  skip.data.write(from_bits(m_skip_bits.read()));
}

// The same accounting as the SystemC Fork, from the pins.
void RtlFork::on_clock() {
  ++m_edge;
  m_main_hold.sample(m_edge, main.valid.read(), main.ready.read(), m_main_bits.read());
  m_skip_hold.sample(m_edge, skip.valid.read(), skip.ready.read(), m_skip_bits.read());
  const bool fired = account(m_held > 0, main.ready.read(), skip.ready.read());
  m_held += (in.valid.read() && in.ready.read()) - fired;
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
void RtlAdd::report_rtl_checks(StatsNode& n) const { m_out_hold.report(n.child("out")); }

void RtlAdd::drive_in() {
  m_main_bits.write(to_bits(main.data.read()));
  m_skip_bits.write(to_bits(skip.data.read()));
}
void RtlAdd::take_out() { out.data.write(from_bits(m_out_bits.read())); }

// The same accounting as the SystemC Add, from the pins.
void RtlAdd::on_clock() {
  ++m_edge;
  m_out_hold.sample(m_edge, out.valid.read(), out.ready.read(), m_out_bits.read());
  const bool fired = m_out_busy && out.ready.read();
  const bool out_free = !m_out_busy || fired;
  const bool compute = out_free && m_main_held > 0 && m_skip_held > 0;
  account(compute, out_free, m_main_held == 0);
  if (compute)
    m_out_busy = true;
  else if (fired)
    m_out_busy = false;
  m_main_held += (main.valid.read() && main.ready.read()) - compute;
  m_skip_held += (skip.valid.read() && skip.ready.read()) - compute;
}

}  // namespace skipsim
