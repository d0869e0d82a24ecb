// skipsim command line: parses, dispatches to one Command per subcommand (tb/cli/*_command.cpp)
// and turns errors into exit codes (tb/cli/command.hpp).
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <systemc>

#include "hw/common/errors.hpp"
#include "tb/cli/command.hpp"

namespace skipsim::cli {

void write_text(const std::string& path, const std::string& text) {
  std::ofstream f(path);
  if (!f) throw InputError(fmt::format("cannot write '{}'", path));
  f << text;
  if (!f) throw InputError(fmt::format("cannot write '{}'", path));
}

uint64_t parse_seed(const std::string& option, const std::string& text) {
  const bool digits = !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
  if (!digits || text.size() > 20 ||
      (text.size() == 20 && text > std::string("18446744073709551615")))
    throw InputError(
        fmt::format("{} '{}': expected an integer in [0, 18446744073709551615]", option, text));
  return std::stoull(text);
}

void check_jobs(int jobs) {
  if (jobs < 1)
    throw InputError(
        fmt::format("--jobs {}: expected at least 1 (leave --jobs out to use every core)", jobs));
}

}  // namespace skipsim::cli

// Our own main (it takes precedence over libsystemc's) so that the SystemC banner stays off
// the output a script reads; SystemC prints it before sc_main runs.
int main(int argc, char* argv[]) {
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
  return sc_core::sc_elab_and_sim(argc, argv);
}

int sc_main(int argc, char* argv[]) {
  using namespace skipsim::cli;
  sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
  sc_core::sc_report_handler::set_actions("/IEEE_Std_1666/deprecated", sc_core::SC_DO_NOTHING);
  sc_core::sc_set_time_resolution(1, sc_core::SC_PS);

  CLI::App app{
      "skipsim: cycle-accurate SystemC/TLM-2.0 model of a streaming NPU running ResNet residual "
      "blocks; measures the skip FIFO's depth, occupancy and the stalls it causes."};
  app.require_subcommand(1);
  std::vector<std::unique_ptr<Command>> commands;
  commands.push_back(make_run_command());
  commands.push_back(make_sweep_command());
  commands.push_back(make_find_depth_command());
  commands.push_back(make_layer_command());
  commands.push_back(make_dram_command());
  commands.push_back(make_network_command());
  commands.push_back(make_run_chain_command());
  commands.push_back(make_run_fused_command());
  commands.push_back(make_npu_command());
  std::vector<CLI::App*> subs;
  for (auto& c : commands) subs.push_back(c->add(app));

  // The first word that is not an option must name a subcommand; CLI11 alone would report
  // only that a subcommand is required.
  if (argc > 1 && argv[1][0] != '-') {
    std::string names;
    bool known = false;
    for (const CLI::App* s : subs) {
      names += (names.empty() ? "" : ", ") + s->get_name();
      known = known || s->get_name() == argv[1];
    }
    if (!known) {
      std::cerr << fmt::format("skipsim: unknown subcommand '{}' (allowed: {})\n", argv[1], names);
      return kExitInput;
    }
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitInput;
  }
  try {
    for (size_t i = 0; i < commands.size(); ++i)
      if (subs[i]->parsed()) return commands[i]->run();
  } catch (const skipsim::Interrupted& e) {
    std::cerr << "skipsim: " << e.what() << "\n";
    return kExitInterrupted;
  } catch (const skipsim::InputError& e) {
    std::cerr << "skipsim: " << e.what() << "\n";
    return kExitInput;
  } catch (const sc_core::sc_report& e) {
    std::cerr << "skipsim: internal error: " << e.what() << "\n";
    return kExitInternal;
  } catch (const std::exception& e) {
    std::cerr << "skipsim: internal error: " << e.what() << "\n";
    return kExitInternal;
  }
  return kExitOk;
}
