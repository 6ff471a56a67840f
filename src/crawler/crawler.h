// The asynchronous crawler: one net::Reactor thread with up to max_in_flight connections,
// each driven by a p2p::Peer state machine, the CrawlScheduler deciding whom to dial, and
// every outcome written to a CrawlStore in batches.
//
// One attempt on a node (times are the node's network's PhaseTimeouts):
//   connect (directly, or through the network's SOCKS5 proxy)        within `connect`
//   version handshake: our version (user agent /bitloom:VERSION/, services NODE_NONE,
//   relay false), sendaddrv2 when the common version allows it, verack  within `handshake`
//   getaddr, then collect addr/addrv2 until one reply carries more than one address, and
//   the pong of the ping the Peer sends after the handshake (round-trip time)  within `getaddr`
//   disconnect.
// The attempt succeeds once the handshake completes (a node that answers no getaddr is still
// reachable). It fails with the CrawlError of node_stats.h:
//   refused         the connect was refused
//   timeout         no connect, or no complete handshake, in time
//   reset           the connection ended (EOF, reset) before the handshake completed
//   wrong_network   the first message header carries other magic bytes (another chain)
//   protocol_error  bytes that are no message (garbage), an oversized or malformed message,
//                   an addr reply of more than 1,000 entries, an obsolete protocol version
//   proxy_error     the SOCKS5 proxy failed or refused to connect
//   other           any other socket error
//
// Bounded resources with hostile peers: the MessageDecoder holds at most one message (4 MB);
// at most max_addresses_per_message entries of one addr reply and max_addresses_per_peer in
// all are taken from one connection; every phase has its deadline.
//
// Recording (one transaction per batch_size attempts or per batch_interval, and at the end,
// written by a thread of the crawler's own so that the disk never stalls the event loop):
// each attempt (CrawlStore::add_attempt), the node's updated record (upsert_node), every new
// node with the peer that told us first (its source), and advertisements (who told us about
// whom: the first MAX_SOURCES_PER_NODE sources of each node per run; a node is gossiped by
// most of the network, and recording every pair costs more than the crawl itself). A node
// whose record did not change (no new last-seen time) is not written again. A run row is
// opened at start and closed with the run's totals at the end.
// Memory stays bounded when the disk is slower than the network: advertisement rows beyond
// 500,000 waiting to be written are dropped and counted; nodes and attempts never are.
//
// Stopping: stop() (thread-safe), the stop flag, the duration, or the last pass ending makes
// run() record the connections that completed their handshake as successes, abandon the
// other attempts still in flight (nothing is recorded for them; the nodes stay due), close
// every connection, flush and return. A crawler started again on the same store
// loads every node and continues: nodes already tried are due only on their re-check
// schedule, so nothing is tried twice in one pass and nothing recorded is lost.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "crawler/node_stats.h"
#include "crawler/scheduler.h"
#include "crawler/store.h"
#include "net/reactor.h"
#include "p2p/peer.h"
#include "p2p/protocol.h"
#include "util/result.h"

namespace bitloom {

// A snapshot for the progress line.
struct CrawlProgress {
    std::uint64_t known = 0;          // nodes in the table
    std::uint64_t tried = 0;          // attempts finished in this run
    std::uint64_t reachable = 0;      // successful attempts in this run
    std::uint64_t in_flight = 0;
    std::uint64_t pass = 0;           // 1-based number of the current pass
    std::uint64_t pass_remaining = 0; // nodes of the pass not yet finished
    double handshakes_per_second = 0; // successes per second since the previous snapshot
    double attempts_per_second = 0;   // over the whole run
    std::optional<double> eta_seconds;  // pass_remaining at attempts_per_second
    double elapsed_seconds = 0;
};
// "known 1234  tried 567  reachable 89  in flight 100  12.3 hs/s  pass 1: 456 left, ETA 37s".
std::string format_progress(const CrawlProgress& progress);

struct CrawlSummary {
    std::int64_t run_id = 0;
    std::uint64_t attempts = 0;
    std::uint64_t successes = 0;
    std::uint64_t new_nodes = 0;
    std::array<std::uint64_t, 8> errors{};  // failed attempts by CrawlError (index = value)
    std::uint64_t peak_in_flight = 0;
    std::uint64_t passes_completed = 0;
    std::uint64_t abandoned = 0;  // in flight when the crawl stopped
    // Advertisement rows not written because the disk fell behind (see Crawler).
    std::uint64_t advertisements_dropped = 0;
    bool stopped = false;         // ended by stop() or the stop flag
    double seconds = 0;
    StoreCounts store;            // the store's totals at the end
};
// A small table: totals, then one row per error kind that occurred.
std::string format_summary(const CrawlSummary& summary);

struct CrawlerConfig {
    MessageStart magic{};
    std::vector<NetService> seeds;  // starting points (also re-learnt when already known)
    SchedulerConfig scheduler;
    std::string user_agent;  // empty: util/version.h user_agent()
    std::int32_t protocol_version = PROTOCOL_VERSION;
    std::size_t max_addresses_per_message = 1000;
    std::size_t max_addresses_per_peer = 2500;
    std::size_t batch_size = 200;
    std::chrono::milliseconds batch_interval{1000};
    std::uint32_t passes = 1;  // passes to complete; 0: until stopped or the duration ends
    std::optional<std::chrono::milliseconds> duration;
    std::chrono::milliseconds tick_interval{50};
    std::chrono::milliseconds progress_interval{1000};
    // Called on the crawl thread every progress_interval.
    std::function<void(const CrawlProgress&)> on_progress;
    // Called on the crawl thread after each finished attempt.
    std::function<void(const NetService&, const AttemptOutcome&)> on_attempt;
    // Polled every tick; true stops the crawl (a signal handler may set it).
    const std::atomic<bool>* stop_flag = nullptr;
};

class Crawler {
public:
    // The store must outlive the crawler and is used only from the thread calling run().
    static Result<std::unique_ptr<Crawler>, std::string> create(CrawlerConfig config,
                                                                 CrawlStore& store);
    ~Crawler();
    Crawler(const Crawler&) = delete;
    Crawler& operator=(const Crawler&) = delete;

    // Crawls on the calling thread until the passes are done, the duration ends or stop().
    // Call once. While it runs the store is used by the crawler's writer thread only. Fails
    // only when the store fails (what was committed before stays).
    Result<CrawlSummary, std::string> run();
    // Thread-safe.
    void stop();

private:
    using Clock = std::chrono::steady_clock;
    enum class Phase { connecting, handshaking, collecting };
    struct Connection {
        ConnectionId id = 0;
        Dial dial;
        Phase phase = Phase::connecting;
        std::unique_ptr<Peer> peer;
        Clock::time_point started{};
        Clock::time_point connected_at{};
        Clock::time_point deadline{};
        bool handshaken = false;
        HandshakeInfo info;
        bool got_addresses = false;  // a reply with more than one entry arrived
        std::size_t addresses_taken = 0;
        std::array<std::uint64_t, NETWORK_COUNT> advertised{};
        Bytes first_bytes;  // the first header's bytes, to tell another chain from garbage
    };
    struct PendingAttempt {
        NetService service;
        std::int64_t time = 0;
        AttemptOutcome outcome;
    };
    struct PendingAdvertisement {
        NetService source;
        NetService node;
        std::int64_t time = 0;
    };

    Crawler(CrawlerConfig config, CrawlStore& store);

    static std::int64_t unix_now();
    static PeerTime peer_now();
    void pump();
    void start_connection(const Dial& dial);
    void on_connected(ConnectionId id);
    void on_connect_failed(ConnectionId id, const std::string& error);
    void on_data(ConnectionId id, ByteSpan data);
    void on_closed(ConnectionId id);
    void on_timer();
    void process(Connection& connection);  // may finish (erase) the connection
    void take_addresses(Connection& connection, const std::vector<PeerAddress>& addresses);
    CrawlError classify_framing_error(const Connection& connection) const;
    // Records the outcome, closes the socket (unless it already ended) and forgets it.
    void finish(ConnectionId id, AttemptOutcome outcome, bool close_socket);
    void fail_attempt(ConnectionId id, CrawlError error, bool close_socket);
    void learn(const PeerAddress& address, std::optional<NetService> source);
    // Hands the dirty records and pending rows to the writer thread as one batch.
    void maybe_flush(bool force);
    struct WriteBatch {
        std::vector<NodeRecord> nodes;
        std::vector<PendingAttempt> attempts;
        std::vector<PendingAdvertisement> advertisements;
    };
    void start_writer();
    // Writes what is queued, ends the writer thread; the first store failure, if any.
    std::optional<std::string> stop_writer();
    void write_batches();  // the writer thread
    std::optional<std::string> write_batch(const WriteBatch& batch);
    void report_progress(Clock::time_point now);
    void check_end();
    void end_crawl();

    CrawlerConfig config_;
    CrawlStore& store_;
    CrawlScheduler scheduler_;
    std::unique_ptr<Reactor> reactor_;
    std::mt19937_64 random_;
    std::atomic<bool> stop_requested_{false};

    std::unordered_map<ConnectionId, Connection> connections_;
    ConnectionId next_id_ = 1;

    std::unordered_set<NetService, NetServiceHasher> dirty_;
    // Advertisement rows recorded this run per advertised node (capped: see learn()).
    std::unordered_map<NetService, std::uint8_t, NetServiceHasher> sources_recorded_;
    std::vector<PendingAttempt> pending_attempts_;
    std::vector<PendingAdvertisement> pending_advertisements_;
    Clock::time_point last_flush_{};

    // The writer thread: the store's only user while the crawl runs, so that a slow disk
    // never stalls the event loop (and never turns into timeouts charged to nodes).
    static constexpr std::size_t MAX_QUEUED_BATCHES = 64;
    static constexpr std::size_t MAX_QUEUED_ADVERTISEMENTS = 500'000;
    static constexpr std::uint8_t MAX_SOURCES_PER_NODE = 4;
    std::size_t queued_advertisements_ = 0;        // guarded by writer_mutex_
    std::thread writer_;
    std::mutex writer_mutex_;
    std::condition_variable writer_wake_;  // a batch was queued, or writer_done_
    std::condition_variable writer_idle_;  // a batch was written
    std::deque<WriteBatch> writer_queue_;          // guarded by writer_mutex_
    bool writer_done_ = false;                     // guarded by writer_mutex_
    std::optional<std::string> writer_failure_;    // guarded by writer_mutex_
    std::atomic<bool> writer_failed_{false};

    Clock::time_point started_{};
    Clock::time_point last_progress_{};
    std::uint64_t successes_at_last_progress_ = 0;
    bool pass_active_ = false;
    std::uint64_t pass_number_ = 0;
    bool ending_ = false;
    Clock::time_point paused_until_{};  // no new connections before (out of descriptors)
    CrawlSummary summary_;
};

}  // namespace bitloom
