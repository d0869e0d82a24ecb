// The systolic MAC array's RTL against the C++ SystolicArray, output pin by output pin every
// cycle: ws, is and os on several array sizes and GEMM shapes (partial folds included), with
// and without seeded random stalls, the result bit-exact against a reference GEMM; and an
// altered RTL caught at the cycle and column where it first differs.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <random>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "Vsystolic_altered_os_4x4.h"
#include "Vsystolic_altered_ws_4x4.h"
#include "Vsystolic_os_16x16.h"
#include "Vsystolic_os_3x5.h"
#include "Vsystolic_os_4x4.h"
#include "Vsystolic_os_8x4.h"
#include "Vsystolic_ws_16x16.h"
#include "Vsystolic_ws_3x5.h"
#include "Vsystolic_ws_4x4.h"
#include "Vsystolic_ws_8x4.h"
#include "hw/rtl/rtl_mac_array.hpp"

using namespace skipsim;

namespace {

// The sizes tests/CMakeLists.txt Verilates.
std::unique_ptr<RtlMacArray> mac_array_rtl(Dataflow d, int rows, int cols) {
  const bool os = d == Dataflow::kOs;
#define SKIPSIM_ARRAY(R, C)                                                                  \
  if (rows == R && cols == C)                                                                \
    return os ? std::unique_ptr<RtlMacArray>(                                                \
                    std::make_unique<VerilatedMacArray<Vsystolic_os_##R##x##C>>(R, C, true)) \
              : std::unique_ptr<RtlMacArray>(                                                \
                    std::make_unique<VerilatedMacArray<Vsystolic_ws_##R##x##C>>(R, C, false));
  SKIPSIM_ARRAY(4, 4)
  SKIPSIM_ARRAY(8, 4)
  SKIPSIM_ARRAY(3, 5)
  SKIPSIM_ARRAY(16, 16)
#undef SKIPSIM_ARRAY
  ADD_FAILURE() << "no Verilated array of " << rows << "x" << cols;
  return nullptr;
}

struct Gemm {
  int64_t m, n, k;
  std::vector<int8_t> a, b;
  std::vector<int32_t> bias;
  GemmOperands operands(std::vector<int32_t>& out) const {
    out.assign(static_cast<size_t>(m * n), 0);
    GemmOperands g;
    g.m = m, g.n = n, g.k = k;
    g.a = a.data(), g.a_si = k, g.a_sj = 1;
    g.b = b.data(), g.b_si = n, g.b_sj = 1;
    g.bias = bias.data();
    g.out = out.data();
    return g;
  }
  std::vector<int32_t> reference() const {
    std::vector<int32_t> o(static_cast<size_t>(m * n));
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        int32_t s = bias[j];
        for (int64_t p = 0; p < k; ++p) s += int32_t{a[i * k + p]} * b[p * n + j];
        o[i * n + j] = s;
      }
    return o;
  }
};

Gemm random_gemm(int64_t m, int64_t n, int64_t k, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> i8(-128, 127), bias(-100000, 100000);
  Gemm g{m, n, k, {}, {}, {}};
  for (int64_t i = 0; i < m * k; ++i) g.a.push_back(static_cast<int8_t>(i8(rng)));
  for (int64_t i = 0; i < k * n; ++i) g.b.push_back(static_cast<int8_t>(i8(rng)));
  for (int64_t i = 0; i < n; ++i) g.bias.push_back(bias(rng));
  return g;
}

Gemm constant_gemm(int64_t m, int64_t n, int64_t k, int8_t a, int8_t b) {
  return Gemm{m,
              n,
              k,
              std::vector<int8_t>(static_cast<size_t>(m * k), a),
              std::vector<int8_t>(static_cast<size_t>(k * n), b),
              std::vector<int32_t>(static_cast<size_t>(n), 0)};
}

// Lock-step over every shape on one array; stall_probability 0 or not.
void expect_lockstep(Dataflow d, int rows, int cols, double stall_probability) {
  auto rtl = mac_array_rtl(d, rows, cols);
  ASSERT_TRUE(rtl);
  const int R = rows, C = cols;
  // (M, N, K): single PE, exact fit, partial row and column folds, long and short streams.
  const std::tuple<int64_t, int64_t, int64_t> shapes[] = {
      {1, 1, 1},         {R, C, R},      {5, 7, 9},     {2 * R + 1, C + 2, 3 * R - 1},
      {3, 2 * C + 1, 1}, {40, 3, R + 1}, {1, C, 2 * R}, {2, 2, 4 * R + 3},
  };
  uint64_t seed = 11;
  for (const auto& [m, n, k] : shapes) {
    SCOPED_TRACE(::testing::Message() << dataflow_name(d) << " " << R << "x" << C << " M=" << m
                                      << " N=" << n << " K=" << k);
    const Gemm gemm = random_gemm(m, n, k, ++seed);
    SystolicArray model(R, C, d, false);
    std::vector<int32_t> out;
    const MacArrayLockstep res =
        run_lockstep(model, *rtl, gemm.operands(out), StallInjection{stall_probability, seed});
    ASSERT_TRUE(res.equal()) << describe(*res.mismatch);
    EXPECT_EQ(res.cycles, model.stats().cycles);
    EXPECT_EQ(res.cycles, static_cast<uint64_t>(skipsim_closed_form_cycles(d, R, C, m, n, k)));
    if (stall_probability > 0) EXPECT_GT(res.stall_cycles, 0u);
    const std::vector<int32_t> ref = gemm.reference();
    EXPECT_EQ(res.rtl_out, ref);
    EXPECT_EQ(out, ref);
  }
}

class MacArrayRtl : public ::testing::TestWithParam<std::tuple<Dataflow, int, int>> {};

}  // namespace

TEST_P(MacArrayRtl, LockstepEqualsTheModel) {
  const auto [d, r, c] = GetParam();
  expect_lockstep(d, r, c, 0.0);
}

TEST_P(MacArrayRtl, LockstepEqualsTheModelWithRandomStalls) {
  const auto [d, r, c] = GetParam();
  expect_lockstep(d, r, c, 0.3);
}

// Seeded random shapes (M, N, K in [1, 3 * max(R, C)]) with random stall rates.
TEST_P(MacArrayRtl, LockstepOnRandomShapes) {
  const auto [d, R, C] = GetParam();
  auto rtl = mac_array_rtl(d, R, C);
  ASSERT_TRUE(rtl);
  std::mt19937_64 rng(static_cast<uint64_t>(R * 100 + C) * 3 + static_cast<uint64_t>(d));
  std::uniform_int_distribution<int64_t> dim(1, 3 * std::max(R, C));
  std::uniform_real_distribution<double> rate(0.0, 0.6);
  for (int i = 0; i < 12; ++i) {
    const int64_t m = dim(rng), n = dim(rng), k = dim(rng);
    const double p = i % 3 == 0 ? 0.0 : rate(rng);
    SCOPED_TRACE(::testing::Message() << "M=" << m << " N=" << n << " K=" << k << " stalls " << p);
    const Gemm gemm = random_gemm(m, n, k, rng());
    SystolicArray model(R, C, d, false);
    std::vector<int32_t> out;
    const MacArrayLockstep res =
        run_lockstep(model, *rtl, gemm.operands(out), StallInjection{p, rng()});
    ASSERT_TRUE(res.equal()) << describe(*res.mismatch);
    EXPECT_EQ(res.cycles, model.stats().cycles);
    EXPECT_EQ(res.rtl_out, gemm.reference());
  }
}

static std::vector<std::tuple<Dataflow, int, int>> all_arrays() {
  std::vector<std::tuple<Dataflow, int, int>> v;
  for (Dataflow d : {Dataflow::kWs, Dataflow::kIs, Dataflow::kOs})
    for (const auto& [r, c] : {std::pair{4, 4}, {8, 4}, {3, 5}, {16, 16}}) v.emplace_back(d, r, c);
  return v;
}

INSTANTIATE_TEST_SUITE_P(Shapes, MacArrayRtl, ::testing::ValuesIn(all_arrays()),
                         [](const auto& info) {
                           return std::string(dataflow_name(std::get<0>(info.param))) + "_" +
                                  std::to_string(std::get<1>(info.param)) + "x" +
                                  std::to_string(std::get<2>(info.param));
                         });

TEST(MacArrayRtlAltered, WsPartialSumDroppingItsTopBitIsCaughtAtTheFirstNegativeSum) {
  // A = 1, B = -1: every partial sum is negative. Preload is cycles 0-3, row 0 takes
  // element 0 at cycle 4, and its sum leaves the bottom of column 0 at cycle 4 + R - 1.
  const Gemm gemm = constant_gemm(6, 4, 4, 1, -1);
  SystolicArray model(4, 4, Dataflow::kWs, false);
  VerilatedMacArray<Vsystolic_altered_ws_4x4> rtl(4, 4, false);
  std::vector<int32_t> out;
  const MacArrayLockstep res = run_lockstep(model, rtl, gemm.operands(out));
  ASSERT_FALSE(res.equal());
  EXPECT_EQ(res.mismatch->cycle, 7u);
  EXPECT_EQ(res.mismatch->column, 0);
  EXPECT_EQ(res.mismatch->pin, "out_value");
  EXPECT_EQ(res.mismatch->model, -4);
  EXPECT_EQ(res.mismatch->rtl, 0x7fffffff - 3);
  EXPECT_EQ(out, gemm.reference());  // the model finished alone
}

TEST(MacArrayRtlAltered, OsAccumulatorThatNeverRestartsIsCaughtAtTheSecondFold) {
  // 2 row folds of T + 2R + C - 2 = 13 cycles; fold 1's PE (0, 0) is final at 13 + T - 1
  // and its result reaches the top of the drain chain one cycle later, still holding fold
  // 0's 3.
  const Gemm gemm = constant_gemm(8, 4, 3, 1, 1);
  SystolicArray model(4, 4, Dataflow::kOs, false);
  VerilatedMacArray<Vsystolic_altered_os_4x4> rtl(4, 4, true);
  std::vector<int32_t> out;
  const MacArrayLockstep res = run_lockstep(model, rtl, gemm.operands(out));
  ASSERT_FALSE(res.equal());
  EXPECT_EQ(res.mismatch->cycle, 16u);
  EXPECT_EQ(res.mismatch->column, 0);
  EXPECT_EQ(res.mismatch->pin, "out_value");
  EXPECT_EQ(res.mismatch->model, 3);
  EXPECT_EQ(res.mismatch->rtl, 6);
}

TEST(MacArrayRtlAltered, StalledAlteredRtlIsCaughtAtTheSameModelCycle) {
  const Gemm gemm = constant_gemm(6, 4, 4, 1, -1);
  SystolicArray model(4, 4, Dataflow::kWs, false);
  VerilatedMacArray<Vsystolic_altered_ws_4x4> rtl(4, 4, false);
  std::vector<int32_t> out;
  const MacArrayLockstep res = run_lockstep(model, rtl, gemm.operands(out), {0.5, 3});
  ASSERT_FALSE(res.equal());
  EXPECT_GT(res.stall_cycles, 0u);
  EXPECT_EQ(res.mismatch->cycle, 7u);
  EXPECT_EQ(res.mismatch->column, 0);
}

TEST(MacArrayRtl, RefusesCompatModeAndAMismatchedArray) {
  const Gemm gemm = random_gemm(4, 4, 4, 1);
  std::vector<int32_t> out;
  VerilatedMacArray<Vsystolic_ws_4x4> rtl(4, 4, false);
  SystolicArray compat(4, 4, Dataflow::kWs, true);
  EXPECT_THROW(run_lockstep(compat, rtl, gemm.operands(out)), std::invalid_argument);
  SystolicArray os(4, 4, Dataflow::kOs, false);
  EXPECT_THROW(run_lockstep(os, rtl, gemm.operands(out)), std::invalid_argument);
  SystolicArray wider(4, 5, Dataflow::kWs, false);
  EXPECT_THROW(run_lockstep(wider, rtl, gemm.operands(out)), std::invalid_argument);
}

// Wall time of one conv-sized GEMM (M=256, N=64, K=576 on 16x16): the C++ model alone, and
// the RTL alone replaying the model's recorded input pins.
TEST(MacArrayRtl, SpeedAgainstTheModel) {
  const Gemm gemm = random_gemm(256, 64, 576, 5);
  for (Dataflow d : {Dataflow::kWs, Dataflow::kOs}) {
    std::vector<int32_t> out;
    SystolicArray model(16, 16, d, false);
    using clock = std::chrono::steady_clock;
    const auto t0 = clock::now();
    model.start(gemm.operands(out));
    while (!model.step()) {
    }
    const double model_s = std::chrono::duration<double>(clock::now() - t0).count();
    std::vector<ArrayInputs> pins;
    model.start(gemm.operands(out));
    bool done = false;
    while (!done) {
      done = model.step();
      pins.push_back(model.in_pins());
    }
    auto rtl = mac_array_rtl(d, 16, 16);
    const auto t1 = clock::now();
    rtl->reset();
    for (const ArrayInputs& p : pins) rtl->cycle(p, true);
    const double rtl_s = std::chrono::duration<double>(clock::now() - t1).count();
    std::printf("%s 16x16 M=256 N=64 K=576: %zu cycles, model %.4f s, RTL %.4f s (%.1fx)\n",
                dataflow_name(d), pins.size(), model_s, rtl_s, rtl_s / model_s);
    EXPECT_EQ(pins.size(), model.stats().cycles);
  }
}

// `skipsim layer --cosim mac_array`: every layer's GEMM through the RTL array built into
// skipsim, in lock-step, with Verilator's VCD on request.
TEST(MacArrayRtl, LayerCommandRunsEachGemmInLockstep) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / "skipsim_layer_cosim";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  for (const char* df : {"ws", "is", "os"}) {
    const std::string cmd = std::string(SKIPSIM_BINARY) + " layer --config " + SKIPSIM_SOURCE_DIR +
                            "/configs/resnet18_conv2x.yaml --dataflow " + df +
                            " --cosim mac_array --json --vcd " + (dir / "a.vcd").string() +
                            " --layer name=c1,h=6,w=5,kh=3,c=20,n=17"
                            " --layer name=c2,h=9,w=7,kh=1,c=40,n=3,stride=2 2>/dev/null";
    FILE* p = popen(cmd.c_str(), "r");
    ASSERT_TRUE(p);
    std::string text;
    char buf[4096];
    for (size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) text.append(buf, n);
    ASSERT_EQ(pclose(p), 0) << df;
    const nlohmann::json layers = nlohmann::json::parse(text);
    ASSERT_EQ(layers.size(), 2u);
    for (const auto& l : layers) {
      EXPECT_TRUE(l["cosim"]["equal"].get<bool>()) << df << l.dump();
      EXPECT_EQ(l["cosim"]["compared_cycles"], l["cycles"]);
      EXPECT_EQ(l["check"], "pass");
    }
    EXPECT_GT(std::filesystem::file_size(dir / "a.vcd"), 0u);
    EXPECT_GT(std::filesystem::file_size(dir / "a.c2.vcd"), 0u);
  }
}
