#include "encoding/address.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "encoding/base58.h"
#include "testutil/vectors.h"
#include "util/hex.h"

namespace bitloom {
namespace {

std::string lower(std::string text) {
    for (char& c : text) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return text;
}

const AddressPrefixes& prefixes_for_hrp(std::string_view text) {
    return lower(std::string(text.substr(0, 2))) == "bc" ? MAINNET_ADDRESS_PREFIXES
                                                         : TESTNET_ADDRESS_PREFIXES;
}

Script script_from_hex(std::string_view hex) {
    const auto bytes = parse_hex(hex);
    EXPECT_TRUE(bytes.has_value()) << hex;
    return Script(bytes.value_or(Bytes{}));
}

struct ValidAddress {
    std::string address;
    std::string script_hex;
};

// Valid segwit addresses of BIP350 ("Test vectors for v0-v16 native segregated witness
// addresses"), /work/shared/specs/bips/bip-0350.mediawiki.
const std::vector<ValidAddress> BIP350_VALID_ADDRESSES = {
    {"BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", "0014751e76e8199196d454941c45d1b3a323f1433bd6"},
    {"tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7",
     "00201863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262"},
    {"bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y",
     "5128751e76e8199196d454941c45d1b3a323f1433bd6751e76e8199196d454941c45d1b3a323f1433bd6"},
    {"BC1SW50QGDZ25J", "6002751e"},
    {"bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs", "5210751e76e8199196d454941c45d1b3a323"},
    {"tb1qqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesrxh6hy",
     "0020000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433"},
    {"tb1pqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesf3hn0c",
     "5120000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433"},
    {"bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
     "512079be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"},
};

// Valid segwit addresses of BIP173, /work/shared/specs/bips/bip-0173.mediawiki. The version 0
// ones are still valid; the version 1+ ones use Bech32 and BIP350 made them invalid.
const std::vector<ValidAddress> BIP173_V0_ADDRESSES = {
    {"BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", "0014751e76e8199196d454941c45d1b3a323f1433bd6"},
    {"tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7",
     "00201863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262"},
    {"tb1qqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesrxh6hy",
     "0020000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433"},
};
const std::vector<std::string> BIP173_V1_PLUS_ADDRESSES = {
    "bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7k7grplx",
    "BC1SW50QA3JX3S",
    "bc1zw508d6qejxtdg4y5r3zarvaryvg6kdaj",
};

struct InvalidAddress {
    std::string address;
    AddressError error;
    std::string message;  // describe_address_error's message; empty: to_string(error)
};

// Invalid segwit addresses of BIP173 and BIP350 with the error Bitcoin Core reports for them
// on the network whose hrp they start with (mainnet for "tc1", which matches no network).
const std::vector<InvalidAddress> BIP173_INVALID_ADDRESSES = {
    {"tc1qw508d6qejxtdg4y5r3zarvary0c5xw7kg3g4ty", AddressError::invalid_encoding, ""},
    {"bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5", AddressError::bech32_invalid_bech32_checksum,
     "Invalid Bech32 checksum"},
    {"BC13W508D6QEJXTDG4Y5R3ZARVARY0C5XW7KN40WF2", AddressError::v1_plus_requires_bech32m, ""},
    {"bc1rw5uspcuh", AddressError::v1_plus_requires_bech32m, ""},
    {"bc10w508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kw5rljs90",
     AddressError::v1_plus_requires_bech32m, ""},
    {"BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P", AddressError::v0_wrong_program_size,
     "Invalid Bech32 v0 address program size (16 bytes), per BIP141"},
    {"tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sL5k7",
     AddressError::bech32_invalid_character, "Invalid character or mixed case"},
    {"bc1zw508d6qejxtdg4y5r3zarvaryvqyzf3du", AddressError::v1_plus_requires_bech32m, ""},
    {"tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3pjxtptv",
     AddressError::invalid_padding, "Invalid padding in Bech32 data section"},
    {"bc1gmk9yu", AddressError::bech32_empty_data, "Empty Bech32 data section"},
};
const std::vector<InvalidAddress> BIP350_INVALID_ADDRESSES = {
    {"tc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq5zuyut",
     AddressError::invalid_encoding, "Invalid or unsupported Segwit (Bech32) or Base58 encoding."},
    {"bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd",
     AddressError::v1_plus_requires_bech32m,
     "Version 1+ witness address must use Bech32m checksum"},
    {"tb1z0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqglt7rf",
     AddressError::v1_plus_requires_bech32m, ""},
    {"BC1S0XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ54WELL",
     AddressError::v1_plus_requires_bech32m, ""},
    {"bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh", AddressError::v0_requires_bech32,
     "Version 0 witness address must use Bech32 checksum"},
    {"tb1q0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq24jc47",
     AddressError::v0_requires_bech32, ""},
    {"bc1p38j9r5y49hruaue7wxjce0updqjuyyx0kh56v8s25huc6995vvpql3jow4",
     AddressError::bech32_invalid_data_character, "Invalid Base 32 character"},
    {"BC130XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ7ZWS8R",
     AddressError::invalid_witness_version, "Invalid Bech32 address witness version"},
    {"bc1pw5dgrnzv", AddressError::wrong_program_size,
     "Invalid Bech32 address program size (1 byte)"},
    {"bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v8n0nx0muaewav253zgeav",
     AddressError::wrong_program_size, "Invalid Bech32 address program size (41 bytes)"},
    {"BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P", AddressError::v0_wrong_program_size,
     "Invalid Bech32 v0 address program size (16 bytes), per BIP141"},
    {"tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq47Zagq",
     AddressError::bech32_invalid_character, ""},
    {"bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v07qwwzcrf",
     AddressError::invalid_padding, ""},
    {"tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vpggkg4j",
     AddressError::invalid_padding, ""},
    {"bc1gmk9yu", AddressError::bech32_empty_data, ""},
};

void expect_valid_addresses(const std::vector<ValidAddress>& cases) {
    for (const auto& c : cases) {
        const AddressPrefixes& prefixes = prefixes_for_hrp(c.address);
        const auto decoded = decode_address(c.address, prefixes);
        ASSERT_TRUE(decoded.has_value()) << c.address << ": " << to_string(decoded.error());
        EXPECT_EQ(to_hex(script_for_destination(*decoded).span()), c.script_hex) << c.address;
        EXPECT_EQ(encode_address(*decoded, prefixes), lower(c.address));
        EXPECT_EQ(extract_destination(script_from_hex(c.script_hex)), *decoded) << c.address;
        EXPECT_FALSE(describe_address_error(c.address, prefixes).has_value());
    }
}

void expect_invalid_addresses(const std::vector<InvalidAddress>& cases) {
    for (const auto& c : cases) {
        const AddressPrefixes& prefixes = prefixes_for_hrp(c.address);
        const auto decoded = decode_address(c.address, prefixes);
        ASSERT_FALSE(decoded.has_value()) << c.address;
        EXPECT_EQ(decoded.error(), c.error)
            << c.address << ": got \"" << to_string(decoded.error()) << "\"";
        const auto report = describe_address_error(c.address, prefixes);
        ASSERT_TRUE(report.has_value());
        EXPECT_EQ(report->error, c.error);
        EXPECT_EQ(report->message, c.message.empty() ? std::string(to_string(c.error)) : c.message)
            << c.address;
        // Invalid on every network.
        for (const auto* other :
             {&MAINNET_ADDRESS_PREFIXES, &TESTNET_ADDRESS_PREFIXES, &REGTEST_ADDRESS_PREFIXES}) {
            EXPECT_FALSE(decode_address(c.address, *other).has_value()) << c.address;
        }
    }
}

TEST(Address, decodes_the_bip350_valid_addresses_to_their_scripts) {
    expect_valid_addresses(BIP350_VALID_ADDRESSES);
    testutil::report_cases("bip350 valid addresses", BIP350_VALID_ADDRESSES.size());
}

TEST(Address, decodes_the_bip173_version_0_addresses_to_their_scripts) {
    expect_valid_addresses(BIP173_V0_ADDRESSES);
    testutil::report_cases("bip173 valid v0 addresses", BIP173_V0_ADDRESSES.size());
}

TEST(Address, rejects_bip173_version_1_plus_addresses_since_bip350) {
    for (const std::string& address : BIP173_V1_PLUS_ADDRESSES) {
        const auto decoded = decode_address(address, MAINNET_ADDRESS_PREFIXES);
        ASSERT_FALSE(decoded.has_value()) << address;
        EXPECT_EQ(decoded.error(), AddressError::v1_plus_requires_bech32m) << address;
    }
    testutil::report_cases("bip173 v1+ addresses", BIP173_V1_PLUS_ADDRESSES.size());
}

TEST(Address, rejects_the_bip173_invalid_addresses_with_cores_messages) {
    expect_invalid_addresses(BIP173_INVALID_ADDRESSES);
    testutil::report_cases("bip173 invalid addresses", BIP173_INVALID_ADDRESSES.size());
}

TEST(Address, rejects_the_bip350_invalid_addresses_with_cores_messages) {
    expect_invalid_addresses(BIP350_INVALID_ADDRESSES);
    testutil::report_cases("bip350 invalid addresses", BIP350_INVALID_ADDRESSES.size());
}

TEST(Address, names_both_hrps_when_a_segwit_address_is_for_another_network) {
    // "bcrt1..." starts with mainnet's "bc", so it is read as Bech32 and fails on the hrp.
    const std::string regtest = "bcrt1qdavt4j2sd7dlhqsavtnfxvzppw6k7qy97tmnu9";
    ASSERT_TRUE(decode_address(regtest, REGTEST_ADDRESS_PREFIXES).has_value());
    const auto decoded = decode_address(regtest, MAINNET_ADDRESS_PREFIXES);
    ASSERT_FALSE(decoded.has_value());
    EXPECT_EQ(decoded.error(), AddressError::bech32_wrong_hrp);
    EXPECT_EQ(describe_address_error(regtest, MAINNET_ADDRESS_PREFIXES)->message,
              "Invalid or unsupported prefix for Segwit (Bech32) address (expected bc, got bcrt).");
    // "bc1..." does not start with "bcrt" and so fails as Base58 on regtest.
    const auto reverse =
        decode_address("bc1qvyq0cc6rahyvsazfdje0twl7ez82ndmuac2lhv", REGTEST_ADDRESS_PREFIXES);
    ASSERT_FALSE(reverse.has_value());
    EXPECT_EQ(reverse.error(), AddressError::invalid_encoding);
}

TEST(Address, locates_bech32_errors_in_the_report) {
    std::string text = "bc1qvyq0cc6rahyvsazfdje0twl7ez82ndmuac2lhv";
    text[10] = text[10] == 'q' ? 'p' : 'q';
    text[20] = text[20] == 'q' ? 'p' : 'q';
    const auto report = describe_address_error(text, MAINNET_ADDRESS_PREFIXES);
    ASSERT_TRUE(report.has_value());
    EXPECT_EQ(report->error, AddressError::bech32_invalid_bech32_checksum);
    EXPECT_EQ(report->message, "Invalid Bech32 checksum");
    EXPECT_EQ(report->error_locations, (std::vector<std::size_t>{10, 20}));
}

TEST(Address, distinguishes_base58_length_prefix_and_checksum_errors) {
    Bytes payload(21, 0x42);
    payload[0] = MAINNET_ADDRESS_PREFIXES.pubkey_hash;
    ASSERT_TRUE(decode_address(encode_base58check(payload), MAINNET_ADDRESS_PREFIXES).has_value());

    Bytes short_payload(payload.begin(), payload.end() - 1);
    EXPECT_EQ(decode_address(encode_base58check(short_payload), MAINNET_ADDRESS_PREFIXES).error(),
              AddressError::base58_wrong_length);

    Bytes other_prefix = payload;
    other_prefix[0] = 0x30;
    EXPECT_EQ(decode_address(encode_base58check(other_prefix), MAINNET_ADDRESS_PREFIXES).error(),
              AddressError::base58_wrong_prefix);
    EXPECT_EQ(to_string(AddressError::base58_wrong_prefix),
              "Invalid or unsupported Base58-encoded address.");
    // A mainnet P2PKH address on a test network has a foreign prefix.
    EXPECT_EQ(
        decode_address("1FsSia9rv4NeEwvJ2GvXrX7LyxYspbN2mo", TESTNET_ADDRESS_PREFIXES).error(),
        AddressError::base58_wrong_prefix);

    Bytes long_payload = payload;
    long_payload.push_back(0);
    EXPECT_EQ(decode_address(encode_base58check(long_payload), MAINNET_ADDRESS_PREFIXES).error(),
              AddressError::base58_checksum_or_length);

    std::string bad_checksum = encode_base58check(payload);
    bad_checksum.back() = bad_checksum.back() == 'z' ? 'y' : 'z';
    EXPECT_EQ(decode_address(bad_checksum, MAINNET_ADDRESS_PREFIXES).error(),
              AddressError::base58_checksum_or_length);
    EXPECT_EQ(to_string(AddressError::base58_checksum_or_length),
              "Invalid checksum or length of Base58 address (P2PKH or P2SH)");

    EXPECT_EQ(
        decode_address("1FsSia9rv4NeEwvJ2GvXrX7LyxYspbN2m0", MAINNET_ADDRESS_PREFIXES).error(),
        AddressError::invalid_encoding);
    EXPECT_EQ(decode_address("", MAINNET_ADDRESS_PREFIXES).error(),
              AddressError::base58_checksum_or_length);
}

TEST(Address, encodes_and_decodes_pay_to_anchor) {
    const Destination anchor = PayToAnchor{};
    EXPECT_EQ(encode_address(anchor, MAINNET_ADDRESS_PREFIXES), "bc1pfeessrawgf");
    EXPECT_EQ(encode_address(anchor, TESTNET_ADDRESS_PREFIXES), "tb1pfees9rn5nz");
    EXPECT_EQ(decode_address("bc1pfeessrawgf", MAINNET_ADDRESS_PREFIXES), anchor);
    EXPECT_EQ(to_hex(script_for_destination(anchor).span()), "51024e73");
    EXPECT_EQ(extract_destination(script_from_hex("51024e73")), anchor);
}

TEST(Address, gives_no_address_for_destinations_without_one) {
    EXPECT_FALSE(encode_address(NoDestination{}, MAINNET_ADDRESS_PREFIXES).has_value());
    const Destination p2pk = PubKeyDestination{Bytes(33, 0x02)};
    EXPECT_FALSE(encode_address(p2pk, MAINNET_ADDRESS_PREFIXES).has_value());
    EXPECT_FALSE(has_address(p2pk));
    EXPECT_FALSE(has_address(NoDestination{}));
    const Destination version_17 = WitnessUnknown{17, Bytes(20, 1)};
    EXPECT_FALSE(encode_address(version_17, MAINNET_ADDRESS_PREFIXES).has_value());
    EXPECT_TRUE(script_for_destination(version_17).empty());
    const Destination one_byte = WitnessUnknown{2, Bytes(1, 1)};
    EXPECT_FALSE(encode_address(one_byte, MAINNET_ADDRESS_PREFIXES).has_value());
    const Destination fine = WitnessUnknown{2, Bytes(2, 1)};
    EXPECT_TRUE(has_address(fine));
    EXPECT_TRUE(encode_address(fine, MAINNET_ADDRESS_PREFIXES).has_value());
    EXPECT_TRUE(script_for_destination(NoDestination{}).empty());
}

TEST(Address, extracts_every_standard_destination_from_its_script) {
    const Uint160 h160(ByteSpan(Bytes(20, 0xab)));
    const Uint256 h256(ByteSpan(Bytes(32, 0xcd)));
    WitnessV1Taproot taproot;
    taproot.output_key.fill(0xef);
    const std::vector<std::pair<Destination, std::string>> cases = {
        {PubKeyHash{h160}, "76a914" + to_hex(h160.span()) + "88ac"},
        {ScriptHash{h160}, "a914" + to_hex(h160.span()) + "87"},
        {WitnessV0KeyHash{h160}, "0014" + to_hex(h160.span())},
        {WitnessV0ScriptHash{h256}, "0020" + to_hex(h256.span())},
        {taproot, "5120" + to_hex(taproot.output_key)},
        {PayToAnchor{}, "51024e73"},
        {WitnessUnknown{16, Bytes(40, 0x11)}, "6028" + std::string(80, '1')},
        {WitnessUnknown{1, Bytes(20, 0x22)}, "5114" + std::string(40, '2')},
        {WitnessUnknown{2, Bytes(32, 0x33)}, "5220" + std::string(64, '3')},
        {PubKeyDestination{Bytes(33, 0x03)}, "21" + to_hex(Bytes(33, 0x03)) + "ac"},
    };
    for (const auto& [destination, hex] : cases) {
        EXPECT_EQ(to_hex(script_for_destination(destination).span()), hex);
        EXPECT_EQ(extract_destination(script_from_hex(hex)), destination) << hex;
    }
}

TEST(Address, extracts_uncompressed_and_hybrid_pay_to_pubkey) {
    for (std::uint8_t prefix : {0x04, 0x06, 0x07}) {
        Bytes key(65, 0x55);
        key[0] = prefix;
        const Script script = script_from_hex("41" + to_hex(key) + "ac");
        EXPECT_EQ(extract_destination(script), Destination(PubKeyDestination{key}));
    }
    // A 65-byte push starting 0x02 is not a well-sized key.
    const Script bad = script_from_hex("4102" + std::string(128, '5') + "ac");
    EXPECT_EQ(extract_destination(bad), Destination(NoDestination{}));
}

TEST(Address, finds_no_destination_in_non_standard_scripts) {
    for (std::string_view hex : {
             "",              // empty
             "6a0401020304",  // OP_RETURN
             "0015"
             "000000000000000000000000000000000000000000",  // v0, 21 bytes
             "0001"
             "00",  // v0, 1-byte push
             "5101"
             "00",    // v1, 1-byte program
             "51ac",  // OP_1 OP_CHECKSIG
             "5121"
             "020000000000000000000000000000000000000000000000000000000000000000"
             "52ae",
         }) {
        EXPECT_EQ(extract_destination(script_from_hex(hex)), Destination(NoDestination{})) << hex;
    }
}

TEST(AddressError, has_cores_message_for_every_value) {
    EXPECT_EQ(to_string(AddressError::invalid_encoding),
              "Invalid or unsupported Segwit (Bech32) or Base58 encoding.");
    EXPECT_EQ(to_string(AddressError::base58_wrong_length),
              "Invalid length for Base58 address (P2PKH or P2SH)");
    EXPECT_EQ(to_string(AddressError::v1_plus_requires_bech32m),
              "Version 1+ witness address must use Bech32m checksum");
    EXPECT_EQ(to_string(AddressError::invalid_witness_version),
              "Invalid Bech32 address witness version");
    for (int e = 0; e <= static_cast<int>(AddressError::wrong_program_size); ++e) {
        EXPECT_FALSE(to_string(static_cast<AddressError>(e)).empty()) << e;
        EXPECT_NE(to_string(static_cast<AddressError>(e)), "Invalid address") << e;
    }
}

}  // namespace
}  // namespace bitloom
