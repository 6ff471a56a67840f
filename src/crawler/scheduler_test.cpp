// The crawl scheduler with a simulated clock: dialability, routes, the in-flight cap, passes,
// quick retries with backoff and the re-check schedule of node_stats.
#include <gtest/gtest.h>

#include "crawler/scheduler.h"

namespace bitloom {
namespace {

constexpr std::int64_t T0 = 1'700'000'000;

NetService ipv4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d,
                std::uint16_t port = 8333) {
    return NetService{NetAddress::ipv4({a, b, c, d}), port};
}

PeerAddress gossip(const NetService& service, std::uint32_t time = static_cast<std::uint32_t>(T0)) {
    return PeerAddress{service, services::NODE_NETWORK, time};
}

NetService onion() {
    std::array<std::uint8_t, 32> key{};
    key[0] = 7;
    auto address = NetAddress::from_bip155(4, ByteSpan(key.data(), key.size()));
    return NetService{*address, 8333};
}

AttemptOutcome ok() {
    AttemptOutcome outcome;
    outcome.success = true;
    outcome.handshake.protocol_version = 70016;
    outcome.handshake.user_agent = "/test:1/";
    return outcome;
}

AttemptOutcome failed(CrawlError error) {
    AttemptOutcome outcome;
    outcome.error = error;
    return outcome;
}

TEST(CrawlScheduler, skips_private_local_and_bogon_addresses_unless_allowed) {
    EXPECT_TRUE(is_crawlable_address(ipv4(8, 8, 8, 8), false));
    EXPECT_FALSE(is_crawlable_address(ipv4(127, 0, 0, 1), false));
    EXPECT_FALSE(is_crawlable_address(ipv4(10, 1, 2, 3), false));
    EXPECT_FALSE(is_crawlable_address(ipv4(192, 168, 1, 1), false));
    EXPECT_FALSE(is_crawlable_address(ipv4(192, 0, 2, 1), false));   // documentation
    EXPECT_FALSE(is_crawlable_address(ipv4(224, 0, 0, 1), false));   // multicast
    EXPECT_FALSE(is_crawlable_address(ipv4(8, 8, 8, 8, 0), false));  // port 0
    EXPECT_TRUE(is_crawlable_address(ipv4(127, 0, 0, 1), true));
    EXPECT_TRUE(is_crawlable_address(ipv4(10, 1, 2, 3), true));
    EXPECT_FALSE(is_crawlable_address(ipv4(0, 0, 0, 0), true));
    EXPECT_TRUE(is_crawlable_address(onion(), false));

    CrawlScheduler scheduler(SchedulerConfig{});
    EXPECT_FALSE(scheduler.learn(gossip(ipv4(10, 0, 0, 1)), T0, std::nullopt));
    EXPECT_TRUE(scheduler.learn(gossip(ipv4(1, 2, 3, 4)), T0, std::nullopt));
    EXPECT_EQ(scheduler.known(), 1u);
}

TEST(CrawlScheduler, records_onion_addresses_but_dials_them_only_through_a_proxy) {
    CrawlScheduler without(SchedulerConfig{});
    EXPECT_TRUE(without.learn(gossip(onion()), T0, std::nullopt));
    EXPECT_EQ(without.known(), 1u);
    EXPECT_FALSE(without.next(T0).has_value());
    EXPECT_TRUE(without.pass_done());

    SchedulerConfig config;
    const NetService proxy = ipv4(127, 0, 0, 1, 9050);
    config.proxies[network_index(Network::onion)] = proxy;
    CrawlScheduler with(config);
    with.learn(gossip(onion()), T0, std::nullopt);
    with.learn(gossip(ipv4(1, 2, 3, 4)), T0, std::nullopt);
    std::optional<Dial> first = with.next(T0);
    std::optional<Dial> second = with.next(T0);
    ASSERT_TRUE(first && second);
    const Dial& onion_dial = first->service == onion() ? *first : *second;
    const Dial& ip_dial = first->service == onion() ? *second : *first;
    EXPECT_EQ(onion_dial.proxy, proxy);
    EXPECT_EQ(onion_dial.timeouts.connect, std::chrono::milliseconds(30000));
    EXPECT_FALSE(ip_dial.proxy.has_value());
    EXPECT_EQ(ip_dial.timeouts.connect, std::chrono::milliseconds(5000));
}

TEST(CrawlScheduler, never_has_more_than_max_in_flight_connections) {
    SchedulerConfig config;
    config.max_in_flight = 3;
    CrawlScheduler scheduler(config);
    for (std::uint8_t i = 1; i <= 10; ++i) scheduler.learn(gossip(ipv4(1, 1, 1, i)), T0, std::nullopt);
    std::vector<Dial> dials;
    while (auto dial = scheduler.next(T0)) dials.push_back(*dial);
    EXPECT_EQ(dials.size(), 3u);
    EXPECT_EQ(scheduler.in_flight(), 3u);
    scheduler.finish(dials[0].service, T0 + 1, ok());
    EXPECT_TRUE(scheduler.next(T0 + 1).has_value());
    EXPECT_FALSE(scheduler.next(T0 + 1).has_value());
}

TEST(CrawlScheduler, a_pass_ends_once_every_due_and_learnt_node_is_tried) {
    CrawlScheduler scheduler(SchedulerConfig{});
    scheduler.learn(gossip(ipv4(1, 1, 1, 1)), T0, std::nullopt);
    EXPECT_EQ(scheduler.start_pass(T0), 1u);
    auto dial = scheduler.next(T0);
    ASSERT_TRUE(dial);
    EXPECT_FALSE(scheduler.pass_done());
    // The peer tells us about another node, which joins the pass.
    EXPECT_TRUE(scheduler.learn(gossip(ipv4(2, 2, 2, 2)), T0, ipv4(1, 1, 1, 1)));
    EXPECT_FALSE(scheduler.learn(gossip(ipv4(2, 2, 2, 2)), T0, ipv4(1, 1, 1, 1)));
    scheduler.finish(dial->service, T0 + 1, ok());
    EXPECT_EQ(scheduler.pass_remaining(), 1u);
    auto second = scheduler.next(T0 + 1);
    ASSERT_TRUE(second);
    EXPECT_EQ(second->service, ipv4(2, 2, 2, 2));
    EXPECT_EQ(scheduler.find(second->service)->source, ipv4(1, 1, 1, 1));
    scheduler.finish(second->service, T0 + 2, failed(CrawlError::refused));
    EXPECT_TRUE(scheduler.pass_done());
    EXPECT_EQ(scheduler.pass_finished(), 2u);
    EXPECT_FALSE(scheduler.next(T0 + 2).has_value());
}

TEST(CrawlScheduler, retries_transient_failures_within_a_pass_with_backoff) {
    SchedulerConfig config;
    config.max_pass_retries = 2;
    config.retry_backoff_seconds = 30;
    CrawlScheduler scheduler(config);
    const NetService node = ipv4(3, 3, 3, 3);
    scheduler.learn(gossip(node), T0, std::nullopt);
    scheduler.start_pass(T0);
    ASSERT_TRUE(scheduler.next(T0));
    scheduler.finish(node, T0, failed(CrawlError::timeout));
    EXPECT_FALSE(scheduler.pass_done());
    EXPECT_EQ(scheduler.next_due(), T0 + 30);
    EXPECT_FALSE(scheduler.next(T0 + 29).has_value());
    ASSERT_TRUE(scheduler.next(T0 + 30));
    scheduler.finish(node, T0 + 30, failed(CrawlError::reset));
    EXPECT_EQ(scheduler.next_due(), T0 + 30 + 60);
    ASSERT_TRUE(scheduler.next(T0 + 90));
    scheduler.finish(node, T0 + 90, failed(CrawlError::timeout));
    EXPECT_TRUE(scheduler.pass_done());
    EXPECT_EQ(scheduler.find(node)->attempts, 3u);
    EXPECT_EQ(scheduler.next_due(), next_attempt_time(*scheduler.find(node)));
}

TEST(CrawlScheduler, does_not_retry_a_refusal_or_a_wrong_network_within_the_pass) {
    CrawlScheduler scheduler(SchedulerConfig{});
    const NetService refusing = ipv4(4, 4, 4, 4);
    const NetService other_chain = ipv4(5, 5, 5, 5);
    scheduler.learn(gossip(refusing), T0, std::nullopt);
    scheduler.learn(gossip(other_chain), T0, std::nullopt);
    scheduler.start_pass(T0);
    scheduler.next(T0);
    scheduler.next(T0);
    scheduler.finish(refusing, T0, failed(CrawlError::refused));
    scheduler.finish(other_chain, T0, failed(CrawlError::wrong_network));
    EXPECT_TRUE(scheduler.pass_done());
    // Banned for 30 days: not due before then.
    EXPECT_GE(next_attempt_time(*scheduler.find(other_chain)), T0 + 30 * 24 * 3600);
}

TEST(CrawlScheduler, rechecks_reachable_nodes_sooner_than_dead_ones) {
    CrawlScheduler scheduler(SchedulerConfig{});
    const NetService up = ipv4(6, 6, 6, 6);
    const NetService down = ipv4(7, 7, 7, 7);
    scheduler.learn(gossip(up), T0, std::nullopt);
    scheduler.learn(gossip(down), T0, std::nullopt);
    std::int64_t now = T0;
    for (int round = 0; round < 4; ++round) {
        scheduler.start_pass(now);
        while (auto dial = scheduler.next(now)) {
            scheduler.finish(dial->service, now,
                             dial->service == up ? ok() : failed(CrawlError::refused));
        }
        now = *scheduler.next_due();
    }
    const std::int64_t up_next = next_attempt_time(*scheduler.find(up));
    const std::int64_t down_next = next_attempt_time(*scheduler.find(down));
    EXPECT_LT(up_next - scheduler.find(up)->last_try, down_next - scheduler.find(down)->last_try);
    EXPECT_GE(scheduler.find(down)->consecutive_failures, 2u);
}

TEST(CrawlScheduler, nodes_loaded_from_the_store_are_due_on_their_schedule) {
    CrawlScheduler scheduler(SchedulerConfig{});
    NodeRecord fresh = new_node_record(ipv4(8, 8, 8, 8), T0 - 10);
    NodeRecord tried = new_node_record(ipv4(9, 9, 9, 9), T0 - 100);
    record_attempt(tried, T0 - 50, ok());
    EXPECT_TRUE(scheduler.add_known(fresh));
    EXPECT_TRUE(scheduler.add_known(tried));
    EXPECT_FALSE(scheduler.add_known(tried));
    // A resumed crawl continues its pass: only the node never tried is due now.
    EXPECT_EQ(scheduler.start_pass(T0), 1u);
    auto dial = scheduler.next(T0);
    ASSERT_TRUE(dial);
    EXPECT_EQ(dial->service, fresh.service);
    EXPECT_FALSE(scheduler.next(T0).has_value());
    EXPECT_EQ(scheduler.next_due(), next_attempt_time(tried));
}

TEST(CrawlScheduler, an_abandoned_attempt_leaves_the_node_due_and_unrecorded) {
    CrawlScheduler scheduler(SchedulerConfig{});
    const NetService node = ipv4(11, 1, 1, 1);
    scheduler.learn(gossip(node), T0, std::nullopt);
    scheduler.start_pass(T0);
    ASSERT_TRUE(scheduler.next(T0));
    scheduler.abandon(node);
    EXPECT_EQ(scheduler.find(node)->attempts, 0u);
    EXPECT_FALSE(scheduler.is_in_flight(node));
    EXPECT_TRUE(scheduler.next(T0 + 1).has_value());
}

TEST(CrawlScheduler, gossip_raises_last_seen_but_never_into_the_future) {
    CrawlScheduler scheduler(SchedulerConfig{});
    const NetService node = ipv4(12, 1, 1, 1);
    scheduler.learn(gossip(node, static_cast<std::uint32_t>(T0 - 500)), T0, std::nullopt);
    EXPECT_EQ(scheduler.find(node)->last_seen, T0 - 500);
    scheduler.learn(gossip(node, static_cast<std::uint32_t>(T0 + 9999)), T0 + 10, std::nullopt);
    EXPECT_EQ(scheduler.find(node)->last_seen, T0 + 10);
}

TEST(CrawlScheduler, stops_recording_beyond_max_known) {
    SchedulerConfig config;
    config.max_known = 5;
    CrawlScheduler scheduler(config);
    for (std::uint8_t i = 1; i <= 20; ++i) scheduler.learn(gossip(ipv4(1, 1, 2, i)), T0, std::nullopt);
    EXPECT_EQ(scheduler.known(), 5u);
}

}  // namespace
}  // namespace bitloom
