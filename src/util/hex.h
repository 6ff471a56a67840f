// Hexadecimal text <-> bytes.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "util/bytes.h"

namespace bitloom {

// Lower-case hex of `data`, two characters per byte, in memory order.
std::string to_hex(ByteSpan data);

// Parses an even-length string of hex digits (either case, no prefix, no spaces).
// Returns nullopt on any other character or an odd length.
std::optional<Bytes> parse_hex(std::string_view text);

// True when `text` is a non-empty, even-length string of hex digits.
bool is_hex(std::string_view text);

}  // namespace bitloom
