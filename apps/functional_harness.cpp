#include "functional_harness.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "crypto/random.h"
#include "p2p/peer.h"
#include "rpc/auth.h"
#include "rpc/http_client.h"

namespace bitloom::harness {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

std::filesystem::path bin_dir() {
    const char* dir = std::getenv("BITLOOM_BIN_DIR");
    if (dir == nullptr || *dir == '\0') throw std::runtime_error("BITLOOM_BIN_DIR is not set");
    return dir;
}

std::uint16_t free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return 0;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    std::uint16_t port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
        socklen_t len = sizeof addr;
        if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) port = ntohs(addr.sin_port);
    }
    ::close(fd);
    return port;
}

namespace {

std::string read_text(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::string tail_of(const std::string& text, std::size_t bytes) {
    return text.size() <= bytes ? text : text.substr(text.size() - bytes);
}

std::chrono::milliseconds remaining(Clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    return left < 0ms ? 0ms : left;
}

}  // namespace

// --- NodeProcess ------------------------------------------------------------------------

NodeProcess::NodeProcess(std::filesystem::path datadir, NodeOptions options)
    : datadir_(std::move(datadir)), options_(std::move(options)) {
    std::filesystem::create_directories(datadir_);
}

NodeProcess::~NodeProcess() {
    if (pid_ > 0) kill_hard();
}

Result<void, std::string> NodeProcess::start() {
    std::string last_error;
    for (int attempt = 0; attempt < 3; ++attempt) {
        auto started = start_once();
        if (started) return {};
        last_error = started.error();
        if (pid_ > 0) return started;  // still running but not ready: no point in retrying
    }
    return fail(last_error);
}

Result<void, std::string> NodeProcess::start_once() {
    rpc_port_ = free_port();
    p2p_port_ = options_.listen ? free_port() : 0;
    if (rpc_port_ == 0 || (options_.listen && (p2p_port_ == 0 || p2p_port_ == rpc_port_))) {
        return fail(std::string("no free loopback port"));
    }
    std::vector<std::string> args = {(bin_dir() / "bitloomd").string(),
                                     "-regtest",
                                     "-datadir=" + datadir_.string(),
                                     "-rpcport=" + std::to_string(rpc_port_),
                                     "-printtoconsole=0",
                                     "-checkblocks=0",
                                     "-dnsseed=0",
                                     "-fixedseeds=0",
                                     "-discover=0",
                                     "-upnp=0",
                                     "-natpmp=0",
                                     "-listenonion=0"};
    if (options_.listen) {
        args.push_back("-listen=1");
        args.push_back("-bind=127.0.0.1:" + std::to_string(p2p_port_));
        args.push_back("-port=" + std::to_string(p2p_port_));
    } else {
        args.push_back("-listen=0");
    }
    if (options_.connect.empty()) {
        args.push_back("-connect=0");
    } else {
        for (const std::string& target : options_.connect) args.push_back("-connect=" + target);
    }
    args.insert(args.end(), options_.extra_args.begin(), options_.extra_args.end());

    const std::filesystem::path stderr_path = datadir_ / "bitloomd.stderr";
    credentials_.clear();
    std::filesystem::remove(datadir_ / "regtest" / ".cookie");
    pid_ = ::fork();
    if (pid_ < 0) {
        pid_ = -1;
        return fail(std::string("fork failed: ") + std::strerror(errno));
    }
    if (pid_ == 0) {
        const int null_fd = ::open("/dev/null", O_WRONLY);
        const int err_fd = ::open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        ::dup2(null_fd, STDOUT_FILENO);
        if (err_fd >= 0) ::dup2(err_fd, STDERR_FILENO);
        std::vector<char*> argv;
        for (std::string& arg : args) argv.push_back(arg.data());
        argv.push_back(nullptr);
        ::execv(argv[0], argv.data());
        std::_Exit(127);
    }
    return wait_ready();
}

Result<void, std::string> NodeProcess::wait_ready() {
    const auto deadline = Clock::now() + 60s;
    while (Clock::now() < deadline) {
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            return fail("bitloomd exited during start-up with status " + std::to_string(status) + ": " +
                        tail_of(read_text(datadir_ / "bitloomd.stderr"), 2000));
        }
        auto cookie = read_cookie_file(datadir_ / "regtest" / ".cookie");
        if (cookie) {
            credentials_ = *cookie;
            if (call("getblockcount").http_status == 200) return {};
        }
        std::this_thread::sleep_for(50ms);
    }
    return fail(std::string("bitloomd did not become ready within 60 s"));
}

RpcResult NodeProcess::call(const std::string& method, Json params) {
    Json request = {{"jsonrpc", "1.0"}, {"id", "harness"}, {"method", method}, {"params", std::move(params)}};
    HttpClientOptions options;
    options.port = rpc_port_;
    options.timeout = 300s;
    HttpClient client(options);
    auto response = client.post_json("/", write_json(request), credentials_);
    RpcResult result;
    if (!response) return result;
    result.http_status = response->status;
    result.body = response->body;
    if (auto parsed = parse_json(response->body)) result.reply = *parsed;
    return result;
}

Result<Json, std::string> NodeProcess::result_of(const std::string& method, Json params) {
    RpcResult reply = call(method, std::move(params));
    if (reply.http_status == 0) return fail(method + ": no HTTP response");
    if (reply.http_status != 200 || !reply.reply.is_object() || !reply.reply.value("error", Json()).is_null()) {
        return fail(method + ": HTTP " + std::to_string(reply.http_status) + " " + reply.body);
    }
    return reply.reply.value("result", Json());
}

int NodeProcess::stop() {
    call("stop");
    return wait_exit();
}

int NodeProcess::terminate() {
    if (pid_ > 0) ::kill(pid_, SIGTERM);
    return wait_exit();
}

void NodeProcess::kill_hard() {
    if (pid_ > 0) ::kill(pid_, SIGKILL);
    wait_exit();
}

void NodeProcess::pause() {
    if (pid_ > 0) ::kill(pid_, SIGSTOP);
}

void NodeProcess::resume() {
    if (pid_ > 0) ::kill(pid_, SIGCONT);
}

int NodeProcess::wait_exit(std::chrono::milliseconds timeout) {
    if (pid_ <= 0) return -1;
    int status = 0;
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        }
        std::this_thread::sleep_for(20ms);
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return -1;
}

bool NodeProcess::alive() {
    if (pid_ <= 0) return false;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return false;
    }
    return true;
}

std::optional<std::uint64_t> NodeProcess::status_kib(std::string_view field) const {
    if (pid_ <= 0) return std::nullopt;
    std::ifstream in("/proc/" + std::to_string(pid_) + "/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.size() > field.size() && line.starts_with(field) && line[field.size()] == ':') {
            return std::strtoull(line.c_str() + field.size() + 1, nullptr, 10);
        }
    }
    return std::nullopt;
}

std::optional<double> NodeProcess::cpu_seconds() const {
    if (pid_ <= 0) return std::nullopt;
    const std::string stat = read_text("/proc/" + std::to_string(pid_) + "/stat");
    // Fields after the command name, which is in parentheses and may contain spaces.
    const auto close = stat.rfind(')');
    if (close == std::string::npos) return std::nullopt;
    std::istringstream fields(stat.substr(close + 2));
    std::string field;
    std::uint64_t utime = 0;
    std::uint64_t stime = 0;
    // utime and stime are fields 14 and 15 of the line; the text read starts at field 3.
    for (int index = 3; index <= 15 && fields >> field; ++index) {
        if (index == 14) utime = std::strtoull(field.c_str(), nullptr, 10);
        if (index == 15) stime = std::strtoull(field.c_str(), nullptr, 10);
    }
    return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

std::string NodeProcess::log_tail(std::size_t bytes) const {
    return tail_of(read_text(datadir_ / "regtest" / "debug.log"), bytes);
}

// --- TestPeer ---------------------------------------------------------------------------

std::string_view to_string(PeerError error) {
    switch (error) {
    case PeerError::connect_failed: return "connect failed";
    case PeerError::closed: return "connection closed by the node";
    case PeerError::timeout: return "timeout";
    case PeerError::protocol: return "protocol error";
    }
    return "unknown";
}

TestPeer::TestPeer(int fd, const MessageStart& magic) : fd_(fd), magic_(magic), decoder_(magic) {}

TestPeer::~TestPeer() {
    if (fd_ >= 0) ::close(fd_);
}

TestPeer::TestPeer(TestPeer&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      magic_(other.magic_),
      decoder_(std::move(other.decoder_)),
      pending_(std::move(other.pending_)),
      pending_offset_(std::exchange(other.pending_offset_, 0)),
      node_version_(std::move(other.node_version_)) {}

TestPeer& TestPeer::operator=(TestPeer&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = std::exchange(other.fd_, -1);
        magic_ = other.magic_;
        decoder_ = std::move(other.decoder_);
        pending_ = std::move(other.pending_);
        pending_offset_ = std::exchange(other.pending_offset_, 0);
        node_version_ = std::move(other.node_version_);
    }
    return *this;
}

Result<TestPeer, PeerFailure> TestPeer::connect(std::uint16_t port, const MessageStart& magic) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) return fail(PeerFailure{PeerError::connect_failed, std::strerror(errno)});
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 && errno != EINPROGRESS) {
        const int error = errno;
        ::close(fd);
        return fail(PeerFailure{PeerError::connect_failed, std::strerror(error)});
    }
    pollfd watch{fd, POLLOUT, 0};
    if (::poll(&watch, 1, 10'000) != 1) {
        ::close(fd);
        return fail(PeerFailure{PeerError::connect_failed, "no connection within 10 s"});
    }
    int error = 0;
    socklen_t length = sizeof error;
    ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length);
    if (error != 0) {
        ::close(fd);
        return fail(PeerFailure{PeerError::connect_failed, std::strerror(error)});
    }
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return TestPeer(fd, magic);
}

Result<void, PeerFailure> TestPeer::send_raw(ByteSpan bytes, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (!bytes.empty()) {
        const ssize_t sent = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (sent > 0) {
            bytes = bytes.subspan(static_cast<std::size_t>(sent));
            continue;
        }
        if (sent < 0 && errno == EINTR) continue;
        if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            pollfd watch{fd_, POLLOUT, 0};
            const auto left = remaining(deadline);
            if (left == 0ms) return fail(PeerFailure{PeerError::timeout, "the node did not take our bytes"});
            ::poll(&watch, 1, static_cast<int>(left.count()));
            continue;
        }
        return fail(PeerFailure{PeerError::closed, std::strerror(errno)});
    }
    return {};
}

Result<void, PeerFailure> TestPeer::send(std::string_view command, ByteSpan payload,
                                         std::chrono::milliseconds timeout) {
    const Bytes message = encode_message(magic_, command, payload);
    return send_raw(message, timeout);
}

Result<void, PeerFailure> TestPeer::read_some(std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    std::uint8_t buffer[65536];
    for (;;) {
        const ssize_t got = ::recv(fd_, buffer, sizeof buffer, 0);
        if (got > 0) {
            pending_.insert(pending_.end(), buffer, buffer + got);
            return {};
        }
        if (got == 0) return fail(PeerFailure{PeerError::closed, "EOF"});
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) return fail(PeerFailure{PeerError::closed, std::strerror(errno)});
        const auto left = remaining(deadline);
        if (left == 0ms) return fail(PeerFailure{PeerError::timeout, "nothing received"});
        pollfd watch{fd_, POLLIN, 0};
        ::poll(&watch, 1, static_cast<int>(left.count()));
    }
}

Result<ReceivedMessage, PeerFailure> TestPeer::receive(std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    for (;;) {
        while (pending_offset_ < pending_.size()) {
            ByteSpan data(pending_.data() + pending_offset_, pending_.size() - pending_offset_);
            auto event = decoder_.feed(data);
            pending_offset_ = pending_.size() - data.size();
            if (!event) return fail(PeerFailure{PeerError::protocol, std::string(bitloom::to_string(event.error()))});
            if (*event) {
                if (auto* message = std::get_if<ReceivedMessage>(&**event)) return std::move(*message);
            }
        }
        pending_.clear();
        pending_offset_ = 0;
        auto got = read_some(remaining(deadline));
        if (!got) return fail(got.error());
    }
}

Result<ReceivedMessage, PeerFailure> TestPeer::receive_command(std::string_view command,
                                                               std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    for (;;) {
        auto message = receive(remaining(deadline));
        if (!message) {
            if (message.error().error == PeerError::timeout) {
                message.error().message = "no " + std::string(command) + " message";
            }
            return message;
        }
        if (message->command == command) return message;
    }
}

Result<void, PeerFailure> TestPeer::handshake(std::chrono::milliseconds timeout, std::int32_t start_height) {
    const auto deadline = Clock::now() + timeout;
    sockaddr_in peer{};
    socklen_t length = sizeof peer;
    ::getpeername(fd_, reinterpret_cast<sockaddr*>(&peer), &length);
    VersionMessage version;
    version.version = PROTOCOL_VERSION;
    version.services = services::NODE_NETWORK | services::NODE_WITNESS;
    version.time = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
    version.addr_recv_services = services::NODE_NETWORK | services::NODE_WITNESS;
    version.addr_recv = NetService{NetAddress::ipv4({127, 0, 0, 1}), ntohs(peer.sin_port)};
    version.nonce = strong_random_u64() | 1;
    version.user_agent = "/bitloom-test-peer:0.1/";
    version.start_height = start_height;
    version.relay = true;
    if (auto sent = send(command::VERSION, encode_version(version)); !sent) return sent;

    auto theirs = receive_command(command::VERSION, remaining(deadline));
    if (!theirs) return fail(theirs.error());
    auto decoded = decode_version(theirs->payload);
    if (!decoded) {
        return fail(PeerFailure{PeerError::protocol, "the node's version does not decode: " +
                                                         std::string(bitloom::to_string(decoded.error()))});
    }
    node_version_ = *decoded;
    if (decoded->version >= WTXID_RELAY_VERSION) {
        if (auto sent = send(command::WTXIDRELAY); !sent) return sent;
        if (auto sent = send(command::SENDADDRV2); !sent) return sent;
    }
    if (auto sent = send(command::VERACK); !sent) return sent;
    auto verack = receive_command(command::VERACK, remaining(deadline));
    if (!verack) return fail(verack.error());
    return {};
}

Result<void, PeerFailure> TestPeer::ping_pong(std::uint64_t nonce, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    if (auto sent = send(command::PING, encode_nonce(nonce)); !sent) return sent;
    for (;;) {
        auto pong = receive_command(command::PONG, remaining(deadline));
        if (!pong) return fail(pong.error());
        auto answered = decode_nonce(pong->payload);
        if (answered && *answered == nonce) return {};
    }
}

bool TestPeer::wait_closed(std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    for (;;) {
        pending_.clear();
        pending_offset_ = 0;
        auto got = read_some(remaining(deadline));
        if (!got) return got.error().error == PeerError::closed;
    }
}

}  // namespace bitloom::harness
