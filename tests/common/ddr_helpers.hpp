#pragma once
// What the DDR controller's unit tests share: the shipped presets, a DRAM address by its
// fields, and running a controller until every accepted request has completed.
#include <cstdint>
#include <string>

#include "hw/dram/address_map.hpp"
#include "hw/dram/ddr_config.hpp"
#include "hw/dram/ddr_controller.hpp"
#include "tb/config/dram_preset.hpp"

namespace skipsim::test {

inline DdrConfig ddr4() {
  return load_dram_preset(std::string(SKIPSIM_SOURCE_DIR) + "/configs/dram/ddr4_3200.yaml");
}
inline DdrConfig dramsim3() {
  return load_dram_preset(std::string(SKIPSIM_SOURCE_DIR) +
                          "/configs/dram/ddr4_3200_dramsim3.yaml");
}

inline DramAddress at(int rank, int bg, int bank, int64_t row = 0, int column = 0) {
  DramAddress a;
  a.rank = rank;
  a.bank_group = bg;
  a.bank = bank;
  a.row = row;
  a.column = column;
  return a;
}

inline void drain(DdrController& c) {
  while (c.pending() > 0) c.advance_to(c.next_event_cycle());
}

}  // namespace skipsim::test
