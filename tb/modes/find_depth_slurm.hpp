#pragma once
// find-depth through Slurm: one batch job of N tasks runs the search, and each probe is a
// job step (`srun --exact -N1 -n1 skipsim run ...`) on any node of the allocation, so N
// probes run side by side across nodes. The result goes to OUT (the JSON `find-depth --json`
// prints); every finished probe to OUT.probes, which a rerun takes instead of simulating
// again. Batch script, logs and the probes' reports are kept in OUT.slurm/, which must be on
// a filesystem every node sees.
#include <string>

#include "tb/modes/find_depth.hpp"
#include "tb/modes/slurm_client.hpp"

namespace skipsim {

// The launcher a job's probes go through (the batch script asks for it with --srun-probes).
void use_srun_probes(const std::string& out);

// Submits the search of `opt` with `tasks` probes at once, unless OUT already holds its
// result; prints the job id. Returns the exit code.
int submit_find_depth_slurm(const FindDepthOptions& opt, const std::string& out, int tasks,
                            const SlurmOptions& slurm);

}  // namespace skipsim
