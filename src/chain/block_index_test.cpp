#include "chain/block_index.h"

#include <algorithm>
#include <memory>
#include <set>
#include <vector>

#include <gtest/gtest.h>

namespace bitloom {
namespace {

// Owns a tree of indexes; each node gets a distinct hash (its creation number).
class Tree {
public:
    BlockIndex* add(BlockIndex* parent) {
        auto node = std::make_unique<BlockIndex>();
        const auto n = static_cast<std::uint32_t>(nodes_.size() + 1);
        node->hash.data()[0] = static_cast<std::uint8_t>(n);
        node->hash.data()[1] = static_cast<std::uint8_t>(n >> 8);
        node->hash.data()[2] = static_cast<std::uint8_t>(n >> 16);
        node->prev = parent;
        node->height = parent == nullptr ? 0 : parent->height + 1;
        node->time = 1000 + static_cast<std::uint32_t>(node->height) * 600;
        node->build_skip();
        nodes_.push_back(std::move(node));
        return nodes_.back().get();
    }
    // `count` blocks on top of `parent` (nullptr: a new genesis); returns them in order.
    std::vector<BlockIndex*> extend(BlockIndex* parent, int count) {
        std::vector<BlockIndex*> added;
        for (int i = 0; i < count; ++i) {
            parent = add(parent);
            added.push_back(parent);
        }
        return added;
    }

private:
    std::vector<std::unique_ptr<BlockIndex>> nodes_;
};

TEST(BlockIndex, AncestorFindsEveryHeightOfALongChain) {
    Tree tree;
    const auto chain = tree.extend(nullptr, 5000);
    for (int from : {0, 1, 2, 3, 17, 1024, 2047, 4095, 4999}) {
        for (int h = 0; h <= from; h += (from > 100 ? 7 : 1)) {
            ASSERT_EQ(chain[static_cast<std::size_t>(from)]->ancestor(h),
                      chain[static_cast<std::size_t>(h)])
                << from << " -> " << h;
        }
        EXPECT_EQ(chain[static_cast<std::size_t>(from)]->ancestor(from + 1), nullptr);
        EXPECT_EQ(chain[static_cast<std::size_t>(from)]->ancestor(-1), nullptr);
    }
}

TEST(BlockIndex, SkipPointersPointStrictlyBelowAndFollowCoresSkipHeights) {
    Tree tree;
    const auto chain = tree.extend(nullptr, 300);
    EXPECT_EQ(chain[0]->skip, nullptr);
    EXPECT_EQ(chain[1]->skip->height, 0);
    // Core's GetSkipHeight: even heights clear their lowest set bit; odd ones do it twice to
    // height - 1 and add one.
    EXPECT_EQ(chain[2]->skip->height, 0);
    EXPECT_EQ(chain[6]->skip->height, 4);
    EXPECT_EQ(chain[7]->skip->height, 1);
    EXPECT_EQ(chain[12]->skip->height, 8);
    EXPECT_EQ(chain[13]->skip->height, 1);
    EXPECT_EQ(chain[256]->skip->height, 0);
    EXPECT_EQ(chain[255]->skip->height, 249);
    for (std::size_t h = 1; h < chain.size(); ++h) {
        EXPECT_LT(chain[h]->skip->height, chain[h]->height);
        EXPECT_EQ(chain[h]->skip, chain[static_cast<std::size_t>(chain[h]->skip->height)]);
    }
}

TEST(BlockIndex, HeaderRebuildsTheFieldsAndTheParentHash) {
    Tree tree;
    const auto chain = tree.extend(nullptr, 2);
    chain[1]->version = 0x20000000;
    chain[1]->bits = 0x207fffff;
    chain[1]->nonce = 7;
    chain[1]->merkle_root.data()[5] = 9;
    const BlockHeader header = chain[1]->header();
    EXPECT_EQ(header.prev_block, chain[0]->hash);
    EXPECT_EQ(header.version, 0x20000000);
    EXPECT_EQ(header.bits, 0x207fffffU);
    EXPECT_EQ(header.nonce, 7U);
    EXPECT_EQ(header.time, chain[1]->time);
    EXPECT_EQ(header.merkle_root, chain[1]->merkle_root);
    EXPECT_TRUE(chain[0]->header().prev_block.is_null());
}

TEST(BlockIndex, MedianTimePastIsTheMedianOfUpToElevenBlocks) {
    Tree tree;
    const auto chain = tree.extend(nullptr, 20);
    const std::uint32_t times[] = {5, 1, 9, 3, 7, 2, 8, 4, 6, 10, 0, 11, 12, 13, 14, 15, 16, 17,
                                   18, 19};
    for (std::size_t i = 0; i < chain.size(); ++i) chain[i]->time = times[i];
    EXPECT_EQ(chain[0]->median_time_past(), 5);           // {5}
    EXPECT_EQ(chain[1]->median_time_past(), 5);           // {1,5}: upper middle
    EXPECT_EQ(chain[2]->median_time_past(), 5);           // {1,5,9}
    EXPECT_EQ(chain[10]->median_time_past(), 5);          // 0..10
    EXPECT_EQ(chain[11]->median_time_past(), 6);          // times[1..11]
    EXPECT_EQ(chain[19]->median_time_past(), 14);         // times[9..19]
}

TEST(BlockIndex, ValidityLevelsRiseAndFailedBlocksStayInvalid) {
    BlockIndex index;
    EXPECT_TRUE(index.is_valid(block_status::VALID_UNKNOWN));
    EXPECT_FALSE(index.is_valid(block_status::VALID_TREE));
    EXPECT_TRUE(index.raise_validity(block_status::VALID_TREE));
    EXPECT_FALSE(index.raise_validity(block_status::VALID_TREE));
    EXPECT_FALSE(index.raise_validity(block_status::VALID_RESERVED));  // never lowers
    index.status |= block_status::HAVE_DATA;
    EXPECT_TRUE(index.raise_validity(block_status::VALID_SCRIPTS));
    EXPECT_EQ(index.status, block_status::VALID_SCRIPTS | block_status::HAVE_DATA);
    EXPECT_TRUE(index.is_valid(block_status::VALID_TRANSACTIONS));
    index.status |= block_status::FAILED_CHILD;
    EXPECT_TRUE(index.failed());
    EXPECT_FALSE(index.is_valid(block_status::VALID_UNKNOWN));
    index.status = block_status::VALID_TREE | block_status::FAILED_VALID;
    EXPECT_FALSE(index.raise_validity(block_status::VALID_SCRIPTS));
    EXPECT_EQ(index.status & block_status::VALID_MASK, block_status::VALID_TREE);
}

TEST(BlockIndex, LastCommonAncestorOfTwoBranchesIsTheForkPoint) {
    Tree tree;
    const auto trunk = tree.extend(nullptr, 100);
    const auto left = tree.extend(trunk[60], 50);
    const auto right = tree.extend(trunk[60], 7);
    EXPECT_EQ(last_common_ancestor(left.back(), right.back()), trunk[60]);
    EXPECT_EQ(last_common_ancestor(right.back(), trunk.back()), trunk[60]);
    EXPECT_EQ(last_common_ancestor(trunk[30], left.back()), trunk[30]);
    EXPECT_EQ(last_common_ancestor(trunk[99], trunk[99]), trunk[99]);
}

TEST(ActiveChain, SetTipAtContainsNextAndFindForkAgree) {
    Tree tree;
    const auto trunk = tree.extend(nullptr, 40);
    const auto branch = tree.extend(trunk[20], 30);
    ActiveChain chain;
    EXPECT_EQ(chain.height(), -1);
    EXPECT_EQ(chain.tip(), nullptr);
    EXPECT_EQ(chain.genesis(), nullptr);
    chain.set_tip(trunk.back());
    EXPECT_EQ(chain.height(), 39);
    EXPECT_EQ(chain.genesis(), trunk[0]);
    EXPECT_EQ(chain.tip(), trunk[39]);
    EXPECT_EQ(chain.at(25), trunk[25]);
    EXPECT_EQ(chain.at(40), nullptr);
    EXPECT_EQ(chain.at(-1), nullptr);
    EXPECT_TRUE(chain.contains(trunk[25]));
    EXPECT_FALSE(chain.contains(branch[0]));
    EXPECT_EQ(chain.next(trunk[25]), trunk[26]);
    EXPECT_EQ(chain.next(trunk[39]), nullptr);
    EXPECT_EQ(chain.next(branch[3]), nullptr);
    EXPECT_EQ(chain.find_fork(branch.back()), trunk[20]);
    EXPECT_EQ(chain.find_fork(trunk[10]), trunk[10]);
    EXPECT_EQ(chain.find_fork(nullptr), nullptr);

    chain.set_tip(branch.back());  // reorganise onto the longer branch
    EXPECT_EQ(chain.height(), 50);
    EXPECT_EQ(chain.at(21), branch[0]);
    EXPECT_EQ(chain.at(20), trunk[20]);
    EXPECT_FALSE(chain.contains(trunk[21]));
    EXPECT_EQ(chain.find_fork(trunk[39]), trunk[20]);

    chain.set_tip(trunk[5]);  // shorter
    EXPECT_EQ(chain.height(), 5);
    EXPECT_EQ(chain.tip(), trunk[5]);
    chain.set_tip(nullptr);
    EXPECT_EQ(chain.height(), -1);
}

TEST(ActiveChain, LocatorIsDenseForTenThenDoublesAndEndsAtGenesis) {
    Tree tree;
    const auto trunk = tree.extend(nullptr, 1000);
    ActiveChain chain;
    EXPECT_TRUE(chain.locator().empty());
    chain.set_tip(trunk.back());
    const std::vector<Uint256> locator = chain.locator();
    // Core's GetLocator heights from 999: 999..989 (11), then steps 2, 4, 8, ... and genesis.
    std::vector<int> expected;
    int h = 999;
    int step = 1;
    while (true) {
        expected.push_back(h);
        if (h == 0) break;
        h = std::max(h - step, 0);
        if (expected.size() > 10) step *= 2;
    }
    ASSERT_EQ(locator.size(), expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        EXPECT_EQ(locator[i], trunk[static_cast<std::size_t>(expected[i])]->hash) << i;
    }
    EXPECT_EQ(expected[10], 989);
    EXPECT_EQ(expected[11], 988);
    EXPECT_EQ(expected[12], 986);
    EXPECT_EQ(expected[13], 982);
    EXPECT_EQ(locator.back(), trunk[0]->hash);

    const auto from_middle = chain.locator(trunk[3]);
    ASSERT_EQ(from_middle.size(), 4U);
    EXPECT_EQ(from_middle.front(), trunk[3]->hash);
    EXPECT_EQ(from_middle.back(), trunk[0]->hash);
}

TEST(BlockIndexWorkLess, OrdersByWorkThenEarlierArrivalThenAddress) {
    std::vector<BlockIndex> nodes(4);
    nodes[0].chain_work = 10;
    nodes[1].chain_work = 20;
    nodes[2].chain_work = 20;
    nodes[2].sequence_id = 5;
    nodes[3].chain_work = 20;
    nodes[3].sequence_id = 5;
    const BlockIndexWorkLess less;
    EXPECT_TRUE(less(&nodes[0], &nodes[1]));   // less work is "less"
    EXPECT_FALSE(less(&nodes[1], &nodes[0]));
    EXPECT_TRUE(less(&nodes[2], &nodes[1]));   // equal work: the later arrival is "less"
    EXPECT_FALSE(less(&nodes[1], &nodes[2]));
    EXPECT_TRUE(less(&nodes[3], &nodes[2]));   // all equal: the higher address is "less"
    EXPECT_FALSE(less(&nodes[2], &nodes[3]));
    EXPECT_FALSE(less(&nodes[2], &nodes[2]));
    // A set of candidates keeps the best last.
    std::set<const BlockIndex*, BlockIndexWorkLess> candidates{&nodes[0], &nodes[1], &nodes[2],
                                                               &nodes[3]};
    EXPECT_EQ(*candidates.rbegin(), &nodes[1]);
    EXPECT_EQ(*candidates.begin(), &nodes[0]);
}

}  // namespace
}  // namespace bitloom
