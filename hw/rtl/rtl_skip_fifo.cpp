#include "hw/rtl/rtl_skip_fifo.hpp"

#include <fmt/format.h>

#include "Vskip_fifo.h"
#include "tb/errors.hpp"

namespace skipsim {

RtlBits to_bits(const Beat& b) {
  RtlBits v;
  for (int l = 0; l < kRtlLanes; ++l) v.range(8 * l + 7, 8 * l) = static_cast<uint8_t>(b.lane[l]);
  return v;
}

Beat from_bits(const RtlBits& v) {
  Beat b;
  for (int l = 0; l < kRtlLanes; ++l)
    b.lane[l] = static_cast<int8_t>(v.range(8 * l + 7, 8 * l).to_uint());
  return b;
}

namespace {
constexpr int kAddrBits = 14;  // skip_fifo.v's default ADDR_BITS
}

RtlSkipFifo::RtlSkipFifo(sc_core::sc_module_name name, uint64_t depth)
    : SkipFifoBase(name, depth), m_rtl(std::make_unique<Vskip_fifo>("rtl")) {
  if (depth > (uint64_t{1} << kAddrBits))
    throw InputError(fmt::format(
        "config error: hardware.skip_fifo.depth: the RTL skip FIFO holds at most {} beats, "
        "got {}",
        uint64_t{1} << kAddrBits, depth));
  m_depth_sig.write(static_cast<uint32_t>(depth));
  m_rtl->clk(clk);
  m_rtl->rst_n(m_rst_n);
  m_rtl->depth(m_depth_sig);
  m_rtl->in_valid(in.valid);
  m_rtl->in_ready(in.ready);
  m_rtl->in_data(m_in_bits);
  m_rtl->in_last(in.last);
  m_rtl->out_valid(out.valid);
  m_rtl->out_ready(out.ready);
  m_rtl->out_data(m_out_bits);
  m_rtl->out_last(out.last);
  m_rtl->occupancy(m_occ);
  SC_METHOD(on_clock);
  sensitive << clk.pos();
  dont_initialize();
  SC_METHOD(drive_in);
  sensitive << in.data;
  SC_METHOD(take_out);
  sensitive << m_out_bits;
  dont_initialize();
}

RtlSkipFifo::~RtlSkipFifo() = default;

void RtlSkipFifo::drive_in() { m_in_bits.write(to_bits(in.data.read())); }
void RtlSkipFifo::take_out() { out.data.write(from_bits(m_out_bits.read())); }

void RtlSkipFifo::on_clock() {
  const bool in_valid = in.valid.read(), in_ready = in.ready.read();
  const bool out_valid = out.valid.read(), out_ready = out.ready.read();
  const uint64_t after = m_count - (out_valid && out_ready) + (in_valid && in_ready);
  observe(in_valid, in_ready, out_valid, out_ready, out.last.read(), after);
}

}  // namespace skipsim
