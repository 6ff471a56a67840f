// Helpers shared by the net module's tests (not part of the library): a reactor running on its
// own thread with every callback recorded, blocking socket helpers with generous timeouts,
// and a small SOCKS5 server on 127.0.0.1 that relays to a local listener.
#pragma once

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "net/reactor.h"
#include "net/socket.h"
#include "net/socks5.h"

namespace bitloom::net_testing {

inline constexpr std::chrono::seconds GENEROUS{20};

inline NetService loopback(std::uint16_t port = 0) {
    return NetService{NetAddress::ipv4({127, 0, 0, 1}), port};
}

// Waits until `fd` is ready for `events`; false after `timeout`.
inline bool wait_for_fd(int fd, short events,
                        std::chrono::milliseconds timeout = std::chrono::milliseconds(GENEROUS)) {
    pollfd entry{fd, events, 0};
    return ::poll(&entry, 1, static_cast<int>(timeout.count())) == 1;
}

// Reads exactly `count` bytes from a non-blocking socket; nullopt on EOF, error or timeout.
inline std::optional<Bytes> read_exactly(int fd, std::size_t count) {
    Bytes out;
    while (out.size() < count) {
        if (!wait_for_fd(fd, POLLIN)) return std::nullopt;
        std::uint8_t buffer[4096];
        const ssize_t got = ::recv(fd, buffer, std::min(sizeof(buffer), count - out.size()), 0);
        if (got < 0 && (errno == EAGAIN || errno == EINTR)) continue;
        if (got <= 0) return std::nullopt;
        out.insert(out.end(), buffer, buffer + got);
    }
    return out;
}

// Sends everything (waiting as needed); false on error or timeout.
inline bool send_all(int fd, ByteSpan data) {
    std::size_t done = 0;
    while (done < data.size()) {
        const ssize_t sent = ::send(fd, data.data() + done, data.size() - done, MSG_NOSIGNAL);
        if (sent < 0 && (errno == EAGAIN || errno == EINTR)) {
            if (!wait_for_fd(fd, POLLOUT)) return false;
            continue;
        }
        if (sent <= 0) return false;
        done += static_cast<std::size_t>(sent);
    }
    return true;
}

// A blocking-style connect with a generous timeout.
inline Socket connect_blocking(const NetService& address) {
    auto socket = start_connect(address);
    EXPECT_TRUE(socket.has_value()) << (socket ? "" : socket.error());
    if (!socket) return Socket();
    EXPECT_TRUE(wait_for_fd(socket->fd(), POLLOUT));
    auto done = finish_connect(*socket);
    EXPECT_TRUE(done.has_value()) << (done ? "" : done.error());
    return std::move(*socket);
}

// Accepts one connection, waiting generously.
inline Socket accept_blocking(const Socket& listener) {
    if (!wait_for_fd(listener.fd(), POLLIN)) return Socket();
    auto accepted = accept_from(listener);
    if (!accepted || !accepted->has_value()) return Socket();
    return std::move((*accepted)->socket);
}

inline std::string text_of(ByteSpan bytes) { return std::string(bytes.begin(), bytes.end()); }

// A reactor on its own thread; every callback is recorded. Inbound connections are adopted
// with ids 1000, 1001, ...
class ReactorHarness {
public:
    explicit ReactorHarness(ReactorOptions options = {}) {
        ReactorCallbacks callbacks;
        callbacks.on_accept = [this](Socket socket, const NetService& remote, const NetService&) {
            const ConnectionId id = next_inbound_++;
            reactor_->adopt(id, std::move(socket), remote);
            record([&] { accepted_.push_back(id); });
        };
        callbacks.on_connected = [this](ConnectionId id, const NetService& remote,
                                        const NetService& local) {
            record([&] { connected_[id] = {remote, local}; });
        };
        callbacks.on_connect_failed = [this](ConnectionId id, const std::string& error) {
            record([&] { failed_[id] = error; });
        };
        callbacks.on_data = [this](ConnectionId id, ByteSpan data) {
            record([&] {
                append(data_[id], data);
                ++chunks_[id];
            });
        };
        callbacks.on_closed = [this](ConnectionId id, const std::string& why) {
            record([&] { closed_[id] = why; });
        };
        callbacks.on_timer = [this] { record([&] { ++timer_ticks_; }); };
        auto created = Reactor::create(options, std::move(callbacks));
        EXPECT_TRUE(created.has_value());
        reactor_ = std::move(*created);
        thread_ = std::thread([this] { reactor_->run(); });
    }
    ~ReactorHarness() {
        reactor_->stop();
        thread_.join();
    }

    // Runs `fn(reactor)` on the I/O thread and returns its result.
    template <typename F>
    auto call(F fn) -> decltype(fn(std::declval<Reactor&>())) {
        using R = decltype(fn(std::declval<Reactor&>()));
        auto task = std::make_shared<std::packaged_task<R()>>([this, fn] { return fn(*reactor_); });
        auto future = task->get_future();
        reactor_->post([task] { (*task)(); });
        return future.get();
    }
    Reactor& reactor() { return *reactor_; }

    // Waits (generously) until `predicate` holds over the recorded state.
    bool wait_until(const std::function<bool()>& predicate,
                    std::chrono::milliseconds timeout = std::chrono::milliseconds(GENEROUS)) {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, timeout, predicate);
    }
    template <typename F>
    auto inspect(F fn) {
        std::lock_guard lock(mutex_);
        return fn();
    }

    // Recorded state (read under inspect / wait_until).
    std::vector<ConnectionId> accepted_;
    std::map<ConnectionId, std::pair<NetService, NetService>> connected_;
    std::map<ConnectionId, std::string> failed_;
    std::map<ConnectionId, Bytes> data_;
    std::map<ConnectionId, int> chunks_;
    std::map<ConnectionId, std::string> closed_;
    int timer_ticks_ = 0;

private:
    template <typename F>
    void record(F fn) {
        {
            std::lock_guard lock(mutex_);
            fn();
        }
        changed_.notify_all();
    }

    std::unique_ptr<Reactor> reactor_;
    std::thread thread_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::atomic<ConnectionId> next_inbound_{1000};
};

// A SOCKS5 server on 127.0.0.1 for tests, one client at a time. Every CONNECT is relayed to
// `relay_to` whatever it names (the request is recorded), or answered with `reply_code` when
// that is not 0. Username/password authentication is chosen whenever the client offers it
// (as Tor does); with `required` credentials it is the only method accepted and the
// credentials must match.
class TestSocksServer {
public:
    struct Request {
        std::uint8_t atyp = 0;
        std::string host;  // the domain name, or the address text
        std::uint16_t port = 0;
        std::optional<Socks5Credentials> credentials;
    };

    TestSocksServer(NetService relay_to, std::optional<Socks5Credentials> required = std::nullopt,
                    std::uint8_t reply_code = 0)
        : relay_to_(relay_to), required_(std::move(required)), reply_code_(reply_code) {
        auto listener = listen_on(loopback());
        EXPECT_TRUE(listener.has_value());
        listener_ = std::move(*listener);
        address_ = local_address(listener_).value();
        thread_ = std::thread([this] { serve(); });
    }
    ~TestSocksServer() {
        stop_ = true;
        thread_.join();
    }
    NetService address() const { return address_; }
    std::vector<Request> requests() {
        std::lock_guard lock(mutex_);
        return requests_;
    }

private:
    void serve() {
        while (!stop_) {
            if (!wait_for_fd(listener_.fd(), POLLIN, std::chrono::milliseconds(50))) continue;
            auto accepted = accept_from(listener_);
            if (!accepted || !accepted->has_value()) continue;
            handle(std::move((*accepted)->socket));
        }
    }

    void handle(Socket client) {
        const int fd = client.fd();
        auto head = read_exactly(fd, 2);
        if (!head || (*head)[0] != 0x05) return;
        auto methods = read_exactly(fd, (*head)[1]);
        if (!methods) return;
        Request request;
        const bool offers_password =
            std::find(methods->begin(), methods->end(), 0x02) != methods->end();
        if (required_ && !offers_password) {
            send_all(fd, Bytes{0x05, 0xff});
            return;
        }
        if (offers_password) {
            // Like Tor: username/password whenever offered (it isolates streams by them).
            send_all(fd, Bytes{0x05, 0x02});
            auto version_and_length = read_exactly(fd, 2);
            if (!version_and_length) return;
            auto user = read_exactly(fd, (*version_and_length)[1]);
            auto password_length = read_exactly(fd, 1);
            if (!user || !password_length) return;
            auto password = read_exactly(fd, (*password_length)[0]);
            if (!password) return;
            request.credentials = Socks5Credentials{text_of(*user), text_of(*password)};
            const bool good = !required_ ||
                              (request.credentials->username == required_->username &&
                               request.credentials->password == required_->password);
            send_all(fd, Bytes{0x01, static_cast<std::uint8_t>(good ? 0x00 : 0x01)});
            if (!good) return;
        } else {
            send_all(fd, Bytes{0x05, 0x00});
        }
        auto fixed = read_exactly(fd, 4);
        if (!fixed) return;
        request.atyp = (*fixed)[3];
        if (request.atyp == 0x01) {
            auto bytes = read_exactly(fd, 4);
            if (!bytes) return;
            request.host = NetAddress::ipv4({(*bytes)[0], (*bytes)[1], (*bytes)[2], (*bytes)[3]})
                               .to_string();
        } else if (request.atyp == 0x04) {
            auto bytes = read_exactly(fd, 16);
            if (!bytes) return;
            std::array<std::uint8_t, 16> raw{};
            std::copy(bytes->begin(), bytes->end(), raw.begin());
            request.host = NetAddress::ipv6(raw).to_string();
        } else if (request.atyp == 0x03) {
            auto length = read_exactly(fd, 1);
            if (!length) return;
            auto name = read_exactly(fd, (*length)[0]);
            if (!name) return;
            request.host = text_of(*name);
        } else {
            return;
        }
        auto port = read_exactly(fd, 2);
        if (!port) return;
        request.port = static_cast<std::uint16_t>(((*port)[0] << 8) | (*port)[1]);
        {
            std::lock_guard lock(mutex_);
            requests_.push_back(request);
        }
        if (reply_code_ != 0) {
            send_all(fd, Bytes{0x05, reply_code_, 0x00, 0x01, 0, 0, 0, 0, 0, 0});
            return;
        }
        Socket upstream = connect_blocking(relay_to_);
        if (!upstream.valid()) {
            send_all(fd, Bytes{0x05, 0x05, 0x00, 0x01, 0, 0, 0, 0, 0, 0});
            return;
        }
        // Bound address 127.0.0.1:0 in the reply, as an IPv4 address.
        send_all(fd, Bytes{0x05, 0x00, 0x00, 0x01, 127, 0, 0, 1, 0, 0});
        relay(fd, upstream.fd());
    }

    void relay(int a, int b) {
        while (!stop_) {
            pollfd fds[2] = {{a, POLLIN, 0}, {b, POLLIN, 0}};
            if (::poll(fds, 2, 50) <= 0) continue;
            for (int i = 0; i < 2; ++i) {
                if (fds[i].revents == 0) continue;
                std::uint8_t buffer[16384];
                const ssize_t got = ::recv(fds[i].fd, buffer, sizeof(buffer), 0);
                if (got < 0 && (errno == EAGAIN || errno == EINTR)) continue;
                if (got <= 0) return;
                if (!send_all(fds[1 - i].fd, ByteSpan(buffer, static_cast<std::size_t>(got)))) {
                    return;
                }
            }
        }
    }

    NetService relay_to_;
    std::optional<Socks5Credentials> required_;
    std::uint8_t reply_code_;
    Socket listener_;
    NetService address_;
    std::atomic<bool> stop_{false};
    std::thread thread_;
    std::mutex mutex_;
    std::vector<Request> requests_;
};

}  // namespace bitloom::net_testing
