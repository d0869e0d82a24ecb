// skipsim layer: conv layers as GEMMs on the systolic array, one report row per layer.
#include <iostream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "hw/common/errors.hpp"
#include "tb/cli/command.hpp"
#include "tb/config/config.hpp"
#include "tb/modes/layer_mode.hpp"

namespace skipsim::cli {
namespace {

struct LayerCommandArgs {
  std::string config;
  std::vector<std::string> sets;
  std::vector<std::string> layers;
  std::string topology;
  std::string dataflow;  // empty: hardware.mac_array.dataflow
  bool scalesim_compat = false;
  bool json = false;
  bool no_check = false;
  std::string seed = "1";  // parse_seed: CLI11 would take -1 as 2^64 - 1
  std::string cosim;       // "mac_array" or empty
  std::string vcd;
  double vcd_max_mb = 500;
};

// Prints the table (or the JSON list with --json). Exit code 1 when a layer's output differs
// from the reference or its cycles from the closed form (internal errors), 4 when the RTL
// array differs from the C++ one (--cosim).
class LayerCommand : public Command {
 public:
  CLI::App* add(CLI::App& app) override {
    LayerCommandArgs& args = m_args;
    CLI::App* cmd = app.add_subcommand(
        "layer",
        "run conv layers as GEMMs on the systolic array (SCALE-Sim-style per-layer report)");
    cmd->add_option("-c,--config", args.config, "YAML configuration file (hardware.mac_array)")
        ->required();
    cmd->add_option("--set", args.sets, "override a config key: key.path=value (repeatable)");
    auto* layer = cmd->add_option(
        "--layer", args.layers,
        "one layer: name=NAME,h=H,w=W,kh=KH,kw=KW,c=C,n=N,stride=S,pad=P (repeatable; w, kw, "
        "stride, pad (zeros each side, default 0) and name optional)");
    auto* topo =
        cmd->add_option("--topology", args.topology, "SCALE-Sim topology CSV with the layers");
    layer->excludes(topo);
    topo->excludes(layer);
    cmd->add_option("--dataflow", args.dataflow,
                    "ws (weight), os (output) or is (input) stationary")
        ->check(CLI::IsMember(enum_names<Dataflow>()));
    cmd->add_flag(
        "--scalesim-compat", args.scalesim_compat,
        "no padding, serialized folds with fill and drain exposed: SCALE-Sim v2's cycles");
    cmd->add_flag("--json", args.json, "print a JSON list, one object per layer");
    cmd->add_flag("--no-check", args.no_check, "skip the comparison with a direct convolution");
    cmd->add_option("--seed", args.seed, "seed of the random layer data");
    auto* cosim = cmd->add_option("--cosim", args.cosim,
                                  "run each GEMM on the Verilated RTL array too, output pins "
                                  "compared every cycle (mac_array)")
                      ->check(CLI::IsMember({"mac_array"}));
    cmd->add_option("--vcd", args.vcd,
                    "Verilator VCD of the RTL array (needs --cosim; one file per layer)")
        ->needs(cosim);
    cmd->add_option("--vcd-max-mb", args.vcd_max_mb,
                    "refuse --vcd files estimated above this many MB in all (0 = no limit)")
        ->capture_default_str()
        ->check(CLI::NonNegativeNumber);
    return cmd;
  }

  int run() override {
    const LayerCommandArgs& args = m_args;
    if (args.layers.empty() && args.topology.empty())
      throw InputError("layer: give --layer KEY=VALUE,... or --topology FILE.csv");
    const Config cfg = load_config(args.config, args.sets);
    LayerModeOptions opt;
    opt.rows = cfg.hardware.mac_array.rows;
    opt.cols = cfg.hardware.mac_array.cols;
    // The command line overrides the configuration's array settings.
    opt.dataflow = args.dataflow.empty() ? cfg.hardware.mac_array.dataflow
                                         : parse_dataflow(args.dataflow, "--dataflow");
    opt.scalesim_compat = args.scalesim_compat || cfg.hardware.mac_array.scalesim_compat;
    opt.model = cfg.hardware.mac_array.model;
    opt.check = !args.no_check;
    opt.seed = parse_seed("--seed", args.seed);
    opt.energy = cfg.hardware.energy;
    opt.cosim_mac_array = args.cosim == "mac_array";
    opt.rtl_vcd = args.vcd;
    opt.vcd_max_mb = args.vcd_max_mb;
    std::vector<LayerSpec> layers;
    if (!args.topology.empty()) {
      layers = read_topology_csv(args.topology);
    } else {
      for (size_t i = 0; i < args.layers.size(); ++i)
        layers.push_back(parse_layer_arg(args.layers[i], fmt::format("layer{}", i + 1)));
    }
    const std::vector<LayerResult> results = run_layers(opt, layers);
    if (args.json)
      std::cout << layer_results_json(opt, results).dump(2) << "\n";
    else
      std::cout << layer_results_table(opt, results);
    int rc = 0;
    for (const LayerResult& r : results) {
      if (r.cosim == "equal") {
        std::cerr << fmt::format(
            "skipsim: cosim mac_array: layer '{}': every output pin equal over {} cycles\n",
            r.spec.name, r.cosim_compared_cycles);
      } else if (r.cosim == "mismatch") {
        std::cerr << fmt::format("skipsim: cosim mac_array: layer '{}': first difference at {}\n",
                                 r.spec.name, r.cosim_first_mismatch);
        if (rc == 0) rc = 4;
      }
      if (r.check == "fail") {
        std::cerr << "skipsim: layer '" << r.spec.name
                  << "': output differs from the direct convolution\n";
        rc = 1;
      }
      if (r.cycles != r.closed_form_cycles) {
        std::cerr << "skipsim: layer '" << r.spec.name << "': simulated " << r.cycles
                  << " cycles, closed form " << r.closed_form_cycles << "\n";
        rc = 1;
      }
    }
    return rc;
  }

 private:
  LayerCommandArgs m_args;
};

}  // namespace

std::unique_ptr<Command> make_layer_command() { return std::make_unique<LayerCommand>(); }

}  // namespace skipsim::cli
