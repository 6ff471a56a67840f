// The chain state against Bitcoin Core's verdicts on the regtest chain of
// ../shared/test-vectors/regtest-chain-1: import, UTXO statistics, invalid blocks, restarts,
// reindex, reorganisations and invalidation.
#include "chain/chainstate.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <limits>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "consensus/chainparams.h"
#include "crypto/random.h"
#include "testutil/temp_dir.h"
#include "testutil/vectors.h"
#include "util/hex.h"

namespace bitloom {
namespace {

using testutil::TempDir;

constexpr std::string_view CHAIN_DIR = "regtest-chain-1/";

struct RegtestChain {
    std::vector<Block> blocks;  // in mined order
    nlohmann::json expected;
    nlohmann::json invalid;
    std::int64_t reference_now = 0;
};

const RegtestChain& regtest_chain() {
    static const RegtestChain chain = [] {
        RegtestChain out;
        std::istringstream lines(
            testutil::read_file_text(testutil::vector_path(std::string(CHAIN_DIR) + "blocks.hex")));
        std::string line;
        while (std::getline(lines, line)) {
            if (line.empty()) continue;
            auto bytes = parse_hex(line);
            if (!bytes) throw std::runtime_error("blocks.hex: bad hex");
            auto block = decode_block(*bytes);
            if (!block) throw std::runtime_error("blocks.hex: a block does not decode");
            out.blocks.push_back(std::move(*block));
        }
        out.expected = testutil::load_json(std::string(CHAIN_DIR) + "expected.json");
        out.invalid = testutil::load_json(std::string(CHAIN_DIR) + "invalid_blocks.json");
        out.reference_now = out.invalid.at("reference_now").get<std::int64_t>();
        return out;
    }();
    return chain;
}

ChainStateOptions options_for(const std::filesystem::path& dir, bool in_memory) {
    ChainStateOptions options;
    options.data_dir = dir;
    options.in_memory_db = in_memory;
    options.coins_cache_bytes = 16 << 20;
    const std::int64_t now = regtest_chain().reference_now;
    options.now = [now] { return now; };
    return options;
}

std::unique_ptr<ChainState> open_chain(const ChainStateOptions& options) {
    auto opened = ChainState::open(chain_params(ChainType::regtest), options);
    if (!opened) {
        ADD_FAILURE() << "open failed: " << opened.error();
        return nullptr;
    }
    return std::move(*opened);
}

// Submits every block of blocks.hex; returns how many were accepted without error.
std::size_t import_all(ChainState& chain) {
    std::size_t ok = 0;
    for (const Block& block : regtest_chain().blocks) {
        BlockSubmission result = chain.process_new_block(block);
        if (result.error) {
            ADD_FAILURE() << "block " << block.hash().to_string() << " rejected: " << to_string(*result.error);
            continue;
        }
        ++ok;
    }
    return ok;
}

void expect_reference_state(ChainState& chain) {
    const nlohmann::json& expected = regtest_chain().expected;
    const BlockIndex* tip = chain.tip();
    ASSERT_NE(tip, nullptr);
    EXPECT_EQ(tip->height, expected["tip"]["height"].get<int>());
    EXPECT_EQ(tip->hash.to_string(), expected["tip"]["hash"].get<std::string>());
    EXPECT_EQ(tip->chain_work.to_uint256().to_string(), expected["tip"]["chainwork"].get<std::string>());
    EXPECT_EQ(tip->median_time_past(), expected["tip"]["mediantime"].get<std::int64_t>());
    const auto& active = expected["active_chain"];
    ASSERT_EQ(static_cast<int>(active.size()), tip->height + 1);
    for (int h = 0; h <= tip->height; ++h) {
        const BlockIndex* at = chain.at_height(h);
        ASSERT_NE(at, nullptr);
        EXPECT_EQ(at->hash.to_string(), active[static_cast<std::size_t>(h)].get<std::string>()) << "height " << h;
    }
    auto stats = chain.utxo_stats();
    ASSERT_TRUE(stats.has_value()) << stats.error();
    const auto& utxo = expected["utxo_set"];
    EXPECT_EQ(stats->txouts, utxo["txouts"].get<std::uint64_t>());
    EXPECT_EQ(stats->transactions, utxo["transactions"].get<std::uint64_t>());
    EXPECT_EQ(stats->bogosize, utxo["bogosize"].get<std::uint64_t>());
    ASSERT_TRUE(stats->total_amount.has_value());
    EXPECT_EQ(*stats->total_amount, static_cast<Amount>(utxo["total_amount"].get<double>() * 1e8 + 0.5));
    ASSERT_TRUE(stats->muhash.has_value());
    EXPECT_EQ(stats->muhash->to_string(), utxo["muhash"].get<std::string>());
    ASSERT_TRUE(stats->hash_serialized_3.has_value());
    EXPECT_EQ(stats->hash_serialized_3->to_string(), expected["utxo_set_hash_serialized_3"].get<std::string>());
}

TEST(ChainState, imports_the_reference_chain_and_matches_its_utxo_set) {
    testutil::TempDir dir("bitloom-chainstate");
    auto chain = open_chain(options_for(dir.path(), true));
    ASSERT_TRUE(chain);
    EXPECT_EQ(chain->height(), 0);
    EXPECT_EQ(import_all(*chain), regtest_chain().blocks.size());
    expect_reference_state(*chain);
    testutil::report_cases("regtest-chain-1 blocks submitted", regtest_chain().blocks.size());

    // The stale branch is a valid fork of the active chain.
    std::size_t forks = 0;
    for (const ChainTip& tip : chain->chain_tips()) {
        if (tip.status == ChainTipStatus::valid_fork) ++forks;
    }
    EXPECT_EQ(forks, 1U);
}

TEST(ChainState, gives_each_invalid_block_the_reference_verdict_and_keeps_the_tip) {
    testutil::TempDir dir("bitloom-chainstate");
    auto chain = open_chain(options_for(dir.path(), true));
    ASSERT_TRUE(chain);
    import_all(*chain);
    const Uint256 tip = chain->tip()->hash;
    std::size_t cases = 0;
    for (const auto& test : regtest_chain().invalid["cases"]) {
        auto bytes = parse_hex(test["hex"].get<std::string>());
        ASSERT_TRUE(bytes);
        auto block = decode_block(*bytes);
        ASSERT_TRUE(block) << test["name"];
        BlockSubmission result = chain->process_new_block(*block);
        ASSERT_TRUE(result.error.has_value()) << test["name"] << " was accepted";
        EXPECT_EQ(result.error->reject_reason, test["reference_verdict"].get<std::string>()) << test["name"];
        EXPECT_EQ(chain->tip()->hash, tip) << test["name"];
        ++cases;
    }
    testutil::report_cases("regtest-chain-1 invalid blocks", cases);
    ASSERT_GT(cases, 0U);

    auto control = decode_block(*parse_hex(regtest_chain().invalid["valid_control_block"].get<std::string>()));
    ASSERT_TRUE(control);
    BlockSubmission result = chain->process_new_block(*control);
    EXPECT_FALSE(result.error.has_value()) << to_string(*result.error);
    EXPECT_TRUE(result.new_block);
    EXPECT_EQ(chain->tip()->hash, control->hash());
    // A second submission is a duplicate.
    BlockSubmission again = chain->process_new_block(*control);
    EXPECT_FALSE(again.new_block);
    EXPECT_TRUE(again.accepted);
}

TEST(ChainState, restarts_from_disk_with_the_same_state) {
    testutil::TempDir dir("bitloom-chainstate");
    {
        auto chain = open_chain(options_for(dir.path(), false));
        ASSERT_TRUE(chain);
        import_all(*chain);
    }
    auto reopened = open_chain(options_for(dir.path(), false));
    ASSERT_TRUE(reopened);
    expect_reference_state(*reopened);
    // Known blocks are duplicates after the restart.
    BlockSubmission again = reopened->process_new_block(regtest_chain().blocks.back());
    EXPECT_FALSE(again.new_block);
    EXPECT_FALSE(again.error.has_value());
}

TEST(ChainState, reindex_rebuilds_the_same_state_from_the_block_files) {
    testutil::TempDir dir("bitloom-chainstate");
    {
        auto chain = open_chain(options_for(dir.path(), false));
        ASSERT_TRUE(chain);
        import_all(*chain);
    }
    ChainStateOptions options = options_for(dir.path(), false);
    options.reindex = true;
    auto reindexed = open_chain(options);
    ASSERT_TRUE(reindexed);
    expect_reference_state(*reindexed);
}

TEST(ChainState, follows_the_most_work_branch_when_given_it_late) {
    // First the active chain below the stale branch plus the stale branch (which becomes the
    // tip), then the rest of the active chain: the node must reorganise onto it.
    const RegtestChain& reference = regtest_chain();
    testutil::TempDir dir("bitloom-chainstate");
    auto probe = open_chain(options_for(dir.path() / "probe", true));
    ASSERT_TRUE(probe);
    import_all(*probe);
    std::set<std::string> stale;
    for (const auto& hash : reference.expected["stale_blocks"]) stale.insert(hash.get<std::string>());
    int fork_height = std::numeric_limits<int>::max();
    for (const std::string& hash : stale) {
        const BlockIndex* index = probe->lookup(*Uint256::from_string(hash));
        ASSERT_NE(index, nullptr);
        fork_height = std::min(fork_height, index->height);
    }
    ASSERT_EQ(stale.size(), 2U);

    auto chain = open_chain(options_for(dir.path() / "reorg", true));
    ASSERT_TRUE(chain);
    std::vector<const Block*> later;
    for (const Block& block : reference.blocks) {
        const bool is_stale = stale.contains(block.hash().to_string());
        if (!is_stale && probe->lookup(block.hash())->height >= fork_height) {
            later.push_back(&block);
            continue;
        }
        BlockSubmission result = chain->process_new_block(block);
        ASSERT_FALSE(result.error.has_value()) << to_string(*result.error);
    }
    EXPECT_TRUE(stale.contains(chain->tip()->hash.to_string()));
    EXPECT_EQ(chain->height(), fork_height + 1);
    for (const Block* block : later) {
        BlockSubmission result = chain->process_new_block(*block);
        ASSERT_FALSE(result.error.has_value()) << to_string(*result.error);
    }
    expect_reference_state(*chain);
}

TEST(ChainState, invalidate_and_reconsider_move_the_tip_and_back) {
    testutil::TempDir dir("bitloom-chainstate");
    auto chain = open_chain(options_for(dir.path(), true));
    ASSERT_TRUE(chain);
    import_all(*chain);
    const BlockIndex* tip = chain->tip();
    const BlockIndex* target = chain->at_height(tip->height - 5);
    ASSERT_TRUE(chain->invalidate_block(target->hash));
    EXPECT_LT(chain->height(), target->height);
    EXPECT_FALSE(chain->in_active_chain(target));
    ASSERT_TRUE(chain->reconsider_block(target->hash));
    EXPECT_EQ(chain->tip(), tip);
    expect_reference_state(*chain);
}

TEST(ChainState, verify_chain_passes_at_every_level) {
    testutil::TempDir dir("bitloom-chainstate");
    auto chain = open_chain(options_for(dir.path(), true));
    ASSERT_TRUE(chain);
    import_all(*chain);
    for (int level = 0; level <= 4; ++level) {
        std::string message;
        EXPECT_TRUE(chain->verify_chain(level, 20, message)) << "level " << level << ": " << message;
    }
}

}  // namespace
}  // namespace bitloom
