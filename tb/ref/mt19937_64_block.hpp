#pragma once
// std::mt19937_64's exact output sequence, produced 312 words at a time: the twist and the
// tempering run as plain loops over the whole state, which the compiler vectorizes (libstdc++
// twists in scalar code and tempers one word per call, ~4x slower here). Same seeding, same
// words in the same order as std::mt19937_64(seed) (tested).
#include <algorithm>
#include <cstddef>
#include <cstdint>

namespace skipsim {

class Mt19937_64Block {
 public:
  static constexpr int kN = 312, kM = 156;

  explicit Mt19937_64Block(uint64_t seed) {
    mt_[0] = seed;
    for (int i = 1; i < kN; ++i)
      mt_[i] =
          6364136223846793005ULL * (mt_[i - 1] ^ (mt_[i - 1] >> 62)) + static_cast<uint64_t>(i);
  }

  uint64_t operator()() {
    if (pos_ == kN) refill();
    return out_[pos_++];
  }

  // dst[i] = f(next word) for i < n, in order.
  template <typename T, typename F>
  void generate(T* dst, size_t n, F f) {
    while (n > 0) {
      if (pos_ == kN) refill();
      const size_t take = std::min(n, static_cast<size_t>(kN - pos_));
      const uint64_t* src = out_ + pos_;
      for (size_t i = 0; i < take; ++i) dst[i] = f(src[i]);
      dst += take, n -= take;
      pos_ += static_cast<int>(take);
    }
  }

 private:
  static uint64_t twist(uint64_t hi, uint64_t lo, uint64_t far) {
    constexpr uint64_t kUpper = ~uint64_t{0} << 31, kA = 0xB5026F5AA96619E9ULL;
    const uint64_t y = (hi & kUpper) | (lo & ~kUpper);
    return far ^ (y >> 1) ^ ((uint64_t{0} - (y & 1)) & kA);
  }

  void refill() {
    for (int i = 0; i < kN - kM; ++i) mt_[i] = twist(mt_[i], mt_[i + 1], mt_[i + kM]);
    for (int i = kN - kM; i < kN - 1; ++i) mt_[i] = twist(mt_[i], mt_[i + 1], mt_[i + kM - kN]);
    mt_[kN - 1] = twist(mt_[kN - 1], mt_[0], mt_[kM - 1]);
    for (int i = 0; i < kN; ++i) {
      uint64_t z = mt_[i];
      z ^= (z >> 29) & 0x5555555555555555ULL;
      z ^= (z << 17) & 0x71D67FFFEDA60000ULL;
      z ^= (z << 37) & 0xFFF7EEE000000000ULL;
      out_[i] = z ^ (z >> 43);
    }
    pos_ = 0;
  }

  uint64_t mt_[kN];
  uint64_t out_[kN];
  int pos_ = kN;
};

}  // namespace skipsim
