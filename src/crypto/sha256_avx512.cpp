// Sixteen-lane SHA256d of 64-byte inputs with AVX-512 (built with -mavx512f; only called
// after the dispatcher has seen AVX512F in CPUID, OS support for the ZMM and opmask state via
// XGETBV, and a passing self-test). Lane i of every 512-bit register belongs to input i.
//
// AVX-512F makes each SHA-256 round cheap in instructions: VPRORD rotates in one step and
// VPTERNLOGD computes a three-input xor, choose or majority in one step.
#include "crypto/sha256_impl.h"

#if defined(__x86_64__) || defined(__i386__)

// GCC 12's AVX-512 intrinsics start from deliberately undefined vectors, which its own
// -Wuninitialized then reports at every use (GCC bug 105593, fixed in GCC 13).
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include <immintrin.h>

#include <utility>

namespace bitloom::sha256_detail {
namespace {

#define BITLOOM_INLINE [[gnu::always_inline]] inline

using Vec = __m512i;

// VPTERNLOGD truth tables, indexed by (a << 2) | (b << 1) | c.
constexpr int XOR3 = 0x96;
constexpr int SELECT = 0xCA;    // a ? b : c
constexpr int MAJORITY = 0xE8;  // at least two of a, b, c

BITLOOM_INLINE Vec add(Vec a, Vec b) { return _mm512_add_epi32(a, b); }
BITLOOM_INLINE Vec add(Vec a, Vec b, Vec c) { return add(add(a, b), c); }
BITLOOM_INLINE Vec add(Vec a, Vec b, Vec c, Vec d) { return add(add(a, b), add(c, d)); }
BITLOOM_INLINE Vec splat(std::uint32_t x) { return _mm512_set1_epi32(static_cast<int>(x)); }
template <int Imm>
BITLOOM_INLINE Vec logic(Vec a, Vec b, Vec c) {
    return _mm512_ternarylogic_epi32(a, b, c, Imm);
}

BITLOOM_INLINE Vec big_sigma0(Vec x) {
    return logic<XOR3>(_mm512_ror_epi32(x, 2), _mm512_ror_epi32(x, 13), _mm512_ror_epi32(x, 22));
}
BITLOOM_INLINE Vec big_sigma1(Vec x) {
    return logic<XOR3>(_mm512_ror_epi32(x, 6), _mm512_ror_epi32(x, 11), _mm512_ror_epi32(x, 25));
}
BITLOOM_INLINE Vec small_sigma0(Vec x) {
    return logic<XOR3>(_mm512_ror_epi32(x, 7), _mm512_ror_epi32(x, 18), _mm512_srli_epi32(x, 3));
}
BITLOOM_INLINE Vec small_sigma1(Vec x) {
    return logic<XOR3>(_mm512_ror_epi32(x, 17), _mm512_ror_epi32(x, 19), _mm512_srli_epi32(x, 10));
}

// Same slot rotation as the portable code: in round T, `a` is v[(0 - T) & 7] and so on.
template <int T>
BITLOOM_INLINE void round_step(Vec (&v)[8], Vec wk) {
    const Vec a = v[(0 - T) & 7], b = v[(1 - T) & 7], c = v[(2 - T) & 7];
    Vec& d = v[(3 - T) & 7];
    const Vec e = v[(4 - T) & 7], f = v[(5 - T) & 7], g = v[(6 - T) & 7];
    Vec& h = v[(7 - T) & 7];
    const Vec t1 = add(h, big_sigma1(e), logic<SELECT>(e, f, g), wk);
    const Vec t2 = add(big_sigma0(a), logic<MAJORITY>(a, b, c));
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

// Per-dword byte swap with AVX-512F only (no byte shuffle): the bytes of x = [b3 b2 b1 b0]
// come from rotr(x, 8) = [b0 b3 b2 b1] in the odd byte positions and from rotl(x, 8) =
// [b2 b1 b0 b3] in the even ones.
BITLOOM_INLINE Vec byte_swap(Vec x) {
    return logic<SELECT>(splat(0xff00ff00u), _mm512_ror_epi32(x, 8), _mm512_rol_epi32(x, 8));
}

// Transposes a 16x16 matrix of 32-bit words held as sixteen rows.
BITLOOM_INLINE void transpose16(Vec (&r)[16]) {
    Vec t[16], u[16];
    for (int m = 0; m < 8; ++m) {
        t[2 * m] = _mm512_unpacklo_epi32(r[2 * m], r[2 * m + 1]);
        t[2 * m + 1] = _mm512_unpackhi_epi32(r[2 * m], r[2 * m + 1]);
    }
    // u[4q + c], 128-bit lane k: word 4k + c of rows 4q .. 4q+3.
    for (int q = 0; q < 4; ++q) {
        u[4 * q + 0] = _mm512_unpacklo_epi64(t[4 * q], t[4 * q + 2]);
        u[4 * q + 1] = _mm512_unpackhi_epi64(t[4 * q], t[4 * q + 2]);
        u[4 * q + 2] = _mm512_unpacklo_epi64(t[4 * q + 1], t[4 * q + 3]);
        u[4 * q + 3] = _mm512_unpackhi_epi64(t[4 * q + 1], t[4 * q + 3]);
    }
    // What remains is a 4x4 transpose of 128-bit lanes among u[c], u[4+c], u[8+c], u[12+c].
    for (int c = 0; c < 4; ++c) {
        const Vec lo_ab = _mm512_shuffle_i32x4(u[c], u[4 + c], 0x44);  // A0 A1 B0 B1
        const Vec hi_ab = _mm512_shuffle_i32x4(u[c], u[4 + c], 0xEE);  // A2 A3 B2 B3
        const Vec lo_cd = _mm512_shuffle_i32x4(u[8 + c], u[12 + c], 0x44);
        const Vec hi_cd = _mm512_shuffle_i32x4(u[8 + c], u[12 + c], 0xEE);
        r[c] = _mm512_shuffle_i32x4(lo_ab, lo_cd, 0x88);       // A0 B0 C0 D0
        r[4 + c] = _mm512_shuffle_i32x4(lo_ab, lo_cd, 0xDD);   // A1 B1 C1 D1
        r[8 + c] = _mm512_shuffle_i32x4(hi_ab, hi_cd, 0x88);   // A2 B2 C2 D2
        r[12 + c] = _mm512_shuffle_i32x4(hi_ab, hi_cd, 0xDD);  // A3 B3 C3 D3
    }
}

#undef BITLOOM_INLINE

}  // namespace

void d64_avx512_16way(std::uint8_t* out, const std::uint8_t* in) {
    // Each 64-byte input is exactly one register; transposing gives the message words.
    Vec w[16];
    for (int i = 0; i < 16; ++i) w[i] = _mm512_loadu_si512(in + 64 * i);
    transpose16(w);
    for (int j = 0; j < 16; ++j) w[j] = byte_swap(w[j]);

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
    for (int j = 9; j < 15; ++j) w[j] = _mm512_setzero_si512();
    w[15] = splat(256);
    for (int j = 0; j < 8; ++j) v[j] = splat(INITIAL_STATE[j]);
    scheduled_rounds(v, w, std::make_integer_sequence<int, 64>{});

    // Rows 0..7 hold the digest words; after the transpose, the low 256 bits of row i are
    // input i's digest.
    Vec rows[16];
    for (int j = 0; j < 8; ++j) rows[j] = byte_swap(add(v[j], splat(INITIAL_STATE[j])));
    for (int j = 8; j < 16; ++j) rows[j] = _mm512_setzero_si512();
    transpose16(rows);
    for (int i = 0; i < 16; ++i) {
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + 32 * i), _mm512_castsi512_si256(rows[i]));
    }
}

}  // namespace bitloom::sha256_detail

#endif
