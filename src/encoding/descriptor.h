// Output descriptors (BIPs 380-386): a text language naming an output script, as Bitcoin Core's
// generatetodescriptor, deriveaddresses and getdescriptorinfo read it. This parser covers the
// non-ranged forms without BIP32 keys.
//
// Grammar (whitespace is not allowed anywhere):
//   descriptor := script ('#' checksum)?
//   checksum   := 8 characters of "qpzry9x8gf2tvdw0s3jn54khce6mua7l" (see descriptor_checksum)
//   script     := top | sh(inner_sh) | wsh(inner_wsh) | wpkh(KEY) | tr(TRKEY)
//               | raw(HEX) | addr(ADDRESS)
//   inner_sh   := inner_wsh | wpkh(KEY) | wsh(inner_wsh)
//   inner_wsh  := pk(KEY) | pkh(KEY) | multi(K, KEY, ...) | sortedmulti(K, KEY, ...)
//   top        := inner_wsh                                  ; bare: multi at most 3 keys
//   KEY        := origin? (HEXKEY | WIF)
//   origin     := '[' fingerprint:8 hex ('/' index ("'" | 'h')?)* ']'   ; checked, then ignored
//   HEXKEY     := 33-byte compressed or 65-byte uncompressed public key in hex; inside tr() also
//                 a 32-byte x-only key
//   WIF        := a private key of the given network (encoding/wif.h); only its public key is used
//
// Keys must be compressed inside wpkh(), wsh() and tr(); hybrid keys are refused everywhere.
// tr(KEY) is the key-path-only output: OP_1 <x-only(KEY) tweaked with no script tree>.
// Ranged keys (ending in /* or /*') and extended keys (xpub/xprv...) are refused with
// DescriptorError::unsupported_key, as are tr() script trees.
//
// Error messages are Bitcoin Core's text where Core has one for the same input.
#pragma once

#include <string>
#include <string_view>

#include "encoding/prefixes.h"
#include "primitives/script.h"
#include "util/result.h"

namespace bitloom {

enum class DescriptorError {
    bad_checksum,        // missing (when required), malformed or wrong checksum; bad characters
    invalid_function,    // an unknown function or one with broken parentheses/arguments
    invalid_context,     // a function where it may not appear (e.g. sh() inside wsh())
    invalid_key,         // a key that does not parse (or is uncompressed where it may not be)
    unsupported_key,     // ranged or extended keys, tr() script trees: not supported yet
    invalid_multisig,    // bad threshold or key count, or a script too large
    invalid_address,     // addr() of text that is not an address of the network
    invalid_hex,         // raw() of text that is not hex
};
std::string_view to_string(DescriptorError error);

// A failure with its human-readable message (Core's wording, naming the offending text).
struct DescriptorFailure {
    DescriptorError error;
    std::string message;
};

// The BIP380 checksum of `descriptor` (without any "#..." suffix): 8 characters, or an empty
// string when `descriptor` holds a character outside the descriptor character set.
std::string descriptor_checksum(std::string_view descriptor);

// `descriptor` followed by '#' and its checksum; empty when descriptor_checksum is empty.
std::string add_descriptor_checksum(std::string_view descriptor);

// Parses `descriptor` (keys and addresses of the network with `prefixes`) and returns the one
// output script it describes. A checksum, when present, must be right; with `require_checksum`
// it must also be present. Never throws on any input (bad_alloc aside).
Result<Script, DescriptorFailure> parse_descriptor(std::string_view descriptor,
                                                   const AddressPrefixes& prefixes,
                                                   bool require_checksum = false);

}  // namespace bitloom
