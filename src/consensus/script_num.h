// Script numbers: the integers that arithmetic opcodes read from and write to the stack.
//
//   encoding := magnitude as little-endian bytes, the sign in bit 7 of the last byte, with no
//               redundant trailing byte; zero is the empty string (Bitcoin Core's CScriptNum).
//
// Operands are read with a size limit (4 bytes for arithmetic, 5 for CHECKLOCKTIMEVERIFY and
// CHECKSEQUENCEVERIFY) and, under MINIMALDATA, must be minimally encoded. Results are kept as
// 64-bit values and may be pushed back with up to 5 bytes (an operation on two 4-byte operands
// can overflow 4 bytes; such a result can be pushed but not read as an operand again).
#pragma once

#include <climits>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "primitives/script.h"
#include "util/bytes.h"

namespace bitloom {

class ScriptNum {
public:
    static constexpr std::size_t DEFAULT_MAX_SIZE = 4;

    explicit constexpr ScriptNum(std::int64_t value) : value_(value) {}

    // Decodes a stack element. Returns nullopt when it is longer than `max_size` or, with
    // `require_minimal`, when it has a redundant trailing byte (Core's scriptnum_error).
    static std::optional<ScriptNum> decode(ByteSpan bytes, bool require_minimal,
                                           std::size_t max_size = DEFAULT_MAX_SIZE) {
        if (bytes.size() > max_size) return std::nullopt;
        if (require_minimal && !is_minimally_encoded(bytes)) return std::nullopt;
        if (bytes.empty()) return ScriptNum(0);
        std::uint64_t magnitude = 0;
        for (std::size_t i = 0; i < bytes.size(); ++i) {
            magnitude |= static_cast<std::uint64_t>(bytes[i]) << (8 * i);
        }
        const std::size_t top_bit = 8 * bytes.size() - 1;
        if (bytes.back() & 0x80) {
            magnitude &= ~(std::uint64_t{1} << top_bit);
            return ScriptNum(-static_cast<std::int64_t>(magnitude));
        }
        return ScriptNum(static_cast<std::int64_t>(magnitude));
    }

    // True when `bytes` has no redundant trailing byte (the last byte carries magnitude bits,
    // or is needed for the sign because the one before it has bit 7 set).
    static constexpr bool is_minimally_encoded(ByteSpan bytes) {
        if (bytes.empty()) return true;
        if ((bytes.back() & 0x7f) != 0) return true;
        return bytes.size() > 1 && (bytes[bytes.size() - 2] & 0x80) != 0;
    }

    constexpr std::int64_t value() const { return value_; }
    // The value clamped to int (Core's getint()), for counts and indices.
    constexpr int to_int() const {
        if (value_ > INT_MAX) return INT_MAX;
        if (value_ < INT_MIN) return INT_MIN;
        return static_cast<int>(value_);
    }

    // Writes the encoding into `out` (replacing its contents; reuses its capacity).
    void encode_to(Bytes& out) const { encode_script_num_to(value_, out); }
    Bytes encode() const {
        Bytes out;
        encode_to(out);
        return out;
    }

private:
    std::int64_t value_;
};

}  // namespace bitloom
