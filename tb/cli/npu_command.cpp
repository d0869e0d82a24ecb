// skipsim npu: a network layer by layer on one NPU: SRAM allocation, spills and fills, the
// add on the vector unit, and a roofline of every op.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "hw/common/errors.hpp"
#include "tb/cli/command.hpp"
#include "tb/config/paths.hpp"
#include "tb/modes/npu_mode.hpp"
#include "tb/net/network.hpp"

namespace skipsim::cli {
namespace {

namespace fs = std::filesystem;

// The roofline PNG from the report, by scripts/plot_roofline.py (beside the configs).
void plot_roofline(const std::string& report, const std::string& png) {
  const fs::path script = fs::path(config_dir()).parent_path() / "scripts" / "plot_roofline.py";
  if (!fs::exists(script))
    throw InputError(
        fmt::format("--roofline: {} not found (the plot script ships beside the "
                    "configs folder)",
                    script.string()));
  const std::string cmd =
      fmt::format("/usr/bin/python3 '{}' '{}' -o '{}'", script.string(), report, png);
  if (std::system(cmd.c_str()) != 0)
    throw InputError(
        fmt::format("--roofline {}: the plot script failed (it needs Debian's "
                    "python3-matplotlib)",
                    png));
}

class NpuCommand : public Command {
 public:
  CLI::App* add(CLI::App& app) override {
    CLI::App* c = app.add_subcommand(
        "npu",
        "run a network layer by layer on one NPU: SRAM allocation and tensor lifetimes, spill "
        "and fill, the add on the vector unit, a roofline of every op; bit-exact");
    c->add_option("-m,--model", m_opt.model,
                  fmt::format("built-in model: {}", fmt::join(builtin_models(), ", ")));
    c->add_option("--onnx", m_opt.onnx, "an ONNX model file instead of --model");
    c->add_option("--input", m_input,
                  "input image size HxW (a random image; default 224x224), or an image FILE.npy "
                  "(int8, H x W x 3)");
    c->add_option("-c,--config", m_opt.config,
                  "NPU configuration (default: configs/npu/default.yaml): hardware.* and npu.*");
    c->add_option("--set", m_opt.sets, "override a config key: key.path=value (repeatable)");
    c->add_option("--blocks", m_opt.blocks,
                  "only these blocks: NAME or FIRST:LAST (names like layer1.0, or indices)");
    m_jobs = c->add_option("-j,--jobs", m_opt.jobs, "parallel simulations (default: all cores)");
    c->add_option("--report", m_report, "write the report as JSON (ops, tensors, totals)");
    c->add_option("--csv", m_csv, "write one CSV row per op (its roofline)");
    c->add_option("--roofline", m_png, "draw the roofline of every op into this PNG");
    c->add_option("--dump-tensors", m_opt.dump_tensors,
                  "write every activation tensor to DIR/<tensor>.npy (int8 H x W x C)");
    c->add_flag("--compare-fuse-add", m_opt.compare_fuse_add,
                "also run with npu.fuse_add flipped: both side by side (fuse_add_comparison)");
    c->add_option("--seed", m_seed, "seed of the built-in model's parameters and image");
    c->add_flag("-q,--quiet", m_quiet, "print nothing but errors");
    return c;
  }

  int run() override {
    if (m_opt.model.empty() == m_opt.onnx.empty())
      throw InputError("npu: give exactly one of --model NAME and --onnx FILE");
    if (!m_input.empty()) parse_input(m_input, &m_opt.h, &m_opt.w, &m_opt.image);
    if (m_jobs->count()) check_jobs(m_opt.jobs);
    if (!m_seed.empty()) m_opt.seed = parse_seed("--seed", m_seed);
    if (m_opt.config.empty()) m_opt.config = config_dir() + "/npu/default.yaml";
    m_opt.progress = !m_quiet && isatty(STDERR_FILENO);
    const nlohmann::json report = run_npu(m_opt);
    std::string report_path = m_report;
    if (!m_report.empty()) write_text(m_report, report.dump(2) + "\n");
    if (!m_csv.empty()) write_text(m_csv, npu_csv(report));
    if (!m_png.empty()) {
      if (report_path.empty()) {
        report_path = m_png + ".report.json";
        write_text(report_path, report.dump() + "\n");
      }
      plot_roofline(report_path, m_png);
      if (m_report.empty()) fs::remove(report_path);
    }
    if (!m_quiet) std::cout << npu_table(report);
    if (!report["golden"]["match"].get<bool>()) {
      std::cerr << "npu: the output differs from the golden model\n";
      return kExitInternal;
    }
    return kExitOk;
  }

 private:
  NpuOptions m_opt;
  std::string m_input, m_report, m_csv, m_png, m_seed;
  bool m_quiet = false;
  CLI::Option* m_jobs = nullptr;
};

}  // namespace

std::unique_ptr<Command> make_npu_command() { return std::make_unique<NpuCommand>(); }

}  // namespace skipsim::cli
