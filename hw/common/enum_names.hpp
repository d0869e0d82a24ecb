#pragma once
// One name table per enum, written next to the enum's definition:
//
//   enum class Dataflow { kWs, kOs, kIs };
//   inline constexpr EnumName<Dataflow> kDataflowNames[] = {
//       {Dataflow::kWs, "ws"}, {Dataflow::kOs, "os"}, {Dataflow::kIs, "is"}};
//   constexpr const auto& enum_table(Dataflow) { return kDataflowNames; }
//
// Configs, the command line and reports then name, parse and list the values through
// enum_name / parse_enum / enum_choices (found by argument-dependent lookup), never by
// spelling the names again.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace skipsim {

template <typename E>
struct EnumName {
  E value;
  std::string_view name;
};

template <typename E>
constexpr std::string_view enum_name(E v) {
  for (const EnumName<E>& n : enum_table(E{}))
    if (n.value == v) return n.name;
  return "?";
}

// The value named s (case-sensitive), or nullopt.
template <typename E>
constexpr std::optional<E> parse_enum(std::string_view s) {
  for (const EnumName<E>& n : enum_table(E{}))
    if (n.name == s) return n.value;
  return std::nullopt;
}

// Every name, in table order.
template <typename E>
std::vector<std::string> enum_names() {
  std::vector<std::string> out;
  for (const EnumName<E>& n : enum_table(E{})) out.emplace_back(n.name);
  return out;
}

// "ws, os, is" (with sep between the names).
template <typename E>
std::string enum_choices(std::string_view sep = ", ") {
  std::string out;
  for (const EnumName<E>& n : enum_table(E{})) {
    if (!out.empty()) out += sep;
    out += n.name;
  }
  return out;
}

}  // namespace skipsim
