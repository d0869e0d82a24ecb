// The YAML config loader with --set overrides. Input: YAML text, optionally followed by a line
// `#--set` and one override (key.path=value) per line. Read as if it were a file in
// configs/workloads/, so `base: ../npu/default.yaml` finds the shipped NPU.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "hw/common/errors.hpp"
#include "tb/config/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string in(reinterpret_cast<const char*>(data), size);
  std::string yaml = in;
  std::vector<std::string> overrides;
  static const std::string kMark = "#--set\n";
  const size_t mark = in.find(kMark);
  if (mark != std::string::npos) {
    yaml = in.substr(0, mark);
    size_t pos = mark + kMark.size();
    while (pos < in.size()) {
      size_t nl = in.find('\n', pos);
      if (nl == std::string::npos) nl = in.size();
      overrides.push_back(in.substr(pos, nl - pos));
      pos = nl + 1;
    }
  }
  try {
    (void)skipsim::parse_config(yaml, overrides, SKIPSIM_CONFIGS_DIR "/workloads/fuzz.yaml");
  } catch (const skipsim::InputError&) {
  }
  return 0;
}
