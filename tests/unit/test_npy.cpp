// .npy reader/writer: round trips, hand-built numpy headers (versions 1.0-3.0), and one
// InputError naming the file for every malformed input.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "hw/common/errors.hpp"
#include "tb/ref/npy.hpp"

namespace skipsim {
namespace {

namespace fs = std::filesystem;

class NpyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("skipsim_npy_" + std::to_string(getpid()) + "_" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  void write_raw(const std::string& name, const std::string& bytes) const {
    std::ofstream f(path(name), std::ios::binary);
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  std::string read_raw(const std::string& name) const {
    std::ifstream f(path(name), std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(f), {});
  }

  // The message of the InputError that f throws; fails the test if it throws nothing.
  template <typename F>
  std::string error_of(F f) const {
    try {
      f();
    } catch (const InputError& e) {
      return e.what();
    }
    ADD_FAILURE() << "no InputError";
    return "";
  }

  fs::path dir_;
};

// A .npy file as numpy writes it: magic, version, little-endian header length, header.
std::string npy_file(int major, const std::string& dict, const std::string& payload) {
  std::string header = dict;
  const size_t prefix = major == 1 ? 10 : 12;
  while ((prefix + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::string f = "\x93NUMPY";
  f += static_cast<char>(major);
  f += '\0';
  const size_t n = header.size();
  f += static_cast<char>(n & 0xff);
  f += static_cast<char>((n >> 8) & 0xff);
  if (major != 1) {
    f += static_cast<char>((n >> 16) & 0xff);
    f += static_cast<char>((n >> 24) & 0xff);
  }
  return f + header + payload;
}

std::string le32(const std::vector<int32_t>& v) {
  std::string s;
  for (int32_t x : v)
    for (int k = 0; k < 4; ++k)
      s += static_cast<char>((static_cast<uint32_t>(x) >> (8 * k)) & 0xff);
  return s;
}

TEST_F(NpyTest, RoundTripInt8SeveralShapes) {
  const std::vector<std::vector<size_t>> shapes = {{},     {0},       {1},         {5},
                                                   {2, 3}, {2, 3, 4}, {1, 1, 3, 2}};
  int seed = 0;
  for (const auto& shape : shapes) {
    size_t n = 1;
    for (size_t d : shape) n *= d;
    std::vector<int8_t> v(n);
    for (size_t i = 0; i < n; ++i) v[i] = static_cast<int8_t>((i * 37 + seed) % 256 - 128);
    ++seed;
    write_npy_i8(path("a.npy"), v, shape);
    EXPECT_EQ(read_npy_i8(path("a.npy"), shape), v);
    const NpyArray a = read_npy(path("a.npy"));
    EXPECT_EQ(a.descr, "|i1");
    EXPECT_EQ(a.shape, shape);
    EXPECT_EQ(a.count(), n);
  }
}

TEST_F(NpyTest, RoundTripInt32SeveralShapes) {
  const std::vector<int32_t> v = {0, 1, -1, INT32_MAX, INT32_MIN, 123456789, -987654, 42};
  for (const std::vector<size_t>& shape :
       std::vector<std::vector<size_t>>{{8}, {2, 4}, {2, 2, 2}, {1, 8, 1}}) {
    write_npy_i32(path("b.npy"), v, shape);
    EXPECT_EQ(read_npy_i32(path("b.npy"), shape), v);
    EXPECT_EQ(read_npy(path("b.npy")).descr, "<i4");
  }
  // Empty expected shape: any shape is accepted.
  EXPECT_EQ(read_npy_i32(path("b.npy"), {}), v);
}

TEST_F(NpyTest, RoundTripTensor8) {
  Tensor8 t(3, 2, 5);
  for (size_t i = 0; i < t.data.size(); ++i) t.data[i] = static_cast<int8_t>(100 - 7 * i);
  write_tensor8(path("t.npy"), t);
  EXPECT_EQ(read_tensor8(path("t.npy"), 3, 2, 5), t);
  EXPECT_NE(error_of([&] { read_tensor8(path("t.npy"), 2, 3, 5); }).find("shape (3, 2, 5)"),
            std::string::npos);
}

TEST_F(NpyTest, WritesNumpyVersionOneHeaderAligned) {
  write_npy_i32(path("h.npy"), {7, -2}, {2});
  const std::string f = read_raw("h.npy");
  ASSERT_GE(f.size(), 10u);
  EXPECT_EQ(f.substr(0, 8), std::string("\x93NUMPY\x01\x00", 8));
  const size_t hlen = static_cast<uint8_t>(f[8]) | (static_cast<uint8_t>(f[9]) << 8);
  EXPECT_EQ((10 + hlen) % 64, 0u);
  const std::string header = f.substr(10, hlen);
  EXPECT_EQ(header.rfind("{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }", 0), 0u)
      << header;
  EXPECT_EQ(header.back(), '\n');
  EXPECT_EQ(f.substr(10 + hlen), le32({7, -2}));
}

TEST_F(NpyTest, ReadsHandBuiltVersionOneFile) {
  write_raw("v1.npy", npy_file(1, "{'descr': '<i4', 'fortran_order': False, 'shape': (2, 2), }",
                               le32({1, -2, 300000, -40000000})));
  EXPECT_EQ(read_npy_i32(path("v1.npy"), {2, 2}), (std::vector<int32_t>{1, -2, 300000, -40000000}));
}

TEST_F(NpyTest, ReadsVersionTwoAndThreeHeaders) {
  write_raw("v2.npy", npy_file(2, "{'descr': '|i1', 'fortran_order': False, 'shape': (3,), }",
                               "\x01\xff\x80"));
  EXPECT_EQ(read_npy_i8(path("v2.npy"), {3}), (std::vector<int8_t>{1, -1, -128}));
  write_raw("v3.npy",
            npy_file(3, "{'descr': '<i4', 'fortran_order': False, 'shape': (1,), }", le32({-5})));
  EXPECT_EQ(read_npy_i32(path("v3.npy"), {1}), std::vector<int32_t>{-5});
}

TEST_F(NpyTest, AcceptsOtherKeyOrderSpacingAndLittleEndianInt8) {
  write_raw("o.npy", npy_file(1, "{ \"shape\" : ( 2 , 1 ) , 'fortran_order':False,'descr':'<i1'}",
                              "\x05\xfb"));
  EXPECT_EQ(read_npy_i8(path("o.npy"), {2, 1}), (std::vector<int8_t>{5, -5}));
  EXPECT_EQ(read_npy(path("o.npy")).descr, "|i1");
  write_raw("s.npy",
            npy_file(1, "{'descr': '|i1', 'fortran_order': False, 'shape': (), }", "\x07"));
  EXPECT_EQ(read_npy_i8(path("s.npy"), {}), std::vector<int8_t>{7});
}

TEST_F(NpyTest, MissingFileNamesTheFile) {
  const std::string msg = error_of([&] { read_npy_i8(path("nope.npy"), {}); });
  EXPECT_NE(msg.find(path("nope.npy")), std::string::npos) << msg;
  EXPECT_NE(msg.find("cannot open"), std::string::npos) << msg;
  EXPECT_NE(msg.find("No such file"), std::string::npos) << msg;
  EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  EXPECT_NE(error_of([&] { read_npy(dir_.string()); }).find("not a regular file"),
            std::string::npos);
}

TEST_F(NpyTest, WrongDtypeNamesBothDtypes) {
  write_raw("f.npy", npy_file(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }",
                              std::string(4, '\0')));
  std::string msg = error_of([&] { read_npy_i8(path("f.npy"), {1}); });
  EXPECT_NE(msg.find(path("f.npy") + ": dtype '<f4', expected int8 ('|i1')"), std::string::npos)
      << msg;
  msg = error_of([&] { read_npy(path("f.npy")); });
  EXPECT_NE(msg.find("'<f4'"), std::string::npos) << msg;

  // An int32 file where int8 is expected and vice versa.
  write_npy_i32(path("i.npy"), {1, 2}, {2});
  msg = error_of([&] { read_npy_i8(path("i.npy"), {2}); });
  EXPECT_NE(msg.find("dtype '<i4', expected int8 ('|i1')"), std::string::npos) << msg;
  write_npy_i8(path("j.npy"), {1, 2}, {2});
  msg = error_of([&] { read_npy_i32(path("j.npy"), {2}); });
  EXPECT_NE(msg.find("dtype '|i1', expected int32 ('<i4')"), std::string::npos) << msg;
}

TEST_F(NpyTest, BigEndianIsRejected) {
  write_raw("be.npy", npy_file(1, "{'descr': '>i4', 'fortran_order': False, 'shape': (1,), }",
                               std::string("\0\0\0\1", 4)));
  const std::string msg = error_of([&] { read_npy_i32(path("be.npy"), {1}); });
  EXPECT_NE(msg.find(path("be.npy")), std::string::npos) << msg;
  EXPECT_NE(msg.find("big-endian"), std::string::npos) << msg;
}

TEST_F(NpyTest, WrongShapeNamesExpectedAndActual) {
  write_npy_i8(path("w.npy"), std::vector<int8_t>(9), {3, 3});
  const std::string msg = error_of([&] { read_npy_i8(path("w.npy"), {64, 64, 3, 3}); });
  EXPECT_NE(msg.find(path("w.npy") + ": shape (3, 3), expected (64, 64, 3, 3)"), std::string::npos)
      << msg;
  write_npy_i32(path("v.npy"), {1, 2}, {2});
  EXPECT_NE(error_of([&] { read_npy_i32(path("v.npy"), {3}); }).find("shape (2,), expected (3,)"),
            std::string::npos);
}

TEST_F(NpyTest, FortranOrderIsRejected) {
  write_raw("fo.npy", npy_file(1, "{'descr': '|i1', 'fortran_order': True, 'shape': (2, 2), }",
                               std::string(4, '\1')));
  const std::string msg = error_of([&] { read_npy_i8(path("fo.npy"), {2, 2}); });
  EXPECT_NE(msg.find(path("fo.npy")), std::string::npos) << msg;
  EXPECT_NE(msg.find("fortran_order"), std::string::npos) << msg;
}

TEST_F(NpyTest, TruncatedOrOversizedPayloadIsRejected) {
  write_npy_i32(path("p.npy"), {1, 2, 3, 4}, {4});
  const std::string full = read_raw("p.npy");
  write_raw("short.npy", full.substr(0, full.size() - 1));
  std::string msg = error_of([&] { read_npy_i32(path("short.npy"), {4}); });
  EXPECT_NE(msg.find(path("short.npy")), std::string::npos) << msg;
  EXPECT_NE(msg.find("truncated payload: 15 bytes, expected 16"), std::string::npos) << msg;
  write_raw("long.npy", full + "x");
  msg = error_of([&] { read_npy_i32(path("long.npy"), {4}); });
  EXPECT_NE(msg.find("1 extra bytes"), std::string::npos) << msg;
  // Cut inside the header.
  write_raw("cut.npy", full.substr(0, 30));
  msg = error_of([&] { read_npy(path("cut.npy")); });
  EXPECT_NE(msg.find("truncated header"), std::string::npos) << msg;
}

TEST_F(NpyTest, BogusShapeDoesNotAllocate) {
  // 2^40 x 2^40 elements in a tiny file: rejected from the file size, without allocating.
  write_raw("huge.npy",
            npy_file(1,
                     "{'descr': '<i4', 'fortran_order': False, 'shape': (1099511627776, "
                     "1099511627776), }",
                     "abcd"));
  std::string msg = error_of([&] { read_npy(path("huge.npy")); });
  EXPECT_NE(msg.find("truncated payload"), std::string::npos) << msg;
  write_raw(
      "big.npy",
      npy_file(1, "{'descr': '|i1', 'fortran_order': False, 'shape': (1000000000,), }", "abcd"));
  msg = error_of([&] { read_npy(path("big.npy")); });
  EXPECT_NE(msg.find("truncated payload: 4 bytes, expected 1000000000"), std::string::npos) << msg;
  write_raw(
      "ovf.npy",
      npy_file(1, "{'descr': '|i1', 'fortran_order': False, 'shape': (99999999999999999999999,), }",
               ""));
  msg = error_of([&] { read_npy(path("ovf.npy")); });
  EXPECT_NE(msg.find("too large"), std::string::npos) << msg;
}

TEST_F(NpyTest, GarbageHeadersAreRejectedWithTheFileName) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "not a .npy file"},
      {"hello world, this is not numpy", "not a .npy file"},
      {std::string("\x93NUMPY\x01\x00", 8), "truncated header"},
      {std::string("\x93NUMPY\x04\x00\x10\x00", 10) + std::string(16, ' '), "version 4.0"},
      {std::string("\x93NUMPY\x01\x00\xff\xff", 10) + "{}", "truncated header"},
      {std::string("\x93NUMPY\x02\x00\xff\xff\xff\xff", 12), "truncated header"},
      {npy_file(1, "not a dict", ""), "malformed header"},
      {npy_file(1, "{'descr': '|i1', 'fortran_order': False}", ""), "needs keys"},
      {npy_file(1, "{'descr': '|i1', 'fortran_order': Fals, 'shape': (1,)}", "x"), "True or False"},
      {npy_file(1, "{'descr': '|i1, 'fortran_order': False, 'shape': (1,)}", "x"), "malformed"},
      {npy_file(1, "{'descr': '|i1', 'fortran_order': False, 'shape': (1,-2)}", "x"), "malformed"},
      {npy_file(1, "{'descr': '|i1', 'fortran_order': False, 'shape': (1,), 'x': 1}", "x"),
       "unexpected key"},
      {npy_file(1, "{'descr': [('a', '<i4')], 'fortran_order': False, 'shape': (1,)}", "xxxx"),
       "structured dtype"},
      {npy_file(1, "{'descr': '|i1', 'fortran_order': False, 'shape': (1,)} trailing", "x"),
       "end of header"},
      {npy_file(1, "{'descr': '|i1', 'fortran_order': False, 'shape': (1,", "x"), "malformed"},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    const std::string name = "g" + std::to_string(i) + ".npy";
    write_raw(name, cases[i].first);
    const std::string msg = error_of([&] { read_npy(path(name)); });
    EXPECT_NE(msg.find(path(name)), std::string::npos) << i << ": " << msg;
    EXPECT_NE(msg.find(cases[i].second), std::string::npos) << i << ": " << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << i << ": " << msg;
  }
}

TEST_F(NpyTest, RandomCorruptionEitherParsesOrThrowsInputError) {
  write_npy_i32(path("good.npy"), {1, 2, 3, 4, 5, 6}, {2, 3});
  const std::string good = read_raw("good.npy");
  std::mt19937_64 rng(7);
  for (int iter = 0; iter < 1000; ++iter) {
    std::string f = good;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      const size_t pos = rng() % f.size();
      switch (rng() % 3) {
        case 0:
          f[pos] = static_cast<char>(rng() % 256);
          break;
        case 1:
          f.erase(pos, 1 + rng() % 8);
          break;
        default:
          f.insert(pos, 1, "(),: '09TF{}\x00\xff"[rng() % 15]);
      }
      if (f.empty()) f = "x";
    }
    write_raw("bad.npy", f);
    try {
      const NpyArray a = read_npy(path("bad.npy"));
      EXPECT_EQ(a.bytes.size(), a.count() * (a.descr == "<i4" ? 4u : 1u));
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find("bad.npy"), std::string::npos);
    }
  }
}

TEST_F(NpyTest, UnwritablePathThrowsInputError) {
  const std::string msg =
      error_of([&] { write_npy_i8(path("no/such/dir/x.npy"), std::vector<int8_t>{1}, {1}); });
  EXPECT_NE(msg.find("x.npy"), std::string::npos) << msg;
  EXPECT_NE(msg.find("cannot write"), std::string::npos) << msg;
}

}  // namespace
}  // namespace skipsim
