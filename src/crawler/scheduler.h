// The crawler's plan: which nodes to try next, when, through which route and with which
// timeouts. It holds the node table (every NodeRecord the crawl knows) and a queue of due
// times, and decides; it does no I/O and has no clock (every time is seconds since the Unix
// epoch, passed in).
//
// Queue. Every known, dialable node has exactly one due time:
//   a node loaded from the store     next_attempt_time(record)   (node_stats.h: reachable
//                                    nodes come back after ~17 minutes or an hour, failing
//                                    ones after an exponential backoff, banned ones never)
//   a node learnt from a peer/seed   now
//   after an attempt                 next_attempt_time(record), or, for a transient failure
//                                    (timeout, reset, proxy_error) within the pass, a quick
//                                    retry after retry_backoff_seconds * 2^(retries so far),
//                                    at most max_pass_retries times per pass
// next() hands out the most overdue node, never more than max_in_flight at once, and never a
// node that is already in flight.
//
// Passes. start_pass(now) takes every node due at `now` into the pass; nodes learnt during the
// pass join it, and so do its quick retries. pass_done() is true once none of them is queued
// or in flight. A node tried in an earlier run is due only when its schedule says so, so a
// crawl stopped and started again continues the interrupted pass instead of repeating it.
//
// Dialability. A node is recorded when it is routable (Core's is_routable, minus multicast),
// or when allow_private and it is a valid address; everything else (0.0.0.0, 127/8, 10/8,
// documentation ranges... without allow_private) is neither recorded nor dialled. IPv4 and
// IPv6 are dialled directly, or through the proxy configured for them; onion, I2P and CJDNS
// addresses are recorded always and dialled only through a proxy configured for their
// network.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "crawler/node_stats.h"
#include "p2p/net_address.h"

namespace bitloom {

// How long each phase of one attempt may take.
struct PhaseTimeouts {
    std::chrono::milliseconds connect{5000};    // TCP connect (through the proxy: its whole
                                                // SOCKS5 exchange included)
    std::chrono::milliseconds handshake{10000};  // connected -> verack received
    std::chrono::milliseconds getaddr{15000};    // verack -> an addr reply with several entries
};

struct SchedulerConfig {
    std::size_t max_in_flight = 1000;
    bool allow_private = false;
    // Per network (network_index order): the SOCKS5 proxy to dial through, if any.
    std::array<std::optional<NetService>, NETWORK_COUNT> proxies{};
    std::array<PhaseTimeouts, NETWORK_COUNT> timeouts = default_timeouts();
    std::uint32_t max_pass_retries = 1;
    std::int64_t retry_backoff_seconds = 30;
    // The most nodes the table holds; addresses learnt beyond it are dropped.
    std::size_t max_known = 2'000'000;

    // 5/10/15 s for IPv4, IPv6 and CJDNS; 30/30/30 s for onion and I2P (proxied, slower).
    static std::array<PhaseTimeouts, NETWORK_COUNT> default_timeouts();
};

// Whether `service` may be recorded (and, given a route, dialled): see the file comment.
bool is_crawlable_address(const NetService& service, bool allow_private);

// One connection to make.
struct Dial {
    NetService service;
    std::optional<NetService> proxy;  // nullopt: connect directly
    PhaseTimeouts timeouts;
};

class CrawlScheduler {
public:
    explicit CrawlScheduler(SchedulerConfig config);

    // Takes a node loaded from the store (due at next_attempt_time). False when it is already
    // known or is not crawlable (it is then ignored).
    bool add_known(NodeRecord record);
    // Notes that `source` (nullopt: a seed or the user) told us about `address` at `now`.
    // A new, crawlable node is recorded (first_seen now, due now, joining the current pass)
    // and true returned. For a known node only last_seen is raised to the gossip time
    // (capped at `now`); false. Uncrawlable addresses and any beyond max_known: false.
    bool learn(const PeerAddress& address, std::int64_t now, std::optional<NetService> source);

    // The next connection to make at `now`, marking the node in flight; nullopt when
    // max_in_flight are in flight or no dialable node is due.
    std::optional<Dial> next(std::int64_t now);
    // The attempt on an in-flight node finished: folds it into the record (record_attempt)
    // and schedules the next one. Ignored for a node that is not in flight.
    void finish(const NetService& service, std::int64_t now, const AttemptOutcome& outcome);
    // The attempt was abandoned (the crawl stopped): the node leaves the in-flight set
    // unchanged and stays due.
    void abandon(const NetService& service);

    // Begins a pass at `now` (see the file comment); returns how many nodes it holds.
    std::size_t start_pass(std::int64_t now);
    bool pass_done() const { return pass_members_.empty(); }
    // Nodes of the current pass not yet finished (queued or in flight).
    std::size_t pass_remaining() const { return pass_members_.size(); }
    std::uint64_t pass_finished() const { return pass_finished_; }
    // The earliest due time of a dialable queued node, or nullopt when none is queued.
    std::optional<std::int64_t> next_due() const;

    const NodeRecord* find(const NetService& service) const;
    NodeRecord* find_mutable(const NetService& service);
    std::size_t known() const { return records_.size(); }
    std::size_t in_flight() const { return in_flight_.size(); }
    bool is_in_flight(const NetService& service) const { return in_flight_.contains(service); }
    // The route for a node's network: nullopt when it cannot be dialled here.
    std::optional<Dial> route(const NetService& service) const;
    const SchedulerConfig& config() const { return config_; }

private:
    struct Entry {
        NodeRecord record;
        std::optional<std::int64_t> due;  // nullopt: not queued (in flight or never dialable)
        std::uint32_t pass_retries = 0;
    };
    void enqueue(Entry& entry, std::int64_t due);
    void dequeue(Entry& entry);

    SchedulerConfig config_;
    std::unordered_map<NetService, Entry, NetServiceHasher> records_;
    std::set<std::pair<std::int64_t, NetService>> queue_;  // (due, service), dialable only
    std::unordered_set<NetService, NetServiceHasher> in_flight_;
    std::unordered_set<NetService, NetServiceHasher> pass_members_;  // the pass's unfinished nodes
    std::uint64_t pass_finished_ = 0;
};

}  // namespace bitloom
