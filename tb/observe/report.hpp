#pragma once
// The report of one run of a residual block as a statistics tree: the run's outcome, the
// workload, then every hardware block's own statistics gathered where the README "Report"
// places them (fifos.skip, modules, channels, dram, sram), with the figures derived from
// several blocks (DRAM bytes by purpose, energy, bottleneck). Two views read the tree:
// stats_to_json (the JSON report) and format_report_table (the printed summary).
#include <string>

#include "hw/common/stats.hpp"
#include "tb/config/config.hpp"
#include "tb/top/residual_block.hpp"

namespace skipsim {

enum class RunEnd { kFinished, kDeadlock, kCycleLimit, kCosimMismatch, kRtlCheckFailed };

// `wall`: seconds of simulation, for the speed figures.
StatsNode build_report(ResidualBlock& top, const Config& cfg, RunEnd end, double wall);

class ChainPipeline;
struct ChainDescription;
// The same for a chain (stem, head): outcome, workload, modules, channels, DRAM, SRAM,
// energy and bottleneck (no skip FIFO, no frames).
StatsNode build_chain_report(ChainPipeline& top, const Config& cfg, const ChainDescription& d,
                             RunEnd end, double wall);

// The report as a human-readable table (what `skipsim run` prints).
std::string format_report_table(const StatsNode& report);

}  // namespace skipsim
