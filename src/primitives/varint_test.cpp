// VARINT: the known encodings, round trips across every length, and the readers' rejection of
// truncated input and of values above the field's width.
#include "primitives/varint.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "util/hex.h"

namespace bitloom {
namespace {

std::string encode_hex(std::uint64_t n) {
    Bytes out;
    Writer writer(out);
    write_varint(writer, n);
    return to_hex(out);
}

Result<std::uint64_t, DecodeError> decode_hex(std::string_view text,
                                              std::uint64_t max = UINT64_MAX) {
    const auto bytes = parse_hex(text);
    EXPECT_TRUE(bytes.has_value());
    Reader reader(*bytes);
    auto result = read_varint(reader, max);
    if (result) {
        EXPECT_TRUE(reader.at_end()) << text;
    }
    return result;
}

struct Known {
    std::uint64_t value;
    const char* encoding;
};

constexpr Known KNOWN[] = {
    {0, "00"},
    {1, "01"},
    {127, "7f"},
    {128, "8000"},
    {255, "807f"},
    {256, "8100"},
    {16383, "fe7f"},
    {16384, "ff00"},
    {16511, "ff7f"},
    {65535, "82fe7f"},
    {0xffffffffULL, "8efefefe7f"},
    {0x100000000ULL, "8efefeff00"},
    {UINT64_MAX, "80fefefefefefefefe7f"},
};

TEST(VarInt, writes_the_known_encodings) {
    for (const auto& known : KNOWN) {
        EXPECT_EQ(encode_hex(known.value), known.encoding) << known.value;
        EXPECT_EQ(varint_length(known.value), std::string(known.encoding).size() / 2);
    }
}

TEST(VarInt, reads_the_known_encodings) {
    for (const auto& known : KNOWN) {
        const auto value = decode_hex(known.encoding);
        ASSERT_TRUE(value.has_value()) << known.encoding;
        EXPECT_EQ(*value, known.value);
    }
}

TEST(VarInt, round_trips_values_around_every_length_boundary) {
    std::vector<std::uint64_t> values;
    for (std::uint64_t v = 0; v < 70000; ++v) values.push_back(v);
    // The smallest value of each length L is the largest of length L-1 plus one.
    std::uint64_t boundary = 0;
    for (int length = 1; length < 10; ++length) {
        boundary = (boundary + 1) * 128;
        for (std::uint64_t d = 0; d < 3; ++d) {
            values.push_back(boundary - d);
            values.push_back(boundary + d);
        }
    }
    values.push_back(UINT64_MAX - 1);
    values.push_back(UINT64_MAX);
    for (const std::uint64_t v : values) {
        Bytes out;
        Writer writer(out);
        write_varint(writer, v);
        ASSERT_EQ(out.size(), varint_length(v));
        Reader reader(out);
        const auto back = read_varint(reader);
        ASSERT_TRUE(back.has_value()) << v;
        ASSERT_EQ(*back, v);
        ASSERT_TRUE(reader.at_end());
    }
}

TEST(VarInt, rejects_an_encoding_that_ends_inside_a_continuation) {
    for (const char* text : {"", "80", "ff", "8efefeff"}) {
        const auto result = decode_hex(text);
        ASSERT_FALSE(result.has_value()) << text;
        EXPECT_EQ(result.error(), DecodeError::truncated);
    }
}

TEST(VarInt, rejects_values_beyond_64_bits) {
    // 2^64 exactly, and longer strings of continuation bytes.
    for (const char* text : {"80fefefefefefefeff00", "81fefefefefefefefe7f",
                             "80fefefefefefefefeff00", "ffffffffffffffffffffffff00"}) {
        const auto result = decode_hex(text);
        ASSERT_FALSE(result.has_value()) << text;
        EXPECT_EQ(result.error(), DecodeError::size_too_large);
    }
}

TEST(VarInt, rejects_values_beyond_the_field_width) {
    const auto max32 = decode_hex("8efefefe7f", 0xffffffff);
    ASSERT_TRUE(max32.has_value());
    EXPECT_EQ(*max32, 0xffffffffULL);
    const auto over = decode_hex("8efefeff00", 0xffffffff);
    ASSERT_FALSE(over.has_value());
    EXPECT_EQ(over.error(), DecodeError::size_too_large);

    const Bytes bytes = *parse_hex("8efefeff0001");
    Reader reader(bytes);
    const auto narrow = read_varint_u32(reader);
    ASSERT_FALSE(narrow.has_value());
    EXPECT_EQ(narrow.error(), DecodeError::size_too_large);
}

TEST(VarInt, leaves_the_position_unchanged_on_error_and_stops_after_the_last_byte) {
    const Bytes bytes = *parse_hex("807f8e");
    Reader reader(bytes);
    const auto first = read_varint(reader);
    ASSERT_TRUE(first.has_value());
    EXPECT_EQ(*first, 255u);
    EXPECT_EQ(reader.position(), 2u);
    const auto second = read_varint(reader);
    ASSERT_FALSE(second.has_value());
    EXPECT_EQ(reader.position(), 2u);
}

}  // namespace
}  // namespace bitloom
