#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "hw/common/errors.hpp"
#include "tb/modes/layer_mode.hpp"

namespace skipsim {
namespace {

const Dataflow kAll[] = {Dataflow::kWs, Dataflow::kOs, Dataflow::kIs};

double round2(double pct) { return std::round(pct * 100.0) / 100.0; }

// Direct convolution straight from the definition: zero padding `pad`, HWC in, OIHW weights.
std::vector<int32_t> direct_conv(const LayerSpec& l, const LayerData& d, int pad, int oh, int ow) {
  std::vector<int32_t> out;
  for (int y = 0; y < oh; ++y)
    for (int x = 0; x < ow; ++x)
      for (int o = 0; o < l.num_filters; ++o) {
        int32_t acc = d.bias[o];
        for (int c = 0; c < l.channels; ++c)
          for (int i = 0; i < l.filter_h; ++i)
            for (int j = 0; j < l.filter_w; ++j) {
              const int iy = y * l.stride + i - pad, ix = x * l.stride + j - pad;
              if (iy < 0 || ix < 0 || iy >= l.ifmap_h || ix >= l.ifmap_w) continue;
              acc += d.ifmap[(iy * l.ifmap_w + ix) * l.channels + c] *
                     d.weight[((o * l.channels + c) * l.filter_h + i) * l.filter_w + j];
            }
        out.push_back(acc);
      }
  return out;
}

LayerSpec alexnet_conv1() { return {"Conv1", 227, 227, 11, 11, 3, 96, 4}; }

// Public golden: SCALE-Sim v2, AlexNet conv1 on a 32x32 weight-stationary array.
TEST(LayerModeGolden, AlexNetConv1Ws32x32) {
  LayerModeOptions opt;
  opt.rows = opt.cols = 32;
  opt.dataflow = Dataflow::kWs;
  opt.scalesim_compat = true;
  const std::vector<LayerResult> r = run_layers(opt, {alexnet_conv1()});
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].geo.ofmap_h, 55);
  EXPECT_EQ(r[0].cycles, 112283u);
  EXPECT_EQ(round2(100 * r[0].utilization), 91.68);
  EXPECT_EQ(round2(100 * r[0].mapping_efficiency), 94.53);
  EXPECT_EQ(r[0].check, "pass");
}

// The other dataflows on the same layer: simulated cycles equal SCALE-Sim's closed form.
TEST(LayerModeGolden, AlexNetConv1OsIsClosedForm) {
  for (Dataflow d : {Dataflow::kOs, Dataflow::kIs}) {
    LayerModeOptions opt;
    opt.rows = opt.cols = 32;
    opt.dataflow = d;
    opt.scalesim_compat = true;
    opt.check = false;
    const LayerResult r = run_layers(opt, {alexnet_conv1()}).at(0);
    EXPECT_EQ(r.cycles, r.closed_form_cycles) << dataflow_name(d);
    EXPECT_EQ(static_cast<int64_t>(r.cycles),
              scalesim_closed_form_cycles(d, 32, 32, 3025, 96, 363));
  }
  // os: 95 x 3 folds of 363+32+32-2 cycles; is: 12 x 95 folds of 64+32+96-2.
  EXPECT_EQ(scalesim_closed_form_cycles(Dataflow::kOs, 32, 32, 3025, 96, 363), 285 * 425 - 1);
  EXPECT_EQ(scalesim_closed_form_cycles(Dataflow::kIs, 32, 32, 3025, 96, 363), 1140 * 190 - 1);
}

// Raw outputs equal a direct convolution, bit for bit, for each dataflow and both modes,
// on layers that fold rows and columns partly (stride 2, odd sizes, 1x1, non-square).
TEST(LayerMode, BitExactEachDataflow) {
  const std::vector<LayerSpec> layers = {
      {"a", 9, 7, 3, 3, 5, 6, 2}, {"b", 6, 6, 1, 1, 13, 9, 1}, {"c", 8, 5, 3, 3, 3, 4, 1, 1}};
  for (Dataflow d : kAll)
    for (bool compat : {true, false}) {
      LayerModeOptions opt;
      opt.rows = 8;
      opt.cols = 4;
      opt.dataflow = d;
      opt.scalesim_compat = compat;
      opt.keep_outputs = true;
      opt.seed = 21;
      const std::vector<LayerResult> rs = run_layers(opt, layers);
      for (size_t i = 0; i < layers.size(); ++i) {
        const LayerResult& r = rs[i];
        const int pad = layers[i].pad;
        const LayerData data = make_layer_data(layers[i], opt.seed + i);
        EXPECT_EQ(r.output, direct_conv(layers[i], data, pad, r.geo.ofmap_h, r.geo.ofmap_w))
            << dataflow_name(d) << " compat=" << compat << " " << layers[i].name;
        EXPECT_EQ(r.check, "pass");
        EXPECT_EQ(r.cycles, r.closed_form_cycles);
      }
    }
}

// Layers share their buffers: a padded layer after a larger one gets zeros at its border,
// not the previous layer's data; with the check off too. Channels in multiples of 64 and odd
// ones reach every kernel path (full vectors and tails).
TEST(LayerMode, BuffersReusedAcrossLayersHoldNoStaleData) {
  const std::vector<LayerSpec> layers = {{"big", 14, 14, 3, 3, 64, 12, 1},
                                         {"small", 5, 6, 3, 3, 65, 7, 1, 1},
                                         {"tiny", 3, 3, 3, 3, 3, 5, 2, 1}};
  for (bool check : {true, false}) {
    LayerModeOptions opt;
    opt.rows = 8;
    opt.cols = 8;
    opt.keep_outputs = true;
    opt.check = check;
    const std::vector<LayerResult> rs = run_layers(opt, layers);
    for (size_t i = 0; i < layers.size(); ++i) {
      const LayerData data = make_layer_data(layers[i], opt.seed + i);
      EXPECT_EQ(rs[i].output,
                direct_conv(layers[i], data, layers[i].pad, rs[i].geo.ofmap_h, rs[i].geo.ofmap_w))
          << layers[i].name << " check=" << check;
      EXPECT_EQ(rs[i].check, check ? "pass" : "off");
    }
  }
}

// No mode adds padding to the given sizes: 58x58 (56x56 pre-padded) 3x3 stride 1 gives 56x56
// in both; pad=1 on 56x56 gives the same. The default mode's cycles follow skipsim's own
// closed form, R + folds*(M + R + C - 2) for ws.
TEST(LayerMode, SizesIncludePaddingAndOverlappedFolds) {
  const LayerSpec l{"conv2_x", 58, 58, 3, 3, 64, 64, 1};
  LayerModeOptions opt;
  opt.rows = opt.cols = 16;
  opt.check = false;
  const LayerResult own = run_layers(opt, {l}).at(0);
  EXPECT_EQ(own.geo.ofmap_h, 56);
  EXPECT_EQ(own.geo.pad_h, 0);
  EXPECT_EQ(own.geo.m, 56 * 56);
  const uint64_t folds = 36 * 4;  // K = 576 over 16 rows, N = 64 over 16 columns
  EXPECT_EQ(own.folds, folds);
  // Default: double-buffered weights, folds stream back to back (T = 3136 >= 2R + C - 2),
  // only the first preload and the last drain are exposed.
  EXPECT_EQ(own.cycles, 2 * 16 + 16 - 2 + folds * 3136);
  opt.scalesim_compat = true;
  const LayerResult compat = run_layers(opt, {l}).at(0);
  EXPECT_EQ(compat.geo.ofmap_h, 56);
  EXPECT_EQ(compat.cycles, folds * (2 * 16 + 16 + 3136 - 2) - 1);
  // pad=1 on the unpadded 56x56: the same output in both modes, the ifmap read as stored.
  const LayerSpec padded{"conv2_x", 56, 56, 3, 3, 64, 64, 1, 1};
  for (bool compat_mode : {false, true}) {
    opt.scalesim_compat = compat_mode;
    const LayerResult r = run_layers(opt, {padded}).at(0);
    EXPECT_EQ(r.geo.ofmap_h, 56) << compat_mode;
    EXPECT_EQ(r.geo.pad_h, 1) << compat_mode;
    EXPECT_EQ(r.cycles, compat_mode ? compat.cycles : own.cycles);
    EXPECT_EQ(r.dram_ifmap_bytes, 56u * 56 * 64);
  }
  // DRAM: each operand once.
  EXPECT_EQ(own.dram_ifmap_bytes, 58u * 58 * 64);
  EXPECT_EQ(own.dram_filter_bytes, 9u * 64 * 64);
  EXPECT_EQ(own.dram_ofmap_bytes, 56u * 56 * 64);
}

TEST(LayerMode, JsonAndTable) {
  LayerModeOptions opt;
  opt.rows = opt.cols = 4;
  const std::vector<LayerResult> r = run_layers(opt, {{"x", 5, 5, 3, 3, 2, 3, 1}});
  const nlohmann::json j = layer_results_json(opt, r);
  ASSERT_TRUE(j.is_array());
  EXPECT_EQ(j[0]["name"], "x");
  EXPECT_EQ(j[0]["cycles"].get<uint64_t>(), r[0].cycles);
  EXPECT_EQ(j[0]["check"], "pass");
  const std::string t = layer_results_table(opt, r);
  EXPECT_NE(t.find("total"), std::string::npos);
  EXPECT_NE(t.find(std::to_string(r[0].cycles)), std::string::npos);
}

TEST(LayerModeTopology, ParsesScaleSimCsv) {
  const std::string csv =
      "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num "
      "Filter, Strides,\r\n"
      "Conv1, 227, 227, 11, 11, 3, 96, 4,\r\n"
      "\n"
      "  fc ,1,1,1,1,4096,1000,1  \n";
  const std::vector<LayerSpec> l = parse_topology_csv(csv, "t.csv");
  ASSERT_EQ(l.size(), 2u);
  EXPECT_EQ(l[0].name, "Conv1");
  EXPECT_EQ(l[0].ifmap_h, 227);
  EXPECT_EQ(l[0].filter_w, 11);
  EXPECT_EQ(l[0].num_filters, 96);
  EXPECT_EQ(l[0].stride, 4);
  EXPECT_EQ(l[1].name, "fc");
  EXPECT_EQ(l[1].channels, 4096);
}

void expect_error(const std::string& csv, const std::string& part) {
  try {
    parse_topology_csv(csv, "t.csv");
    ADD_FAILURE() << "no error, expected one containing: " << part;
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(part), std::string::npos)
        << e.what() << " lacks: " << part;
  }
}

TEST(LayerModeTopology, Errors) {
  const std::string h =
      "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num "
      "Filter, Strides,\n";
  expect_error("", "no header");
  expect_error(h, "no layers");
  expect_error("Layer name, IFMAP Height, Width\n",
               "t.csv:1: column 3: expected header 'IFMAP Width'");
  expect_error(h + "c1, 5, 5, 3, 3, 2, 4, 1\nc2, 5, x, 3, 3, 2, 4, 1\n",
               "t.csv:3: column 'IFMAP Width': expected a positive integer, got 'x'");
  expect_error(h + "c1, 5, 5, 3, 3, 2, 4\n", "t.csv:2: column 'Strides': missing");
  expect_error(h + "c1, 5, 5, 3, 3, 2, 4, 0\n", "column 'Strides'");
  expect_error(h + "c1, 5, 5, 3, 3, 2, 4, 1, 7\n", "t.csv:2: column 9: unexpected value '7'");
  expect_error(h + ", 5, 5, 3, 3, 2, 4, 1\n", "column 'Layer name': empty");
  EXPECT_THROW(read_topology_csv("/nonexistent/x.csv"), InputError);
  // A filter larger than the ifmap is an error in both modes (no mode pads), naming the line,
  // before any layer runs.
  const std::vector<LayerSpec> l =
      parse_topology_csv(h + "ok, 9, 9, 3, 3, 1, 1, 1\nc2, 2, 2, 7, 7, 2, 4, 1\n", "t.csv");
  LayerModeOptions opt;
  opt.rows = opt.cols = 4;
  for (bool compat : {false, true}) {
    opt.scalesim_compat = compat;
    try {
      run_layers(opt, l);
      ADD_FAILURE() << "no error";
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find("t.csv:3: layer 'c2': filter 7x7 does not fit"),
                std::string::npos)
          << e.what();
    }
  }
}

// The shipped topologies: ResNet-18's convs with true output sizes in both modes (the IFMAP
// sizes include the padding; neither mode adds any).
TEST(LayerModeTopology, ShippedFiles) {
  const std::string dir = std::string(SKIPSIM_SOURCE_DIR) + "/configs/topologies/";
  const std::vector<LayerSpec> r18 = read_topology_csv(dir + "resnet18.csv");
  ASSERT_EQ(r18.size(), 20u);  // conv1, 16 3x3 convs, 3 downsample 1x1
  const std::pair<const char*, int> want[] = {
      {"conv1", 112},    {"conv2_1a", 56}, {"conv2_2b", 56}, {"conv3_1a", 28},  {"conv3_1b", 28},
      {"conv3_1ds", 28}, {"conv3_2b", 28}, {"conv4_1a", 14}, {"conv4_1ds", 14}, {"conv4_2b", 14},
      {"conv5_1a", 7},   {"conv5_1b", 7},  {"conv5_1ds", 7}, {"conv5_2b", 7}};
  for (const auto& [name, e] : want) {
    bool found = false;
    for (const LayerSpec& l : r18)
      if (l.name == name) {
        found = true;
        for (bool compat : {true, false}) {
          const LayerGeometry g = layer_geometry(l, compat);
          EXPECT_EQ(g.ofmap_h, e) << name << " compat=" << compat;
          EXPECT_EQ(g.ofmap_w, e) << name << " compat=" << compat;
          EXPECT_EQ(g.pad_h, 0) << name;
        }
      }
    EXPECT_TRUE(found) << name;
  }
  const std::vector<LayerSpec> alex = read_topology_csv(dir + "alexnet_conv1.csv");
  ASSERT_EQ(alex.size(), 1u);
  EXPECT_EQ(alex[0].ifmap_h, 227);
  EXPECT_EQ(alex[0].stride, 4);
}

TEST(LayerModeArgs, ParsesKeyValueLists) {
  const LayerSpec l = parse_layer_arg("name=c,h=56,kh=3,c=64,n=128,stride=2", "d");
  EXPECT_EQ(l.name, "c");
  EXPECT_EQ(l.ifmap_w, 56);
  EXPECT_EQ(l.filter_w, 3);
  EXPECT_EQ(l.num_filters, 128);
  EXPECT_EQ(l.stride, 2);
  const LayerSpec d = parse_layer_arg("h=8, w=6, kh=1, kw=3, c=2, n=4", "layer3");
  EXPECT_EQ(d.name, "layer3");
  EXPECT_EQ(d.ifmap_w, 6);
  EXPECT_EQ(d.filter_w, 3);
  EXPECT_EQ(d.stride, 1);
  EXPECT_EQ(d.pad, 0);
  EXPECT_EQ(parse_layer_arg("h=8,kh=3,c=2,n=4,pad=1", "x").pad, 1);
  EXPECT_EQ(parse_layer_arg("h=8,kh=3,c=2,n=4,pad=0", "x").pad, 0);
  EXPECT_THROW(parse_layer_arg("h=8,kh=3,c=2,n=4,pad=-1", "x"), InputError);
  EXPECT_THROW(parse_layer_arg("h=8,kh=3,c=2", "x"), InputError);          // no n
  EXPECT_THROW(parse_layer_arg("h=8,kh=3,c=2,n=4,q=1", "x"), InputError);  // unknown key
  EXPECT_THROW(parse_layer_arg("h=8,kh=3,c=2,n=-4", "x"), InputError);
  EXPECT_THROW(parse_layer_arg("h=8,kh=3,c=2,n", "x"), InputError);
}

// Nine-digit fields at their largest: geometry without overflow (UBSan would report one),
// then the size check's error, never an allocation.
TEST(LayerModeArgs, HugeFieldsEndInTheSizeError) {
  const LayerSpec l =
      parse_layer_arg("h=999999999,kh=999999999,c=999999999,n=999999999,pad=499999999", "big");
  const LayerGeometry g = layer_geometry(l, false);
  EXPECT_EQ(g.ofmap_h, 999999999);
  EXPECT_GT(g.k, int64_t{1} << 61);
  EXPECT_EQ(layer_geometry(l, true).ofmap_h, 999999999);
  LayerModeOptions opt;
  try {
    run_layers(opt, {l});
    ADD_FAILURE() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("layer 'big'"), std::string::npos) << e.what();
  }
}

TEST(LayerModeArgs, PadAtMostHalfTheFilter) {
  try {
    layer_geometry(parse_layer_arg("h=8,kh=3,c=2,n=4,pad=2", "x"), false);
    ADD_FAILURE() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(
        std::string(e.what()).find("pad 2 is more than half the filter 3x3 (allowed: 0 to 1)"),
        std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace skipsim
