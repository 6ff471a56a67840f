#include "crypto/siphash.h"

#include "util/endian.h"

namespace bitloom {
namespace {

constexpr std::uint64_t rotl(std::uint64_t x, int n) { return (x << n) | (x >> (64 - n)); }

[[gnu::always_inline]] inline void sip_round(std::uint64_t& v0, std::uint64_t& v1, std::uint64_t& v2,
                                             std::uint64_t& v3) {
    v0 += v1;
    v1 = rotl(v1, 13);
    v1 ^= v0;
    v0 = rotl(v0, 32);
    v2 += v3;
    v3 = rotl(v3, 16);
    v3 ^= v2;
    v0 += v3;
    v3 = rotl(v3, 21);
    v3 ^= v0;
    v2 += v1;
    v1 = rotl(v1, 17);
    v1 ^= v2;
    v2 = rotl(v2, 32);
}

// Two compression rounds for one 64-bit message word.
[[gnu::always_inline]] inline void compress(std::uint64_t (&v)[4], std::uint64_t m) {
    v[3] ^= m;
    sip_round(v[0], v[1], v[2], v[3]);
    sip_round(v[0], v[1], v[2], v[3]);
    v[0] ^= m;
}

// The final word (length byte and tail) and the four finalisation rounds.
[[gnu::always_inline]] inline std::uint64_t finish(std::uint64_t (&v)[4], std::uint64_t last) {
    compress(v, last);
    v[2] ^= 0xff;
    for (int i = 0; i < 4; ++i) sip_round(v[0], v[1], v[2], v[3]);
    return v[0] ^ v[1] ^ v[2] ^ v[3];
}

[[gnu::always_inline]] inline void initial_state(std::uint64_t (&v)[4], std::uint64_t k0, std::uint64_t k1) {
    v[0] = 0x736f6d6570736575ULL ^ k0;  // "somepseudorandomlygeneratedbytes"
    v[1] = 0x646f72616e646f6dULL ^ k1;
    v[2] = 0x6c7967656e657261ULL ^ k0;
    v[3] = 0x7465646279746573ULL ^ k1;
}

}  // namespace

SipHasher::SipHasher(std::uint64_t k0, std::uint64_t k1) { initial_state(v_, k0, k1); }

SipHasher& SipHasher::write(ByteSpan data) {
    std::size_t i = 0;
    const std::size_t n = data.size();
    // Complete a pending partial word first.
    while (count_ % 8 != 0 && i < n) {
        tail_ |= std::uint64_t{data[i++]} << (8 * (count_ % 8));
        ++count_;
        if (count_ % 8 == 0) {
            compress(v_, tail_);
            tail_ = 0;
        }
    }
    for (; i + 8 <= n; i += 8, count_ += 8) compress(v_, read_le64(data.data() + i));
    for (; i < n; ++i, ++count_) tail_ |= std::uint64_t{data[i]} << (8 * (count_ % 8));
    return *this;
}

SipHasher& SipHasher::write_u64(std::uint64_t value) {
    if (count_ % 8 == 0) {
        compress(v_, value);
        count_ += 8;
        return *this;
    }
    std::uint8_t bytes[8];
    write_le64(bytes, value);
    return write(ByteSpan(bytes, 8));
}

std::uint64_t SipHasher::finalize() const {
    std::uint64_t v[4] = {v_[0], v_[1], v_[2], v_[3]};
    return finish(v, tail_ | (count_ << 56));
}

std::uint64_t siphash_uint256(std::uint64_t k0, std::uint64_t k1, const Uint256& hash) {
    std::uint64_t v[4];
    initial_state(v, k0, k1);
    for (int i = 0; i < 4; ++i) compress(v, read_le64(hash.data() + 8 * i));
    return finish(v, std::uint64_t{32} << 56);
}

std::uint64_t siphash_uint256_extra(std::uint64_t k0, std::uint64_t k1, const Uint256& hash,
                                    std::uint32_t extra) {
    std::uint64_t v[4];
    initial_state(v, k0, k1);
    for (int i = 0; i < 4; ++i) compress(v, read_le64(hash.data() + 8 * i));
    return finish(v, (std::uint64_t{36} << 56) | extra);
}

}  // namespace bitloom
