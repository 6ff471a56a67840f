#include "crypto/chacha20.h"

#include <algorithm>
#include <cassert>
#include <cstring>

#include "util/endian.h"

namespace bitloom {
namespace {

constexpr std::uint32_t rotl(std::uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }

[[gnu::always_inline]] inline void quarter_round(std::uint32_t& a, std::uint32_t& b, std::uint32_t& c,
                                                 std::uint32_t& d) {
    a += b;
    d = rotl(d ^ a, 16);
    c += d;
    b = rotl(b ^ c, 12);
    a += b;
    d = rotl(d ^ a, 8);
    c += d;
    b = rotl(b ^ c, 7);
}

// Overwrites memory in a way the optimiser may not remove.
void secure_wipe(void* p, std::size_t n) {
    std::memset(p, 0, n);
    __asm__ __volatile__("" : : "r"(p) : "memory");
}

}  // namespace

ChaCha20::ChaCha20(ByteSpan key) {
    assert(key.size() == KEY_SIZE);
    input_[0] = 0x61707865;  // "expand 32-byte k"
    input_[1] = 0x3320646e;
    input_[2] = 0x79622d32;
    input_[3] = 0x6b206574;
    for (int i = 0; i < 8; ++i) input_[4 + i] = read_le32(key.data() + 4 * i);
    input_[12] = input_[13] = input_[14] = input_[15] = 0;
}

ChaCha20::~ChaCha20() {
    secure_wipe(input_.data(), sizeof input_);
    secure_wipe(buffer_.data(), buffer_.size());
}

void ChaCha20::seek(ByteSpan nonce, std::uint32_t block_counter) {
    assert(nonce.size() == NONCE_SIZE);
    input_[12] = block_counter;
    for (int i = 0; i < 3; ++i) input_[13 + i] = read_le32(nonce.data() + 4 * i);
    buffered_ = 0;
}

void ChaCha20::next_block(std::uint8_t out[BLOCK_SIZE]) {
    std::uint32_t x[16];
    for (int i = 0; i < 16; ++i) x[i] = input_[i];
    for (int i = 0; i < 10; ++i) {
        quarter_round(x[0], x[4], x[8], x[12]);
        quarter_round(x[1], x[5], x[9], x[13]);
        quarter_round(x[2], x[6], x[10], x[14]);
        quarter_round(x[3], x[7], x[11], x[15]);
        quarter_round(x[0], x[5], x[10], x[15]);
        quarter_round(x[1], x[6], x[11], x[12]);
        quarter_round(x[2], x[7], x[8], x[13]);
        quarter_round(x[3], x[4], x[9], x[14]);
    }
    for (int i = 0; i < 16; ++i) write_le32(out + 4 * i, x[i] + input_[i]);
    if (++input_[12] == 0) ++input_[13];
}

void ChaCha20::keystream(MutableByteSpan out) {
    if (out.empty()) return;
    std::uint8_t* p = out.data();
    std::size_t n = out.size();
    if (buffered_ != 0) {
        const std::size_t take = std::min(n, buffered_);
        std::memcpy(p, buffer_.data() + BLOCK_SIZE - buffered_, take);
        buffered_ -= take;
        p += take;
        n -= take;
    }
    for (; n >= BLOCK_SIZE; n -= BLOCK_SIZE, p += BLOCK_SIZE) next_block(p);
    if (n != 0) {
        next_block(buffer_.data());
        std::memcpy(p, buffer_.data(), n);
        buffered_ = BLOCK_SIZE - n;
    }
}

void ChaCha20::crypt(ByteSpan in, MutableByteSpan out) {
    assert(in.size() == out.size());
    std::uint8_t block[BLOCK_SIZE];
    for (std::size_t done = 0; done < in.size(); done += BLOCK_SIZE) {
        const std::size_t take = std::min(BLOCK_SIZE, in.size() - done);
        keystream(MutableByteSpan(block, take));
        for (std::size_t i = 0; i < take; ++i) out[done + i] = in[done + i] ^ block[i];
    }
    secure_wipe(block, sizeof block);
}

}  // namespace bitloom
