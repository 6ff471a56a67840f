// Bitcoin Core's VARINT: the variable-length integer of its disk formats (coins database, undo
// data), not to be confused with the wire's CompactSize.
//
// Format (base 128, most significant group first):
//   varint := more:byte* last:byte
//     more := 1 g:bit7        (high bit set: another byte follows)
//     last := 0 g:bit7
//   value  := fold over the groups g_0 .. g_k:  v = g_0;  v = (v + 1) * 128 + g_i  for i >= 1
//
// Adding one at every continuation makes the encoding bijective: each value has exactly one
// encoding and every byte string ending in a byte below 0x80 decodes to exactly one value, so
// there is no "non-canonical" form to reject. Examples: 0 -> 00, 127 -> 7f, 128 -> 80 00,
// 255 -> 80 7f, 16383 -> fe 7f, 16384 -> ff 00, 65535 -> 82 fe 7f.
//
// Only non-negative values are written (Core's VarIntMode::DEFAULT). A reader is told the largest
// value the field may hold (Core reads each field into a fixed-width unsigned type) and rejects
// an encoding above it with `size_too_large`, as Core's ReadVarInt does ("size too large").
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>

#include "primitives/serialize.h"
#include "util/result.h"

namespace bitloom {

// Longest encoding of a 64-bit value (ten 7-bit groups).
inline constexpr std::size_t MAX_VARINT_LENGTH = 10;

// Number of bytes the VARINT encoding of `n` takes (1..10).
constexpr std::size_t varint_length(std::uint64_t n) {
    std::size_t length = 1;
    while (n > 0x7f) {
        n = (n >> 7) - 1;
        ++length;
    }
    return length;
}

// Appends the VARINT encoding of `n` to `sink`.
template <ByteSink S>
void write_varint(S& sink, std::uint64_t n) {
    std::uint8_t buf[MAX_VARINT_LENGTH];
    std::size_t pos = MAX_VARINT_LENGTH;
    // Groups are produced least significant first, so fill the buffer from its end.
    buf[--pos] = static_cast<std::uint8_t>(n & 0x7f);
    while (n > 0x7f) {
        n = (n >> 7) - 1;
        buf[--pos] = static_cast<std::uint8_t>((n & 0x7f) | 0x80);
    }
    sink.write_bytes(ByteSpan(buf + pos, MAX_VARINT_LENGTH - pos));
}

// Reads one VARINT whose value must not exceed `max`. Errors: `truncated` when the input ends
// before a byte below 0x80, `size_too_large` when the value exceeds `max`. On error the reader's
// position is unchanged; on success it is just past the encoding.
inline Result<std::uint64_t, DecodeError> read_varint(
    Reader& reader, std::uint64_t max = std::numeric_limits<std::uint64_t>::max()) {
    const ByteSpan input = reader.data().subspan(reader.position());
    std::uint64_t n = 0;
    for (std::size_t i = 0; i < input.size(); ++i) {
        // Shifting in another group must not lose bits (the test Core makes).
        if (n > (max >> 7)) return fail(DecodeError::size_too_large);
        const std::uint8_t byte = input[i];
        n = (n << 7) | (byte & 0x7f);
        if ((byte & 0x80) == 0) {
            if (n > max) return fail(DecodeError::size_too_large);
            (void)reader.read_span(i + 1);
            return n;
        }
        if (n >= max) return fail(DecodeError::size_too_large);
        ++n;
    }
    return fail(DecodeError::truncated);
}

// A VARINT field Core reads as uint32_t (heights, output indexes, script sizes).
inline Result<std::uint32_t, DecodeError> read_varint_u32(Reader& reader) {
    const auto n = read_varint(reader, std::numeric_limits<std::uint32_t>::max());
    if (!n) return fail(n.error());
    return static_cast<std::uint32_t>(*n);
}

}  // namespace bitloom
