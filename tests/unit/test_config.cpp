// Unit tests of the YAML configuration: schema, errors, base files, --set, dump round trip.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "hw/common/errors.hpp"
#include "tb/config/config.hpp"
#include "tb/config/run_config.hpp"

#include "tests/common/config_errors.hpp"

using namespace skipsim;

namespace {

namespace fs = std::filesystem;

const std::string kSourceDir = SKIPSIM_SOURCE_DIR;

using test::error_of;
using test::parse_error;

// Every field of a and b is equal.
void expect_same(const Config& a, const Config& b) {
  const HardwareConfig &ha = a.hardware, &hb = b.hardware;
  EXPECT_EQ(ha.clock_ghz, hb.clock_ghz);
  EXPECT_EQ(ha.mac_array.rows, hb.mac_array.rows);
  EXPECT_EQ(ha.mac_array.cols, hb.mac_array.cols);
  EXPECT_EQ(ha.mac_array.dataflow, hb.mac_array.dataflow);
  EXPECT_EQ(ha.mac_array.scalesim_compat, hb.mac_array.scalesim_compat);
  EXPECT_EQ(ha.stream.lanes, hb.stream.lanes);
  EXPECT_EQ(ha.skip_fifo.depth, hb.skip_fifo.depth);
  EXPECT_EQ(ha.skip_fifo.impl, hb.skip_fifo.impl);
  EXPECT_EQ(ha.skip_fifo.policy, hb.skip_fifo.policy);
  EXPECT_EQ(ha.skip_fifo.spill_ring_bytes, hb.skip_fifo.spill_ring_bytes);
  EXPECT_EQ(ha.dram.model, hb.dram.model);
  EXPECT_EQ(ha.dram.preset, hb.dram.preset);
  EXPECT_EQ(ha.fork.impl, hb.fork.impl);
  EXPECT_EQ(ha.add.impl, hb.add.impl);
  EXPECT_EQ(ha.skip_codec.impl, hb.skip_codec.impl);
  EXPECT_EQ(ha.sram.banks, hb.sram.banks);
  EXPECT_EQ(ha.sram.bank_bytes, hb.sram.bank_bytes);
  EXPECT_EQ(ha.sram.width_bytes, hb.sram.width_bytes);
  EXPECT_EQ(ha.dram.clock_ghz, hb.dram.clock_ghz);
  EXPECT_EQ(ha.dram.latency_ns, hb.dram.latency_ns);
  EXPECT_EQ(ha.dram.bytes_per_cycle, hb.dram.bytes_per_cycle);
  EXPECT_EQ(ha.dram.queue_depth, hb.dram.queue_depth);
  EXPECT_EQ(ha.dram.burst_bytes, hb.dram.burst_bytes);
  EXPECT_EQ(ha.dma.max_outstanding, hb.dma.max_outstanding);
  EXPECT_EQ(a.workload.block, b.workload.block);
  EXPECT_EQ(a.workload.h, b.workload.h);
  EXPECT_EQ(a.workload.w, b.workload.w);
  EXPECT_EQ(a.workload.c, b.workload.c);
  EXPECT_EQ(a.workload.out_channels, b.workload.out_channels);
  EXPECT_EQ(a.workload.seed, b.workload.seed);
  EXPECT_EQ(a.workload.frames, b.workload.frames);
  EXPECT_EQ(a.workload.input_rate, b.workload.input_rate);
  EXPECT_EQ(a.workload.input_stall_probability, b.workload.input_stall_probability);
  EXPECT_EQ(a.sim.deadlock_window, b.sim.deadlock_window);
  EXPECT_EQ(a.sim.max_cycles, b.sim.max_cycles);
  EXPECT_EQ(a.sim.output_stall_probability, b.sim.output_stall_probability);
}

// Every key set to a value other than its default.
const char* kAllKeys = R"(
description: every key
hardware:
  clock_ghz: 1.25
  mac_array: {rows: 8, cols: 32, dataflow: os, scalesim_compat: true}
  stream: {lanes: 4}
  skip_fifo: {depth: 1099511627776, impl: rtl, policy: block, spill_ring_bytes: 4096}
  fork: {impl: rtl}
  add: {impl: rtl}
  skip_codec: {impl: rtl}
  sram: {banks: 8, bank_bytes: 0x1000, width_bytes: 8}
  dram: {model: simple, preset: lpddr4_3200, clock_ghz: 3.2, latency_ns: 45.5,
         bytes_per_cycle: 32, queue_depth: 4, burst_bytes: 128}
  dma: {max_outstanding: 2}
workload:
  block: downsample
  input: {h: 9, w: 7, c: 12}
  out_channels: 20
  seed: 18446744073709551615
  frames: 3
  input_throttle: {rate: 0.5, stall_probability: 0.125}
sim:
  deadlock_window: 5000
  max_cycles: 1000000
  output_stall_probability: 0.25
)";

// kAllKeys sets every impl to rtl at sizes no RTL build has, which the cross-key checks
// reject: the schema tests assign its keys without them.
Config parse_unchecked(const std::string& text) {
  return assign_config(run_schema().load_text(text, "<string>", "."), "<string>");
}

// A scratch directory for files of one test.
class ConfigFiles : public test::ConfigScratch {};

TEST(ConfigSchema, DefaultsFromEmptyText) {
  const Config c = parse_config("");
  expect_same(c, Config{});
  EXPECT_EQ(c.hardware.mac_array.rows, 16);
  EXPECT_EQ(c.hardware.skip_fifo.depth, 4096);
  EXPECT_EQ(c.workload.block, BlockKind::kBasic);
  EXPECT_EQ(c.source, "<string>");
  expect_same(parse_config("description: nothing else\nhardware:\n"), Config{});
}

TEST(ConfigSchema, EveryKeyParsed) {
  const Config c = parse_unchecked(kAllKeys);
  EXPECT_EQ(c.hardware.clock_ghz, 1.25);
  EXPECT_EQ(c.hardware.mac_array.rows, 8);
  EXPECT_EQ(c.hardware.mac_array.cols, 32);
  EXPECT_EQ(c.hardware.mac_array.dataflow, Dataflow::kOs);
  EXPECT_TRUE(c.hardware.mac_array.scalesim_compat);
  EXPECT_EQ(c.hardware.stream.lanes, 4);
  EXPECT_EQ(c.hardware.skip_fifo.depth, int64_t{1} << 40);
  EXPECT_EQ(c.hardware.sram.banks, 8);
  EXPECT_EQ(c.hardware.sram.bank_bytes, 4096);
  EXPECT_EQ(c.hardware.sram.width_bytes, 8);
  EXPECT_EQ(c.hardware.dram.clock_ghz, 3.2);
  EXPECT_EQ(c.hardware.dram.latency_ns, 45.5);
  EXPECT_EQ(c.hardware.dram.bytes_per_cycle, 32);
  EXPECT_EQ(c.hardware.dram.queue_depth, 4);
  EXPECT_EQ(c.hardware.dram.burst_bytes, 128);
  EXPECT_EQ(c.hardware.dma.max_outstanding, 2);
  EXPECT_EQ(c.workload.block, BlockKind::kDownsample);
  EXPECT_EQ(c.workload.h, 9);
  EXPECT_EQ(c.workload.w, 7);
  EXPECT_EQ(c.workload.c, 12);
  EXPECT_EQ(c.workload.out_channels, 20);
  EXPECT_EQ(c.workload.seed, 18446744073709551615ull);
  EXPECT_EQ(c.workload.frames, 3);
  EXPECT_EQ(c.workload.input_rate, 0.5);
  EXPECT_EQ(c.workload.input_stall_probability, 0.125);
  EXPECT_EQ(c.hardware.skip_fifo.impl, Impl::kRtl);
  EXPECT_EQ(c.hardware.fork.impl, Impl::kRtl);
  EXPECT_EQ(c.hardware.add.impl, Impl::kRtl);
  EXPECT_EQ(c.hardware.skip_codec.impl, Impl::kRtl);
  EXPECT_EQ(c.sim.deadlock_window, 5000);
  EXPECT_EQ(c.sim.max_cycles, 1000000);
  EXPECT_EQ(c.sim.output_stall_probability, 0.25);
}

TEST(ConfigSchema, RangeEdgesAccepted) {
  const Config c = parse_config(
      "hardware: {clock_ghz: 10, dram: {latency_ns: 0, burst_bytes: 16}, stream: {lanes: 64}}\n"
      "sim: {deadlock_window: 0, max_cycles: 0, output_stall_probability: 0}\n"
      "workload: {seed: 0, input: {c: 4096}, out_channels: 4096}\n");
  EXPECT_EQ(c.hardware.clock_ghz, 10.0);
  EXPECT_EQ(c.hardware.dram.latency_ns, 0.0);
  EXPECT_EQ(c.hardware.dram.burst_bytes, 16);
  EXPECT_EQ(c.hardware.stream.lanes, 64);
  EXPECT_EQ(c.workload.c, 4096);
}

TEST(ConfigPresets, EachPresetLoads) {
  const Config npu = load_config(kSourceDir + "/configs/npu/default.yaml");
  expect_same(npu, Config{});  // the struct defaults are the default NPU

  const Config c2 = load_config(kSourceDir + "/configs/resnet18_conv2x.yaml");
  EXPECT_EQ(c2.workload.block, BlockKind::kBasic);
  EXPECT_EQ(c2.workload.h, 56);
  EXPECT_EQ(c2.workload.w, 56);
  EXPECT_EQ(c2.workload.c, 64);
  EXPECT_EQ(c2.workload.out_channels, 64);
  EXPECT_EQ(c2.workload.seed, 1u);
  EXPECT_EQ(c2.hardware.sram.banks * c2.hardware.sram.bank_bytes, 8 << 20);
  EXPECT_EQ(c2.source, kSourceDir + "/configs/resnet18_conv2x.yaml");

  const Config c3 = load_config(kSourceDir + "/configs/resnet18_conv3_1.yaml");
  EXPECT_EQ(c3.workload.block, BlockKind::kDownsample);
  EXPECT_EQ(c3.workload.c, 64);
  EXPECT_EQ(c3.workload.out_channels, 128);

  const Config tb = load_config(kSourceDir + "/configs/workloads/tiny_basic.yaml");
  EXPECT_EQ(tb.workload.block, BlockKind::kBasic);
  EXPECT_EQ(tb.workload.h, 8);
  EXPECT_EQ(tb.workload.c, 16);
  EXPECT_EQ(tb.workload.out_channels, 16);
  EXPECT_EQ(tb.hardware.dram.clock_ghz, 1.6);

  const Config td = load_config(kSourceDir + "/configs/workloads/tiny_downsample.yaml");
  EXPECT_EQ(td.workload.block, BlockKind::kDownsample);
  EXPECT_EQ(td.workload.h, 9);
  EXPECT_EQ(td.workload.w, 7);
  EXPECT_EQ(td.workload.c, 12);
  EXPECT_EQ(td.workload.out_channels, 20);
}

TEST(ConfigErrors, UnknownKeyAtEveryLevel) {
  EXPECT_EQ(parse_error("hardwar: {}"),
            "config error: x.yaml: hardwar: unknown key "
            "(allowed: description, base, hardware, workload, sim, npu)");
  EXPECT_EQ(parse_error("hardware: {mac_aray: {rows: 1}}"),
            "config error: x.yaml: hardware.mac_aray: unknown key (allowed: clock_ghz, "
            "mac_array, stream, skip_fifo, fork, add, skip_codec, sram, energy, dram, dma)");
  EXPECT_EQ(parse_error("hardware:\n  mac_array:\n    rowz: 16\n"),
            "config error: x.yaml: hardware.mac_array.rowz: unknown key (allowed: rows, cols, "
            "dataflow, scalesim_compat, tile_pixels, impl, model)");
  EXPECT_EQ(parse_error("workload: {input: {d: 3}}"),
            "config error: x.yaml: workload.input.d: unknown key (allowed: h, w, c)");
  EXPECT_NE(parse_error("sim: {base: x.yaml}").find("sim.base: unknown key"), std::string::npos);
  // A leaf is not a group.
  EXPECT_NE(parse_error("hardware: {stream: {lanes: {x: 1}}}")
                .find("hardware.stream.lanes: expected an integer in [1, 64], got a map"),
            std::string::npos);
}

TEST(ConfigErrors, WrongTypes) {
  EXPECT_EQ(parse_error("hardware: {mac_array: {rows: abc}}"),
            "config error: x.yaml: hardware.mac_array.rows: expected an integer in [1, 256], "
            "got 'abc'");
  EXPECT_EQ(parse_error("hardware: {mac_array: {rows: 16.5}}"),
            "config error: x.yaml: hardware.mac_array.rows: expected an integer in [1, 256], "
            "got '16.5'");
  EXPECT_NE(parse_error("hardware: {mac_array: {cols: true}}")
                .find("hardware.mac_array.cols: expected an integer in [1, 256], got 'true'"),
            std::string::npos);
  EXPECT_NE(parse_error("hardware: {mac_array: {cols: '16'}}")
                .find("hardware.mac_array.cols: expected an integer in [1, 256], "
                      "got the string '16'"),
            std::string::npos);
  EXPECT_NE(parse_error("hardware: {sram: {banks: {n: 4}}}")
                .find("hardware.sram.banks: expected an integer in [1, 1024], got a map"),
            std::string::npos);
  EXPECT_NE(parse_error("hardware: {sram: {banks: [4]}}").find("hardware.sram.banks: "),
            std::string::npos);
  EXPECT_NE(parse_error("hardware: {sram: {banks: }}")
                .find("hardware.sram.banks: expected an integer in [1, 1024], got an empty value"),
            std::string::npos);
  EXPECT_NE(parse_error("hardware: {dram: {latency_ns: fast}}")
                .find("hardware.dram.latency_ns: expected a number in [0, 1000000], got 'fast'"),
            std::string::npos);
  EXPECT_NE(parse_error("hardware: {clock_ghz: .nan}").find("hardware.clock_ghz: "),
            std::string::npos);
  EXPECT_EQ(parse_error("workload: {block: residual}"),
            "config error: x.yaml: workload.block: expected one of: basic, downsample, "
            "bottleneck, got 'residual'");
  EXPECT_NE(parse_error("hardware: 16").find("hardware: expected a map (keys: clock_ghz"),
            std::string::npos);
  EXPECT_NE(parse_error("workload: {input: 8}").find("workload.input: expected a map"),
            std::string::npos);
  EXPECT_NE(parse_error("[1, 2]").find("expected a map of keys at the top level"),
            std::string::npos);
  EXPECT_NE(parse_error("hardware: {stream: {lanes: 8, lanes: 4}}")
                .find("hardware.stream.lanes: duplicate key"),
            std::string::npos);
}

TEST(ConfigErrors, ZeroNegativeAndOutOfRange) {
  EXPECT_EQ(parse_error("hardware: {skip_fifo: {depth: 0}}"),
            "config error: x.yaml: hardware.skip_fifo.depth: expected an integer in [1, 2^40], "
            "got '0'");
  EXPECT_NE(parse_error("hardware: {sram: {bank_bytes: -4}}")
                .find("hardware.sram.bank_bytes: expected an integer in [1, 2^30], got '-4'"),
            std::string::npos);
  EXPECT_NE(parse_error("hardware: {stream: {lanes: 65}}")
                .find("hardware.stream.lanes: expected an integer in [1, 64], got '65'"),
            std::string::npos);
  EXPECT_NE(parse_error("hardware: {clock_ghz: 0}")
                .find("hardware.clock_ghz: expected a number in [0.01, 10], got '0'"),
            std::string::npos);
  EXPECT_NE(parse_error("hardware: {dram: {clock_ghz: -1.5}}").find("hardware.dram.clock_ghz: "),
            std::string::npos);
  EXPECT_NE(parse_error("hardware: {dram: {burst_bytes: 48}}")
                .find("hardware.dram.burst_bytes: expected a power of two in [16, 4096], "
                      "got '48'"),
            std::string::npos);
  EXPECT_NE(
      parse_error("hardware: {dram: {burst_bytes: 8192}}").find("hardware.dram.burst_bytes: "),
      std::string::npos);
  EXPECT_NE(parse_error("workload: {input: {h: 0}}").find("workload.input.h: "), std::string::npos);
  EXPECT_NE(parse_error("workload: {seed: -1}").find("workload.seed: "), std::string::npos);
  EXPECT_NE(parse_error("workload: {seed: 18446744073709551616}").find("workload.seed: "),
            std::string::npos);
  EXPECT_NE(parse_error("sim: {max_cycles: -1}").find("sim.max_cycles: "), std::string::npos);
  EXPECT_NE(parse_error("sim: {output_stall_probability: 1}")
                .find("sim.output_stall_probability: expected a number in [0, 1), got '1'"),
            std::string::npos);
}

TEST(ConfigErrors, BasicBlockNeedsSameChannels) {
  const std::string e = parse_error("workload: {block: basic, input: {c: 64}, out_channels: 32}");
  EXPECT_EQ(e.rfind("config error: x.yaml: workload.out_channels: ", 0), 0u) << e;
  EXPECT_NE(e.find("identity shortcut"), std::string::npos) << e;
  EXPECT_NE(e.find("got 32"), std::string::npos) << e;
  // The --set that broke it is named.
  const std::string s = error_of([] {
    load_config(kSourceDir + "/configs/workloads/tiny_basic.yaml", {"workload.input.c=32"});
  });
  EXPECT_EQ(s.rfind("config error: --set workload.input.c=32: workload.out_channels: ", 0), 0u)
      << s;
  EXPECT_NO_THROW(parse_config("workload: {block: downsample, input: {c: 64}, out_channels: 32}"));
}

TEST(ConfigOverrides, SetOverridesAndLaterWins) {
  const Config c = parse_config(
      "hardware: {mac_array: {rows: 8}}",
      {"hardware.mac_array.rows=32", "hardware.dram.latency_ns=1.5", "workload.block=downsample",
       "workload.out_channels=128", "hardware.mac_array.rows=4", "workload.seed=7"});
  EXPECT_EQ(c.hardware.mac_array.rows, 4);
  EXPECT_EQ(c.hardware.dram.latency_ns, 1.5);
  EXPECT_EQ(c.workload.block, BlockKind::kDownsample);
  EXPECT_EQ(c.workload.out_channels, 128);
  EXPECT_EQ(c.workload.seed, 7u);
  // Applied on top of the merged base files.
  const Config t =
      load_config(kSourceDir + "/configs/resnet18_conv2x.yaml", {"hardware.skip_fifo.depth=16"});
  EXPECT_EQ(t.hardware.skip_fifo.depth, 16);
  EXPECT_EQ(t.workload.h, 56);
}

TEST(ConfigOverrides, BadSetIsNamed) {
  EXPECT_EQ(parse_error("", {"foo.bar=1"}),
            "config error: --set foo.bar=1: unknown key 'foo.bar' "
            "(allowed at the top level: hardware, workload, sim, npu)");
  EXPECT_EQ(parse_error("", {"hardware.mac_array.rowz=1"}),
            "config error: --set hardware.mac_array.rowz=1: unknown key "
            "'hardware.mac_array.rowz' (allowed at hardware.mac_array: rows, cols, dataflow, "
            "scalesim_compat, tile_pixels, impl, model)");
  EXPECT_NE(parse_error("", {"hardware.mac_array=1"}).find("'hardware.mac_array' is a group"),
            std::string::npos);
  EXPECT_EQ(parse_error("", {"hardware.mac_array.rows"})
                .rfind("config error: --set hardware.mac_array.rows: expected KEY=VALUE", 0),
            0u);
  EXPECT_EQ(parse_error("", {"hardware.stream.lanes=many"}),
            "config error: --set hardware.stream.lanes=many: hardware.stream.lanes: expected an "
            "integer in [1, 64], got 'many'");
  EXPECT_NE(parse_error("", {"hardware.stream.lanes=[1,"})
                .find("config error: --set hardware.stream.lanes=[1,"),
            std::string::npos);
}

TEST_F(ConfigFiles, BaseMergesDeeplyAndIncluderWins) {
  write("npu/base.yaml",
        "hardware:\n  mac_array: {rows: 8, cols: 8}\n  dram: {latency_ns: 30}\n"
        "workload: {seed: 5}\n");
  write("npu/mid.yaml", "base: base.yaml\nhardware: {mac_array: {cols: 32}}\n");
  const std::string top =
      write("top.yaml", "base: npu/mid.yaml\nhardware: {mac_array: {rows: 4}}\n");
  const Config c = load_config(top);
  EXPECT_EQ(c.hardware.mac_array.rows, 4);   // top
  EXPECT_EQ(c.hardware.mac_array.cols, 32);  // mid
  EXPECT_EQ(c.hardware.dram.latency_ns, 30);
  EXPECT_EQ(c.workload.seed, 5u);
  EXPECT_EQ(c.hardware.stream.lanes, 16);  // default
  EXPECT_EQ(c.source, top);

  // Errors in a base file name that file.
  write("bad.yaml", "hardware: {stream: {lanes: 0}}\n");
  const std::string e = error_of([&] { load_config(write("uses_bad.yaml", "base: bad.yaml\n")); });
  EXPECT_EQ(
      e.rfind("config error: " + (dir_ / "bad.yaml").string() + ": hardware.stream.lanes: ", 0), 0u)
      << e;
}

TEST_F(ConfigFiles, BaseCycleAndMissingBase) {
  write("a.yaml", "base: b.yaml\n");
  write("b.yaml", "base: sub/../a.yaml\n");
  const std::string e = error_of([&] { load_config((dir_ / "a.yaml").string()); });
  EXPECT_NE(e.find("base: cycle of base files"), std::string::npos) << e;
  EXPECT_NE(e.find("a.yaml -> "), std::string::npos) << e;
  const std::string self = error_of([&] { load_config(write("self.yaml", "base: self.yaml\n")); });
  EXPECT_NE(self.find("base: cycle"), std::string::npos) << self;

  const std::string m = error_of([&] { load_config(write("m.yaml", "base: nope.yaml\n")); });
  EXPECT_EQ(m.rfind("config error: " + (dir_ / "m.yaml").string() + ": base: cannot read '", 0), 0u)
      << m;
  EXPECT_NE(m.find("nope.yaml"), std::string::npos) << m;
  EXPECT_NE(error_of([&] {
              load_config(write("n.yaml", "base: {x: 1}\n"));
            }).find("base: expected a string, got a map"),
            std::string::npos);
}

TEST_F(ConfigFiles, MissingFileAndSyntaxError) {
  const std::string missing = (dir_ / "missing.yaml").string();
  const std::string m = error_of([&] { load_config(missing); });
  EXPECT_EQ(m, "config error: " + missing + ": cannot read file: No such file or directory");

  const std::string bad = write("bad.yaml", "hardware:\n  mac_array: {rows: 4\n  stream: 8\n");
  const std::string e = error_of([&] { load_config(bad); });
  EXPECT_EQ(e.rfind("config error: " + bad + ":", 0), 0u) << e;
  EXPECT_NE(e.find("invalid YAML"), std::string::npos) << e;
  EXPECT_EQ(e.find('\n'), std::string::npos) << e;
  const std::string t = parse_error("a: 1\n b: 2\n");
  EXPECT_EQ(t.rfind("config error: x.yaml:2:3: invalid YAML: ", 0), 0u) << t;
}

TEST(ConfigDump, RoundTripsEveryKey) {
  for (const char* text : {"", kAllKeys}) {
    const Config c = parse_unchecked(text);
    const std::string dump = dump_config(c);
    const Config back = parse_unchecked(dump);
    expect_same(back, c);
    EXPECT_EQ(dump_config(back).substr(dump.find('\n')), dump.substr(dump.find('\n')));
  }
  const std::string d = dump_config(Config{});
  EXPECT_NE(d.find("hardware:\n  clock_ghz: 1.0\n  mac_array:\n    rows: 16\n    cols: 16\n"),
            std::string::npos)
      << d;
  EXPECT_NE(d.find("workload:\n  block: basic\n  input:\n    h: 56\n"), std::string::npos) << d;
  EXPECT_NE(d.find("sim:\n  deadlock_window: 0\n"), std::string::npos) << d;
}

TEST(ConfigDump, OddDoublesRoundTrip) {
  Config c;
  c.hardware.clock_ghz = 0.1 + 0.2;
  c.hardware.dram.latency_ns = 1e-7;
  c.sim.output_stall_probability = 1.0 / 3.0;
  expect_same(parse_config(dump_config(c)), c);
}

}  // namespace

TEST(ConfigErrors, EnumsAndBooleansNameWhatIsAllowed) {
  EXPECT_EQ(parse_error("hardware: {mac_array: {dataflow: rs}}"),
            "config error: x.yaml: hardware.mac_array.dataflow: expected one of: ws, os, is, got "
            "'rs'");
  EXPECT_EQ(parse_error("hardware: {mac_array: {scalesim_compat: 1}}"),
            "config error: x.yaml: hardware.mac_array.scalesim_compat: expected true or false, "
            "got '1'");
  EXPECT_EQ(parse_error("hardware: {skip_fifo: {impl: verilog}}"),
            "config error: x.yaml: hardware.skip_fifo.impl: expected one of: systemc, rtl, got "
            "'verilog'");
}

TEST(ConfigDram, ModelAndPresetByNameOrFile) {
  const Config d = parse_config("");
  EXPECT_EQ(d.hardware.dram.model, DramModel::kDdr);
  EXPECT_EQ(d.hardware.dram.preset, "ddr4_3200");
  EXPECT_EQ(ddr_config_of(d).name, "DDR4-3200");
  const Config h = parse_config("hardware: {dram: {preset: hbm2_pc}}");
  EXPECT_NE(h.hardware.dram.preset_path.find("configs/dram/hbm2_pc.yaml"), std::string::npos);
  const Config f = parse_config("", {std::string("hardware.dram.preset=") + SKIPSIM_SOURCE_DIR +
                                     "/configs/dram/ddr4_2400.yaml"});
  EXPECT_EQ(ddr_config_of(f).name, "DDR4-2400");
  const std::string e = parse_error("hardware: {dram: {preset: ddr9}}");
  EXPECT_EQ(e.rfind("config error: x.yaml: hardware.dram.preset: no preset or file 'ddr9' "
                    "(presets: ddr4_2400, ddr4_3200, ddr4_3200_dramsim3, hbm2_pc, lpddr4_3200)",
                    0),
            0u)
      << e;
  EXPECT_EQ(parse_error("hardware: {dram: {model: hbm}}"),
            "config error: x.yaml: hardware.dram.model: expected one of: simple, ddr, got 'hbm'");
  // The simple model does not look at the preset.
  EXPECT_NO_THROW(parse_config("hardware: {dram: {model: simple, preset: nowhere}}"));
}

TEST(ConfigSpill, PolicyRingAndRtlAreChecked) {
  EXPECT_EQ(parse_error("hardware: {skip_fifo: {policy: drop}}"),
            "config error: x.yaml: hardware.skip_fifo.policy: expected one of: block, spill, got "
            "'drop'");
  EXPECT_EQ(parse_error("hardware: {skip_fifo: {policy: spill, impl: rtl}}"),
            "config error: x.yaml: hardware.skip_fifo.policy: spill needs the SystemC skip FIFO "
            "(the RTL has no DRAM port); set hardware.skip_fifo.impl: systemc or policy: block");
  EXPECT_EQ(parse_error("hardware: {skip_fifo: {policy: spill, spill_ring_bytes: 64}}"),
            "config error: x.yaml: hardware.skip_fifo.spill_ring_bytes: expected 0 (two frames "
            "of the skip tensor) or a multiple of hardware.dram.burst_bytes (64) of at least two "
            "bursts (128), got 64");
  EXPECT_NE(parse_error("hardware: {skip_fifo: {spill_ring_bytes: 200}}").find("got 200"),
            std::string::npos);
  const Config c = parse_config("hardware: {skip_fifo: {policy: spill, spill_ring_bytes: 128}}");
  EXPECT_EQ(c.hardware.skip_fifo.policy, SkipPolicy::kSpill);
  EXPECT_EQ(c.hardware.skip_fifo.spill_ring_bytes, 128);
}

TEST(ConfigSkipCodec, RtlIsTheZvcCodec) {
  EXPECT_EQ(parse_error("hardware: {skip_codec: {impl: rtl}}"),
            "config error: x.yaml: hardware.skip_codec.impl: rtl is the ZVC codec; set "
            "hardware.skip_fifo.compression: zvc, or skip_codec.impl: systemc");
  EXPECT_EQ(parse_error("hardware: {skip_codec: {impl: vhdl}}"),
            "config error: x.yaml: hardware.skip_codec.impl: expected one of: systemc, rtl, got "
            "'vhdl'");
  EXPECT_EQ(parse_config("hardware: {skip_codec: {impl: systemc}}").hardware.skip_codec.impl,
            Impl::kSystemC);
}
