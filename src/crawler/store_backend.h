// Inside the crawl store (crawler/store.h): the interface each database behind CrawlStore
// implements, and the pieces the implementations share (the service key, the node columns and
// their order, and the mapping between a NodeRecord and a row). Not for use outside
// store*.cpp.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crawler/store.h"

namespace bitloom::store_detail {

// One database: the operations of CrawlStore with the same contracts (see store.h).
class StoreBackend {
public:
    virtual ~StoreBackend() = default;
    virtual StoreResult<int> schema_version() = 0;
    virtual StoreResult<void> begin_batch() = 0;
    virtual StoreResult<void> commit_batch() = 0;
    virtual void rollback_batch() = 0;
    virtual bool in_batch() const = 0;
    virtual StoreResult<std::int64_t> upsert_node(const NodeRecord& record) = 0;
    virtual StoreResult<NodeRecord> load_node(const NetService& service) = 0;
    virtual StoreResult<std::vector<NodeRecord>> load_nodes() = 0;
    virtual StoreResult<std::vector<NodeRecord>> nodes_due(std::int64_t now,
                                                           std::size_t limit) = 0;
    virtual StoreResult<StoreCounts> counts() = 0;
    virtual StoreResult<void> add_attempt(const NetService& service, std::int64_t time,
                                          const AttemptOutcome& outcome) = 0;
    virtual StoreResult<std::uint64_t> attempt_count(const NetService& service) = 0;
    virtual StoreResult<void> add_advertisement(const NetService& source, const NetService& node,
                                                std::int64_t time) = 0;
    virtual StoreResult<std::uint64_t> advertisement_count(const NetService& source,
                                                           const NetService& node) = 0;
    virtual StoreResult<std::int64_t> begin_run(std::int64_t start_time) = 0;
    virtual StoreResult<void> finish_run(const CrawlRun& run) = 0;
    virtual StoreResult<std::vector<CrawlRun>> load_runs() = 0;
    virtual StoreResult<void> integrity_check() = 0;
};

StoreResult<std::unique_ptr<StoreBackend>> open_sqlite_backend(const std::string& path);
StoreResult<std::unique_ptr<StoreBackend>> open_postgres_backend(const std::string& conninfo);

inline std::unexpected<StoreFailure> failure(StoreError error, std::string message) {
    return fail(StoreFailure{error, std::move(message)});
}

// service_key := network: u8 (BIP155 id) || address bytes || port: u16 BE.
std::vector<std::uint8_t> service_key(const NetService& service);
// nullopt for a key that does not decode.
std::optional<NetService> parse_service_key(const std::uint8_t* data, std::size_t size);

// The columns upsert_node writes and every node query reads, in this order; next_try and
// address follow them in an upsert.
inline constexpr const char* NODE_COLUMNS =
    "service, source, first_seen, last_seen, last_try, last_success, attempts, successes, "
    "consecutive_failures, last_error, protocol_version, services, user_agent, start_height, "
    "relay, connect_ms, handshake_ms, ping_ms, adv_0, adv_1, adv_2, adv_3, adv_4, "
    "w0_weight, w0_count, w0_reliability, w1_weight, w1_count, w1_reliability, "
    "w2_weight, w2_count, w2_reliability, w3_weight, w3_count, w3_reliability, "
    "w4_weight, w4_count, w4_reliability, ignore_until, ban_until";
inline constexpr int NODE_COLUMN_COUNT = 40;

// The upsert statement: INSERT of NODE_COLUMNS, next_try, address with parameters written
// `placeholder` N (N = 1..42), replacing every column but service on conflict, RETURNING id.
std::string upsert_node_sql(char placeholder);

// Binds NODE_COLUMNS then next_try (parameters 1 .. NODE_COLUMN_COUNT + 1). Binder needs
// bind(int, std::int64_t), bind_u64(int, std::uint64_t), bind(int, double),
// bind(int, std::string_view), bind(int, const std::vector<std::uint8_t>&), bind_null(int).
template <typename Binder>
void bind_node(Binder& s, const NodeRecord& r) {
    int i = 1;
    s.bind(i++, service_key(r.service));
    if (r.source) {
        s.bind(i++, service_key(*r.source));
    } else {
        s.bind_null(i++);
    }
    s.bind(i++, r.first_seen);
    s.bind(i++, r.last_seen);
    s.bind(i++, r.last_try);
    s.bind(i++, r.last_success);
    s.bind(i++, std::int64_t{r.attempts});
    s.bind(i++, std::int64_t{r.successes});
    s.bind(i++, std::int64_t{r.consecutive_failures});
    s.bind(i++, static_cast<std::int64_t>(r.last_error));
    s.bind(i++, std::int64_t{r.handshake.protocol_version});
    s.bind_u64(i++, r.handshake.services);
    s.bind(i++, std::string_view(r.handshake.user_agent));
    s.bind(i++, std::int64_t{r.handshake.start_height});
    s.bind(i++, std::int64_t{r.handshake.relay ? 1 : 0});
    s.bind(i++, r.handshake.connect_ms);
    s.bind(i++, r.handshake.handshake_ms);
    s.bind(i++, r.handshake.ping_ms);
    for (std::uint64_t count : r.advertised) s.bind_u64(i++, count);
    for (const ReliabilityWindow& w : r.windows) {
        s.bind(i++, w.weight);
        s.bind(i++, w.count);
        s.bind(i++, w.reliability);
    }
    s.bind(i++, r.ignore_until);
    s.bind(i++, r.ban_until);
    s.bind(i++, next_attempt_time(r));
}

// Reads NODE_COLUMNS starting at column `first`; nullopt for a row that does not decode.
// Row needs int64(int), u64(int), real(int), text(int), service(int) -> optional<NetService>,
// is_null(int), and valid() (false once any accessor met a value of the wrong shape).
template <typename Row>
std::optional<NodeRecord> read_node(const Row& s, int first) {
    int i = first;
    NodeRecord r;
    auto service = s.service(i++);
    if (!service) return std::nullopt;
    r.service = *service;
    if (!s.is_null(i)) {
        auto source = s.service(i);
        if (!source) return std::nullopt;
        r.source = *source;
    }
    ++i;
    r.first_seen = s.int64(i++);
    r.last_seen = s.int64(i++);
    r.last_try = s.int64(i++);
    r.last_success = s.int64(i++);
    r.attempts = static_cast<std::uint32_t>(s.int64(i++));
    r.successes = static_cast<std::uint32_t>(s.int64(i++));
    r.consecutive_failures = static_cast<std::uint32_t>(s.int64(i++));
    std::int64_t error = s.int64(i++);
    if (error < 0 || error > static_cast<std::int64_t>(CrawlError::other)) return std::nullopt;
    r.last_error = static_cast<CrawlError>(error);
    r.handshake.protocol_version = static_cast<std::int32_t>(s.int64(i++));
    r.handshake.services = s.u64(i++);
    r.handshake.user_agent = s.text(i++);
    r.handshake.start_height = static_cast<std::int32_t>(s.int64(i++));
    r.handshake.relay = s.int64(i++) != 0;
    r.handshake.connect_ms = s.int64(i++);
    r.handshake.handshake_ms = s.int64(i++);
    r.handshake.ping_ms = s.int64(i++);
    for (std::uint64_t& count : r.advertised) count = s.u64(i++);
    for (ReliabilityWindow& w : r.windows) {
        w.weight = s.real(i++);
        w.count = s.real(i++);
        w.reliability = s.real(i++);
    }
    r.ignore_until = s.int64(i++);
    r.ban_until = s.int64(i++);
    if (!s.valid()) return std::nullopt;
    return r;
}

}  // namespace bitloom::store_detail
