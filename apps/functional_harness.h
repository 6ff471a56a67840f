// Support for whole-system tests and benchmarks: bitloomd processes on loopback ports chosen at
// run time, JSON-RPC calls to them, and a raw P2P peer that speaks the wire protocol through
// the p2p codecs (and can also send bytes no honest peer would).
//
// Nothing here dials a non-loopback address: every node is started with -dnsseed=0
// -fixedseeds=0 and either explicit -connect targets or -connect=0, and binds 127.0.0.1 only.
// Failures are returned as values (no GoogleTest dependency), so benchmarks can use it too.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "p2p/messages.h"
#include "p2p/protocol.h"
#include "rpc/json.h"
#include "util/bytes.h"
#include "util/result.h"

namespace bitloom::harness {

// The directory of the built executables: $BITLOOM_BIN_DIR. Throws std::runtime_error when it
// is not set.
std::filesystem::path bin_dir();

// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, read back, released).
// Another process may take it before the caller binds it; NodeProcess::start retries.
std::uint16_t free_port();

struct RpcResult {
    int http_status = 0;  // 0 when no HTTP response came back
    std::string body;     // as the node sent it
    Json reply;           // the whole JSON-RPC reply object (null when the body is not JSON)
    const Json& result() const { return reply["result"]; }
    const Json& error() const { return reply["error"]; }
};

struct NodeOptions {
    // -listen=1 -bind=127.0.0.1:<port> -port=<port> with a port chosen at start; otherwise
    // -listen=0.
    bool listen = true;
    // Outbound targets as "127.0.0.1:<port>" (one -connect each); empty gives -connect=0.
    std::vector<std::string> connect;
    // Appended after the harness's own arguments.
    std::vector<std::string> extra_args;
};

// One bitloomd process on regtest with its own data directory, RPC port and (when listening)
// P2P port. The destructor kills a process still running (SIGKILL).
class NodeProcess {
public:
    explicit NodeProcess(std::filesystem::path datadir, NodeOptions options = {});
    ~NodeProcess();
    NodeProcess(const NodeProcess&) = delete;
    NodeProcess& operator=(const NodeProcess&) = delete;

    // Starts the process and waits (up to 60 s) until it answers RPC. The ports are chosen
    // here; when the process exits during start-up (a port taken meanwhile, say) it is tried
    // again with fresh ports, three times in all. The error holds the last exit status and
    // the end of the node's standard error.
    Result<void, std::string> start();

    RpcResult call(const std::string& method, Json params = Json::array());
    // The result of a call that succeeded (HTTP 200, null error), else a description.
    Result<Json, std::string> result_of(const std::string& method, Json params = Json::array());

    // `stop` over RPC, then waits for the exit. Returns the exit status (128 + signal when
    // killed by one, -1 when it had to be killed after 60 s).
    int stop();
    int terminate();  // SIGTERM, then as stop()
    void kill_hard();  // SIGKILL and reap
    void pause();      // SIGSTOP: the process keeps its sockets but does nothing
    void resume();     // SIGCONT
    int wait_exit(std::chrono::milliseconds timeout = std::chrono::seconds(60));

    bool running() const { return pid_ > 0; }
    // Whether the process is still running (reaps it, and forgets its id, when it exited).
    bool alive();
    pid_t pid() const { return pid_; }
    std::uint16_t rpc_port() const { return rpc_port_; }
    std::uint16_t p2p_port() const { return p2p_port_; }  // 0 when not listening
    std::string p2p_address() const { return "127.0.0.1:" + std::to_string(p2p_port_); }
    const std::filesystem::path& datadir() const { return datadir_; }
    const std::string& credentials() const { return credentials_; }

    // A field of /proc/<pid>/status in KiB ("VmRSS", "VmHWM"); nullopt when not running or
    // absent.
    std::optional<std::uint64_t> status_kib(std::string_view field) const;
    // User + system CPU seconds of the process so far (from /proc/<pid>/stat).
    std::optional<double> cpu_seconds() const;
    // The last `bytes` bytes of <datadir>/regtest/debug.log (for failure messages).
    std::string log_tail(std::size_t bytes = 4000) const;

private:
    Result<void, std::string> start_once();
    Result<void, std::string> wait_ready();

    std::filesystem::path datadir_;
    NodeOptions options_;
    pid_t pid_ = -1;
    std::uint16_t rpc_port_ = 0;
    std::uint16_t p2p_port_ = 0;
    std::string credentials_;
};

// Polls `condition` every `interval` until it holds or `timeout` passes; returns whether it
// held.
template <typename Condition>
bool wait_until(Condition condition, std::chrono::milliseconds timeout,
                std::chrono::milliseconds interval = std::chrono::milliseconds(50));

enum class PeerError {
    connect_failed,  // the TCP connection could not be opened
    closed,          // the node closed the connection (EOF or reset)
    timeout,         // nothing (or not the awaited message) within the timeout
    protocol,        // the node sent bytes that do not frame or decode
};
std::string_view to_string(PeerError error);

struct PeerFailure {
    PeerError error;
    std::string message;
};

// A blocking TCP client on 127.0.0.1 speaking the v1 P2P transport with one node. It frames
// and reads messages with protocol.h's codecs, and can send arbitrary bytes.
//
// Threading: one thread may send while another receives (the flood tests do); two senders or
// two receivers at once are not allowed.
class TestPeer {
public:
    // Opens the connection (blocking, up to 10 s).
    static Result<TestPeer, PeerFailure> connect(std::uint16_t port, const MessageStart& magic);
    ~TestPeer();
    TestPeer(TestPeer&& other) noexcept;
    TestPeer& operator=(TestPeer&& other) noexcept;
    TestPeer(const TestPeer&) = delete;
    TestPeer& operator=(const TestPeer&) = delete;

    // Writes all of `bytes`, waiting at most `timeout` for the node to take them. Errors:
    // closed (EPIPE / ECONNRESET), timeout.
    Result<void, PeerFailure> send_raw(ByteSpan bytes,
                                       std::chrono::milliseconds timeout = std::chrono::seconds(30));
    // encode_message(magic, command, payload), then send_raw.
    Result<void, PeerFailure> send(std::string_view command, ByteSpan payload = {},
                                   std::chrono::milliseconds timeout = std::chrono::seconds(30));

    // The next message that passes the framing checks (messages the decoder drops are
    // skipped). Errors: closed, timeout, protocol (a framing error).
    Result<ReceivedMessage, PeerFailure> receive(std::chrono::milliseconds timeout);
    // The next message with `command`, skipping (and discarding) every other one.
    Result<ReceivedMessage, PeerFailure> receive_command(std::string_view command,
                                                         std::chrono::milliseconds timeout);

    // The handshake as an honest outbound peer: sends version (PROTOCOL_VERSION 70016,
    // NODE_NETWORK | NODE_WITNESS, start height `start_height`); on the node's version sends
    // wtxidrelay, sendaddrv2 and verack, then waits for the node's verack. The node's version
    // is kept in node_version().
    Result<void, PeerFailure> handshake(std::chrono::milliseconds timeout = std::chrono::seconds(20),
                                        std::int32_t start_height = 0);
    // Sends ping(nonce) and waits for pong(nonce), skipping other messages.
    Result<void, PeerFailure> ping_pong(std::uint64_t nonce,
                                        std::chrono::milliseconds timeout = std::chrono::seconds(20));

    // Reads and discards everything until the node closes the connection: true when EOF or a
    // reset came within `timeout`, false when the connection was still open then.
    bool wait_closed(std::chrono::milliseconds timeout);

    const std::optional<VersionMessage>& node_version() const { return node_version_; }
    const MessageStart& magic() const { return magic_; }

private:
    TestPeer(int fd, const MessageStart& magic);
    // Appends what arrives within `timeout` to pending_. Errors: closed, timeout.
    Result<void, PeerFailure> read_some(std::chrono::milliseconds timeout);

    int fd_ = -1;
    MessageStart magic_{};
    MessageDecoder decoder_;
    Bytes pending_;                  // received bytes; those from pending_offset_ on are not yet
    std::size_t pending_offset_ = 0; // fed to the decoder
    std::optional<VersionMessage> node_version_;
};

template <typename Condition>
bool wait_until(Condition condition, std::chrono::milliseconds timeout,
                std::chrono::milliseconds interval) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        if (condition()) return true;
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(interval);
    }
}

}  // namespace bitloom::harness
