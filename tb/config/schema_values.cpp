// The value side of the schema engine: checking a scalar against its key's kind and range,
// assigning it to the member, and printing members back as YAML scalars.
#include <charconv>
#include <cmath>
#include <limits>
#include <system_error>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "tb/config/schema.hpp"

namespace skipsim::schema {
namespace {

constexpr uint64_t kInt64Max = std::numeric_limits<int64_t>::max();
constexpr uint64_t kUint64Max = std::numeric_limits<uint64_t>::max();

// Bounds read better as powers of two when they are large ones.
std::string bound(uint64_t v) {
  if (v == kUint64Max) return "2^64-1";
  if (v == kInt64Max) return "2^63-1";
  if (v >= (uint64_t{1} << 20) && (v & (v - 1)) == 0) {
    return fmt::format("2^{}", static_cast<int>(std::log2(static_cast<double>(v))));
  }
  return std::to_string(v);
}

std::string expected(const Field& f, const Ref& ref) {
  switch (f.kind) {
    case Kind::kInt:
      return fmt::format("an integer in [{}, {}]", bound(f.min), bound(f.max));
    case Kind::kPow2:
      return fmt::format("a power of two in [{}, {}]", bound(f.min), bound(f.max));
    case Kind::kNumber:
      return fmt::format("a number in {}{}, {}{}", f.lo_open ? '(' : '[', f.lo, f.hi,
                         f.hi_open ? ')' : ']');
    case Kind::kBool:
      return "true or false";
    case Kind::kString:
      return "a non-empty string";
    case Kind::kEnum:
      return fmt::format("one of: {}", fmt::join(std::get<EnumRef>(ref.p).names, ", "));
  }
  return {};
}

// YAML 1.2 core-schema integers: [-+]?[0-9]+ or 0x[0-9a-fA-F]+. Returns false when s is not
// one or its magnitude does not fit 64 bits.
bool parse_integer(std::string_view s, bool& negative, uint64_t& magnitude) {
  negative = !s.empty() && s[0] == '-';
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  int base = 10;
  if (!negative && s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    s.remove_prefix(2);
    base = 16;
  }
  if (s.empty()) return false;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), magnitude, base);
  return ec == std::errc() && end == s.data() + s.size();
}

bool parse_number(std::string_view s, double& v) {
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  if (s.empty()) return false;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && end == s.data() + s.size() && std::isfinite(v);
}

void set_field(const Field& f, const Entry& e, void* root) {
  const Ref ref = f.ref(root);
  const auto bad = [&] {
    fail(e.source,
         fmt::format("{}: expected {}, got {}", f.path, expected(f, ref), describe(e.value)));
  };
  if (e.value.shape != Value::Shape::kScalar) bad();
  const std::string& s = e.value.text;
  const bool plain = e.value.plain;
  switch (f.kind) {
    case Kind::kInt:
    case Kind::kPow2: {
      bool negative = false;
      uint64_t v = 0;
      if (!plain || !parse_integer(s, negative, v)) bad();
      if (negative && v != 0) bad();
      if (v < f.min || v > f.max) bad();
      if (f.kind == Kind::kPow2 && (v & (v - 1)) != 0) bad();
      std::visit(
          [v](auto p) {
            if constexpr (std::is_pointer_v<decltype(p)>) {
              using T = std::remove_pointer_t<decltype(p)>;
              if constexpr (std::is_arithmetic_v<T> && !std::is_same_v<T, bool>)
                *p = static_cast<T>(v);
            }
          },
          ref.p);
      break;
    }
    case Kind::kNumber: {
      double v = 0;
      if (!plain || !parse_number(s, v)) bad();
      if (v < f.lo || v > f.hi || (f.lo_open && v == f.lo) || (f.hi_open && v == f.hi)) bad();
      *std::get<double*>(ref.p) = v;
      break;
    }
    case Kind::kBool:
      if (plain && s == "true") {
        *std::get<bool*>(ref.p) = true;
      } else if (plain && s == "false") {
        *std::get<bool*>(ref.p) = false;
      } else {
        bad();
      }
      break;
    case Kind::kString:
      if (s.empty()) bad();
      *std::get<std::string*>(ref.p) = s;
      break;
    case Kind::kEnum: {
      const EnumRef& r = std::get<EnumRef>(ref.p);
      if (!r.set(r.p, s)) bad();
      break;
    }
  }
}

std::string format_value(const Ref& ref) {
  return std::visit(
      [](auto p) -> std::string {
        using P = decltype(p);
        if constexpr (std::is_same_v<P, EnumRef>) {
          return p.get(p.p);
        } else {
          using T = std::remove_pointer_t<P>;
          if constexpr (std::is_same_v<T, bool>) {
            return *p ? "true" : "false";
          } else if constexpr (std::is_same_v<T, std::string>) {
            return *p;
          } else if constexpr (std::is_same_v<T, double>) {
            std::string s = fmt::format("{}", *p);  // shortest text that reads back exactly
            if (s.find_first_of(".e") == std::string::npos) s += ".0";
            return s;
          } else {
            return std::to_string(*p);
          }
        }
      },
      ref.p);
}

}  // namespace

void Schema::assign(const Flat& flat, void* root) const {
  for (const Field& f : m_fields) {
    if (auto it = flat.find(std::string(f.path)); it != flat.end()) set_field(f, it->second, root);
  }
}

std::string Schema::dump(void* root) const {
  std::string out;
  std::vector<std::string_view> open;  // the groups of the previous key
  for (const Field& f : m_fields) {
    std::vector<std::string_view> parts;
    for (std::string_view p = f.path;;) {
      const size_t dot = p.find('.');
      parts.push_back(p.substr(0, dot));
      if (dot == std::string_view::npos) break;
      p.remove_prefix(dot + 1);
    }
    size_t same = 0;
    while (same < open.size() && same + 1 < parts.size() && open[same] == parts[same]) ++same;
    for (size_t i = same; i + 1 < parts.size(); ++i) {
      out += fmt::format("{:{}}{}:\n", "", 2 * i, parts[i]);
    }
    out += fmt::format("{:{}}{}: {}\n", "", 2 * (parts.size() - 1), parts.back(),
                       format_value(f.ref(root)));
    open.assign(parts.begin(), parts.end() - 1);
  }
  return out;
}

}  // namespace skipsim::schema
