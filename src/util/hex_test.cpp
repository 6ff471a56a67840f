#include "util/hex.h"

#include <gtest/gtest.h>

#include "util/endian.h"
#include "util/uint256.h"

namespace bitloom {
namespace {

TEST(Hex, round_trips_all_byte_values) {
    Bytes all(256);
    for (int i = 0; i < 256; ++i) all[i] = static_cast<std::uint8_t>(i);
    const std::string text = to_hex(all);
    ASSERT_EQ(text.size(), 512u);
    EXPECT_EQ(text.substr(0, 8), "00010203");
    EXPECT_EQ(text.substr(504), "fcfdfeff");
    EXPECT_EQ(parse_hex(text), all);
}

TEST(Hex, accepts_upper_case) { EXPECT_EQ(parse_hex("ABcd"), (Bytes{0xab, 0xcd})); }

TEST(Hex, rejects_odd_length_and_bad_digits) {
    EXPECT_FALSE(parse_hex("abc"));
    EXPECT_FALSE(parse_hex("0g"));
    EXPECT_FALSE(parse_hex(" 00"));
    EXPECT_FALSE(parse_hex("0x00"));
    EXPECT_TRUE(parse_hex("").has_value());
    EXPECT_FALSE(is_hex(""));
}

TEST(Endian, reads_and_writes_both_orders) {
    std::uint8_t buf[8];
    write_le32(buf, 0x11223344);
    EXPECT_EQ(buf[0], 0x44);
    EXPECT_EQ(read_le32(buf), 0x11223344u);
    write_be32(buf, 0x11223344);
    EXPECT_EQ(buf[0], 0x11);
    EXPECT_EQ(read_be32(buf), 0x11223344u);
    write_le64(buf, 0x0102030405060708ULL);
    EXPECT_EQ(buf[0], 0x08);
    EXPECT_EQ(read_le64(buf), 0x0102030405060708ULL);
    write_be64(buf, 0x0102030405060708ULL);
    EXPECT_EQ(buf[7], 0x08);
    EXPECT_EQ(read_be64(buf), 0x0102030405060708ULL);
    write_le16(buf, 0xabcd);
    EXPECT_EQ(read_le16(buf), 0xabcd);
    write_be16(buf, 0xabcd);
    EXPECT_EQ(buf[0], 0xab);
    EXPECT_EQ(read_be16(buf), 0xabcd);
}

TEST(Uint256, shows_hashes_in_reversed_byte_order) {
    const std::string display = "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f";
    auto hash = Uint256::from_string(display);
    ASSERT_TRUE(hash);
    EXPECT_EQ((*hash)[0], 0x6f);
    EXPECT_EQ((*hash)[31], 0x00);
    EXPECT_EQ(hash->to_string(), display);
    EXPECT_FALSE(Uint256::from_string(display.substr(2)));
    EXPECT_FALSE(Uint256::from_string(std::string(64, 'z')));
    EXPECT_TRUE(Uint256().is_null());
    EXPECT_FALSE(hash->is_null());
}

}  // namespace
}  // namespace bitloom
