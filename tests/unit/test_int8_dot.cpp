// The int8 dot-product kernels (hw/common/int8_dot.hpp): every implementation this CPU runs
// against a plain scalar loop, on random lengths with odd tails and the full int8 range.
#include <gtest/gtest.h>

#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "hw/common/int8_dot.hpp"

namespace skipsim {
namespace {

int32_t scalar_dot(const int8_t* a, const int8_t* b, int64_t k) {
  uint32_t s = 0;
  for (int64_t i = 0; i < k; ++i) s += static_cast<uint32_t>(int32_t{a[i]} * int32_t{b[i]});
  return static_cast<int32_t>(s);
}

std::vector<int8_t> random_i8(std::mt19937_64& gen, size_t n, int mode) {
  std::vector<int8_t> v(n);
  for (auto& x : v)  // mode 1: all -128 (the largest products), 2: -128 and 127 only
    x = mode == 1   ? int8_t{-128}
        : mode == 2 ? static_cast<int8_t>(gen() % 2 ? -128 : 127)
                    : static_cast<int8_t>(static_cast<int>(gen() % 256) - 128);
  return v;
}

TEST(Int8Dot, PortableIsLastAndDispatchUsesTheFirst) {
  const auto& ks = int8_dot_kernels();
  ASSERT_FALSE(ks.empty());
  EXPECT_EQ(std::string(ks.back().name), "portable");
  for (const auto& k : ks) std::printf("int8 dot kernel: %s\n", k.name);
}

TEST(Int8Dot, EveryKernelMatchesAScalarLoop) {
  std::mt19937_64 gen(7);
  std::vector<int64_t> lengths = {0, 1, 2, 3, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129};
  for (int i = 0; i < 40; ++i) lengths.push_back(static_cast<int64_t>(gen() % 5001));
  for (const Int8DotKernel& kern : int8_dot_kernels())
    for (const int64_t k : lengths)
      for (int mode = 0; mode < 3; ++mode) {
        const int64_t n = static_cast<int64_t>(gen() % 10),
                      stride = k + static_cast<int64_t>(gen() % 5);
        // Exact-size buffers: reads past the end show under the sanitizers.
        const std::vector<int8_t> a = random_i8(gen, static_cast<size_t>(k), mode);
        const std::vector<int8_t> b =
            random_i8(gen, static_cast<size_t>(n ? (n - 1) * stride + k : 0), mode);
        const std::vector<int8_t> c = random_i8(gen, static_cast<size_t>(k), mode);
        ASSERT_EQ(kern.dot(a.data(), c.data(), k), scalar_dot(a.data(), c.data(), k))
            << kern.name << " k=" << k << " mode=" << mode;
        std::vector<int32_t> out(static_cast<size_t>(n) + 1, 12345);
        kern.dot_rows(a.data(), b.data(), stride, n, k, out.data());
        for (int64_t j = 0; j < n; ++j)
          ASSERT_EQ(out[j], scalar_dot(a.data(), b.data() + j * stride, k))
              << kern.name << " k=" << k << " n=" << n << " row " << j << " mode=" << mode;
        EXPECT_EQ(out[n], 12345) << kern.name << ": wrote past n";
      }
}

// 2^17 products of -128 * -128 sum to 2^31: the int32 sum wraps to -2^31 in every kernel.
TEST(Int8Dot, SumsWrapModulo2To32) {
  const int64_t k = int64_t{1} << 17;
  const std::vector<int8_t> a(static_cast<size_t>(4 * k), int8_t{-128});
  for (const Int8DotKernel& kern : int8_dot_kernels()) {
    EXPECT_EQ(kern.dot(a.data(), a.data(), k), INT32_MIN) << kern.name;
    std::vector<int32_t> out(4);
    kern.dot_rows(a.data(), a.data(), k, 4, k, out.data());
    for (int32_t v : out) EXPECT_EQ(v, INT32_MIN) << kern.name;
  }
  EXPECT_EQ(dot_i8(a.data(), a.data(), 2 * k), 0);
}

}  // namespace
}  // namespace skipsim
