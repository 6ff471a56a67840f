// SHA-512 (FIPS 180-4), used by HMAC-SHA512 for BIP32 key derivation and by BIP39's PBKDF2.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "util/bytes.h"

namespace bitloom {

// Incremental SHA-512.
class Sha512 {
public:
    static constexpr std::size_t OUTPUT_SIZE = 64;
    static constexpr std::size_t BLOCK_SIZE = 128;

    Sha512();
    Sha512& write(ByteSpan data);
    // Writes the 64-byte digest; the object must be reset() before reuse.
    void finalize(std::uint8_t out[OUTPUT_SIZE]);
    Sha512& reset();

private:
    std::array<std::uint64_t, 8> state_;
    std::array<std::uint8_t, BLOCK_SIZE> buffer_;
    std::uint64_t bytes_ = 0;  // inputs beyond 2^64 - 1 bytes are not supported
};

// One-shot SHA-512 of `data`.
std::array<std::uint8_t, Sha512::OUTPUT_SIZE> sha512(ByteSpan data);

}  // namespace bitloom
