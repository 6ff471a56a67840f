// PBKDF2 (RFC 8018, section 5.2) with HMAC-SHA512 as the PRF: the key stretching BIP39 uses
// to turn a mnemonic into a 64-byte seed (password = mnemonic, salt = "mnemonic" +
// passphrase, 2048 iterations, 64 bytes out). Text normalisation (NFKD) is the caller's job.
#pragma once

#include <cstdint>

#include "util/bytes.h"

namespace bitloom {

// Fills `out` (any length, typically 64) with PBKDF2-HMAC-SHA512(password, salt, iterations).
// `iterations` must be at least 1 (a programmer error otherwise).
void pbkdf2_hmac_sha512(ByteSpan password, ByteSpan salt, std::uint32_t iterations,
                        MutableByteSpan out);

}  // namespace bitloom
