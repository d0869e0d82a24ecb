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

namespace skipsim::test {

// An empty directory skipsim_<prefix>_<name>_<pid> under the system's temporary directory
// (the pid keeps test runs of two build trees apart).
inline std::filesystem::path scratch_dir(const std::string& prefix, const std::string& name) {
  const std::filesystem::path d =
      std::filesystem::temp_directory_path() /
      ("skipsim_" + prefix + "_" + name + "_" + std::to_string(getpid()));
  std::filesystem::remove_all(d);
  std::filesystem::create_directories(d);
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

}  // namespace skipsim::test
