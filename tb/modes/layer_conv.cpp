#include "tb/modes/layer_conv.hpp"

#include <algorithm>

#include "hw/common/int8_dot.hpp"
#include "tb/ref/mt19937_64_block.hpp"

namespace skipsim {

void make_layer_data(const LayerSpec& l, uint64_t seed, LayerData& d) {
  // Values of std::mt19937_64(seed) by plain modulo, the same words in the same order.
  Mt19937_64Block gen(seed);
  const auto i8 = [](uint64_t v) { return static_cast<int8_t>(static_cast<int>(v % 256) - 128); };
  d.ifmap.resize(static_cast<size_t>(l.ifmap_h) * l.ifmap_w * l.channels);
  gen.generate(d.ifmap.data(), d.ifmap.size(), i8);
  d.weight.resize(static_cast<size_t>(l.num_filters) * l.channels * l.filter_h * l.filter_w);
  gen.generate(d.weight.data(), d.weight.size(), i8);
  d.bias.resize(l.num_filters);
  gen.generate(d.bias.data(), d.bias.size(),
               [](uint64_t v) { return static_cast<int32_t>(v % 2048) - 1024; });
}

LayerData make_layer_data(const LayerSpec& l, uint64_t seed) {
  LayerData d;
  make_layer_data(l, seed, d);
  return d;
}

// Whether out (M x N) is the direct convolution in int32 of the layer data (HWC ifmap, OIHW
// weights), computed independently of the im2col matrices and the array: the ifmap is copied
// into a zero border (as large as the last window needs), so that each output pixel's window
// is kh contiguous runs of kw*C bytes, and dotted with every filter repacked from OIHW to
// [fy][fx][ch].
bool matches_direct_conv(const LayerSpec& l, const LayerGeometry& g, const LayerData& d,
                         const int32_t* out, DirectConvScratch& s) {
  // Sizes in locals: stores through int8_t* may alias any field.
  const int C = l.channels, N = l.num_filters, kh = l.filter_h, kw = l.filter_w;
  const int ih = l.ifmap_h, iw = l.ifmap_w, stride = l.stride, eh = g.ofmap_h, ew = g.ofmap_w;
  const size_t K = static_cast<size_t>(kh) * kw * C, run = static_cast<size_t>(kw) * C;
  const int ph = std::max(ih + 2 * g.pad_h, (eh - 1) * stride + kh);
  const int pw = std::max(iw + 2 * g.pad_w, (ew - 1) * stride + kw);
  s.padded.assign(static_cast<size_t>(ph) * pw * C, 0);
  for (int y = 0; y < ih; ++y)
    std::copy_n(&d.ifmap[static_cast<size_t>(y) * iw * C], static_cast<size_t>(iw) * C,
                &s.padded[((static_cast<size_t>(y) + g.pad_h) * pw + g.pad_w) * C]);
  s.wr.resize(K * N);  // [o][fy][fx][ch]
  s.win.resize(K);
  s.acc.resize(N);
  int8_t* wr = s.wr.data();
  int8_t* win = s.win.data();
  const int8_t* xp = s.padded.data();
  const int8_t* w = d.weight.data();
  for (int o = 0; o < N; ++o)
    for (int ch = 0; ch < C; ++ch)
      for (int fy = 0; fy < kh; ++fy)
        for (int fx = 0; fx < kw; ++fx)
          wr[o * K + (static_cast<size_t>(fy) * kw + fx) * C + ch] =
              w[((static_cast<size_t>(o) * C + ch) * kh + fy) * kw + fx];
  for (int oy = 0; oy < eh; ++oy)
    for (int ox = 0; ox < ew; ++ox) {
      for (int fy = 0; fy < kh; ++fy)
        std::copy_n(xp + ((static_cast<size_t>(oy) * stride + fy) * pw + ox * stride) * C, run,
                    win + fy * run);
      dot_rows_i8(win, wr, static_cast<int64_t>(K), N, static_cast<int64_t>(K), s.acc.data());
      const int32_t* o = &out[(static_cast<size_t>(oy) * ew + ox) * N];
      for (int n = 0; n < N; ++n)  // int32 accumulators wrap
        if (static_cast<int32_t>(static_cast<uint32_t>(s.acc[n]) +
                                 static_cast<uint32_t>(d.bias[n])) != o[n])
          return false;
    }
  return true;
}

// The GEMM operands of a layer: A[m][(fy*kw + fx)*C + ch] (zeros outside the ifmap),
// B[(fy*kw + fx)*C + ch][o]. Sizes in locals: stores through int8_t* may alias any field.
void layer_im2col(const LayerSpec& l, const LayerGeometry& g, const LayerData& d, int8_t* a,
                  int8_t* b) {
  const int C = l.channels, N = l.num_filters, kh = l.filter_h, kw = l.filter_w;
  const int ih = l.ifmap_h, iw = l.ifmap_w, stride = l.stride, eh = g.ofmap_h, ew = g.ofmap_w;
  const int pad_h = g.pad_h, pad_w = g.pad_w;
  const size_t K = static_cast<size_t>(g.k);
  const int8_t* x = d.ifmap.data();
  const int8_t* w = d.weight.data();
  for (int oy = 0; oy < eh; ++oy)
    for (int ox = 0; ox < ew; ++ox) {
      int8_t* row = a + (static_cast<size_t>(oy) * ew + ox) * K;
      for (int fy = 0; fy < kh; ++fy) {
        const int iy = oy * stride - pad_h + fy;
        for (int fx = 0; fx < kw; ++fx) {
          const int ix = ox * stride - pad_w + fx;
          int8_t* dst = row + (static_cast<size_t>(fy) * kw + fx) * C;
          if (iy < 0 || iy >= ih || ix < 0 || ix >= iw)
            std::fill_n(dst, C, int8_t{0});
          else
            std::copy_n(x + (static_cast<size_t>(iy) * iw + ix) * C, C, dst);
        }
      }
    }
  // B's rows written in order; one channel's filters (N cache lines) serve its kh*kw rows.
  const size_t per_filter = static_cast<size_t>(C) * kh * kw;
  for (int ch = 0; ch < C; ++ch)
    for (int fy = 0; fy < kh; ++fy)
      for (int fx = 0; fx < kw; ++fx) {
        int8_t* dst = b + ((static_cast<size_t>(fy) * kw + fx) * C + ch) * N;
        const int8_t* src = w + (static_cast<size_t>(ch) * kh + fy) * kw + fx;
        for (int o = 0; o < N; ++o) dst[o] = src[o * per_filter];
      }
}

}  // namespace skipsim
