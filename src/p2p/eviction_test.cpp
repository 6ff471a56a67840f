// Inbound eviction, one protection rule at a time. Every test starts from the same 40
// inbound candidates, where each rule's favourite is among the oldest (id 0 is the oldest, id
// 39 the youngest) and every network group is distinct, so that without a change the
// youngest, id 39, is evicted; a test then gives young candidates a protected trait and
// checks who goes instead.
#include <gtest/gtest.h>

#include <chrono>
#include <vector>

#include "p2p/eviction.h"

namespace bitloom {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr int COUNT = 40;

std::vector<EvictionCandidate> population(int count = COUNT) {
    std::vector<EvictionCandidate> out;
    for (int i = 0; i < count; ++i) {
        EvictionCandidate c;
        c.id = i;
        c.connected = seconds(1'000'000 + i);
        c.min_ping = milliseconds(100 + i);
        c.keyed_net_group = static_cast<std::uint64_t>(1000 - i);
        c.relevant_services = true;
        c.relay_txs = true;
        out.push_back(c);
    }
    return out;
}

EvictionCandidate& at(std::vector<EvictionCandidate>& candidates, int i) {
    return candidates[static_cast<std::size_t>(i)];
}

std::optional<std::int64_t> evict(const std::vector<EvictionCandidate>& candidates) {
    return select_node_to_evict(candidates);
}

TEST(Eviction, without_protected_traits_the_youngest_is_evicted) {
    EXPECT_EQ(evict(population()), 39);
}

TEST(Eviction, noban_and_outbound_peers_are_never_evicted) {
    auto candidates = population();
    candidates[39].noban = true;
    candidates[38].inbound = false;
    EXPECT_EQ(evict(candidates), 37);
    for (auto& c : candidates) c.noban = true;
    EXPECT_EQ(evict(candidates), std::nullopt);
    EXPECT_EQ(evict({}), std::nullopt);
}

TEST(Eviction, the_four_highest_keyed_net_groups_are_protected) {
    auto candidates = population();
    for (int i = 36; i <= 39; ++i) {
        at(candidates, i).keyed_net_group = 5000u + static_cast<std::uint64_t>(i);
    }
    EXPECT_EQ(evict(candidates), 35);
    candidates[35].keyed_net_group = 9000;  // five high groups: the lowest of them, 36, goes
    EXPECT_EQ(evict(candidates), 36);
}

TEST(Eviction, the_eight_lowest_minimum_pings_are_protected) {
    auto candidates = population();
    for (int i = 32; i <= 39; ++i) at(candidates, i).min_ping = milliseconds(i - 30);
    EXPECT_EQ(evict(candidates), 31);
    candidates[31].min_ping = milliseconds(1);  // nine fast peers: the slowest of them, 39, goes
    EXPECT_EQ(evict(candidates), 39);
}

TEST(Eviction, peers_that_never_answered_a_ping_rank_last_for_ping_protection) {
    auto candidates = population();
    for (auto& c : candidates) c.min_ping = std::chrono::microseconds::max();
    for (int i = 32; i <= 39; ++i) at(candidates, i).min_ping = milliseconds(50);
    EXPECT_EQ(evict(candidates), 31);
}

TEST(Eviction, the_four_latest_transaction_senders_are_protected) {
    auto candidates = population();
    for (int i = 36; i <= 39; ++i) at(candidates, i).last_tx_time = seconds(2'000'000 + i);
    EXPECT_EQ(evict(candidates), 35);
    candidates[35].last_tx_time = seconds(2'000'100);  // five: the earliest of them, 36, goes
    EXPECT_EQ(evict(candidates), 36);
}

TEST(Eviction, up_to_eight_block_relay_only_peers_with_recent_blocks_are_protected) {
    auto candidates = population();
    for (int i = 32; i <= 39; ++i) {
        auto& c = at(candidates, i);
        c.relay_txs = false;
        c.last_block_time = seconds(2'000'000 + i);
    }
    EXPECT_EQ(evict(candidates), 31);
    // Without the relevant services they only compete for the four block-relay slots.
    for (int i = 32; i <= 39; ++i) at(candidates, i).relevant_services = false;
    EXPECT_EQ(evict(candidates), 35);
}

TEST(Eviction, the_four_latest_block_senders_are_protected) {
    auto candidates = population();
    for (int i = 36; i <= 39; ++i) at(candidates, i).last_block_time = seconds(2'000'000 + i);
    EXPECT_EQ(evict(candidates), 35);
}

TEST(Eviction, half_of_the_rest_is_protected_by_uptime) {
    // 40 - 4 (group) - 8 (ping) - 4 (tx) - 4 (block) = 20 left: ids 20..39; the 10 oldest of
    // them are protected, so 30..39 are evictable and 39 goes. Making 30..38 older than
    // everyone moves them into the protected half.
    auto candidates = population();
    for (int i = 30; i <= 38; ++i) at(candidates, i).connected = seconds(1000 + i);
    EXPECT_EQ(evict(candidates), 39);
    candidates[39].connected = seconds(10);
    EXPECT_EQ(evict(candidates), 29);
}

TEST(Eviction, disadvantaged_networks_get_up_to_a_quarter_of_the_rest) {
    auto candidates = population();
    for (int i = 35; i <= 39; ++i) at(candidates, i).network = Network::onion;
    EXPECT_EQ(evict(candidates), 34);  // 20 left: 5 protected as onion, 5 by uptime

    candidates = population();
    for (int i = 30; i <= 39; ++i) at(candidates, i).network = Network::onion;
    EXPECT_EQ(evict(candidates), 39);  // only the 5 oldest onion peers (30..34) are protected
}

TEST(Eviction, localhost_i2p_and_cjdns_peers_count_as_disadvantaged) {
    for (auto trait : {0, 1, 2}) {
        auto candidates = population();
        for (int i = 35; i <= 39; ++i) {
            auto& c = at(candidates, i);
            if (trait == 0) c.is_local = true;
            if (trait == 1) c.network = Network::i2p;
            if (trait == 2) c.network = Network::cjdns;
        }
        EXPECT_EQ(evict(candidates), 34) << trait;
    }
}

TEST(Eviction, disadvantaged_slots_are_shared_round_robin_smaller_networks_first) {
    std::vector<EvictionCandidate> candidates = population();
    // 20 left; 5 disadvantaged slots: i2p (2 peers) first gets 2, then onion (4 peers) 2, then
    // onion 1 more: 39, the youngest onion peer, stays evictable.
    candidates[34].network = Network::i2p;
    candidates[35].network = Network::i2p;
    for (int i = 36; i <= 39; ++i) at(candidates, i).network = Network::onion;
    EXPECT_EQ(evict(candidates), 39);
    std::vector<EvictionCandidate> left = candidates;
    left.erase(left.begin(), left.begin() + 20);  // as if ids 0..19 were protected already
    protect_eviction_candidates_by_ratio(left);  // 34..38 as disadvantaged, 20..24 by uptime
    std::vector<std::int64_t> ids;
    for (const auto& c : left) ids.push_back(c.id);
    EXPECT_EQ(ids, (std::vector<std::int64_t>{39, 33, 32, 31, 30, 29, 28, 27, 26, 25}));
}

TEST(Eviction, prefer_evict_narrows_the_choice_only_among_unprotected_peers) {
    auto candidates = population();
    candidates[31].prefer_evict = true;
    EXPECT_EQ(evict(candidates), 31);
    candidates[31].prefer_evict = false;
    candidates[25].prefer_evict = true;  // protected by uptime: ignored
    EXPECT_EQ(evict(candidates), 39);
}

TEST(Eviction, the_largest_network_group_loses_its_youngest_member) {
    auto candidates = population();
    for (int i : {30, 31, 32}) at(candidates, i).keyed_net_group = 500;
    EXPECT_EQ(evict(candidates), 32);
}

TEST(Eviction, equal_sized_groups_are_decided_by_their_youngest_member) {
    auto candidates = population();
    for (int i : {30, 31}) at(candidates, i).keyed_net_group = 500;
    for (int i : {33, 34}) at(candidates, i).keyed_net_group = 400;
    EXPECT_EQ(evict(candidates), 34);
}

TEST(Eviction, small_sets_are_entirely_protected) {
    EXPECT_EQ(evict(population(20)), std::nullopt);  // 4 + 8 + 4 + 4
    EXPECT_EQ(evict(population(21)), 20);            // one left: half of one protects none
    EXPECT_EQ(evict(population(29)), 28);
}

}  // namespace
}  // namespace bitloom
