#pragma once
// Where the shipped configs (configs/dram presets, NPU presets, topologies) are found at run
// time: $SKIPSIM_CONFIG_DIR, else beside the running binary (`configs/` in the build tree,
// `../share/skipsim/configs` in an installed tree). No source path is compiled in.
#include <string>

namespace skipsim {

// The configs folder; throws InputError listing the places tried when none exists.
std::string config_dir();

// Path of the running executable (/proc/self/exe).
std::string self_executable();

}  // namespace skipsim
