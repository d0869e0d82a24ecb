// skipsim network: a whole network (built-in ResNet or ONNX) block by block.
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <string>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "hw/common/errors.hpp"
#include "tb/cli/command.hpp"
#include "tb/config/paths.hpp"
#include "tb/modes/network_mode.hpp"
#include "tb/modes/network_slurm.hpp"
#include "tb/net/network.hpp"

namespace skipsim::cli {

void parse_input_size(const std::string& s, int* h, int* w) {
  const size_t x = s.find_first_of("xX");
  const std::string a = s.substr(0, x), b = x == std::string::npos ? a : s.substr(x + 1);
  const auto num = [&](const std::string& t) {
    if (t.empty() || t.size() > 5 || t.find_first_not_of("0123456789") != std::string::npos)
      throw InputError(fmt::format("--input '{}': expected HxW, e.g. 224x224", s));
    return std::stoi(t);
  };
  *h = num(a);
  *w = num(b);
  if (*h < 32 || *w < 32 || *h > 4096 || *w > 4096)
    throw InputError(fmt::format("--input '{}': expected H and W in [32, 4096]", s));
}

void parse_input(const std::string& s, int* h, int* w, std::string* image) {
  if (s.size() > 4 && s.compare(s.size() - 4, 4, ".npy") == 0)
    *image = s;
  else
    parse_input_size(s, h, w);
}

namespace {

class NetworkCommand : public Command {
 public:
  CLI::App* add(CLI::App& app) override {
    CLI::App* net = app.add_subcommand(
        "network", "simulate a whole network (ResNet-18 ... 152) block by block, bit-exact");
    net->add_option("-m,--model", m_opt.model,
                    fmt::format("built-in model: {}", fmt::join(builtin_models(), ", ")));
    net->add_option("--onnx", m_opt.onnx, "an ONNX model file instead of --model");
    net->add_option("--input", m_input,
                    "input image size HxW (a random image; default 224x224), or an image FILE.npy "
                    "(int8, H x W x 3)");
    net->add_option("-c,--config", m_opt.config,
                    "NPU configuration (default: configs/npu/default.yaml); its workload is "
                    "replaced by each block's");
    net->add_option("--set", m_opt.sets, "override a config key: key.path=value (repeatable)");
    net->add_option("--blocks", m_opt.blocks,
                    "only these blocks: NAME or FIRST:LAST (names like layer1.0, or indices)");
    net->add_option("--fused", m_opt.fused,
                    "also run these residual blocks (FIRST:LAST) fused into one streaming "
                    "pipeline: cycles and skip FIFO peaks against the blocks alone");
    m_jobs = net->add_option("-j,--jobs", m_opt.jobs, "parallel simulations (default: all cores)");
    net->add_flag("--find-depth", m_opt.find_depth,
                  "also find each block's smallest deadlock-free and full-speed skip FIFO depth");
    net->add_option("--tolerance", m_opt.tolerance, "find-depth's full-speed tolerance, in [0, 1]");
    net->add_flag("--configured-depth", m_configured,
                  "run each block with the configured hardware.skip_fifo.depth (default: a FIFO "
                  "that holds the whole skip tensor, so max occupancy is the block's need)");
    net->add_option("--report", m_report, "write the network report as JSON");
    net->add_option("--csv", m_csv, "write one CSV row per block");
    net->add_option("--dump-tensors", m_opt.dump_tensors,
                    "write every block's tensors to DIR/<block>/ (DESIGN.md section 4 names)");
    net->add_option("--vcd-block", m_opt.vcd_block, "the block whose waveform --vcd writes");
    net->add_option("--vcd", m_opt.vcd, "VCD file of --vcd-block's simulation");
    net->add_option("--seed", m_seed, "seed of the built-in model's parameters and image");
    net->add_flag("-q,--quiet", m_quiet, "print nothing but errors");
    m_slurm_flag = net->add_flag(
        "--slurm",
        "submit one Slurm array task per block plus a job that merges them into --report "
        "(and --csv), and return; a rerun submits only the missing blocks");
    m_partition = net->add_option("--partition", m_slurm.partition, "Slurm partition (--slurm)");
    m_array_max = net->add_option("--array-max", m_slurm.array_max,
                                  "at most N array tasks at once (--slurm)");
    m_sbatch_args = net->add_option(
        "--sbatch-arg", m_slurm.sbatch_args,
        "extra sbatch argument, e.g. --sbatch-arg=--account=ACC (--slurm; repeatable)");
    // The Slurm jobs' own options: a task saves its blocks' results into FILE only; the
    // merge job gathers the tasks' files first.
    net->add_option("--journal", m_journal)->group("");
    net->add_flag("--slurm-merge", m_slurm_merge)->group("");
    return net;
  }

  int run() override {
    NetworkOptions& opt = m_opt;
    if (opt.model.empty() == opt.onnx.empty())
      throw InputError("network: give exactly one of --model NAME and --onnx FILE");
    if (!m_input.empty()) parse_input(m_input, &opt.h, &opt.w, &opt.image);
    if (m_jobs->count()) check_jobs(opt.jobs);
    if (!(opt.tolerance >= 0 && opt.tolerance <= 1))
      throw InputError(fmt::format("--tolerance {}: expected a fraction in [0, 1]", opt.tolerance));
    if (!m_seed.empty()) opt.seed = parse_seed("--seed", m_seed);
    if (opt.config.empty()) opt.config = config_dir() + "/npu/default.yaml";
    opt.unbounded_fifo = !m_configured;
    opt.progress = !m_quiet && isatty(STDERR_FILENO);
    for (const auto& [path, flag] : {std::pair{m_report, "--report"}, std::pair{m_csv, "--csv"}})
      if (!path.empty() && std::filesystem::is_directory(path))
        throw InputError(fmt::format("{} '{}': is a directory; expected a file", flag, path));
    if (!m_report.empty()) opt.journal = m_report + ".partial";
    const bool slurm = m_slurm_flag->count() > 0;
    for (const CLI::Option* o : {m_partition, m_array_max, m_sbatch_args})
      if (o->count() && !slurm)
        throw InputError(fmt::format("network error: {} needs --slurm", o->get_name()));
    if (m_array_max->count() && m_slurm.array_max < 1)
      throw InputError(fmt::format("network error: --array-max {}: expected an integer >= 1",
                                   m_slurm.array_max));
    if (slurm || m_slurm_merge) {
      if (m_report.empty())
        throw InputError(
            "network error: --slurm needs --report FILE (where the merged report goes)");
      if (!opt.fused.empty() || !opt.dump_tensors.empty() || !opt.vcd.empty())
        throw InputError(
            "network error: --slurm runs blocks alone; --fused, --dump-tensors and --vcd run "
            "locally only");
      // Every job sees the same files from its own folder.
      namespace fs = std::filesystem;
      opt.config = fs::absolute(opt.config).string();
      if (!opt.onnx.empty()) opt.onnx = fs::absolute(opt.onnx).string();
      if (!opt.image.empty()) opt.image = fs::absolute(opt.image).string();
    }
    if (slurm) {
      bool merge_now = false;
      const int code = submit_network_slurm(opt, m_report, m_csv, m_slurm, &merge_now);
      if (!merge_now) return code;
      m_slurm_merge = true;
    }
    if (m_slurm_merge) {
      const auto missing = gather_network_parts(opt, m_report);
      if (!missing.empty()) {
        std::cerr << fmt::format(
            "network: {} blocks have no result yet ({}): a task was killed, failed or is still "
            "running; run the same --slurm command again to submit them\n",
            missing.size(), fmt::join(missing, ", "));
        return kExitInternal;
      }
    }
    if (!m_journal.empty()) opt.journal = m_journal;
    const nlohmann::json report = run_network(opt);
    if (!m_journal.empty()) return kExitOk;  // a Slurm task: its results are in the journal
    if (!m_report.empty()) {
      write_text(m_report, report.dump(2) + "\n");
      // Kept while a block failed, so that a rerun retries only what is missing.
      std::error_code ec;
      if (report["bit_exact"].get<bool>()) std::filesystem::remove(opt.journal, ec);
    }
    if (!m_csv.empty()) write_text(m_csv, network_csv(report));
    if (!m_quiet) std::cout << network_table(report);
    if (!report["bit_exact"].get<bool>()) {
      for (const auto& f : report["failures"])
        std::cerr << "network: " << f.get<std::string>() << "\n";
      // A block refused as bad input (e.g. SRAM too small for it) is the input's fault.
      for (const auto& e : report["blocks"])
        if (e.value("exit_code", 0) == kExitInput) return kExitInput;
      for (const auto& e : report["blocks"])
        if (e.value("deadlock", false)) return kExitDeadlock;
      return kExitInternal;
    }
    return kExitOk;
  }

 private:
  NetworkOptions m_opt;
  std::string m_input, m_report, m_csv, m_seed, m_journal;
  bool m_configured = false, m_quiet = false, m_slurm_merge = false;
  SlurmOptions m_slurm;
  CLI::Option *m_jobs = nullptr, *m_slurm_flag = nullptr, *m_partition = nullptr,
              *m_array_max = nullptr, *m_sbatch_args = nullptr;
};

}  // namespace

std::unique_ptr<Command> make_network_command() { return std::make_unique<NetworkCommand>(); }

}  // namespace skipsim::cli
