#pragma once
// Sweeps through Slurm: the points are cut into T contiguous slices (sweep_slice), one job
// array task each; task I runs `skipsim sweep <same args> --slice I/T` into its own part
// file OUT.part-I, and a job that depends on the array merges the parts into OUT in point
// order, the same CSV a local run writes. The point list, the batch scripts and the task logs
// are kept in the folder OUT.slurm/ beside OUT, which must be on a filesystem every node sees.
#include <string>
#include <vector>

#include "tb/modes/slurm_client.hpp"
#include "tb/modes/sweep.hpp"

namespace skipsim {

// OUT.part-I.
std::string sweep_part_path(const std::string& out, size_t index);
// OUT.slurm (the folder of the point list, batch scripts and logs).
std::string sweep_slurm_dir(const std::string& out);

// Writes OUT.slurm/points.csv (the parameter keys, then one row per point) unless it is there
// with the same content; `--merge OUT` reads it. Throws InputError if it holds another sweep.
void write_sweep_points(const SweepOptions& opt);

struct MergeSummary {
  size_t points = 0, missing = 0;
};
// Merges the part files of OUT into OUT (replaced as a whole) in point order; points with no
// row in any part are left out and counted.
MergeSummary merge_sweep(const std::string& out);

// Submits the slices with points missing from the part files as a job array and a merge job
// after it; prints the job ids. With nothing missing it merges at once. Returns the exit code.
int submit_sweep_slurm(const SweepOptions& opt, const SlurmOptions& slurm);

}  // namespace skipsim
