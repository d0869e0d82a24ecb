#include "tb/modes/child_run.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>

#include <fmt/format.h>

#include "hw/common/errors.hpp"
#include "tb/config/config.hpp"
#include "tb/config/paths.hpp"
#include "tb/modes/output_lock.hpp"
#include "tb/modes/run.hpp"
#include "tb/ref/block_params.hpp"
#include "tb/top/block_size.hpp"

namespace skipsim {

namespace {

int memory_file(const char* name) {
  const int fd = memfd_create(name, MFD_CLOEXEC);
  if (fd < 0) throw std::runtime_error(fmt::format("memfd_create failed: {}", strerror(errno)));
  return fd;
}

bool same_shape(const BlockShape& a, const BlockShape& b) {
  return a.kind == b.kind && a.h == b.h && a.w == b.w && a.c == b.c && a.out_c == b.out_c &&
         a.width == b.width && a.stride == b.stride;
}

// Test hook: a child given exactly this --set dies at once by SIGKILL, as if killed from
// outside (tests/system/test_sweep.cpp).
bool test_kill_requested(const std::vector<std::string>& sets) {
  const char* k = std::getenv("SKIPSIM_TEST_SIGKILL_SET");
  if (!k) return false;
  for (const auto& s : sets)
    if (s == k) return true;
  return false;
}

// In a new child: die with the parent, stderr to the memory file, stdout to /dev/null, the
// report memory file as fd 3. Returns false if the child must give up (exit 127).
bool child_setup(const ChildProc& c, pid_t parent, bool test_kill) {
  // As exec would: the parent's handlers (a sweep's SIGINT and SIGTERM, which only note the
  // request) must not keep a child alive that is told to stop. Signals stay blocked from
  // before the fork until the handlers are reset, so one sent in between is not lost.
  for (int sig = 1; sig < NSIG; ++sig) {
    struct sigaction old {};
    if (sigaction(sig, nullptr, &old) == 0 && !(old.sa_flags & SA_SIGINFO) &&
        (old.sa_handler == SIG_IGN || old.sa_handler == SIG_DFL))
      continue;
    signal(sig, SIG_DFL);
  }
  sigprocmask(SIG_SETMASK, &c.mask, nullptr);
  // Die with the parent; if it already died between fork and prctl, go now.
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) return false;
  if (test_kill) raise(SIGKILL);
  dup2(c.err_fd, 2);
  const int devnull = open("/dev/null", O_WRONLY);
  if (devnull >= 0) dup2(devnull, 1);
  // dup2 onto the same number would keep close-on-exec.
  const int rep = c.report_fd == 3 ? fcntl(3, F_DUPFD_CLOEXEC, 4) : c.report_fd;
  return rep >= 0 && dup2(rep, 3) >= 0;
}

ChildProc start_child() {
  ChildProc c;
  c.report_fd = memory_file("skipsim-report");
  c.err_fd = memory_file("skipsim-stderr");
  // Buffered output would be written again by the child.
  std::fflush(nullptr);
  sigset_t all;
  sigfillset(&all);
  sigprocmask(SIG_BLOCK, &all, &c.mask);
  c.pid = fork();
  if (c.pid != 0) sigprocmask(SIG_SETMASK, &c.mask, nullptr);
  if (c.pid < 0) {
    close(c.report_fd);
    close(c.err_fd);
    throw std::runtime_error("fork failed");
  }
  return c;
}

void write_report_fd(const std::string& text) {
  for (size_t done = 0; done < text.size();) {
    const ssize_t n = write(3, text.data() + done, text.size() - done);
    if (n <= 0) throw std::runtime_error("cannot write the report");
    done += static_cast<size_t>(n);
  }
}

// The forked child's whole life: `skipsim run -q [--no-check] --report fd 3` in-process.
[[noreturn]] void forked_run(const std::string& config, const std::vector<std::string>& sets,
                             bool check_golden, const PreparedBlock* prepared,
                             const Config* loaded) {
  int code = 1;
  try {
    const Config cfg = loaded ? *loaded : load_config(config, sets);
    check_block_size(cfg);
    const BlockShape shape = block_shape(cfg.workload);
    BlockParams made;
    const bool reuse =
        prepared && prepared->seed == cfg.workload.seed && same_shape(prepared->shape, shape);
    if (!reuse) made = random_block(shape, cfg.workload.seed);
    const BlockParams& params = reuse ? prepared->params : made;
    RunResult r = run_block(cfg, params, RunOptions{});
    const RunVerdict v = finish_run(r, cfg, params, check_golden);
    write_report_fd(r.report.dump(2) + "\n");
    if (!v.message.empty()) std::fprintf(stderr, "%s\n", v.message.c_str());
    code = v.exit_code;
  } catch (const InputError& e) {
    std::fprintf(stderr, "skipsim: %s\n", e.what());
    code = 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "skipsim: internal error: %s\n", e.what());
    code = 1;
  } catch (...) {
    std::fprintf(stderr, "skipsim: internal error\n");
    code = 1;
  }
  std::fflush(stderr);
  // Never back into the parent's code: no atexit handlers, no destructors of its objects.
  _exit(code);
}

}  // namespace

PreparedBlock prepare_block(const Config& cfg, const std::string& tensors) {
  check_block_size(cfg);
  PreparedBlock p;
  p.shape = block_shape(cfg.workload);
  p.seed = cfg.workload.seed;
  p.params = tensors.empty() ? random_block(p.shape, p.seed) : load_block(tensors, p.shape);
  return p;
}

ChildProc fork_run(const std::string& config, const std::vector<std::string>& sets,
                   bool check_golden, const PreparedBlock* prepared, const Config* loaded) {
  const bool test_kill = test_kill_requested(sets);
  const pid_t parent = getpid();
  ChildProc c = start_child();
  if (c.pid == 0) {
    if (!child_setup(c, parent, test_kill)) _exit(127);
    forked_run(config, sets, check_golden, prepared, loaded);
  }
  return c;
}

ChildProc fork_call(const std::function<nlohmann::json()>& body) {
  const pid_t parent = getpid();
  ChildProc c = start_child();
  if (c.pid != 0) return c;
  if (!child_setup(c, parent, false)) _exit(127);
  int code = 1;
  try {
    write_report_fd(body().dump() + "\n");
    code = 0;
  } catch (const InputError& e) {
    std::fprintf(stderr, "skipsim: %s\n", e.what());
    code = 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "skipsim: internal error: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "skipsim: internal error\n");
  }
  std::fflush(stderr);
  _exit(code);
}

bool killed_from_outside(int signal) {
  return signal == SIGKILL || signal == SIGTERM || signal == SIGINT || signal == SIGHUP ||
         signal == SIGQUIT;
}

namespace {
ChildLauncher g_launcher;
}  // namespace

void set_child_launcher(const ChildLauncher& launcher) { g_launcher = launcher; }

ChildProc spawn_run(const std::string& config, const std::vector<std::string>& sets,
                    bool check_golden, const std::vector<std::string>& extra,
                    const std::string& subcommand) {
  const std::string exe = self_executable();
  // The child writes its report through fd 3 (the report memory file), or through a launcher
  // into a file of the shared folder.
  static unsigned serial = 0;
  const std::string report_path =
      g_launcher.prefix.empty()
          ? std::string()
          : fmt::format("{}/report-{}-{}.json", g_launcher.report_dir, getpid(), serial++);
  std::vector<std::string> args = g_launcher.prefix;
  for (const std::string& a :
       {exe, subcommand, std::string("--config"), config, std::string("--report"),
        report_path.empty() ? std::string("/proc/self/fd/3") : report_path, std::string("-q")})
    args.push_back(a);
  if (!check_golden) args.emplace_back("--no-check");
  args.reserve(args.size() + 2 * sets.size());
  for (const auto& s : sets) {
    args.push_back("--set");
    args.push_back(s);
  }
  args.insert(args.end(), extra.begin(), extra.end());
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const bool test_kill = test_kill_requested(sets);
  const pid_t parent = getpid();
  ChildProc c = start_child();
  if (c.pid == 0) {
    if (!child_setup(c, parent, test_kill)) _exit(127);
    setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
    if (report_path.empty())
      execv(exe.c_str(), argv.data());
    else
      execvp(argv[0], argv.data());
    _exit(127);
  }
  c.report_path = report_path;
  return c;
}

ChildResult collect_run(ChildProc& c, int status) {
  ChildResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  std::string report = read_whole(c.report_fd);
  if (!c.report_path.empty()) {
    std::ifstream f(c.report_path, std::ios::binary);
    report.assign(std::istreambuf_iterator<char>(f), {});
    std::remove(c.report_path.c_str());
  }
  if (!report.empty()) {
    try {
      r.report = nlohmann::json::parse(report);
    } catch (const std::exception&) {
      r.report = nlohmann::json();
    }
  }
  if (r.exit_code != 0) {
    std::istringstream ef(read_whole(c.err_fd));
    std::string line;
    // The last line says why (a launcher's own lines, e.g. srun's exit notice, do not).
    while (std::getline(ef, line))
      if (!line.empty() && (c.report_path.empty() || line.rfind("srun: ", 0) != 0)) r.error = line;
    if (r.signal && r.error.empty())
      r.error = fmt::format("killed by signal {} ({})", r.signal, strsignal(r.signal));
  }
  close(c.report_fd);
  close(c.err_fd);
  c.report_fd = c.err_fd = -1;
  return r;
}

ChildResult run_child(const std::string& config, const std::vector<std::string>& sets,
                      bool check_golden) {
  ChildProc c = spawn_run(config, sets, check_golden);
  int status = 0;
  while (waitpid(c.pid, &status, 0) < 0) {
  }
  return collect_run(c, status);
}

}  // namespace skipsim
