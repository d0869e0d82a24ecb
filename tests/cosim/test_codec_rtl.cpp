// The skip path's ZVC codec as RTL (hw/rtl/zvc_compressor.v, zvc_decompressor.v): lock-step
// against the SystemC codec pin by pin every cycle (default block, narrow lanes in wide
// words, random stalls on both sides, a FIFO at the deadlock edge), and as a drop-in
// (hardware.skip_codec.impl: rtl) the same cycles, output and statistics as SystemC; and an
// altered compressor caught.
#include <gtest/gtest.h>

#include <string>

#include <nlohmann/json.hpp>

#include "Vzvc_compressor_altered.h"
#include "hw/rtl/rtl_zvc_codec.hpp"
#include "tb/config/config.hpp"
#include "tb/modes/run.hpp"
#include "tb/ref/block_params.hpp"
#include "tests/common/cli.hpp"

using skipsim::test::scratch_dir;
using skipsim::test::sh;
using skipsim::test::slurp;

namespace {

struct RunOut {
  int code = -1;
  nlohmann::json report;
  std::string output;
};

RunOut run(const std::string& config, const std::string& args, const std::string& tag) {
  const auto d = scratch_dir(
      "codec_rtl",
      std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + "_" + tag);
  RunOut r;
  r.code = sh(std::string(SKIPSIM_BINARY) + " run -q --config " + SKIPSIM_SOURCE_DIR + "/" +
              config + " --set hardware.skip_fifo.compression=zvc " + args + " --report " +
              (d / "r.json").string() + " --output " + (d / "y.npy").string() + " 2>/dev/null");
  if (std::filesystem::exists(d / "r.json")) r.report = nlohmann::json::parse(slurp(d / "r.json"));
  if (std::filesystem::exists(d / "y.npy")) r.output = slurp(d / "y.npy");
  return r;
}

const char* kJitter =
    "--set workload.input_throttle.stall_probability=0.35 "
    "--set sim.output_stall_probability=0.3";
const char* kNarrowLanesWideWords =
    "--set hardware.stream.lanes=8 --set hardware.sram.width_bytes=32";

void expect_lockstep(const std::string& config, const std::string& sets) {
  for (const char* block : {"compressor", "decompressor"}) {
    const RunOut r = run(config, std::string("--cosim ") + block + " " + sets, block);
    EXPECT_EQ(r.code, 0) << block << " " << sets;
    ASSERT_TRUE(r.report.contains("cosim")) << block;
    EXPECT_EQ(r.report["cosim"]["module"], block);
    EXPECT_TRUE(r.report["cosim"]["equal"].get<bool>()) << r.report["cosim"].dump();
    EXPECT_GE(r.report["cosim"]["compared_cycles"].get<uint64_t>() + 1,
              r.report["cycles"].get<uint64_t>());
  }
}

void expect_same(const std::string& config, const std::string& sets) {
  const RunOut a = run(config, sets, "systemc");
  const RunOut b = run(config, sets + " --set hardware.skip_codec.impl=rtl", "rtl");
  EXPECT_EQ(a.code, b.code);
  EXPECT_EQ(a.report["cycles"], b.report["cycles"]);
  EXPECT_FALSE(a.output.empty());
  EXPECT_EQ(a.output, b.output);
  EXPECT_EQ(a.report["fifos"]["skip"], b.report["fifos"]["skip"]);
  EXPECT_EQ(a.report["channels"], b.report["channels"]);
  for (const char* m : {"compressor", "decompressor", "skip_fifo", "add"})
    EXPECT_EQ(a.report["modules"][m], b.report["modules"][m]) << m;
}

}  // namespace

TEST(CodecRtl, LockstepOnTheDefaultBlock) { expect_lockstep("configs/resnet18_conv2x.yaml", ""); }

TEST(CodecRtl, LockstepNarrowLanesInWideWordsWithStalls) {
  expect_lockstep("configs/resnet18_conv2x.yaml",
                  std::string(kNarrowLanesWideWords) + " " + kJitter);
}

TEST(CodecRtl, LockstepOnTinyBlocksWithStalls) {
  expect_lockstep("configs/workloads/tiny_basic.yaml",
                  std::string("--set workload.input.w=13 --set workload.seed=3 ") + kJitter);
  expect_lockstep(
      "configs/workloads/tiny_downsample.yaml",
      std::string("--set workload.frames=2 --set hardware.sram.width_bytes=5 ") + kJitter);
  // Words of one byte: every beat spans several words.
  expect_lockstep("configs/workloads/tiny_basic.yaml", "--set hardware.sram.width_bytes=1");
}

TEST(CodecRtl, DropInGivesTheSameRun) {
  expect_same("configs/resnet18_conv2x.yaml", "");
  expect_same("configs/resnet18_conv3_1.yaml", kJitter);
  expect_same("configs/workloads/tiny_basic.yaml", kNarrowLanesWideWords);
}

TEST(CodecRtl, DeadlockIsTheSameDeadlock) {
  const std::string sets = "--set hardware.skip_fifo.depth=3";
  const RunOut a = run("configs/workloads/tiny_basic.yaml", sets, "s");
  const RunOut b =
      run("configs/workloads/tiny_basic.yaml", sets + " --set hardware.skip_codec.impl=rtl", "r");
  EXPECT_EQ(a.code, 3);
  EXPECT_EQ(b.code, 3);
  EXPECT_EQ(a.report["cycles"], b.report["cycles"]);
  EXPECT_EQ(a.report["deadlock_report"]["text"], b.report["deadlock_report"]["text"]);
}

TEST(CodecRtl, RefusedWhereItCannotRun) {
  // More lanes than built, a cosim of a codec that is RTL already, a design without codec,
  // the RTL skip FIFO (beats) asked to hold the codec's words.
  EXPECT_EQ(run("configs/workloads/tiny_basic.yaml",
                "--set hardware.stream.lanes=32 --set hardware.skip_codec.impl=rtl", "lanes")
                .code,
            2);
  EXPECT_EQ(run("configs/workloads/tiny_basic.yaml",
                "--set hardware.skip_codec.impl=rtl --cosim compressor", "twice")
                .code,
            2);
  EXPECT_EQ(run("configs/workloads/tiny_basic.yaml",
                "--set hardware.skip_fifo.compression=none --cosim decompressor", "none")
                .code,
            2);
  EXPECT_EQ(run("configs/workloads/tiny_basic.yaml", "--cosim skip_fifo", "fifo").code, 2);
}

TEST(CodecRtl, AlteredCompressorIsCaught) {
  using namespace skipsim;
  Config cfg = load_config(std::string(SKIPSIM_SOURCE_DIR) + "/configs/workloads/tiny_basic.yaml");
  cfg.hardware.skip_fifo.compression = SkipCompression::kZvc;
  const BlockParams p = random_block(block_shape(cfg.workload), cfg.workload.seed);
  RunOptions opt;
  opt.cosim.module = "compressor";
  opt.cosim.compressor_rtl = [](const char* name, int lanes, int word) {
    return std::unique_ptr<SkipCompressor>(
        std::make_unique<RtlZvcCompressorT<Vzvc_compressor_altered>>(name, lanes, word));
  };
  const RunResult r = run_block(cfg, p, opt);
  ASSERT_EQ(r.end, RunResult::End::kCosimMismatch);
  const auto& m = r.report["cosim"]["first_mismatch"];
  EXPECT_EQ(m["pin"], "in_ready");
  // Once the frame's last beat is in, the SystemC compressor holds ready low.
  EXPECT_EQ(m["systemc"], "0");
  EXPECT_EQ(m["rtl"], "1");
}
