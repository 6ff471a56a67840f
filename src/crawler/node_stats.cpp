#include "crawler/node_stats.h"

#include <algorithm>
#include <cmath>

namespace bitloom {

std::string_view to_string(CrawlError error) {
    switch (error) {
        case CrawlError::none: return "none";
        case CrawlError::refused: return "refused";
        case CrawlError::timeout: return "timeout";
        case CrawlError::reset: return "reset";
        case CrawlError::wrong_network: return "wrong_network";
        case CrawlError::protocol_error: return "protocol_error";
        case CrawlError::proxy_error: return "proxy_error";
        case CrawlError::other: return "other";
    }
    return "other";
}

void ReliabilityWindow::update(bool success, std::int64_t age_seconds, double tau_seconds) {
    const double age = static_cast<double>(std::max<std::int64_t>(age_seconds, 0));
    const double f = std::exp(-age / tau_seconds);
    reliability = reliability * f + (success ? 1.0 - f : 0.0);
    count = count * f + 1.0;
    weight = weight * f + (1.0 - f);
}

std::size_t network_index(Network network) {
    switch (network) {
        case Network::ipv4: return 0;
        case Network::ipv6: return 1;
        case Network::onion: return 2;
        case Network::i2p: return 3;
        case Network::cjdns: return 4;
    }
    return 1;
}

NodeRecord new_node_record(const NetService& service, std::int64_t now,
                           std::optional<NetService> source) {
    NodeRecord record;
    record.service = service;
    record.source = std::move(source);
    record.first_seen = now;
    record.last_seen = now;
    return record;
}

void record_attempt(NodeRecord& record, std::int64_t now, const AttemptOutcome& outcome) {
    const std::int64_t age = record.last_try == 0 ? MIN_RETRY_SECONDS : now - record.last_try;
    record.last_try = now;
    ++record.attempts;
    if (outcome.success) {
        ++record.successes;
        record.consecutive_failures = 0;
        record.last_success = now;
        record.last_seen = std::max(record.last_seen, now);
        record.last_error = CrawlError::none;
        record.handshake = outcome.handshake;
    } else {
        ++record.consecutive_failures;
        record.last_error = outcome.error == CrawlError::none ? CrawlError::other : outcome.error;
    }
    for (std::size_t i = 0; i < WINDOW_COUNT; ++i) {
        record.windows[i].update(outcome.success, age, WINDOW_TAU_SECONDS[i]);
    }
    if (const auto ignore = ignore_seconds(record); ignore > 0) {
        record.ignore_until = std::max(record.ignore_until, now + ignore);
    }
    if (const auto ban = ban_seconds(record); ban > 0) {
        record.ban_until = std::max(record.ban_until, now + ban);
    }
}

void record_advertised(NodeRecord& record, Network network, std::uint64_t count) {
    auto& slot = record.advertised[network_index(network)];
    slot = count > UINT64_MAX - slot ? UINT64_MAX : slot + count;
}

namespace {

struct Threshold {
    Window window;
    double min_count;
    double limit;
    std::int64_t seconds;
};

bool passes(const ReliabilityWindow& w, double min_count, double min_reliability) {
    return w.count > min_count && w.reliability > min_reliability;
}

// reliability - weight + 1: near 1 when the node was up through the window, near 0 when down.
double downness(const ReliabilityWindow& w) { return w.reliability - w.weight + 1.0; }

}  // namespace

bool is_reliable(const NodeRecord& record) {
    if (record.attempts >= 1 && record.attempts <= 3 &&
        std::uint64_t{record.successes} * 2 >= record.attempts) {
        return true;
    }
    return passes(record.window(Window::hours2), 2, 0.85) ||
           passes(record.window(Window::hours8), 4, 0.70) ||
           passes(record.window(Window::day1), 8, 0.55) ||
           passes(record.window(Window::week1), 16, 0.45) ||
           passes(record.window(Window::month1), 32, 0.35);
}

bool is_good(const NodeRecord& record, const GoodCriteria& criteria) {
    if (record.service.port != criteria.default_port) return false;
    if (!record.service.address.is_routable()) return false;
    if (record.last_success == 0) return false;
    const HandshakeInfo& hs = record.handshake;
    std::uint64_t have = hs.services;
    if (criteria.accept_network_limited && (have & services::NODE_NETWORK_LIMITED) != 0) {
        have |= services::NODE_NETWORK;
    }
    if ((have & criteria.required_services) != criteria.required_services) return false;
    if (hs.protocol_version < criteria.min_protocol_version) return false;
    if (hs.start_height < criteria.min_start_height) return false;
    return is_reliable(record);
}

std::int64_t ignore_seconds(const NodeRecord& record) {
    if (is_reliable(record)) return 0;
    static constexpr std::array<Threshold, 4> RULES = {{
        {Window::month1, 2, 0.20, 10 * 86400},
        {Window::week1, 2, 0.16, 3 * 86400},
        {Window::day1, 2, 0.12, 8 * 3600},
        {Window::hours8, 2, 0.08, 2 * 3600},
    }};
    for (const auto& rule : RULES) {
        const auto& w = record.window(rule.window);
        if (downness(w) < rule.limit && w.count > rule.min_count) return rule.seconds;
    }
    return 0;
}

std::int64_t ban_seconds(const NodeRecord& record) {
    if (record.last_error == CrawlError::wrong_network) return 30 * 86400;
    if (record.last_success != 0 && record.handshake.protocol_version != 0 &&
        record.handshake.protocol_version < 31900) {
        return 7 * 86400;
    }
    if (is_reliable(record)) return 0;
    static constexpr std::array<Threshold, 3> RULES = {{
        {Window::month1, 32, 0.15, 30 * 86400},
        {Window::week1, 16, 0.10, 7 * 86400},
        {Window::day1, 8, 0.05, 86400},
    }};
    for (const auto& rule : RULES) {
        const auto& w = record.window(rule.window);
        if (downness(w) < rule.limit && w.count > rule.min_count) return rule.seconds;
    }
    return 0;
}

std::int64_t next_attempt_time(const NodeRecord& record) {
    std::int64_t next = 0;
    if (record.last_try == 0) {
        next = record.first_seen;
    } else if (is_reliable(record)) {
        next = record.last_try + MIN_RETRY_SECONDS;
    } else if (record.consecutive_failures == 0) {
        next = record.last_try + 3600;
    } else {
        constexpr std::int64_t WEEK = 7 * 86400;
        std::int64_t step = MIN_RETRY_SECONDS;
        for (std::uint32_t i = 1; i < record.consecutive_failures && step < WEEK; ++i) step *= 2;
        next = record.last_try + std::min(step, WEEK);
    }
    return std::max({next, record.ignore_until, record.ban_until});
}

}  // namespace bitloom
