// Tests of the context-free block checks: one hand-built block per reject reason (mutations of
// the last block of the regtest reference chain, re-solved where the mutation would otherwise
// fail on proof of work first), mainnet block 413567, every block of the regtest chain, and the
// reference node's verdicts on regtest-chain-1/invalid_blocks.json.
#include "consensus/block_check.h"

#include <cstdio>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "consensus/chainparams.h"
#include "primitives/block.h"
#include "primitives/merkle.h"
#include "primitives/pow.h"
#include "primitives/script.h"
#include "testutil/vectors.h"

namespace bitloom {
namespace {

const ConsensusParams& regtest() { return chain_params(ChainType::regtest).consensus; }
const ConsensusParams& mainnet() { return chain_params(ChainType::main).consensus; }

std::vector<Block> regtest_chain_blocks() {
    const std::string text =
        testutil::read_file_text(testutil::vector_path("regtest-chain-1/blocks.hex"));
    std::vector<Block> blocks;
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
        if (line.empty()) continue;
        auto block = decode_block(testutil::hex(line));
        if (!block) {
            ADD_FAILURE() << "block " << blocks.size() << " of blocks.hex does not decode";
            continue;
        }
        blocks.push_back(std::move(*block));
    }
    return blocks;
}

// The tip of the reference chain: a valid segwit block with a witness commitment.
Block base_block() {
    const std::vector<Block> blocks = regtest_chain_blocks();
    EXPECT_FALSE(blocks.empty());
    return blocks.empty() ? Block{} : blocks.back();
}

bool meets_pow(const BlockHeader& header) {
    return check_proof_of_work(header.hash(), header.bits, regtest().pow_limit).has_value();
}

// Recommits the header to the transactions and finds a nonce meeting the regtest target
// (about every other nonce does).
void solve(Block& block) {
    block.header.merkle_root = block_merkle_root(block).root;
    while (!meets_pow(block.header)) ++block.header.nonce;
}

// Finds a nonce whose hash misses the target.
void unsolve(Block& block) {
    while (meets_pow(block.header)) ++block.header.nonce;
}

std::string reason(const Result<void, BlockValidationError>& result) {
    return result ? std::string("ok") : result.error().reject_reason;
}

// A plain transaction spending a made-up outpoint, with one output of `script`.
MutableTransaction spend(Script script, std::uint8_t tag = 1) {
    MutableTransaction tx;
    TxIn in;
    in.prevout.txid.data()[0] = tag;
    in.prevout.index = 0;
    tx.inputs.push_back(in);
    tx.outputs.push_back(TxOut{1000, std::move(script)});
    return tx;
}

Block with_transaction(Block block, MutableTransaction tx) {
    block.transactions.push_back(make_transaction_ref(std::move(tx)));
    solve(block);
    return block;
}

Block with_coinbase_witness(Block block, Bytes item) {
    MutableTransaction coinbase = block.transactions[0]->to_mutable();
    coinbase.inputs[0].witness.stack = {std::move(item)};
    block.transactions[0] = make_transaction_ref(std::move(coinbase));
    solve(block);
    return block;
}

TEST(BlockCheck, base_block_is_valid_with_a_witness_commitment) {
    const Block block = base_block();
    ASSERT_GE(block.transactions.size(), 2U);
    EXPECT_EQ(reason(check_block_header(block.header, regtest())), "ok");
    EXPECT_EQ(reason(check_block(block, regtest())), "ok");
    EXPECT_EQ(reason(check_witness_commitment(block, true)), "ok");
    EXPECT_EQ(reason(block_weight_check(block)), "ok");
    EXPECT_TRUE(find_witness_commitment(*block.transactions[0]).has_value());
}

TEST(BlockCheck, rejects_header_whose_hash_misses_the_target) {
    Block block = base_block();
    unsolve(block);
    const auto result = check_block(block, regtest());
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().reject_reason, "high-hash");
    EXPECT_EQ(result.error().result, BlockValidationResult::invalid_header);
    EXPECT_EQ(reason(check_block_header(block.header, regtest())), "high-hash");
    EXPECT_EQ(reason(check_block(block, regtest(), /*check_pow=*/false)), "ok");
}

TEST(BlockCheck, rejects_header_whose_target_is_above_the_chains_limit) {
    // Regtest's easy target is far above mainnet's proof-of-work limit.
    EXPECT_EQ(reason(check_block_header(base_block().header, mainnet())), "high-hash");
}

TEST(BlockCheck, rejects_block_whose_merkle_root_does_not_commit_to_its_transactions) {
    Block block = base_block();
    block.header.merkle_root.data()[0] ^= 1;
    while (!meets_pow(block.header)) ++block.header.nonce;
    const auto result = check_block(block, regtest());
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().reject_reason, "bad-txnmrklroot");
    EXPECT_EQ(result.error().result, BlockValidationResult::mutated);
    EXPECT_EQ(reason(check_block(block, regtest(), true, /*check_merkle_root=*/false)), "ok");
}

TEST(BlockCheck, rejects_block_with_duplicate_transactions_in_the_merkle_tree) {
    Block block = base_block();
    block.transactions.push_back(block.transactions.back());
    solve(block);
    const auto result = check_block(block, regtest());
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().reject_reason, "bad-txns-duplicate");
    EXPECT_EQ(result.error().result, BlockValidationResult::mutated);
}

TEST(BlockCheck, rejects_block_without_transactions) {
    Block block = base_block();
    block.transactions.clear();
    solve(block);
    EXPECT_EQ(reason(check_block(block, regtest())), "bad-blk-length");
}

TEST(BlockCheck, rejects_block_whose_stripped_size_exceeds_the_weight_limit) {
    // One output script of 1,000,001 bytes: stripped size * 4 > 4,000,000. The size rule comes
    // before check_transaction's own "bad-txns-oversize".
    const Block block = with_transaction(base_block(), spend(Script(Bytes(1'000'001, 0x51))));
    const auto result = check_block(block, regtest());
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().reject_reason, "bad-blk-length");
    EXPECT_EQ(result.error().debug_message, "size limits failed");
}

TEST(BlockCheck, rejects_block_whose_first_transaction_is_not_a_coinbase) {
    Block block = base_block();
    block.transactions.erase(block.transactions.begin());
    solve(block);
    EXPECT_EQ(reason(check_block(block, regtest())), "bad-cb-missing");
}

TEST(BlockCheck, rejects_block_with_a_second_coinbase) {
    Block block = base_block();
    MutableTransaction second = block.transactions[0]->to_mutable();
    second.inputs[0].script_sig = Script(Bytes{0x02, 0x01, 0x02});
    block = with_transaction(std::move(block), std::move(second));
    EXPECT_EQ(reason(check_block(block, regtest())), "bad-cb-multiple");
}

TEST(BlockCheck, rejects_block_with_an_invalid_transaction_with_the_transactions_reason) {
    MutableTransaction no_outputs = spend(Script(Bytes{0x51}));
    no_outputs.outputs.clear();
    const Block block = with_transaction(base_block(), no_outputs);
    const auto result = check_block(block, regtest());
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().reject_reason, "bad-txns-vout-empty");
    EXPECT_EQ(result.error().result, BlockValidationResult::consensus);
    const std::string prefix =
        "Transaction check failed (tx hash " + block.transactions.back()->txid().to_string() + ") ";
    EXPECT_EQ(result.error().debug_message.substr(0, prefix.size()), prefix);
}

TEST(BlockCheck, rejects_block_with_too_many_legacy_sigops) {
    // 20,001 OP_CHECKSIG: 80,004 sigop cost, one more than the limit allows.
    const Block over = with_transaction(base_block(), spend(Script(Bytes(20'001, 0xac))));
    EXPECT_EQ(reason(check_block(over, regtest())), "bad-blk-sigops");
    // Well under the limit (the base block has only a few sigops) it passes.
    const Block under = with_transaction(base_block(), spend(Script(Bytes(19'000, 0xac))));
    EXPECT_EQ(reason(check_block(under, regtest())), "ok");
}

TEST(BlockCheck, rejects_coinbase_witness_that_is_not_one_32_byte_item) {
    EXPECT_EQ(reason(check_witness_commitment(with_coinbase_witness(base_block(), Bytes(31, 0)), true)),
              "bad-witness-nonce-size");
    Block two_items = base_block();
    MutableTransaction coinbase = two_items.transactions[0]->to_mutable();
    coinbase.inputs[0].witness.stack.push_back(Bytes(32, 0));
    two_items.transactions[0] = make_transaction_ref(std::move(coinbase));
    solve(two_items);
    EXPECT_EQ(reason(check_witness_commitment(two_items, true)), "bad-witness-nonce-size");
}

TEST(BlockCheck, rejects_witness_that_does_not_match_the_commitment) {
    const Block block = with_coinbase_witness(base_block(), Bytes(32, 0x01));
    EXPECT_EQ(reason(check_block(block, regtest())), "ok");  // the witness is not in the txids
    const auto result = check_witness_commitment(block, true);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().reject_reason, "bad-witness-merkle-match");
    EXPECT_EQ(result.error().result, BlockValidationResult::mutated);
}

TEST(BlockCheck, rejects_witness_data_without_segwit_or_without_commitment) {
    const Block block = base_block();
    EXPECT_EQ(reason(check_witness_commitment(block, false)), "unexpected-witness");

    Block uncommitted = base_block();
    MutableTransaction coinbase = uncommitted.transactions[0]->to_mutable();
    const auto position = witness_commitment_index(*uncommitted.transactions[0]);
    ASSERT_TRUE(position.has_value());
    coinbase.outputs.erase(coinbase.outputs.begin() + static_cast<std::ptrdiff_t>(*position));
    uncommitted.transactions[0] = make_transaction_ref(std::move(coinbase));
    solve(uncommitted);
    EXPECT_EQ(reason(check_block(uncommitted, regtest())), "ok");
    EXPECT_EQ(reason(check_witness_commitment(uncommitted, true)), "unexpected-witness");

    // Without any witness, no commitment is needed.
    Block stripped = uncommitted;
    for (auto& tx : stripped.transactions) {
        MutableTransaction copy = tx->to_mutable();
        for (auto& in : copy.inputs) in.witness.stack.clear();
        tx = make_transaction_ref(std::move(copy));
    }
    EXPECT_EQ(reason(check_witness_commitment(stripped, true)), "ok");
    EXPECT_EQ(reason(check_witness_commitment(stripped, false)), "ok");
}

TEST(BlockCheck, rejects_block_above_the_weight_limit) {
    MutableTransaction heavy = spend(Script(Bytes{0x51}));
    heavy.inputs[0].witness.stack = {Bytes(4'000'000, 0)};
    const Block block = with_transaction(base_block(), heavy);
    EXPECT_EQ(reason(check_block(block, regtest())), "ok");  // witness bytes are not stripped size
    const auto result = block_weight_check(block);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().reject_reason, "bad-blk-weight");
}

TEST(BlockCheck, mainnet_block_413567_passes) {
    const Bytes raw = testutil::read_file_bytes(testutil::vector_path("bitcoin-core/block413567.raw"));
    const auto block = decode_block(raw);
    ASSERT_TRUE(block.has_value());
    EXPECT_EQ(block->transactions.size(), 1557U);
    EXPECT_EQ(reason(check_block(*block, mainnet())), "ok");
    EXPECT_EQ(reason(check_witness_commitment(*block, /*segwit_active=*/false)), "ok");
    EXPECT_EQ(reason(block_weight_check(*block)), "ok");
}

TEST(BlockCheck, every_block_of_the_regtest_chain_passes) {
    const std::vector<Block> blocks = regtest_chain_blocks();
    ASSERT_FALSE(blocks.empty());
    for (std::size_t i = 0; i < blocks.size(); ++i) {
        EXPECT_EQ(reason(check_block(blocks[i], regtest())), "ok") << "block " << i;
        EXPECT_EQ(reason(check_witness_commitment(blocks[i], true)), "ok") << "block " << i;
        EXPECT_EQ(reason(block_weight_check(blocks[i])), "ok") << "block " << i;
    }
    testutil::report_cases("regtest-chain-1/blocks.hex check_block", blocks.size());
}

// Core's CheckBlock runs before any contextual check, so a block the reference node rejected
// for a context-free reason must fail check_block with exactly that reason, and any other
// rejected block must pass it. The witness commitment is checked in ContextualCheckBlock after
// the header checks, BIP34 and finality, so blocks rejected later (in ConnectBlock) pass it too.
TEST(BlockCheck, invalid_blocks_vectors_match_the_reference_verdicts) {
    const auto vectors = testutil::load_json("regtest-chain-1/invalid_blocks.json");
    const std::set<std::string> context_free = {"bad-txnmrklroot", "high-hash",
                                                "bad-txns-duplicate", "bad-cb-missing",
                                                "bad-cb-multiple", "bad-blk-length"};
    const std::set<std::string> after_witness_check = {
        "bad-cb-amount", "bad-txns-inputs-missingorspent", "bad-txns-premature-spend-of-coinbase"};

    const auto control = decode_block(testutil::hex(vectors.at("valid_control_block").get<std::string>()));
    ASSERT_TRUE(control.has_value());
    EXPECT_EQ(reason(check_block(*control, regtest())), "ok");
    EXPECT_EQ(reason(check_witness_commitment(*control, true)), "ok");

    std::size_t rejected = 0, passed = 0, witness = 0;
    for (const auto& test : vectors.at("cases")) {
        const std::string name = test.at("name").get<std::string>();
        const std::string verdict = test.at("reference_verdict").get<std::string>();
        const auto block = decode_block(testutil::hex(test.at("hex").get<std::string>()));
        ASSERT_TRUE(block.has_value()) << name;
        const auto checked = check_block(*block, regtest());
        if (context_free.contains(verdict)) {
            EXPECT_EQ(reason(checked), verdict) << name;
            ++rejected;
            continue;
        }
        EXPECT_EQ(reason(checked), "ok") << name << " (reference: " << verdict << ")";
        ++passed;
        if (verdict == "bad-witness-merkle-match") {
            EXPECT_EQ(reason(check_witness_commitment(*block, true)), verdict) << name;
            ++witness;
        } else if (after_witness_check.contains(verdict) ||
                   verdict.starts_with("block-script-verify-flag-failed")) {
            EXPECT_EQ(reason(check_witness_commitment(*block, true)), "ok") << name;
            EXPECT_EQ(reason(block_weight_check(*block)), "ok") << name;
        }
    }
    EXPECT_EQ(witness, 1U);
    std::printf("[vectors] invalid_blocks.json: %zu rejected by check_block, %zu passing it "
                "(contextual), %zu by check_witness_commitment\n",
                rejected, passed, witness);
    testutil::report_cases("regtest-chain-1/invalid_blocks.json", rejected + passed);
}

}  // namespace
}  // namespace bitloom
