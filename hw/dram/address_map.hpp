#pragma once
// AddressMap: splits a byte address into channel / rank / bank group / bank / row / column by
// bit fields named in a field-order string, most significant first, e.g. "ro-ra-bg-ba-co-ch".
// Below all fields lie the byte offset within one burst; `co` counts bursts within a row.
// Every field must appear exactly once; a field of size 1 takes no bits. Address bits above
// the capacity are ignored (the address space wraps).
#include <array>
#include <cstdint>
#include <string>

#include "hw/dram/ddr_config.hpp"

namespace skipsim {

struct DramAddress {
  int channel = 0;
  int rank = 0;
  int bank_group = 0;
  int bank = 0;  // within its bank group
  int64_t row = 0;
  int column = 0;  // burst index within the row
};

class AddressMap {
 public:
  enum Field { kChannel, kRank, kBankGroup, kBank, kRow, kColumn, kFields };

  // Throws InputError naming the bad field when the string is malformed.
  explicit AddressMap(const DdrConfig& cfg);

  // Why `spec` is not a valid field-order string ("" when it is).
  static std::string check(const std::string& spec);

  DramAddress decode(uint64_t addr) const {
    DramAddress a;
    a.channel = static_cast<int>(field(addr, kChannel));
    a.rank = static_cast<int>(field(addr, kRank));
    a.bank_group = static_cast<int>(field(addr, kBankGroup));
    a.bank = static_cast<int>(field(addr, kBank));
    a.row = static_cast<int64_t>(field(addr, kRow));
    a.column = static_cast<int>(field(addr, kColumn));
    return a;
  }
  // The inverse of decode for in-range fields (burst-aligned).
  uint64_t encode(const DramAddress& a) const;

  int shift(Field f) const { return m_shift[f]; }
  int bits(Field f) const { return m_bits[f]; }

 private:
  uint64_t field(uint64_t addr, Field f) const { return (addr >> m_shift[f]) & m_mask[f]; }

  std::array<int, kFields> m_shift{}, m_bits{};
  std::array<uint64_t, kFields> m_mask{};
};

}  // namespace skipsim
