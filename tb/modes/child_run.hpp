#pragma once
// Runs `skipsim run` in a child process (SystemC elaborates once per process, so every
// point of a sweep or a depth search is its own process) and collects its report.
#include <sys/types.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace skipsim {

struct ChildResult {
  int exit_code = -1;     // the child's exit code; -1 if it died on a signal
  nlohmann::json report;  // empty when the child wrote none
  std::string error;      // first line of its stderr when it failed
};

// Starts `skipsim run --config config --set ... --report <tmp> -q` and returns its pid.
// `scratch` is a directory for the report and stderr files.
pid_t spawn_run(const std::string& config, const std::vector<std::string>& sets,
                const std::string& scratch, int id, bool check_golden);
// Collects the result of a child started by spawn_run, given its wait status.
ChildResult collect_run(const std::string& scratch, int id, int wait_status);
// spawn_run + waitpid + collect_run.
ChildResult run_child(const std::string& config, const std::vector<std::string>& sets,
                      const std::string& scratch, int id, bool check_golden = false);

// A fresh scratch directory (removed by remove_scratch).
std::string make_scratch();
void remove_scratch(const std::string& dir);

}  // namespace skipsim
