#include "hw/dram/address_map.hpp"

#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "hw/common/errors.hpp"

namespace skipsim {
namespace {

constexpr std::string_view kNames[AddressMap::kFields] = {"ch", "ra", "bg", "ba", "ro", "co"};

int log2_of(uint64_t v) {
  int b = 0;
  while ((uint64_t{1} << b) < v) ++b;
  return b;
}

// The fields of spec in order, or an error message.
std::string parse(const std::string& spec, std::vector<int>& order) {
  order.clear();
  size_t pos = 0;
  while (pos <= spec.size()) {
    const size_t dash = spec.find('-', pos);
    const std::string_view name = std::string_view(spec).substr(
        pos, dash == std::string::npos ? std::string::npos : dash - pos);
    int f = -1;
    for (int i = 0; i < AddressMap::kFields; ++i) {
      if (kNames[i] == name) f = i;
    }
    if (f < 0) {
      return fmt::format("unknown field '{}' (allowed: {})", name, fmt::join(kNames, ", "));
    }
    for (int g : order) {
      if (g == f) return fmt::format("field '{}' appears twice", name);
    }
    order.push_back(f);
    if (dash == std::string::npos) break;
    pos = dash + 1;
  }
  for (int i = 0; i < AddressMap::kFields; ++i) {
    bool found = false;
    for (int g : order) found |= g == i;
    if (!found)
      return fmt::format("field '{}' is missing (need all of {})", kNames[i],
                         fmt::join(kNames, ", "));
  }
  return "";
}

}  // namespace

std::string AddressMap::check(const std::string& spec) {
  std::vector<int> order;
  return parse(spec, order);
}

AddressMap::AddressMap(const DdrConfig& cfg) {
  std::vector<int> order;
  if (const std::string err = parse(cfg.address_map, order); !err.empty()) {
    throw InputError(fmt::format("address_map '{}': {}", cfg.address_map, err));
  }
  const uint64_t size[kFields] = {static_cast<uint64_t>(cfg.channels),
                                  static_cast<uint64_t>(cfg.ranks),
                                  static_cast<uint64_t>(cfg.bank_groups),
                                  static_cast<uint64_t>(cfg.banks_per_group),
                                  static_cast<uint64_t>(cfg.rows),
                                  static_cast<uint64_t>(cfg.columns / cfg.burst_length)};
  int shift = log2_of(static_cast<uint64_t>(cfg.burst_bytes()));
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    const int f = *it;
    m_shift[f] = shift;
    m_bits[f] = log2_of(size[f]);
    m_mask[f] = (uint64_t{1} << m_bits[f]) - 1;
    shift += m_bits[f];
  }
}

uint64_t AddressMap::encode(const DramAddress& a) const {
  const uint64_t v[kFields] = {
      static_cast<uint64_t>(a.channel),    static_cast<uint64_t>(a.rank),
      static_cast<uint64_t>(a.bank_group), static_cast<uint64_t>(a.bank),
      static_cast<uint64_t>(a.row),        static_cast<uint64_t>(a.column)};
  uint64_t addr = 0;
  for (int f = 0; f < kFields; ++f) addr |= (v[f] & m_mask[f]) << m_shift[f];
  return addr;
}

}  // namespace skipsim
