// YAML configuration: a schema table of every leaf key drives parsing, validation, --set
// overrides and dump_config. Files are flattened into "key.path -> scalar" maps, so `base:`
// deep-merging is a plain overlay and every value remembers the file (or --set) it came from.
#include "tb/config/config.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string_view>
#include <system_error>
#include <variant>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "hw/dram/ddr_config.hpp"
#include "hw/common/errors.hpp"
#include "tb/config/paths.hpp"

namespace skipsim {
namespace {

namespace fs = std::filesystem;

enum class Kind {
  kInt,       // non-negative integer in [min, max]
  kPow2,      // power of two in [min, max]
  kNumber,    // finite real in [lo, hi] with optionally open ends
  kBlock,     // BlockKind by name
  kImpl,      // Impl by name
  kDataflow,  // Dataflow by name
  kBool,
  kDramModel,  // DramModel by name
  kPolicy,     // SkipPolicy by name
  kString,     // any non-empty string
};

using Ref = std::variant<int*, int64_t*, uint64_t*, double*, BlockKind*, Impl*, Dataflow*, bool*,
                         DramModel*, SkipPolicy*, std::string*>;

struct Field {
  std::string_view path;
  Kind kind;
  uint64_t min = 0, max = 0;
  double lo = 0, hi = 0;
  bool lo_open = false, hi_open = false;
  Ref (*ref)(Config&);
};

constexpr uint64_t kInt64Max = std::numeric_limits<int64_t>::max();
constexpr uint64_t kUint64Max = std::numeric_limits<uint64_t>::max();
constexpr int kMaxChannels = 4096;

// Worst case per conv: in_c * 3 * 3 products of |128 * 128| must fit in int32.
static_assert(int64_t{kMaxChannels} * 9 < 131072,
              "input.c / out_channels range allows an int32 accumulator overflow");

constexpr Field Int(std::string_view path, uint64_t min, uint64_t max, Ref (*ref)(Config&)) {
  return {path, Kind::kInt, min, max, 0, 0, false, false, ref};
}
constexpr Field Pow2(std::string_view path, uint64_t min, uint64_t max, Ref (*ref)(Config&)) {
  return {path, Kind::kPow2, min, max, 0, 0, false, false, ref};
}
constexpr Field Number(std::string_view path, double lo, bool lo_open, double hi, bool hi_open,
                       Ref (*ref)(Config&)) {
  return {path, Kind::kNumber, 0, 0, lo, hi, lo_open, hi_open, ref};
}

// Every leaf key, in dump order (keys sharing a parent are contiguous).
const Field kFields[] = {
    Number("hardware.clock_ghz", 0, true, 10, false,
           [](Config& c) -> Ref { return &c.hardware.clock_ghz; }),
    Int("hardware.mac_array.rows", 1, 256,
        [](Config& c) -> Ref { return &c.hardware.mac_array.rows; }),
    Int("hardware.mac_array.cols", 1, 256,
        [](Config& c) -> Ref { return &c.hardware.mac_array.cols; }),
    {"hardware.mac_array.dataflow", Kind::kDataflow, 0, 0, 0, 0, false, false,
     [](Config& c) -> Ref { return &c.hardware.mac_array.dataflow; }},
    {"hardware.mac_array.scalesim_compat", Kind::kBool, 0, 0, 0, 0, false, false,
     [](Config& c) -> Ref { return &c.hardware.mac_array.scalesim_compat; }},
    Int("hardware.mac_array.tile_pixels", 0, 4096,
        [](Config& c) -> Ref { return &c.hardware.mac_array.tile_pixels; }),
    {"hardware.mac_array.impl", Kind::kImpl, 0, 0, 0, 0, false, false,
     [](Config& c) -> Ref { return &c.hardware.mac_array.impl; }},
    Int("hardware.stream.lanes", 1, 64, [](Config& c) -> Ref { return &c.hardware.stream.lanes; }),
    Int("hardware.skip_fifo.depth", 1, uint64_t{1} << 40,
        [](Config& c) -> Ref { return &c.hardware.skip_fifo.depth; }),
    {"hardware.skip_fifo.impl", Kind::kImpl, 0, 0, 0, 0, false, false,
     [](Config& c) -> Ref { return &c.hardware.skip_fifo.impl; }},
    {"hardware.skip_fifo.policy", Kind::kPolicy, 0, 0, 0, 0, false, false,
     [](Config& c) -> Ref { return &c.hardware.skip_fifo.policy; }},
    Int("hardware.skip_fifo.spill_ring_bytes", 0, uint64_t{1} << 40,
        [](Config& c) -> Ref { return &c.hardware.skip_fifo.spill_ring_bytes; }),
    {"hardware.fork.impl", Kind::kImpl, 0, 0, 0, 0, false, false,
     [](Config& c) -> Ref { return &c.hardware.fork.impl; }},
    {"hardware.add.impl", Kind::kImpl, 0, 0, 0, 0, false, false,
     [](Config& c) -> Ref { return &c.hardware.add.impl; }},
    Int("hardware.sram.banks", 1, 1024, [](Config& c) -> Ref { return &c.hardware.sram.banks; }),
    Int("hardware.sram.bank_bytes", 1, uint64_t{1} << 30,
        [](Config& c) -> Ref { return &c.hardware.sram.bank_bytes; }),
    Int("hardware.sram.width_bytes", 1, 1024,
        [](Config& c) -> Ref { return &c.hardware.sram.width_bytes; }),
    {"hardware.sram.dual_port", Kind::kBool, 0, 0, 0, 0, false, false,
     [](Config& c) -> Ref { return &c.hardware.sram.dual_port; }},
    Number("hardware.energy.mac_pj", 0, false, 1e6, false,
           [](Config& c) -> Ref { return &c.hardware.energy.mac_pj; }),
    Number("hardware.energy.sram_read_pj_per_byte", 0, false, 1e6, false,
           [](Config& c) -> Ref { return &c.hardware.energy.sram_read_pj_per_byte; }),
    Number("hardware.energy.sram_write_pj_per_byte", 0, false, 1e6, false,
           [](Config& c) -> Ref { return &c.hardware.energy.sram_write_pj_per_byte; }),
    Number("hardware.energy.dram_pj_per_byte", 0, false, 1e6, false,
           [](Config& c) -> Ref { return &c.hardware.energy.dram_pj_per_byte; }),
    {"hardware.dram.model", Kind::kDramModel, 0, 0, 0, 0, false, false,
     [](Config& c) -> Ref { return &c.hardware.dram.model; }},
    {"hardware.dram.preset", Kind::kString, 0, 0, 0, 0, false, false,
     [](Config& c) -> Ref { return &c.hardware.dram.preset; }},
    Number("hardware.dram.clock_ghz", 0, true, 10, false,
           [](Config& c) -> Ref { return &c.hardware.dram.clock_ghz; }),
    Number("hardware.dram.latency_ns", 0, false, 1e6, false,
           [](Config& c) -> Ref { return &c.hardware.dram.latency_ns; }),
    Int("hardware.dram.bytes_per_cycle", 1, 1024,
        [](Config& c) -> Ref { return &c.hardware.dram.bytes_per_cycle; }),
    Int("hardware.dram.queue_depth", 1, 4096,
        [](Config& c) -> Ref { return &c.hardware.dram.queue_depth; }),
    Pow2("hardware.dram.burst_bytes", 16, 4096,
         [](Config& c) -> Ref { return &c.hardware.dram.burst_bytes; }),
    Int("hardware.dma.max_outstanding", 1, 1024,
        [](Config& c) -> Ref { return &c.hardware.dma.max_outstanding; }),
    {"workload.block", Kind::kBlock, 0, 0, 0, 0, false, false,
     [](Config& c) -> Ref { return &c.workload.block; }},
    Int("workload.input.h", 1, 4096, [](Config& c) -> Ref { return &c.workload.h; }),
    Int("workload.input.w", 1, 4096, [](Config& c) -> Ref { return &c.workload.w; }),
    Int("workload.input.c", 1, kMaxChannels, [](Config& c) -> Ref { return &c.workload.c; }),
    Int("workload.out_channels", 1, kMaxChannels,
        [](Config& c) -> Ref { return &c.workload.out_channels; }),
    Int("workload.seed", 0, kUint64Max, [](Config& c) -> Ref { return &c.workload.seed; }),
    Int("workload.frames", 1, 4096, [](Config& c) -> Ref { return &c.workload.frames; }),
    Number("workload.input_throttle.rate", 0, true, 1, false,
           [](Config& c) -> Ref { return &c.workload.input_rate; }),
    Number("workload.input_throttle.stall_probability", 0, false, 1, true,
           [](Config& c) -> Ref { return &c.workload.input_stall_probability; }),
    Int("sim.deadlock_window", 0, kInt64Max,
        [](Config& c) -> Ref { return &c.sim.deadlock_window; }),
    Int("sim.max_cycles", 0, kInt64Max, [](Config& c) -> Ref { return &c.sim.max_cycles; }),
    Number("sim.output_stall_probability", 0, false, 1, true,
           [](Config& c) -> Ref { return &c.sim.output_stall_probability; }),
};

// Top-level keys that are not settings.
constexpr std::string_view kDescription = "description", kBase = "base";

const Field* find_field(std::string_view path) {
  for (const Field& f : kFields) {
    if (f.path == path) return &f;
  }
  return nullptr;
}

// Whether path lies inside group (every path lies inside the top level, "").
bool inside(std::string_view path, std::string_view group) {
  return group.empty() || (path.size() > group.size() && path.substr(0, group.size()) == group &&
                           path[group.size()] == '.');
}

bool is_group(std::string_view path) {
  return !path.empty() && std::any_of(std::begin(kFields), std::end(kFields),
                                      [&](const Field& f) { return inside(f.path, path); });
}

// The schema keys directly under group (the top level when empty), in schema order.
std::vector<std::string> children(std::string_view group) {
  std::vector<std::string> out;
  for (const Field& f : kFields) {
    if (!inside(f.path, group)) continue;
    std::string_view rest = f.path.substr(group.empty() ? 0 : group.size() + 1);
    std::string name(rest.substr(0, rest.find('.')));
    if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
  }
  return out;
}

std::string join_path(std::string_view group, std::string_view key) {
  return group.empty() ? std::string(key) : fmt::format("{}.{}", group, key);
}

[[noreturn]] void fail(std::string_view source, std::string_view what) {
  throw InputError(fmt::format("config error: {}: {}", source, what));
}

// A value as written: its YAML shape, text (scalars) and whether it was a plain scalar
// (unquoted, untagged), which is what YAML reads as a number. A copy, not a YAML::Node,
// because assigning to a Node rewrites the node it refers to.
struct Value {
  YAML::NodeType::value type = YAML::NodeType::Null;
  std::string text;
  bool plain = false;
};

Value value_of(const YAML::Node& n) {
  if (!n.IsScalar()) return {n.Type(), "", false};
  return {n.Type(), n.Scalar(), n.Tag() == "?"};
}

// A leaf value with where it came from; rank orders the layers (base < file < --set).
struct Entry {
  Value value;
  std::string source;
  int rank = 0;
};
using Flat = std::map<std::string, Entry>;

// One line describing a value that has the wrong shape or range.
std::string describe(const Value& v) {
  switch (v.type) {
    case YAML::NodeType::Map:
      return "a map";
    case YAML::NodeType::Sequence:
      return "a sequence";
    case YAML::NodeType::Scalar: {
      std::string s = v.text;
      if (const size_t nl = s.find('\n'); nl != std::string::npos) s = s.substr(0, nl) + "...";
      return v.plain ? fmt::format("'{}'", s) : fmt::format("the string '{}'", s);
    }
    default:
      return "an empty value";
  }
}
std::string describe(const YAML::Node& n) { return describe(value_of(n)); }

// Walks one document's map at group, checking keys against the schema and recording leaves.
void flatten(const YAML::Node& map, const std::string& group, const std::string& source, Flat& out,
             std::optional<std::string>& base) {
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
    if (group.empty() && (key == kDescription || key == kBase)) {
      if (!value.IsScalar() && !(key == kDescription && value.IsNull())) {
        fail(source, fmt::format("{}: expected a string, got {}", key, describe(value)));
      }
      if (key == kBase) base = value.Scalar();
    } else if (find_field(path)) {
      out[path] = {value_of(value), source, 0};
    } else if (is_group(path)) {
      if (value.IsNull()) continue;
      if (!value.IsMap()) {
        fail(source, fmt::format("{}: expected a map (keys: {}), got {}", path,
                                 fmt::join(children(path), ", "), describe(value)));
      }
      flatten(value, path, source, out, base);
    } else {
      std::vector<std::string> allowed = children(group);
      if (group.empty()) allowed.insert(allowed.begin(), {"description", "base"});
      fail(source, fmt::format("{}: unknown key (allowed: {})", path, fmt::join(allowed, ", ")));
    }
  }
}

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

// Reads a file; a failure is reported against `who` as "<what>: <reason>".
std::string read_file(const fs::path& path, const std::string& who, const std::string& what) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) fail(who, fmt::format("{}: is a directory", what));
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(who, fmt::format("{}: {}", what, std::strerror(errno)));
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Flattens one document and, first, the chain of files it names with `base:` (relative to
// dir). chain holds the canonical paths of the files currently being loaded.
Flat load_document(const std::string& text, const std::string& source, const fs::path& dir,
                   std::vector<fs::path>& chain) {
  const YAML::Node root = parse_yaml(text, source);
  Flat own;
  std::optional<std::string> base;
  if (root.IsMap()) {
    flatten(root, "", source, own, base);
  } else if (!root.IsNull()) {
    fail(source, fmt::format("expected a map of keys at the top level, got {}", describe(root)));
  }
  if (!base) return own;
  if (base->empty()) fail(source, "base: expected a file path, got an empty string");
  const fs::path path = (dir / *base).lexically_normal();
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

void apply_overrides(const std::vector<std::string>& overrides, Flat& flat) {
  int rank = 0;
  for (const auto& [key, e] : flat) rank = std::max(rank, e.rank);
  for (const std::string& o : overrides) {
    const std::string source = fmt::format("--set {}", o);
    const size_t eq = o.find('=');
    if (eq == std::string::npos) fail(source, "expected KEY=VALUE (e.g. hardware.stream.lanes=8)");
    const std::string key = o.substr(0, eq);
    if (!find_field(key)) {
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

// Bounds read better as powers of two when they are large ones.
std::string bound(uint64_t v) {
  if (v == kUint64Max) return "2^64-1";
  if (v == kInt64Max) return "2^63-1";
  if (v >= (uint64_t{1} << 20) && (v & (v - 1)) == 0) {
    return fmt::format("2^{}", static_cast<int>(std::log2(static_cast<double>(v))));
  }
  return std::to_string(v);
}

std::string expected(const Field& f) {
  switch (f.kind) {
    case Kind::kInt:
      return fmt::format("an integer in [{}, {}]", bound(f.min), bound(f.max));
    case Kind::kPow2:
      return fmt::format("a power of two in [{}, {}]", bound(f.min), bound(f.max));
    case Kind::kNumber:
      return fmt::format("a number in {}{}, {}{}", f.lo_open ? '(' : '[', f.lo, f.hi,
                         f.hi_open ? ')' : ']');
    case Kind::kBlock:
      return "one of: basic, downsample";
    case Kind::kImpl:
      return "one of: systemc, rtl";
    case Kind::kDataflow:
      return "one of: ws, os, is";
    case Kind::kBool:
      return "true or false";
    case Kind::kDramModel:
      return "one of: simple, ddr";
    case Kind::kPolicy:
      return "one of: block, spill";
    case Kind::kString:
      return "a non-empty string";
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

void set_field(const Field& f, const Entry& e, Config& c) {
  const auto bad = [&] {
    fail(e.source, fmt::format("{}: expected {}, got {}", f.path, expected(f), describe(e.value)));
  };
  if (e.value.type != YAML::NodeType::Scalar) bad();
  const std::string& s = e.value.text;
  const bool plain = e.value.plain;
  const Ref ref = f.ref(c);
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
          [v](auto* p) {
            using T = std::remove_pointer_t<decltype(p)>;
            if constexpr (std::is_arithmetic_v<T> && !std::is_same_v<T, bool>)
              *p = static_cast<T>(v);
          },
          ref);
      break;
    }
    case Kind::kNumber: {
      double v = 0;
      if (!plain || !parse_number(s, v)) bad();
      if (v < f.lo || v > f.hi || (f.lo_open && v == f.lo) || (f.hi_open && v == f.hi)) bad();
      *std::get<double*>(ref) = v;
      break;
    }
    case Kind::kBlock:
      if (s == "basic") {
        *std::get<BlockKind*>(ref) = BlockKind::kBasic;
      } else if (s == "downsample") {
        *std::get<BlockKind*>(ref) = BlockKind::kDownsample;
      } else {
        bad();
      }
      break;
    case Kind::kDataflow:
      if (s == "ws") {
        *std::get<Dataflow*>(ref) = Dataflow::kWs;
      } else if (s == "os") {
        *std::get<Dataflow*>(ref) = Dataflow::kOs;
      } else if (s == "is") {
        *std::get<Dataflow*>(ref) = Dataflow::kIs;
      } else {
        bad();
      }
      break;
    case Kind::kBool:
      if (plain && s == "true") {
        *std::get<bool*>(ref) = true;
      } else if (plain && s == "false") {
        *std::get<bool*>(ref) = false;
      } else {
        bad();
      }
      break;
    case Kind::kDramModel:
      if (s == "simple") {
        *std::get<DramModel*>(ref) = DramModel::kSimple;
      } else if (s == "ddr") {
        *std::get<DramModel*>(ref) = DramModel::kDdr;
      } else {
        bad();
      }
      break;
    case Kind::kPolicy:
      if (s == "block") {
        *std::get<SkipPolicy*>(ref) = SkipPolicy::kBlock;
      } else if (s == "spill") {
        *std::get<SkipPolicy*>(ref) = SkipPolicy::kSpill;
      } else {
        bad();
      }
      break;
    case Kind::kString:
      if (s.empty()) bad();
      *std::get<std::string*>(ref) = s;
      break;
    case Kind::kImpl:
      if (s == "systemc") {
        *std::get<Impl*>(ref) = Impl::kSystemC;
      } else if (s == "rtl") {
        *std::get<Impl*>(ref) = Impl::kRtl;
      } else {
        bad();
      }
      break;
  }
}

// The source of the most recently layered of keys (the one a user would change).
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

// A preset name (configs/dram/NAME.yaml) or a YAML file, relative to the working directory
// or to the file that names it.
std::string resolve_dram_preset(const std::string& preset, const std::string& where) {
  std::vector<fs::path> tried;
  const fs::path p(preset);
  tried.push_back(p);
  if (p.is_relative() && where.rfind("--set", 0) != 0 && where != "<string>")
    tried.push_back(fs::path(where).parent_path() / p);
  if (p.extension() != ".yaml" && p.extension() != ".yml" && preset.find('/') == std::string::npos)
    tried.push_back(fs::path(config_dir()) / "dram" / (preset + ".yaml"));
  std::error_code ec;
  for (const fs::path& t : tried)
    if (fs::is_regular_file(t, ec)) {
      (void)load_ddr_preset(t.string());  // its own errors name the preset file
      return t.string();
    }
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(fs::path(config_dir()) / "dram", ec))
    if (e.path().extension() == ".yaml") names.push_back(e.path().stem().string());
  std::sort(names.begin(), names.end());
  fail(where, fmt::format("hardware.dram.preset: no preset or file '{}' (presets: {})", preset,
                          fmt::join(names, ", ")));
}

Config build(const Flat& flat, const std::string& source) {
  Config c;
  c.source = source;
  for (const Field& f : kFields) {
    if (auto it = flat.find(std::string(f.path)); it != flat.end()) set_field(f, it->second, c);
  }
  const WorkloadConfig& w = c.workload;
  if (w.block == BlockKind::kBasic && w.out_channels != w.c) {
    fail(latest_source(flat, {"workload.block", "workload.input.c", "workload.out_channels"},
                       source),
         fmt::format("workload.out_channels: a basic block adds X unchanged (identity shortcut), "
                     "so out_channels must equal input.c ({}), got {}; use block: downsample to "
                     "change the channel count",
                     w.c, w.out_channels));
  }
  const SkipFifoConfig& sf = c.hardware.skip_fifo;
  if (sf.policy == SkipPolicy::kSpill && sf.impl == Impl::kRtl) {
    fail(latest_source(flat, {"hardware.skip_fifo.policy", "hardware.skip_fifo.impl"}, source),
         "hardware.skip_fifo.policy: spill needs the SystemC skip FIFO (the RTL has no DRAM "
         "port); set hardware.skip_fifo.impl: systemc or policy: block");
  }
  const int64_t burst = c.hardware.dram.burst_bytes;
  if (sf.spill_ring_bytes != 0 &&
      (sf.spill_ring_bytes < 2 * burst || sf.spill_ring_bytes % burst)) {
    fail(latest_source(flat, {"hardware.skip_fifo.spill_ring_bytes", "hardware.dram.burst_bytes"},
                       source),
         fmt::format("hardware.skip_fifo.spill_ring_bytes: expected 0 (two frames of the skip "
                     "tensor) or a multiple of hardware.dram.burst_bytes ({}) of at least two "
                     "bursts ({}), got {}",
                     burst, 2 * burst, sf.spill_ring_bytes));
  }
  if (c.hardware.dram.model == DramModel::kDdr) {
    const auto it = flat.find("hardware.dram.preset");
    const std::string where = it != flat.end() ? it->second.source : source;
    c.hardware.dram.preset_path = resolve_dram_preset(c.hardware.dram.preset, where);
  }
  return c;
}

std::string format_value(const Field& f, Config& c) {
  return std::visit(
      [](auto* p) -> std::string {
        using T = std::remove_pointer_t<decltype(p)>;
        if constexpr (std::is_same_v<T, BlockKind>) {
          return *p == BlockKind::kBasic ? "basic" : "downsample";
        } else if constexpr (std::is_same_v<T, Impl>) {
          return *p == Impl::kSystemC ? "systemc" : "rtl";
        } else if constexpr (std::is_same_v<T, Dataflow>) {
          return dataflow_name(*p);
        } else if constexpr (std::is_same_v<T, bool>) {
          return *p ? "true" : "false";
        } else if constexpr (std::is_same_v<T, DramModel>) {
          return *p == DramModel::kSimple ? "simple" : "ddr";
        } else if constexpr (std::is_same_v<T, SkipPolicy>) {
          return *p == SkipPolicy::kBlock ? "block" : "spill";
        } else if constexpr (std::is_same_v<T, std::string>) {
          return *p;
        } else if constexpr (std::is_same_v<T, double>) {
          std::string s = fmt::format("{}", *p);  // shortest text that reads back exactly
          if (s.find_first_of(".e") == std::string::npos) s += ".0";
          return s;
        } else {
          return std::to_string(*p);
        }
      },
      f.ref(c));
}

}  // namespace

Config parse_config(const std::string& yaml_text, const std::vector<std::string>& overrides,
                    const std::string& source) {
  std::vector<fs::path> chain;
  Flat flat = load_document(yaml_text, source, fs::path("."), chain);
  apply_overrides(overrides, flat);
  return build(flat, source);
}

Config load_config(const std::string& path, const std::vector<std::string>& overrides) {
  const std::string text = read_file(path, path, "cannot read file");
  std::error_code ec;
  const fs::path canon = fs::weakly_canonical(path, ec);
  std::vector<fs::path> chain{ec ? fs::path(path).lexically_normal() : canon};
  Flat flat = load_document(text, path, fs::path(path).parent_path(), chain);
  apply_overrides(overrides, flat);
  return build(flat, path);
}

DdrConfig ddr_config_of(const Config& c) {
  const auto& d = c.hardware.dram;
  return load_ddr_preset(d.preset_path.empty() ? resolve_dram_preset(d.preset, c.source)
                                               : d.preset_path);
}

std::string dump_config(const Config& config) {
  Config c = config;  // the table's accessors take a mutable Config
  std::string out = fmt::format("# effective configuration of {}\n", c.source);
  std::vector<std::string_view> open;  // the groups of the previous key
  for (const Field& f : kFields) {
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
    out +=
        fmt::format("{:{}}{}: {}\n", "", 2 * (parts.size() - 1), parts.back(), format_value(f, c));
    open.assign(parts.begin(), parts.end() - 1);
  }
  return out;
}

}  // namespace skipsim
