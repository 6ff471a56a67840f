// The network service on loopback: two services complete a handshake, directly and through a
// SOCKS5 proxy; binding a taken port fails with Core's message; peers.dat and banlist.dat
// are saved at stop and a damaged one is ignored at start.
#include "net/network_service.h"

#include <gtest/gtest.h>

#include <fstream>
#include <mutex>
#include <string>
#include <vector>

#include "net/resolve.h"
#include "net/test_support.h"
#include "testutil/temp_dir.h"

namespace bitloom {
namespace {

using namespace std::chrono_literals;
using net_testing::loopback;
using net_testing::TestSocksServer;

constexpr const char* ONION = "pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion";

// Collects log lines from any thread.
struct LogCollector {
    std::mutex mutex;
    std::vector<std::string> lines;
    bool contains(std::string_view text) {
        std::lock_guard lock(mutex);
        for (const auto& line : lines) {
            if (line.find(text) != std::string::npos) return true;
        }
        return false;
    }
    std::string all() {
        std::lock_guard lock(mutex);
        std::string out;
        for (const auto& line : lines) out += line + "\n";
        return out;
    }
};

NetworkServiceOptions options_for(const testutil::TempDir& dir, LogCollector& log,
                                  std::uint8_t seed) {
    NetworkServiceOptions options;
    options.manager.magic = {0xfa, 0xbf, 0xb5, 0xda};  // regtest
    options.manager.default_port = 18444;
    options.manager.user_agent = "/bitloom-test:0.1.0/";
    options.manager.start_height = [] { return 0; };
    options.manager.listening = true;
    options.manager.automatic_outbound = false;
    options.manager.addrman_key[0] = seed;
    options.manager.random_seed[0] = seed;
    options.manager.random_seed[1] = 0x5e;
    options.bind = {loopback(0)};
    options.data_dir = dir.path();
    options.log = [&log](std::string_view category, const std::string& line) {
        std::lock_guard lock(log.mutex);
        log.lines.push_back("[" + std::string(category) + "] " + line);
    };
    return options;
}

// Takes events until one satisfies `match` (generous timeout); the others are dropped.
template <typename Event>
std::optional<Event> wait_for_event(NetworkService& service,
                                    const std::function<bool(const Event&)>& match = nullptr) {
    const auto deadline = std::chrono::steady_clock::now() + net_testing::GENEROUS;
    while (std::chrono::steady_clock::now() < deadline) {
        auto event = service.next_event(100ms);
        if (!event) continue;
        if (auto* wanted = std::get_if<Event>(&*event)) {
            if (!match || match(*wanted)) return *wanted;
        }
    }
    return std::nullopt;
}

std::string port_text(const NetworkService& service) {
    return std::to_string(service.bound_addresses().at(0).port);
}

TEST(NetworkService, two_services_on_loopback_complete_a_handshake) {
    testutil::TempDir dir_a, dir_b;
    LogCollector log_a, log_b;
    auto a = NetworkService::start(options_for(dir_a, log_a, 1));
    ASSERT_TRUE(a.has_value()) << a.error();
    ASSERT_EQ((*a)->bound_addresses().size(), 1u);
    EXPECT_EQ((*a)->bound_addresses()[0].address.to_string(), "127.0.0.1");
    ASSERT_NE((*a)->bound_addresses()[0].port, 0);

    auto options_b = options_for(dir_b, log_b, 2);
    options_b.manager.connect = {"127.0.0.1:" + port_text(**a)};
    auto b = NetworkService::start(std::move(options_b));
    ASSERT_TRUE(b.has_value()) << b.error();

    auto on_b = wait_for_event<PeerConnected>(**b);
    ASSERT_TRUE(on_b.has_value()) << log_b.all();
    EXPECT_EQ(on_b->type, ConnectionType::manual);
    EXPECT_EQ(on_b->address, (*a)->bound_addresses()[0]);
    EXPECT_EQ(on_b->info.user_agent, "/bitloom-test:0.1.0/");

    auto on_a = wait_for_event<PeerConnected>(**a);
    ASSERT_TRUE(on_a.has_value()) << log_a.all();
    EXPECT_EQ(on_a->type, ConnectionType::inbound);
    EXPECT_EQ(on_a->address.address.to_string(), "127.0.0.1");

    EXPECT_EQ((*a)->with_manager([](ConnectionManager& m) { return m.connection_count(true); }),
              1u);
    EXPECT_EQ((*b)->with_manager([](ConnectionManager& m) { return m.connection_count(false); }),
              1u);

    // An application message travels from b to a.
    const PeerId to_a = on_b->id;
    (*b)->with_manager([&](ConnectionManager& m) { m.send(to_a, "bitloomtest", as_bytes("hi")); });
    auto message = wait_for_event<PeerMessage>(
        **a, [](const PeerMessage& m) { return m.command == "bitloomtest"; });
    ASSERT_TRUE(message.has_value()) << log_a.all();
    EXPECT_EQ(message->id, on_a->id);
    EXPECT_EQ(std::string(message->payload.begin(), message->payload.end()), "hi");

    // a disconnects b: both sides see it end.
    const PeerId to_b = on_a->id;
    EXPECT_TRUE((*a)->with_manager([&](ConnectionManager& m) { return m.disconnect_node(to_b); }));
    EXPECT_TRUE(wait_for_event<PeerDisconnected>(**a).has_value());
    EXPECT_TRUE(wait_for_event<PeerDisconnected>(**b).has_value());
}

TEST(NetworkService, binding_a_taken_port_fails_with_core_s_message) {
    testutil::TempDir dir_a, dir_b;
    LogCollector log_a, log_b;
    auto a = NetworkService::start(options_for(dir_a, log_a, 1));
    ASSERT_TRUE(a.has_value()) << a.error();
    auto options_b = options_for(dir_b, log_b, 2);
    options_b.bind = (*a)->bound_addresses();
    auto b = NetworkService::start(std::move(options_b));
    ASSERT_FALSE(b.has_value());
    EXPECT_EQ(b.error(), "Unable to bind to 127.0.0.1:" + port_text(**a) +
                             " on this computer. bitloom is probably already running.");
}

TEST(NetworkService, closes_an_inbound_connection_the_manager_refuses) {
    testutil::TempDir dir;
    LogCollector log;
    auto service = NetworkService::start(options_for(dir, log, 1));
    ASSERT_TRUE(service.has_value()) << service.error();
    const NetService listening = (*service)->bound_addresses()[0];

    // Accepted: the service waits for our version, nothing arrives and nothing closes.
    Socket welcome = net_testing::connect_blocking(listening);
    ASSERT_TRUE(welcome.valid());
    EXPECT_FALSE(net_testing::wait_for_fd(welcome.fd(), POLLIN, 200ms));

    const auto now_seconds = std::chrono::duration_cast<std::chrono::seconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
    (*service)->with_manager([&](ConnectionManager& m) {
        m.bans().ban(*SubNet::parse("127.0.0.0/8"), now_seconds + 3600, now_seconds);
    });
    // Refused (banned): closed at once.
    Socket refused = net_testing::connect_blocking(listening);
    ASSERT_TRUE(refused.valid());
    ASSERT_TRUE(net_testing::wait_for_fd(refused.fd(), POLLIN));
    char byte;
    EXPECT_LE(::recv(refused.fd(), &byte, 1, 0), 0);
}

TEST(NetworkService, does_not_listen_when_told_not_to) {
    testutil::TempDir dir;
    LogCollector log;
    auto options = options_for(dir, log, 1);
    options.listen = false;
    auto service = NetworkService::start(std::move(options));
    ASSERT_TRUE(service.has_value()) << service.error();
    EXPECT_TRUE((*service)->bound_addresses().empty());
}

TEST(NetworkService, connects_to_a_name_through_the_proxy_without_looking_it_up) {
    testutil::TempDir dir_a, dir_b;
    LogCollector log_a, log_b;
    auto a = NetworkService::start(options_for(dir_a, log_a, 1));
    ASSERT_TRUE(a.has_value()) << a.error();
    TestSocksServer proxy((*a)->bound_addresses()[0]);

    auto options_b = options_for(dir_b, log_b, 2);
    options_b.manager.connect = {"peer.invalid:18444"};
    options_b.proxy = proxy.address();
    options_b.proxy_randomize = false;
    options_b.listen = false;
    auto b = NetworkService::start(std::move(options_b));
    ASSERT_TRUE(b.has_value()) << b.error();

    ASSERT_TRUE(wait_for_event<PeerConnected>(**b).has_value()) << log_b.all();
    ASSERT_TRUE(wait_for_event<PeerConnected>(**a).has_value()) << log_a.all();
    auto requests = proxy.requests();
    ASSERT_EQ(requests.size(), 1u);
    EXPECT_EQ(requests[0].atyp, 0x03);
    EXPECT_EQ(requests[0].host, "peer.invalid");
    EXPECT_EQ(requests[0].port, 18444);
    EXPECT_FALSE(requests[0].credentials.has_value());
}

TEST(NetworkService, reaches_tor_addresses_through_the_onion_proxy_with_random_credentials) {
    testutil::TempDir dir_a, dir_b;
    LogCollector log_a, log_b;
    auto a = NetworkService::start(options_for(dir_a, log_a, 1));
    ASSERT_TRUE(a.has_value()) << a.error();
    TestSocksServer proxy((*a)->bound_addresses()[0]);

    auto options_b = options_for(dir_b, log_b, 2);
    options_b.manager.connect = {std::string(ONION) + ":18444"};
    options_b.onion_proxy = proxy.address();
    options_b.listen = false;
    auto b = NetworkService::start(std::move(options_b));
    ASSERT_TRUE(b.has_value()) << b.error();

    auto connected = wait_for_event<PeerConnected>(**b);
    ASSERT_TRUE(connected.has_value()) << log_b.all();
    EXPECT_TRUE(connected->address.address.is_tor());
    auto requests = proxy.requests();
    ASSERT_EQ(requests.size(), 1u);
    EXPECT_EQ(requests[0].host, ONION);
    EXPECT_TRUE(requests[0].credentials.has_value());
}

TEST(NetworkService, looks_up_a_named_target_on_the_worker_thread) {
    // Only "localhost" is looked up; its first answer must be the IPv4 loopback we listen on.
    auto localhost = resolve("localhost", 18444, true);
    if (!localhost || localhost->front().address.to_string() != "127.0.0.1") {
        GTEST_SKIP() << "localhost does not resolve to 127.0.0.1 first here";
    }
    testutil::TempDir dir_a, dir_b;
    LogCollector log_a, log_b;
    auto a = NetworkService::start(options_for(dir_a, log_a, 1));
    ASSERT_TRUE(a.has_value()) << a.error();
    auto options_b = options_for(dir_b, log_b, 2);
    options_b.manager.connect = {"localhost:" + port_text(**a)};
    options_b.listen = false;
    auto b = NetworkService::start(std::move(options_b));
    ASSERT_TRUE(b.has_value()) << b.error();
    auto connected = wait_for_event<PeerConnected>(**b);
    ASSERT_TRUE(connected.has_value()) << log_b.all();
    EXPECT_EQ(connected->address, (*a)->bound_addresses()[0]);
}

TEST(NetworkService, fails_tor_targets_without_a_proxy_with_a_log_line) {
    testutil::TempDir dir;
    LogCollector log;
    auto options = options_for(dir, log, 1);
    options.manager.connect = {std::string(ONION) + ":18444"};
    options.listen = false;
    auto service = NetworkService::start(std::move(options));
    ASSERT_TRUE(service.has_value()) << service.error();
    const auto deadline = std::chrono::steady_clock::now() + net_testing::GENEROUS;
    while (!log.contains("no proxy for Tor") && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(10ms);
    }
    EXPECT_TRUE(log.contains("no proxy for Tor")) << log.all();
}

TEST(NetworkService, saves_peers_dat_and_banlist_dat_at_stop_and_reads_them_back) {
    testutil::TempDir dir;
    LogCollector log;
    {
        auto service = NetworkService::start(options_for(dir, log, 1));
        ASSERT_TRUE(service.has_value()) << service.error();
        EXPECT_TRUE(log.contains("Creating peers.dat")) << log.all();
        (*service)->stop();
        (*service)->stop();  // idempotent
    }
    EXPECT_TRUE(std::filesystem::exists(dir.path() / "peers.dat"));
    EXPECT_TRUE(std::filesystem::exists(dir.path() / "banlist.dat"));
    EXPECT_FALSE(std::filesystem::exists(dir.path() / "peers.dat.new"));

    LogCollector again;
    auto service = NetworkService::start(options_for(dir, again, 1));
    ASSERT_TRUE(service.has_value()) << service.error();
    EXPECT_FALSE(again.contains("corrupt")) << again.all();
    EXPECT_FALSE(again.contains("Creating peers.dat")) << again.all();
}

TEST(NetworkService, keeps_learnt_addresses_and_bans_across_a_restart) {
    testutil::TempDir dir;
    LogCollector log;
    const auto now_seconds = std::chrono::duration_cast<std::chrono::seconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
    const PeerAddress learnt{*NetService::parse("8.8.8.8:8333", 8333),
                             services::NODE_NETWORK | services::NODE_WITNESS,
                             static_cast<std::uint32_t>(now_seconds)};
    const auto banned = SubNet::parse("1.2.3.0/24");
    ASSERT_TRUE(banned.has_value());
    {
        auto service = NetworkService::start(options_for(dir, log, 1));
        ASSERT_TRUE(service.has_value()) << service.error();
        (*service)->with_manager([&](ConnectionManager& m) {
            const PeerAddress list[] = {learnt};
            m.addresses().add(list, *NetAddress::parse("9.9.9.9"), 0, now_seconds);
            m.bans().ban(*banned, now_seconds + 3600, now_seconds);
        });
        ASSERT_EQ((*service)->with_manager([](ConnectionManager& m) { return m.addresses().size(); }),
                  1u);
    }  // the destructor stops and saves
    LogCollector again;
    auto service = NetworkService::start(options_for(dir, again, 1));
    ASSERT_TRUE(service.has_value()) << service.error();
    EXPECT_EQ((*service)->with_manager([](ConnectionManager& m) { return m.addresses().size(); }),
              1u)
        << again.all();
    EXPECT_TRUE((*service)->with_manager([&](ConnectionManager& m) {
        return m.addresses().find(learnt.service).has_value();
    }));
    EXPECT_TRUE((*service)->with_manager([&](ConnectionManager& m) {
        return m.bans().is_banned(*NetAddress::parse("1.2.3.4"), now_seconds);
    }));
}

TEST(NetworkService, starts_empty_when_peers_dat_is_damaged) {
    testutil::TempDir dir;
    dir.write("peers.dat", "this is not an address manager");
    dir.write("banlist.dat", "nor a ban list");
    LogCollector log;
    auto service = NetworkService::start(options_for(dir, log, 1));
    ASSERT_TRUE(service.has_value()) << service.error();
    EXPECT_TRUE(log.contains("Invalid or corrupt peers.dat")) << log.all();
    EXPECT_TRUE(log.contains("Invalid or corrupt banlist.dat")) << log.all();
    EXPECT_EQ((*service)->with_manager([](ConnectionManager& m) { return m.addresses().size(); }),
              0u);
}

TEST(NetworkService, wake_makes_a_waiting_next_event_return_nothing) {
    testutil::TempDir dir;
    LogCollector log;
    auto service = NetworkService::start(options_for(dir, log, 1));
    ASSERT_TRUE(service.has_value()) << service.error();
    std::thread waker([&] {
        std::this_thread::sleep_for(50ms);
        (*service)->wake();
    });
    const auto started = std::chrono::steady_clock::now();
    EXPECT_FALSE((*service)->next_event(60s).has_value());
    EXPECT_LT(std::chrono::steady_clock::now() - started, 30s);
    waker.join();
}

}  // namespace
}  // namespace bitloom
