// Lock-step check: each RTL block against its SystemC model, pin by pin every cycle, over
// several shapes with seeded random stalls on both sides; and an altered RTL caught at the
// exact cycle it first differs.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "Vskip_fifo_altered.h"
#include "hw/rtl/rtl_skip_fifo.hpp"
#include "tb/ref/block_params.hpp"
#include "tb/config/config.hpp"
#include "tb/modes/run.hpp"

namespace fs = std::filesystem;
using namespace skipsim;

namespace {
const std::string kSrc = SKIPSIM_SOURCE_DIR;

int cosim(const std::string& block, const std::string& config, const std::string& sets,
          nlohmann::json& report) {
  const fs::path d = fs::temp_directory_path() /
                     ("skipsim_lockstep_" +
                      std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
  fs::create_directories(d);
  const std::string cmd = std::string(SKIPSIM_BINARY) + " run -q --cosim " + block + " --config " +
                          kSrc + "/" + config + " " + sets + " --report " +
                          (d / "r.json").string() + " 2>/dev/null";
  const int st = std::system(cmd.c_str());
  std::ifstream f(d / "r.json");
  report = nlohmann::json::parse(f);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

// Stalls on both sides: the input stream held back at random, the output drained at random.
const char* kJitter =
    "--set workload.input_throttle.stall_probability=0.35 "
    "--set sim.output_stall_probability=0.3";

void expect_lockstep(const std::string& block) {
  const std::pair<const char*, const char*> shapes[] = {
      {"configs/workloads/tiny_basic.yaml", "--set workload.input.w=13 --set workload.seed=3"},
      {"configs/workloads/tiny_downsample.yaml", "--set workload.frames=2"},
      {"configs/workloads/tiny_basic.yaml",
       "--set hardware.skip_fifo.depth=22 --set workload.seed=4"},  // at the deadlock edge
  };
  for (const auto& [config, sets] : shapes) {
    nlohmann::json r;
    EXPECT_EQ(cosim(block, config, std::string(sets) + " " + kJitter, r), 0) << config << sets;
    EXPECT_TRUE(r["cosim"]["equal"].get<bool>()) << r["cosim"].dump();
    // Every cycle but the one whose edge ends the run is compared.
    EXPECT_GE(r["cosim"]["compared_cycles"].get<uint64_t>() + 1, r["cycles"].get<uint64_t>());
  }
}
}  // namespace

TEST(Lockstep, SkipFifoEqualsItsRtl) { expect_lockstep("skip_fifo"); }
TEST(Lockstep, ForkEqualsItsRtl) { expect_lockstep("fork"); }
TEST(Lockstep, AddEqualsItsRtl) { expect_lockstep("add"); }

TEST(Lockstep, AlteredRtlIsCaughtAtTheFirstCycleItDiffers) {
  const Config cfg = load_config(kSrc + "/configs/workloads/tiny_basic.yaml");
  const BlockParams p = random_block(block_shape(cfg.workload), cfg.workload.seed);
  const fs::path occ = fs::temp_directory_path() / "skipsim_lockstep_altered_occ.csv";
  RunOptions opt;
  opt.occupancy_csv = occ.string();
  opt.cosim.module = "skip_fifo";
  opt.cosim.skip_fifo_rtl = [](const char* name, uint64_t depth) {
    return std::unique_ptr<SkipFifoBase>(
        std::make_unique<RtlSkipFifoT<Vskip_fifo_altered>>(name, depth));
  };
  const RunResult r = run_block(cfg, p, opt);
  ASSERT_EQ(r.end, RunResult::End::kCosimMismatch);
  // The alteration shows on in_ready after the first edge that leaves 5 beats in the FIFO
  // (from the SystemC FIFO's own occupancy record).
  std::ifstream f(occ);
  std::string line;
  std::getline(f, line);
  uint64_t first5 = 0;
  while (std::getline(f, line)) {
    std::istringstream in(line);
    uint64_t cycle = 0, o = 0;
    char comma = 0;
    in >> cycle >> comma >> o;
    if (o == 5) {
      first5 = cycle;
      break;
    }
  }
  ASSERT_GT(first5, 0u);
  const auto& m = r.report["cosim"]["first_mismatch"];
  EXPECT_EQ(m["cycle"].get<uint64_t>(), first5);
  EXPECT_EQ(m["pin"], "in_ready");
  EXPECT_EQ(m["systemc"], "1");
  EXPECT_EQ(m["rtl"], "0");
}
