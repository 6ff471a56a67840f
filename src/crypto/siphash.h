// SipHash-2-4 (Aumasson and Bernstein, 2012): a keyed 64-bit PRF for hash tables that face
// attacker-chosen keys, and for BIP152 short transaction ids.
//
// The key is two 64-bit integers k0, k1; the 16-byte key of the SipHash paper is k0 and k1
// each read as little-endian (so key bytes 00 01 .. 0f are k0 = 0x0706050403020100,
// k1 = 0x0f0e0d0c0b0a0908).
#pragma once

#include <cstddef>
#include <cstdint>

#include "util/bytes.h"
#include "util/uint256.h"

namespace bitloom {

// Incremental SipHash-2-4 over a byte stream.
class SipHasher {
public:
    SipHasher(std::uint64_t k0, std::uint64_t k1);

    // Appends bytes; writes may be split anywhere without changing the result.
    SipHasher& write(ByteSpan data);
    // Appends the 8 little-endian bytes of `value`.
    SipHasher& write_u64(std::uint64_t value);
    // The hash of everything written so far; the hasher is unchanged and may be written to
    // further.
    std::uint64_t finalize() const;

private:
    std::uint64_t v_[4];
    std::uint64_t tail_ = 0;  // pending bytes, little-endian, fewer than 8
    std::uint64_t count_ = 0; // bytes written in total
};

// SipHash-2-4 of the 32 bytes of `hash`; equals SipHasher(k0, k1).write(hash).finalize(),
// but about twice as fast (hash-table lookups by txid and block hash use it).
std::uint64_t siphash_uint256(std::uint64_t k0, std::uint64_t k1, const Uint256& hash);

// SipHash-2-4 of the 32 bytes of `hash` followed by the 4 little-endian bytes of `extra`
// (outpoint hashing: txid and output index).
std::uint64_t siphash_uint256_extra(std::uint64_t k0, std::uint64_t k1, const Uint256& hash,
                                    std::uint32_t extra);

}  // namespace bitloom
