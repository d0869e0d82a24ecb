// Unit tests of the DRAM address map: field order, sizes, wrap-around and malformed strings.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "hw/dram/address_map.hpp"
#include "hw/dram/ddr_config.hpp"
#include "hw/common/errors.hpp"

using namespace skipsim;

namespace {

DdrConfig with_map(const std::string& map) {
  DdrConfig c;  // DDR4-3200 defaults: 1 ch, 2 ranks, 4x4 banks, 64K rows, 128 bursts per row
  c.address_map = map;
  return c;
}

TEST(AddressMap, FieldsMostSignificantFirst) {
  const AddressMap m(with_map("ro-ra-bg-ba-co-ch"));
  // Offset 6 bits, ch 0, co 7, ba 2, bg 2, ra 1, ro 16.
  EXPECT_EQ(m.shift(AddressMap::kColumn), 6);
  EXPECT_EQ(m.bits(AddressMap::kColumn), 7);
  EXPECT_EQ(m.shift(AddressMap::kBank), 13);
  EXPECT_EQ(m.shift(AddressMap::kBankGroup), 15);
  EXPECT_EQ(m.shift(AddressMap::kRank), 17);
  EXPECT_EQ(m.shift(AddressMap::kRow), 18);
  EXPECT_EQ(m.bits(AddressMap::kRow), 16);
  EXPECT_EQ(m.bits(AddressMap::kChannel), 0);
  const uint64_t addr =
      (uint64_t{0x1234} << 18) | (1u << 17) | (3u << 15) | (2u << 13) | (100u << 6) | 0x3f;
  const DramAddress a = m.decode(addr);
  EXPECT_EQ(a.row, 0x1234);
  EXPECT_EQ(a.rank, 1);
  EXPECT_EQ(a.bank_group, 3);
  EXPECT_EQ(a.bank, 2);
  EXPECT_EQ(a.column, 100);
  EXPECT_EQ(a.channel, 0);
}

TEST(AddressMap, BankGroupsBelowColumnsInterleaveASequentialStream) {
  const AddressMap m(with_map("ro-ra-ba-co-bg-ch"));
  for (int i = 0; i < 8; ++i) {
    const DramAddress a = m.decode(static_cast<uint64_t>(i) * 64);
    EXPECT_EQ(a.bank_group, i % 4);
    EXPECT_EQ(a.column, i / 4);
    EXPECT_EQ(a.bank, 0);
  }
}

TEST(AddressMap, ChannelsAndRoundTrip) {
  DdrConfig c = with_map("ro-ba-bg-ra-co-ch");
  c.channels = 4;
  const AddressMap m(c);
  EXPECT_EQ(m.decode(64).channel, 1);
  EXPECT_EQ(m.decode(3 * 64).channel, 3);
  std::mt19937_64 rng(3);
  for (int i = 0; i < 1000; ++i) {
    const uint64_t addr = rng() % c.capacity_bytes() & ~uint64_t{63};
    EXPECT_EQ(m.encode(m.decode(addr)), addr);
  }
}

TEST(AddressMap, AddressesAboveCapacityWrap) {
  const DdrConfig c = with_map("ro-ra-bg-ba-co-ch");
  const AddressMap m(c);
  const DramAddress a = m.decode(c.capacity_bytes() + 5 * 64);
  EXPECT_EQ(a.row, 0);
  EXPECT_EQ(a.column, 5);
}

std::string map_error(const std::string& spec) {
  try {
    AddressMap m(with_map(spec));
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(AddressMap, MalformedStringsAreInputErrors) {
  EXPECT_EQ(map_error("ro-ra-bg-ba-co-ch"), "");
  EXPECT_NE(map_error("ro-ra-bg-bx-co-ch").find("unknown field 'bx'"), std::string::npos);
  EXPECT_NE(map_error("ro-ra-bg-ba-co-ch-ro").find("field 'ro' appears twice"), std::string::npos);
  EXPECT_NE(map_error("ro-ra-bg-ba-co").find("field 'ch' is missing"), std::string::npos);
  EXPECT_NE(map_error("").find("unknown field ''"), std::string::npos);
  EXPECT_NE(map_error("ro--ra-bg-ba-co-ch").find("unknown field ''"), std::string::npos);
  EXPECT_EQ(AddressMap::check("ch-ra-bg-ba-ro-co"), "");
}

}  // namespace
