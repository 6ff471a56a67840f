// The crawler's store on each backend (an SQLite file; a database on a throwaway PostgreSQL
// cluster): schema and migration, upserts, round trips, the scheduler's query, persistence and
// survival of a killed writer; and, for SQLite files, clean rejection of bad files.
#include <gtest/gtest.h>

#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>

#include "crawler/postgres_test_cluster.h"
#include "crawler/store.h"

namespace bitloom {
namespace {

constexpr std::int64_t T0 = 1'700'000'000;

// A fresh directory for one test, removed at the end.
class TempDir {
public:
    TempDir() {
        static int counter = 0;
        path_ = std::filesystem::temp_directory_path() /
                ("bitloom-store-" + std::to_string(getpid()) + "-" + std::to_string(counter++));
        std::filesystem::remove_all(path_);
        std::filesystem::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    std::string file(const std::string& name) const { return (path_ / name).string(); }

private:
    std::filesystem::path path_;
};

NetService ipv4_service(std::uint32_t n, std::uint16_t port = 8333) {
    return NetService{NetAddress::ipv4({static_cast<std::uint8_t>(1 + (n >> 24) % 200),
                                        static_cast<std::uint8_t>(n >> 16),
                                        static_cast<std::uint8_t>(n >> 8),
                                        static_cast<std::uint8_t>(n)}),
                      port};
}

CrawlStore open_store(const std::string& path) {
    auto store = CrawlStore::open(path);
    EXPECT_TRUE(store.has_value()) << (store ? "" : store.error().message);
    if (!store) std::abort();
    return std::move(*store);
}

AttemptOutcome success_outcome() {
    AttemptOutcome outcome;
    outcome.success = true;
    outcome.handshake.protocol_version = 70016;
    outcome.handshake.services = services::NODE_NETWORK | services::NODE_WITNESS;
    outcome.handshake.user_agent = "/Satoshi:27.0.0/";
    outcome.handshake.start_height = 900'000;
    outcome.handshake.relay = true;
    outcome.handshake.connect_ms = 120;
    outcome.handshake.handshake_ms = 340;
    outcome.handshake.ping_ms = 42;
    return outcome;
}

AttemptOutcome failure_outcome(CrawlError error = CrawlError::timeout) {
    AttemptOutcome outcome;
    outcome.error = error;
    return outcome;
}

// A record with every field set to something other than its default.
NodeRecord full_record() {
    auto onion = NetAddress::from_bip155(4, Bytes(32, 0xab));
    EXPECT_TRUE(onion.has_value());
    NodeRecord record = new_node_record(NetService{*onion, 8333}, T0, ipv4_service(77, 18333));
    record_attempt(record, T0 + 10, success_outcome());
    record_attempt(record, T0 + 4000, failure_outcome(CrawlError::reset));
    record_advertised(record, Network::ipv4, 900);
    record_advertised(record, Network::ipv6, 300);
    record_advertised(record, Network::onion, 5);
    record_advertised(record, Network::i2p, 2);
    record_advertised(record, Network::cjdns, 1);
    record.handshake.services = 0x8000'0000'0000'0409;  // the top bit survives the int64 column
    record.last_seen = T0 + 4100;
    record.ignore_until = T0 + 9000;
    record.ban_until = T0 + 8000;
    return record;
}

void expect_same(const NodeRecord& a, const NodeRecord& b) {
    EXPECT_EQ(a.service, b.service);
    EXPECT_EQ(a.source, b.source);
    EXPECT_EQ(a.first_seen, b.first_seen);
    EXPECT_EQ(a.last_seen, b.last_seen);
    EXPECT_EQ(a.last_try, b.last_try);
    EXPECT_EQ(a.last_success, b.last_success);
    EXPECT_EQ(a.attempts, b.attempts);
    EXPECT_EQ(a.successes, b.successes);
    EXPECT_EQ(a.consecutive_failures, b.consecutive_failures);
    EXPECT_EQ(a.last_error, b.last_error);
    EXPECT_EQ(a.handshake.protocol_version, b.handshake.protocol_version);
    EXPECT_EQ(a.handshake.services, b.handshake.services);
    EXPECT_EQ(a.handshake.user_agent, b.handshake.user_agent);
    EXPECT_EQ(a.handshake.start_height, b.handshake.start_height);
    EXPECT_EQ(a.handshake.relay, b.handshake.relay);
    EXPECT_EQ(a.handshake.connect_ms, b.handshake.connect_ms);
    EXPECT_EQ(a.handshake.handshake_ms, b.handshake.handshake_ms);
    EXPECT_EQ(a.handshake.ping_ms, b.handshake.ping_ms);
    EXPECT_EQ(a.advertised, b.advertised);
    for (std::size_t w = 0; w < WINDOW_COUNT; ++w) {
        EXPECT_EQ(a.windows[w], b.windows[w]) << "window " << w;  // exact: REAL is a double
    }
    EXPECT_EQ(a.ignore_until, b.ignore_until);
    EXPECT_EQ(a.ban_until, b.ban_until);
}

// Runs `sql` on `path` through a separate connection.
void raw_exec(const std::string& path, const char* sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    EXPECT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    sqlite3_close(db);
}

enum class Backend { sqlite, postgres };
void PrintTo(Backend backend, std::ostream* out) {
    *out << (backend == Backend::sqlite ? "sqlite" : "postgres");
}

// Runs each test on both backends. place(name) is the database `name` of this test: a file in
// the test's directory, or a new database on the shared PostgreSQL cluster (the same URL for
// the same name within a test).
class OnEachBackend : public ::testing::TestWithParam<Backend> {
protected:
    void SetUp() override {
        if (GetParam() == Backend::postgres) {
            const PostgresTestCluster& cluster = PostgresTestCluster::shared();
            ASSERT_TRUE(cluster.ok())
                << "cannot run the PostgreSQL store tests: " << cluster.error();
        }
    }

    std::string place(const std::string& name) {
        if (GetParam() == Backend::sqlite) return dir_.file(name);
        auto found = databases_.find(name);
        if (found != databases_.end()) return found->second;
        std::string url = PostgresTestCluster::shared().create_database();
        EXPECT_FALSE(url.empty()) << PostgresTestCluster::shared().error();
        databases_.emplace(name, url);
        return url;
    }

    // Runs `sql` on the database at `where` through a separate connection.
    void raw(const std::string& where, const char* sql) {
        if (GetParam() == Backend::sqlite) {
            raw_exec(where, sql);
        } else {
            EXPECT_EQ(PostgresTestCluster::exec(where, sql), "");
        }
    }

    const char* backend_name() const {
        return GetParam() == Backend::sqlite ? "sqlite" : "postgres";
    }

private:
    TempDir dir_;
    std::map<std::string, std::string> databases_;
};

INSTANTIATE_TEST_SUITE_P(CrawlStore, OnEachBackend,
                         ::testing::Values(Backend::sqlite, Backend::postgres),
                         [](const ::testing::TestParamInfo<Backend>& param) {
                             return std::string(param.param == Backend::sqlite ? "sqlite"
                                                                              : "postgres");
                         });

TEST_P(OnEachBackend, creates_the_schema_in_a_new_database) {
    CrawlStore store = open_store(place("new.db"));
    EXPECT_EQ(store.schema_version().value(), CrawlStore::CURRENT_SCHEMA_VERSION);
    EXPECT_TRUE(store.load_nodes().value().empty());
    EXPECT_TRUE(store.load_runs().value().empty());
    EXPECT_TRUE(store.integrity_check().has_value());
    EXPECT_EQ(store.counts().value().known, 0u);
}

TEST(CrawlStore, an_empty_file_becomes_a_database_in_wal_mode) {
    TempDir dir;
    std::ofstream(dir.file("empty.db")).close();
    ASSERT_EQ(std::filesystem::file_size(dir.file("empty.db")), 0u);
    CrawlStore store = open_store(dir.file("empty.db"));
    EXPECT_EQ(store.schema_version().value(), 1);
    ASSERT_TRUE(store.upsert_node(new_node_record(ipv4_service(1), T0)).has_value());
    EXPECT_TRUE(std::filesystem::exists(dir.file("empty.db-wal")));  // WAL journal mode
}

TEST_P(OnEachBackend, reopening_keeps_the_schema_and_refuses_a_newer_one) {
    std::string path = place("crawl.db");
    { open_store(path); }
    {
        CrawlStore store = open_store(path);  // the migration does not run twice
        EXPECT_EQ(store.schema_version().value(), 1);
    }
    raw(path, "UPDATE schema_version SET version = 2");
    auto store = CrawlStore::open(path);
    ASSERT_FALSE(store.has_value());
    EXPECT_EQ(store.error().error, StoreError::schema_too_new);
    std::printf("newer schema: %s (%s)\n", std::string(to_string(store.error().error)).c_str(),
                store.error().message.c_str());
}

TEST_P(OnEachBackend, upserting_the_same_service_twice_keeps_one_row_with_the_new_fields) {
    CrawlStore store = open_store(place("crawl.db"));
    NodeRecord record = new_node_record(ipv4_service(5), T0);
    auto first_id = store.upsert_node(record);
    ASSERT_TRUE(first_id.has_value());
    record_attempt(record, T0 + 100, success_outcome());
    auto second_id = store.upsert_node(record);
    ASSERT_TRUE(second_id.has_value());
    EXPECT_EQ(*first_id, *second_id);
    auto nodes = store.load_nodes().value();
    ASSERT_EQ(nodes.size(), 1u);
    EXPECT_EQ(nodes[0].attempts, 1u);
    EXPECT_EQ(nodes[0].last_success, T0 + 100);
    EXPECT_EQ(nodes[0].handshake.user_agent, "/Satoshi:27.0.0/");
    // The same address on another port is another node.
    ASSERT_TRUE(store.upsert_node(new_node_record(ipv4_service(5, 8334), T0)).has_value());
    EXPECT_EQ(store.counts().value().known, 2u);
}

TEST_P(OnEachBackend, a_record_round_trips_field_by_field) {
    CrawlStore store = open_store(place("crawl.db"));
    NodeRecord record = full_record();
    NodeRecord ipv6 = new_node_record(
        NetService{*NetAddress::parse("2001:4860:4860::8888"), 65535}, T0 - 5);
    ASSERT_TRUE(store.upsert_node(record).has_value());
    ASSERT_TRUE(store.upsert_node(ipv6).has_value());
    auto nodes = store.load_nodes().value();
    ASSERT_EQ(nodes.size(), 2u);
    expect_same(nodes[0], record);
    expect_same(nodes[1], ipv6);
    expect_same(store.load_node(record.service).value(), record);
    auto missing = store.load_node(ipv4_service(999));
    ASSERT_FALSE(missing.has_value());
    EXPECT_EQ(missing.error().error, StoreError::not_found);
}

TEST_P(OnEachBackend, a_user_agent_of_arbitrary_bytes_round_trips) {
    CrawlStore store = open_store(place("crawl.db"));
    NodeRecord record = new_node_record(ipv4_service(3), T0);
    AttemptOutcome outcome = success_outcome();
    // A peer's user agent is whatever bytes it sent: NUL, invalid UTF-8, a quote.
    outcome.handshake.user_agent = std::string("/odd\0agent\xff\xfe'\"/", 16);
    record_attempt(record, T0 + 1, outcome);
    ASSERT_TRUE(store.upsert_node(record).has_value());
    ASSERT_TRUE(store.add_attempt(record.service, T0 + 1, outcome).has_value());
    NodeRecord loaded = store.load_node(record.service).value();
    EXPECT_EQ(loaded.handshake.user_agent.size(), 16u);
    EXPECT_EQ(loaded.handshake.user_agent, outcome.handshake.user_agent);
}

TEST_P(OnEachBackend, attempts_and_advertisements_are_counted_per_node) {
    CrawlStore store = open_store(place("crawl.db"));
    NetService a = ipv4_service(1);
    NetService b = ipv4_service(2);
    ASSERT_TRUE(store.upsert_node(new_node_record(a, T0)).has_value());
    ASSERT_TRUE(store.upsert_node(new_node_record(b, T0)).has_value());
    ASSERT_TRUE(store.add_attempt(a, T0 + 1, success_outcome()).has_value());
    ASSERT_TRUE(store.add_attempt(a, T0 + 2, failure_outcome()).has_value());
    ASSERT_TRUE(store.add_attempt(a, T0 + 3, failure_outcome(CrawlError::refused)).has_value());
    ASSERT_TRUE(store.add_attempt(b, T0 + 1, success_outcome()).has_value());
    EXPECT_EQ(store.attempt_count(a).value(), 3u);
    EXPECT_EQ(store.attempt_count(b).value(), 1u);
    EXPECT_EQ(store.attempt_count(ipv4_service(3)).value(), 0u);
    auto unknown = store.add_attempt(ipv4_service(3), T0, success_outcome());
    ASSERT_FALSE(unknown.has_value());
    EXPECT_EQ(unknown.error().error, StoreError::not_found);

    ASSERT_TRUE(store.add_advertisement(a, b, T0).has_value());
    ASSERT_TRUE(store.add_advertisement(a, b, T0 + 60).has_value());
    EXPECT_EQ(store.advertisement_count(a, b).value(), 2u);
    EXPECT_EQ(store.advertisement_count(b, a).value(), 0u);
}

TEST_P(OnEachBackend, counts_known_tried_and_reachable_nodes) {
    CrawlStore store = open_store(place("crawl.db"));
    NodeRecord untried = new_node_record(ipv4_service(1), T0);
    NodeRecord up = new_node_record(ipv4_service(2), T0);
    record_attempt(up, T0 + 10, success_outcome());
    NodeRecord down = new_node_record(ipv4_service(3), T0);
    record_attempt(down, T0 + 10, success_outcome());
    record_attempt(down, T0 + 5000, failure_outcome());
    for (const NodeRecord& r : {untried, up, down}) ASSERT_TRUE(store.upsert_node(r).has_value());
    StoreCounts counts = store.counts().value();
    EXPECT_EQ(counts.known, 3u);
    EXPECT_EQ(counts.tried, 2u);
    EXPECT_EQ(counts.reachable, 1u);
}

TEST_P(OnEachBackend, nodes_due_come_longest_waiting_first_without_banned_or_future_ones) {
    CrawlStore store = open_store(place("crawl.db"));
    NodeRecord late = new_node_record(ipv4_service(1), T0 + 300);     // due at T0 + 300
    NodeRecord early = new_node_record(ipv4_service(2), T0 + 100);    // due at T0 + 100
    NodeRecord future = new_node_record(ipv4_service(3), T0 + 5000);  // not yet due
    NodeRecord banned = new_node_record(ipv4_service(4), T0);
    banned.ban_until = T0 + 100'000;
    NodeRecord middle = new_node_record(ipv4_service(5), T0 + 200);
    for (const NodeRecord& r : {late, early, future, banned, middle}) {
        ASSERT_TRUE(store.upsert_node(r).has_value());
    }
    auto due = store.nodes_due(T0 + 1000, 10).value();
    ASSERT_EQ(due.size(), 3u);
    EXPECT_EQ(due[0].service, early.service);
    EXPECT_EQ(due[1].service, middle.service);
    EXPECT_EQ(due[2].service, late.service);
    auto limited = store.nodes_due(T0 + 1000, 2).value();
    ASSERT_EQ(limited.size(), 2u);
    EXPECT_EQ(limited[1].service, middle.service);
    // A try pushes the node back in the queue.
    record_attempt(early, T0 + 1000, success_outcome());
    ASSERT_TRUE(store.upsert_node(early).has_value());
    due = store.nodes_due(T0 + 1000, 10).value();
    ASSERT_EQ(due.size(), 2u);
    EXPECT_EQ(due[0].service, middle.service);
}

TEST_P(OnEachBackend, data_survives_closing_and_reopening) {
    std::string path = place("crawl.db");
    NodeRecord record = full_record();
    CrawlRun run;
    {
        CrawlStore store = open_store(path);
        ASSERT_TRUE(store.upsert_node(record).has_value());
        ASSERT_TRUE(store.add_attempt(record.service, T0, success_outcome()).has_value());
        run.id = store.begin_run(T0).value();
        run.start_time = T0;
        run.end_time = T0 + 3600;
        run.attempts = 10;
        run.successes = 7;
        run.new_nodes = 3;
        ASSERT_TRUE(store.finish_run(run).has_value());
        // An uncommitted batch is lost when the store is closed.
        ASSERT_TRUE(store.begin_batch().has_value());
        ASSERT_TRUE(store.upsert_node(new_node_record(ipv4_service(9), T0)).has_value());
    }
    CrawlStore store = open_store(path);
    auto nodes = store.load_nodes().value();
    ASSERT_EQ(nodes.size(), 1u);
    expect_same(nodes[0], record);
    EXPECT_EQ(store.attempt_count(record.service).value(), 1u);
    auto runs = store.load_runs().value();
    ASSERT_EQ(runs.size(), 1u);
    EXPECT_EQ(runs[0], run);
}

TEST_P(OnEachBackend, batches_are_used_in_pairs) {
    CrawlStore store = open_store(place("crawl.db"));
    auto commit = store.commit_batch();
    ASSERT_FALSE(commit.has_value());
    EXPECT_EQ(commit.error().error, StoreError::batch_state);
    ASSERT_TRUE(store.begin_batch().has_value());
    EXPECT_TRUE(store.in_batch());
    EXPECT_EQ(store.begin_batch().error().error, StoreError::batch_state);
    ASSERT_TRUE(store.upsert_node(new_node_record(ipv4_service(1), T0)).has_value());
    store.rollback_batch();
    EXPECT_FALSE(store.in_batch());
    EXPECT_EQ(store.counts().value().known, 0u);
    ASSERT_TRUE(store.begin_batch().has_value());
    ASSERT_TRUE(store.upsert_node(new_node_record(ipv4_service(1), T0)).has_value());
    ASSERT_TRUE(store.commit_batch().has_value());
    EXPECT_EQ(store.counts().value().known, 1u);
}

TEST(CrawlStore, a_file_that_is_not_a_database_is_rejected_cleanly) {
    TempDir dir;
    std::string path = dir.file("garbage.db");
    {
        std::ofstream out(path, std::ios::binary);
        std::mt19937 random(7);
        for (int i = 0; i < 8192; ++i) out.put(static_cast<char>(random()));
    }
    auto store = CrawlStore::open(path);
    ASSERT_FALSE(store.has_value());
    EXPECT_EQ(store.error().error, StoreError::not_a_database);
    std::printf("garbage file: %s (%s)\n", std::string(to_string(store.error().error)).c_str(),
                store.error().message.c_str());
    auto directory = CrawlStore::open(dir.file(""));
    ASSERT_FALSE(directory.has_value());
    std::printf("directory: %s (%s)\n", std::string(to_string(directory.error().error)).c_str(),
                directory.error().message.c_str());
}

TEST(CrawlStore, a_database_with_damaged_pages_is_reported_as_corrupt) {
    TempDir dir;
    std::string path = dir.file("crawl.db");
    {
        CrawlStore store = open_store(path);
        ASSERT_TRUE(store.begin_batch().has_value());
        for (std::uint32_t i = 0; i < 2000; ++i) {
            ASSERT_TRUE(store.upsert_node(new_node_record(ipv4_service(i), T0)).has_value());
        }
        ASSERT_TRUE(store.commit_batch().has_value());
    }
    raw_exec(path, "PRAGMA wal_checkpoint(TRUNCATE)");
    {
        // Overwrite pages 2.. (the schema on page 1 stays readable) with a pattern.
        std::fstream file(path, std::ios::binary | std::ios::in | std::ios::out);
        file.seekp(4096 + 16);
        for (int i = 0; i < 3 * 4096; ++i) file.put(static_cast<char>(0x5a));
    }
    auto store = CrawlStore::open(path);
    StoreError error;
    if (!store) {
        error = store.error().error;
    } else {
        auto nodes = store->load_nodes();
        auto check = store->integrity_check();
        ASSERT_FALSE(nodes.has_value() && check.has_value());
        error = nodes ? check.error().error : nodes.error().error;
    }
    EXPECT_EQ(error, StoreError::corrupt);
}

// The writer of the kill test: resumes after the last committed batch (found in crawl_runs)
// and writes batches of BATCH_NODES nodes, each with one attempt and one crawl_runs row whose
// start_time is the batch's sequence number; every node's first_seen is that number too.
// After each commit it writes the sequence number to `report_fd`.
constexpr std::uint32_t BATCH_NODES = 25;

[[noreturn]] void kill_test_writer(const std::string& path, int report_fd) {
    auto store = CrawlStore::open(path);
    if (!store) _exit(2);
    auto runs = store->load_runs();
    if (!runs) _exit(3);
    std::int64_t sequence = runs->empty() ? 0 : runs->back().start_time + 1;
    for (;; ++sequence) {
        if (!store->begin_batch()) _exit(4);
        for (std::uint32_t i = 0; i < BATCH_NODES; ++i) {
            auto n = static_cast<std::uint32_t>(sequence) * BATCH_NODES + i;
            NodeRecord record = new_node_record(ipv4_service(n), sequence);
            record_attempt(record, sequence + 1, success_outcome());
            if (!store->upsert_node(record)) _exit(5);
            if (!store->add_attempt(record.service, sequence + 1, success_outcome())) _exit(6);
        }
        auto id = store->begin_run(sequence);
        if (!id) _exit(7);
        if (!store->finish_run(CrawlRun{*id, sequence, sequence + 1, BATCH_NODES, BATCH_NODES,
                                        BATCH_NODES})) {
            _exit(8);
        }
        if (!store->commit_batch()) _exit(9);
        if (write(report_fd, &sequence, sizeof sequence) != sizeof sequence) _exit(10);
    }
}

TEST_P(OnEachBackend, a_writer_killed_mid_batch_leaves_exactly_the_committed_batches) {
    std::string path = place("crawl.db");
    { open_store(path); }
    std::mt19937 random(2026);
    std::int64_t last_reported = -1;
    constexpr int KILLS = 8;
    for (int round = 0; round < KILLS; ++round) {
        int pipe_fds[2];
        ASSERT_EQ(pipe(pipe_fds), 0);
        pid_t child = fork();
        ASSERT_GE(child, 0);
        if (child == 0) {
            close(pipe_fds[0]);
            kill_test_writer(path, pipe_fds[1]);
        }
        close(pipe_fds[1]);
        // A PostgreSQL writer spends its first tens of milliseconds connecting.
        const unsigned base_us = GetParam() == Backend::sqlite ? 20'000 : 150'000;
        usleep(base_us + random() % 150'000);
        ASSERT_EQ(kill(child, SIGKILL), 0);
        int status = 0;
        ASSERT_EQ(waitpid(child, &status, 0), child);
        ASSERT_TRUE(WIFSIGNALED(status)) << "writer exited early with " << WEXITSTATUS(status);
        std::int64_t sequence = 0;
        while (read(pipe_fds[0], &sequence, sizeof sequence) == sizeof sequence) {
            last_reported = std::max(last_reported, sequence);
        }
        close(pipe_fds[0]);

        CrawlStore store = open_store(path);
        ASSERT_TRUE(store.integrity_check().has_value());
        auto runs = store.load_runs().value();
        // Every batch the writer saw committed is there, once; the sequence has no gaps.
        ASSERT_GE(static_cast<std::int64_t>(runs.size()), last_reported + 1);
        for (std::size_t i = 0; i < runs.size(); ++i) {
            ASSERT_EQ(runs[i].start_time, static_cast<std::int64_t>(i));
            ASSERT_EQ(runs[i].new_nodes, BATCH_NODES);
        }
        // Every batch has all its nodes and attempts; no node of an uncommitted batch exists.
        auto nodes = store.load_nodes().value();
        ASSERT_EQ(nodes.size(), runs.size() * BATCH_NODES);
        std::map<std::int64_t, std::uint32_t> per_batch;
        for (const NodeRecord& node : nodes) ++per_batch[node.first_seen];
        ASSERT_EQ(per_batch.size(), runs.size());
        for (const auto& [batch, count] : per_batch) {
            ASSERT_LT(batch, static_cast<std::int64_t>(runs.size()));
            ASSERT_EQ(count, BATCH_NODES) << "batch " << batch;
        }
        StoreCounts counts = store.counts().value();
        ASSERT_EQ(counts.known, nodes.size());
        ASSERT_EQ(counts.tried, nodes.size());
        for (std::size_t i = 0; i < nodes.size(); i += 97) {
            ASSERT_EQ(store.attempt_count(nodes[i].service).value(), 1u);
        }
        std::printf("%s kill %d: %zu batches committed (writer reported %lld)\n", backend_name(),
                    round + 1,
                    runs.size(), static_cast<long long>(last_reported + 1));
    }
    EXPECT_GT(last_reported, 0);
}

TEST_P(OnEachBackend, writes_fifty_thousand_nodes_in_one_batch) {
    std::string path = place("crawl.db");
    constexpr std::uint32_t NODES = 50'000;
    std::vector<NodeRecord> records;
    records.reserve(NODES);
    for (std::uint32_t i = 0; i < NODES; ++i) {
        NodeRecord record = new_node_record(ipv4_service(i), T0, ipv4_service(i / 100));
        if (i % 3 != 0) record_attempt(record, T0 + i, success_outcome());
        records.push_back(std::move(record));
    }
    CrawlStore store = open_store(path);
    auto start = std::chrono::steady_clock::now();
    ASSERT_TRUE(store.begin_batch().has_value());
    for (const NodeRecord& record : records) ASSERT_TRUE(store.upsert_node(record).has_value());
    ASSERT_TRUE(store.commit_batch().has_value());
    auto written = std::chrono::steady_clock::now();
    auto loaded = store.load_nodes().value();
    auto end = std::chrono::steady_clock::now();
    ASSERT_EQ(loaded.size(), NODES);
    expect_same(loaded[NODES - 1], records[NODES - 1]);
    using std::chrono::duration_cast;
    using std::chrono::milliseconds;
    std::printf("%s, 50000 nodes: written in %lld ms, loaded in %lld ms\n", backend_name(),
                static_cast<long long>(duration_cast<milliseconds>(written - start).count()),
                static_cast<long long>(duration_cast<milliseconds>(end - written).count()));
}

}  // namespace
}  // namespace bitloom
