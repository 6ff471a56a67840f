// RIPEMD-160, SHA-512, HMAC, PBKDF2 and the composite hashes of crypto/hash.h.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "crypto/hash.h"
#include "crypto/hmac.h"
#include "crypto/pbkdf2.h"
#include "crypto/random.h"
#include "crypto/ripemd160.h"
#include "crypto/sha256.h"
#include "crypto/sha512.h"
#include "testutil/vectors.h"
#include "util/hex.h"

namespace bitloom {
namespace {

// Bitcoin Core's 1,000,000-byte test string: for i in [0, 200000), the bytes i, i>>4, i>>8,
// i>>12, i>>16.
std::string long_test_string() {
    std::string out;
    out.reserve(1000000);
    for (int i = 0; i < 200000; ++i) {
        for (int shift : {0, 4, 8, 12, 16}) out += static_cast<char>(i >> shift);
    }
    return out;
}

using testutil::hex;

// Hashes `data` in one go and in uneven pieces with a hasher of type Hash; both must agree.
template <typename Hash>
std::string hex_digest_two_ways(ByteSpan data, std::string* pieces_hex) {
    std::uint8_t out[Hash::OUTPUT_SIZE];
    Hash().write(data).finalize(out);
    const std::string whole = to_hex(ByteSpan(out, sizeof out));
    Hash hasher;
    std::size_t pos = 0;
    for (std::size_t step = 1; pos < data.size(); step = step * 3 % 257 + 1) {
        const std::size_t n = std::min(step, data.size() - pos);
        hasher.write(data.subspan(pos, n));
        pos += n;
    }
    hasher.finalize(out);
    *pieces_hex = to_hex(ByteSpan(out, sizeof out));
    return whole;
}

struct TextCase {
    std::string message;
    const char* digest;
};

TEST(Ripemd160, matches_the_reference_vectors) {
    const TextCase cases[] = {
        {"", "9c1185a5c5e9fc54612808977ee8f548b2258d31"},
        {"abc", "8eb208f7e05d987a9b044a8e98c6b087f15a0bfc"},
        {"message digest", "5d0689ef49d2fae572b881b123a85ffa21595f36"},
        {"secure hash algorithm", "20397528223b6a5f4cbc2808aba0464e645544f9"},
        {"RIPEMD160 is considered to be safe", "a7d78608c7af8a8e728778e81576870734122b66"},
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "12a053384a9c0c88e405a06c27dcf49ada62eb2b"},
        {"For this sample, this 63-byte string will be used as input data",
         "de90dbfee14b63fb5abf27c2ad4a82aaa5f27a11"},
        {"This is exactly 64 bytes long, not counting the terminating byte",
         "eda31d51d3a623b81e19eb02e24ff65d27d67b37"},
        {std::string(1000000, 'a'), "52783243c1697bdbe16d37f97f68f08325dc1528"},
        {long_test_string(), "464243587bd146ea835cdf57bdae582f25ec45f1"},
    };
    for (const TextCase& c : cases) {
        std::string pieces;
        EXPECT_EQ(hex_digest_two_ways<Ripemd160>(as_bytes(c.message), &pieces), c.digest) << c.message.size();
        EXPECT_EQ(pieces, c.digest) << "written in pieces, " << c.message.size() << " bytes";
    }
    EXPECT_EQ(to_hex(ripemd160(as_bytes("abc")).span()), "8eb208f7e05d987a9b044a8e98c6b087f15a0bfc");
}

TEST(Sha512, matches_the_reference_vectors) {
    const TextCase cases[] = {
        {"", "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
             "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e"},
        {"abc", "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
                "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"},
        {"message digest", "107dbf389d9e9f71a3a95f6c055b9251bc5268c2be16d6c13492ea45b0199f33"
                           "09e16455ab1e96118e8a905d5597b72038ddb372a89826046de66687bb420e7c"},
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "204a8fc6dda82f0a0ced7beb8e08a41657c16ef468b228a8279be331a703c335"
         "96fd15c13b1b07f9aa1d3bea57789ca031ad85c7a71dd70354ec631238ca3445"},
        {"This is exactly 64 bytes long, not counting the terminating byte",
         "70aefeaa0e7ac4f8fe17532d7185a289bee3b428d950c14fa8b713ca09814a38"
         "7d245870e007a80ad97c369d193e41701aa07f3221d15f0e65a1ff970cedf030"},
        {"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
         "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
         "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018"
         "501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909"},
        {std::string(1000000, 'a'), "e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973eb"
                                    "de0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b"},
        {long_test_string(), "40cac46c147e6131c5193dd5f34e9d8bb4951395f27b08c558c65ff4ba2de594"
                             "37de8c3ef5459d76a52cedc02dc499a3c9ed9dedbfb3281afd9653b8a112fafc"},
    };
    for (const TextCase& c : cases) {
        std::string pieces;
        EXPECT_EQ(hex_digest_two_ways<Sha512>(as_bytes(c.message), &pieces), c.digest) << c.message.size();
        EXPECT_EQ(pieces, c.digest) << "written in pieces, " << c.message.size() << " bytes";
    }
}

TEST(Sha256, matches_bitcoin_cores_long_test_string) {
    EXPECT_EQ(to_hex(sha256(as_bytes(long_test_string())).span()),
              "a316d55510b49662420f49d145d42fb83f31ef8dc016aa4e32df049991a91e26");
}

// RFC 4231, test cases 1 to 7 (case 5's MACs are truncated to 128 bits).
struct HmacCase {
    Bytes key;
    Bytes data;
    const char* sha256;
    const char* sha512;
};

std::vector<HmacCase> rfc4231_cases() {
    const std::string long_data =
        "This is a test using a larger than block-size key and a larger than block-size data. The key "
        "needs to be hashed before being used by the HMAC algorithm.";
    auto text = [](std::string_view s) { return Bytes(s.begin(), s.end()); };
    Bytes key4(25);
    for (int i = 0; i < 25; ++i) key4[i] = static_cast<std::uint8_t>(i + 1);
    return {
        {Bytes(20, 0x0b), text("Hi There"),
         "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
         "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
         "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854"},
        {text("Jefe"), text("what do ya want for nothing?"),
         "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
         "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
         "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"},
        {Bytes(20, 0xaa), Bytes(50, 0xdd),
         "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
         "fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39"
         "bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb"},
        {key4, Bytes(50, 0xcd), "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
         "b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3db"
         "a91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd"},
        {Bytes(20, 0x0c), text("Test With Truncation"), "a3b6167473100ee06e0c796c2955552b",
         "415fad6271580a531d4179bc891d87a6"},
        {Bytes(131, 0xaa), text("Test Using Larger Than Block-Size Key - Hash Key First"),
         "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
         "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352"
         "6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598"},
        {Bytes(131, 0xaa), text(long_data),
         "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
         "e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944"
         "b6022cac3c4982b10d5eeb55c3e4de15134676fb6de0446065c97440fa8c6a58"},
    };
}

TEST(Hmac, sha256_and_sha512_match_rfc4231) {
    const auto cases = rfc4231_cases();
    for (std::size_t i = 0; i < cases.size(); ++i) {
        const HmacCase& c = cases[i];
        const std::string mac256 = to_hex(hmac_sha256(c.key, c.data).span());
        const auto mac512_bytes = hmac_sha512(c.key, c.data);
        const std::string mac512 = to_hex(mac512_bytes);
        EXPECT_EQ(mac256.substr(0, std::string(c.sha256).size()), c.sha256) << "case " << i + 1;
        EXPECT_EQ(mac512.substr(0, std::string(c.sha512).size()), c.sha512) << "case " << i + 1;
        // Incremental writes give the same MAC.
        HmacSha256 h(c.key);
        for (std::uint8_t byte : c.data) h.write(ByteSpan(&byte, 1));
        EXPECT_EQ(to_hex(h.finalize().span()), mac256) << "case " << i + 1 << ", byte by byte";
    }
}

TEST(Hmac, a_copied_keyed_hmac_finishes_independently) {
    const HmacSha512 keyed(as_bytes("key"));
    std::uint8_t a[64], b[64];
    HmacSha512(keyed).write(as_bytes("one")).finalize(a);
    HmacSha512(keyed).write(as_bytes("two")).finalize(b);
    const auto one_shot = hmac_sha512(as_bytes("key"), as_bytes("one"));
    EXPECT_EQ(Bytes(a, a + 64), Bytes(one_shot.begin(), one_shot.end()));
    EXPECT_NE(Bytes(a, a + 64), Bytes(b, b + 64));
}

TEST(Pbkdf2, hmac_sha512_derives_every_english_bip39_seed) {
    const auto vectors = testutil::load_json("bips/bip-0039_vectors.json");
    const auto& english = vectors.at("english");
    std::size_t n = 0;
    for (const auto& v : english) {
        const std::string mnemonic = v.at(1).get<std::string>();
        const std::string expected_seed = v.at(2).get<std::string>();
        std::uint8_t seed[64];
        pbkdf2_hmac_sha512(as_bytes(mnemonic), as_bytes("mnemonicTREZOR"), 2048, seed);
        EXPECT_EQ(to_hex(ByteSpan(seed, 64)), expected_seed) << mnemonic;
        ++n;
    }
    testutil::report_cases("bip39 english seeds (pbkdf2-hmac-sha512)", n);
    ASSERT_GT(n, 0u);
}

TEST(Pbkdf2, output_longer_than_one_block_continues_with_block_two) {
    // Block i of the output is independent of the requested length: a 100-byte request
    // starts with the 64-byte result.
    std::uint8_t short_out[64], long_out[100];
    pbkdf2_hmac_sha512(as_bytes("password"), as_bytes("salt"), 3, short_out);
    pbkdf2_hmac_sha512(as_bytes("password"), as_bytes("salt"), 3, long_out);
    EXPECT_EQ(Bytes(short_out, short_out + 64), Bytes(long_out, long_out + 64));
    // One iteration is plain HMAC(password, salt || INT(1)).
    std::uint8_t one_iteration[64];
    pbkdf2_hmac_sha512(as_bytes("password"), as_bytes("salt"), 1, one_iteration);
    const std::uint8_t salt_and_index[] = {'s', 'a', 'l', 't', 0, 0, 0, 1};
    const auto mac = hmac_sha512(as_bytes("password"), salt_and_index);
    EXPECT_EQ(Bytes(one_iteration, one_iteration + 64), Bytes(mac.begin(), mac.end()));
}

TEST(Hash, hash160_of_the_generator_public_key_is_the_well_known_value) {
    const Bytes pubkey = hex("0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798");
    EXPECT_EQ(to_hex(hash160(pubkey).span()), "751e76e8199196d454941c45d1b3a323f1433bd6");
}

TEST(Hash, hash256_is_double_sha256) {
    EXPECT_EQ(to_hex(hash256(as_bytes("hello")).span()),
              "9595c9df90075148eb06860365df33584b75bff782a510c6cd4883a419833d50");
}

TEST(Hash, tagged_hash_prefixes_the_tag_hash_twice) {
    // SHA256(SHA256("BIP0340/challenge") || SHA256("BIP0340/challenge") || "abc"), computed
    // independently.
    EXPECT_EQ(to_hex(tagged_hash("BIP0340/challenge", as_bytes("abc")).span()),
              "770a5b7e7c304bbcc3ea107343ff951dd404312ef418db0c3b94e2ebfbb50087");
    Sha256 incremental = tagged_hasher("BIP0340/challenge");
    incremental.write(as_bytes("a")).write(as_bytes("bc"));
    EXPECT_EQ(incremental.finalize(), tagged_hash("BIP0340/challenge", as_bytes("abc")));
    EXPECT_NE(tagged_hash("TapLeaf", as_bytes("abc")), tagged_hash("TapBranch", as_bytes("abc")));
}

}  // namespace
}  // namespace bitloom
