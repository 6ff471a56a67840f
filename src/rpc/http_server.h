// A small HTTP/1.1 server for the JSON-RPC interface (the role libevent's evhttp plays in
// Bitcoin Core's httpserver.cpp), over POSIX sockets.
//
// Threads: one event thread runs poll(2) over the listening sockets and the connections,
// accepts, reads and parses requests; complete requests go to a bounded work queue served by
// `threads` workers, which call the handler and write the response. A connection has at most
// one request in flight; it is not polled again until its response has been written.
//
// Limits and errors (status, as Core/libevent answer):
//   - request line + headers over max_header_bytes            -> 431, connection closed
//   - Content-Length over max_body_bytes (checked before any
//     allocation)                                              -> 413, connection closed
//   - malformed request line, header, Content-Length, or any
//     Transfer-Encoding (chunked bodies unsupported)           -> 400, connection closed
//   - work queue already holding work_queue_depth requests     -> 503 "Work queue depth
//                                                                  exceeded", kept alive
//   - no complete request within `timeout` of the connection's
//     last activity                                            -> connection closed silently
// Keep-alive: HTTP/1.1 connections stay open unless the request says `Connection: close`;
// HTTP/1.0 ones close unless it says `Connection: keep-alive`.
//
// Thread safety: the handler is called concurrently from the worker threads.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "rpc/http_message.h"
#include "util/result.h"

namespace bitloom {

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

// An address to bind: an IPv4 or IPv6 literal (no host names) and a port (0: any free port).
struct HttpEndpoint {
    std::string host;  // "127.0.0.1", "::1", "0.0.0.0", "::"
    std::uint16_t port = 0;

    // "127.0.0.1:18443" or "[::1]:18443".
    std::string to_string() const;
    friend bool operator==(const HttpEndpoint&, const HttpEndpoint&) = default;
};

// Parses Core's -rpcbind syntax: "addr", "addr:port", "[v6addr]" or "[v6addr]:port"; a bare
// IPv6 literal ("::1") is taken whole. Missing port -> `default_port`. Fails with a message
// ("Invalid -rpcbind address: ...") when the address is not a numeric IPv4/IPv6 literal or
// the port is not 1..65535 (0 is accepted only when `default_port` is 0, i.e. tests).
Result<HttpEndpoint, std::string> parse_http_endpoint(std::string_view text,
                                                      std::uint16_t default_port);

struct HttpServerOptions {
    // Core's defaults are 127.0.0.1 and ::1 on the chain's RPC port (the caller fills the port).
    std::vector<HttpEndpoint> endpoints = {{"127.0.0.1", 0}, {"::1", 0}};
    int threads = 4;                                       // -rpcthreads
    std::size_t work_queue_depth = 16;                     // -rpcworkqueue
    std::chrono::milliseconds timeout{30'000};             // -rpcservertimeout
    std::size_t max_header_bytes = 8192;                   // request line + headers
    std::size_t max_body_bytes = 0x02000000;               // Core's MAX_SIZE, 32 MiB
};

class HttpServer {
public:
    // Binds every endpoint and starts the threads. An endpoint that cannot be bound is a
    // warning (see warnings()) as long as another one was bound; when none could be bound
    // the result is a failure whose text names the first one, e.g.
    // "Unable to bind to 127.0.0.1:18443, is another instance running?".
    static Result<std::unique_ptr<HttpServer>, std::string> start(HttpServerOptions options,
                                                                  HttpHandler handler);
    ~HttpServer();  // stop()
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    // The endpoints actually bound, in the order given, with the ports the system chose for
    // port 0 (each such endpoint gets its own port).
    const std::vector<HttpEndpoint>& bound_endpoints() const;
    // "Binding RPC on address ::1 port 18443 failed." for each endpoint that failed.
    const std::vector<std::string>& warnings() const;

    // Graceful stop: stops accepting, lets requests already queued or running finish and
    // their responses be written, then closes every connection and joins the threads.
    // Idempotent; safe to call from any thread except a worker (i.e. not from the handler:
    // a `stop` RPC should signal the node's main thread instead).
    void stop();

private:
    struct Impl;
    explicit HttpServer(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace bitloom
