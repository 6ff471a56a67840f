// What the crawler knows about one node: the outcome of every connection attempt folded into
// exponentially decaying reliability windows, what the node said in its version handshake,
// whether it is good enough to hand out as a seed, and when to try it next.
//
// Reliability windows (the scheme of sipa's bitcoin-seeder). Each window has a time constant
// tau (2 hours, 8 hours, 1 day, 1 week, 30 days) and three numbers, all starting at 0:
//   f           := exp(-age / tau)      age = seconds since the previous attempt
//   reliability := reliability * f + (success ? 1 - f : 0)
//   weight      := weight * f + (1 - f)
//   count       := count * f + 1
// `reliability` is the decayed share of time the node was seen up (it never exceeds `weight`,
// which tends to 1 as history accumulates); `count` is the decayed number of attempts. The
// seeder reports `reliability` itself as the window's uptime, and so does this module.
//
// Pure: no clocks, no I/O. Every time is seconds since the Unix epoch, passed in by the caller.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "p2p/net_address.h"

namespace bitloom {

// Why the last attempt to reach a node failed (none: it succeeded, or none was made).
enum class CrawlError : std::uint8_t {
    none,
    refused,         // connection refused
    timeout,         // no connection or no handshake in time
    reset,           // connection reset or closed during the handshake
    wrong_network,   // other magic bytes, or a chain we do not crawl
    protocol_error,  // malformed or unexpected messages
    proxy_error,     // the SOCKS5 proxy (Tor, I2P) failed
    other,
};
// "none", "refused", "timeout", "reset", "wrong_network", "protocol_error", "proxy_error",
// "other".
std::string_view to_string(CrawlError error);

// One reliability window; see the file comment for the update rule.
struct ReliabilityWindow {
    double weight = 0;
    double count = 0;
    double reliability = 0;
    // Folds in one attempt made `age_seconds` (clamped to >= 0) after the previous one.
    void update(bool success, std::int64_t age_seconds, double tau_seconds);
    friend bool operator==(const ReliabilityWindow&, const ReliabilityWindow&) = default;
};

// The windows, in the order of the seeder's columns.
enum class Window : std::uint8_t { hours2 = 0, hours8 = 1, day1 = 2, week1 = 3, month1 = 4 };
inline constexpr std::size_t WINDOW_COUNT = 5;
inline constexpr std::array<double, WINDOW_COUNT> WINDOW_TAU_SECONDS = {
    2.0 * 3600, 8.0 * 3600, 24.0 * 3600, 7.0 * 24 * 3600, 30.0 * 24 * 3600};

// The age used for the first attempt on a node (the seeder's MIN_RETRY), and the shortest
// interval between two attempts on the same node.
inline constexpr std::int64_t MIN_RETRY_SECONDS = 1000;

// Networks in the order of NodeRecord::advertised: ipv4, ipv6, onion, i2p, cjdns.
inline constexpr std::size_t NETWORK_COUNT = 5;
// The index of `network` in that order.
std::size_t network_index(Network network);

// What a successful version handshake told us.
struct HandshakeInfo {
    std::int32_t protocol_version = 0;
    std::uint64_t services = 0;
    std::string user_agent;
    std::int32_t start_height = 0;
    bool relay = false;
    std::int64_t connect_ms = -1;    // TCP (or proxy) connect time; -1 unknown
    std::int64_t handshake_ms = -1;  // version sent to verack received; -1 unknown
    std::int64_t ping_ms = -1;       // ping to pong round trip; -1 unknown
};

// The outcome of one attempt: success with the handshake, or the kind of failure.
struct AttemptOutcome {
    bool success = false;
    CrawlError error = CrawlError::none;  // ignored when success
    HandshakeInfo handshake;              // meaningful only when success
};

// Everything the crawler keeps about one node.
struct NodeRecord {
    NetService service;
    std::optional<NetService> source;  // who first told us about it (nullopt: a seed or the user)
    std::int64_t first_seen = 0;       // when we first heard of it
    std::int64_t last_seen = 0;        // newest gossip timestamp or successful contact
    std::int64_t last_try = 0;         // last attempt; 0 = never tried
    std::int64_t last_success = 0;     // 0 = never succeeded
    std::uint32_t attempts = 0;
    std::uint32_t successes = 0;
    std::uint32_t consecutive_failures = 0;
    CrawlError last_error = CrawlError::none;
    // From the newest successful handshake (kept across later failures, as the seeder does).
    HandshakeInfo handshake;
    // Addresses the node sent us in its addr replies, per network (see network_index), summed
    // over all its replies.
    std::array<std::uint64_t, NETWORK_COUNT> advertised{};
    std::array<ReliabilityWindow, WINDOW_COUNT> windows{};
    std::int64_t ignore_until = 0;  // not tried before this time (0: no restriction)
    std::int64_t ban_until = 0;     // not tried and never served before this time

    Network network() const { return service.address.network(); }
    const ReliabilityWindow& window(Window which) const {
        return windows[static_cast<std::size_t>(which)];
    }
};

// A fresh record for a node first heard of at `now` from `source`.
NodeRecord new_node_record(const NetService& service, std::int64_t now,
                           std::optional<NetService> source = std::nullopt);

// Folds one attempt made at `now` into `record`: counters, windows (age = now - last_try, or
// MIN_RETRY_SECONDS for the first attempt), last error, handshake details on success, and the
// ignore and ban times (see ignore_seconds / ban_seconds). A `now` earlier than last_try is
// treated as age 0.
void record_attempt(NodeRecord& record, std::int64_t now, const AttemptOutcome& outcome);

// Adds the addresses of one addr reply to the per-network counts.
void record_advertised(NodeRecord& record, Network network, std::uint64_t count);

// The seeder's conditions for handing a node out.
struct GoodCriteria {
    std::uint16_t default_port = 8333;
    // Every bit here must be set in the node's services. Modern seeders require a full
    // archival node with segwit: NODE_NETWORK | NODE_WITNESS.
    std::uint64_t required_services = services::NODE_NETWORK | services::NODE_WITNESS;
    // When true, NODE_NETWORK_LIMITED satisfies a NODE_NETWORK requirement (pruned nodes).
    // Off by default: seeds serve initial block download, which needs the whole chain.
    bool accept_network_limited = false;
    std::int32_t min_protocol_version = 70001;  // the seeder's REQUIRE_VERSION
    std::int32_t min_start_height = 0;          // set near the current tip minus a margin
};

// Whether `record` is good: the default port, a routable address, the required services, a
// protocol version and start height at least the minimums (as reported by the newest
// successful handshake; a node never handshaken is not good), and reliable: either it was
// tried 1 to 3 times and succeeded at least half of them, or one window passes
//   2h: count > 2 && reliability > 0.85     8h: count > 4 && reliability > 0.70
//   1d: count > 8 && reliability > 0.55     1w: count > 16 && reliability > 0.45
//   30d: count > 32 && reliability > 0.35
bool is_reliable(const NodeRecord& record);
bool is_good(const NodeRecord& record, const GoodCriteria& criteria);

// How long not to try a failing node after an attempt (the seeder's ignore time), judged on
// its windows after the attempt; 0 for a node with a success in its 1-to-3-attempt start or
// a passing window. With d(w) = reliability - weight + 1 (near 1 for a node that is up,
// near 0 for one that has been down the whole window):
//   30d: d < 0.20 && count > 2 -> 10 days     1w: d < 0.16 && count > 2 -> 3 days
//   1d:  d < 0.12 && count > 2 -> 8 hours     8h: d < 0.08 && count > 2 -> 2 hours
std::int64_t ignore_seconds(const NodeRecord& record);

// How long to ban a node: 30 days for wrong_network (it is not on our chain); otherwise the
// seeder's rules: 7 days for a protocol version below 31900, else 0 for a reliable node, else
//   30d: d < 0.15 && count > 32 -> 30 days    1w: d < 0.10 && count > 16 -> 7 days
//   1d:  d < 0.05 && count > 8  -> 1 day
std::int64_t ban_seconds(const NodeRecord& record);

// When to try `record` next (never before its ban or ignore time):
//   never tried:                    first_seen (as soon as possible)
//   reliable (good candidates):     last_try + MIN_RETRY_SECONDS (about 17 minutes)
//   last attempt succeeded:         last_try + 1 hour
//   failing:                        last_try + MIN_RETRY_SECONDS * 2^(consecutive_failures - 1),
//                                   the exponent capped so the step is at most 1 week
// and then the maximum of that, ignore_until and ban_until.
std::int64_t next_attempt_time(const NodeRecord& record);

// Whether `record` is banned at `now`.
inline bool is_banned(const NodeRecord& record, std::int64_t now) { return record.ban_until > now; }

}  // namespace bitloom
