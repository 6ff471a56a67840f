// Randomness, in two strengths.
//
// 1. Strong randomness (keys, nonces, anything an attacker must not predict):
//    get_strong_random_bytes() and friends read the operating system's CSPRNG through
//    getrandom(2). They block only until the kernel's pool has been seeded once at boot, retry
//    on EINTR and short reads, and never return weak bytes: if the kernel cannot supply
//    randomness at all, the process is aborted with a message, since no caller could continue
//    safely.
//
// 2. FastRandom (tests, simulation, timing jitter, hash-table salts that only need to be
//    unpredictable to remote peers): a ChaCha20 keystream generator. Seeded from the OS it is
//    unpredictable; seeded explicitly it is deterministic and reproducible. It is never
//    reseeded and keeps its key in memory, so it must not be used for key material.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>

#include "crypto/chacha20.h"
#include "util/bytes.h"
#include "util/uint256.h"

namespace bitloom {

// Fills `out` with bytes from the OS CSPRNG. Aborts the process if the OS cannot provide them.
void get_strong_random_bytes(MutableByteSpan out);
std::uint64_t strong_random_u64();
Uint256 strong_random_uint256();

// Fast, seedable, non-reseeding random generator for non-secret uses (see above). Satisfies
// std::uniform_random_bit_generator, so it works with std::shuffle and <random>
// distributions. Not thread-safe: give each thread its own.
class FastRandom {
public:
    using result_type = std::uint64_t;

    // Seeded with 32 bytes from get_strong_random_bytes().
    FastRandom();
    // Deterministic: the same seed always produces the same sequence.
    explicit FastRandom(const Uint256& seed);

    std::uint64_t rand64();
    // A uniform value of `bits` bits, 0 <= bits <= 64.
    std::uint64_t randbits(int bits);
    // A uniform value in [0, range); `range` must be positive.
    std::uint64_t randrange(std::uint64_t range);
    bool randbool() { return randbits(1) != 0; }
    void fill(MutableByteSpan out);
    Bytes randbytes(std::size_t count);
    Uint256 rand256();

    static constexpr result_type min() { return 0; }
    static constexpr result_type max() { return std::numeric_limits<result_type>::max(); }
    result_type operator()() { return rand64(); }

private:
    ChaCha20 stream_;
    std::uint64_t bit_buffer_ = 0;  // leftover random bits for randbits()
    int bits_left_ = 0;
};

}  // namespace bitloom
