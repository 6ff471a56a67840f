// Addresses: the text form of the output scripts a wallet can be paid to.
//
// Grammar (prefixes from encoding/prefixes.h):
//   address := base58check(pubkey_hash || hash160[20])         ; P2PKH
//            | base58check(script_hash || hash160[20])         ; P2SH
//            | bech32 (bech32_hrp, 0 || program)                ; v0: P2WPKH (20) / P2WSH (32)
//            | bech32m(bech32_hrp, v || program)                ; v = 1..16, program 2..40 bytes
//   program := convert_bits(bytes, 8 -> 5, padded) written after the version symbol
//
// Decoding is Bitcoin Core's DecodeDestination: text starting with the network's hrp (in
// either case) is read as Bech32/Bech32m, anything else as Base58Check, and each failure is
// reported with Core's validateaddress wording. Encoding is the inverse (lower-case Bech32).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "encoding/prefixes.h"
#include "primitives/script.h"
#include "util/bytes.h"
#include "util/result.h"
#include "util/uint256.h"

namespace bitloom {

// No standard destination (an unrecognised or empty script).
struct NoDestination {
    friend bool operator==(const NoDestination&, const NoDestination&) = default;
};
// Pay to a bare public key (P2PK): `public_key` is the 33- or 65-byte encoding the script
// pushes. It has a script but no address.
struct PubKeyDestination {
    Bytes public_key;
    friend bool operator==(const PubKeyDestination&, const PubKeyDestination&) = default;
};
struct PubKeyHash {  // P2PKH
    Uint160 hash;
    friend bool operator==(const PubKeyHash&, const PubKeyHash&) = default;
};
struct ScriptHash {  // P2SH
    Uint160 hash;
    friend bool operator==(const ScriptHash&, const ScriptHash&) = default;
};
struct WitnessV0KeyHash {  // P2WPKH
    Uint160 hash;
    friend bool operator==(const WitnessV0KeyHash&, const WitnessV0KeyHash&) = default;
};
struct WitnessV0ScriptHash {  // P2WSH: SHA256 of the witness script
    Uint256 hash;
    friend bool operator==(const WitnessV0ScriptHash&, const WitnessV0ScriptHash&) = default;
};
struct WitnessV1Taproot {  // P2TR: the BIP341 output key's x coordinate, not checked to be on
                           // the curve (as in Bitcoin Core)
    std::array<std::uint8_t, 32> output_key{};
    friend bool operator==(const WitnessV1Taproot&, const WitnessV1Taproot&) = default;
};
struct PayToAnchor {  // P2A: OP_1 <0x4e73>, the keyless anchor output
    friend bool operator==(const PayToAnchor&, const PayToAnchor&) = default;
};
// Any other segwit output: version 1..16 with a 2..40-byte program that is none of the above.
struct WitnessUnknown {
    unsigned version = 0;
    Bytes program;
    friend bool operator==(const WitnessUnknown&, const WitnessUnknown&) = default;
};

using Destination =
    std::variant<NoDestination, PubKeyDestination, PubKeyHash, ScriptHash, WitnessV0KeyHash,
                 WitnessV0ScriptHash, WitnessV1Taproot, PayToAnchor, WitnessUnknown>;

inline constexpr std::size_t WITNESS_PROGRAM_MIN_SIZE = 2;
inline constexpr std::size_t WITNESS_PROGRAM_MAX_SIZE = 40;
inline constexpr std::array<std::uint8_t, 2> PAY_TO_ANCHOR_PROGRAM = {0x4e, 0x73};

// Why text is not an address. to_string gives Bitcoin Core's validateaddress message; where
// Core puts numbers or names into the message, describe_address_error() fills them in.
enum class AddressError {
    // Base58.
    invalid_encoding,           // neither Base58 nor this network's Bech32
    base58_checksum_or_length,  // Base58 text whose checksum fails or that is too long
    base58_wrong_length,        // a known prefix but not 20 bytes after it
    base58_wrong_prefix,        // the version byte is no P2PKH/P2SH prefix of this network
    // Bech32 strings that start with this network's hrp but do not decode.
    bech32_too_long,
    bech32_invalid_character,  // a character outside 33..126, or mixed case
    bech32_missing_separator,
    bech32_invalid_separator_position,
    bech32_invalid_data_character,
    bech32_invalid_checksum,  // no codeword within two substitutions
    bech32_invalid_bech32_checksum,
    bech32_invalid_bech32m_checksum,
    // Valid Bech32/Bech32m strings that are not valid segwit addresses.
    bech32_empty_data,
    bech32_wrong_hrp,          // e.g. "bcrt1..." on a network whose hrp is "bc"
    v0_requires_bech32,        // version 0 with a Bech32m checksum
    v1_plus_requires_bech32m,  // version 1..31 with a Bech32 checksum
    invalid_padding,           // leftover bits of the 5 -> 8 regrouping
    v0_wrong_program_size,     // version 0 whose program is neither 20 nor 32 bytes
    invalid_witness_version,   // version above 16
    wrong_program_size,        // version 1..16 with a program outside 2..40 bytes
};
std::string_view to_string(AddressError error);

// Decodes `text` as an address of the network with `prefixes`.
// Returns a PubKeyHash, ScriptHash, WitnessV0KeyHash, WitnessV0ScriptHash, WitnessV1Taproot,
// PayToAnchor or WitnessUnknown destination; never NoDestination or PubKeyDestination.
Result<Destination, AddressError> decode_address(std::string_view text,
                                                 const AddressPrefixes& prefixes);

// Everything validateaddress reports about text that is not an address.
struct AddressErrorReport {
    AddressError error;
    std::string message;                       // Core's wording with its numbers and names
    std::vector<std::size_t> error_locations;  // Bech32 only: likely wrong characters (see
                                               // locate_bech32_errors); empty when unknown
};
// The report for `text`; nullopt when `text` is a valid address.
std::optional<AddressErrorReport> describe_address_error(std::string_view text,
                                                         const AddressPrefixes& prefixes);

// The address of `destination` on the network with `prefixes`, or nullopt for destinations
// that have no address: NoDestination, PubKeyDestination, and a WitnessUnknown whose version
// is outside 1..16 or whose program is outside 2..40 bytes.
std::optional<std::string> encode_address(const Destination& destination,
                                          const AddressPrefixes& prefixes);

// The output script paying to `destination`: empty for NoDestination; for a WitnessUnknown,
// OP_version followed by a push of the program (empty when the version is above 16).
Script script_for_destination(const Destination& destination);

// The destination an output script pays to, as Bitcoin Core's ExtractDestination sees it:
//   P2PK (a 33-byte 0x02/0x03 or 65-byte 0x04/0x06/0x07 push, OP_CHECKSIG) -> PubKeyDestination
//   P2PKH, P2SH, P2WPKH, P2WSH, P2TR, P2A                                  -> their types
//   any other witness program of version 1..16                            -> WitnessUnknown
//   anything else (including v0 programs of other sizes, multisig, OP_RETURN) -> NoDestination
Destination extract_destination(const Script& script);

// True for the destinations that have an address (see encode_address).
bool has_address(const Destination& destination);

}  // namespace bitloom
