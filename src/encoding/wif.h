// WIF: the Base58Check text form of a private key ("wallet import format").
//
// Grammar:
//   wif     := base58check(prefix || secret[32] || flag?)
//   prefix  := AddressPrefixes::secret_key (0x80 mainnet, 0xef test networks)
//   secret  := big-endian scalar, 0 < secret < n (the secp256k1 group order)
//   flag    := 0x01                          ; present: the key's public key is compressed
//
// Decoding is Bitcoin Core's DecodeSecret with a reason for each failure. Keys are
// crypto/key.h PrivateKeys, which wipe their secret when destroyed; the payload buffers built
// here are wiped too (Base58's own working buffers are not, as in Bitcoin Core).
#pragma once

#include <string>
#include <string_view>

#include "crypto/key.h"
#include "encoding/prefixes.h"
#include "util/result.h"

namespace bitloom {

enum class WifError {
    invalid_encoding,          // not Base58
    bad_checksum,              // the Base58Check checksum does not match
    wrong_length,              // the payload is not 33 or 34 bytes
    wrong_prefix,              // the version byte is not this network's secret_key prefix
    invalid_compression_flag,  // a 34-byte payload whose last byte is not 0x01
    invalid_secret,            // the secret is 0 or not below the curve order
};
std::string_view to_string(WifError error);

// The WIF text of `key` on the network with `prefixes` (with the 0x01 flag when the key is
// compressed).
std::string encode_wif(const PrivateKey& key, const AddressPrefixes& prefixes);

// Decodes WIF text of the network with `prefixes`. Surrounding whitespace is skipped, as
// Base58 decoding does. Errors: every WifError.
Result<PrivateKey, WifError> decode_wif(std::string_view text, const AddressPrefixes& prefixes);

}  // namespace bitloom
