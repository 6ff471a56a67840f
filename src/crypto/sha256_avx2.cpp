// Eight-lane SHA256d of 64-byte inputs with AVX2 (built with -mavx2; only called after the
// dispatcher has seen AVX2 in CPUID, OS support for YMM state via XGETBV, and a passing
// self-test). Lane i of every 256-bit register belongs to input i.
#include "crypto/sha256_impl.h"

#if defined(__x86_64__) || defined(__i386__)

#include <immintrin.h>

#include <utility>

namespace bitloom::sha256_detail {
namespace {

#define BITLOOM_INLINE [[gnu::always_inline]] inline

using Vec = __m256i;

BITLOOM_INLINE Vec add(Vec a, Vec b) { return _mm256_add_epi32(a, b); }
BITLOOM_INLINE Vec add(Vec a, Vec b, Vec c) { return add(add(a, b), c); }
BITLOOM_INLINE Vec add(Vec a, Vec b, Vec c, Vec d) { return add(add(a, b), add(c, d)); }
BITLOOM_INLINE Vec bxor(Vec a, Vec b) { return _mm256_xor_si256(a, b); }
BITLOOM_INLINE Vec bxor(Vec a, Vec b, Vec c) { return bxor(bxor(a, b), c); }
BITLOOM_INLINE Vec band(Vec a, Vec b) { return _mm256_and_si256(a, b); }
BITLOOM_INLINE Vec bor(Vec a, Vec b) { return _mm256_or_si256(a, b); }
BITLOOM_INLINE Vec splat(std::uint32_t x) { return _mm256_set1_epi32(static_cast<int>(x)); }
template <int N>
BITLOOM_INLINE Vec rotr(Vec x) {
    return bor(_mm256_srli_epi32(x, N), _mm256_slli_epi32(x, 32 - N));
}

BITLOOM_INLINE Vec big_sigma0(Vec x) { return bxor(rotr<2>(x), rotr<13>(x), rotr<22>(x)); }
BITLOOM_INLINE Vec big_sigma1(Vec x) { return bxor(rotr<6>(x), rotr<11>(x), rotr<25>(x)); }
BITLOOM_INLINE Vec small_sigma0(Vec x) { return bxor(rotr<7>(x), rotr<18>(x), _mm256_srli_epi32(x, 3)); }
BITLOOM_INLINE Vec small_sigma1(Vec x) {
    return bxor(rotr<17>(x), rotr<19>(x), _mm256_srli_epi32(x, 10));
}
BITLOOM_INLINE Vec choose(Vec e, Vec f, Vec g) { return bxor(band(bxor(f, g), e), g); }
BITLOOM_INLINE Vec majority(Vec a, Vec b, Vec c) { return bor(band(a, b), band(c, bor(a, b))); }

// Same slot rotation as the portable code: in round T, `a` is v[(0 - T) & 7] and so on.
template <int T>
BITLOOM_INLINE void round_step(Vec (&v)[8], Vec wk) {
    const Vec a = v[(0 - T) & 7], b = v[(1 - T) & 7], c = v[(2 - T) & 7];
    Vec& d = v[(3 - T) & 7];
    const Vec e = v[(4 - T) & 7], f = v[(5 - T) & 7], g = v[(6 - T) & 7];
    Vec& h = v[(7 - T) & 7];
    const Vec t1 = add(h, big_sigma1(e), choose(e, f, g), wk);
    const Vec t2 = add(big_sigma0(a), majority(a, b, c));
    d = add(d, t1);
    h = add(t1, t2);
}

template <int T>
BITLOOM_INLINE void scheduled_round(Vec (&v)[8], Vec (&w)[16]) {
    if constexpr (T >= 16) {
        w[T & 15] = add(w[T & 15], small_sigma1(w[(T - 2) & 15]), w[(T - 7) & 15],
                        small_sigma0(w[(T - 15) & 15]));
    }
    round_step<T>(v, add(w[T & 15], splat(ROUND_CONSTANTS[T])));
}

template <int... T>
BITLOOM_INLINE void scheduled_rounds(Vec (&v)[8], Vec (&w)[16], std::integer_sequence<int, T...>) {
    (scheduled_round<T>(v, w), ...);
}
template <int... T>
BITLOOM_INLINE void padding_rounds(Vec (&v)[8], std::integer_sequence<int, T...>) {
    (round_step<T>(v, splat(PADDING_BLOCK_64.words[T])), ...);
}

// Transposes an 8x8 matrix of 32-bit words held as eight rows.
BITLOOM_INLINE void transpose8(Vec (&r)[8]) {
    const Vec t0 = _mm256_unpacklo_epi32(r[0], r[1]), t1 = _mm256_unpackhi_epi32(r[0], r[1]);
    const Vec t2 = _mm256_unpacklo_epi32(r[2], r[3]), t3 = _mm256_unpackhi_epi32(r[2], r[3]);
    const Vec t4 = _mm256_unpacklo_epi32(r[4], r[5]), t5 = _mm256_unpackhi_epi32(r[4], r[5]);
    const Vec t6 = _mm256_unpacklo_epi32(r[6], r[7]), t7 = _mm256_unpackhi_epi32(r[6], r[7]);
    const Vec u0 = _mm256_unpacklo_epi64(t0, t2), u1 = _mm256_unpackhi_epi64(t0, t2);
    const Vec u2 = _mm256_unpacklo_epi64(t1, t3), u3 = _mm256_unpackhi_epi64(t1, t3);
    const Vec u4 = _mm256_unpacklo_epi64(t4, t6), u5 = _mm256_unpackhi_epi64(t4, t6);
    const Vec u6 = _mm256_unpacklo_epi64(t5, t7), u7 = _mm256_unpackhi_epi64(t5, t7);
    r[0] = _mm256_permute2x128_si256(u0, u4, 0x20);
    r[1] = _mm256_permute2x128_si256(u1, u5, 0x20);
    r[2] = _mm256_permute2x128_si256(u2, u6, 0x20);
    r[3] = _mm256_permute2x128_si256(u3, u7, 0x20);
    r[4] = _mm256_permute2x128_si256(u0, u4, 0x31);
    r[5] = _mm256_permute2x128_si256(u1, u5, 0x31);
    r[6] = _mm256_permute2x128_si256(u2, u6, 0x31);
    r[7] = _mm256_permute2x128_si256(u3, u7, 0x31);
}

BITLOOM_INLINE Vec byte_swap_mask() {
    return _mm256_set_epi8(12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3,  //
                           12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3);
}

// Loads eight words, starting at byte `offset` of each 64-byte input, as columns: lane i of
// result[j] is big-endian word (offset / 4 + j) of input i.
BITLOOM_INLINE void load_columns(Vec (&cols)[8], const std::uint8_t* in, int offset) {
    const Vec mask = byte_swap_mask();
    for (int i = 0; i < 8; ++i) {
        cols[i] = _mm256_shuffle_epi8(
            _mm256_loadu_si256(reinterpret_cast<const Vec*>(in + 64 * i + offset)), mask);
    }
    transpose8(cols);
}

#undef BITLOOM_INLINE

}  // namespace

void d64_avx2_8way(std::uint8_t* out, const std::uint8_t* in) {
    Vec w[16];
    {
        Vec low[8], high[8];
        load_columns(low, in, 0);
        load_columns(high, in, 32);
        for (int j = 0; j < 8; ++j) {
            w[j] = low[j];
            w[8 + j] = high[j];
        }
    }

    // First hash, block 1: the input.
    Vec v[8], mid[8];
    for (int j = 0; j < 8; ++j) v[j] = splat(INITIAL_STATE[j]);
    scheduled_rounds(v, w, std::make_integer_sequence<int, 64>{});
    for (int j = 0; j < 8; ++j) v[j] = mid[j] = add(v[j], splat(INITIAL_STATE[j]));

    // First hash, block 2: padding only.
    padding_rounds(v, std::make_integer_sequence<int, 64>{});

    // Second hash: the 32-byte digest followed by its padding.
    for (int j = 0; j < 8; ++j) w[j] = add(v[j], mid[j]);
    w[8] = splat(0x80000000u);
    for (int j = 9; j < 15; ++j) w[j] = _mm256_setzero_si256();
    w[15] = splat(256);
    for (int j = 0; j < 8; ++j) v[j] = splat(INITIAL_STATE[j]);
    scheduled_rounds(v, w, std::make_integer_sequence<int, 64>{});
    for (int j = 0; j < 8; ++j) v[j] = add(v[j], splat(INITIAL_STATE[j]));

    transpose8(v);
    const Vec mask = byte_swap_mask();
    for (int i = 0; i < 8; ++i)
        _mm256_storeu_si256(reinterpret_cast<Vec*>(out + 32 * i), _mm256_shuffle_epi8(v[i], mask));
}

}  // namespace bitloom::sha256_detail

#endif
