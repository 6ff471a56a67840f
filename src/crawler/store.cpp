#include "crawler/store.h"

#include <sqlite3.h>

#include "crawler/store_backend.h"

#include <array>
#include <optional>
#include <unordered_map>
#include <utility>

namespace bitloom {

using store_detail::failure;
using store_detail::parse_service_key;
using store_detail::service_key;

std::string_view to_string(StoreError error) {
    switch (error) {
    case StoreError::cannot_open: return "cannot_open";
    case StoreError::not_a_database: return "not_a_database";
    case StoreError::corrupt: return "corrupt";
    case StoreError::schema_too_new: return "schema_too_new";
    case StoreError::busy: return "busy";
    case StoreError::io: return "io";
    case StoreError::not_found: return "not_found";
    case StoreError::batch_state: return "batch_state";
    case StoreError::other: return "other";
    }
    return "other";
}

namespace {

// Migration i takes the schema from version i to version i + 1.
constexpr std::array<const char*, CrawlStore::CURRENT_SCHEMA_VERSION> MIGRATIONS = {
    R"sql(
CREATE TABLE nodes (
    id INTEGER PRIMARY KEY,
    service BLOB NOT NULL UNIQUE,
    address TEXT NOT NULL,
    source BLOB,
    first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL,
    last_try INTEGER NOT NULL, last_success INTEGER NOT NULL,
    attempts INTEGER NOT NULL, successes INTEGER NOT NULL,
    consecutive_failures INTEGER NOT NULL, last_error INTEGER NOT NULL,
    protocol_version INTEGER NOT NULL, services INTEGER NOT NULL, user_agent TEXT NOT NULL,
    start_height INTEGER NOT NULL, relay INTEGER NOT NULL,
    connect_ms INTEGER NOT NULL, handshake_ms INTEGER NOT NULL, ping_ms INTEGER NOT NULL,
    adv_0 INTEGER NOT NULL, adv_1 INTEGER NOT NULL, adv_2 INTEGER NOT NULL,
    adv_3 INTEGER NOT NULL, adv_4 INTEGER NOT NULL,
    w0_weight REAL NOT NULL, w0_count REAL NOT NULL, w0_reliability REAL NOT NULL,
    w1_weight REAL NOT NULL, w1_count REAL NOT NULL, w1_reliability REAL NOT NULL,
    w2_weight REAL NOT NULL, w2_count REAL NOT NULL, w2_reliability REAL NOT NULL,
    w3_weight REAL NOT NULL, w3_count REAL NOT NULL, w3_reliability REAL NOT NULL,
    w4_weight REAL NOT NULL, w4_count REAL NOT NULL, w4_reliability REAL NOT NULL,
    ignore_until INTEGER NOT NULL, ban_until INTEGER NOT NULL,
    next_try INTEGER NOT NULL
);
CREATE INDEX nodes_next_try ON nodes (next_try, id);
CREATE TABLE attempts (
    id INTEGER PRIMARY KEY,
    node_id INTEGER NOT NULL REFERENCES nodes (id),
    time INTEGER NOT NULL, success INTEGER NOT NULL, error INTEGER NOT NULL,
    protocol_version INTEGER NOT NULL, services INTEGER NOT NULL, user_agent TEXT NOT NULL,
    start_height INTEGER NOT NULL,
    connect_ms INTEGER NOT NULL, handshake_ms INTEGER NOT NULL, ping_ms INTEGER NOT NULL
);
CREATE INDEX attempts_node ON attempts (node_id, time);
CREATE TABLE advertisements (
    source_id INTEGER NOT NULL REFERENCES nodes (id),
    node_id INTEGER NOT NULL REFERENCES nodes (id),
    network INTEGER NOT NULL,
    first_time INTEGER NOT NULL, last_time INTEGER NOT NULL, times INTEGER NOT NULL,
    PRIMARY KEY (source_id, node_id)
);
CREATE TABLE crawl_runs (
    id INTEGER PRIMARY KEY,
    start_time INTEGER NOT NULL, end_time INTEGER NOT NULL,
    attempts INTEGER NOT NULL, successes INTEGER NOT NULL, new_nodes INTEGER NOT NULL
);
)sql",
};

StoreError classify(int code) {
    switch (code & 0xff) {
    case SQLITE_NOTADB: return StoreError::not_a_database;
    case SQLITE_CORRUPT: return StoreError::corrupt;
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return StoreError::busy;
    case SQLITE_IOERR:
    case SQLITE_FULL: return StoreError::io;
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_READONLY: return StoreError::cannot_open;
    default: return StoreError::other;
    }
}

std::unexpected<StoreFailure> sqlite_failure(sqlite3* db, int code, std::string_view what) {
    std::string message(what);
    message += ": ";
    message += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(code);
    return failure(classify(code), std::move(message));
}

// A prepared statement, reset after every use.
class Statement {
public:
    explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
    ~Statement() { sqlite3_reset(stmt_); sqlite3_clear_bindings(stmt_); }
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    void bind(int index, std::int64_t value) { sqlite3_bind_int64(stmt_, index, value); }
    void bind_u64(int index, std::uint64_t value) {
        sqlite3_bind_int64(stmt_, index, static_cast<std::int64_t>(value));
    }
    void bind(int index, double value) { sqlite3_bind_double(stmt_, index, value); }
    void bind(int index, std::string_view text) {
        sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()),
                          SQLITE_TRANSIENT);
    }
    void bind(int index, const std::vector<std::uint8_t>& blob) {
        sqlite3_bind_blob(stmt_, index, blob.data(), static_cast<int>(blob.size()),
                          SQLITE_TRANSIENT);
    }
    void bind_null(int index) { sqlite3_bind_null(stmt_, index); }

    int step() { return sqlite3_step(stmt_); }
    std::int64_t int64(int column) const { return sqlite3_column_int64(stmt_, column); }
    std::uint64_t u64(int column) const { return static_cast<std::uint64_t>(int64(column)); }
    double real(int column) const { return sqlite3_column_double(stmt_, column); }
    std::string text(int column) const {
        const auto* data = sqlite3_column_text(stmt_, column);
        int size = sqlite3_column_bytes(stmt_, column);
        return data == nullptr ? std::string()
                               : std::string(reinterpret_cast<const char*>(data),
                                             static_cast<std::size_t>(size));
    }
    std::optional<NetService> service(int column) const {
        const void* data = sqlite3_column_blob(stmt_, column);
        int size = sqlite3_column_bytes(stmt_, column);
        if (data == nullptr || size < 0) return std::nullopt;
        return parse_service_key(static_cast<const std::uint8_t*>(data),
                                 static_cast<std::size_t>(size));
    }
    bool is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
    bool valid() const { return true; }

private:
    sqlite3_stmt* stmt_;
};


class SqliteBackend final : public store_detail::StoreBackend {
public:
    ~SqliteBackend() override {
        if (in_batch_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
        for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
        sqlite3_close(db_);
    }

    StoreResult<void> open(const std::string& path) {
        int rc = sqlite3_open_v2(path.c_str(), &db_,
                                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                                 nullptr);
        if (rc != SQLITE_OK) {
            auto result = sqlite_failure(db_, rc, "open " + path);
            if (result.error().error == StoreError::other) {
                result.error().error = StoreError::cannot_open;
            }
            return result;
        }
        sqlite3_extended_result_codes(db_, 1);
        sqlite3_busy_timeout(db_, 5000);
        // The first statement reads the header: a file that is not a database fails here.
        if (auto r = exec("PRAGMA journal_mode = WAL"); !r) return r;
        if (auto r = exec("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON"); !r) return r;
        return migrate();
    }

    StoreResult<int> schema_version() override { return read_version(); }

    StoreResult<void> begin_batch() override {
        if (in_batch_) return failure(StoreError::batch_state, "batch already open");
        if (auto r = exec("BEGIN IMMEDIATE"); !r) return r;
        in_batch_ = true;
        return {};
    }

    StoreResult<void> commit_batch() override {
        if (!in_batch_) return failure(StoreError::batch_state, "no open batch");
        in_batch_ = false;
        auto r = exec("COMMIT");
        if (!r && sqlite3_get_autocommit(db_) == 0) exec("ROLLBACK");
        return r;
    }

    void rollback_batch() override {
        if (!in_batch_) return;
        in_batch_ = false;
        exec("ROLLBACK");
    }

    bool in_batch() const override { return in_batch_; }

    StoreResult<std::int64_t> upsert_node(const NodeRecord& record) override {
        static const std::string sql = store_detail::upsert_node_sql('?');
        auto stmt = prepare(sql);
        if (!stmt) return fail(stmt.error());
        Statement s(*stmt);
        store_detail::bind_node(s, record);  // then next_try at NODE_COLUMN_COUNT + 1
        s.bind(store_detail::NODE_COLUMN_COUNT + 2,
               std::string_view(record.service.to_string()));
        int rc = s.step();
        if (rc != SQLITE_ROW) return sqlite_failure(db_, rc, "upsert node");
        return s.int64(0);
    }

    StoreResult<NodeRecord> load_node(const NetService& service) override {
        static const std::string sql = std::string("SELECT ") + store_detail::NODE_COLUMNS +
                                       " FROM nodes WHERE service = ?1";
        auto stmt = prepare(sql);
        if (!stmt) return fail(stmt.error());
        Statement s(*stmt);
        s.bind(1, service_key(service));
        int rc = s.step();
        if (rc == SQLITE_DONE) {
            return failure(StoreError::not_found, "no node " + service.to_string());
        }
        if (rc != SQLITE_ROW) return sqlite_failure(db_, rc, "load node");
        auto record = store_detail::read_node(s, 0);
        if (!record) return failure(StoreError::corrupt, "undecodable node row");
        return *record;
    }

    StoreResult<std::vector<NodeRecord>> load_nodes() override {
        static const std::string sql =
            std::string("SELECT ") + store_detail::NODE_COLUMNS + " FROM nodes ORDER BY id";
        return query_nodes(sql, std::nullopt, std::nullopt);
    }

    StoreResult<std::vector<NodeRecord>> nodes_due(std::int64_t now, std::size_t limit) override {
        static const std::string sql = std::string("SELECT ") + store_detail::NODE_COLUMNS +
                                       " FROM nodes WHERE next_try <= ?1 AND ban_until <= ?1"
                                       " ORDER BY next_try, id LIMIT ?2";
        return query_nodes(sql, now, static_cast<std::int64_t>(limit));
    }

    StoreResult<StoreCounts> counts() override {
        StoreCounts result;
        auto known = count("SELECT count(*) FROM nodes");
        if (!known) return fail(known.error());
        auto tried = count("SELECT count(*) FROM nodes WHERE attempts > 0");
        if (!tried) return fail(tried.error());
        auto reachable =
            count("SELECT count(*) FROM nodes WHERE last_try > 0 AND last_success = last_try");
        if (!reachable) return fail(reachable.error());
        result.known = *known;
        result.tried = *tried;
        result.reachable = *reachable;
        return result;
    }

    StoreResult<void> add_attempt(const NetService& service, std::int64_t time,
                                  const AttemptOutcome& outcome) override {
        auto id = node_id(service);
        if (!id) return fail(id.error());
        auto stmt = prepare(
            "INSERT INTO attempts (node_id, time, success, error, protocol_version, services, "
            "user_agent, start_height, connect_ms, handshake_ms, ping_ms) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
        if (!stmt) return fail(stmt.error());
        Statement s(*stmt);
        const HandshakeInfo& h = outcome.handshake;
        s.bind(1, *id);
        s.bind(2, time);
        s.bind(3, std::int64_t{outcome.success ? 1 : 0});
        s.bind(4, static_cast<std::int64_t>(outcome.success ? CrawlError::none : outcome.error));
        s.bind(5, std::int64_t{h.protocol_version});
        s.bind_u64(6, h.services);
        s.bind(7, std::string_view(h.user_agent));
        s.bind(8, std::int64_t{h.start_height});
        s.bind(9, h.connect_ms);
        s.bind(10, h.handshake_ms);
        s.bind(11, h.ping_ms);
        return run(s, "add attempt");
    }

    StoreResult<std::uint64_t> attempt_count(const NetService& service) override {
        auto stmt = prepare(
            "SELECT count(*) FROM attempts JOIN nodes ON nodes.id = attempts.node_id "
            "WHERE nodes.service = ?1");
        if (!stmt) return fail(stmt.error());
        Statement s(*stmt);
        s.bind(1, service_key(service));
        int rc = s.step();
        if (rc != SQLITE_ROW) return sqlite_failure(db_, rc, "attempt count");
        return s.u64(0);
    }

    StoreResult<void> add_advertisement(const NetService& source, const NetService& node,
                                        std::int64_t time) override {
        auto source_id = node_id(source);
        if (!source_id) return fail(source_id.error());
        auto target_id = node_id(node);
        if (!target_id) return fail(target_id.error());
        auto stmt = prepare(
            "INSERT INTO advertisements (source_id, node_id, network, first_time, last_time, "
            "times) VALUES (?1, ?2, ?3, ?4, ?4, 1) ON CONFLICT (source_id, node_id) DO UPDATE "
            "SET last_time = max(last_time, excluded.last_time), times = times + 1");
        if (!stmt) return fail(stmt.error());
        Statement s(*stmt);
        s.bind(1, *source_id);
        s.bind(2, *target_id);
        s.bind(3, static_cast<std::int64_t>(node.address.network()));
        s.bind(4, time);
        return run(s, "add advertisement");
    }

    StoreResult<std::uint64_t> advertisement_count(const NetService& source,
                                                   const NetService& node) override {
        auto stmt = prepare(
            "SELECT coalesce(sum(a.times), 0) FROM advertisements a "
            "JOIN nodes s ON s.id = a.source_id JOIN nodes n ON n.id = a.node_id "
            "WHERE s.service = ?1 AND n.service = ?2");
        if (!stmt) return fail(stmt.error());
        Statement s(*stmt);
        s.bind(1, service_key(source));
        s.bind(2, service_key(node));
        int rc = s.step();
        if (rc != SQLITE_ROW) return sqlite_failure(db_, rc, "advertisement count");
        return s.u64(0);
    }

    StoreResult<std::int64_t> begin_run(std::int64_t start_time) override {
        auto stmt = prepare(
            "INSERT INTO crawl_runs (start_time, end_time, attempts, successes, new_nodes) "
            "VALUES (?1, 0, 0, 0, 0) RETURNING id");
        if (!stmt) return fail(stmt.error());
        Statement s(*stmt);
        s.bind(1, start_time);
        int rc = s.step();
        if (rc != SQLITE_ROW) return sqlite_failure(db_, rc, "begin run");
        return s.int64(0);
    }

    StoreResult<void> finish_run(const CrawlRun& crawl_run) override {
        auto stmt = prepare(
            "UPDATE crawl_runs SET start_time = ?2, end_time = ?3, attempts = ?4, "
            "successes = ?5, new_nodes = ?6 WHERE id = ?1");
        if (!stmt) return fail(stmt.error());
        Statement s(*stmt);
        s.bind(1, crawl_run.id);
        s.bind(2, crawl_run.start_time);
        s.bind(3, crawl_run.end_time);
        s.bind_u64(4, crawl_run.attempts);
        s.bind_u64(5, crawl_run.successes);
        s.bind_u64(6, crawl_run.new_nodes);
        if (auto r = run(s, "finish run"); !r) return r;
        if (sqlite3_changes(db_) == 0) {
            return failure(StoreError::not_found, "no run " + std::to_string(crawl_run.id));
        }
        return {};
    }

    StoreResult<std::vector<CrawlRun>> load_runs() override {
        auto stmt = prepare(
            "SELECT id, start_time, end_time, attempts, successes, new_nodes FROM crawl_runs "
            "ORDER BY id");
        if (!stmt) return fail(stmt.error());
        Statement s(*stmt);
        std::vector<CrawlRun> runs;
        for (;;) {
            int rc = s.step();
            if (rc == SQLITE_DONE) break;
            if (rc != SQLITE_ROW) return sqlite_failure(db_, rc, "load runs");
            runs.push_back(
                CrawlRun{s.int64(0), s.int64(1), s.int64(2), s.u64(3), s.u64(4), s.u64(5)});
        }
        return runs;
    }

    StoreResult<void> integrity_check() override {
        auto stmt = prepare("PRAGMA integrity_check");
        if (!stmt) return fail(stmt.error());
        Statement s(*stmt);
        std::string report;
        for (;;) {
            int rc = s.step();
            if (rc == SQLITE_DONE) break;
            if (rc != SQLITE_ROW) return sqlite_failure(db_, rc, "integrity check");
            if (!report.empty()) report += "; ";
            report += s.text(0);
        }
        if (report == "ok") return {};
        return failure(StoreError::corrupt, report);
    }

private:
    StoreResult<void> exec(const char* sql) {
        char* error = nullptr;
        int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &error);
        if (rc == SQLITE_OK) return {};
        std::string message = error != nullptr ? error : sqlite3_errstr(rc);
        sqlite3_free(error);
        return failure(classify(rc), std::string(sql).substr(0, 40) + ": " + message);
    }

    // The cached statement for `sql`, prepared on first use.
    StoreResult<sqlite3_stmt*> prepare(const std::string& sql) {
        auto found = statements_.find(sql);
        if (found != statements_.end()) return found->second;
        sqlite3_stmt* stmt = nullptr;
        int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
        if (rc != SQLITE_OK) return sqlite_failure(db_, rc, "prepare");
        statements_.emplace(sql, stmt);
        return stmt;
    }

    // Steps a statement that returns no rows.
    StoreResult<void> run(Statement& s, std::string_view what) {
        int rc = s.step();
        if (rc != SQLITE_DONE && rc != SQLITE_ROW) return sqlite_failure(db_, rc, what);
        return {};
    }

    StoreResult<std::int64_t> node_id(const NetService& service) {
        auto stmt = prepare("SELECT id FROM nodes WHERE service = ?1");
        if (!stmt) return fail(stmt.error());
        Statement s(*stmt);
        s.bind(1, service_key(service));
        int rc = s.step();
        if (rc == SQLITE_ROW) return s.int64(0);
        if (rc == SQLITE_DONE) {
            return failure(StoreError::not_found, "no node " + service.to_string());
        }
        return sqlite_failure(db_, rc, "node id");
    }

    StoreResult<std::vector<NodeRecord>> query_nodes(const std::string& sql,
                                                     std::optional<std::int64_t> now,
                                                     std::optional<std::int64_t> limit) {
        auto stmt = prepare(sql);
        if (!stmt) return fail(stmt.error());
        Statement s(*stmt);
        if (now) s.bind(1, *now);
        if (limit) s.bind(2, *limit);
        std::vector<NodeRecord> nodes;
        for (;;) {
            int rc = s.step();
            if (rc == SQLITE_DONE) break;
            if (rc != SQLITE_ROW) return sqlite_failure(db_, rc, "load nodes");
            auto record = store_detail::read_node(s, 0);
            if (!record) return failure(StoreError::corrupt, "undecodable node row");
            nodes.push_back(std::move(*record));
        }
        return nodes;
    }

    StoreResult<std::uint64_t> count(const std::string& sql) {
        auto stmt = prepare(sql);
        if (!stmt) return fail(stmt.error());
        Statement s(*stmt);
        int rc = s.step();
        if (rc != SQLITE_ROW) return sqlite_failure(db_, rc, "count");
        return s.u64(0);
    }

    StoreResult<int> read_version() {
        auto has_table = count(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = "
            "'schema_version'");
        if (!has_table) return fail(has_table.error());
        if (*has_table == 0) return 0;
        auto version = count("SELECT version FROM schema_version");
        if (!version) return fail(version.error());
        return static_cast<int>(*version);
    }

    StoreResult<void> migrate() {
        if (auto r = exec("BEGIN IMMEDIATE"); !r) return r;
        auto result = [&]() -> StoreResult<void> {
            auto version = read_version();
            if (!version) return fail(version.error());
            if (*version > CrawlStore::CURRENT_SCHEMA_VERSION) {
                return failure(StoreError::schema_too_new,
                               "schema version " + std::to_string(*version));
            }
            if (*version == 0) {
                if (auto r = exec("CREATE TABLE schema_version (version INTEGER NOT NULL);"
                                  "INSERT INTO schema_version VALUES (0)");
                    !r) {
                    return r;
                }
            }
            for (int v = *version; v < CrawlStore::CURRENT_SCHEMA_VERSION; ++v) {
                if (auto r = exec(MIGRATIONS[static_cast<std::size_t>(v)]); !r) return r;
            }
            std::string set_version = "UPDATE schema_version SET version = " +
                                      std::to_string(CrawlStore::CURRENT_SCHEMA_VERSION);
            return exec(set_version.c_str());
        }();
        if (!result) {
            exec("ROLLBACK");
            return result;
        }
        return exec("COMMIT");
    }

    sqlite3* db_ = nullptr;
    bool in_batch_ = false;
    std::unordered_map<std::string, sqlite3_stmt*> statements_;
};

bool is_postgres_url(const std::string& path) {
    return path.starts_with("postgresql://") || path.starts_with("postgres://");
}

}  // namespace

namespace store_detail {

std::vector<std::uint8_t> service_key(const NetService& service) {
    ByteSpan bytes = service.address.bytes();
    std::vector<std::uint8_t> key;
    key.reserve(bytes.size() + 3);
    key.push_back(static_cast<std::uint8_t>(service.address.network()));
    key.insert(key.end(), bytes.begin(), bytes.end());
    key.push_back(static_cast<std::uint8_t>(service.port >> 8));
    key.push_back(static_cast<std::uint8_t>(service.port & 0xff));
    return key;
}

std::optional<NetService> parse_service_key(const std::uint8_t* data, std::size_t size) {
    if (data == nullptr || size < 3) return std::nullopt;
    auto address = NetAddress::from_bip155(data[0], ByteSpan(data + 1, size - 3));
    if (!address) return std::nullopt;
    auto port = static_cast<std::uint16_t>((data[size - 2] << 8) | data[size - 1]);
    return NetService{*address, port};
}

std::string upsert_node_sql(char placeholder) {
    const std::string p(1, placeholder);
    std::string text = std::string("INSERT INTO nodes (") + NODE_COLUMNS +
                       ", next_try, address) VALUES (";
    for (int i = 1; i <= NODE_COLUMN_COUNT + 1; ++i) text += p + std::to_string(i) + ", ";
    text += p + std::to_string(NODE_COLUMN_COUNT + 2) + ") ON CONFLICT (service) DO UPDATE SET ";
    std::string columns = NODE_COLUMNS;
    columns += ", next_try, address";
    std::size_t start = 0;
    bool first = true;
    while (start < columns.size()) {
        std::size_t end = columns.find(',', start);
        if (end == std::string::npos) end = columns.size();
        std::string name = columns.substr(start, end - start);
        while (!name.empty() && name.front() == ' ') name.erase(name.begin());
        if (name != "service") {
            if (!first) text += ", ";
            text += name + " = excluded." + name;
            first = false;
        }
        start = end + 1;
    }
    text += " RETURNING id";
    return text;
}

StoreResult<std::unique_ptr<StoreBackend>> open_sqlite_backend(const std::string& path) {
    auto backend = std::make_unique<SqliteBackend>();
    if (auto r = backend->open(path); !r) return fail(r.error());
    return std::unique_ptr<StoreBackend>(std::move(backend));
}

}  // namespace store_detail

struct CrawlStore::Impl {
    std::unique_ptr<store_detail::StoreBackend> backend;
};

CrawlStore::CrawlStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CrawlStore::CrawlStore(CrawlStore&&) noexcept = default;
CrawlStore& CrawlStore::operator=(CrawlStore&&) noexcept = default;
CrawlStore::~CrawlStore() = default;

StoreResult<CrawlStore> CrawlStore::open(const std::string& path) {
    if (is_postgres_url(path)) return open_postgres(path);
    auto backend = store_detail::open_sqlite_backend(path);
    if (!backend) return fail(backend.error());
    return CrawlStore(std::make_unique<Impl>(Impl{std::move(*backend)}));
}

StoreResult<CrawlStore> CrawlStore::open_postgres(const std::string& conninfo) {
    auto backend = store_detail::open_postgres_backend(conninfo);
    if (!backend) return fail(backend.error());
    return CrawlStore(std::make_unique<Impl>(Impl{std::move(*backend)}));
}

StoreResult<int> CrawlStore::schema_version() { return impl_->backend->schema_version(); }
StoreResult<void> CrawlStore::begin_batch() { return impl_->backend->begin_batch(); }
StoreResult<void> CrawlStore::commit_batch() { return impl_->backend->commit_batch(); }
void CrawlStore::rollback_batch() { impl_->backend->rollback_batch(); }
bool CrawlStore::in_batch() const { return impl_->backend->in_batch(); }

StoreResult<std::int64_t> CrawlStore::upsert_node(const NodeRecord& record) {
    return impl_->backend->upsert_node(record);
}

StoreResult<NodeRecord> CrawlStore::load_node(const NetService& service) {
    return impl_->backend->load_node(service);
}

StoreResult<std::vector<NodeRecord>> CrawlStore::load_nodes() {
    return impl_->backend->load_nodes();
}

StoreResult<std::vector<NodeRecord>> CrawlStore::nodes_due(std::int64_t now, std::size_t limit) {
    return impl_->backend->nodes_due(now, limit);
}

StoreResult<StoreCounts> CrawlStore::counts() { return impl_->backend->counts(); }

StoreResult<void> CrawlStore::add_attempt(const NetService& service, std::int64_t time,
                                          const AttemptOutcome& outcome) {
    return impl_->backend->add_attempt(service, time, outcome);
}

StoreResult<std::uint64_t> CrawlStore::attempt_count(const NetService& service) {
    return impl_->backend->attempt_count(service);
}

StoreResult<void> CrawlStore::add_advertisement(const NetService& source, const NetService& node,
                                                std::int64_t time) {
    return impl_->backend->add_advertisement(source, node, time);
}

StoreResult<std::uint64_t> CrawlStore::advertisement_count(const NetService& source,
                                                           const NetService& node) {
    return impl_->backend->advertisement_count(source, node);
}

StoreResult<std::int64_t> CrawlStore::begin_run(std::int64_t start_time) {
    return impl_->backend->begin_run(start_time);
}

StoreResult<void> CrawlStore::finish_run(const CrawlRun& run) {
    return impl_->backend->finish_run(run);
}

StoreResult<std::vector<CrawlRun>> CrawlStore::load_runs() { return impl_->backend->load_runs(); }

StoreResult<void> CrawlStore::integrity_check() { return impl_->backend->integrity_check(); }

}  // namespace bitloom
