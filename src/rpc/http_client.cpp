#include "rpc/http_client.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <optional>

#include "rpc/auth.h"

namespace bitloom {

namespace {

using Clock = std::chrono::steady_clock;

// Milliseconds left until `deadline` for poll(2): -1 (no limit) for time_point::max().
int poll_wait(Clock::time_point deadline) {
    if (deadline == Clock::time_point::max()) return -1;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    return left.count() <= 0 ? 0 : static_cast<int>(std::min<long long>(left.count(), 1 << 30));
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r'))
        text.remove_suffix(1);
    return text;
}

}  // namespace

std::string_view to_string(HttpClientError error) {
    switch (error) {
        case HttpClientError::connect_failed: return "could not connect";
        case HttpClientError::timeout: return "timeout";
        case HttpClientError::closed: return "connection closed";
        case HttpClientError::bad_response: return "malformed response";
        case HttpClientError::io_error: return "i/o error";
    }
    return "error";
}

HttpClient::HttpClient(HttpClientOptions options) : options_(std::move(options)) {}

HttpClient::~HttpClient() { close(); }

HttpClient::HttpClient(HttpClient&& other) noexcept
    : options_(std::move(other.options_)), fd_(other.fd_) {
    other.fd_ = -1;
}

HttpClient& HttpClient::operator=(HttpClient&& other) noexcept {
    if (this != &other) {
        close();
        options_ = std::move(other.options_);
        fd_ = other.fd_;
        other.fd_ = -1;
    }
    return *this;
}

void HttpClient::close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

Result<void, HttpClientFailure> HttpClient::connect() {
    close();
    const std::string failure_text =
        "Could not connect to the server " + options_.host + ":" + std::to_string(options_.port);
    const auto failure = [&](std::string detail) {
        (void)detail;
        return fail(HttpClientFailure{HttpClientError::connect_failed, failure_text});
    };
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* results = nullptr;
    const std::string port = std::to_string(options_.port);
    if (::getaddrinfo(options_.host.c_str(), port.c_str(), &hints, &results) != 0 || !results)
        return failure("resolve");
    const Clock::time_point deadline = options_.timeout.count() > 0
                                           ? Clock::now() + options_.timeout
                                           : Clock::time_point::max();
    int connected_fd = -1;
    for (addrinfo* ai = results; ai && connected_fd < 0; ai = ai->ai_next) {
        const int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                                ai->ai_protocol);
        if (fd < 0) continue;
        if (::connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
            if (errno != EINPROGRESS) {
                ::close(fd);
                continue;
            }
            pollfd pfd{fd, POLLOUT, 0};
            int ready;
            do {
                ready = ::poll(&pfd, 1, poll_wait(deadline));
            } while (ready < 0 && errno == EINTR);
            int error = 0;
            socklen_t length = sizeof(error);
            if (ready <= 0 || ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0 ||
                error != 0) {
                ::close(fd);
                continue;
            }
        }
        connected_fd = fd;
    }
    ::freeaddrinfo(results);
    if (connected_fd < 0) return failure("connect");
    const int one = 1;
    ::setsockopt(connected_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    fd_ = connected_fd;
    return {};
}

Result<HttpClientResponse, HttpClientFailure> HttpClient::request(std::string_view method,
                                                                  std::string_view path,
                                                                  std::string_view body,
                                                                  const HttpHeaders& headers) {
    std::string message = std::string(method) + " " + std::string(path) + " HTTP/1.1\r\n";
    const std::string host_header = options_.host.find(':') != std::string::npos
                                        ? "[" + options_.host + "]"
                                        : options_.host;
    if (!headers.contains("Host")) message += "Host: " + host_header + "\r\n";
    for (const auto& [name, value] : headers.fields()) {
        if (iequals(name, "Content-Length")) continue;
        message += name + ": " + value + "\r\n";
    }
    message += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
    message += body;

    for (int attempt = 0; attempt < 2; ++attempt) {
        const bool reused = fd_ >= 0;
        if (!reused) {
            if (auto connected = connect(); !connected) return fail(connected.error());
        }
        const Clock::time_point deadline = options_.timeout.count() > 0
                                               ? Clock::now() + options_.timeout
                                               : Clock::time_point::max();
        const auto io_failure = [&](HttpClientError error, std::string text) {
            close();
            return fail(HttpClientFailure{error, std::move(text)});
        };
        // Send.
        std::string_view pending = message;
        bool send_failed = false;
        while (!pending.empty()) {
            const ssize_t n = ::send(fd_, pending.data(), pending.size(), MSG_NOSIGNAL);
            if (n > 0) {
                pending.remove_prefix(static_cast<std::size_t>(n));
                continue;
            }
            if (n < 0 && errno == EINTR) continue;
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                pollfd pfd{fd_, POLLOUT, 0};
                const int ready = ::poll(&pfd, 1, poll_wait(deadline));
                if (ready == 0) return io_failure(HttpClientError::timeout, "timeout sending request");
                continue;
            }
            send_failed = true;
            break;
        }
        if (send_failed) {
            close();
            if (reused) continue;
            return fail(HttpClientFailure{HttpClientError::io_error, "error sending request"});
        }
        // Receive.
        std::string buffer;
        std::optional<std::size_t> body_start;
        std::optional<std::size_t> content_length;
        HttpClientResponse response;
        bool eof = false;
        while (true) {
            if (!body_start) {
                auto end = buffer.find("\r\n\r\n");
                std::size_t skip = 4;
                if (end == std::string::npos) {
                    end = buffer.find("\n\n");
                    skip = 2;
                }
                if (end != std::string::npos) {
                    std::string_view head(buffer.data(), end);
                    std::size_t line_end = head.find('\n');
                    std::string_view status_line = trim(head.substr(0, line_end));
                    // "HTTP/1.x NNN reason"
                    if (status_line.substr(0, 7) != "HTTP/1." || status_line.size() < 12)
                        return io_failure(HttpClientError::bad_response, "malformed status line");
                    int status = 0;
                    const auto code = status_line.substr(9, 3);
                    const auto [p, ec] = std::from_chars(code.data(), code.data() + 3, status);
                    if (ec != std::errc() || p != code.data() + 3)
                        return io_failure(HttpClientError::bad_response, "malformed status line");
                    response.status = status;
                    while (line_end != std::string_view::npos) {
                        head.remove_prefix(line_end + 1);
                        line_end = head.find('\n');
                        const auto line = trim(head.substr(0, line_end));
                        if (line.empty()) continue;
                        const auto colon = line.find(':');
                        if (colon == std::string_view::npos)
                            return io_failure(HttpClientError::bad_response, "malformed header");
                        response.headers.add(std::string(trim(line.substr(0, colon))),
                                             std::string(trim(line.substr(colon + 1))));
                    }
                    if (status == 100) {  // interim response: skip it
                        buffer.erase(0, end + skip);
                        response = {};
                        continue;
                    }
                    if (auto length = response.headers.get("Content-Length")) {
                        std::size_t value = 0;
                        const auto [q, ec2] = std::from_chars(length->data(), length->data() + length->size(), value);
                        if (ec2 != std::errc() || q != length->data() + length->size() ||
                            value > options_.max_response_bytes)
                            return io_failure(HttpClientError::bad_response, "bad Content-Length");
                        content_length = value;
                    } else if (status == 204 || status == 304) {
                        content_length = 0;
                    }
                    body_start = end + skip;
                } else if (buffer.size() > 65536) {
                    return io_failure(HttpClientError::bad_response, "response head too large");
                }
            }
            if (body_start) {
                if (content_length && buffer.size() - *body_start >= *content_length) {
                    response.body = buffer.substr(*body_start, *content_length);
                    break;
                }
                if (!content_length && eof) {
                    response.body = buffer.substr(*body_start);
                    break;
                }
            }
            if (eof) {
                close();
                if (reused && buffer.empty()) break;  // stale keep-alive connection: retry
                return fail(HttpClientFailure{HttpClientError::closed,
                                              "connection closed before a complete response"});
            }
            if (buffer.size() > options_.max_response_bytes)
                return io_failure(HttpClientError::bad_response, "response too large");
            pollfd pfd{fd_, POLLIN, 0};
            const int ready = ::poll(&pfd, 1, poll_wait(deadline));
            if (ready < 0 && errno == EINTR) continue;
            if (ready == 0) return io_failure(HttpClientError::timeout, "timeout reading response");
            char chunk[65536];
            const ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
            if (n > 0) {
                buffer.append(chunk, static_cast<std::size_t>(n));
            } else if (n == 0 || (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK)) {
                if (n < 0 && !(reused && buffer.empty()))
                    return io_failure(HttpClientError::io_error, std::strerror(errno));
                eof = true;
            }
        }
        if (fd_ < 0 && response.status == 0) continue;  // retry on a fresh connection
        const auto connection = response.headers.get("Connection");
        if (connection && iequals(*connection, "close")) close();
        if (!content_length) close();
        return response;
    }
    return fail(HttpClientFailure{HttpClientError::closed,
                                  "connection closed before a complete response"});
}

Result<HttpClientResponse, HttpClientFailure> HttpClient::post_json(std::string_view path,
                                                                    std::string_view body,
                                                                    std::string_view user_password) {
    HttpHeaders headers;
    headers.set("Content-Type", "application/json");
    if (!user_password.empty()) headers.set("Authorization", basic_authorization(user_password));
    return request("POST", path, body, headers);
}

}  // namespace bitloom
