#include "crypto/random.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <set>
#include <string>

namespace bitloom {
namespace {

TEST(StrongRandom, fills_buffers_of_any_size_with_distinct_values) {
    for (std::size_t size : {0u, 1u, 7u, 32u, 257u, 100000u}) {
        Bytes a(size, 0), b(size, 0);
        get_strong_random_bytes(a);
        get_strong_random_bytes(b);
        if (size >= 32) {
            EXPECT_NE(a, b) << size;
            // A buffer left all zero would mean nothing was written.
            EXPECT_TRUE(std::any_of(a.begin(), a.end(), [](std::uint8_t x) { return x != 0; })) << size;
        }
    }
    EXPECT_NE(strong_random_uint256(), strong_random_uint256());
    EXPECT_NE(strong_random_u64(), strong_random_u64());
}

TEST(StrongRandom, every_byte_value_appears_in_a_large_sample) {
    Bytes sample(1 << 16);
    get_strong_random_bytes(sample);
    std::array<int, 256> counts{};
    for (std::uint8_t b : sample) ++counts[b];
    // Expected 256 per value; a count below 128 or above 400 has probability far below 1e-12.
    for (int v = 0; v < 256; ++v) {
        EXPECT_GT(counts[v], 128) << v;
        EXPECT_LT(counts[v], 400) << v;
    }
}

TEST(FastRandom, the_same_seed_gives_the_same_sequence_and_another_seed_does_not) {
    const Uint256 seed = Uint256::from_string(std::string(64, '7')).value();
    FastRandom a(seed), b(seed);
    FastRandom c(Uint256::from_string(std::string(64, '8')).value());
    for (int i = 0; i < 100; ++i) {
        const std::uint64_t x = a.rand64();
        EXPECT_EQ(x, b.rand64());
        EXPECT_NE(x, c.rand64());
    }
    EXPECT_EQ(a.randbytes(100), b.randbytes(100));
}

TEST(FastRandom, is_the_chacha20_keystream_of_its_seed) {
    const Uint256 seed = Uint256::from_string(std::string(64, '9')).value();
    FastRandom rng(seed);
    Bytes expected(40);
    ChaCha20(seed.span()).keystream(expected);
    EXPECT_EQ(rng.randbytes(40), expected);
}

TEST(FastRandom, os_seeded_generators_differ) {
    FastRandom a, b;
    EXPECT_NE(a.rand256(), b.rand256());
}

TEST(FastRandom, randrange_stays_in_range_and_reaches_every_value) {
    FastRandom rng(Uint256::from_string(std::string(64, 'a')).value());
    for (std::uint64_t range : {1ull, 2ull, 3ull, 7ull, 10ull, 1000ull}) {
        std::set<std::uint64_t> seen;
        for (int i = 0; i < 20000; ++i) {
            const std::uint64_t v = rng.randrange(range);
            ASSERT_LT(v, range);
            seen.insert(v);
        }
        EXPECT_EQ(seen.size(), range) << range;
    }
    EXPECT_LT(rng.randrange(~std::uint64_t{0}), ~std::uint64_t{0});
}

TEST(FastRandom, randbits_respects_the_width_and_sets_the_top_bit_sometimes) {
    FastRandom rng(Uint256::from_string(std::string(64, 'b')).value());
    EXPECT_EQ(rng.randbits(0), 0u);
    for (int bits = 1; bits < 64; ++bits) {
        std::uint64_t seen = 0;
        for (int i = 0; i < 64; ++i) {
            const std::uint64_t v = rng.randbits(bits);
            ASSERT_LT(v, std::uint64_t{1} << bits) << bits;
            seen |= v;
        }
        EXPECT_EQ(seen, (std::uint64_t{1} << bits) - 1) << "every bit position set at least once, width " << bits;
    }
}

TEST(FastRandom, works_as_a_standard_random_bit_generator) {
    static_assert(std::uniform_random_bit_generator<FastRandom>);
    FastRandom rng(Uint256::from_string(std::string(64, 'c')).value());
    std::vector<int> v(100);
    for (int i = 0; i < 100; ++i) v[i] = i;
    std::vector<int> shuffled = v;
    std::shuffle(shuffled.begin(), shuffled.end(), rng);
    EXPECT_NE(shuffled, v);
    std::sort(shuffled.begin(), shuffled.end());
    EXPECT_EQ(shuffled, v);
}

}  // namespace
}  // namespace bitloom
