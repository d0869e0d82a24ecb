#pragma once
// One simulation of a residual block: elaborate, run to completion (or deadlock, or the
// cycle limit), collect the report. SystemC elaborates once per process: call it once.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hw/common/stats.hpp"
#include "tb/config/config.hpp"
#include "tb/observe/report.hpp"
#include "tb/ref/golden.hpp"
#include "tb/top/residual_block.hpp"

namespace skipsim {

struct RunOptions {
  std::string vcd_path;                 // empty: no waveform
  std::string vcd_window;               // "START:END" cycles, empty = all
  std::vector<std::string> vcd_scopes;  // glob patterns over stream / block names
  double vcd_max_mb = 500;              // refuse a waveform estimated above this; 0 = no limit
  bool progress = false;                // progress line on stderr
  std::string occupancy_csv;            // skip FIFO occupancy over time (cycle,occupancy on change)
  CosimOptions cosim;                   // lock-step check of one block against its RTL
};

struct RunResult {
  using End = RunEnd;
  End end = End::kFinished;
  StatsNode stats;        // the report (README "Report" documents every key)
  nlohmann::json report;  // its JSON view
  Tensor8 output;
  std::string deadlock_text;
  std::string rtl_failure;  // the RTL check that stopped the run, one line ("" if none)
};

RunResult run_block(const Config& cfg, const BlockParams& params, const RunOptions& opt);

// What `run` does after the simulation: the output's shape and, with `check`, the golden
// comparison go into the report (r.report is rebuilt); returns the exit code `run` gives
// (0, 1 output differs from the golden model, 3 deadlock, 5 cycle limit) and the stderr
// line saying why when it is not 0.
struct RunVerdict {
  int exit_code = 0;
  std::string message;
};
RunVerdict finish_run(RunResult& r, const Config& cfg, const BlockParams& params, bool check);

}  // namespace skipsim
