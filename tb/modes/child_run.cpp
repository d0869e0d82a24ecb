#include "tb/modes/child_run.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "hw/common/errors.hpp"
#include "tb/config/paths.hpp"

namespace skipsim {

std::string make_scratch() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "skipsim.XXXXXX").string();
  if (!mkdtemp(tmpl.data())) throw std::runtime_error("cannot create a temporary directory");
  return tmpl;
}

void remove_scratch(const std::string& dir) {
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

pid_t spawn_run(const std::string& config, const std::vector<std::string>& sets,
                const std::string& scratch, int id, bool check_golden) {
  const std::string exe = self_executable();
  const std::string report = fmt::format("{}/{}.json", scratch, id);
  const std::string err = fmt::format("{}/{}.err", scratch, id);
  std::vector<std::string> args = {exe, "run", "--config", config, "--report", report, "-q"};
  if (!check_golden) args.emplace_back("--no-check");
  args.reserve(args.size() + 2 * sets.size());
  for (const auto& s : sets) {
    args.push_back("--set");
    args.push_back(s);
  }
  std::filesystem::remove(report);
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    const int fd = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) dup2(fd, 2);
    const int devnull = open("/dev/null", O_WRONLY);
    if (devnull >= 0) dup2(devnull, 1);
    setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
    std::vector<char*> argv;
    argv.reserve(args.size() + 1);
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(exe.c_str(), argv.data());
    _exit(127);
  }
  return pid;
}

ChildResult collect_run(const std::string& scratch, int id, int status) {
  ChildResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream rf(fmt::format("{}/{}.json", scratch, id));
  if (rf) {
    try {
      rf >> r.report;
    } catch (const std::exception&) {
      r.report = nlohmann::json();
    }
  }
  if (r.exit_code != 0) {
    std::ifstream ef(fmt::format("{}/{}.err", scratch, id));
    std::string line;
    while (std::getline(ef, line))
      if (!line.empty()) r.error = line;  // the last line says why
    if (r.exit_code == -1 && r.error.empty())
      r.error = fmt::format("killed by signal {}", WTERMSIG(status));
  }
  return r;
}

ChildResult run_child(const std::string& config, const std::vector<std::string>& sets,
                      const std::string& scratch, int id, bool check_golden) {
  const pid_t pid = spawn_run(config, sets, scratch, id, check_golden);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
  }
  return collect_run(scratch, id, status);
}

}  // namespace skipsim
