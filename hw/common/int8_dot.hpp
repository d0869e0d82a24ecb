#pragma once
// Dot products of int8 vectors accumulated in int32, the sums a MAC array's int32 accumulators
// hold: they wrap modulo 2^32, so the order of the additions never changes a result and every
// implementation below gives the same bits. On x86-64 the fastest one the CPU runs is chosen at
// the first call (AVX-512 VNNI, AVX-512BW, AVX2), without needing -march; elsewhere, and as
// the reference, a portable loop.
#include <cstdint>
#include <vector>

namespace skipsim {

// a . b over k elements.
int32_t dot_i8(const int8_t* a, const int8_t* b, int64_t k);

// out[j] = a . b_j over k elements for j < n, b_j = b + j * b_stride: the rows of B dotted
// with one vector, blocked so that one pass over a serves several rows.
void dot_rows_i8(const int8_t* a, const int8_t* b, int64_t b_stride, int64_t n, int64_t k,
                 int32_t* out);

// One implementation of the kernels.
struct Int8DotKernel {
  const char* name;
  int32_t (*dot)(const int8_t* a, const int8_t* b, int64_t k);
  void (*dot_rows)(const int8_t* a, const int8_t* b, int64_t b_stride, int64_t n, int64_t k,
                   int32_t* out);
};

// The implementations this CPU runs, fastest first (the one dot_i8 and dot_rows_i8 use); the
// last is the portable loop.
const std::vector<Int8DotKernel>& int8_dot_kernels();

}  // namespace skipsim
