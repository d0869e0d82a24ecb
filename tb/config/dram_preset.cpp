// The DRAM preset as a schema table (tb/config/schema.hpp) over DdrConfig, and the one
// resolver of preset names used by run configurations and by trace mode.
#include "tb/config/dram_preset.hpp"

#include <algorithm>
#include <filesystem>
#include <system_error>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "tb/config/paths.hpp"
#include "tb/config/run_config.hpp"
#include "tb/config/schema.hpp"

namespace skipsim {
namespace {

namespace fs = std::filesystem;
using namespace schema;

constexpr uint64_t kBig = 1000000;

// The DdrConfig member `m` of a key.
#define KEY(m) [](void* root) -> Ref { return &static_cast<DdrConfig*>(root)->m; }

// Every key, in documentation order. Powers of two and the other cross-field rules are
// validate_ddr_config's (it also guards a DdrConfig built in code).
std::vector<Field> preset_fields() {
  return {
      Of("dram.name", Kind::kString, KEY(name)),
      Pow2("dram.channels", 1, 64, KEY(channels)),
      Pow2("dram.ranks", 1, 16, KEY(ranks)),
      Pow2("dram.bank_groups", 1, 16, KEY(bank_groups)),
      Pow2("dram.banks_per_group", 1, 64, KEY(banks_per_group)),
      Pow2("dram.rows", 1, 1 << 24, KEY(rows)),
      Pow2("dram.columns", 1, 1 << 16, KEY(columns)),
      Int("dram.device_width", 1, 1024, KEY(device_width)),
      Pow2("dram.bus_bytes", 1, 1024, KEY(bus_bytes)),
      Pow2("dram.burst_length", 2, 64, KEY(burst_length)),
      Int("dram.tCK_ps", 1, 100000, KEY(tCK_ps)),
      Int("dram.CL", 1, 1000, KEY(CL)),
      Int("dram.CWL", 1, 1000, KEY(CWL)),
      Int("dram.tRCD", 1, 1000, KEY(tRCD)),
      Int("dram.tRP", 1, 1000, KEY(tRP)),
      Int("dram.tRAS", 1, 1000, KEY(tRAS)),
      Int("dram.tRC", 0, 2000, KEY(tRC)),
      Int("dram.tCCD_S", 1, 1000, KEY(tCCD_S)),
      Int("dram.tCCD_L", 1, 1000, KEY(tCCD_L)),
      Int("dram.tRRD_S", 1, 1000, KEY(tRRD_S)),
      Int("dram.tRRD_L", 1, 1000, KEY(tRRD_L)),
      Int("dram.tFAW", 1, 10000, KEY(tFAW)),
      Int("dram.tWR", 1, 1000, KEY(tWR)),
      Int("dram.tRTP", 1, 1000, KEY(tRTP)),
      Int("dram.tWTR_S", 1, 1000, KEY(tWTR_S)),
      Int("dram.tWTR_L", 1, 1000, KEY(tWTR_L)),
      Int("dram.tRFC", 1, 100000, KEY(tRFC)),
      Int("dram.tREFI", 1, 10000000, KEY(tREFI)),
      Int("dram.tRTRS", 0, 1000, KEY(tRTRS)),
      Int("dram.read_to_write_gap", 0, 1000, KEY(read_to_write_gap)),
      Of("dram.tRTRS_write_to_write", Kind::kBool, KEY(tRTRS_write_to_write)),
      Of("dram.refresh", Kind::kEnum, KEY(refresh)),
      Of("dram.page_policy", Kind::kEnum, KEY(page_policy)),
      Of("dram.address_map", Kind::kString, KEY(address_map)),
      Int("dram.read_queue", 1, 4096, KEY(read_queue)),
      Int("dram.write_queue", 1, 4096, KEY(write_queue)),
      Int("dram.write_high_watermark", 1, 4096, KEY(write_high_watermark)),
      Int("dram.write_low_watermark", 0, 4096, KEY(write_low_watermark)),
      Of("dram.queue_structure", Kind::kEnum, KEY(queue_structure)),
      Int("dram.cmd_queue_size", 1, 256, KEY(cmd_queue_size)),
      Int("dram.trans_queue_size", 1, 4096, KEY(trans_queue_size)),
      Number("dram.e_act_pj", 0, false, kBig, false, KEY(e_act_pj)),
      Number("dram.e_pre_pj", 0, false, kBig, false, KEY(e_pre_pj)),
      Number("dram.e_rd_pj", 0, false, kBig, false, KEY(e_rd_pj)),
      Number("dram.e_wr_pj", 0, false, kBig, false, KEY(e_wr_pj)),
      Number("dram.e_ref_pj", 0, false, 1e9, false, KEY(e_ref_pj)),
      Number("dram.background_mw", 0, false, kBig, false, KEY(background_mw)),
  };
}

#undef KEY

const Schema& preset_schema() {
  static constexpr std::string_view kRunConfig =
      "a run configuration, not a DRAM preset: expected a top-level `dram:` map (as in "
      "configs/dram/)";
  static const Schema s(preset_fields(), {"description"},
                        {{"hardware", kRunConfig},
                         {"workload", kRunConfig},
                         {"sim", kRunConfig},
                         {"base", kRunConfig}});
  return s;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

DdrConfig parse_dram_preset(const std::string& text, const std::string& source) {
  const Flat flat = preset_schema().load_text(text, source, fs::path("."));
  if (!contains(top_level_keys(text, source), "dram"))
    fail(source, "expected a top-level map with a `dram:` section");
  // A preset names every timing: one left out would silently take DDR4-3200's value.
  static const char* const kTimings[] = {
      "tCK_ps", "CL",   "CWL", "tRCD", "tRP",    "tRAS",   "tRC",  "tCCD_S", "tCCD_L", "tRRD_S",
      "tRRD_L", "tFAW", "tWR", "tRTP", "tWTR_S", "tWTR_L", "tRFC", "tREFI",  "tRTRS"};
  std::vector<std::string> missing;
  for (const char* k : kTimings)
    if (flat.find(std::string("dram.") + k) == flat.end()) missing.push_back(k);
  if (!missing.empty())
    fail(source, fmt::format("dram: a preset must give every timing key (tRC: 0 for tRAS + tRP); "
                             "missing: {}",
                             fmt::join(missing, ", ")));
  DdrConfig c;
  preset_schema().assign(flat, &c);
  validate_ddr_config(c, "dram", source);
  return c;
}

DdrConfig load_dram_preset(const std::string& file) {
  return parse_dram_preset(read_file(file, file, "cannot read file"), file);
}

std::string resolve_dram_preset(const std::string& preset, const std::string& where,
                                const std::string& key) {
  std::error_code ec;
  std::vector<fs::path> tried;
  const fs::path p(preset);
  tried.push_back(p);
  if (p.is_relative() && fs::is_regular_file(where, ec))
    tried.push_back(fs::path(where).parent_path() / p);
  if (p.extension() != ".yaml" && p.extension() != ".yml" && preset.find('/') == std::string::npos)
    tried.push_back(fs::path(config_dir()) / "dram" / (preset + ".yaml"));
  for (const fs::path& t : tried)
    if (fs::is_regular_file(t, ec)) return t.string();
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(fs::path(config_dir()) / "dram", ec))
    if (e.path().extension() == ".yaml") names.push_back(e.path().stem().string());
  std::sort(names.begin(), names.end());
  fail(where, fmt::format("{}{}no preset or file '{}' (presets: {})", key, key.empty() ? "" : ": ",
                          preset, fmt::join(names, ", ")));
}

DdrConfig dram_config_for_trace(const std::string& arg) {
  std::error_code ec;
  if (!fs::is_regular_file(arg, ec))
    return load_dram_preset(resolve_dram_preset(arg, "--config", ""));
  const std::string text = read_file(arg, arg, "cannot read file");
  const std::vector<std::string> keys = top_level_keys(text, arg);
  if (contains(keys, "dram")) return parse_dram_preset(text, arg);
  if (contains(keys, "hardware") || contains(keys, "base")) {
    const Flat flat = run_schema().load_file(arg);
    const Config c = assign_config(flat, arg);  // every key's type and range
    if (const auto it = flat.find("hardware.dram.preset"); it != flat.end())
      return load_dram_preset(
          resolve_dram_preset(c.hardware.dram.preset, it->second.source, "hardware.dram.preset"));
  }
  fail(arg,
       "no DRAM section: expected a DRAM preset (a top-level `dram:` map, as in configs/dram/) "
       "or a run configuration whose hardware.dram section names one (preset: NAME or FILE)");
}

}  // namespace skipsim
