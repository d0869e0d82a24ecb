#pragma once
// DRAM preset text for tests: a preset must name every timing key, so partial presets take
// the rest from DDR4-3200 here, in the test, not in the loader.
#include <string>
#include <utility>
#include <vector>

namespace skipsim::test {

// `overrides` ("tRCD: 30, name: X") followed by every DDR4-3200 timing it does not name,
// as the inside of a YAML flow map.
inline std::string with_ddr4_timings(const std::string& overrides) {
  static const std::vector<std::pair<std::string, int>> kDdr4 = {
      {"tCK_ps", 625}, {"CL", 22},    {"CWL", 16},      {"tRCD", 22},  {"tRP", 22},
      {"tRAS", 52},    {"tRC", 0},    {"tCCD_S", 4},    {"tCCD_L", 8}, {"tRRD_S", 4},
      {"tRRD_L", 8},   {"tFAW", 34},  {"tWR", 24},      {"tRTP", 12},  {"tWTR_S", 4},
      {"tWTR_L", 12},  {"tRFC", 560}, {"tREFI", 12480}, {"tRTRS", 2}};
  std::string s = overrides;
  for (const auto& [k, v] : kDdr4) {
    const std::string key = k + ":";
    const size_t at = overrides.find(key);
    if (at != std::string::npos &&
        (at == 0 || overrides[at - 1] == ' ' || overrides[at - 1] == ','))
      continue;
    s += (s.empty() ? "" : ", ") + key + " " + std::to_string(v);
  }
  return s;
}

}  // namespace skipsim::test
