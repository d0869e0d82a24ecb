#include "hw/mac_array/systolic_array.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <utility>

#include "hw/common/int8_dot.hpp"

namespace skipsim {

namespace {

// psum_out[c] = psum_in[c] + a[c] * w[c]: n PEs of one row for one cycle.
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

// Rows of an operand as contiguous int8 vectors: row i of the n x k view (i * si + j * sj),
// in place when sj == 1, else copied into `buf`.
const int8_t* contiguous_rows(const int8_t* p, int64_t n, int64_t k, int64_t si, int64_t sj,
                              std::vector<int8_t>& buf, int64_t& stride) {
  if (sj == 1) {
    stride = si;
    return p;
  }
  buf.resize(static_cast<size_t>(n * k));
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < k; ++j) buf[static_cast<size_t>(i * k + j)] = p[i * si + j * sj];
  stride = k;
  return buf.data();
}

}  // namespace

SystolicArray::SystolicArray(int rows, int cols, Dataflow dataflow, bool scalesim_compat,
                             ArrayModel model)
    : m_rows(rows),
      m_cols(cols),
      m_dataflow(dataflow),
      m_compat(scalesim_compat),
      m_model(model),
      m_act_stride(model == ArrayModel::kPe ? cols + kWindowSlack : 0) {
  if (rows < 1 || cols < 1) throw std::invalid_argument("systolic array needs rows, cols >= 1");
  if (model == ArrayModel::kTile) return;  // no registers
  const size_t rc = static_cast<size_t>(rows) * cols;
  m_act.assign(static_cast<size_t>(rows) * m_act_stride, 0);
  m_bank.assign(static_cast<size_t>(rows) * m_act_stride, 0);
  m_tag.assign(m_act_stride, -1);
  m_w.assign(2 * rc, 0);
  m_psum.assign(rc, 0);
  if (dataflow == Dataflow::kOs) {
    m_b_ring.assign(rc, 0);
    m_drain.assign(static_cast<size_t>(rows + 1) * cols, 0);
    m_drain_src.assign(static_cast<size_t>(rows + 1) * cols, -1);
  }
}

void SystolicArray::reset_rows() {
  std::fill(m_act.begin(), m_act.end(), 0);
  std::fill(m_bank.begin(), m_bank.end(), 0);
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
      uint8_t* bank = &m_bank[static_cast<size_t>(r) * m_act_stride];
      std::memmove(bank + kWindowSlack, bank, keep);
    }
    std::memmove(&m_tag[kWindowSlack], &m_tag[0], keep * sizeof(int64_t));
    m_win = kWindowSlack;
  }
  --m_win;
}

SystolicStats SystolicArray::run_gemm(int64_t m, int64_t n, int64_t k, const int8_t* a,
                                      const int8_t* b, const int32_t* bias, int32_t* out) {
  GemmOperands g;
  g.m = m, g.n = n, g.k = k;
  g.a = a, g.a_si = k, g.a_sj = 1;
  g.b = b, g.b_si = n, g.b_sj = 1;
  g.bias = bias;
  g.out = out;
  start(g);
  if (m_model == ArrayModel::kTile) {
    m_phase = Phase::kIdle;
    return m_st;
  }
  while (!step()) {
  }
  return m_st;
}

void SystolicArray::start(const GemmOperands& g) {
  if (busy()) throw std::logic_error("systolic array: start while a GEMM is running");
  if (g.m < 1 || g.n < 1 || g.k < 1) throw std::invalid_argument("GEMM dimensions must be >= 1");
  m_st = SystolicStats{};
  m_st.useful_macs = static_cast<uint64_t>(g.m) * g.n * g.k;
  for (int64_t i = 0; i < g.m; ++i)
    for (int64_t j = 0; j < g.n; ++j) g.out[i * g.n + j] = g.bias ? g.bias[j] : 0;
  m_out = g.out;
  m_on = g.n;
  const View va{g.a, g.a_si, g.a_sj}, vb{g.b, g.b_si, g.b_sj};
  switch (m_dataflow) {
    case Dataflow::kWs:
      // X = A (T = M rows, Sr = K), S = B (K x N), Y = O.
      m_sr = g.k, m_sc = g.n, m_tlen = g.m;
      m_x = va, m_s = vb;
      m_ot = g.n, m_oj = 1;
      m_x_reads = &m_st.ifmap_reads, m_s_reads = &m_st.filter_reads;
      break;
    case Dataflow::kIs:
      // X = B^T (T = N rows, Sr = K), S = A^T (K x M), Y = O^T.
      m_sr = g.k, m_sc = g.m, m_tlen = g.n;
      m_x = View{g.b, g.b_sj, g.b_si}, m_s = View{g.a, g.a_sj, g.a_si};
      m_ot = 1, m_oj = g.n;
      m_x_reads = &m_st.filter_reads, m_s_reads = &m_st.ifmap_reads;
      break;
    case Dataflow::kOs:
      m_sr = g.m, m_sc = g.n, m_tlen = g.k;
      m_x = va, m_s = vb;
      m_last_pos.assign(m_rows, -1);
      break;
  }
  m_st.row_folds = ceil_div(m_sr, m_rows);
  m_st.col_folds = ceil_div(m_sc, m_cols);
  m_st.folds = m_st.row_folds * m_st.col_folds;
  m_cycle = 0;
  m_done = 0;
  m_phase = Phase::kStream;
  // Mapping efficiency: the used share of the array, averaged over folds.
  const int64_t rf = static_cast<int64_t>(m_st.row_folds),
                cf = static_cast<int64_t>(m_st.col_folds);
  double mapped = 0;
  for (int64_t i = 0; i < rf; ++i)
    for (int64_t j = 0; j < cf; ++j)
      mapped += static_cast<double>(std::min<int64_t>(m_rows, m_sr - i * m_rows)) *
                static_cast<double>(std::min<int64_t>(m_cols, m_sc - j * m_cols));
  m_st.mapping_efficiency =
      mapped / (static_cast<double>(m_rows) * m_cols * static_cast<double>(m_st.folds));
  if (m_model == ArrayModel::kTile) {
    start_tile(g);
    return;
  }
  m_pins.value.assign(m_cols, 0);
  m_pins.valid.assign(m_cols, 0);
  m_pins.index.assign(m_cols, -1);
  m_in = ArrayInputs{};
  m_in.act.assign(m_rows, 0);
  m_in.act_bank.assign(m_rows, 0);
  m_in.act_valid.assign(m_rows, 0);
  m_in.act_first.assign(m_rows, 0);
  m_in.act_last.assign(m_rows, 0);
  m_in.col.assign(m_cols, 0);
  reset_rows();
  std::fill(m_psum.begin(), m_psum.end(), 0);
  if (m_dataflow == Dataflow::kOs) {
    m_f = 0;
    begin_fold_os();
    return;
  }
  // Every fold's T results per column leave the bottom, unused columns too.
  m_expected = static_cast<int64_t>(m_st.folds) * m_tlen * m_cols;
  m_sched = stationary_schedule(m_rows, m_cols, m_tlen, static_cast<int64_t>(m_st.folds), m_compat);
  m_preload_f = 0;
  m_feed_f = -1;
}

void SystolicArray::start_tile(const GemmOperands& g) {
  // What the PE model's feeders read and its bottom (or drain) writes, in total: the
  // stationary operand once, the streamed one once per column fold, a result per element
  // streamed and column used, read back to accumulate from the second row fold on.
  const uint64_t rf = m_st.row_folds, cf = m_st.col_folds;
  const auto sr = static_cast<uint64_t>(m_sr), sc = static_cast<uint64_t>(m_sc),
             t = static_cast<uint64_t>(m_tlen);
  if (m_dataflow == Dataflow::kOs) {
    m_st.ifmap_reads = sr * t * cf;  // M x K per column fold
    m_st.filter_reads = sc * t * rf;
    m_st.ofmap_writes = sr * sc;
  } else {
    *m_s_reads = sr * sc;
    *m_x_reads = t * sr * cf;
    m_st.ofmap_writes = t * sc * rf;
    m_st.ofmap_reads = t * sc * (rf - 1);
  }
  const int64_t last = m_compat
                           ? scalesim_closed_form_cycles(m_dataflow, m_rows, m_cols, g.m, g.n, g.k)
                           : skipsim_closed_form_cycles(m_dataflow, m_rows, m_cols, g.m, g.n, g.k);
  m_st.cycles = static_cast<uint64_t>(last);
  m_tile_cycles = static_cast<uint64_t>(m_compat ? last + 1 : last);

  // O = A * B + bias as dot products of A's rows and B's columns.
  int64_t as = 0, bs = 0;
  const int8_t* a = contiguous_rows(g.a, g.m, g.k, g.a_si, g.a_sj, m_pack_a, as);
  const int8_t* b = contiguous_rows(g.b, g.n, g.k, g.b_sj, g.b_si, m_pack_b, bs);
  const int64_t k = g.k;
  for (int64_t i = 0; i < g.m; ++i) {
    const int8_t* ai = a + i * as;
    int32_t* o = g.out + i * g.n;
    dot_rows_i8(ai, b, bs, g.n, k, o);
    if (g.bias)
      for (int64_t j = 0; j < g.n; ++j) o[j] += g.bias[j];
  }
}

// One preload cycle of a bank: every column shifts its weights down one PE; row 0 takes the
// element that ends in row R-1-p after the remaining shifts.
void SystolicArray::preload_cycle(int16_t* w, int64_t i0, int64_t j0, int p) {
  const int R = m_rows, C = m_cols;
  std::memmove(&w[C], &w[0], static_cast<size_t>(R - 1) * C * sizeof(int16_t));
  const int64_t i = i0 + R - 1 - p;
  for (int c = 0; c < C; ++c) {
    const int64_t j = j0 + c;
    if (i < m_sr && j < m_sc) {
      w[c] = m_s.at(i, j);
      ++*m_s_reads;
    } else {
      w[c] = 0;
    }
    m_in.col[c] = static_cast<int8_t>(w[c]);
  }
  m_in.w_shift = 1;
}

void SystolicArray::skip_steps(uint64_t n) {
  if (m_model != ArrayModel::kTile || !busy() || n >= steps_left())
    throw std::logic_error("systolic array: skip_steps past the GEMM's end or with the PE model");
  m_cycle += n;
}

bool SystolicArray::step() {
  if (m_phase == Phase::kIdle) throw std::logic_error("systolic array: step without a GEMM");
  if (m_model == ArrayModel::kTile) {
    if (++m_cycle != m_tile_cycles) return false;
    m_phase = Phase::kIdle;
    return true;
  }
  std::fill(m_pins.valid.begin(), m_pins.valid.end(), 0);
  m_in.w_shift = 0;
  if (m_dataflow == Dataflow::kOs)
    stream_cycle_output_stationary();
  else
    stream_cycle_stationary();
  ++m_cycle;
  if (m_done != m_expected) return false;
  m_phase = Phase::kIdle;
  m_st.cycles = m_compat ? m_cycle - 1 : m_cycle;
  return true;
}

// Folds in order: column block outer, row block inner (partial sums of one output block
// accumulate on consecutive folds). Fold f's origin in the stationary matrix:
// ((f mod row_folds) * R, (f div row_folds) * C).
void SystolicArray::stream_cycle_stationary() {
  const int R = m_rows, C = m_cols;
  const int64_t now = static_cast<int64_t>(m_cycle), T = m_tlen;
  const int64_t rf = static_cast<int64_t>(m_st.row_folds);
  const int64_t folds = static_cast<int64_t>(m_st.folds);
  shift_rows();
  const int win = m_win;
  while (m_feed_f + 1 < folds && m_sched[m_feed_f + 1].stream <= now) ++m_feed_f;

  // Edge feeders: row r streams element now - stream_f - r of the newest fold that has
  // reached it (the skew), else of the one before (older folds have left every PE).
  const int64_t f_new = m_feed_f, f_old = m_feed_f - 1;
  const int64_t s_new = f_new >= 0 ? m_sched[f_new].stream : 0;
  const int64_t s_old = f_old >= 0 ? m_sched[f_old].stream : 0;
  const int64_t i0_new = f_new >= 0 ? (f_new % rf) * R : 0;
  const int64_t i0_old = f_old >= 0 ? (f_old % rf) * R : 0;
  for (int r = 0; r < R; ++r) {
    int16_t v = 0;
    uint8_t bank = 0, valid = 0;
    int64_t mi = now - s_new - r, i = i0_new + r;
    int64_t f = f_new;
    if (mi < 0) mi = now - s_old - r, i = i0_old + r, f = f_old;
    if (f >= 0 && mi >= 0) {
      if (mi < T && i < m_sr) {
        v = m_x.at(mi, i);
        ++*m_x_reads;
      }
      bank = static_cast<uint8_t>(f & 1);
      valid = mi < T;
    }
    m_act[static_cast<size_t>(r) * m_act_stride + win] = v;
    m_bank[static_cast<size_t>(r) * m_act_stride + win] = bank;
    m_in.act[r] = static_cast<int8_t>(v);
    m_in.act_bank[r] = bank;
    m_in.act_valid[r] = valid;
  }
  {
    int64_t mi = now - s_new - (R - 1), f = f_new;
    if (mi < 0) mi = now - s_old - (R - 1), f = f_old;
    m_tag[win] = f >= 0 && mi >= 0 && mi < T ? f * T + mi : -1;
  }

  // Bottom-up so that each row reads the partial sums its upper neighbour held last cycle.
  // Row r holds the newest fold's activations in columns [0, split) and the previous
  // fold's (or bubbles) from split on (m_bank says the same per PE; folds before those have
  // left every PE before the newest fold started, see stationary_schedule), so each part
  // multiplies by one bank.
  const size_t rc = static_cast<size_t>(R) * C;
  const int64_t since = m_feed_f >= 0 ? now - m_sched[m_feed_f].stream : -1;
  const size_t bank_new = m_feed_f >= 0 ? static_cast<size_t>(m_feed_f & 1) * rc : 0;
  const size_t bank_old = m_feed_f >= 1 ? static_cast<size_t>((m_feed_f - 1) & 1) * rc : bank_new;
  for (int r = R - 1; r >= 0; --r) {
    const int split = static_cast<int>(std::clamp<int64_t>(since - r + 1, 0, C));
    const size_t o = static_cast<size_t>(r) * C, a = static_cast<size_t>(r) * m_act_stride + win;
    if (split == C || bank_new == bank_old) {
      if (r > 0)
        mac_row(&m_psum[o], &m_psum[o - C], &m_act[a], &m_w[bank_new + o], C);
      else
        mac_row_first(&m_psum[0], &m_act[win], &m_w[bank_new], C);
    } else if (r > 0) {
      mac_row(&m_psum[o], &m_psum[o - C], &m_act[a], &m_w[bank_new + o], split);
      mac_row(&m_psum[o + split], &m_psum[o - C + split], &m_act[a + split],
              &m_w[bank_old + o + split], C - split);
    } else {
      mac_row_first(&m_psum[0], &m_act[win], &m_w[bank_new], split);
      mac_row_first(&m_psum[split], &m_act[win + split], &m_w[bank_old + split], C - split);
    }
  }

  const int32_t* bottom = &m_psum[static_cast<size_t>(R - 1) * C];
  const int64_t g_new = f_new * T;
  for (int c = 0; c < C; ++c) {
    const int64_t g = m_tag[win + c];
    if (g < 0) continue;
    const bool is_new = g >= g_new;
    const int64_t f = is_new ? f_new : f_old, mi = g - f * T;
    const int64_t i0 = is_new ? i0_new : i0_old, j = (f / rf) * C + c;
    ++m_done;
    m_pins.valid[c] = 1;
    m_pins.value[c] = bottom[c];
    m_pins.index[c] = mi;
    if (j < m_sc) {
      m_out[mi * m_ot + j * m_oj] += bottom[c];
      ++m_st.ofmap_writes;
      if (i0 > 0) ++m_st.ofmap_reads;
    }
  }
  // Preloads (after this cycle's MACs: the registers load at the clock edge).
  if (m_preload_f < folds) {
    const FoldTimes& ft = m_sched[m_preload_f];
    if (now >= ft.preload && now < ft.preload + R) {
      preload_cycle(&m_w[(m_preload_f & 1) * rc], (m_preload_f % rf) * R, (m_preload_f / rf) * C,
                    static_cast<int>(now - ft.preload));
      m_in.w_bank = static_cast<uint8_t>(m_preload_f & 1);
      if (now == ft.preload + R - 1) ++m_preload_f;
    }
  }
}

void SystolicArray::begin_fold_os() {
  const int R = m_rows, C = m_cols;
  const int64_t rf = static_cast<int64_t>(m_st.row_folds);
  m_m0 = (m_f % rf) * R;
  m_n0 = (m_f / rf) * C;
  m_rows_used = static_cast<int>(std::min<int64_t>(R, m_sr - m_m0));
  m_cols_used = static_cast<int>(std::min<int64_t>(C, m_sc - m_n0));
  m_t = 0;
  reset_rows();
  std::fill(m_psum.begin(), m_psum.end(), 0);
  std::fill(m_b_ring.begin(), m_b_ring.end(), 0);
  std::fill(m_drain_src.begin(), m_drain_src.end(), -1);
  std::fill(m_last_pos.begin(), m_last_pos.end(), -1);
  m_done = 0;
  m_expected = static_cast<int64_t>(R) * C;
}

void SystolicArray::stream_cycle_output_stationary() {
  const int R = m_rows, C = m_cols;
  const int ring_rows = R + 1;  // drain chain rows, one spare
  const int64_t t = m_t;
  const int64_t m0 = m_m0, n0 = m_n0;
  shift_rows();
  const int win = m_win;
  for (int r = 0; r < R; ++r) {
    if (m_last_pos[r] >= 0 && ++m_last_pos[r] >= C) m_last_pos[r] = -1;
    const int64_t ki = t - r;
    int16_t v = 0;
    if (r < m_rows_used && ki >= 0 && ki < m_tlen) {
      v = m_x.at(m0 + r, ki);
      ++m_st.ifmap_reads;
    }
    m_act[static_cast<size_t>(r) * m_act_stride + win] = v;
    if (ki == m_tlen - 1) m_last_pos[r] = 0;
    m_in.act[r] = static_cast<int8_t>(v);
    m_in.act_first[r] = ki == 0;
    m_in.act_last[r] = ki == m_tlen - 1;
  }
  // Column feeders: column c streams B[t - c][n0 + c] into the top register. The column
  // registers of row r hold what entered the top r cycles ago: ring slot (t - r) mod R.
  int16_t* top = &m_b_ring[static_cast<size_t>(t % R) * C];
  for (int c = 0; c < C; ++c) {
    const int64_t ki = t - c;
    int16_t v = 0;
    if (c < m_cols_used && ki >= 0 && ki < m_tlen) {
      v = m_s.at(ki, n0 + c);
      ++m_st.filter_reads;
    }
    top[c] = v;
    m_in.col[c] = static_cast<int8_t>(v);
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
      ++m_done;
      m_pins.valid[c] = 1;
      m_pins.value[c] = m_drain[top_slot + c];
      m_pins.index[c] = m0 + src;
      if (src < m_rows_used && c < m_cols_used) {
        m_out[(m0 + src) * m_on + n0 + c] += m_drain[top_slot + c];
        ++m_st.ofmap_writes;
      }
    }
  }
  // A PE holding its row's last token is final after this cycle's MAC.
  for (int r = 0; r < R; ++r) {
    const int c = m_last_pos[r];
    if (c < 0) continue;
    const int32_t acc = m_psum[static_cast<size_t>(r) * C + c];
    if (m_compat) {
      ++m_done;
      m_pins.valid[c] = 1;
      m_pins.value[c] = acc;
      m_pins.index[c] = m0 + r;
      if (r < m_rows_used && c < m_cols_used) {
        m_out[(m0 + r) * m_on + n0 + c] += acc;
        ++m_st.ofmap_writes;
      }
    } else {
      // Into the drain register of row r as seen after the upward shift at the cycle end.
      const size_t slot = static_cast<size_t>((r + t + 1) % ring_rows) * C + c;
      m_drain[slot] = acc;
      m_drain_src[slot] = static_cast<int16_t>(r);
    }
  }
  ++m_t;
  // A fold is done when all R x C results are out; the GEMM when the last fold is.
  if (m_done == m_expected && ++m_f < static_cast<int64_t>(m_st.folds)) begin_fold_os();
}

}  // namespace skipsim
