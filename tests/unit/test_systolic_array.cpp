#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <tuple>
#include <vector>

#include "hw/mac_array/dataflow.hpp"
#include "hw/mac_array/systolic_array.hpp"

namespace skipsim {
namespace {

struct Gemm {
  int64_t m, n, k;
  std::vector<int8_t> a, b;
  std::vector<int32_t> bias;
};

Gemm random_gemm(int64_t m, int64_t n, int64_t k, uint64_t seed) {
  std::mt19937_64 gen(seed);
  Gemm g{m, n, k, {}, {}, {}};
  g.a.resize(m * k);
  g.b.resize(k * n);
  g.bias.resize(n);
  for (auto& v : g.a) v = static_cast<int8_t>(static_cast<int>(gen() % 256) - 128);
  for (auto& v : g.b) v = static_cast<int8_t>(static_cast<int>(gen() % 256) - 128);
  for (auto& v : g.bias) v = static_cast<int32_t>(gen() % 1000) - 500;
  return g;
}

std::vector<int32_t> reference(const Gemm& g) {
  std::vector<int32_t> o(g.m * g.n);
  for (int64_t i = 0; i < g.m; ++i)
    for (int64_t j = 0; j < g.n; ++j) {
      int32_t acc = g.bias[j];
      for (int64_t p = 0; p < g.k; ++p) acc += int32_t{g.a[i * g.k + p]} * g.b[p * g.n + j];
      o[i * g.n + j] = acc;
    }
  return o;
}

SystolicStats run(const Gemm& g, int rows, int cols, Dataflow d, bool compat,
                  std::vector<int32_t>* out) {
  SystolicArray arr(rows, cols, d, compat);
  out->assign(g.m * g.n, 0x5a5a5a5a);
  return arr.run_gemm(g.m, g.n, g.k, g.a.data(), g.b.data(), g.bias.data(), out->data());
}

const Dataflow kAll[] = {Dataflow::kWs, Dataflow::kOs, Dataflow::kIs};

// Hand-evaluated closed forms for R=8, C=4, M=5, N=6, K=13 (rows and columns partly used).
// SCALE-Sim: ws folds 2*2, 4*(16+4+5-2)-1 = 91; os folds 1*2, 2*(13+8+4-2)-1 = 45;
// is folds 2*2, 4*(16+4+6-2)-1 = 95. skipsim os: 2*(13+16+4-2) = 62. skipsim ws (T = 5,
// span T+R+C-2 = 15), fold (preload, stream, end): f0 (0, 8, 23); f1 (8, max(8+5, 8+8) = 16,
// 31); f2 (max(16, end f0 = 23) = 23, max(16+5, 23+8) = 31, 46); f3 (max(31, 31) = 31,
// max(36, 39) = 39, 54). is (T = 6, span 16): (0, 8, 24), (8, 16, 32), (24, 32, 48),
// (32, 40, 56).
TEST(SystolicArray, PartialFoldsHandValues) {
  const Gemm g = random_gemm(5, 6, 13, 3);
  const std::tuple<Dataflow, uint64_t, uint64_t> cases[] = {
      {Dataflow::kWs, 91, 54}, {Dataflow::kOs, 45, 62}, {Dataflow::kIs, 95, 56}};
  for (const auto& [d, compat_cycles, own_cycles] : cases) {
    std::vector<int32_t> out;
    EXPECT_EQ(run(g, 8, 4, d, true, &out).cycles, compat_cycles) << dataflow_name(d);
    EXPECT_EQ(out, reference(g)) << dataflow_name(d);
    EXPECT_EQ(run(g, 8, 4, d, false, &out).cycles, own_cycles) << dataflow_name(d);
    EXPECT_EQ(out, reference(g)) << dataflow_name(d);
    EXPECT_EQ(scalesim_closed_form_cycles(d, 8, 4, 5, 6, 13), static_cast<int64_t>(compat_cycles));
    EXPECT_EQ(skipsim_closed_form_cycles(d, 8, 4, 5, 6, 13), static_cast<int64_t>(own_cycles));
  }
}

// Simulated cycles equal the closed forms and results equal the reference over a grid of
// shapes, array sizes and dataflows, in both modes.
TEST(SystolicArray, CyclesMatchClosedFormGrid) {
  const std::pair<int, int> arrays[] = {{1, 1}, {2, 3}, {4, 4}, {8, 4}, {3, 7}, {16, 16}};
  const std::tuple<int64_t, int64_t, int64_t> shapes[] = {
      {1, 1, 1}, {5, 6, 13}, {7, 3, 2}, {16, 16, 16}, {17, 9, 33}, {40, 5, 4}, {3, 20, 50}};
  uint64_t seed = 11;
  int checked = 0;
  for (const auto& [r, c] : arrays)
    for (const auto& [m, n, k] : shapes) {
      const Gemm g = random_gemm(m, n, k, seed++);
      const std::vector<int32_t> ref = reference(g);
      for (Dataflow d : kAll)
        for (bool compat : {true, false}) {
          std::vector<int32_t> out;
          const SystolicStats st = run(g, r, c, d, compat, &out);
          const int64_t want = compat ? scalesim_closed_form_cycles(d, r, c, m, n, k)
                                      : skipsim_closed_form_cycles(d, r, c, m, n, k);
          ASSERT_EQ(static_cast<int64_t>(st.cycles), want)
              << dataflow_name(d) << " compat=" << compat << " R=" << r << " C=" << c << " M=" << m
              << " N=" << n << " K=" << k;
          ASSERT_EQ(out, ref) << dataflow_name(d) << " compat=" << compat << " R=" << r
                              << " C=" << c << " M=" << m << " N=" << n << " K=" << k;
          EXPECT_EQ(st.useful_macs, static_cast<uint64_t>(m * n * k));
          ++checked;
        }
    }
  EXPECT_EQ(checked, 6 * 7 * 3 * 2);
}

// SRAM accesses per operand, counted in the simulation, against what each dataflow reads.
TEST(SystolicArray, SramAccessCounts) {
  const int64_t m = 5, n = 6, k = 13;
  const int rows = 8, cols = 4;
  const Gemm g = random_gemm(m, n, k, 5);
  std::vector<int32_t> out;
  // ws: folds (K/8 = 2) x (N/4 = 2). Each weight once, A once per column fold, results once
  // per row fold, read back for accumulation on the second.
  SystolicStats ws = run(g, rows, cols, Dataflow::kWs, true, &out);
  EXPECT_EQ(ws.filter_reads, static_cast<uint64_t>(k * n));
  EXPECT_EQ(ws.ifmap_reads, static_cast<uint64_t>(m * k * 2));
  EXPECT_EQ(ws.ofmap_writes, static_cast<uint64_t>(m * n * 2));
  EXPECT_EQ(ws.ofmap_reads, static_cast<uint64_t>(m * n));
  // os: folds (M/8 = 1) x (N/4 = 2): A once per column fold, B once per row fold.
  SystolicStats os = run(g, rows, cols, Dataflow::kOs, false, &out);
  EXPECT_EQ(os.ifmap_reads, static_cast<uint64_t>(m * k * 2));
  EXPECT_EQ(os.filter_reads, static_cast<uint64_t>(k * n));
  EXPECT_EQ(os.ofmap_writes, static_cast<uint64_t>(m * n));
  EXPECT_EQ(os.ofmap_reads, 0u);
  // is: folds (K/8 = 2) x (M/4 = 2): A once, B once per column fold.
  SystolicStats is = run(g, rows, cols, Dataflow::kIs, true, &out);
  EXPECT_EQ(is.ifmap_reads, static_cast<uint64_t>(m * k));
  EXPECT_EQ(is.filter_reads, static_cast<uint64_t>(k * n * 2));
  EXPECT_EQ(is.ofmap_writes, static_cast<uint64_t>(m * n * 2));
  EXPECT_EQ(is.ofmap_reads, static_cast<uint64_t>(m * n));
}

// Mapping efficiency (SCALE-Sim's: used PEs / (R*C) averaged over folds). ws, R=8, C=4,
// K=13, N=6: folds use 8x4, 5x4, 8x2, 5x2 PEs -> (32+20+16+10)/(4*32).
TEST(SystolicArray, MappingEfficiencyPartialFolds) {
  const Gemm g = random_gemm(5, 6, 13, 9);
  std::vector<int32_t> out;
  const SystolicStats st = run(g, 8, 4, Dataflow::kWs, true, &out);
  EXPECT_EQ(st.folds, 4u);
  EXPECT_DOUBLE_EQ(st.mapping_efficiency, 78.0 / 128.0);
  EXPECT_DOUBLE_EQ(st.utilization(8, 4), 5.0 * 6 * 13 / (32.0 * 91));
}

// Without compat the stationary operands are double-buffered and consecutive folds share
// the array along a wavefront: with T >= 2R + C - 2 folds stream back to back and only the
// first preload (R) and the last fill and drain (R + C - 2) are exposed. os instead exposes
// the drain of every fold: R + 1 more per fold than compat.
TEST(SystolicArray, DefaultModeDifferencesFromCompat) {
  const int rows = 4, cols = 4;
  const int64_t folds = 9;
  // ws: T = M = 40, K = 11 and N = 10 -> 3 x 3 folds; is: T = N = 40, K and M -> 3 x 3.
  const Gemm ws = random_gemm(40, 10, 11, 13), is = random_gemm(10, 40, 11, 14);
  std::vector<int32_t> out;
  for (const auto& [d, g] : {std::pair{Dataflow::kWs, &ws}, std::pair{Dataflow::kIs, &is}}) {
    const uint64_t compat = run(*g, rows, cols, d, true, &out).cycles;
    const uint64_t own = run(*g, rows, cols, d, false, &out).cycles;
    EXPECT_EQ(own, static_cast<uint64_t>(2 * rows + cols - 2 + folds * 40)) << dataflow_name(d);
    EXPECT_EQ(compat + 1, static_cast<uint64_t>(folds * (2 * rows + cols + 40 - 2)));
    EXPECT_EQ(out, reference(*g));
  }
  // Short folds (T = 2 < 2R + C - 2): a fold waits for its bank, which the fold two before
  // frees when it has left every PE; the run still beats compat.
  const Gemm short_t = random_gemm(2, 10, 11, 15);
  const uint64_t own = run(short_t, rows, cols, Dataflow::kWs, false, &out).cycles;
  EXPECT_EQ(out, reference(short_t));
  EXPECT_LT(own, run(short_t, rows, cols, Dataflow::kWs, true, &out).cycles);
  EXPECT_GT(own, static_cast<uint64_t>(2 * rows + cols - 2 + folds * 2));
  const Gemm os = random_gemm(9, 10, 11, 16);  // os: 3 x 3 folds
  const uint64_t os_compat = run(os, rows, cols, Dataflow::kOs, true, &out).cycles;
  EXPECT_EQ(run(os, rows, cols, Dataflow::kOs, false, &out).cycles, os_compat + 1 + folds * rows);
}

// Stepping a GEMM one cycle at a time gives the same results and cycles as running it
// whole, and the output pins carry every result exactly once.
TEST(SystolicArray, SteppedRunAndOutputPins) {
  const Gemm g = random_gemm(7, 9, 13, 21);
  for (Dataflow d : kAll) {
    SystolicArray arr(4, 3, d, false);
    std::vector<int32_t> out(g.m * g.n);
    GemmOperands op;
    op.m = g.m, op.n = g.n, op.k = g.k;
    op.a = g.a.data(), op.a_si = g.k, op.a_sj = 1;
    op.b = g.b.data(), op.b_si = g.n, op.b_sj = 1;
    op.bias = g.bias.data();
    op.out = out.data();
    arr.start(op);
    EXPECT_TRUE(arr.busy());
    uint64_t steps = 0, pins = 0;
    bool done = false;
    while (!done) {
      done = arr.step();
      ++steps;
      for (uint8_t v : arr.out_pins().valid) pins += v;
    }
    EXPECT_FALSE(arr.busy());
    EXPECT_EQ(steps, arr.stats().cycles) << dataflow_name(d);
    EXPECT_EQ(out, reference(g)) << dataflow_name(d);
    // Every fold moves T results per used and unused column (ws/is), or R x C (os).
    const FoldMapping f = map_gemm(d, 4, 3, g.m, g.n, g.k);
    const uint64_t want = d == Dataflow::kOs ? f.folds() * 4 * 3 : f.folds() * f.t * 3;
    EXPECT_EQ(pins, want) << dataflow_name(d);
    EXPECT_THROW(arr.step(), std::logic_error);
  }
}

TEST(SystolicArray, RejectsBadShapes) {
  EXPECT_THROW(SystolicArray(0, 4, Dataflow::kWs, false), std::invalid_argument);
  SystolicArray arr(2, 2, Dataflow::kWs, false);
  int8_t a = 1, b = 1;
  int32_t o = 0;
  EXPECT_THROW(arr.run_gemm(0, 1, 1, &a, &b, nullptr, &o), std::invalid_argument);
}

TEST(SystolicDataflow, ParseAndMapping) {
  EXPECT_EQ(parse_dataflow("ws"), Dataflow::kWs);
  EXPECT_EQ(parse_dataflow("os"), Dataflow::kOs);
  EXPECT_EQ(parse_dataflow("is"), Dataflow::kIs);
  EXPECT_THROW(parse_dataflow("WS"), InputError);
  const FoldMapping f = map_gemm(Dataflow::kIs, 32, 32, 3025, 96, 363);
  EXPECT_EQ(f.sr, 363);
  EXPECT_EQ(f.sc, 3025);
  EXPECT_EQ(f.t, 96);
  EXPECT_EQ(f.folds(), 12 * 95);
}

}  // namespace
}  // namespace skipsim
