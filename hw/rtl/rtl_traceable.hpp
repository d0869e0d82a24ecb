#pragma once
// A wrapped Verilated block whose RTL internals can be written to Verilator's own VCD.
class VerilatedVcdC;

namespace skipsim {

class RtlTraceable {
 public:
  virtual ~RtlTraceable() = default;
  virtual void trace_rtl(VerilatedVcdC* vcd, int levels) = 0;
};

}  // namespace skipsim
