// The per-network prefixes that make an address, key or extended key belong to one chain.
//
//   base58 address := base58check(prefix_byte || hash160)   ; pubkey_hash or script_hash
//   WIF key        := base58check(secret_key || secret[32] || 0x01?)
//   segwit address := bech32(m)(bech32_hrp, ...)             ; see encoding/address.h
//   BIP32 key      := base58check(version[4] || ...)         ; extended_public/private_key
//
// The chain parameters refer to these constants; testnet3, testnet4 and signet share
// TESTNET_ADDRESS_PREFIXES, as in Bitcoin Core.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace bitloom {

struct AddressPrefixes {
    std::uint8_t pubkey_hash;                          // P2PKH version byte
    std::uint8_t script_hash;                          // P2SH version byte
    std::uint8_t secret_key;                           // WIF version byte
    std::string_view bech32_hrp;                       // lower case, e.g. "bc"
    std::array<std::uint8_t, 4> extended_public_key;   // BIP32 "xpub"/"tpub" version
    std::array<std::uint8_t, 4> extended_private_key;  // BIP32 "xprv"/"tprv" version

    friend bool operator==(const AddressPrefixes&, const AddressPrefixes&) = default;
};

inline constexpr AddressPrefixes MAINNET_ADDRESS_PREFIXES{
    .pubkey_hash = 0,
    .script_hash = 5,
    .secret_key = 128,
    .bech32_hrp = "bc",
    .extended_public_key = {0x04, 0x88, 0xB2, 0x1E},
    .extended_private_key = {0x04, 0x88, 0xAD, 0xE4},
};

inline constexpr AddressPrefixes TESTNET_ADDRESS_PREFIXES{
    .pubkey_hash = 111,
    .script_hash = 196,
    .secret_key = 239,
    .bech32_hrp = "tb",
    .extended_public_key = {0x04, 0x35, 0x87, 0xCF},
    .extended_private_key = {0x04, 0x35, 0x83, 0x94},
};

inline constexpr AddressPrefixes REGTEST_ADDRESS_PREFIXES{
    .pubkey_hash = 111,
    .script_hash = 196,
    .secret_key = 239,
    .bech32_hrp = "bcrt",
    .extended_public_key = {0x04, 0x35, 0x87, 0xCF},
    .extended_private_key = {0x04, 0x35, 0x83, 0x94},
};

}  // namespace bitloom
