// A blocking HTTP/1.1 client for JSON-RPC (what bitloom-cli and tests use to talk to the
// server). One object holds one keep-alive connection; it is not thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "rpc/http_message.h"
#include "util/result.h"

namespace bitloom {

enum class HttpClientError {
    connect_failed,  // could not resolve or connect (connection refused, timeout, ...)
    timeout,         // no complete response within the timeout
    closed,          // the server closed the connection before a complete response
    bad_response,    // unparseable status line, headers or Content-Length
    io_error,        // send/recv failed
};
std::string_view to_string(HttpClientError error);

struct HttpClientFailure {
    HttpClientError error;
    // Human text. For connect_failed: "Could not connect to the server <host>:<port>"
    // (Core's wording, without bitcoin-cli's advice lines; <host> as given, IPv6 unbracketed).
    std::string message;
};

struct HttpClientResponse {
    int status = 0;
    HttpHeaders headers;
    std::string body;
};

struct HttpClientOptions {
    std::string host = "127.0.0.1";  // IPv4/IPv6 literal or a name resolved with getaddrinfo
    std::uint16_t port = 0;
    // Limits connecting and each whole request/response exchange; 0 = no limit
    // (bitcoin-cli's -rpcclienttimeout=0).
    std::chrono::milliseconds timeout{900'000};
    std::size_t max_response_bytes = 0x02000000 + 65536;
};

class HttpClient {
public:
    explicit HttpClient(HttpClientOptions options);
    ~HttpClient();
    HttpClient(HttpClient&& other) noexcept;
    HttpClient& operator=(HttpClient&& other) noexcept;
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;

    // Sends `method path` with `body` (Content-Length set; Host added; `headers` added as
    // given) and reads the response. Connects first when not connected; reuses the
    // connection otherwise (and reconnects once if a reused connection turns out closed
    // before any response byte). After a response with `Connection: close` or an error, the
    // connection is closed.
    Result<HttpClientResponse, HttpClientFailure> request(std::string_view method,
                                                          std::string_view path,
                                                          std::string_view body,
                                                          const HttpHeaders& headers = {});
    // POST with Content-Type application/json and, when `user_password` is not empty,
    // Authorization: Basic.
    Result<HttpClientResponse, HttpClientFailure> post_json(std::string_view path,
                                                            std::string_view body,
                                                            std::string_view user_password);
    bool connected() const { return fd_ >= 0; }
    void close();

private:
    Result<void, HttpClientFailure> connect();
    HttpClientOptions options_;
    int fd_ = -1;
};

}  // namespace bitloom
