#pragma once
// R x C int8 MAC array of a streaming conv engine (plain C++, ticked once per core cycle).
//
// Each cycle it may take one fold: R activations a[r] (window elements) and an R x C weight
// tile; column c forms sum_r a[r] * w[c][r] (R multipliers feeding an adder tree). The
// products and the tree are pipelined: a fold's column sums leave the array
// latency() = 1 + ceil(log2 R) cycles after it entered, and are added into the C int32
// accumulators. A fold tagged `first` restarts the accumulators at the given bias; a fold
// tagged `last` makes the finished accumulators available as the cycle's result.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace skipsim {

class MacArray {
 public:
  struct Fold {
    const int8_t* act = nullptr;     // R activations (k_valid used, rest treated as zero)
    const int8_t* weight = nullptr;  // weight of (column c, row r) at weight[c * w_stride + r]
    int w_stride = 0;
    int k_valid = 0, n_valid = 0;  // used rows and columns of this fold
    bool first = false, last = false;
    const int32_t* bias = nullptr;  // n_valid values, used when first
    int tag = 0;                    // caller's label, returned with the result
  };

  MacArray(int rows, int cols);

  // One core cycle: advance the pipeline, then accept `in` (nullptr = bubble).
  // Returns true when a `last` fold finished this cycle; see result()/result_tag().
  bool cycle(const Fold* in);

  const int32_t* result() const { return m_acc.data(); }
  int result_tag() const { return m_result_tag; }
  int result_cols() const { return m_result_cols; }
  bool empty() const { return m_in_flight == 0; }
  int rows() const { return m_rows; }
  int cols() const { return m_cols; }
  int latency() const { return m_latency; }
  uint64_t folds() const { return m_folds; }
  uint64_t useful_macs() const { return m_useful_macs; }  // sum of k_valid * n_valid

 private:
  struct Stage {
    bool valid = false, first = false, last = false;
    int n_valid = 0, tag = 0;
    std::vector<int32_t> sum;   // C column sums
    std::vector<int32_t> bias;  // C, when first
  };
  int m_rows, m_cols, m_latency;
  std::vector<Stage> m_pipe;  // ring of m_latency stages
  int m_head = 0;             // stage that leaves next
  int m_in_flight = 0;
  std::vector<int32_t> m_acc;
  int m_result_tag = 0, m_result_cols = 0;
  uint64_t m_folds = 0, m_useful_macs = 0;
};

}  // namespace skipsim
