// Node records: the decaying reliability windows, the seeder's good criteria, ignore and ban
// times, and the re-check schedule.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "crawler/node_stats.h"

namespace bitloom {
namespace {

constexpr std::int64_t T0 = 1'700'000'000;

NetService public_service(std::uint16_t port = 8333) {
    return NetService{NetAddress::ipv4({8, 8, 4, 4}), port};
}

AttemptOutcome success(std::int32_t height = 900'000) {
    AttemptOutcome outcome;
    outcome.success = true;
    outcome.handshake.protocol_version = 70016;
    outcome.handshake.services = services::NODE_NETWORK | services::NODE_WITNESS;
    outcome.handshake.user_agent = "/Satoshi:27.0.0/";
    outcome.handshake.start_height = height;
    outcome.handshake.relay = true;
    outcome.handshake.ping_ms = 42;
    return outcome;
}

AttemptOutcome failure(CrawlError error = CrawlError::timeout) {
    AttemptOutcome outcome;
    outcome.error = error;
    return outcome;
}

// A record tried `n` times, `interval` seconds apart, all with `outcome`.
NodeRecord tried(std::size_t n, const AttemptOutcome& outcome, std::int64_t interval = 1000) {
    NodeRecord record = new_node_record(public_service(), T0);
    for (std::size_t i = 0; i < n; ++i) {
        record_attempt(record, T0 + static_cast<std::int64_t>(i) * interval, outcome);
    }
    return record;
}

TEST(ReliabilityWindow, follows_the_decay_rule_on_each_update) {
    ReliabilityWindow w;
    w.update(true, 3600, 7200);
    const double f = std::exp(-0.5);
    EXPECT_DOUBLE_EQ(w.reliability, 1 - f);
    EXPECT_DOUBLE_EQ(w.weight, 1 - f);
    EXPECT_DOUBLE_EQ(w.count, 1);
    w.update(false, 7200, 7200);
    const double g = std::exp(-1.0);
    EXPECT_DOUBLE_EQ(w.reliability, (1 - f) * g);
    EXPECT_DOUBLE_EQ(w.weight, (1 - f) * g + (1 - g));
    EXPECT_DOUBLE_EQ(w.count, g + 1);
}

TEST(ReliabilityWindow, treats_a_negative_age_as_zero) {
    ReliabilityWindow w;
    w.update(true, -50, 7200);
    EXPECT_DOUBLE_EQ(w.reliability, 0);
    EXPECT_DOUBLE_EQ(w.weight, 0);
    EXPECT_DOUBLE_EQ(w.count, 1);
}

TEST(ReliabilityWindow, approaches_full_reliability_for_a_node_always_up) {
    ReliabilityWindow w;
    for (int i = 0; i < 200; ++i) w.update(true, 1000, 7200);
    EXPECT_NEAR(w.reliability, 1.0, 1e-9);
    EXPECT_NEAR(w.weight, 1.0, 1e-9);
    EXPECT_LE(w.reliability, w.weight + 1e-12);
}

TEST(CrawlErrorNames, are_stable) {
    EXPECT_EQ(to_string(CrawlError::refused), "refused");
    EXPECT_EQ(to_string(CrawlError::wrong_network), "wrong_network");
    EXPECT_EQ(to_string(CrawlError::proxy_error), "proxy_error");
}

TEST(RecordAttempt, counts_successes_and_keeps_the_handshake) {
    NodeRecord record = new_node_record(public_service(), T0, public_service(18333));
    record_attempt(record, T0 + 10, success());
    record_attempt(record, T0 + 2000, failure(CrawlError::refused));
    EXPECT_EQ(record.attempts, 2u);
    EXPECT_EQ(record.successes, 1u);
    EXPECT_EQ(record.consecutive_failures, 1u);
    EXPECT_EQ(record.last_try, T0 + 2000);
    EXPECT_EQ(record.last_success, T0 + 10);
    EXPECT_EQ(record.last_error, CrawlError::refused);
    EXPECT_EQ(record.handshake.user_agent, "/Satoshi:27.0.0/");
    EXPECT_EQ(record.handshake.ping_ms, 42);
    ASSERT_TRUE(record.source.has_value());
    EXPECT_EQ(record.source->port, 18333);
    EXPECT_EQ(record.network(), Network::ipv4);
}

TEST(RecordAttempt, uses_min_retry_as_the_age_of_the_first_attempt) {
    NodeRecord record = new_node_record(public_service(), T0);
    record_attempt(record, T0, success());
    ReliabilityWindow expected;
    expected.update(true, MIN_RETRY_SECONDS, WINDOW_TAU_SECONDS[0]);
    EXPECT_EQ(record.window(Window::hours2), expected);
}

TEST(RecordAttempt, records_a_failure_without_a_kind_as_other) {
    NodeRecord record = tried(1, failure(CrawlError::none));
    EXPECT_EQ(record.last_error, CrawlError::other);
}

TEST(RecordAdvertised, sums_per_network_and_saturates) {
    NodeRecord record = new_node_record(public_service(), T0);
    record_advertised(record, Network::ipv6, 10);
    record_advertised(record, Network::ipv6, 5);
    record_advertised(record, Network::onion, UINT64_MAX);
    record_advertised(record, Network::onion, 1);
    EXPECT_EQ(record.advertised[network_index(Network::ipv6)], 15u);
    EXPECT_EQ(record.advertised[network_index(Network::onion)], UINT64_MAX);
    EXPECT_EQ(record.advertised[network_index(Network::ipv4)], 0u);
}

TEST(IsGood, accepts_a_new_node_that_answered_its_first_attempts) {
    EXPECT_TRUE(is_good(tried(1, success()), GoodCriteria{}));
    NodeRecord record = tried(1, success());
    record_attempt(record, T0 + 1000, failure());
    EXPECT_TRUE(is_good(record, GoodCriteria{}));  // 1 of 2
    record_attempt(record, T0 + 2000, failure());
    EXPECT_FALSE(is_reliable(record));  // 1 of 3
}

TEST(IsGood, accepts_a_node_reliable_over_two_hours) {
    // 20 successes 1000 s apart: the 2-hour window's weight (and so its reliability) is
    // 1 - exp(-20000 / 7200), about 0.94; 10 of them would leave it at 0.75.
    const NodeRecord record = tried(20, success());
    EXPECT_GT(record.window(Window::hours2).count, 2);
    EXPECT_GT(record.window(Window::hours2).reliability, 0.85);
    EXPECT_TRUE(is_good(record, GoodCriteria{}));
}

TEST(IsGood, rejects_a_node_that_has_been_down_for_long) {
    NodeRecord record = tried(20, success());
    for (int i = 0; i < 40; ++i) record_attempt(record, T0 + 20'000 + i * 3600, failure());
    EXPECT_FALSE(is_reliable(record));
    EXPECT_FALSE(is_good(record, GoodCriteria{}));
}

TEST(IsGood, rejects_a_node_on_another_port) {
    NodeRecord record = tried(20, success());
    record.service.port = 8334;
    EXPECT_FALSE(is_good(record, GoodCriteria{}));
}

TEST(IsGood, rejects_an_unroutable_address) {
    NodeRecord record = tried(20, success());
    record.service.address = NetAddress::ipv4({192, 168, 1, 1});
    EXPECT_FALSE(is_good(record, GoodCriteria{}));
}

TEST(IsGood, requires_network_and_witness_services) {
    NodeRecord record = tried(20, success());
    record.handshake.services = services::NODE_NETWORK;
    EXPECT_FALSE(is_good(record, GoodCriteria{}));
    record.handshake.services = services::NODE_NETWORK_LIMITED | services::NODE_WITNESS;
    EXPECT_FALSE(is_good(record, GoodCriteria{}));
    GoodCriteria pruned_ok;
    pruned_ok.accept_network_limited = true;
    EXPECT_TRUE(is_good(record, pruned_ok));
}

TEST(IsGood, requires_the_minimum_version_and_height) {
    NodeRecord record = tried(20, success(800'000));
    GoodCriteria criteria;
    criteria.min_start_height = 850'000;
    EXPECT_FALSE(is_good(record, criteria));
    criteria.min_start_height = 800'000;
    EXPECT_TRUE(is_good(record, criteria));
    record.handshake.protocol_version = 70000;
    EXPECT_FALSE(is_good(record, criteria));
}

TEST(IsGood, rejects_a_node_never_reached) {
    EXPECT_FALSE(is_good(new_node_record(public_service(), T0), GoodCriteria{}));
    EXPECT_FALSE(is_good(tried(2, failure()), GoodCriteria{}));
}

TEST(IsReliable, passes_each_window_threshold_only_above_its_count) {
    struct Case {
        Window window;
        double count;
        double reliability;
        bool expected;
    };
    const Case cases[] = {
        {Window::hours2, 2.0, 0.99, false}, {Window::hours2, 2.1, 0.86, true},
        {Window::hours2, 3.0, 0.85, false}, {Window::hours8, 4.1, 0.71, true},
        {Window::hours8, 4.0, 0.99, false}, {Window::day1, 8.1, 0.56, true},
        {Window::day1, 8.1, 0.55, false},   {Window::week1, 16.1, 0.46, true},
        {Window::week1, 16.0, 0.99, false}, {Window::month1, 32.1, 0.36, true},
        {Window::month1, 32.1, 0.35, false},
    };
    int run = 0;
    for (const auto& c : cases) {
        NodeRecord record = new_node_record(public_service(), T0);
        record.attempts = 100;
        auto& w = record.windows[static_cast<std::size_t>(c.window)];
        w.count = c.count;
        w.reliability = c.reliability;
        w.weight = 1;
        EXPECT_EQ(is_reliable(record), c.expected) << "case " << run;
        ++run;
    }
    std::printf("window threshold cases: %d\n", run);
    EXPECT_GT(run, 0);
}

TEST(IgnoreAndBan, ignore_a_node_that_keeps_failing) {
    // Down for 30 hours: the 8-hour window is almost all failure (reliability - weight + 1
    // = exp(-30 h / 8 h) < 0.08), the 1-day window not yet (exp(-1.25) = 0.29).
    EXPECT_EQ(ignore_seconds(tried(5, failure(), 3600)), 0);
    const NodeRecord record = tried(30, failure(), 3600);
    EXPECT_EQ(ignore_seconds(record), 2 * 3600);
    EXPECT_EQ(record.ignore_until, record.last_try + 2 * 3600);
    EXPECT_EQ(ignore_seconds(tried(5, success(), 3600)), 0);
}

TEST(IgnoreAndBan, ban_a_node_down_for_a_day_and_one_on_another_network) {
    // Down for 80 hours, tried every 2: the 1-day window has count ~12.5 and is 96% failure.
    const NodeRecord down = tried(40, failure(), 7200);
    EXPECT_EQ(ban_seconds(down), 86400);
    EXPECT_TRUE(is_banned(down, down.last_try + 1));
    const NodeRecord foreign = tried(1, failure(CrawlError::wrong_network));
    EXPECT_EQ(ban_seconds(foreign), 30 * 86400);
    EXPECT_EQ(foreign.ban_until, T0 + 30 * 86400);
}

TEST(IgnoreAndBan, ban_an_ancient_client_for_a_week) {
    AttemptOutcome old = success();
    old.handshake.protocol_version = 31800;
    EXPECT_EQ(ban_seconds(tried(5, old)), 7 * 86400);
}

TEST(NextAttempt, tries_a_new_node_at_once_and_a_good_one_after_min_retry) {
    const NodeRecord fresh = new_node_record(public_service(), T0);
    EXPECT_EQ(next_attempt_time(fresh), T0);
    const NodeRecord good = tried(3, success());
    EXPECT_EQ(next_attempt_time(good), good.last_try + MIN_RETRY_SECONDS);
}

TEST(NextAttempt, retries_an_unreliable_but_answering_node_after_an_hour) {
    NodeRecord record = tried(3, failure(), 100);
    record.ignore_until = 0;
    record.ban_until = 0;
    record_attempt(record, T0 + 400, success());
    ASSERT_FALSE(is_reliable(record));
    record.ignore_until = 0;
    EXPECT_EQ(next_attempt_time(record), record.last_try + 3600);
}

TEST(NextAttempt, backs_off_exponentially_on_failures_up_to_a_week) {
    NodeRecord record = new_node_record(public_service(), T0);
    record.attempts = 10;
    record.last_try = T0;
    const std::pair<std::uint32_t, std::int64_t> cases[] = {
        {1, 1000}, {2, 2000}, {3, 4000}, {10, 512'000}, {11, 604'800}, {1000, 604'800}};
    int run = 0;
    for (const auto& [failures, step] : cases) {
        record.consecutive_failures = failures;
        EXPECT_EQ(next_attempt_time(record), T0 + step) << failures;
        ++run;
    }
    std::printf("backoff cases: %d\n", run);
    EXPECT_GT(run, 0);
}

TEST(NextAttempt, never_precedes_the_ban_or_ignore_time) {
    NodeRecord record = tried(1, success());
    record.ban_until = T0 + 99'999;
    EXPECT_EQ(next_attempt_time(record), T0 + 99'999);
    record.ban_until = 0;
    record.ignore_until = T0 + 55'555;
    EXPECT_EQ(next_attempt_time(record), T0 + 55'555);
}

}  // namespace
}  // namespace bitloom
