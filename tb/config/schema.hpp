#pragma once
// The schema mechanism behind every YAML file skipsim reads (run configs, NPU and DRAM
// presets). A schema is a table of leaf keys ("hardware.mac_array.rows"): each with its kind,
// its allowed range and an accessor to the struct member it fills. One engine then
//   - flattens a file into "key.path -> scalar" entries, rejecting unknown keys, duplicates
//     and wrong shapes (a map where a value belongs) with the allowed keys named;
//   - follows `base: FILE` (when the schema allows it) as a plain overlay, so every entry
//     remembers the file, or the `--set`, it came from (for messages naming the file to fix);
//   - applies `--set key.path=value` overrides;
//   - assigns the entries to the struct, checking types and ranges;
//   - dumps a struct back as YAML that loads to the same values.
// Errors are InputError "config error: <file or --set>: <key path>: <what is allowed>, got
// <what was given>". Cross-key rules are the caller's, after assign (see latest_source).
// Enum-valued keys use the enum's name table (hw/common/enum_names.hpp).
#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <map>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "hw/common/enum_names.hpp"

namespace skipsim::schema {

enum class Kind {
  kInt,     // integer in [min, max]
  kPow2,    // power of two in [min, max]
  kNumber,  // finite real in [lo, hi], either end optionally open
  kBool,
  kString,  // any non-empty string
  kEnum,    // a name of the enum's table
};

// A pointer to an enum member with its name table, type-erased.
struct EnumRef {
  void* p = nullptr;
  std::vector<std::string> names;  // in table order
  std::string (*get)(const void*) = nullptr;
  bool (*set)(void*, std::string_view) = nullptr;
};

// Where a key's value lives: `return &root.member;` in an accessor builds one.
struct Ref {
  std::variant<int*, int64_t*, uint64_t*, double*, bool*, std::string*, EnumRef> p;
  template <typename T, typename = std::enable_if_t<!std::is_enum_v<T>>>
  Ref(T* q) : p(q) {}  // NOLINT: implicit by design
  template <typename E, typename = std::enable_if_t<std::is_enum_v<E>>, typename = void>
  Ref(E* q)  // NOLINT
      : p(EnumRef{q, enum_names<E>(),
                  [](const void* v) { return std::string(enum_name(*static_cast<const E*>(v))); },
                  [](void* v, std::string_view s) {
                    const auto e = parse_enum<E>(s);
                    if (e) *static_cast<E*>(v) = *e;
                    return e.has_value();
                  }}) {}
};

struct Field {
  std::string_view path;
  Kind kind;
  uint64_t min = 0, max = 0;  // kInt, kPow2
  double lo = 0, hi = 0;      // kNumber
  bool lo_open = false, hi_open = false;
  Ref (*ref)(void* root);  // the member of the root struct (Config, DdrConfig, ...)
};

constexpr Field Int(std::string_view path, uint64_t min, uint64_t max, Ref (*ref)(void*)) {
  return {path, Kind::kInt, min, max, 0, 0, false, false, ref};
}
constexpr Field Pow2(std::string_view path, uint64_t min, uint64_t max, Ref (*ref)(void*)) {
  return {path, Kind::kPow2, min, max, 0, 0, false, false, ref};
}
constexpr Field Number(std::string_view path, double lo, bool lo_open, double hi, bool hi_open,
                       Ref (*ref)(void*)) {
  return {path, Kind::kNumber, 0, 0, lo, hi, lo_open, hi_open, ref};
}
constexpr Field Of(std::string_view path, Kind kind, Ref (*ref)(void*)) {
  return {path, kind, 0, 0, 0, 0, false, false, ref};
}

// A value as written: its YAML shape, its text (scalars) and whether it was a plain scalar
// (unquoted, untagged), which is what YAML reads as a number.
struct Value {
  enum class Shape { kNull, kScalar, kSequence, kMap } shape = Shape::kNull;
  std::string text;
  bool plain = false;
};

// A leaf value with where it came from; rank orders the layers (base < file < --set).
struct Entry {
  Value value;
  std::string source;
  int rank = 0;
};
using Flat = std::map<std::string, Entry>;

// A top-level key that marks a file of another kind, and the line saying so.
struct Foreign {
  std::string_view key;
  std::string_view message;
};

class Schema {
 public:
  // fields: every leaf key, in dump order (keys sharing a parent contiguous). extra: top-level
  // keys that are not settings ("description", and "base" when base files are allowed).
  Schema(std::vector<Field> fields, std::vector<std::string_view> extra,
         std::vector<Foreign> foreign = {});

  const Field* find(std::string_view path) const;
  bool is_extra(std::string_view key) const;  // a top-level key that is not a setting
  bool is_group(std::string_view path) const;
  // The keys directly under group (the top level when empty), in schema order.
  std::vector<std::string> children(std::string_view group) const;

  // Flattens YAML text; `base:` (if allowed) is relative to dir.
  Flat load_text(const std::string& text, const std::string& source,
                 const std::filesystem::path& dir) const;
  Flat load_file(const std::string& path) const;
  // Layers "key.path=value" on top of flat, each remembering its --set.
  void apply_overrides(const std::vector<std::string>& overrides, Flat& flat) const;
  // Sets every member flat names, checking types and ranges.
  void assign(const Flat& flat, void* root) const;
  // Every key with its value in root, as YAML.
  std::string dump(void* root) const;

 private:
  void flatten(const void* map, const std::string& group, const std::string& source, Flat& out,
               std::string* base, bool* has_base) const;
  Flat load_document(const std::string& text, const std::string& source,
                     const std::filesystem::path& dir,
                     std::vector<std::filesystem::path>& chain) const;

  std::vector<Field> m_fields;
  std::vector<std::string_view> m_extra;
  std::vector<Foreign> m_foreign;
};

[[noreturn]] void fail(std::string_view source, std::string_view what);

// One line describing a value that has the wrong shape or range ("'16.5'", "a map", ...).
std::string describe(const Value& v);

// The source of the most recently layered of keys (the one a user would change), else fallback.
std::string latest_source(const Flat& flat, std::initializer_list<const char*> keys,
                          const std::string& fallback);

// A file's text; a failure is reported against `who` as "<what>: <reason>".
std::string read_file(const std::filesystem::path& path, const std::string& who,
                      const std::string& what);

// The top-level keys of a YAML file (syntax errors name file:line:column).
std::vector<std::string> top_level_keys(const std::string& text, const std::string& source);

}  // namespace skipsim::schema
