#pragma once
// Runs a block in a child process (SystemC elaborates once per process, so every point of
// a sweep or a depth search is its own process) and collects its report: `skipsim run`
// exec'd (spawn_run), or a fork of the caller running it in-process (fork_run).
//
// Nothing of a child outlives its parent: the child is SIGKILLed when the parent dies
// (PR_SET_PDEATHSIG), and its report and stderr go to anonymous memory files (memfd)
// instead of a scratch directory, so a SIGKILLed sweep or find-depth leaves no process
// and no file behind.
#include <sys/types.h>

#include <csignal>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tb/config/config.hpp"
#include "tb/ref/block_params.hpp"

namespace skipsim {

struct ChildResult {
  int exit_code = -1;     // the child's exit code; -1 if it died on a signal
  int signal = 0;         // the signal it died on, 0 if it exited
  nlohmann::json report;  // empty when the child wrote none
  std::string error;      // last line of its stderr when it failed
};

// A running child: its pid and the memory files holding its report and stderr.
struct ChildProc {
  pid_t pid = -1;
  int report_fd = -1;
  int err_fd = -1;
  sigset_t mask{};          // the parent's signal mask before the fork (the child restores it)
  std::string report_path;  // through a launcher: the report's file, else empty
};

// spawn_run's children started through a launcher command, e.g. `srun --exclusive -N1 -n1`
// (Slurm job steps, on any node of the allocation): a remote child writes its report into a
// file in `report_dir`, a folder every node sees, instead of the parent's memory file.
// An empty prefix: children exec'd here (the default).
struct ChildLauncher {
  std::vector<std::string> prefix;
  std::string report_dir;
};
void set_child_launcher(const ChildLauncher& launcher);

// Starts `skipsim SUBCOMMAND --config config --report <memfd> -q --set ... [extra...]`
// (SUBCOMMAND: run, or run-chain for a network's stem or head).
ChildProc spawn_run(const std::string& config, const std::vector<std::string>& sets,
                    bool check_golden, const std::vector<std::string>& extra = {},
                    const std::string& subcommand = "run");
// The block's tensors made once by the parent (random_block of `shape` and `seed`), for
// fork_run children whose configuration asks for that same block.
struct PreparedBlock {
  BlockShape shape;
  uint64_t seed = 0;
  BlockParams params;
};
// With `tensors` (a --tensors directory) the block's tensors are read from there.
PreparedBlock prepare_block(const Config& cfg, const std::string& tensors = "");

// Like spawn_run(config, sets, check_golden) (same report, exit code and last stderr line)
// but without exec: a fork of this process runs the block, so the program's start-up is not
// paid again, `prepared` (may be null) spares making the tensors and `loaded` (may be null)
// reading the configuration: what load_config(config, sets) gives, when the caller has it.
// The calling process must not have elaborated a SystemC model itself (SystemC elaborates
// once per process) nor run other threads that could hold a lock across the fork.
ChildProc fork_run(const std::string& config, const std::vector<std::string>& sets,
                   bool check_golden, const PreparedBlock* prepared = nullptr,
                   const Config* loaded = nullptr);
// A fork of this process running `body`, whose JSON becomes the child's report (exit 0; an
// InputError: exit 2 with its message, any other exception: exit 1). Same rules as fork_run.
ChildProc fork_call(const std::function<nlohmann::json()>& body);
// Collects the result of a child started by spawn_run, given its wait status; closes its
// memory files.
ChildResult collect_run(ChildProc& child, int wait_status);
// spawn_run + waitpid + collect_run.
ChildResult run_child(const std::string& config, const std::vector<std::string>& sets,
                      bool check_golden = false);

// A signal that something outside sent (a kill, the OOM killer, a hang-up), as opposed to
// a crash of the program itself (SIGSEGV, SIGABRT, ...): the point may be retried.
bool killed_from_outside(int signal);

}  // namespace skipsim
