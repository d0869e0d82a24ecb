// skipsim find-depth: the skip FIFO depths that matter, from simulation and a closed form.
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <string>

#include <nlohmann/json.hpp>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "hw/common/errors.hpp"
#include "tb/cli/command.hpp"
#include "tb/modes/find_depth.hpp"
#include "tb/modes/find_depth_slurm.hpp"
#include "tb/modes/slurm_client.hpp"

namespace skipsim::cli {
namespace {

class FindDepthCommand : public Command {
 public:
  CLI::App* add(CLI::App& app) override {
    CLI::App* find = app.add_subcommand(
        "find-depth", "find the smallest deadlock-free and full-speed skip FIFO depths");
    find->add_option("-c,--config", m_opt.config, "YAML configuration file")->required();
    find->add_option("--set", m_opt.sets, "override a config key: key.path=value (repeatable)");
    find->add_option("--tolerance", m_opt.tolerance,
                     "full speed = cycles within this fraction of the unbounded FIFO's, in [0, 1]");
    m_jobs = find->add_option("-j,--jobs", m_opt.jobs, "parallel probes (default: all cores)");
    find->add_flag("--json", m_json, "print exactly the result keys as JSON");
    find->add_flag("-v,--verbose", m_opt.verbose, "print every probe");
    find->add_option("-o,--out", m_out,
                     "also write the JSON result to FILE; finished probes are kept in "
                     "FILE.probes until it is written, and a rerun takes them");
    m_slurm_flag = find->add_flag("--slurm",
                                  "submit the search as a Slurm job whose probes are job steps "
                                  "(-j of them at once, default 4) and return; needs --out");
    m_partition = find->add_option("--partition", m_slurm.partition, "Slurm partition (--slurm)");
    m_sbatch_args = find->add_option(
        "--sbatch-arg", m_slurm.sbatch_args,
        "extra sbatch argument, e.g. --sbatch-arg=--account=ACC (--slurm; repeatable)");
    // The batch script's own flag: probes through srun, in the job's allocation.
    find->add_flag("--srun-probes", m_srun_probes)->group("");

    return find;
  }

  int run() override {
    FindDepthOptions& opt = m_opt;
    // Written so that NaN fails too.
    if (!(opt.tolerance >= 0 && opt.tolerance <= 1))
      throw InputError(fmt::format("--tolerance {}: expected a fraction in [0, 1]", opt.tolerance));
    if (m_jobs->count()) check_jobs(opt.jobs);
    const bool slurm = m_slurm_flag->count() > 0;
    for (const CLI::Option* o : {m_partition, m_sbatch_args})
      if (o->count() && !slurm)
        throw InputError(fmt::format("find-depth error: {} needs --slurm", o->get_name()));
    if ((slurm || m_srun_probes) && m_out.empty())
      throw InputError("find-depth error: --slurm needs -o/--out FILE (where the result goes)");
    if (!m_out.empty() && std::filesystem::is_directory(m_out))
      throw InputError(fmt::format("--out '{}': is a directory; expected a file", m_out));
    if (slurm) return submit_find_depth_slurm(opt, m_out, m_jobs->count() ? opt.jobs : 4, m_slurm);
    if (!m_out.empty()) opt.probe_journal = m_out + ".probes";
    if (m_srun_probes) use_srun_probes(m_out);
    const bool json = m_json;
    // Like sweep: a progress line only for a person at a terminal.
    opt.progress = !json && isatty(STDERR_FILENO);
    // This process elaborates nothing and runs no other thread; probes through srun are
    // programs started on other nodes.
    opt.fork_probes = !m_srun_probes;
    const FindDepthResult r = find_depth(opt);
    const int64_t saved =
        static_cast<int64_t>(r.simulations_bisection) - static_cast<int64_t>(r.simulations);
    nlohmann::json j{{"unbounded_max_occupancy", r.unbounded_max_occupancy},
                     {"min_deadlock_free_depth", r.min_deadlock_free_depth},
                     {"min_full_speed_depth", r.min_full_speed_depth},
                     {"analytic_depth", r.analytic_depth},
                     {"simulations", r.simulations},
                     {"unbounded_max_occupancy_bytes", r.unbounded_max_occupancy_bytes},
                     {"min_deadlock_free_bytes", r.min_deadlock_free_bytes},
                     {"min_full_speed_bytes", r.min_full_speed_bytes},
                     {"analytic_bytes", r.analytic_bytes},
                     {"min_legal_depth", r.min_legal_depth},
                     {"compression", r.compression},
                     {"entry_bytes", r.entry_bytes},
                     {"simulations_bisection", r.simulations_bisection},
                     {"simulations_saved", saved}};
    if (r.worst_deadlock_free_depth) {
      j["worst_case"] = {{"deadlock_free_depth", r.worst_deadlock_free_depth},
                         {"deadlock_free_bytes", r.worst_deadlock_free_bytes},
                         {"full_speed_depth", r.worst_full_speed_depth},
                         {"full_speed_bytes", r.worst_full_speed_bytes},
                         {"uncompressed_deadlock_free_depth", r.raw_deadlock_free_depth},
                         {"uncompressed_full_speed_depth", r.raw_full_speed_depth},
                         {"simulations", r.worst_simulations}};
    }
    if (!m_out.empty()) {
      write_replace("find-depth error", m_out, j.dump(2) + "\n");
      std::error_code ec;
      std::filesystem::remove(opt.probe_journal, ec);
      std::filesystem::remove(opt.probe_journal + ".uncompressed", ec);
    }
    if (json) {
      std::cout << j.dump(2) << "\n";
      return kExitOk;
    }
    auto kib = [](uint64_t b) { return fmt::format("{:.1f} KiB", b / 1024.0); };
    if (r.compression != "none")
      std::cout << fmt::format(
          "skip path {}-compressed: depths in words of {} bytes (this data's; the analytic "
          "depth is in uncompressed beats)\n",
          r.compression, r.entry_bytes);
    std::cout << fmt::format(
        "skip FIFO depth (beats of {} lanes, {} beats per pixel; SRAM the FIFO takes at that "
        "depth), tolerance {:.3g}\n"
        "  {:<26}{:>10} {:>12}   ({} cycles)\n  {:<26}{:>10} {:>12}\n"
        "  {:<26}{:>10} {:>12}   ({} cycles)\n  {:<26}{:>10} {:>12}\n"
        "  {:<26}{:>10}   ({:.1f} s; plain bisections: {}, {} saved)\n",
        r.lanes, r.beats_per_pixel, opt.tolerance, "unbounded_max_occupancy",
        r.unbounded_max_occupancy, kib(r.unbounded_max_occupancy_bytes), r.unbounded_cycles,
        "min_deadlock_free_depth", r.min_deadlock_free_depth, kib(r.min_deadlock_free_bytes),
        "min_full_speed_depth", r.min_full_speed_depth, kib(r.min_full_speed_bytes),
        r.min_full_speed_cycles, "analytic_depth", r.analytic_depth, kib(r.analytic_bytes),
        "simulations", r.simulations, r.wall_seconds, r.simulations_bisection, saved);
    if (r.worst_deadlock_free_depth)
      std::cout << fmt::format(
          "  worst case, X with no zero lane (the uncompressed depths {} and {} beats, in {}'s "
          "words):\n  {:<26}{:>10} {:>12}\n  {:<26}{:>10} {:>12}\n"
          "  a FIFO below the worst case deadlocks on such an X; policy spill sends it to DRAM "
          "instead\n",
          r.raw_deadlock_free_depth, r.raw_full_speed_depth, r.compression,
          "worst deadlock-free depth", r.worst_deadlock_free_depth,
          kib(r.worst_deadlock_free_bytes), "worst full-speed depth", r.worst_full_speed_depth,
          kib(r.worst_full_speed_bytes));
    if (r.min_legal_depth > 1)
      std::cout << fmt::format(
          "  searched from depth {}: policy spill keeps at least one DRAM burst on chip\n",
          r.min_legal_depth);
    return kExitOk;
  }

 private:
  FindDepthOptions m_opt;
  bool m_json = false, m_srun_probes = false;
  std::string m_out;
  SlurmOptions m_slurm;
  CLI::Option *m_jobs = nullptr, *m_slurm_flag = nullptr, *m_partition = nullptr,
              *m_sbatch_args = nullptr;
};

}  // namespace

std::unique_ptr<Command> make_find_depth_command() { return std::make_unique<FindDepthCommand>(); }

}  // namespace skipsim::cli
