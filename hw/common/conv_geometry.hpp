#pragma once
// The output size of a convolution along one axis, written once for the hardware models, the
// reference model, layer mode and the sizing code.
namespace skipsim {

// Window positions of a k-wide window moved by `stride` over `in` inputs padded with `pad`
// zeros on each side; 0 when the window does not fit (in + 2 * pad < k).
constexpr int conv_out_size(int in, int k, int stride, int pad) {
  return in + 2 * pad < k ? 0 : (in + 2 * pad - k) / stride + 1;
}

// The padding that keeps a stride-1 conv's size ("same") for an odd k.
constexpr int same_pad(int k) { return k / 2; }

}  // namespace skipsim
