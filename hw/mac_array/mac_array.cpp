#include "hw/mac_array/mac_array.hpp"

namespace skipsim {

namespace {
int ceil_log2(int v) {
  int l = 0;
  while ((1 << l) < v) ++l;
  return l;
}
}  // namespace

MacArray::MacArray(int rows, int cols)
    : m_rows(rows), m_cols(cols), m_latency(1 + ceil_log2(rows)), m_acc(cols, 0) {
  m_pipe.resize(m_latency);
  for (auto& s : m_pipe) {
    s.sum.assign(cols, 0);
    s.bias.assign(cols, 0);
  }
}

bool MacArray::cycle(const Fold* in) {
  bool done = false;
  // The oldest stage leaves the tree and is accumulated.
  Stage& out = m_pipe[m_head];
  if (out.valid) {
    if (out.first) {
      for (int c = 0; c < out.n_valid; ++c) m_acc[c] = out.bias[c] + out.sum[c];
    } else {
      for (int c = 0; c < out.n_valid; ++c) m_acc[c] += out.sum[c];
    }
    if (out.last) {
      done = true;
      m_result_tag = out.tag;
      m_result_cols = out.n_valid;
    }
    out.valid = false;
    --m_in_flight;
  }
  // The freed slot becomes the youngest stage: it leaves again m_latency cycles from now.
  if (in) {
    Stage& s = out;
    s.valid = true;
    s.first = in->first;
    s.last = in->last;
    s.n_valid = in->n_valid;
    s.tag = in->tag;
    for (int c = 0; c < in->n_valid; ++c) {
      const int8_t* w = in->weight + static_cast<size_t>(c) * in->w_stride;
      int32_t acc = 0;
      for (int r = 0; r < in->k_valid; ++r) acc += static_cast<int32_t>(in->act[r]) * w[r];
      s.sum[c] = acc;
      if (in->first) s.bias[c] = in->bias[c];
    }
    ++m_in_flight;
    ++m_folds;
    m_useful_macs += static_cast<uint64_t>(in->k_valid) * in->n_valid;
  }
  m_head = (m_head + 1) % m_latency;
  return done;
}

}  // namespace skipsim
