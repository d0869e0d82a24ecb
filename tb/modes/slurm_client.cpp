#include "tb/modes/slurm_client.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "hw/common/errors.hpp"

namespace fs = std::filesystem;

namespace skipsim {

namespace {

bool on_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  if (!path) return false;
  std::istringstream in(path);
  for (std::string d; std::getline(in, d, ':');)
    if (!d.empty() && access((fs::path(d) / name).c_str(), X_OK) == 0) return true;
  return false;
}

// Runs a Slurm client command; returns its exit status and its stdout and stderr.
int run_client(const std::string& who, const std::string& program,
               const std::vector<std::string>& args, std::string& output) {
  std::string cmd = program;
  for (const auto& a : args) cmd += " " + shell_quote(a);
  cmd += " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) throw InputError(fmt::format("{}: --slurm: cannot run {}", who, program));
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) output.append(buf, n);
  return pclose(p);
}

}  // namespace

void require_sbatch(const std::string& who) {
  if (!on_path("sbatch"))
    throw InputError(fmt::format(
        "{}: --slurm: sbatch not found on PATH; install the Slurm client commands and set "
        "SLURM_CONF for your cluster, or start a one-machine cluster with "
        "scripts/slurm_local.sh start",
        who));
}

std::string sbatch(const std::string& who, const std::vector<std::string>& args) {
  std::vector<std::string> a = {"--parsable"};
  a.insert(a.end(), args.begin(), args.end());
  std::string output;
  const int status = run_client(who, "sbatch", a, output);
  while (!output.empty() && (output.back() == '\n' || output.back() == ' ')) output.pop_back();
  // "id" or "id;cluster".
  std::string id = output.substr(0, output.find_first_of(";\n"));
  if (status != 0 || id.empty() || id.find_first_not_of("0123456789") != std::string::npos)
    throw InputError(
        fmt::format("{}: --slurm: sbatch failed: {} (is SLURM_CONF set for this cluster?)", who,
                    output.empty() ? "no output" : output.substr(output.rfind('\n') + 1)));
  return id;
}

void refuse_if_queued(const std::string& who, const std::string& job_name) {
  // All of this user's queued jobs, compared by name here: squeue's -n splits its argument at
  // commas, which a path may hold.
  std::string queued;
  if (!on_path("squeue") || run_client(who, "squeue",
                                       {"-h", "-o", "%i %j", "-u", std::to_string(getuid()), "-t",
                                        "pending,running,suspended,configuring,completing"},
                                       queued) != 0)
    return;
  std::string ids;
  for (const auto& l : whole_lines(queued + "\n")) {
    const size_t sp = l.find(' ');
    if (sp != std::string::npos && l.substr(sp + 1) == job_name)
      ids += (ids.empty() ? "" : " ") + l.substr(0, sp);
  }
  if (ids.empty()) return;
  throw InputError(
      fmt::format("{}: --slurm: jobs of this run are still queued or running ({}); run the "
                  "command again when they have left the queue (squeue), or cancel them "
                  "(scancel)",
                  who, ids));
}

std::vector<std::string> sbatch_common(const std::string& job_name, const SlurmOptions& slurm) {
  std::vector<std::string> a = {"--job-name=" + job_name, "--chdir=" + fs::current_path().string()};
  if (!slurm.partition.empty()) a.push_back("--partition=" + slurm.partition);
  a.insert(a.end(), slurm.sbatch_args.begin(), slurm.sbatch_args.end());
  return a;
}

ArrayJobs submit_array_and_merge(const std::string& who, const std::string& job_name,
                                 const SlurmOptions& slurm, const std::vector<size_t>& tasks,
                                 const std::string& array_script, const std::string& merge_script,
                                 const std::string& logs) {
  const std::vector<std::string> common = sbatch_common(job_name, slurm);
  std::vector<std::string> a = common;
  a.push_back("--output=" + logs + "/task-%A_%a.log");
  a.push_back("--array=" + array_spec(tasks) +
              (slurm.array_max > 0 ? fmt::format("%{}", slurm.array_max) : ""));
  a.push_back(array_script);
  ArrayJobs jobs;
  jobs.array = sbatch(who, a);
  std::vector<std::string> m = common;
  m.push_back("--output=" + logs + "/merge-%j.log");
  m.push_back("--dependency=afterany:" + jobs.array);
  m.push_back(merge_script);
  jobs.merge = sbatch(who, m);
  std::printf("array_job=%s\nmerge_job=%s\n", jobs.array.c_str(), jobs.merge.c_str());
  return jobs;
}

std::string array_spec(const std::vector<size_t>& idx) {
  std::string s;
  for (size_t i = 0; i < idx.size();) {
    size_t j = i;
    while (j + 1 < idx.size() && idx[j + 1] == idx[j] + 1) ++j;
    s += (s.empty() ? "" : ",") +
         (j == i ? std::to_string(idx[i]) : fmt::format("{}-{}", idx[i], idx[j]));
    i = j + 1;
  }
  return s;
}

std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

bool read_text(const std::string& path, std::string& text) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream s;
  s << in.rdbuf();
  text = s.str();
  return true;
}

void write_replace(const std::string& who, const std::string& path, const std::string& text) {
  const std::string tmp = fmt::format("{}.tmp.{}", path, getpid());
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f << text;
    f.flush();
    if (!f) throw InputError(fmt::format("{}: cannot write '{}'", who, tmp));
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) throw InputError(fmt::format("{}: cannot write '{}' ({})", who, path, ec.message()));
}

std::vector<std::string> whole_lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t pos = 0;
  for (size_t nl; (nl = text.find('\n', pos)) != std::string::npos; pos = nl + 1)
    lines.push_back(text.substr(pos, nl - pos));
  return lines;
}

}  // namespace skipsim
