// Every YAML file shipped under configs/ (found when the test runs) through every subcommand
// that reads a section of it: `run` and `layer` take each run configuration, `dram` each
// DRAM preset and each run configuration naming one; a file without the section a
// subcommand needs gets exit 2 and one line naming that section.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/common/cli.hpp"

namespace fs = std::filesystem;

using skipsim::test::slurp;

namespace {

struct Out {
  int code = -1;
  std::string err;
};

Out run(const std::string& args, const fs::path& dir) {
  const std::string cmd = std::string(SKIPSIM_BINARY) + " " + args + " >" + (dir / "out").string() +
                          " 2>" + (dir / "err").string();
  const int st = std::system(cmd.c_str());
  return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, slurp(dir / "err")};
}

std::vector<fs::path> shipped_yaml() {
  std::vector<fs::path> out;
  for (const auto& e : fs::recursive_directory_iterator(fs::path(SKIPSIM_SOURCE_DIR) / "configs"))
    if (e.is_regular_file() && (e.path().extension() == ".yaml" || e.path().extension() == ".yml"))
      out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

// A DRAM preset: a top-level `dram:` map.
bool is_dram_preset(const fs::path& p) {
  std::ifstream in(p);
  for (std::string line; std::getline(in, line);)
    if (line.rfind("dram:", 0) == 0) return true;
  return false;
}

fs::path scratch() {
  return skipsim::test::scratch_dir(
      "shipped", ::testing::UnitTest::GetInstance()->current_test_info()->name());
}

void expect_missing_section(const Out& o, const fs::path& file, const std::string& section) {
  EXPECT_EQ(o.code, 2) << file << ": " << o.err;
  EXPECT_EQ(std::count(o.err.begin(), o.err.end(), '\n'), 1) << file << ": " << o.err;
  EXPECT_NE(o.err.find(file.string() + ": " + section), std::string::npos) << o.err;
}

TEST(ShippedConfigs, FoundAll) {
  const std::vector<fs::path> files = shipped_yaml();
  EXPECT_GE(files.size(), 9u);
  EXPECT_GE(std::count_if(files.begin(), files.end(), is_dram_preset), 4);
}

TEST(ShippedConfigs, Run) {
  const fs::path d = scratch();
  for (const fs::path& f : shipped_yaml()) {
    SCOPED_TRACE(f.string());
    const Out print = run("run --print-config --config " + f.string(), d);
    const Out small = run(
        "run -q --config " + f.string() + " --set workload.input.h=8 --set workload.input.w=8", d);
    if (is_dram_preset(f)) {
      expect_missing_section(print, f, "no hardware:, workload: or sim: section");
      expect_missing_section(small, f, "no hardware:, workload: or sim: section");
    } else {
      EXPECT_EQ(print.code, 0) << print.err;
      EXPECT_EQ(small.code, 0) << small.err;
    }
  }
}

TEST(ShippedConfigs, Layer) {
  const fs::path d = scratch();
  for (const fs::path& f : shipped_yaml()) {
    SCOPED_TRACE(f.string());
    const Out o = run("layer --config " + f.string() + " --layer name=t,h=6,w=6,kh=3,c=8,n=8", d);
    if (is_dram_preset(f))
      expect_missing_section(o, f, "no hardware:, workload: or sim: section");
    else
      EXPECT_EQ(o.code, 0) << o.err;
  }
}

TEST(ShippedConfigs, Dram) {
  const fs::path d = scratch();
  const fs::path trace = d / "t.trace";
  std::ofstream(trace) << "0x0 READ 0\n0x100 WRITE 10\n0x40000 READ 20\n";
  for (const fs::path& f : shipped_yaml()) {
    SCOPED_TRACE(f.string());
    const Out o = run("dram --config " + f.string() + " --trace " + trace.string(), d);
    EXPECT_EQ(o.code, 0) << o.err;  // every shipped run configuration names a preset
  }
  // By name, and a file naming none.
  EXPECT_EQ(run("dram --config lpddr4_3200 --trace " + trace.string(), d).code, 0);
  const fs::path none = d / "none.yaml";
  std::ofstream(none) << "workload: {block: basic}\n";
  expect_missing_section(run("dram --config " + none.string() + " --trace " + trace.string(), d),
                         none, "no DRAM section: expected a DRAM preset (a top-level `dram:` map");
}

}  // namespace
