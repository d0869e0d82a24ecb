// Unit tests of the config layer's cross-key checks (before elaboration), the DRAM preset read
// once per run, the one preset resolver behind `skipsim dram --config`, and the enum name
// tables every parser and printer shares.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "hw/common/errors.hpp"
#include "hw/dram/ddr_config.hpp"
#include "hw/mac_array/dataflow.hpp"
#include "tb/config/config.hpp"
#include "tb/config/dram_preset.hpp"
#include "tests/common/dram_timings.hpp"

#include "tests/common/config_errors.hpp"

using namespace skipsim;

namespace {

namespace fs = std::filesystem;

const std::string kSourceDir = SKIPSIM_SOURCE_DIR;

using test::error_of;
using test::parse_error;

class ConfigDir : public test::ConfigScratch {};

TEST(ConfigChecks, SinglePortSramNeedsTheSystemcSkipFifo) {
  const std::string e =
      parse_error("hardware: {sram: {dual_port: false}}", {"hardware.skip_fifo.impl=rtl"});
  EXPECT_EQ(e,
            "config error: --set hardware.skip_fifo.impl=rtl: hardware.sram.dual_port: false "
            "(1RW banks) is modelled by the SystemC skip FIFO only; hardware.skip_fifo.impl: rtl "
            "needs dual_port: true");
  EXPECT_NO_THROW(parse_config("hardware: {sram: {dual_port: false}}"));
}

TEST(ConfigChecks, SpillDepthHoldsOneBurst) {
  // 128-byte bursts of 4-lane beats: 32 beats.
  const std::string e = parse_error(
      "hardware: {skip_fifo: {policy: spill, depth: 31}, stream: {lanes: 4}, dram: {burst_bytes: "
      "128}}");
  EXPECT_EQ(e,
            "config error: x.yaml: hardware.skip_fifo.depth: policy spill fills whole DRAM bursts "
            "back on chip, so depth must be at least hardware.dram.burst_bytes / "
            "hardware.stream.lanes = 128 / 4 = 32 beats, got 31");
  // The file that set the last of the keys involved is named.
  EXPECT_EQ(parse_error("hardware: {skip_fifo: {depth: 3}}", {"hardware.skip_fifo.policy=spill"})
                .rfind("config error: --set hardware.skip_fifo.policy=spill: "
                       "hardware.skip_fifo.depth: ",
                       0),
            0u);
  EXPECT_NO_THROW(parse_config("hardware: {skip_fifo: {policy: spill, depth: 4}}"));
  EXPECT_NO_THROW(parse_config("hardware: {skip_fifo: {depth: 1}}"));  // block: any depth
}

TEST(ConfigChecks, RtlBlocksNeedTheBuiltRtl) {
  for (const char* key : {"hardware.skip_fifo.impl", "hardware.fork.impl", "hardware.add.impl",
                          "hardware.mac_array.impl"}) {
    const std::string set = std::string(key) + "=rtl";
#ifdef SKIPSIM_HAVE_RTL
    const std::string lanes = fmt::format("hardware.stream.lanes={}", SKIPSIM_RTL_LANES % 64 + 1);
    const std::string rows =
        fmt::format("hardware.mac_array.rows={}", SKIPSIM_RTL_MAC_ROWS % 256 + 1);
    const bool array = std::string(key) == "hardware.mac_array.impl";
    const std::string e = parse_error("", {set, array ? rows : lanes});
    EXPECT_EQ(e.rfind(fmt::format("config error: --set {}: {}: ", array ? rows : lanes, key), 0),
              0u)
        << e;
    EXPECT_NE(e.find(array ? "the RTL array is built as" : "rtl is built for"), std::string::npos)
        << e;
    EXPECT_NE(e.find(array ? "-DSKIPSIM_RTL_MAC_ROWS=" : "-DSKIPSIM_RTL_LANES="), std::string::npos)
        << e;
    EXPECT_NO_THROW(parse_config("", {set})) << key;
#else
    EXPECT_EQ(parse_error("", {set}),
              fmt::format("config error: --set {}: {}: rtl needs a build with Verilator "
                          "(-DSKIPSIM_RTL=ON); this build has systemc only",
                          set, key));
#endif
  }
}

TEST(ConfigChecks, RtlSkipCodecNeedsTheBuiltRtl) {
  const std::string zvc = "hardware.skip_fifo.compression=zvc";
  const std::string set = "hardware.skip_codec.impl=rtl";
#ifdef SKIPSIM_HAVE_RTL
  // The codecs take the lanes at run time: fewer than built are fine, more are not.
  EXPECT_NO_THROW(parse_config("", {zvc, set, "hardware.stream.lanes=1"}));
  EXPECT_NO_THROW(parse_config("", {zvc, set}));
  const std::string more = fmt::format("hardware.stream.lanes={}", SKIPSIM_RTL_LANES + 1);
  const std::string e = parse_error("", {zvc, set, more});
  EXPECT_EQ(e, fmt::format("config error: --set {0}: hardware.skip_codec.impl: rtl is built for "
                           "at most {1} lanes, hardware.stream.lanes is {2} (set "
                           "hardware.skip_codec.impl: systemc, or rebuild with "
                           "-DSKIPSIM_RTL_LANES={2})",
                           more, SKIPSIM_RTL_LANES, SKIPSIM_RTL_LANES + 1));
#else
  EXPECT_EQ(parse_error("", {zvc, set}),
            fmt::format("config error: --set {0}: hardware.skip_codec.impl: rtl needs a build "
                        "with Verilator (-DSKIPSIM_RTL=ON); this build has systemc only",
                        set));
#endif
}

TEST_F(ConfigDir, PresetIsReadOnceAtLoad) {
  const std::string preset = write(
      "slow.yaml",
      "dram: {" + skipsim::test::with_ddr4_timings("name: SLOW, tRCD: 30, tRP: 30, e_act_pj: 7") +
          "}\n");
  const std::string run = write("run.yaml", "hardware: {dram: {preset: slow.yaml}}\n");
  const Config c = load_config(run);
  fs::remove(preset);  // ddr_config_of must not need it any more
  EXPECT_EQ(ddr_config_of(c).name, "SLOW");
  EXPECT_EQ(ddr_config_of(c).tRCD, 30);
  EXPECT_EQ(ddr_config_of(c).e_act_pj, 7.0);
  EXPECT_EQ(c.hardware.dram.preset_path, (dir_ / "slow.yaml").string());
  // Errors in the preset name the preset file.
  write("bad.yaml", "dram: {" + skipsim::test::with_ddr4_timings("tRCD: 0") + "}\n");
  const std::string bad = write("run2.yaml", "hardware: {dram: {preset: bad.yaml}}\n");
  EXPECT_EQ(error_of([&] { load_config(bad); }),
            "config error: " + (dir_ / "bad.yaml").string() +
                ": dram.tRCD: expected an integer in [1, 1000], got '0'");
}

TEST_F(ConfigDir, DramPresetGivenAsRunConfigNamesTheMissingSection) {
  const std::string e = error_of([&] { load_config(kSourceDir + "/configs/dram/ddr4_3200.yaml"); });
  EXPECT_NE(e.find("ddr4_3200.yaml: no hardware:, workload: or sim: section"), std::string::npos)
      << e;
  EXPECT_NE(e.find("DRAM preset"), std::string::npos) << e;
  // Beside run sections, `dram:` is just an unknown key.
  EXPECT_EQ(parse_error("hardware: {}\ndram: {tRCD: 3}\n"),
            "config error: x.yaml: dram: unknown key (allowed: description, base, hardware, "
            "workload, sim, npu)");
  // And a run configuration named as a preset.
  const std::string run = write("run.yaml", "hardware: {dram: {preset: run.yaml}}\n");
  const std::string r = error_of([&] { load_config(run); });
  EXPECT_NE(r.find("run.yaml: a run configuration, not a DRAM preset"), std::string::npos) << r;
}

TEST_F(ConfigDir, TraceModeTakesPresetsNamesAndRunConfigs) {
  EXPECT_EQ(dram_config_for_trace(kSourceDir + "/configs/dram/ddr4_2400.yaml").name, "DDR4-2400");
  EXPECT_EQ(dram_config_for_trace("hbm2_pc").name,
            load_dram_preset(kSourceDir + "/configs/dram/hbm2_pc.yaml").name);
  for (const char* f : {"npu/default.yaml", "resnet18_conv2x.yaml", "resnet18_conv3_1.yaml",
                        "workloads/tiny_basic.yaml"})
    EXPECT_EQ(dram_config_for_trace(kSourceDir + "/configs/" + f).name, "DDR4-3200") << f;
  // A preset named relative to the run configuration, even with model: simple.
  write("p.yaml", "dram: {" + skipsim::test::with_ddr4_timings("name: MINE") + "}\n");
  EXPECT_EQ(
      dram_config_for_trace(write("r.yaml", "hardware: {dram: {model: simple, preset: p.yaml}}\n"))
          .name,
      "MINE");
  const std::string none = write("none.yaml", "workload: {block: basic}\n");
  EXPECT_EQ(error_of([&] { dram_config_for_trace(none); }),
            "config error: " + none +
                ": no DRAM section: expected a DRAM preset (a top-level `dram:` map, as in "
                "configs/dram/) or a run configuration whose hardware.dram section names one "
                "(preset: NAME or FILE)");
  EXPECT_EQ(error_of([&] { dram_config_for_trace("ddr9"); })
                .rfind("config error: --config: no preset or file 'ddr9' (presets: ddr4_2400, "
                       "ddr4_3200, ddr4_3200_dramsim3, hbm2_pc, lpddr4_3200)",
                       0),
            0u);
  // Run configurations are checked key by key.
  const std::string bad = write("bad.yaml", "hardware: {dram: {preset: ddr4_3200, model: x}}\n");
  EXPECT_NE(error_of([&] { dram_config_for_trace(bad); }).find("hardware.dram.model: expected "),
            std::string::npos);
}

// Each enum's names come from its one table: parse and print agree, and the schema's
// "expected one of" lists exactly the table.
template <typename E>
void expect_round_trip(std::initializer_list<E> values) {
  for (E v : values) EXPECT_EQ(parse_enum<E>(enum_name(v)), v) << enum_name(v);
  EXPECT_FALSE(parse_enum<E>("nonsense").has_value());
}

TEST(EnumNames, EachTableRoundTrips) {
  expect_round_trip({Dataflow::kWs, Dataflow::kOs, Dataflow::kIs});
  expect_round_trip({BlockKind::kBasic, BlockKind::kDownsample, BlockKind::kBottleneck});
  expect_round_trip({Impl::kSystemC, Impl::kRtl});
  expect_round_trip({DramModel::kSimple, DramModel::kDdr});
  expect_round_trip({SkipPolicy::kBlock, SkipPolicy::kSpill});
  expect_round_trip({PagePolicy::kOpen, PagePolicy::kClosed});
  EXPECT_EQ(enum_choices<Dataflow>(), "ws, os, is");
  EXPECT_EQ(std::string(dataflow_name(Dataflow::kIs)), "is");
  EXPECT_NE(parse_error("workload: {block: residual}")
                .find("expected one of: " + enum_choices<BlockKind>() + ", got 'residual'"),
            std::string::npos);
  EXPECT_NE(dump_config(parse_config("hardware: {dram: {model: simple}}")).find("model: simple"),
            std::string::npos);
}

}  // namespace

// A base file that never ends (/dev/zero) is refused after a bounded read, not read forever.
TEST(ConfigBase, EndlessBaseFileIsRefused) {
  const std::string msg = parse_error("base: /dev/zero\n");
  EXPECT_NE(msg.find("larger than 16 MiB"), std::string::npos) << msg;
}
