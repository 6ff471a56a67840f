#include "primitives/serialize.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "crypto/sha256.h"
#include "util/hex.h"
#include "testutil/vectors.h"

namespace bitloom {
namespace {

using testutil::hex;

struct CompactCase {
    std::uint64_t value;
    const char* encoding;
};

// Every boundary between the four encodings.
const CompactCase COMPACT_CASES[] = {
    {0, "00"},
    {1, "01"},
    {0xfc, "fc"},
    {0xfd, "fdfd00"},
    {0xfe, "fdfe00"},
    {0xffff, "fdffff"},
    {0x10000, "fe00000100"},
    {0x02000000, "fe00000002"},
    {0xffffffff, "feffffffff"},
    {0x100000000, "ff0000000001000000"},
    {0xffffffffffffffff, "ffffffffffffffffff"},
};

TEST(Serialize, writes_compact_sizes_in_their_shortest_form) {
    for (const auto& c : COMPACT_CASES) {
        Bytes out;
        Writer writer(out);
        writer.write_compact_size(c.value);
        EXPECT_EQ(to_hex(out), c.encoding) << c.value;
        EXPECT_EQ(compact_size_length(c.value), out.size()) << c.value;
    }
}

TEST(Serialize, reads_back_every_canonical_compact_size) {
    for (const auto& c : COMPACT_CASES) {
        const Bytes in = hex(c.encoding);
        Reader reader(in);
        const auto value = reader.read_compact_size();
        ASSERT_TRUE(value.has_value()) << c.encoding;
        EXPECT_EQ(*value, c.value);
        EXPECT_TRUE(reader.at_end());
    }
}

TEST(Serialize, rejects_compact_sizes_that_fit_a_shorter_form) {
    const char* non_canonical[] = {
        "fd0000", "fdfc00",                          // fit one byte
        "fe00000000", "feffff0000",                  // fit three bytes
        "ff0000000000000000", "ffffffffff00000000",  // fit five bytes
    };
    for (const char* text : non_canonical) {
        const Bytes in = hex(text);
        Reader reader(in);
        const auto value = reader.read_compact_size();
        ASSERT_FALSE(value.has_value()) << text;
        EXPECT_EQ(value.error(), DecodeError::non_canonical_compact_size) << text;
        EXPECT_EQ(reader.position(), 0u) << text;
    }
}

TEST(Serialize, rejects_truncated_compact_sizes_without_moving) {
    const char* truncated[] = {"", "fd", "fdff", "fe", "feffffff", "ff", "ffffffffffffffff"};
    for (const char* text : truncated) {
        const Bytes in = hex(text);
        Reader reader(in);
        const auto value = reader.read_compact_size();
        ASSERT_FALSE(value.has_value()) << text;
        EXPECT_EQ(value.error(), DecodeError::truncated) << text;
        EXPECT_EQ(reader.position(), 0u) << text;
    }
}

TEST(Serialize, read_size_accepts_max_size_and_rejects_one_more) {
    const Bytes at_limit = hex("fe00000002");
    Reader ok(at_limit);
    ASSERT_TRUE(ok.read_size().has_value());

    const Bytes above = hex("fe01000002");
    Reader bad(above);
    const auto size = bad.read_size();
    ASSERT_FALSE(size.has_value());
    EXPECT_EQ(size.error(), DecodeError::size_too_large);
    EXPECT_EQ(bad.position(), 0u);

    // read_compact_size itself has no such limit.
    Reader raw(above);
    EXPECT_EQ(raw.read_compact_size().value_or(0), 0x02000001u);
}

TEST(Serialize, read_count_fails_at_once_when_the_elements_cannot_fit) {
    // Claims three 4-byte elements with 11 bytes left.
    const Bytes in = hex("03" "0000000000000000000000");
    Reader reader(in);
    const auto count = reader.read_count(4);
    ASSERT_FALSE(count.has_value());
    EXPECT_EQ(count.error(), DecodeError::truncated);
    EXPECT_EQ(reader.position(), 0u);

    Reader fits(in);
    EXPECT_EQ(fits.read_count(3).value_or(0), 3u);
}

TEST(Serialize, reads_fixed_width_integers_little_endian) {
    const Bytes in = hex("ab" "3412" "78563412" "efcdab8967452301" "feffffff" "ffffffffffffff7f");
    Reader reader(in);
    EXPECT_EQ(reader.read_u8().value(), 0xab);
    EXPECT_EQ(reader.read_u16().value(), 0x1234);
    EXPECT_EQ(reader.read_u32().value(), 0x12345678u);
    EXPECT_EQ(reader.read_u64().value(), 0x0123456789abcdefu);
    EXPECT_EQ(reader.read_i32().value(), -2);
    EXPECT_EQ(reader.read_i64().value(), INT64_MAX);
    EXPECT_TRUE(reader.expect_end().has_value());
}

TEST(Serialize, writes_fixed_width_integers_little_endian) {
    Bytes out;
    Writer writer(out);
    writer.write_u8(0xab);
    writer.write_u16(0x1234);
    writer.write_u32(0x12345678);
    writer.write_u64(0x0123456789abcdef);
    writer.write_i32(-2);
    writer.write_i64(INT64_MAX);
    EXPECT_EQ(to_hex(out), "ab" "3412" "78563412" "efcdab8967452301" "feffffff" "ffffffffffffff7f");
}

TEST(Serialize, fixed_width_reads_fail_without_moving_when_input_ends) {
    const Bytes in = hex("010203");
    Reader reader(in);
    EXPECT_EQ(reader.read_u32().error(), DecodeError::truncated);
    EXPECT_EQ(reader.read_u64().error(), DecodeError::truncated);
    EXPECT_EQ(reader.read_uint256().error(), DecodeError::truncated);
    EXPECT_EQ(reader.position(), 0u);
    EXPECT_EQ(reader.read_u16().value(), 0x0201);
    EXPECT_EQ(reader.read_u16().error(), DecodeError::truncated);
    EXPECT_EQ(reader.remaining(), 1u);
}

TEST(Serialize, var_bytes_round_trip) {
    const Bytes payload = hex("00112233445566778899");
    Bytes out;
    Writer writer(out);
    writer.write_var_bytes(payload);
    writer.write_var_bytes({});
    EXPECT_EQ(to_hex(out), "0a0011223344556677889900");

    Reader reader(out);
    EXPECT_EQ(reader.read_var_bytes().value(), payload);
    EXPECT_TRUE(reader.read_var_bytes().value().empty());
    EXPECT_TRUE(reader.at_end());
}

TEST(Serialize, var_bytes_longer_than_the_input_are_truncated) {
    const Bytes in = hex("05" "01020304");
    Reader reader(in);
    const auto bytes = reader.read_var_bytes();
    ASSERT_FALSE(bytes.has_value());
    EXPECT_EQ(bytes.error(), DecodeError::truncated);
    EXPECT_EQ(reader.position(), 0u);
}

TEST(Serialize, strings_round_trip) {
    Bytes out;
    Writer writer(out);
    writer.write_var_bytes(as_bytes("/bitloom:0.1/"));
    Reader reader(out);
    EXPECT_EQ(reader.read_string().value(), "/bitloom:0.1/");
}

TEST(Serialize, reads_vectors_of_structures) {
    const Bytes in = hex("03" "0100" "0200" "0300");
    Reader reader(in);
    const auto values = reader.read_vector<std::uint16_t>(2, [](Reader& r) { return r.read_u16(); });
    ASSERT_TRUE(values.has_value());
    EXPECT_EQ(*values, (std::vector<std::uint16_t>{1, 2, 3}));
}

TEST(Serialize, vector_read_reports_the_element_error) {
    // Three elements of at least one byte fit, but the last element is a truncated u16.
    const Bytes in = hex("03" "0100" "0200" "03");
    Reader reader(in);
    const auto values = reader.read_vector<std::uint16_t>(1, [](Reader& r) { return r.read_u16(); });
    ASSERT_FALSE(values.has_value());
    EXPECT_EQ(values.error(), DecodeError::truncated);
}

TEST(Serialize, expect_end_reports_trailing_data) {
    const Bytes in = hex("0102");
    Reader reader(in);
    ASSERT_TRUE(reader.read_u8().has_value());
    EXPECT_EQ(reader.expect_end().error(), DecodeError::trailing_data);
}

TEST(Serialize, size_counter_counts_what_writer_writes) {
    const Bytes blob(300, 0x55);
    auto write_all = [&](auto& sink) {
        sink.write_u8(1);
        sink.write_u32(2);
        sink.write_i64(-3);
        sink.write_compact_size(0x10000);
        sink.write_var_bytes(blob);
        sink.write_uint256(Uint256());
    };
    Bytes out;
    Writer writer(out);
    write_all(writer);
    SizeCounter counter;
    write_all(counter);
    EXPECT_EQ(counter.size(), out.size());
    EXPECT_EQ(out.size(), 1u + 4 + 8 + 5 + 3 + 300 + 32);
}

TEST(Serialize, hash_writer_gives_the_double_sha256_of_what_it_was_fed) {
    Bytes out;
    Writer writer(out);
    HashWriter hasher;
    for (int i = 0; i < 100; ++i) {
        writer.write_u32(static_cast<std::uint32_t>(i));
        hasher.write_u32(static_cast<std::uint32_t>(i));
    }
    EXPECT_EQ(hasher.size(), out.size());
    EXPECT_EQ(hasher.hash256(), sha256d(out));
}

TEST(Serialize, every_decode_error_has_a_distinct_reason) {
    const DecodeError all[] = {
        DecodeError::truncated,          DecodeError::non_canonical_compact_size,
        DecodeError::size_too_large,     DecodeError::trailing_data,
        DecodeError::superfluous_witness, DecodeError::unknown_witness_flag,
    };
    std::set<std::string_view> reasons;
    for (DecodeError e : all) {
        EXPECT_FALSE(to_string(e).empty());
        reasons.insert(to_string(e));
    }
    EXPECT_EQ(reasons.size(), std::size(all));
}

}  // namespace
}  // namespace bitloom
