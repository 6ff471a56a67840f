// BIP340 reference vectors (bips/bip-0340_test-vectors.csv):
//   index,secret key,public key,aux_rand,message,signature,verification result,comment
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "crypto/key.h"
#include "crypto/pubkey.h"
#include "testutil/vectors.h"
#include "util/hex.h"

namespace bitloom {
namespace {

struct Bip340Case {
    std::string index;
    std::string secret_key;  // empty for verification-only rows
    std::string public_key;
    std::string aux_rand;
    std::string message;
    std::string signature;
    bool expected = false;
    std::string comment;
};

std::vector<std::string> split_csv_line(const std::string& line) {
    std::vector<std::string> fields;
    std::string field;
    std::istringstream in(line);
    while (std::getline(in, field, ',')) fields.push_back(field);
    if (!line.empty() && line.back() == ',') fields.emplace_back();
    return fields;
}

std::vector<Bip340Case> load_cases() {
    const std::string text =
        testutil::read_file_text(testutil::vector_path("bips/bip-0340_test-vectors.csv"));
    std::istringstream lines(text);
    std::string line;
    std::getline(lines, line);  // header
    std::vector<Bip340Case> cases;
    while (std::getline(lines, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty()) continue;
        const auto f = split_csv_line(line);
        EXPECT_EQ(f.size(), 8u) << line;
        if (f.size() != 8) continue;
        EXPECT_TRUE(f[6] == "TRUE" || f[6] == "FALSE") << line;
        cases.push_back({f[0], f[1], f[2], f[3], f[4], f[5], f[6] == "TRUE", f[7]});
    }
    return cases;
}

using testutil::hex;

TEST(Bip340Vectors, every_case_signs_and_verifies_as_the_reference_says) {
    const auto cases = load_cases();
    std::size_t signed_count = 0;
    std::size_t rejected_keys = 0;
    for (const Bip340Case& c : cases) {
        SCOPED_TRACE("case " + c.index + " " + c.comment);
        const Bytes message = hex(c.message);
        const Bytes signature = hex(c.signature);

        if (!c.secret_key.empty()) {
            auto key = PrivateKey::from_bytes(hex(c.secret_key));
            ASSERT_TRUE(key.has_value());
            EXPECT_EQ(to_hex(key->x_only_public_key().span()), to_hex(hex(c.public_key)));
            auto aux = hex(c.aux_rand);
            ASSERT_EQ(aux.size(), 32u);
            auto made = key->sign_schnorr(message, Uint256(ByteSpan(aux)));
            ASSERT_TRUE(made.has_value());
            EXPECT_EQ(to_hex(*made), to_hex(signature));
            ++signed_count;
        }

        // A public key that is not a valid x coordinate fails at parsing, hence FALSE.
        const auto public_key = XOnlyPublicKey::parse(hex(c.public_key));
        if (!public_key) {
            EXPECT_FALSE(c.expected);
            ++rejected_keys;
        }
        const bool verified = public_key && public_key->verify_schnorr(message, signature);
        EXPECT_EQ(verified, c.expected);
    }
    testutil::report_cases("bip340 (all rows)", cases.size());
    testutil::report_cases("bip340 (signing rows)", signed_count);
    testutil::report_cases("bip340 (keys rejected at parsing)", rejected_keys);
    ASSERT_GT(cases.size(), 0u);
    ASSERT_GT(signed_count, 0u);
    ASSERT_GT(rejected_keys, 0u);
}

}  // namespace
}  // namespace bitloom
