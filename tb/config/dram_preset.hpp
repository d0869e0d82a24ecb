#pragma once
// DRAM presets (configs/dram/*.yaml): a top-level `dram:` map of DdrConfig's keys and an
// optional `description:`, read with the schema engine (tb/config/schema.hpp), then checked
// by validate_ddr_config. Also the one resolver of preset names.
#include <string>

#include "hw/dram/ddr_config.hpp"

namespace skipsim {

// A preset from YAML text; errors name `source` and the key ("dram.tRCD").
DdrConfig parse_dram_preset(const std::string& text, const std::string& source);
DdrConfig load_dram_preset(const std::string& file);

// The file a preset reference means: a name (configs/dram/NAME.yaml under config_dir()) or a
// YAML file, relative to the working directory or to the file `where` that names it. When
// none exists, throws InputError against `where` naming `key` and listing the presets.
std::string resolve_dram_preset(const std::string& preset, const std::string& where,
                                const std::string& key);

// What `skipsim dram --config ARG` replays on: a preset file, a preset name, or a run
// configuration whose hardware.dram.preset (in it or its base files) names one.
DdrConfig dram_config_for_trace(const std::string& arg);

}  // namespace skipsim
