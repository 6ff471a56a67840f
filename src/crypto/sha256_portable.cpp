// Portable SHA-256 compression function (FIPS 180-4, 6.2.2), fully unrolled.
//
// Structure of one compression (64 rounds on one 64-byte block):
//   - the eight working variables a..h and the sixteen message words w0..w15 are plain locals;
//     every round constant, rotation amount and word name is fixed in the source, so nothing
//     is looked up at run time;
//   - instead of shifting a..h after each round, the next round names them in rotated order
//     (EIGHT_ROUNDS): after eight rounds every name holds its own role again;
//   - w0..w15 form a ring: round t >= 16 first overwrites w(t mod 16) with
//     W[t] = sigma1(W[t-2]) + W[t-7] + sigma0(W[t-15]) + W[t-16] (EXPAND);
//   - Maj(a, b, c) is taken as b ^ ((a ^ b) & (b ^ c)). The a ^ b of one round is the b ^ c of
//     the next, so it is carried in `b_xor_c` and each round spends three operations on Maj
//     rather than four.
// Each message word is read once, with one big-endian load. d64 reuses transform_portable for
// its two message blocks and runs the constant padding block as a short loop over
// EIGHT_ROUNDS: unrolled copies of the rounds inside d64 measured slower, as d64 runs in hot
// loops where the extra code mostly costs instruction cache.
#include <cstring>

#include "crypto/sha256_impl.h"
#include "util/endian.h"

namespace bitloom::sha256_detail {
namespace {

using internal::rotr;
using internal::small_sigma0;
using internal::small_sigma1;

constexpr std::uint32_t big_sigma0(std::uint32_t x) { return rotr(x, 2) ^ rotr(x, 13) ^ rotr(x, 22); }
constexpr std::uint32_t big_sigma1(std::uint32_t x) { return rotr(x, 6) ^ rotr(x, 11) ^ rotr(x, 25); }
constexpr std::uint32_t choose(std::uint32_t e, std::uint32_t f, std::uint32_t g) { return ((f ^ g) & e) ^ g; }

// One round; `wk` is W[t] + K[t]. On entry `b_xor_c` holds b ^ c, on exit a ^ b (the next
// round's b ^ c). The new a is written to h and the new e to d: the caller renames.
[[gnu::always_inline]] inline void one_round(std::uint32_t a, std::uint32_t b, std::uint32_t& d, std::uint32_t e,
                                         std::uint32_t f, std::uint32_t g, std::uint32_t& h,
                                         std::uint32_t& b_xor_c, std::uint32_t wk) {
    const std::uint32_t t1 = h + big_sigma1(e) + choose(e, f, g) + wk;
    const std::uint32_t a_xor_b = a ^ b;
    const std::uint32_t majority = (a_xor_b & b_xor_c) ^ b;
    b_xor_c = a_xor_b;
    d += t1;
    h = t1 + big_sigma0(a) + majority;
}

// Eight rounds with W[t] + K[t] given for each; uses locals a..h and b_xor_c.
#define EIGHT_ROUNDS(wk0, wk1, wk2, wk3, wk4, wk5, wk6, wk7)  \
    one_round(a, b, d, e, f, g, h, b_xor_c, wk0);             \
    one_round(h, a, c, d, e, f, g, b_xor_c, wk1);             \
    one_round(g, h, b, c, d, e, f, b_xor_c, wk2);             \
    one_round(f, g, a, b, c, d, e, b_xor_c, wk3);             \
    one_round(e, f, h, a, b, c, d, b_xor_c, wk4);             \
    one_round(d, e, g, h, a, b, c, b_xor_c, wk5);             \
    one_round(c, d, f, g, h, a, b, b_xor_c, wk6);             \
    one_round(b, c, e, f, g, h, a, b_xor_c, wk7)

// W[t] for the word ring: x is W[t-16] (overwritten), x2 W[t-2], x7 W[t-7], x15 W[t-15].
#define EXPAND(x, x2, x7, x15) (x += small_sigma1(x2) + x7 + small_sigma0(x15))
#define K(t) ROUND_CONSTANTS[t]

// Rounds T..T+15 for T = 16, 32, 48, expanding the schedule as they go.
#define SIXTEEN_EXPANDING_ROUNDS(T)                                                             \
    EIGHT_ROUNDS(K(T + 0) + EXPAND(w0, w14, w9, w1), K(T + 1) + EXPAND(w1, w15, w10, w2),       \
                 K(T + 2) + EXPAND(w2, w0, w11, w3), K(T + 3) + EXPAND(w3, w1, w12, w4),        \
                 K(T + 4) + EXPAND(w4, w2, w13, w5), K(T + 5) + EXPAND(w5, w3, w14, w6),        \
                 K(T + 6) + EXPAND(w6, w4, w15, w7), K(T + 7) + EXPAND(w7, w5, w0, w8));        \
    EIGHT_ROUNDS(K(T + 8) + EXPAND(w8, w6, w1, w9), K(T + 9) + EXPAND(w9, w7, w2, w10),         \
                 K(T + 10) + EXPAND(w10, w8, w3, w11), K(T + 11) + EXPAND(w11, w9, w4, w12),    \
                 K(T + 12) + EXPAND(w12, w10, w5, w13), K(T + 13) + EXPAND(w13, w11, w6, w14),  \
                 K(T + 14) + EXPAND(w14, w12, w7, w15), K(T + 15) + EXPAND(w15, w13, w8, w0))

// One compression of the sixteen message words `m` (native integers) into `state`.
[[gnu::always_inline]] inline void compress(std::uint32_t* state, const std::uint32_t (&m)[16]) {
    std::uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
    std::uint32_t e = state[4], f = state[5], g = state[6], h = state[7];
    std::uint32_t b_xor_c = b ^ c;
    std::uint32_t w0 = m[0], w1 = m[1], w2 = m[2], w3 = m[3], w4 = m[4], w5 = m[5], w6 = m[6], w7 = m[7];
    std::uint32_t w8 = m[8], w9 = m[9], w10 = m[10], w11 = m[11], w12 = m[12], w13 = m[13], w14 = m[14],
                  w15 = m[15];
    EIGHT_ROUNDS(K(0) + w0, K(1) + w1, K(2) + w2, K(3) + w3, K(4) + w4, K(5) + w5, K(6) + w6, K(7) + w7);
    EIGHT_ROUNDS(K(8) + w8, K(9) + w9, K(10) + w10, K(11) + w11, K(12) + w12, K(13) + w13, K(14) + w14,
                 K(15) + w15);
    SIXTEEN_EXPANDING_ROUNDS(16);
    SIXTEEN_EXPANDING_ROUNDS(32);
    SIXTEEN_EXPANDING_ROUNDS(48);
    state[0] += a, state[1] += b, state[2] += c, state[3] += d;
    state[4] += e, state[5] += f, state[6] += g, state[7] += h;
}

// One compression of a block whose whole schedule W[t] + K[t] is the table `wk` (kept out of
// line and rolled up on purpose, see the top of the file).
void compress_scheduled(std::uint32_t* state, const std::uint32_t (&wk)[64]) {
    std::uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
    std::uint32_t e = state[4], f = state[5], g = state[6], h = state[7];
    std::uint32_t b_xor_c = b ^ c;
    for (int t = 0; t < 64; t += 8) {
        EIGHT_ROUNDS(wk[t], wk[t + 1], wk[t + 2], wk[t + 3], wk[t + 4], wk[t + 5], wk[t + 6], wk[t + 7]);
    }
    state[0] += a, state[1] += b, state[2] += c, state[3] += d;
    state[4] += e, state[5] += f, state[6] += g, state[7] += h;
}

#undef SIXTEEN_EXPANDING_ROUNDS
#undef K
#undef EXPAND
#undef EIGHT_ROUNDS

}  // namespace

void transform_portable(std::uint32_t* state, const std::uint8_t* data, std::size_t blocks) {
    for (; blocks != 0; --blocks, data += 64) {
        std::uint32_t m[16];
        for (int i = 0; i < 16; ++i) m[i] = read_be32(data + 4 * i);
        compress(state, m);
    }
}

void d64_portable_1way(std::uint8_t* out, const std::uint8_t* in) {
    std::uint32_t state[8];
    std::memcpy(state, INITIAL_STATE, sizeof state);
    transform_portable(state, in, 1);
    // Second block: pure padding, schedule precomputed.
    compress_scheduled(state, PADDING_BLOCK_64.words);

    // Second hash: the 32-byte digest followed by its padding (bit length 256).
    std::uint8_t block[64] = {};
    for (int i = 0; i < 8; ++i) write_be32(block + 4 * i, state[i]);
    block[32] = 0x80;
    block[62] = 0x01;
    std::memcpy(state, INITIAL_STATE, sizeof state);
    transform_portable(state, block, 1);
    for (int i = 0; i < 8; ++i) write_be32(out + 4 * i, state[i]);
}

}  // namespace bitloom::sha256_detail
