// Script assembly text, as Bitcoin Core's test vectors and `decodescript` write it.
//
//   asm    := (space* token)* space*            space: ' ', '\t', '\n'
//   token  := number                            -?[0-9]+ in -0xffffffff..0xffffffff; pushed
//                                               as Script::push_int does (OP_1NEGATE, OP_0,
//                                               OP_1..OP_16, or the script number as data)
//           | "0x" hexdigits                    an even number of digits, inserted raw (not
//                                               pushed: "0x02 0x0100" is a 2-byte push)
//           | "'" chars "'"                     the characters pushed as data ('' is OP_0)
//           | opcode name                       "DUP" or "OP_DUP": every opcode from OP_NOP up
//                                               to OP_CHECKSIGADD and OP_RESERVED (not the
//                                               push opcodes, which numbers and 0x cover);
//                                               NOP2/NOP3 are accepted for CLTV/CSV
#pragma once

#include <functional>
#include <optional>

#include <string>
#include <string_view>

#include "primitives/script.h"
#include "util/result.h"

namespace bitloom {

enum class ScriptAsmError {
    unknown_token,         // not a number, hex, quoted string or opcode name
    number_out_of_range,   // a decimal number outside -0xffffffff..0xffffffff
};
std::string_view to_string(ScriptAsmError error);

// Parses assembly text into a script. Never throws. On failure `bad_token` (when given)
// receives the offending token.
Result<Script, ScriptAsmError> parse_script_asm(std::string_view text,
                                                std::string* bad_token = nullptr);

// Core's ScriptToAsmStr: operations separated by single spaces; pushes of up to 4 bytes as
// decimal script numbers, longer pushes as hex; other opcodes by name ("OP_DUP"), OP_1..OP_16
// as "1".."16" and OP_1NEGATE as "-1"; an unparseable tail as "[error]".
std::string script_to_asm(const Script& script);

// The same, letting `long_push` render each push longer than 4 bytes (nullopt: hex as above).
// The RPC layer uses it to show signatures with their sighash type ("...[ALL]").
using AsmPushFormatter = std::function<std::optional<std::string>(ByteSpan data)>;
std::string script_to_asm(const Script& script, const AsmPushFormatter& long_push);

}  // namespace bitloom
