// MuHash3072: the rolling hash of a set that Bitcoin Core reports as `gettxoutsetinfo`'s
// "muhash" (Maitin-Shepard, Tibouchi, Aranha 2017; Core's crypto/muhash.h).
//
// Each element (a byte string; for the UTXO set, a serialized outpoint and coin) is mapped to
// a number modulo the prime p = 2^3072 - 1103717:
//     element -> ChaCha20(key = SHA256(element), nonce = 0, counter = 0), first 384 bytes,
//                read as a little-endian 3072-bit number.
// The set's value is the product of its elements' numbers modulo p. Insertions multiply a
// numerator, removals a denominator, so both are O(1) and order does not matter; the
// division happens once, in finalize():
//     digest = SHA256(384-byte little-endian encoding of numerator / denominator mod p).
// A set and its digest match Core bit for bit; Core prints the digest as a uint256, i.e.
// Uint256::to_string() order.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "util/bytes.h"
#include "util/uint256.h"

namespace bitloom {

class MuHash3072 {
public:
    static constexpr std::size_t LIMBS = 48;           // 64-bit limbs, least significant first
    static constexpr std::size_t NUMBER_SIZE = 384;    // bytes in one 3072-bit number
    static constexpr std::size_t SERIALIZED_SIZE = 2 * NUMBER_SIZE;
    using Number = std::array<std::uint64_t, LIMBS>;   // always < 2^3072, not always < p

    MuHash3072();                            // the empty set
    explicit MuHash3072(ByteSpan element);   // the set holding just `element`

    MuHash3072& insert(ByteSpan element);
    // Removing an element that was never inserted is allowed: the set then holds it with
    // multiplicity -1 until it is inserted.
    MuHash3072& remove(ByteSpan element);
    // Union (multiset sum) with `other`, and its inverse.
    MuHash3072& combine(const MuHash3072& other);
    MuHash3072& subtract(const MuHash3072& other);

    // The 32-byte digest of the set. Costs one modular inversion (a few milliseconds); does
    // not change the object.
    Uint256 finalize() const;

    // Core's serialization of the running state: numerator then denominator, each 384 bytes
    // little-endian, neither reduced. Any 768 bytes deserialize; other sizes give nullopt.
    std::array<std::uint8_t, SERIALIZED_SIZE> serialize() const;
    static std::optional<MuHash3072> deserialize(ByteSpan bytes);

private:
    Number numerator_;
    Number denominator_;
};

}  // namespace bitloom
