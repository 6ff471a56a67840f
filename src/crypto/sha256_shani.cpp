// SHA-256 with the x86 SHA extensions (SHA-NI). Built with -msha -msse4.1; only called after
// the dispatcher has seen the SHA, SSSE3 and SSE4.1 CPUID bits and the self-test has passed.
//
// SHA256RNDS2 keeps the working variables in two registers, {A,B,E,F} and {C,D,G,H} (highest
// dword first), and performs two rounds per instruction using the low two dwords of W+K.
// SHA256MSG1/MSG2 compute four schedule words at a time.
#include "crypto/sha256_impl.h"

#if defined(__x86_64__) || defined(__i386__)

#include <immintrin.h>

namespace bitloom::sha256_detail {
namespace {

#define BITLOOM_INLINE [[gnu::always_inline]] inline

// Per-dword byte swap: message words and digests are big-endian.
BITLOOM_INLINE __m128i byte_swap_mask() {
    return _mm_set_epi8(12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3);
}

BITLOOM_INLINE __m128i round_constants(int quad) {
    return _mm_loadu_si128(reinterpret_cast<const __m128i*>(&ROUND_CONSTANTS[4 * quad]));
}

// Four rounds with W+K already added.
BITLOOM_INLINE void quad_rounds(__m128i& abef, __m128i& cdgh, __m128i wk) {
    cdgh = _mm_sha256rnds2_epu32(cdgh, abef, wk);
    abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(wk, 0x0E));
}

// W[t..t+3] from the previous sixteen words W[t-16..t-1] held as m0..m3.
BITLOOM_INLINE __m128i next_schedule(__m128i m0, __m128i m1, __m128i m2, __m128i m3) {
    const __m128i partial = _mm_add_epi32(_mm_sha256msg1_epu32(m0, m1), _mm_alignr_epi8(m3, m2, 4));
    return _mm_sha256msg2_epu32(partial, m3);
}

// (a,b,c,d), (e,f,g,h) in dwords 0..3  <->  {A,B,E,F}, {C,D,G,H}.
BITLOOM_INLINE void pack_state(__m128i abcd, __m128i efgh, __m128i& abef, __m128i& cdgh) {
    const __m128i badc = _mm_shuffle_epi32(abcd, 0xB1);
    const __m128i hgfe = _mm_shuffle_epi32(efgh, 0x1B);
    abef = _mm_alignr_epi8(badc, hgfe, 8);
    cdgh = _mm_blend_epi16(hgfe, badc, 0xF0);
}
BITLOOM_INLINE void unpack_state(__m128i abef, __m128i cdgh, __m128i& abcd, __m128i& efgh) {
    const __m128i abef_rev = _mm_shuffle_epi32(abef, 0x1B);  // a,b,e,f
    const __m128i ghcd = _mm_shuffle_epi32(cdgh, 0xB1);      // g,h,c,d
    abcd = _mm_blend_epi16(abef_rev, ghcd, 0xF0);
    efgh = _mm_alignr_epi8(ghcd, abef_rev, 8);
}

// All 64 rounds of one block for N independent states; the message words m[i][0..3] are
// consumed. Written lane-innermost so the N dependency chains interleave.
template <int N>
BITLOOM_INLINE void compress_lanes(__m128i (&abef)[N], __m128i (&cdgh)[N], __m128i (&m)[N][4]) {
#pragma GCC unroll 4
    for (int q = 0; q < 4; ++q) {
        const __m128i k = round_constants(q);
        for (int i = 0; i < N; ++i) quad_rounds(abef[i], cdgh[i], _mm_add_epi32(m[i][q], k));
    }
#pragma GCC unroll 12
    for (int q = 4; q < 16; ++q) {
        const __m128i k = round_constants(q);
        for (int i = 0; i < N; ++i) {
            __m128i& w = m[i][q & 3];
            w = next_schedule(w, m[i][(q + 1) & 3], m[i][(q + 2) & 3], m[i][(q + 3) & 3]);
            quad_rounds(abef[i], cdgh[i], _mm_add_epi32(w, k));
        }
    }
}

BITLOOM_INLINE void load_message(__m128i (&m)[4], const std::uint8_t* p) {
    const __m128i mask = byte_swap_mask();
    for (int j = 0; j < 4; ++j)
        m[j] = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * j)), mask);
}

BITLOOM_INLINE void initial_state(__m128i& abef, __m128i& cdgh) {
    pack_state(_mm_loadu_si128(reinterpret_cast<const __m128i*>(&INITIAL_STATE[0])),
               _mm_loadu_si128(reinterpret_cast<const __m128i*>(&INITIAL_STATE[4])), abef, cdgh);
}

template <int N>
BITLOOM_INLINE void d64_lanes(std::uint8_t* out, const std::uint8_t* in) {
    __m128i abef[N], cdgh[N], m[N][4];
    __m128i init_abef, init_cdgh;
    initial_state(init_abef, init_cdgh);

    // First hash, block 1: the input.
    for (int i = 0; i < N; ++i) {
        abef[i] = init_abef;
        cdgh[i] = init_cdgh;
        load_message(m[i], in + 64 * i);
    }
    compress_lanes<N>(abef, cdgh, m);
    __m128i mid_abef[N], mid_cdgh[N];
    for (int i = 0; i < N; ++i) {
        abef[i] = mid_abef[i] = _mm_add_epi32(abef[i], init_abef);
        cdgh[i] = mid_cdgh[i] = _mm_add_epi32(cdgh[i], init_cdgh);
    }

    // First hash, block 2: padding only, with a precomputed schedule.
#pragma GCC unroll 16
    for (int q = 0; q < 16; ++q) {
        const __m128i wk =
            _mm_loadu_si128(reinterpret_cast<const __m128i*>(&PADDING_BLOCK_64.words[4 * q]));
        for (int i = 0; i < N; ++i) quad_rounds(abef[i], cdgh[i], wk);
    }

    // Second hash: one block holding the 32-byte digest and its padding.
    for (int i = 0; i < N; ++i) {
        unpack_state(_mm_add_epi32(abef[i], mid_abef[i]), _mm_add_epi32(cdgh[i], mid_cdgh[i]),
                     m[i][0], m[i][1]);
        m[i][2] = _mm_set_epi32(0, 0, 0, static_cast<int>(0x80000000u));
        m[i][3] = _mm_set_epi32(256, 0, 0, 0);
        abef[i] = init_abef;
        cdgh[i] = init_cdgh;
    }
    compress_lanes<N>(abef, cdgh, m);

    const __m128i mask = byte_swap_mask();
    for (int i = 0; i < N; ++i) {
        __m128i abcd, efgh;
        unpack_state(_mm_add_epi32(abef[i], init_abef), _mm_add_epi32(cdgh[i], init_cdgh), abcd, efgh);
        _mm_storeu_si128(reinterpret_cast<__m128i*>(out + 32 * i), _mm_shuffle_epi8(abcd, mask));
        _mm_storeu_si128(reinterpret_cast<__m128i*>(out + 32 * i + 16), _mm_shuffle_epi8(efgh, mask));
    }
}

#undef BITLOOM_INLINE

}  // namespace

void transform_shani(std::uint32_t* state, const std::uint8_t* data, std::size_t blocks) {
    __m128i abef[1], cdgh[1];
    pack_state(_mm_loadu_si128(reinterpret_cast<const __m128i*>(state)),
               _mm_loadu_si128(reinterpret_cast<const __m128i*>(state + 4)), abef[0], cdgh[0]);
    for (; blocks != 0; --blocks, data += 64) {
        const __m128i saved_abef = abef[0], saved_cdgh = cdgh[0];
        __m128i m[1][4];
        load_message(m[0], data);
        compress_lanes<1>(abef, cdgh, m);
        abef[0] = _mm_add_epi32(abef[0], saved_abef);
        cdgh[0] = _mm_add_epi32(cdgh[0], saved_cdgh);
    }
    __m128i abcd, efgh;
    unpack_state(abef[0], cdgh[0], abcd, efgh);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(state), abcd);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(state + 4), efgh);
}

void d64_shani_1way(std::uint8_t* out, const std::uint8_t* in) { d64_lanes<1>(out, in); }
void d64_shani_2way(std::uint8_t* out, const std::uint8_t* in) { d64_lanes<2>(out, in); }

}  // namespace bitloom::sha256_detail

#endif
