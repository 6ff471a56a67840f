// Portable SHA-256 compression function (FIPS 180-4, 6.2.2), fully unrolled at compile time.
#include <cstring>
#include <utility>

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
constexpr std::uint32_t majority(std::uint32_t a, std::uint32_t b, std::uint32_t c) {
    return (a & b) | (c & (a | b));
}

// Round T on the working variables held in v[8]. Instead of shifting a..h after each round,
// the role of each slot rotates: in round T, `a` lives in v[(0 - T) & 7], `b` in v[(1 - T) & 7]
// and so on. With T a template constant every index is fixed and v stays in registers.
template <int T>
[[gnu::always_inline]] inline void round_step(std::uint32_t (&v)[8], std::uint32_t wk) {
    const std::uint32_t a = v[(0 - T) & 7], b = v[(1 - T) & 7], c = v[(2 - T) & 7];
    std::uint32_t& d = v[(3 - T) & 7];
    const std::uint32_t e = v[(4 - T) & 7], f = v[(5 - T) & 7], g = v[(6 - T) & 7];
    std::uint32_t& h = v[(7 - T) & 7];
    const std::uint32_t t1 = h + big_sigma1(e) + choose(e, f, g) + wk;
    const std::uint32_t t2 = big_sigma0(a) + majority(a, b, c);
    d += t1;
    h = t1 + t2;
}

// Round T with the message schedule kept in a 16-word ring.
template <int T>
[[gnu::always_inline]] inline void scheduled_round(std::uint32_t (&v)[8], std::uint32_t (&w)[16]) {
    if constexpr (T >= 16) {
        w[T & 15] += small_sigma1(w[(T - 2) & 15]) + w[(T - 7) & 15] + small_sigma0(w[(T - 15) & 15]);
    }
    round_step<T>(v, w[T & 15] + ROUND_CONSTANTS[T]);
}

template <int... T>
[[gnu::always_inline]] inline void all_scheduled_rounds(std::uint32_t (&v)[8], std::uint32_t (&w)[16],
                                                        std::integer_sequence<int, T...>) {
    (scheduled_round<T>(v, w), ...);
}

template <int... T>
[[gnu::always_inline]] inline void all_constant_rounds(std::uint32_t (&v)[8], const std::uint32_t* wk,
                                                       std::integer_sequence<int, T...>) {
    (round_step<T>(v, wk[T]), ...);
}

// One compression of the 16 message words `w` (consumed) into `state`.
[[gnu::always_inline]] inline void compress_words(std::uint32_t* state, std::uint32_t (&w)[16]) {
    std::uint32_t v[8];
    for (int i = 0; i < 8; ++i) v[i] = state[i];
    all_scheduled_rounds(v, w, std::make_integer_sequence<int, 64>{});
    for (int i = 0; i < 8; ++i) state[i] += v[i];
}

}  // namespace

void transform_portable(std::uint32_t* state, const std::uint8_t* data, std::size_t blocks) {
    for (; blocks != 0; --blocks, data += 64) {
        std::uint32_t w[16];
        for (int i = 0; i < 16; ++i) w[i] = read_be32(data + 4 * i);
        compress_words(state, w);
    }
}

void d64_portable_1way(std::uint8_t* out, const std::uint8_t* in) {
    std::uint32_t state[8];
    std::memcpy(state, INITIAL_STATE, sizeof state);
    transform_portable(state, in, 1);

    // Second block: pure padding, schedule precomputed.
    std::uint32_t v[8];
    for (int i = 0; i < 8; ++i) v[i] = state[i];
    all_constant_rounds(v, PADDING_BLOCK_64.words, std::make_integer_sequence<int, 64>{});
    for (int i = 0; i < 8; ++i) state[i] += v[i];

    // Second hash: the 32-byte digest followed by its padding (bit length 256).
    std::uint32_t w[16] = {state[0], state[1], state[2], state[3], state[4], state[5], state[6],
                           state[7], 0x80000000, 0,        0,        0,        0,        0,
                           0,        256};
    std::memcpy(state, INITIAL_STATE, sizeof state);
    compress_words(state, w);
    for (int i = 0; i < 8; ++i) write_be32(out + 4 * i, state[i]);
}

}  // namespace bitloom::sha256_detail
