#pragma once
// Helpers of the tests that run the skipsim binary: a fresh scratch directory, a shell
// command's exit code, a file's bytes.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace skipsim::test {

// Removes the scratch directories when the test process exits with every test passed; a
// failed test's files stay for a look.
struct ScratchCleaner {
  std::vector<std::filesystem::path> dirs;
  ~ScratchCleaner() {
    if (!::testing::UnitTest::GetInstance()->Passed()) return;
    std::error_code ec;
    for (const auto& d : dirs) std::filesystem::remove_all(d, ec);
  }
};

// An empty directory skipsim_<prefix>_<name>_<pid> under the system's temporary directory
// (the pid keeps test runs of two build trees apart).
inline std::filesystem::path scratch_dir(const std::string& prefix, const std::string& name) {
  static ScratchCleaner cleaner;
  const std::filesystem::path d =
      std::filesystem::temp_directory_path() /
      ("skipsim_" + prefix + "_" + name + "_" + std::to_string(getpid()));
  std::filesystem::remove_all(d);
  std::filesystem::create_directories(d);
  cleaner.dirs.push_back(d);
  return d;
}

// The exit status of `cmd` run by the shell, -1 when it did not exit normally.
inline int sh(const std::string& cmd) {
  const int st = std::system(cmd.c_str());
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

// `skipsim ARGS` run in `dir` (files it writes land there), its exit code, stdout and stderr.
// tty: under script(1), so that stdout and stderr are a terminal (stderr then comes in `out`).
struct CliOut {
  int code = -1;
  std::string out, err;
};
inline CliOut run_cli(const std::string& args, const std::filesystem::path& dir, bool tty = false) {
  const std::string bin = SKIPSIM_BINARY;
  const std::string cmd =
      "cd '" + dir.string() + "' && " +
      (tty ? "script -qefc \"" + bin + " " + args + "\" /dev/null" : bin + " " + args) + " >" +
      (dir / "stdout").string() + " 2>" + (dir / "stderr").string();
  CliOut o;
  o.code = sh(cmd);
  o.out = slurp(dir / "stdout");
  o.err = slurp(dir / "stderr");
  return o;
}

}  // namespace skipsim::test
