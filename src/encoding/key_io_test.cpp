// Bitcoin Core's key_io vectors and the address part of the BIP341 wallet vectors.
#include <gtest/gtest.h>

#include <string>

#include "encoding/address.h"
#include "encoding/wif.h"
#include "testutil/vectors.h"
#include "util/hex.h"

namespace bitloom {
namespace {

// The chain names used by the vector files.
const AddressPrefixes* prefixes_for_chain(const std::string& chain) {
    if (chain == "main") return &MAINNET_ADDRESS_PREFIXES;
    if (chain == "test" || chain == "testnet4" || chain == "signet")
        return &TESTNET_ADDRESS_PREFIXES;
    if (chain == "regtest") return &REGTEST_ADDRESS_PREFIXES;
    return nullptr;
}

const AddressPrefixes* const ALL_PREFIXES[] = {&MAINNET_ADDRESS_PREFIXES, &TESTNET_ADDRESS_PREFIXES,
                                               &REGTEST_ADDRESS_PREFIXES};

std::string flip_case(std::string text) {
    for (char& c : text) {
        if (c >= 'a' && c <= 'z') {
            c = static_cast<char>(c - 'a' + 'A');
        } else if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return text;
}

Script script_from_hex(const std::string& hex) {
    const auto bytes = parse_hex(hex);
    EXPECT_TRUE(bytes.has_value()) << hex;
    return Script(bytes.value_or(Bytes{}));
}

// bitcoin-core/key_io_valid.json: [text, hex, {chain, isPrivkey, isCompressed?, tryCaseFlip?}]
// where hex is the output script of an address or the secret of a private key.
TEST(KeyIo, decodes_and_reencodes_every_valid_reference_case) {
    const auto cases = testutil::load_json("bitcoin-core/key_io_valid.json");
    std::size_t n = 0;
    for (const auto& c : cases) {
        ASSERT_EQ(c.size(), 3u) << c.dump();
        const std::string text = c[0].get<std::string>();
        const std::string hex = c[1].get<std::string>();
        const auto& meta = c[2];
        const AddressPrefixes* prefixes = prefixes_for_chain(meta.at("chain").get<std::string>());
        ASSERT_NE(prefixes, nullptr) << c.dump();

        if (meta.at("isPrivkey").get<bool>()) {
            const auto key = decode_wif(text, *prefixes);
            ASSERT_TRUE(key.has_value()) << text << ": " << to_string(key.error());
            EXPECT_EQ(to_hex(key->secret()), hex) << text;
            EXPECT_EQ(key->is_compressed(), meta.at("isCompressed").get<bool>()) << text;
            EXPECT_EQ(encode_wif(*key, *prefixes), text);
            EXPECT_FALSE(decode_address(text, *prefixes).has_value()) << text;
        } else {
            const auto destination = decode_address(text, *prefixes);
            ASSERT_TRUE(destination.has_value()) << text << ": " << to_string(destination.error());
            EXPECT_EQ(to_hex(script_for_destination(*destination).span()), hex) << text;
            EXPECT_EQ(encode_address(*destination, *prefixes), text);
            EXPECT_EQ(extract_destination(script_from_hex(hex)), *destination) << text;
            EXPECT_FALSE(decode_wif(text, *prefixes).has_value()) << text;
            if (meta.contains("tryCaseFlip") && meta.at("tryCaseFlip").get<bool>()) {
                const auto flipped = decode_address(flip_case(text), *prefixes);
                ASSERT_TRUE(flipped.has_value()) << flip_case(text);
                EXPECT_EQ(*flipped, *destination) << text;
            }
        }
        ++n;
    }
    testutil::report_cases("key_io_valid", n);
    ASSERT_GT(n, 0u);
}

// bitcoin-core/key_io_invalid.json: [text]: neither an address nor a private key anywhere.
TEST(KeyIo, rejects_every_invalid_reference_string_on_every_network) {
    const auto cases = testutil::load_json("bitcoin-core/key_io_invalid.json");
    std::size_t n = 0;
    for (const auto& c : cases) {
        ASSERT_EQ(c.size(), 1u) << c.dump();
        const std::string text = c[0].get<std::string>();
        for (const AddressPrefixes* prefixes : ALL_PREFIXES) {
            const auto destination = decode_address(text, *prefixes);
            EXPECT_FALSE(destination.has_value())
                << text << " decoded on the network with hrp " << prefixes->bech32_hrp;
            const auto report = describe_address_error(text, *prefixes);
            ASSERT_TRUE(report.has_value()) << text;
            EXPECT_FALSE(report->message.empty());
            EXPECT_FALSE(decode_wif(text, *prefixes).has_value())
                << text << " decoded as a key on the network with hrp " << prefixes->bech32_hrp;
        }
        ++n;
    }
    testutil::report_cases("key_io_invalid", n);
    ASSERT_GT(n, 0u);
}

// bitcoin-core/bip341_wallet_vectors.json, "scriptPubKey"[i].expected: the output script and
// its mainnet address.
TEST(KeyIo, encodes_bip341_output_scripts_to_their_bip350_addresses) {
    const auto vectors = testutil::load_json("bitcoin-core/bip341_wallet_vectors.json");
    std::size_t n = 0;
    for (const auto& c : vectors.at("scriptPubKey")) {
        const std::string script_hex = c.at("expected").at("scriptPubKey").get<std::string>();
        const std::string address = c.at("expected").at("bip350Address").get<std::string>();
        const Destination destination = extract_destination(script_from_hex(script_hex));
        ASSERT_TRUE(std::holds_alternative<WitnessV1Taproot>(destination)) << script_hex;
        EXPECT_EQ(encode_address(destination, MAINNET_ADDRESS_PREFIXES), address);
        const auto decoded = decode_address(address, MAINNET_ADDRESS_PREFIXES);
        ASSERT_TRUE(decoded.has_value()) << address;
        EXPECT_EQ(*decoded, destination);
        EXPECT_EQ(to_hex(script_for_destination(destination).span()), script_hex);
        ++n;
    }
    testutil::report_cases("bip341_wallet_vectors scriptPubKey", n);
    ASSERT_GT(n, 0u);
}

}  // namespace
}  // namespace bitloom
