#pragma once
// skipsim network through Slurm: one job array task per block (its run and, with
// --find-depth, the depth search of the first block of each shape: blocks of one shape share
// the answer), each saving its results into its own part journal REPORT.slurm/part-I.jsonl;
// then a job that depends on the array merges the parts into REPORT.partial and runs the
// network from it (nothing is simulated again), writing the same report and CSV as a local
// run. A rerun of the same command submits only the blocks whose results are missing.
// REPORT.slurm/ must be on a filesystem every node sees.
#include <string>

#include "tb/modes/network_mode.hpp"
#include "tb/modes/slurm_client.hpp"

namespace skipsim {

// Submits the missing blocks of `opt` (report and csv: the merge job's outputs; csv may be
// empty) and the merge job; with nothing missing it returns 0 and leaves the merge to the
// caller (*merge_now = true). Prints the job ids.
int submit_network_slurm(const NetworkOptions& opt, const std::string& report,
                         const std::string& csv, const SlurmOptions& slurm, bool* merge_now);

// The merge job's first step: gathers the part journals of `report` into opt.journal.
// Returns the blocks still missing (their names); the caller runs the network only when
// there are none.
std::vector<std::string> gather_network_parts(const NetworkOptions& opt, const std::string& report);

}  // namespace skipsim
