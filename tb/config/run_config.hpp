#pragma once
// The run configuration's schema and its assembly from flattened YAML (inside tb/config; the
// rest of the tree uses tb/config/config.hpp).
#include <string>

#include "tb/config/config.hpp"
#include "tb/config/schema.hpp"

namespace skipsim {

// Every key of a run configuration (and `description`, `base`).
const schema::Schema& run_schema();

// The keys of flat assigned to a Config with the defaults, without cross-key checks.
Config assign_config(const schema::Flat& flat, const std::string& source);

// Cross-key rules, checked before elaboration (tb/config/config_checks.cpp). Errors name the
// file (or --set) that last set one of the keys involved.
void check_config(const Config& c, const schema::Flat& flat, const std::string& source);

}  // namespace skipsim
