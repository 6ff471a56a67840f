// Bech32 (BIP173) and Bech32m (BIP350) strings, and the 8-bit <-> 5-bit regrouping that
// segwit addresses use.
//
// Grammar:
//   bech32    := hrp '1' data checksum      ; at most 90 characters in all (by default)
//   hrp       := char{1..83}                ; US-ASCII 33..126; the *last* '1' separates
//   data      := symbol*                    ; 5-bit values
//   checksum  := symbol{6}
//   symbol    := one of "qpzry9x8gf2tvdw0s3jn54khce6mua7l", the value of its index
//
// The whole string is either all lower case or all upper case; decoders report lower case.
// The checksum is the BCH code of BIP173 over expand(hrp) || data, with the final constant
// 1 (Bech32) or 0x2bc830a3 (Bech32m); no string is valid in both.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/bytes.h"
#include "util/result.h"

namespace bitloom {

enum class Bech32Encoding { bech32, bech32m };

enum class Bech32Error {
    too_long,                    // more characters than the limit (90 by default)
    invalid_character,           // a character outside US-ASCII 33..126
    mixed_case,                  // both upper- and lower-case letters
    missing_separator,           // no '1'
    invalid_separator_position,  // empty hrp, or fewer than 6 characters after the last '1'
    invalid_data_character,      // a data or checksum character outside the Bech32 charset
    invalid_checksum,            // neither checksum matches, errors could not be located
    invalid_bech32_checksum,     // closest to a Bech32 string: 1 or 2 located errors
    invalid_bech32m_checksum,    // closest to a Bech32m string: 1 or 2 located errors
};
// Bitcoin Core's wording (bech32::LocateErrors), e.g. "Invalid Bech32m checksum".
std::string_view to_string(Bech32Error error);

inline constexpr std::size_t BECH32_MAX_LENGTH = 90;
inline constexpr std::size_t BECH32_CHECKSUM_SIZE = 6;

struct Bech32Decoded {
    Bech32Encoding encoding = Bech32Encoding::bech32;
    std::string hrp;  // lower case
    Bytes data;       // 5-bit values, checksum removed

    friend bool operator==(const Bech32Decoded&, const Bech32Decoded&) = default;
};

// Encodes `values` (each < 32) under `hrp` (1..83 characters in 33..126, no upper case) with
// the checksum of `encoding`. Violating those preconditions is a programmer error (asserted).
// The result is lower case; it can exceed 90 characters, in which case the default-limit
// decoder rejects it.
std::string encode_bech32(Bech32Encoding encoding, std::string_view hrp, ByteSpan values);

// Decodes and verifies a Bech32 or Bech32m string of at most `max_length` characters; the
// checksum tells which encoding it is.
// Errors: every Bech32Error. A checksum failure costs one extra pass to name the encoding
// whose codeword is nearest (as Bitcoin Core reports it).
Result<Bech32Decoded, Bech32Error> decode_bech32(std::string_view text,
                                                 std::size_t max_length = BECH32_MAX_LENGTH);

// Positions (0-based indices into `text`, ascending) of the characters that most likely make
// `text` invalid, as Bitcoin Core's validateaddress reports them:
//   too long              -> every index from max_length on
//   bad character / case  -> each offending character (letters of the minority case)
//   separator             -> the last '1', if any
//   invalid data char     -> that character
//   checksum              -> the 1 or 2 substituted characters of the nearest codeword among
//                            data and checksum characters; empty when none is that near, or
//                            when the data part is longer than 89 characters
// Empty when `text` is valid.
std::vector<std::size_t> locate_bech32_errors(std::string_view text,
                                              std::size_t max_length = BECH32_MAX_LENGTH);

// Regroups a sequence of `from_bits`-bit values into `to_bits`-bit values, most significant
// bit first (1 <= from_bits, to_bits <= 8). With `pad`, a final partial group is zero-padded;
// without it, leftover bits must be fewer than `from_bits` and all zero. Returns nullopt when
// a value does not fit in `from_bits` bits or the padding rule is broken.
std::optional<Bytes> convert_bits(ByteSpan values, unsigned from_bits, unsigned to_bits, bool pad);

// Bytes -> 5-bit values, zero-padded (never fails).
Bytes bytes_to_5bit(ByteSpan bytes);
// 5-bit values -> bytes; nullopt on a value >= 32, more than 4 padding bits or non-zero padding.
std::optional<Bytes> bytes_from_5bit(ByteSpan values);

}  // namespace bitloom
