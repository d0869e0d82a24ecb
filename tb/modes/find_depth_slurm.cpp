#include "tb/modes/find_depth_slurm.hpp"

#include <cstdio>
#include <filesystem>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "hw/common/errors.hpp"
#include "tb/config/config.hpp"
#include "tb/config/paths.hpp"
#include "tb/modes/child_run.hpp"

namespace fs = std::filesystem;

namespace skipsim {

namespace {

const char* const kWho = "find-depth error";

std::string slurm_dir(const std::string& out) { return out + ".slurm"; }

}  // namespace

void use_srun_probes(const std::string& out) {
  const std::string reports = slurm_dir(out) + "/reports";
  std::error_code ec;
  fs::create_directories(reports, ec);
  if (ec) throw InputError(fmt::format("{}: cannot create '{}' ({})", kWho, reports, ec.message()));
  // One CPU of the allocation per step; steps wait for a free one.
  set_child_launcher({{"srun", "--exact", "--nodes=1", "--ntasks=1", "--cpus-per-task=1"},
                      fs::absolute(reports).string()});
}

int submit_find_depth_slurm(const FindDepthOptions& opt, const std::string& out, int tasks,
                            const SlurmOptions& slurm) {
  require_sbatch(kWho);
  load_config(opt.config, opt.sets);  // a bad configuration fails here, not in the queue
  const std::string dir = slurm_dir(out);
  fs::create_directories(dir + "/logs");
  // The search this folder belongs to: a rerun with other options must not take its probes.
  const nlohmann::json search{{"config", fs::absolute(opt.config).string()},
                              {"sets", opt.sets},
                              {"tolerance", opt.tolerance}};
  std::string text;
  if (read_text(dir + "/search.json", text)) {
    if (nlohmann::json::parse(text, nullptr, false) != search)
      throw InputError(fmt::format(
          "{}: {} belongs to a search with other options; choose another --out or remove it and "
          "{}",
          kWho, dir, out));
    if (read_text(out, text) &&
        nlohmann::json::parse(text, nullptr, false).contains("min_full_speed_depth")) {
      std::fprintf(stderr, "find-depth: %s already holds the result; nothing to submit\n",
                   out.c_str());
      return 0;
    }
  } else {
    write_replace(kWho, dir + "/search.json", search.dump(2) + "\n");
  }
  const std::string job_name = "skipsim-find-depth:" + fs::absolute(out).string();
  refuse_if_queued(kWho, job_name);

  std::string cmd = shell_quote(self_executable()) + " find-depth -c " +
                    shell_quote(fs::absolute(opt.config).string());
  for (const auto& s : opt.sets) cmd += " --set " + shell_quote(s);
  cmd += fmt::format(" --tolerance {} -j \"$SLURM_NTASKS\" --srun-probes -v -o {}", opt.tolerance,
                     shell_quote(fs::absolute(out).string()));
  const std::string script = dir + "/find-depth.sbatch";
  write_replace(kWho, script,
                fmt::format("#!/bin/bash\n"
                            "# The depth search; each probe a job step on a CPU of the "
                            "allocation; the result into OUT.\n"
                            "exec {}\n",
                            cmd));
  std::vector<std::string> a = sbatch_common(job_name, slurm);
  a.push_back(fmt::format("--ntasks={}", tasks));
  a.push_back("--output=" + fs::absolute(dir).string() + "/logs/find-depth-%j.log");
  a.push_back(script);
  const std::string job = sbatch(kWho, a);
  std::printf("job=%s\n", job.c_str());
  std::fprintf(stderr,
               "find-depth: submitted job %s (%d probes at once as job steps); the result goes "
               "to %s (log: %s/logs)\n",
               job.c_str(), tasks, out.c_str(), dir.c_str());
  return 0;
}

}  // namespace skipsim
