#include "hw/sram/sram_banks.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "hw/common/errors.hpp"

namespace skipsim {

SramBanks::SramBanks(int banks, uint64_t bank_bytes, int width_bytes, bool dual_port)
    : m_banks(banks),
      m_bank_bytes(bank_bytes),
      m_width(width_bytes),
      m_dual_port(dual_port),
      m_capacity(static_cast<uint64_t>(banks) * bank_bytes),
      m_read_claim(banks, 0),
      m_write_claim(banks, 0) {}

bool SramBanks::claim(int region, uint64_t offset, uint64_t n, bool write, uint64_t cycle) {
  const uint64_t base = m_regions[region].base + offset;
  const uint64_t first = base / m_width, last = (base + std::max<uint64_t>(n, 1) - 1) / m_width;
  const uint64_t rows = std::min<uint64_t>(last - first + 1, static_cast<uint64_t>(m_banks));
  auto& port = write && m_dual_port ? m_write_claim : m_read_claim;
  for (uint64_t r = 0; r < rows; ++r) {
    if (port[(first + r) % m_banks] == cycle + 1) {
      ++m_regions[region].conflicts;
      return false;
    }
  }
  for (uint64_t r = 0; r < rows; ++r) port[(first + r) % m_banks] = cycle + 1;
  return true;
}

int SramBanks::allocate(const std::string& name, uint64_t bytes) {
  const uint64_t rounded_bytes = rounded(bytes, m_width);
  Region r;
  r.name = name;
  r.base = m_used;
  r.bytes = rounded_bytes;
  m_regions.push_back(r);
  m_used += rounded_bytes;
  if (!m_defer) check_capacity("raise hardware.sram.bank_bytes or hardware.sram.banks");
  m_mem.resize(std::min(m_used, m_capacity), 0);
  return static_cast<int>(m_regions.size()) - 1;
}

void SramBanks::check_capacity(const std::string& advice) const {
  if (fits()) return;
  std::string list;
  for (const auto& r : m_regions)
    list += fmt::format("{}{} {} B", list.empty() ? "" : ", ", r.name, r.bytes);
  throw InputError(
      fmt::format("config error: hardware.sram: {} B needed, {} B held ({} banks x {} B): {}; {}",
                  m_used, m_capacity, m_banks, m_bank_bytes, list, advice));
}

void SramBanks::report(StatsNode& node) const {
  node.set("capacity_bytes", capacity()).set("used_bytes", used()).set("dual_port", dual_port());
  uint64_t conflicts = 0;
  StatsNode& regions = node.child("regions");
  for (const Region& r : m_regions) {
    regions.child(r.name)
        .set("bytes", r.bytes)
        .set("reads", r.reads)
        .set("writes", r.writes)
        .set("conflicts", r.conflicts);
    conflicts += r.conflicts;
  }
  node.set("bank_conflicts", conflicts);
}

}  // namespace skipsim
