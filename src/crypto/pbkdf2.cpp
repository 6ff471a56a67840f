#include "crypto/pbkdf2.h"

#include <algorithm>
#include <cassert>

#include "crypto/hmac.h"
#include "util/endian.h"

namespace bitloom {

void pbkdf2_hmac_sha512(ByteSpan password, ByteSpan salt, std::uint32_t iterations,
                        MutableByteSpan out) {
    assert(iterations >= 1);
    // Keyed once; every HMAC below starts from a copy, so the pads are hashed only here.
    const HmacSha512 keyed(password);
    constexpr std::size_t H = HmacSha512::OUTPUT_SIZE;
    std::uint32_t block_index = 1;
    for (std::size_t done = 0; done < out.size(); done += H, ++block_index) {
        std::uint8_t index_be[4];
        write_be32(index_be, block_index);
        std::uint8_t u[H];
        HmacSha512(keyed).write(salt).write(ByteSpan(index_be, 4)).finalize(u);
        std::uint8_t t[H];
        std::copy(u, u + H, t);
        for (std::uint32_t i = 1; i < iterations; ++i) {
            HmacSha512(keyed).write(ByteSpan(u, H)).finalize(u);
            for (std::size_t j = 0; j < H; ++j) t[j] ^= u[j];
        }
        const std::size_t take = std::min(H, out.size() - done);
        std::copy(t, t + take, out.begin() + static_cast<std::ptrdiff_t>(done));
    }
}

}  // namespace bitloom
