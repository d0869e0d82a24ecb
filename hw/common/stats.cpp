#include "hw/common/stats.hpp"

#include <stdexcept>

namespace skipsim {

const char* to_string(StatsNode::Kind k) {
  switch (k) {
    case StatsNode::Kind::kGroup:
      return "group";
    case StatsNode::Kind::kList:
      return "list";
    case StatsNode::Kind::kU64:
      return "uint64";
    case StatsNode::Kind::kI64:
      return "int64";
    case StatsNode::Kind::kDouble:
      return "double";
    case StatsNode::Kind::kBool:
      return "bool";
    case StatsNode::Kind::kString:
      return "string";
    case StatsNode::Kind::kU64s:
      return "uint64 list";
    case StatsNode::Kind::kStrings:
      return "string list";
  }
  return "?";
}

StatsNode::StatsNode(const StatsNode& o) : m_kind(o.m_kind), m_value(o.m_value) {
  m_children.reserve(o.m_children.size());
  for (const auto& [n, c] : o.m_children)
    m_children.emplace_back(n, std::make_unique<StatsNode>(*c));
}

StatsNode& StatsNode::operator=(const StatsNode& o) {
  if (this != &o) *this = StatsNode(o);
  return *this;
}

StatsNode& StatsNode::child(const std::string& name) {
  if (m_kind == Kind::kGroup) {
    for (auto& [n, c] : m_children)
      if (n == name) return *c;
  } else {
    m_children.clear();
    m_value = std::monostate{};
    m_kind = Kind::kGroup;
  }
  m_children.emplace_back(name, std::make_unique<StatsNode>());
  return *m_children.back().second;
}

StatsNode& StatsNode::append() {
  if (m_kind != Kind::kList) {
    m_children.clear();
    m_value = std::monostate{};
    m_kind = Kind::kList;
  }
  m_children.emplace_back(std::string(), std::make_unique<StatsNode>());
  return *m_children.back().second;
}

StatsNode& StatsNode::list(const std::string& name) {
  StatsNode& c = child(name);
  if (c.m_kind == Kind::kGroup && c.m_children.empty()) c.m_kind = Kind::kList;
  return c;
}

const StatsNode* StatsNode::find(const std::string& name) const {
  if (m_kind != Kind::kGroup) return nullptr;
  for (const auto& [n, c] : m_children)
    if (n == name) return c.get();
  return nullptr;
}

const StatsNode& StatsNode::at(const std::string& name) const {
  if (const StatsNode* c = find(name)) return *c;
  throw std::out_of_range("statistics: no entry '" + name + "'");
}

const StatsNode& StatsNode::value_at(const std::string& name, Kind k) const {
  const StatsNode& c = at(name);
  if (c.m_kind != k)
    throw std::logic_error("statistics: '" + name + "' is " + to_string(c.m_kind) + ", not " +
                           to_string(k));
  return c;
}

uint64_t StatsNode::u64(const std::string& name) const {
  return std::get<uint64_t>(value_at(name, Kind::kU64).m_value);
}

int64_t StatsNode::i64(const std::string& name) const {
  return std::get<int64_t>(value_at(name, Kind::kI64).m_value);
}

double StatsNode::num(const std::string& name) const {
  const StatsNode& c = at(name);
  switch (c.m_kind) {
    case Kind::kU64:
      return static_cast<double>(std::get<uint64_t>(c.m_value));
    case Kind::kI64:
      return static_cast<double>(std::get<int64_t>(c.m_value));
    case Kind::kDouble:
      return std::get<double>(c.m_value);
    default:
      throw std::logic_error("statistics: '" + name + "' is " + to_string(c.m_kind) +
                             ", not a number");
  }
}

bool StatsNode::flag(const std::string& name) const {
  return std::get<bool>(value_at(name, Kind::kBool).m_value);
}

const std::string& StatsNode::str(const std::string& name) const {
  return std::get<std::string>(value_at(name, Kind::kString).m_value);
}

const std::vector<uint64_t>& StatsNode::u64s(const std::string& name) const {
  return std::get<std::vector<uint64_t>>(value_at(name, Kind::kU64s).m_value);
}

}  // namespace skipsim
