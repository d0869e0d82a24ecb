// skipsim sweep: the cartesian product of parameter lists, in parallel, into a CSV.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "hw/common/errors.hpp"
#include "tb/cli/command.hpp"
#include "tb/modes/sweep.hpp"

namespace skipsim::cli {
namespace {

class SweepCommand : public Command {
 public:
  CLI::App* add(CLI::App& app) override {
    CLI::App* sweep = app.add_subcommand(
        "sweep", "run the cartesian product of parameter lists in parallel into a CSV (resumable)");
    sweep->add_option("-c,--config", m_opt.config, "YAML configuration file")->required();
    sweep
        ->add_option("--param", m_params,
                     "KEY=LIST, LIST = v1,v2,... | start:stop:xF | start:stop:+S (repeatable)")
        ->required();
    sweep->add_option("--set", m_opt.sets, "fixed override for every point: key.path=value");
    m_jobs = sweep->add_option("-j,--jobs", m_opt.jobs, "parallel runs (default: all cores)");
    sweep->add_option("-o,--out", m_opt.out, "CSV file; points already in it are skipped")
        ->required();
    sweep->add_flag("--check", m_opt.check_golden, "compare every point with the golden model");

    return sweep;
  }

  int run() override {
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
  SweepOptions m_opt;
  std::vector<std::string> m_params;
  CLI::Option* m_jobs = nullptr;
};

}  // namespace

std::unique_ptr<Command> make_sweep_command() { return std::make_unique<SweepCommand>(); }

}  // namespace skipsim::cli
