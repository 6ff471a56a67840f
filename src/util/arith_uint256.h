// Unsigned 256-bit integer arithmetic for proof-of-work targets and chain work.
//
// Numeric value of a Uint256 hash: the hash bytes read as a little-endian number (so the
// display-order hex of a block hash is also its big-endian numeric value).
#pragma once

#include <array>
#include <compare>
#include <optional>
#include <string_view>
#include <cstdint>
#include <string>

#include "util/uint256.h"

namespace bitloom {

struct CompactValue;

class ArithUint256 {
public:
    static constexpr int WIDTH = 8;  // 32-bit limbs, least significant first

    constexpr ArithUint256() : limbs_{} {}
    constexpr ArithUint256(std::uint64_t value) : limbs_{} {  // NOLINT: implicit by design
        limbs_[0] = static_cast<std::uint32_t>(value);
        limbs_[1] = static_cast<std::uint32_t>(value >> 32);
    }

    static ArithUint256 from_uint256(const Uint256& hash);
    Uint256 to_uint256() const;
    // Parses display-order hex of up to 64 digits (an optional 0x prefix is accepted).
    static std::optional<ArithUint256> from_hex(std::string_view text);
    std::string to_hex() const;  // 64 digits, most significant first

    // Decodes nBits as Bitcoin does: 8-bit exponent, sign bit, 23-bit mantissa.
    static CompactValue from_compact(std::uint32_t compact);
    // Encodes to nBits (the smallest representation, normalised so the sign bit is clear).
    std::uint32_t to_compact(bool negative = false) const;

    // Number of significant bits (0 for zero).
    unsigned bits() const;
    std::uint64_t low64() const { return limbs_[0] | (std::uint64_t{limbs_[1]} << 32); }
    double to_double() const;
    bool is_zero() const;

    ArithUint256& operator+=(const ArithUint256& b);
    ArithUint256& operator-=(const ArithUint256& b);
    ArithUint256& operator*=(std::uint32_t b);
    ArithUint256& operator*=(const ArithUint256& b);
    // Division by zero is a programmer error (asserted).
    ArithUint256& operator/=(const ArithUint256& b);
    ArithUint256& operator<<=(unsigned shift);
    ArithUint256& operator>>=(unsigned shift);
    ArithUint256 operator~() const;
    ArithUint256 operator-() const;
    ArithUint256& operator++();

    friend ArithUint256 operator+(ArithUint256 a, const ArithUint256& b) { return a += b; }
    friend ArithUint256 operator-(ArithUint256 a, const ArithUint256& b) { return a -= b; }
    friend ArithUint256 operator*(ArithUint256 a, const ArithUint256& b) { return a *= b; }
    friend ArithUint256 operator*(ArithUint256 a, std::uint32_t b) { return a *= b; }
    friend ArithUint256 operator/(ArithUint256 a, const ArithUint256& b) { return a /= b; }
    friend ArithUint256 operator<<(ArithUint256 a, unsigned s) { return a <<= s; }
    friend ArithUint256 operator>>(ArithUint256 a, unsigned s) { return a >>= s; }

    friend bool operator==(const ArithUint256&, const ArithUint256&) = default;
    friend std::strong_ordering operator<=>(const ArithUint256& a, const ArithUint256& b);

private:
    std::array<std::uint32_t, WIDTH> limbs_;
};

// Result of decoding a compact "nBits" value.
struct CompactValue {
    ArithUint256 value;
    bool negative = false;  // sign bit set on a non-zero mantissa
    bool overflow = false;  // the value does not fit in 256 bits
};

}  // namespace bitloom
