// skipsim run-fused: consecutive residual blocks as one streaming pipeline from their tensor
// folders (what `skipsim network --fused` runs in a child process; hidden from --help).
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "hw/common/errors.hpp"
#include "tb/cli/command.hpp"
#include "tb/config/config.hpp"
#include "tb/modes/fused_run.hpp"

namespace skipsim::cli {
namespace {

// "D1,D2,..." skip FIFO depths in beats, each >= 1.
std::vector<uint64_t> parse_depths(const std::string& s) {
  std::vector<uint64_t> v;
  if (s.empty()) return v;
  std::stringstream ss(s);
  for (std::string t; std::getline(ss, t, ',');) {
    if (t.empty() || t.size() > 12 || t.find_first_not_of("0123456789") != std::string::npos ||
        std::stoull(t) == 0)
      throw InputError(fmt::format("--depths '{}': expected D1,D2,... beats, each >= 1", s));
    v.push_back(std::stoull(t));
  }
  return v;
}

class RunFusedCommand : public Command {
 public:
  CLI::App* add(CLI::App& app) override {
    CLI::App* c = app.add_subcommand("run-fused", "simulate consecutive blocks fused");
    c->group("");  // internal: used by `skipsim network --fused`
    c->add_option("-c,--config", m_config, "YAML configuration file")->required();
    c->add_option("--set", m_sets, "override a config key: key.path=value (repeatable)");
    c->add_option("--name", m_names, "each block's name, in pipeline order (repeatable)");
    c->add_option("--tensors", m_dirs, "each block's tensor folder (repeatable)")->required();
    c->add_option("--shape", m_shapes,
                  "each block's shape KIND,H,W,C,OUT_C,WIDTH,STRIDE (repeatable)");
    c->add_option("--depths", m_depths, "each block's skip FIFO depth in beats: D1,D2,...");
    c->add_option("--report", m_report, "write the report as JSON to this file");
    c->add_flag("--no-check", m_no_check, "skip the comparison with the golden model");
    c->add_flag("-q,--quiet", m_quiet, "print only errors");
    return c;
  }

  int run() override {
    const Config cfg = load_config(m_config, m_sets);
    std::vector<BlockShape> shapes;
    for (const std::string& s : m_shapes) shapes.push_back(parse_block_shape(s, "--shape"));
    const FusedInput in = load_fused(m_names, m_dirs, shapes, parse_depths(m_depths));
    const FusedRunResult r = run_fused(cfg, in, !m_no_check);
    if (!m_report.empty()) write_text(m_report, r.report.dump(2) + "\n");
    if (!m_quiet)
      std::cout << "fused " << in.blocks.front().name << ":" << in.blocks.back().name << ": "
                << r.report["cycles"].get<uint64_t>() << " cycles"
                << (m_no_check         ? ""
                    : r.matches_golden ? ", matches the golden model"
                                       : ", DOES NOT match the golden model")
                << "\n";
    if (r.deadlock) {
      std::cerr << "skipsim: deadlock in the fused pipeline\n";
      return kExitDeadlock;
    }
    if (r.cycle_limit) {
      std::cerr << "skipsim: stopped at sim.max_cycles\n";
      return kExitCycleLimit;
    }
    if (!r.matches_golden) {
      std::cerr << "skipsim: the fused pipeline's output differs from the golden model\n";
      return kExitInternal;
    }
    return kExitOk;
  }

 private:
  std::string m_config, m_report, m_depths;
  std::vector<std::string> m_sets, m_names, m_dirs, m_shapes;
  bool m_no_check = false, m_quiet = false;
};

}  // namespace

std::unique_ptr<Command> make_run_fused_command() { return std::make_unique<RunFusedCommand>(); }

}  // namespace skipsim::cli
