// Quantization of an imported float network (README "ONNX import: quantization rule"):
// symmetric int8 weights, and requant parameters calibrated on the run's own image by the
// integer pipeline, stage by stage.
#include <algorithm>
#include <cmath>
#include <random>

#include <fmt/format.h>

#include "hw/common/errors.hpp"
#include "hw/common/int8_dot.hpp"
#include "tb/net/onnx_quant.hpp"

namespace skipsim {
namespace {

constexpr int64_t kMaxMult = 2147483647;

// Symmetric int8 with scale max|w| / 127 (1 for an all-zero group), rounded half away from
// zero (std::round).
double quantize_group(const float* w, size_t n, int8_t* q) {
  double m = 0;
  for (size_t i = 0; i < n; ++i) m = std::max(m, std::fabs(double{w[i]}));
  const double s = m > 0 ? m / 127.0 : 1.0;
  for (size_t i = 0; i < n; ++i)
    q[i] = static_cast<int8_t>(std::clamp(std::round(w[i] / s), -127.0, 127.0));
  return s;
}

int32_t quantize_bias(double b, double scale) {
  const double v = std::round(b / scale);
  if (std::isnan(v)) return 0;  // 0 / 0 after an underflowing scale
  return static_cast<int32_t>(std::clamp(v, -double(kMaxMult), double(kMaxMult)));
}

// Multiplier m as mult / 2^shift: shift the largest in [1, 62] with round(m * 2^shift) <=
// 2^31 - 1 (mult saturates at 2^31 - 1 when even shift 1 is too large).
int32_t shift_for(double m) {
  int s = 62;
  while (s > 1 && std::round(std::ldexp(m, s)) > kMaxMult) --s;
  return s;
}
int32_t mult_at(double m, int32_t shift) {
  const double v = std::round(std::ldexp(m, shift));
  return v >= 0 ? static_cast<int32_t>(std::min(v, double(kMaxMult))) : 0;  // NaN: 0
}

// int32 accumulators (wrapping as the hardware's) of conv p over x, H' x W' x O.
std::vector<int32_t> conv_acc(const Tensor8& x, const ConvParams& p, int* oh, int* ow) {
  *oh = p.out_size(x.h);
  *ow = p.out_size(x.w);
  const int k = p.k, ic = p.in_c, oc = p.out_c;
  if (k == 1 && x.h == 1 && x.w == 1) {
    // A fully connected layer: one dot product per output over the weights' rows as they are
    // (no repacked copy of VGG's 98 MiB).
    std::vector<int32_t> out(static_cast<size_t>(oc));
    dot_rows_i8(x.data.data(), p.weight.data(), ic, oc, ic, out.data());
    for (int o = 0; o < oc; ++o)
      out[o] =
          static_cast<int32_t>(static_cast<uint32_t>(out[o]) + static_cast<uint32_t>(p.bias[o]));
    return out;
  }
  // Weights as [ky][kx][i][o] so the inner loop runs over contiguous output channels.
  std::vector<int32_t> wt(p.weight.size());
  for (int o = 0; o < oc; ++o)
    for (int i = 0; i < ic; ++i)
      for (int ky = 0; ky < k; ++ky)
        for (int kx = 0; kx < k; ++kx)
          wt[((static_cast<size_t>(ky) * k + kx) * ic + i) * oc + o] = p.w(o, i, ky, kx);
  std::vector<int32_t> out(static_cast<size_t>(*oh) * *ow * oc);
  std::vector<uint32_t> acc(oc);
  for (int oy = 0; oy < *oh; ++oy)
    for (int ox = 0; ox < *ow; ++ox) {
      for (int o = 0; o < oc; ++o) acc[o] = static_cast<uint32_t>(p.bias[o]);
      for (int ky = 0; ky < k; ++ky) {
        const int iy = oy * p.stride - p.pad() + ky;
        if (iy < 0 || iy >= x.h) continue;
        for (int kx = 0; kx < k; ++kx) {
          const int ix = ox * p.stride - p.pad() + kx;
          if (ix < 0 || ix >= x.w) continue;
          const int8_t* xr = &x.data[(static_cast<size_t>(iy) * x.w + ix) * x.c];
          const int32_t* wr = &wt[(static_cast<size_t>(ky) * k + kx) * ic * oc];
          for (int i = 0; i < ic; ++i) {
            const int32_t xv = xr[i];
            if (xv == 0) continue;
            const int32_t* wo = wr + static_cast<size_t>(i) * oc;
            for (int o = 0; o < oc; ++o) acc[o] += static_cast<uint32_t>(xv * wo[o]);
          }
        }
      }
      int32_t* dst = &out[(static_cast<size_t>(oy) * *ow + ox) * oc];
      for (int o = 0; o < oc; ++o) dst[o] = static_cast<int32_t>(acc[o]);
    }
  return out;
}

struct Quantized {
  Tensor8 y;
  double scale = 0;
};

// Quantizes f for input x of scale sx and calibrates its requant: the output scale maps the
// largest real accumulator value (ReLU: the largest positive one) to 127.
ConvParams quantize_conv(const FloatConv& f, bool relu, const Tensor8& x, double sx,
                         Quantized* out) {
  ConvParams p;
  p.out_c = f.out_c, p.in_c = f.in_c, p.k = f.k, p.stride = f.stride, p.relu = relu;
  p.padding = f.pad;
  const size_t per_o = static_cast<size_t>(f.in_c) * f.k * f.k;
  p.weight.resize(f.weight.size());
  std::vector<double> sw(f.out_c);
  p.bias.resize(f.out_c);
  for (int o = 0; o < f.out_c; ++o) {
    sw[o] = quantize_group(&f.weight[o * per_o], per_o, &p.weight[o * per_o]);
    p.bias[o] = quantize_bias(f.bias[o], sx * sw[o]);
  }
  int oh = 0, ow = 0;
  const std::vector<int32_t> acc = conv_acc(x, p, &oh, &ow);
  double r = 0;
  for (size_t i = 0; i < acc.size(); ++i) {
    const double v = acc[i] * sx * sw[i % f.out_c];
    r = std::max(r, relu ? v : std::fabs(v));
  }
  const double sy = r > 0 ? r / 127.0 : sx;
  p.mult.resize(f.out_c);
  p.shift.resize(f.out_c);
  for (int o = 0; o < f.out_c; ++o) {
    const double m = sx * sw[o] / sy;
    p.shift[o] = shift_for(m);
    p.mult[o] = mult_at(m, p.shift[o]);
  }
  out->y = Tensor8(oh, ow, f.out_c);
  for (size_t i = 0; i < acc.size(); ++i) {
    const int o = static_cast<int>(i % f.out_c);
    out->y.data[i] = golden_requant(acc[i], p.mult[o], p.shift[o], relu);
  }
  out->scale = sy;
  return p;
}

// The add of main (scale sm) and skip (scale ss): output scale maps the largest real sum
// (after the ReLU) to 127; one shift for both multipliers.
AddParams calibrate_add(const Tensor8& main, double sm, const Tensor8& skip, double ss,
                        double* so) {
  double r = 0;
  for (size_t i = 0; i < main.data.size(); ++i)
    r = std::max(r, main.data[i] * sm + skip.data[i] * ss);
  *so = r > 0 ? r / 127.0 : sm;
  AddParams a;
  a.shift = shift_for(std::max(sm, ss) / *so);
  a.mult_main = mult_at(sm / *so, a.shift);
  a.mult_skip = mult_at(ss / *so, a.shift);
  return a;
}

}  // namespace

Network quantize_network(const std::vector<FloatStage>& stages, const std::string& model,
                         uint64_t seed, OnnxImportInfo* info, const Tensor8* image) {
  Network net;
  net.model = model;
  const FloatStage& st = stages.front();
  net.input = Tensor8(st.in_h, st.in_w, st.in_c);
  if (image) {
    if (image->h != st.in_h || image->w != st.in_w || image->c != st.in_c)
      throw InputError(fmt::format("--input: the image is {}x{}x{}, the model takes {}x{}x{}",
                                   image->h, image->w, image->c, st.in_h, st.in_w, st.in_c));
    net.input = *image;
  } else {
    std::mt19937_64 gen(seed);
    for (auto& v : net.input.data) v = static_cast<int8_t>(static_cast<int>(gen() % 256) - 128);
  }
  OnnxImportInfo local;
  OnnxImportInfo& inf = info ? *info : local;
  inf = OnnxImportInfo{};
  inf.input_scale = 1.0 / 64.0;

  Tensor8 x = net.input;
  double sx = inf.input_scale;
  for (const FloatStage& s : stages) {
    NetBlock b;
    b.name = s.name;
    b.kind = s.kind;
    b.in_h = x.h, b.in_w = x.w, b.in_c = x.c;
    Quantized q;
    if (s.kind == NetBlockKind::kFc) {
      Tensor8 flat(1, 1, x.h * x.w * x.c);
      flat.data = std::move(x.data);
      b.fc.logits = s.logits;
      if (!s.logits) {
        FloatConv f;
        f.out_c = s.fc.out_f;
        f.in_c = s.fc.in_f;
        f.weight = s.fc.weight;
        f.bias = s.fc.bias;
        b.fc.conv = quantize_conv(f, true, flat, sx, &q);
        x = std::move(q.y);
        sx = q.scale;
      } else {
        FcParams& fc = b.fc.fc;
        fc.out_f = s.fc.out_f;
        fc.in_f = s.fc.in_f;
        fc.weight.resize(s.fc.weight.size());
        const double sf = quantize_group(s.fc.weight.data(), s.fc.weight.size(), fc.weight.data());
        fc.bias.resize(fc.out_f);
        for (int o = 0; o < fc.out_f; ++o) fc.bias[o] = quantize_bias(s.fc.bias[o], sx * sf);
        inf.logit_scale = sx * sf;
        x = std::move(flat);
      }
    } else if (s.kind == NetBlockKind::kStem || s.kind == NetBlockKind::kConv) {
      b.stem.conv1 = quantize_conv(s.conv1, true, x, sx, &q);
      b.stem.has_pool = s.has_pool;
      b.stem.pool = s.pool;
      x = s.has_pool ? golden_maxpool(q.y, s.pool) : q.y;
      sx = q.scale;
    } else if (s.kind == NetBlockKind::kHead) {
      const int64_t hw = static_cast<int64_t>(x.h) * x.w;
      double r = 0;
      for (int ch = 0; ch < x.c; ++ch) {
        int64_t sum = 0;
        for (int64_t i = 0; i < hw; ++i) sum += x.data[static_cast<size_t>(i) * x.c + ch];
        r = std::max(r, std::fabs(static_cast<double>(sum)) * sx / static_cast<double>(hw));
      }
      const double sp = r > 0 ? r / 127.0 : sx;
      const double m = sx / (static_cast<double>(hw) * sp);
      b.head.pool.shift = shift_for(m);
      b.head.pool.mult = mult_at(m, b.head.pool.shift);
      x = golden_global_pool(x, b.head.pool);
      sx = sp;
      FcParams& fc = b.head.fc;
      fc.out_f = s.fc.out_f;
      fc.in_f = s.fc.in_f;
      fc.weight.resize(s.fc.weight.size());
      const double sf = quantize_group(s.fc.weight.data(), s.fc.weight.size(), fc.weight.data());
      fc.bias.resize(fc.out_f);
      for (int o = 0; o < fc.out_f; ++o) fc.bias[o] = quantize_bias(s.fc.bias[o], sp * sf);
      inf.logit_scale = sp * sf;
    } else {
      BlockParams& bp = b.block;
      const bool bottleneck = s.kind == NetBlockKind::kBottleneck;
      bp.kind = s.block_kind;
      Quantized q1, q2;
      bp.conv1 = quantize_conv(s.conv1, true, x, sx, &q1);
      bp.conv2 = quantize_conv(s.conv2, bottleneck, q1.y, q1.scale, &q2);
      Quantized main = q2;
      if (bottleneck) bp.conv3 = quantize_conv(*s.conv3, false, q2.y, q2.scale, &main);
      Quantized skip{x, sx};
      if (s.skip) bp.skip = quantize_conv(*s.skip, false, x, sx, &skip);
      bp.add = calibrate_add(main.y, main.scale, skip.y, skip.scale, &sx);
      x = golden_add(main.y, skip.y, bp.add);
    }
    inf.output_scales.push_back(sx);
    net.blocks.push_back(std::move(b));
  }
  return net;
}

}  // namespace skipsim
