#include "tb/modes/sweep_slurm.hpp"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <fmt/format.h>

#include "hw/common/errors.hpp"
#include "tb/config/config.hpp"
#include "tb/config/paths.hpp"
#include "tb/modes/output_lock.hpp"
#include "tb/modes/slurm_client.hpp"

namespace fs = std::filesystem;

namespace skipsim {

namespace {

using Point = std::vector<std::string>;

const char* const kWho = "sweep error";

std::string points_path(const std::string& out) { return sweep_slurm_dir(out) + "/points.csv"; }

// Rows of every part file of `out` (any slice count), keyed by their point.
std::map<Point, std::string> part_rows(const std::string& out, const std::string& header_line,
                                       size_t nparams, size_t* parts) {
  std::map<Point, std::string> rows;
  const fs::path o(out);
  const fs::path dir = o.parent_path().empty() ? fs::path(".") : o.parent_path();
  const std::string prefix = o.filename().string() + ".part-";
  const size_t columns = nparams + sweep_report_columns().size();
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (name.rfind(prefix, 0) != 0) continue;
    const std::string idx = name.substr(prefix.size());
    if (idx.empty() || idx.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string text;
    if (!read_text(e.path().string(), text)) continue;
    const auto lines = whole_lines(text);
    if (lines.empty()) continue;
    if (lines[0] != header_line)
      throw InputError(fmt::format(
          "sweep error: {} has other columns (a different sweep); remove it or choose another "
          "--out",
          e.path().string()));
    if (parts) ++*parts;
    for (size_t i = 1; i < lines.size(); ++i) {
      auto f = csv_split(lines[i]);
      if (f.size() != columns) continue;
      f.resize(nparams);
      rows.emplace(std::move(f), lines[i]);
    }
  }
  return rows;
}

}  // namespace

std::string sweep_part_path(const std::string& out, size_t index) {
  return fmt::format("{}.part-{}", out, index);
}

std::string sweep_slurm_dir(const std::string& out) { return out + ".slurm"; }

void write_sweep_points(const SweepOptions& opt) {
  std::string text;
  for (size_t i = 0; i < opt.params.size(); ++i)
    text += (i ? "," : "") + csv_field(opt.params[i].key);
  text += "\n";
  for (const auto& pt : sweep_points(opt.params)) {
    for (size_t i = 0; i < pt.size(); ++i) text += (i ? "," : "") + csv_field(pt[i]);
    text += "\n";
  }
  const std::string dir = sweep_slurm_dir(opt.out);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw InputError(fmt::format("sweep error: cannot create '{}' ({})", dir, ec.message()));
  std::string old;
  if (read_text(points_path(opt.out), old) && old == text) return;
  write_replace(kWho, points_path(opt.out), text);
}

MergeSummary merge_sweep(const std::string& out) {
  std::string text;
  if (!read_text(points_path(out), text))
    throw InputError(fmt::format(
        "sweep error: --merge {}: no point list {} (written by `sweep --slurm` and `--slice`)", out,
        points_path(out)));
  const auto lines = whole_lines(text);
  if (lines.empty())
    throw InputError(fmt::format("sweep error: --merge {}: {} is empty", out, points_path(out)));
  std::vector<SweepParam> params;
  for (const auto& k : csv_split(lines[0])) params.push_back({k, {}});
  const std::string header_line = sweep_header_line(params);
  size_t parts = 0;
  const auto rows = part_rows(out, header_line, params.size(), &parts);

  MergeSummary m;
  std::string merged = header_line + "\n";
  for (size_t i = 1; i < lines.size(); ++i) {
    const Point pt = csv_split(lines[i]);
    ++m.points;
    const auto it = rows.find(pt);
    if (it == rows.end())
      ++m.missing;
    else
      merged += it->second + "\n";
  }
  // Held while replacing, so that no local sweep appends to OUT meanwhile.
  const int fd = open_locked(out, "sweep");
  try {
    write_replace(kWho, out, merged);
  } catch (...) {
    close(fd);
    throw;
  }
  close(fd);
  std::fprintf(stderr, "sweep: merged %zu of %zu points from %zu part files into %s\n",
               m.points - m.missing, m.points, parts, out.c_str());
  if (m.missing)
    std::fprintf(stderr,
                 "sweep: %zu points have no row yet (task killed, failed or still running); run "
                 "the same --slurm command again to submit them\n",
                 m.missing);
  return m;
}

int submit_sweep_slurm(const SweepOptions& opt, const SlurmOptions& slurm) {
  require_sbatch(kWho);
  const auto points = sweep_points(opt.params);
  // Every point must be a valid configuration before anything is submitted.
  for (const auto& pt : points) {
    std::vector<std::string> sets = opt.sets;
    for (size_t i = 0; i < pt.size(); ++i) sets.push_back(opt.params[i].key + "=" + pt[i]);
    load_config(opt.config, sets);
  }
  const std::string header_line = sweep_header_line(opt.params);
  {
    std::string text;
    if (read_text(opt.out, text) && !text.empty() && text.substr(0, text.find('\n')) != header_line)
      throw InputError(fmt::format(
          "sweep error: {} exists with other columns (a different sweep); choose another --out "
          "or remove it",
          opt.out));
  }
  write_sweep_points(opt);
  const std::string dir = sweep_slurm_dir(opt.out);
  fs::create_directories(dir + "/logs");

  const size_t n = points.size();
  const size_t per =
      slurm.points_per_task > 0 ? static_cast<size_t>(slurm.points_per_task) : (n + 999) / 1000;
  const size_t tasks = (n + per - 1) / per;
  const auto rows = part_rows(opt.out, header_line, opt.params.size(), nullptr);
  std::vector<size_t> todo;
  size_t missing = 0;
  for (size_t t = 0; t < tasks; ++t) {
    const auto [b, e] = sweep_slice(n, t, tasks);
    size_t m = 0;
    for (size_t i = b; i < e; ++i) m += rows.count(points[i]) ? 0 : 1;
    if (m) todo.push_back(t);
    missing += m;
  }
  if (todo.empty()) {
    std::fprintf(stderr, "sweep: all %zu points are in the part files; nothing to submit\n", n);
    return merge_sweep(opt.out).missing ? 1 : 0;
  }

  // Jobs of this sweep still queued would run the same slices again, into the same part
  // files; they are found by their job name, which carries OUT's path.
  const std::string job_name = "skipsim-sweep:" + fs::absolute(opt.out).string();
  refuse_if_queued(kWho, job_name);
  const std::string exe = self_executable();
  std::string task = shell_quote(exe) + " sweep -c " + shell_quote(fs::absolute(opt.config));
  for (const auto& p : opt.params) {
    std::string list;
    for (const auto& v : p.values) list += (list.empty() ? "" : ",") + v;
    task += " --param " + shell_quote(p.key + "=" + list);
  }
  for (const auto& s : opt.sets) task += " --set " + shell_quote(s);
  if (opt.check_golden) task += " --check";
  task +=
      " -o " + shell_quote(fs::absolute(opt.out)) +
      fmt::format(" -j \"${{SLURM_CPUS_PER_TASK:-1}}\" --slice \"$SLURM_ARRAY_TASK_ID/{}\"", tasks);
  const std::string array_script = dir + "/array.sbatch", merge_script = dir + "/merge.sbatch";
  // Name, log and folder go on sbatch's command line, where a path may hold spaces.
  const std::string logs = fs::absolute(dir).string() + "/logs";
  write_replace(kWho, array_script,
                fmt::format("#!/bin/bash\n"
                            "# Task I of {} (sbatch --array): slice I of the points into "
                            "OUT.part-I.\n"
                            "exec {}\n",
                            tasks, task));
  write_replace(kWho, merge_script,
                fmt::format("#!/bin/bash\n"
                            "# After the array: its part files into OUT.\n"
                            "exec {} sweep --merge {}\n",
                            shell_quote(exe), shell_quote(fs::absolute(opt.out))));

  const ArrayJobs jobs =
      submit_array_and_merge(kWho, job_name, slurm, todo, array_script, merge_script, logs);
  std::fprintf(stderr,
               "sweep: submitted %zu of %zu tasks (%zu missing of %zu points, %zu per task) as "
               "job array %s; job %s then merges them into %s (logs: %s/logs)\n",
               todo.size(), tasks, missing, n, per, jobs.array.c_str(), jobs.merge.c_str(),
               opt.out.c_str(), dir.c_str());
  return 0;
}

}  // namespace skipsim
