// The JSON reports keep every key a user or script may read: each run's report is checked
// against a list of key paths and JSON types recorded before the reports were rebuilt on the
// statistics tree (tests/system/report_keys/*.txt). A renamed, moved or retyped key fails;
// added keys pass.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/common/cli.hpp"

namespace fs = std::filesystem;

namespace {

const std::string kSource = SKIPSIM_SOURCE_DIR;

std::string json_kind(const nlohmann::json& v) {
  if (v.is_object()) return "object";
  if (v.is_array()) return "array";
  if (v.is_boolean()) return "boolean";
  if (v.is_number_integer()) return "integer";
  if (v.is_number_float()) return "float";
  if (v.is_string()) return "string";
  return "null";
}

// Every "path type" line of the list that the report lacks or holds with another type.
std::vector<std::string> missing_keys(const nlohmann::json& report, const std::string& list) {
  std::ifstream in(kSource + "/tests/system/report_keys/" + list);
  EXPECT_TRUE(in) << list;
  std::vector<std::string> bad;
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    ++n;
    std::istringstream ls(line);
    std::string path, kind;
    ls >> path >> kind;
    const nlohmann::json* cur = &report;
    std::stringstream parts(path);
    std::string key;
    while (cur && std::getline(parts, key, '/'))
      cur = cur->is_object() && cur->contains(key) ? &(*cur)[key] : nullptr;
    if (!cur)
      bad.push_back(path + ": missing");
    else if (json_kind(*cur) != kind)
      bad.push_back(path + ": " + json_kind(*cur) + ", expected " + kind);
  }
  EXPECT_GT(n, 40) << list;
  return bad;
}

nlohmann::json run_report(const std::string& name, const std::string& args, int want_code) {
  const fs::path d = skipsim::test::scratch_dir("report_keys", name);
  const fs::path r = d / "r.json";
  const int code = skipsim::test::sh(std::string(SKIPSIM_BINARY) + " run -q " + args +
                                     " --report " + r.string() + " 2>" + (d / "err").string());
  EXPECT_EQ(code, want_code) << skipsim::test::slurp(d / "err");
  return nlohmann::json::parse(skipsim::test::slurp(r));
}

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += x + "\n";
  return s;
}

}  // namespace

TEST(ReportKeys, RunDownsampleKeepsEveryKey) {
  const auto j =
      run_report("down", "--config " + kSource + "/configs/workloads/tiny_downsample.yaml", 0);
  const auto bad = missing_keys(j, "run_downsample.txt");
  EXPECT_TRUE(bad.empty()) << joined(bad);
}

TEST(ReportKeys, RunSpillKeepsEveryKey) {
  const auto j = run_report("spill",
                            "--config " + kSource +
                                "/configs/workloads/tiny_downsample.yaml --set "
                                "hardware.skip_fifo.policy=spill --set hardware.skip_fifo.depth=64",
                            0);
  const auto bad = missing_keys(j, "run_spill.txt");
  EXPECT_TRUE(bad.empty()) << joined(bad);
}

TEST(ReportKeys, RunDeadlockKeepsEveryKey) {
  const auto j = run_report(
      "deadlock",
      "--config " + kSource + "/configs/workloads/tiny_basic.yaml --set hardware.skip_fifo.depth=4",
      3);
  const auto bad = missing_keys(j, "run_deadlock.txt");
  EXPECT_TRUE(bad.empty()) << joined(bad);
}

TEST(ReportKeys, DramTraceKeepsEveryKey) {
  const fs::path d = skipsim::test::scratch_dir("report_keys", "trace");
  std::ofstream(d / "t.trace") << "0x0 READ 0\n0x40 WRITE 10\n0x40000 READ 20\n";
  const int code =
      skipsim::test::sh(std::string(SKIPSIM_BINARY) + " dram --config " + kSource +
                        "/configs/dram/ddr4_3200.yaml --trace " + (d / "t.trace").string() +
                        " --json >" + (d / "r.json").string());
  ASSERT_EQ(code, 0);
  const auto bad =
      missing_keys(nlohmann::json::parse(skipsim::test::slurp(d / "r.json")), "dram_trace.txt");
  EXPECT_TRUE(bad.empty()) << joined(bad);
}

// The list catches a rename: the same check fails on a report with one key renamed.
TEST(ReportKeys, ARenamedKeyFails) {
  auto j =
      run_report("rename", "--config " + kSource + "/configs/workloads/tiny_downsample.yaml", 0);
  j["fifos"]["skip"]["max_occupancy_beats"] = j["fifos"]["skip"]["max_occupancy"];
  j["fifos"]["skip"].erase("max_occupancy");
  j["cycles"] = 1.5;
  const auto bad = missing_keys(j, "run_downsample.txt");
  ASSERT_EQ(bad.size(), 2u) << joined(bad);
  EXPECT_EQ(bad[0], "cycles: float, expected integer");
  EXPECT_EQ(bad[1], "fifos/skip/max_occupancy: missing");
}
