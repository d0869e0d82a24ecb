#pragma once
// Trace mode: replays a request trace through the DDR controller model and prints its
// statistics. A trace line is `ADDR OP CYCLE` (the DRAMSim3 format): ADDR hexadecimal with
// 0x or decimal, OP READ or WRITE (any case), CYCLE the arrival in DRAM clock cycles, not
// decreasing from line to line; blank lines and `#` comments are skipped. Requests are
// accepted in trace order at their arrival cycle, or later when their queue is full.
#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>

#include "hw/dram/ddr_config.hpp"

namespace skipsim {

// Replays trace_path on the DRAM config_path means (dram_config_for_trace: a preset file or
// name, or a run configuration naming one); prints the statistics to `out` as a table, or as JSON
// when `json` (keys include total_cycles, avg_read_latency, bandwidth_gbps (GB/s), row_hit_rate).
// With csv_path, writes one row per request: idx,addr,is_write,arrival,accepted,done. Returns the
// exit code (0); bad input throws InputError naming file:line and what is expected.
int run_dram_trace(const std::string& config_path, const std::string& trace_path,
                   const std::string& csv_path, bool json, std::ostream& out);

// Parses trace text as run_dram_trace reads it, without simulating; returns the number of
// requests. Throws the same InputError (naming file:line); addresses and cycles are bounded
// as for the default DDR4-3200 preset.
uint64_t parse_dram_trace(std::string_view text, const std::string& file);

}  // namespace skipsim
