#include "tb/ref/golden.hpp"

#include <algorithm>
#include <stdexcept>

#include "hw/common/int8_dot.hpp"

namespace skipsim {
namespace {

void check_shift(int32_t shift) {
  if (shift < 1 || shift > 62)
    throw std::invalid_argument("golden: shift " + std::to_string(shift) + " outside [1, 62]");
}

// Right shift with rounding half up; >> on a negative int64 is arithmetic on every
// compiler this project supports (and guaranteed from C++20).
int64_t round_shift(int64_t v, int32_t shift) { return (v + (int64_t{1} << (shift - 1))) >> shift; }

int8_t clamp8(int64_t v, int64_t lo) {
  return static_cast<int8_t>(std::clamp<int64_t>(v, lo, 127));
}

}  // namespace

int8_t golden_requant(int32_t acc, int32_t mult, int32_t shift, bool relu) {
  check_shift(shift);
  if (mult < 0) throw std::invalid_argument("golden: negative requant mult");
  // |acc * mult| < 2^62 and the rounding term is at most 2^61: no int64 overflow.
  return clamp8(round_shift(int64_t{acc} * mult, shift), relu ? 0 : -128);
}

int8_t golden_add(int8_t main, int8_t skip, const AddParams& p) {
  check_shift(p.shift);
  return clamp8(round_shift(int64_t{main} * p.mult_main + int64_t{skip} * p.mult_skip, p.shift), 0);
}

Tensor8 golden_conv(const Tensor8& x, const ConvParams& p) {
  const size_t kk = static_cast<size_t>(p.k) * p.k;
  if (x.c != p.in_c || p.k < 1 || p.stride < 1 ||
      p.weight.size() != static_cast<size_t>(p.out_c) * p.in_c * kk ||
      p.bias.size() != static_cast<size_t>(p.out_c) ||
      p.mult.size() != static_cast<size_t>(p.out_c) ||
      p.shift.size() != static_cast<size_t>(p.out_c))
    throw std::invalid_argument("golden_conv: parameter sizes do not match the input");
  Tensor8 y(p.out_size(x.h), p.out_size(x.w), p.out_c);
  // Weights repacked O x kh x kw x I and the input copied into a zero border, so that each
  // output pixel's window is k contiguous runs of k * in_c bytes: one int8 dot product per
  // filter with the window gathered once.
  const size_t ic = static_cast<size_t>(p.in_c);
  if (ic >= (size_t{1} << 17)) throw std::invalid_argument("golden_conv: more than 2^17 channels");
  const int k = p.k, stride = p.stride, pad = p.pad(), out_c = p.out_c;
  const size_t K = kk * ic, run = static_cast<size_t>(k) * ic;
  std::vector<int8_t> wr(p.weight.size());
  for (int o = 0; o < out_c; ++o)
    for (int ky = 0; ky < k; ++ky)
      for (int kx = 0; kx < k; ++kx)
        for (int i = 0; i < p.in_c; ++i)
          wr[((static_cast<size_t>(o) * k + ky) * k + kx) * ic + i] = p.w(o, i, ky, kx);
  const int ph = std::max(x.h + 2 * pad, (y.h - 1) * stride + k);
  const int pw = std::max(x.w + 2 * pad, (y.w - 1) * stride + k);
  std::vector<int8_t> xp(static_cast<size_t>(ph) * pw * ic, 0);
  for (int iy = 0; iy < x.h; ++iy)
    std::copy_n(x.data.data() + static_cast<size_t>(iy) * x.w * ic, static_cast<size_t>(x.w) * ic,
                xp.data() + ((static_cast<size_t>(iy) + pad) * pw + pad) * ic);
  std::vector<int8_t> win(K);
  std::vector<int32_t> dot(static_cast<size_t>(out_c));
  for (int oy = 0; oy < y.h; ++oy) {
    for (int ox = 0; ox < y.w; ++ox) {
      for (int ky = 0; ky < k; ++ky) {
        const size_t at =
            (static_cast<size_t>(oy) * stride + ky) * pw + static_cast<size_t>(ox) * stride;
        std::copy_n(xp.data() + at * ic, run, win.data() + ky * run);
      }
      dot_rows_i8(win.data(), wr.data(), static_cast<int64_t>(K), out_c, static_cast<int64_t>(K),
                  dot.data());
      for (int o = 0; o < out_c; ++o) {
        // The hardware accumulates in int32: wrap modulo 2^32 (well-defined via uint32).
        const auto acc32 =
            static_cast<int32_t>(static_cast<uint32_t>(dot[o]) + static_cast<uint32_t>(p.bias[o]));
        y.at(oy, ox, o) = golden_requant(acc32, p.mult[o], p.shift[o], p.relu);
      }
    }
  }
  return y;
}

Tensor8 golden_add(const Tensor8& main, const Tensor8& skip, const AddParams& p) {
  if (main.h != skip.h || main.w != skip.w || main.c != skip.c)
    throw std::invalid_argument("golden_add: main and skip shapes differ");
  Tensor8 y(main.h, main.w, main.c);
  for (size_t i = 0; i < y.data.size(); ++i) y.data[i] = golden_add(main.data[i], skip.data[i], p);
  return y;
}

Tensor8 golden_block(const BlockParams& b) {
  const bool bottleneck = b.kind == BlockKind::kBottleneck;
  if (b.conv3.has_value() != bottleneck)
    throw std::invalid_argument("golden_block: conv3 present iff the block is a bottleneck");
  if (b.kind != BlockKind::kBottleneck && b.skip.has_value() != (b.kind == BlockKind::kDownsample))
    throw std::invalid_argument("golden_block: skip conv present iff the block downsamples");
  Tensor8 main = golden_conv(golden_conv(b.input, b.conv1), b.conv2);
  if (bottleneck) main = golden_conv(main, *b.conv3);
  if (!b.skip) return golden_add(main, b.input, b.add);
  return golden_add(main, golden_conv(b.input, *b.skip), b.add);
}

Tensor8 golden_maxpool(const Tensor8& x, const MaxPoolParams& p) {
  if (p.k < 1 || p.stride < 1 || p.pad < 0 || 2 * p.pad >= p.k + (p.k % 2 == 0))
    throw std::invalid_argument("golden_maxpool: bad window");
  Tensor8 y(p.out_size(x.h), p.out_size(x.w), x.c);
  for (int oy = 0; oy < y.h; ++oy)
    for (int ox = 0; ox < y.w; ++ox)
      for (int ch = 0; ch < x.c; ++ch) {
        int m = -129;
        for (int ky = 0; ky < p.k; ++ky) {
          const int iy = oy * p.stride - p.pad + ky;
          if (iy < 0 || iy >= x.h) continue;
          for (int kx = 0; kx < p.k; ++kx) {
            const int ix = ox * p.stride - p.pad + kx;
            if (ix >= 0 && ix < x.w) m = std::max<int>(m, x.at(iy, ix, ch));
          }
        }
        y.at(oy, ox, ch) = static_cast<int8_t>(m);
      }
  return y;
}

Tensor8 golden_global_pool(const Tensor8& x, const GlobalPoolParams& p) {
  Tensor8 y(1, 1, x.c);
  for (int ch = 0; ch < x.c; ++ch) {
    int64_t sum = 0;
    for (int i = 0; i < x.h * x.w; ++i) sum += x.data[static_cast<size_t>(i) * x.c + ch];
    // The hardware sums in int32 (wraps modulo 2^32, as the conv accumulators do).
    const auto s32 = static_cast<int32_t>(static_cast<uint32_t>(sum));
    y.at(0, 0, ch) = golden_requant(s32, p.mult, p.shift, false);
  }
  return y;
}

std::vector<int32_t> golden_fc(const Tensor8& x, const FcParams& p) {
  if (x.data.size() != static_cast<size_t>(p.in_f) ||
      p.weight.size() != static_cast<size_t>(p.out_f) * p.in_f ||
      p.bias.size() != static_cast<size_t>(p.out_f))
    throw std::invalid_argument("golden_fc: parameter sizes do not match the input");
  std::vector<int32_t> y(static_cast<size_t>(p.out_f));
  for (int o = 0; o < p.out_f; ++o) {
    int64_t acc = p.bias[o];
    const int8_t* w = &p.weight[static_cast<size_t>(o) * p.in_f];
    for (int i = 0; i < p.in_f; ++i) acc += int32_t{x.data[i]} * w[i];
    y[o] = static_cast<int32_t>(static_cast<uint32_t>(acc));
  }
  return y;
}

}  // namespace skipsim
