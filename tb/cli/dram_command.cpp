// skipsim dram: replay a DRAM request trace through the DDR controller model.
#include <iostream>
#include <string>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "hw/common/errors.hpp"
#include "tb/cli/command.hpp"
#include "tb/modes/dram_trace.hpp"

namespace skipsim::cli {
namespace {

struct DramTraceArgs {
  std::string config, trace, csv;
  bool json = false;
};

class DramCommand : public Command {
 public:
  CLI::App* add(CLI::App& app) override {
    DramTraceArgs& args = m_args;
    CLI::App* sub = app.add_subcommand(
        "dram", "replay a DRAM request trace (ADDR READ|WRITE CYCLE lines) through the DDR model");
    sub->add_option("-c,--config", args.config,
                    "DRAM preset: a configs/dram name or file, or a run configuration naming one "
                    "(hardware.dram.preset)")
        ->required();
    sub->add_option("--trace", args.trace, "trace file")->required();
    sub->add_option("--csv", args.csv, "write idx,addr,is_write,arrival,accepted,done per request");
    sub->add_flag("--json", args.json, "print the statistics as JSON");
    return sub;
  }

  int run() override {
    return run_dram_trace(m_args.config, m_args.trace, m_args.csv, m_args.json, std::cout);
  }

 private:
  DramTraceArgs m_args;
};

}  // namespace

std::unique_ptr<Command> make_dram_command() { return std::make_unique<DramCommand>(); }

}  // namespace skipsim::cli
