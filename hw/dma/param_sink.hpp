#pragma once
// A block whose parameters (weights, bias, requant) the read DMA loads from DRAM into its
// SRAM: the DMA writes bytes in order and then signals completion.
#include <cstddef>
#include <cstdint>
#include <string>

namespace skipsim {

class ParamSink {
 public:
  virtual ~ParamSink() = default;
  virtual std::string sink_name() const = 0;
  virtual uint64_t param_bytes() const = 0;
  virtual void write_params(uint64_t offset, const uint8_t* src, size_t n) = 0;
  // All bytes written; the block may compute from the next cycle on.
  virtual void params_loaded() = 0;
};

}  // namespace skipsim
