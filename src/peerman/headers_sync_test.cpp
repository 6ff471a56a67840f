// The low-work headers sync on small regtest header chains, with a small commitment period
// and redownload buffer and a low minimum chain work.
#include "peerman/headers_sync.h"

#include <gtest/gtest.h>

#include <vector>

#include "consensus/chainparams.h"
#include "crypto/hash.h"
#include "primitives/pow.h"

namespace bitloom {
namespace {

constexpr std::uint32_t REGTEST_BITS = 0x207fffff;
constexpr HeadersSyncSalt SALT{0x0123456789abcdefULL, 0xfedcba9876543210ULL, 3};

const ConsensusParams& regtest() { return chain_params(ChainType::regtest).consensus; }

// The block index entry of regtest's genesis block, standing alone.
BlockIndex genesis_entry() {
    const BlockHeader& header = chain_params(ChainType::regtest).genesis.header;
    BlockIndex entry;
    entry.hash = header.hash();
    entry.version = header.version;
    entry.merkle_root = header.merkle_root;
    entry.time = header.time;
    entry.bits = header.bits;
    entry.nonce = header.nonce;
    entry.chain_work = block_work(header.bits);
    entry.status = block_status::VALID_SCRIPTS | block_status::HAVE_DATA;
    return entry;
}

// Mines `header` (nonce up) until it meets its bits under `params`.
void mine(BlockHeader& header, const ConsensusParams& params) {
    while (!check_proof_of_work(header.hash(), header.bits, params.pow_limit)) ++header.nonce;
}

// `count` headers on `prev`, ten minutes apart; `tag` makes branches differ.
std::vector<BlockHeader> make_headers(const BlockHeader& prev, int count, std::uint32_t tag,
                                      std::uint32_t bits = REGTEST_BITS) {
    std::vector<BlockHeader> headers;
    Uint256 prev_hash = prev.hash();
    std::uint32_t time = prev.time;
    for (int i = 0; i < count; ++i) {
        BlockHeader header;
        header.version = 0x20000000;
        header.prev_block = prev_hash;
        const std::uint32_t seed[2] = {tag, static_cast<std::uint32_t>(i)};
        header.merkle_root = hash256(ByteSpan(reinterpret_cast<const std::uint8_t*>(seed), sizeof seed));
        time += 600;
        header.time = time;
        header.bits = bits;
        mine(header, regtest());
        prev_hash = header.hash();
        headers.push_back(header);
    }
    return headers;
}

// The total work of genesis and the first `height` headers (all at regtest's bits).
ArithUint256 work_at(int height) {
    ArithUint256 work = block_work(REGTEST_BITS);
    for (int i = 0; i < height; ++i) work += block_work(REGTEST_BITS);
    return work;
}

std::span<const BlockHeader> slice(const std::vector<BlockHeader>& headers, std::size_t from,
                                   std::size_t count) {
    return std::span<const BlockHeader>(headers).subspan(from, std::min(count, headers.size() - from));
}

const std::int64_t NOW = chain_params(ChainType::regtest).genesis.header.time + 100'000'000;

class HeadersSyncTest : public ::testing::Test {
protected:
    BlockIndex start_ = genesis_entry();
    std::vector<BlockHeader> chain_ = make_headers(chain_params(ChainType::regtest).genesis.header, 300, 1);
};

TEST_F(HeadersSyncTest, a_low_work_chain_never_yields_headers_to_store) {
    HeadersSyncState sync(&start_, regtest(), work_at(301), NOW, SALT, {5, 20});
    for (std::size_t from = 0; from < 250; from += 50) {
        auto result = sync.process_next_headers(slice(chain_, from, 50), true);
        EXPECT_TRUE(result.success);
        EXPECT_TRUE(result.request_more);
        EXPECT_TRUE(result.headers_to_store.empty());
        EXPECT_EQ(sync.state(), HeadersSyncPhase::presync);
    }
    EXPECT_EQ(sync.presync_height(), 250);
    EXPECT_EQ(sync.presync_work(), work_at(250));
    EXPECT_EQ(sync.commitments(), 50u) << "one per 5 headers";
    EXPECT_EQ(sync.next_headers_request_locator().front(), chain_[249].hash());

    // The chain ends (a message that is not full) short of the minimum work.
    auto last = sync.process_next_headers(slice(chain_, 250, 50), false);
    EXPECT_TRUE(last.success);
    EXPECT_FALSE(last.request_more);
    EXPECT_TRUE(last.headers_to_store.empty());
    EXPECT_EQ(sync.state(), HeadersSyncPhase::final);
    EXPECT_EQ(sync.commitments(), 0u) << "buffers freed";
    EXPECT_TRUE(sync.next_headers_request_locator().empty());
}

TEST_F(HeadersSyncTest, a_chain_reaching_the_minimum_work_yields_every_header_in_order_after_redownload) {
    HeadersSyncState sync(&start_, regtest(), work_at(230), NOW, SALT, {5, 20});
    EXPECT_EQ(sync.next_headers_request_locator(), std::vector<Uint256>{start_.hash});
    std::size_t from = 0;
    for (; sync.state() == HeadersSyncPhase::presync; from += 50) {
        ASSERT_LT(from, chain_.size());
        auto result = sync.process_next_headers(slice(chain_, from, 50), true);
        ASSERT_TRUE(result.success);
        ASSERT_TRUE(result.request_more);
        EXPECT_TRUE(result.headers_to_store.empty()) << "nothing is stored in presync";
    }
    EXPECT_EQ(from, 250u) << "the message with height 230 ends the presync";
    EXPECT_EQ(sync.state(), HeadersSyncPhase::redownload);
    EXPECT_EQ(sync.next_headers_request_locator(), std::vector<Uint256>{start_.hash})
        << "the redownload starts over from chain_start";

    std::vector<BlockHeader> stored;
    std::size_t received = 0;
    for (from = 0; sync.state() == HeadersSyncPhase::redownload; from += 50) {
        auto result = sync.process_next_headers(slice(chain_, from, 50), true);
        ASSERT_TRUE(result.success) << (result.error ? to_string(*result.error) : "");
        received += 50;
        stored.insert(stored.end(), result.headers_to_store.begin(), result.headers_to_store.end());
        if (sync.state() == HeadersSyncPhase::redownload) {
            EXPECT_TRUE(result.request_more);
            EXPECT_LE(sync.buffered(), 20u) << "the buffer stays bounded";
            EXPECT_EQ(stored.size() + sync.buffered(), received);
            EXPECT_EQ(sync.next_headers_request_locator().front(), chain_[received - 1].hash());
        } else {
            EXPECT_FALSE(result.request_more) << "done";
        }
    }
    ASSERT_EQ(stored.size(), 250u) << "every header received up to the minimum work and its message";
    for (std::size_t i = 0; i < stored.size(); ++i) EXPECT_EQ(stored[i], chain_[i]) << "height " << i + 1;
}

TEST_F(HeadersSyncTest, the_presync_can_finish_within_the_redownload_buffer) {
    // The whole chain fits in the buffer: everything is released at once at the end.
    HeadersSyncState sync(&start_, regtest(), work_at(100), NOW, SALT, {5, 1000});
    ASSERT_TRUE(sync.process_next_headers(slice(chain_, 0, 100), true).request_more);
    ASSERT_EQ(sync.state(), HeadersSyncPhase::redownload);
    auto result = sync.process_next_headers(slice(chain_, 0, 60), true);
    EXPECT_TRUE(result.headers_to_store.empty());
    result = sync.process_next_headers(slice(chain_, 60, 60), true);
    ASSERT_TRUE(result.success);
    EXPECT_FALSE(result.request_more);
    EXPECT_EQ(result.headers_to_store.size(), 120u);
    EXPECT_EQ(sync.state(), HeadersSyncPhase::final);
}

TEST_F(HeadersSyncTest, a_redownload_that_differs_from_the_presync_fails_on_a_commitment) {
    const std::vector<BlockHeader> other = make_headers(chain_params(ChainType::regtest).genesis.header, 300, 2);
    HeadersSyncState sync(&start_, regtest(), work_at(280), NOW, SALT, {2, 100});
    for (std::size_t from = 0; sync.state() == HeadersSyncPhase::presync; from += 50) {
        ASSERT_TRUE(sync.process_next_headers(slice(chain_, from, 50), true).success);
    }
    ASSERT_EQ(sync.state(), HeadersSyncPhase::redownload);
    std::size_t stored = 0;
    HeadersSyncResult result;
    for (std::size_t from = 0; sync.state() == HeadersSyncPhase::redownload; from += 50) {
        result = sync.process_next_headers(slice(other, from, 50), true);
        stored += result.headers_to_store.size();
    }
    EXPECT_FALSE(result.success);
    ASSERT_TRUE(result.error.has_value());
    EXPECT_EQ(*result.error, HeadersSyncError::commitment_mismatch);
    EXPECT_EQ(stored, 0u) << "nothing of the substituted chain was released";
    EXPECT_EQ(sync.state(), HeadersSyncPhase::final);
}

TEST_F(HeadersSyncTest, a_substituted_chain_is_caught_whatever_the_salt) {
    const std::vector<BlockHeader> other = make_headers(chain_params(ChainType::regtest).genesis.header, 300, 2);
    int caught = 0;
    for (std::uint64_t seed = 0; seed < 32; ++seed) {
        const HeadersSyncSalt salt{seed * 0x9e3779b97f4a7c15ULL, ~seed, seed};
        HeadersSyncState sync(&start_, regtest(), work_at(280), NOW, salt, {2, 100});
        for (std::size_t from = 0; sync.state() == HeadersSyncPhase::presync; from += 50) {
            ASSERT_TRUE(sync.process_next_headers(slice(chain_, from, 50), true).success);
        }
        std::size_t stored = 0;
        HeadersSyncResult result;
        for (std::size_t from = 0; sync.state() == HeadersSyncPhase::redownload; from += 50) {
            result = sync.process_next_headers(slice(other, from, 50), true);
            stored += result.headers_to_store.size();
        }
        EXPECT_EQ(stored, 0u) << "seed " << seed;
        if (result.error == HeadersSyncError::commitment_mismatch) ++caught;
    }
    EXPECT_EQ(caught, 32);
}

TEST_F(HeadersSyncTest, non_continuous_headers_fail_in_either_phase) {
    {
        HeadersSyncState sync(&start_, regtest(), work_at(200), NOW, SALT, {5, 20});
        std::vector<BlockHeader> gap(chain_.begin(), chain_.begin() + 10);
        gap.erase(gap.begin() + 5);
        auto result = sync.process_next_headers(gap, true);
        EXPECT_FALSE(result.success);
        EXPECT_EQ(result.error, HeadersSyncError::non_continuous);
        EXPECT_EQ(sync.state(), HeadersSyncPhase::final);
    }
    {
        HeadersSyncState sync(&start_, regtest(), work_at(200), NOW, SALT, {5, 20});
        auto result = sync.process_next_headers(slice(chain_, 1, 10), true);
        EXPECT_EQ(result.error, HeadersSyncError::non_continuous) << "does not link to chain_start";
    }
    {
        HeadersSyncState sync(&start_, regtest(), work_at(50), NOW, SALT, {5, 20});
        ASSERT_TRUE(sync.process_next_headers(slice(chain_, 0, 50), true).success);
        ASSERT_EQ(sync.state(), HeadersSyncPhase::redownload);
        ASSERT_TRUE(sync.process_next_headers(slice(chain_, 0, 10), true).success);
        auto result = sync.process_next_headers(slice(chain_, 20, 10), true);
        EXPECT_FALSE(result.success);
        EXPECT_EQ(result.error, HeadersSyncError::non_continuous);
        EXPECT_EQ(sync.state(), HeadersSyncPhase::final);
    }
}

TEST_F(HeadersSyncTest, a_header_without_its_proof_of_work_fails) {
    std::vector<BlockHeader> headers(chain_.begin(), chain_.begin() + 3);
    BlockHeader& bad = headers[2];
    while (check_proof_of_work(bad.hash(), bad.bits, regtest().pow_limit)) ++bad.nonce;
    HeadersSyncState sync(&start_, regtest(), work_at(200), NOW, SALT, {5, 20});
    auto result = sync.process_next_headers(headers, true);
    EXPECT_FALSE(result.success);
    EXPECT_EQ(result.error, HeadersSyncError::invalid_pow);
}

TEST_F(HeadersSyncTest, a_difficulty_change_off_a_retarget_height_fails) {
    ConsensusParams strict = regtest();
    strict.pow_allow_min_difficulty_blocks = false;
    std::vector<BlockHeader> headers(chain_.begin(), chain_.begin() + 5);
    // Height 6 doubles the difficulty: impossible before height 2016.
    auto harder = make_headers(headers.back(), 1, 9, 0x203fffff);
    headers.push_back(harder[0]);

    HeadersSyncState sync(&start_, strict, work_at(200), NOW, SALT, {5, 20});
    auto result = sync.process_next_headers(headers, true);
    EXPECT_FALSE(result.success);
    EXPECT_EQ(result.error, HeadersSyncError::invalid_difficulty);

    HeadersSyncState lenient(&start_, regtest(), work_at(200), NOW, SALT, {5, 20});
    EXPECT_TRUE(lenient.process_next_headers(headers, true).success) << "regtest allows any bits";
}

TEST_F(HeadersSyncTest, a_chain_longer_than_time_allows_fails) {
    // 10 seconds after the latest time chain_start allows: at most 6 * 10 / 5 = 12 commitments.
    const std::int64_t now = start_.time - 2 * 60 * 60 + 10;
    HeadersSyncState sync(&start_, regtest(), work_at(200), now, SALT, {5, 20});
    EXPECT_EQ(sync.max_commitments(), 12u);
    auto result = sync.process_next_headers(slice(chain_, 0, 55), true);
    EXPECT_TRUE(result.success) << "11 commitments";
    result = sync.process_next_headers(slice(chain_, 55, 10), true);
    EXPECT_FALSE(result.success);
    EXPECT_EQ(result.error, HeadersSyncError::too_many_commitments);
}

TEST_F(HeadersSyncTest, an_incomplete_redownload_gives_up_without_failing) {
    HeadersSyncState sync(&start_, regtest(), work_at(100), NOW, SALT, {5, 20});
    ASSERT_TRUE(sync.process_next_headers(slice(chain_, 0, 100), true).request_more);
    auto result = sync.process_next_headers(slice(chain_, 0, 50), false);
    EXPECT_TRUE(result.success);
    EXPECT_FALSE(result.request_more);
    EXPECT_EQ(result.headers_to_store.size(), 30u) << "what the buffer had already checked";
    EXPECT_EQ(sync.state(), HeadersSyncPhase::final);
    EXPECT_EQ(sync.process_next_headers(slice(chain_, 50, 10), true).error,
              HeadersSyncError::empty_message)
        << "a final sync takes nothing more";
}

TEST(HeadersSyncConstants, match_bitcoin_core) {
    EXPECT_EQ(HEADER_COMMITMENT_PERIOD, 624u);
    EXPECT_EQ(REDOWNLOAD_BUFFER_SIZE, 14827u);
    HeadersSyncLimits limits;
    EXPECT_EQ(limits.commitment_period, HEADER_COMMITMENT_PERIOD);
    EXPECT_EQ(limits.redownload_buffer_size, REDOWNLOAD_BUFFER_SIZE);

    // Mainnet from genesis: 6 headers a second since its time (plus 2 hours), one bit per 624.
    const ChainParams& main = chain_params(ChainType::main);
    BlockIndex genesis;
    genesis.hash = main.genesis.header.hash();
    genesis.time = main.genesis.header.time;
    genesis.bits = main.genesis.header.bits;
    genesis.chain_work = block_work(genesis.bits);
    const std::int64_t now = 1'800'000'000;
    HeadersSyncState sync(&genesis, main.consensus, ArithUint256(1) << 90, now, SALT);
    EXPECT_EQ(sync.max_commitments(),
              static_cast<std::uint64_t>(6 * (now - genesis.time + 7200) / 624));
}

TEST(HeadersSyncSalt, random_salts_differ) {
    const HeadersSyncSalt a = HeadersSyncSalt::random();
    const HeadersSyncSalt b = HeadersSyncSalt::random();
    EXPECT_FALSE(a.k0 == b.k0 && a.k1 == b.k1 && a.offset_seed == b.offset_seed);
}

}  // namespace
}  // namespace bitloom
