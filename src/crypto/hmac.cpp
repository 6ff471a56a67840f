#include "crypto/hmac.h"

#include <algorithm>
#include <cstring>

namespace bitloom {
namespace {

// Derives the inner and outer pads from `key` and feeds them to the two hashers.
template <typename Hash>
void key_pads(ByteSpan key, Hash& inner, Hash& outer) {
    std::array<std::uint8_t, Hash::BLOCK_SIZE> block{};
    if (key.size() > Hash::BLOCK_SIZE) {
        Hash().write(key).finalize(block.data());
    } else if (!key.empty()) {
        std::memcpy(block.data(), key.data(), key.size());
    }
    std::array<std::uint8_t, Hash::BLOCK_SIZE> pad;
    for (std::size_t i = 0; i < pad.size(); ++i) pad[i] = block[i] ^ 0x36;
    inner.write(pad);
    for (std::size_t i = 0; i < pad.size(); ++i) pad[i] = block[i] ^ 0x5c;
    outer.write(pad);
}

}  // namespace

HmacSha256::HmacSha256(ByteSpan key) { key_pads(key, inner_, outer_); }

HmacSha256& HmacSha256::write(ByteSpan data) {
    inner_.write(data);
    return *this;
}

void HmacSha256::finalize(std::uint8_t out[OUTPUT_SIZE]) {
    std::uint8_t inner_digest[Sha256::OUTPUT_SIZE];
    inner_.finalize(inner_digest);
    outer_.write(ByteSpan(inner_digest, sizeof inner_digest)).finalize(out);
}

Uint256 HmacSha256::finalize() {
    Uint256 out;
    finalize(out.data());
    return out;
}

HmacSha512::HmacSha512(ByteSpan key) { key_pads(key, inner_, outer_); }

HmacSha512& HmacSha512::write(ByteSpan data) {
    inner_.write(data);
    return *this;
}

void HmacSha512::finalize(std::uint8_t out[OUTPUT_SIZE]) {
    std::uint8_t inner_digest[Sha512::OUTPUT_SIZE];
    inner_.finalize(inner_digest);
    outer_.write(ByteSpan(inner_digest, sizeof inner_digest)).finalize(out);
}

Uint256 hmac_sha256(ByteSpan key, ByteSpan data) { return HmacSha256(key).write(data).finalize(); }

std::array<std::uint8_t, HmacSha512::OUTPUT_SIZE> hmac_sha512(ByteSpan key, ByteSpan data) {
    std::array<std::uint8_t, HmacSha512::OUTPUT_SIZE> out;
    HmacSha512(key).write(data).finalize(out.data());
    return out;
}

}  // namespace bitloom
