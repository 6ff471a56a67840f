// BIP341 script trees: leaf and branch hashes, merkle roots, merkle paths and control blocks.
//
//   tap_leaf_hash   := tagged_hash("TapLeaf", leaf_version[1] || compact_size(|script|) || script)
//   tap_branch_hash := tagged_hash("TapBranch", min(a, b) || max(a, b))   -- byte-wise order
//   control_block   := (leaf_version | output_key_parity)[1] internal_key[32] node[32]*m,
//                      0 <= m <= 128, nodes ordered from the leaf's sibling up to the root's child
//
// The tree type mirrors the structure of BIP341's wallet test vectors: a node is either a leaf
// {version, script} or a branch [left, right].
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <variant>
#include <vector>

#include "crypto/pubkey.h"
#include "util/bytes.h"
#include "util/uint256.h"

namespace bitloom {

inline constexpr std::uint8_t TAPROOT_LEAF_MASK = 0xfe;        // leaf version bits of byte 0
inline constexpr std::uint8_t TAPROOT_LEAF_TAPSCRIPT = 0xc0;   // BIP342 leaf version
inline constexpr std::size_t TAPROOT_CONTROL_BASE_SIZE = 33;
inline constexpr std::size_t TAPROOT_CONTROL_NODE_SIZE = 32;
inline constexpr std::size_t TAPROOT_CONTROL_MAX_NODE_COUNT = 128;
inline constexpr std::size_t TAPROOT_CONTROL_MAX_SIZE =
    TAPROOT_CONTROL_BASE_SIZE + TAPROOT_CONTROL_NODE_SIZE * TAPROOT_CONTROL_MAX_NODE_COUNT;

// tagged_hash("TapLeaf", ...) of one script. `leaf_version` is used as given (callers pass an
// even value; the parity bit belongs to the control block, not to the leaf).
Uint256 tap_leaf_hash(std::uint8_t leaf_version, ByteSpan script);
// tagged_hash("TapBranch", ...) of two child hashes, sorted so the order of a and b is irrelevant.
Uint256 tap_branch_hash(const Uint256& a, const Uint256& b);

struct TapLeaf {
    std::uint8_t version = TAPROOT_LEAF_TAPSCRIPT;
    Bytes script;
};

// An immutable binary script tree. Subtrees are shared, so copies are cheap.
class TapTree {
public:
    static TapTree leaf(std::uint8_t version, Bytes script);
    static TapTree branch(TapTree left, TapTree right);

    bool is_leaf() const { return std::holds_alternative<TapLeaf>(node_); }
    // Only for a leaf (asserted).
    const TapLeaf& as_leaf() const;
    // Only for a branch (asserted).
    const TapTree& left() const;
    const TapTree& right() const;

private:
    struct Branch {
        std::shared_ptr<const TapTree> left;
        std::shared_ptr<const TapTree> right;
    };
    explicit TapTree(std::variant<TapLeaf, Branch> node) : node_(std::move(node)) {}
    std::variant<TapLeaf, Branch> node_;
};

// The merkle root of `tree`. When `out_leaf_hashes` is given, the leaf hashes are appended to
// it in depth-first, left-to-right order (the order of BIP341's vectors' leaf ids).
Uint256 tap_tree_merkle_root(const TapTree& tree, std::vector<Uint256>* out_leaf_hashes = nullptr);

// One leaf with what a script-path spend of it needs.
struct TapLeafSpendInfo {
    TapLeaf leaf;
    Uint256 leaf_hash;
    std::vector<Uint256> merkle_path;  // sibling hashes, from the leaf's sibling upwards
};

// Every leaf of `tree`, depth-first left-to-right, with its merkle path.
std::vector<TapLeafSpendInfo> tap_tree_leaves(const TapTree& tree);

// The control block for spending a leaf: `output_key_parity` is the parity returned by
// XOnlyPublicKey::create_tap_tweak for the output key. `merkle_path` must hold at most
// TAPROOT_CONTROL_MAX_NODE_COUNT hashes (asserted).
Bytes tap_control_block(std::uint8_t leaf_version, bool output_key_parity,
                        const XOnlyPublicKey& internal_key, std::span<const Uint256> merkle_path);

// The interpreter's side: the merkle root a control block commits to for a leaf with hash
// `leaf_hash` (folding the path's nodes in with tap_branch_hash). Returns nullopt unless the
// control block's size is 33 + 32*m with m <= 128. Checking the root against the output key is
// XOnlyPublicKey::check_tap_tweak's job.
std::optional<Uint256> tap_merkle_root_from_control_block(ByteSpan control_block,
                                                          const Uint256& leaf_hash);

}  // namespace bitloom
