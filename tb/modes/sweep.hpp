#pragma once
// Parameter sweeps: the cartesian product of parameter lists, each point a child running
// the block as `skipsim run` would (a fork of this process, fork_run), run N at a time;
// every finished point is appended to the CSV at once as one whole row, so a sweep killed
// at any moment loses no finished point, and re-running the same command skips the points
// already in the file. The CSV is locked while a sweep
// writes it; a point whose child was killed from outside gets no row, so it is retried.
#include <string>
#include <utility>
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
  // With slice_count > 0: only the points of slice slice_index (sweep_slice), e.g. one task
  // of a Slurm job array; `out` is then that slice's part file.
  size_t slice_index = 0, slice_count = 0;
};

struct SweepSummary {
  size_t points = 0, skipped = 0, ran = 0, failed = 0;
  size_t killed = 0;  // of `ran`: killed from outside, no row written (retried next time)
  double wall_seconds = 0;
};

// The CSV columns after the parameters (report keys, flattened with dots).
const std::vector<std::string>& sweep_report_columns();

// The sweep's points in CSV row order: the cartesian product, first parameter slowest.
std::vector<std::vector<std::string>> sweep_points(const std::vector<SweepParam>& params);

// Points [first, last) of slice `index` of `count` near-equal contiguous slices.
std::pair<size_t, size_t> sweep_slice(size_t points, size_t index, size_t count);

// The CSV's header line: the parameter keys, then sweep_report_columns().
std::string sweep_header_line(const std::vector<SweepParam>& params);

// One CSV field, quoted when needed; one line split into fields (quoted fields allowed).
std::string csv_field(const std::string& s);
std::vector<std::string> csv_split(const std::string& line);

// Forks its children: call it from a process that has elaborated no SystemC model and runs
// no other thread.
SweepSummary run_sweep(const SweepOptions& opt);

}  // namespace skipsim
