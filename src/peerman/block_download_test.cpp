// Block download scheduling against a real (in-memory) regtest chain state holding a few
// thousand headers, with a simulated clock.
#include "peerman/block_download.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <set>
#include <vector>

#include "consensus/chainparams.h"
#include "primitives/merkle.h"
#include "primitives/pow.h"
#include "testutil/temp_dir.h"

namespace bitloom {
namespace {

using std::chrono::microseconds;
using std::chrono::seconds;

constexpr int CHAIN_LENGTH = 3000;
constexpr std::uint32_t REGTEST_BITS = 0x207fffff;
const PeerTime T0 = seconds(1'700'000'000);
constexpr seconds SPACING{600};

const ChainParams& regtest() { return chain_params(ChainType::regtest); }

// A block on `prev_hash` (at `height`, timed `time`) whose coinbase carries `tag` in its
// output value, so that branches built with different tags differ. Mined to regtest's limit.
Block make_block(const Uint256& prev_hash, int height, std::uint32_t time, std::int64_t tag) {
    MutableTransaction coinbase;
    coinbase.inputs.resize(1);
    coinbase.inputs[0].script_sig.push_int(height).push_int(0);
    coinbase.outputs.push_back(TxOut{50 + tag, Script()});
    Block block;
    block.transactions.push_back(make_transaction_ref(std::move(coinbase)));
    block.header.version = 0x20000000;
    block.header.prev_block = prev_hash;
    block.header.merkle_root = block_merkle_root(block).root;
    block.header.time = time;
    block.header.bits = REGTEST_BITS;
    while (!check_proof_of_work(block.header.hash(), block.header.bits, regtest().consensus.pow_limit)) {
        ++block.header.nonce;
    }
    return block;
}

// `count` blocks on `prev` (a block of height `prev_height` timed `prev_time`).
std::vector<Block> make_branch(const BlockHeader& prev, int prev_height, int count, std::int64_t tag) {
    std::vector<Block> blocks;
    Uint256 prev_hash = prev.hash();
    std::uint32_t time = prev.time;
    for (int i = 1; i <= count; ++i) {
        time += 600;
        blocks.push_back(make_block(prev_hash, prev_height + i, time, tag));
        prev_hash = blocks.back().hash();
    }
    return blocks;
}

// Heights 1..CHAIN_LENGTH on regtest's genesis block (built once for every test).
const std::vector<Block>& main_branch() {
    static const std::vector<Block> blocks = make_branch(regtest().genesis.header, 0, CHAIN_LENGTH, 0);
    return blocks;
}

class BlockDownloadTest : public ::testing::Test {
protected:
    void SetUp() override {
        ChainStateOptions options;
        options.data_dir = dir_.path();
        options.in_memory_db = true;
        options.coins_cache_bytes = 4 << 20;
        const std::int64_t now = regtest().genesis.header.time + 100'000'000;
        options.now = [now] { return now; };
        auto opened = ChainState::open(regtest(), options);
        ASSERT_TRUE(opened.has_value()) << opened.error();
        chain_ = std::move(*opened);
        main_ = submit_headers(main_branch());
        ASSERT_EQ(static_cast<int>(main_.size()), CHAIN_LENGTH + 1);
    }

    // Submits every header; returns their index entries, the parent of the first in front.
    std::vector<const BlockIndex*> submit_headers(const std::vector<Block>& blocks) {
        std::vector<const BlockIndex*> entries;
        const BlockIndex* parent = chain_->lookup(blocks.front().header.prev_block);
        EXPECT_NE(parent, nullptr);
        entries.push_back(parent);
        for (const Block& block : blocks) {
            auto accepted = chain_->process_new_header(block.header);
            EXPECT_TRUE(accepted.has_value());
            if (!accepted) return entries;
            entries.push_back(*accepted);
        }
        return entries;
    }

    void submit_block(int height) {
        BlockSubmission result = chain_->process_new_block(main_branch()[static_cast<std::size_t>(height - 1)]);
        ASSERT_FALSE(result.error.has_value()) << to_string(*result.error);
    }

    std::vector<const BlockIndex*> next(PeerId id, std::optional<PeerId>* staller = nullptr) {
        std::optional<PeerId> ignored;
        return downloader_.next_blocks(id, MAX_BLOCKS_IN_TRANSIT_PER_PEER, *chain_,
                                       staller != nullptr ? *staller : ignored);
    }

    // Asks `id` for what next_blocks() offers; returns it.
    std::vector<const BlockIndex*> request_next(PeerId id, PeerTime now) {
        auto blocks = next(id);
        for (const BlockIndex* block : blocks) EXPECT_TRUE(downloader_.requested(id, block, now));
        return blocks;
    }

    void add_peer_with_best(PeerId id, const BlockIndex* best) {
        downloader_.add_peer(id, true);
        downloader_.update_best_known(id, best);
    }

    static std::vector<int> heights(const std::vector<const BlockIndex*>& blocks) {
        std::vector<int> out;
        for (const BlockIndex* block : blocks) out.push_back(block->height);
        return out;
    }
    static std::vector<int> range(int first, int last) {
        std::vector<int> out;
        for (int h = first; h <= last; ++h) out.push_back(h);
        return out;
    }

    testutil::TempDir dir_{"bitloom-download"};
    std::unique_ptr<ChainState> chain_;
    std::vector<const BlockIndex*> main_;  // main_[h]: the main branch's entry at height h
    BlockDownloader downloader_;
};

TEST_F(BlockDownloadTest, hands_out_blocks_in_height_order_at_most_sixteen_per_peer) {
    add_peer_with_best(1, main_.back());
    auto first = request_next(1, T0);
    EXPECT_EQ(heights(first), range(1, 16));
    EXPECT_EQ(downloader_.in_flight_count(1), 16);
    EXPECT_TRUE(next(1).empty()) << "a peer with 16 blocks in flight gets no more";

    std::optional<PeerId> staller;
    auto few = downloader_.next_blocks(1, 100, *chain_, staller);
    EXPECT_TRUE(few.empty());

    submit_block(3);  // stored out of order: HAVE_DATA, not connected
    ASSERT_EQ(downloader_.received(main_[3]->hash, T0 + seconds(1)), PeerId{1});
    auto refill = next(1);
    EXPECT_EQ(heights(refill), std::vector<int>{17}) << "one slot was freed";
}

TEST_F(BlockDownloadTest, never_hands_one_block_to_two_peers) {
    std::set<const BlockIndex*> handed_out;
    for (PeerId id = 1; id <= 10; ++id) {
        add_peer_with_best(id, main_.back());
        for (const BlockIndex* block : request_next(id, T0)) {
            EXPECT_TRUE(handed_out.insert(block).second) << "height " << block->height;
            EXPECT_EQ(downloader_.in_flight_from(block->hash), id);
        }
    }
    EXPECT_EQ(handed_out.size(), 160u);
    EXPECT_EQ(downloader_.in_flight_total(), 160);
    EXPECT_EQ(downloader_.peers_downloading_from(), 10);
    EXPECT_TRUE(next(11).empty()) << "peer 11 was never added";
}

TEST_F(BlockDownloadTest, stops_at_the_download_window_and_names_the_staller) {
    // 64 peers fill the window (heights 1..1024 above our tip at 0).
    const int peers = BLOCK_DOWNLOAD_WINDOW / MAX_BLOCKS_IN_TRANSIT_PER_PEER;
    int max_height = 0;
    for (PeerId id = 1; id <= peers; ++id) {
        add_peer_with_best(id, main_.back());
        auto blocks = request_next(id, T0);
        ASSERT_EQ(blocks.size(), 16u) << "peer " << id;
        for (const BlockIndex* block : blocks) max_height = std::max(max_height, block->height);
    }
    EXPECT_EQ(max_height, chain_->height() + BLOCK_DOWNLOAD_WINDOW);

    add_peer_with_best(100, main_.back());
    std::optional<PeerId> staller;
    EXPECT_TRUE(next(100, &staller).empty()) << "nothing beyond the window";
    ASSERT_TRUE(staller.has_value());
    EXPECT_EQ(*staller, 1) << "peer 1 holds block 1, the first missing block of the window";

    // Once block 1 and 2 arrive (and block 1 connects) the window moves on.
    submit_block(1);
    submit_block(2);
    downloader_.received(main_[1]->hash, T0);
    downloader_.received(main_[2]->hash, T0);
    // As in Core, a walk measures the window from where the peer's last common block stood
    // when it began; this one moves that block up to the new tip, the next one gets the blocks.
    EXPECT_TRUE(next(100).empty());
    staller.reset();
    auto moved = next(100, &staller);
    EXPECT_EQ(heights(moved), range(1025, 1026));
    EXPECT_FALSE(staller.has_value());
}

TEST_F(BlockDownloadTest, a_staller_is_reported_once_its_stall_outlasts_two_seconds) {
    const int peers = BLOCK_DOWNLOAD_WINDOW / MAX_BLOCKS_IN_TRANSIT_PER_PEER;
    for (PeerId id = 1; id <= peers; ++id) {
        add_peer_with_best(id, main_.back());
        request_next(id, T0);
    }
    add_peer_with_best(100, main_.back());
    std::optional<PeerId> staller;
    ASSERT_TRUE(next(100, &staller).empty());
    ASSERT_EQ(staller, PeerId{1});
    const PeerTime stall_start = T0 + seconds(10);
    EXPECT_TRUE(downloader_.mark_stalling(*staller, stall_start));
    EXPECT_FALSE(downloader_.mark_stalling(*staller, stall_start + seconds(1))) << "already timed";
    EXPECT_EQ(downloader_.stalling_since(1), stall_start);

    EXPECT_TRUE(downloader_.check_timeouts(stall_start + seconds(2), SPACING).empty());
    auto disconnect = downloader_.check_timeouts(stall_start + seconds(2) + microseconds(1), SPACING);
    ASSERT_EQ(disconnect.size(), 1u);
    EXPECT_EQ(disconnect[0].first, 1);
    EXPECT_EQ(disconnect[0].second, "Peer=1 is stalling block download, disconnecting");
    EXPECT_EQ(downloader_.stalling_timeout(), seconds(4));
    EXPECT_TRUE(downloader_.check_timeouts(stall_start + seconds(3), SPACING).empty())
        << "reported once";

    // Disconnecting the staller hands its blocks to the waiting peer.
    downloader_.remove_peer(1);
    staller.reset();
    EXPECT_EQ(heights(next(100, &staller)), range(1, 16));
    EXPECT_FALSE(staller.has_value());
}

TEST_F(BlockDownloadTest, a_block_from_the_staller_ends_its_stall) {
    add_peer_with_best(1, main_.back());
    auto blocks = request_next(1, T0);
    ASSERT_TRUE(downloader_.mark_stalling(1, T0));
    ASSERT_EQ(downloader_.received(blocks[5]->hash, T0 + seconds(1)), PeerId{1});
    EXPECT_FALSE(downloader_.stalling_since(1).has_value());
    EXPECT_TRUE(downloader_.check_timeouts(T0 + seconds(5), SPACING).empty());
}

TEST_F(BlockDownloadTest, the_stalling_timeout_doubles_per_disconnect_and_decays_per_connected_block) {
    for (PeerId id = 1; id <= 8; ++id) downloader_.add_peer(id, true);
    for (PeerId id = 1; id <= 2; ++id) downloader_.mark_stalling(id, T0);

    // Both stalled for 3 s: the first is judged against 2 s, the second against the doubled 4 s.
    auto disconnect = downloader_.check_timeouts(T0 + seconds(3), SPACING);
    ASSERT_EQ(disconnect.size(), 1u);
    EXPECT_EQ(disconnect[0].first, 1);
    EXPECT_EQ(downloader_.stalling_timeout(), seconds(4));
    disconnect = downloader_.check_timeouts(T0 + seconds(4) + microseconds(1), SPACING);
    ASSERT_EQ(disconnect.size(), 1u);
    EXPECT_EQ(disconnect[0].first, 2);
    EXPECT_EQ(downloader_.stalling_timeout(), seconds(8));

    // 85% per connected block, in whole seconds, never below 2 s.
    const std::vector<int> decay{6, 5, 4, 3, 2, 2};
    for (int expected : decay) {
        downloader_.block_connected();
        EXPECT_EQ(downloader_.stalling_timeout(), seconds(expected));
    }

    // Doubling stops at 64 s.
    PeerTime now = T0 + seconds(100);
    for (PeerId id = 3; id <= 8; ++id) {
        downloader_.mark_stalling(id, now);
        now += seconds(65);
        ASSERT_EQ(downloader_.check_timeouts(now, SPACING).size(), 1u) << "peer " << id;
    }
    EXPECT_EQ(downloader_.stalling_timeout(), BLOCK_STALLING_TIMEOUT_MAX);
    downloader_.block_connected();
    EXPECT_EQ(downloader_.stalling_timeout(), seconds(54));
}

TEST_F(BlockDownloadTest, removing_a_peer_frees_its_blocks_for_others) {
    add_peer_with_best(1, main_.back());
    add_peer_with_best(2, main_.back());
    EXPECT_EQ(heights(request_next(1, T0)), range(1, 16));
    EXPECT_EQ(heights(request_next(2, T0)), range(17, 32));
    downloader_.remove_peer(1);
    EXPECT_FALSE(downloader_.is_in_flight(main_[1]->hash));
    EXPECT_EQ(downloader_.in_flight_total(), 16);
    EXPECT_EQ(downloader_.peers_downloading_from(), 1);
    add_peer_with_best(3, main_.back());
    EXPECT_EQ(heights(request_next(3, T0)), range(1, 16));
}

TEST_F(BlockDownloadTest, the_download_timeout_grows_with_the_peers_downloading) {
    add_peer_with_best(1, main_.back());
    auto blocks = request_next(1, T0);
    // Alone: one target spacing.
    EXPECT_TRUE(downloader_.check_timeouts(T0 + SPACING, SPACING).empty());

    // Two more peers downloading: 1 + 0.5 * 2 = 2 spacings.
    add_peer_with_best(2, main_.back());
    add_peer_with_best(3, main_.back());
    request_next(2, T0 + SPACING);
    request_next(3, T0 + SPACING);
    EXPECT_TRUE(downloader_.check_timeouts(T0 + 2 * SPACING, SPACING).empty());
    auto disconnect = downloader_.check_timeouts(T0 + 2 * SPACING + microseconds(1), SPACING);
    ASSERT_EQ(disconnect.size(), 1u);
    EXPECT_EQ(disconnect[0].first, 1);
    EXPECT_EQ(disconnect[0].second, "Timeout downloading block " + blocks[0]->hash.to_string() +
                                        " from peer=1, disconnecting");
}

TEST_F(BlockDownloadTest, answering_the_oldest_request_restarts_the_download_clock) {
    add_peer_with_best(1, main_.back());
    auto blocks = request_next(1, T0);
    // A later block answered: the clock still runs from T0.
    downloader_.received(blocks[4]->hash, T0 + seconds(500));
    EXPECT_EQ(downloader_.check_timeouts(T0 + SPACING + microseconds(1), SPACING).size(), 1u);

    BlockDownloader fresh;
    fresh.add_peer(1, true);
    fresh.update_best_known(1, main_.back());
    for (const BlockIndex* block : blocks) fresh.requested(1, block, T0);
    fresh.received(blocks[0]->hash, T0 + seconds(500));
    EXPECT_TRUE(fresh.check_timeouts(T0 + SPACING + microseconds(1), SPACING).empty());
    EXPECT_EQ(fresh.check_timeouts(T0 + seconds(500) + SPACING + microseconds(1), SPACING).size(), 1u);
}

TEST_F(BlockDownloadTest, skips_blocks_on_the_active_chain_and_blocks_we_have) {
    for (int h = 1; h <= 10; ++h) submit_block(h);
    ASSERT_EQ(chain_->height(), 10);
    submit_block(15);  // stored, not connectable yet
    {
        auto guard = chain_->lock();
        ASSERT_NE(main_[15]->status & block_status::HAVE_DATA, 0u);
    }
    add_peer_with_best(1, main_.back());
    std::vector<int> expected = range(11, 14);
    for (int h = 16; h <= 27; ++h) expected.push_back(h);
    EXPECT_EQ(heights(next(1)), expected);
}

TEST_F(BlockDownloadTest, ignores_peers_without_more_work_than_our_tip) {
    for (int h = 1; h <= 10; ++h) submit_block(h);
    add_peer_with_best(1, main_[5]);
    EXPECT_TRUE(next(1).empty());
    add_peer_with_best(2, main_[10]);
    EXPECT_TRUE(next(2).empty()) << "nothing we lack";
    EXPECT_TRUE(next(99).empty()) << "unknown peer";

    BlockDownloader demanding(main_[2000]->chain_work);
    demanding.add_peer(1, false);
    demanding.update_best_known(1, main_[1999]);
    std::optional<PeerId> staller;
    EXPECT_TRUE(demanding.next_blocks(1, 16, *chain_, staller).empty()) << "below the minimum chain work";
    demanding.update_best_known(1, main_[2000]);
    EXPECT_EQ(demanding.next_blocks(1, 16, *chain_, staller).size(), 16u);
}

TEST_F(BlockDownloadTest, follows_a_peer_onto_another_branch) {
    for (int h = 1; h <= 10; ++h) submit_block(h);
    // A branch from height 5, longer than the main branch's headers.
    const BlockHeader& fork_point = main_branch()[4].header;
    auto fork = submit_headers(make_branch(fork_point, 5, 40, 7));
    ASSERT_EQ(fork.size(), 41u);
    add_peer_with_best(1, main_[30]);
    EXPECT_EQ(heights(next(1)), range(11, 26));

    // The peer switches branch: it is asked for the branch's blocks from the fork on.
    downloader_.update_best_known(1, fork.back());
    ASSERT_EQ(downloader_.best_known(1), fork.back()) << "more work replaces the best known block";
    auto blocks = next(1);
    ASSERT_EQ(blocks.size(), 16u);
    for (std::size_t i = 0; i < blocks.size(); ++i) EXPECT_EQ(blocks[i], fork[i + 1]);

    downloader_.update_best_known(1, main_[20]);
    EXPECT_EQ(downloader_.best_known(1), fork.back()) << "less work does not";
}

TEST_F(BlockDownloadTest, applies_an_announcement_once_its_header_is_known) {
    auto extra = make_branch(main_branch().back().header, CHAIN_LENGTH, 1, 0);
    downloader_.add_peer(1, true);
    downloader_.update_best_known(1, main_[100]);
    downloader_.block_announced(1, extra[0].hash(), *chain_);
    EXPECT_EQ(downloader_.best_known(1), main_[100]) << "header unknown so far";
    ASSERT_TRUE(chain_->process_new_header(extra[0].header).has_value());
    downloader_.process_block_availability(1, *chain_);
    ASSERT_NE(downloader_.best_known(1), nullptr);
    EXPECT_EQ(downloader_.best_known(1)->hash, extra[0].hash());
}

TEST_F(BlockDownloadTest, a_request_to_another_peer_replaces_the_first) {
    add_peer_with_best(1, main_.back());
    add_peer_with_best(2, main_.back());
    ASSERT_TRUE(downloader_.requested(1, main_[1], T0));
    EXPECT_FALSE(downloader_.requested(1, main_[1], T0)) << "already in flight from peer 1";
    ASSERT_TRUE(downloader_.requested(2, main_[1], T0));
    EXPECT_EQ(downloader_.in_flight_from(main_[1]->hash), PeerId{2});
    EXPECT_EQ(downloader_.in_flight_count(1), 0);
    EXPECT_EQ(downloader_.peers_downloading_from(), 1);
    EXPECT_EQ(downloader_.received(main_[1]->hash, T0), PeerId{2});
    EXPECT_FALSE(downloader_.received(main_[1]->hash, T0).has_value()) << "not in flight any more";
    EXPECT_EQ(downloader_.peers_downloading_from(), 0);
}

}  // namespace
}  // namespace bitloom
