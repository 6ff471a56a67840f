#include "crypto/sha512.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "util/endian.h"

namespace bitloom {
namespace {

constexpr std::uint64_t ROUND_CONSTANTS[80] = {
    0x428a2f98d728ae22, 0x7137449123ef65cd, 0xb5c0fbcfec4d3b2f, 0xe9b5dba58189dbbc, 0x3956c25bf348b538,
    0x59f111f1b605d019, 0x923f82a4af194f9b, 0xab1c5ed5da6d8118, 0xd807aa98a3030242, 0x12835b0145706fbe,
    0x243185be4ee4b28c, 0x550c7dc3d5ffb4e2, 0x72be5d74f27b896f, 0x80deb1fe3b1696b1, 0x9bdc06a725c71235,
    0xc19bf174cf692694, 0xe49b69c19ef14ad2, 0xefbe4786384f25e3, 0x0fc19dc68b8cd5b5, 0x240ca1cc77ac9c65,
    0x2de92c6f592b0275, 0x4a7484aa6ea6e483, 0x5cb0a9dcbd41fbd4, 0x76f988da831153b5, 0x983e5152ee66dfab,
    0xa831c66d2db43210, 0xb00327c898fb213f, 0xbf597fc7beef0ee4, 0xc6e00bf33da88fc2, 0xd5a79147930aa725,
    0x06ca6351e003826f, 0x142929670a0e6e70, 0x27b70a8546d22ffc, 0x2e1b21385c26c926, 0x4d2c6dfc5ac42aed,
    0x53380d139d95b3df, 0x650a73548baf63de, 0x766a0abb3c77b2a8, 0x81c2c92e47edaee6, 0x92722c851482353b,
    0xa2bfe8a14cf10364, 0xa81a664bbc423001, 0xc24b8b70d0f89791, 0xc76c51a30654be30, 0xd192e819d6ef5218,
    0xd69906245565a910, 0xf40e35855771202a, 0x106aa07032bbd1b8, 0x19a4c116b8d2d0c8, 0x1e376c085141ab53,
    0x2748774cdf8eeb99, 0x34b0bcb5e19b48a8, 0x391c0cb3c5c95a63, 0x4ed8aa4ae3418acb, 0x5b9cca4f7763e373,
    0x682e6ff3d6b2b8a3, 0x748f82ee5defb2fc, 0x78a5636f43172f60, 0x84c87814a1f0ab72, 0x8cc702081a6439ec,
    0x90befffa23631e28, 0xa4506cebde82bde9, 0xbef9a3f7b2c67915, 0xc67178f2e372532b, 0xca273eceea26619c,
    0xd186b8c721c0c207, 0xeada7dd6cde0eb1e, 0xf57d4f7fee6ed178, 0x06f067aa72176fba, 0x0a637dc5a2c898a6,
    0x113f9804bef90dae, 0x1b710b35131c471b, 0x28db77f523047d84, 0x32caab7b40c72493, 0x3c9ebe0a15c9bebc,
    0x431d67c49c100d4c, 0x4cc5d4becb3e42b6, 0x597f299cfc657e2a, 0x5fcb6fab3ad6faec, 0x6c44198c4a475817,
};

constexpr std::uint64_t rotr(std::uint64_t x, int n) { return (x >> n) | (x << (64 - n)); }
constexpr std::uint64_t big_sigma0(std::uint64_t x) { return rotr(x, 28) ^ rotr(x, 34) ^ rotr(x, 39); }
constexpr std::uint64_t big_sigma1(std::uint64_t x) { return rotr(x, 14) ^ rotr(x, 18) ^ rotr(x, 41); }
constexpr std::uint64_t small_sigma0(std::uint64_t x) { return rotr(x, 1) ^ rotr(x, 8) ^ (x >> 7); }
constexpr std::uint64_t small_sigma1(std::uint64_t x) { return rotr(x, 19) ^ rotr(x, 61) ^ (x >> 6); }

// Round T; the roles of the eight slots rotate as in the SHA-256 code (a is v[(0 - T) & 7]).
template <int T>
[[gnu::always_inline]] inline void round_step(std::uint64_t (&v)[8], std::uint64_t (&w)[16]) {
    if constexpr (T >= 16) {
        w[T & 15] += small_sigma1(w[(T - 2) & 15]) + w[(T - 7) & 15] + small_sigma0(w[(T - 15) & 15]);
    }
    const std::uint64_t a = v[(0 - T) & 7], b = v[(1 - T) & 7], c = v[(2 - T) & 7];
    std::uint64_t& d = v[(3 - T) & 7];
    const std::uint64_t e = v[(4 - T) & 7], f = v[(5 - T) & 7], g = v[(6 - T) & 7];
    std::uint64_t& h = v[(7 - T) & 7];
    const std::uint64_t t1 = h + big_sigma1(e) + (((f ^ g) & e) ^ g) + ROUND_CONSTANTS[T] + w[T & 15];
    const std::uint64_t t2 = big_sigma0(a) + ((a & b) | (c & (a | b)));
    d += t1;
    h = t1 + t2;
}

template <int... T>
[[gnu::always_inline]] inline void all_rounds(std::uint64_t (&v)[8], std::uint64_t (&w)[16],
                                              std::integer_sequence<int, T...>) {
    (round_step<T>(v, w), ...);
}

void transform(std::uint64_t* state, const std::uint8_t* data, std::size_t blocks) {
    for (; blocks != 0; --blocks, data += 128) {
        std::uint64_t w[16];
        for (int i = 0; i < 16; ++i) w[i] = read_be64(data + 8 * i);
        std::uint64_t v[8];
        for (int i = 0; i < 8; ++i) v[i] = state[i];
        all_rounds(v, w, std::make_integer_sequence<int, 80>{});
        for (int i = 0; i < 8; ++i) state[i] += v[i];
    }
}

}  // namespace

Sha512::Sha512() { reset(); }

Sha512& Sha512::reset() {
    state_ = {0x6a09e667f3bcc908, 0xbb67ae8584caa73b, 0x3c6ef372fe94f82b, 0xa54ff53a5f1d36f1,
              0x510e527fade682d1, 0x9b05688c2b3e6c1f, 0x1f83d9abfb41bd6b, 0x5be0cd19137e2179};
    bytes_ = 0;
    return *this;
}

Sha512& Sha512::write(ByteSpan data) {
    if (data.empty()) return *this;
    const std::uint8_t* p = data.data();
    std::size_t size = data.size();
    const std::size_t fill = bytes_ % BLOCK_SIZE;
    bytes_ += size;
    if (fill != 0) {
        const std::size_t take = std::min(BLOCK_SIZE - fill, size);
        std::memcpy(buffer_.data() + fill, p, take);
        if (fill + take < BLOCK_SIZE) return *this;
        transform(state_.data(), buffer_.data(), 1);
        p += take;
        size -= take;
    }
    const std::size_t blocks = size / BLOCK_SIZE;
    transform(state_.data(), p, blocks);
    p += blocks * BLOCK_SIZE;
    size -= blocks * BLOCK_SIZE;
    if (size != 0) std::memcpy(buffer_.data(), p, size);
    return *this;
}

void Sha512::finalize(std::uint8_t out[OUTPUT_SIZE]) {
    std::size_t fill = bytes_ % BLOCK_SIZE;
    buffer_[fill++] = 0x80;
    if (fill > BLOCK_SIZE - 16) {
        std::fill(buffer_.begin() + fill, buffer_.end(), 0);
        transform(state_.data(), buffer_.data(), 1);
        fill = 0;
    }
    // 128-bit big-endian bit length; the high half holds the bits shifted out of bytes_ * 8.
    std::fill(buffer_.begin() + fill, buffer_.end() - 16, 0);
    write_be64(buffer_.data() + BLOCK_SIZE - 16, bytes_ >> 61);
    write_be64(buffer_.data() + BLOCK_SIZE - 8, bytes_ << 3);
    transform(state_.data(), buffer_.data(), 1);
    for (int i = 0; i < 8; ++i) write_be64(out + 8 * i, state_[i]);
}

std::array<std::uint8_t, Sha512::OUTPUT_SIZE> sha512(ByteSpan data) {
    std::array<std::uint8_t, Sha512::OUTPUT_SIZE> out;
    Sha512().write(data).finalize(out.data());
    return out;
}

}  // namespace bitloom
