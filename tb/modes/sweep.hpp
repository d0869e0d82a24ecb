#pragma once
// Parameter sweeps: the cartesian product of parameter lists, each point a child running
// the block as `skipsim run` would (a fork of this process, fork_run), run N at a time;
// every finished point is appended to the CSV at once as one whole row, so a sweep killed
// at any moment loses no finished point, and re-running the same command skips the points
// already in the file. The CSV is locked while a sweep
// writes it; a point whose child was killed from outside gets no row, so it is retried.
#include <string>
#include <vector>

namespace skipsim {

struct SweepParam {
  std::string key;
  std::vector<std::string> values;
};

// "v1,v2,..." | "start:stop:xF" (geometric) | "start:stop:+S" (linear), both inclusive of
// stop when reached. Throws InputError naming the parameter.
SweepParam parse_sweep_param(const std::string& spec);

struct SweepOptions {
  std::string config;
  std::vector<std::string> sets;  // fixed overrides for every point
  std::vector<SweepParam> params;
  std::string out;  // CSV
  int jobs = 0;     // 0 = all cores
  bool check_golden = false;
  bool progress_tty = false;
};

struct SweepSummary {
  size_t points = 0, skipped = 0, ran = 0, failed = 0;
  size_t killed = 0;  // of `ran`: killed from outside, no row written (retried next time)
  double wall_seconds = 0;
};

// The CSV columns after the parameters (report keys, flattened with dots).
const std::vector<std::string>& sweep_report_columns();

// Forks its children: call it from a process that has elaborated no SystemC model and runs
// no other thread.
SweepSummary run_sweep(const SweepOptions& opt);

}  // namespace skipsim
