// skipsim run-chain: a network's stem or head from its tensor files (what `skipsim network`
// runs in a child process for those blocks; hidden from --help).
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "tb/cli/command.hpp"
#include "tb/config/config.hpp"
#include "tb/modes/chain_run.hpp"

namespace skipsim::cli {
namespace {

class RunChainCommand : public Command {
 public:
  CLI::App* add(CLI::App& app) override {
    CLI::App* c = app.add_subcommand("run-chain", "simulate a network's stem or head");
    c->group("");  // internal: used by `skipsim network`
    c->add_option("-c,--config", m_config, "YAML configuration file")->required();
    c->add_option("--set", m_sets, "override a config key: key.path=value (repeatable)");
    c->add_option("--tensors", m_tensors, "the stem's or head's tensor folder")->required();
    c->add_option("--report", m_report, "write the report as JSON to this file");
    c->add_flag("--no-check", m_no_check, "skip the comparison with the golden model");
    c->add_flag("-q,--quiet", m_quiet, "print only errors");
    return c;
  }

  int run() override {
    const Config cfg = load_config(m_config, m_sets);
    const ChainInput in = load_chain(m_tensors);
    const ChainRunResult r = run_chain(cfg, in, !m_no_check);
    if (!m_report.empty()) write_text(m_report, r.report.dump(2) + "\n");
    if (!m_quiet)
      std::cout << in.desc.kind << ": " << r.report["cycles"].get<uint64_t>() << " cycles"
                << (m_no_check         ? ""
                    : r.matches_golden ? ", matches the golden model"
                                       : ", DOES NOT match the golden model")
                << "\n";
    if (r.deadlock) {
      std::cerr << "skipsim: deadlock in the " << in.desc.kind << "\n";
      return kExitDeadlock;
    }
    if (r.cycle_limit) {
      std::cerr << "skipsim: stopped at sim.max_cycles\n";
      return kExitCycleLimit;
    }
    if (!r.matches_golden) {
      std::cerr << "skipsim: the " << in.desc.kind << "'s output differs from the golden model\n";
      return kExitInternal;
    }
    return kExitOk;
  }

 private:
  std::string m_config, m_tensors, m_report;
  std::vector<std::string> m_sets;
  bool m_no_check = false, m_quiet = false;
};

}  // namespace

std::unique_ptr<Command> make_run_chain_command() { return std::make_unique<RunChainCommand>(); }

}  // namespace skipsim::cli
