// Opaque fixed-size byte strings used for hashes (Uint256, Uint160).
//
// Bytes are kept in memory (wire) order. Bitcoin shows hashes as the hex of the bytes in
// reverse order ("display order"): to_string() and from_string() use that order, as Bitcoin
// Core's RPC does; to_hex()/parse_hex() from util/hex.h use memory order.
#pragma once

#include <algorithm>
#include <array>
#include <cassert>
#include <compare>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "util/bytes.h"
#include "util/hex.h"

namespace bitloom {

template <std::size_t N>
class Blob {
public:
    static constexpr std::size_t SIZE = N;

    constexpr Blob() : data_{} {}
    // `bytes` must hold exactly N bytes (a programmer error otherwise).
    explicit Blob(ByteSpan bytes) {
        assert(bytes.size() == N);
        std::memcpy(data_.data(), bytes.data(), N);
    }
    explicit constexpr Blob(const std::array<std::uint8_t, N>& bytes) : data_(bytes) {}

    // Parses display-order hex (exactly 2*N hex digits).
    static std::optional<Blob> from_string(std::string_view text) {
        if (text.size() != 2 * N) return std::nullopt;
        auto bytes = parse_hex(text);
        if (!bytes) return std::nullopt;
        std::reverse(bytes->begin(), bytes->end());
        return Blob(ByteSpan(*bytes));
    }
    // Display-order hex (bytes reversed).
    std::string to_string() const {
        std::array<std::uint8_t, N> reversed = data_;
        std::reverse(reversed.begin(), reversed.end());
        return to_hex(reversed);
    }

    bool is_null() const {
        return std::all_of(data_.begin(), data_.end(), [](std::uint8_t b) { return b == 0; });
    }
    void set_null() { data_.fill(0); }

    std::uint8_t* data() { return data_.data(); }
    const std::uint8_t* data() const { return data_.data(); }
    static constexpr std::size_t size() { return N; }
    auto begin() { return data_.begin(); }
    auto end() { return data_.end(); }
    auto begin() const { return data_.begin(); }
    auto end() const { return data_.end(); }
    std::uint8_t& operator[](std::size_t i) { return data_[i]; }
    std::uint8_t operator[](std::size_t i) const { return data_[i]; }
    ByteSpan span() const { return data_; }
    MutableByteSpan mutable_span() { return data_; }
    const std::array<std::uint8_t, N>& array() const { return data_; }

    // Memory-order comparison (what maps and sets need, not numeric order).
    friend bool operator==(const Blob&, const Blob&) = default;
    friend auto operator<=>(const Blob& a, const Blob& b) { return a.data_ <=> b.data_; }

    // The first 8 bytes as a little-endian integer: a cheap, already-random hash key.
    std::uint64_t cheap_hash() const {
        std::uint64_t v;
        std::memcpy(&v, data_.data(), sizeof v);
        return v;
    }

private:
    std::array<std::uint8_t, N> data_;
};

using Uint256 = Blob<32>;
using Uint160 = Blob<20>;

struct BlobHasher {
    template <std::size_t N>
    std::size_t operator()(const Blob<N>& blob) const {
        return static_cast<std::size_t>(blob.cheap_hash());
    }
};

}  // namespace bitloom
