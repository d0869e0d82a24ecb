#include "tb/modes/sweep.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "hw/common/errors.hpp"
#include "tb/config/config.hpp"
#include "tb/modes/child_run.hpp"
#include "tb/modes/output_lock.hpp"

namespace skipsim {

namespace {

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  std::istringstream in(s);
  while (std::getline(in, cur, sep)) out.push_back(cur);
  if (!s.empty() && s.back() == sep) out.emplace_back();
  return out;
}

bool parse_number(const std::string& s, double& v) {
  if (s.empty()) return false;
  char* end = nullptr;
  v = std::strtod(s.c_str(), &end);
  return end && *end == '\0' && std::isfinite(v);
}

std::string number_text(double v, bool integral) {
  if (integral) return fmt::format("{}", static_cast<long long>(std::llround(v)));
  return fmt::format("{}", v);
}

}  // namespace

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c == '\n' ? ' ' : c);
  return q + "\"";
}

std::vector<std::string> csv_split(const std::string& line) {
  std::vector<std::string> f;
  std::string cur;
  bool q = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (q) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        cur += '"';
        ++i;
      } else if (c == '"') {
        q = false;
      } else {
        cur += c;
      }
    } else if (c == '"') {
      q = true;
    } else if (c == ',') {
      f.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  f.push_back(cur);
  return f;
}

namespace {

const nlohmann::json* find_path(const nlohmann::json& j, const std::string& path) {
  const nlohmann::json* cur = &j;
  for (const auto& part : split(path, '.')) {
    if (!cur->is_object() || !cur->contains(part)) return nullptr;
    cur = &(*cur)[part];
  }
  return cur;
}

std::string json_cell(const nlohmann::json* v) {
  if (!v || v->is_null()) return "";
  if (v->is_boolean()) return v->get<bool>() ? "true" : "false";
  if (v->is_string()) return v->get<std::string>();
  if (v->is_number_integer() || v->is_number_unsigned()) return v->dump();
  if (v->is_number_float()) return fmt::format("{:.6g}", v->get<double>());
  return v->dump();
}

volatile std::sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }

}  // namespace

SweepParam parse_sweep_param(const std::string& spec) {
  const auto eq = spec.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size())
    throw InputError(
        fmt::format("sweep error: --param '{}': expected KEY=LIST with LIST 'v1,v2,...', "
                    "'start:stop:xF' or 'start:stop:+S'",
                    spec));
  SweepParam p;
  p.key = spec.substr(0, eq);
  const std::string list = spec.substr(eq + 1);
  const auto parts = split(list, ':');
  if (parts.size() == 3) {
    double a = 0, b = 0, step = 0;
    const std::string& st = parts[2];
    const bool geo = !st.empty() && st[0] == 'x', lin = !st.empty() && st[0] == '+';
    if (!parse_number(parts[0], a) || !parse_number(parts[1], b) || !(geo || lin) ||
        !parse_number(st.substr(1), step))
      throw InputError(fmt::format(
          "sweep error: --param {}: range '{}' must be start:stop:xF or start:stop:+S with "
          "numbers",
          p.key, list));
    if ((geo && (step <= 1 || a <= 0)) || (lin && step <= 0) || b < a)
      throw InputError(fmt::format(
          "sweep error: --param {}: range '{}' never ends (need start <= stop, a factor > 1 "
          "with start > 0, or a step > 0)",
          p.key, list));
    // Integer start (and, for a linear range, integer step): integer values, a geometric
    // range rounded to the nearest integer without repeats.
    const bool integral = std::floor(a) == a && (geo || std::floor(step) == step);
    // A step too small to change a double (1:2:+1e-20) would repeat one value forever; a
    // rounded geometric range repeats values too, so the steps are bounded, not only the values.
    uint64_t steps = 0;
    for (double v = a; v <= b * (1 + 1e-12); ++steps) {
      const std::string t = number_text(v, integral);
      if (p.values.empty() || p.values.back() != t) p.values.push_back(t);
      if (p.values.size() > 100000 || steps >= 1000000)
        throw InputError(fmt::format("sweep error: --param {}: range '{}' has more than {}", p.key,
                                     list,
                                     p.values.size() > 100000 ? "100000 values" : "1000000 steps"));
      const double next = geo ? v * step : v + step;
      if (!(next > v))
        throw InputError(fmt::format(
            "sweep error: --param {}: range '{}' does not advance: {} {} {} rounds back to {} "
            "(use a step that changes the value)",
            p.key, list, number_text(v, false), geo ? '*' : '+', number_text(step, false),
            number_text(v, false)));
      v = next;
    }
  } else {
    for (const auto& v : split(list, ','))
      if (!v.empty()) p.values.push_back(v);
  }
  if (p.values.empty())
    throw InputError(fmt::format("sweep error: --param {}: no values in '{}'", p.key, list));
  return p;
}

const std::vector<std::string>& sweep_report_columns() {
  static const std::vector<std::string> cols = [] {
    std::vector<std::string> c = {"status",
                                  "exit_code",
                                  "cycles",
                                  "deadlock",
                                  "sim_seconds",
                                  "sim_cycles_per_second",
                                  "peak_rss_mib",
                                  "fifos.skip.depth",
                                  "fifos.skip.max_occupancy",
                                  "fifos.skip.mean_occupancy",
                                  "fifos.skip.push_blocked_cycles",
                                  "fifos.skip.pop_starved_cycles",
                                  "fifos.skip.policy",
                                  "fifos.skip.sram_bytes",
                                  "fifos.skip.spill.spill_bytes",
                                  "fifos.skip.spill.fill_bytes",
                                  "fifos.skip.spill.max_onchip_occupancy",
                                  "fifos.skip.spill.stall_cycles",
                                  "dram.bytes_read",
                                  "dram.bytes_written",
                                  "dram.requests",
                                  "mac_utilization.conv1",
                                  "mac_utilization.conv2",
                                  "mac_utilization.skip_conv",
                                  "bottleneck.block"};
    for (const char* m :
         {"dma_read", "fork", "conv1", "conv2", "skip_conv", "skip_fifo", "add", "dma_write"})
      for (const char* k : {"busy", "starved", "blocked", "waiting_dram"})
        c.push_back(fmt::format("modules.{}.{}", m, k));
    c.push_back("error");
    return c;
  }();
  return cols;
}

std::vector<std::vector<std::string>> sweep_points(const std::vector<SweepParam>& params) {
  // The cartesian product, first parameter slowest.
  std::vector<std::vector<std::string>> points{{}};
  for (const auto& p : params) {
    std::vector<std::vector<std::string>> next;
    for (const auto& pt : points)
      for (const auto& v : p.values) {
        auto q = pt;
        q.push_back(v);
        next.push_back(q);
      }
    points.swap(next);
  }
  return points;
}

std::pair<size_t, size_t> sweep_slice(size_t points, size_t index, size_t count) {
  return {points * index / count, points * (index + 1) / count};
}

std::string sweep_header_line(const std::vector<SweepParam>& params) {
  std::string line;
  for (const auto& p : params) line += (line.empty() ? "" : ",") + csv_field(p.key);
  for (const auto& c : sweep_report_columns()) line += (line.empty() ? "" : ",") + csv_field(c);
  return line;
}

SweepSummary run_sweep(const SweepOptions& opt) {
  const auto t0 = std::chrono::steady_clock::now();
  SweepSummary sum;
  std::vector<std::vector<std::string>> points = sweep_points(opt.params);
  if (opt.slice_count) {
    const auto [b, e] = sweep_slice(points.size(), opt.slice_index, opt.slice_count);
    points = std::vector<std::vector<std::string>>(points.begin() + b, points.begin() + e);
  }
  sum.points = points.size();
  auto sets_of = [&](const std::vector<std::string>& pt) {
    std::vector<std::string> s = opt.sets;
    for (size_t i = 0; i < pt.size(); ++i) s.push_back(opt.params[i].key + "=" + pt[i]);
    return s;
  };
  // Every point must be a valid configuration before anything runs; each point's child
  // (a fork of this process) takes it from here, and the first point's tensors too when
  // its block is the same.
  std::vector<Config> configs;
  configs.reserve(points.size());
  for (const auto& pt : points) configs.push_back(load_config(opt.config, sets_of(pt)));

  const std::string header_line = sweep_header_line(opt.params);
  const size_t columns = opt.params.size() + sweep_report_columns().size();

  // One sweep per CSV at a time: the lock is held from before the resume read to the end.
  const int fd = open_locked(opt.out, "sweep");
  // Resume: keep whole rows of the same columns, drop a torn last line.
  std::set<std::vector<std::string>> done;
  bool need_header = true;
  {
    const std::string content = read_whole(fd);
    size_t keep = content.rfind('\n');
    keep = keep == std::string::npos ? 0 : keep + 1;
    if (keep != content.size() && ftruncate(fd, static_cast<off_t>(keep)) != 0) {
      close(fd);
      throw InputError(fmt::format("sweep error: cannot truncate '{}'", opt.out));
    }
    std::istringstream lines(content.substr(0, keep));
    std::string line;
    bool first = true;
    while (std::getline(lines, line)) {
      if (first) {
        if (line != header_line) {
          close(fd);
          throw InputError(fmt::format(
              "sweep error: {} exists with other columns (a different sweep); choose another "
              "--out or remove it",
              opt.out));
        }
        first = false;
        need_header = false;
        continue;
      }
      auto f = csv_split(line);
      if (f.size() != columns) continue;
      f.resize(opt.params.size());
      done.insert(f);
    }
  }
  auto write_line = [&](const std::string& l) {
    const std::string s = l + "\n";
    // One write() per row: a reader or a restart never sees half a row from a live sweep.
    if (write(fd, s.data(), s.size()) != static_cast<ssize_t>(s.size()))
      throw std::runtime_error("cannot append to " + opt.out);
    fdatasync(fd);
  };
  if (need_header) write_line(header_line);

  std::vector<size_t> todo;
  for (size_t i = 0; i < points.size(); ++i) {
    if (done.count(points[i]))
      ++sum.skipped;
    else
      todo.push_back(i);
  }
  int jobs = opt.jobs > 0 ? opt.jobs : static_cast<int>(std::thread::hardware_concurrency());
  jobs = std::max(1, jobs);
  std::optional<PreparedBlock> prepared;
  if (!todo.empty()) {
    try {
      prepared = prepare_block(configs[todo.front()]);
    } catch (const InputError&) {
      // Too large a block: its child says so in its row.
    }
  }

  g_stop = 0;
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);

  std::map<pid_t, std::pair<ChildProc, size_t>> running;
  size_t next = 0;
  double point_seconds = 0;
  auto progress = [&](const std::string& what) {
    const size_t finished = sum.ran;
    const double el = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double eta = finished ? el / finished * (todo.size() - finished) : 0;
    if (opt.progress_tty) {
      const int width = 30;
      const int fill = todo.empty() ? width : static_cast<int>(width * finished / todo.size());
      std::fprintf(stderr, "\r[%s%s] %zu/%zu points, %.0f s, ETA %.0f s   ",
                   std::string(fill, '#').c_str(), std::string(width - fill, '.').c_str(), finished,
                   todo.size(), el, eta);
      if (finished == todo.size()) std::fprintf(stderr, "\n");
    } else {
      std::fprintf(stderr, "sweep: %zu/%zu %s (ETA %.0f s)\n", finished, todo.size(), what.c_str(),
                   eta);
    }
  };
  if (sum.skipped)
    std::fprintf(stderr, "sweep: %zu of %zu points already in %s\n", sum.skipped, sum.points,
                 opt.out.c_str());
  auto fill = [&] {
    while (next < todo.size() && static_cast<int>(running.size()) < jobs && !g_stop) {
      const size_t i = todo[next++];
      ChildProc c = fork_run(opt.config, sets_of(points[i]), opt.check_golden,
                             prepared ? &*prepared : nullptr, &configs[i]);
      running[c.pid] = {c, i};
    }
  };
  while ((next < todo.size() || !running.empty()) && !g_stop) {
    fill();
    int status = 0;
    const pid_t pid = waitpid(-1, &status, 0);
    if (pid < 0) continue;  // interrupted by a signal
    const auto it = running.find(pid);
    if (it == running.end()) continue;
    const size_t i = it->second.second;
    const ChildResult r = collect_run(it->second.first, status);
    running.erase(it);
    if (r.exit_code == -1 && g_stop) break;  // killed with us: not a result
    fill();  // before the row's write and sync, so that no core waits on the disk
    std::string what;
    for (size_t k = 0; k < points[i].size(); ++k)
      what += fmt::format("{}{}={}", k ? " " : "", opt.params[k].key, points[i][k]);
    if (killed_from_outside(r.signal)) {
      // Killed from outside (kill, OOM killer): not a property of the point, so no row;
      // the next run of the same command retries it.
      ++sum.killed;
      ++sum.ran;
      progress(what + ": " + r.error + ", not recorded (the next run retries it)");
      continue;
    }
    std::string row;
    for (const auto& v : points[i]) row += csv_field(v) + ",";
    const char* st = r.exit_code == 0 ? "ok" : r.exit_code == 3 ? "deadlock" : "error";
    for (const auto& c : sweep_report_columns()) {
      std::string cell;
      if (c == "status")
        cell = st;
      else if (c == "exit_code")
        cell = std::to_string(r.exit_code);
      else if (c == "error")
        cell = r.error;
      else
        cell = json_cell(r.report.is_object() ? find_path(r.report, c) : nullptr);
      row += csv_field(cell) + (c == "error" ? "" : ",");
    }
    write_line(row);
    ++sum.ran;
    if (r.exit_code != 0 && r.exit_code != 3) ++sum.failed;
    if (r.report.is_object() && r.report.contains("sim_seconds"))
      point_seconds += r.report["sim_seconds"].get<double>();
    what += fmt::format(": {}{}", st,
                        r.report.is_object() && r.report.contains("cycles")
                            ? fmt::format(", {} cycles", r.report["cycles"].get<uint64_t>())
                            : "");
    progress(what);
  }
  if (g_stop) {
    for (const auto& [pid, c] : running) kill(pid, SIGTERM);
    for (auto& [pid, c] : running) {
      int status = 0;
      waitpid(pid, &status, 0);
      collect_run(c.first, status);
    }
  }
  close(fd);
  sum.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  signal(SIGINT, SIG_DFL);
  signal(SIGTERM, SIG_DFL);
  if (g_stop)
    throw Interrupted(fmt::format("sweep interrupted: {} finished points are in {}",
                                  sum.skipped + sum.ran, opt.out));
  return sum;
}

}  // namespace skipsim
