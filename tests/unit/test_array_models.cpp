// The tile-level MAC array model against the PE-level one it replaces by default: the same
// GEMMs (random shapes, array sizes, dataflows, compat or not, bias or not, operands in any
// layout) give the same results, the same statistics field by field, and, stepped one cycle
// at a time, the same number of steps with the same busy() after each. The PE model is the
// reference (its cycles and results are tested against closed forms, a reference GEMM and
// the RTL elsewhere); these tests are what make the tile model's speed honest.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "hw/mac_array/dataflow.hpp"
#include "hw/mac_array/systolic_array.hpp"

namespace skipsim {
namespace {

// An operand matrix of rows x cols stored in one of several layouts, element (i, j) at
// data[i * si + j * sj] (the conv engine passes its weights transposed: si = 1, sj = K).
struct Matrix {
  int64_t rows = 0, cols = 0, si = 0, sj = 1;
  std::vector<int8_t> data;
  const char* layout = "";
  int8_t at(int64_t i, int64_t j) const { return data[static_cast<size_t>(i * si + j * sj)]; }
};

Matrix random_matrix(int64_t rows, int64_t cols, std::mt19937_64& rng, bool row_major) {
  Matrix x;
  x.rows = rows, x.cols = cols;
  const int64_t pad = static_cast<int64_t>(rng() % 5);
  switch (row_major ? 0 : rng() % 5) {
    case 0:
      x.si = cols, x.sj = 1, x.layout = "row-major";
      break;
    case 1:
      x.si = 1, x.sj = rows, x.layout = "transposed";
      break;
    case 2:
      x.si = cols + pad, x.sj = 1, x.layout = "row-major padded";
      break;
    case 3:
      x.si = 1, x.sj = rows + pad, x.layout = "transposed padded";
      break;
    default:  // elements 2 or 3 apart along a row, rows padded
      x.sj = 2 + static_cast<int64_t>(rng() % 2);
      x.si = cols * x.sj + pad, x.layout = "strided";
      break;
  }
  const int64_t size = (rows - 1) * x.si + (cols - 1) * x.sj + 1;
  x.data.resize(static_cast<size_t>(size));
  for (auto& v : x.data) v = static_cast<int8_t>(static_cast<int>(rng() % 256) - 128);
  return x;
}

struct Case {
  int rows = 1, cols = 1;
  Dataflow dataflow = Dataflow::kWs;
  bool compat = false;
  int64_t m = 1, n = 1, k = 1;
  bool bias = false;
};

std::string describe(const Case& c, const Matrix& a, const Matrix& b) {
  std::ostringstream s;
  s << c.rows << "x" << c.cols << " " << dataflow_name(c.dataflow)
    << (c.compat ? " compat" : " own") << " M=" << c.m << " N=" << c.n << " K=" << c.k
    << (c.bias ? " bias" : " no bias") << " A " << a.layout << " (si " << a.si << ", sj " << a.sj
    << ") B " << b.layout << " (si " << b.si << ", sj " << b.sj << ")";
  return s.str();
}

void expect_same_stats(const SystolicStats& tile, const SystolicStats& pe) {
  EXPECT_EQ(tile.cycles, pe.cycles) << "cycles";
  EXPECT_EQ(tile.folds, pe.folds) << "folds";
  EXPECT_EQ(tile.row_folds, pe.row_folds) << "row_folds";
  EXPECT_EQ(tile.col_folds, pe.col_folds) << "col_folds";
  EXPECT_EQ(tile.useful_macs, pe.useful_macs) << "useful_macs";
  EXPECT_EQ(tile.mapping_efficiency, pe.mapping_efficiency) << "mapping_efficiency";
  EXPECT_EQ(tile.ifmap_reads, pe.ifmap_reads) << "ifmap_reads";
  EXPECT_EQ(tile.filter_reads, pe.filter_reads) << "filter_reads";
  EXPECT_EQ(tile.ofmap_writes, pe.ofmap_writes) << "ofmap_writes";
  EXPECT_EQ(tile.ofmap_reads, pe.ofmap_reads) << "ofmap_reads";
}

// One GEMM on both models, each array possibly reused from earlier GEMMs (state must not
// leak from one GEMM into the next). Stepped: both step in lock-step until done; else the
// tile model runs whole (start_tile only) and the PE model steps to the end.
void expect_equal_models(SystolicArray& tile, SystolicArray& pe, const Case& c, bool stepped,
                         std::mt19937_64& rng) {
  // Run whole, half the cases go through run_gemm (row-major operands only).
  const bool row_major = !stepped && rng() % 2;
  const Matrix a = random_matrix(c.m, c.k, rng, row_major),
               b = random_matrix(c.k, c.n, rng, row_major);
  SCOPED_TRACE(describe(c, a, b) + (stepped ? " stepped" : " run whole"));
  std::vector<int32_t> bias;
  if (c.bias)
    for (int64_t j = 0; j < c.n; ++j) bias.push_back(static_cast<int32_t>(rng() % 200001) - 100000);
  // Different garbage in each output: both must overwrite every element.
  std::vector<int32_t> out_tile(static_cast<size_t>(c.m * c.n), 0x5a5a5a5a),
      out_pe(static_cast<size_t>(c.m * c.n), -0x3c3c3c3c);
  GemmOperands g;
  g.m = c.m, g.n = c.n, g.k = c.k;
  g.a = a.data.data(), g.a_si = a.si, g.a_sj = a.sj;
  g.b = b.data.data(), g.b_si = b.si, g.b_sj = b.sj;
  g.bias = c.bias ? bias.data() : nullptr;

  g.out = out_pe.data();
  pe.start(g);
  ASSERT_TRUE(pe.busy());
  uint64_t steps = 0;
  if (stepped) {
    g.out = out_tile.data();
    tile.start(g);
    ASSERT_TRUE(tile.busy());
    bool pe_done = false, tile_done = false;
    while (!pe_done || !tile_done) {
      ++steps;
      if (!pe_done) pe_done = pe.step();
      if (!tile_done) tile_done = tile.step();
      ASSERT_EQ(tile_done, pe_done) << "step() differs at step " << steps;
      ASSERT_EQ(tile.busy(), pe.busy()) << "busy() differs after step " << steps;
    }
  } else {
    do ++steps;
    while (!pe.step());
    if (row_major) {
      // run_gemm: the tile model returns without a single step.
      const SystolicStats st =
          tile.run_gemm(c.m, c.n, c.k, a.data.data(), b.data.data(), g.bias, out_tile.data());
      expect_same_stats(st, pe.stats());
    } else {
      g.out = out_tile.data();
      tile.start(g);
      while (!tile.step()) {
      }
    }
  }
  EXPECT_FALSE(tile.busy());
  EXPECT_FALSE(pe.busy());
  // Compat reports the last cycle's index, so a GEMM takes cycles + 1 steps there.
  EXPECT_EQ(steps, pe.stats().cycles + (c.compat ? 1 : 0)) << "steps of the PE model";
  expect_same_stats(tile.stats(), pe.stats());
  EXPECT_EQ(tile.stats().useful_macs, static_cast<uint64_t>(c.m * c.n * c.k));
  // Results: equal, and equal to a plain GEMM (so a shared mistake shows too).
  size_t differ = 0, wrong = 0;
  for (int64_t i = 0; i < c.m; ++i)
    for (int64_t j = 0; j < c.n; ++j) {
      int32_t want = c.bias ? bias[static_cast<size_t>(j)] : 0;
      for (int64_t p = 0; p < c.k; ++p) want += int32_t{a.at(i, p)} * b.at(p, j);
      const size_t o = static_cast<size_t>(i * c.n + j);
      differ += out_tile[o] != out_pe[o];
      wrong += out_pe[o] != want;
    }
  EXPECT_EQ(differ, 0u) << "results differing between the models";
  EXPECT_EQ(wrong, 0u) << "PE model results differing from a plain GEMM";
}

// A dimension for an array side of `side` PEs: edge values around it (1, below, at, one
// past a multiple) or, mostly, a log-uniform draw up to `max`.
int64_t draw_dim(int side, int64_t max, std::mt19937_64& rng) {
  switch (rng() % 8) {
    case 0:
      return 1;
    case 1:
      return std::max<int64_t>(1, static_cast<int64_t>(rng() % side));  // below the side
    case 2:
      return side * static_cast<int64_t>(1 + rng() % 3);  // an exact multiple
    case 3:
      return side * static_cast<int64_t>(1 + rng() % 2) + 1;
    default: {
      const double u = std::uniform_real_distribution<double>(0, 1)(rng);
      return std::clamp<int64_t>(static_cast<int64_t>(std::pow(static_cast<double>(max), u)), 1,
                                 max);
    }
  }
}

// The PE model's work for a case, in PE updates (cycles x R x C), to keep the suite fast.
double pe_work(const Case& c) {
  const int64_t cycles = skipsim_closed_form_cycles(c.dataflow, c.rows, c.cols, c.m, c.n, c.k);
  return static_cast<double>(cycles) * c.rows * c.cols;
}

const std::pair<int, int> kArrays[] = {{1, 1}, {1, 8}, {8, 1}, {1, 13},  {13, 1},  {2, 3},
                                       {4, 8}, {8, 4}, {5, 7}, {16, 16}, {32, 32}, {16, 4}};

// Random cases on every array of kArrays, both compat settings, one dataflow. Each array
// object (one per model) runs several GEMMs in a row.
void random_suite(Dataflow d, uint64_t seed, int cases_per_array) {
  std::mt19937_64 rng(seed);
  int cases = 0;
  for (const auto& [rows, cols] : kArrays)
    for (const bool compat : {false, true}) {
      SystolicArray tile(rows, cols, d, compat, ArrayModel::kTile);
      SystolicArray pe(rows, cols, d, compat, ArrayModel::kPe);
      ASSERT_EQ(tile.model(), ArrayModel::kTile);
      ASSERT_EQ(pe.model(), ArrayModel::kPe);
      const int64_t max_dim = 300;
      for (int i = 0; i < cases_per_array; ++i) {
        Case c;
        c.rows = rows, c.cols = cols, c.dataflow = d, c.compat = compat;
        // Resample shapes whose PE simulation would be slow (large arrays with many folds).
        do {
          c.m = draw_dim(d == Dataflow::kOs ? rows : cols, max_dim, rng);
          c.n = draw_dim(cols, max_dim, rng);
          c.k = draw_dim(rows, max_dim, rng);
        } while (pe_work(c) > 4e6);
        c.bias = rng() % 2;
        const bool stepped = rng() % 4 != 0;
        expect_equal_models(tile, pe, c, stepped, rng);
        ++cases;
        if (::testing::Test::HasFatalFailure()) return;
      }
    }
  EXPECT_GE(cases, 190);
}

TEST(ArrayModels, WeightStationaryRandomShapes) { random_suite(Dataflow::kWs, 101, 8); }
TEST(ArrayModels, OutputStationaryRandomShapes) { random_suite(Dataflow::kOs, 202, 8); }
TEST(ArrayModels, InputStationaryRandomShapes) { random_suite(Dataflow::kIs, 303, 8); }

// Hand-picked edges on every dataflow: one element, K < R, N < C, M = 1, exact multiples of
// the array and one past, a long stream on a tiny array, and the conv engine's default
// tiles (ws 4R pixels, os R, is C) of a 3x3 conv over 64 channels.
TEST(ArrayModels, EdgeShapesEveryDataflow) {
  struct Shape {
    int rows, cols;
    int64_t m, n, k;
  };
  const Shape shapes[] = {
      {1, 1, 1, 1, 1},       {1, 1, 7, 3, 5},       {4, 4, 1, 1, 1},      {4, 4, 4, 4, 4},
      {4, 4, 5, 5, 5},       {8, 8, 1, 64, 3},      {8, 8, 64, 3, 1},     {16, 16, 1, 1, 300},
      {16, 16, 300, 1, 1},   {16, 16, 17, 15, 33},  {32, 32, 31, 33, 32}, {3, 5, 200, 2, 2},
      {16, 16, 64, 64, 576}, {16, 16, 16, 64, 576}, {1, 32, 9, 40, 3},    {32, 1, 9, 3, 40}};
  std::mt19937_64 rng(404);
  for (const Dataflow d : {Dataflow::kWs, Dataflow::kOs, Dataflow::kIs})
    for (const bool compat : {false, true})
      for (const Shape& s : shapes) {
        SystolicArray tile(s.rows, s.cols, d, compat, ArrayModel::kTile);
        SystolicArray pe(s.rows, s.cols, d, compat, ArrayModel::kPe);
        Case c{s.rows, s.cols, d, compat, s.m, s.n, s.k, (s.m + s.n) % 2 == 0};
        expect_equal_models(tile, pe, c, true, rng);
        if (::testing::Test::HasFatalFailure()) return;
      }
}

// Random array sizes too (not only the listed ones), all three dataflows mixed.
TEST(ArrayModels, RandomArraySizes) {
  std::mt19937_64 rng(505);
  const Dataflow all[] = {Dataflow::kWs, Dataflow::kOs, Dataflow::kIs};
  for (int i = 0; i < 60; ++i) {
    Case c;
    c.rows = 1 + static_cast<int>(rng() % 40);
    c.cols = 1 + static_cast<int>(rng() % 40);
    c.dataflow = all[rng() % 3];
    c.compat = rng() % 2;
    do {
      c.m = draw_dim(c.rows, 200, rng);
      c.n = draw_dim(c.cols, 200, rng);
      c.k = draw_dim(c.rows, 200, rng);
    } while (pe_work(c) > 2e6);
    c.bias = rng() % 2;
    SystolicArray tile(c.rows, c.cols, c.dataflow, c.compat, ArrayModel::kTile);
    SystolicArray pe(c.rows, c.cols, c.dataflow, c.compat, ArrayModel::kPe);
    expect_equal_models(tile, pe, c, true, rng);
    if (::testing::Test::HasFatalFailure()) return;
  }
}

// Misuse is refused alike: a start while busy, a step while idle, empty dimensions.
TEST(ArrayModels, SameErrors) {
  for (const ArrayModel model : {ArrayModel::kTile, ArrayModel::kPe}) {
    SCOPED_TRACE(enum_name(model).data());
    SystolicArray arr(4, 4, Dataflow::kWs, false, model);
    EXPECT_THROW(arr.step(), std::logic_error);
    std::vector<int8_t> a(6, 1), b(6, 1);
    std::vector<int32_t> out(4);
    GemmOperands g;
    g.m = 2, g.n = 2, g.k = 3;
    g.a = a.data(), g.a_si = 3;
    g.b = b.data(), g.b_si = 2;
    g.out = out.data();
    GemmOperands bad = g;
    bad.k = 0;
    EXPECT_THROW(arr.start(bad), std::invalid_argument);
    EXPECT_FALSE(arr.busy());
    arr.start(g);
    EXPECT_THROW(arr.start(g), std::logic_error);
    while (!arr.step()) {
    }
    EXPECT_EQ(out, std::vector<int32_t>(4, 3));
    EXPECT_THROW(arr.step(), std::logic_error);
  }
}

}  // namespace
}  // namespace skipsim
