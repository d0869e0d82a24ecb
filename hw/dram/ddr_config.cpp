#include "hw/dram/ddr_config.hpp"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cmath>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>
#include <string_view>
#include <variant>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "hw/dram/address_map.hpp"
#include "hw/common/errors.hpp"

namespace skipsim {
namespace {

using Member = std::variant<int DdrConfig::*, int64_t DdrConfig::*, double DdrConfig::*,
                            std::string DdrConfig::*, PagePolicy DdrConfig::*>;

struct Key {
  std::string_view name;
  Member member;
  double min = 0, max = 0;  // numbers only
};

constexpr double kBig = 1e6;

// Every key, in documentation order.
const Key kKeys[] = {
    {"name", &DdrConfig::name},
    {"channels", &DdrConfig::channels, 1, 64},
    {"ranks", &DdrConfig::ranks, 1, 16},
    {"bank_groups", &DdrConfig::bank_groups, 1, 16},
    {"banks_per_group", &DdrConfig::banks_per_group, 1, 64},
    {"rows", &DdrConfig::rows, 1, 1 << 24},
    {"columns", &DdrConfig::columns, 1, 1 << 16},
    {"device_width", &DdrConfig::device_width, 1, 1024},
    {"bus_bytes", &DdrConfig::bus_bytes, 1, 1024},
    {"burst_length", &DdrConfig::burst_length, 2, 64},
    {"tCK_ps", &DdrConfig::tCK_ps, 1, 100000},
    {"CL", &DdrConfig::CL, 1, 1000},
    {"CWL", &DdrConfig::CWL, 1, 1000},
    {"tRCD", &DdrConfig::tRCD, 1, 1000},
    {"tRP", &DdrConfig::tRP, 1, 1000},
    {"tRAS", &DdrConfig::tRAS, 1, 1000},
    {"tRC", &DdrConfig::tRC, 0, 2000},
    {"tCCD_S", &DdrConfig::tCCD_S, 1, 1000},
    {"tCCD_L", &DdrConfig::tCCD_L, 1, 1000},
    {"tRRD_S", &DdrConfig::tRRD_S, 1, 1000},
    {"tRRD_L", &DdrConfig::tRRD_L, 1, 1000},
    {"tFAW", &DdrConfig::tFAW, 1, 10000},
    {"tWR", &DdrConfig::tWR, 1, 1000},
    {"tRTP", &DdrConfig::tRTP, 1, 1000},
    {"tWTR_S", &DdrConfig::tWTR_S, 1, 1000},
    {"tWTR_L", &DdrConfig::tWTR_L, 1, 1000},
    {"tRFC", &DdrConfig::tRFC, 1, 100000},
    {"tREFI", &DdrConfig::tREFI, 1, 10000000},
    {"tRTRS", &DdrConfig::tRTRS, 0, 1000},
    {"page_policy", &DdrConfig::page_policy},
    {"address_map", &DdrConfig::address_map},
    {"read_queue", &DdrConfig::read_queue, 1, 4096},
    {"write_queue", &DdrConfig::write_queue, 1, 4096},
    {"write_high_watermark", &DdrConfig::write_high_watermark, 1, 4096},
    {"write_low_watermark", &DdrConfig::write_low_watermark, 0, 4096},
    {"e_act_pj", &DdrConfig::e_act_pj, 0, kBig},
    {"e_pre_pj", &DdrConfig::e_pre_pj, 0, kBig},
    {"e_rd_pj", &DdrConfig::e_rd_pj, 0, kBig},
    {"e_wr_pj", &DdrConfig::e_wr_pj, 0, kBig},
    {"e_ref_pj", &DdrConfig::e_ref_pj, 0, 1e9},
    {"background_mw", &DdrConfig::background_mw, 0, kBig},
};

[[noreturn]] void fail(const std::string& source, const std::string& what) {
  throw InputError(fmt::format("config error: {}: {}", source, what));
}

std::vector<std::string_view> key_names() {
  std::vector<std::string_view> out;
  for (const Key& k : kKeys) out.push_back(k.name);
  return out;
}

std::string shown(const YAML::Node& n) {
  if (n.IsMap()) return "a map";
  if (n.IsSequence()) return "a sequence";
  if (!n.IsScalar()) return "an empty value";
  return n.Tag() == "?" ? fmt::format("'{}'", n.Scalar())
                        : fmt::format("the string '{}'", n.Scalar());
}

// A plain (unquoted) scalar as an integer in [min, max]; decimal or 0x hexadecimal.
int64_t to_int(const YAML::Node& n, const std::string& key, double min, double max,
               const std::string& source) {
  const auto bad = [&] {
    fail(source, fmt::format("{}: expected an integer in [{}, {}], got {}", key,
                             static_cast<int64_t>(min), static_cast<int64_t>(max), shown(n)));
  };
  if (!n.IsScalar() || n.Tag() != "?") bad();
  const std::string& s = n.Scalar();
  int64_t v = 0;
  int base = 10;
  std::string_view digits = s;
  if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) {
    digits.remove_prefix(2);
    base = 16;
  }
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v, base);
  if (ec != std::errc() || end != digits.data() + digits.size() || v < min || v > max) bad();
  return v;
}

double to_number(const YAML::Node& n, const std::string& key, double min, double max,
                 const std::string& source) {
  const auto bad = [&] {
    fail(source, fmt::format("{}: expected a number in [{}, {}], got {}", key, min, max, shown(n)));
  };
  if (!n.IsScalar() || n.Tag() != "?") bad();
  const std::string& s = n.Scalar();
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (s.empty() || end != s.c_str() + s.size() || !std::isfinite(v) || v < min || v > max) bad();
  return v;
}

bool is_pow2(int64_t v) { return v > 0 && (v & (v - 1)) == 0; }

}  // namespace

uint64_t DdrConfig::capacity_bytes() const {
  return static_cast<uint64_t>(channels) * ranks * banks_per_rank() * static_cast<uint64_t>(rows) *
         columns * bus_bytes;
}

double DdrConfig::peak_gbytes_per_s() const {
  // Two beats of bus_bytes per clock.
  return channels * 2.0 * bus_bytes / tck_ns();
}

DdrConfig parse_ddr_config(const YAML::Node& node, const std::string& path,
                           const std::string& source) {
  DdrConfig cfg;
  if (!node.IsDefined() || node.IsNull()) return cfg;
  if (!node.IsMap()) {
    fail(source, fmt::format("{}: expected a map (keys: {}), got {}", path,
                             fmt::join(key_names(), ", "), shown(node)));
  }
  std::set<std::string> seen;
  for (const auto& kv : node) {
    const std::string name = kv.first.Scalar();
    const std::string key = fmt::format("{}.{}", path, name);
    if (!seen.insert(name).second) fail(source, fmt::format("{}: duplicate key", key));
    const Key* k = nullptr;
    for (const Key& c : kKeys) {
      if (c.name == name) k = &c;
    }
    if (!k) {
      fail(source, fmt::format("{}: unknown key (allowed: {})", key, fmt::join(key_names(), ", ")));
    }
    const YAML::Node& v = kv.second;
    if (const auto* m = std::get_if<int DdrConfig::*>(&k->member)) {
      cfg.*(*m) = static_cast<int>(to_int(v, key, k->min, k->max, source));
    } else if (const auto* m64 = std::get_if<int64_t DdrConfig::*>(&k->member)) {
      cfg.*(*m64) = to_int(v, key, k->min, k->max, source);
    } else if (const auto* md = std::get_if<double DdrConfig::*>(&k->member)) {
      cfg.*(*md) = to_number(v, key, k->min, k->max, source);
    } else if (const auto* ms = std::get_if<std::string DdrConfig::*>(&k->member)) {
      if (!v.IsScalar()) fail(source, fmt::format("{}: expected a string, got {}", key, shown(v)));
      cfg.*(*ms) = v.Scalar();
    } else {
      const std::string s = v.IsScalar() ? v.Scalar() : "";
      if (s == "open") {
        cfg.page_policy = PagePolicy::kOpen;
      } else if (s == "closed") {
        cfg.page_policy = PagePolicy::kClosed;
      } else {
        fail(source, fmt::format("{}: expected open or closed, got {}", key, shown(v)));
      }
    }
  }
  validate_ddr_config(cfg, path, source);
  return cfg;
}

void validate_ddr_config(const DdrConfig& c, const std::string& path, const std::string& source) {
  const auto pow2 = [&](const char* name, int64_t v) {
    if (!is_pow2(v)) {
      fail(source, fmt::format("{}.{}: expected a power of two, got {}", path, name, v));
    }
  };
  pow2("channels", c.channels);
  pow2("ranks", c.ranks);
  pow2("bank_groups", c.bank_groups);
  pow2("banks_per_group", c.banks_per_group);
  pow2("rows", c.rows);
  pow2("columns", c.columns);
  pow2("bus_bytes", c.bus_bytes);
  pow2("burst_length", c.burst_length);
  if (c.columns < c.burst_length) {
    fail(source, fmt::format("{}.columns: expected at least burst_length ({}), got {}", path,
                             c.burst_length, c.columns));
  }
  if (c.tRC != 0 && c.tRC < c.tRAS) {
    fail(source, fmt::format("{}.tRC: expected 0 (derived) or at least tRAS ({}), got {}", path,
                             c.tRAS, c.tRC));
  }
  if (c.tCCD_L < c.tCCD_S) {
    fail(source,
         fmt::format("{}.tCCD_L: expected at least tCCD_S ({}), got {}", path, c.tCCD_S, c.tCCD_L));
  }
  if (c.tCCD_S < c.data_cycles()) {
    fail(source, fmt::format("{}.tCCD_S: expected at least burst_length/2 ({}), got {}", path,
                             c.data_cycles(), c.tCCD_S));
  }
  if (c.tREFI <= c.tRFC) {
    fail(source,
         fmt::format("{}.tREFI: expected more than tRFC ({}), got {}", path, c.tRFC, c.tREFI));
  }
  if (c.write_high_watermark > c.write_queue) {
    fail(source, fmt::format("{}.write_high_watermark: expected an integer in [1, {}] "
                             "(write_queue), got {}",
                             path, c.write_queue, c.write_high_watermark));
  }
  if (c.write_low_watermark >= c.write_high_watermark) {
    fail(source, fmt::format("{}.write_low_watermark: expected an integer in [0, {}] "
                             "(below write_high_watermark), got {}",
                             path, c.write_high_watermark - 1, c.write_low_watermark));
  }
  if (const std::string err = AddressMap::check(c.address_map); !err.empty()) {
    fail(source, fmt::format("{}.address_map: {}, got '{}'", path, err, c.address_map));
  }
}

DdrConfig load_ddr_preset(const std::string& file) {
  std::ifstream in(file);
  if (!in) throw InputError(fmt::format("config error: {}: cannot open the file", file));
  std::stringstream text;
  text << in.rdbuf();
  YAML::Node root;
  try {
    root = YAML::Load(text.str());
  } catch (const YAML::ParserException& e) {
    throw InputError(fmt::format("config error: {}:{}:{}: invalid YAML: {}", file, e.mark.line + 1,
                                 e.mark.column + 1, e.msg));
  }
  if (!root.IsMap() || !root["dram"]) {
    fail(file, "expected a top-level map with a `dram:` section");
  }
  for (const auto& kv : root) {
    const std::string key = kv.first.Scalar();
    if (key != "dram" && key != "description") {
      fail(file, fmt::format("{}: unknown key (allowed: description, dram)", key));
    }
  }
  return parse_ddr_config(root["dram"], "dram", file);
}

}  // namespace skipsim
