// Random blocks (deterministic, well spread), and the .npy directory round trip with its
// shape and range checks.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>

#include "tb/ref/block_params.hpp"
#include "hw/common/errors.hpp"
#include "tb/ref/npy.hpp"

namespace skipsim {
namespace {

namespace fs = std::filesystem;

BlockShape basic_shape(int h, int w, int c) { return BlockShape{BlockKind::kBasic, h, w, c, c}; }
BlockShape down_shape(int h, int w, int c, int out_c) {
  return BlockShape{BlockKind::kDownsample, h, w, c, out_c};
}

bool same_conv(const ConvParams& a, const ConvParams& b) {
  return a.out_c == b.out_c && a.in_c == b.in_c && a.k == b.k && a.stride == b.stride &&
         a.relu == b.relu && a.weight == b.weight && a.bias == b.bias && a.mult == b.mult &&
         a.shift == b.shift;
}

bool same_block(const BlockParams& a, const BlockParams& b) {
  return a.kind == b.kind && a.input == b.input && same_conv(a.conv1, b.conv1) &&
         same_conv(a.conv2, b.conv2) && a.skip.has_value() == b.skip.has_value() &&
         (!a.skip || same_conv(*a.skip, *b.skip)) && a.add.mult_main == b.add.mult_main &&
         a.add.mult_skip == b.add.mult_skip && a.add.shift == b.add.shift;
}

// Values of at least 32 show the scale reaches the upper int8 range, not just small values.
double fraction_large(const Tensor8& t) {
  size_t n = 0;
  for (int8_t v : t.data) n += v >= 32;
  return static_cast<double>(n) / static_cast<double>(t.data.size());
}

double fraction_inside(const Tensor8& t) {
  size_t n = 0;
  for (int8_t v : t.data) n += v > 0 && v < 127;
  return static_cast<double>(n) / static_cast<double>(t.data.size());
}

class BlockParamsDir : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = (fs::temp_directory_path() /
            ("skipsim_block_" + std::to_string(getpid()) + "_" + info->name()))
               .string();
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string file(const std::string& name) const { return (fs::path(dir_) / name).string(); }

  std::string error_of(const BlockShape& s) const {
    try {
      load_block(dir_, s);
    } catch (const InputError& e) {
      return e.what();
    }
    ADD_FAILURE() << "no InputError";
    return "";
  }

  std::string dir_;
};

TEST(BlockParams, BasicLayoutMatchesTheDesign) {
  const BlockParams b = random_block(basic_shape(5, 6, 8), 1);
  EXPECT_EQ(b.kind, BlockKind::kBasic);
  EXPECT_EQ(b.input.h, 5);
  EXPECT_EQ(b.input.w, 6);
  EXPECT_EQ(b.input.c, 8);
  EXPECT_FALSE(b.skip.has_value());
  EXPECT_EQ(b.conv1.k, 3);
  EXPECT_EQ(b.conv1.stride, 1);
  EXPECT_TRUE(b.conv1.relu);
  EXPECT_EQ(b.conv2.k, 3);
  EXPECT_EQ(b.conv2.stride, 1);
  EXPECT_FALSE(b.conv2.relu);
  EXPECT_EQ(b.conv1.weight.size(), 8u * 8 * 9);
  EXPECT_EQ(b.conv2.bias.size(), 8u);
}

TEST(BlockParams, DownsampleLayoutMatchesTheDesign) {
  const BlockParams b = random_block(down_shape(7, 9, 6, 10), 2);
  ASSERT_TRUE(b.skip.has_value());
  EXPECT_EQ(b.conv1.in_c, 6);
  EXPECT_EQ(b.conv1.out_c, 10);
  EXPECT_EQ(b.conv1.stride, 2);
  EXPECT_TRUE(b.conv1.relu);
  EXPECT_EQ(b.conv2.in_c, 10);
  EXPECT_EQ(b.conv2.stride, 1);
  EXPECT_EQ(b.skip->k, 1);
  EXPECT_EQ(b.skip->stride, 2);
  EXPECT_EQ(b.skip->in_c, 6);
  EXPECT_EQ(b.skip->out_c, 10);
  EXPECT_FALSE(b.skip->relu);
  const Tensor8 y = golden_block(b);
  EXPECT_EQ(y.h, 4);
  EXPECT_EQ(y.w, 5);
  EXPECT_EQ(y.c, 10);
}

TEST(BlockParams, ValuesAreInTheirRanges) {
  const BlockParams b = random_block(down_shape(6, 6, 16, 32), 3);
  for (const ConvParams* p : {&b.conv1, &b.conv2, &*b.skip}) {
    const int64_t fan_in = static_cast<int64_t>(p->in_c) * p->k * p->k;
    for (int8_t w : p->weight) {
      EXPECT_GE(w, -64);
      EXPECT_LE(w, 63);
    }
    for (int o = 0; o < p->out_c; ++o) {
      EXPECT_LE(std::abs(int64_t{p->bias[o]}), fan_in * 32);
      EXPECT_GE(p->shift[o], 16);
      EXPECT_LE(p->shift[o], 30);
      EXPECT_GE(p->mult[o], 1);
    }
  }
  EXPECT_EQ(b.add.shift, 16);
  EXPECT_GE(b.add.mult_main, 24576);
  EXPECT_LE(b.add.mult_main, 40960);
  int8_t lo = 0, hi = 0;
  for (int8_t v : b.input.data) lo = std::min(lo, v), hi = std::max(hi, v);
  EXPECT_LT(lo, -120);
  EXPECT_GT(hi, 120);
}

TEST(BlockParams, SameSeedSameBlockOtherSeedOtherBlock) {
  const BlockShape s = down_shape(6, 5, 4, 8);
  const BlockParams a = random_block(s, 42), b = random_block(s, 42), c = random_block(s, 43);
  EXPECT_TRUE(same_block(a, b));
  EXPECT_FALSE(same_block(a, c));
  EXPECT_NE(a.input.data, c.input.data);
  EXPECT_NE(a.conv1.weight, c.conv1.weight);
  EXPECT_NE(a.conv1.mult, c.conv1.mult);
}

TEST(BlockParams, SeedGivesTheSameValuesEverywhere) {
  // Pinned values: the draw sequence is plain modulo arithmetic on std::mt19937_64, whose
  // output the standard fixes, so these hold on every standard library.
  const BlockParams b = random_block(basic_shape(2, 2, 2), 5);
  std::mt19937_64 g(5);
  for (size_t i = 0; i < b.input.data.size(); ++i)
    EXPECT_EQ(b.input.data[i], static_cast<int>(g() % 256) - 128);
  EXPECT_EQ(b.conv1.weight[0], static_cast<int>(g() % 128) - 64);
}

TEST(BlockParams, RandomOutputsAreSpreadNotSaturatedNorZero) {
  const auto check = [](const BlockParams& b, const std::string& what) {
    const Tensor8 c1 = golden_conv(b.input, b.conv1);
    EXPECT_GE(fraction_inside(c1), 0.25) << what << " conv1";
    EXPECT_GE(fraction_large(c1), 0.10) << what << " conv1";
    const Tensor8 y = golden_block(b);
    EXPECT_GE(fraction_inside(y), 0.25) << what;
    EXPECT_GE(fraction_large(y), 0.10) << what;
  };
  for (uint64_t seed : {1, 2, 3}) {
    check(random_block(basic_shape(10, 10, 16), seed), "basic seed " + std::to_string(seed));
    check(random_block(down_shape(10, 10, 16, 32), seed), "down seed " + std::to_string(seed));
  }
  // Large fan-in (conv2 sums 1152 products) and tiny fan-in (one input channel).
  check(random_block(basic_shape(6, 6, 128), 9), "basic 128 channels");
  check(random_block(down_shape(12, 12, 1, 2), 9), "down 1 channel");
}

TEST(BlockParams, BasicNeedsEqualChannels) {
  EXPECT_THROW(random_block(BlockShape{BlockKind::kBasic, 4, 4, 8, 16}, 1), InputError);
  EXPECT_THROW(random_block(BlockShape{BlockKind::kBasic, 0, 4, 8, 8}, 1), InputError);
}

TEST_F(BlockParamsDir, DumpThenLoadIsIdentical) {
  for (const BlockShape& s : {basic_shape(5, 7, 3), down_shape(9, 4, 5, 6)}) {
    const BlockParams a = random_block(s, 77);
    dump_block(dir_, a);
    EXPECT_EQ(fs::exists(file("skip.weight.npy")), s.kind == BlockKind::kDownsample);
    EXPECT_FALSE(fs::exists(file("output.npy")));
    const BlockParams b = load_block(dir_, s);
    EXPECT_TRUE(same_block(a, b));
    EXPECT_EQ(golden_block(a), golden_block(b));
    fs::remove_all(dir_);
  }
}

TEST_F(BlockParamsDir, DumpWritesTheDesignFileNamesAndShapes) {
  dump_block(dir_, random_block(down_shape(4, 4, 3, 5), 1));
  EXPECT_EQ(read_npy(file("input.npy")).shape, (std::vector<size_t>{4, 4, 3}));
  EXPECT_EQ(read_npy(file("conv1.weight.npy")).shape, (std::vector<size_t>{5, 3, 3, 3}));
  EXPECT_EQ(read_npy(file("conv2.weight.npy")).shape, (std::vector<size_t>{5, 5, 3, 3}));
  EXPECT_EQ(read_npy(file("skip.weight.npy")).shape, (std::vector<size_t>{5, 3, 1, 1}));
  for (const char* n : {"conv1", "conv2", "skip"})
    for (const char* f : {".bias.npy", ".mult.npy", ".shift.npy"}) {
      const NpyArray a = read_npy(file(std::string(n) + f));
      EXPECT_EQ(a.descr, "<i4");
      EXPECT_EQ(a.shape, std::vector<size_t>{5}) << n << f;
    }
  EXPECT_EQ(read_npy(file("add.npy")).shape, std::vector<size_t>{3});
}

TEST_F(BlockParamsDir, MissingFileIsNamed) {
  const BlockShape s = down_shape(4, 4, 3, 5);
  dump_block(dir_, random_block(s, 1));
  fs::remove(file("skip.mult.npy"));
  const std::string msg = error_of(s);
  EXPECT_NE(msg.find("skip.mult.npy: cannot open"), std::string::npos) << msg;
}

TEST_F(BlockParamsDir, ShapeMismatchNamesExpectedAndActual) {
  dump_block(dir_, random_block(basic_shape(4, 4, 8), 1));
  std::string msg = error_of(basic_shape(4, 5, 8));
  EXPECT_NE(msg.find("input.npy: shape (4, 4, 8), expected (4, 5, 8)"), std::string::npos) << msg;
  write_npy_i8(file("input.npy"), std::vector<int8_t>(4 * 4 * 4), {4, 4, 4});
  msg = error_of(basic_shape(4, 4, 4));
  EXPECT_NE(msg.find("conv1.weight.npy: shape (8, 8, 3, 3), expected (4, 4, 3, 3)"),
            std::string::npos)
      << msg;
}

TEST_F(BlockParamsDir, WrongDtypeIsNamed) {
  dump_block(dir_, random_block(basic_shape(4, 4, 2), 1));
  write_npy_i32(file("conv2.weight.npy"), std::vector<int32_t>(2 * 2 * 9), {2, 2, 3, 3});
  const std::string msg = error_of(basic_shape(4, 4, 2));
  EXPECT_NE(msg.find("conv2.weight.npy: dtype '<i4', expected int8"), std::string::npos) << msg;
}

TEST_F(BlockParamsDir, OutOfRangeMultAndShiftAreRejected) {
  const BlockShape s = basic_shape(3, 3, 2);
  dump_block(dir_, random_block(s, 1));
  write_npy_i32(file("conv1.mult.npy"), {5, -1}, {2});
  std::string msg = error_of(s);
  EXPECT_NE(msg.find("conv1.mult.npy: mult -1 at index 1, expected [0, 2147483647]"),
            std::string::npos)
      << msg;
  write_npy_i32(file("conv1.mult.npy"), {5, 6}, {2});
  write_npy_i32(file("conv2.shift.npy"), {63, 8}, {2});
  msg = error_of(s);
  EXPECT_NE(msg.find("conv2.shift.npy: shift 63 at index 0, expected [1, 62]"), std::string::npos)
      << msg;
  write_npy_i32(file("conv2.shift.npy"), {8, 0}, {2});
  EXPECT_NE(error_of(s).find("shift 0 at index 1"), std::string::npos);
  write_npy_i32(file("conv2.shift.npy"), {8, 8}, {2});
  write_npy_i32(file("add.npy"), {1, 1, 0}, {3});
  msg = error_of(s);
  EXPECT_NE(msg.find("add.npy: shift 0 at index 2"), std::string::npos) << msg;
  write_npy_i32(file("add.npy"), {1, 1}, {2});
  EXPECT_NE(error_of(s).find("add.npy: shape (2,), expected (3,)"), std::string::npos);
  write_npy_i32(file("add.npy"), {-7, 1 << 20, 62}, {3});
  const BlockParams b = load_block(dir_, s);
  EXPECT_EQ(b.add.mult_main, -7);
  EXPECT_EQ(b.add.shift, 62);
}

TEST_F(BlockParamsDir, UncreatableDirectoryIsAnInputError) {
  fs::create_directories(dir_);
  write_npy_i8(file("plain"), std::vector<int8_t>{1}, {1});
  EXPECT_THROW(dump_block(file("plain") + "/sub", random_block(basic_shape(2, 2, 1), 1)),
               InputError);
}

}  // namespace
}  // namespace skipsim
