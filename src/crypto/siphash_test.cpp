#include "crypto/siphash.h"

#include <gtest/gtest.h>

#include <cinttypes>
#include <cstdio>
#include <string>

#include "crypto/random.h"
#include "testutil/vectors.h"
#include "util/endian.h"
#include "util/hex.h"

namespace bitloom {
namespace {

std::uint64_t parse_u64(const std::string& text) { return std::stoull(text, nullptr, 16); }

std::string hex_u64(std::uint64_t value) {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016" PRIx64, value);
    return buf;
}

// siphash.json: each case has "key" [k0, k1] as 64-bit hex numbers, "input" as a list of
// hex byte strings written one after another, and "expected" with the SipHash-2-4 result
// ("siphash24", a 64-bit hex number); other expected fields belong to other variants.
TEST(SipHash, matches_every_siphash24_case_of_the_reference_vectors) {
    const auto cases = testutil::load_json("bitcoin-core/siphash.json");
    std::size_t n = 0;
    std::size_t specialised = 0;
    for (const auto& c : cases) {
        const std::uint64_t k0 = parse_u64(c.at("key").at(0).get<std::string>());
        const std::uint64_t k1 = parse_u64(c.at("key").at(1).get<std::string>());
        const std::string expected = c.at("expected").at("siphash24").get<std::string>();
        SipHasher hasher(k0, k1);
        Bytes all;
        for (const auto& piece : c.at("input")) {
            const auto bytes = parse_hex(piece.get<std::string>());
            ASSERT_TRUE(bytes) << piece;
            hasher.write(*bytes);
            append(all, *bytes);
        }
        EXPECT_EQ(hex_u64(hasher.finalize()), expected) << "case " << n << ": " << c.dump();
        // The same bytes in a single write give the same hash.
        EXPECT_EQ(hex_u64(SipHasher(k0, k1).write(all).finalize()), expected) << "case " << n;
        // Cases shaped like the specialised functions' inputs also run through them.
        if (all.size() == 32) {
            EXPECT_EQ(hex_u64(siphash_uint256(k0, k1, Uint256(ByteSpan(all)))), expected) << "case " << n;
            ++specialised;
        } else if (all.size() == 36) {
            const Uint256 hash(ByteSpan(all).first(32));
            EXPECT_EQ(hex_u64(siphash_uint256_extra(k0, k1, hash, read_le32(all.data() + 32))), expected)
                << "case " << n;
            ++specialised;
        }
        ++n;
    }
    testutil::report_cases("siphash-2-4", n);
    testutil::report_cases("siphash-2-4 (of which also through siphash_uint256[_extra])", specialised);
    ASSERT_GT(n, 0u);
    ASSERT_GT(specialised, 0u);
}

TEST(SipHash, finalize_leaves_the_hasher_usable) {
    SipHasher hasher(1, 2);
    hasher.write(as_bytes("abc"));
    const std::uint64_t first = hasher.finalize();
    EXPECT_EQ(hasher.finalize(), first);
    hasher.write(as_bytes("def"));
    EXPECT_EQ(hasher.finalize(), SipHasher(1, 2).write(as_bytes("abcdef")).finalize());
    EXPECT_NE(hasher.finalize(), first);
}

TEST(SipHash, write_u64_writes_eight_little_endian_bytes) {
    const std::uint64_t value = 0x0706050403020100ULL;
    const std::uint8_t bytes[8] = {0, 1, 2, 3, 4, 5, 6, 7};
    EXPECT_EQ(SipHasher(3, 4).write_u64(value).finalize(), SipHasher(3, 4).write(bytes).finalize());
    // Also after an unaligned write.
    EXPECT_EQ(SipHasher(3, 4).write(as_bytes("x")).write_u64(value).finalize(),
              SipHasher(3, 4).write(as_bytes("x")).write(bytes).finalize());
}

TEST(SipHash, specialised_uint256_forms_agree_with_the_generic_hasher) {
    FastRandom rng(Uint256::from_string(std::string(64, '5')).value());
    for (int trial = 0; trial < 1000; ++trial) {
        const std::uint64_t k0 = rng.rand64(), k1 = rng.rand64();
        const Uint256 hash = rng.rand256();
        const std::uint32_t extra = static_cast<std::uint32_t>(rng.rand64());
        ASSERT_EQ(siphash_uint256(k0, k1, hash), SipHasher(k0, k1).write(hash.span()).finalize());
        std::uint8_t extra_bytes[4];
        write_le32(extra_bytes, extra);
        ASSERT_EQ(siphash_uint256_extra(k0, k1, hash, extra),
                  SipHasher(k0, k1).write(hash.span()).write(extra_bytes).finalize());
    }
}

}  // namespace
}  // namespace bitloom
