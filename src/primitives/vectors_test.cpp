// Reference blocks: mainnet block 413567 and the regtest chain produced by Bitcoin Core.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "primitives/block.h"
#include "primitives/merkle.h"
#include "primitives/pow.h"
#include "testutil/vectors.h"
#include "util/hex.h"

namespace bitloom {
namespace {

const ArithUint256 MAINNET_POW_LIMIT =
    ArithUint256::from_hex("00000000ffffffffffffffffffffffffffffffffffffffffffffffffffffffff").value();
const ArithUint256 REGTEST_POW_LIMIT =
    ArithUint256::from_hex("7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff").value();

// --- Mainnet block 413567 ---------------------------------------------------------------

class Block413567 : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        raw_ = new Bytes(testutil::read_file_bytes(testutil::vector_path("bitcoin-core/block413567.raw")));
    }
    static void TearDownTestSuite() {
        delete raw_;
        raw_ = nullptr;
    }
    static Bytes* raw_;
};
Bytes* Block413567::raw_ = nullptr;

TEST_F(Block413567, parses_and_re_encodes_byte_for_byte) {
    const auto block = decode_block(*raw_);
    ASSERT_TRUE(block.has_value()) << to_string(block.error());
    ASSERT_GT(block->transactions.size(), 0u);
    testutil::report_cases("block413567 transactions", block->transactions.size());
    EXPECT_EQ(block->transactions.size(), 1557u);
    EXPECT_EQ(encode(*block), *raw_);
    EXPECT_EQ(block->total_size(), raw_->size());
    // A pre-segwit block: no witnesses, so weight is four times the size.
    EXPECT_EQ(block->stripped_size(), raw_->size());
    EXPECT_EQ(block->weight(), 4 * raw_->size());
}

TEST_F(Block413567, hash_merkle_root_and_proof_of_work_check_out) {
    const auto block = decode_block(*raw_);
    ASSERT_TRUE(block.has_value());
    EXPECT_EQ(block->hash().to_string(),
              "0000000000000000025aff8be8a55df8f89c77296db6198f272d6577325d4069");
    const auto root = block_merkle_root(*block);
    EXPECT_EQ(root.root, block->header.merkle_root);
    EXPECT_FALSE(root.mutated);
    const auto pow = check_proof_of_work(block->hash(), block->header.bits, MAINNET_POW_LIMIT);
    EXPECT_TRUE(pow.has_value()) << to_string(pow.error());
}

TEST_F(Block413567, transaction_ids_and_counts_are_stable) {
    const auto block = decode_block(*raw_);
    ASSERT_TRUE(block.has_value());
    const auto& txs = block->transactions;
    ASSERT_EQ(txs.size(), 1557u);
    // Worked out independently of this code (a separate script hashing the raw byte ranges).
    EXPECT_EQ(txs[0]->txid().to_string(), "5b4aaef3f4e4625d70385ddf0bd2a0b7d7141e4c2fd36d2ff2cad37fff3deb0f");
    EXPECT_EQ(txs[1]->txid().to_string(), "f1bd8c6e99baddc7b5ba7882f89a578549a669e5764801d8a0084aee9183ee11");
    EXPECT_EQ(txs[2]->txid().to_string(), "16dd510561d38603c70246e512fe4272b94b90c0eadead0bccfacdc9f3e625ae");
    EXPECT_EQ(txs[1556]->txid().to_string(), "63434bb06525615f43954598d281d03feaae70658c4187ccb3ba7fa7b093a0b8");
    EXPECT_TRUE(txs[0]->is_coinbase());
    EXPECT_EQ(txs[0]->total_size(), 185u);
    EXPECT_EQ(txs[1556]->total_size(), 520u);
    std::size_t inputs = 0, outputs = 0;
    for (const auto& tx : txs) {
        EXPECT_EQ(tx->wtxid(), tx->txid());
        EXPECT_FALSE(tx->has_witness());
        inputs += tx->inputs().size();
        outputs += tx->outputs().size();
        if (tx != txs[0]) {
            EXPECT_FALSE(tx->is_coinbase());
        }
    }
    EXPECT_EQ(inputs, 4887u);
    EXPECT_EQ(outputs, 3581u);
}

// --- Regtest chain ----------------------------------------------------------------------

std::vector<Bytes> load_regtest_blocks() {
    const std::string text = testutil::read_file_text(testutil::vector_path("regtest-chain-1/blocks.hex"));
    std::vector<Bytes> blocks;
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty()) continue;
        auto bytes = parse_hex(line);
        EXPECT_TRUE(bytes.has_value()) << "line " << blocks.size() + 1 << " is not hex";
        blocks.push_back(bytes.value_or(Bytes{}));
    }
    return blocks;
}

bool block_has_witness(const Block& block) {
    for (const auto& tx : block.transactions) {
        if (tx->has_witness()) return true;
    }
    return false;
}

TEST(RegtestChain, every_block_parses_round_trips_and_commits_to_its_transactions) {
    const auto blocks = load_regtest_blocks();
    ASSERT_GT(blocks.size(), 0u);
    std::size_t with_witness = 0;
    for (std::size_t i = 0; i < blocks.size(); ++i) {
        SCOPED_TRACE("block line " + std::to_string(i + 1));
        const auto block = decode_block(blocks[i]);
        ASSERT_TRUE(block.has_value()) << to_string(block.error());
        ASSERT_FALSE(block->transactions.empty());
        EXPECT_EQ(encode(*block), blocks[i]);
        EXPECT_EQ(block->total_size(), blocks[i].size());

        const auto root = block_merkle_root(*block);
        EXPECT_EQ(root.root, block->header.merkle_root);
        EXPECT_FALSE(root.mutated);
        EXPECT_TRUE(check_proof_of_work(block->hash(), block->header.bits, REGTEST_POW_LIMIT).has_value());

        if (!block_has_witness(*block)) continue;
        ++with_witness;
        const Transaction& coinbase = *block->transactions[0];
        ASSERT_TRUE(coinbase.is_coinbase());
        const auto committed = find_witness_commitment(coinbase);
        ASSERT_TRUE(committed.has_value());
        const auto& nonce_stack = coinbase.inputs()[0].witness.stack;
        ASSERT_EQ(nonce_stack.size(), 1u);
        ASSERT_EQ(nonce_stack[0].size(), 32u);
        const Uint256 nonce{ByteSpan(nonce_stack[0])};
        const auto witness_root = block_witness_merkle_root(*block);
        EXPECT_FALSE(witness_root.mutated);
        EXPECT_EQ(compute_witness_commitment(witness_root.root, nonce), *committed);
    }
    testutil::report_cases("regtest-chain-1 blocks", blocks.size());
    testutil::report_cases("regtest-chain-1 witness commitments", with_witness);
    EXPECT_GT(with_witness, 0u);
}

TEST(RegtestChain, every_block_hash_is_on_the_active_chain_or_one_of_the_two_stale_blocks) {
    const auto expected = testutil::load_json("regtest-chain-1/expected.json");
    const auto blocks = load_regtest_blocks();
    ASSERT_GT(blocks.size(), 0u);
    ASSERT_EQ(blocks.size(), expected.at("blocks_in_file").get<std::size_t>());

    std::vector<std::string> active;
    for (const auto& h : expected.at("active_chain")) active.push_back(h.get<std::string>());
    std::map<std::string, std::size_t> height_of;
    for (std::size_t h = 0; h < active.size(); ++h) height_of[active[h]] = h;
    std::set<std::string> listed_stale;
    for (const auto& h : expected.at("stale_blocks")) listed_stale.insert(h.get<std::string>());
    ASSERT_EQ(listed_stale.size(), 2u);  // the README's stale branch of two blocks

    std::set<std::string> seen_active;
    std::map<std::string, std::size_t> stale_height;  // stale hash -> height it claims
    for (std::size_t i = 0; i < blocks.size(); ++i) {
        SCOPED_TRACE("block line " + std::to_string(i + 1));
        const auto block = decode_block(blocks[i]);
        ASSERT_TRUE(block.has_value());
        const std::string hash = block->hash().to_string();
        const std::string prev = block->header.prev_block.to_string();

        std::size_t height;
        if (height_of.count(prev)) {
            height = height_of[prev] + 1;
        } else {
            ASSERT_TRUE(stale_height.count(prev)) << "parent " << prev << " is unknown";
            height = stale_height[prev] + 1;
        }
        if (height < active.size() && active[height] == hash) {
            EXPECT_TRUE(seen_active.insert(hash).second) << "duplicate block";
        } else {
            EXPECT_TRUE(listed_stale.count(hash)) << hash << " is neither active nor listed stale";
            stale_height[hash] = height;
        }
    }
    EXPECT_EQ(stale_height.size(), 2u);
    // Every active block but genesis comes from the file, each once.
    EXPECT_EQ(seen_active.size(), active.size() - 1);
    EXPECT_EQ(active.back(), expected.at("tip").at("hash").get<std::string>());
    testutil::report_cases("regtest-chain-1 active blocks", seen_active.size());
    testutil::report_cases("regtest-chain-1 stale blocks", stale_height.size());
}

TEST(RegtestChain, active_chain_work_matches_the_reference_chainwork) {
    const auto expected = testutil::load_json("regtest-chain-1/expected.json");
    const auto blocks = load_regtest_blocks();
    ASSERT_GT(blocks.size(), 0u);
    std::set<std::string> active;
    for (const auto& h : expected.at("active_chain")) active.insert(h.get<std::string>());

    // Genesis is not in the file; regtest's genesis has the same bits as its children.
    ArithUint256 work;
    std::size_t counted = 0;
    std::uint32_t bits = 0;
    for (const auto& raw : blocks) {
        const auto block = decode_block(raw);
        ASSERT_TRUE(block.has_value());
        if (!active.count(block->hash().to_string())) continue;
        work += block_work(block->header.bits);
        bits = block->header.bits;
        ++counted;
    }
    ASSERT_GT(counted, 0u);
    work += block_work(bits);
    EXPECT_EQ(work, ArithUint256::from_hex(expected.at("tip").at("chainwork").get<std::string>()).value());
}

}  // namespace
}  // namespace bitloom
