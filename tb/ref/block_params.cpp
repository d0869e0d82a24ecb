#include "tb/ref/block_params.hpp"

#include "tb/ref/mt19937_64_block.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <random>

#include "hw/common/errors.hpp"
#include "tb/ref/npy.hpp"

namespace skipsim {
namespace {

constexpr int64_t kMaxMult = 2147483647;

void check_shape(const BlockShape& s) {
  if (s.h < 1 || s.w < 1 || s.c < 1 || s.out_c < 1)
    throw InputError("block shape: h, w, c and out_c must be >= 1, got " + std::to_string(s.h) +
                     "x" + std::to_string(s.w) + "x" + std::to_string(s.c) + " -> " +
                     std::to_string(s.out_c));
  if (s.kind == BlockKind::kBasic && s.out_c != s.c)
    throw InputError("block shape: a basic block adds X unchanged, so out_c must equal c (" +
                     std::to_string(s.c) + "), got " + std::to_string(s.out_c));
  if (s.kind == BlockKind::kBottleneck && (s.width < 1 || (s.stride != 1 && s.stride != 2)))
    throw InputError("block shape: a bottleneck needs width >= 1 and stride 1 or 2, got width " +
                     std::to_string(s.width) + ", stride " + std::to_string(s.stride));
}

// Geometry of one conv of the block (no tensors yet).
ConvParams conv_geometry(int in_c, int out_c, int k, int stride, bool relu) {
  ConvParams p;
  p.in_c = in_c;
  p.out_c = out_c;
  p.k = k;
  p.stride = stride;
  p.relu = relu;
  return p;
}

}  // namespace

BlockLayout block_layout(const BlockShape& s) {
  BlockLayout l;
  const int stride = s.block_stride();
  if (s.kind == BlockKind::kBottleneck) {
    l.conv1 = conv_geometry(s.c, s.width, 1, 1, true);
    l.conv2 = conv_geometry(s.width, s.width, 3, stride, true);
    l.conv3 = conv_geometry(s.width, s.out_c, 1, 1, false);
  } else {
    l.conv1 = conv_geometry(s.c, s.out_c, 3, stride, true);
    l.conv2 = conv_geometry(s.out_c, s.out_c, 3, 1, false);
  }
  if (s.projection()) l.skip = conv_geometry(s.c, s.out_c, 1, stride, false);
  return l;
}

namespace {

// Uniform integers from std::mt19937_64's words (made by a block generator of the same
// sequence) by plain modulo, so a seed gives the same block with every standard library
// (std::uniform_int_distribution is not specified).
class Draw {
 public:
  explicit Draw(uint64_t seed) : gen_(seed) {}
  int64_t operator()(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(gen_() % static_cast<uint64_t>(hi - lo + 1));
  }
  // v[i] = draw(lo, hi) for every element, in order.
  template <typename T>
  void fill(std::vector<T>& v, int64_t lo, int64_t hi) {
    const auto n = static_cast<uint64_t>(hi - lo + 1);
    gen_.generate(v.data(), v.size(),
                  [lo, n](uint64_t w) { return static_cast<T>(lo + static_cast<int64_t>(w % n)); });
  }

 private:
  Mt19937_64Block gen_;
};

// Mean of x^2 for x uniform over [-128, 127] and for w uniform over [-64, 63]; for a ReLU
// output spread to about +-64 and then clipped at 0, roughly 64^2 / 2.
constexpr double kX2Int8 = 5461.5;
constexpr double kX2Relu = 2048.0;
constexpr double kW2 = 1365.5;

// Fills weights, bias, mult and shift so that the accumulator's estimated standard
// deviation maps to about 64 in int8.
void fill_conv(ConvParams* p, double input_x2, Draw& draw) {
  const int64_t fan_in = static_cast<int64_t>(p->in_c) * p->k * p->k;
  p->weight.resize(static_cast<size_t>(p->out_c) * fan_in);
  draw.fill(p->weight, -64, 63);
  p->bias.resize(p->out_c);
  for (auto& v : p->bias) v = static_cast<int32_t>(draw(-fan_in * 32, fan_in * 32));
  const double scale = 64.0 / std::sqrt(static_cast<double>(fan_in) * input_x2 * kW2);
  p->mult.resize(p->out_c);
  p->shift.resize(p->out_c);
  for (int o = 0; o < p->out_c; ++o) {
    p->shift[o] = static_cast<int32_t>(draw(16, 30));
    const double jitter = static_cast<double>(draw(768, 1280)) / 1024.0;  // +-25%
    const int64_t m = std::llround(std::ldexp(scale * jitter, p->shift[o]));
    p->mult[o] = static_cast<int32_t>(std::clamp<int64_t>(m, 1, kMaxMult));
  }
}

std::string file_in(const std::string& dir, const std::string& name) {
  return (std::filesystem::path(dir) / name).string();
}

void check_range(const std::string& path, const std::vector<int32_t>& v, int64_t lo, int64_t hi,
                 const char* what) {
  for (size_t i = 0; i < v.size(); ++i)
    if (v[i] < lo || v[i] > hi)
      throw InputError("tensor error: " + path + ": " + what + " " + std::to_string(v[i]) +
                       " at index " + std::to_string(i) + ", expected [" + std::to_string(lo) +
                       ", " + std::to_string(hi) + "]");
}

void load_conv(const std::string& dir, const std::string& name, ConvParams* p) {
  const size_t o = p->out_c;
  p->weight = read_npy_i8(
      file_in(dir, name + ".weight.npy"),
      {o, static_cast<size_t>(p->in_c), static_cast<size_t>(p->k), static_cast<size_t>(p->k)});
  p->bias = read_npy_i32(file_in(dir, name + ".bias.npy"), {o});
  const std::string mult_path = file_in(dir, name + ".mult.npy");
  p->mult = read_npy_i32(mult_path, {o});
  check_range(mult_path, p->mult, 0, kMaxMult, "mult");
  const std::string shift_path = file_in(dir, name + ".shift.npy");
  p->shift = read_npy_i32(shift_path, {o});
  check_range(shift_path, p->shift, 1, 62, "shift");
}

void dump_conv(const std::string& dir, const std::string& name, const ConvParams& p) {
  const size_t o = p.out_c;
  write_npy_i8(
      file_in(dir, name + ".weight.npy"), p.weight,
      {o, static_cast<size_t>(p.in_c), static_cast<size_t>(p.k), static_cast<size_t>(p.k)});
  write_npy_i32(file_in(dir, name + ".bias.npy"), p.bias, {o});
  write_npy_i32(file_in(dir, name + ".mult.npy"), p.mult, {o});
  write_npy_i32(file_in(dir, name + ".shift.npy"), p.shift, {o});
}

}  // namespace

namespace {

// The convs and the add of a block, drawn after whatever `draw` gave before; `x2`: the mean
// square of X (what conv1 and the projection see).
BlockParams draw_block_params(const BlockShape& shape, double x2, Draw& draw) {
  BlockLayout l = block_layout(shape);
  BlockParams b;
  b.kind = shape.kind;
  fill_conv(&l.conv1, x2, draw);
  fill_conv(&l.conv2, kX2Relu, draw);
  if (l.skip) fill_conv(&*l.skip, x2, draw);
  if (l.conv3) fill_conv(&*l.conv3, kX2Relu, draw);
  b.conv1 = std::move(l.conv1);
  b.conv2 = std::move(l.conv2);
  b.conv3 = std::move(l.conv3);
  b.skip = std::move(l.skip);
  // y ~ (main + skip) / 2 before the ReLU, each mult jittered by +-25%.
  b.add.mult_main = static_cast<int32_t>(32 * draw(768, 1280));
  b.add.mult_skip = static_cast<int32_t>(32 * draw(768, 1280));
  b.add.shift = 16;
  return b;
}

}  // namespace

BlockParams random_block(const BlockShape& shape, uint64_t seed) {
  check_shape(shape);
  Draw draw(seed);
  Tensor8 input(shape.h, shape.w, shape.c);
  draw.fill(input.data, -128, 127);
  BlockParams b = draw_block_params(shape, kX2Int8, draw);
  b.input = std::move(input);
  return b;
}

BlockParams random_block_params(const BlockShape& shape, bool relu_input, uint64_t seed) {
  check_shape(shape);
  Draw draw(seed);
  return draw_block_params(shape, relu_input ? kX2Relu : kX2Int8, draw);
}

void random_conv_params(ConvParams* p, bool relu_input, uint64_t seed) {
  Draw draw(seed);
  fill_conv(p, relu_input ? kX2Relu : kX2Int8, draw);
}

BlockParams load_block(const std::string& dir, const BlockShape& shape) {
  check_shape(shape);
  BlockLayout l = block_layout(shape);
  BlockParams b;
  b.kind = shape.kind;
  b.input = read_tensor8(file_in(dir, "input.npy"), shape.h, shape.w, shape.c);
  load_conv(dir, "conv1", &l.conv1);
  load_conv(dir, "conv2", &l.conv2);
  if (l.conv3) load_conv(dir, "conv3", &*l.conv3);
  if (l.skip) load_conv(dir, "skip", &*l.skip);
  b.conv1 = std::move(l.conv1);
  b.conv2 = std::move(l.conv2);
  b.conv3 = std::move(l.conv3);
  b.skip = std::move(l.skip);
  const std::string add_path = file_in(dir, "add.npy");
  const std::vector<int32_t> add = read_npy_i32(add_path, {3});
  if (add[2] < 1 || add[2] > 62)
    throw InputError("tensor error: " + add_path + ": shift " + std::to_string(add[2]) +
                     " at index 2 ([mult_main, mult_skip, shift]), expected [1, 62]");
  b.add.mult_main = add[0];
  b.add.mult_skip = add[1];
  b.add.shift = add[2];
  return b;
}

void dump_block(const std::string& dir, const BlockParams& b) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    throw InputError("tensor error: " + dir + ": cannot create directory (" + ec.message() + ")");
  write_tensor8(file_in(dir, "input.npy"), b.input);
  dump_conv(dir, "conv1", b.conv1);
  dump_conv(dir, "conv2", b.conv2);
  if (b.conv3) dump_conv(dir, "conv3", *b.conv3);
  if (b.skip) dump_conv(dir, "skip", *b.skip);
  write_npy_i32(file_in(dir, "add.npy"), {b.add.mult_main, b.add.mult_skip, b.add.shift}, {3});
}

BlockShape block_shape(const WorkloadConfig& w) {
  BlockShape b;
  b.kind = w.block;
  b.h = w.h;
  b.w = w.w;
  b.c = w.c;
  b.out_c = w.out_channels;
  b.width = w.width > 0 ? w.width : std::max(1, w.out_channels / 4);
  b.stride = w.stride;
  return b;
}

}  // namespace skipsim
