#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "crypto/hash.h"
#include "crypto/key.h"
#include "crypto/pubkey.h"
#include "crypto/taproot.h"
#include "testutil/vectors.h"
#include "util/hex.h"

namespace bitloom {
namespace {

using nlohmann::json;

using testutil::hex;

Uint256 uint256_hex(const std::string& text) {
    const Bytes bytes = hex(text);
    EXPECT_EQ(bytes.size(), 32u) << text;
    return bytes.size() == 32 ? Uint256(ByteSpan(bytes)) : Uint256{};
}

// BIP341 vectors write a tree as a leaf object {id, script, leafVersion} or a [left, right]
// pair. Leaf ids are collected depth-first, the order tap_tree_leaves reports leaves in.
TapTree tree_from_json(const json& node, std::vector<int>& ids) {
    if (node.is_array()) {
        EXPECT_EQ(node.size(), 2u);
        TapTree left = tree_from_json(node.at(0), ids);
        TapTree right = tree_from_json(node.at(1), ids);
        return TapTree::branch(std::move(left), std::move(right));
    }
    ids.push_back(node.at("id").get<int>());
    return TapTree::leaf(static_cast<std::uint8_t>(node.at("leafVersion").get<int>()),
                         hex(node.at("script").get<std::string>()));
}

// The two copies of the BIP341 wallet vectors; identical copies are run once.
std::vector<std::string> distinct_vector_files() {
    const std::string core = "bitcoin-core/bip341_wallet_vectors.json";
    const std::string bips = "bips/bip-0341_wallet-test-vectors.json";
    const bool same = testutil::read_file_text(testutil::vector_path(core)) ==
                      testutil::read_file_text(testutil::vector_path(bips));
    std::printf("[vectors] bip341: %s and %s are %s\n", core.c_str(), bips.c_str(),
                same ? "byte-identical (run once)" : "different (both run)");
    if (same) return {core};
    return {core, bips};
}

void run_script_pubkey_cases(const std::string& file) {
    SCOPED_TRACE(file);
    const json vectors = testutil::load_json(file);
    std::size_t cases = 0;
    std::size_t control_blocks = 0;
    for (const json& c : vectors.at("scriptPubKey")) {
        SCOPED_TRACE("scriptPubKey case " + std::to_string(cases));
        const json& given = c.at("given");
        const json& intermediary = c.at("intermediary");
        const json& expected = c.at("expected");
        const auto internal =
            XOnlyPublicKey::parse(hex(given.at("internalPubkey").get<std::string>()));
        ASSERT_TRUE(internal.has_value());

        std::optional<Uint256> merkle_root;
        std::vector<TapLeafSpendInfo> leaves;
        std::vector<int> ids;
        if (!given.at("scriptTree").is_null()) {
            const TapTree tree = tree_from_json(given.at("scriptTree"), ids);
            std::vector<Uint256> leaf_hashes;
            merkle_root = tap_tree_merkle_root(tree, &leaf_hashes);
            const json& expected_hashes = intermediary.at("leafHashes");
            ASSERT_EQ(leaf_hashes.size(), expected_hashes.size());
            ASSERT_EQ(ids.size(), leaf_hashes.size());
            for (std::size_t i = 0; i < leaf_hashes.size(); ++i) {
                EXPECT_EQ(to_hex(leaf_hashes[i].span()),
                          expected_hashes.at(ids[i]).get<std::string>());
            }
            leaves = tap_tree_leaves(tree);
            ASSERT_EQ(leaves.size(), leaf_hashes.size());
            for (std::size_t i = 0; i < leaves.size(); ++i) {
                EXPECT_EQ(leaves[i].leaf_hash, leaf_hashes[i]);
            }
        }
        if (intermediary.at("merkleRoot").is_null()) {
            EXPECT_FALSE(merkle_root.has_value());
        } else {
            ASSERT_TRUE(merkle_root.has_value());
            EXPECT_EQ(to_hex(merkle_root->span()), intermediary.at("merkleRoot").get<std::string>());
        }

        EXPECT_EQ(to_hex(internal->tap_tweak_hash(merkle_root).span()),
                  intermediary.at("tweak").get<std::string>());
        const auto output = internal->create_tap_tweak(merkle_root);
        ASSERT_TRUE(output.has_value());
        EXPECT_EQ(to_hex(output->key.span()), intermediary.at("tweakedPubkey").get<std::string>());
        EXPECT_EQ("5120" + to_hex(output->key.span()),
                  expected.at("scriptPubKey").get<std::string>());

        if (expected.contains("scriptPathControlBlocks")) {
            const json& blocks = expected.at("scriptPathControlBlocks");
            ASSERT_EQ(blocks.size(), leaves.size());
            for (std::size_t i = 0; i < leaves.size(); ++i) {
                const Bytes block = tap_control_block(leaves[i].leaf.version, output->parity,
                                                      *internal, leaves[i].merkle_path);
                EXPECT_EQ(to_hex(block), blocks.at(ids[i]).get<std::string>());
                // The interpreter's direction: control block -> root -> commitment check.
                const auto root = tap_merkle_root_from_control_block(block, leaves[i].leaf_hash);
                ASSERT_TRUE(root.has_value());
                EXPECT_EQ(*root, *merkle_root);
                EXPECT_TRUE(output->key.check_tap_tweak(*internal, *root, (block[0] & 1) != 0));
                EXPECT_FALSE(output->key.check_tap_tweak(*internal, *root, (block[0] & 1) == 0));
                ++control_blocks;
            }
        }
        ++cases;
    }
    testutil::report_cases("bip341 scriptPubKey (" + file + ")", cases);
    testutil::report_cases("bip341 control blocks (" + file + ")", control_blocks);
    ASSERT_GT(cases, 0u);
    ASSERT_GT(control_blocks, 0u);
}

void run_key_path_cases(const std::string& file) {
    SCOPED_TRACE(file);
    const json vectors = testutil::load_json(file);
    std::size_t inputs = 0;
    for (const json& spending : vectors.at("keyPathSpending")) {
        const json& utxos = spending.at("given").at("utxosSpent");
        for (const json& input : spending.at("inputSpending")) {
            SCOPED_TRACE("keyPathSpending input " + std::to_string(inputs));
            const json& given = input.at("given");
            const json& intermediary = input.at("intermediary");
            const auto key = PrivateKey::from_bytes(hex(given.at("internalPrivkey").get<std::string>()));
            ASSERT_TRUE(key.has_value());
            std::optional<Uint256> merkle_root;
            if (!given.at("merkleRoot").is_null()) {
                merkle_root = uint256_hex(given.at("merkleRoot").get<std::string>());
            }

            const XOnlyPublicKey internal = key->x_only_public_key();
            EXPECT_EQ(to_hex(internal.span()), intermediary.at("internalPubkey").get<std::string>());
            EXPECT_EQ(to_hex(internal.tap_tweak_hash(merkle_root).span()),
                      intermediary.at("tweak").get<std::string>());
            const auto tweaked = key->tweak_for_taproot(merkle_root);
            ASSERT_TRUE(tweaked.has_value());
            EXPECT_EQ(to_hex(tweaked->secret()), intermediary.at("tweakedPrivkey").get<std::string>());

            // The tweaked key owns the output being spent.
            const std::string spent = utxos.at(given.at("txinIndex").get<std::size_t>())
                                          .at("scriptPubKey")
                                          .get<std::string>();
            EXPECT_EQ("5120" + to_hex(tweaked->x_only_public_key().span()), spent);

            // Signing the given sighash (zero aux randomness) reproduces the witness signature.
            const Uint256 sighash = uint256_hex(intermediary.at("sigHash").get<std::string>());
            const auto sig = key->sign_schnorr_taproot(sighash, merkle_root, Uint256{});
            ASSERT_TRUE(sig.has_value());
            const std::string witness = input.at("expected").at("witness").at(0).get<std::string>();
            EXPECT_EQ(to_hex(*sig), witness.substr(0, 128));
            EXPECT_TRUE(tweaked->x_only_public_key().verify_schnorr(sighash.span(), *sig));
            ++inputs;
        }
    }
    testutil::report_cases("bip341 keyPathSpending inputs (" + file + ")", inputs);
    ASSERT_GT(inputs, 0u);
}

TEST(Bip341WalletVectors, script_trees_give_the_expected_hashes_tweaks_and_control_blocks) {
    for (const std::string& file : distinct_vector_files()) run_script_pubkey_cases(file);
}

TEST(Bip341WalletVectors, key_path_inputs_give_the_expected_tweaked_keys_and_signatures) {
    for (const std::string& file : distinct_vector_files()) run_key_path_cases(file);
}

// ---- Tree helpers ---------------------------------------------------------------------------

TEST(TapTree, branch_hash_ignores_child_order) {
    const Uint256 a = tap_leaf_hash(TAPROOT_LEAF_TAPSCRIPT, Bytes{0x51});
    const Uint256 b = tap_leaf_hash(TAPROOT_LEAF_TAPSCRIPT, Bytes{0x52});
    EXPECT_NE(a, b);
    EXPECT_EQ(tap_branch_hash(a, b), tap_branch_hash(b, a));
    EXPECT_NE(tap_branch_hash(a, b), tap_branch_hash(a, a));
}

TEST(TapTree, leaf_hash_commits_to_version_and_length_prefix) {
    const Bytes script(300, 0x51);  // long enough for a 3-byte compact size
    const Uint256 expected = [&] {
        Bytes data(4 + script.size(), 0x51);
        const std::uint8_t prefix[4] = {TAPROOT_LEAF_TAPSCRIPT, 0xfd, 0x2c, 0x01};
        std::copy(prefix, prefix + 4, data.begin());
        return tagged_hash("TapLeaf", data);
    }();
    EXPECT_EQ(tap_leaf_hash(TAPROOT_LEAF_TAPSCRIPT, script), expected);
    EXPECT_NE(tap_leaf_hash(0xc2, script), expected);
}

TEST(TapTree, single_leaf_root_is_the_leaf_hash_with_an_empty_path) {
    const TapTree tree = TapTree::leaf(TAPROOT_LEAF_TAPSCRIPT, Bytes{0x51});
    const auto leaves = tap_tree_leaves(tree);
    ASSERT_EQ(leaves.size(), 1u);
    EXPECT_TRUE(leaves[0].merkle_path.empty());
    EXPECT_EQ(tap_tree_merkle_root(tree), leaves[0].leaf_hash);
}

TEST(TapTree, merkle_paths_lead_every_leaf_to_the_root) {
    // ((A, (B, C)), D)
    const TapTree tree = TapTree::branch(
        TapTree::branch(TapTree::leaf(0xc0, {0x51}),
                        TapTree::branch(TapTree::leaf(0xc0, {0x52}), TapTree::leaf(0xc0, {0x53}))),
        TapTree::leaf(0xc0, {0x54}));
    const Uint256 root = tap_tree_merkle_root(tree);
    const auto leaves = tap_tree_leaves(tree);
    ASSERT_EQ(leaves.size(), 4u);
    const std::size_t depths[] = {2, 3, 3, 1};
    const auto internal = PrivateKey::generate().x_only_public_key();
    for (std::size_t i = 0; i < leaves.size(); ++i) {
        EXPECT_EQ(leaves[i].merkle_path.size(), depths[i]);
        EXPECT_EQ(leaves[i].leaf.script, Bytes{static_cast<std::uint8_t>(0x51 + i)});
        const Bytes block = tap_control_block(0xc0, false, internal, leaves[i].merkle_path);
        EXPECT_EQ(tap_merkle_root_from_control_block(block, leaves[i].leaf_hash), root);
    }
}

TEST(TapTree, control_blocks_of_invalid_size_are_rejected) {
    const Uint256 leaf = tap_leaf_hash(0xc0, Bytes{0x51});
    EXPECT_FALSE(tap_merkle_root_from_control_block(Bytes(32, 0xc0), leaf).has_value());
    EXPECT_FALSE(tap_merkle_root_from_control_block(Bytes(34, 0xc0), leaf).has_value());
    EXPECT_FALSE(
        tap_merkle_root_from_control_block(Bytes(33 + 32 * 129, 0xc0), leaf).has_value());
    EXPECT_EQ(tap_merkle_root_from_control_block(Bytes(33, 0xc0), leaf), leaf);
    EXPECT_TRUE(
        tap_merkle_root_from_control_block(Bytes(33 + 32 * 128, 0xc0), leaf).has_value());
}

}  // namespace
}  // namespace bitloom
