#include "primitives/merkle.h"

#include <array>
#include <cstring>
#include <memory>
#include <utility>

#include "crypto/sha256.h"

namespace bitloom {
namespace {

constexpr std::array<std::uint8_t, 6> COMMITMENT_HEADER = {OP_RETURN, 0x24, 0xaa, 0x21, 0xa9, 0xed};

// Working space for a tree of `n` leaves: level 0 (plus one padding slot) followed by room for
// level 1 (plus padding). Deeper levels alternate between the two regions.
class MerkleBuffer {
public:
    explicit MerkleBuffer(std::size_t n)
        : count_(n),
          first_capacity_(n + 1),
          storage_(std::make_unique_for_overwrite<std::uint8_t[]>(
              32 * (first_capacity_ + (n + 1) / 2 + 1))) {}

    std::uint8_t* leaf(std::size_t i) { return storage_.get() + 32 * i; }

    MerkleRoot reduce() {
        if (count_ == 0) return {};
        std::uint8_t* level = storage_.get();
        std::uint8_t* next = storage_.get() + 32 * first_capacity_;
        std::size_t count = count_;
        bool mutated = false;
        while (count > 1) {
            for (std::size_t pos = 0; pos + 1 < count; pos += 2) {
                if (std::memcmp(level + 32 * pos, level + 32 * (pos + 1), 32) == 0) mutated = true;
            }
            if (count & 1) {
                std::memcpy(level + 32 * count, level + 32 * (count - 1), 32);
                ++count;
            }
            sha256d64(next, level, count / 2);
            count /= 2;
            std::swap(level, next);
        }
        return {Uint256(ByteSpan(level, 32)), mutated};
    }

private:
    std::size_t count_;
    std::size_t first_capacity_;
    std::unique_ptr<std::uint8_t[]> storage_;
};

}  // namespace

MerkleRoot compute_merkle_root(std::span<const Uint256> leaves) {
    MerkleBuffer buffer(leaves.size());
    for (std::size_t i = 0; i < leaves.size(); ++i) std::memcpy(buffer.leaf(i), leaves[i].data(), 32);
    return buffer.reduce();
}

MerkleRoot block_merkle_root(const Block& block) {
    MerkleBuffer buffer(block.transactions.size());
    for (std::size_t i = 0; i < block.transactions.size(); ++i) {
        std::memcpy(buffer.leaf(i), block.transactions[i]->txid().data(), 32);
    }
    return buffer.reduce();
}

MerkleRoot block_witness_merkle_root(const Block& block) {
    MerkleBuffer buffer(block.transactions.size());
    for (std::size_t i = 0; i < block.transactions.size(); ++i) {
        if (i == 0) {
            std::memset(buffer.leaf(0), 0, 32);
        } else {
            std::memcpy(buffer.leaf(i), block.transactions[i]->wtxid().data(), 32);
        }
    }
    return buffer.reduce();
}

std::optional<std::size_t> witness_commitment_index(const Transaction& coinbase) {
    std::optional<std::size_t> found;
    const auto& outputs = coinbase.outputs();
    for (std::size_t i = 0; i < outputs.size(); ++i) {
        const Script& script = outputs[i].script_pubkey;
        if (script.size() >= MINIMUM_WITNESS_COMMITMENT &&
            std::memcmp(script.data(), COMMITMENT_HEADER.data(), COMMITMENT_HEADER.size()) == 0) {
            found = i;
        }
    }
    return found;
}

std::optional<Uint256> find_witness_commitment(const Transaction& coinbase) {
    const auto index = witness_commitment_index(coinbase);
    if (!index) return std::nullopt;
    const Script& script = coinbase.outputs()[*index].script_pubkey;
    return Uint256(script.span().subspan(COMMITMENT_HEADER.size(), 32));
}

Uint256 compute_witness_commitment(const Uint256& witness_root, const Uint256& witness_nonce) {
    std::array<std::uint8_t, 64> both;
    std::memcpy(both.data(), witness_root.data(), 32);
    std::memcpy(both.data() + 32, witness_nonce.data(), 32);
    return sha256d(both);
}

Script witness_commitment_script(const Uint256& commitment) {
    Script script;
    script.reserve(MINIMUM_WITNESS_COMMITMENT);
    script.append(COMMITMENT_HEADER);
    script.append(commitment.span());
    return script;
}

}  // namespace bitloom
