// SHA-256 (FIPS 180-4) with implementations chosen at run time.
//
// Implementations: portable C++; SHA-NI (x86 SHA extensions); AVX2 8-lane and AVX-512
// 16-lane for batches of 64-byte double hashes. The fastest ones the CPU supports are picked
// on first use, after a self-test against known answers; a variant that fails its self-test
// is never used.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

#include "util/bytes.h"
#include "util/uint256.h"

namespace bitloom {

// Incremental SHA-256.
class Sha256 {
public:
    static constexpr std::size_t OUTPUT_SIZE = 32;
    static constexpr std::size_t BLOCK_SIZE = 64;

    Sha256();
    Sha256& write(ByteSpan data);
    Sha256& write(const std::uint8_t* data, std::size_t size) { return write(ByteSpan(data, size)); }
    // Writes the digest; the object must be reset() before reuse.
    void finalize(std::uint8_t out[OUTPUT_SIZE]);
    Uint256 finalize();
    Sha256& reset();

    // Midstate support for mining: after exactly 64 bytes have been written, the state words
    // can be saved and restored, so each nonce only hashes the header's last 16 bytes.
    struct Midstate {
        std::array<std::uint32_t, 8> state;
        std::uint64_t bytes_hashed;
    };
    Midstate midstate() const;  // requires bytes written to be a multiple of 64
    static Sha256 from_midstate(const Midstate& mid);

private:
    std::array<std::uint32_t, 8> state_;
    std::array<std::uint8_t, BLOCK_SIZE> buffer_;
    std::uint64_t bytes_ = 0;
};

Uint256 sha256(ByteSpan data);
// Double SHA-256: SHA256(SHA256(data)).
Uint256 sha256d(ByteSpan data);

// Double SHA-256 of `count` independent 64-byte inputs: out[32*i..] = SHA256d(in[64*i..]).
// This is the merkle-tree inner loop; it uses the multi-lane implementation when available.
void sha256d64(std::uint8_t* out, const std::uint8_t* in, std::size_t count);

// Block-header double hash with a precomputed midstate of the first 64 header bytes:
// `tail` is bytes 64..79 of the 80-byte header (merkle root tail, time, bits, nonce).
Uint256 sha256d_header_from_midstate(const Sha256::Midstate& mid, const std::uint8_t tail[16]);

// Which implementation the dispatcher picked, e.g. "sha-ni(1-way,2-way)" or
// "portable; sha256d64: avx2(8-way)". Runs the self-test on first call.
std::string sha256_implementation();

// Implementations available for tests and benchmarks; `force_sha256_implementation` lets a
// test or benchmark pin one ("portable", "sha-ni", "avx2", "avx512"). Returns false when
// unsupported. Pinning avx2 or avx512 means: portable single hashes, and that variant's batch
// path (8 or 16 inputs) in sha256d64. The automatic choice may combine variants, e.g.
// "sha-ni(1-way,2-way); sha256d64: avx512(16-way)".
enum class Sha256Impl { portable, sha_ni, avx2, avx512 };
bool sha256_impl_supported(Sha256Impl impl);
bool force_sha256_implementation(Sha256Impl impl);
void reset_sha256_implementation();  // back to the automatic choice

}  // namespace bitloom
