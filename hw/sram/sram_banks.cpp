#include "hw/sram/sram_banks.hpp"

#include <fmt/format.h>

#include "tb/errors.hpp"

namespace skipsim {

SramBanks::SramBanks(int banks, uint64_t bank_bytes, int width_bytes)
    : m_banks(banks),
      m_bank_bytes(bank_bytes),
      m_width(width_bytes),
      m_capacity(static_cast<uint64_t>(banks) * bank_bytes) {}

int SramBanks::allocate(const std::string& name, uint64_t bytes) {
  const uint64_t rounded = (bytes + m_width - 1) / m_width * m_width;
  if (m_used + rounded > m_capacity) {
    std::string list;
    for (const auto& r : m_regions) list += fmt::format("{} {} B, ", r.name, r.bytes);
    throw InputError(fmt::format(
        "config error: hardware.sram: {}{} {} B do not fit: {} B needed, capacity {} banks x {} "
        "B = {} B (raise hardware.sram.banks or bank_bytes, or lower hardware.skip_fifo.depth)",
        list, name, rounded, m_used + rounded, m_banks, m_bank_bytes, m_capacity));
  }
  Region r;
  r.name = name;
  r.base = m_used;
  r.bytes = rounded;
  m_regions.push_back(r);
  m_used += rounded;
  m_mem.resize(m_used, 0);
  return static_cast<int>(m_regions.size()) - 1;
}

}  // namespace skipsim
