// Hostile input: random text, mutations of valid addresses and keys, and megabyte strings fed
// to every decoder. Each decoder must either reject the text or return something that
// encodes back to the same text (in canonical form).
#include <gtest/gtest.h>

#include <chrono>
#include <random>
#include <string>
#include <vector>

#include "encoding/address.h"
#include "encoding/base58.h"
#include "encoding/bech32.h"
#include "encoding/wif.h"
#include "testutil/vectors.h"

namespace bitloom {
namespace {

constexpr std::string_view BASE58_ALPHABET =
    "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
constexpr std::string_view BECH32_ALPHABET =
    "qpzry9x8gf2tvdw0s3jn54khce6mua7lQPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L1";
constexpr std::string_view SPACES = " \t\n\v\f\r";

const AddressPrefixes* const ALL_PREFIXES[] = {&MAINNET_ADDRESS_PREFIXES, &TESTNET_ADDRESS_PREFIXES,
                                               &REGTEST_ADDRESS_PREFIXES};

std::string trim(std::string_view text) {
    const auto first = text.find_first_not_of(SPACES);
    if (first == std::string_view::npos) return "";
    return std::string(text.substr(first, text.find_last_not_of(SPACES) - first + 1));
}

std::string lower(std::string text) {
    for (char& c : text) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return text;
}

struct Tally {
    std::size_t accepted = 0;
    std::size_t rejected = 0;
};

// Runs every decoder on `text` and checks what each one returns.
void check_all_decoders(const std::string& text, Tally& tally) {
    if (const auto bytes = decode_base58(text, 128)) {
        EXPECT_EQ(encode_base58(*bytes), trim(text));
    }
    if (const auto payload = decode_base58check(text, 128)) {
        EXPECT_EQ(encode_base58check(*payload), trim(text));
    }
    if (const auto decoded = decode_bech32(text)) {
        EXPECT_EQ(encode_bech32(decoded->encoding, decoded->hrp, decoded->data), lower(text));
        EXPECT_TRUE(locate_bech32_errors(text).empty()) << text;
    } else {
        for (std::size_t position : locate_bech32_errors(text)) EXPECT_LT(position, text.size());
    }
    for (const AddressPrefixes* prefixes : ALL_PREFIXES) {
        if (const auto destination = decode_address(text, *prefixes)) {
            ++tally.accepted;
            const auto encoded = encode_address(*destination, *prefixes);
            ASSERT_TRUE(encoded.has_value()) << text;
            const bool segwit = encoded->starts_with(std::string(prefixes->bech32_hrp) + "1");
            EXPECT_EQ(*encoded, segwit ? lower(text) : trim(text));
            EXPECT_EQ(decode_address(*encoded, *prefixes), *destination);
            EXPECT_EQ(extract_destination(script_for_destination(*destination)), *destination);
            EXPECT_FALSE(describe_address_error(text, *prefixes).has_value());
        } else {
            ++tally.rejected;
            const auto report = describe_address_error(text, *prefixes);
            ASSERT_TRUE(report.has_value()) << text;
            EXPECT_EQ(report->error, destination.error());
            for (std::size_t position : report->error_locations) EXPECT_LT(position, text.size());
        }
        if (const auto key = decode_wif(text, *prefixes)) {
            ++tally.accepted;
            EXPECT_EQ(encode_wif(*key, *prefixes), trim(text));
        } else {
            ++tally.rejected;
        }
    }
}

std::string random_text(std::mt19937_64& rng) {
    static const std::vector<std::string> PREFIXES = {"",  "bc1", "BC1", "tb1", "bcrt1", "1",
                                                      "3", "m",   "2",   "5",   "K",     "c"};
    std::string text = PREFIXES[rng() % PREFIXES.size()];
    const std::size_t length = rng() % 100;
    const int kind = static_cast<int>(rng() % 4);
    for (std::size_t i = 0; i < length; ++i) {
        switch (kind) {
            case 0: text.push_back(BASE58_ALPHABET[rng() % BASE58_ALPHABET.size()]); break;
            case 1: text.push_back(BECH32_ALPHABET[rng() % BECH32_ALPHABET.size()]); break;
            case 2: text.push_back(static_cast<char>(32 + rng() % 95)); break;
            default: text.push_back(static_cast<char>(rng() % 256)); break;
        }
    }
    return text;
}

std::string mutate(std::string text, std::mt19937_64& rng) {
    const int edits = 1 + static_cast<int>(rng() % 3);
    for (int e = 0; e < edits; ++e) {
        const std::size_t pos = text.empty() ? 0 : rng() % text.size();
        const char any = static_cast<char>(rng() % 256);
        const char b58 = BASE58_ALPHABET[rng() % BASE58_ALPHABET.size()];
        const char b32 = BECH32_ALPHABET[rng() % BECH32_ALPHABET.size()];
        switch (rng() % 8) {
            case 0:
                if (!text.empty()) text[pos] = b58;
                break;
            case 1:
                if (!text.empty()) text[pos] = b32;
                break;
            case 2:
                if (!text.empty()) text[pos] = any;
                break;
            case 3:
                text.insert(text.begin() + static_cast<std::ptrdiff_t>(pos), rng() % 2 ? b32 : b58);
                break;
            case 4:
                if (!text.empty()) text.erase(pos, 1);
                break;
            case 5:
                if (pos + 1 < text.size()) std::swap(text[pos], text[pos + 1]);
                break;
            case 6:
                if (!text.empty()) text[pos] = static_cast<char>(text[pos] ^ 0x20);
                break;
            default: text.resize(pos); break;
        }
    }
    return text;
}

TEST(Robustness, random_text_is_rejected_or_round_trips_in_every_decoder) {
    std::mt19937_64 rng(0x5eed0001);
    Tally tally;
    constexpr int CASES = 5000;
    for (int i = 0; i < CASES; ++i) {
        check_all_decoders(random_text(rng), tally);
        if (::testing::Test::HasFatalFailure()) return;
    }
    testutil::report_cases("random strings", CASES);
    EXPECT_GT(tally.rejected, 0u);
}

TEST(Robustness, mutated_addresses_and_keys_are_rejected_or_round_trip) {
    std::vector<std::string> seeds;
    for (const auto& c : testutil::load_json("bitcoin-core/key_io_valid.json")) {
        seeds.push_back(c[0].get<std::string>());
    }
    ASSERT_GT(seeds.size(), 0u);
    std::mt19937_64 rng(0x5eed0002);
    Tally tally;
    std::size_t n = 0;
    for (const std::string& seed : seeds) {
        // The seed itself is valid on its own network.
        Tally seed_tally;
        check_all_decoders(seed, seed_tally);
        EXPECT_GT(seed_tally.accepted, 0u) << seed;
        for (int i = 0; i < 100; ++i) {
            check_all_decoders(mutate(seed, rng), tally);
            if (::testing::Test::HasFatalFailure()) return;
            ++n;
        }
    }
    testutil::report_cases("mutations of key_io_valid strings", n);
    EXPECT_GT(tally.rejected, tally.accepted);
}

TEST(Robustness, rejects_megabyte_inputs_quickly) {
    constexpr std::size_t MEGABYTE = 1 << 20;
    std::mt19937_64 rng(0x5eed0003);
    std::string random_base58(MEGABYTE, 'z');
    for (char& c : random_base58) c = BASE58_ALPHABET[rng() % BASE58_ALPHABET.size()];
    const std::vector<std::string> inputs = {
        std::string(MEGABYTE, '1'),
        std::string(MEGABYTE, 'z'),
        "bc1" + std::string(MEGABYTE, 'q'),
        "BCRT1" + std::string(MEGABYTE, 'Q'),
        std::string(MEGABYTE / 2, ' ') + std::string(MEGABYTE / 2, 'z'),
        std::string(MEGABYTE, '1') + "z",
        random_base58,
    };
    using Clock = std::chrono::steady_clock;
    for (const std::string& text : inputs) {
        const auto start = Clock::now();
        EXPECT_FALSE(decode_base58(text, 128).has_value());
        EXPECT_FALSE(decode_base58check(text, 128).has_value());
        EXPECT_FALSE(decode_bech32(text).has_value());
        for (const AddressPrefixes* prefixes : ALL_PREFIXES) {
            EXPECT_FALSE(decode_address(text, *prefixes).has_value());
            EXPECT_TRUE(describe_address_error(text, *prefixes).has_value());
            EXPECT_FALSE(decode_wif(text, *prefixes).has_value());
        }
        const auto elapsed = Clock::now() - start;
        // Linear scans of 1 MB take milliseconds even under sanitizers; quadratic work would
        // take minutes.
        EXPECT_LT(elapsed, std::chrono::milliseconds(1000)) << text.substr(0, 16);
    }
}

}  // namespace
}  // namespace bitloom
