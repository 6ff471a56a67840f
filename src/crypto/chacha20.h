// The ChaCha20 stream cipher (RFC 8439: 256-bit key, 96-bit nonce, 32-bit block counter).
//
// Used to expand a 32-byte key into a long keystream: MuHash3072 maps set elements to
// 3072-bit numbers with it, and FastRandom draws its output from it. No authentication is
// provided; this is not an AEAD.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "util/bytes.h"

namespace bitloom {

class ChaCha20 {
public:
    static constexpr std::size_t KEY_SIZE = 32;
    static constexpr std::size_t NONCE_SIZE = 12;
    static constexpr std::size_t BLOCK_SIZE = 64;

    // `key` must be exactly KEY_SIZE bytes (a programmer error otherwise). The stream starts
    // at block 0 with an all-zero nonce.
    explicit ChaCha20(ByteSpan key);
    ~ChaCha20();  // wipes the key and any buffered keystream

    ChaCha20(const ChaCha20&) = default;
    ChaCha20& operator=(const ChaCha20&) = default;

    // Repositions the stream at `block_counter` under `nonce` (NONCE_SIZE bytes, placed in
    // state words 13..15 little-endian as RFC 8439 does). Discards buffered keystream.
    // When the 32-bit counter wraps, it carries into the first nonce word, so one
    // (key, nonce) pair yields up to 2^38 bytes before the stream would repeat.
    void seek(ByteSpan nonce, std::uint32_t block_counter);

    // Writes the next out.size() keystream bytes. Requests need not be block-aligned.
    void keystream(MutableByteSpan out);
    // out = in XOR keystream; `in` and `out` must have the same size and may be the same buffer.
    void crypt(ByteSpan in, MutableByteSpan out);

private:
    void next_block(std::uint8_t out[BLOCK_SIZE]);

    std::array<std::uint32_t, 16> input_;  // constants, key, counter, nonce
    std::array<std::uint8_t, BLOCK_SIZE> buffer_{};
    std::size_t buffered_ = 0;  // unused keystream bytes at the end of buffer_
};

}  // namespace bitloom
