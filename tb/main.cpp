// skipsim command line. Exit codes: 0 ok, 1 internal error, 2 bad usage/config/input,
// 3 deadlock, 4 co-simulation mismatch.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <systemc>

#include "tb/block_params.hpp"
#include "tb/config.hpp"
#include "tb/dram_trace.hpp"
#include "tb/errors.hpp"
#include "tb/find_depth.hpp"
#include "tb/golden.hpp"
#include "tb/layer_mode.hpp"
#include "tb/npy.hpp"
#include "tb/run.hpp"
#include "tb/sweep.hpp"

namespace {

constexpr int kExitOk = 0, kExitInternal = 1, kExitInput = 2, kExitDeadlock = 3, kExitCosim = 4;

struct RunArgs {
  std::string config;
  std::vector<std::string> sets;
  std::string report, vcd, tensors, dump_tensors, output, occupancy, cosim, vcd_window;
  std::vector<std::string> vcd_scopes;
  std::string seed;  // validated by the config like workload.seed
  bool no_check = false, quiet = false, print_config = false;
};

void write_text(const std::string& path, const std::string& text) {
  std::ofstream f(path);
  if (!f) throw skipsim::InputError(fmt::format("cannot write '{}'", path));
  f << text;
  if (!f) throw skipsim::InputError(fmt::format("cannot write '{}'", path));
}

int cmd_run(const RunArgs& a) {
  using namespace skipsim;
  std::vector<std::string> sets = a.sets;
  if (!a.seed.empty()) sets.push_back("workload.seed=" + a.seed);
  const Config cfg = load_config(a.config, sets);
  if (a.print_config) {
    std::cout << dump_config(cfg);
    return kExitOk;
  }
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
  opt.occupancy_csv = a.occupancy;
  opt.cosim.module = a.cosim;
  opt.progress = !a.quiet && isatty(STDERR_FILENO);
  RunResult r = run_block(cfg, params, opt);

  const bool finished = r.end == RunResult::End::kFinished;
  bool mismatch = false;
  r.report["output"] = {{"h", r.output.h}, {"w", r.output.w}, {"c", r.output.c}};
  if (finished && !a.no_check) {
    const Tensor8 ref = golden_block(params);
    uint64_t bad = 0;
    for (size_t i = 0; i < ref.data.size(); ++i) bad += ref.data[i] != r.output.data[i];
    mismatch = bad != 0 || !(ref.h == r.output.h && ref.w == r.output.w && ref.c == r.output.c);
    r.report["output"]["matches_golden"] = !mismatch;
    r.report["output"]["mismatches"] = bad;
    r.report["output"]["values"] = ref.data.size();
  }
  if (!a.report.empty()) write_text(a.report, r.report.dump(2) + "\n");
  if (!a.dump_tensors.empty()) {
    dump_block(a.dump_tensors, params);
    if (finished) write_tensor8(a.dump_tensors + "/output.npy", r.output);
  }
  if (!a.output.empty() && finished) write_tensor8(a.output, r.output);
  if (!a.quiet) std::cout << format_report_table(r.report);
  if (r.report.contains("cosim")) {
    const auto& c = r.report["cosim"];
    if (c["equal"].get<bool>()) {
      std::cerr << fmt::format("skipsim: cosim {}: every output pin equal over {} cycles\n",
                               c["module"].get<std::string>(),
                               c["compared_cycles"].get<uint64_t>());
    } else {
      const auto& f = c["first_mismatch"];
      std::cerr << fmt::format(
          "skipsim: cosim {}: first difference at cycle {} on pin {}: systemc {} rtl {}\n",
          c["module"].get<std::string>(), f["cycle"].get<uint64_t>(), f["pin"].get<std::string>(),
          f["systemc"].get<std::string>(), f["rtl"].get<std::string>());
      return kExitCosim;
    }
  }
  if (r.end == RunResult::End::kDeadlock) {
    const auto& d = r.report["deadlock_report"];
    std::cerr << "skipsim: deadlock at cycle " << r.report["cycles"].get<uint64_t>() << " ("
              << (d["detected_by"] == "fixed_point"
                      ? std::string("every block waits on a stream, nothing in flight")
                      : fmt::format("no transfer for {} cycles",
                                    r.report["deadlock_window"].get<uint64_t>()))
              << "): " << r.deadlock_text << "\n";
    return kExitDeadlock;
  }
  if (r.end == RunResult::End::kCycleLimit) {
    std::cerr << "skipsim: stopped at sim.max_cycles = " << cfg.sim.max_cycles << "\n";
    return kExitInput;
  }
  if (mismatch) {
    std::cerr << "skipsim: internal error: the output differs from the golden model in "
              << r.report["output"]["mismatches"].get<uint64_t>() << " values\n";
    return kExitInternal;
  }
  return kExitOk;
}

int cmd_sweep(const skipsim::SweepOptions& base, const std::vector<std::string>& params) {
  using namespace skipsim;
  SweepOptions opt = base;
  for (const auto& p : params) opt.params.push_back(parse_sweep_param(p));
  opt.progress_tty = isatty(STDERR_FILENO);
  const SweepSummary s = run_sweep(opt);
  std::fprintf(stderr,
               "sweep: %zu points (%zu already done, %zu run, %zu failed) in %.1f s, %.2f "
               "points/s -> %s\n",
               s.points, s.skipped, s.ran, s.failed, s.wall_seconds,
               s.wall_seconds > 0 ? s.ran / s.wall_seconds : 0.0, opt.out.c_str());
  return s.failed ? kExitInternal : kExitOk;
}

int cmd_find_depth(const skipsim::FindDepthOptions& opt, bool json) {
  using namespace skipsim;
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

}  // namespace

// Our own main (it takes precedence over libsystemc's) so that the SystemC banner stays off
// the output a script reads; SystemC prints it before sc_main runs.
int main(int argc, char* argv[]) {
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
  return sc_core::sc_elab_and_sim(argc, argv);
}

int sc_main(int argc, char* argv[]) {
  sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
  sc_core::sc_report_handler::set_actions("/IEEE_Std_1666/deprecated", sc_core::SC_DO_NOTHING);
  sc_core::sc_set_time_resolution(1, sc_core::SC_PS);

  CLI::App app{
      "skipsim: cycle-accurate SystemC/TLM-2.0 model of a streaming NPU running ResNet residual "
      "blocks; measures the skip FIFO's depth, occupancy and the stalls it causes."};
  app.require_subcommand(1);
  RunArgs a;
  CLI::App* run = app.add_subcommand("run", "simulate one residual block");
  run->add_option("-c,--config", a.config, "YAML configuration file")->required();
  run->add_option("--set", a.sets, "override a config key: key.path=value (repeatable)");
  run->add_option("--report", a.report, "write the report as JSON to this file");
  run->add_option("--vcd", a.vcd,
                  "write a VCD waveform of every stream, buffer level and stall cause (and a "
                  ".gtkw beside it; with RTL blocks, FILE.rtl.vcd of their internals)");
  run->add_option("--vcd-window", a.vcd_window,
                  "trace only cycles START:END (1-based, inclusive; either may be empty)");
  run->add_option("--vcd-scope", a.vcd_scopes,
                  "trace only streams and blocks whose name matches this glob (repeatable), "
                  "e.g. 'skip_*' or 'conv1*'");
  run->add_option("--tensors", a.tensors, "load input and parameters from this .npy directory");
  run->add_option("--dump-tensors", a.dump_tensors,
                  "write every tensor and parameter used (and output.npy) to this directory");
  run->add_option("--output", a.output, "write the block output (int8 HxWxC .npy)");
  run->add_option("--occupancy", a.occupancy,
                  "write the skip FIFO occupancy over time (CSV cycle,occupancy, on change)");
  run->add_option("--cosim", a.cosim,
                  "run BLOCK (skip_fifo, fork, add) as SystemC and RTL side by side and stop at "
                  "the first output pin that differs");
  run->add_option("--seed", a.seed, "seed of the random tensors (same as --set workload.seed=N)");
  run->add_flag("--no-check", a.no_check, "skip the comparison with the golden model");
  run->add_flag("-q,--quiet", a.quiet, "print nothing but errors");
  run->add_flag("--print-config", a.print_config, "print the effective configuration and exit");

  skipsim::SweepOptions sw;
  std::vector<std::string> sweep_params;
  CLI::App* sweep = app.add_subcommand(
      "sweep", "run the cartesian product of parameter lists in parallel into a CSV (resumable)");
  sweep->add_option("-c,--config", sw.config, "YAML configuration file")->required();
  sweep
      ->add_option("--param", sweep_params,
                   "KEY=LIST, LIST = v1,v2,... | start:stop:xF | start:stop:+S (repeatable)")
      ->required();
  sweep->add_option("--set", sw.sets, "fixed override for every point: key.path=value");
  sweep->add_option("-j,--jobs", sw.jobs, "parallel runs (default: all cores)");
  sweep->add_option("-o,--out", sw.out, "CSV file; points already in it are skipped")->required();
  sweep->add_flag("--check", sw.check_golden, "compare every point with the golden model");

  skipsim::FindDepthOptions fd;
  bool fd_json = false;
  CLI::App* find = app.add_subcommand(
      "find-depth", "find the smallest deadlock-free and full-speed skip FIFO depths");
  find->add_option("-c,--config", fd.config, "YAML configuration file")->required();
  find->add_option("--set", fd.sets, "override a config key: key.path=value (repeatable)");
  find->add_option("--tolerance", fd.tolerance,
                   "full speed = cycles within this fraction of the unbounded FIFO's")
      ->check(CLI::Range(0.0, 1.0));
  find->add_option("-j,--jobs", fd.jobs, "parallel probes (default: all cores)");
  find->add_flag("--json", fd_json, "print exactly the result keys as JSON");
  find->add_flag("-v,--verbose", fd.verbose, "print every probe");

  skipsim::DramTraceArgs dram_args;
  CLI::App* dram = skipsim::add_dram_subcommand(app, dram_args);
  skipsim::LayerCommandArgs layer_args;
  CLI::App* layer = skipsim::add_layer_subcommand(app, layer_args);

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
    if (run->parsed()) return cmd_run(a);
    if (sweep->parsed()) return cmd_sweep(sw, sweep_params);
    if (find->parsed()) return cmd_find_depth(fd, fd_json);
    if (layer->parsed()) return skipsim::run_layer_command(layer_args);
    if (dram->parsed())
      return skipsim::run_dram_trace(dram_args.config, dram_args.trace, dram_args.csv,
                                     dram_args.json, std::cout);
  } catch (const skipsim::Interrupted& e) {
    std::cerr << "skipsim: " << e.what() << "\n";
    return 130;
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
