// RIPEMD-160 (Dobbertin, Bosselaers, Preneel 1996), as used by Bitcoin's HASH160.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "util/bytes.h"
#include "util/uint256.h"

namespace bitloom {

// Incremental RIPEMD-160.
class Ripemd160 {
public:
    static constexpr std::size_t OUTPUT_SIZE = 20;
    static constexpr std::size_t BLOCK_SIZE = 64;

    Ripemd160();
    Ripemd160& write(ByteSpan data);
    // Writes the 20-byte digest; the object must be reset() before reuse.
    void finalize(std::uint8_t out[OUTPUT_SIZE]);
    Uint160 finalize();
    Ripemd160& reset();

private:
    std::array<std::uint32_t, 5> state_;
    std::array<std::uint8_t, BLOCK_SIZE> buffer_;
    std::uint64_t bytes_ = 0;
};

// One-shot RIPEMD-160 of `data`.
Uint160 ripemd160(ByteSpan data);

}  // namespace bitloom
