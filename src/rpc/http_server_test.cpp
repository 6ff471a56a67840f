#include "rpc/http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "rpc/auth.h"
#include "rpc/http_client.h"
#include "rpc/json_rpc.h"
#include "rpc/rpc_http.h"

namespace bitloom {
namespace {

using namespace std::chrono_literals;

constexpr const char* CREDENTIALS = "user:secret";

// A JSON-RPC server on 127.0.0.1 with an ephemeral port, a `sleep` method and `echo`.
struct TestServer {
    RpcDispatcher dispatcher;
    RpcAuthenticator auth;
    std::unique_ptr<HttpServer> server;
    std::atomic<int> running{0};
    std::atomic<int> most_running{0};  // the largest number of `sleep` calls seen at once
    std::atomic<bool> release{false};  // ends every `hold` call

    explicit TestServer(HttpServerOptions options = {}) {
        dispatcher.add(RpcMethod{"echo", "test", {RpcParam{"value", RpcType::any}}, "Echo.",
                                 [](const RpcCall& call) -> Json { return call.param(0); }});
        dispatcher.add(RpcMethod{"sleep", "test", {RpcParam{"ms", RpcType::number}}, "Sleep.",
                                 [this](const RpcCall& call) -> Json {
                                     const int now_running = ++running;
                                     int seen = most_running.load();
                                     while (now_running > seen && !most_running.compare_exchange_weak(seen, now_running)) {
                                     }
                                     std::this_thread::sleep_for(std::chrono::milliseconds(call.get_int(0)));
                                     --running;
                                     return "slept";
                                 }});
        dispatcher.add(RpcMethod{"hold", "test", {}, "Wait until the test releases.",
                                 [this](const RpcCall&) -> Json {
                                     ++running;
                                     const auto deadline = std::chrono::steady_clock::now() + 30s;
                                     while (!release.load() && std::chrono::steady_clock::now() < deadline) {
                                         std::this_thread::sleep_for(1ms);
                                     }
                                     --running;
                                     return "released";
                                 }});
        dispatcher.add(RpcMethod{"whoami", "test", {}, "Context.", [](const RpcCall& call) -> Json {
                                     Json out = Json::object();
                                     out["user"] = call.context().user;
                                     out["wallet"] = call.context().wallet_name.value_or("-");
                                     out["local"] = call.context().peer.starts_with("127.0.0.1:");
                                     return out;
                                 }});
        auth.add_user_password("user", "secret");
        options.endpoints = {{"127.0.0.1", 0}};
        RpcHttpOptions http_options;
        http_options.wrong_password_delay = 50ms;
        auto started = HttpServer::start(options, make_rpc_http_handler(dispatcher, auth, http_options));
        EXPECT_TRUE(started.has_value()) << (started ? "" : started.error());
        if (started) server = std::move(*started);
    }
    std::uint16_t port() const { return server->bound_endpoints().at(0).port; }
    HttpClient client(std::chrono::milliseconds timeout = 10s) const {
        HttpClientOptions options;
        options.host = "127.0.0.1";
        options.port = port();
        options.timeout = timeout;
        return HttpClient(options);
    }
};

// Sends raw bytes on a fresh connection and reads until the server closes it (or 5 s pass).
std::string raw_exchange(std::uint16_t port, const std::string& data) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    ::inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
        ::close(fd);
        return "connect failed";
    }
    ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    std::string out;
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (std::chrono::steady_clock::now() < deadline) {
        pollfd pfd{fd, POLLIN, 0};
        if (::poll(&pfd, 1, 100) <= 0) continue;
        char chunk[4096];
        const ssize_t n = ::recv(fd, chunk, sizeof(chunk), 0);
        if (n <= 0) break;
        out.append(chunk, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return out;
}

TEST(HttpServer, serves_an_authenticated_json_rpc_post_through_the_client) {
    TestServer test;
    ASSERT_TRUE(test.server);
    auto client = test.client();
    auto response = client.post_json("/", R"({"method":"echo","params":["hi"],"id":1})", CREDENTIALS);
    ASSERT_TRUE(response.has_value()) << response.error().message;
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->headers.get("content-type"), "application/json");
    EXPECT_EQ(response->body, R"({"result":"hi","error":null,"id":1})" "\n");
}

TEST(HttpServer, answers_401_with_www_authenticate_without_or_with_wrong_credentials) {
    TestServer test;
    ASSERT_TRUE(test.server);
    auto client = test.client();
    auto response = client.post_json("/", R"({"method":"echo","params":[1]})", "");
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(response->status, 401);
    EXPECT_EQ(response->headers.get("WWW-Authenticate"), "Basic realm=\"jsonrpc\"");
    const auto started = std::chrono::steady_clock::now();
    response = client.post_json("/", R"({"method":"echo","params":[1]})", "user:wrong");
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(response->status, 401);
    EXPECT_GE(std::chrono::steady_clock::now() - started, 50ms);
}

TEST(HttpServer, passes_the_user_peer_and_decoded_wallet_name_to_the_call) {
    TestServer test;
    ASSERT_TRUE(test.server);
    auto client = test.client();
    auto response = client.post_json("/wallet/my%20w", R"({"method":"whoami","id":1})", CREDENTIALS);
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(response->body, R"({"result":{"user":"user","wallet":"my w","local":true},"error":null,"id":1})" "\n");
    response = client.post_json("/", R"({"method":"whoami","id":1})", CREDENTIALS);
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(response->body, R"({"result":{"user":"user","wallet":"-","local":true},"error":null,"id":1})" "\n");
}

TEST(HttpServer, rejects_get_and_unknown_paths) {
    TestServer test;
    ASSERT_TRUE(test.server);
    auto client = test.client();
    auto response = client.request("GET", "/", "");
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(response->status, 405);
    response = client.post_json("/nothing", "{}", CREDENTIALS);
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(response->status, 404);
}

TEST(HttpServer, refuses_a_huge_content_length_without_reading_the_body) {
    TestServer test;
    ASSERT_TRUE(test.server);
    const std::string reply = raw_exchange(
        test.port(), "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999\r\n\r\n{}");
    EXPECT_EQ(reply.substr(0, 12), "HTTP/1.1 413");
    const std::string reply2 = raw_exchange(
        test.port(), "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 33554433\r\n\r\n{}");
    EXPECT_EQ(reply2.substr(0, 12), "HTTP/1.1 413");
}

TEST(HttpServer, answers_malformed_requests_with_400) {
    TestServer test;
    ASSERT_TRUE(test.server);
    EXPECT_EQ(raw_exchange(test.port(), "garbage\r\n\r\n").substr(0, 12), "HTTP/1.1 400");
    EXPECT_EQ(raw_exchange(test.port(), "POST / HTTP/1.1\r\nbad header\r\n\r\n").substr(0, 12),
              "HTTP/1.1 400");
    EXPECT_EQ(raw_exchange(test.port(), "POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n").substr(0, 12),
              "HTTP/1.1 400");
    EXPECT_EQ(raw_exchange(test.port(),
                           "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n")
                  .substr(0, 12),
              "HTTP/1.1 400");
    EXPECT_EQ(raw_exchange(test.port(), "POST / HTTP/1.1\r\nX: " + std::string(20000, 'a') + "\r\n\r\n")
                  .substr(0, 12),
              "HTTP/1.1 431");
}

TEST(HttpServer, keeps_a_connection_alive_for_two_requests) {
    TestServer test;
    ASSERT_TRUE(test.server);
    auto client = test.client();
    auto first = client.post_json("/", R"({"method":"echo","params":[1],"id":1})", CREDENTIALS);
    ASSERT_TRUE(first.has_value());
    EXPECT_TRUE(client.connected());
    auto second = client.post_json("/", R"({"method":"echo","params":[2],"id":2})", CREDENTIALS);
    ASSERT_TRUE(second.has_value());
    EXPECT_EQ(second->body, R"({"result":2,"error":null,"id":2})" "\n");
    EXPECT_TRUE(client.connected());
    // Two pipelined requests in one write are answered in order.
    const std::string body = R"({"method":"echo","params":[3],"id":3})";
    const std::string request = "POST / HTTP/1.1\r\nAuthorization: " + basic_authorization(CREDENTIALS) +
                                "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    const std::string closing = "POST / HTTP/1.1\r\nConnection: close\r\nAuthorization: " +
                                basic_authorization(CREDENTIALS) +
                                "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    const std::string replies = raw_exchange(test.port(), request + closing);
    EXPECT_EQ(replies.find("HTTP/1.1 200"), 0u);
    EXPECT_NE(replies.find("HTTP/1.1 200", 10), std::string::npos);
    EXPECT_NE(replies.find("Connection: close"), std::string::npos);
}

TEST(HttpServer, serves_concurrent_clients_on_several_workers) {
    TestServer test;
    ASSERT_TRUE(test.server);
    std::atomic<int> ok{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 4; ++i) {
        threads.emplace_back([&] {
            auto client = test.client();
            for (int j = 0; j < 3; ++j) {
                auto response = client.post_json("/", R"({"method":"sleep","params":[100],"id":1})", CREDENTIALS);
                if (response && response->status == 200) ++ok;
            }
        });
    }
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(ok.load(), 12);
    // Four workers: calls of 100 ms from four clients overlap on the server.
    EXPECT_GE(test.most_running.load(), 2);
}

TEST(HttpServer, answers_503_when_the_work_queue_is_full) {
    HttpServerOptions options;
    options.threads = 1;
    options.work_queue_depth = 1;
    TestServer test(options);
    ASSERT_TRUE(test.server);
    std::atomic<int> ok{0};
    const auto call_held = [&] {
        auto client = test.client();
        auto response = client.post_json("/", R"({"method":"hold","params":[],"id":1})", CREDENTIALS);
        if (response && response->status == 200) ++ok;
    };
    std::thread running(call_held);  // occupies the only worker until released
    while (test.running.load() == 0) std::this_thread::sleep_for(5ms);
    std::thread queued(call_held);  // fills the queue (or is refused if a probe got there first)
    // With the worker held and room for one queued request, every further request is refused;
    // a probe that happens to take the queue slot just waits, so try on fresh connections.
    bool refused = false;
    for (int attempt = 0; attempt < 20 && !refused; ++attempt) {
        auto client = test.client(2s);
        auto response = client.post_json("/", R"({"method":"echo","params":[1],"id":1})", CREDENTIALS);
        if (response && response->status == 503) {
            EXPECT_EQ(response->body, "Work queue depth exceeded");
            refused = true;
        }
    }
    EXPECT_TRUE(refused);
    test.release.store(true);
    running.join();
    queued.join();
    EXPECT_GE(ok.load(), 1);
    // Once the queue drains, requests are served again.
    auto client = test.client();
    auto response = client.post_json("/", R"({"method":"echo","params":[1],"id":1})", CREDENTIALS);
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(response->status, 200);
}

TEST(HttpServer, stop_finishes_the_request_in_flight_and_closes_idle_connections) {
    TestServer test;
    ASSERT_TRUE(test.server);
    auto idle = test.client();
    ASSERT_TRUE(idle.post_json("/", R"({"method":"echo","params":[0],"id":0})", CREDENTIALS).has_value());
    Result<HttpClientResponse, HttpClientFailure> slow = fail(HttpClientFailure{HttpClientError::closed, ""});
    std::thread caller([&] {
        auto client = test.client();
        slow = client.post_json("/", R"({"method":"sleep","params":[300],"id":7})", CREDENTIALS);
    });
    while (test.running.load() == 0) std::this_thread::sleep_for(5ms);
    test.server->stop();
    caller.join();
    ASSERT_TRUE(slow.has_value()) << slow.error().message;
    EXPECT_EQ(slow->body, R"({"result":"slept","error":null,"id":7})" "\n");
    EXPECT_EQ(slow->headers.get("Connection"), "close");
    // The server is gone: a new request fails to connect.
    auto after = idle.post_json("/", R"({"method":"echo","params":[0],"id":0})", CREDENTIALS);
    ASSERT_FALSE(after.has_value());
    EXPECT_EQ(after.error().error, HttpClientError::connect_failed);
    EXPECT_EQ(after.error().message, "Could not connect to the server 127.0.0.1:" + std::to_string(test.port()));
}

TEST(HttpServer, closes_a_connection_that_sends_nothing_within_the_timeout) {
    HttpServerOptions options;
    options.timeout = 200ms;
    TestServer test(options);
    ASSERT_TRUE(test.server);
    const auto started = std::chrono::steady_clock::now();
    const std::string reply = raw_exchange(test.port(), "POST / HTTP/1.1\r\nContent-Le");
    EXPECT_EQ(reply, "");
    EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);  // closed by the server, not by us
}

TEST(HttpServer, binding_a_used_port_fails_with_a_clear_message) {
    TestServer test;
    ASSERT_TRUE(test.server);
    HttpServerOptions options;
    options.endpoints = {{"127.0.0.1", test.port()}};
    auto second = HttpServer::start(options, [](const HttpRequest&) { return HttpResponse{}; });
    ASSERT_FALSE(second.has_value());
    EXPECT_EQ(second.error(), "Unable to bind to 127.0.0.1:" + std::to_string(test.port()) +
                                  ", is another instance running?");
}

TEST(HttpServer, parses_rpcbind_endpoints) {
    EXPECT_EQ(parse_http_endpoint("127.0.0.1", 8332), (HttpEndpoint{"127.0.0.1", 8332}));
    EXPECT_EQ(parse_http_endpoint("0.0.0.0:18443", 8332), (HttpEndpoint{"0.0.0.0", 18443}));
    EXPECT_EQ(parse_http_endpoint("::1", 8332), (HttpEndpoint{"::1", 8332}));
    EXPECT_EQ(parse_http_endpoint("[::1]:9000", 8332), (HttpEndpoint{"::1", 9000}));
    EXPECT_FALSE(parse_http_endpoint("localhost", 8332).has_value());
    EXPECT_FALSE(parse_http_endpoint("1.2.3.4:99999", 8332).has_value());
    EXPECT_EQ((HttpEndpoint{"::1", 5}).to_string(), "[::1]:5");
}

TEST(HttpServer, client_reports_connection_refused_like_core) {
    HttpClientOptions options;
    options.host = "127.0.0.1";
    options.port = 1;  // nothing listens on port 1
    HttpClient client(options);
    auto response = client.post_json("/", "{}", "");
    ASSERT_FALSE(response.has_value());
    EXPECT_EQ(response.error().message, "Could not connect to the server 127.0.0.1:1");
}

}  // namespace
}  // namespace bitloom
