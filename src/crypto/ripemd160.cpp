// RIPEMD-160 compression, fully unrolled at compile time.
//
// Structure of one compression (one 64-byte block, sixteen little-endian words x[0..15]):
// two independent lines, "left" and "right", each run 80 steps on their own copy of the
// five chaining words. Step j of a line updates one working variable:
//     A = rotl(A + f(B, C, D) + x[word] + K, shift) + E;   C = rotl(C, 10)
// and the roles A..E then move one place along. The lines differ only in their tables
// (word, shift, K, and the order of the boolean functions f). At the end both lines are
// folded back into the chaining words.
//
// Every table below is read only at compile time (step is a template on the line and the
// step number), so the generated code is straight-line with immediate rotation amounts and
// fixed word offsets. Each step's result feeds the next step of its own line only, so a
// line is one long dependency chain; left and right steps are interleaved to give the CPU
// two chains to overlap, which roughly halves the time per block.
#include "crypto/ripemd160.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "util/endian.h"

namespace bitloom {
namespace {

// Message word selection and rotation amounts for the 80 steps of each line.
constexpr std::uint8_t LEFT_WORD[80] = {
    0, 1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15,  //
    7, 4,  13, 1,  10, 6,  15, 3,  12, 0,  9,  5,  2,  14, 11, 8,   //
    3, 10, 14, 4,  9,  15, 8,  1,  2,  7,  0,  6,  13, 11, 5,  12,  //
    1, 9,  11, 10, 0,  8,  12, 4,  13, 3,  7,  15, 14, 5,  6,  2,   //
    4, 0,  5,  9,  7,  12, 2,  10, 14, 1,  3,  8,  11, 6,  15, 13};
constexpr std::uint8_t RIGHT_WORD[80] = {
    5,  14, 7,  0, 9, 2,  11, 4,  13, 6,  15, 8,  1,  10, 3,  12,  //
    6,  11, 3,  7, 0, 13, 5,  10, 14, 15, 8,  12, 4,  9,  1,  2,   //
    15, 5,  1,  3, 7, 14, 6,  9,  11, 8,  12, 2,  10, 0,  4,  13,  //
    8,  6,  4,  1, 3, 11, 15, 0,  5,  12, 2,  13, 9,  7,  10, 14,  //
    12, 15, 10, 4, 1, 5,  8,  7,  6,  2,  13, 14, 0,  3,  9,  11};
constexpr std::uint8_t LEFT_SHIFT[80] = {
    11, 14, 15, 12, 5,  8,  7,  9,  11, 13, 14, 15, 6,  7,  9,  8,   //
    7,  6,  8,  13, 11, 9,  7,  15, 7,  12, 15, 9,  11, 7,  13, 12,  //
    11, 13, 6,  7,  14, 9,  13, 15, 14, 8,  13, 6,  5,  12, 7,  5,   //
    11, 12, 14, 15, 14, 15, 9,  8,  9,  14, 5,  6,  8,  6,  5,  12,  //
    9,  15, 5,  11, 6,  8,  13, 12, 5,  12, 13, 14, 11, 8,  5,  6};
constexpr std::uint8_t RIGHT_SHIFT[80] = {
    8,  9,  9,  11, 13, 15, 15, 5,  7,  7,  8,  11, 14, 14, 12, 6,   //
    9,  13, 15, 7,  12, 8,  9,  11, 7,  7,  12, 7,  6,  15, 13, 11,  //
    9,  7,  15, 11, 8,  6,  6,  14, 12, 13, 5,  14, 13, 13, 7,  5,   //
    15, 5,  8,  11, 14, 14, 6,  14, 6,  9,  12, 9,  12, 5,  15, 8,   //
    8,  5,  12, 9,  12, 5,  14, 6,  8,  13, 6,  5,  15, 13, 11, 11};
constexpr std::uint32_t LEFT_K[5] = {0x00000000, 0x5a827999, 0x6ed9eba1, 0x8f1bbcdc, 0xa953fd4e};
constexpr std::uint32_t RIGHT_K[5] = {0x50a28be6, 0x5c4dd124, 0x6d703ef3, 0x7a6d76e9, 0x00000000};

constexpr std::uint32_t rotl(std::uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }

// The five boolean functions; the left line uses them in order 0..4, the right line 4..0.
// B is always the value the previous step just produced, so each is written to touch B as
// late as possible: after B arrives, functions 0 and 4 need one operation and 1 and 2 two.
// Function 3 picks B where D is set and C elsewhere; the two parts share no bits, so it is
// returned as a sum, which lets the compiler add the part without B ahead of time and leaves
// one operation after B.
template <int F>
constexpr std::uint32_t boolean(std::uint32_t b, std::uint32_t c, std::uint32_t d) {
    if constexpr (F == 0) return b ^ (c ^ d);
    if constexpr (F == 1) return (b & (c ^ d)) ^ d;
    if constexpr (F == 2) return (b | ~c) ^ d;
    if constexpr (F == 3) return (b & d) + (c & ~d);
    if constexpr (F == 4) return b ^ (c | ~d);
}

// Step J of one line. The working variables A..E rotate through the five slots of v: in step
// J, A is v[(0 - J) mod 5], B is v[(1 - J) mod 5], ... so no values are moved between steps.
template <bool RIGHT, int J>
[[gnu::always_inline]] inline void step(std::uint32_t (&v)[5], const std::uint32_t (&x)[16]) {
    constexpr int base = 80 - J;  // keeps the slot arithmetic non-negative
    std::uint32_t& a = v[(base + 0) % 5];
    const std::uint32_t b = v[(base + 1) % 5];
    std::uint32_t& c = v[(base + 2) % 5];
    const std::uint32_t d = v[(base + 3) % 5];
    const std::uint32_t e = v[(base + 4) % 5];
    constexpr int round = J / 16;
    constexpr int function = RIGHT ? 4 - round : round;
    constexpr std::uint32_t k = RIGHT ? RIGHT_K[round] : LEFT_K[round];
    constexpr int word = RIGHT ? RIGHT_WORD[J] : LEFT_WORD[J];
    constexpr int shift = RIGHT ? RIGHT_SHIFT[J] : LEFT_SHIFT[J];
    a = rotl(a + boolean<function>(b, c, d) + x[word] + k, shift) + e;
    c = rotl(c, 10);
}

// Runs step J of the left line and step J of the right line in turn: the two lines are
// independent, so interleaving them gives the CPU two dependency chains to overlap.
template <int... J>
[[gnu::always_inline]] inline void both_lines(std::uint32_t (&left)[5], std::uint32_t (&right)[5],
                                              const std::uint32_t (&x)[16], std::integer_sequence<int, J...>) {
    ((step<false, J>(left, x), step<true, J>(right, x)), ...);
}

void transform(std::uint32_t* state, const std::uint8_t* data, std::size_t blocks) {
    std::uint32_t h0 = state[0], h1 = state[1], h2 = state[2], h3 = state[3], h4 = state[4];
    for (; blocks != 0; --blocks, data += 64) {
        std::uint32_t x[16];
        for (int i = 0; i < 16; ++i) x[i] = read_le32(data + 4 * i);
        std::uint32_t left[5] = {h0, h1, h2, h3, h4};
        std::uint32_t right[5] = {h0, h1, h2, h3, h4};
        both_lines(left, right, x, std::make_integer_sequence<int, 80>{});
        // After 80 steps every role is back in its own slot (80 is a multiple of 5).
        const std::uint32_t t = h1 + left[2] + right[3];
        h1 = h2 + left[3] + right[4];
        h2 = h3 + left[4] + right[0];
        h3 = h4 + left[0] + right[1];
        h4 = h0 + left[1] + right[2];
        h0 = t;
    }
    state[0] = h0, state[1] = h1, state[2] = h2, state[3] = h3, state[4] = h4;
}

}  // namespace

Ripemd160::Ripemd160() { reset(); }

Ripemd160& Ripemd160::reset() {
    state_ = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0};
    bytes_ = 0;
    return *this;
}

Ripemd160& Ripemd160::write(ByteSpan data) {
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

void Ripemd160::finalize(std::uint8_t out[OUTPUT_SIZE]) {
    std::size_t fill = bytes_ % BLOCK_SIZE;
    buffer_[fill++] = 0x80;
    if (fill > BLOCK_SIZE - 8) {
        std::fill(buffer_.begin() + fill, buffer_.end(), 0);
        transform(state_.data(), buffer_.data(), 1);
        fill = 0;
    }
    std::fill(buffer_.begin() + fill, buffer_.end() - 8, 0);
    write_le64(buffer_.data() + BLOCK_SIZE - 8, bytes_ * 8);
    transform(state_.data(), buffer_.data(), 1);
    for (int i = 0; i < 5; ++i) write_le32(out + 4 * i, state_[i]);
}

Uint160 Ripemd160::finalize() {
    Uint160 out;
    finalize(out.data());
    return out;
}

Uint160 ripemd160(ByteSpan data) { return Ripemd160().write(data).finalize(); }

}  // namespace bitloom
