#include "crypto/taproot.h"

#include <cassert>

#include "crypto/hash.h"
#include "crypto/sha256.h"
#include "util/endian.h"

namespace bitloom {

namespace {

// Bitcoin's CompactSize length prefix.
void write_compact_size(Sha256& hasher, std::uint64_t value) {
    std::uint8_t buffer[9];
    std::size_t size = 0;
    if (value < 0xfd) {
        buffer[0] = static_cast<std::uint8_t>(value);
        size = 1;
    } else if (value <= 0xffff) {
        buffer[0] = 0xfd;
        write_le16(buffer + 1, static_cast<std::uint16_t>(value));
        size = 3;
    } else if (value <= 0xffffffff) {
        buffer[0] = 0xfe;
        write_le32(buffer + 1, static_cast<std::uint32_t>(value));
        size = 5;
    } else {
        buffer[0] = 0xff;
        write_le64(buffer + 1, value);
        size = 9;
    }
    hasher.write(buffer, size);
}

// Post-order walk: returns the subtree's hash; records leaves and, for each leaf, the hashes of
// the siblings met on the way back up.
Uint256 walk(const TapTree& tree, std::vector<TapLeafSpendInfo>* leaves,
             std::vector<Uint256>* leaf_hashes) {
    if (tree.is_leaf()) {
        const TapLeaf& leaf = tree.as_leaf();
        const Uint256 hash = tap_leaf_hash(leaf.version, leaf.script);
        if (leaf_hashes) leaf_hashes->push_back(hash);
        if (leaves) leaves->push_back(TapLeafSpendInfo{leaf, hash, {}});
        return hash;
    }
    const std::size_t first_left = leaves ? leaves->size() : 0;
    const Uint256 left = walk(tree.left(), leaves, leaf_hashes);
    const std::size_t first_right = leaves ? leaves->size() : 0;
    const Uint256 right = walk(tree.right(), leaves, leaf_hashes);
    if (leaves) {
        for (std::size_t i = first_left; i < first_right; ++i) {
            (*leaves)[i].merkle_path.push_back(right);
        }
        for (std::size_t i = first_right; i < leaves->size(); ++i) {
            (*leaves)[i].merkle_path.push_back(left);
        }
    }
    return tap_branch_hash(left, right);
}

}  // namespace

Uint256 tap_leaf_hash(std::uint8_t leaf_version, ByteSpan script) {
    Sha256 hasher = tagged_hasher("TapLeaf");
    hasher.write(&leaf_version, 1);
    write_compact_size(hasher, script.size());
    hasher.write(script);
    return hasher.finalize();
}

Uint256 tap_branch_hash(const Uint256& a, const Uint256& b) {
    Sha256 hasher = tagged_hasher("TapBranch");
    if (b < a) {
        hasher.write(b.span()).write(a.span());
    } else {
        hasher.write(a.span()).write(b.span());
    }
    return hasher.finalize();
}

TapTree TapTree::leaf(std::uint8_t version, Bytes script) {
    return TapTree(TapLeaf{version, std::move(script)});
}

TapTree TapTree::branch(TapTree left, TapTree right) {
    return TapTree(Branch{std::make_shared<const TapTree>(std::move(left)),
                          std::make_shared<const TapTree>(std::move(right))});
}

const TapLeaf& TapTree::as_leaf() const {
    assert(is_leaf());
    return std::get<TapLeaf>(node_);
}

const TapTree& TapTree::left() const {
    assert(!is_leaf());
    return *std::get<Branch>(node_).left;
}

const TapTree& TapTree::right() const {
    assert(!is_leaf());
    return *std::get<Branch>(node_).right;
}

Uint256 tap_tree_merkle_root(const TapTree& tree, std::vector<Uint256>* out_leaf_hashes) {
    return walk(tree, nullptr, out_leaf_hashes);
}

std::vector<TapLeafSpendInfo> tap_tree_leaves(const TapTree& tree) {
    std::vector<TapLeafSpendInfo> leaves;
    walk(tree, &leaves, nullptr);
    return leaves;
}

Bytes tap_control_block(std::uint8_t leaf_version, bool output_key_parity,
                        const XOnlyPublicKey& internal_key, std::span<const Uint256> merkle_path) {
    assert(merkle_path.size() <= TAPROOT_CONTROL_MAX_NODE_COUNT);
    Bytes out;
    out.reserve(TAPROOT_CONTROL_BASE_SIZE + TAPROOT_CONTROL_NODE_SIZE * merkle_path.size());
    out.push_back(static_cast<std::uint8_t>((leaf_version & TAPROOT_LEAF_MASK) |
                                            (output_key_parity ? 1 : 0)));
    append(out, internal_key.span());
    for (const Uint256& node : merkle_path) append(out, node.span());
    return out;
}

std::optional<Uint256> tap_merkle_root_from_control_block(ByteSpan control_block,
                                                          const Uint256& leaf_hash) {
    if (control_block.size() < TAPROOT_CONTROL_BASE_SIZE ||
        control_block.size() > TAPROOT_CONTROL_MAX_SIZE ||
        (control_block.size() - TAPROOT_CONTROL_BASE_SIZE) % TAPROOT_CONTROL_NODE_SIZE != 0) {
        return std::nullopt;
    }
    Uint256 node = leaf_hash;
    for (std::size_t at = TAPROOT_CONTROL_BASE_SIZE; at < control_block.size();
         at += TAPROOT_CONTROL_NODE_SIZE) {
        node = tap_branch_hash(node, Uint256(control_block.subspan(at, TAPROOT_CONTROL_NODE_SIZE)));
    }
    return node;
}

}  // namespace bitloom
