#include "miner/block_assembly.h"

#include <atomic>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "consensus/block_check.h"
#include "consensus/chainparams.h"
#include "consensus/subsidy.h"
#include "primitives/merkle.h"
#include "primitives/pow.h"
#include "testutil/vectors.h"
#include "util/hex.h"

namespace bitloom {
namespace {

const ChainParams& regtest() { return chain_params(ChainType::regtest); }

Script p2wpkh_script() {
    Script script;
    script.push_opcode(OP_0).push_data(testutil::hex("9f1808c739be0000000000000000000000000000"));
    return script;
}

// A transaction spending a made-up outpoint, with or without a witness.
TransactionRef spending_transaction(std::uint8_t tag, bool with_witness) {
    MutableTransaction tx;
    TxIn input;
    input.prevout.txid = Uint256(std::array<std::uint8_t, 32>{tag, 1, 2, 3});
    input.prevout.index = tag;
    if (with_witness) input.witness.stack = {Bytes(72, tag), Bytes(33, 2)};
    tx.inputs.push_back(input);
    tx.outputs.push_back(TxOut{1000 + tag, p2wpkh_script()});
    return make_transaction_ref(std::move(tx));
}

// The height a BIP34 script_sig starts with: OP_1..OP_16 or a minimal script number push.
std::optional<int> bip34_height(const Script& script_sig) {
    std::size_t pos = 0;
    const auto op = script_sig.get_op(pos);
    if (!op) return std::nullopt;
    if (op->opcode >= OP_1 && op->opcode <= OP_16) return decode_op_n(op->opcode);
    if (op->data.empty() || op->data.size() > 4) return std::nullopt;
    std::int64_t value = 0;
    for (std::size_t i = 0; i < op->data.size(); ++i) {
        value |= static_cast<std::int64_t>(op->data[i]) << (8 * i);
    }
    return static_cast<int>(value);
}

TEST(BlockAssembly, coinbase_script_sig_encodes_the_height_as_core_does) {
    struct Case {
        int height;
        std::string_view script_sig;
    };
    // 1..16 are OP_n padded with OP_0 to the 2-byte minimum; from 17 on a minimal number push
    // (with a sign byte when the top bit is set: 128 -> 0x80 0x00).
    const std::vector<Case> cases = {
        {1, "5100"},      {16, "6000"},     {17, "0111"},         {127, "017f"},
        {128, "028000"},  {255, "02ff00"},  {256, "020001"},      {65536, "03000001"},
        {131, "028300"},  {8388608, "0400008000"},
    };
    for (const auto& c : cases) {
        const Transaction coinbase = make_coinbase(c.height, 50 * COIN, p2wpkh_script(), {});
        EXPECT_EQ(to_hex(coinbase.inputs()[0].script_sig.span()), c.script_sig) << c.height;
        EXPECT_EQ(bip34_height(coinbase.inputs()[0].script_sig), c.height);
    }
    testutil::report_cases("coinbase heights", cases.size());
}

TEST(BlockAssembly, coinbase_fields_follow_core) {
    const Uint256 root = Uint256(std::array<std::uint8_t, 32>{7});
    const Transaction coinbase = make_coinbase(200, 12345, p2wpkh_script(), root);
    ASSERT_TRUE(coinbase.is_coinbase());
    EXPECT_EQ(coinbase.version(), 2);
    EXPECT_EQ(coinbase.lock_time(), 199U);
    EXPECT_EQ(coinbase.inputs()[0].sequence, 0xfffffffeU);
    ASSERT_EQ(coinbase.inputs()[0].witness.stack.size(), 1U);
    EXPECT_EQ(coinbase.inputs()[0].witness.stack[0], Bytes(32, 0));
    ASSERT_EQ(coinbase.outputs().size(), 2U);
    EXPECT_EQ(coinbase.outputs()[0].value, 12345);
    EXPECT_EQ(coinbase.outputs()[0].script_pubkey, p2wpkh_script());
    EXPECT_EQ(coinbase.outputs()[1].value, 0);
    EXPECT_EQ(find_witness_commitment(coinbase), compute_witness_commitment(root, Uint256()));

    const Transaction legacy = make_coinbase(200, 12345, p2wpkh_script(), std::nullopt);
    EXPECT_EQ(legacy.outputs().size(), 1U);
    EXPECT_FALSE(legacy.has_witness());
    EXPECT_FALSE(find_witness_commitment(legacy));
}

TEST(BlockAssembly, extra_nonce_follows_the_height_without_padding) {
    const Bytes extra = testutil::hex("0102030405");
    const Transaction coinbase = make_coinbase(3, COIN, p2wpkh_script(), std::nullopt, extra);
    EXPECT_EQ(to_hex(coinbase.inputs()[0].script_sig.span()), "53050102030405");
}

TEST(BlockAssembly, assembled_regtest_block_at_height_one_passes_the_block_checks) {
    const ChainParams& params = regtest();
    BlockTemplateInputs inputs;
    inputs.prev_hash = params.genesis.hash();
    inputs.height = 1;
    inputs.version = compute_block_version();
    inputs.time = params.genesis.header.time + 1;
    inputs.bits = params.genesis.header.bits;
    inputs.coinbase_value = block_subsidy(1, params.consensus);
    inputs.coinbase_script = p2wpkh_script();
    Block block = assemble_block(inputs);
    ASSERT_TRUE(grind_nonce(block, params.consensus.pow_limit, 1'000'000));

    EXPECT_EQ(block.header.version, 0x20000000);
    EXPECT_EQ(block.header.prev_block, params.genesis.hash());
    EXPECT_EQ(block.header.merkle_root, block.transactions[0]->txid());
    const auto verdict = check_block(block, params.consensus);
    EXPECT_TRUE(verdict) << verdict.error().reject_reason;
    EXPECT_TRUE(check_witness_commitment(block, true));
    EXPECT_TRUE(check_proof_of_work(block.hash(), block.header.bits, params.consensus.pow_limit));
}

TEST(BlockAssembly, block_with_witness_transactions_commits_to_their_wtxids) {
    const ChainParams& params = regtest();
    BlockTemplateInputs inputs;
    inputs.prev_hash = params.genesis.hash();
    inputs.height = 150;
    inputs.time = params.genesis.header.time + 100;
    inputs.bits = params.genesis.header.bits;
    inputs.coinbase_value = block_subsidy(150, params.consensus) + 3000;
    inputs.coinbase_script = p2wpkh_script();
    inputs.transactions = {spending_transaction(1, true), spending_transaction(2, false),
                           spending_transaction(3, true)};
    Block block = assemble_block(inputs);
    ASSERT_EQ(block.transactions.size(), 4U);
    EXPECT_EQ(block.header.merkle_root, block_merkle_root(block).root);
    EXPECT_FALSE(block_merkle_root(block).mutated);
    ASSERT_TRUE(grind_nonce(block, params.consensus.pow_limit, 1'000'000));
    EXPECT_TRUE(check_block(block, params.consensus));
    EXPECT_TRUE(check_witness_commitment(block, true));
    EXPECT_EQ(find_witness_commitment(*block.transactions[0]),
              compute_witness_commitment(block_witness_merkle_root(block).root, Uint256()));

    // Without segwit there is no commitment, and a witness transaction makes the block invalid.
    inputs.segwit_active = false;
    Block legacy = assemble_block(inputs);
    EXPECT_FALSE(find_witness_commitment(*legacy.transactions[0]));
    EXPECT_FALSE(check_witness_commitment(legacy, false));
    inputs.transactions = {spending_transaction(2, false)};
    EXPECT_TRUE(check_witness_commitment(assemble_block(inputs), false));
}

TEST(BlockAssembly, grinding_finds_a_regtest_nonce_in_a_few_tries) {
    const ChainParams& params = regtest();
    std::uint64_t total_tries = 0;
    for (int height = 1; height <= 32; ++height) {
        BlockTemplateInputs inputs;
        inputs.height = height;
        inputs.time = 1'700'000'000U + static_cast<std::uint32_t>(height);
        inputs.bits = params.genesis.header.bits;
        inputs.coinbase_value = 50 * COIN;
        inputs.coinbase_script = p2wpkh_script();
        Block block = assemble_block(inputs);
        ASSERT_TRUE(grind_nonce(block, params.consensus.pow_limit, 10'000));
        EXPECT_TRUE(check_proof_of_work(block.hash(), block.header.bits,
                                        params.consensus.pow_limit));
        total_tries += block.header.nonce + 1;
    }
    // The regtest target accepts about half of all hashes.
    EXPECT_LT(total_tries, 32U * 8U);
}

TEST(BlockAssembly, grinding_gives_up_after_max_tries_or_when_stopped) {
    const ChainParams& main = chain_params(ChainType::main);
    BlockTemplateInputs inputs;
    inputs.height = 1;
    inputs.bits = main.genesis.header.bits;
    inputs.coinbase_value = 50 * COIN;
    inputs.coinbase_script = p2wpkh_script();
    Block block = assemble_block(inputs);
    EXPECT_FALSE(grind_nonce(block, main.consensus.pow_limit, 100));
    EXPECT_EQ(block.header.nonce, 100U);

    const std::atomic<bool> stop{true};
    Block regtest_block = assemble_block(inputs);
    regtest_block.header.bits = regtest().genesis.header.bits;
    EXPECT_FALSE(grind_nonce(regtest_block, regtest().consensus.pow_limit, 1000, &stop));
    EXPECT_EQ(regtest_block.header.nonce, 0U);

    // At the last nonce a failing try ends the search instead of wrapping around.
    block.header.nonce = 0xffffffff;
    EXPECT_FALSE(grind_nonce(block, main.consensus.pow_limit, 100));
    EXPECT_EQ(block.header.nonce, 0xffffffffU);
}

TEST(BlockAssembly, block_version_sets_the_top_bits_and_signalled_bits) {
    EXPECT_EQ(compute_block_version(), 0x20000000);
    EXPECT_EQ(compute_block_version({2}), 0x20000004);
    EXPECT_EQ(compute_block_version({0, 28}), 0x30000001);
}

// The strongest check: a chain Bitcoin Core 31 mined. Given the same inputs, assemble_block
// must produce Core's coinbase and header byte for byte.
TEST(BlockAssembly, reproduces_the_blocks_bitcoin_core_mined) {
    std::istringstream lines(testutil::read_file_text(
        testutil::vector_path("regtest-chain-1/blocks.hex")));
    std::string line;
    std::size_t compared = 0;
    std::vector<int> heights_seen;
    while (std::getline(lines, line)) {
        if (line.empty()) continue;
        const Bytes bytes = testutil::hex(line);
        const auto decoded = decode_block(bytes);
        ASSERT_TRUE(decoded);
        const Block& real = *decoded;
        const Transaction& real_coinbase = *real.transactions[0];
        const auto height = bip34_height(real_coinbase.inputs()[0].script_sig);
        ASSERT_TRUE(height);
        ASSERT_EQ(real_coinbase.outputs().size(), 2U) << "height " << *height;

        BlockTemplateInputs inputs;
        inputs.prev_hash = real.header.prev_block;
        inputs.height = *height;
        inputs.version = compute_block_version();
        inputs.time = real.header.time;
        inputs.bits = real.header.bits;
        inputs.coinbase_value = real_coinbase.outputs()[0].value;
        inputs.coinbase_script = real_coinbase.outputs()[0].script_pubkey;
        inputs.transactions.assign(real.transactions.begin() + 1, real.transactions.end());
        Block made = assemble_block(inputs);
        made.header.nonce = real.header.nonce;

        EXPECT_EQ(made.transactions[0]->wtxid(), real_coinbase.wtxid()) << "height " << *height;
        EXPECT_EQ(made.transactions[0]->txid(), real_coinbase.txid()) << "height " << *height;
        EXPECT_EQ(made.header, real.header) << "height " << *height;
        EXPECT_EQ(made.hash(), real.hash());
        EXPECT_EQ(encode(made), bytes) << "height " << *height;
        // The subsidy Core paid: value = subsidy + fees, so never less than the subsidy.
        EXPECT_GE(real_coinbase.outputs()[0].value, block_subsidy(*height, regtest().consensus));
        heights_seen.push_back(*height);
        ++compared;
    }
    testutil::report_cases("regtest-chain-1 blocks reproduced", compared);
    ASSERT_GT(compared, 100U);
    // The file covers the height encodings that change shape: OP_n, one byte, sign byte.
    for (const int wanted : {1, 16, 17, 127, 128}) {
        EXPECT_NE(std::find(heights_seen.begin(), heights_seen.end(), wanted), heights_seen.end())
            << wanted;
    }
}

}  // namespace
}  // namespace bitloom
