#include "primitives/merkle.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

#include "crypto/sha256.h"
#include "util/hex.h"

namespace bitloom {
namespace {

Uint256 leaf(std::uint8_t tag) {
    Uint256 h;
    for (std::size_t i = 0; i < h.size(); ++i) h[i] = static_cast<std::uint8_t>(tag + i);
    return h;
}

Uint256 node(const Uint256& left, const Uint256& right) {
    Bytes both(left.begin(), left.end());
    both.insert(both.end(), right.begin(), right.end());
    return sha256d(both);
}

// The textbook recursive definition, one sha256d per node, as the reference.
Uint256 reference_root(std::vector<Uint256> level) {
    if (level.empty()) return Uint256();
    while (level.size() > 1) {
        if (level.size() % 2) level.push_back(level.back());
        std::vector<Uint256> next;
        for (std::size_t i = 0; i < level.size(); i += 2) next.push_back(node(level[i], level[i + 1]));
        level = next;
    }
    return level[0];
}

TEST(Merkle, root_of_nothing_is_zero_and_of_one_leaf_is_the_leaf) {
    const auto empty = compute_merkle_root({});
    EXPECT_TRUE(empty.root.is_null());
    EXPECT_FALSE(empty.mutated);
    const std::vector<Uint256> one = {leaf(1)};
    EXPECT_EQ(compute_merkle_root(one).root, leaf(1));
}

TEST(Merkle, pairs_leaves_and_duplicates_the_odd_one_out) {
    const std::vector<Uint256> three = {leaf(1), leaf(2), leaf(3)};
    const auto result = compute_merkle_root(three);
    EXPECT_EQ(result.root, node(node(leaf(1), leaf(2)), node(leaf(3), leaf(3))));
    EXPECT_FALSE(result.mutated);
}

TEST(Merkle, matches_the_reference_definition_for_every_size_up_to_300) {
    std::mt19937_64 rng(20240601);
    std::vector<Uint256> leaves;
    for (std::size_t n = 1; n <= 300; ++n) {
        Uint256 h;
        for (auto& b : h) b = static_cast<std::uint8_t>(rng());
        leaves.push_back(h);
        const auto result = compute_merkle_root(leaves);
        ASSERT_EQ(result.root, reference_root(leaves)) << n;
        ASSERT_FALSE(result.mutated) << n;
    }
}

TEST(Merkle, duplicating_the_last_leaf_keeps_the_root_but_is_flagged) {
    const std::vector<Uint256> original = {leaf(1), leaf(2), leaf(3)};
    const std::vector<Uint256> padded = {leaf(1), leaf(2), leaf(3), leaf(3)};
    const auto a = compute_merkle_root(original);
    const auto b = compute_merkle_root(padded);
    EXPECT_EQ(a.root, b.root);
    EXPECT_FALSE(a.mutated);
    EXPECT_TRUE(b.mutated);
}

TEST(Merkle, duplicating_a_subtree_is_flagged_at_a_higher_level) {
    // Six leaves pad level 1 with a copy of node(e, f); eight leaves ending in e f e f produce
    // the same root, and the equal pair shows up only at level 1.
    const std::vector<Uint256> six = {leaf(1), leaf(2), leaf(3), leaf(4), leaf(5), leaf(6)};
    std::vector<Uint256> eight = six;
    eight.push_back(leaf(5));
    eight.push_back(leaf(6));
    const auto a = compute_merkle_root(six);
    const auto b = compute_merkle_root(eight);
    EXPECT_EQ(a.root, b.root);
    EXPECT_FALSE(a.mutated);
    EXPECT_TRUE(b.mutated);
}

TEST(Merkle, equal_leaves_that_are_not_paired_are_not_a_mutation) {
    const std::vector<Uint256> leaves = {leaf(1), leaf(2), leaf(2), leaf(3)};
    EXPECT_FALSE(compute_merkle_root(leaves).mutated);
    const std::vector<Uint256> paired = {leaf(2), leaf(2)};
    EXPECT_TRUE(compute_merkle_root(paired).mutated);
}

MutableTransaction spend(std::uint8_t tag, bool with_witness) {
    MutableTransaction tx;
    TxIn in;
    in.prevout = OutPoint{leaf(tag), 0};
    if (with_witness) in.witness.stack = {Bytes(64, tag)};
    tx.inputs.push_back(in);
    tx.outputs.push_back(TxOut{1000, Script().push_opcode(OP_RETURN)});
    return tx;
}

Block sample_block(bool duplicate_last) {
    Block block;
    MutableTransaction cb;
    TxIn in;
    in.script_sig = Script().push_int(500);
    in.witness.stack = {Bytes(32, 0x77)};
    cb.inputs.push_back(in);
    cb.outputs.push_back(TxOut{50 * COIN, Script().push_opcode(OP_TRUE)});
    block.transactions.push_back(make_transaction_ref(cb));
    block.transactions.push_back(make_transaction_ref(spend(1, true)));
    block.transactions.push_back(make_transaction_ref(spend(2, false)));
    if (duplicate_last) block.transactions.push_back(block.transactions.back());
    return block;
}

TEST(Merkle, block_root_is_over_txids_and_detects_a_duplicated_last_transaction) {
    const Block block = sample_block(false);
    std::vector<Uint256> txids;
    for (const auto& tx : block.transactions) txids.push_back(tx->txid());
    const auto root = block_merkle_root(block);
    EXPECT_EQ(root.root, reference_root(txids));
    EXPECT_FALSE(root.mutated);

    const auto mutated = block_merkle_root(sample_block(true));
    EXPECT_EQ(mutated.root, root.root);
    EXPECT_TRUE(mutated.mutated);
}

TEST(Merkle, witness_root_is_over_wtxids_with_a_zero_coinbase) {
    const Block block = sample_block(false);
    std::vector<Uint256> wtxids = {Uint256()};
    for (std::size_t i = 1; i < block.transactions.size(); ++i) wtxids.push_back(block.transactions[i]->wtxid());
    EXPECT_NE(block.transactions[1]->wtxid(), block.transactions[1]->txid());
    EXPECT_EQ(block_witness_merkle_root(block).root, reference_root(wtxids));
    EXPECT_NE(block_witness_merkle_root(block).root, block_merkle_root(block).root);
}

TEST(Merkle, commitment_script_is_op_return_with_the_bip141_header) {
    const Uint256 commitment = leaf(9);
    const Script script = witness_commitment_script(commitment);
    ASSERT_EQ(script.size(), MINIMUM_WITNESS_COMMITMENT);
    EXPECT_EQ(to_hex(script.span().first(6)), "6a24aa21a9ed");
    EXPECT_TRUE(script.is_unspendable());
}

TEST(Merkle, finds_the_last_commitment_output_and_ignores_short_ones) {
    MutableTransaction cb;
    cb.inputs.emplace_back();
    cb.outputs.push_back(TxOut{0, witness_commitment_script(leaf(1))});
    cb.outputs.push_back(TxOut{0, Script().push_opcode(OP_TRUE)});
    Script longer = witness_commitment_script(leaf(2));
    longer.push_back(0x00);  // extra bytes after the commitment are allowed
    cb.outputs.push_back(TxOut{0, longer});
    Script too_short = witness_commitment_script(leaf(3));
    too_short = Script(too_short.span().first(37));
    cb.outputs.push_back(TxOut{0, too_short});

    const Transaction tx(cb);
    EXPECT_EQ(witness_commitment_index(tx), std::optional<std::size_t>(2));
    EXPECT_EQ(find_witness_commitment(tx), leaf(2));

    MutableTransaction none;
    none.inputs.emplace_back();
    none.outputs.push_back(TxOut{0, Script().push_opcode(OP_RETURN).push_data(Bytes(36, 0))});
    EXPECT_FALSE(witness_commitment_index(Transaction(none)).has_value());
}

TEST(Merkle, commitment_hashes_root_then_nonce) {
    const Uint256 root = leaf(4);
    const Uint256 nonce = leaf(5);
    EXPECT_EQ(compute_witness_commitment(root, nonce), node(root, nonce));
    EXPECT_NE(compute_witness_commitment(root, nonce), compute_witness_commitment(nonce, root));
}

}  // namespace
}  // namespace bitloom
