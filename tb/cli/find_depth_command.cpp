// skipsim find-depth: the skip FIFO depths that matter, from simulation and a closed form.
#include <iostream>
#include <string>

#include <nlohmann/json.hpp>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "hw/common/errors.hpp"
#include "tb/cli/command.hpp"
#include "tb/modes/find_depth.hpp"

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
                     "full speed = cycles within this fraction of the unbounded FIFO's")
        ->check(CLI::Range(0.0, 1.0));
    find->add_option("-j,--jobs", m_opt.jobs, "parallel probes (default: all cores)");
    find->add_flag("--json", m_json, "print exactly the result keys as JSON");
    find->add_flag("-v,--verbose", m_opt.verbose, "print every probe");

    return find;
  }

  int run() override {
    const FindDepthOptions& opt = m_opt;
    const bool json = m_json;
    const FindDepthResult r = find_depth(opt);
    nlohmann::json j{{"unbounded_max_occupancy", r.unbounded_max_occupancy},
                     {"min_deadlock_free_depth", r.min_deadlock_free_depth},
                     {"min_full_speed_depth", r.min_full_speed_depth},
                     {"analytic_depth", r.analytic_depth},
                     {"simulations", r.simulations}};
    if (json) {
      std::cout << j.dump(2) << "\n";
      return kExitOk;
    }
    std::cout << fmt::format(
        "skip FIFO depth (beats of {} lanes, {} beats per pixel), tolerance {:.3g}\n"
        "  {:<26}{:>10}   ({} cycles)\n  {:<26}{:>10}\n  {:<26}{:>10}   ({} cycles)\n"
        "  {:<26}{:>10}\n  {:<26}{:>10}   ({:.1f} s)\n",
        r.lanes, r.beats_per_pixel, opt.tolerance, "unbounded_max_occupancy",
        r.unbounded_max_occupancy, r.unbounded_cycles, "min_deadlock_free_depth",
        r.min_deadlock_free_depth, "min_full_speed_depth", r.min_full_speed_depth,
        r.min_full_speed_cycles, "analytic_depth", r.analytic_depth, "simulations", r.simulations,
        r.wall_seconds);
    return kExitOk;
  }

 private:
  FindDepthOptions m_opt;
  bool m_json = false;
};

}  // namespace

std::unique_ptr<Command> make_find_depth_command() { return std::make_unique<FindDepthCommand>(); }

}  // namespace skipsim::cli
