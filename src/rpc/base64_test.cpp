#include "rpc/base64.h"

#include <gtest/gtest.h>

namespace bitloom {
namespace {

TEST(Base64, encodes_and_decodes_the_rfc4648_test_vectors) {
    const std::pair<const char*, const char*> cases[] = {
        {"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},         {"foo", "Zm9v"},
        {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
    };
    int count = 0;
    for (const auto& [plain, encoded] : cases) {
        EXPECT_EQ(encode_base64(std::string_view(plain)), encoded);
        EXPECT_EQ(decode_base64_string(encoded), std::string(plain));
        ++count;
    }
    std::printf("ran %d base64 vectors\n", count);
    EXPECT_GT(count, 0);
}

TEST(Base64, round_trips_every_byte_value) {
    Bytes all(256);
    for (int i = 0; i < 256; ++i) all[i] = static_cast<std::uint8_t>(i);
    EXPECT_EQ(decode_base64(encode_base64(ByteSpan(all))), all);
}

TEST(Base64, rejects_malformed_input) {
    for (const char* bad : {"Zg", "Zg=", "Z===", "Zm9v!", "Zm 9v", "=Zm9", "Zg==Zg==", "Zh=="}) {
        EXPECT_FALSE(decode_base64(bad).has_value()) << bad;
    }
}

}  // namespace
}  // namespace bitloom
