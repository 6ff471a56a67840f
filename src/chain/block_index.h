// The block index: one node per known block header, linked to its parent, forming the tree of
// every header the node has accepted; and the active chain, the path from genesis to the tip
// with the most work (Bitcoin Core's CBlockIndex and CChain).
//
// Nodes are owned by the chain state's map (hash -> BlockIndex) and never move or die while it
// lives, so raw pointers between them are stable.
#pragma once

#include <cstdint>
#include <vector>

#include "primitives/block.h"
#include "storage/block_files.h"
#include "util/arith_uint256.h"
#include "util/uint256.h"

namespace bitloom {

// Validity levels (a block at level N passed every check of levels <= N) and flags, with Core's
// numeric values (BlockStatus), which are also how they are stored.
namespace block_status {
inline constexpr std::uint32_t VALID_UNKNOWN = 0;
inline constexpr std::uint32_t VALID_RESERVED = 1;      // parsed; version and hash plausible
inline constexpr std::uint32_t VALID_TREE = 2;          // header checks pass, parent known
inline constexpr std::uint32_t VALID_TRANSACTIONS = 3;  // check_block and contextual checks pass
inline constexpr std::uint32_t VALID_CHAIN = 4;         // outputs spent exist, no double spends
inline constexpr std::uint32_t VALID_SCRIPTS = 5;       // scripts and signatures verified
inline constexpr std::uint32_t VALID_MASK = 7;
inline constexpr std::uint32_t HAVE_DATA = 8;           // full block in a blk file
inline constexpr std::uint32_t HAVE_UNDO = 16;          // undo data in a rev file
inline constexpr std::uint32_t FAILED_VALID = 32;       // this block failed validation
inline constexpr std::uint32_t FAILED_CHILD = 64;       // descends from a failed block
inline constexpr std::uint32_t FAILED_MASK = FAILED_VALID | FAILED_CHILD;
inline constexpr std::uint32_t OPT_WITNESS = 128;       // validated with witness rules
}  // namespace block_status

struct BlockIndex {
    Uint256 hash;
    BlockIndex* prev = nullptr;
    BlockIndex* skip = nullptr;  // an ancestor, for O(log n) ancestor lookups
    int height = 0;

    // The header's fields (prev_block is prev->hash).
    std::int32_t version = 0;
    Uint256 merkle_root;
    std::uint32_t time = 0;
    std::uint32_t bits = 0;
    std::uint32_t nonce = 0;

    ArithUint256 chain_work;           // total work of the chain up to and including this block
    std::uint32_t status = block_status::VALID_UNKNOWN;
    std::uint32_t tx_count = 0;        // transactions in this block; 0 until its data is known
    std::uint64_t chain_tx_count = 0;  // transactions up to here; 0 unless every ancestor's data is known
    FilePosition data_pos;             // valid when status has HAVE_DATA
    FilePosition undo_pos;             // valid when status has HAVE_UNDO
    std::int32_t sequence_id = 0;      // order data arrived in, for tie-breaks among equal work
    std::uint32_t time_max = 0;        // max time of this block and its ancestors

    BlockHeader header() const;

    // The ancestor at `target_height` (this block when equal), nullptr when target_height is
    // negative or above this block's height. O(log n) through the skip pointers.
    const BlockIndex* ancestor(int target_height) const;
    BlockIndex* ancestor(int target_height);

    // Sets `skip` from `prev` (call once prev and height are set).
    void build_skip();

    // Median of the times of this block and up to 10 ancestors (BIP113).
    std::int64_t median_time_past() const;

    static constexpr int MEDIAN_TIME_SPAN = 11;

    bool failed() const { return (status & block_status::FAILED_MASK) != 0; }
    // True when the block reached `level` and is not failed.
    bool is_valid(std::uint32_t level) const;
    // Raises the validity level to `level`; returns whether it changed. Not for failed blocks.
    bool raise_validity(std::uint32_t level);
};

// The last common ancestor of `a` and `b` (both non-null, in one tree).
const BlockIndex* last_common_ancestor(const BlockIndex* a, const BlockIndex* b);

// A path from genesis to a tip, indexed by height.
class ActiveChain {
public:
    BlockIndex* genesis() const { return blocks_.empty() ? nullptr : blocks_.front(); }
    BlockIndex* tip() const { return blocks_.empty() ? nullptr : blocks_.back(); }
    // -1 when empty.
    int height() const { return static_cast<int>(blocks_.size()) - 1; }
    // The block at `h`, nullptr outside 0..height().
    BlockIndex* at(int h) const;
    bool contains(const BlockIndex* index) const;
    // The block after `index` on this chain, nullptr for the tip or a block not on it.
    BlockIndex* next(const BlockIndex* index) const;
    // The last block of this chain that is an ancestor of (or is) `index`.
    const BlockIndex* find_fork(const BlockIndex* index) const;
    // Makes the chain genesis..tip (tip nullptr: empty).
    void set_tip(BlockIndex* tip);

    // A block locator (BIP: getheaders): hashes from `index` (default tip) back to genesis,
    // dense for the first 10 then doubling steps, genesis last.
    std::vector<Uint256> locator(const BlockIndex* index = nullptr) const;

private:
    std::vector<BlockIndex*> blocks_;
};

// Core's CBlockIndexWorkComparator: true when `a` is a worse tip than `b`: less chain_work;
// on equal work, a higher sequence_id (its data arrived later); then a higher address
// (deterministic within a run). In a std::set the best candidate is therefore the last.
struct BlockIndexWorkLess {
    bool operator()(const BlockIndex* a, const BlockIndex* b) const;
};

}  // namespace bitloom
