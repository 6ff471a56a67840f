// Script verification flags: which rules a script is checked under. Block validation uses the
// consensus set for the block's height; policy adds the rest. Names follow Bitcoin Core's
// SCRIPT_VERIFY_* flags (the test vectors name them without the prefix, e.g. "P2SH,WITNESS").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace bitloom {

using ScriptFlags = std::uint32_t;

namespace script_flags {
inline constexpr ScriptFlags NONE = 0;
inline constexpr ScriptFlags P2SH = 1U << 0;                // BIP16
inline constexpr ScriptFlags STRICTENC = 1U << 1;           // strict signature/pubkey encodings
inline constexpr ScriptFlags DERSIG = 1U << 2;              // BIP66 strict DER
inline constexpr ScriptFlags LOW_S = 1U << 3;               // policy: S <= order/2
inline constexpr ScriptFlags NULLDUMMY = 1U << 4;           // BIP147
inline constexpr ScriptFlags SIGPUSHONLY = 1U << 5;         // scriptSig push-only
inline constexpr ScriptFlags MINIMALDATA = 1U << 6;         // minimal pushes and numbers
inline constexpr ScriptFlags DISCOURAGE_UPGRADABLE_NOPS = 1U << 7;
inline constexpr ScriptFlags CLEANSTACK = 1U << 8;
inline constexpr ScriptFlags CHECKLOCKTIMEVERIFY = 1U << 9;  // BIP65
inline constexpr ScriptFlags CHECKSEQUENCEVERIFY = 1U << 10; // BIP112
inline constexpr ScriptFlags WITNESS = 1U << 11;             // BIP141
inline constexpr ScriptFlags DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM = 1U << 12;
inline constexpr ScriptFlags MINIMALIF = 1U << 13;
inline constexpr ScriptFlags NULLFAIL = 1U << 14;
inline constexpr ScriptFlags WITNESS_PUBKEYTYPE = 1U << 15;
inline constexpr ScriptFlags CONST_SCRIPTCODE = 1U << 16;
inline constexpr ScriptFlags TAPROOT = 1U << 17;  // BIP341/342
inline constexpr ScriptFlags DISCOURAGE_UPGRADABLE_TAPROOT_VERSION = 1U << 18;
inline constexpr ScriptFlags DISCOURAGE_OP_SUCCESS = 1U << 19;
inline constexpr ScriptFlags DISCOURAGE_UPGRADABLE_PUBKEYTYPE = 1U << 20;
inline constexpr ScriptFlags ALL = (1U << 21) - 1;
}  // namespace script_flags

// "P2SH,WITNESS" <-> flags. Parsing accepts "NONE" and "" as no flags; nullopt names the first
// unknown flag through `unknown` when given.
std::optional<ScriptFlags> parse_script_flags(std::string_view text, std::string* unknown = nullptr);
std::string format_script_flags(ScriptFlags flags);

}  // namespace bitloom
