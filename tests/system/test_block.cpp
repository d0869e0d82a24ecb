// End-to-end: whole residual blocks through the SystemC pipeline, bit-exact against the
// golden model, the skip FIFO's deadlock and no-stall depths, and the report contract.
// Each test elaborates one design (ctest runs each in its own process).
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <functional>

#include "tb/ref/block_params.hpp"
#include "tb/config/config.hpp"
#include "hw/common/errors.hpp"
#include "tb/ref/golden.hpp"
#include "tb/modes/run.hpp"

using namespace skipsim;

namespace {
struct Shape {
  const char* block;
  int h, w, c, out_c, lanes, rows, cols;
  double output_stall;
  int64_t depth;
};

Config config_for(const Shape& s, uint64_t seed) {
  const std::string y = fmt::format(
      "hardware:\n  mac_array: {{rows: {}, cols: {}}}\n  stream: {{lanes: {}}}\n"
      "  skip_fifo: {{depth: {}}}\n"
      "workload:\n  block: {}\n  input: {{h: {}, w: {}, c: {}}}\n  out_channels: {}\n"
      "  seed: {}\nsim:\n  output_stall_probability: {}\n",
      s.rows, s.cols, s.lanes, s.depth, s.block, s.h, s.w, s.c, s.out_c, seed, s.output_stall);
  return parse_config(y);
}

BlockShape shape_of(const Config& c) { return block_shape(c.workload); }

RunResult run_and_check(const Shape& s, uint64_t seed,
                        const std::function<void(Config&)>& tweak = nullptr) {
  Config cfg = config_for(s, seed);
  if (tweak) tweak(cfg);
  const BlockParams p = random_block(shape_of(cfg), seed);
  RunResult r = run_block(cfg, p, {});
  EXPECT_EQ(r.end, RunResult::End::kFinished) << r.deadlock_text;
  const Tensor8 want = golden_block(p);
  EXPECT_EQ(r.output.h, want.h);
  EXPECT_EQ(r.output.w, want.w);
  EXPECT_EQ(r.output.c, want.c);
  size_t bad = 0;
  for (size_t i = 0; i < want.data.size() && i < r.output.data.size(); ++i)
    bad += want.data[i] != r.output.data[i];
  EXPECT_EQ(bad, 0u) << "values differing from the golden model";
  return r;
}
}  // namespace

// Six shapes: odd H and W, C not a multiple of lanes, stride 2 (3x3 and the 1x1 shortcut),
// different array sizes, each with seeded random stalls on the output stream.
TEST(BlockBitExact, BasicOddSizesChannelsNotMultipleOfLanes) {
  run_and_check({"basic", 7, 9, 12, 12, 8, 16, 16, 0.3, 4096}, 11);
}
TEST(BlockBitExact, BasicSmallArrayManyFolds) {
  run_and_check({"basic", 6, 5, 20, 20, 16, 4, 8, 0.5, 4096}, 12);
}
TEST(BlockBitExact, DownsampleOddSizes) {
  run_and_check({"downsample", 9, 7, 12, 20, 16, 16, 16, 0.3, 4096}, 13);
}
TEST(BlockBitExact, DownsampleEvenSizesOneLane) {
  run_and_check({"downsample", 8, 6, 3, 5, 1, 8, 4, 0.2, 4096}, 14);
}
TEST(BlockBitExact, BasicWideLanesTinyChannels) {
  run_and_check({"basic", 5, 11, 3, 3, 64, 32, 2, 0.4, 4096}, 15);
}
TEST(BlockBitExact, DownsampleChannelsAboveLanes) {
  run_and_check({"downsample", 11, 5, 40, 36, 16, 16, 16, 0.6, 4096}, 16);
}
TEST(BlockBitExact, BasicOneByOneImage) {
  run_and_check({"basic", 1, 1, 16, 16, 16, 16, 16, 0.0, 64}, 17);
}

TEST(BlockBitExact, ThrottledInputAndThreeFramesBackToBack) {
  const Config cfg = parse_config(
      "hardware: {skip_fifo: {depth: 4096}, mac_array: {rows: 8, cols: 8}}\n"
      "workload: {block: downsample, input: {h: 9, w: 10, c: 12}, out_channels: 16, seed: 21,\n"
      "  frames: 3, input_throttle: {rate: 0.5, stall_probability: 0.3}}\n"
      "sim: {output_stall_probability: 0.2}\n");
  const BlockParams p = random_block(shape_of(cfg), 21);
  const RunResult r = run_block(cfg, p, {});
  ASSERT_EQ(r.end, RunResult::End::kFinished) << r.deadlock_text;
  EXPECT_EQ(r.output, golden_block(p));
  const auto& fr = r.report["frames"];
  ASSERT_EQ(fr["done_cycles"].size(), 3u);
  EXPECT_EQ(fr["done_cycles"][2].get<uint64_t>(), r.report["cycles"].get<uint64_t>());
  EXPECT_EQ(r.report["fifos"]["skip"]["max_occupancy_per_frame"].size(), 3u);
  // Three frames of 5x5 outputs, 1 beat per pixel, through the add.
  EXPECT_EQ(r.report["channels"]["output"]["transfers"].get<uint64_t>(), 3u * 5 * 5);
}

TEST(SkipFifo, TooShallowDepthDeadlocksWithADiagnosis) {
  const Shape s{"basic", 8, 8, 16, 16, 16, 16, 16, 0.0, 4};
  const Config cfg = config_for(s, 3);
  const BlockParams p = random_block(shape_of(cfg), 3);
  const RunResult r = run_block(cfg, p, {});
  ASSERT_EQ(r.end, RunResult::End::kDeadlock);
  EXPECT_TRUE(r.report["deadlock"].get<bool>());
  const auto& d = r.report["deadlock_report"];
  EXPECT_NE(d["text"].get<std::string>().find("skip_fifo"), std::string::npos) << d["text"];
  EXPECT_NE(d["text"].get<std::string>().find("skip_fifo full (4/4)"), std::string::npos)
      << d["text"];
  EXPECT_NE(d["text"].get<std::string>().find("add waits conv2"), std::string::npos) << d["text"];
  EXPECT_EQ(d["detected_by"], "fixed_point");
  EXPECT_TRUE(d["cycle"].get<bool>()) << d["text"];
  EXPECT_EQ(d["chain"][0]["block"], "fork");
  EXPECT_EQ(d["chain"][0]["port"], "skip");
  EXPECT_EQ(r.report["fifos"]["skip"]["max_occupancy"].get<uint64_t>(), 4u);
}

TEST(SkipFifo, DownsampleTooShallowDeadlocks) {
  // With tiles of whole output rows the projection engine's output queue (2 tiles) holds
  // enough of the skip tensor that no skip depth deadlocks; one-pixel tiles leave it a
  // 2-pixel queue, as small as a streaming projection can have.
  const Shape s{"downsample", 12, 12, 16, 16, 16, 16, 16, 0.0, 2};
  Config cfg = config_for(s, 4);
  cfg.hardware.mac_array.tile_pixels = 1;
  const RunResult r = run_block(cfg, random_block(shape_of(cfg), 4), {});
  ASSERT_EQ(r.end, RunResult::End::kDeadlock);
  EXPECT_NE(r.deadlock_text.find("skip_fifo"), std::string::npos) << r.deadlock_text;
}

TEST(SkipFifo, AmpleDepthNeverBlocksTheForkOnTheSkipSide) {
  const RunResult r = run_and_check({"basic", 10, 12, 24, 24, 16, 16, 16, 0.0, 4096}, 5);
  const auto& f = r.report["fifos"]["skip"];
  EXPECT_EQ(f["push_blocked_cycles"].get<uint64_t>(), 0u);
  EXPECT_LE(f["max_occupancy"].get<uint64_t>(), f["depth"].get<uint64_t>());
  EXPECT_GT(f["max_occupancy"].get<uint64_t>(), 0u);
  EXPECT_EQ(r.report["modules"]["fork"]["blocked_on"]["skip"].get<uint64_t>(), 0u);
}

TEST(BlockCycles, ComputeBoundBlockIsTheArraysClosedFormPerTilePlusPipelineFill) {
  // 16x16 array, 16 -> 16 channels, 12x12: each conv runs 12 ws tiles of one output row,
  // a GEMM M = 12, K = 144, N = 16 (9 folds).
  const RunResult r = run_and_check({"basic", 12, 12, 16, 16, 16, 16, 16, 0.0, 4096}, 6);
  const auto tile =
      static_cast<uint64_t>(skipsim_closed_form_cycles(Dataflow::kWs, 16, 16, 12, 16, 144));
  const uint64_t per_conv = 12 * tile;
  const uint64_t cycles = r.report["cycles"].get<uint64_t>();
  EXPECT_EQ(r.report["modules"]["conv1"]["tiles"].get<uint64_t>(), 12u);
  EXPECT_EQ(r.report["modules"]["conv1"]["busy"].get<uint64_t>(), per_conv);
  EXPECT_EQ(r.report["modules"]["conv2"]["busy"].get<uint64_t>(), per_conv);
  // conv2's first tile needs conv1's first two output rows; after that both convs overlap,
  // so the block is one conv's work plus about two tiles of fill and the last row's drain.
  EXPECT_GE(cycles, per_conv + 2 * tile);
  EXPECT_LE(cycles, per_conv + 3 * (tile + 1 + 12) + 600);
  EXPECT_NEAR(r.report["mac_utilization"]["conv1"].get<double>(),
              12.0 * 12 * 16 * 144 / (256.0 * cycles), 1e-9);
}

// Every dataflow of the engines' systolic array gives the golden block.
TEST(BlockBitExact, OutputStationaryEngines) {
  run_and_check({"downsample", 9, 7, 12, 20, 8, 8, 4, 0.3, 4096}, 21,
                [](Config& c) { c.hardware.mac_array.dataflow = Dataflow::kOs; });
}
TEST(BlockBitExact, InputStationaryEnginesSmallTiles) {
  run_and_check({"basic", 7, 9, 12, 12, 8, 4, 8, 0.3, 4096}, 22, [](Config& c) {
    c.hardware.mac_array.dataflow = Dataflow::kIs;
    c.hardware.mac_array.tile_pixels = 3;
  });
}

// 1RW banks: the skip FIFO's head reads lose to its writes; the block stays bit-exact and
// the conflicts are reported (dual-port banks report none: Report.CarriesEveryContractKey).
TEST(SramPorts, SingleReadWritePortConflictsAreCountedAndHarmless) {
  const Shape s{"basic", 10, 10, 16, 16, 16, 16, 16, 0.0, 4096};
  const RunResult rw = run_and_check(s, 23, [](Config& c) {
    c.hardware.sram.dual_port = false;
    c.hardware.sram.banks = 1;
    c.hardware.sram.bank_bytes = 1 << 20;
  });
  const uint64_t conflicts = rw.report["fifos"]["skip"]["bank_conflict_cycles"].get<uint64_t>();
  EXPECT_GT(conflicts, 0u);
  EXPECT_EQ(rw.report["sram"]["bank_conflicts"].get<uint64_t>(), conflicts);
  EXPECT_FALSE(rw.report["sram"]["dual_port"].get<bool>());
}

// Caught when the configuration loads (a cross-key rule), before elaboration.
TEST(SramPorts, RtlSkipFifoNeedsDualPortBanks) {
  try {
    const Config cfg = parse_config(
        "hardware:\n  sram: {dual_port: false}\n  skip_fifo: {impl: rtl, depth: 64}\n"
        "workload:\n  block: basic\n  input: {h: 6, w: 6, c: 16}\n  out_channels: 16\n");
    run_block(cfg, random_block(shape_of(cfg), 1), {});
    ADD_FAILURE() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("hardware.sram.dual_port"), std::string::npos) << e.what();
  }
}

TEST(Report, EnergyIsThePerAccessParametersTimesTheCounts) {
  const RunResult r =
      run_and_check({"basic", 6, 6, 16, 16, 16, 16, 16, 0.0, 4096}, 24, [](Config& c) {
        c.hardware.dram.model = DramModel::kSimple;
        c.hardware.energy.mac_pj = 2.0;
        c.hardware.energy.sram_read_pj_per_byte = 3.0;
        c.hardware.energy.sram_write_pj_per_byte = 5.0;
        c.hardware.energy.dram_pj_per_byte = 7.0;
      });
  const auto& j = r.report;
  const auto& e = j["energy_pj"];
  uint64_t macs = 0;
  for (const char* m : {"conv1", "conv2"}) macs += j["modules"][m]["useful_macs"].get<uint64_t>();
  EXPECT_EQ(macs, 2u * 36 * 16 * 144);  // M * N * K per conv
  uint64_t rd = 0, wr = 0;
  for (const auto& [name, reg] : j["sram"]["regions"].items()) {
    rd += reg["reads"].get<uint64_t>();
    wr += reg["writes"].get<uint64_t>();
  }
  EXPECT_GT(rd, 0u);
  EXPECT_GT(wr, 0u);
  const uint64_t dram =
      j["dram"]["bytes_read"].get<uint64_t>() + j["dram"]["bytes_written"].get<uint64_t>();
  EXPECT_DOUBLE_EQ(e["mac"].get<double>(), 2.0 * macs);
  EXPECT_DOUBLE_EQ(e["sram_read"].get<double>(), 3.0 * rd);
  EXPECT_DOUBLE_EQ(e["sram_write"].get<double>(), 5.0 * wr);
  EXPECT_DOUBLE_EQ(e["dram"].get<double>(), 7.0 * dram);
  EXPECT_DOUBLE_EQ(e["total"].get<double>(), 2.0 * macs + 3.0 * rd + 5.0 * wr + 7.0 * dram);
  EXPECT_EQ(e["dram_source"], "per_byte");
}

TEST(Report, DdrModelEnergyComesFromItsCommands) {
  const RunResult r = run_and_check({"basic", 6, 6, 16, 16, 16, 16, 16, 0.0, 4096}, 25);
  const auto& j = r.report;
  EXPECT_EQ(j["energy_pj"]["dram_source"], "ddr_commands");
  EXPECT_DOUBLE_EQ(j["energy_pj"]["dram"].get<double>(),
                   j["dram"]["ddr"]["energy_pj"]["total"].get<double>());
  EXPECT_GT(j["energy_pj"]["dram"].get<double>(), 0.0);
}

TEST(Report, CarriesEveryContractKey) {
  const RunResult r = run_and_check({"downsample", 6, 6, 16, 32, 16, 16, 16, 0.0, 4096}, 7);
  const auto& j = r.report;
  for (const char* k : {"cycles", "deadlock", "sim_seconds", "sim_cycles_per_second"})
    EXPECT_TRUE(j.contains(k)) << k;
  for (const char* k : {"depth", "max_occupancy", "push_blocked_cycles"})
    EXPECT_TRUE(j["fifos"]["skip"].contains(k)) << k;
  for (const char* m :
       {"dma_read", "fork", "conv1", "conv2", "skip_conv", "skip_fifo", "add", "dma_write"}) {
    ASSERT_TRUE(j["modules"].contains(m)) << m;
    uint64_t total = 0;
    for (const char* k : {"busy", "starved", "blocked", "waiting_dram", "idle"})
      total += j["modules"][m][k].get<uint64_t>();
    EXPECT_GE(total, j["cycles"].get<uint64_t>()) << m << ": every cycle is in one bucket";
  }
  for (const char* e : {"conv1", "conv2", "skip_conv"})
    EXPECT_GT(j["mac_utilization"][e].get<double>(), 0.0) << e;
  EXPECT_EQ(j["fifos"]["skip"]["bank_conflict_cycles"].get<uint64_t>(), 0u);
  EXPECT_TRUE(j["sram"]["dual_port"].get<bool>());
  for (const char* k : {"mac", "sram_read", "sram_write", "dram", "total"})
    EXPECT_GT(j["energy_pj"][k].get<double>(), 0.0) << k;
  // 6x6x16 input + weights (conv1 32x144, conv2 32x288, skip 32x16 + 12 B/channel each).
  EXPECT_EQ(j["dram"]["bytes_read"].get<uint64_t>(),
            6u * 6 * 16 + (32 * 144 + 32 * 288 + 32 * 16) + 3 * 12 * 32);
  EXPECT_EQ(j["dram"]["bytes_written"].get<uint64_t>(), 3u * 3 * 32);
}
