// Bitcoin's wire encoding: fixed-width integers, CompactSize, byte strings and vectors.
//
// Format (all integers little-endian):
//   u8 | u16le | u32le | u64le | i32le | i64le   fixed-width integers (two's complement if signed)
//   compact_size := n:u8                  (n <= 0xfc)
//                 | 0xfd n:u16le          (0xfd <= n <= 0xffff)
//                 | 0xfe n:u32le          (0x10000 <= n <= 0xffffffff)
//                 | 0xff n:u64le          (0x100000000 <= n)
//   size         := compact_size          (n <= MAX_SIZE)
//   var_bytes    := len:size byte[len]
//   vector<T>    := count:size T[count]
//
// Every CompactSize must use its shortest form; a longer form is rejected as non-canonical.
//
// Writing: Writer appends to a Bytes buffer; SizeCounter has the same interface and only counts,
// so a structure's encoded size is known without allocating; HashWriter streams into SHA-256.
// Serialization code is written once as a template over the ByteSink concept.
//
// Reading: Reader walks a borrowed ByteSpan and every read returns Result. A failed primitive
// read (integer, CompactSize, span, var_bytes) leaves the position unchanged; a failed composite
// read (a vector, a transaction) leaves it somewhere inside the structure, so callers give up on
// the first error. A Reader never throws and never allocates more than the bytes that remain in
// its input can justify: a claimed length or element count is checked against what remains
// before anything is reserved.
#pragma once

#include <cassert>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crypto/sha256.h"
#include "util/bytes.h"
#include "util/endian.h"
#include "util/result.h"
#include "util/uint256.h"

namespace bitloom {

// Largest length or element count accepted where a size is expected (Bitcoin Core's MAX_SIZE).
inline constexpr std::uint64_t MAX_SIZE = 0x02000000;

enum class DecodeError {
    truncated,                   // the input ends inside a field, or cannot hold a claimed
                                 // length or element count
    non_canonical_compact_size,  // a CompactSize that fits a shorter encoding
    size_too_large,              // a length or count above MAX_SIZE
    trailing_data,               // bytes left after a complete top-level structure
    superfluous_witness,         // the BIP144 witness flag is set but every witness is empty
    unknown_witness_flag,        // the BIP144 flag byte has bits other than 0x01
};

// A short, stable reason, e.g. "truncated".
std::string_view to_string(DecodeError error);

// Number of bytes the CompactSize encoding of `n` takes (1, 3, 5 or 9).
constexpr std::size_t compact_size_length(std::uint64_t n) {
    if (n < 0xfd) return 1;
    if (n <= 0xffff) return 3;
    if (n <= 0xffffffff) return 5;
    return 9;
}

// The integer and string encodings, written once for every sink in terms of the sink's
// write_u8 / write_bytes.
template <typename Derived>
class SinkOps {
public:
    void write_u16(std::uint16_t v) { write_fixed<2>(v); }
    void write_u32(std::uint32_t v) { write_fixed<4>(v); }
    void write_u64(std::uint64_t v) { write_fixed<8>(v); }
    void write_i32(std::int32_t v) { write_fixed<4>(static_cast<std::uint32_t>(v)); }
    void write_i64(std::int64_t v) { write_fixed<8>(static_cast<std::uint64_t>(v)); }
    void write_compact_size(std::uint64_t n) {
        if (n < 0xfd) {
            self().write_u8(static_cast<std::uint8_t>(n));
        } else if (n <= 0xffff) {
            self().write_u8(0xfd);
            write_fixed<2>(n);
        } else if (n <= 0xffffffff) {
            self().write_u8(0xfe);
            write_fixed<4>(n);
        } else {
            self().write_u8(0xff);
            write_fixed<8>(n);
        }
    }
    void write_var_bytes(ByteSpan data) {
        write_compact_size(data.size());
        self().write_bytes(data);
    }
    void write_uint256(const Uint256& v) { self().write_bytes(v.span()); }

private:
    Derived& self() { return static_cast<Derived&>(*this); }
    template <std::size_t N>
    void write_fixed(std::uint64_t v) {
        std::uint8_t buf[N];
        for (std::size_t i = 0; i < N; ++i) buf[i] = static_cast<std::uint8_t>(v >> (8 * i));
        self().write_bytes(ByteSpan(buf, N));
    }
};

// Appends encodings to a caller-owned buffer.
class Writer : public SinkOps<Writer> {
public:
    explicit Writer(Bytes& out) : out_(out) {}

    void write_u8(std::uint8_t v) { out_.push_back(v); }
    void write_bytes(ByteSpan data) { out_.insert(out_.end(), data.begin(), data.end()); }
    // Total size of the underlying buffer (including what it held before).
    std::size_t size() const { return out_.size(); }

private:
    Bytes& out_;
};

// Counts the bytes an encoding would take, writing nothing.
class SizeCounter : public SinkOps<SizeCounter> {
public:
    void write_u8(std::uint8_t) { size_ += 1; }
    void write_bytes(ByteSpan data) { size_ += data.size(); }
    std::size_t size() const { return size_; }

private:
    std::size_t size_ = 0;
};

// Feeds encodings into SHA-256 without buffering them (txids, signature hashes).
class HashWriter : public SinkOps<HashWriter> {
public:
    HashWriter() = default;
    // Continues from a prepared hasher, e.g. crypto's tagged_hasher(tag).
    explicit HashWriter(const Sha256& initial) : hasher_(initial) {}

    void write_u8(std::uint8_t v) { write_bytes(ByteSpan(&v, 1)); }
    void write_bytes(ByteSpan data) {
        hasher_.write(data);
        size_ += data.size();
    }
    std::size_t size() const { return size_; }

    // SHA256d of everything written (txids, BIP143). Consumes the writer.
    Uint256 hash256();
    // Single SHA-256 of everything written (BIP341 tagged hashes). Consumes the writer.
    Uint256 sha256();

private:
    Sha256 hasher_;
    std::size_t size_ = 0;
};

// What every byte sink offers; serialization templates are constrained on it and instantiated
// for Writer, SizeCounter and HashWriter.
template <typename S>
concept ByteSink = requires(S sink, ByteSpan bytes, std::uint8_t byte, std::uint32_t u32,
                            std::int32_t i32, std::uint64_t u64, std::int64_t i64,
                            const Uint256& hash) {
    sink.write_u8(byte);
    sink.write_u32(u32);
    sink.write_i32(i32);
    sink.write_u64(u64);
    sink.write_i64(i64);
    sink.write_compact_size(u64);
    sink.write_bytes(bytes);
    sink.write_var_bytes(bytes);
    sink.write_uint256(hash);
    { sink.size() } -> std::convertible_to<std::size_t>;
};

static_assert(ByteSink<Writer>);
static_assert(ByteSink<SizeCounter>);
static_assert(ByteSink<HashWriter>);

// Reads encodings from a borrowed span; the span must outlive the Reader and every ByteSpan
// it returns.
class Reader {
public:
    explicit Reader(ByteSpan data) : data_(data) {}

    std::size_t position() const { return pos_; }
    std::size_t remaining() const { return data_.size() - pos_; }
    bool at_end() const { return pos_ == data_.size(); }
    // The whole input (for slicing out byte ranges that were already read).
    ByteSpan data() const { return data_; }

    Result<std::uint8_t, DecodeError> read_u8() {
        if (remaining() < 1) return fail(DecodeError::truncated);
        return data_[pos_++];
    }
    Result<std::uint16_t, DecodeError> read_u16() {
        if (remaining() < 2) return fail(DecodeError::truncated);
        const auto v = read_le16(data_.data() + pos_);
        pos_ += 2;
        return v;
    }
    Result<std::uint32_t, DecodeError> read_u32() {
        if (remaining() < 4) return fail(DecodeError::truncated);
        const auto v = read_le32(data_.data() + pos_);
        pos_ += 4;
        return v;
    }
    Result<std::uint64_t, DecodeError> read_u64() {
        if (remaining() < 8) return fail(DecodeError::truncated);
        const auto v = read_le64(data_.data() + pos_);
        pos_ += 8;
        return v;
    }
    Result<std::int32_t, DecodeError> read_i32() {
        const auto v = read_u32();
        if (!v) return fail(v.error());
        return static_cast<std::int32_t>(*v);
    }
    Result<std::int64_t, DecodeError> read_i64() {
        const auto v = read_u64();
        if (!v) return fail(v.error());
        return static_cast<std::int64_t>(*v);
    }

    // A canonical CompactSize of any value.
    Result<std::uint64_t, DecodeError> read_compact_size();
    // A canonical CompactSize no larger than MAX_SIZE (a length or count).
    Result<std::size_t, DecodeError> read_size();
    // A count of elements that each take at least `min_element_size` (>= 1) bytes: besides
    // read_size()'s checks, fails with `truncated` at once when the remaining input cannot
    // hold that many elements, so the count is safe to reserve.
    Result<std::size_t, DecodeError> read_count(std::size_t min_element_size);

    // The next `n` bytes as a view into the input.
    Result<ByteSpan, DecodeError> read_span(std::size_t n) {
        if (remaining() < n) return fail(DecodeError::truncated);
        ByteSpan out = data_.subspan(pos_, n);
        pos_ += n;
        return out;
    }
    Result<Uint256, DecodeError> read_uint256() {
        if (remaining() < 32) return fail(DecodeError::truncated);
        Uint256 out(data_.subspan(pos_, 32));
        pos_ += 32;
        return out;
    }
    // var_bytes as a view / as a copy / as a string.
    Result<ByteSpan, DecodeError> read_var_span();
    Result<Bytes, DecodeError> read_var_bytes();
    Result<std::string, DecodeError> read_string();

    // vector<T>: a count (checked by read_count(min_element_size)) then that many elements,
    // each read by `read_one(Reader&) -> Result<T, DecodeError>`.
    template <typename T, typename ReadOne>
    Result<std::vector<T>, DecodeError> read_vector(std::size_t min_element_size, ReadOne&& read_one);

    // Fails with `trailing_data` unless every byte has been read.
    Result<void, DecodeError> expect_end() const {
        if (!at_end()) return fail(DecodeError::trailing_data);
        return {};
    }

private:
    ByteSpan data_;
    std::size_t pos_ = 0;
};

template <typename T, typename ReadOne>
Result<std::vector<T>, DecodeError> Reader::read_vector(std::size_t min_element_size,
                                                        ReadOne&& read_one) {
    const auto count = read_count(min_element_size);
    if (!count) return fail(count.error());
    std::vector<T> out;
    out.reserve(*count);
    for (std::size_t i = 0; i < *count; ++i) {
        auto element = read_one(*this);
        if (!element) return fail(element.error());
        out.push_back(std::move(*element));
    }
    return out;
}

}  // namespace bitloom
