#pragma once
// StatsNode: the statistics tree every hardware block reports into (in the spirit of
// DRAMSys's statistics). A node is either a group of named children, kept in the order
// they were first added, a list of unnamed children, or one typed value. The tree knows
// nothing of any output format: the testbench renders it as JSON or as the printed table.
#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

namespace skipsim {

class StatsNode {
 public:
  enum class Kind { kGroup, kList, kU64, kI64, kDouble, kBool, kString, kU64s, kStrings };
  using Value = std::variant<std::monostate, uint64_t, int64_t, double, bool, std::string,
                             std::vector<uint64_t>, std::vector<std::string>>;

  StatsNode() = default;
  StatsNode(const StatsNode& o);
  StatsNode& operator=(const StatsNode& o);
  StatsNode(StatsNode&&) noexcept = default;
  StatsNode& operator=(StatsNode&&) noexcept = default;

  // The child `name`, created as an empty group on first use. Turns a value into a group.
  StatsNode& child(const std::string& name);
  // Appends an unnamed child (the node becomes a list).
  StatsNode& append();
  // The child `name` as an empty list (JSON `[]` until something is appended).
  StatsNode& list(const std::string& name);

  // Sets child `name` to a value of the C++ type's kind: unsigned integers are kU64, signed
  // kI64, floating point kDouble; bool, strings and vectors as themselves.
  template <class T>
  StatsNode& set(const std::string& name, const T& v) {
    child(name).assign(v);
    return *this;
  }
  void assign(bool v) { put(Kind::kBool, v); }
  void assign(const std::string& v) { put(Kind::kString, v); }
  void assign(const char* v) { put(Kind::kString, std::string(v)); }
  void assign(const std::vector<uint64_t>& v) { put(Kind::kU64s, v); }
  void assign(const std::vector<std::string>& v) { put(Kind::kStrings, v); }
  template <class T, class = std::enable_if_t<std::is_arithmetic_v<T>>>
  void assign(T v) {
    if constexpr (std::is_floating_point_v<T>)
      put(Kind::kDouble, static_cast<double>(v));
    else if constexpr (std::is_unsigned_v<T>)
      put(Kind::kU64, static_cast<uint64_t>(v));
    else
      put(Kind::kI64, static_cast<int64_t>(v));
  }

  Kind kind() const { return m_kind; }
  bool is_value() const { return m_kind != Kind::kGroup && m_kind != Kind::kList; }
  bool has(const std::string& name) const { return find(name) != nullptr; }
  const StatsNode* find(const std::string& name) const;
  // The child `name`; throws std::out_of_range naming it when absent.
  const StatsNode& at(const std::string& name) const;
  // Children in order, with their names ("" in a list).
  size_t size() const { return m_children.size(); }
  const std::string& name_of(size_t i) const { return m_children[i].first; }
  const StatsNode& operator[](size_t i) const { return *m_children[i].second; }

  // Typed reads of child `name`; throw std::logic_error on a kind mismatch. num() reads any
  // numeric kind as a double.
  uint64_t u64(const std::string& name) const;
  int64_t i64(const std::string& name) const;
  double num(const std::string& name) const;
  bool flag(const std::string& name) const;
  const std::string& str(const std::string& name) const;
  const std::vector<uint64_t>& u64s(const std::string& name) const;
  // This node's own value.
  const Value& value() const { return m_value; }

 private:
  template <class T>
  void put(Kind k, T v) {
    m_children.clear();
    m_kind = k;
    m_value = std::move(v);
  }
  const StatsNode& value_at(const std::string& name, Kind k) const;

  Kind m_kind = Kind::kGroup;
  Value m_value;
  std::vector<std::pair<std::string, std::unique_ptr<StatsNode>>> m_children;
};

const char* to_string(StatsNode::Kind k);

}  // namespace skipsim
