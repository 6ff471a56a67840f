#include "crypto/random.h"

#include <sys/random.h>

#include <cassert>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "util/endian.h"

namespace bitloom {
namespace {

[[noreturn]] void randomness_failure(int error) {
    std::fprintf(stderr, "fatal: the operating system could not provide random bytes (getrandom: %s)\n",
                 std::strerror(error));
    std::abort();
}

Uint256 strong_seed() { return strong_random_uint256(); }

}  // namespace

void get_strong_random_bytes(MutableByteSpan out) {
    std::uint8_t* p = out.data();
    std::size_t left = out.size();
    while (left != 0) {
        // Flags 0: the urandom pool, blocking only until it was initialised at boot.
        const ssize_t got = getrandom(p, left, 0);
        if (got < 0) {
            if (errno == EINTR) continue;
            randomness_failure(errno);
        }
        p += got;
        left -= static_cast<std::size_t>(got);
    }
}

std::uint64_t strong_random_u64() {
    std::uint8_t bytes[8];
    get_strong_random_bytes(bytes);
    return read_le64(bytes);
}

Uint256 strong_random_uint256() {
    Uint256 out;
    get_strong_random_bytes(out.mutable_span());
    return out;
}

FastRandom::FastRandom() : FastRandom(strong_seed()) {}

FastRandom::FastRandom(const Uint256& seed) : stream_(seed.span()) {}

std::uint64_t FastRandom::rand64() {
    std::uint8_t bytes[8];
    stream_.keystream(bytes);
    return read_le64(bytes);
}

std::uint64_t FastRandom::randbits(int bits) {
    assert(bits >= 0 && bits <= 64);
    if (bits == 0) return 0;
    if (bits == 64) return rand64();
    if (bits_left_ < bits) {
        bit_buffer_ = rand64();
        bits_left_ = 64;
    }
    const std::uint64_t value = bit_buffer_ & ((std::uint64_t{1} << bits) - 1);
    bit_buffer_ >>= bits;
    bits_left_ -= bits;
    return value;
}

std::uint64_t FastRandom::randrange(std::uint64_t range) {
    assert(range > 0);
    // Rejection sampling on the smallest power of two covering the range: unbiased, and
    // fewer than two draws on average.
    const std::uint64_t max_value = range - 1;
    int bits = 0;
    while (bits < 64 && (max_value >> bits) != 0) ++bits;
    while (true) {
        const std::uint64_t value = randbits(bits);
        if (value <= max_value) return value;
    }
}

void FastRandom::fill(MutableByteSpan out) { stream_.keystream(out); }

Bytes FastRandom::randbytes(std::size_t count) {
    Bytes out(count);
    fill(out);
    return out;
}

Uint256 FastRandom::rand256() {
    Uint256 out;
    fill(out.mutable_span());
    return out;
}

}  // namespace bitloom
