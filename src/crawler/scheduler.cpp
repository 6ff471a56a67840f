#include "crawler/scheduler.h"

#include <algorithm>

namespace bitloom {

std::array<PhaseTimeouts, NETWORK_COUNT> SchedulerConfig::default_timeouts() {
    using std::chrono::milliseconds;
    const PhaseTimeouts direct{};
    const PhaseTimeouts proxied{milliseconds(30000), milliseconds(30000), milliseconds(30000)};
    std::array<PhaseTimeouts, NETWORK_COUNT> out{};
    out[network_index(Network::ipv4)] = direct;
    out[network_index(Network::ipv6)] = direct;
    out[network_index(Network::onion)] = proxied;
    out[network_index(Network::i2p)] = proxied;
    out[network_index(Network::cjdns)] = direct;
    return out;
}

bool is_crawlable_address(const NetService& service, bool allow_private) {
    if (service.port == 0) return false;
    const NetAddress& address = service.address;
    if (!address.is_valid()) return false;
    if (address.is_ipv4() || address.is_ipv6()) {
        if (allow_private) return true;
        return address.is_routable() && !address.is_multicast();
    }
    return true;  // onion, I2P, CJDNS: recorded; dialled only through a proxy
}

CrawlScheduler::CrawlScheduler(SchedulerConfig config) : config_(std::move(config)) {
    if (config_.max_in_flight == 0) config_.max_in_flight = 1;
}

std::optional<Dial> CrawlScheduler::route(const NetService& service) const {
    const std::size_t index = network_index(service.address.network());
    Dial dial{service, config_.proxies[index], config_.timeouts[index]};
    if (dial.proxy) return dial;
    if (service.address.is_ipv4() || service.address.is_ipv6()) return dial;
    return std::nullopt;
}

void CrawlScheduler::enqueue(Entry& entry, std::int64_t due) {
    dequeue(entry);
    if (!route(entry.record.service)) return;
    entry.due = due;
    queue_.emplace(due, entry.record.service);
}

void CrawlScheduler::dequeue(Entry& entry) {
    if (entry.due) queue_.erase({*entry.due, entry.record.service});
    entry.due.reset();
}

bool CrawlScheduler::add_known(NodeRecord record) {
    if (!is_crawlable_address(record.service, config_.allow_private)) return false;
    if (records_.contains(record.service)) return false;
    const NetService service = record.service;
    const std::int64_t due = next_attempt_time(record);
    auto [it, inserted] = records_.emplace(service, Entry{std::move(record), std::nullopt, 0});
    enqueue(it->second, due);
    return true;
}

bool CrawlScheduler::learn(const PeerAddress& address, std::int64_t now,
                           std::optional<NetService> source) {
    const NetService& service = address.service;
    if (auto it = records_.find(service); it != records_.end()) {
        const std::int64_t seen = std::min<std::int64_t>(address.time, now);
        it->second.record.last_seen = std::max(it->second.record.last_seen, seen);
        return false;
    }
    if (!is_crawlable_address(service, config_.allow_private)) return false;
    if (records_.size() >= config_.max_known) return false;
    NodeRecord record = new_node_record(service, now, std::move(source));
    record.last_seen = std::clamp<std::int64_t>(address.time, 0, now);
    auto [it, inserted] = records_.emplace(service, Entry{std::move(record), std::nullopt, 0});
    enqueue(it->second, now);
    if (it->second.due) pass_members_.insert(service);
    return true;
}

std::optional<Dial> CrawlScheduler::next(std::int64_t now) {
    if (in_flight_.size() >= config_.max_in_flight) return std::nullopt;
    if (queue_.empty() || queue_.begin()->first > now) return std::nullopt;
    const NetService service = queue_.begin()->second;
    Entry& entry = records_.at(service);
    dequeue(entry);
    in_flight_.insert(service);
    return route(service);
}

void CrawlScheduler::finish(const NetService& service, std::int64_t now,
                            const AttemptOutcome& outcome) {
    if (in_flight_.erase(service) == 0) return;
    Entry& entry = records_.at(service);
    record_attempt(entry.record, now, outcome);
    const bool transient = !outcome.success && (outcome.error == CrawlError::timeout ||
                                                outcome.error == CrawlError::reset ||
                                                outcome.error == CrawlError::proxy_error);
    const bool member = pass_members_.contains(service);
    if (member && transient && entry.pass_retries < config_.max_pass_retries) {
        const std::int64_t backoff = config_.retry_backoff_seconds << entry.pass_retries;
        ++entry.pass_retries;
        enqueue(entry, now + backoff);
        return;
    }
    if (member) {
        pass_members_.erase(service);
        ++pass_finished_;
    }
    entry.pass_retries = 0;
    enqueue(entry, std::max(next_attempt_time(entry.record), now + 1));
}

void CrawlScheduler::abandon(const NetService& service) {
    if (in_flight_.erase(service) == 0) return;
    Entry& entry = records_.at(service);
    enqueue(entry, next_attempt_time(entry.record));
}

std::size_t CrawlScheduler::start_pass(std::int64_t now) {
    pass_finished_ = 0;
    for (const auto& [due, service] : queue_) {
        if (due > now) break;
        pass_members_.insert(service);
        records_.at(service).pass_retries = 0;
    }
    for (const NetService& service : in_flight_) pass_members_.insert(service);
    return pass_members_.size();
}

std::optional<std::int64_t> CrawlScheduler::next_due() const {
    if (queue_.empty()) return std::nullopt;
    return queue_.begin()->first;
}

const NodeRecord* CrawlScheduler::find(const NetService& service) const {
    auto it = records_.find(service);
    return it == records_.end() ? nullptr : &it->second.record;
}

NodeRecord* CrawlScheduler::find_mutable(const NetService& service) {
    auto it = records_.find(service);
    return it == records_.end() ? nullptr : &it->second.record;
}

}  // namespace bitloom
