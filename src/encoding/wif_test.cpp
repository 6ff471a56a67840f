#include "encoding/wif.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "encoding/base58.h"
#include "util/hex.h"

namespace bitloom {
namespace {

// Bitcoin Core key_io_valid.json: a mainnet compressed key.
constexpr std::string_view MAINNET_COMPRESSED =
    "L5nJeqKmpHp4P7F8ZYyjwc5a7P4d8EabuGAzfGJk7yC1BJyzNaEd";
constexpr std::string_view MAINNET_COMPRESSED_SECRET =
    "ff778740f88ddcf102aeb81daee289c044c4a4571c4b6f287400f4b8e0b843f8";
constexpr std::string_view CURVE_ORDER_HEX =
    "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141";

// WIF text for an arbitrary payload: prefix || secret || suffix.
std::string wif_of(std::uint8_t prefix, std::string_view secret_hex, ByteSpan suffix) {
    Bytes payload{prefix};
    append(payload, *parse_hex(secret_hex));
    append(payload, suffix);
    return encode_base58check(payload);
}

std::string one_less(std::string_view hex) {
    Bytes bytes = *parse_hex(hex);
    for (auto it = bytes.rbegin(); it != bytes.rend(); ++it) {
        if ((*it)-- != 0) break;
    }
    return to_hex(bytes);
}

TEST(Wif, decodes_a_compressed_mainnet_key_and_encodes_it_back) {
    const auto key = decode_wif(MAINNET_COMPRESSED, MAINNET_ADDRESS_PREFIXES);
    ASSERT_TRUE(key.has_value()) << to_string(key.error());
    EXPECT_EQ(to_hex(key->secret()), MAINNET_COMPRESSED_SECRET);
    EXPECT_TRUE(key->is_compressed());
    EXPECT_EQ(encode_wif(*key, MAINNET_ADDRESS_PREFIXES), MAINNET_COMPRESSED);
}

TEST(Wif, rejects_a_key_of_another_network) {
    const auto key = decode_wif(MAINNET_COMPRESSED, TESTNET_ADDRESS_PREFIXES);
    ASSERT_FALSE(key.has_value());
    EXPECT_EQ(key.error(), WifError::wrong_prefix);
}

TEST(Wif, rejects_a_compression_flag_other_than_one) {
    for (std::uint8_t flag : {0x00, 0x02, 0xff}) {
        const std::string text = wif_of(0x80, MAINNET_COMPRESSED_SECRET, Bytes{flag});
        const auto key = decode_wif(text, MAINNET_ADDRESS_PREFIXES);
        ASSERT_FALSE(key.has_value()) << int{flag};
        EXPECT_EQ(key.error(), WifError::invalid_compression_flag);
    }
}

TEST(Wif, rejects_payloads_of_the_wrong_length) {
    const std::string secret(MAINNET_COMPRESSED_SECRET);
    for (const std::string& text : {
             wif_of(0x80, secret.substr(2), {}),       // 31-byte secret
             wif_of(0x80, secret, Bytes{0x01, 0x01}),  // 35 bytes
             wif_of(0x80, secret + secret, {}),        // far too long
             encode_base58check(Bytes{0x80}),          // prefix only
         }) {
        const auto key = decode_wif(text, MAINNET_ADDRESS_PREFIXES);
        ASSERT_FALSE(key.has_value()) << text;
        EXPECT_EQ(key.error(), WifError::wrong_length) << text;
    }
}

TEST(Wif, rejects_secrets_outside_the_curve_order) {
    for (const std::string& secret :
         {std::string(64, '0'), std::string(CURVE_ORDER_HEX), std::string(64, 'f')}) {
        for (bool compressed : {false, true}) {
            const std::string text = wif_of(0x80, secret, compressed ? Bytes{0x01} : Bytes{});
            const auto key = decode_wif(text, MAINNET_ADDRESS_PREFIXES);
            ASSERT_FALSE(key.has_value()) << secret;
            EXPECT_EQ(key.error(), WifError::invalid_secret) << secret;
        }
    }
    const std::string largest = one_less(CURVE_ORDER_HEX);
    const auto key = decode_wif(wif_of(0x80, largest, {}), MAINNET_ADDRESS_PREFIXES);
    ASSERT_TRUE(key.has_value());
    EXPECT_EQ(to_hex(key->secret()), largest);
    EXPECT_FALSE(key->is_compressed());
}

TEST(Wif, rejects_a_wrong_checksum_and_non_base58_text) {
    std::string text(MAINNET_COMPRESSED);
    text[10] = text[10] == 'a' ? 'b' : 'a';
    ASSERT_FALSE(decode_wif(text, MAINNET_ADDRESS_PREFIXES).has_value());
    EXPECT_EQ(decode_wif(text, MAINNET_ADDRESS_PREFIXES).error(), WifError::bad_checksum);
    text[10] = '0';
    EXPECT_EQ(decode_wif(text, MAINNET_ADDRESS_PREFIXES).error(), WifError::invalid_encoding);
    EXPECT_EQ(decode_wif("", MAINNET_ADDRESS_PREFIXES).error(), WifError::wrong_length);
}

TEST(Wif, round_trips_uncompressed_and_compressed_keys_on_every_network) {
    const auto secret =
        *parse_hex("0000000000000000000000000000000000000000000000000000000000000001");
    for (const auto* prefixes :
         {&MAINNET_ADDRESS_PREFIXES, &TESTNET_ADDRESS_PREFIXES, &REGTEST_ADDRESS_PREFIXES}) {
        for (bool compressed : {false, true}) {
            const auto key = PrivateKey::from_bytes(secret, compressed);
            ASSERT_TRUE(key.has_value());
            const std::string text = encode_wif(*key, *prefixes);
            const auto decoded = decode_wif(text, *prefixes);
            ASSERT_TRUE(decoded.has_value()) << text;
            EXPECT_EQ(to_hex(decoded->secret()), to_hex(secret));
            EXPECT_EQ(decoded->is_compressed(), compressed);
        }
    }
}

TEST(WifError, has_a_distinct_message_for_every_value) {
    std::vector<std::string_view> seen;
    for (WifError e :
         {WifError::invalid_encoding, WifError::bad_checksum, WifError::wrong_length,
          WifError::wrong_prefix, WifError::invalid_compression_flag, WifError::invalid_secret}) {
        const auto message = to_string(e);
        EXPECT_FALSE(message.empty());
        EXPECT_EQ(std::count(seen.begin(), seen.end(), message), 0);
        seen.push_back(message);
    }
}

}  // namespace
}  // namespace bitloom
