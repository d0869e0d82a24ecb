#pragma once
// The message of a configuration error, for tests that check what a user is told.
#include <string>
#include <vector>

#include "hw/common/errors.hpp"
#include "tb/config/config.hpp"

namespace skipsim::test {

// The message of the InputError that f throws ("" when it does not throw).
template <typename F>
std::string error_of(F f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

// The error of parsing yaml (as file x.yaml) with the --set overrides sets.
inline std::string parse_error(const std::string& yaml, const std::vector<std::string>& sets = {}) {
  return error_of([&] { parse_config(yaml, sets, "x.yaml"); });
}

}  // namespace skipsim::test
