// Internal to the SHA-256 implementation files: the per-variant entry points that the
// dispatcher in sha256.cpp chooses between. Not part of the crypto module's public API.
//
// Every function here works on the raw compression function:
//   - a transform takes the eight state words (a..h, native integers) and `blocks` whole
//     64-byte message blocks and updates the state in place;
//   - an N-way "d64" function computes SHA256d of N independent 64-byte inputs:
//     out[32*i .. 32*i+31] = SHA256(SHA256(in[64*i .. 64*i+63])), for i in [0, N).
// The SIMD variants may only be called after the dispatcher has checked the CPU (CPUID and,
// for AVX2, the OS's XSAVE state) and the variant's self-test has passed.
#pragma once

#include <cstddef>
#include <cstdint>

namespace bitloom::sha256_detail {

using TransformFn = void (*)(std::uint32_t* state, const std::uint8_t* data, std::size_t blocks);
using D64Fn = void (*)(std::uint8_t* out, const std::uint8_t* in);

inline constexpr std::uint32_t INITIAL_STATE[8] = {
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

// Round constants K[0..63] (FIPS 180-4, 4.2.2).
inline constexpr std::uint32_t ROUND_CONSTANTS[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

namespace internal {
constexpr std::uint32_t rotr(std::uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }
constexpr std::uint32_t small_sigma0(std::uint32_t x) { return rotr(x, 7) ^ rotr(x, 18) ^ (x >> 3); }
constexpr std::uint32_t small_sigma1(std::uint32_t x) { return rotr(x, 17) ^ rotr(x, 19) ^ (x >> 10); }

struct ScheduleTable {
    std::uint32_t words[64];
};

// W[t] + K[t] for the message schedule of a block whose first 16 words are `head`.
constexpr ScheduleTable schedule_plus_k(const std::uint32_t (&head)[16]) {
    std::uint32_t w[64] = {};
    for (int t = 0; t < 16; ++t) w[t] = head[t];
    for (int t = 16; t < 64; ++t)
        w[t] = small_sigma1(w[t - 2]) + w[t - 7] + small_sigma0(w[t - 15]) + w[t - 16];
    ScheduleTable out{};
    for (int t = 0; t < 64; ++t) out.words[t] = w[t] + ROUND_CONSTANTS[t];
    return out;
}

constexpr std::uint32_t PAD_AFTER_64_BYTES[16] = {0x80000000, 0, 0, 0, 0, 0, 0, 0,
                                                  0,          0, 0, 0, 0, 0, 0, 512};
}  // namespace internal

// The second block of a 64-byte message is all padding (0x80, zeros, bit length 512), so its
// whole schedule is a constant: W[t] + K[t] for that block, used by every d64 variant.
inline constexpr internal::ScheduleTable PADDING_BLOCK_64 =
    internal::schedule_plus_k(internal::PAD_AFTER_64_BYTES);

// Portable C++ (sha256_portable.cpp); always available.
void transform_portable(std::uint32_t* state, const std::uint8_t* data, std::size_t blocks);
void d64_portable_1way(std::uint8_t* out, const std::uint8_t* in);

// True when this build contains the x86 SIMD variants (x86-64 targets only).
#if defined(__x86_64__) || defined(__i386__)
inline constexpr bool X86_SIMD_BUILT = true;

// SHA-NI (sha256_shani.cpp, built with -msha -msse4.1).
void transform_shani(std::uint32_t* state, const std::uint8_t* data, std::size_t blocks);
void d64_shani_1way(std::uint8_t* out, const std::uint8_t* in);
void d64_shani_2way(std::uint8_t* out, const std::uint8_t* in);

// AVX2 (sha256_avx2.cpp, built with -mavx2): eight inputs in the eight 32-bit lanes.
void d64_avx2_8way(std::uint8_t* out, const std::uint8_t* in);

// AVX-512F (sha256_avx512.cpp, built with -mavx512f): sixteen inputs in the sixteen lanes.
void d64_avx512_16way(std::uint8_t* out, const std::uint8_t* in);
#else
inline constexpr bool X86_SIMD_BUILT = false;
#endif

}  // namespace bitloom::sha256_detail
