#pragma once
// On-chip SRAM: `banks` banks of `bank_bytes` bytes, `width_bytes` bytes per bank row.
// Consecutive rows of the address space interleave across banks. Blocks allocate named
// regions at elaboration; one past the capacity is a configuration error, raised at once,
// or, after defer_capacity_check(), by check_capacity() once every block has allocated, so
// that the message names every region.
// Plain C++ (no SystemC time): blocks read and write through their region each cycle and
// the per-region access counts feed the report.
//
// Ports: each bank serves per cycle one read and one write (dual_port) or one access of
// either kind (1RW). A block that arbitrates its accesses claims the bank rows an access
// touches for the cycle (claim); a claim that finds a port taken fails, is counted as a
// conflict of the region, and the block stalls that access.
#include <cstdint>
#include <string>
#include <vector>

#include "hw/common/stats.hpp"

namespace skipsim {

class SramBanks {
 public:
  struct Region {
    std::string name;
    uint64_t base = 0, bytes = 0;
    uint64_t reads = 0, writes = 0;  // bytes
    uint64_t conflicts = 0;          // failed claims
  };

  SramBanks(int banks, uint64_t bank_bytes, int width_bytes, bool dual_port = true);

  // Reserves `bytes` (rounded up to whole bank rows). Returns the region index. Past the
  // capacity it throws InputError, or once deferred only records the region (whose data()
  // must not be used before check_capacity()).
  int allocate(const std::string& name, uint64_t bytes);
  void defer_capacity_check() { m_defer = true; }
  // Throws InputError when the regions exceed the capacity: the bytes needed and held, every
  // region's bytes, then `advice` (which keys to change).
  void check_capacity(const std::string& advice) const;
  bool fits() const { return m_used <= m_capacity; }
  // `bytes` rounded up to whole rows of `width_bytes`, as allocate() reserves them.
  static uint64_t rounded(uint64_t bytes, int width_bytes) {
    const auto w = static_cast<uint64_t>(width_bytes);
    return (bytes + w - 1) / w * w;
  }

  uint8_t* data(int region) { return m_mem.data() + m_regions[region].base; }
  const uint8_t* data(int region) const { return m_mem.data() + m_regions[region].base; }
  void count_read(int region, uint64_t bytes) { m_regions[region].reads += bytes; }
  void count_write(int region, uint64_t bytes) { m_regions[region].writes += bytes; }

  // Claims, for `cycle`, the port of every bank row that bytes [offset, offset + n) of
  // `region` occupy. All or nothing: false (one conflict counted) when any is taken.
  bool claim(int region, uint64_t offset, uint64_t n, bool write, uint64_t cycle);
  bool dual_port() const { return m_dual_port; }
  int banks() const { return m_banks; }
  int width_bytes() const { return m_width; }

  const std::vector<Region>& regions() const { return m_regions; }
  const Region& region(int id) const { return m_regions[static_cast<size_t>(id)]; }
  // Capacity, use, ports, and per region its bytes, accesses and conflicts.
  void report(StatsNode& node) const;
  uint64_t capacity() const { return m_capacity; }
  uint64_t used() const { return m_used; }
  uint64_t bank_bytes() const { return m_bank_bytes; }
  int bank_of(uint64_t addr) const { return static_cast<int>((addr / m_width) % m_banks); }

 private:
  int m_banks;
  uint64_t m_bank_bytes;
  int m_width;
  bool m_dual_port;
  bool m_defer = false;
  uint64_t m_capacity;
  // Per bank: 1 + the last cycle its read / write port (1RW: both the same) was claimed.
  std::vector<uint64_t> m_read_claim, m_write_claim;
  uint64_t m_used = 0;
  std::vector<Region> m_regions;
  std::vector<uint8_t> m_mem;  // grows with the allocations, never past the capacity
};

}  // namespace skipsim
