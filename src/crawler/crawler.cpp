#include "crawler/crawler.h"

#include <algorithm>
#include <cstdio>
#include <mutex>
#include <span>

#include "p2p/messages.h"
#include "util/version.h"

namespace bitloom {

namespace {

std::int64_t elapsed_ms(std::chrono::steady_clock::time_point from,
                        std::chrono::steady_clock::time_point to) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(to - from).count();
}

bool contains(const std::string& text, std::string_view part) {
    return text.find(part) != std::string::npos;
}

// The reactor's connect failure text as a CrawlError.
CrawlError classify_connect_error(const std::string& error, bool proxied) {
    if (proxied) return CrawlError::proxy_error;
    if (contains(error, "refused")) return CrawlError::refused;
    if (contains(error, "timed out") || contains(error, "timeout")) return CrawlError::timeout;
    if (contains(error, "reset")) return CrawlError::reset;
    return CrawlError::other;
}

// Failures of our own machine (out of descriptors or buffers), not of the node.
bool is_local_resource_error(const std::string& error) {
    return contains(error, "Too many open files") || contains(error, "No buffer space") ||
           contains(error, "Cannot allocate memory") ||
           contains(error, "Cannot assign requested address");
}

}  // namespace

std::string format_progress(const CrawlProgress& progress) {
    char eta[32] = "?";
    if (progress.eta_seconds) {
        std::snprintf(eta, sizeof(eta), "%.0fs", *progress.eta_seconds);
    }
    char line[256];
    std::snprintf(line, sizeof(line),
                  "known %llu  tried %llu  reachable %llu  in flight %llu  %.1f hs/s  "
                  "pass %llu: %llu left, ETA %s",
                  static_cast<unsigned long long>(progress.known),
                  static_cast<unsigned long long>(progress.tried),
                  static_cast<unsigned long long>(progress.reachable),
                  static_cast<unsigned long long>(progress.in_flight),
                  progress.handshakes_per_second, static_cast<unsigned long long>(progress.pass),
                  static_cast<unsigned long long>(progress.pass_remaining), eta);
    return line;
}

std::string format_summary(const CrawlSummary& summary) {
    std::string out;
    char line[128];
    auto row = [&](const char* name, unsigned long long value) {
        std::snprintf(line, sizeof(line), "  %-22s %12llu\n", name, value);
        out += line;
    };
    std::snprintf(line, sizeof(line), "crawl run %lld: %.1f s%s\n",
                  static_cast<long long>(summary.run_id), summary.seconds,
                  summary.stopped ? " (stopped)" : "");
    out += line;
    row("attempts", summary.attempts);
    row("successes", summary.successes);
    row("new nodes", summary.new_nodes);
    row("passes completed", summary.passes_completed);
    row("peak in flight", summary.peak_in_flight);
    row("abandoned", summary.abandoned);
    if (summary.advertisements_dropped > 0) {
        row("advertisements dropped", summary.advertisements_dropped);
    }
    row("known (store)", summary.store.known);
    row("tried (store)", summary.store.tried);
    row("reachable (store)", summary.store.reachable);
    out += "failures by kind:\n";
    bool any = false;
    for (std::size_t kind = 1; kind < summary.errors.size(); ++kind) {
        if (summary.errors[kind] == 0) continue;
        any = true;
        const std::string name(to_string(static_cast<CrawlError>(kind)));
        row(name.c_str(), summary.errors[kind]);
    }
    if (!any) out += "  none\n";
    return out;
}

Result<std::unique_ptr<Crawler>, std::string> Crawler::create(CrawlerConfig config,
                                                               CrawlStore& store) {
    if (config.user_agent.empty()) config.user_agent = user_agent();
    if (config.batch_size == 0) config.batch_size = 1;
    std::unique_ptr<Crawler> crawler(new Crawler(std::move(config), store));
    Crawler* self = crawler.get();

    ReactorOptions options;
    options.timer_interval = crawler->config_.tick_interval;
    // Our own per-network deadlines come first; the reactor's are a backstop.
    std::chrono::milliseconds longest{0};
    for (const PhaseTimeouts& timeouts : crawler->config_.scheduler.timeouts) {
        longest = std::max(longest, timeouts.connect);
    }
    options.connect_timeout = longest + std::chrono::seconds(5);
    options.proxy_handshake_timeout = longest + std::chrono::seconds(5);
    options.max_send_buffer_bytes = 1'000'000;

    ReactorCallbacks callbacks;
    callbacks.on_accept = [](Socket, const NetService&, const NetService&) {};
    callbacks.on_connected = [self](ConnectionId id, const NetService&, const NetService&) {
        self->on_connected(id);
    };
    callbacks.on_connect_failed = [self](ConnectionId id, const std::string& error) {
        self->on_connect_failed(id, error);
    };
    callbacks.on_data = [self](ConnectionId id, ByteSpan data) { self->on_data(id, data); };
    callbacks.on_closed = [self](ConnectionId id, const std::string&) { self->on_closed(id); };
    callbacks.on_timer = [self] { self->on_timer(); };
    auto reactor = Reactor::create(options, std::move(callbacks));
    if (!reactor) return fail("cannot start the event loop: " + reactor.error());
    crawler->reactor_ = std::move(*reactor);
    return crawler;
}

Crawler::Crawler(CrawlerConfig config, CrawlStore& store)
    : config_(std::move(config)),
      store_(store),
      scheduler_(config_.scheduler),
      random_(std::random_device{}()) {}

Crawler::~Crawler() { stop_writer(); }

void Crawler::stop() {
    stop_requested_.store(true);
    reactor_->post([this] {
        summary_.stopped = true;
        end_crawl();
    });
}

std::int64_t Crawler::unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

PeerTime Crawler::peer_now() {
    return std::chrono::duration_cast<PeerTime>(
        std::chrono::system_clock::now().time_since_epoch());
}

Result<CrawlSummary, std::string> Crawler::run() {
    started_ = Clock::now();
    last_progress_ = started_;
    last_flush_ = started_;
    const std::int64_t now = unix_now();
    auto run_id = store_.begin_run(now);
    if (!run_id) return fail("store: " + run_id.error().message);
    summary_.run_id = *run_id;

    auto nodes = store_.load_nodes();
    if (!nodes) return fail("store: " + nodes.error().message);
    for (NodeRecord& record : *nodes) scheduler_.add_known(std::move(record));
    nodes->clear();
    // From here until stop_writer() the store belongs to the writer thread.
    start_writer();
    for (const NetService& seed : config_.seeds) {
        learn(PeerAddress{seed, 0, static_cast<std::uint32_t>(now)}, std::nullopt);
    }
    maybe_flush(true);

    scheduler_.start_pass(now);
    pass_active_ = true;
    pass_number_ = 1;
    pump();
    check_end();
    if (!ending_) reactor_->run();

    // A node that completed its handshake is recorded as reached; whatever else is still in
    // flight is abandoned: nothing is recorded for it and it stays due.
    std::vector<ConnectionId> reached;
    for (const auto& [id, connection] : connections_) {
        if (connection.handshaken) reached.push_back(id);
    }
    for (ConnectionId id : reached) {
        AttemptOutcome outcome;
        outcome.success = true;
        finish(id, std::move(outcome), true);
    }
    for (const auto& [id, connection] : connections_) {
        scheduler_.abandon(connection.dial.service);
        ++summary_.abandoned;
    }
    connections_.clear();
    reactor_->close_all();
    maybe_flush(true);
    std::optional<std::string> store_failure = stop_writer();

    CrawlRun run;
    run.id = summary_.run_id;
    run.start_time = now;
    run.end_time = std::max(unix_now(), now);
    run.attempts = summary_.attempts;
    run.successes = summary_.successes;
    run.new_nodes = summary_.new_nodes;
    if (!store_failure) {
        if (auto done = store_.finish_run(run); !done) store_failure = done.error().message;
    }
    if (store_failure) return fail("store: " + *store_failure);
    if (auto counts = store_.counts()) summary_.store = *counts;
    summary_.seconds =
        std::chrono::duration<double>(Clock::now() - started_).count();
    return summary_;
}

void Crawler::learn(const PeerAddress& address, std::optional<NetService> source) {
    const std::int64_t now = unix_now();
    const NodeRecord* before = scheduler_.find(address.service);
    const std::int64_t seen_before = before != nullptr ? before->last_seen : -1;
    const bool added = scheduler_.learn(address, now, source);
    if (added) ++summary_.new_nodes;
    const NodeRecord* record = scheduler_.find(address.service);
    if (record == nullptr) return;  // not crawlable: not recorded
    if (added || record->last_seen != seen_before) dirty_.insert(address.service);
    if (source && scheduler_.find(*source) != nullptr) {
        std::uint8_t& recorded = sources_recorded_[address.service];
        if (recorded < MAX_SOURCES_PER_NODE) {
            ++recorded;
            pending_advertisements_.push_back({*source, address.service, now});
        }
    }
}

void Crawler::pump() {
    if (ending_ || Clock::now() < paused_until_) return;
    const std::int64_t now = unix_now();
    while (auto dial = scheduler_.next(now)) start_connection(*dial);
    summary_.peak_in_flight = std::max<std::uint64_t>(summary_.peak_in_flight,
                                                      connections_.size());
}

void Crawler::start_connection(const Dial& dial) {
    const ConnectionId id = next_id_++;
    Connection connection;
    connection.id = id;
    connection.dial = dial;
    connection.started = Clock::now();
    connection.deadline = connection.started + dial.timeouts.connect;
    bool started = false;
    if (dial.proxy) {
        Socks5Destination destination{dial.service.address, dial.service.port};
        // A fresh identity per connection, so Tor puts each on its own circuit.
        started = reactor_->connect_via_proxy(id, *dial.proxy, destination,
                                              random_socks5_credentials(), dial.service);
    } else {
        started = reactor_->connect(id, dial.service);
    }
    connections_.emplace(id, std::move(connection));
    if (!started) fail_attempt(id, CrawlError::other, false);
}

void Crawler::on_connected(ConnectionId id) {
    auto it = connections_.find(id);
    if (it == connections_.end()) return;
    Connection& connection = it->second;
    const auto now = Clock::now();
    connection.phase = Phase::handshaking;
    connection.connected_at = now;
    connection.info.connect_ms = elapsed_ms(connection.started, now);
    connection.deadline = now + connection.dial.timeouts.handshake;

    PeerConfig peer;
    peer.magic = config_.magic;
    peer.services = services::NODE_NONE;
    peer.protocol_version = config_.protocol_version;
    peer.user_agent = config_.user_agent;
    peer.relay = false;
    peer.nonce = random_() | 1;
    peer.random_u64 = [this] { return random_(); };
    peer.direction = PeerDirection::outbound;
    peer.address = connection.dial.service;
    peer.announce_after_verack = false;
    connection.peer = std::make_unique<Peer>(std::move(peer));
    connection.peer->connected(peer_now());
    process(connection);
}

void Crawler::on_connect_failed(ConnectionId id, const std::string& error) {
    auto it = connections_.find(id);
    if (it == connections_.end()) return;
    if (is_local_resource_error(error)) {
        // Not the node's fault: try it again later without recording anything, and make no
        // new connection for a moment.
        scheduler_.abandon(it->second.dial.service);
        connections_.erase(it);
        paused_until_ = Clock::now() + std::chrono::seconds(1);
        return;
    }
    fail_attempt(id, classify_connect_error(error, it->second.dial.proxy.has_value()), false);
    pump();
}

void Crawler::on_data(ConnectionId id, ByteSpan data) {
    auto it = connections_.find(id);
    if (it == connections_.end() || !it->second.peer) return;
    Connection& connection = it->second;
    if (connection.first_bytes.size() < MESSAGE_HEADER_SIZE) {
        const std::size_t take =
            std::min(MESSAGE_HEADER_SIZE - connection.first_bytes.size(), data.size());
        connection.first_bytes.insert(connection.first_bytes.end(), data.begin(),
                                      data.begin() + static_cast<std::ptrdiff_t>(take));
    }
    connection.peer->received(data, peer_now());
    process(connection);
    pump();
}

void Crawler::on_closed(ConnectionId id) {
    auto it = connections_.find(id);
    if (it == connections_.end()) return;
    if (it->second.handshaken) {
        AttemptOutcome outcome;
        outcome.success = true;
        finish(id, std::move(outcome), false);
    } else {
        fail_attempt(id, CrawlError::reset, false);
    }
    pump();
}

CrawlError Crawler::classify_framing_error(const Connection& connection) const {
    const Bytes& head = connection.first_bytes;
    if (head.size() >= 4 + COMMAND_SIZE &&
        !std::equal(config_.magic.begin(), config_.magic.end(), head.begin())) {
        std::span<const std::uint8_t, COMMAND_SIZE> command(head.data() + 4, COMMAND_SIZE);
        // A well-formed header under other magic bytes: a node of another network.
        if (is_valid_command(command) && command[0] != 0) return CrawlError::wrong_network;
    }
    return CrawlError::protocol_error;
}

void Crawler::process(Connection& connection) {
    const ConnectionId id = connection.id;
    while (true) {
        std::vector<PeerAction> actions = connection.peer->take_actions();
        if (actions.empty()) break;
        for (PeerAction& action : actions) {
            if (auto* send = std::get_if<SendBytes>(&action)) {
                reactor_->write(id, send->bytes);
            } else if (auto* disconnect = std::get_if<Disconnect>(&action)) {
                if (disconnect->reason == DisconnectReason::requested) continue;
                CrawlError error = CrawlError::protocol_error;
                switch (disconnect->reason) {
                    case DisconnectReason::framing_error:
                        error = classify_framing_error(connection);
                        break;
                    case DisconnectReason::no_message:
                    case DisconnectReason::send_timeout:
                    case DisconnectReason::receive_timeout:
                    case DisconnectReason::handshake_timeout:
                    case DisconnectReason::ping_timeout:
                        error = CrawlError::timeout;
                        break;
                    default:
                        break;
                }
                if (connection.handshaken && error == CrawlError::timeout) {
                    AttemptOutcome outcome;
                    outcome.success = true;
                    finish(id, std::move(outcome), true);
                } else {
                    fail_attempt(id, error, true);
                }
                return;
            } else if (auto* done = std::get_if<HandshakeComplete>(&action)) {
                const auto now = Clock::now();
                connection.handshaken = true;
                connection.phase = Phase::collecting;
                connection.info.protocol_version = done->info.version;
                connection.info.services = done->info.services;
                connection.info.user_agent = done->info.user_agent;
                connection.info.start_height = done->info.start_height;
                connection.info.relay = done->info.relay;
                connection.info.handshake_ms = elapsed_ms(connection.connected_at, now);
                connection.deadline = now + connection.dial.timeouts.getaddr;
                connection.peer->send("getaddr", {});
            } else if (auto* message = std::get_if<ApplicationMessage>(&action)) {
                if (message->command != "addr" && message->command != "addrv2") continue;
                auto addresses = message->command == "addr" ? decode_addr(message->payload)
                                                            : decode_addrv2(message->payload);
                if (!addresses) {
                    // Core's limit is 1,000 entries; a larger reply is misbehaviour.
                    fail_attempt(id, CrawlError::protocol_error, true);
                    return;
                }
                take_addresses(connection, *addresses);
            }
        }
    }
    if (connection.phase == Phase::collecting && connection.got_addresses &&
        connection.peer->last_ping()) {
        AttemptOutcome outcome;
        outcome.success = true;
        finish(id, std::move(outcome), true);
    }
}

void Crawler::take_addresses(Connection& connection, const std::vector<PeerAddress>& addresses) {
    const std::size_t room = config_.max_addresses_per_peer > connection.addresses_taken
                                 ? config_.max_addresses_per_peer - connection.addresses_taken
                                 : 0;
    const std::size_t take =
        std::min({addresses.size(), config_.max_addresses_per_message, room});
    for (std::size_t i = 0; i < take; ++i) {
        const PeerAddress& address = addresses[i];
        ++connection.advertised[network_index(address.service.address.network())];
        learn(address, connection.dial.service);
    }
    connection.addresses_taken += take;
    if (addresses.size() > 1) connection.got_addresses = true;
}

void Crawler::fail_attempt(ConnectionId id, CrawlError error, bool close_socket) {
    AttemptOutcome outcome;
    outcome.success = false;
    outcome.error = error;
    finish(id, std::move(outcome), close_socket);
}

void Crawler::finish(ConnectionId id, AttemptOutcome outcome, bool close_socket) {
    auto it = connections_.find(id);
    if (it == connections_.end()) return;
    Connection& connection = it->second;
    const NetService service = connection.dial.service;
    if (outcome.success) {
        outcome.handshake = connection.info;
        if (connection.peer) {
            if (auto ping = connection.peer->last_ping()) {
                outcome.handshake.ping_ms =
                    std::chrono::duration_cast<std::chrono::milliseconds>(*ping).count();
            }
        }
    }
    if (close_socket) reactor_->close(id);
    const std::int64_t now = unix_now();
    scheduler_.finish(service, now, outcome);
    if (NodeRecord* record = scheduler_.find_mutable(service)) {
        for (std::size_t index = 0; index < NETWORK_COUNT; ++index) {
            record->advertised[index] += connection.advertised[index];
        }
    }
    connections_.erase(it);

    ++summary_.attempts;
    if (outcome.success) {
        ++summary_.successes;
    } else {
        ++summary_.errors[std::min<std::size_t>(static_cast<std::size_t>(outcome.error),
                                                summary_.errors.size() - 1)];
    }
    dirty_.insert(service);
    pending_attempts_.push_back({service, now, outcome});
    if (config_.on_attempt) config_.on_attempt(service, outcome);
    maybe_flush(false);
    check_end();
}

void Crawler::maybe_flush(bool force) {
    const auto now = Clock::now();
    const bool due = pending_attempts_.size() >= config_.batch_size ||
                     now - last_flush_ >= config_.batch_interval;
    if (!force && !due) return;
    last_flush_ = now;
    if (dirty_.empty() && pending_attempts_.empty() && pending_advertisements_.empty()) return;
    WriteBatch batch;
    batch.nodes.reserve(dirty_.size());
    for (const NetService& service : dirty_) {
        if (const NodeRecord* record = scheduler_.find(service)) batch.nodes.push_back(*record);
    }
    batch.attempts = std::move(pending_attempts_);
    batch.advertisements = std::move(pending_advertisements_);
    dirty_.clear();
    pending_attempts_.clear();
    pending_advertisements_.clear();
    std::unique_lock lock(writer_mutex_);
    // Bounded memory. Advertisements are the bulk (up to 1,000 per reachable node) and the
    // least of the data: while the disk is behind by MAX_QUEUED_ADVERTISEMENTS they are
    // dropped (and counted). Nodes and attempts are never dropped: past MAX_QUEUED_BATCHES
    // the crawl waits for the disk.
    if (queued_advertisements_ + batch.advertisements.size() > MAX_QUEUED_ADVERTISEMENTS) {
        summary_.advertisements_dropped += batch.advertisements.size();
        batch.advertisements.clear();
        batch.advertisements.shrink_to_fit();
    }
    writer_idle_.wait(lock, [&] { return writer_queue_.size() < MAX_QUEUED_BATCHES; });
    queued_advertisements_ += batch.advertisements.size();
    writer_queue_.push_back(std::move(batch));
    writer_wake_.notify_one();
}

void Crawler::write_batches() {
    while (true) {
        WriteBatch batch;
        {
            std::unique_lock lock(writer_mutex_);
            writer_wake_.wait(lock, [&] { return !writer_queue_.empty() || writer_done_; });
            if (writer_queue_.empty()) return;
            batch = std::move(writer_queue_.front());
            writer_queue_.pop_front();
        }
        std::optional<std::string> failure;
        if (!writer_failed_.load()) failure = write_batch(batch);
        std::lock_guard lock(writer_mutex_);
        queued_advertisements_ -= batch.advertisements.size();
        if (failure && !writer_failure_) {
            writer_failure_ = std::move(failure);
            writer_failed_.store(true);
            reactor_->post([this] { end_crawl(); });
        }
        writer_idle_.notify_all();
    }
}

std::optional<std::string> Crawler::write_batch(const WriteBatch& batch) {
    std::optional<std::string> failure;
    auto check = [&](const auto& result) {
        if (!result && !failure) failure = result.error().message;
        return result.has_value();
    };
    if (!check(store_.begin_batch())) return failure;
    for (const NodeRecord& record : batch.nodes) {
        if (!check(store_.upsert_node(record))) break;
    }
    for (const PendingAttempt& attempt : batch.attempts) {
        if (failure) break;
        check(store_.add_attempt(attempt.service, attempt.time, attempt.outcome));
    }
    for (const PendingAdvertisement& advertisement : batch.advertisements) {
        if (failure) break;
        check(store_.add_advertisement(advertisement.source, advertisement.node,
                                       advertisement.time));
    }
    if (failure) {
        store_.rollback_batch();
        return failure;
    }
    check(store_.commit_batch());
    return failure;
}

void Crawler::start_writer() {
    writer_done_ = false;
    writer_ = std::thread([this] { write_batches(); });
}

std::optional<std::string> Crawler::stop_writer() {
    if (writer_.joinable()) {
        {
            std::lock_guard lock(writer_mutex_);
            writer_done_ = true;
        }
        writer_wake_.notify_one();
        writer_.join();
    }
    std::lock_guard lock(writer_mutex_);
    return writer_failure_;
}

void Crawler::report_progress(Clock::time_point now) {
    if (!config_.on_progress || now - last_progress_ < config_.progress_interval) return;
    const double interval = std::chrono::duration<double>(now - last_progress_).count();
    const double elapsed = std::chrono::duration<double>(now - started_).count();
    CrawlProgress progress;
    progress.known = scheduler_.known();
    progress.tried = summary_.attempts;
    progress.reachable = summary_.successes;
    progress.in_flight = connections_.size();
    progress.pass = pass_number_;
    progress.pass_remaining = scheduler_.pass_remaining();
    progress.handshakes_per_second =
        interval > 0 ? static_cast<double>(summary_.successes - successes_at_last_progress_) /
                           interval
                     : 0;
    progress.attempts_per_second =
        elapsed > 0 ? static_cast<double>(summary_.attempts) / elapsed : 0;
    if (progress.attempts_per_second > 0) {
        progress.eta_seconds =
            static_cast<double>(progress.pass_remaining) / progress.attempts_per_second;
    }
    progress.elapsed_seconds = elapsed;
    last_progress_ = now;
    successes_at_last_progress_ = summary_.successes;
    config_.on_progress(progress);
}

void Crawler::on_timer() {
    const auto now = Clock::now();
    if (stop_requested_.load() || (config_.stop_flag != nullptr && config_.stop_flag->load())) {
        summary_.stopped = true;
        end_crawl();
        return;
    }
    if (config_.duration && now - started_ >= *config_.duration) {
        end_crawl();
        return;
    }
    // Deadlines and the peers' own timers.
    std::vector<ConnectionId> expired;
    for (auto& [id, connection] : connections_) {
        if (now >= connection.deadline) {
            expired.push_back(id);
        } else if (connection.peer) {
            connection.peer->tick(peer_now());
        }
    }
    for (ConnectionId id : expired) {
        auto it = connections_.find(id);
        if (it == connections_.end()) continue;
        if (it->second.handshaken) {
            AttemptOutcome outcome;
            outcome.success = true;
            finish(id, std::move(outcome), true);
        } else {
            fail_attempt(id, CrawlError::timeout, true);
        }
    }
    // A tick may have queued pings or disconnects.
    std::vector<ConnectionId> ids;
    ids.reserve(connections_.size());
    for (const auto& [id, connection] : connections_) {
        if (connection.peer) ids.push_back(id);
    }
    for (ConnectionId id : ids) {
        auto it = connections_.find(id);
        if (it != connections_.end()) process(it->second);
    }
    maybe_flush(false);
    if (ending_) return;
    if (!pass_active_) {
        const auto due = scheduler_.next_due();
        const bool may_start = config_.passes == 0 || pass_number_ < config_.passes;
        if (may_start && due && *due <= unix_now()) {
            scheduler_.start_pass(unix_now());
            pass_active_ = true;
            ++pass_number_;
        }
    }
    pump();
    report_progress(now);
    check_end();
}

void Crawler::check_end() {
    if (ending_) return;
    if (pass_active_ && scheduler_.pass_done()) {
        pass_active_ = false;
        ++summary_.passes_completed;
        if (config_.passes != 0 && summary_.passes_completed >= config_.passes) end_crawl();
    }
}

void Crawler::end_crawl() {
    if (ending_) return;
    ending_ = true;
    reactor_->stop();
}

}  // namespace bitloom
