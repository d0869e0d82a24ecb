// The SCALE-Sim topology CSV parser.
#include <cstddef>
#include <cstdint>
#include <string>

#include "hw/common/errors.hpp"
#include "tb/modes/layer_mode.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    (void)skipsim::parse_topology_csv(std::string(reinterpret_cast<const char*>(data), size),
                                      "fuzz.csv");
  } catch (const skipsim::InputError&) {
  }
  return 0;
}
