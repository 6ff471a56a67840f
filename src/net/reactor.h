// The event loop of the I/O layer (Linux epoll, one thread): listening sockets, outbound
// connects (direct, or through a SOCKS5 proxy with net/socks5.h), and per-connection read and
// write buffers. It knows nothing of the P2P protocol: bytes in, bytes out, and callbacks
// that tell the owner what happened.
//
// Connections are named by the owner's ids (ConnectionId, the connection manager's PeerId).
// A connection is created by connect(), connect_via_proxy() or adopt() and ends in exactly one
// of these ways:
//   - on_connect_failed(id, error): a connect (or the proxy handshake) failed or timed out;
//   - on_closed(id, why): an established connection ended by itself (EOF, error);
//   - close(id) by the owner: no callback follows.
//
// Reading: a readable connection is read in chunks of up to READ_CHUNK_BYTES, each handed to
// on_data. Reading is suspended while the owner paused it (set_receive_paused) or while more
// than max_send_buffer_bytes wait to be sent (a peer that does not read what we send should
// not make us read more), and resumes by itself when the buffer drains.
// Writing: write() appends to the connection's buffer; the loop sends it as the socket
// accepts it. Bytes written before a connect completes are sent once it has.
//
// Threading: run() executes the loop on the calling thread (the I/O thread) until stop().
// Every callback runs on the I/O thread. post() and stop() are safe from any thread; every
// other method must be called on the I/O thread (typically from a callback or a posted
// function), or from any thread while run() is not executing. Methods called by the owner
// never invoke callbacks themselves; failures they cause are reported later by the loop.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "net/socket.h"
#include "net/socks5.h"
#include "p2p/net_address.h"
#include "util/bytes.h"
#include "util/result.h"

namespace bitloom {

// The owner's name for a connection (the connection manager's PeerId).
using ConnectionId = std::int64_t;

inline constexpr std::size_t READ_CHUNK_BYTES = 64 * 1024;

struct ReactorOptions {
    std::chrono::milliseconds timer_interval{100};  // how often on_timer runs
    std::chrono::milliseconds connect_timeout{5000};  // Core's -timeout, for the TCP connect
    // The proxy's whole SOCKS5 exchange after the TCP connect (Core's SOCKS5_RECV_TIMEOUT).
    std::chrono::milliseconds proxy_handshake_timeout{20000};
    std::size_t max_send_buffer_bytes = 5'000'000;
};

struct ReactorCallbacks {
    // A connection arrived on a listener (`local` is the address it reached). The owner
    // either adopt()s the socket under an id or lets it go (it is closed when destroyed).
    std::function<void(Socket socket, const NetService& remote, const NetService& local)>
        on_accept;
    // A connect completed (through the proxy, when one was used). `remote` is the address
    // given to connect() (for a proxied connection: the `reported_remote`), `local` the
    // socket's own address.
    std::function<void(ConnectionId, const NetService& remote, const NetService& local)>
        on_connected;
    std::function<void(ConnectionId, const std::string& error)> on_connect_failed;
    // Bytes read from an established connection (valid only during the call).
    std::function<void(ConnectionId, ByteSpan data)> on_data;
    std::function<void(ConnectionId, const std::string& why)> on_closed;
    // Every timer_interval.
    std::function<void()> on_timer;
    // Problems of the loop itself (an accept that failed with EMFILE...), for the log.
    std::function<void(const std::string& line)> on_log;
};

class Reactor {
public:
    // Creates the epoll instance and the wake-up eventfd.
    static Result<std::unique_ptr<Reactor>, std::string> create(ReactorOptions options,
                                                                ReactorCallbacks callbacks);
    ~Reactor();
    Reactor(const Reactor&) = delete;
    Reactor& operator=(const Reactor&) = delete;

    // Runs the loop until stop(). Call from one thread at a time.
    void run();
    // Makes run() return after the current iteration. Thread-safe; later run() calls return
    // at once.
    void stop();
    // Runs `fn` on the I/O thread, in posting order, soon. Thread-safe. Functions still
    // queued when the reactor is destroyed are dropped.
    void post(std::function<void()> fn);

    // Watches a listening socket (net/socket.h listen_on) for connections; returns its
    // address (with the port the kernel chose for port 0).
    Result<NetService, std::string> add_listener(Socket listener);

    // Starts a direct connect. Its outcome arrives as on_connected or on_connect_failed.
    // False (and nothing starts) when `id` is already in use.
    bool connect(ConnectionId id, const NetService& address);
    // Connects to `proxy`, then asks it for `destination`; on_connected reports
    // `reported_remote` as the remote address.
    bool connect_via_proxy(ConnectionId id, const NetService& proxy, Socks5Destination destination,
                           std::optional<Socks5Credentials> credentials,
                           const NetService& reported_remote);
    // Takes an accepted socket as an established connection. False (the socket is closed)
    // when `id` is already in use.
    bool adopt(ConnectionId id, Socket socket, const NetService& remote);

    // Appends to the connection's send buffer. False when the id is unknown.
    bool write(ConnectionId id, ByteSpan bytes);
    // Sends what can be sent without blocking, then closes. No callback follows. False when
    // the id is unknown (it already ended).
    bool close(ConnectionId id);
    // close() for every connection, and closes the listeners.
    void close_all();
    // Suspends (true) or resumes (false) reading from the connection.
    void set_receive_paused(ConnectionId id, bool paused);

    // Bytes waiting in the connection's send buffer; nullopt for an unknown id.
    std::optional<std::size_t> unsent_bytes(ConnectionId id) const;
    std::size_t connection_count() const { return by_id_.size(); }

private:
    enum class Phase { start_failed, connecting, proxy_handshake, open };
    struct Connection {
        ConnectionId id = 0;
        std::uint64_t token = 0;
        Socket socket;
        Phase phase = Phase::connecting;
        NetService remote;
        std::optional<Socks5Handshake> socks;
        Bytes proxy_output;  // handshake bytes, sent before any application byte
        std::chrono::steady_clock::time_point deadline{};
        std::deque<Bytes> send_queue;
        std::size_t send_offset = 0;  // into send_queue.front()
        std::size_t unsent = 0;
        bool paused_by_owner = false;
        std::uint32_t registered_events = 0;
        bool registered = false;
    };

    Reactor(ReactorOptions options, ReactorCallbacks callbacks, Socket epoll, Socket wake);

    Connection* find(std::uint64_t token);
    Connection* find_id(ConnectionId id);
    Connection& insert(ConnectionId id, Socket socket, Phase phase);
    Socket erase(std::uint64_t token);  // forgets the connection, returns its socket
    void update_interest(Connection& connection);
    bool reading_enabled(const Connection& connection) const;

    void handle_listener(std::uint64_t token);
    void handle_connection(std::uint64_t token, std::uint32_t events);
    void on_tcp_connected(std::uint64_t token);
    void finish_open(std::uint64_t token);
    void read_once(std::uint64_t token);
    // Sends what the socket accepts; false when the connection failed and was closed.
    bool flush(std::uint64_t token);
    void fail_connect(std::uint64_t token, std::string error);
    void close_with(std::uint64_t token, std::string why);
    void check_deadlines();
    void wake_listeners();  // re-arms listeners rested after an accept error
    void run_posted();
    void log(const std::string& line);

    ReactorOptions options_;
    ReactorCallbacks callbacks_;
    Socket epoll_;
    Socket wake_;  // eventfd: post() and stop() write to it
    std::unordered_map<std::uint64_t, Socket> listeners_;
    std::vector<std::uint64_t> resting_listeners_;
    std::unordered_map<std::uint64_t, std::unique_ptr<Connection>> connections_;
    std::unordered_map<ConnectionId, std::uint64_t> by_id_;
    std::uint64_t next_token_ = 1;  // 0 is the eventfd
    std::vector<std::uint8_t> read_buffer_;

    std::mutex posted_mutex_;
    std::vector<std::function<void()>> posted_;  // guarded by posted_mutex_
    bool stopping_ = false;                      // guarded by posted_mutex_
};

}  // namespace bitloom
