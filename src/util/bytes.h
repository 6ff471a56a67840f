// Byte containers and views shared by every module.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace bitloom {

using Bytes = std::vector<std::uint8_t>;
using ByteSpan = std::span<const std::uint8_t>;
using MutableByteSpan = std::span<std::uint8_t>;

// Views the characters of a string as bytes (no copy).
inline ByteSpan as_bytes(std::string_view text) {
    return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

// Appends `tail` to `out`.
inline void append(Bytes& out, ByteSpan tail) { out.insert(out.end(), tail.begin(), tail.end()); }

}  // namespace bitloom
