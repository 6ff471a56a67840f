#include "util/arith_uint256.h"

#include <gtest/gtest.h>

namespace bitloom {
namespace {

struct CompactCase {
    std::uint32_t bits;
    const char* value_hex;  // expected decoded value
    bool negative;
    bool overflow;
    std::uint32_t reencoded;  // expected to_compact(negative) of the decoded value
};

// Cases follow the nBits format definition: exponent byte, sign bit 0x00800000, 23-bit mantissa.
const CompactCase COMPACT_CASES[] = {
    {0x00000000, "0", false, false, 0x00000000},
    {0x00123456, "0", false, false, 0x00000000},
    {0x01003456, "0", false, false, 0x00000000},
    {0x02000056, "0", false, false, 0x00000000},
    {0x03000000, "0", false, false, 0x00000000},
    {0x04000000, "0", false, false, 0x00000000},
    {0x00923456, "0", false, false, 0x00000000},
    {0x01803456, "0", false, false, 0x00000000},
    {0x02800056, "0", false, false, 0x00000000},
    {0x03800000, "0", false, false, 0x00000000},
    {0x04800000, "0", false, false, 0x00000000},
    {0x01123456, "12", false, false, 0x01120000},
    {0x01fedcba, "7e", true, false, 0x01fe0000},
    {0x02123456, "1234", false, false, 0x02123400},
    {0x03123456, "123456", false, false, 0x03123456},
    {0x04123456, "12345600", false, false, 0x04123456},
    {0x04923456, "12345600", true, false, 0x04923456},
    {0x05009234, "92340000", false, false, 0x05009234},
    {0x20123456, "1234560000000000000000000000000000000000000000000000000000000000", false, false,
     0x20123456},
};

TEST(ArithUint256, decodes_and_reencodes_compact_values) {
    for (const auto& c : COMPACT_CASES) {
        SCOPED_TRACE(c.bits);
        const auto decoded = ArithUint256::from_compact(c.bits);
        EXPECT_EQ(decoded.value, *ArithUint256::from_hex(c.value_hex));
        EXPECT_EQ(decoded.negative, c.negative);
        EXPECT_EQ(decoded.overflow, c.overflow);
        EXPECT_EQ(decoded.value.to_compact(decoded.negative), c.reencoded);
    }
}

TEST(ArithUint256, flags_overflowing_compact_values) {
    EXPECT_TRUE(ArithUint256::from_compact(0xff123456).overflow);
    EXPECT_TRUE(ArithUint256::from_compact(0x23000001).overflow);   // 1 << 256
    EXPECT_FALSE(ArithUint256::from_compact(0x22000001).overflow);  // 1 << 248
    EXPECT_TRUE(ArithUint256::from_compact(0x22000100).overflow);   // 1 << 256
    EXPECT_TRUE(ArithUint256::from_compact(0x21010000).overflow);   // 1 << 256
    EXPECT_FALSE(ArithUint256::from_compact(0x21008000).overflow);  // 1 << 255
}

TEST(ArithUint256, computes_work_of_the_mainnet_genesis_target) {
    const auto target = ArithUint256::from_compact(0x1d00ffff).value;
    EXPECT_EQ(target.to_hex(), "00000000ffff0000000000000000000000000000000000000000000000000000");
    // Work = 2^256 / (target + 1), computed without 2^256 as ~target / (target + 1) + 1.
    const ArithUint256 work = (~target / (target + 1)) + 1;
    EXPECT_EQ(work, ArithUint256(0x100010001ULL));
}

TEST(ArithUint256, does_arithmetic_with_carries) {
    const ArithUint256 max = ~ArithUint256();
    EXPECT_EQ(max + 1, ArithUint256());
    EXPECT_EQ(ArithUint256() - 1, max);
    EXPECT_EQ(max.bits(), 256u);
    EXPECT_EQ((ArithUint256(1) << 200).bits(), 201u);
    EXPECT_EQ((ArithUint256(1) << 200) >> 200, ArithUint256(1));
    EXPECT_EQ(ArithUint256(1) << 256, ArithUint256());
    EXPECT_EQ(ArithUint256(0xffffffffffffffffULL) * ArithUint256(0xffffffffffffffffULL),
              *ArithUint256::from_hex("fffffffffffffffe0000000000000001"));
    EXPECT_EQ(*ArithUint256::from_hex("fffffffffffffffe0000000000000001") /
                  ArithUint256(0xffffffffffffffffULL),
              ArithUint256(0xffffffffffffffffULL));
    EXPECT_EQ(ArithUint256(7) / ArithUint256(9), ArithUint256());
    EXPECT_LT(ArithUint256(5), ArithUint256(1) << 64);
    EXPECT_DOUBLE_EQ((ArithUint256(1) << 100).to_double(), 1267650600228229401496703205376.0);
}

TEST(ArithUint256, converts_to_and_from_hash_bytes_little_endian) {
    Uint256 hash;
    hash[0] = 0x01;
    hash[31] = 0x80;
    const auto n = ArithUint256::from_uint256(hash);
    EXPECT_EQ(n.bits(), 256u);
    EXPECT_EQ(n.low64(), 1u);
    EXPECT_EQ(n.to_uint256(), hash);
}

}  // namespace
}  // namespace bitloom
