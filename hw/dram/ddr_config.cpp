#include "hw/dram/ddr_config.hpp"

#include <fmt/format.h>

#include "hw/common/errors.hpp"
#include "hw/dram/address_map.hpp"

namespace skipsim {
namespace {

[[noreturn]] void fail(const std::string& source, const std::string& what) {
  throw InputError(fmt::format("config error: {}: {}", source, what));
}

bool is_pow2(int64_t v) { return v > 0 && (v & (v - 1)) == 0; }

}  // namespace

uint64_t DdrConfig::capacity_bytes() const {
  return static_cast<uint64_t>(channels) * ranks * banks_per_rank() * static_cast<uint64_t>(rows) *
         columns * bus_bytes;
}

double DdrConfig::peak_gbytes_per_s() const {
  // Two beats of bus_bytes per clock.
  return channels * 2.0 * bus_bytes / tck_ns();
}

void validate_ddr_config(const DdrConfig& c, const std::string& path, const std::string& source) {
  const auto pow2 = [&](const char* name, int64_t v) {
    if (!is_pow2(v)) {
      fail(source, fmt::format("{}.{}: expected a power of two, got {}", path, name, v));
    }
  };
  pow2("channels", c.channels);
  pow2("ranks", c.ranks);
  pow2("bank_groups", c.bank_groups);
  pow2("banks_per_group", c.banks_per_group);
  pow2("rows", c.rows);
  pow2("columns", c.columns);
  pow2("bus_bytes", c.bus_bytes);
  pow2("burst_length", c.burst_length);
  if (c.columns < c.burst_length) {
    fail(source, fmt::format("{}.columns: expected at least burst_length ({}), got {}", path,
                             c.burst_length, c.columns));
  }
  if (c.tRC != 0 && c.tRC < c.tRAS) {
    fail(source, fmt::format("{}.tRC: expected 0 (derived) or at least tRAS ({}), got {}", path,
                             c.tRAS, c.tRC));
  }
  if (c.tCCD_L < c.tCCD_S) {
    fail(source,
         fmt::format("{}.tCCD_L: expected at least tCCD_S ({}), got {}", path, c.tCCD_S, c.tCCD_L));
  }
  if (c.tCCD_S < c.data_cycles()) {
    fail(source, fmt::format("{}.tCCD_S: expected at least burst_length/2 ({}), got {}", path,
                             c.data_cycles(), c.tCCD_S));
  }
  if (c.tREFI <= c.tRFC) {
    fail(source,
         fmt::format("{}.tREFI: expected more than tRFC ({}), got {}", path, c.tRFC, c.tREFI));
  }
  if (c.refresh == RefreshPolicy::kStaggered && c.tREFI < 2 * c.ranks) {
    fail(source, fmt::format("{}.tREFI: expected at least 2 x ranks ({}) with refresh: staggered, "
                             "got {}",
                             path, 2 * c.ranks, c.tREFI));
  }
  if (c.write_high_watermark > c.write_queue) {
    fail(source, fmt::format("{}.write_high_watermark: expected an integer in [1, {}] "
                             "(write_queue), got {}",
                             path, c.write_queue, c.write_high_watermark));
  }
  if (c.write_low_watermark >= c.write_high_watermark) {
    fail(source, fmt::format("{}.write_low_watermark: expected an integer in [0, {}] "
                             "(below write_high_watermark), got {}",
                             path, c.write_high_watermark - 1, c.write_low_watermark));
  }
  if (const std::string err = AddressMap::check(c.address_map); !err.empty()) {
    fail(source, fmt::format("{}.address_map: {}, got '{}'", path, err, c.address_map));
  }
}

}  // namespace skipsim
