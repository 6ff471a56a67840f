// HMAC (RFC 2104) over SHA-256 and SHA-512.
//
// HMAC-SHA512 is BIP32's key derivation function and the PRF of BIP39's PBKDF2; HMAC-SHA256
// is used by RFC 6979 nonces and BIP324. Keys of any length are accepted: keys longer than
// the hash's block size are hashed first, as RFC 2104 specifies.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "crypto/sha256.h"
#include "crypto/sha512.h"
#include "util/bytes.h"
#include "util/uint256.h"

namespace bitloom {

// Incremental HMAC-SHA256. Copyable: a copy made after construction (or after a common
// prefix) can be finished independently, which saves re-keying.
class HmacSha256 {
public:
    static constexpr std::size_t OUTPUT_SIZE = Sha256::OUTPUT_SIZE;

    explicit HmacSha256(ByteSpan key);
    HmacSha256& write(ByteSpan data);
    // Writes the MAC; the object is spent afterwards.
    void finalize(std::uint8_t out[OUTPUT_SIZE]);
    Uint256 finalize();

private:
    Sha256 inner_;
    Sha256 outer_;
};

// Incremental HMAC-SHA512, with the same contract as HmacSha256.
class HmacSha512 {
public:
    static constexpr std::size_t OUTPUT_SIZE = Sha512::OUTPUT_SIZE;

    explicit HmacSha512(ByteSpan key);
    HmacSha512& write(ByteSpan data);
    // Writes the MAC; the object is spent afterwards.
    void finalize(std::uint8_t out[OUTPUT_SIZE]);

private:
    Sha512 inner_;
    Sha512 outer_;
};

// One-shot forms.
Uint256 hmac_sha256(ByteSpan key, ByteSpan data);
std::array<std::uint8_t, HmacSha512::OUTPUT_SIZE> hmac_sha512(ByteSpan key, ByteSpan data);

}  // namespace bitloom
