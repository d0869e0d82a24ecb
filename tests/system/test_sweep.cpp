// Sweeps and the depth search through the skipsim binary: resumable sweeps that survive a
// kill, one sweep per CSV, points killed from outside retried, no child outliving a killed
// sweep, find-depth against a brute-force scan of every depth, and cycles monotone in depth.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/common/cli.hpp"

namespace fs = std::filesystem;

using skipsim::test::sh;
using skipsim::test::slurp;

namespace {
const std::string kBin = SKIPSIM_BINARY;
const std::string kTiny = std::string(SKIPSIM_SOURCE_DIR) + "/configs/workloads/tiny_basic.yaml";
const std::string kTinyDown =
    std::string(SKIPSIM_SOURCE_DIR) + "/configs/workloads/tiny_downsample.yaml";

fs::path scratch(const std::string& name) { return skipsim::test::scratch_dir("sweep", name); }

struct Csv {
  std::vector<std::string> header;
  std::vector<std::map<std::string, std::string>> rows;
  bool ends_with_newline = true;
};

Csv read_csv(const fs::path& p) {
  Csv c;
  const std::string text = slurp(p);
  c.ends_with_newline = text.empty() || text.back() == '\n';
  std::istringstream in(text);
  std::string line;
  bool first = true;
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::string cur;
    bool q = false;
    for (char ch : line) {
      if (ch == '"')
        q = !q;
      else if (ch == ',' && !q) {
        f.push_back(cur);
        cur.clear();
      } else {
        cur += ch;
      }
    }
    f.push_back(cur);
    if (first) {
      c.header = f;
      first = false;
      continue;
    }
    EXPECT_EQ(f.size(), c.header.size()) << "torn row: " << line;
    std::map<std::string, std::string> row;
    for (size_t i = 0; i < f.size() && i < c.header.size(); ++i) row[c.header[i]] = f[i];
    c.rows.push_back(row);
  }
  return c;
}

// Every depth from `from` to n: status and cycles by depth.
std::map<int, std::pair<std::string, uint64_t>> scan_all_depths(const std::string& config, int n,
                                                                const fs::path& dir,
                                                                const std::string& sets = "",
                                                                int from = 1) {
  const fs::path out = dir / "scan.csv";
  EXPECT_EQ(sh(kBin + " sweep --config " + config + sets +
               " --param hardware.skip_fifo.depth=" + std::to_string(from) + ":" +
               std::to_string(n) + ":+1 --out " + out.string() + " 2>/dev/null"),
            0);
  std::map<int, std::pair<std::string, uint64_t>> m;
  for (const auto& r : read_csv(out).rows)
    m[std::stoi(r.at("hardware.skip_fifo.depth"))] = {r.at("status"), std::stoull(r.at("cycles"))};
  EXPECT_EQ(m.size(), static_cast<size_t>(n - from + 1));
  return m;
}

// `sets`: " --set key=value ..." for both find-depth and the scan. `closed_form_exact`: the
// closed form is the deadlock boundary (not with policy spill, which never deadlocks).
void check_find_depth_against_scan(const std::string& config, const std::string& name,
                                   const std::string& sets = "", bool closed_form_exact = true) {
  const fs::path d = scratch(name);
  ASSERT_EQ(sh(kBin + " find-depth --config " + config + sets + " --json > " +
               (d / "fd.json").string() + " 2>" + (d / "fd.err").string()),
            0)
      << slurp(d / "fd.err");
  const auto j = nlohmann::json::parse(slurp(d / "fd.json"));
  const char* const keys[] = {"unbounded_max_occupancy",
                              "min_deadlock_free_depth",
                              "min_full_speed_depth",
                              "analytic_depth",
                              "simulations",
                              "unbounded_max_occupancy_bytes",
                              "min_deadlock_free_bytes",
                              "min_full_speed_bytes",
                              "analytic_bytes",
                              "min_legal_depth",
                              "simulations_bisection",
                              "simulations_saved",
                              "compression",
                              "entry_bytes"};
  for (const char* k : keys) ASSERT_TRUE(j.contains(k)) << k;
  EXPECT_EQ(j.size(), std::size(keys)) << "--json prints exactly the README's keys";
  const uint64_t u = j["unbounded_max_occupancy"].get<uint64_t>();
  const int legal = j["min_legal_depth"].get<int>();
  const auto scan =
      scan_all_depths(config, std::max(static_cast<int>(u) + 1, legal), d, sets, legal);
  const uint64_t full = scan.rbegin()->second.second;
  int first_ok = -1, first_fast = -1;
  for (const auto& [depth, r] : scan) {
    if (first_ok < 0 && r.first == "ok") first_ok = depth;
    if (first_fast < 0 && r.first == "ok" && r.second <= full * 1.001) first_fast = depth;
  }
  EXPECT_EQ(j["min_deadlock_free_depth"].get<int>(), first_ok);
  EXPECT_EQ(j["min_full_speed_depth"].get<int>(), first_fast);
  // The closed form (README) is exactly the deadlock boundary of this model.
  if (closed_form_exact) EXPECT_EQ(j["analytic_depth"].get<int>(), first_ok);
  // Monotone: no depth below the first deadlock-free one finishes, none above deadlocks.
  for (const auto& [depth, r] : scan) EXPECT_EQ(r.first == "ok", depth >= first_ok) << depth;
  // The search must beat the scan it replaces.
  EXPECT_LT(j["simulations"].get<uint64_t>(), u / 2 + 3);
  EXPECT_EQ(j["simulations_saved"].get<int64_t>(),
            j["simulations_bisection"].get<int64_t>() - j["simulations"].get<int64_t>());
}

// Runs `cmd` (stderr to `err`) as the leader of a new process group; returns its pid,
// which is the pid of the skipsim it execs.
pid_t start_in_group(const std::string& cmd, const fs::path& err) {
  const pid_t pid = fork();
  if (pid == 0) {
    setpgid(0, 0);
    execl("/bin/sh", "sh", "-c", ("exec " + cmd + " 2>" + err.string()).c_str(), nullptr);
    _exit(127);
  }
  return pid;
}

struct ProcStat {
  pid_t pid;
  char state;
  pid_t ppid, pgrp;
};

// Every process on the machine (from /proc/PID/stat).
std::vector<ProcStat> processes() {
  std::vector<ProcStat> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/proc", ec)) {
    const std::string name = e.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string st;
    try {
      st = slurp(e.path() / "stat");
    } catch (const std::exception&) {
      continue;  // it exited between the listing and the read
    }
    const auto close = st.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream in(st.substr(close + 2));
    ProcStat p{std::stoi(name), 0, 0, 0};
    in >> p.state >> p.ppid >> p.pgrp;
    if (in) out.push_back(p);
  }
  return out;
}

// Waits until `parent` runs `want` children, then SIGKILLs `parent` alone (not its group).
bool children_then_sigkill(pid_t parent, size_t want) {
  size_t n = 0;
  for (int i = 0; i < 500 && n < want; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    n = 0;
    for (const auto& p : processes()) n += p.ppid == parent && p.state != 'Z';
  }
  kill(parent, SIGKILL);
  waitpid(parent, nullptr, 0);
  return n >= want;
}

// The live processes of group `pgrp` after up to 1 s for them to go.
std::vector<pid_t> wait_for_empty_group(pid_t pgrp) {
  std::vector<pid_t> s;
  for (int i = 0; i < 100; ++i) {
    s.clear();
    for (const auto& p : processes())
      if (p.pgrp == pgrp && p.state != 'Z') s.push_back(p.pid);
    if (s.empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return s;
}
}  // namespace

// A point's child dies of SIGTERM like any process: the children, forks of the sweep, do
// not keep its SIGTERM handler (which only notes the request, so that the sweep can stop
// its children and keep what finished).
TEST(Sweep, PointsDieOfSigterm) {
  const fs::path d = scratch("term");
  // Points of many seconds each.
  const pid_t sw = start_in_group(kBin + " sweep --config " + kTiny +
                                      " --set workload.input.h=1024 --set workload.input.w=1024"
                                      " --param workload.seed=1,2 --jobs 2 --out " +
                                      (d / "s.csv").string(),
                                  d / "err");
  ASSERT_GT(sw, 0);
  std::vector<pid_t> kids;
  for (int i = 0; i < 500 && kids.size() < 2; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    kids.clear();
    for (const auto& p : processes())
      if (p.ppid == sw && p.state != 'Z') kids.push_back(p.pid);
  }
  ASSERT_EQ(kids.size(), 2u) << "the sweep never ran its points";
  kill(kids[0], SIGTERM);
  bool gone = false;
  for (int i = 0; i < 100 && !gone; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    gone = true;
    for (const auto& p : processes()) gone = gone && !(p.pid == kids[0] && p.state != 'Z');
  }
  kill(-sw, SIGKILL);
  waitpid(sw, nullptr, 0);
  EXPECT_TRUE(gone) << "a point's child still runs 1 s after SIGTERM";
}

TEST(Sweep, KilledPartWayAndRerunEndsWithEveryPointOnce) {
  const fs::path d = scratch("kill");
  const fs::path out = d / "s.csv";
  const std::string cmd = kBin + " sweep --config " + kTiny +
                          " --param hardware.skip_fifo.depth=16:256:+8 --param "
                          "hardware.mac_array.rows=8,16 --jobs 2 --out " +
                          out.string();
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    setpgid(0, 0);
    execl("/bin/sh", "sh", "-c", ("exec " + cmd + " 2>/dev/null").c_str(), nullptr);
    _exit(127);
  }
  // Let a few points finish, then kill the sweep hard, mid-flight.
  for (int i = 0; i < 200; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
    if (fs::exists(out) && read_csv(out).rows.size() >= 5) break;
  }
  kill(-pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  const size_t before = read_csv(out).rows.size();
  EXPECT_GE(before, 1u);
  EXPECT_LT(before, 62u) << "the sweep finished before it was killed";
  ASSERT_EQ(sh(cmd + " 2>/dev/null"), 0);
  const Csv c = read_csv(out);
  EXPECT_TRUE(c.ends_with_newline);
  std::set<std::pair<std::string, std::string>> seen;
  for (const auto& r : c.rows) {
    const auto key =
        std::make_pair(r.at("hardware.skip_fifo.depth"), r.at("hardware.mac_array.rows"));
    EXPECT_TRUE(seen.insert(key).second) << "point twice: " << key.first << "," << key.second;
  }
  EXPECT_EQ(seen.size(), 31u * 2);
  // A third run has nothing left to do.
  ASSERT_EQ(sh(cmd + " 2>" + (d / "err").string()), 0);
  EXPECT_EQ(read_csv(out).rows.size(), 62u);
  EXPECT_NE(slurp(d / "err").find("62 of 62 points already"), std::string::npos);
}

TEST(Sweep, SecondSweepOnTheSameCsvRefusesAndTheFirstCompletes) {
  const fs::path d = scratch("lock");
  const fs::path out = d / "s.csv";
  const std::string cmd = kBin + " sweep --config " + kTiny +
                          " --param hardware.skip_fifo.depth=16:136:+8 --param "
                          "hardware.mac_array.rows=8,16 --jobs 2 --out " +
                          out.string();
  const pid_t first = start_in_group(cmd, d / "err1");
  ASSERT_GT(first, 0);
  for (int i = 0; i < 400 && (!fs::exists(out) || fs::file_size(out) == 0); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  const int second = sh(cmd + " 2>" + (d / "err2").string());
  // The second refused while the first still ran: it did not wait for the lock.
  EXPECT_EQ(waitpid(first, nullptr, WNOHANG), 0)
      << "the first sweep ended before the second returned: the second waited, or the first "
         "was too short to test";
  EXPECT_EQ(second, 2);
  const std::string err = slurp(d / "err2");
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
  EXPECT_NE(err.find(out.string()), std::string::npos) << err;
  EXPECT_NE(err.find("pid " + std::to_string(first)), std::string::npos) << err;
  int status = 0;
  waitpid(first, &status, 0);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << slurp(d / "err1");
  std::set<std::pair<std::string, std::string>> seen;
  const Csv c = read_csv(out);
  for (const auto& r : c.rows)
    EXPECT_TRUE(
        seen.insert({r.at("hardware.skip_fifo.depth"), r.at("hardware.mac_array.rows")}).second);
  EXPECT_EQ(c.rows.size(), 16u * 2);
  EXPECT_EQ(seen.size(), 16u * 2);
}

// SKIPSIM_TEST_SIGKILL_SET (tb/modes/child_run.cpp) makes the child given that --set die
// by SIGKILL, as a kill or the OOM killer would.
TEST(Sweep, PointKilledBySignalIsRetriedOnTheRerun) {
  const fs::path d = scratch("sigkill");
  const fs::path out = d / "s.csv";
  const std::string cmd = kBin + " sweep --config " + kTiny +
                          " --param hardware.skip_fifo.depth=16:40:+8 --jobs 2 --out " +
                          out.string();
  EXPECT_EQ(sh("SKIPSIM_TEST_SIGKILL_SET=hardware.skip_fifo.depth=24 " + cmd + " 2>" +
               (d / "err").string()),
            1);
  EXPECT_NE(slurp(d / "err").find("run the same command again"), std::string::npos);
  Csv c = read_csv(out);
  EXPECT_EQ(c.rows.size(), 3u);
  for (const auto& r : c.rows) {
    EXPECT_NE(r.at("hardware.skip_fifo.depth"), "24") << "a killed point must not be a row";
    EXPECT_NE(r.at("status"), "error");
  }
  ASSERT_EQ(sh(cmd + " 2>/dev/null"), 0);
  c = read_csv(out);
  std::map<std::string, std::string> status;
  for (const auto& r : c.rows)
    EXPECT_TRUE(status.emplace(r.at("hardware.skip_fifo.depth"), r.at("status")).second);
  EXPECT_EQ(c.rows.size(), 4u);
  EXPECT_EQ(status["24"], "ok");
}

TEST(Sweep, SigkilledSweepLeavesNoChildRunningAndTheRerunCompletes) {
  const fs::path d = scratch("orphans");
  const fs::path out = d / "s.csv";
  // Points of ~2 s each, so that an orphan would still be running when we look.
  const std::string cmd = kBin + " sweep --config " + kTiny +
                          " --set workload.input.h=256 --set workload.input.w=256"
                          " --param workload.seed=1,2,3 --jobs 2 --out " +
                          out.string();
  const pid_t sweep = start_in_group(cmd, d / "err");
  ASSERT_GT(sweep, 0);
  ASSERT_TRUE(children_then_sigkill(sweep, 2)) << "the sweep never ran its two children";
  const auto left = wait_for_empty_group(sweep);
  EXPECT_TRUE(left.empty()) << left.size() << " children of the killed sweep still run";
  kill(-sweep, SIGKILL);  // whatever is left, so that a failure does not leak processes
  ASSERT_EQ(sh(cmd + " 2>/dev/null"), 0);
  const Csv c = read_csv(out);
  std::set<std::string> seeds;
  for (const auto& r : c.rows) EXPECT_TRUE(seeds.insert(r.at("workload.seed")).second);
  EXPECT_EQ(seeds, (std::set<std::string>{"1", "2", "3"}));
}

TEST(Sweep, BadParameterIsOneLineAndExitTwo) {
  const fs::path d = scratch("bad");
  EXPECT_EQ(
      sh(kBin + " sweep --config " + kTiny + " --param hardware.skip_fifo.depth=9:1:+1 --out " +
         (d / "s.csv").string() + " 2>" + (d / "err").string()),
      2);
  EXPECT_NE(slurp(d / "err").find("hardware.skip_fifo.depth"), std::string::npos);
  EXPECT_EQ(sh(kBin + " sweep --config " + kTiny + " --param hardware.skip_fifoo.depth=1,2 --out " +
               (d / "s.csv").string() + " 2>" + (d / "err").string()),
            2);
  EXPECT_NE(slurp(d / "err").find("skip_fifoo"), std::string::npos);
}

TEST(FindDepth, AgreesWithBruteForceBasic) { check_find_depth_against_scan(kTiny, "basic"); }
TEST(FindDepth, AgreesWithBruteForceDownsample) {
  check_find_depth_against_scan(kTinyDown, "down");
}
// The first probes are guesses (the closed form's bracket, the unbounded peak or one
// projection row for full speed): where they are off, the answers must still be the scan's.
// Spill runs at full speed far below the peak; the closed form does not apply to it.
TEST(FindDepth, AgreesWithBruteForceWhenTheGuessesMiss) {
  check_find_depth_against_scan(kTiny, "spill", " --set hardware.skip_fifo.policy=spill", false);
  check_find_depth_against_scan(kTinyDown, "spill_down", " --set hardware.skip_fifo.policy=spill",
                                false);
  // Wider than the engines' tile: full speed one beat below the peak, the guess misses.
  check_find_depth_against_scan(kTiny, "wide", " --set workload.input.w=40");
}

TEST(FindDepth, SigkilledLeavesNoProbeRunning) {
  const fs::path d = scratch("fd_orphans");
  // A first probe of many seconds, so that an orphan would still be running when we look.
  const pid_t fd = start_in_group(kBin + " find-depth --config " + kTiny +
                                      " --set workload.input.h=512 --set workload.input.w=512"
                                      " --jobs 2 >/dev/null",
                                  d / "err");
  ASSERT_GT(fd, 0);
  ASSERT_TRUE(children_then_sigkill(fd, 1)) << "find-depth never ran a probe";
  const auto left = wait_for_empty_group(fd);
  EXPECT_TRUE(left.empty()) << left.size() << " probes of the killed find-depth still run";
  kill(-fd, SIGKILL);
}

// -o FILE keeps the finished probes in FILE.probes: a search that lost a probe (killed)
// continues from the saved ones when run again, and gives the answer of an uninterrupted run.
TEST(FindDepth, RerunContinuesFromSavedProbes) {
  const fs::path d = scratch("fd_resume");
  const std::string cmd = kBin + " find-depth --config " + kTiny + " --jobs 2 -v";
  ASSERT_EQ(sh(cmd + " -o " + (d / "plain.json").string() + " 2>" + (d / "plain.err").string() +
               " >/dev/null"),
            0);
  EXPECT_FALSE(fs::exists(d / "plain.json.probes")) << "kept after the result was written";
  // The last probe the search runs.
  const std::string log = slurp(d / "plain.err");
  const size_t at = log.rfind("find-depth: depth ");
  ASSERT_NE(at, std::string::npos) << log;
  const std::string last = log.substr(at + 18, log.find(':', at + 18) - at - 18);
  const fs::path out = d / "r.json";
  EXPECT_NE(sh("SKIPSIM_TEST_SIGKILL_SET=hardware.skip_fifo.depth=" + last + " " + cmd + " -o " +
               out.string() + " 2>/dev/null >/dev/null"),
            0);
  EXPECT_FALSE(fs::exists(out));
  ASSERT_TRUE(fs::exists(out.string() + ".probes"));
  ASSERT_EQ(sh(cmd + " -o " + out.string() + " 2>" + (d / "r.err").string() + " >/dev/null"), 0);
  const std::string rerun = slurp(d / "r.err");
  EXPECT_NE(rerun.find("(saved by an earlier run)"), std::string::npos) << rerun;
  EXPECT_NE(rerun.find("depth " + last + ": "), std::string::npos) << rerun;
  auto result = nlohmann::json::parse(slurp(out));
  auto plain = nlohmann::json::parse(slurp(d / "plain.json"));
  result.erase("wall_seconds");
  plain.erase("wall_seconds");
  EXPECT_EQ(result, plain);
  EXPECT_FALSE(fs::exists(out.string() + ".probes"));
}

TEST(DepthSweep, CyclesNeverIncreaseWithDepth) {
  for (const char* seed : {"3", "4"}) {
    const fs::path d = scratch(std::string("mono") + seed);
    const fs::path out = d / "m.csv";
    ASSERT_EQ(sh(kBin + " sweep --config " + kTiny + " --set workload.seed=" + seed +
                 " --set workload.input.w=11 --param hardware.skip_fifo.depth=20:80:+3 --out " +
                 out.string() + " 2>/dev/null"),
              0);
    std::map<int, uint64_t> cyc;
    for (const auto& r : read_csv(out).rows)
      if (r.at("status") == "ok")
        cyc[std::stoi(r.at("hardware.skip_fifo.depth"))] = std::stoull(r.at("cycles"));
    ASSERT_GT(cyc.size(), 5u);
    uint64_t prev = UINT64_MAX;
    for (const auto& [depth, c] : cyc) {
      EXPECT_LE(c, prev) << "depth " << depth;
      prev = c;
    }
  }
}
