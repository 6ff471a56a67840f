#include "net/network_service.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <iterator>
#include <system_error>

#include "net/resolve.h"
#include "net/socket.h"

namespace bitloom {

namespace {

constexpr const char* PEERS_FILE = "peers.dat";
constexpr const char* BANS_FILE = "banlist.dat";

std::optional<Bytes> read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Writes `data` to <path>.new, flushes it to disk, then renames it over `path`.
Result<void, std::string> write_file_atomically(const std::filesystem::path& path,
                                                ByteSpan data) {
    std::filesystem::path temporary = path;
    temporary += ".new";
    Socket fd(::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (!fd.valid()) return fail("open " + temporary.string() + ": " + errno_text(errno));
    std::size_t written = 0;
    while (written < data.size()) {
        const ssize_t n = ::write(fd.fd(), data.data() + written, data.size() - written);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return fail("write " + temporary.string() + ": " + errno_text(errno));
        written += static_cast<std::size_t>(n);
    }
    if (::fsync(fd.fd()) != 0) return fail("fsync " + temporary.string() + ": " + errno_text(errno));
    fd.reset();
    std::error_code error;
    std::filesystem::rename(temporary, path, error);
    if (error) return fail("rename " + temporary.string() + ": " + error.message());
    return {};
}

}  // namespace

// --- Worker -----------------------------------------------------------------------------

void NetworkService::Worker::start() {
    thread_ = std::thread([this] {
        for (;;) {
            std::function<void()> task;
            {
                std::unique_lock lock(mutex_);
                wake_.wait(lock, [this] { return stopping_ || !tasks_.empty(); });
                if (stopping_) return;
                task = std::move(tasks_.front());
                tasks_.pop_front();
            }
            task();
        }
    });
}

void NetworkService::Worker::submit(std::function<void()> task) {
    {
        std::lock_guard lock(mutex_);
        if (stopping_) return;
        tasks_.push_back(std::move(task));
    }
    wake_.notify_one();
}

void NetworkService::Worker::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        tasks_.clear();
    }
    wake_.notify_one();
    if (thread_.joinable()) thread_.join();
}

// --- Start and stop ---------------------------------------------------------------------

NetworkService::NetworkService(NetworkServiceOptions options)
    : options_(std::move(options)), manager_(options_.manager) {}

NetworkService::~NetworkService() { stop(); }

Result<std::unique_ptr<NetworkService>, std::string> NetworkService::start(
    NetworkServiceOptions options) {
    std::unique_ptr<NetworkService> service(new NetworkService(std::move(options)));
    ReactorOptions reactor_options;
    reactor_options.timer_interval = TICK_INTERVAL;
    reactor_options.connect_timeout = service->options_.connect_timeout;
    reactor_options.max_send_buffer_bytes = service->options_.max_send_buffer_bytes;
    auto reactor = Reactor::create(reactor_options, service->reactor_callbacks());
    if (!reactor) return fail(reactor.error());
    service->reactor_ = std::move(*reactor);
    if (service->options_.listen) {
        auto bound = service->bind_listeners();
        if (!bound) {
            service->stopped_ = true;  // nothing to save: we never ran
            return fail(bound.error());
        }
    }
    service->load_files();
    service->worker_.start();
    service->last_dump_ = std::chrono::steady_clock::now();
    NetworkService* self = service.get();
    service->io_thread_ = std::thread([self] {
        self->io_thread_id_.store(std::this_thread::get_id());
        self->drain_io_actions();  // whatever loading queued
        self->reactor_->run();
    });
    return service;
}

void NetworkService::stop() {
    if (stopped_.exchange(true)) return;
    if (reactor_) reactor_->stop();
    if (io_thread_.joinable()) io_thread_.join();
    io_thread_id_.store(std::thread::id());
    worker_.stop();
    if (reactor_) reactor_->close_all();  // the loop is gone: safe from this thread
    save_files();
    wake();
}

Result<void, std::string> NetworkService::bind_listeners() {
    for (const NetService& address : options_.bind) {
        auto listener = listen_on(address);
        if (!listener) {
            const SocketError& error = listener.error();
            if (error.code == EADDRINUSE) {
                return fail("Unable to bind to " + address.to_string() +
                            " on this computer. bitloom is probably already running.");
            }
            if (error.code == EAFNOSUPPORT || (error.code == EADDRNOTAVAIL &&
                                               address.address.is_ipv6() &&
                                               !address.address.is_valid())) {
                log("", "Unable to bind to " + address.to_string() +
                            " on this computer: " + error.message + " (skipped)");
                continue;
            }
            return fail("Unable to bind to " + address.to_string() +
                        " on this computer (bind returned error " + error.message + ")");
        }
        auto added = reactor_->add_listener(std::move(*listener));
        if (!added) return fail("Unable to listen on " + address.to_string() + ": " + added.error());
        log("", "Bound to " + added->to_string());
        bound_.push_back(*added);
    }
    return {};
}

void NetworkService::load_files() {
    if (options_.data_dir.empty()) return;
    std::lock_guard lock(manager_mutex_);
    const auto peers_path = options_.data_dir / PEERS_FILE;
    if (auto data = read_file(peers_path)) {
        if (auto loaded = manager_.load_addresses(*data); !loaded) {
            log("", "Invalid or corrupt peers.dat (" + loaded.error() +
                        "); starting with an empty address manager");
        }
    } else {
        log("", "Creating peers.dat because the file was not found (\"" + peers_path.string() +
                    "\")");
    }
    const auto bans_path = options_.data_dir / BANS_FILE;
    if (auto data = read_file(bans_path)) {
        if (auto loaded = manager_.load_bans(*data); !loaded) {
            log("", "Invalid or corrupt banlist.dat (" + loaded.error() +
                        "); starting with an empty ban list");
        }
    } else {
        log("net", "Recreating the banlist database (\"" + bans_path.string() + "\")");
    }
    dispatch_actions_locked();
}

void NetworkService::save_files() {
    if (options_.data_dir.empty()) return;
    Bytes peers;
    Bytes bans;
    {
        std::lock_guard lock(manager_mutex_);
        peers = manager_.save_addresses();
        bans = manager_.save_bans();
    }
    if (auto saved = write_file_atomically(options_.data_dir / PEERS_FILE, peers); !saved) {
        log("", "Failed to write peers.dat: " + saved.error());
    }
    if (auto saved = write_file_atomically(options_.data_dir / BANS_FILE, bans); !saved) {
        log("", "Failed to write banlist.dat: " + saved.error());
    }
}

// --- Events for the processing thread ---------------------------------------------------

std::optional<NetEvent> NetworkService::next_event(std::chrono::milliseconds timeout) {
    std::unique_lock lock(events_mutex_);
    events_ready_.wait_for(lock, timeout, [this] { return wake_requested_ || !events_.empty(); });
    if (wake_requested_) {
        wake_requested_ = false;
        return std::nullopt;
    }
    if (events_.empty()) return std::nullopt;
    NetEvent event = std::move(events_.front());
    events_.pop_front();
    return event;
}

void NetworkService::wake() {
    {
        std::lock_guard lock(events_mutex_);
        wake_requested_ = true;
    }
    events_ready_.notify_all();
}

// --- Actions ----------------------------------------------------------------------------

PeerTime NetworkService::now() const {
    if (options_.clock) return options_.clock();
    return std::chrono::duration_cast<PeerTime>(
        std::chrono::system_clock::now().time_since_epoch());
}

void NetworkService::log(std::string_view category, const std::string& line) const {
    if (options_.log) options_.log(category, line);
}

void NetworkService::dispatch_actions_locked() {
    std::vector<ConnectionAction> actions = manager_.take_actions();
    if (actions.empty()) return;
    std::vector<ConnectionAction> socket_work;
    bool delivered = false;
    for (ConnectionAction& action : actions) {
        if (auto* deliver = std::get_if<DeliverEvent>(&action)) {
            std::lock_guard lock(events_mutex_);
            events_.push_back(std::move(deliver->event));
            delivered = true;
        } else if (auto* line = std::get_if<LogLine>(&action)) {
            log(line->category, line->text);
        } else {
            if (auto* write = std::get_if<WriteBytes>(&action)) {
                std::lock_guard lock(backlog_mutex_);
                backlog_[write->id].queued += write->bytes.size();
            }
            socket_work.push_back(std::move(action));
        }
    }
    if (delivered) events_ready_.notify_all();
    if (socket_work.empty()) return;
    // Still under manager_mutex_: the queue's order is the order of the manager's calls.
    std::lock_guard lock(io_actions_mutex_);
    for (ConnectionAction& action : socket_work) io_actions_.push_back(std::move(action));
}

void NetworkService::perform_queued_actions() {
    if (on_io_thread()) {
        drain_io_actions();
        return;
    }
    if (stopped_.load()) return;
    {
        std::lock_guard lock(io_actions_mutex_);
        if (io_actions_.empty()) return;
    }
    if (!drain_posted_.exchange(true)) {
        reactor_->post([this] {
            drain_posted_.store(false);
            drain_io_actions();
        });
    }
}

void NetworkService::drain_io_actions() {
    // Performing an action can call the manager again (a failed connect), which queues more:
    // the outermost drain performs them, in order.
    if (draining_) return;
    draining_ = true;
    for (;;) {
        ConnectionAction action;
        {
            std::lock_guard lock(io_actions_mutex_);
            if (io_actions_.empty()) break;
            action = std::move(io_actions_.front());
            io_actions_.pop_front();
        }
        perform(action);
    }
    draining_ = false;
    refresh_backlog();
}

void NetworkService::refresh_backlog() {
    std::lock_guard lock(backlog_mutex_);
    for (auto it = backlog_.begin(); it != backlog_.end();) {
        const auto unsent = reactor_->unsent_bytes(it->first);
        if (!unsent && it->second.queued == 0) {
            it = backlog_.erase(it);
            continue;
        }
        it->second.unsent = unsent.value_or(0);
        ++it;
    }
}

std::size_t NetworkService::send_backlog(PeerId id) const {
    std::lock_guard lock(backlog_mutex_);
    auto it = backlog_.find(id);
    return it == backlog_.end() ? 0 : it->second.queued + it->second.unsent;
}

void NetworkService::perform(ConnectionAction& action) {
    if (auto* open = std::get_if<OpenConnection>(&action)) {
        open_connection(*open);
    } else if (auto* write = std::get_if<WriteBytes>(&action)) {
        reactor_->write(write->id, write->bytes);
        std::lock_guard lock(backlog_mutex_);
        auto it = backlog_.find(write->id);
        if (it != backlog_.end()) it->second.queued -= std::min(it->second.queued, write->bytes.size());
    } else if (auto* close = std::get_if<CloseConnection>(&action)) {
        const PeerId id = close->id;
        const bool known = pending_lookups_.erase(id) > 0 || reactor_->close(id);
        if (known) {
            with_manager([&](ConnectionManager& manager) { manager.closed(id, "closed", now()); });
        }
    } else if (auto* pause = std::get_if<SetReceivePaused>(&action)) {
        reactor_->set_receive_paused(pause->id, pause->paused);
    } else if (auto* seeds = std::get_if<ResolveSeeds>(&action)) {
        const std::uint16_t port = options_.manager.default_port;
        worker_.submit([this, hosts = seeds->hosts, port] {
            std::vector<NetAddress> found;
            for (const std::string& host : hosts) {
                auto answers = resolve(host, port, true);
                if (!answers) {
                    log("net", "Seed " + host + ": " + answers.error());
                    continue;
                }
                log("net", "Seed " + host + ": " + std::to_string(answers->size()) +
                               " addresses");
                for (const NetService& answer : *answers) found.push_back(answer.address);
            }
            with_manager([&](ConnectionManager& manager) {
                manager.seeds_resolved(found, now());
            });
        });
    }
    // DeliverEvent and LogLine never reach the I/O queue (dispatch_actions_locked).
}

std::optional<Socks5Credentials> NetworkService::proxy_credentials() const {
    if (!options_.proxy_randomize) return std::nullopt;
    return random_socks5_credentials();
}

void NetworkService::fail_connect(PeerId id, const std::string& error) {
    with_manager([&](ConnectionManager& manager) { manager.connect_failed(id, error, now()); });
}

void NetworkService::connect_to(PeerId id, const NetService& service, const std::string& target) {
    const NetAddress& address = service.address;
    if (address.is_tor()) {
        const auto& proxy = options_.onion_proxy ? options_.onion_proxy : options_.proxy;
        if (!proxy) {
            const std::string error =
                "cannot connect to " + target + ": no proxy for Tor addresses (-onion or -proxy)";
            log("net", error);
            fail_connect(id, error);
            return;
        }
        reactor_->connect_via_proxy(id, *proxy, Socks5Destination{address, service.port},
                                    proxy_credentials(), service);
        return;
    }
    if (address.is_i2p()) {
        const std::string error = "cannot connect to " + target + ": I2P is not supported";
        log("net", error);
        fail_connect(id, error);
        return;
    }
    if (options_.proxy) {
        reactor_->connect_via_proxy(id, *options_.proxy, Socks5Destination{address, service.port},
                                    proxy_credentials(), service);
        return;
    }
    reactor_->connect(id, service);
}

void NetworkService::open_connection(const OpenConnection& open) {
    const PeerId id = open.id;
    const std::uint16_t default_port = options_.manager.default_port;
    std::optional<NetService> service = open.service;
    if (!service) service = resolve_numeric(open.target, default_port);
    if (service) {
        connect_to(id, *service, open.target);
        return;
    }
    auto split = split_host_port(open.target);
    if (!split) {
        fail_connect(id, "invalid address or port: \"" + open.target + "\"");
        return;
    }
    const std::uint16_t port = split->port.value_or(default_port);
    if (is_onion_name(split->host)) {
        fail_connect(id, "invalid onion address: \"" + split->host + "\"");
        return;
    }
    if (options_.proxy) {
        // The proxy resolves the name: no lookup here that could reveal the destination.
        reactor_->connect_via_proxy(id, *options_.proxy, Socks5Destination{split->host, port},
                                    proxy_credentials(), NetService{NetAddress(), port});
        return;
    }
    pending_lookups_.insert(id);
    worker_.submit([this, id, target = open.target, default_port] {
        auto answers = resolve(target, default_port, true);
        reactor_->post([this, id, target, answers = std::move(answers)] {
            if (pending_lookups_.erase(id) == 0) return;  // closed meanwhile
            if (!answers) {
                fail_connect(id, answers.error());
                return;
            }
            connect_to(id, answers->front(), target);
        });
    });
}

// --- Socket events ----------------------------------------------------------------------

ReactorCallbacks NetworkService::reactor_callbacks() {
    ReactorCallbacks callbacks;
    callbacks.on_accept = [this](Socket socket, const NetService& remote,
                                 const NetService& local) {
        with_manager([&](ConnectionManager& manager) {
            const auto id = manager.accepted(remote, local, now());
            // Adopted before the manager's actions for it are performed.
            if (id) reactor_->adopt(*id, std::move(socket), remote);
        });
        // A refused socket is closed here, when `socket` goes away.
    };
    callbacks.on_connected = [this](ConnectionId id, const NetService& remote,
                                    const NetService& local) {
        with_manager(
            [&](ConnectionManager& manager) { manager.connected(id, remote, local, now()); });
    };
    callbacks.on_connect_failed = [this](ConnectionId id, const std::string& error) {
        fail_connect(id, error);
    };
    callbacks.on_data = [this](ConnectionId id, ByteSpan data) {
        with_manager([&](ConnectionManager& manager) { manager.received(id, data, now()); });
    };
    callbacks.on_closed = [this](ConnectionId id, const std::string& why) {
        with_manager([&](ConnectionManager& manager) { manager.closed(id, why, now()); });
    };
    callbacks.on_timer = [this] {
        with_manager([&](ConnectionManager& manager) { manager.tick(now()); });
        refresh_backlog();
        const auto steady_now = std::chrono::steady_clock::now();
        if (steady_now - last_dump_ >= DUMP_PEERS_INTERVAL) {
            last_dump_ = steady_now;
            worker_.submit([this] { save_files(); });
        }
    };
    callbacks.on_log = [this](const std::string& line) { log("net", line); };
    return callbacks;
}

}  // namespace bitloom
