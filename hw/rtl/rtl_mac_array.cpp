#include "hw/rtl/rtl_mac_array.hpp"

#include <algorithm>
#include <random>
#include <stdexcept>

#include <fmt/format.h>

namespace skipsim {

namespace {

// Assembles O from the output pins alone. Each column emits its results fold by fold in
// order (folds: column block outer, row block inner), so the k-th valid value of column c
// is element k mod T (ws/is) or row k mod R (os) of fold k / T or k / R.
class ResultDecoder {
 public:
  ResultDecoder(const SystolicArray& a, const GemmOperands& g)
      : m_d(a.dataflow()),
        m_rows(a.rows()),
        m_cols(a.cols()),
        m_m(g.m),
        m_n(g.n),
        m_map(map_gemm(a.dataflow(), a.rows(), a.cols(), g.m, g.n, g.k)),
        m_count(static_cast<size_t>(a.cols()), 0),
        m_out(static_cast<size_t>(g.m * g.n)) {
    for (int64_t i = 0; i < g.m; ++i)
      for (int64_t j = 0; j < g.n; ++j) m_out[i * g.n + j] = g.bias ? g.bias[j] : 0;
  }
  void take(int c, int32_t v) {
    const int64_t k = m_count[c]++;
    if (m_d == Dataflow::kOs) {
      const int64_t f = k / m_rows;
      const int64_t i = (f % m_map.row_folds) * m_rows + k % m_rows;
      const int64_t j = (f / m_map.row_folds) * m_cols + c;
      if (i < m_m && j < m_n) m_out[i * m_n + j] += v;
      return;
    }
    const int64_t f = k / m_map.t, e = k % m_map.t;
    const int64_t j = (f / m_map.row_folds) * m_cols + c;  // stationary column
    if (j >= m_map.sc) return;
    if (m_d == Dataflow::kWs)
      m_out[e * m_n + j] += v;
    else
      m_out[j * m_n + e] += v;
  }
  std::vector<int32_t> take_result() { return std::move(m_out); }
  // Every column has emitted all its results.
  bool complete() const {
    const int64_t per_col = m_map.folds() * (m_d == Dataflow::kOs ? m_rows : m_map.t);
    for (int64_t n : m_count)
      if (n != per_col) return false;
    return true;
  }

 private:
  Dataflow m_d;
  int m_rows, m_cols;
  int64_t m_m, m_n;
  FoldMapping m_map;
  std::vector<int64_t> m_count;
  std::vector<int32_t> m_out;
};

class RtlDatapath final : public ArrayDatapath {
 public:
  explicit RtlDatapath(std::unique_ptr<RtlMacArray> rtl) : m_rtl(std::move(rtl)) {}
  void start(const SystolicArray& model, const GemmOperands& g) override {
    if (model.rows() != m_rtl->rows() || model.cols() != m_rtl->cols() ||
        (model.dataflow() == Dataflow::kOs) != m_rtl->output_stationary() ||
        model.scalesim_compat())
      throw std::invalid_argument("RTL MAC array: size or dataflow differs from the model's");
    m_decoder.emplace(model, g);
    m_rtl->reset();
  }
  void cycle(const SystolicArray& model) override {
    m_rtl->cycle(model.in_pins(), true);
    ++m_cycle;
    const ArrayPins& p = model.out_pins();
    bool differs = false;
    for (int c = 0; c < m_rtl->cols(); ++c) {
      const bool rv = m_rtl->out_valid(c);
      const int32_t v = rv ? m_rtl->out_value(c) : 0;
      if (rv != (p.valid[c] != 0) || (rv && v != p.value[c])) {
        if (!differs && m_first.empty())
          m_first = describe({m_cycle, c, rv != (p.valid[c] != 0) ? "out_valid" : "out_value",
                              rv ? int64_t{v} : 0, p.valid[c] ? int64_t{p.value[c]} : 0});
        differs = true;
      }
      if (rv) m_decoder->take(c, v);
    }
    m_mismatched += differs;
  }
  void finish(int32_t* out) override {
    if (!m_decoder->complete())
      throw std::runtime_error(
          "RTL MAC array: the model's GEMM ended before every result left the RTL array" +
          (m_first.empty() ? std::string() : " (first difference: " + m_first + ")"));
    const std::vector<int32_t> r = m_decoder->take_result();
    std::copy(r.begin(), r.end(), out);
    m_decoder.reset();
  }
  uint64_t mismatched_cycles() const override { return m_mismatched; }
  std::string first_mismatch() const override { return m_first; }

 private:
  std::unique_ptr<RtlMacArray> m_rtl;
  std::optional<ResultDecoder> m_decoder;
  uint64_t m_cycle = 0, m_mismatched = 0;
  std::string m_first;
};

}  // namespace

std::unique_ptr<ArrayDatapath> make_rtl_datapath(std::unique_ptr<RtlMacArray> rtl) {
  return std::make_unique<RtlDatapath>(std::move(rtl));
}

std::string describe(const MacArrayMismatch& m) {
  return fmt::format("cycle {}, column {}: {} is {} in the RTL, {} in the model", m.cycle, m.column,
                     m.pin, m.rtl, m.model);
}

MacArrayLockstep run_lockstep(SystolicArray& model, RtlMacArray& rtl, const GemmOperands& g,
                              const StallInjection& stalls) {
  if (model.scalesim_compat())
    throw std::invalid_argument("lock-step: compat mode has no RTL counterpart");
  if (model.rows() != rtl.rows() || model.cols() != rtl.cols() ||
      (model.dataflow() == Dataflow::kOs) != rtl.output_stationary())
    throw std::invalid_argument(fmt::format("lock-step: the model is {}x{} {}, the RTL {}x{} {}",
                                            model.rows(), model.cols(),
                                            dataflow_name(model.dataflow()), rtl.rows(), rtl.cols(),
                                            rtl.output_stationary() ? "os" : "ws/is"));
  const int R = model.rows(), C = model.cols();
  MacArrayLockstep res;
  ResultDecoder decoder(model, g);
  std::mt19937_64 rng(stalls.seed);
  std::bernoulli_distribution stall(stalls.probability);
  ArrayInputs junk;
  junk.act.resize(R), junk.act_bank.resize(R), junk.act_valid.resize(R);
  junk.act_first.resize(R), junk.act_last.resize(R), junk.col.resize(C);
  std::vector<uint8_t> held_valid(C, 0);
  std::vector<int32_t> held_value(C, 0);

  model.start(g);
  rtl.reset();
  bool done = false;
  while (!done) {
    if (stalls.probability > 0 && stall(rng)) {
      // en low: the inputs must not matter and no register may move.
      for (int r = 0; r < R; ++r) {
        junk.act[r] = static_cast<int8_t>(rng());
        junk.act_bank[r] = rng() & 1, junk.act_valid[r] = rng() & 1;
        junk.act_first[r] = rng() & 1, junk.act_last[r] = rng() & 1;
      }
      for (int c = 0; c < C; ++c) junk.col[c] = static_cast<int8_t>(rng());
      junk.w_shift = rng() & 1, junk.w_bank = rng() & 1;
      rtl.cycle(junk, false);
      ++res.stall_cycles;
      for (int c = 0; c < C && !res.mismatch; ++c) {
        if (rtl.out_valid(c) != (held_valid[c] != 0))
          res.mismatch = {res.cycles, c, "out_valid (stalled)", rtl.out_valid(c), held_valid[c]};
        else if (held_valid[c] && rtl.out_value(c) != held_value[c])
          res.mismatch = {res.cycles, c, "out_value (stalled)", rtl.out_value(c), held_value[c]};
      }
      if (res.mismatch) break;
      continue;
    }
    done = model.step();
    rtl.cycle(model.in_pins(), true);
    const ArrayPins& p = model.out_pins();
    for (int c = 0; c < C; ++c) {
      const bool rv = rtl.out_valid(c);
      if (rv != (p.valid[c] != 0)) {
        res.mismatch = {res.cycles, c, "out_valid", rv, p.valid[c]};
        break;
      }
      held_valid[c] = rv;
      if (!rv) continue;
      const int32_t v = rtl.out_value(c);
      if (v != p.value[c]) {
        res.mismatch = {res.cycles, c, "out_value", v, p.value[c]};
        break;
      }
      held_value[c] = v;
      decoder.take(c, v);
    }
    if (res.mismatch) break;
    ++res.cycles;
  }
  while (model.busy()) model.step();
  res.rtl_out = decoder.take_result();
  return res;
}

}  // namespace skipsim
