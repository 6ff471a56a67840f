#include "encoding/bech32.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <random>
#include <string>
#include <vector>

#include "testutil/vectors.h"

namespace bitloom {
namespace {

std::string lower(std::string text) {
    for (char& c : text) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return text;
}

// Test vectors from BIP173 ("Test vectors") and BIP350 ("Test vectors for Bech32m"),
// /work/shared/specs/bips/bip-0173.mediawiki and bip-0350.mediawiki.
const std::vector<std::string> BIP173_VALID = {
    "A12UEL5L",
    "a12uel5l",
    "an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs",
    "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
    "11qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqc8247j",
    "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w",
    "?1ezyfcl",
};
const std::vector<std::string> BIP350_VALID = {
    "A1LQFN3A",
    "a1lqfn3a",
    "an83characterlonghumanreadablepartthatcontainsthetheexcludedcharactersbioandnumber11sg7hg6",
    "abcdef1l7aum6echk45nj3s0wdvt2fg8x9yrzpqzd3ryx",
    "11llllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllludsr8",
    "split1checkupstagehandshakeupstreamerranterredcaperredlc445v",
    "?1v759aa",
};

struct InvalidCase {
    std::string text;
    Bech32Error error;  // invalid_checksum stands for any of the three checksum errors
};
const std::vector<InvalidCase> BIP173_INVALID = {
    {std::string(1, '\x20') + "1nwldj5", Bech32Error::invalid_character},
    {std::string(1, '\x7f') + "1axkwrx", Bech32Error::invalid_character},
    {std::string(1, '\x80') + "1eym55h", Bech32Error::invalid_character},
    {"an84characterslonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1569pvx",
     Bech32Error::too_long},
    {"pzry9x0s0muk", Bech32Error::missing_separator},
    {"1pzry9x0s0muk", Bech32Error::invalid_separator_position},
    {"x1b4n0q5v", Bech32Error::invalid_data_character},
    {"li1dgmt3", Bech32Error::invalid_separator_position},
    {"de1lg7wt" + std::string(1, '\xff'), Bech32Error::invalid_character},
    {"A1G7SGD8", Bech32Error::invalid_checksum},
    {"10a06t8", Bech32Error::invalid_separator_position},
    {"1qzzfhee", Bech32Error::invalid_separator_position},
};
const std::vector<InvalidCase> BIP350_INVALID = {
    {std::string(1, '\x20') + "1xj0phk", Bech32Error::invalid_character},
    {std::string(1, '\x7f') + "1g6xzxy", Bech32Error::invalid_character},
    {std::string(1, '\x80') + "1vctc34", Bech32Error::invalid_character},
    {"an84characterslonghumanreadablepartthatcontainsthetheexcludedcharactersbioandnumber11d6pts4",
     Bech32Error::too_long},
    {"qyrz8wqd2c9m", Bech32Error::missing_separator},
    {"1qyrz8wqd2c9m", Bech32Error::invalid_separator_position},
    {"y1b0jsk6g", Bech32Error::invalid_data_character},
    {"lt1igcx5c0", Bech32Error::invalid_data_character},
    {"in1muywd", Bech32Error::invalid_separator_position},
    {"mm1crxm3i", Bech32Error::invalid_data_character},
    {"au1s5cgom", Bech32Error::invalid_data_character},
    {"M1VUXWEZ", Bech32Error::invalid_checksum},
    {"16plkw9", Bech32Error::invalid_separator_position},
    {"1p2gdwpf", Bech32Error::invalid_separator_position},
};

bool is_checksum_error(Bech32Error error) {
    return error == Bech32Error::invalid_checksum ||
           error == Bech32Error::invalid_bech32_checksum ||
           error == Bech32Error::invalid_bech32m_checksum;
}

void expect_valid(const std::vector<std::string>& strings, Bech32Encoding expected) {
    for (const std::string& text : strings) {
        const auto decoded = decode_bech32(text);
        ASSERT_TRUE(decoded.has_value()) << text << ": " << to_string(decoded.error());
        EXPECT_EQ(decoded->encoding, expected) << text;
        EXPECT_EQ(decoded->hrp, lower(text.substr(0, text.rfind('1'))));
        EXPECT_EQ(encode_bech32(expected, decoded->hrp, decoded->data), lower(text));
        EXPECT_TRUE(locate_bech32_errors(text).empty()) << text;
    }
}

void expect_invalid(const std::vector<InvalidCase>& cases) {
    for (const auto& c : cases) {
        const auto decoded = decode_bech32(c.text);
        ASSERT_FALSE(decoded.has_value()) << c.text;
        if (c.error == Bech32Error::invalid_checksum) {
            EXPECT_TRUE(is_checksum_error(decoded.error()))
                << c.text << ": " << to_string(decoded.error());
        } else {
            EXPECT_EQ(decoded.error(), c.error) << c.text << ": " << to_string(decoded.error());
        }
    }
}

TEST(Bech32, accepts_the_bip173_valid_strings_as_bech32) {
    expect_valid(BIP173_VALID, Bech32Encoding::bech32);
    testutil::report_cases("bip173 valid bech32 strings", BIP173_VALID.size());
}

TEST(Bech32, accepts_the_bip350_valid_strings_as_bech32m) {
    expect_valid(BIP350_VALID, Bech32Encoding::bech32m);
    testutil::report_cases("bip350 valid bech32m strings", BIP350_VALID.size());
}

TEST(Bech32, rejects_the_bip173_invalid_strings_for_their_stated_reason) {
    expect_invalid(BIP173_INVALID);
    testutil::report_cases("bip173 invalid bech32 strings", BIP173_INVALID.size());
}

TEST(Bech32, rejects_the_bip350_invalid_strings_for_their_stated_reason) {
    expect_invalid(BIP350_INVALID);
    testutil::report_cases("bip350 invalid bech32m strings", BIP350_INVALID.size());
}

TEST(Bech32, accepts_exactly_90_characters_by_default) {
    const std::string hrp = "a";
    Bytes values(90 - hrp.size() - 1 - BECH32_CHECKSUM_SIZE, 7);
    const std::string text = encode_bech32(Bech32Encoding::bech32m, hrp, values);
    ASSERT_EQ(text.size(), 90u);
    EXPECT_TRUE(decode_bech32(text).has_value());
    values.push_back(7);
    const std::string longer = encode_bech32(Bech32Encoding::bech32m, hrp, values);
    ASSERT_FALSE(decode_bech32(longer).has_value());
    EXPECT_EQ(decode_bech32(longer).error(), Bech32Error::too_long);
    EXPECT_TRUE(decode_bech32(longer, 91).has_value());
    EXPECT_EQ(locate_bech32_errors(longer), (std::vector<std::size_t>{90}));
}

TEST(Bech32, rejects_mixed_case_and_points_at_the_minority_case) {
    const std::string text = "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sL5k7";
    const auto decoded = decode_bech32(text);
    ASSERT_FALSE(decoded.has_value());
    EXPECT_EQ(decoded.error(), Bech32Error::mixed_case);
    EXPECT_EQ(to_string(decoded.error()), "Invalid character or mixed case");
    EXPECT_EQ(locate_bech32_errors(text), (std::vector<std::size_t>{text.find('L')}));
    // Upper case throughout is fine and decodes to the lower-case form.
    std::string upper = lower(text);
    upper[text.find('L')] = 'l';
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    EXPECT_TRUE(decode_bech32(upper).has_value());
}

TEST(Bech32, uses_the_last_separator_and_reports_its_position) {
    EXPECT_EQ(locate_bech32_errors("1qzzfhee"), (std::vector<std::size_t>{0}));
    EXPECT_EQ(locate_bech32_errors("li1dgmt3"), (std::vector<std::size_t>{2}));
    EXPECT_TRUE(locate_bech32_errors("pzry9x0s0muk").empty());
    EXPECT_EQ(locate_bech32_errors("x1b4n0q5v"), (std::vector<std::size_t>{2}));
}

// Substituting one or two characters of a valid string must be detected, attributed to the
// string's own encoding, and located exactly.
TEST(Bech32, locates_one_or_two_substituted_characters) {
    const std::string charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    std::mt19937 rng(173350);
    std::size_t checked = 0;
    for (const auto* strings : {&BIP173_VALID, &BIP350_VALID}) {
        const Bech32Error expected_error = strings == &BIP173_VALID
                                               ? Bech32Error::invalid_bech32_checksum
                                               : Bech32Error::invalid_bech32m_checksum;
        for (const std::string& valid : *strings) {
            const std::string text = lower(valid);
            const std::size_t data_start = text.rfind('1') + 1;
            const std::size_t data_size = text.size() - data_start;
            for (int round = 0; round < 40; ++round) {
                std::string mutated = text;
                std::vector<std::size_t> positions;
                const int errors = 1 + round % 2;
                while (static_cast<int>(positions.size()) < errors) {
                    const std::size_t pos = data_start + rng() % data_size;
                    if (std::find(positions.begin(), positions.end(), pos) != positions.end())
                        continue;
                    char replacement;
                    do {
                        replacement = charset[rng() % 32];
                    } while (replacement == text[pos]);
                    mutated[pos] = replacement;
                    positions.push_back(pos);
                }
                std::sort(positions.begin(), positions.end());
                const auto decoded = decode_bech32(mutated);
                ASSERT_FALSE(decoded.has_value()) << mutated;
                EXPECT_EQ(decoded.error(), expected_error) << mutated;
                EXPECT_EQ(locate_bech32_errors(mutated), positions) << mutated;
                ++checked;
            }
        }
    }
    EXPECT_EQ(checked, 14u * 40u);
}

TEST(Bech32, tells_which_checksum_a_damaged_address_was_closest_to) {
    // BIP173: one wrong character at the end of a Bech32 address.
    const std::string text = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5";
    const auto decoded = decode_bech32(text);
    ASSERT_FALSE(decoded.has_value());
    EXPECT_EQ(decoded.error(), Bech32Error::invalid_bech32_checksum);
    EXPECT_EQ(to_string(decoded.error()), "Invalid Bech32 checksum");
    EXPECT_EQ(locate_bech32_errors(text), (std::vector<std::size_t>{text.size() - 1}));
}

TEST(Bech32, reports_an_unlocatable_checksum_error_plainly) {
    // Four substitutions: beyond what the locator corrects, still detected.
    std::string text = "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w";
    text[8] = 'q';
    text[20] = 'q';
    text[30] = 'q';
    text[40] = 'q';
    const auto decoded = decode_bech32(text);
    ASSERT_FALSE(decoded.has_value());
    EXPECT_TRUE(is_checksum_error(decoded.error()));
}

TEST(Bech32, encodes_the_empty_data_part) {
    const std::string text = encode_bech32(Bech32Encoding::bech32, "a", {});
    EXPECT_EQ(text, "a12uel5l");
    const auto decoded = decode_bech32(text);
    ASSERT_TRUE(decoded.has_value());
    EXPECT_TRUE(decoded->data.empty());
}

TEST(ConvertBits, pads_8_to_5_and_round_trips) {
    const Bytes bytes = {0xff, 0x00, 0x80};
    const Bytes values = bytes_to_5bit(bytes);
    // 24 bits -> 5 groups of 5 bits (25 bits, 1 padding bit).
    EXPECT_EQ(values, (Bytes{31, 28, 0, 8, 0}));
    EXPECT_EQ(bytes_from_5bit(values), bytes);
}

TEST(ConvertBits, rejects_non_zero_padding) {
    EXPECT_FALSE(bytes_from_5bit(Bytes{31, 28, 0, 8, 1}).has_value());
}

TEST(ConvertBits, rejects_a_whole_group_of_padding) {
    // 10 bits: one byte and two bits of padding is fine; 5 values = 25 bits would be 3 bytes
    // and 1 bit, but 6 values (30 bits) leave 6 padding bits, more than 4.
    EXPECT_TRUE(bytes_from_5bit(Bytes{0, 0}).has_value());
    EXPECT_FALSE(bytes_from_5bit(Bytes{0, 0, 0, 0, 0, 0}).has_value());
    EXPECT_FALSE(bytes_from_5bit(Bytes{0}).has_value());
}

TEST(ConvertBits, rejects_values_wider_than_the_input_group) {
    EXPECT_FALSE(bytes_from_5bit(Bytes{32, 0}).has_value());
    EXPECT_FALSE(convert_bits(Bytes{4}, 2, 8, true).has_value());
}

TEST(ConvertBits, regroups_between_arbitrary_widths) {
    const auto out = convert_bits(Bytes{0xab, 0xcd}, 8, 4, false);
    ASSERT_TRUE(out.has_value());
    EXPECT_EQ(*out, (Bytes{0xa, 0xb, 0xc, 0xd}));
    EXPECT_EQ(convert_bits(*out, 4, 8, false), (Bytes{0xab, 0xcd}));
}

TEST(Bech32Error, matches_bitcoin_cores_wording) {
    EXPECT_EQ(to_string(Bech32Error::too_long), "Bech32 string too long");
    EXPECT_EQ(to_string(Bech32Error::missing_separator), "Missing separator");
    EXPECT_EQ(to_string(Bech32Error::invalid_separator_position), "Invalid separator position");
    EXPECT_EQ(to_string(Bech32Error::invalid_data_character), "Invalid Base 32 character");
    EXPECT_EQ(to_string(Bech32Error::invalid_checksum), "Invalid checksum");
    EXPECT_EQ(to_string(Bech32Error::invalid_bech32m_checksum), "Invalid Bech32m checksum");
}

}  // namespace
}  // namespace bitloom
