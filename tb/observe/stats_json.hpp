#pragma once
// The JSON view of a statistics tree: groups become objects, lists arrays, values their
// JSON type (uint64 and int64 integers, double numbers, bool, string, arrays).
#include <nlohmann/json.hpp>

#include "hw/common/stats.hpp"

namespace skipsim {

nlohmann::json stats_to_json(const StatsNode& node);

}  // namespace skipsim
