// The crawler's database: every node it has seen, every attempt on it, who told it about whom,
// and one row per crawl run, in one SQLite file that survives restarts and kills, or in a
// PostgreSQL database that several crawlers can share.
//
// SQLite file: an SQLite 3 database in WAL journal mode with synchronous=NORMAL (a killed
// process loses nothing it committed; a power loss may lose the last transactions, never
// consistency).
// Schema, version 1 (every time is seconds since the Unix epoch; uint64 values are stored as
// the int64 with the same bits):
//   schema_version := (version INTEGER)                      exactly one row
//   nodes          := (id INTEGER PRIMARY KEY,
//                      service BLOB UNIQUE,                  service_key, below
//                      address TEXT,                         NetService::to_string, for people
//                      source BLOB NULL,                     service_key of the source
//                      first_seen, last_seen, last_try, last_success INTEGER,
//                      attempts, successes, consecutive_failures, last_error INTEGER,
//                      protocol_version, services, user_agent, start_height, relay,
//                      connect_ms, handshake_ms, ping_ms,    the newest successful handshake
//                      adv_0 .. adv_4 INTEGER,               NodeRecord::advertised
//                      w{0..4}_weight, w{0..4}_count, w{0..4}_reliability REAL,
//                      ignore_until, ban_until INTEGER,
//                      next_try INTEGER)                     next_attempt_time(record), indexed
//   attempts       := (id, node_id -> nodes.id, time, success, error, protocol_version,
//                      services, user_agent, start_height, connect_ms, handshake_ms, ping_ms)
//   advertisements := (source_id -> nodes.id, node_id -> nodes.id, network, first_time,
//                      last_time, times)                     UNIQUE(source_id, node_id)
//   crawl_runs     := (id, start_time, end_time, attempts, successes, new_nodes)
//   service_key    := network: u8 (BIP155 id) || address bytes (4, 16 or 32) || port: u16 BE
// PostgreSQL: the same tables and columns in the connection's current schema, with the types
// BIGINT for INTEGER (ids are BIGSERIAL), DOUBLE PRECISION for REAL, BYTEA for BLOB, and
// BYTEA for user_agent (a peer's user agent is arbitrary bytes, which TEXT cannot hold).
// Opening a database runs every migration from its version to CURRENT_SCHEMA_VERSION in one
// transaction (on PostgreSQL under an advisory lock, so crawlers starting together migrate
// once); a database from a newer version is refused.
//
// Writes: outside a batch every write is its own transaction. Between begin_batch() and
// commit_batch() writes share one transaction: after a kill, a reopened store holds either all
// of a batch or none of it. On PostgreSQL a statement that fails inside a batch aborts the
// whole batch: commit_batch() then fails and keeps none of it; a lost connection fails every
// later call with io (open the store again to reconnect).
//
// A CrawlStore is owned by one thread. Nothing here throws; every failure is a StoreFailure.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "crawler/node_stats.h"
#include "util/result.h"

namespace bitloom {

enum class StoreError : std::uint8_t {
    cannot_open,      // the file could not be opened or created
    not_a_database,   // the file is not an SQLite database
    corrupt,          // SQLite reports a malformed database, or a row does not decode
    schema_too_new,   // written by a newer version of this schema
    busy,             // another connection holds the lock
    io,               // a disk read or write failed, or the disk is full
    not_found,        // no node with that service
    batch_state,      // begin_batch inside a batch, or commit_batch outside one
    other,
};
// "cannot_open", "not_a_database", "corrupt", "schema_too_new", "busy", "io", "not_found",
// "batch_state", "other".
std::string_view to_string(StoreError error);

// An error kind and a human-readable detail (the database's message where there is one).
struct StoreFailure {
    StoreError error = StoreError::other;
    std::string message;
};

template <typename T>
using StoreResult = Result<T, StoreFailure>;

// The crawl's totals for one run.
struct CrawlRun {
    std::int64_t id = 0;
    std::int64_t start_time = 0;
    std::int64_t end_time = 0;  // 0 while running (or if the process died)
    std::uint64_t attempts = 0;
    std::uint64_t successes = 0;
    std::uint64_t new_nodes = 0;
    friend bool operator==(const CrawlRun&, const CrawlRun&) = default;
};

// known: nodes stored; tried: nodes with at least one attempt; reachable: nodes whose last
// attempt succeeded (last_success == last_try > 0).
struct StoreCounts {
    std::uint64_t known = 0;
    std::uint64_t tried = 0;
    std::uint64_t reachable = 0;
};

class CrawlStore {
public:
    static constexpr int CURRENT_SCHEMA_VERSION = 1;

    // Opens `path`, creating it if absent, sets WAL and synchronous=NORMAL, and migrates the
    // schema. Fails with not_a_database for a file that is not an SQLite database,
    // schema_too_new for a newer schema, cannot_open when the file cannot be opened. Damage
    // inside a database is found when the damaged pages are read (corrupt from that call) or
    // by integrity_check().
    // A `path` beginning "postgresql://" or "postgres://" is a PostgreSQL URL: open_postgres.
    static StoreResult<CrawlStore> open(const std::string& path);

    // Connects to PostgreSQL with libpq's `conninfo` (a "postgresql://" URL or "key=value"
    // pairs) and migrates the schema. Fails with cannot_open when the server cannot be
    // reached or refuses the connection, schema_too_new for a newer schema.
    static StoreResult<CrawlStore> open_postgres(const std::string& conninfo);

    // A moved-from store may only be destroyed or assigned to.
    CrawlStore(CrawlStore&&) noexcept;
    CrawlStore& operator=(CrawlStore&&) noexcept;
    ~CrawlStore();  // an open batch is rolled back

    StoreResult<int> schema_version();

    // Starts a transaction that the following writes share (batch_state inside a batch).
    StoreResult<void> begin_batch();
    // Commits it (batch_state outside a batch). On failure the batch is rolled back.
    StoreResult<void> commit_batch();
    // Discards it; a no-op outside a batch.
    void rollback_batch();
    bool in_batch() const;

    // Inserts the node or replaces every stored field of the node with the same service.
    // Returns the node's row id, stable across updates.
    StoreResult<std::int64_t> upsert_node(const NodeRecord& record);
    // The stored record of `service`; not_found if none.
    StoreResult<NodeRecord> load_node(const NetService& service);
    // Every stored node, in insertion order.
    StoreResult<std::vector<NodeRecord>> load_nodes();
    // Up to `limit` nodes that may be tried at `now` (next_try <= now and not banned), the
    // longest-waiting first (by next_try, then insertion order).
    StoreResult<std::vector<NodeRecord>> nodes_due(std::int64_t now, std::size_t limit);
    StoreResult<StoreCounts> counts();

    // Logs one attempt on a stored node (not_found otherwise). The node's own row is not
    // changed: fold the attempt in with record_attempt and upsert_node.
    StoreResult<void> add_attempt(const NetService& service, std::int64_t time,
                                  const AttemptOutcome& outcome);
    // Attempts logged for `service` (0 for an unknown service).
    StoreResult<std::uint64_t> attempt_count(const NetService& service);

    // Notes that `source` told us about `node` at `time` (both must be stored: not_found
    // otherwise); repeated reports raise `times` and last_time.
    StoreResult<void> add_advertisement(const NetService& source, const NetService& node,
                                        std::int64_t time);
    // How many times `source` told us about `node` (0 if never).
    StoreResult<std::uint64_t> advertisement_count(const NetService& source,
                                                   const NetService& node);

    // Records the start of a crawl run and returns its id.
    StoreResult<std::int64_t> begin_run(std::int64_t start_time);
    // Stores the run's end time and totals (not_found for an unknown id).
    StoreResult<void> finish_run(const CrawlRun& run);
    StoreResult<std::vector<CrawlRun>> load_runs();

    // SQLite's PRAGMA integrity_check: ok, or corrupt with SQLite's report. On PostgreSQL:
    // every table reads and no attempt or advertisement refers to a missing node.
    StoreResult<void> integrity_check();

private:
    struct Impl;
    explicit CrawlStore(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace bitloom
