// The crawl store on PostgreSQL (libpq). Statements are prepared once per connection and run
// with every parameter and every result column in PostgreSQL's binary format (int8 and float8
// as 8 big-endian bytes, bytea and text as their bytes), so doubles and the top bit of
// uint64 values round-trip exactly. Every integer column is BIGINT so that each integer
// parameter and result is an int8.
#include <libpq-fe.h>

#include <array>
#include <bit>
#include <cstring>
#include <unordered_map>
#include <utility>

#include "crawler/store_backend.h"
#include "util/endian.h"

namespace bitloom::store_detail {
namespace {

// Migration i takes the schema from version i to version i + 1.
constexpr std::array<const char*, CrawlStore::CURRENT_SCHEMA_VERSION> PG_MIGRATIONS = {
    R"sql(
CREATE TABLE nodes (
    id BIGSERIAL PRIMARY KEY,
    service BYTEA NOT NULL UNIQUE,
    address TEXT NOT NULL,
    source BYTEA,
    first_seen BIGINT NOT NULL, last_seen BIGINT NOT NULL,
    last_try BIGINT NOT NULL, last_success BIGINT NOT NULL,
    attempts BIGINT NOT NULL, successes BIGINT NOT NULL,
    consecutive_failures BIGINT NOT NULL, last_error BIGINT NOT NULL,
    protocol_version BIGINT NOT NULL, services BIGINT NOT NULL, user_agent BYTEA NOT NULL,
    start_height BIGINT NOT NULL, relay BIGINT NOT NULL,
    connect_ms BIGINT NOT NULL, handshake_ms BIGINT NOT NULL, ping_ms BIGINT NOT NULL,
    adv_0 BIGINT NOT NULL, adv_1 BIGINT NOT NULL, adv_2 BIGINT NOT NULL,
    adv_3 BIGINT NOT NULL, adv_4 BIGINT NOT NULL,
    w0_weight DOUBLE PRECISION NOT NULL, w0_count DOUBLE PRECISION NOT NULL,
    w0_reliability DOUBLE PRECISION NOT NULL,
    w1_weight DOUBLE PRECISION NOT NULL, w1_count DOUBLE PRECISION NOT NULL,
    w1_reliability DOUBLE PRECISION NOT NULL,
    w2_weight DOUBLE PRECISION NOT NULL, w2_count DOUBLE PRECISION NOT NULL,
    w2_reliability DOUBLE PRECISION NOT NULL,
    w3_weight DOUBLE PRECISION NOT NULL, w3_count DOUBLE PRECISION NOT NULL,
    w3_reliability DOUBLE PRECISION NOT NULL,
    w4_weight DOUBLE PRECISION NOT NULL, w4_count DOUBLE PRECISION NOT NULL,
    w4_reliability DOUBLE PRECISION NOT NULL,
    ignore_until BIGINT NOT NULL, ban_until BIGINT NOT NULL,
    next_try BIGINT NOT NULL
);
CREATE INDEX nodes_next_try ON nodes (next_try, id);
CREATE TABLE attempts (
    id BIGSERIAL PRIMARY KEY,
    node_id BIGINT NOT NULL REFERENCES nodes (id),
    time BIGINT NOT NULL, success BIGINT NOT NULL, error BIGINT NOT NULL,
    protocol_version BIGINT NOT NULL, services BIGINT NOT NULL, user_agent BYTEA NOT NULL,
    start_height BIGINT NOT NULL,
    connect_ms BIGINT NOT NULL, handshake_ms BIGINT NOT NULL, ping_ms BIGINT NOT NULL
);
CREATE INDEX attempts_node ON attempts (node_id, time);
CREATE TABLE advertisements (
    source_id BIGINT NOT NULL REFERENCES nodes (id),
    node_id BIGINT NOT NULL REFERENCES nodes (id),
    network BIGINT NOT NULL,
    first_time BIGINT NOT NULL, last_time BIGINT NOT NULL, times BIGINT NOT NULL,
    PRIMARY KEY (source_id, node_id)
);
CREATE TABLE crawl_runs (
    id BIGSERIAL PRIMARY KEY,
    start_time BIGINT NOT NULL, end_time BIGINT NOT NULL,
    attempts BIGINT NOT NULL, successes BIGINT NOT NULL, new_nodes BIGINT NOT NULL
);
)sql",
};

// The key of the advisory lock the migration holds ("bitloom" in ASCII).
constexpr const char* MIGRATION_LOCK = "SELECT pg_advisory_xact_lock(27700496474009453)";

struct ResultDeleter {
    void operator()(PGresult* result) const { PQclear(result); }
};
using PgResult = std::unique_ptr<PGresult, ResultDeleter>;

StoreError classify_sqlstate(const char* state) {
    if (state == nullptr) return StoreError::io;  // no server answer: the connection failed
    std::string_view code(state);
    if (code == "40001" || code == "40P01" || code == "55P03") return StoreError::busy;
    if (code == "XX001" || code == "XX002") return StoreError::corrupt;
    if (code.starts_with("53") || code.starts_with("58") || code.starts_with("08")) {
        return StoreError::io;
    }
    return StoreError::other;
}

// The parameters of one statement, all in binary format.
class Params {
public:
    void bind(int index, std::int64_t value) {
        std::string& slot = slot_at(index, false);
        slot.resize(8);
        write_be64(reinterpret_cast<std::uint8_t*>(slot.data()), static_cast<std::uint64_t>(value));
    }
    void bind_u64(int index, std::uint64_t value) {
        bind(index, static_cast<std::int64_t>(value));
    }
    void bind(int index, double value) {
        bind(index, std::bit_cast<std::int64_t>(value));
    }
    void bind(int index, std::string_view bytes) { slot_at(index, false).assign(bytes); }
    void bind(int index, const std::vector<std::uint8_t>& bytes) {
        slot_at(index, false).assign(bytes.begin(), bytes.end());
    }
    void bind_null(int index) { slot_at(index, true).clear(); }

    int count() const { return static_cast<int>(values_.size()); }
    // Pointers into this object: valid while it lives and is not bound again.
    void pointers(std::vector<const char*>& values, std::vector<int>& lengths,
                  std::vector<int>& formats) const {
        values.clear();
        lengths.clear();
        formats.assign(values_.size(), 1);
        for (std::size_t i = 0; i < values_.size(); ++i) {
            values.push_back(nulls_[i] ? nullptr : values_[i].data());
            lengths.push_back(static_cast<int>(values_[i].size()));
        }
    }

private:
    std::string& slot_at(int index, bool null) {
        auto at = static_cast<std::size_t>(index - 1);
        if (values_.size() <= at) {
            values_.resize(at + 1);
            nulls_.resize(at + 1, false);
        }
        nulls_[at] = null;
        return values_[at];
    }
    std::vector<std::string> values_;
    std::vector<bool> nulls_;
};

// One row of a binary-format result. An accessor that meets a value of the wrong size (a
// schema that is not ours) returns 0 and marks the row invalid.
class Row {
public:
    Row(const PGresult* result, int row) : result_(result), row_(row) {}

    std::int64_t int64(int column) const {
        if (PQgetisnull(result_, row_, column) || PQgetlength(result_, row_, column) != 8) {
            valid_ = false;
            return 0;
        }
        return static_cast<std::int64_t>(
            read_be64(reinterpret_cast<const std::uint8_t*>(PQgetvalue(result_, row_, column))));
    }
    std::uint64_t u64(int column) const { return static_cast<std::uint64_t>(int64(column)); }
    double real(int column) const { return std::bit_cast<double>(int64(column)); }
    std::string text(int column) const {
        return std::string(PQgetvalue(result_, row_, column),
                           static_cast<std::size_t>(PQgetlength(result_, row_, column)));
    }
    std::optional<NetService> service(int column) const {
        if (PQgetisnull(result_, row_, column)) return std::nullopt;
        return parse_service_key(
            reinterpret_cast<const std::uint8_t*>(PQgetvalue(result_, row_, column)),
            static_cast<std::size_t>(PQgetlength(result_, row_, column)));
    }
    bool is_null(int column) const { return PQgetisnull(result_, row_, column) != 0; }
    bool valid() const { return valid_; }

private:
    const PGresult* result_;
    int row_;
    mutable bool valid_ = true;
};

class PostgresBackend final : public StoreBackend {
public:
    ~PostgresBackend() override {
        if (conn_ != nullptr) {
            if (in_batch_) PQclear(PQexec(conn_, "ROLLBACK"));
            PQfinish(conn_);
        }
    }

    StoreResult<void> open(const std::string& conninfo) {
        conn_ = PQconnectdb(conninfo.c_str());
        if (conn_ == nullptr) return failure(StoreError::cannot_open, "libpq: out of memory");
        if (PQstatus(conn_) != CONNECTION_OK) {
            return failure(StoreError::cannot_open,
                           "connect: " + trimmed(PQerrorMessage(conn_)));
        }
        PQsetNoticeProcessor(conn_, [](void*, const char*) {}, nullptr);
        if (auto r = exec("SET client_min_messages = warning"); !r) return r;
        return migrate();
    }

    StoreResult<int> schema_version() override { return read_version(); }

    StoreResult<void> begin_batch() override {
        if (in_batch_) return failure(StoreError::batch_state, "batch already open");
        if (auto r = exec("BEGIN"); !r) return r;
        in_batch_ = true;
        return {};
    }

    StoreResult<void> commit_batch() override {
        if (!in_batch_) return failure(StoreError::batch_state, "no open batch");
        in_batch_ = false;
        PgResult result(PQexec(conn_, "COMMIT"));
        if (PQresultStatus(result.get()) != PGRES_COMMAND_OK) {
            auto error = result_failure(result.get(), "COMMIT");
            if (PQtransactionStatus(conn_) != PQTRANS_IDLE) PQclear(PQexec(conn_, "ROLLBACK"));
            return error;
        }
        // COMMIT of a transaction an earlier error aborted rolls it back and says so.
        if (std::string_view(PQcmdStatus(result.get())) != "COMMIT") {
            return failure(StoreError::other, "batch rolled back: a statement in it failed");
        }
        return {};
    }

    void rollback_batch() override {
        if (!in_batch_) return;
        in_batch_ = false;
        PQclear(PQexec(conn_, "ROLLBACK"));
    }

    bool in_batch() const override { return in_batch_; }

    StoreResult<std::int64_t> upsert_node(const NodeRecord& record) override {
        static const std::string sql = upsert_node_sql('$');
        Params p;
        bind_node(p, record);
        p.bind(NODE_COLUMN_COUNT + 2, std::string_view(record.service.to_string()));
        auto result = run(sql, p, "upsert node");
        if (!result) return fail(result.error());
        return single_int64(result->get(), "upsert node");
    }

    StoreResult<NodeRecord> load_node(const NetService& service) override {
        static const std::string sql =
            std::string("SELECT ") + NODE_COLUMNS + " FROM nodes WHERE service = $1";
        Params p;
        p.bind(1, service_key(service));
        auto nodes = query_nodes(sql, p);
        if (!nodes) return fail(nodes.error());
        if (nodes->empty()) return failure(StoreError::not_found, "no node " + service.to_string());
        return std::move(nodes->front());
    }

    StoreResult<std::vector<NodeRecord>> load_nodes() override {
        static const std::string sql =
            std::string("SELECT ") + NODE_COLUMNS + " FROM nodes ORDER BY id";
        return query_nodes(sql, Params{});
    }

    StoreResult<std::vector<NodeRecord>> nodes_due(std::int64_t now, std::size_t limit) override {
        static const std::string sql = std::string("SELECT ") + NODE_COLUMNS +
                                       " FROM nodes WHERE next_try <= $1 AND ban_until <= $1"
                                       " ORDER BY next_try, id LIMIT $2";
        Params p;
        p.bind(1, now);
        p.bind(2, static_cast<std::int64_t>(limit));
        return query_nodes(sql, p);
    }

    StoreResult<StoreCounts> counts() override {
        auto result = run(
            "SELECT count(*), count(*) FILTER (WHERE attempts > 0), "
            "count(*) FILTER (WHERE last_try > 0 AND last_success = last_try) FROM nodes",
            Params{}, "counts");
        if (!result) return fail(result.error());
        if (PQntuples(result->get()) != 1 || PQnfields(result->get()) != 3) {
            return failure(StoreError::corrupt, "counts: unexpected result shape");
        }
        Row row(result->get(), 0);
        StoreCounts counts{row.u64(0), row.u64(1), row.u64(2)};
        if (!row.valid()) return failure(StoreError::corrupt, "counts: unexpected column types");
        return counts;
    }

    StoreResult<void> add_attempt(const NetService& service, std::int64_t time,
                                  const AttemptOutcome& outcome) override {
        auto id = node_id(service);
        if (!id) return fail(id.error());
        const HandshakeInfo& h = outcome.handshake;
        Params p;
        p.bind(1, *id);
        p.bind(2, time);
        p.bind(3, std::int64_t{outcome.success ? 1 : 0});
        p.bind(4, static_cast<std::int64_t>(outcome.success ? CrawlError::none : outcome.error));
        p.bind(5, std::int64_t{h.protocol_version});
        p.bind_u64(6, h.services);
        p.bind(7, std::string_view(h.user_agent));
        p.bind(8, std::int64_t{h.start_height});
        p.bind(9, h.connect_ms);
        p.bind(10, h.handshake_ms);
        p.bind(11, h.ping_ms);
        auto result = run(
            "INSERT INTO attempts (node_id, time, success, error, protocol_version, services, "
            "user_agent, start_height, connect_ms, handshake_ms, ping_ms) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            p, "add attempt");
        if (!result) return fail(result.error());
        return {};
    }

    StoreResult<std::uint64_t> attempt_count(const NetService& service) override {
        Params p;
        p.bind(1, service_key(service));
        auto result = run(
            "SELECT count(*) FROM attempts JOIN nodes ON nodes.id = attempts.node_id "
            "WHERE nodes.service = $1",
            p, "attempt count");
        if (!result) return fail(result.error());
        auto count = single_int64(result->get(), "attempt count");
        if (!count) return fail(count.error());
        return static_cast<std::uint64_t>(*count);
    }

    StoreResult<void> add_advertisement(const NetService& source, const NetService& node,
                                        std::int64_t time) override {
        auto source_id = node_id(source);
        if (!source_id) return fail(source_id.error());
        auto target_id = node_id(node);
        if (!target_id) return fail(target_id.error());
        Params p;
        p.bind(1, *source_id);
        p.bind(2, *target_id);
        p.bind(3, static_cast<std::int64_t>(node.address.network()));
        p.bind(4, time);
        auto result = run(
            "INSERT INTO advertisements AS a (source_id, node_id, network, first_time, "
            "last_time, times) VALUES ($1, $2, $3, $4, $4, 1) ON CONFLICT (source_id, node_id) "
            "DO UPDATE SET last_time = greatest(a.last_time, excluded.last_time), "
            "times = a.times + 1",
            p, "add advertisement");
        if (!result) return fail(result.error());
        return {};
    }

    StoreResult<std::uint64_t> advertisement_count(const NetService& source,
                                                   const NetService& node) override {
        Params p;
        p.bind(1, service_key(source));
        p.bind(2, service_key(node));
        auto result = run(
            "SELECT coalesce(sum(a.times), 0)::bigint FROM advertisements a "
            "JOIN nodes s ON s.id = a.source_id JOIN nodes n ON n.id = a.node_id "
            "WHERE s.service = $1 AND n.service = $2",
            p, "advertisement count");
        if (!result) return fail(result.error());
        auto count = single_int64(result->get(), "advertisement count");
        if (!count) return fail(count.error());
        return static_cast<std::uint64_t>(*count);
    }

    StoreResult<std::int64_t> begin_run(std::int64_t start_time) override {
        Params p;
        p.bind(1, start_time);
        auto result = run(
            "INSERT INTO crawl_runs (start_time, end_time, attempts, successes, new_nodes) "
            "VALUES ($1, 0, 0, 0, 0) RETURNING id",
            p, "begin run");
        if (!result) return fail(result.error());
        return single_int64(result->get(), "begin run");
    }

    StoreResult<void> finish_run(const CrawlRun& crawl_run) override {
        Params p;
        p.bind(1, crawl_run.id);
        p.bind(2, crawl_run.start_time);
        p.bind(3, crawl_run.end_time);
        p.bind_u64(4, crawl_run.attempts);
        p.bind_u64(5, crawl_run.successes);
        p.bind_u64(6, crawl_run.new_nodes);
        auto result = run(
            "UPDATE crawl_runs SET start_time = $2, end_time = $3, attempts = $4, "
            "successes = $5, new_nodes = $6 WHERE id = $1",
            p, "finish run");
        if (!result) return fail(result.error());
        if (std::string_view(PQcmdTuples(result->get())) == "0") {
            return failure(StoreError::not_found, "no run " + std::to_string(crawl_run.id));
        }
        return {};
    }

    StoreResult<std::vector<CrawlRun>> load_runs() override {
        auto result = run(
            "SELECT id, start_time, end_time, attempts, successes, new_nodes FROM crawl_runs "
            "ORDER BY id",
            Params{}, "load runs");
        if (!result) return fail(result.error());
        std::vector<CrawlRun> runs;
        if (PQnfields(result->get()) != 6) {
            return failure(StoreError::corrupt, "load runs: unexpected result shape");
        }
        for (int i = 0; i < PQntuples(result->get()); ++i) {
            Row row(result->get(), i);
            runs.push_back(CrawlRun{row.int64(0), row.int64(1), row.int64(2), row.u64(3),
                                    row.u64(4), row.u64(5)});
            if (!row.valid()) return failure(StoreError::corrupt, "undecodable run row");
        }
        return runs;
    }

    StoreResult<void> integrity_check() override {
        auto result = run(
            "SELECT (SELECT count(*) FROM attempts t WHERE NOT EXISTS "
            "(SELECT 1 FROM nodes n WHERE n.id = t.node_id)) + "
            "(SELECT count(*) FROM advertisements a WHERE NOT EXISTS "
            "(SELECT 1 FROM nodes n WHERE n.id = a.source_id) OR NOT EXISTS "
            "(SELECT 1 FROM nodes n WHERE n.id = a.node_id))",
            Params{}, "integrity check");
        if (!result) return fail(result.error());
        auto orphans = single_int64(result->get(), "integrity check");
        if (!orphans) return fail(orphans.error());
        if (*orphans != 0) {
            return failure(StoreError::corrupt,
                           std::to_string(*orphans) + " rows refer to missing nodes");
        }
        return {};
    }

private:
    static std::string trimmed(const char* message) {
        std::string text = message != nullptr ? message : "";
        while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
        return text;
    }

    std::unexpected<StoreFailure> result_failure(const PGresult* result, std::string_view what) {
        const char* state = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE)
                                              : nullptr;
        std::string message(what);
        message += ": ";
        message += trimmed(result != nullptr ? PQresultErrorMessage(result) : nullptr);
        if (message.size() == what.size() + 2) message += trimmed(PQerrorMessage(conn_));
        if (state != nullptr) {
            message += " (SQLSTATE ";
            message += state;
            message += ")";
        }
        return failure(classify_sqlstate(state), std::move(message));
    }

    // Runs statements without parameters (simple query protocol, text results).
    StoreResult<void> exec(const char* sql) {
        PgResult result(PQexec(conn_, sql));
        ExecStatusType status = PQresultStatus(result.get());
        if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return {};
        return result_failure(result.get(), std::string_view(sql).substr(0, 40));
    }

    // Runs `sql` (prepared on first use on this connection) with `params`; binary results.
    StoreResult<PgResult> run(const std::string& sql, const Params& params,
                              std::string_view what) {
        auto found = prepared_.find(sql);
        if (found == prepared_.end()) {
            std::string name = "s" + std::to_string(prepared_.size());
            PgResult prepared(PQprepare(conn_, name.c_str(), sql.c_str(), 0, nullptr));
            if (PQresultStatus(prepared.get()) != PGRES_COMMAND_OK) {
                return result_failure(prepared.get(), what);
            }
            found = prepared_.emplace(sql, std::move(name)).first;
        }
        std::vector<const char*> values;
        std::vector<int> lengths;
        std::vector<int> formats;
        params.pointers(values, lengths, formats);
        PgResult result(PQexecPrepared(conn_, found->second.c_str(), params.count(),
                                       values.data(), lengths.data(), formats.data(), 1));
        ExecStatusType status = PQresultStatus(result.get());
        if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
            return result_failure(result.get(), what);
        }
        return result;
    }

    StoreResult<std::int64_t> single_int64(const PGresult* result, std::string_view what) {
        if (PQntuples(result) != 1 || PQnfields(result) != 1) {
            return failure(StoreError::corrupt, std::string(what) + ": unexpected result shape");
        }
        Row row(result, 0);
        std::int64_t value = row.int64(0);
        if (!row.valid()) {
            return failure(StoreError::corrupt, std::string(what) + ": unexpected column type");
        }
        return value;
    }

    StoreResult<std::int64_t> node_id(const NetService& service) {
        Params p;
        p.bind(1, service_key(service));
        auto result = run("SELECT id FROM nodes WHERE service = $1", p, "node id");
        if (!result) return fail(result.error());
        if (PQntuples(result->get()) == 0) {
            return failure(StoreError::not_found, "no node " + service.to_string());
        }
        return single_int64(result->get(), "node id");
    }

    StoreResult<std::vector<NodeRecord>> query_nodes(const std::string& sql, const Params& p) {
        auto result = run(sql, p, "load nodes");
        if (!result) return fail(result.error());
        if (PQnfields(result->get()) != NODE_COLUMN_COUNT) {
            return failure(StoreError::corrupt, "load nodes: unexpected result shape");
        }
        std::vector<NodeRecord> nodes;
        const int rows = PQntuples(result->get());
        nodes.reserve(static_cast<std::size_t>(rows));
        for (int i = 0; i < rows; ++i) {
            auto record = read_node(Row(result->get(), i), 0);
            if (!record) return failure(StoreError::corrupt, "undecodable node row");
            nodes.push_back(std::move(*record));
        }
        return nodes;
    }

    StoreResult<int> read_version() {
        auto has_table =
            run("SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = current_schema() "
                "AND tablename = 'schema_version'",
                Params{}, "schema version");
        if (!has_table) return fail(has_table.error());
        auto count = single_int64(has_table->get(), "schema version");
        if (!count) return fail(count.error());
        if (*count == 0) return 0;
        auto version = run("SELECT version FROM schema_version", Params{}, "schema version");
        if (!version) return fail(version.error());
        auto value = single_int64(version->get(), "schema version");
        if (!value) return fail(value.error());
        return static_cast<int>(*value);
    }

    StoreResult<void> migrate() {
        if (auto r = exec("BEGIN"); !r) return r;
        auto result = [&]() -> StoreResult<void> {
            if (auto r = exec(MIGRATION_LOCK); !r) return r;
            auto version = read_version();
            if (!version) return fail(version.error());
            if (*version > CrawlStore::CURRENT_SCHEMA_VERSION) {
                return failure(StoreError::schema_too_new,
                               "schema version " + std::to_string(*version));
            }
            if (*version == 0) {
                if (auto r = exec("CREATE TABLE schema_version (version BIGINT NOT NULL);"
                                  "INSERT INTO schema_version VALUES (0)");
                    !r) {
                    return r;
                }
            }
            for (int v = *version; v < CrawlStore::CURRENT_SCHEMA_VERSION; ++v) {
                if (auto r = exec(PG_MIGRATIONS[static_cast<std::size_t>(v)]); !r) return r;
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

    PGconn* conn_ = nullptr;
    bool in_batch_ = false;
    std::unordered_map<std::string, std::string> prepared_;  // sql -> statement name
};

}  // namespace

StoreResult<std::unique_ptr<StoreBackend>> open_postgres_backend(const std::string& conninfo) {
    auto backend = std::make_unique<PostgresBackend>();
    if (auto r = backend->open(conninfo); !r) return fail(r.error());
    return std::unique_ptr<StoreBackend>(std::move(backend));
}

}  // namespace bitloom::store_detail
