#include "chain/pow.h"

#include <memory>
#include <vector>

#include <gtest/gtest.h>

#include "consensus/chainparams.h"

namespace bitloom {
namespace {

const ConsensusParams& mainnet() { return chain_params(ChainType::main).consensus; }
const ConsensusParams& testnet() { return chain_params(ChainType::testnet).consensus; }

// A linked chain of `count` indexes from height 0, every block `spacing` seconds after the
// previous, all with `bits`.
struct Chain {
    std::vector<std::unique_ptr<BlockIndex>> blocks;

    Chain(int count, std::uint32_t start_time, std::uint32_t spacing, std::uint32_t bits) {
        for (int h = 0; h < count; ++h) {
            auto index = std::make_unique<BlockIndex>();
            index->height = h;
            index->prev = blocks.empty() ? nullptr : blocks.back().get();
            index->time = start_time + static_cast<std::uint32_t>(h) * spacing;
            index->bits = bits;
            index->build_skip();
            blocks.push_back(std::move(index));
        }
    }
    BlockIndex* at(int h) { return blocks[static_cast<std::size_t>(h)].get(); }
    BlockIndex* tip() { return blocks.back().get(); }
};

BlockHeader header_at(std::uint32_t time) {
    BlockHeader header;
    header.time = time;
    return header;
}

// The figures of Bitcoin Core's pow_tests: real mainnet retargets.
TEST(CalculateNextWorkRequired, MainnetRetargetAtHeight32256) {
    BlockIndex last;
    last.height = 32255;
    last.time = 1262152739;
    last.bits = 0x1d00ffff;
    EXPECT_EQ(calculate_next_work_required(&last, 1261130161, mainnet()), 0x1d00d86aU);
    EXPECT_TRUE(permitted_difficulty_transition(mainnet(), 32256, 0x1d00ffff, 0x1d00d86a));
}

TEST(CalculateNextWorkRequired, IsCappedAtThePowLimit) {
    BlockIndex last;
    last.height = 2015;
    last.time = 1233061996;
    last.bits = 0x1d00ffff;
    EXPECT_EQ(calculate_next_work_required(&last, 1231006505, mainnet()), 0x1d00ffffU);
    EXPECT_TRUE(permitted_difficulty_transition(mainnet(), 2016, 0x1d00ffff, 0x1d00ffff));
}

TEST(CalculateNextWorkRequired, ClampsAFastPeriodToAQuarterOfTheTimespan) {
    BlockIndex last;
    last.height = 68543;
    last.time = 1279297671;
    last.bits = 0x1c05a3f4;
    EXPECT_EQ(calculate_next_work_required(&last, 1279008237, mainnet()), 0x1c0168fdU);
    EXPECT_TRUE(permitted_difficulty_transition(mainnet(), 68544, 0x1c05a3f4, 0x1c0168fd));
    // One step harder than the clamp allows.
    EXPECT_FALSE(permitted_difficulty_transition(mainnet(), 68544, 0x1c05a3f4, 0x1c0168fc));
}

TEST(CalculateNextWorkRequired, ClampsASlowPeriodToFourTimesTheTimespan) {
    BlockIndex last;
    last.height = 46367;
    last.time = 1269211443;
    last.bits = 0x1c387f6f;
    EXPECT_EQ(calculate_next_work_required(&last, 1263163443, mainnet()), 0x1d00e1fdU);
    EXPECT_TRUE(permitted_difficulty_transition(mainnet(), 46368, 0x1c387f6f, 0x1d00e1fd));
    // One step easier than the clamp allows.
    EXPECT_FALSE(permitted_difficulty_transition(mainnet(), 46368, 0x1c387f6f, 0x1d00e1fe));
}

TEST(PermittedDifficultyTransition, OffRetargetHeightsTheBitsMustNotChange) {
    EXPECT_TRUE(permitted_difficulty_transition(mainnet(), 32257, 0x1d00d86a, 0x1d00d86a));
    EXPECT_FALSE(permitted_difficulty_transition(mainnet(), 32257, 0x1d00d86a, 0x1d00d86b));
    // Testnet allows anything (min-difficulty blocks).
    EXPECT_TRUE(permitted_difficulty_transition(testnet(), 32257, 0x1d00d86a, 0x1d00ffff));
}

TEST(NextWorkRequired, GenesisGetsThePowLimit) {
    EXPECT_EQ(next_work_required(nullptr, header_at(0), mainnet()), 0x1d00ffffU);
    EXPECT_EQ(next_work_required(nullptr, header_at(0),
                                 chain_params(ChainType::regtest).consensus),
              0x207fffffU);
}

TEST(NextWorkRequired, MainnetKeepsTheBitsWithinAPeriodAndRetargetsAtItsEnd) {
    Chain chain(32256, 1231006505, 600, 0x1d00ffff);
    chain.at(32255 - 2015)->time = 1261130161;
    chain.tip()->time = 1262152739;
    EXPECT_EQ(next_work_required(chain.tip(), header_at(1262153000), mainnet()), 0x1d00d86aU);
    // Within a period: the parent's bits, whatever the time.
    EXPECT_EQ(next_work_required(chain.at(32254), header_at(1262152739 + 100000), mainnet()),
              0x1d00ffffU);
}

TEST(NextWorkRequired, TestnetAllowsAMinDifficultyBlockAfterTwentyMinutes) {
    const std::uint32_t hard = 0x1c0ffff0;
    Chain chain(3000, 1300000000, 600, hard);
    // Blocks 2020..2029 are min-difficulty blocks.
    for (int h = 2020; h < 3000; ++h) chain.at(h)->bits = 0x1d00ffff;
    BlockIndex* last = chain.at(2029);
    const std::uint32_t last_time = last->time;
    EXPECT_EQ(next_work_required(last, header_at(last_time + 1201), testnet()), 0x1d00ffffU);
    // Not late enough: the bits of the last block not mined under the rule.
    EXPECT_EQ(next_work_required(last, header_at(last_time + 1200), testnet()), hard);
    // The walk back stops at a period's first block even when it is a min-difficulty block.
    chain.at(2016)->bits = 0x1d00ffff;
    for (int h = 2017; h < 2020; ++h) chain.at(h)->bits = 0x1d00ffff;
    EXPECT_EQ(next_work_required(last, header_at(last_time + 1200), testnet()), 0x1d00ffffU);
}

TEST(NextWorkRequired, Testnet4RetargetsFromThePeriodsFirstBlockBits) {
    const ConsensusParams& params = chain_params(ChainType::testnet4).consensus;
    ASSERT_TRUE(params.enforce_bip94);
    Chain chain(2016, 1700000000, 600, 0x1d00ffff);
    chain.at(0)->bits = 0x1c0ffff0;
    // Exactly the target timespan from first to last: the first block's target unchanged.
    chain.tip()->time = chain.at(0)->time + static_cast<std::uint32_t>(params.pow_target_timespan);
    EXPECT_EQ(next_work_required(chain.tip(), header_at(chain.tip()->time + 1), params),
              0x1c0ffff0U);
    // Twice the timespan doubles it.
    chain.tip()->time += static_cast<std::uint32_t>(params.pow_target_timespan);
    EXPECT_EQ(next_work_required(chain.tip(), header_at(chain.tip()->time + 1), params),
              0x1c1fffe0U);
    // Without BIP94 the last (min-difficulty) block's bits would be the base.
    ConsensusParams legacy = params;
    legacy.enforce_bip94 = false;
    EXPECT_EQ(next_work_required(chain.tip(), header_at(chain.tip()->time + 1), legacy),
              0x1d00ffffU);
}

TEST(NextWorkRequired, RegtestNeverRetargets) {
    const ConsensusParams& params = chain_params(ChainType::regtest).consensus;
    ASSERT_TRUE(params.pow_no_retargeting);
    const auto interval = static_cast<int>(params.difficulty_adjustment_interval());
    Chain chain(interval, 1296688602, 1, 0x207fffff);
    chain.tip()->bits = 0x1f0fffff;  // whatever the last block carried
    EXPECT_EQ(next_work_required(chain.tip(), header_at(chain.tip()->time + 1), params),
              0x1f0fffffU);
}

}  // namespace
}  // namespace bitloom
