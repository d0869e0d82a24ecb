#pragma once
// The skipsim command line: one Command per subcommand, one file each (run_command.cpp,
// sweep_command.cpp, ...); main.cpp parses, dispatches and maps errors to exit codes.
// Exit codes: 0 ok, 1 internal error, 2 bad usage/config/input, 3 deadlock, 4 co-simulation
// mismatch, 5 stopped at sim.max_cycles before the block finished, 130 interrupted (finished
// results saved).
#include <cstdint>
#include <memory>
#include <string>

namespace CLI {
class App;
}

namespace skipsim::cli {

constexpr int kExitOk = 0, kExitInternal = 1, kExitInput = 2, kExitDeadlock = 3, kExitCosim = 4,
              kExitCycleLimit = 5, kExitRtlCheck = 6, kExitInterrupted = 130;

class Command {
 public:
  virtual ~Command() = default;
  // Adds the subcommand and its options to app; returns it.
  virtual CLI::App* add(CLI::App& app) = 0;
  // Runs it after a successful parse. Returns the exit code; bad input throws InputError.
  virtual int run() = 0;
};

std::unique_ptr<Command> make_run_command();
std::unique_ptr<Command> make_sweep_command();
std::unique_ptr<Command> make_find_depth_command();
std::unique_ptr<Command> make_layer_command();
std::unique_ptr<Command> make_dram_command();
std::unique_ptr<Command> make_network_command();
std::unique_ptr<Command> make_run_chain_command();
std::unique_ptr<Command> make_run_fused_command();
std::unique_ptr<Command> make_npu_command();

// "HxW" (or "N" for N x N) of --input, each in [32, 4096]; throws InputError otherwise.
void parse_input_size(const std::string& s, int* h, int* w);
// --input of network and npu: an image file (a name ending in .npy, into *image) or HxW.
void parse_input(const std::string& s, int* h, int* w, std::string* image);

// Writes text to path; throws InputError when it cannot.
void write_text(const std::string& path, const std::string& text);

// The value of a seed option (e.g. "--seed"): a decimal integer in [0, 2^64 - 1]; throws
// InputError naming the option otherwise (CLI11 would wrap "-1" around to 2^64 - 1).
uint64_t parse_seed(const std::string& option, const std::string& text);

// A --jobs value the user gave: at least 1 (leaving the option out means all cores).
void check_jobs(int jobs);

}  // namespace skipsim::cli
