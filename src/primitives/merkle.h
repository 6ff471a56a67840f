// Merkle roots of transaction lists and the BIP141 witness commitment.
//
// Format:
//   node  := SHA256d(left:byte[32] right:byte[32])
//   level := the nodes of the level below, paired left to right; an odd count pairs the last
//            hash with itself. The root of one leaf is the leaf; of no leaves, zero.
//   witness_commitment_script := OP_RETURN 0x24 0xaa 0x21 0xa9 0xed commitment:byte[32] byte*
//   commitment := SHA256d(witness_root:byte[32] witness_nonce:byte[32])
// where witness_root is the merkle root of the wtxids with the coinbase's replaced by zero, and
// witness_nonce is the single 32-byte item of the coinbase input's witness.
//
// Duplicating the last hash makes distinct lists share a root (CVE-2012-2459): [a b c] and
// [a b c c] hash alike. Such a list always pairs two equal adjacent hashes at some level, which
// is what `mutated` reports, so a block whose root matched only thanks to a duplicate is caught.
#pragma once

#include <cstddef>
#include <optional>
#include <span>

#include "primitives/block.h"
#include "primitives/script.h"
#include "primitives/transaction.h"
#include "util/uint256.h"

namespace bitloom {

struct MerkleRoot {
    Uint256 root;
    // Two identical adjacent hashes were paired at some level (not counting the duplicate
    // added to pad an odd level).
    bool mutated = false;
};

// The root of `leaves`, computed level by level with batched SHA256d64.
MerkleRoot compute_merkle_root(std::span<const Uint256> leaves);

// Root over the txids, as committed to by the header's merkle_root.
MerkleRoot block_merkle_root(const Block& block);
// Root over the wtxids with the coinbase's (the first transaction's) taken as zero.
MerkleRoot block_witness_merkle_root(const Block& block);

// Shortest output script that can hold a witness commitment.
inline constexpr std::size_t MINIMUM_WITNESS_COMMITMENT = 38;

// The index of the last output of `coinbase` whose script is at least
// MINIMUM_WITNESS_COMMITMENT bytes and starts 0x6a24aa21a9ed, or nullopt.
std::optional<std::size_t> witness_commitment_index(const Transaction& coinbase);
// The 32 bytes committed by that output, or nullopt when there is none.
std::optional<Uint256> find_witness_commitment(const Transaction& coinbase);

// SHA256d(witness_root || witness_nonce).
Uint256 compute_witness_commitment(const Uint256& witness_root, const Uint256& witness_nonce);
// The 38-byte commitment output script for `commitment`.
Script witness_commitment_script(const Uint256& commitment);

}  // namespace bitloom
