#include "tb/modes/child_run.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <sstream>

#include <fmt/format.h>

#include "hw/common/errors.hpp"
#include "tb/config/paths.hpp"
#include "tb/modes/output_lock.hpp"

namespace skipsim {

namespace {

int memory_file(const char* name) {
  const int fd = memfd_create(name, MFD_CLOEXEC);
  if (fd < 0) throw std::runtime_error(fmt::format("memfd_create failed: {}", strerror(errno)));
  return fd;
}

}  // namespace

bool killed_from_outside(int signal) {
  return signal == SIGKILL || signal == SIGTERM || signal == SIGINT || signal == SIGHUP ||
         signal == SIGQUIT;
}

ChildProc spawn_run(const std::string& config, const std::vector<std::string>& sets,
                    bool check_golden, const std::vector<std::string>& extra,
                    const std::string& subcommand) {
  const std::string exe = self_executable();
  // The child writes its report through fd 3 (the report memory file).
  std::vector<std::string> args = {exe,        subcommand,        "--config", config,
                                   "--report", "/proc/self/fd/3", "-q"};
  if (!check_golden) args.emplace_back("--no-check");
  args.reserve(args.size() + 2 * sets.size());
  for (const auto& s : sets) {
    args.push_back("--set");
    args.push_back(s);
  }
  args.insert(args.end(), extra.begin(), extra.end());
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  // Test hook: a child given exactly this --set dies at once by SIGKILL, as if killed from
  // outside (tests/system/test_sweep.cpp).
  bool test_kill = false;
  if (const char* k = std::getenv("SKIPSIM_TEST_SIGKILL_SET"))
    for (const auto& s : sets) test_kill = test_kill || s == k;
  ChildProc c;
  c.report_fd = memory_file("skipsim-report");
  c.err_fd = memory_file("skipsim-stderr");
  const pid_t parent = getpid();
  c.pid = fork();
  if (c.pid < 0) {
    close(c.report_fd);
    close(c.err_fd);
    throw std::runtime_error("fork failed");
  }
  if (c.pid == 0) {
    // Die with the parent; if it already died between fork and prctl, go now.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    if (test_kill) raise(SIGKILL);
    dup2(c.err_fd, 2);
    const int devnull = open("/dev/null", O_WRONLY);
    if (devnull >= 0) dup2(devnull, 1);
    // dup2 onto the same number would keep close-on-exec.
    const int rep = c.report_fd == 3 ? fcntl(3, F_DUPFD_CLOEXEC, 4) : c.report_fd;
    if (rep < 0 || dup2(rep, 3) < 0) _exit(127);
    setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
    execv(exe.c_str(), argv.data());
    _exit(127);
  }
  return c;
}

ChildResult collect_run(ChildProc& c, int status) {
  ChildResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  const std::string report = read_whole(c.report_fd);
  if (!report.empty()) {
    try {
      r.report = nlohmann::json::parse(report);
    } catch (const std::exception&) {
      r.report = nlohmann::json();
    }
  }
  if (r.exit_code != 0) {
    std::istringstream ef(read_whole(c.err_fd));
    std::string line;
    while (std::getline(ef, line))
      if (!line.empty()) r.error = line;  // the last line says why
    if (r.signal && r.error.empty())
      r.error = fmt::format("killed by signal {} ({})", r.signal, strsignal(r.signal));
  }
  close(c.report_fd);
  close(c.err_fd);
  c.report_fd = c.err_fd = -1;
  return r;
}

ChildResult run_child(const std::string& config, const std::vector<std::string>& sets,
                      bool check_golden) {
  ChildProc c = spawn_run(config, sets, check_golden);
  int status = 0;
  while (waitpid(c.pid, &status, 0) < 0) {
  }
  return collect_run(c, status);
}

}  // namespace skipsim
