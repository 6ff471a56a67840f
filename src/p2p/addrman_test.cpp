// The address manager: adding and refreshing entries, bucket placement by source group, moving
// to tried with test-before-evict, selection by network, getaddr limits, the terrible-entry
// rules, persistence with strict decoding, and a 10,000-address run.
#include <gtest/gtest.h>

#include <cmath>
#include <iostream>
#include <map>
#include <set>
#include <tuple>
#include <string>
#include <vector>

#include "crypto/hash.h"
#include "p2p/addrman.h"

namespace bitloom {
namespace {

constexpr std::int64_t NOW = 1'700'000'000;

Uint256 seed(std::uint8_t n) {
    Uint256 out;
    out[0] = n;
    out[31] = 0x5a;
    return out;
}

AddrMan make_addrman(std::uint8_t random = 1) { return AddrMan(seed(42), seed(random)); }

NetService service(std::string_view text) {
    const auto parsed = NetService::parse(text, 8333);
    EXPECT_TRUE(parsed.has_value()) << text;
    return parsed.value_or(NetService{});
}

NetAddress address(std::string_view text) { return service(text).address; }

PeerAddress peer(std::string_view text, std::int64_t time = NOW - 100) {
    return PeerAddress{service(text), services::NODE_NETWORK, static_cast<std::uint32_t>(time)};
}

bool add_one(AddrMan& addrman, std::string_view text, std::string_view source,
             std::int64_t penalty = 0) {
    const PeerAddress entry = peer(text);
    return addrman.add(std::span(&entry, 1), address(source), penalty, NOW);
}

std::string ipv4_text(unsigned a, unsigned b, unsigned c, unsigned d) {
    return std::to_string(a) + "." + std::to_string(b) + "." + std::to_string(c) + "." +
           std::to_string(d);
}

// Rewrites the trailing checksum after a deliberate edit, so decoding reaches the edited field.
void reseal(Bytes& file) {
    ASSERT_GE(file.size(), 32u);
    const ByteSpan body = ByteSpan(file).first(file.size() - 32);
    const Uint256 checksum = hash256(body);
    std::copy(checksum.begin(), checksum.end(), file.end() - 32);
}

TEST(AddrMan, AddsRoutableAddressesOnce) {
    AddrMan addrman = make_addrman();
    EXPECT_EQ(addrman.size(), 0u);
    EXPECT_TRUE(add_one(addrman, "250.1.1.1", "250.1.2.1"));
    EXPECT_EQ(addrman.size(), 1u);
    EXPECT_EQ(addrman.size(std::nullopt, true), 1u);
    EXPECT_EQ(addrman.size(Network::ipv4), 1u);
    EXPECT_EQ(addrman.size(Network::ipv6), 0u);
    EXPECT_FALSE(add_one(addrman, "250.1.1.1", "250.1.2.1"));  // same slot again
    EXPECT_EQ(addrman.size(), 1u);
    EXPECT_FALSE(add_one(addrman, "10.0.0.1", "250.1.2.1"));   // private
    EXPECT_FALSE(add_one(addrman, "127.0.0.1", "250.1.2.1"));  // local
    EXPECT_EQ(addrman.size(), 1u);
    EXPECT_TRUE(add_one(addrman, "250.1.1.1:8334", "250.1.2.1"));  // another port is another peer
    EXPECT_TRUE(add_one(addrman, "[2001:4860::1]:8333", "250.1.2.1"));
    EXPECT_EQ(addrman.size(), 3u);
    EXPECT_EQ(addrman.size(Network::ipv6, true), 1u);
    EXPECT_TRUE(addrman.check_consistency());
    const auto info = addrman.find(service("250.1.1.1"));
    ASSERT_TRUE(info.has_value());
    EXPECT_EQ(info->source, address("250.1.2.1"));
    EXPECT_EQ(info->ref_count, 1);
    EXPECT_FALSE(info->in_tried);
}

TEST(AddrMan, PenalisesGossipedTimesButNotSelfAnnouncements) {
    AddrMan addrman = make_addrman();
    EXPECT_TRUE(add_one(addrman, "250.1.1.1", "250.9.9.9", 3600));
    EXPECT_EQ(addrman.find(service("250.1.1.1"))->address.time, NOW - 100 - 3600);
    EXPECT_TRUE(add_one(addrman, "250.2.1.1", "250.2.1.1", 3600));
    EXPECT_EQ(addrman.find(service("250.2.1.1"))->address.time, NOW - 100);
}

TEST(AddrMan, RefreshesTimeAndMergesServicesOfKnownAddresses) {
    AddrMan addrman = make_addrman();
    PeerAddress entry = peer("250.1.1.1", NOW - 10 * 3600);
    addrman.add(std::span(&entry, 1), address("250.9.9.9"), 0, NOW);
    entry.time = static_cast<std::uint32_t>(NOW - 60);
    entry.services = services::NODE_WITNESS;
    addrman.add(std::span(&entry, 1), address("250.9.9.9"), 0, NOW);
    const auto info = addrman.find(service("250.1.1.1"));
    EXPECT_EQ(info->address.time, NOW - 60);
    EXPECT_EQ(info->address.services, services::NODE_NETWORK | services::NODE_WITNESS);
    addrman.set_services(service("250.1.1.1"), services::NODE_NETWORK_LIMITED);
    EXPECT_EQ(addrman.find(service("250.1.1.1"))->address.services, services::NODE_NETWORK_LIMITED);
}

TEST(AddrMan, GivesAnAddressAtMostEightNewReferences) {
    AddrMan addrman = make_addrman();
    // Fresher announcements from many source groups win extra references with falling odds.
    for (unsigned i = 0; i < 2000; ++i) {
        PeerAddress entry = peer("250.1.1.1", NOW - 200000 + i * 60);
        addrman.add(std::span(&entry, 1), address(ipv4_text(1 + i % 200, i / 200 + 1, 1, 1)), 0,
                    NOW);
    }
    const auto info = addrman.find(service("250.1.1.1"));
    ASSERT_TRUE(info.has_value());
    EXPECT_GT(info->ref_count, 1);
    EXPECT_LE(info->ref_count, addrman::NEW_BUCKETS_PER_ADDRESS);
    EXPECT_EQ(addrman.new_buckets_of(service("250.1.1.1")).size(),
              static_cast<std::size_t>(info->ref_count));
    EXPECT_EQ(addrman.size(), 1u);
    EXPECT_TRUE(addrman.check_consistency());
}

TEST(AddrManBuckets, PlacesOneSourceGroupInAtMost64NewBuckets) {
    const AddrMan addrman = make_addrman();
    const NetAddress source = address("251.4.1.1");
    // The same address from the same source always lands in the same bucket, whatever its port.
    EXPECT_EQ(addrman.new_bucket(service("250.1.1.1:8333"), source),
              addrman.new_bucket(service("250.1.1.1:9999"), source));
    std::set<int> same_source;
    for (unsigned j = 0; j < 4 * 255; ++j) {
        same_source.insert(
            addrman.new_bucket(service(ipv4_text(250 + j / 255, j % 256, 1, 1)), source));
    }
    EXPECT_LE(same_source.size(), static_cast<std::size_t>(addrman::NEW_BUCKETS_PER_SOURCE_GROUP));
    EXPECT_GT(same_source.size(), 32u);
    std::set<int> many_sources;
    for (unsigned j = 0; j < 4 * 255; ++j) {
        many_sources.insert(addrman.new_bucket(service("250.1.1.1"),
                                               address(ipv4_text(250 + j / 255, j % 256, 1, 1))));
    }
    EXPECT_GT(many_sources.size(), static_cast<std::size_t>(addrman::NEW_BUCKETS_PER_SOURCE_GROUP));
    // Addresses in one group from one source share a bucket set; those of a /16 share few.
    std::set<int> one_group;
    for (unsigned j = 0; j < 255; ++j) {
        one_group.insert(addrman.new_bucket(service(ipv4_text(250, 1, 1, j)), source));
    }
    EXPECT_EQ(one_group.size(), 1u);
}

TEST(AddrManBuckets, MatchCoreBucketsForCoreTestKeys) {
    // Core's addrman tests key with SHA256d of the 4-byte integer 1 and expect these buckets.
    const std::uint8_t one[] = {1, 0, 0, 0};
    const AddrMan core_key(hash256(one), seed(1));
    EXPECT_EQ(core_key.tried_bucket(service("250.1.1.1:8333")), 40);
    EXPECT_EQ(core_key.new_bucket(service("250.1.2.1:8333"), address("250.1.2.1")), 786);
    // Core's deterministic manager (key 01 00 .. 00) finds tried collisions between these
    // port-0 services.
    Uint256 deterministic;
    deterministic[0] = 1;
    const AddrMan core_deterministic(deterministic, seed(1));
    const auto slot = [&](std::string_view text) {
        const NetService port_zero{address(text), 0};
        const int bucket = core_deterministic.tried_bucket(port_zero);
        return std::make_pair(bucket, core_deterministic.bucket_position(port_zero, false, bucket));
    };
    EXPECT_EQ(slot("250.1.1.36"), slot("250.1.1.19"));
    EXPECT_EQ(slot("250.1.1.59"), slot("250.1.1.10"));
    std::set<std::pair<int, int>> first_35;
    for (unsigned i = 1; i < 36; ++i) first_35.insert(slot(ipv4_text(250, 1, 1, i)));
    EXPECT_EQ(first_35.size(), 35u);
}

TEST(AddrManBuckets, PlacesOneSlash16InEightTriedBuckets) {
    const AddrMan addrman = make_addrman();
    std::set<int> same_group;
    for (unsigned j = 0; j < 255; ++j)
        same_group.insert(addrman.tried_bucket(service(ipv4_text(250, 1, 1, j))));
    EXPECT_EQ(same_group.size(), static_cast<std::size_t>(addrman::TRIED_BUCKETS_PER_GROUP));
    std::set<int> many_groups;
    for (unsigned j = 0; j < 255; ++j)
        many_groups.insert(addrman.tried_bucket(service(ipv4_text(250, j, j, j))));
    EXPECT_GT(many_groups.size(), static_cast<std::size_t>(addrman::TRIED_BUCKETS_PER_GROUP));
    // Positions depend on the table, the bucket and the service, and stay within a bucket.
    const int position = addrman.bucket_position(service("250.1.1.1"), true, 5);
    EXPECT_GE(position, 0);
    EXPECT_LT(position, addrman::BUCKET_SIZE);
    EXPECT_EQ(position, addrman.bucket_position(service("250.1.1.1"), true, 5));
    // Another key places the same address elsewhere.
    const AddrMan other(seed(43), seed(1));
    std::size_t moved = 0;
    for (unsigned j = 0; j < 50; ++j) {
        moved += addrman.tried_bucket(service(ipv4_text(250, j, 1, 1))) !=
                 other.tried_bucket(service(ipv4_text(250, j, 1, 1)));
    }
    EXPECT_GT(moved, 40u);
}

TEST(AddrManBuckets, SpreadsManyAddressesFromOneSourceOverFewBuckets) {
    AddrMan addrman = make_addrman();
    for (unsigned j = 0; j < 2000; ++j)
        add_one(addrman, ipv4_text(1 + j % 250, j / 250, 1, 1), "250.7.7.7");
    std::set<int> used;
    for (unsigned j = 0; j < 2000; ++j) {
        for (int bucket : addrman.new_buckets_of(service(ipv4_text(1 + j % 250, j / 250, 1, 1))))
            used.insert(bucket);
    }
    EXPECT_LE(used.size(), static_cast<std::size_t>(addrman::NEW_BUCKETS_PER_SOURCE_GROUP));
    // 64 buckets of 64 slots cap what one source group can place.
    EXPECT_LE(addrman.size(), static_cast<std::size_t>(addrman::NEW_BUCKETS_PER_SOURCE_GROUP *
                                                       addrman::BUCKET_SIZE));
    EXPECT_TRUE(addrman.check_consistency());
}

TEST(AddrMan, GoodMovesAnEntryToTried) {
    AddrMan addrman = make_addrman();
    add_one(addrman, "250.1.1.1", "250.9.9.9");
    addrman.attempt(service("250.1.1.1"), true, NOW - 50);
    EXPECT_EQ(addrman.find(service("250.1.1.1"))->attempts, 1);
    EXPECT_FALSE(addrman.good(service("250.3.3.3"), NOW));  // unknown
    EXPECT_TRUE(addrman.good(service("250.1.1.1"), NOW));
    const auto info = addrman.find(service("250.1.1.1"));
    EXPECT_TRUE(info->in_tried);
    EXPECT_EQ(info->ref_count, 0);
    EXPECT_EQ(info->attempts, 0);
    EXPECT_EQ(info->last_success, NOW);
    EXPECT_EQ(info->last_try, NOW);
    EXPECT_EQ(addrman.size(std::nullopt, false), 1u);
    EXPECT_EQ(addrman.size(std::nullopt, true), 0u);
    EXPECT_EQ(addrman.size(Network::ipv4, false), 1u);
    EXPECT_FALSE(addrman.good(service("250.1.1.1"), NOW + 1));  // already tried
    EXPECT_FALSE(add_one(addrman, "250.1.1.1", "250.8.8.8"));   // tried entries take no new slot
    EXPECT_TRUE(addrman.check_consistency());
}

TEST(AddrMan, CountsOneFailurePerSuccessSeenAnywhere) {
    AddrMan addrman = make_addrman();
    add_one(addrman, "250.1.1.1", "250.9.9.9");
    add_one(addrman, "250.2.1.1", "250.9.9.9");
    addrman.attempt(service("250.1.1.1"), true, NOW);
    addrman.attempt(service("250.1.1.1"), true, NOW + 10);
    EXPECT_EQ(addrman.find(service("250.1.1.1"))->attempts, 1);
    EXPECT_EQ(addrman.find(service("250.1.1.1"))->last_try, NOW + 10);
    addrman.good(service("250.2.1.1"), NOW + 20);
    addrman.attempt(service("250.1.1.1"), true, NOW + 30);
    EXPECT_EQ(addrman.find(service("250.1.1.1"))->attempts, 2);
    addrman.attempt(service("250.1.1.1"), false, NOW + 40);
    EXPECT_EQ(addrman.find(service("250.1.1.1"))->attempts, 2);
}

TEST(AddrMan, ConnectedRefreshesTimeAfterTwentyMinutes) {
    AddrMan addrman = make_addrman();
    add_one(addrman, "250.1.1.1", "250.1.1.1");
    addrman.connected(service("250.1.1.1"), NOW);  // 100 s old: unchanged
    EXPECT_EQ(addrman.find(service("250.1.1.1"))->address.time, NOW - 100);
    addrman.connected(service("250.1.1.1"), NOW + 3600);
    EXPECT_EQ(addrman.find(service("250.1.1.1"))->address.time, NOW + 3600);
}

// Two services of one /16 that share a tried slot (found by search, as the key decides).
std::pair<std::string, std::string> tried_collision(const AddrMan& addrman) {
    std::map<std::pair<int, int>, std::string> seen;
    for (unsigned j = 1; j < 255; ++j) {
        for (unsigned k = 1; k < 255; ++k) {
            const std::string text = ipv4_text(250, 1, j, k);
            const int bucket = addrman.tried_bucket(service(text));
            const auto slot =
                std::make_pair(bucket, addrman.bucket_position(service(text), false, bucket));
            const auto [it, inserted] = seen.emplace(slot, text);
            if (!inserted) return {it->second, text};
        }
    }
    ADD_FAILURE() << "no tried collision found";
    return {};
}

struct CollisionSetup {
    AddrMan addrman = make_addrman();
    std::string old_text;
    std::string new_text;
    CollisionSetup() {
        std::tie(old_text, new_text) = tried_collision(addrman);
        add_one(addrman, old_text, "250.9.9.9");
        add_one(addrman, new_text, "250.9.9.9");
        // The old entry last worked long ago; the new one works now.
        EXPECT_TRUE(addrman.good(service(old_text), NOW - 10 * 3600));
        EXPECT_FALSE(addrman.good(service(new_text), NOW));
    }
};

TEST(AddrManCollisions, QueueTheNewEntryAndOfferTheOldOneForTesting) {
    CollisionSetup setup;
    AddrMan& addrman = setup.addrman;
    EXPECT_EQ(addrman.collision_count(), 1u);
    EXPECT_FALSE(addrman.find(service(setup.new_text))->in_tried);
    EXPECT_EQ(addrman.find(service(setup.new_text))->last_success, NOW);
    const auto selected = addrman.select_tried_collision();
    ASSERT_TRUE(selected.has_value());
    EXPECT_EQ(selected->address.service, service(setup.old_text));
    EXPECT_TRUE(addrman.check_consistency());
}

TEST(AddrManCollisions, KeepTheOldEntryWhenItJustWorked) {
    CollisionSetup setup;
    AddrMan& addrman = setup.addrman;
    addrman.good(service(setup.old_text), NOW + 100);
    addrman.resolve_collisions(NOW + 200);
    EXPECT_EQ(addrman.collision_count(), 0u);
    EXPECT_TRUE(addrman.find(service(setup.old_text))->in_tried);
    EXPECT_FALSE(addrman.find(service(setup.new_text))->in_tried);
    EXPECT_EQ(addrman.size(std::nullopt, false), 1u);
}

TEST(AddrManCollisions, EvictTheOldEntryWhenItsTestFailed) {
    CollisionSetup setup;
    AddrMan& addrman = setup.addrman;
    const std::int64_t later = NOW + addrman::REPLACEMENT + 100;
    addrman.attempt(service(setup.old_text), true, later);
    addrman.resolve_collisions(later + 30);  // the attempt gets a minute to succeed
    EXPECT_EQ(addrman.collision_count(), 1u);
    addrman.resolve_collisions(later + 61);
    EXPECT_EQ(addrman.collision_count(), 0u);
    EXPECT_TRUE(addrman.find(service(setup.new_text))->in_tried);
    const auto old = addrman.find(service(setup.old_text));
    ASSERT_TRUE(old.has_value());  // back in the new table
    EXPECT_FALSE(old->in_tried);
    EXPECT_EQ(old->ref_count, 1);
    EXPECT_EQ(addrman.size(std::nullopt, false), 1u);
    EXPECT_EQ(addrman.size(std::nullopt, true), 1u);
    EXPECT_TRUE(addrman.check_consistency());
}

TEST(AddrManCollisions, EvictTheOldEntryWhenNobodyTestedItInTime) {
    CollisionSetup setup;
    AddrMan& addrman = setup.addrman;
    addrman.resolve_collisions(NOW + addrman::TEST_WINDOW);  // within the test window: waiting
    EXPECT_EQ(addrman.collision_count(), 1u);
    addrman.resolve_collisions(NOW + addrman::TEST_WINDOW + 1);
    EXPECT_EQ(addrman.collision_count(), 0u);
    EXPECT_TRUE(addrman.find(service(setup.new_text))->in_tried);
    EXPECT_FALSE(addrman.find(service(setup.old_text))->in_tried);
    EXPECT_TRUE(addrman.check_consistency());
}

TEST(AddrManCollisions, EvictAtOnceWithoutTestBeforeEvict) {
    AddrMan addrman = make_addrman();
    const auto [old_text, new_text] = tried_collision(addrman);
    add_one(addrman, old_text, "250.9.9.9");
    add_one(addrman, new_text, "250.9.9.9");
    EXPECT_TRUE(addrman.good(service(old_text), NOW));
    EXPECT_TRUE(addrman.good(service(new_text), NOW, false));
    EXPECT_EQ(addrman.collision_count(), 0u);
    EXPECT_TRUE(addrman.find(service(new_text))->in_tried);
    EXPECT_FALSE(addrman.find(service(old_text))->in_tried);
    EXPECT_TRUE(addrman.check_consistency());
}

TEST(AddrManSelect, ReturnsNothingFromAnEmptyTable) {
    AddrMan addrman = make_addrman();
    EXPECT_FALSE(addrman.select(false, {}, NOW).has_value());
    EXPECT_FALSE(addrman.select(true, {}, NOW).has_value());
}

TEST(AddrManSelect, ReturnsOnlyRequestedNetworksAndTables) {
    AddrMan addrman = make_addrman();
    add_one(addrman, "250.1.1.1", "250.9.9.9");
    add_one(addrman, "[2001:4860::1]", "250.9.9.9");
    add_one(addrman, "pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion", "250.9.9.9");
    add_one(addrman, "udhdrtrcetjm5sxzskjyr5ztpeszydbh4dpl3pl4utgqqw2v4jna.b32.i2p", "250.9.9.9");
    EXPECT_EQ(addrman.size(Network::onion), 1u);
    std::set<Network> seen;
    for (int i = 0; i < 200; ++i) {
        const auto any = addrman.select(false, {}, NOW);
        ASSERT_TRUE(any.has_value());
        seen.insert(any->address.service.address.network());
        const Network onion_only[] = {Network::onion};
        const auto onion = addrman.select(false, onion_only, NOW);
        ASSERT_TRUE(onion.has_value());
        EXPECT_TRUE(onion->address.service.address.is_tor());
        const Network i2p_or_ipv6[] = {Network::i2p, Network::ipv6};
        const auto pick = addrman.select(true, i2p_or_ipv6, NOW);
        ASSERT_TRUE(pick.has_value());
        EXPECT_TRUE(pick->address.service.address.is_i2p() ||
                    pick->address.service.address.is_ipv6());
    }
    EXPECT_EQ(seen.size(), 4u);
    const Network cjdns_only[] = {Network::cjdns};
    EXPECT_FALSE(addrman.select(false, cjdns_only, NOW).has_value());

    addrman.good(service("250.1.1.1"), NOW);
    const Network ipv4_only[] = {Network::ipv4};
    EXPECT_FALSE(addrman.select(true, ipv4_only, NOW).has_value());  // only in tried now
    const auto tried = addrman.select(false, ipv4_only, NOW);
    ASSERT_TRUE(tried.has_value());
    EXPECT_EQ(tried->address.service, service("250.1.1.1"));
    EXPECT_EQ(tried->last_try, NOW);
}

TEST(AddrManSelect, FavoursEntriesWithFewerFailures) {
    AddrMan addrman = make_addrman();
    add_one(addrman, "250.1.1.1", "250.9.9.9");
    add_one(addrman, "250.2.1.1", "250.8.8.8");
    for (int i = 0; i < 8; ++i) {
        addrman.attempt(service("250.2.1.1"), true, NOW - 7200 + 2 * i);
        addrman.good(service("250.77.1.1"), NOW - 7200 + 2 * i + 1);  // moves the failure window on
    }
    EXPECT_EQ(addrman.find(service("250.2.1.1"))->attempts, 8);
    int failing = 0;
    for (int i = 0; i < 1000; ++i)
        failing += addrman.select(false, {}, NOW)->address.service == service("250.2.1.1");
    EXPECT_LT(failing, 200);  // weight 0.66^8 ~ 3.6% against 1 (the chance factor grows per round)
    EXPECT_GT(failing, 0);
}

TEST(AddressInfoRules, ChanceFallsWithRecentTriesAndFailures) {
    AddressInfo info;
    EXPECT_DOUBLE_EQ(info.chance(NOW), 1.0);
    info.last_try = NOW - 60;
    EXPECT_DOUBLE_EQ(info.chance(NOW), 0.01);
    info.last_try = NOW - 3600;
    info.attempts = 2;
    EXPECT_DOUBLE_EQ(info.chance(NOW), 0.66 * 0.66);
    info.attempts = 20;
    EXPECT_DOUBLE_EQ(info.chance(NOW), std::pow(0.66, 8));
}

TEST(AddressInfoRules, IsTerribleFollowsCore) {
    AddressInfo info;
    info.address.time = static_cast<std::uint32_t>(NOW - 100);
    EXPECT_FALSE(info.is_terrible(NOW));
    info.address.time = static_cast<std::uint32_t>(NOW + 11 * 60);  // from the future
    EXPECT_TRUE(info.is_terrible(NOW));
    info.last_try = NOW - 30;  // tried within the last minute: never terrible
    EXPECT_FALSE(info.is_terrible(NOW));
    info.last_try = 0;
    info.address.time = static_cast<std::uint32_t>(NOW - addrman::HORIZON - 1);  // too old
    EXPECT_TRUE(info.is_terrible(NOW));
    info.address.time = static_cast<std::uint32_t>(NOW - 100);
    info.attempts = addrman::RETRIES;  // never succeeded
    EXPECT_TRUE(info.is_terrible(NOW));
    info.last_success = NOW - 3600;
    EXPECT_FALSE(info.is_terrible(NOW));
    info.attempts = addrman::MAX_FAILURES;  // many failures, but a success this week
    EXPECT_FALSE(info.is_terrible(NOW));
    info.last_success = NOW - addrman::MIN_FAIL - 1;
    EXPECT_TRUE(info.is_terrible(NOW));
}

TEST(AddrManGetAddr, HonoursTheCountAndPercentLimits) {
    AddrMan addrman = make_addrman();
    EXPECT_TRUE(
        addrman
            .get_addr(addrman::MAX_ADDR_TO_SEND, addrman::MAX_PCT_ADDR_TO_SEND, std::nullopt, NOW)
            .empty());
    for (unsigned j = 0; j < 2000; ++j)
        add_one(addrman, ipv4_text(1 + j % 200, j / 200, 1, 1), ipv4_text(2 + j % 97, 1, 1, 1));
    const std::size_t total = addrman.size();
    EXPECT_GT(total, 1800u);
    const auto answer = addrman.get_addr(addrman::MAX_ADDR_TO_SEND, addrman::MAX_PCT_ADDR_TO_SEND,
                                         std::nullopt, NOW);
    EXPECT_EQ(answer.size(), total * 23 / 100);
    std::set<NetService> distinct;
    for (const auto& entry : answer) distinct.insert(entry.service);
    EXPECT_EQ(distinct.size(), answer.size());
    EXPECT_EQ(addrman.get_addr(100, 0, std::nullopt, NOW).size(), 100u);
    EXPECT_EQ(addrman.get_addr(0, 0, std::nullopt, NOW).size(), total);
    for (unsigned j = 0; j < 6000; ++j) {
        add_one(addrman, ipv4_text(1 + j % 220, 10 + j / 220, 2, 2),
                ipv4_text(3 + j % 101, 2, 2, 2));
    }
    EXPECT_EQ(
        addrman
            .get_addr(addrman::MAX_ADDR_TO_SEND, addrman::MAX_PCT_ADDR_TO_SEND, std::nullopt, NOW)
            .size(),
        addrman::MAX_ADDR_TO_SEND);
    EXPECT_TRUE(addrman.check_consistency());
}

TEST(AddrManGetAddr, FiltersByNetworkClassAndQuality) {
    AddrMan addrman = make_addrman();
    add_one(addrman, "250.1.1.1", "250.9.9.9");
    add_one(addrman, "[2001:4860::1]", "250.9.9.9");
    add_one(addrman, "[2002:102:304::1]", "250.9.9.9");  // 6to4: IPv4 class
    PeerAddress stale = peer("250.5.1.1", NOW - addrman::HORIZON - 10);
    addrman.add(std::span(&stale, 1), address("250.9.9.9"), 0, NOW);
    EXPECT_EQ(addrman.size(), 4u);
    EXPECT_EQ(addrman.get_addr(0, 0, std::nullopt, NOW).size(), 3u);
    EXPECT_EQ(addrman.get_addr(0, 0, std::nullopt, NOW, false).size(), 4u);
    EXPECT_EQ(addrman.get_addr(0, 0, Network::ipv4, NOW).size(), 2u);
    const auto ipv6 = addrman.get_addr(0, 0, Network::ipv6, NOW);
    ASSERT_EQ(ipv6.size(), 1u);
    EXPECT_EQ(ipv6[0].service, service("[2001:4860::1]"));
    EXPECT_TRUE(addrman.get_addr(0, 0, Network::onion, NOW).empty());
}

AddrMan populated(std::size_t count, std::uint8_t random) {
    AddrMan addrman = make_addrman(random);
    FastRandom rng(seed(random));
    for (std::size_t i = 0; i < count; ++i) {
        const std::string text = ipv4_text(1 + static_cast<unsigned>(rng.randrange(220)),
                                           static_cast<unsigned>(rng.randrange(256)),
                                           static_cast<unsigned>(rng.randrange(256)),
                                           1 + static_cast<unsigned>(rng.randrange(254)));
        const std::string source = ipv4_text(1 + static_cast<unsigned>(rng.randrange(220)),
                                             static_cast<unsigned>(rng.randrange(256)), 1, 1);
        add_one(addrman, text, source, static_cast<std::int64_t>(rng.randrange(7200)));
        if (rng.randrange(10) == 0) addrman.good(service(text), NOW + static_cast<std::int64_t>(i));
        if (rng.randrange(7) == 0)
            addrman.attempt(service(text), true, NOW + static_cast<std::int64_t>(i));
    }
    add_one(addrman, "pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion", "250.9.9.9");
    add_one(addrman, "[2001:4860::1]", "[2001:4860::2]");
    return addrman;
}

TEST(AddrManPersistence, RoundTripsEveryEntry) {
    AddrMan original = populated(500, 3);
    ASSERT_GT(original.size(std::nullopt, false), 0u);
    const Bytes file = original.serialize();
    auto decoded = AddrMan::deserialize(file, seed(9));
    ASSERT_TRUE(decoded.has_value()) << to_string(decoded.error());
    EXPECT_TRUE(decoded->check_consistency());
    EXPECT_EQ(decoded->size(), original.size());
    EXPECT_EQ(decoded->size(std::nullopt, false), original.size(std::nullopt, false));
    EXPECT_EQ(decoded->size(Network::onion), 1u);
    EXPECT_EQ(decoded->serialize(), file);
    for (const auto& entry : original.get_addr(0, 0, std::nullopt, NOW, false)) {
        const auto before = original.find(entry.service);
        const auto after = decoded->find(entry.service);
        ASSERT_TRUE(after.has_value());
        EXPECT_EQ(after->address, before->address);
        EXPECT_EQ(after->source, before->source);
        EXPECT_EQ(after->attempts, before->attempts);
        EXPECT_EQ(after->last_try, before->last_try);
        EXPECT_EQ(after->last_success, before->last_success);
        EXPECT_EQ(after->in_tried, before->in_tried);
        EXPECT_EQ(decoded->new_buckets_of(entry.service), original.new_buckets_of(entry.service));
    }
    const auto empty = AddrMan::deserialize(make_addrman().serialize(), seed(1));
    ASSERT_TRUE(empty.has_value());
    EXPECT_EQ(empty->size(), 0u);
}

TEST(AddrManPersistence, RejectsDamagedFiles) {
    const Bytes file = populated(200, 4).serialize();
    std::size_t cases = 0;
    for (std::size_t i = 0; i < file.size(); i += 7) {
        Bytes damaged = file;
        damaged[i] ^= 0x10;
        EXPECT_FALSE(AddrMan::deserialize(damaged, seed(1)).has_value()) << "byte " << i;
        ++cases;
    }
    for (std::size_t length = 0; length < file.size(); length += 13) {
        EXPECT_FALSE(AddrMan::deserialize(ByteSpan(file).first(length), seed(1)).has_value())
            << length;
        ++cases;
    }
    std::cout << "[cases] damaged addrman files: " << cases << "\n";
    EXPECT_GT(cases, 0u);
    Bytes wrong_magic = file;
    wrong_magic[0] = 'x';
    EXPECT_EQ(AddrMan::deserialize(wrong_magic, seed(1)).error(), AddrManError::bad_magic);
    Bytes wrong_version = file;
    wrong_version[4] = 2;
    EXPECT_EQ(AddrMan::deserialize(wrong_version, seed(1)).error(),
              AddrManError::unsupported_version);
    Bytes flipped = file;
    flipped[60] ^= 1;
    EXPECT_EQ(AddrMan::deserialize(flipped, seed(1)).error(), AddrManError::bad_checksum);
}

TEST(AddrManPersistence, RejectsWellSealedButInconsistentFiles) {
    AddrMan addrman = make_addrman();
    add_one(addrman, "250.1.1.1", "250.9.9.9");
    const Bytes file = addrman.serialize();
    // header: magic(4) version(1) key(32) new_count(4) tried_count(4) = 45 bytes, then
    // entry: net(1+4) port(2) services(8) time(4) source(1+4) last_try(8) last_success(8)
    //        attempts(4) ref_count(1) bucket(2)
    constexpr std::size_t ENTRY = 45;
    constexpr std::size_t REF_COUNT = ENTRY + 5 + 2 + 8 + 4 + 5 + 8 + 8 + 4;
    ASSERT_EQ(file.size(), REF_COUNT + 1 + 2 + 32);
    auto expect_error = [&](Bytes edited, AddrManError error) {
        reseal(edited);
        const auto decoded = AddrMan::deserialize(edited, seed(1));
        ASSERT_FALSE(decoded.has_value());
        EXPECT_EQ(decoded.error(), error) << to_string(decoded.error());
    };
    Bytes huge_count = file;
    huge_count[37 + 3] = 0x7f;
    expect_error(huge_count, AddrManError::too_many_entries);
    Bytes more_entries = file;
    more_entries[37] = 2;
    expect_error(more_entries, AddrManError::truncated);
    Bytes unknown_network = file;
    unknown_network[ENTRY] = 3;
    expect_error(unknown_network, AddrManError::invalid_entry);
    Bytes private_address = file;
    private_address[ENTRY + 1] = 10;
    expect_error(private_address, AddrManError::invalid_entry);
    Bytes no_refs = file;
    no_refs[REF_COUNT] = 0;
    expect_error(no_refs, AddrManError::invalid_entry);
    Bytes too_many_refs = file;
    too_many_refs[REF_COUNT] = 9;
    expect_error(too_many_refs, AddrManError::invalid_entry);
    Bytes bucket_out_of_range = file;
    bucket_out_of_range[REF_COUNT + 2] = 0x04;  // bucket >= 1024
    expect_error(bucket_out_of_range, AddrManError::invalid_entry);
    Bytes negative_attempts = file;
    negative_attempts[REF_COUNT - 1] = 0x80;
    expect_error(negative_attempts, AddrManError::invalid_entry);
    Bytes trailing = file;
    trailing.insert(trailing.end() - 32, 0);
    expect_error(trailing, AddrManError::trailing_data);
    // The same entry twice.
    Bytes duplicated(file.begin(), file.begin() + REF_COUNT + 3);
    duplicated.insert(duplicated.end(), file.begin() + ENTRY, file.begin() + REF_COUNT + 3);
    duplicated.insert(duplicated.end(), 32, 0);
    duplicated[37] = 2;
    expect_error(duplicated, AddrManError::duplicate_entry);
}

TEST(AddrManPersistence, SurvivesRandomEditsWithAValidChecksum) {
    const Bytes file = populated(100, 7).serialize();
    FastRandom rng(seed(8));
    std::size_t accepted = 0;
    std::size_t cases = 0;
    for (int i = 0; i < 3000; ++i) {
        Bytes edited = file;
        const std::size_t edits = 1 + rng.randrange(4);
        for (std::size_t e = 0; e < edits; ++e) {
            edited[5 + 32 + rng.randrange(edited.size() - 5 - 32 - 32)] =
                static_cast<std::uint8_t>(rng.randbits(8));
        }
        if (rng.randrange(4) == 0) edited.resize(45 + 32 + rng.randrange(edited.size() - 45 - 32));
        reseal(edited);
        const auto decoded = AddrMan::deserialize(edited, seed(1));
        if (decoded) {
            EXPECT_TRUE(decoded->check_consistency());
            ++accepted;
        }
        ++cases;
    }
    std::cout << "[cases] resealed random edits: " << cases
              << ", accepted as consistent: " << accepted << "\n";
    EXPECT_GT(cases, 0u);
}

TEST(AddrManStress, HandlesTenThousandAddresses) {
    AddrMan addrman = populated(10'000, 5);
    EXPECT_TRUE(addrman.check_consistency());
    const std::size_t total = addrman.size();
    EXPECT_GT(total, 9000u);
    EXPECT_GT(addrman.size(std::nullopt, false), 500u);
    EXPECT_EQ(
        addrman.size(Network::ipv4) + addrman.size(Network::ipv6) + addrman.size(Network::onion),
        total);
    std::cout << "[stress] entries: " << total << " (new " << addrman.size(std::nullopt, true)
              << ", tried " << addrman.size(std::nullopt, false)
              << "), collisions queued: " << addrman.collision_count() << "\n";
    for (int i = 0; i < 1000; ++i) {
        const auto picked = addrman.select(i % 2 == 0, {}, NOW + 20000);
        ASSERT_TRUE(picked.has_value());
        addrman.attempt(picked->address.service, true, NOW + 20000 + i);
        if (i % 3 == 0) addrman.good(picked->address.service, NOW + 20000 + i);
    }
    addrman.resolve_collisions(NOW + 30000);
    EXPECT_TRUE(addrman.check_consistency());
    EXPECT_EQ(addrman
                  .get_addr(addrman::MAX_ADDR_TO_SEND, addrman::MAX_PCT_ADDR_TO_SEND, std::nullopt,
                            NOW + 20000)
                  .size(),
              std::min<std::size_t>(addrman::MAX_ADDR_TO_SEND, addrman.size() * 23 / 100));
    const auto decoded = AddrMan::deserialize(addrman.serialize(), seed(6));
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(decoded->size(), addrman.size());
    EXPECT_TRUE(decoded->check_consistency());
}

}  // namespace
}  // namespace bitloom
