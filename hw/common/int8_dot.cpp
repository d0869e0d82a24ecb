#include "hw/common/int8_dot.hpp"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define SKIPSIM_INT8_DOT_X86 1
#include <immintrin.h>
#if !defined(__clang__)
// GCC 12's AVX-512 headers pass deliberately undefined vectors (GCC bug 105593).
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#endif

namespace skipsim {

namespace {

// Products in int32 (|a * b| <= 2^14), sums in uint32: wrapping is defined there.
uint32_t tail_dot(const int8_t* a, const int8_t* b, int64_t i, int64_t k) {
  uint32_t s = 0;
  for (; i < k; ++i) s += static_cast<uint32_t>(int32_t{a[i]} * b[i]);
  return s;
}

int32_t dot_portable(const int8_t* a, const int8_t* b, int64_t k) {
  return static_cast<int32_t>(tail_dot(a, b, 0, k));
}

void rows_portable(const int8_t* a, const int8_t* b, int64_t bs, int64_t n, int64_t k,
                   int32_t* out) {
  int64_t j = 0;
  for (; j + 4 <= n; j += 4) {
    const int8_t *b0 = b + j * bs, *b1 = b0 + bs, *b2 = b1 + bs, *b3 = b2 + bs;
    uint32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (int64_t i = 0; i < k; ++i) {
      const int32_t x = a[i];
      s0 += static_cast<uint32_t>(x * b0[i]);
      s1 += static_cast<uint32_t>(x * b1[i]);
      s2 += static_cast<uint32_t>(x * b2[i]);
      s3 += static_cast<uint32_t>(x * b3[i]);
    }
    out[j] = static_cast<int32_t>(s0), out[j + 1] = static_cast<int32_t>(s1);
    out[j + 2] = static_cast<int32_t>(s2), out[j + 3] = static_cast<int32_t>(s3);
  }
  for (; j < n; ++j) out[j] = dot_portable(a, b + j * bs, k);
}

#ifdef SKIPSIM_INT8_DOT_X86

// AVX2: 16 int8 sign-extended to int16, pmaddwd sums adjacent products into int32 (at most
// 2 * 2^14, exact).
#define SKIPSIM_AVX2 __attribute__((target("avx2")))

SKIPSIM_AVX2 inline __m256i ld16(const int8_t* p) {
  return _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}

SKIPSIM_AVX2 inline uint32_t hsum256(__m256i v) {
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4E));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xB1));
  return static_cast<uint32_t>(_mm_cvtsi128_si32(s));
}

SKIPSIM_AVX2 int32_t dot_avx2(const int8_t* a, const int8_t* b, int64_t k) {
  __m256i s0 = _mm256_setzero_si256(), s1 = _mm256_setzero_si256();
  int64_t i = 0;
  for (; i + 32 <= k; i += 32) {
    s0 = _mm256_add_epi32(s0, _mm256_madd_epi16(ld16(a + i), ld16(b + i)));
    s1 = _mm256_add_epi32(s1, _mm256_madd_epi16(ld16(a + i + 16), ld16(b + i + 16)));
  }
  if (i + 16 <= k) {
    s0 = _mm256_add_epi32(s0, _mm256_madd_epi16(ld16(a + i), ld16(b + i)));
    i += 16;
  }
  return static_cast<int32_t>(hsum256(_mm256_add_epi32(s0, s1)) + tail_dot(a, b, i, k));
}

SKIPSIM_AVX2 void rows_avx2(const int8_t* a, const int8_t* b, int64_t bs, int64_t n, int64_t k,
                            int32_t* out) {
  int64_t j = 0;
  for (; j + 4 <= n; j += 4) {
    const int8_t *b0 = b + j * bs, *b1 = b0 + bs, *b2 = b1 + bs, *b3 = b2 + bs;
    __m256i s0 = _mm256_setzero_si256(), s1 = s0, s2 = s0, s3 = s0;
    int64_t i = 0;
    for (; i + 16 <= k; i += 16) {
      const __m256i x = ld16(a + i);
      s0 = _mm256_add_epi32(s0, _mm256_madd_epi16(x, ld16(b0 + i)));
      s1 = _mm256_add_epi32(s1, _mm256_madd_epi16(x, ld16(b1 + i)));
      s2 = _mm256_add_epi32(s2, _mm256_madd_epi16(x, ld16(b2 + i)));
      s3 = _mm256_add_epi32(s3, _mm256_madd_epi16(x, ld16(b3 + i)));
    }
    out[j] = static_cast<int32_t>(hsum256(s0) + tail_dot(a, b0, i, k));
    out[j + 1] = static_cast<int32_t>(hsum256(s1) + tail_dot(a, b1, i, k));
    out[j + 2] = static_cast<int32_t>(hsum256(s2) + tail_dot(a, b2, i, k));
    out[j + 3] = static_cast<int32_t>(hsum256(s3) + tail_dot(a, b3, i, k));
  }
  for (; j < n; ++j) out[j] = dot_avx2(a, b + j * bs, k);
}

// AVX-512BW: as AVX2 with 32 int8 a step; the tail as one masked load.
#define SKIPSIM_AVX512BW __attribute__((target("avx512f,avx512bw,avx512vl")))

SKIPSIM_AVX512BW inline __m512i ld32(const int8_t* p) {
  return _mm512_cvtepi8_epi16(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
}

SKIPSIM_AVX512BW inline __m512i ld32_masked(const int8_t* p, int64_t r) {  // r in [1, 31]
  return _mm512_cvtepi8_epi16(_mm256_maskz_loadu_epi8((__mmask32{1} << r) - 1, p));
}

// Not _mm512_reduce_add_epi32: GCC's adds its last lanes as signed int (overflow is undefined).
SKIPSIM_AVX512BW inline uint32_t hsum512(__m512i v) {
  return hsum256(_mm256_add_epi32(_mm512_castsi512_si256(v), _mm512_extracti64x4_epi64(v, 1)));
}

SKIPSIM_AVX512BW int32_t dot_avx512bw(const int8_t* a, const int8_t* b, int64_t k) {
  __m512i s = _mm512_setzero_si512();
  int64_t i = 0;
  for (; i + 32 <= k; i += 32) s = _mm512_add_epi32(s, _mm512_madd_epi16(ld32(a + i), ld32(b + i)));
  if (i < k)
    s = _mm512_add_epi32(s,
                         _mm512_madd_epi16(ld32_masked(a + i, k - i), ld32_masked(b + i, k - i)));
  return static_cast<int32_t>(hsum512(s));
}

SKIPSIM_AVX512BW void rows_avx512bw(const int8_t* a, const int8_t* b, int64_t bs, int64_t n,
                                    int64_t k, int32_t* out) {
  int64_t j = 0;
  for (; j + 4 <= n; j += 4) {
    const int8_t *b0 = b + j * bs, *b1 = b0 + bs, *b2 = b1 + bs, *b3 = b2 + bs;
    __m512i s0 = _mm512_setzero_si512(), s1 = s0, s2 = s0, s3 = s0;
    int64_t i = 0;
    for (; i + 32 <= k; i += 32) {
      const __m512i x = ld32(a + i);
      s0 = _mm512_add_epi32(s0, _mm512_madd_epi16(x, ld32(b0 + i)));
      s1 = _mm512_add_epi32(s1, _mm512_madd_epi16(x, ld32(b1 + i)));
      s2 = _mm512_add_epi32(s2, _mm512_madd_epi16(x, ld32(b2 + i)));
      s3 = _mm512_add_epi32(s3, _mm512_madd_epi16(x, ld32(b3 + i)));
    }
    if (i < k) {
      const int64_t r = k - i;
      const __m512i x = ld32_masked(a + i, r);
      s0 = _mm512_add_epi32(s0, _mm512_madd_epi16(x, ld32_masked(b0 + i, r)));
      s1 = _mm512_add_epi32(s1, _mm512_madd_epi16(x, ld32_masked(b1 + i, r)));
      s2 = _mm512_add_epi32(s2, _mm512_madd_epi16(x, ld32_masked(b2 + i, r)));
      s3 = _mm512_add_epi32(s3, _mm512_madd_epi16(x, ld32_masked(b3 + i, r)));
    }
    out[j] = static_cast<int32_t>(hsum512(s0)), out[j + 1] = static_cast<int32_t>(hsum512(s1));
    out[j + 2] = static_cast<int32_t>(hsum512(s2)), out[j + 3] = static_cast<int32_t>(hsum512(s3));
  }
  for (; j < n; ++j) out[j] = dot_avx512bw(a, b + j * bs, k);
}

// AVX-512 VNNI: vpdpbusd sums four unsigned x signed int8 products into each int32 lane. B's
// bytes are made unsigned by adding 128 (xor 0x80), so a . (b + 128) - 128 * sum(a) = a . b,
// exact modulo 2^32; masked-off tail lanes load a = 0 and contribute nothing.
#define SKIPSIM_AVX512VNNI __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni")))

SKIPSIM_AVX512VNNI inline __m512i ld64_masked(const int8_t* p, int64_t r) {  // r in [1, 63]
  return _mm512_maskz_loadu_epi8((__mmask64{1} << r) - 1, p);
}

SKIPSIM_AVX512VNNI inline __m512i flip(__m512i v) {
  return _mm512_xor_si512(v, _mm512_set1_epi8(static_cast<char>(0x80)));
}

// 128 * sum(a), as subtracted from each unsigned-B sum.
SKIPSIM_AVX512VNNI uint32_t bias_vnni(const int8_t* a, int64_t k) {
  const __m512i ones = _mm512_set1_epi8(1);
  __m512i s = _mm512_setzero_si512();
  int64_t i = 0;
  for (; i + 64 <= k; i += 64) s = _mm512_dpbusd_epi32(s, ones, _mm512_loadu_si512(a + i));
  if (i < k) s = _mm512_dpbusd_epi32(s, ones, ld64_masked(a + i, k - i));
  return hsum512(s) << 7;
}

SKIPSIM_AVX512VNNI uint32_t dot_vnni_biased(const int8_t* a, const int8_t* b, int64_t k) {
  __m512i s = _mm512_setzero_si512();
  int64_t i = 0;
  for (; i + 64 <= k; i += 64)
    s = _mm512_dpbusd_epi32(s, flip(_mm512_loadu_si512(b + i)), _mm512_loadu_si512(a + i));
  if (i < k) s = _mm512_dpbusd_epi32(s, flip(ld64_masked(b + i, k - i)), ld64_masked(a + i, k - i));
  return hsum512(s);
}

SKIPSIM_AVX512VNNI int32_t dot_avx512vnni(const int8_t* a, const int8_t* b, int64_t k) {
  return static_cast<int32_t>(dot_vnni_biased(a, b, k) - bias_vnni(a, k));
}

SKIPSIM_AVX512VNNI void rows_avx512vnni(const int8_t* a, const int8_t* b, int64_t bs, int64_t n,
                                        int64_t k, int32_t* out) {
  const uint32_t bias = bias_vnni(a, k);
  int64_t j = 0;
  for (; j + 4 <= n; j += 4) {
    const int8_t *b0 = b + j * bs, *b1 = b0 + bs, *b2 = b1 + bs, *b3 = b2 + bs;
    __m512i s0 = _mm512_setzero_si512(), s1 = s0, s2 = s0, s3 = s0;
    int64_t i = 0;
    for (; i + 64 <= k; i += 64) {
      const __m512i x = _mm512_loadu_si512(a + i);
      s0 = _mm512_dpbusd_epi32(s0, flip(_mm512_loadu_si512(b0 + i)), x);
      s1 = _mm512_dpbusd_epi32(s1, flip(_mm512_loadu_si512(b1 + i)), x);
      s2 = _mm512_dpbusd_epi32(s2, flip(_mm512_loadu_si512(b2 + i)), x);
      s3 = _mm512_dpbusd_epi32(s3, flip(_mm512_loadu_si512(b3 + i)), x);
    }
    if (i < k) {
      const int64_t r = k - i;
      const __m512i x = ld64_masked(a + i, r);
      s0 = _mm512_dpbusd_epi32(s0, flip(ld64_masked(b0 + i, r)), x);
      s1 = _mm512_dpbusd_epi32(s1, flip(ld64_masked(b1 + i, r)), x);
      s2 = _mm512_dpbusd_epi32(s2, flip(ld64_masked(b2 + i, r)), x);
      s3 = _mm512_dpbusd_epi32(s3, flip(ld64_masked(b3 + i, r)), x);
    }
    out[j] = static_cast<int32_t>(hsum512(s0) - bias);
    out[j + 1] = static_cast<int32_t>(hsum512(s1) - bias);
    out[j + 2] = static_cast<int32_t>(hsum512(s2) - bias);
    out[j + 3] = static_cast<int32_t>(hsum512(s3) - bias);
  }
  for (; j < n; ++j) out[j] = static_cast<int32_t>(dot_vnni_biased(a, b + j * bs, k) - bias);
}

#endif  // SKIPSIM_INT8_DOT_X86

std::vector<Int8DotKernel> supported_kernels() {
  std::vector<Int8DotKernel> v;
#ifdef SKIPSIM_INT8_DOT_X86
  __builtin_cpu_init();
  const bool avx512bw = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                        __builtin_cpu_supports("avx512vl");
  if (avx512bw && __builtin_cpu_supports("avx512vnni"))
    v.push_back({"avx512vnni", dot_avx512vnni, rows_avx512vnni});
  if (avx512bw) v.push_back({"avx512bw", dot_avx512bw, rows_avx512bw});
  if (__builtin_cpu_supports("avx2")) v.push_back({"avx2", dot_avx2, rows_avx2});
#endif
  v.push_back({"portable", dot_portable, rows_portable});
  return v;
}

}  // namespace

const std::vector<Int8DotKernel>& int8_dot_kernels() {
  static const std::vector<Int8DotKernel> kernels = supported_kernels();
  return kernels;
}

int32_t dot_i8(const int8_t* a, const int8_t* b, int64_t k) {
  static const auto f = int8_dot_kernels().front().dot;
  return f(a, b, k);
}

void dot_rows_i8(const int8_t* a, const int8_t* b, int64_t b_stride, int64_t n, int64_t k,
                 int32_t* out) {
  static const auto f = int8_dot_kernels().front().dot_rows;
  f(a, b, b_stride, n, k, out);
}

}  // namespace skipsim
