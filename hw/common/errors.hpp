#pragma once
// Errors the user can fix (bad usage, config or input): the CLI prints the message as one
// line and exits 2. Anything else escaping to main is an internal error (exit 1).
#include <stdexcept>
#include <string>

namespace skipsim {

class InputError : public std::runtime_error {
 public:
  explicit InputError(const std::string& what) : std::runtime_error(what) {}
};

// A long run stopped by SIGINT/SIGTERM after saving what had finished (exit 130).
class Interrupted : public std::runtime_error {
 public:
  explicit Interrupted(const std::string& what) : std::runtime_error(what) {}
};

}  // namespace skipsim
