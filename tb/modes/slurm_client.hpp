#pragma once
// What the Slurm front ends (sweep, find-depth, network) share: the submit options, the
// client commands (sbatch, squeue) run as child processes, and file helpers for folders
// that every node reads and writes (whole files replaced by rename, whole lines only).
#include <string>
#include <vector>

namespace skipsim {

struct SlurmOptions {
  std::string partition;
  int array_max = 0;        // at most this many array tasks at once (--array=...%N); 0: no limit
  int points_per_task = 0;  // sweep: 0 = 1, or more when the sweep has over 1000 points
  std::vector<std::string> sbatch_args;  // passed to every sbatch call as they are
};

// Throws InputError "<who>: --slurm: sbatch not found ..." unless sbatch is on PATH.
void require_sbatch(const std::string& who);
// sbatch --parsable ARGS; returns the job id. Throws InputError with sbatch's own message.
std::string sbatch(const std::string& who, const std::vector<std::string>& args);
// Throws InputError naming the ids if jobs called `job_name` of this user are still queued
// or running (they would write the same files again).
void refuse_if_queued(const std::string& who, const std::string& job_name);
// The common sbatch arguments: job name, working folder (this process's), partition and the
// user's extra arguments.
std::vector<std::string> sbatch_common(const std::string& job_name, const SlurmOptions& slurm);
struct ArrayJobs {
  std::string array, merge;
};
// Submits `array_script` as a job array of `tasks` (at most slurm.array_max at once) and
// `merge_script` as a job after it (afterany), both logging into `logs`; prints
// "array_job=ID" and "merge_job=ID" on stdout.
ArrayJobs submit_array_and_merge(const std::string& who, const std::string& job_name,
                                 const SlurmOptions& slurm, const std::vector<size_t>& tasks,
                                 const std::string& array_script, const std::string& merge_script,
                                 const std::string& logs);
// "0-3,7,9-10": sorted task indices as sbatch --array takes them.
std::string array_spec(const std::vector<size_t>& indices);
// A shell word holding s as it is.
std::string shell_quote(const std::string& s);

// The whole file, or false when it cannot be read.
bool read_text(const std::string& path, std::string& text);
// Replaces path as a whole (written beside it, then renamed), so that a reader, or another
// task writing the same content, never sees half a file.
void write_replace(const std::string& who, const std::string& path, const std::string& text);
// The lines that end in a newline: a writer killed mid-line leaves a torn last line.
std::vector<std::string> whole_lines(const std::string& text);

}  // namespace skipsim
