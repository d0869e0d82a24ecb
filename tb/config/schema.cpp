#include "tb/config/schema.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <system_error>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "hw/common/errors.hpp"

namespace skipsim::schema {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kBase = "base";

// Whether path lies inside group (every path lies inside the top level, "").
bool inside(std::string_view path, std::string_view group) {
  return group.empty() || (path.size() > group.size() && path.substr(0, group.size()) == group &&
                           path[group.size()] == '.');
}

std::string join_path(std::string_view group, std::string_view key) {
  return group.empty() ? std::string(key) : fmt::format("{}.{}", group, key);
}

// A copy, not a YAML::Node, because assigning to a Node rewrites the node it refers to.
Value value_of(const YAML::Node& n) {
  using S = Value::Shape;
  switch (n.Type()) {
    case YAML::NodeType::Scalar:
      return {S::kScalar, n.Scalar(), n.Tag() == "?"};
    case YAML::NodeType::Sequence:
      return {S::kSequence, "", false};
    case YAML::NodeType::Map:
      return {S::kMap, "", false};
    default:
      return {S::kNull, "", false};
  }
}

}  // namespace

std::string describe(const Value& v) {
  switch (v.shape) {
    case Value::Shape::kMap:
      return "a map";
    case Value::Shape::kSequence:
      return "a sequence";
    case Value::Shape::kScalar: {
      std::string s = v.text;
      if (const size_t nl = s.find('\n'); nl != std::string::npos) s = s.substr(0, nl) + "...";
      return v.plain ? fmt::format("'{}'", s) : fmt::format("the string '{}'", s);
    }
    default:
      return "an empty value";
  }
}

namespace {

std::string describe(const YAML::Node& n) { return describe(value_of(n)); }

// Parses YAML text; syntax errors name source:line:column.
YAML::Node parse_yaml(const std::string& text, const std::string& source) {
  try {
    return YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    if (e.mark.is_null()) fail(source, fmt::format("invalid YAML: {}", e.msg));
    throw InputError(fmt::format("config error: {}:{}:{}: invalid YAML: {}", source,
                                 e.mark.line + 1, e.mark.column + 1, e.msg));
  }
}

}  // namespace

[[noreturn]] void fail(std::string_view source, std::string_view what) {
  throw InputError(fmt::format("config error: {}: {}", source, what));
}

Schema::Schema(std::vector<Field> fields, std::vector<std::string_view> extra,
               std::vector<Foreign> foreign)
    : m_fields(std::move(fields)), m_extra(std::move(extra)), m_foreign(std::move(foreign)) {}

const Field* Schema::find(std::string_view path) const {
  for (const Field& f : m_fields) {
    if (f.path == path) return &f;
  }
  return nullptr;
}

bool Schema::is_extra(std::string_view key) const {
  return std::find(m_extra.begin(), m_extra.end(), key) != m_extra.end();
}

bool Schema::is_group(std::string_view path) const {
  return !path.empty() && std::any_of(m_fields.begin(), m_fields.end(),
                                      [&](const Field& f) { return inside(f.path, path); });
}

std::vector<std::string> Schema::children(std::string_view group) const {
  std::vector<std::string> out;
  for (const Field& f : m_fields) {
    if (!inside(f.path, group)) continue;
    std::string_view rest = f.path.substr(group.empty() ? 0 : group.size() + 1);
    std::string name(rest.substr(0, rest.find('.')));
    if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
  }
  return out;
}

// Walks one document's map at group, checking keys against the schema and recording leaves.
void Schema::flatten(const void* node, const std::string& group, const std::string& source,
                     Flat& out, std::string* base, bool* has_base) const {
  const YAML::Node& map = *static_cast<const YAML::Node*>(node);
  std::set<std::string> seen;
  for (const auto& kv : map) {
    if (!kv.first.IsScalar()) {
      fail(source, fmt::format("{}: keys must be plain names, got {}",
                               group.empty() ? "top level" : group, describe(kv.first)));
    }
    const std::string& key = kv.first.Scalar();
    const std::string path = join_path(group, key);
    if (!seen.insert(key).second) fail(source, fmt::format("{}: duplicate key", path));
    const YAML::Node& value = kv.second;
    const bool extra = group.empty() && is_extra(key);
    if (extra) {
      if (!value.IsScalar() && !(key != kBase && value.IsNull())) {
        fail(source, fmt::format("{}: expected a string, got {}", key, describe(value)));
      }
      if (key == kBase) {
        *base = value.Scalar();
        *has_base = true;
      }
    } else if (find(path)) {
      out[path] = {value_of(value), source, 0};
    } else if (is_group(path)) {
      if (value.IsNull()) continue;
      if (!value.IsMap()) {
        fail(source, fmt::format("{}: expected a map (keys: {}), got {}", path,
                                 fmt::join(children(path), ", "), describe(value)));
      }
      flatten(&value, path, source, out, base, has_base);
    } else {
      // A file of another kind (none of its top-level keys ours but `description`).
      const bool ours = group.empty() && std::any_of(map.begin(), map.end(), [&](const auto& e) {
                          const std::string k = e.first.IsScalar() ? e.first.Scalar() : "";
                          return is_group(k) || find(k) || (k == kBase && is_extra(k));
                        });
      if (group.empty() && !ours) {
        for (const Foreign& f : m_foreign)
          if (f.key == key) fail(source, f.message);
      }
      std::vector<std::string> allowed = children(group);
      if (group.empty()) allowed.insert(allowed.begin(), m_extra.begin(), m_extra.end());
      fail(source, fmt::format("{}: unknown key (allowed: {})", path, fmt::join(allowed, ", ")));
    }
  }
}

// Flattens one document and, first, the chain of files it names with `base:` (relative to
// dir). chain holds the canonical paths of the files currently being loaded.
Flat Schema::load_document(const std::string& text, const std::string& source, const fs::path& dir,
                           std::vector<fs::path>& chain) const {
  const YAML::Node root = parse_yaml(text, source);
  Flat own;
  std::string base;
  bool has_base = false;
  if (root.IsMap()) {
    flatten(&root, "", source, own, &base, &has_base);
  } else if (!root.IsNull()) {
    fail(source, fmt::format("expected a map of keys at the top level, got {}", describe(root)));
  }
  if (!has_base) return own;
  if (base.empty()) fail(source, "base: expected a file path, got an empty string");
  const fs::path path = (dir / base).lexically_normal();
  std::error_code ec;
  const fs::path canon = fs::weakly_canonical(path, ec);
  const fs::path id = ec ? path : canon;
  if (const auto first = std::find(chain.begin(), chain.end(), id); first != chain.end()) {
    std::vector<std::string> names;
    for (auto it = first; it != chain.end(); ++it) names.push_back(it->string());
    names.push_back(id.string());
    fail(source, fmt::format("base: cycle of base files: {}", fmt::join(names, " -> ")));
  }
  const std::string base_text =
      read_file(path, source, fmt::format("base: cannot read '{}'", path.string()));
  chain.push_back(id);
  Flat merged = load_document(base_text, path.string(), path.parent_path(), chain);
  chain.pop_back();

  int top = 0;
  for (const auto& [key, e] : merged) top = std::max(top, e.rank);
  for (auto& [key, e] : own) merged[key] = {e.value, e.source, top + 1};
  return merged;
}

Flat Schema::load_text(const std::string& text, const std::string& source,
                       const fs::path& dir) const {
  std::vector<fs::path> chain;
  return load_document(text, source, dir, chain);
}

Flat Schema::load_file(const std::string& path) const {
  const std::string text = read_file(path, path, "cannot read file");
  std::error_code ec;
  const fs::path canon = fs::weakly_canonical(path, ec);
  std::vector<fs::path> chain{ec ? fs::path(path).lexically_normal() : canon};
  return load_document(text, path, fs::path(path).parent_path(), chain);
}

void Schema::apply_overrides(const std::vector<std::string>& overrides, Flat& flat) const {
  int rank = 0;
  for (const auto& [key, e] : flat) rank = std::max(rank, e.rank);
  for (const std::string& o : overrides) {
    const std::string source = fmt::format("--set {}", o);
    const size_t eq = o.find('=');
    if (eq == std::string::npos) fail(source, "expected KEY=VALUE (e.g. hardware.stream.lanes=8)");
    const std::string key = o.substr(0, eq);
    if (!find(key)) {
      if (is_group(key)) {
        fail(source, fmt::format("'{}' is a group, not a key (keys under it: {})", key,
                                 fmt::join(children(key), ", ")));
      }
      // Name the allowed keys at the deepest group of key that exists.
      std::string group = key;
      do {
        const size_t dot = group.rfind('.');
        group = dot == std::string::npos ? "" : group.substr(0, dot);
      } while (!group.empty() && !is_group(group));
      fail(source,
           fmt::format("unknown key '{}' (allowed at {}: {})", key,
                       group.empty() ? "the top level" : group, fmt::join(children(group), ", ")));
    }
    flat[key] = {value_of(parse_yaml(o.substr(eq + 1), source)), source, ++rank};
  }
}

std::string latest_source(const Flat& flat, std::initializer_list<const char*> keys,
                          const std::string& fallback) {
  const Entry* best = nullptr;
  for (const char* k : keys) {
    if (auto it = flat.find(k); it != flat.end() && (!best || it->second.rank >= best->rank)) {
      best = &it->second;
    }
  }
  return best ? best->source : fallback;
}

std::string read_file(const fs::path& path, const std::string& who, const std::string& what) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) fail(who, fmt::format("{}: is a directory", what));
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(who, fmt::format("{}: {}", what, std::strerror(errno)));
  // Bounded: a configuration is kilobytes; /dev/zero or a runaway file must not be read forever.
  constexpr size_t kMaxBytes = size_t{16} << 20;
  std::string text;
  char buf[65536];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    text.append(buf, static_cast<size_t>(in.gcount()));
    if (text.size() > kMaxBytes)
      fail(who, fmt::format("{}: larger than {} MiB, not a configuration", what, kMaxBytes >> 20));
  }
  return text;
}

std::vector<std::string> top_level_keys(const std::string& text, const std::string& source) {
  const YAML::Node root = parse_yaml(text, source);
  std::vector<std::string> out;
  if (!root.IsMap()) return out;
  for (const auto& kv : root)
    if (kv.first.IsScalar()) out.push_back(kv.first.Scalar());
  return out;
}

}  // namespace skipsim::schema
