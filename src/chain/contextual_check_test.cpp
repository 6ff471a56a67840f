// Tests of the contextual header and block rules: hand-built indexes for each rule, then the
// regtest reference chain (every active-chain block passes) and the reference node's verdicts
// on regtest-chain-1/invalid_blocks.json for blocks built on its tip.
#include "chain/contextual_check.h"

#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

#include <gtest/gtest.h>

#include "chain/pow.h"
#include "consensus/block_check.h"
#include "consensus/chainparams.h"
#include "primitives/block.h"
#include "primitives/merkle.h"
#include "primitives/pow.h"
#include "primitives/script.h"
#include "testutil/vectors.h"

namespace bitloom {
namespace {

const ConsensusParams& regtest() { return chain_params(ChainType::regtest).consensus; }

// A linked chain of indexes from height 0: block h has time start + 600 * h.
struct IndexChain {
    std::vector<std::unique_ptr<BlockIndex>> blocks;

    IndexChain(int count, std::uint32_t bits, std::int32_t version = 4,
               std::uint32_t start = 1600000000) {
        for (int h = 0; h < count; ++h) {
            auto index = std::make_unique<BlockIndex>();
            index->height = h;
            index->prev = blocks.empty() ? nullptr : blocks.back().get();
            index->hash.data()[0] = static_cast<std::uint8_t>(h);
            index->hash.data()[1] = static_cast<std::uint8_t>(h >> 8);
            index->time = start + static_cast<std::uint32_t>(h) * 600;
            index->bits = bits;
            index->version = version;
            index->build_skip();
            blocks.push_back(std::move(index));
        }
    }
    BlockIndex* tip() { return blocks.back().get(); }
};

// A header that passes every contextual rule on `prev` under `params`.
BlockHeader next_header(const BlockIndex* prev, const ConsensusParams& params) {
    BlockHeader header;
    header.version = 0x20000000;
    header.prev_block = prev->hash;
    header.time = prev->time + 600;
    header.bits = next_work_required(prev, header, params);
    return header;
}

std::string reason_of(const Result<void, BlockValidationError>& result) {
    return result ? std::string("ok") : result.error().reject_reason;
}

TEST(ContextualCheckBlockHeader, AcceptsAWellFormedHeader) {
    IndexChain chain(20, 0x207fffff);
    const BlockHeader header = next_header(chain.tip(), regtest());
    EXPECT_EQ(reason_of(contextual_check_block_header(header, chain.tip(), regtest(),
                                                      header.time)),
              "ok");
}

TEST(ContextualCheckBlockHeader, RejectsBitsOtherThanRequired) {
    IndexChain chain(20, 0x207fffff);
    BlockHeader header = next_header(chain.tip(), regtest());
    header.bits = 0x207ffffe;
    const auto result = contextual_check_block_header(header, chain.tip(), regtest(), header.time);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().reject_reason, "bad-diffbits");
    EXPECT_EQ(result.error().result, BlockValidationResult::invalid_header);
}

TEST(ContextualCheckBlockHeader, RejectsATimeNotAboveTheMedianTimePast) {
    IndexChain chain(20, 0x207fffff);
    BlockHeader header = next_header(chain.tip(), regtest());
    header.time = static_cast<std::uint32_t>(chain.tip()->median_time_past());
    auto result = contextual_check_block_header(header, chain.tip(), regtest(), header.time);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().reject_reason, "time-too-old");
    EXPECT_EQ(result.error().result, BlockValidationResult::invalid_header);
    header.time += 1;
    EXPECT_TRUE(contextual_check_block_header(header, chain.tip(), regtest(), header.time));
}

TEST(ContextualCheckBlockHeader, RejectsATimeMoreThanTwoHoursAhead) {
    IndexChain chain(20, 0x207fffff);
    const BlockHeader header = next_header(chain.tip(), regtest());
    const std::int64_t now = std::int64_t{header.time} - MAX_FUTURE_BLOCK_TIME;
    EXPECT_TRUE(contextual_check_block_header(header, chain.tip(), regtest(), now));
    const auto result = contextual_check_block_header(header, chain.tip(), regtest(), now - 1);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().reject_reason, "time-too-new");
    EXPECT_EQ(result.error().result, BlockValidationResult::time_future);
}

TEST(ContextualCheckBlockHeader, RejectsOutdatedVersionsOnceTheirForksApply) {
    ConsensusParams params = regtest();
    params.bip34_height = 10;
    params.bip66_height = 20;
    params.bip65_height = 30;
    struct Case {
        int parent_height;
        std::int32_t version;
        std::string expected;
    };
    const Case cases[] = {
        {8, 1, "ok"},                          // block 9: nothing applies
        {9, 1, "bad-version(0x00000001)"},     // block 10: BIP34
        {9, 2, "ok"},
        {19, 2, "bad-version(0x00000002)"},    // block 20: BIP66
        {19, 3, "ok"},
        {29, 3, "bad-version(0x00000003)"},    // block 30: BIP65
        {29, 4, "ok"},
        {29, -1, "bad-version(0xffffffff)"},   // negative versions are below 4
        {29, 0x20000000, "ok"},
    };
    IndexChain chain(30, 0x207fffff);
    for (const Case& c : cases) {
        const BlockIndex* prev = chain.blocks[static_cast<std::size_t>(c.parent_height)].get();
        BlockHeader header = next_header(prev, params);
        header.version = c.version;
        const auto result = contextual_check_block_header(header, prev, params, header.time);
        EXPECT_EQ(reason_of(result), c.expected) << c.parent_height << " " << c.version;
        if (!result) {
            EXPECT_EQ(result.error().result, BlockValidationResult::invalid_header);
            EXPECT_EQ(result.error().debug_message,
                      "rejected nVersion=" + c.expected.substr(12, 10) + " block");
        }
    }
}

TEST(ContextualCheckBlockHeader, Bip94RejectsATimewarpAtTheStartOfAPeriod) {
    ConsensusParams params = regtest();
    params.enforce_bip94 = true;
    const auto interval = static_cast<int>(params.difficulty_adjustment_interval());
    // Timestamps far ahead at the end of the period, so the median stays low.
    IndexChain chain(interval, 0x207fffff);
    BlockIndex* last = chain.tip();
    last->time += 100000;
    BlockHeader header = next_header(last, params);
    header.time = last->time - static_cast<std::uint32_t>(MAX_TIMEWARP);
    EXPECT_TRUE(contextual_check_block_header(header, last, params, header.time));
    header.time -= 1;
    const auto result = contextual_check_block_header(header, last, params, header.time);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().reject_reason, "time-timewarp-attack");
    EXPECT_EQ(result.error().result, BlockValidationResult::invalid_header);
    // Not at a period's start, or without BIP94: allowed.
    BlockHeader inside = next_header(last->prev, params);
    inside.time = last->prev->time - static_cast<std::uint32_t>(MAX_TIMEWARP) + 1;
    EXPECT_EQ(reason_of(contextual_check_block_header(inside, last->prev, params, inside.time)),
              "ok");
    EXPECT_TRUE(contextual_check_block_header(header, last, regtest(), header.time));
}

// A block on `prev` with a coinbase whose scriptSig is `script_sig` and the given extra
// transactions; merkle root set, no witness.
Block make_block(const BlockIndex* prev, const ConsensusParams& params, const Script& script_sig,
                 std::vector<MutableTransaction> extra = {}) {
    Block block;
    block.header = next_header(prev, params);
    MutableTransaction coinbase;
    coinbase.inputs.resize(1);
    coinbase.inputs[0].script_sig = script_sig;
    coinbase.outputs.push_back(TxOut{50, Script()});
    block.transactions.push_back(make_transaction_ref(std::move(coinbase)));
    for (auto& tx : extra) block.transactions.push_back(make_transaction_ref(std::move(tx)));
    block.header.merkle_root = block_merkle_root(block).root;
    return block;
}

Script height_script(std::int64_t height) {
    Script script;
    script.push_int(height);
    return script;
}

TEST(ContextualCheckBlock, RequiresTheHeightAtTheStartOfTheCoinbase) {
    IndexChain chain(300, 0x207fffff);
    struct Case {
        int parent_height;
        Script script_sig;
        std::string expected;
    };
    Script with_suffix = height_script(300);
    with_suffix.push_data(Bytes{0xde, 0xad});
    Script padded_push;  // 300 pushed with a non-minimal encoding
    padded_push.push_data(Bytes{0x2c, 0x01, 0x00});
    Script one_as_data;  // 1 as a data push instead of OP_1
    one_as_data.push_data(Bytes{0x01});
    const Case cases[] = {
        {299, height_script(300), "ok"},
        {299, with_suffix, "ok"},
        {299, height_script(299), "bad-cb-height"},
        {299, padded_push, "bad-cb-height"},
        {299, Script(Bytes{0x02, 0x2c}), "bad-cb-height"},  // shorter than the push
        {0, height_script(1), "ok"},                        // OP_1
        {0, one_as_data, "bad-cb-height"},
        {15, height_script(16), "ok"},                      // OP_16
        {16, height_script(17), "ok"},                      // 0x01 0x11
    };
    for (const Case& c : cases) {
        const BlockIndex* prev = chain.blocks[static_cast<std::size_t>(c.parent_height)].get();
        const Block block = make_block(prev, regtest(), c.script_sig);
        EXPECT_EQ(reason_of(contextual_check_block(block, prev, regtest())), c.expected)
            << c.parent_height;
    }
    // Before BIP34 any scriptSig will do.
    ConsensusParams params = regtest();
    params.bip34_height = 1000;
    const Block block = make_block(chain.tip(), params, height_script(7));
    EXPECT_TRUE(contextual_check_block(block, chain.tip(), params));
}

TEST(ContextualCheckBlock, JudgesLockTimesByMedianTimePastOnceCsvApplies) {
    IndexChain chain(30, 0x207fffff);
    const BlockIndex* prev = chain.tip();
    const std::int64_t mtp = prev->median_time_past();
    MutableTransaction tx;
    tx.inputs.resize(1);
    tx.inputs[0].prevout.txid.data()[0] = 1;
    tx.inputs[0].prevout.index = 0;
    tx.inputs[0].sequence = TxIn::MAX_SEQUENCE_NONFINAL;
    tx.outputs.push_back(TxOut{1, Script()});
    tx.lock_time = static_cast<std::uint32_t>(mtp);  // final only once the cutoff exceeds it

    const Block block = make_block(prev, regtest(), height_script(30), {tx});
    ASSERT_GT(std::int64_t{block.header.time}, mtp);
    const auto result = contextual_check_block(block, prev, regtest());
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().reject_reason, "bad-txns-nonfinal");
    EXPECT_EQ(result.error().result, BlockValidationResult::consensus);

    // Before CSV the block's own time is the cutoff.
    ConsensusParams params = regtest();
    params.csv_height = 1000;
    EXPECT_TRUE(contextual_check_block(block, prev, params));

    // A height lock: final strictly below the block's height.
    tx.lock_time = 30;
    EXPECT_EQ(reason_of(contextual_check_block(make_block(prev, regtest(), height_script(30), {tx}),
                                               prev, regtest())),
              "bad-txns-nonfinal");
    tx.lock_time = 29;
    EXPECT_TRUE(contextual_check_block(make_block(prev, regtest(), height_script(30), {tx}), prev,
                                       regtest()));
    // Final sequences override any lock time.
    tx.lock_time = 1000000;
    tx.inputs[0].sequence = TxIn::SEQUENCE_FINAL;
    EXPECT_TRUE(contextual_check_block(make_block(prev, regtest(), height_script(30), {tx}), prev,
                                       regtest()));
}

TEST(ContextualCheckBlock, RejectsWitnessDataWithoutACommitment) {
    IndexChain chain(5, 0x207fffff);
    MutableTransaction tx;
    tx.inputs.resize(1);
    tx.inputs[0].prevout.txid.data()[0] = 1;
    tx.inputs[0].prevout.index = 0;
    tx.inputs[0].witness.stack.push_back(Bytes{1});
    tx.outputs.push_back(TxOut{1, Script()});
    const Block block = make_block(chain.tip(), regtest(), height_script(5), {tx});
    EXPECT_EQ(reason_of(contextual_check_block(block, chain.tip(), regtest())),
              "unexpected-witness");
}

// --- The regtest reference chain ---------------------------------------------------------

struct RegtestChain {
    std::unordered_map<Uint256, std::unique_ptr<BlockIndex>, BlobHasher> indexes;
    std::unordered_map<Uint256, Block, BlobHasher> blocks;
    ActiveChain active;
    std::int64_t reference_now = 0;
};

// Indexes the genesis block and every block of blocks.hex, linked by prev hash, with the
// active chain of expected.json.
void load_regtest_chain(RegtestChain& chain) {
    const ChainParams& params = chain_params(ChainType::regtest);
    auto add = [&](const Block& block) -> BlockIndex* {
        auto index = std::make_unique<BlockIndex>();
        index->hash = block.hash();
        index->version = block.header.version;
        index->merkle_root = block.header.merkle_root;
        index->time = block.header.time;
        index->bits = block.header.bits;
        index->nonce = block.header.nonce;
        if (!block.header.prev_block.is_null()) {
            const auto parent = chain.indexes.find(block.header.prev_block);
            if (parent == chain.indexes.end()) return nullptr;
            index->prev = parent->second.get();
            index->height = index->prev->height + 1;
            index->chain_work = index->prev->chain_work;
        }
        index->chain_work += block_work(block.header.bits);
        index->build_skip();
        BlockIndex* raw = index.get();
        chain.blocks.emplace(raw->hash, block);
        chain.indexes.emplace(raw->hash, std::move(index));
        return raw;
    };
    ASSERT_NE(add(params.genesis), nullptr);

    const std::string text =
        testutil::read_file_text(testutil::vector_path("regtest-chain-1/blocks.hex"));
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
        if (line.empty()) continue;
        auto block = decode_block(testutil::hex(line));
        ASSERT_TRUE(block.has_value());
        ASSERT_NE(add(*block), nullptr) << "a block comes before its parent";
    }

    const auto expected = testutil::load_json("regtest-chain-1/expected.json");
    const auto& hashes = expected.at("active_chain");
    const auto tip_hash = Uint256::from_string(hashes.back().get<std::string>());
    ASSERT_TRUE(tip_hash.has_value());
    const auto tip = chain.indexes.find(*tip_hash);
    ASSERT_NE(tip, chain.indexes.end());
    chain.active.set_tip(tip->second.get());
    ASSERT_EQ(chain.active.height() + 1, static_cast<int>(hashes.size()));
    for (std::size_t h = 0; h < hashes.size(); ++h) {
        ASSERT_EQ(chain.active.at(static_cast<int>(h))->hash.to_string(),
                  hashes[h].get<std::string>());
    }
    ASSERT_EQ(chain.active.height(), expected.at("tip").at("height").get<int>());
    ASSERT_EQ(chain.active.tip()->median_time_past(),
              expected.at("tip").at("mediantime").get<std::int64_t>());
    ASSERT_EQ(chain.active.tip()->chain_work.to_hex(),
              expected.at("tip").at("chainwork").get<std::string>());

    const auto invalid = testutil::load_json("regtest-chain-1/invalid_blocks.json");
    chain.reference_now = invalid.at("reference_now").get<std::int64_t>();
}

// Core's order for a new block on a known parent: the header's own checks, the contextual
// header checks, then the block's own and contextual checks.
std::string verdict(const Block& block, const BlockIndex* prev, const ConsensusParams& params,
                    std::int64_t now) {
    if (auto r = check_block_header(block.header, params); !r) return r.error().reject_reason;
    if (auto r = contextual_check_block_header(block.header, prev, params, now); !r) {
        return r.error().reject_reason;
    }
    if (auto r = check_block(block, params); !r) return r.error().reject_reason;
    if (auto r = contextual_check_block(block, prev, params); !r) return r.error().reject_reason;
    return "ok";
}

TEST(ContextualChecksOnRegtestChain, EveryActiveChainBlockPasses) {
    RegtestChain chain;
    ASSERT_NO_FATAL_FAILURE(load_regtest_chain(chain));
    std::size_t count = 0;
    for (int h = 1; h <= chain.active.height(); ++h) {
        const BlockIndex* index = chain.active.at(h);
        const Block& block = chain.blocks.at(index->hash);
        EXPECT_EQ(verdict(block, index->prev, regtest(), chain.reference_now), "ok")
            << "height " << h;
        ++count;
    }
    testutil::report_cases("regtest-chain-1 active chain (contextual checks)", count);
    EXPECT_GT(count, 0U);
}

TEST(ContextualChecksOnRegtestChain, MatchReferenceVerdictsOnInvalidBlocks) {
    RegtestChain chain;
    ASSERT_NO_FATAL_FAILURE(load_regtest_chain(chain));
    const auto invalid = testutil::load_json("regtest-chain-1/invalid_blocks.json");
    const BlockIndex* tip = chain.active.tip();
    ASSERT_EQ(tip->hash.to_string(), invalid.at("tip").get<std::string>());

    // Reasons these checks decide; every other case (coins, scripts, unknown parent) must
    // pass them.
    const std::set<std::string> decided = {
        "bad-diffbits",   "time-too-old",       "time-too-new",  "bad-cb-height",
        "bad-txns-nonfinal", "bad-witness-merkle-match", "bad-txnmrklroot", "high-hash",
        "bad-txns-duplicate", "bad-cb-missing", "bad-cb-multiple", "bad-blk-length"};
    const std::set<std::string> contextual = {"bad-diffbits",  "time-too-old",
                                              "time-too-new",  "bad-cb-height",
                                              "bad-txns-nonfinal", "bad-witness-merkle-match"};
    std::size_t contextual_count = 0;
    std::size_t count = 0;
    for (const auto& c : invalid.at("cases")) {
        const std::string expected = c.at("reference_verdict").get<std::string>();
        auto block = decode_block(testutil::hex(c.at("hex").get<std::string>()));
        ASSERT_TRUE(block.has_value()) << c.at("name");
        if (block->header.prev_block != tip->hash) continue;  // unknown-parent
        const std::string got = verdict(*block, tip, regtest(), chain.reference_now);
        if (decided.contains(expected)) {
            EXPECT_EQ(got, expected) << c.at("name");
            if (contextual.contains(expected)) ++contextual_count;
        } else {
            EXPECT_EQ(got, "ok") << c.at("name") << " (reference: " << expected << ")";
        }
        ++count;
    }
    auto control = decode_block(testutil::hex(invalid.at("valid_control_block").get<std::string>()));
    ASSERT_TRUE(control.has_value());
    EXPECT_EQ(verdict(*control, tip, regtest(), chain.reference_now), "ok");
    // The clock matters: an hour earlier, the time-too-new case would still fail, and the
    // control block still passes.
    EXPECT_EQ(verdict(*control, tip, regtest(), chain.reference_now - 3600), "ok");

    testutil::report_cases("regtest-chain-1 invalid blocks on the tip", count);
    testutil::report_cases("regtest-chain-1 invalid blocks with a contextual reason",
                           contextual_count);
    EXPECT_EQ(contextual_count, contextual.size());
    EXPECT_GT(count, 0U);
}

}  // namespace
}  // namespace bitloom
