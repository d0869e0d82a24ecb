// skipsim run: one residual block, its report and the golden check.
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "hw/common/errors.hpp"
#include "tb/cli/command.hpp"
#include "tb/config/config.hpp"
#include "tb/modes/run.hpp"
#include "tb/observe/stats_json.hpp"
#include "tb/ref/block_params.hpp"
#include "tb/ref/golden.hpp"
#include "tb/ref/npy.hpp"
#include "tb/top/block_size.hpp"

namespace skipsim::cli {
namespace {

// The RTL blocks' output data that moved while it had to hold: one line per port.
void print_rtl_warnings(const nlohmann::json& report) {
  if (!report.contains("rtl_checks")) return;
  for (const auto& [block, checks] : report["rtl_checks"].items()) {
    for (const auto& [port, c] : checks.items()) {
      if (!c.is_object() || !c.contains("data_changed_while_invalid")) continue;
      if (const auto n = c["data_changed_while_invalid"].get<uint64_t>())
        std::cerr << fmt::format(
            "skipsim: warning: RTL {} port {}: data changed while valid was low, first at cycle "
            "{} ({} cycles in all; it must hold)\n",
            block, port, c["first_data_changed_while_invalid_cycle"].get<uint64_t>(), n);
      if (const auto n = c["data_changed_while_stalled"].get<uint64_t>())
        std::cerr << fmt::format(
            "skipsim: warning: RTL {} port {}: data changed while a beat was on offer and not "
            "taken, first at cycle {} ({} cycles in all; valid/ready forbids it)\n",
            block, port, c["first_data_changed_while_stalled_cycle"].get<uint64_t>(), n);
    }
  }
}

// The co-simulation's verdict on stderr; false if it found a difference.
bool print_cosim(const nlohmann::json& c, bool quiet) {
  const std::string module = c["module"].get<std::string>();
  const bool tx = c.value("compare", std::string("pins")) == "transactions";
  const uint64_t diffs = c.value("differences", uint64_t{0});
  if (tx && c.contains("latency_difference") && (!quiet || diffs)) {
    const auto& l = c["latency_difference"];
    std::cerr << fmt::format(
        "skipsim: cosim {}: latency difference rtl - systemc over {} beats: min {} mean {:.2f} "
        "max {} cycles\n",
        module, l["beats"].get<uint64_t>(), l["min"].get<int64_t>(), l["mean"].get<double>(),
        l["max"].get<int64_t>());
  }
  if (c["equal"].get<bool>()) {
    if (!quiet)
      std::cerr << fmt::format(
          tx ? "skipsim: cosim {}: every output beat equal, in order, over {} cycles\n"
             : "skipsim: cosim {}: every output pin equal over {} cycles\n",
          module, c["compared_cycles"].get<uint64_t>());
    return true;
  }
  const auto& f = c["first_mismatch"];
  if (tx)
    std::cerr << fmt::format(
        "skipsim: cosim {}: first difference at beat {} of port {} (cycle {}): systemc {} rtl "
        "{}\n",
        module, f["beat"].get<uint64_t>(), f["port"].get<std::string>(), f["cycle"].get<uint64_t>(),
        f["systemc"].get<std::string>(), f["rtl"].get<std::string>());
  else
    std::cerr << fmt::format(
        "skipsim: cosim {}: first difference at cycle {} on pin {}: systemc {} rtl {}\n", module,
        f["cycle"].get<uint64_t>(), f["pin"].get<std::string>(), f["systemc"].get<std::string>(),
        f["rtl"].get<std::string>());
  if (c.value("keep_going", false)) {
    std::string per;
    const char* key = tx ? "ports" : "pin_differences";
    if (c.contains(key))
      for (const auto& [name, v] : c[key].items()) {
        const uint64_t n = tx ? v["differing_beats"].get<uint64_t>() : v.get<uint64_t>();
        if (n) per += fmt::format("{}{} {}", per.empty() ? "" : ", ", name, n);
      }
    std::cerr << fmt::format("skipsim: cosim {}: {} differences in all ({} {})\n", module, diffs,
                             tx ? "beats by port:" : "pin-cycles by pin:", per);
  }
  return false;
}

struct RunArgs {
  std::string config;
  std::vector<std::string> sets;
  std::string report, vcd, tensors, dump_tensors, output, occupancy, cosim, vcd_window, compare;
  std::vector<std::string> vcd_scopes;
  std::string seed;  // validated by the config like workload.seed
  double vcd_max_mb = 500;
  bool no_check = false, quiet = false, print_config = false, keep_going = false;
};

class RunCommand : public Command {
 public:
  CLI::App* add(CLI::App& app) override {
    CLI::App* run = app.add_subcommand("run", "simulate one residual block");
    run->add_option("-c,--config", m_args.config, "YAML configuration file")->required();
    run->add_option("--set", m_args.sets, "override a config key: key.path=value (repeatable)");
    run->add_option("--report", m_args.report, "write the report as JSON to this file");
    run->add_option("--vcd", m_args.vcd,
                    "write a VCD waveform of every stream, buffer level and stall cause (and a "
                    ".gtkw beside it; with RTL blocks, FILE.rtl.vcd of their internals)");
    run->add_option("--vcd-window", m_args.vcd_window,
                    "trace only cycles START:END (1-based, inclusive; either may be empty)");
    run->add_option("--vcd-scope", m_args.vcd_scopes,
                    "trace only streams and blocks whose name matches this glob (repeatable), "
                    "e.g. 'skip_*' or 'conv1*'");
    run->add_option("--vcd-max-mb", m_args.vcd_max_mb,
                    "refuse a --vcd file estimated above this many MB (0 = no limit)")
        ->capture_default_str()
        ->check(CLI::NonNegativeNumber);
    run->add_option("--tensors", m_args.tensors,
                    "load input and parameters from this .npy directory");
    run->add_option("--dump-tensors", m_args.dump_tensors,
                    "write every tensor and parameter used (and output.npy) to this directory");
    run->add_option("--output", m_args.output, "write the block output (int8 HxWxC .npy)");
    run->add_option("--occupancy", m_args.occupancy,
                    "write the skip FIFO occupancy over time (CSV cycle,occupancy, on change)");
    run->add_option("--cosim", m_args.cosim,
                    "run BLOCK (skip_fifo, fork, add, compressor, decompressor) as SystemC and RTL "
                    "side by side and stop at the first output that differs");
    run->add_option("--compare", m_args.compare,
                    "with --cosim: pins (default; every output pin, every cycle) or transactions "
                    "(the beats at every output port in order, and their latency difference)");
    run->add_flag("--keep-going", m_args.keep_going,
                  "with --cosim: count every difference instead of stopping at the first");
    run->add_option("--seed", m_args.seed,
                    "seed of the random tensors (same as --set workload.seed=N)");
    run->add_flag("--no-check", m_args.no_check, "skip the comparison with the golden model");
    run->add_flag("-q,--quiet", m_args.quiet, "print nothing but errors");
    run->add_flag("--print-config", m_args.print_config,
                  "print the effective configuration and exit");

    return run;
  }

  int run() override {
    const RunArgs& a = m_args;
    std::vector<std::string> sets = a.sets;
    // Checked here so that the error names the option the user typed.
    if (!a.seed.empty())
      sets.push_back("workload.seed=" + std::to_string(parse_seed("--seed", a.seed)));
    if (!a.vcd_window.empty() && a.vcd.empty())
      throw InputError(
          fmt::format("--vcd-window '{}': needs --vcd FILE (it limits the waveform "
                      "that option writes)",
                      a.vcd_window));
    if (!a.vcd_scopes.empty() && a.vcd.empty())
      throw InputError(
          fmt::format("--vcd-scope '{}': needs --vcd FILE (it limits the waveform "
                      "that option writes)",
                      a.vcd_scopes.front()));
    if (!a.compare.empty() && a.compare != "pins" && a.compare != "transactions")
      throw InputError(fmt::format("--compare '{}': allowed: pins, transactions", a.compare));
    if (a.cosim.empty() && (!a.compare.empty() || a.keep_going))
      throw InputError(fmt::format("{}: needs --cosim BLOCK (it says how that block is compared)",
                                   a.compare.empty() ? "--keep-going" : "--compare"));
    const Config cfg = load_config(a.config, sets);
    if (a.print_config) {
      std::cout << dump_config(cfg);
      return kExitOk;
    }
    check_block_size(cfg);  // before the tensors are made
    const BlockShape shape = block_shape(cfg.workload);
    const BlockParams params =
        a.tensors.empty() ? random_block(shape, cfg.workload.seed) : load_block(a.tensors, shape);

    // Output files are checked before the run, so a long simulation never ends in a write error.
    for (const std::string* path : {&a.report, &a.vcd, &a.output, &a.occupancy}) {
      if (path->empty()) continue;
      const bool existed = std::filesystem::exists(*path);
      std::ofstream probe(*path, std::ios::app);
      if (!probe)
        throw InputError(fmt::format("cannot write '{}' ({})", *path, std::strerror(errno)));
      probe.close();
      if (!existed) std::filesystem::remove(*path);
    }
    RunOptions opt;
    opt.vcd_path = a.vcd;
    opt.vcd_window = a.vcd_window;
    opt.vcd_scopes = a.vcd_scopes;
    opt.vcd_max_mb = a.vcd_max_mb;
    opt.occupancy_csv = a.occupancy;
    opt.cosim.module = a.cosim;
    opt.cosim.compare =
        a.compare == "transactions" ? CosimCompare::kTransactions : CosimCompare::kPins;
    opt.cosim.keep_going = a.keep_going;
    opt.progress = !a.quiet && isatty(STDERR_FILENO);
    RunResult r = run_block(cfg, params, opt);

    const bool finished = r.end == RunResult::End::kFinished;
    const RunVerdict verdict = finish_run(r, cfg, params, !a.no_check);
    static_assert(kExitDeadlock == 3 && kExitCycleLimit == 5 && kExitInternal == 1,
                  "finish_run's exit codes");
    if (!a.report.empty()) write_text(a.report, r.report.dump(2) + "\n");
    if (!a.dump_tensors.empty()) {
      dump_block(a.dump_tensors, params);
      if (finished) write_tensor8(a.dump_tensors + "/output.npy", r.output);
    }
    if (!a.output.empty() && finished) write_tensor8(a.output, r.output);
    if (!a.quiet) std::cout << format_report_table(r.stats);
    print_rtl_warnings(r.report);
    if (!r.rtl_failure.empty()) {
      std::cerr << r.rtl_failure << "\n";
      return kExitRtlCheck;
    }
    if (r.report.contains("cosim") && !print_cosim(r.report["cosim"], a.quiet)) return kExitCosim;
    if (verdict.exit_code != kExitOk) {
      std::cerr << verdict.message << "\n";
      return verdict.exit_code;
    }
    return kExitOk;
  }

 private:
  RunArgs m_args;
};

}  // namespace

std::unique_ptr<Command> make_run_command() { return std::make_unique<RunCommand>(); }

}  // namespace skipsim::cli
