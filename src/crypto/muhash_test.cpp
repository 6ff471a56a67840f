#include "crypto/muhash.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "crypto/random.h"
#include "crypto/sha256.h"
#include "util/hex.h"

namespace bitloom {
namespace {

// Bitcoin Core's FromInt(i) test helper: the set holding the 32-byte element {i, 0, ..., 0}.
Bytes element_of(std::uint8_t i) {
    Bytes e(32, 0);
    e[0] = i;
    return e;
}

TEST(MuHash3072, reproduces_bitcoin_cores_known_answer) {
    // crypto_tests.cpp muhash_tests: FromInt(0) * FromInt(1) / FromInt(2), printed as uint256.
    const std::string expected = "10d312b100cbd32ada024a6646e40d3482fcff103668d2625f10002a607d5863";
    MuHash3072 acc(element_of(0));
    acc.combine(MuHash3072(element_of(1)));
    acc.subtract(MuHash3072(element_of(2)));
    EXPECT_EQ(acc.finalize().to_string(), expected);

    MuHash3072 acc2(element_of(0));
    acc2.insert(element_of(1)).remove(element_of(2));
    EXPECT_EQ(acc2.finalize().to_string(), expected);
}

TEST(MuHash3072, serializes_like_bitcoin_core) {
    // Core's serialization check of FromInt(1) * FromInt(2): its expected hex starts so, and
    // the denominator (second half) is 1.
    MuHash3072 acc(element_of(1));
    acc.combine(MuHash3072(element_of(2)));
    const auto bytes = acc.serialize();
    const std::string core_prefix = "1fa093295ea30a6a3acdc7b3f770fa538eff537528e990e2910e40bbcfd7f6696b1256901";
    EXPECT_EQ(to_hex(bytes).substr(0, core_prefix.size()), core_prefix);
    Bytes one(MuHash3072::NUMBER_SIZE, 0);
    one[0] = 1;
    EXPECT_EQ(Bytes(bytes.begin() + MuHash3072::NUMBER_SIZE, bytes.end()), one);

    const auto back = MuHash3072::deserialize(bytes);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->finalize(), acc.finalize());
    EXPECT_FALSE(MuHash3072::deserialize(ByteSpan(bytes).first(767)));
}

TEST(MuHash3072, reduces_a_numerator_above_the_modulus_like_bitcoin_core) {
    // Core's overflow check: numerator 2^3072 - 1 (all ones), denominator 1.
    Bytes state(MuHash3072::SERIALIZED_SIZE, 0);
    std::fill(state.begin(), state.begin() + MuHash3072::NUMBER_SIZE, 0xff);
    state[MuHash3072::NUMBER_SIZE] = 1;
    const auto acc = MuHash3072::deserialize(state);
    ASSERT_TRUE(acc);
    EXPECT_EQ(to_hex(acc->finalize().span()), "3a31e6903aff0de9f62f9a9f7f8b861de76ce2cda09822b90014319ae5dc2271");
}

TEST(MuHash3072, empty_set_hashes_the_encoding_of_one) {
    Bytes one(MuHash3072::NUMBER_SIZE, 0);
    one[0] = 1;
    EXPECT_EQ(MuHash3072().finalize(), sha256(one));
    EXPECT_EQ(to_hex(MuHash3072().finalize().span()),
              "c85525462fdcf30a2c18d6f4b92923000974355c2477f59594d2c205a1d25add");
}

TEST(MuHash3072, matches_an_independent_big_integer_computation) {
    // Computed with Python integers and an independent ChaCha20: three insertions and two
    // removals of elements never inserted, so the denominator needs a real inversion.
    Bytes hundred(100);
    for (int i = 0; i < 100; ++i) hundred[i] = static_cast<std::uint8_t>(i);
    MuHash3072 acc;
    acc.insert(Bytes{}).insert(as_bytes("bitloom")).insert(hundred);
    acc.remove(as_bytes("removed")).remove(as_bytes("twice"));
    EXPECT_EQ(to_hex(acc.finalize().span()), "9f3b9c9a637a2566ed6ef4555112b6e8a6bbf3a123b70ab590f9c8957fea29e5");
}

TEST(MuHash3072, inserting_then_removing_an_element_cancels_it) {
    MuHash3072 acc;
    acc.insert(as_bytes("a")).insert(as_bytes("b")).remove(as_bytes("a"));
    EXPECT_EQ(acc.finalize(), MuHash3072().insert(as_bytes("b")).finalize());
    acc.remove(as_bytes("b"));
    EXPECT_EQ(acc.finalize(), MuHash3072().finalize());
    EXPECT_NE(MuHash3072().insert(as_bytes("a")).finalize(), MuHash3072().insert(as_bytes("b")).finalize());
}

TEST(MuHash3072, result_does_not_depend_on_the_order_of_operations) {
    FastRandom rng(Uint256::from_string(std::string(64, '6')).value());
    for (int trial = 0; trial < 5; ++trial) {
        // Operation t: bit 2 set = remove, bits 0-1 = which of four elements.
        std::vector<int> ops(6);
        for (int& op : ops) op = static_cast<int>(rng.randbits(3));
        std::vector<Uint256> results;
        for (int order = 0; order < 4; ++order) {
            MuHash3072 acc;
            for (int op : ops) {
                if (op & 4) {
                    acc.remove(element_of(static_cast<std::uint8_t>(op & 3)));
                } else {
                    acc.insert(element_of(static_cast<std::uint8_t>(op & 3)));
                }
            }
            results.push_back(acc.finalize());
            std::shuffle(ops.begin(), ops.end(), rng);
        }
        for (const Uint256& r : results) EXPECT_EQ(r, results[0]) << "trial " << trial;
    }
}

TEST(MuHash3072, combining_two_sets_equals_building_their_union) {
    MuHash3072 left, right, both;
    for (int i = 0; i < 5; ++i) {
        const Bytes e = element_of(static_cast<std::uint8_t>(i));
        (i % 2 ? left : right).insert(e);
        both.insert(e);
    }
    left.remove(element_of(9));
    both.remove(element_of(9));
    MuHash3072 combined = left;
    combined.combine(right);
    EXPECT_EQ(combined.finalize(), both.finalize());
    combined.subtract(right);
    EXPECT_EQ(combined.finalize(), left.finalize());
}

TEST(MuHash3072, finalize_does_not_change_the_set) {
    MuHash3072 acc;
    acc.insert(as_bytes("x")).remove(as_bytes("y"));
    const Uint256 first = acc.finalize();
    EXPECT_EQ(acc.finalize(), first);
    acc.insert(as_bytes("y"));
    EXPECT_EQ(acc.finalize(), MuHash3072().insert(as_bytes("x")).finalize());
}

}  // namespace
}  // namespace bitloom
