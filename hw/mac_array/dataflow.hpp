#pragma once
// Dataflows of the systolic array and the closed forms its simulated cycle counts are
// checked against. A GEMM O[M][N] = A[M][K] * B[K][N] maps onto an R x C array as
// (Sr, Sc, T): Sr indexes rows, Sc columns, T the cycles streamed per fold:
//   ws (weight stationary): (K, N, M)   B held in the PEs, A streamed
//   os (output stationary): (M, N, K)   O held in the PEs, A and B streamed
//   is (input stationary):  (K, M, N)   A held in the PEs, B streamed
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "hw/common/enum_names.hpp"
#include "hw/common/errors.hpp"

namespace skipsim {

enum class Dataflow { kWs, kOs, kIs };

inline constexpr EnumName<Dataflow> kDataflowNames[] = {
    {Dataflow::kWs, "ws"}, {Dataflow::kOs, "os"}, {Dataflow::kIs, "is"}};
constexpr const auto& enum_table(Dataflow) { return kDataflowNames; }

inline const char* dataflow_name(Dataflow d) { return enum_name(d).data(); }

// How the array is simulated. kPe: every PE and register each cycle (the reference; RTL
// lock-step, pins). kTile: a GEMM at a time, its results from a plain int8 GEMM when it
// starts and its busy time and SRAM counts from the closed forms below, which the PE model
// reproduces exactly (tests/unit/test_array_models.cpp holds the two equal).
enum class ArrayModel { kTile, kPe };

inline constexpr EnumName<ArrayModel> kArrayModelNames[] = {{ArrayModel::kTile, "tile"},
                                                            {ArrayModel::kPe, "pe"}};
constexpr const auto& enum_table(ArrayModel) { return kArrayModelNames; }

// "ws", "os", "is" (case-sensitive); anything else is an InputError naming `what`.
inline Dataflow parse_dataflow(const std::string& s, const std::string& what = "dataflow") {
  if (const auto d = parse_enum<Dataflow>(s)) return *d;
  throw InputError(what + ": expected one of " + enum_choices<Dataflow>() + ", got '" + s + "'");
}

struct FoldMapping {
  int64_t sr = 0, sc = 0, t = 0;
  int64_t row_folds = 0, col_folds = 0;
  int64_t folds() const { return row_folds * col_folds; }
};

inline int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

inline FoldMapping map_gemm(Dataflow d, int rows, int cols, int64_t m, int64_t n, int64_t k) {
  FoldMapping f;
  switch (d) {
    case Dataflow::kWs:
      f.sr = k, f.sc = n, f.t = m;
      break;
    case Dataflow::kOs:
      f.sr = m, f.sc = n, f.t = k;
      break;
    case Dataflow::kIs:
      f.sr = k, f.sc = m, f.t = n;
      break;
  }
  f.row_folds = ceil_div(f.sr, rows);
  f.col_folds = ceil_div(f.sc, cols);
  return f;
}

// SCALE-Sim v2's reported total: folds serialized, fill and drain exposed per fold, the index
// of the last cycle (count - 1). OS per fold T+R+C-2 (its code), WS and IS 2R+C+T-2.
inline int64_t scalesim_closed_form_cycles(Dataflow d, int rows, int cols, int64_t m, int64_t n,
                                           int64_t k) {
  const FoldMapping f = map_gemm(d, rows, cols, m, n, k);
  const int64_t per_fold = d == Dataflow::kOs ? f.t + rows + cols - 2 : 2 * rows + cols + f.t - 2;
  return f.folds() * per_fold - 1;
}

// When fold f of a weight- or input-stationary GEMM preloads its stationary operand
// (cycles [preload, preload + R)), streams (its row 0 takes elements in [stream, stream + T))
// and is done (`end`, the cycle after its last result left the bottom-right PE).
struct FoldTimes {
  int64_t preload = 0, stream = 0, end = 0;
};

// Compat: folds serialized, each preload -> stream -> drain. Default: two banks of stationary
// registers; fold f preloads into bank f % 2 once fold f-2 has left every PE (and after the
// previous preload: one weight read port), and streams right behind fold f-1 once preloaded,
// so the fill and drain of consecutive folds overlap.
inline std::vector<FoldTimes> stationary_schedule(int rows, int cols, int64_t t, int64_t folds,
                                                  bool compat) {
  std::vector<FoldTimes> s(static_cast<size_t>(folds));
  const int64_t R = rows, span = t + rows + cols - 2;  // stream start -> end
  for (int64_t f = 0; f < folds; ++f) {
    FoldTimes& x = s[f];
    if (compat) {
      x.preload = f == 0 ? 0 : s[f - 1].end;
      x.stream = x.preload + R;
    } else if (f == 0) {
      x.preload = 0;
      x.stream = R;
    } else {
      x.preload = std::max(s[f - 1].preload + R, f >= 2 ? s[f - 2].end : int64_t{0});
      x.stream = std::max(s[f - 1].stream + t, x.preload + R);
    }
    x.end = x.stream + span;
  }
  return s;
}

// skipsim's own count (cycles, not the last index), without compat:
//   ws, is: the end of the last fold of stationary_schedule; when T >= 2R + C - 2 folds
//           stream back to back: 2R + C - 2 + folds * T
//   os:     results drain up the columns after each fold, exposed: folds * (T + 2R + C - 2)
inline int64_t skipsim_closed_form_cycles(Dataflow d, int rows, int cols, int64_t m, int64_t n,
                                          int64_t k) {
  const FoldMapping f = map_gemm(d, rows, cols, m, n, k);
  if (d == Dataflow::kOs) return f.folds() * (f.t + 2 * rows + cols - 2);
  return stationary_schedule(rows, cols, f.t, f.folds(), false).back().end;
}

}  // namespace skipsim
