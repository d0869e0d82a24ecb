#include "tb/modes/network_slurm.hpp"

#include <cstdio>
#include <filesystem>
#include <map>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "hw/common/errors.hpp"
#include "tb/config/config.hpp"
#include "tb/config/paths.hpp"
#include "tb/modes/fused_network.hpp"
#include "tb/net/load_network.hpp"
#include "tb/net/network.hpp"

namespace fs = std::filesystem;

namespace skipsim {

namespace {

const char* const kWho = "network error";

std::string slurm_dir(const std::string& report) { return report + ".slurm"; }

struct Task {
  std::string block;
  bool depth = false;  // this task searches the depth of its block's shape
  bool chain = false;  // stem, head, plain conv or fc: a run only
};

// One task per block of the range; the depth search goes to the first block of each shape,
// as a local run searches each shape once.
std::vector<Task> network_tasks(const NetworkOptions& opt, const Network& net) {
  const auto [first, last] = block_range(net, opt.blocks, "--blocks");
  const Config cfg = load_config(opt.config, opt.sets);
  const bool by_data = cfg.hardware.skip_fifo.compression != SkipCompression::kNone;
  std::set<std::string> shapes;
  std::vector<Task> tasks;
  for (size_t i = first; i <= last; ++i) {
    const NetBlock& b = net.blocks[i];
    Task t{b.name, false, b.chain()};
    if (!t.chain) {
      // Checked here, not in the queue.
      std::vector<std::string> sets = opt.sets;
      const auto w = workload_sets(b);
      sets.insert(sets.end(), w.begin(), w.end());
      load_config(opt.config, sets);
      t.depth = opt.find_depth &&
                shapes.insert(by_data ? b.name : fmt::format("{}", fmt::join(w, "\n"))).second;
    }
    tasks.push_back(t);
  }
  return tasks;
}

// name/what -> the entry line, from every part journal of `report` with this header.
std::map<std::string, std::string> part_entries(const std::string& report,
                                                const std::string& header) {
  std::map<std::string, std::string> entries;
  std::error_code ec;
  for (const auto& f : fs::directory_iterator(slurm_dir(report), ec)) {
    const std::string name = f.path().filename().string();
    if (name.rfind("part-", 0) != 0 || f.path().extension() != ".jsonl") continue;
    std::string text;
    if (!read_text(f.path().string(), text)) continue;
    const auto lines = whole_lines(text);
    if (lines.empty() || lines[0] != header) continue;
    for (size_t i = 1; i < lines.size(); ++i) {
      const nlohmann::json e = nlohmann::json::parse(lines[i], nullptr, false);
      if (e.is_object() && e.contains("name") && e.contains("what"))
        entries[e["name"].get<std::string>() + "/" + e["what"].get<std::string>()] = lines[i];
    }
  }
  return entries;
}

bool task_done(const Task& t, const std::map<std::string, std::string>& entries) {
  return entries.count(t.block + "/run") && (!t.depth || entries.count(t.block + "/depth"));
}

// The options every task and the merge job repeat (paths absolute: a job's folder may differ).
std::string common_args(const NetworkOptions& opt) {
  std::string a = opt.onnx.empty() ? " --model " + shell_quote(opt.model)
                                   : " --onnx " + shell_quote(fs::absolute(opt.onnx).string());
  a += " --input " + (opt.image.empty() ? fmt::format("{}x{}", opt.h, opt.w)
                                        : shell_quote(fs::absolute(opt.image).string()));
  a += " -c " + shell_quote(opt.config);
  for (const auto& s : opt.sets) a += " --set " + shell_quote(s);
  a += fmt::format(" --tolerance {} --seed {}", opt.tolerance, opt.seed);
  if (!opt.unbounded_fifo) a += " --configured-depth";
  return a;
}

}  // namespace

int submit_network_slurm(const NetworkOptions& opt, const std::string& report,
                         const std::string& csv, const SlurmOptions& slurm, bool* merge_now) {
  require_sbatch(kWho);
  *merge_now = false;
  const Network net = load_network(opt.model, opt.onnx, opt.h, opt.w, opt.seed, opt.image);
  const std::vector<Task> tasks = network_tasks(opt, net);
  const std::string header = network_journal_header(opt, net).dump();
  const std::string dir = slurm_dir(report);
  fs::create_directories(dir + "/logs");
  const auto entries = part_entries(report, header);
  std::vector<size_t> todo;
  for (size_t i = 0; i < tasks.size(); ++i)
    if (!task_done(tasks[i], entries)) todo.push_back(i);
  if (todo.empty()) {
    std::fprintf(stderr, "network: all %zu blocks have their results; nothing to submit\n",
                 tasks.size());
    *merge_now = true;
    return 0;
  }
  const std::string job_name = "skipsim-network:" + fs::absolute(report).string();
  refuse_if_queued(kWho, job_name);

  const std::string exe = shell_quote(self_executable());
  const std::string common = common_args(opt);
  std::string blocks, depth;
  for (const Task& t : tasks) {
    blocks += " " + shell_quote(t.block);
    depth += t.depth ? " 1" : " 0";
  }
  const std::string adir = fs::absolute(dir).string();
  const std::string array_script = dir + "/array.sbatch", merge_script = dir + "/merge.sbatch";
  write_replace(
      kWho, array_script,
      fmt::format("#!/bin/bash\n"
                  "# Task I: block I's run (and its shape's depth search) into "
                  "part-I.jsonl.\n"
                  "blocks=({})\n"
                  "depth=({})\n"
                  "i=$SLURM_ARRAY_TASK_ID\n"
                  "extra=()\n"
                  "[ \"${{depth[$i]}}\" = 1 ] && extra=(--find-depth)\n"
                  "exec {} network{} --blocks \"${{blocks[$i]}}\" \"${{extra[@]}}\" "
                  "--journal {}/part-\"$i\".jsonl -q -j \"${{SLURM_CPUS_PER_TASK:-1}}\"\n",
                  blocks.substr(1), depth.substr(1), exe, common, shell_quote(adir)));
  std::string merge = fmt::format("exec {} network{}{}{} --report {} --slurm-merge", exe, common,
                                  opt.blocks.empty() ? "" : " --blocks " + shell_quote(opt.blocks),
                                  opt.find_depth ? " --find-depth" : "",
                                  shell_quote(fs::absolute(report).string()));
  if (!csv.empty()) merge += " --csv " + shell_quote(fs::absolute(csv).string());
  write_replace(kWho, merge_script,
                fmt::format("#!/bin/bash\n"
                            "# After the array: the part journals into the report.\n{}\n",
                            merge));

  const ArrayJobs jobs = submit_array_and_merge(kWho, job_name, slurm, todo, array_script,
                                                merge_script, adir + "/logs");
  std::fprintf(stderr,
               "network: submitted %zu of %zu blocks as job array %s; job %s then merges them "
               "into %s (logs: %s/logs)\n",
               todo.size(), tasks.size(), jobs.array.c_str(), jobs.merge.c_str(), report.c_str(),
               dir.c_str());
  return 0;
}

std::vector<std::string> gather_network_parts(const NetworkOptions& opt,
                                              const std::string& report) {
  const Network net = load_network(opt.model, opt.onnx, opt.h, opt.w, opt.seed, opt.image);
  const std::vector<Task> tasks = network_tasks(opt, net);
  const std::string header = network_journal_header(opt, net).dump();
  const auto entries = part_entries(report, header);
  std::vector<std::string> missing;
  for (const Task& t : tasks)
    if (!task_done(t, entries)) missing.push_back(t.block);
  std::string text = header + "\n";
  for (const auto& [key, line] : entries) text += line + "\n";
  write_replace(kWho, opt.journal, text);
  return missing;
}

}  // namespace skipsim
