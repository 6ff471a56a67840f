// Base58 and Base58Check, the text encodings of legacy addresses and WIF private keys.
//
// Grammar:
//   base58      := space* '1'{z} digit* space*      ; z = number of leading zero bytes
//   digit       := one of "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
//                  (no 0, O, I, l), the value of the character's index
//   space       := ' ' | '\t' | '\n' | '\v' | '\f' | '\r'
//   base58check := base58 of (payload || checksum)
//   checksum    := first 4 bytes of SHA256d(payload)
//
// Each leading zero byte is written as one '1'; the remaining bytes are the big-endian number
// written in base 58, most significant digit first, without leading '1's of its own. As in
// Bitcoin Core's DecodeBase58, surrounding whitespace is skipped but whitespace inside the
// digits is an error; encoders never write whitespace.
//
// Decoders take a bound on the decoded size and stop as soon as the result would exceed it, so
// hostile input costs at most O(bound) memory and O(length * bound) time.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "util/bytes.h"
#include "util/result.h"

namespace bitloom {

enum class Base58Error {
    invalid_character,  // a character outside the alphabet (including inner whitespace or NUL)
    too_long,           // the decoded bytes would exceed the caller's bound
    missing_checksum,   // Base58Check: fewer than 4 decoded bytes
    bad_checksum,       // Base58Check: the 4 checksum bytes do not match the payload
};
std::string_view to_string(Base58Error error);

inline constexpr std::size_t BASE58_CHECKSUM_SIZE = 4;

// Base58 text of `data` (empty for empty input). Never fails.
std::string encode_base58(ByteSpan data);

// Decodes Base58 text into at most `max_size` bytes.
// Errors: invalid_character, too_long.
Result<Bytes, Base58Error> decode_base58(std::string_view text, std::size_t max_size);

// Base58Check text of `payload` (the payload followed by its 4-byte checksum).
std::string encode_base58check(ByteSpan payload);

// Decodes Base58Check text whose payload (checksum excluded) is at most `max_payload_size`
// bytes, verifies the checksum and returns the payload.
// Errors: invalid_character, too_long, missing_checksum, bad_checksum.
Result<Bytes, Base58Error> decode_base58check(std::string_view text, std::size_t max_payload_size);

}  // namespace bitloom
