// The DRAM trace parser (the lines `skipsim dram` reads), without the simulation.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "hw/common/errors.hpp"
#include "tb/modes/dram_trace.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    (void)skipsim::parse_dram_trace(std::string_view(reinterpret_cast<const char*>(data), size),
                                    "fuzz.trace");
  } catch (const skipsim::InputError&) {
  }
  return 0;
}
