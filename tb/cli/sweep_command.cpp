// skipsim sweep: the cartesian product of parameter lists, in parallel, into a CSV.
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "hw/common/errors.hpp"
#include "tb/cli/command.hpp"
#include "tb/modes/sweep.hpp"
#include "tb/modes/sweep_slurm.hpp"

namespace skipsim::cli {
namespace {

class SweepCommand : public Command {
 public:
  CLI::App* add(CLI::App& app) override {
    CLI::App* sweep = app.add_subcommand(
        "sweep", "run the cartesian product of parameter lists in parallel into a CSV (resumable)");
    // Required unless --merge (checked in run(), which names what is missing).
    sweep->add_option("-c,--config", m_opt.config, "YAML configuration file");
    sweep->add_option("--param", m_params,
                      "KEY=LIST, LIST = v1,v2,... | start:stop:xF | start:stop:+S (repeatable)");
    sweep->add_option("--set", m_opt.sets, "fixed override for every point: key.path=value");
    m_jobs = sweep->add_option("-j,--jobs", m_opt.jobs, "parallel runs (default: all cores)");
    sweep->add_option("-o,--out", m_opt.out, "CSV file; points already in it are skipped");
    sweep->add_flag("--check", m_opt.check_golden, "compare every point with the golden model");
    m_slurm_flag = sweep->add_flag(
        "--slurm", "submit the points as a Slurm job array plus a merge job (sbatch), and return");
    m_partition = sweep->add_option("--partition", m_slurm.partition, "Slurm partition (--slurm)");
    m_array_max = sweep->add_option("--array-max", m_slurm.array_max,
                                    "at most N array tasks at once (--slurm)");
    m_per_task = sweep->add_option("--points-per-task", m_slurm.points_per_task,
                                   "points per array task (--slurm; default 1, more above 1000)");
    m_sbatch_args = sweep->add_option(
        "--sbatch-arg", m_slurm.sbatch_args,
        "extra sbatch argument, e.g. --sbatch-arg=--account=ACC (--slurm; repeatable)");
    m_slice = sweep->add_option("--slice", m_slice_text,
                                "I/N: only slice I (0-based) of N of the points, into OUT.part-I");
    m_merge = sweep->add_option("--merge", m_merge_out,
                                "merge the part files OUT.part-* of a sliced sweep into OUT");

    return sweep;
  }

  int run() override {
    if (m_merge->count()) {
      if (!m_opt.config.empty() || !m_params.empty() || !m_opt.out.empty() || m_slice->count() ||
          m_slurm_flag->count())
        throw InputError(
            "sweep error: --merge OUT takes no other option (the points come from "
            "OUT.slurm/points.csv)");
      return merge_sweep(m_merge_out).missing ? kExitInternal : kExitOk;
    }
    for (const auto& [given, name] :
         {std::pair{!m_opt.config.empty(), "-c/--config"}, std::pair{!m_params.empty(), "--param"},
          std::pair{!m_opt.out.empty(), "-o/--out"}})
      if (!given)
        throw InputError(fmt::format("sweep error: {} is required (or --merge OUT alone)", name));
    const bool slurm = m_slurm_flag->count() > 0;
    for (const CLI::Option* o : {m_partition, m_array_max, m_per_task, m_sbatch_args})
      if (o->count() && !slurm)
        throw InputError(fmt::format("sweep error: {} needs --slurm", o->get_name()));
    if (slurm && m_slice->count())
      throw InputError("sweep error: --slice and --slurm exclude each other (--slurm runs slices)");
    if (m_array_max->count() && m_slurm.array_max < 1)
      throw InputError(
          fmt::format("sweep error: --array-max {}: expected an integer >= 1", m_slurm.array_max));
    if (m_per_task->count() && m_slurm.points_per_task < 1)
      throw InputError(fmt::format("sweep error: --points-per-task {}: expected an integer >= 1",
                                   m_slurm.points_per_task));
    SweepOptions opt = m_opt;
    if (m_jobs->count()) check_jobs(opt.jobs);
    for (const auto& p : m_params) {
      opt.params.push_back(parse_sweep_param(p));
      for (size_t i = 0; i + 1 < opt.params.size(); ++i)
        if (opt.params[i].key == opt.params.back().key)
          throw InputError(
              fmt::format("--param '{}': {} is already swept by an earlier --param; "
                          "give each key once, with all its values",
                          p, opt.params.back().key));
    }
    // A directory would only fail when the resume step reads it, as an internal error.
    if (std::filesystem::is_directory(opt.out))
      throw InputError(fmt::format("--out '{}': is a directory; expected a CSV file", opt.out));
    if (slurm) return submit_sweep_slurm(opt, m_slurm);
    if (m_slice->count()) {
      parse_slice(opt);
      write_sweep_points(opt);
      opt.out = sweep_part_path(opt.out, opt.slice_index);
    }
    opt.progress_tty = isatty(STDERR_FILENO);
    const SweepSummary s = run_sweep(opt);
    std::fprintf(stderr,
                 "sweep: %zu points (%zu already done, %zu run, %zu failed) in %.1f s, %.2f "
                 "points/s -> %s\n",
                 s.points, s.skipped, s.ran, s.failed, s.wall_seconds,
                 s.wall_seconds > 0 ? s.ran / s.wall_seconds : 0.0, opt.out.c_str());
    if (s.killed)
      std::fprintf(stderr,
                   "sweep: %zu points were killed by a signal and not recorded; run the same "
                   "command again to retry them\n",
                   s.killed);
    return s.failed || s.killed ? kExitInternal : kExitOk;
  }

 private:
  void parse_slice(SweepOptions& opt) const {
    const auto slash = m_slice_text.find('/');
    size_t i = 0, n = 0;
    bool ok = slash != std::string::npos;
    try {
      size_t used = 0;
      if (ok) i = std::stoul(m_slice_text.substr(0, slash), &used);
      ok = ok && used == slash;
      if (ok) n = std::stoul(m_slice_text.substr(slash + 1), &used);
      ok = ok && used == m_slice_text.size() - slash - 1 && n >= 1 && i < n &&
           isdigit(static_cast<unsigned char>(m_slice_text[0]));
    } catch (const std::exception&) {
      ok = false;
    }
    if (!ok)
      throw InputError(fmt::format(
          "sweep error: --slice '{}': expected I/N with integers 0 <= I < N", m_slice_text));
    opt.slice_index = i;
    opt.slice_count = n;
  }

  SweepOptions m_opt;
  SlurmOptions m_slurm;
  std::string m_slice_text, m_merge_out;
  CLI::Option *m_slurm_flag = nullptr, *m_partition = nullptr, *m_array_max = nullptr,
              *m_per_task = nullptr, *m_sbatch_args = nullptr, *m_slice = nullptr,
              *m_merge = nullptr;
  std::vector<std::string> m_params;
  CLI::Option* m_jobs = nullptr;
};

}  // namespace

std::unique_ptr<Command> make_sweep_command() { return std::make_unique<SweepCommand>(); }

}  // namespace skipsim::cli
