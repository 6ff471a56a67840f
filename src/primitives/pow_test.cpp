#include "primitives/pow.h"

#include <gtest/gtest.h>

#include <set>

namespace bitloom {
namespace {

const ArithUint256 MAINNET_POW_LIMIT =
    ArithUint256::from_hex("00000000ffffffffffffffffffffffffffffffffffffffffffffffffffffffff").value();
const ArithUint256 REGTEST_POW_LIMIT =
    ArithUint256::from_hex("7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff").value();

const Uint256 GENESIS_HASH =
    Uint256::from_string("000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f").value();

TEST(Pow, genesis_meets_its_target) {
    EXPECT_TRUE(check_proof_of_work(GENESIS_HASH, 0x1d00ffff, MAINNET_POW_LIMIT).has_value());
}

TEST(Pow, a_hash_above_the_target_fails) {
    // 0x1b00ffff: target 0x00000000000000ffff00..., below the genesis hash.
    const auto verdict = check_proof_of_work(GENESIS_HASH, 0x1b00ffff, MAINNET_POW_LIMIT);
    ASSERT_FALSE(verdict.has_value());
    EXPECT_EQ(verdict.error(), PowError::hash_above_target);
}

TEST(Pow, a_hash_equal_to_the_target_passes_and_one_more_fails) {
    const ArithUint256 target = ArithUint256::from_compact(0x1d00ffff).value;
    EXPECT_TRUE(check_proof_of_work(target.to_uint256(), 0x1d00ffff, MAINNET_POW_LIMIT).has_value());
    EXPECT_EQ(check_proof_of_work((target + 1).to_uint256(), 0x1d00ffff, MAINNET_POW_LIMIT).error(),
              PowError::hash_above_target);
}

TEST(Pow, rejects_malformed_and_too_easy_targets) {
    const Uint256 zero_hash;
    EXPECT_EQ(check_proof_of_work(zero_hash, 0x01fedcba, MAINNET_POW_LIMIT).error(),
              PowError::negative_target);
    EXPECT_EQ(check_proof_of_work(zero_hash, 0, MAINNET_POW_LIMIT).error(), PowError::zero_target);
    EXPECT_EQ(check_proof_of_work(zero_hash, 0x01003456, MAINNET_POW_LIMIT).error(),
              PowError::zero_target);
    EXPECT_EQ(check_proof_of_work(zero_hash, 0xff123456, MAINNET_POW_LIMIT).error(),
              PowError::target_overflow);
    EXPECT_EQ(check_proof_of_work(zero_hash, 0x207fffff, MAINNET_POW_LIMIT).error(),
              PowError::target_above_limit);
    EXPECT_EQ(check_proof_of_work(zero_hash, 0x1d010000, MAINNET_POW_LIMIT).error(),
              PowError::target_above_limit);
    EXPECT_TRUE(check_proof_of_work(zero_hash, 0x207fffff, REGTEST_POW_LIMIT).has_value());
}

TEST(Pow, target_from_bits_returns_the_decoded_target) {
    const auto target = target_from_bits(0x1d00ffff, MAINNET_POW_LIMIT);
    ASSERT_TRUE(target.has_value());
    EXPECT_EQ(target->to_hex(), "00000000ffff0000000000000000000000000000000000000000000000000000");
}

TEST(Pow, block_work_is_two_to_the_256_over_target_plus_one) {
    EXPECT_EQ(block_work(0x1d00ffff), ArithUint256(0x100010001));  // genesis
    EXPECT_EQ(block_work(0x207fffff), ArithUint256(2));             // regtest
    EXPECT_EQ(block_work(0), ArithUint256());
    EXPECT_EQ(block_work(0x01fedcba), ArithUint256());
    EXPECT_EQ(block_work(0xff123456), ArithUint256());
}

TEST(Pow, every_error_has_a_distinct_reason) {
    const PowError all[] = {PowError::negative_target, PowError::zero_target,
                            PowError::target_overflow, PowError::target_above_limit,
                            PowError::hash_above_target};
    std::set<std::string_view> reasons;
    for (PowError e : all) reasons.insert(to_string(e));
    EXPECT_EQ(reasons.size(), std::size(all));
}

}  // namespace
}  // namespace bitloom
