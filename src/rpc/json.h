// JSON values as the RPC layer uses them: nlohmann's ordered_json (object members keep their
// insertion order, as Bitcoin Core's UniValue does), a writer that prints exactly like
// UniValue (compact, or pretty with UniValue's indentation and its "[\n]" for empty
// containers), and amounts that print with eight decimals ("50.00000000") as Core's
// ValueFromAmount does.
//
// Amounts: amount_to_json(sats) makes a value that write_json prints as a fixed-point number
// with 8 decimals. It is stored as a nlohmann binary value with subtype AMOUNT_SUBTYPE holding
// the 8-byte little-endian satoshi count, so code that inspects a result tree in C++ should
// read amounts with amount_from_json() (which also accepts plain numbers and strings, like
// Core's AmountFromValue). Over the wire an amount is an ordinary JSON number.
//
// Raw text helpers (json_raw_member, pretty_json_text) work on JSON text without converting
// numbers, so a client can re-print a server's "0.00001000" unchanged.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "util/amount.h"
#include "util/result.h"

namespace bitloom {

using Json = nlohmann::ordered_json;

inline constexpr std::uint8_t AMOUNT_SUBTYPE = 0xA8;
// Core's UniValue nesting limit; deeper documents are parse errors.
inline constexpr int MAX_JSON_DEPTH = 512;

// A value that prints as `[-]<sats / COIN>.<8 digits>`.
Json amount_to_json(std::int64_t sats);
// True when `value` was made by amount_to_json.
bool is_json_amount(const Json& value);

// Core's AmountFromValue (decimals 8): accepts an amount_to_json value, a number or a numeric
// string with at most 8 decimals. Errors (message text as Core): "Amount is not a number or
// string" (type), "Invalid amount" (syntax, too many decimals), "Amount out of range"
// (negative or above MAX_MONEY).
enum class AmountError { not_number_or_string, invalid_amount, out_of_range };
std::string_view to_string(AmountError error);
Result<std::int64_t, AmountError> amount_from_json(const Json& value);

// Parses JSON text. Never throws; nullopt on any syntax error, on nesting deeper than
// MAX_JSON_DEPTH, or on trailing garbage. Any JSON value is accepted at the top level.
std::optional<Json> parse_json(std::string_view text);

// Serializes like UniValue::write: indent 0 is compact ({"a":1,"b":[1,2]}); indent n > 0
// puts each member on its own line indented n spaces per level, ": " after keys, and prints
// empty containers as "[\n<indent>]". Strings are escaped as UniValue does (\" \\ \b \f \n
// \r \t, other control characters and DEL as \u00XX; other bytes, UTF-8 included, as is).
// Doubles print with up to 16 significant digits; amounts as described above; binary values
// other than amounts print as null.
std::string write_json(const Json& value, int indent = 0);

// The `"kind"` name Core uses in type errors: "null", "bool", "object", "array", "string",
// "number" (amounts are numbers).
std::string_view json_type_name(const Json& value);

// The raw text of member `key` of the top-level object in `text` (whitespace trimmed), or
// nullopt when `text` is not an object or lacks the key. Does not validate the whole text.
std::optional<std::string_view> json_raw_member(std::string_view text, std::string_view key);

// Re-indents JSON text as write_json(…, indent) would, keeping number and string literals
// exactly as written. nullopt when the text is not well-formed JSON.
std::optional<std::string> pretty_json_text(std::string_view text, int indent);

}  // namespace bitloom
