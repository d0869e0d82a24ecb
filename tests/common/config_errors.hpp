#pragma once
// The message of a configuration error, for tests that check what a user is told, and a
// scratch folder for the config files one test writes.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

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

// A fresh folder per test (name and pid) for config files, removed afterwards.
class ConfigScratch : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           fmt::format("skipsim_config_{}_{}", getpid(),
                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  // Writes text to dir_/name (creating folders on the way); returns the path.
  std::string write(const std::string& name, const std::string& text) {
    const std::filesystem::path p = dir_ / name;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p) << text;
    return p.string();
  }
  std::filesystem::path dir_;
};

}  // namespace skipsim::test
