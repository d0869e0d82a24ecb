#include "tb/observe/stats_json.hpp"

namespace skipsim {

nlohmann::json stats_to_json(const StatsNode& node) {
  using K = StatsNode::Kind;
  const StatsNode::Value& v = node.value();
  switch (node.kind()) {
    case K::kGroup: {
      nlohmann::json j = nlohmann::json::object();
      for (size_t i = 0; i < node.size(); ++i) j[node.name_of(i)] = stats_to_json(node[i]);
      return j;
    }
    case K::kList: {
      nlohmann::json j = nlohmann::json::array();
      for (size_t i = 0; i < node.size(); ++i) j.push_back(stats_to_json(node[i]));
      return j;
    }
    case K::kU64:
      return std::get<uint64_t>(v);
    case K::kI64:
      return std::get<int64_t>(v);
    case K::kDouble:
      return std::get<double>(v);
    case K::kBool:
      return std::get<bool>(v);
    case K::kString:
      return std::get<std::string>(v);
    case K::kU64s:
      return std::get<std::vector<uint64_t>>(v);
    case K::kStrings:
      return std::get<std::vector<std::string>>(v);
  }
  return nullptr;
}

}  // namespace skipsim
