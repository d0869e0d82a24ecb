#include "tb/ref/npy.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <memory>
#include <stdexcept>

#include "hw/common/errors.hpp"

namespace skipsim {
namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicLen = 6;
constexpr char kInt8[] = "|i1";
constexpr char kInt32[] = "<i4";

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw InputError("tensor error: " + path + ": " + what);
}

std::string shape_str(const std::vector<size_t>& s) {
  std::string r = "(";
  for (size_t i = 0; i < s.size(); ++i) {
    if (i) r += ", ";
    r += std::to_string(s[i]);
  }
  if (s.size() == 1) r += ",";
  return r + ")";
}

// Printable form of a header fragment for messages: no control bytes, bounded length.
std::string printable(const std::string& s) {
  std::string r;
  for (char c : s.substr(0, 40)) r += (c >= 0x20 && c < 0x7f) ? c : '?';
  if (s.size() > 40) r += "...";
  return r;
}

size_t item_size(const std::string& descr) { return descr == kInt32 ? 4 : 1; }

const char* dtype_name(const std::string& descr) {
  return descr == kInt32 ? "int32 ('<i4')" : "int8 ('|i1')";
}

// Parser of the header's Python dict literal, e.g.
// {'descr': '|i1', 'fortran_order': False, 'shape': (2, 3), }
// Accepts exactly the three keys numpy writes, in any order.
class HeaderParser {
 public:
  HeaderParser(const std::string& path, const std::string& text) : path_(path), s_(text) {}

  void parse(std::string* descr, bool* fortran, std::vector<size_t>* shape) {
    bool have_descr = false, have_fortran = false, have_shape = false;
    skip_ws();
    expect('{');
    while (true) {
      skip_ws();
      if (peek() == '}') break;
      const std::string key = parse_string();
      skip_ws();
      expect(':');
      skip_ws();
      if (key == "descr") {
        if (peek() != '\'' && peek() != '"')
          bad("structured dtype not supported, expected int8 ('|i1') or int32 ('<i4')");
        *descr = parse_string();
        have_descr = true;
      } else if (key == "fortran_order") {
        *fortran = parse_bool();
        have_fortran = true;
      } else if (key == "shape") {
        *shape = parse_shape();
        have_shape = true;
      } else {
        bad("malformed header: unexpected key '" + printable(key) +
            "', expected 'descr', 'fortran_order', 'shape'");
      }
      skip_ws();
      if (peek() == ',') {
        ++i_;
        continue;
      }
      skip_ws();
      if (peek() != '}') bad_syntax("',' or '}'");
    }
    ++i_;
    if (!have_descr || !have_fortran || !have_shape)
      bad("malformed header: needs keys 'descr', 'fortran_order' and 'shape'");
    skip_ws();
    if (i_ != s_.size()) bad_syntax("end of header after '}'");
  }

 private:
  [[noreturn]] void bad(const std::string& what) { fail(path_, what); }
  [[noreturn]] void bad_syntax(const std::string& expected) {
    bad("malformed header at byte " + std::to_string(i_) + ": expected " + expected + ", found '" +
        printable(s_.substr(i_)) + "'");
  }
  char peek() const { return i_ < s_.size() ? s_[i_] : '\0'; }
  void skip_ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\t' || s_[i_] == '\r'))
      ++i_;
  }
  void expect(char c) {
    if (peek() != c) bad_syntax(std::string("'") + c + "'");
    ++i_;
  }
  std::string parse_string() {
    const char q = peek();
    if (q != '\'' && q != '"') bad_syntax("a quoted string");
    const size_t end = s_.find(q, i_ + 1);
    if (end == std::string::npos) bad_syntax("a closing quote");
    std::string r = s_.substr(i_ + 1, end - i_ - 1);
    i_ = end + 1;
    return r;
  }
  bool parse_bool() {
    if (s_.compare(i_, 4, "True") == 0) {
      i_ += 4;
      return true;
    }
    if (s_.compare(i_, 5, "False") == 0) {
      i_ += 5;
      return false;
    }
    bad_syntax("True or False");
  }
  std::vector<size_t> parse_shape() {
    std::vector<size_t> shape;
    expect('(');
    while (true) {
      skip_ws();
      if (peek() == ')') break;
      if (peek() < '0' || peek() > '9') bad_syntax("a dimension");
      size_t v = 0;
      while (peek() >= '0' && peek() <= '9') {
        const size_t d = static_cast<size_t>(peek() - '0');
        if (v > (std::numeric_limits<size_t>::max() - d) / 10) bad("shape dimension too large");
        v = v * 10 + d;
        ++i_;
      }
      if (peek() == 'L') ++i_;  // Python 2 long literal
      shape.push_back(v);
      skip_ws();
      if (peek() == ',') {
        ++i_;
        continue;
      }
      skip_ws();
      if (peek() != ')') bad_syntax("',' or ')'");
    }
    ++i_;
    return shape;
  }

  const std::string& path_;
  const std::string& s_;
  size_t i_ = 0;
};

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

std::vector<uint8_t> slurp(const std::string& path) {
  std::unique_ptr<std::FILE, FileCloser> f(std::fopen(path.c_str(), "rb"));
  if (!f) fail(path, std::string("cannot open (") + std::strerror(errno) + ")");
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) fail(path, "cannot open (not a regular file)");
  const uintmax_t size = std::filesystem::file_size(path, ec);
  if (ec) fail(path, "cannot open (" + ec.message() + ")");
  std::vector<uint8_t> bytes(static_cast<size_t>(size));
  if (size && std::fread(bytes.data(), 1, bytes.size(), f.get()) != bytes.size())
    fail(path, std::string("read error (") + std::strerror(errno) + ")");
  return bytes;
}

// want: the one dtype allowed, or nullptr for either int8 or int32.
NpyArray read_checked(const std::string& path, const char* want) {
  const std::vector<uint8_t> file = slurp(path);
  if (file.size() < kMagicLen + 2 || std::memcmp(file.data(), kMagic, kMagicLen) != 0)
    fail(path, "not a .npy file (no \\x93NUMPY magic)");
  const int major = file[6], minor = file[7];
  size_t header_len = 0, header_start = 0;
  if (major == 1 && file.size() >= 10) {
    header_len = file[8] | (size_t{file[9]} << 8);
    header_start = 10;
  } else if ((major == 2 || major == 3) && file.size() >= 12) {
    header_len =
        file[8] | (size_t{file[9]} << 8) | (size_t{file[10]} << 16) | (size_t{file[11]} << 24);
    header_start = 12;
  } else if (major >= 1 && major <= 3) {
    fail(path, "truncated header");
  } else {
    fail(path, "unsupported .npy format version " + std::to_string(major) + "." +
                   std::to_string(minor) + ", expected 1.0, 2.0 or 3.0");
  }
  if (header_len > file.size() - header_start)
    fail(path, "truncated header (" + std::to_string(header_len) + " header bytes announced, " +
                   std::to_string(file.size() - header_start) + " in the file)");
  const std::string header(reinterpret_cast<const char*>(file.data()) + header_start, header_len);

  NpyArray a;
  bool fortran = false;
  HeaderParser(path, header).parse(&a.descr, &fortran, &a.shape);

  if (a.descr == "<i1") a.descr = kInt8;
  if (!a.descr.empty() && a.descr[0] == '>')
    fail(path, "dtype '" + printable(a.descr) + "' is big-endian, expected " +
                   (want ? dtype_name(want) : "little-endian int8 ('|i1') or int32 ('<i4')"));
  if (want ? a.descr != want : (a.descr != kInt8 && a.descr != kInt32))
    fail(path, "dtype '" + printable(a.descr) + "', expected " +
                   (want ? dtype_name(want) : "int8 ('|i1') or int32 ('<i4')"));
  if (fortran) fail(path, "fortran_order is True, expected False (C order)");

  const size_t avail = file.size() - header_start - header_len;
  const size_t isz = item_size(a.descr);
  size_t count = std::count(a.shape.begin(), a.shape.end(), size_t{0}) ? 0 : 1;
  for (size_t d : a.shape) {
    if (count > std::numeric_limits<size_t>::max() / isz / std::max<size_t>(d, 1))
      fail(path, "truncated payload: shape " + shape_str(a.shape) + " is larger than the file");
    count *= d;
  }
  const size_t need = count * isz;
  if (avail < need)
    fail(path, "truncated payload: " + std::to_string(avail) + " bytes, expected " +
                   std::to_string(need) + " for shape " + shape_str(a.shape));
  if (avail > need)
    fail(path, std::to_string(avail - need) + " extra bytes after the payload of shape " +
                   shape_str(a.shape));
  a.bytes.assign(file.begin() + static_cast<std::ptrdiff_t>(header_start + header_len), file.end());
  return a;
}

void check_shape(const std::string& path, const NpyArray& a, const std::vector<size_t>& want) {
  if (!want.empty() && a.shape != want)
    fail(path, "shape " + shape_str(a.shape) + ", expected " + shape_str(want));
}

size_t product(const std::vector<size_t>& shape) {
  size_t n = 1;
  for (size_t d : shape) n *= d;
  return n;
}

}  // namespace

size_t NpyArray::count() const { return product(shape); }

NpyArray read_npy(const std::string& path) { return read_checked(path, nullptr); }

void write_npy(const std::string& path, const NpyArray& a) {
  if (a.descr != kInt8 && a.descr != kInt32)
    throw std::invalid_argument("write_npy: dtype '" + a.descr + "' not supported");
  if (a.bytes.size() != a.count() * item_size(a.descr))
    throw std::invalid_argument("write_npy: " + std::to_string(a.bytes.size()) +
                                " payload bytes do not match shape " + shape_str(a.shape));
  std::string header =
      "{'descr': '" + a.descr + "', 'fortran_order': False, 'shape': " + shape_str(a.shape) + ", }";
  // numpy pads with spaces and a final newline so the payload starts 64-byte aligned.
  const size_t unpadded = kMagicLen + 4 + header.size() + 1;
  header.append((64 - unpadded % 64) % 64, ' ');
  header += '\n';
  if (header.size() > 0xffff)
    throw std::invalid_argument("write_npy: header too long for format 1.0");

  std::string out(kMagic, kMagicLen);
  out += '\x01';
  out += '\x00';
  out += static_cast<char>(header.size() & 0xff);
  out += static_cast<char>(header.size() >> 8);
  out += header;

  std::unique_ptr<std::FILE, FileCloser> f(std::fopen(path.c_str(), "wb"));
  if (!f) fail(path, std::string("cannot write (") + std::strerror(errno) + ")");
  bool ok = std::fwrite(out.data(), 1, out.size(), f.get()) == out.size();
  if (ok && !a.bytes.empty())
    ok = std::fwrite(a.bytes.data(), 1, a.bytes.size(), f.get()) == a.bytes.size();
  if (!ok || std::fclose(f.release()) != 0)
    fail(path, std::string("cannot write (") + std::strerror(errno) + ")");
}

std::vector<int8_t> read_npy_i8(const std::string& path,
                                const std::vector<size_t>& expected_shape) {
  const NpyArray a = read_checked(path, kInt8);
  check_shape(path, a, expected_shape);
  return std::vector<int8_t>(a.bytes.begin(), a.bytes.end());
}

std::vector<int32_t> read_npy_i32(const std::string& path,
                                  const std::vector<size_t>& expected_shape) {
  const NpyArray a = read_checked(path, kInt32);
  check_shape(path, a, expected_shape);
  std::vector<int32_t> v(a.count());
  for (size_t i = 0; i < v.size(); ++i) {
    const uint8_t* b = &a.bytes[4 * i];
    v[i] = static_cast<int32_t>(uint32_t{b[0]} | (uint32_t{b[1]} << 8) | (uint32_t{b[2]} << 16) |
                                (uint32_t{b[3]} << 24));
  }
  return v;
}

void write_npy_i8(const std::string& path, const std::vector<int8_t>& v,
                  const std::vector<size_t>& shape) {
  NpyArray a;
  a.descr = kInt8;
  a.shape = shape;
  a.bytes.assign(v.begin(), v.end());
  write_npy(path, a);
}

void write_npy_i32(const std::string& path, const std::vector<int32_t>& v,
                   const std::vector<size_t>& shape) {
  NpyArray a;
  a.descr = kInt32;
  a.shape = shape;
  a.bytes.resize(4 * v.size());
  for (size_t i = 0; i < v.size(); ++i) {
    const uint32_t u = static_cast<uint32_t>(v[i]);
    for (int k = 0; k < 4; ++k) a.bytes[4 * i + k] = static_cast<uint8_t>(u >> (8 * k));
  }
  write_npy(path, a);
}

Tensor8 read_tensor8(const std::string& path, int h, int w, int c) {
  Tensor8 t;
  t.h = h;
  t.w = w;
  t.c = c;
  t.data =
      read_npy_i8(path, {static_cast<size_t>(h), static_cast<size_t>(w), static_cast<size_t>(c)});
  return t;
}

void write_tensor8(const std::string& path, const Tensor8& t) {
  write_npy_i8(path, t.data,
               {static_cast<size_t>(t.h), static_cast<size_t>(t.w), static_cast<size_t>(t.c)});
}

}  // namespace skipsim
