// The node's networking: the connection manager (p2p/connection_manager.h) driven by real
// sockets. One I/O thread runs the reactor (net/reactor.h); a worker thread does the name
// lookups (getaddrinfo blocks); the message-processing thread takes the delivered events with
// next_event() and talks back through with_manager().
//
// How the manager's actions are performed:
//   OpenConnection    a numeric target (or one with its `service` set) is dialled at once; a
//                     name is looked up on the worker thread first, unless a proxy is set, in
//                     which case the proxy gets the name (no local lookup). Tor targets go
//                     through `onion_proxy` (default: `proxy`) and fail with a log line when
//                     there is none; I2P is not supported. Every proxied connection uses a
//                     fresh random username/password when `proxy_randomize` (Tor stream
//                     isolation). The outcome goes to connected() or connect_failed().
//   WriteBytes        appended to the connection's send buffer.
//   CloseConnection   what can be sent without blocking is sent, the socket closed, then
//                     closed() is called.
//   SetReceivePaused  the connection's reading is suspended or resumed. Reading is also
//                     suspended while more than max_send_buffer_bytes wait to be sent.
//   ResolveSeeds      looked up on the worker thread, answers to seeds_resolved().
//   DeliverEvent      queued for next_event(), in order.
//   LogLine           passed to options.log (on the thread that made the manager call).
// Socket events: an accept calls accepted() (a refused one is closed at once), data calls
// received(), EOF or an error calls closed(). tick() runs every TICK_INTERVAL.
//
// Files in data_dir (when it is not empty): peers.dat (the address manager) and banlist.dat
// (the ban list), read at start (a damaged one is logged and ignored: the node starts with
// an empty one) and written at stop() through a temporary file and a rename, so a crash never
// leaves half a file; they are also saved every DUMP_PEERS_INTERVAL on the worker thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <utility>
#include <unordered_map>
#include <vector>

#include "net/reactor.h"
#include "p2p/connection_manager.h"
#include "p2p/net_address.h"
#include "util/result.h"

namespace bitloom {

inline constexpr std::chrono::milliseconds TICK_INTERVAL{100};
// peers.dat and banlist.dat are also saved this often while running (Core's
// DUMP_PEERS_INTERVAL), so a crash loses little.
inline constexpr std::chrono::minutes DUMP_PEERS_INTERVAL{15};

struct NetworkServiceOptions {
    ConnectionManagerOptions manager;
    std::vector<NetService> bind;           // -bind; listened on when `listen`
    bool listen = true;
    std::filesystem::path data_dir;         // peers.dat and banlist.dat live here
    std::optional<NetService> proxy;        // -proxy (all networks)
    std::optional<NetService> onion_proxy;  // -onion (Tor targets; defaults to proxy)
    bool proxy_randomize = true;            // -proxyrandomize
    std::chrono::milliseconds connect_timeout{5000};  // -timeout
    // Mock-time aware clock: microseconds since the epoch. Default: the system clock.
    std::function<PeerTime()> clock;
    // Log sink: (category, line); category "" is always shown. Must not call back into the
    // service.
    std::function<void(std::string_view category, const std::string& line)> log;
    std::size_t max_send_buffer_bytes = 5'000'000;  // pause reading while more is unsent
};

class NetworkService {
public:
    // Binds every `bind` address when `listen` (an address whose family the host lacks is
    // logged and skipped; a port in use fails with Core's message "Unable to bind to
    // 127.0.0.1:18444 on this computer. bitloom is probably already running."), loads
    // peers.dat and banlist.dat, and starts the I/O and worker threads.
    static Result<std::unique_ptr<NetworkService>, std::string> start(
        NetworkServiceOptions options);
    // stop().
    ~NetworkService();
    NetworkService(const NetworkService&) = delete;
    NetworkService& operator=(const NetworkService&) = delete;

    // Closes every connection and listener, joins the threads, and saves peers.dat and
    // banlist.dat. Idempotent. Wakes a waiting next_event(). Not from the I/O thread (a
    // manager callback): it joins that thread.
    void stop();

    // For the message-processing thread: the next delivered event, waiting up to `timeout`;
    // nullopt on timeout or wake().
    std::optional<NetEvent> next_event(std::chrono::milliseconds timeout);
    // Makes a waiting (or the next) next_event() return nullopt.
    void wake();

    // Runs fn(manager) under the manager's mutex, then performs the actions the manager
    // queued (socket work on the I/O thread, events and log lines at once). Every caller
    // goes through this: the processing thread, RPC threads, the I/O thread. `fn` must not
    // call with_manager itself (the mutex is not recursive). A reference it returns outlives
    // the lock: return values, not references into the manager.
    template <typename F>
    auto with_manager(F&& fn) -> decltype(fn(std::declval<ConnectionManager&>())) {
        using R = decltype(fn(std::declval<ConnectionManager&>()));
        std::unique_lock lock(manager_mutex_);
        if constexpr (std::is_void_v<R>) {
            fn(manager_);
            dispatch_actions_locked();
            lock.unlock();
            perform_queued_actions();
        } else {
            R result = fn(manager_);
            dispatch_actions_locked();
            lock.unlock();
            perform_queued_actions();
            return result;
        }
    }

    // The listening addresses with their actual ports (bind port 0 in tests).
    std::vector<NetService> bound_addresses() const { return bound_; }

    // Bytes queued for the peer and not yet handed to its socket: written by the manager but
    // not yet performed, plus the reactor's unsent bytes as of its last pass (refreshed after
    // every batch of socket work and every tick). The processing layer holds back getdata
    // answers while this is large (Core's fPauseSend). Thread-safe.
    std::size_t send_backlog(PeerId id) const;

private:
    // Runs tasks one after another on its own thread (name lookups).
    class Worker {
    public:
        void start();
        void submit(std::function<void()> task);
        void stop();  // drops tasks not yet started, waits for the running one

    private:
        std::mutex mutex_;
        std::condition_variable wake_;
        std::deque<std::function<void()>> tasks_;
        bool stopping_ = false;
        std::thread thread_;
    };

    explicit NetworkService(NetworkServiceOptions options);

    PeerTime now() const;
    void log(std::string_view category, const std::string& line) const;
    bool on_io_thread() const { return std::this_thread::get_id() == io_thread_id_.load(); }

    // With manager_mutex_ held: takes the manager's actions; events and log lines are handled
    // here, the rest queued for the I/O thread in order.
    void dispatch_actions_locked();
    // Runs the queued socket actions now (on the I/O thread) or asks the I/O thread to.
    void perform_queued_actions();
    void drain_io_actions();  // I/O thread
    void perform(ConnectionAction& action);  // I/O thread
    void open_connection(const OpenConnection& open);
    void connect_to(PeerId id, const NetService& service, const std::string& target);
    void fail_connect(PeerId id, const std::string& error);
    std::optional<Socks5Credentials> proxy_credentials() const;

    ReactorCallbacks reactor_callbacks();
    Result<void, std::string> bind_listeners();
    void load_files();
    void save_files();

    NetworkServiceOptions options_;

    std::mutex manager_mutex_;
    ConnectionManager manager_;  // guarded by manager_mutex_

    std::mutex events_mutex_;
    std::condition_variable events_ready_;
    std::deque<NetEvent> events_;  // guarded by events_mutex_
    bool wake_requested_ = false;  // guarded by events_mutex_

    std::mutex io_actions_mutex_;
    std::deque<ConnectionAction> io_actions_;  // guarded by io_actions_mutex_

    struct Backlog {
        std::size_t queued = 0;  // WriteBytes dispatched, not yet performed
        std::size_t unsent = 0;  // the reactor's unsent bytes at the last refresh
    };
    void refresh_backlog();  // I/O thread
    mutable std::mutex backlog_mutex_;
    std::unordered_map<PeerId, Backlog> backlog_;  // guarded by backlog_mutex_
    std::atomic<bool> drain_posted_{false};

    std::unique_ptr<Reactor> reactor_;
    std::thread io_thread_;
    std::atomic<std::thread::id> io_thread_id_{};
    Worker worker_;
    std::vector<NetService> bound_;
    std::atomic<bool> stopped_{false};

    // I/O thread only.
    bool draining_ = false;
    std::chrono::steady_clock::time_point last_dump_{};
    std::set<PeerId> pending_lookups_;  // OpenConnection waiting for a name lookup
};

}  // namespace bitloom
