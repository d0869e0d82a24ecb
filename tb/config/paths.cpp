#include "tb/config/paths.hpp"

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "hw/common/errors.hpp"

namespace skipsim {

namespace fs = std::filesystem;

std::string self_executable() {
  std::error_code ec;
  const auto p = fs::read_symlink("/proc/self/exe", ec);
  if (ec) throw std::runtime_error("cannot find the running binary: " + ec.message());
  return p.string();
}

std::string config_dir() {
  std::vector<fs::path> tried;
  if (const char* env = std::getenv("SKIPSIM_CONFIG_DIR"); env && *env) tried.emplace_back(env);
  const fs::path bin = fs::path(self_executable()).parent_path();
  tried.push_back(bin / "configs");                               // build tree (a link CMake makes)
  tried.push_back(bin / ".." / "configs");                        // test binaries in build/tests
  tried.push_back(bin / ".." / "share" / "skipsim" / "configs");  // installed tree
  std::error_code ec;
  for (const fs::path& p : tried)
    if (fs::is_directory(p / "dram", ec)) return p.lexically_normal().string();
  std::vector<std::string> names;
  for (const fs::path& p : tried) names.push_back(p.lexically_normal().string());
  throw InputError(
      fmt::format("cannot find skipsim's configs folder (tried: {}); set SKIPSIM_CONFIG_DIR to it",
                  fmt::join(names, ", ")));
}

}  // namespace skipsim
