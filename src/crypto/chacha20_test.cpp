#include "crypto/chacha20.h"

#include <gtest/gtest.h>

#include <string>

#include "util/hex.h"
#include "testutil/vectors.h"

namespace bitloom {
namespace {

using testutil::hex;

Bytes counting_key() {
    Bytes key(32);
    for (int i = 0; i < 32; ++i) key[i] = static_cast<std::uint8_t>(i);
    return key;
}

TEST(ChaCha20, block_function_matches_rfc8439_section_2_3_2) {
    ChaCha20 cipher(counting_key());
    cipher.seek(hex("000000090000004a00000000"), 1);
    Bytes block(64);
    cipher.keystream(block);
    EXPECT_EQ(to_hex(block),
              "10f1e7e4d13b5915500fdd1fa32071c4c7d1f4c733c068030422aa9ac3d46c4e"
              "d2826446079faa0914c2d705d98b02a2b5129cd1de164eb9cbd083e8a2503c4e");
}

TEST(ChaCha20, encryption_matches_rfc8439_section_2_4_2) {
    const std::string plaintext =
        "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, "
        "sunscreen would be it.";
    const char* expected =
        "6e2e359a2568f98041ba0728dd0d6981e97e7aec1d4360c20a27afccfd9fae0bf91b65c5524733ab8f593dabcd62b357"
        "1639d624e65152ab8f530c359f0861d807ca0dbf500d6a6156a38e088a22b65e52bc514d16ccf806818ce91ab7793736"
        "5af90bbf74a35be6b40b8eedf2785e42874d";
    ChaCha20 cipher(counting_key());
    cipher.seek(hex("000000000000004a00000000"), 1);
    Bytes out(plaintext.size());
    cipher.crypt(as_bytes(plaintext), out);
    EXPECT_EQ(to_hex(out), expected);
    // Decryption is the same operation.
    cipher.seek(hex("000000000000004a00000000"), 1);
    Bytes back(out.size());
    cipher.crypt(out, back);
    EXPECT_EQ(std::string(back.begin(), back.end()), plaintext);
}

TEST(ChaCha20, zero_nonce_keystreams_match_the_published_vectors) {
    // draft-agl-tls-chacha20poly1305-04, section 7, cases 1 and 2 (counter and nonce zero).
    Bytes zero_key(32, 0);
    Bytes block(64);
    ChaCha20(zero_key).keystream(block);
    EXPECT_EQ(to_hex(block),
              "76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7"
              "da41597c5157488d7724e03fb8d84a376a43b8f41518a11cc387b669b2ee6586");
    Bytes one_key(32, 0);
    one_key[31] = 1;
    ChaCha20(one_key).keystream(block);
    EXPECT_EQ(to_hex(block),
              "4540f05a9f1fb296d7736e7b208e3c96eb4fe1834688d2604f450952ed432d41"
              "bbe2a0b6ea7566d2a5d1e7e20d42af2c53d792b1c43fea817e9ad275ae546963");
}

TEST(ChaCha20, keystream_does_not_depend_on_how_requests_are_split) {
    Bytes whole(1000);
    ChaCha20(counting_key()).keystream(whole);
    ChaCha20 pieces(counting_key());
    Bytes joined;
    for (std::size_t size = 0; joined.size() < whole.size(); size = size * 7 % 131 + 1) {
        Bytes part(std::min(size, whole.size() - joined.size()));
        pieces.keystream(part);
        append(joined, part);
    }
    EXPECT_EQ(joined, whole);
}

TEST(ChaCha20, block_counter_carries_into_the_first_nonce_word) {
    ChaCha20 wrapping(counting_key());
    wrapping.seek(Bytes(12, 0), 0xffffffff);
    Bytes two_blocks(128);
    wrapping.keystream(two_blocks);
    ChaCha20 carried(counting_key());
    carried.seek(hex("010000000000000000000000"), 0);
    Bytes block(64);
    carried.keystream(block);
    EXPECT_EQ(Bytes(two_blocks.begin() + 64, two_blocks.end()), block);
}

}  // namespace
}  // namespace bitloom
