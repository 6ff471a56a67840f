#include "rpc/http_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <condition_variable>
#include <cstring>
#include <ctime>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

namespace bitloom {

namespace {

using Clock = std::chrono::steady_clock;

std::string format_peer(const sockaddr_storage& address) {
    char host[INET6_ADDRSTRLEN] = {};
    if (address.ss_family == AF_INET) {
        const auto* in = reinterpret_cast<const sockaddr_in*>(&address);
        ::inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
        return std::string(host) + ":" + std::to_string(ntohs(in->sin_port));
    }
    if (address.ss_family == AF_INET6) {
        const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&address);
        ::inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
        return "[" + std::string(host) + "]:" + std::to_string(ntohs(in6->sin6_port));
    }
    return "unknown";
}

bool is_token_char(char c) {
    if (c >= 'a' && c <= 'z') return true;
    if (c >= 'A' && c <= 'Z') return true;
    if (c >= '0' && c <= '9') return true;
    return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    return text;
}

std::string http_date() {
    char buffer[64];
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    ::gmtime_r(&now, &tm);
    std::strftime(buffer, sizeof(buffer), "%a, %d %b %Y %H:%M:%S GMT", &tm);
    return buffer;
}

std::string serialize_response(const HttpResponse& response, bool close) {
    std::string out = "HTTP/1.1 " + std::to_string(response.status) + " " +
                      std::string(http_reason(response.status)) + "\r\n";
    for (const auto& [name, value] : response.headers.fields()) {
        if (iequals(name, "Content-Length") || iequals(name, "Connection") || iequals(name, "Date"))
            continue;
        out += name + ": " + value + "\r\n";
    }
    out += "Date: " + http_date() + "\r\n";
    if (close) out += "Connection: close\r\n";
    out += "Content-Length: " + std::to_string(response.body.size()) + "\r\n\r\n";
    out += response.body;
    return out;
}

// Writes all of `data` to a non-blocking socket, waiting up to `timeout` for it to drain.
bool write_all(int fd, std::string_view data, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (!data.empty()) {
        const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
        if (n > 0) {
            data.remove_prefix(static_cast<std::size_t>(n));
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
            if (left.count() <= 0) return false;
            pollfd pfd{fd, POLLOUT, 0};
            ::poll(&pfd, 1, static_cast<int>(std::min<long long>(left.count(), 1000)));
            continue;
        }
        return false;
    }
    return true;
}

// Result of looking for one complete request at the start of a buffer.
struct ParseOutcome {
    enum Kind { incomplete, complete, error } kind = incomplete;
    int error_status = 0;
    std::size_t consumed = 0;  // complete: bytes of the whole request
    HttpRequest request;
    bool keep_alive = true;
    bool expects_continue = false;  // incomplete body after "Expect: 100-continue"
};

ParseOutcome parse_request(std::string_view buffer, const HttpServerOptions& options) {
    ParseOutcome outcome;
    // Find the empty line that ends the head (CRLF or bare LF line endings).
    std::size_t head_end = std::string_view::npos;
    std::size_t body_start = 0;
    for (std::size_t i = buffer.find('\n'); i != std::string_view::npos; i = buffer.find('\n', i + 1)) {
        if (i + 1 < buffer.size() && buffer[i + 1] == '\n') {
            head_end = i + 1;
            body_start = i + 2;
            break;
        }
        if (i + 2 < buffer.size() && buffer[i + 1] == '\r' && buffer[i + 2] == '\n') {
            head_end = i + 1;
            body_start = i + 3;
            break;
        }
        if (i > options.max_header_bytes) break;
    }
    if (head_end == std::string_view::npos || head_end > options.max_header_bytes) {
        if (buffer.size() > options.max_header_bytes) {
            outcome.kind = ParseOutcome::error;
            outcome.error_status = HTTP_HEADERS_TOO_LARGE;
        }
        return outcome;
    }
    const auto fail_with = [&](int status) {
        outcome.kind = ParseOutcome::error;
        outcome.error_status = status;
        return outcome;
    };
    std::string_view head = buffer.substr(0, head_end);
    std::vector<std::string_view> lines;
    while (!head.empty()) {
        const auto nl = head.find('\n');
        auto line = head.substr(0, nl);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        lines.push_back(line);
        head.remove_prefix(nl == std::string_view::npos ? head.size() : nl + 1);
    }
    if (lines.empty()) return fail_with(HTTP_BAD_REQUEST);
    // Request line.
    const std::string_view request_line = lines[0];
    const auto sp1 = request_line.find(' ');
    const auto sp2 = sp1 == std::string_view::npos ? sp1 : request_line.find(' ', sp1 + 1);
    if (sp1 == std::string_view::npos || sp2 == std::string_view::npos ||
        request_line.find(' ', sp2 + 1) != std::string_view::npos)
        return fail_with(HTTP_BAD_REQUEST);
    auto& request = outcome.request;
    request.method = std::string(request_line.substr(0, sp1));
    request.path = std::string(request_line.substr(sp1 + 1, sp2 - sp1 - 1));
    request.version = std::string(request_line.substr(sp2 + 1));
    if (request.method.empty() || request.path.empty()) return fail_with(HTTP_BAD_REQUEST);
    for (const char c : request.method)
        if (!is_token_char(c)) return fail_with(HTTP_BAD_REQUEST);
    for (const char c : request.path)
        if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return fail_with(HTTP_BAD_REQUEST);
    if (request.version != "HTTP/1.1" && request.version != "HTTP/1.0")
        return fail_with(HTTP_BAD_REQUEST);
    // Header fields.
    for (std::size_t i = 1; i < lines.size(); ++i) {
        const auto line = lines[i];
        const auto colon = line.find(':');
        if (colon == std::string_view::npos || colon == 0) return fail_with(HTTP_BAD_REQUEST);
        const auto name = line.substr(0, colon);
        for (const char c : name)
            if (!is_token_char(c)) return fail_with(HTTP_BAD_REQUEST);
        request.headers.add(std::string(name), std::string(trim(line.substr(colon + 1))));
    }
    if (request.headers.contains("Transfer-Encoding")) return fail_with(HTTP_BAD_REQUEST);
    std::size_t content_length = 0;
    std::optional<std::string> length_text;
    for (const auto& [name, value] : request.headers.fields()) {
        if (!iequals(name, "Content-Length")) continue;
        if (length_text && *length_text != value) return fail_with(HTTP_BAD_REQUEST);
        length_text = value;
    }
    if (length_text) {
        const auto& text = *length_text;
        if (text.empty() || text.size() > 18) {
            return fail_with(text.empty() ? HTTP_BAD_REQUEST
                                          : (text.find_first_not_of("0123456789") == std::string::npos
                                                 ? HTTP_PAYLOAD_TOO_LARGE
                                                 : HTTP_BAD_REQUEST));
        }
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), content_length);
        if (ec != std::errc() || end != text.data() + text.size()) return fail_with(HTTP_BAD_REQUEST);
        if (content_length > options.max_body_bytes) return fail_with(HTTP_PAYLOAD_TOO_LARGE);
    }
    const auto connection = request.headers.get("Connection");
    if (request.version == "HTTP/1.0") outcome.keep_alive = connection && iequals(*connection, "keep-alive");
    else outcome.keep_alive = !(connection && iequals(*connection, "close"));
    if (buffer.size() - body_start < content_length) {
        const auto expect = request.headers.get("Expect");
        outcome.expects_continue = expect && iequals(*expect, "100-continue");
        outcome.request = {};
        return outcome;  // incomplete body
    }
    request.body = std::string(buffer.substr(body_start, content_length));
    outcome.consumed = body_start + content_length;
    outcome.kind = ParseOutcome::complete;
    return outcome;
}

}  // namespace

std::string HttpEndpoint::to_string() const {
    if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
    return host + ":" + std::to_string(port);
}

Result<HttpEndpoint, std::string> parse_http_endpoint(std::string_view text,
                                                      std::uint16_t default_port) {
    const std::string error = "Invalid -rpcbind address: '" + std::string(text) + "'";
    std::string host;
    std::optional<std::string_view> port_text;
    if (!text.empty() && text.front() == '[') {
        const auto close = text.find(']');
        if (close == std::string_view::npos) return fail(error);
        host = std::string(text.substr(1, close - 1));
        const auto rest = text.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':') return fail(error);
            port_text = rest.substr(1);
        }
    } else if (std::count(text.begin(), text.end(), ':') == 1) {
        const auto colon = text.find(':');
        host = std::string(text.substr(0, colon));
        port_text = text.substr(colon + 1);
    } else {
        host = std::string(text);
    }
    in_addr v4{};
    in6_addr v6{};
    const bool is_v6 = host.find(':') != std::string::npos;
    if (is_v6 ? ::inet_pton(AF_INET6, host.c_str(), &v6) != 1
              : ::inet_pton(AF_INET, host.c_str(), &v4) != 1)
        return fail(error);
    std::uint16_t port = default_port;
    if (port_text) {
        unsigned value = 0;
        const auto [end, ec] =
            std::from_chars(port_text->data(), port_text->data() + port_text->size(), value);
        if (ec != std::errc() || end != port_text->data() + port_text->size() || value > 65535 ||
            (value == 0 && default_port != 0))
            return fail(error);
        port = static_cast<std::uint16_t>(value);
    }
    return HttpEndpoint{host, port};
}

struct HttpServer::Impl {
    struct Connection {
        int fd = -1;
        std::string peer;
        std::string buffer;
        bool busy = false;           // a request is with a worker
        bool sent_continue = false;  // 100 Continue already sent for the pending request
        Clock::time_point last_activity;
    };
    struct Job {
        int fd;
        HttpRequest request;
        bool keep_alive;
    };
    struct Done {
        int fd;
        bool close;
    };

    HttpServerOptions options;
    HttpHandler handler;
    std::vector<int> listeners;
    std::vector<HttpEndpoint> bound;
    std::vector<std::string> warnings;
    int wake_read = -1;
    int wake_write = -1;

    std::mutex mutex;
    std::condition_variable work_ready;
    std::deque<Job> queue;  // guarded by mutex
    std::vector<Done> done;  // guarded by mutex
    bool workers_exit = false;  // guarded by mutex
    std::atomic<bool> stopping{false};

    std::map<int, Connection> connections;  // event thread only
    std::thread event_thread;
    std::vector<std::thread> workers;
    std::once_flag stop_once;

    void wake() {
        const char byte = 1;
        [[maybe_unused]] const auto n = ::write(wake_write, &byte, 1);
    }

    void close_connection(int fd) {
        ::close(fd);
        connections.erase(fd);
    }

    void reply_and_close(Connection& connection, int status, std::string body = {}) {
        write_all(connection.fd, serialize_response(HttpResponse::text(status, std::move(body)), true),
                  std::chrono::milliseconds(1000));
        close_connection(connection.fd);
    }

    // Tries to hand a buffered request of `connection` to the workers. May close it.
    void process_buffer(int fd) {
        auto it = connections.find(fd);
        if (it == connections.end()) return;
        Connection& connection = it->second;
        if (connection.busy || connection.buffer.empty()) return;
        ParseOutcome outcome = parse_request(connection.buffer, options);
        if (outcome.kind == ParseOutcome::error) {
            reply_and_close(connection, outcome.error_status);
            return;
        }
        if (outcome.kind == ParseOutcome::incomplete) {
            if (outcome.expects_continue && !connection.sent_continue) {
                connection.sent_continue = true;
                write_all(fd, "HTTP/1.1 100 Continue\r\n\r\n", std::chrono::milliseconds(1000));
            }
            return;
        }
        connection.buffer.erase(0, outcome.consumed);
        connection.sent_continue = false;
        outcome.request.peer = connection.peer;
        std::unique_lock lock(mutex);
        if (queue.size() >= options.work_queue_depth) {
            lock.unlock();
            HttpResponse response = HttpResponse::text(HTTP_SERVICE_UNAVAILABLE, "Work queue depth exceeded");
            if (!write_all(fd, serialize_response(response, !outcome.keep_alive),
                           std::chrono::milliseconds(1000)) ||
                !outcome.keep_alive)
                close_connection(fd);
            return;
        }
        connection.busy = true;
        queue.push_back(Job{fd, std::move(outcome.request), outcome.keep_alive});
        lock.unlock();
        work_ready.notify_one();
    }

    void accept_from(int listener) {
        while (connections.size() < 4096) {
            sockaddr_storage address{};
            socklen_t length = sizeof(address);
            const int fd = ::accept4(listener, reinterpret_cast<sockaddr*>(&address), &length,
                                     SOCK_NONBLOCK | SOCK_CLOEXEC);
            if (fd < 0) return;
            const int one = 1;
            ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
            Connection connection;
            connection.fd = fd;
            connection.peer = format_peer(address);
            connection.last_activity = Clock::now();
            connections.emplace(fd, std::move(connection));
        }
    }

    void read_from(int fd) {
        auto it = connections.find(fd);
        if (it == connections.end()) return;
        Connection& connection = it->second;
        char chunk[65536];
        while (true) {
            const ssize_t n = ::recv(fd, chunk, sizeof(chunk), 0);
            if (n > 0) {
                connection.buffer.append(chunk, static_cast<std::size_t>(n));
                connection.last_activity = Clock::now();
                // Never hold more than one maximal request plus a head.
                if (connection.buffer.size() >
                    options.max_body_bytes + 2 * options.max_header_bytes + 4)
                    break;
                if (static_cast<std::size_t>(n) < sizeof(chunk)) break;
                continue;
            }
            if (n < 0 && errno == EINTR) continue;
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
            close_connection(fd);  // orderly close or error
            return;
        }
        process_buffer(fd);
    }

    void handle_done() {
        std::vector<Done> finished;
        {
            std::lock_guard lock(mutex);
            finished.swap(done);
        }
        for (const auto& item : finished) {
            auto it = connections.find(item.fd);
            if (it == connections.end()) continue;
            if (item.close || stopping) {
                close_connection(item.fd);
                continue;
            }
            it->second.busy = false;
            it->second.last_activity = Clock::now();
            process_buffer(item.fd);
        }
    }

    void event_loop() {
        std::vector<pollfd> fds;
        std::vector<int> owners;  // connection fd per pollfd entry, -1 listener/wake
        bool listeners_closed = false;
        while (true) {
            if (stopping && !listeners_closed) {
                for (const int fd : listeners) ::close(fd);
                listeners.clear();
                listeners_closed = true;
                // Idle connections go now; busy ones when their response is written.
                std::vector<int> idle;
                for (const auto& [fd, connection] : connections)
                    if (!connection.busy) idle.push_back(fd);
                for (const int fd : idle) close_connection(fd);
            }
            if (stopping && connections.empty()) return;
            fds.clear();
            owners.clear();
            fds.push_back({wake_read, POLLIN, 0});
            owners.push_back(-1);
            for (const int fd : listeners) {
                fds.push_back({fd, POLLIN, 0});
                owners.push_back(-1);
            }
            if (!stopping) {
                for (const auto& [fd, connection] : connections) {
                    if (connection.busy) continue;
                    fds.push_back({fd, POLLIN, 0});
                    owners.push_back(fd);
                }
            }
            const int ready = ::poll(fds.data(), fds.size(), 250);
            if (ready < 0 && errno != EINTR) return;
            if (fds[0].revents & POLLIN) {
                char drain[256];
                while (::read(wake_read, drain, sizeof(drain)) > 0) {
                }
            }
            handle_done();
            for (std::size_t i = 1; i < fds.size(); ++i) {
                if (!fds[i].revents) continue;
                if (owners[i] < 0) {
                    accept_from(fds[i].fd);
                } else {
                    read_from(owners[i]);
                }
            }
            // Idle timeout for connections waiting for (the rest of) a request.
            const auto now = Clock::now();
            std::vector<int> expired;
            for (const auto& [fd, connection] : connections)
                if (!connection.busy && now - connection.last_activity > options.timeout)
                    expired.push_back(fd);
            for (const int fd : expired) close_connection(fd);
        }
    }

    void worker_loop() {
        while (true) {
            Job job;
            {
                std::unique_lock lock(mutex);
                work_ready.wait(lock, [&] { return workers_exit || !queue.empty(); });
                if (queue.empty()) return;
                job = std::move(queue.front());
                queue.pop_front();
            }
            HttpResponse response;
            try {
                response = handler(job.request);
            } catch (...) {
                response = HttpResponse::text(HTTP_INTERNAL_SERVER_ERROR, "Internal error");
            }
            const bool close = !job.keep_alive || stopping;
            const bool written = write_all(job.fd, serialize_response(response, close), options.timeout);
            {
                std::lock_guard lock(mutex);
                done.push_back(Done{job.fd, close || !written});
            }
            wake();
        }
    }
};

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() { stop(); }

const std::vector<HttpEndpoint>& HttpServer::bound_endpoints() const { return impl_->bound; }
const std::vector<std::string>& HttpServer::warnings() const { return impl_->warnings; }

Result<std::unique_ptr<HttpServer>, std::string> HttpServer::start(HttpServerOptions options,
                                                                   HttpHandler handler) {
    auto impl = std::make_unique<Impl>();
    impl->options = std::move(options);
    impl->handler = std::move(handler);
    if (impl->options.threads < 1) impl->options.threads = 1;
    if (impl->options.work_queue_depth < 1) impl->options.work_queue_depth = 1;
    std::string first_error;
    for (const auto& endpoint : impl->options.endpoints) {
        sockaddr_storage address{};
        socklen_t length = 0;
        const bool v6 = endpoint.host.find(':') != std::string::npos;
        if (v6) {
            auto* in6 = reinterpret_cast<sockaddr_in6*>(&address);
            in6->sin6_family = AF_INET6;
            in6->sin6_port = htons(endpoint.port);
            if (::inet_pton(AF_INET6, endpoint.host.c_str(), &in6->sin6_addr) != 1) {
                if (first_error.empty()) first_error = "Invalid -rpcbind address: '" + endpoint.host + "'";
                continue;
            }
            length = sizeof(sockaddr_in6);
        } else {
            auto* in = reinterpret_cast<sockaddr_in*>(&address);
            in->sin_family = AF_INET;
            in->sin_port = htons(endpoint.port);
            if (::inet_pton(AF_INET, endpoint.host.c_str(), &in->sin_addr) != 1) {
                if (first_error.empty()) first_error = "Invalid -rpcbind address: '" + endpoint.host + "'";
                continue;
            }
            length = sizeof(sockaddr_in);
        }
        const int fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        int error = 0;
        if (fd >= 0) {
            const int one = 1;
            ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
            if (v6) ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
            if (::bind(fd, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
                ::listen(fd, SOMAXCONN) != 0)
                error = errno;
        } else {
            error = errno;
        }
        if (fd < 0 || error != 0) {
            if (fd >= 0) ::close(fd);
            impl->warnings.push_back("Binding RPC on address " + endpoint.host + " port " +
                                     std::to_string(endpoint.port) + " failed.");
            if (first_error.empty()) {
                first_error = error == EADDRINUSE
                                  ? "Unable to bind to " + endpoint.to_string() +
                                        ", is another instance running?"
                                  : "Unable to bind to " + endpoint.to_string() + ": " +
                                        std::strerror(error);
            }
            continue;
        }
        sockaddr_storage actual{};
        socklen_t actual_length = sizeof(actual);
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&actual), &actual_length);
        const std::uint16_t port =
            v6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&actual)->sin6_port)
               : ntohs(reinterpret_cast<sockaddr_in*>(&actual)->sin_port);
        impl->listeners.push_back(fd);
        impl->bound.push_back(HttpEndpoint{endpoint.host, port});
    }
    if (impl->listeners.empty()) {
        if (first_error.empty()) first_error = "No address to bind the RPC server to";
        return fail(first_error);
    }
    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_NONBLOCK | O_CLOEXEC) != 0) {
        for (const int fd : impl->listeners) ::close(fd);
        return fail(std::string("Unable to create a pipe: ") + std::strerror(errno));
    }
    impl->wake_read = pipe_fds[0];
    impl->wake_write = pipe_fds[1];
    Impl* raw = impl.get();
    for (int i = 0; i < impl->options.threads; ++i)
        impl->workers.emplace_back([raw] { raw->worker_loop(); });
    impl->event_thread = std::thread([raw] { raw->event_loop(); });
    return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

void HttpServer::stop() {
    if (!impl_) return;
    std::call_once(impl_->stop_once, [this] {
        impl_->stopping = true;
        impl_->wake();
        if (impl_->event_thread.joinable()) impl_->event_thread.join();
        {
            std::lock_guard lock(impl_->mutex);
            impl_->workers_exit = true;
        }
        impl_->work_ready.notify_all();
        for (auto& worker : impl_->workers) worker.join();
        for (const auto& [fd, connection] : impl_->connections) ::close(fd);
        impl_->connections.clear();
        for (const int fd : impl_->listeners) ::close(fd);
        impl_->listeners.clear();
        ::close(impl_->wake_read);
        ::close(impl_->wake_write);
    });
}

}  // namespace bitloom
