#include "hw/mac_array/systolic_array.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <utility>

namespace skipsim {

namespace {

// psum_out[c] = psum_in[c] + a[c] * w[c]: one row of PEs for one cycle.
void mac_row(int32_t* __restrict out, const int32_t* __restrict in, const int16_t* __restrict a,
             const int16_t* __restrict w, int n) {
  for (int c = 0; c < n; ++c) out[c] = in[c] + static_cast<int32_t>(a[c]) * w[c];
}

void mac_row_first(int32_t* __restrict out, const int16_t* __restrict a,
                   const int16_t* __restrict w, int n) {
  for (int c = 0; c < n; ++c) out[c] = static_cast<int32_t>(a[c]) * w[c];
}

// acc[c] += a[c] * b[c]: one row of OS PEs for one cycle.
void mac_acc(int32_t* __restrict acc, const int16_t* __restrict a, const int16_t* __restrict b,
             int n) {
  for (int c = 0; c < n; ++c) acc[c] += static_cast<int32_t>(a[c]) * b[c];
}

}  // namespace

SystolicArray::SystolicArray(int rows, int cols, Dataflow dataflow, bool scalesim_compat)
    : m_rows(rows),
      m_cols(cols),
      m_dataflow(dataflow),
      m_compat(scalesim_compat),
      m_act_stride(cols + kWindowSlack) {
  if (rows < 1 || cols < 1) throw std::invalid_argument("systolic array needs rows, cols >= 1");
  const size_t rc = static_cast<size_t>(rows) * cols;
  m_act.assign(static_cast<size_t>(rows) * m_act_stride, 0);
  m_tag.assign(m_act_stride, -1);
  m_w.assign(rc, 0);
  m_w_next.assign(rc, 0);
  m_psum.assign(rc, 0);
  if (dataflow == Dataflow::kOs) {
    m_b_ring.assign(rc, 0);
    m_drain.assign(static_cast<size_t>(rows + 1) * cols, 0);
    m_drain_src.assign(static_cast<size_t>(rows + 1) * cols, -1);
  }
}

void SystolicArray::reset_rows() {
  std::fill(m_act.begin(), m_act.end(), 0);
  std::fill(m_tag.begin(), m_tag.end(), -1);
  m_win = kWindowSlack;
}

void SystolicArray::shift_rows() {
  if (m_win == 0) {
    // Only the registers of PEs 0..C-2 survive the shift; they move to the buffer's end.
    const size_t keep = static_cast<size_t>(m_cols - 1);
    for (int r = 0; r < m_rows; ++r) {
      int16_t* row = &m_act[static_cast<size_t>(r) * m_act_stride];
      std::memmove(row + kWindowSlack, row, keep * sizeof(int16_t));
    }
    std::memmove(&m_tag[kWindowSlack], &m_tag[0], keep * sizeof(int64_t));
    m_win = kWindowSlack;
  }
  --m_win;
}

SystolicStats SystolicArray::run_gemm(int64_t m, int64_t n, int64_t k, const int8_t* a,
                                      const int8_t* b, const int32_t* bias, int32_t* out) {
  if (m < 1 || n < 1 || k < 1) throw std::invalid_argument("GEMM dimensions must be >= 1");
  SystolicStats st;
  st.useful_macs = static_cast<uint64_t>(m) * n * k;
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) out[i * n + j] = bias ? bias[j] : 0;
  const View va{a, k, 1}, vb{b, n, 1};
  switch (m_dataflow) {
    case Dataflow::kWs:
      // X = A (T = M rows, Sr = K), S = B (K x N), Y = O.
      run_stationary(k, n, m, va, vb, out, n, 1, &st.ifmap_reads, &st.filter_reads, &st);
      break;
    case Dataflow::kIs:
      // X = B^T (T = N rows, Sr = K), S = A^T (K x M), Y = O^T.
      run_stationary(k, m, n, View{b, 1, n}, View{a, 1, k}, out, 1, n, &st.filter_reads,
                     &st.ifmap_reads, &st);
      break;
    case Dataflow::kOs:
      run_output_stationary(m, n, k, va, vb, out, &st);
      break;
  }
  return st;
}

void SystolicArray::run_stationary(int64_t sr, int64_t sc, int64_t t_len, View x, View s,
                                   int32_t* out, int64_t ot, int64_t oj, uint64_t* x_reads,
                                   uint64_t* s_reads, SystolicStats* st) {
  const int R = m_rows, C = m_cols;
  const int64_t row_folds = ceil_div(sr, R), col_folds = ceil_div(sc, C);
  st->row_folds = row_folds;
  st->col_folds = col_folds;
  st->folds = row_folds * col_folds;

  // Folds in order: column block outer, row block inner (partial sums of one output block
  // accumulate on consecutive folds).
  auto fold_origin = [&](int64_t f) {
    return std::pair<int64_t, int64_t>((f % row_folds) * R, (f / row_folds) * C);
  };
  // One preload cycle: every column shifts its weights down one PE; row 0 takes the
  // element that ends in row R-1-p after the remaining shifts.
  auto preload_cycle = [&](std::vector<int16_t>& w, int64_t i0, int64_t j0, int p) {
    std::memmove(&w[C], &w[0], static_cast<size_t>(R - 1) * C * sizeof(int16_t));
    const int64_t i = i0 + R - 1 - p;
    for (int c = 0; c < C; ++c) {
      const int64_t j = j0 + c;
      if (i < sr && j < sc) {
        w[c] = s.at(i, j);
        ++*s_reads;
      } else {
        w[c] = 0;
      }
    }
  };

  uint64_t cycle = 0;
  double mapped = 0;
  const int64_t folds = st->folds;
  for (int64_t f = 0; f < folds; ++f) {
    const auto [i0, j0] = fold_origin(f);
    const int rows_used = static_cast<int>(std::min<int64_t>(R, sr - i0));
    const int cols_used = static_cast<int>(std::min<int64_t>(C, sc - j0));
    mapped += static_cast<double>(rows_used) * cols_used / (static_cast<double>(R) * C);

    if (m_compat || f == 0) {
      for (int p = 0; p < R; ++p, ++cycle) preload_cycle(m_w, i0, j0, p);
    } else {
      std::swap(m_w, m_w_next);  // preloaded during the previous fold
    }
    const bool preload_next = !m_compat && f + 1 < folds;
    const auto [ni0, nj0] = preload_next ? fold_origin(f + 1) : std::pair<int64_t, int64_t>(0, 0);

    reset_rows();
    std::fill(m_psum.begin(), m_psum.end(), 0);
    const bool accumulate = i0 > 0;
    const int64_t expected = t_len * C;  // results leaving the bottom, unused columns too
    int64_t emitted = 0;
    for (int64_t t = 0;; ++t, ++cycle) {
      shift_rows();
      const int win = m_win;
      // Edge feeders: row r streams element t - r (the skew).
      for (int r = 0; r < R; ++r) {
        const int64_t mi = t - r;
        int16_t v = 0;
        if (r < rows_used && mi >= 0 && mi < t_len) {
          v = x.at(mi, i0 + r);
          ++*x_reads;
        }
        m_act[static_cast<size_t>(r) * m_act_stride + win] = v;
      }
      const int64_t tail = t - (R - 1);
      m_tag[win] = tail >= 0 && tail < t_len ? tail : -1;

      // Bottom-up so that each row reads the partial sums its upper neighbour held last cycle.
      for (int r = R - 1; r >= 1; --r) {
        mac_row(&m_psum[static_cast<size_t>(r) * C], &m_psum[static_cast<size_t>(r - 1) * C],
                &m_act[static_cast<size_t>(r) * m_act_stride + win],
                &m_w[static_cast<size_t>(r) * C], C);
      }
      mac_row_first(&m_psum[0], &m_act[win], &m_w[0], C);

      const int32_t* bottom = &m_psum[static_cast<size_t>(R - 1) * C];
      for (int c = 0; c < C; ++c) {
        const int64_t mi = m_tag[win + c];
        if (mi < 0) continue;
        ++emitted;
        if (c < cols_used) {
          out[mi * ot + (j0 + c) * oj] += bottom[c];
          ++st->ofmap_writes;
          if (accumulate) ++st->ofmap_reads;
        }
      }
      if (preload_next && t < R) preload_cycle(m_w_next, ni0, nj0, static_cast<int>(t));
      if (emitted == expected) {
        ++cycle;
        break;
      }
    }
  }
  st->mapping_efficiency = mapped / static_cast<double>(folds);
  st->cycles = m_compat ? cycle - 1 : cycle;
}

void SystolicArray::run_output_stationary(int64_t m, int64_t n, int64_t k, View a, View b,
                                          int32_t* out, SystolicStats* st) {
  const int R = m_rows, C = m_cols;
  const int64_t row_folds = ceil_div(m, R), col_folds = ceil_div(n, C);
  st->row_folds = row_folds;
  st->col_folds = col_folds;
  st->folds = row_folds * col_folds;
  const int64_t t_len = k;
  const int ring_rows = R + 1;   // drain chain rows, one spare
  std::vector<int> last_pos(R);  // column of each row's last-element token, -1 none

  uint64_t cycle = 0;
  double mapped = 0;
  const int64_t folds = static_cast<int64_t>(st->folds);
  for (int64_t f = 0; f < folds; ++f) {
    const int64_t m0 = (f % row_folds) * R, n0 = (f / row_folds) * C;
    const int rows_used = static_cast<int>(std::min<int64_t>(R, m - m0));
    const int cols_used = static_cast<int>(std::min<int64_t>(C, n - n0));
    mapped += static_cast<double>(rows_used) * cols_used / (static_cast<double>(R) * C);

    reset_rows();
    std::fill(m_psum.begin(), m_psum.end(), 0);
    std::fill(m_b_ring.begin(), m_b_ring.end(), 0);
    std::fill(m_drain_src.begin(), m_drain_src.end(), -1);
    std::fill(last_pos.begin(), last_pos.end(), -1);
    const int64_t expected = static_cast<int64_t>(R) * C;
    int64_t done = 0;  // compat: results final; default: results out of the drain chain

    for (int64_t t = 0;; ++t, ++cycle) {
      shift_rows();
      const int win = m_win;
      for (int r = 0; r < R; ++r) {
        if (last_pos[r] >= 0 && ++last_pos[r] >= C) last_pos[r] = -1;
        const int64_t ki = t - r;
        int16_t v = 0;
        if (r < rows_used && ki >= 0 && ki < t_len) {
          v = a.at(m0 + r, ki);
          ++st->ifmap_reads;
        }
        m_act[static_cast<size_t>(r) * m_act_stride + win] = v;
        if (ki == t_len - 1) last_pos[r] = 0;
      }
      // Column feeders: column c streams B[t - c][n0 + c] into the top register. The column
      // registers of row r hold what entered the top r cycles ago: ring slot (t - r) mod R.
      int16_t* top = &m_b_ring[static_cast<size_t>(t % R) * C];
      for (int c = 0; c < C; ++c) {
        const int64_t ki = t - c;
        int16_t v = 0;
        if (c < cols_used && ki >= 0 && ki < t_len) {
          v = b.at(ki, n0 + c);
          ++st->filter_reads;
        }
        top[c] = v;
      }
      for (int r = 0; r < R; ++r) {
        const int64_t slot = ((t - r) % R + R) % R;
        mac_acc(&m_psum[static_cast<size_t>(r) * C],
                &m_act[static_cast<size_t>(r) * m_act_stride + win],
                &m_b_ring[static_cast<size_t>(slot) * C], C);
      }

      if (!m_compat) {
        // The drain chain's top row (row r at time t is ring slot (r + t) mod (R + 1)) writes
        // its results to the output SRAM; the emptied slot becomes the spare row.
        const size_t top_slot = static_cast<size_t>(t % ring_rows) * C;
        for (int c = 0; c < C; ++c) {
          const int src = m_drain_src[top_slot + c];
          if (src < 0) continue;
          m_drain_src[top_slot + c] = -1;
          ++done;
          if (src < rows_used && c < cols_used) {
            out[(m0 + src) * n + n0 + c] += m_drain[top_slot + c];
            ++st->ofmap_writes;
          }
        }
      }
      // A PE holding its row's last token is final after this cycle's MAC.
      for (int r = 0; r < R; ++r) {
        const int c = last_pos[r];
        if (c < 0) continue;
        const int32_t acc = m_psum[static_cast<size_t>(r) * C + c];
        if (m_compat) {
          ++done;
          if (r < rows_used && c < cols_used) {
            out[(m0 + r) * n + n0 + c] += acc;
            ++st->ofmap_writes;
          }
        } else {
          // Into the drain register of row r as seen after the upward shift at the cycle end.
          const size_t slot = static_cast<size_t>((r + t + 1) % ring_rows) * C + c;
          m_drain[slot] = acc;
          m_drain_src[slot] = static_cast<int16_t>(r);
        }
      }
      if (done == expected) {
        ++cycle;
        break;
      }
    }
  }
  st->mapping_efficiency = mapped / static_cast<double>(st->folds);
  st->cycles = m_compat ? cycle - 1 : cycle;
}

}  // namespace skipsim
