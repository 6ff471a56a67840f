#include "encoding/base58.h"

#include <gtest/gtest.h>

#include <string>

#include "crypto/hash.h"
#include "testutil/vectors.h"
#include "util/hex.h"

namespace bitloom {
namespace {

Bytes text_bytes(std::string_view text) {
    const ByteSpan span = as_bytes(text);
    return Bytes(span.begin(), span.end());
}

// bitcoin-core/base58_encode_decode.json: [[hex, base58], ...]
TEST(Base58, encodes_and_decodes_every_reference_vector) {
    const auto cases = testutil::load_json("bitcoin-core/base58_encode_decode.json");
    std::size_t n = 0;
    for (const auto& c : cases) {
        ASSERT_EQ(c.size(), 2u) << c.dump();
        const std::string hex = c[0].get<std::string>();
        const std::string text = c[1].get<std::string>();
        const auto bytes = parse_hex(hex);
        ASSERT_TRUE(bytes.has_value()) << hex;
        EXPECT_EQ(encode_base58(*bytes), text) << hex;
        const auto decoded = decode_base58(text, bytes->size());
        ASSERT_TRUE(decoded.has_value()) << text << ": " << to_string(decoded.error());
        EXPECT_EQ(to_hex(*decoded), to_hex(*bytes)) << text;
        // The bound is exact: one byte less is too long (except for the empty string).
        if (!bytes->empty()) {
            const auto too_small = decode_base58(text, bytes->size() - 1);
            ASSERT_FALSE(too_small.has_value()) << text;
            EXPECT_EQ(too_small.error(), Base58Error::too_long);
        }
        ++n;
    }
    testutil::report_cases("base58_encode_decode", n);
    ASSERT_GT(n, 0u);
}

TEST(Base58, skips_surrounding_whitespace_like_bitcoin_core) {
    const auto decoded = decode_base58(" \t\n\v\f\r skip \r\f\v\n\t ", 3);
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(to_hex(*decoded), "971a55");
    const auto only_spaces = decode_base58("  \t ", 0);
    ASSERT_TRUE(only_spaces.has_value());
    EXPECT_TRUE(only_spaces->empty());
}

TEST(Base58, rejects_whitespace_inside_the_digits) {
    const auto decoded = decode_base58("sk ip", 10);
    ASSERT_FALSE(decoded.has_value());
    EXPECT_EQ(decoded.error(), Base58Error::invalid_character);
    EXPECT_FALSE(decode_base58(" \t\n\v\f\r skip \r\f\v\n\t a", 10).has_value());
}

TEST(Base58, rejects_characters_outside_the_alphabet) {
    for (std::string_view text :
         {"0", "O", "I", "l", "invalid", "abc+", "3vQB7B6MrGQZaxCuFg4oh0IOl"}) {
        const auto decoded = decode_base58(text, 100);
        ASSERT_FALSE(decoded.has_value()) << text;
        EXPECT_EQ(decoded.error(), Base58Error::invalid_character) << text;
    }
}

TEST(Base58, rejects_an_embedded_nul_character) {
    const std::string with_nul(
        "3vQB7B6MrGQZaxCuFg4oh\0"
        "0IOl",
        26);
    EXPECT_FALSE(decode_base58(with_nul, 100).has_value());
    const std::string trailing_nul("3vQB7B6MrGQZaxCuFg4oh\0", 22);
    EXPECT_FALSE(decode_base58(trailing_nul, 100).has_value());
    EXPECT_FALSE(decode_base58check(trailing_nul, 100).has_value());
}

TEST(Base58, counts_leading_ones_against_the_size_bound) {
    ASSERT_TRUE(decode_base58("111", 3).has_value());
    EXPECT_EQ(decode_base58("111", 3)->size(), 3u);
    const auto too_many = decode_base58("1111", 3);
    ASSERT_FALSE(too_many.has_value());
    EXPECT_EQ(too_many.error(), Base58Error::too_long);
    EXPECT_FALSE(decode_base58("11z", 2).has_value());
    EXPECT_TRUE(decode_base58("11z", 3).has_value());
}

TEST(Base58, encodes_empty_input_as_empty_text) {
    EXPECT_EQ(encode_base58({}), "");
    ASSERT_TRUE(decode_base58("", 0).has_value());
    EXPECT_TRUE(decode_base58("", 0)->empty());
}

TEST(Base58Check, decodes_a_known_string_to_its_payload) {
    const auto decoded = decode_base58check("3vQB7B6MrGQZaxCuFg4oh", 100);
    ASSERT_TRUE(decoded.has_value()) << to_string(decoded.error());
    EXPECT_EQ(*decoded, text_bytes("hello world"));
    EXPECT_EQ(encode_base58check(text_bytes("hello world")), "3vQB7B6MrGQZaxCuFg4oh");
}

TEST(Base58Check, rejects_a_wrong_checksum) {
    const auto decoded = decode_base58check("3vQB7B6MrGQZaxCuFg4oi", 100);
    ASSERT_FALSE(decoded.has_value());
    EXPECT_EQ(decoded.error(), Base58Error::bad_checksum);
}

TEST(Base58Check, bounds_the_payload_not_the_checksum) {
    EXPECT_TRUE(decode_base58check("3vQB7B6MrGQZaxCuFg4oh", 11).has_value());
    const auto decoded = decode_base58check("3vQB7B6MrGQZaxCuFg4oh", 10);
    ASSERT_FALSE(decoded.has_value());
    EXPECT_EQ(decoded.error(), Base58Error::too_long);
}

TEST(Base58Check, rejects_data_shorter_than_the_checksum) {
    for (std::string_view text : {"", "1", "111", "z"}) {
        const auto decoded = decode_base58check(text, 100);
        ASSERT_FALSE(decoded.has_value()) << text;
        EXPECT_EQ(decoded.error(), Base58Error::missing_checksum) << text;
    }
}

TEST(Base58Check, round_trips_payloads_of_every_size_up_to_64_bytes) {
    Bytes payload;
    for (int size = 0; size <= 64; ++size) {
        const std::string text = encode_base58check(payload);
        const auto decoded = decode_base58check(text, payload.size());
        ASSERT_TRUE(decoded.has_value()) << size;
        EXPECT_EQ(*decoded, payload);
        // The checksum is the first 4 bytes of SHA256d(payload).
        const auto raw = decode_base58(text, payload.size() + 4);
        ASSERT_TRUE(raw.has_value());
        const Uint256 hash = hash256(payload);
        EXPECT_TRUE(std::equal(raw->end() - 4, raw->end(), hash.begin()));
        payload.push_back(static_cast<std::uint8_t>(size % 3 == 0 ? 0 : size * 37));
    }
}

TEST(Base58Error, has_a_message_for_every_value) {
    for (Base58Error e : {Base58Error::invalid_character, Base58Error::too_long,
                          Base58Error::missing_checksum, Base58Error::bad_checksum}) {
        EXPECT_FALSE(to_string(e).empty());
    }
    EXPECT_NE(to_string(Base58Error::bad_checksum), to_string(Base58Error::too_long));
}

}  // namespace
}  // namespace bitloom
