#include "net/reactor.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>

namespace bitloom {

namespace {

constexpr std::uint64_t WAKE_TOKEN = 0;
constexpr int MAX_EVENTS = 64;
constexpr int MAX_ACCEPTS_PER_WAKE = 32;

using Clock = std::chrono::steady_clock;

// One non-blocking send; >= 0: bytes sent (0: would block), -1: failed with `error`.
long send_some(int fd, const std::uint8_t* data, std::size_t size, int& error) {
    for (;;) {
        const ssize_t sent = ::send(fd, data, size, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (sent >= 0) return static_cast<long>(sent);
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
        error = errno;
        return -1;
    }
}

}  // namespace

Result<std::unique_ptr<Reactor>, std::string> Reactor::create(ReactorOptions options,
                                                              ReactorCallbacks callbacks) {
    Socket epoll(::epoll_create1(EPOLL_CLOEXEC));
    if (!epoll.valid()) return fail("epoll_create1: " + errno_text(errno));
    Socket wake(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
    if (!wake.valid()) return fail("eventfd: " + errno_text(errno));
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.u64 = WAKE_TOKEN;
    if (::epoll_ctl(epoll.fd(), EPOLL_CTL_ADD, wake.fd(), &event) != 0) {
        return fail("epoll_ctl: " + errno_text(errno));
    }
    return std::unique_ptr<Reactor>(
        new Reactor(std::move(options), std::move(callbacks), std::move(epoll), std::move(wake)));
}

Reactor::Reactor(ReactorOptions options, ReactorCallbacks callbacks, Socket epoll, Socket wake)
    : options_(std::move(options)),
      callbacks_(std::move(callbacks)),
      epoll_(std::move(epoll)),
      wake_(std::move(wake)),
      read_buffer_(READ_CHUNK_BYTES) {}

Reactor::~Reactor() = default;

void Reactor::stop() {
    {
        std::lock_guard lock(posted_mutex_);
        stopping_ = true;
    }
    const std::uint64_t one = 1;
    (void)!::write(wake_.fd(), &one, sizeof(one));
}

void Reactor::post(std::function<void()> fn) {
    {
        std::lock_guard lock(posted_mutex_);
        posted_.push_back(std::move(fn));
    }
    const std::uint64_t one = 1;
    (void)!::write(wake_.fd(), &one, sizeof(one));
}

void Reactor::run_posted() {
    std::vector<std::function<void()>> batch;
    {
        std::lock_guard lock(posted_mutex_);
        batch.swap(posted_);
    }
    for (auto& fn : batch) fn();
}

void Reactor::log(const std::string& line) {
    if (callbacks_.on_log) callbacks_.on_log(line);
}

void Reactor::run() {
    std::array<epoll_event, MAX_EVENTS> events{};
    auto next_timer = Clock::now() + options_.timer_interval;
    for (;;) {
        {
            std::lock_guard lock(posted_mutex_);
            if (stopping_) return;
        }
        const auto until_timer =
            std::chrono::ceil<std::chrono::milliseconds>(next_timer - Clock::now()).count();
        const int timeout = static_cast<int>(std::clamp<long long>(until_timer, 0, 60'000));
        const int count = ::epoll_wait(epoll_.fd(), events.data(), MAX_EVENTS, timeout);
        if (count < 0 && errno != EINTR) {
            log("epoll_wait: " + errno_text(errno));
            return;
        }
        for (int i = 0; i < count; ++i) {
            const std::uint64_t token = events[static_cast<std::size_t>(i)].data.u64;
            const std::uint32_t flags = events[static_cast<std::size_t>(i)].events;
            if (token == WAKE_TOKEN) {
                std::uint64_t value = 0;
                (void)!::read(wake_.fd(), &value, sizeof(value));
            } else if (listeners_.contains(token)) {
                handle_listener(token);
            } else {
                handle_connection(token, flags);
            }
        }
        run_posted();
        const auto now = Clock::now();
        if (now >= next_timer) {
            wake_listeners();
            check_deadlines();
            if (callbacks_.on_timer) callbacks_.on_timer();
            next_timer = std::max(next_timer + options_.timer_interval, now);
        }
    }
}

Result<NetService, std::string> Reactor::add_listener(Socket listener) {
    auto address = local_address(listener);
    if (!address) return fail(address.error());
    const std::uint64_t token = next_token_++;
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.u64 = token;
    if (::epoll_ctl(epoll_.fd(), EPOLL_CTL_ADD, listener.fd(), &event) != 0) {
        return fail("epoll_ctl: " + errno_text(errno));
    }
    listeners_.emplace(token, std::move(listener));
    return *address;
}

Reactor::Connection* Reactor::find(std::uint64_t token) {
    auto it = connections_.find(token);
    return it == connections_.end() ? nullptr : it->second.get();
}

Reactor::Connection* Reactor::find_id(ConnectionId id) {
    auto it = by_id_.find(id);
    return it == by_id_.end() ? nullptr : find(it->second);
}

Reactor::Connection& Reactor::insert(ConnectionId id, Socket socket, Phase phase) {
    auto connection = std::make_unique<Connection>();
    connection->id = id;
    connection->token = next_token_++;
    connection->socket = std::move(socket);
    connection->phase = phase;
    Connection& ref = *connection;
    by_id_[id] = ref.token;
    connections_.emplace(ref.token, std::move(connection));
    if (ref.socket.valid()) update_interest(ref);
    return ref;
}

Socket Reactor::erase(std::uint64_t token) {
    auto it = connections_.find(token);
    if (it == connections_.end()) return Socket();
    Socket socket = std::move(it->second->socket);
    if (it->second->registered) {
        (void)::epoll_ctl(epoll_.fd(), EPOLL_CTL_DEL, socket.fd(), nullptr);
    }
    by_id_.erase(it->second->id);
    connections_.erase(it);
    return socket;
}

bool Reactor::reading_enabled(const Connection& connection) const {
    switch (connection.phase) {
    case Phase::start_failed:
    case Phase::connecting:
        return false;
    case Phase::proxy_handshake:
        return true;
    case Phase::open:
        return !connection.paused_by_owner && connection.unsent <= options_.max_send_buffer_bytes;
    }
    return false;
}

void Reactor::update_interest(Connection& connection) {
    if (!connection.socket.valid()) return;
    std::uint32_t wanted = 0;
    if (connection.phase == Phase::connecting) {
        wanted = EPOLLOUT;
    } else {
        const bool has_output =
            !connection.proxy_output.empty() ||
            (connection.phase == Phase::open && connection.unsent > 0);
        if (has_output) wanted |= EPOLLOUT;
        if (reading_enabled(connection)) wanted |= EPOLLIN | EPOLLRDHUP;
    }
    if (connection.registered && wanted == connection.registered_events) return;
    epoll_event event{};
    event.events = wanted;
    event.data.u64 = connection.token;
    const int op = connection.registered ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
    if (::epoll_ctl(epoll_.fd(), op, connection.socket.fd(), &event) == 0) {
        connection.registered = true;
        connection.registered_events = wanted;
    } else {
        log("epoll_ctl for connection " + std::to_string(connection.id) + ": " +
            errno_text(errno));
    }
}

bool Reactor::connect(ConnectionId id, const NetService& address) {
    if (by_id_.contains(id)) return false;
    auto socket = start_connect(address);
    if (!socket) {
        Connection& connection = insert(id, Socket(), Phase::start_failed);
        const std::uint64_t token = connection.token;
        post([this, token, error = socket.error()] {
            if (find(token) != nullptr) fail_connect(token, error);
        });
        return true;
    }
    Connection& connection = insert(id, std::move(*socket), Phase::connecting);
    connection.remote = address;
    connection.deadline = Clock::now() + options_.connect_timeout;
    return true;
}

bool Reactor::connect_via_proxy(ConnectionId id, const NetService& proxy,
                                Socks5Destination destination,
                                std::optional<Socks5Credentials> credentials,
                                const NetService& reported_remote) {
    if (!connect(id, proxy)) return false;
    Connection& connection = *find_id(id);
    connection.remote = reported_remote;
    connection.socks.emplace(std::move(destination), std::move(credentials));
    return true;
}

bool Reactor::adopt(ConnectionId id, Socket socket, const NetService& remote) {
    if (by_id_.contains(id)) return false;
    Connection& connection = insert(id, std::move(socket), Phase::open);
    connection.remote = remote;
    return true;
}

bool Reactor::write(ConnectionId id, ByteSpan bytes) {
    Connection* connection = find_id(id);
    if (connection == nullptr) return false;
    if (bytes.empty()) return true;
    connection->send_queue.emplace_back(bytes.begin(), bytes.end());
    connection->unsent += bytes.size();
    update_interest(*connection);
    return true;
}

bool Reactor::close(ConnectionId id) {
    Connection* connection = find_id(id);
    if (connection == nullptr) return false;
    if (connection->phase == Phase::open && connection->socket.valid()) {
        // Best effort: what the socket takes now; nothing more once it would block.
        int error = 0;
        while (!connection->send_queue.empty()) {
            const Bytes& front = connection->send_queue.front();
            const long sent = send_some(connection->socket.fd(),
                                        front.data() + connection->send_offset,
                                        front.size() - connection->send_offset, error);
            if (sent <= 0) break;
            connection->send_offset += static_cast<std::size_t>(sent);
            if (connection->send_offset < front.size()) break;
            connection->send_queue.pop_front();
            connection->send_offset = 0;
        }
    }
    erase(connection->token);
    return true;
}

void Reactor::close_all() {
    std::vector<ConnectionId> ids;
    ids.reserve(by_id_.size());
    for (const auto& [id, token] : by_id_) ids.push_back(id);
    for (ConnectionId id : ids) close(id);
    for (auto& [token, listener] : listeners_) {
        (void)::epoll_ctl(epoll_.fd(), EPOLL_CTL_DEL, listener.fd(), nullptr);
    }
    listeners_.clear();
}

void Reactor::set_receive_paused(ConnectionId id, bool paused) {
    Connection* connection = find_id(id);
    if (connection == nullptr) return;
    connection->paused_by_owner = paused;
    update_interest(*connection);
}

std::optional<std::size_t> Reactor::unsent_bytes(ConnectionId id) const {
    auto it = by_id_.find(id);
    if (it == by_id_.end()) return std::nullopt;
    return connections_.at(it->second)->unsent;
}

void Reactor::handle_listener(std::uint64_t token) {
    for (int i = 0; i < MAX_ACCEPTS_PER_WAKE; ++i) {
        auto listener = listeners_.find(token);
        if (listener == listeners_.end()) return;
        auto accepted = accept_from(listener->second);
        if (!accepted) {
            // Out of descriptors or buffers: the listener stays readable, so rest it until
            // the next timer step instead of spinning on the same error.
            log(accepted.error());
            epoll_event event{};
            event.events = 0;
            event.data.u64 = token;
            (void)::epoll_ctl(epoll_.fd(), EPOLL_CTL_MOD, listener->second.fd(), &event);
            resting_listeners_.push_back(token);
            return;
        }
        if (!accepted->has_value()) return;
        AcceptedSocket& incoming = **accepted;
        auto local = local_address(incoming.socket);
        if (!local) continue;  // already gone
        if (callbacks_.on_accept) {
            callbacks_.on_accept(std::move(incoming.socket), incoming.remote, *local);
        }
    }
}

void Reactor::handle_connection(std::uint64_t token, std::uint32_t events) {
    Connection* connection = find(token);
    if (connection == nullptr) return;
    if (connection->phase == Phase::connecting) {
        if ((events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) == 0) return;
        auto done = finish_connect(connection->socket);
        if (!done) {
            fail_connect(token, done.error());
        } else {
            on_tcp_connected(token);
        }
        return;
    }
    if ((events & EPOLLOUT) != 0 && !flush(token)) return;
    connection = find(token);
    if (connection == nullptr) return;
    if (reading_enabled(*connection) && (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))) {
        read_once(token);
        return;
    }
    if ((events & (EPOLLERR | EPOLLHUP)) != 0) {
        // Reading is suspended, but the socket is dead: nothing more will arrive.
        int error = 0;
        socklen_t length = sizeof(error);
        (void)::getsockopt(connection->socket.fd(), SOL_SOCKET, SO_ERROR, &error, &length);
        const std::string why = error != 0 ? "socket error: " + errno_text(error) : "socket closed";
        if (connection->phase == Phase::open) {
            close_with(token, why);
        } else {
            fail_connect(token, why);
        }
    }
}

void Reactor::on_tcp_connected(std::uint64_t token) {
    Connection* connection = find(token);
    if (connection == nullptr) return;
    if (!connection->socks) {
        finish_open(token);
        return;
    }
    connection->phase = Phase::proxy_handshake;
    connection->deadline = Clock::now() + options_.proxy_handshake_timeout;
    if (connection->socks->state() == Socks5Handshake::State::failed) {
        fail_connect(token, connection->socks->error());
        return;
    }
    connection->proxy_output = connection->socks->take_output();
    update_interest(*connection);
    flush(token);
}

void Reactor::finish_open(std::uint64_t token) {
    Connection* connection = find(token);
    if (connection == nullptr) return;
    connection->phase = Phase::open;
    Bytes leftover;
    if (connection->socks) {
        leftover = connection->socks->take_leftover();
        connection->socks.reset();
    }
    update_interest(*connection);
    auto local = local_address(connection->socket);
    const ConnectionId id = connection->id;
    const NetService remote = connection->remote;
    if (!local) {
        fail_connect(token, local.error());
        return;
    }
    if (callbacks_.on_connected) callbacks_.on_connected(id, remote, *local);
    if (!leftover.empty() && find(token) != nullptr && callbacks_.on_data) {
        callbacks_.on_data(id, leftover);
    }
}

void Reactor::read_once(std::uint64_t token) {
    Connection* connection = find(token);
    if (connection == nullptr) return;
    ssize_t received;
    do {
        received = ::recv(connection->socket.fd(), read_buffer_.data(), read_buffer_.size(), 0);
    } while (received < 0 && errno == EINTR);
    const bool handshaking = connection->phase == Phase::proxy_handshake;
    if (received < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) return;
        const std::string why = "socket recv error: " + errno_text(errno);
        if (handshaking) {
            fail_connect(token, why);
        } else {
            close_with(token, why);
        }
        return;
    }
    if (received == 0) {
        if (handshaking) {
            fail_connect(token, "proxy closed the connection");
        } else {
            close_with(token, "socket closed");
        }
        return;
    }
    const ByteSpan data(read_buffer_.data(), static_cast<std::size_t>(received));
    if (!handshaking) {
        if (callbacks_.on_data) callbacks_.on_data(connection->id, data);
        return;
    }
    Socks5Handshake& socks = *connection->socks;
    socks.receive(data);
    append(connection->proxy_output, socks.take_output());
    if (socks.state() == Socks5Handshake::State::failed) {
        fail_connect(token, socks.error());
        return;
    }
    if (socks.state() == Socks5Handshake::State::connected) {
        finish_open(token);
        return;
    }
    update_interest(*connection);
    flush(token);
}

bool Reactor::flush(std::uint64_t token) {
    Connection* connection = find(token);
    if (connection == nullptr) return false;
    int error = 0;
    const int fd = connection->socket.fd();
    auto failed = [&] {
        const std::string why = "socket send error: " + errno_text(error);
        if (connection->phase == Phase::open) {
            close_with(token, why);
        } else {
            fail_connect(token, why);
        }
        return false;
    };
    if (!connection->proxy_output.empty()) {
        Bytes& out = connection->proxy_output;
        const long sent = send_some(fd, out.data(), out.size(), error);
        if (sent < 0) return failed();
        out.erase(out.begin(), out.begin() + sent);
    }
    if (connection->phase == Phase::open) {
        while (!connection->send_queue.empty()) {
            const Bytes& front = connection->send_queue.front();
            const long sent = send_some(fd, front.data() + connection->send_offset,
                                        front.size() - connection->send_offset, error);
            if (sent < 0) return failed();
            if (sent == 0) break;
            connection->send_offset += static_cast<std::size_t>(sent);
            connection->unsent -= static_cast<std::size_t>(sent);
            if (connection->send_offset < front.size()) break;
            connection->send_queue.pop_front();
            connection->send_offset = 0;
        }
    }
    update_interest(*connection);
    return true;
}

// `error` is taken by value: callers pass text owned by the connection being erased.
void Reactor::fail_connect(std::uint64_t token, std::string error) {
    Connection* connection = find(token);
    if (connection == nullptr) return;
    const ConnectionId id = connection->id;
    erase(token);
    if (callbacks_.on_connect_failed) callbacks_.on_connect_failed(id, error);
}

void Reactor::close_with(std::uint64_t token, std::string why) {
    Connection* connection = find(token);
    if (connection == nullptr) return;
    const ConnectionId id = connection->id;
    erase(token);
    if (callbacks_.on_closed) callbacks_.on_closed(id, why);
}

void Reactor::wake_listeners() {
    for (std::uint64_t token : resting_listeners_) {
        auto listener = listeners_.find(token);
        if (listener == listeners_.end()) continue;
        epoll_event event{};
        event.events = EPOLLIN;
        event.data.u64 = token;
        (void)::epoll_ctl(epoll_.fd(), EPOLL_CTL_MOD, listener->second.fd(), &event);
    }
    resting_listeners_.clear();
}

void Reactor::check_deadlines() {
    const auto now = Clock::now();
    std::vector<std::pair<std::uint64_t, std::string>> expired;
    for (const auto& [token, connection] : connections_) {
        if (connection->phase == Phase::connecting && now >= connection->deadline) {
            expired.emplace_back(token, "connection to " + connection->remote.to_string() +
                                            " timed out");
        } else if (connection->phase == Phase::proxy_handshake && now >= connection->deadline) {
            expired.emplace_back(token, "proxy handshake timed out");
        }
    }
    for (const auto& [token, why] : expired) fail_connect(token, why);
}

}  // namespace bitloom
