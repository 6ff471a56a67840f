// Base64 (RFC 4648, standard alphabet, '=' padding), as used by HTTP Basic authentication.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "util/bytes.h"

namespace bitloom {

std::string encode_base64(ByteSpan data);
inline std::string encode_base64(std::string_view text) { return encode_base64(as_bytes(text)); }

// Strict decoder: the length must be a multiple of 4, padding only at the end (at most two
// '='), no whitespace, and the unused bits of the last symbol must be zero. nullopt otherwise.
std::optional<Bytes> decode_base64(std::string_view text);
// Same, returning the bytes as a string (for "user:password").
std::optional<std::string> decode_base64_string(std::string_view text);

}  // namespace bitloom
