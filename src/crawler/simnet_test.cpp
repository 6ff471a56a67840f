// The simulated network: its model (behaviour counts, addresses, books, determinism, every
// node discoverable) and, with 200 nodes listening on 127/8, each behaviour as a plain TCP
// client sees it, getaddr answered once, and the SOCKS5 endpoint reaching an onion node.
#include "crawler/simnet.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>

#include <chrono>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "net/socks5.h"
#include "net/test_support.h"
#include "p2p/messages.h"

namespace bitloom {
namespace {

using namespace std::chrono_literals;
using net_testing::send_all;
using net_testing::wait_for_fd;

constexpr MessageStart MAINNET{0xf9, 0xbe, 0xb4, 0xd9};

SimulatedNetworkOptions small_options(std::uint64_t seed = 7) {
    SimulatedNetworkOptions options;
    options.nodes = 200;
    options.seed = seed;
    options.port = 0;
    options.unreachable_share = 0.1;
    options.silent_share = 0.05;
    options.wrong_magic_share = 0.05;
    options.garbage_share = 0.05;
    options.mid_handshake_share = 0.05;
    options.slow_share = 0.2;
    options.latency_min_ms = 60;
    options.latency_max_ms = 80;
    options.onion_share = 0.1;
    options.book_min = 20;
    options.book_max = 150;
    return options;
}

// One network for every test that needs listeners (binding 200 of them once is enough).
SimulatedNetwork& shared_network() {
    static SimulatedNetwork network(small_options());
    static const bool started = [] {
        auto result = network.start();
        EXPECT_TRUE(result.has_value()) << (result ? "" : result.error());
        return result.has_value();
    }();
    EXPECT_TRUE(started);
    return network;
}

std::size_t first_node(const SimulatedNetwork& network, SimBehaviour behaviour, bool onion = false) {
    for (std::size_t i = 0; i < network.size(); ++i) {
        const SimulatedNode node = network.node(i);
        if (node.behaviour == behaviour && node.is_onion() == onion) return i;
    }
    ADD_FAILURE() << "no " << to_string(behaviour) << " node";
    return 0;
}

// A blocking P2P client over a plain socket.
class Client {
public:
    explicit Client(Socket socket, MessageStart magic = MAINNET)
        : socket_(std::move(socket)), magic_(magic), decoder_(magic) {}

    static std::optional<Client> connect(const NetService& address) {
        auto socket = start_connect(address);
        if (!socket) return std::nullopt;
        if (!wait_for_fd(socket->fd(), POLLOUT, 5s)) return std::nullopt;
        if (!finish_connect(*socket)) return std::nullopt;
        return Client(std::move(*socket));
    }

    bool send(std::string_view command, ByteSpan payload = {}) {
        return send_all(socket_.fd(), encode_message(magic_, command, payload));
    }
    bool send_version() {
        VersionMessage version;
        version.version = 70016;
        version.services = 0;
        version.time = 1'700'000'000;
        version.nonce = 0x1234;
        version.user_agent = "/simnet-test/";
        version.start_height = 0;
        return send(command::VERSION, encode_version(version));
    }

    // The next message, or nullopt on EOF, framing error or `timeout`.
    std::optional<ReceivedMessage> next(std::chrono::milliseconds timeout = 5s) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        for (;;) {
            ByteSpan rest(pending_);
            while (!rest.empty()) {
                auto event = decoder_.feed(rest);
                if (!event) {
                    framing_error_ = event.error();
                    return std::nullopt;
                }
                if (!*event) break;
                if (auto* message = std::get_if<ReceivedMessage>(&**event)) {
                    pending_.erase(pending_.begin(), pending_.end() - static_cast<std::ptrdiff_t>(rest.size()));
                    return std::move(*message);
                }
            }
            pending_.clear();
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            if (left <= 0ms || !wait_for_fd(socket_.fd(), POLLIN, left)) return std::nullopt;
            std::uint8_t buffer[65536];
            const ssize_t got = ::recv(socket_.fd(), buffer, sizeof buffer, 0);
            if (got < 0 && (errno == EAGAIN || errno == EINTR)) continue;
            if (got <= 0) {
                eof_ = true;
                return std::nullopt;
            }
            raw_.insert(raw_.end(), buffer, buffer + got);
            pending_.insert(pending_.end(), buffer, buffer + got);
        }
    }
    // The next message named `command`, skipping others.
    std::optional<ReceivedMessage> next_named(std::string_view command,
                                              std::chrono::milliseconds timeout = 5s) {
        while (auto message = next(timeout)) {
            if (message->command == command) return message;
            seen_.push_back(message->command);
        }
        return std::nullopt;
    }
    // Completes the handshake (with sendaddrv2 when asked); returns the node's version.
    std::optional<VersionMessage> handshake(bool addrv2) {
        if (!send_version()) return std::nullopt;
        auto version = next_named(command::VERSION);
        if (!version) return std::nullopt;
        if (!next_named(command::VERACK)) return std::nullopt;
        if (addrv2 && !send(command::SENDADDRV2)) return std::nullopt;
        if (!send(command::VERACK)) return std::nullopt;
        auto decoded = decode_version(version->payload);
        if (!decoded) return std::nullopt;
        return *decoded;
    }

    bool eof() const { return eof_; }
    std::optional<FramingError> framing_error() const { return framing_error_; }
    const Bytes& raw() const { return raw_; }
    const std::vector<std::string>& skipped() const { return seen_; }
    int fd() const { return socket_.fd(); }

private:
    Socket socket_;
    MessageStart magic_;
    MessageDecoder decoder_;
    Bytes pending_;
    Bytes raw_;
    bool eof_ = false;
    std::optional<FramingError> framing_error_;
    std::vector<std::string> seen_;
};

std::set<NetService> services_of(const std::vector<SimulatedBookEntry>& entries) {
    std::set<NetService> out;
    for (const auto& entry : entries) out.insert(entry.service);
    return out;
}

// --- the model ---------------------------------------------------------------------------

TEST(SimulatedNetwork, draws_each_behaviour_in_its_declared_share) {
    SimulatedNetwork network(small_options());
    EXPECT_EQ(network.size(), 200u);
    EXPECT_EQ(network.count(SimBehaviour::refused), 20u);
    EXPECT_EQ(network.count(SimBehaviour::silent), 10u);
    EXPECT_EQ(network.count(SimBehaviour::wrong_magic), 10u);
    EXPECT_EQ(network.count(SimBehaviour::garbage), 10u);
    EXPECT_EQ(network.count(SimBehaviour::disconnect_mid_handshake), 10u);
    EXPECT_EQ(network.count(SimBehaviour::slow), 28u);  // 20% of the 140 left
    EXPECT_EQ(network.count(SimBehaviour::healthy), 112u);
    EXPECT_EQ(network.onion_count(), 20u);
    for (std::size_t i = 0; i < network.size(); ++i) {
        const SimulatedNode node = network.node(i);
        if (node.behaviour == SimBehaviour::slow) {
            EXPECT_GE(node.latency_ms, 60u);
            EXPECT_LE(node.latency_ms, 80u);
        } else {
            EXPECT_EQ(node.latency_ms, 0u);
        }
    }
}

TEST(SimulatedNetwork, gives_every_node_a_distinct_loopback_address_or_onion_name) {
    SimulatedNetwork network(small_options());
    std::set<NetService> seen;
    for (std::size_t i = 0; i < network.size(); ++i) {
        const SimulatedNode node = network.node(i);
        EXPECT_TRUE(seen.insert(node.address).second) << node.address.to_string();
        EXPECT_EQ(node.address.port, network.port());
        EXPECT_EQ(network.find(node.address), i);
        if (node.is_onion()) continue;
        const ByteSpan bytes = node.address.address.bytes();
        ASSERT_TRUE(node.address.address.is_ipv4());
        EXPECT_EQ(bytes[0], 127);
        EXPECT_NE(bytes[3], 0);
        EXPECT_NE(bytes[3], 255);
        EXPECT_NE(node.address.address.to_string(), "127.0.0.1");
        EXPECT_FALSE(node.user_agent.empty());
        EXPECT_GE(node.version, 70015);
    }
    EXPECT_EQ(network.node(0).address.address.to_string(), "127.0.0.2");
    // Beyond the first /24: 127.0.0.2..254 hold slots 0..252, then 127.0.1.1.
    SimulatedNetworkOptions options = small_options();
    options.nodes = 300;
    options.onion_share = 0;
    SimulatedNetwork larger(options);
    EXPECT_EQ(larger.node(252).address.address.to_string(), "127.0.0.254");
    EXPECT_EQ(larger.node(253).address.address.to_string(), "127.0.1.1");
}

TEST(SimulatedNetwork, fills_books_with_live_stale_and_fake_entries) {
    SimulatedNetwork network(small_options());
    std::map<BookEntryKind, std::size_t> kinds;
    for (std::size_t i = 0; i < network.size(); ++i) {
        const auto book = network.address_book(i);
        EXPECT_GE(book.size(), 20u);
        EXPECT_EQ(services_of(book).size(), book.size()) << "duplicates in book " << i;
        for (const auto& entry : book) {
            ++kinds[entry.kind];
            EXPECT_NE(entry.node, std::optional<std::size_t>(i)) << "a node lists itself";
            if (entry.kind == BookEntryKind::fake) {
                EXPECT_FALSE(entry.node.has_value());
                EXPECT_FALSE(network.find(entry.service).has_value());
                if (entry.service.address.is_ipv4()) {
                    EXPECT_EQ(entry.service.address.bytes()[0], 127);
                }
            } else {
                ASSERT_TRUE(entry.node.has_value());
                EXPECT_EQ(network.node(*entry.node).address, entry.service);
                EXPECT_EQ(network.node(*entry.node).services, entry.services);
            }
            if (entry.kind == BookEntryKind::stale) {
                EXPECT_GE(entry.age_seconds, 10u * 86'400);
            }
            if (entry.kind == BookEntryKind::live) {
                EXPECT_LT(entry.age_seconds, 86'400u);
            }
        }
    }
    EXPECT_GT(kinds[BookEntryKind::live], 0u);
    EXPECT_GT(kinds[BookEntryKind::stale], 0u);
    EXPECT_GT(kinds[BookEntryKind::fake], 0u);
}

TEST(SimulatedNetwork, is_the_same_network_for_the_same_seed) {
    SimulatedNetwork first(small_options(11));
    SimulatedNetwork second(small_options(11));
    SimulatedNetwork other(small_options(12));
    const std::string json = first.export_json();
    EXPECT_EQ(json, second.export_json());
    EXPECT_NE(json, other.export_json());
    EXPECT_NE(json.find("\"behaviour\":\"garbage\""), std::string::npos);
    EXPECT_NE(json.find(".onion:"), std::string::npos);
    for (std::size_t i = 0; i < first.size(); ++i) {
        EXPECT_EQ(first.node(i).address, second.node(i).address);
        EXPECT_EQ(first.node(i).user_agent, second.node(i).user_agent);
        EXPECT_EQ(services_of(first.address_book(i)), services_of(second.address_book(i)));
    }
    // Asking for more entry points changes nothing else.
    SimulatedNetworkOptions more = small_options(11);
    more.entry_point_count = 9;
    SimulatedNetwork third(more);
    EXPECT_EQ(third.entry_points().size(), 9u);
    for (std::size_t i = 0; i < first.size(); ++i) {
        EXPECT_EQ(services_of(first.address_book(i)), services_of(third.address_book(i)));
    }
}

TEST(SimulatedNetwork, lets_a_crawl_from_the_entry_points_find_every_node) {
    for (std::uint64_t seed : {1u, 2u, 3u}) {
        SimulatedNetworkOptions options = small_options(seed);
        options.book_min = 2;  // sparse books, so that the model has to add entries
        options.book_max = 6;
        SimulatedNetwork network(options);
        ASSERT_FALSE(network.entry_points().empty());
        std::vector<bool> found(network.size(), false);
        std::vector<std::size_t> queue = network.entry_points();
        for (std::size_t entry : queue) found[entry] = true;
        while (!queue.empty()) {
            const std::size_t host = queue.back();
            queue.pop_back();
            const SimulatedNode node = network.node(host);
            if (node.is_onion()) continue;  // a crawl without the proxy
            for (const auto& entry : network.getaddr_answer(host, true)) {
                if (!entry.node || found[*entry.node]) continue;
                found[*entry.node] = true;
                queue.push_back(*entry.node);
            }
        }
        EXPECT_EQ(std::count(found.begin(), found.end(), true), 200) << "seed " << seed;
    }
}

TEST(SimulatedNetwork, caps_getaddr_answers_at_one_thousand_and_drops_onions_from_addr) {
    SimulatedNetworkOptions options = small_options();
    options.nodes = 3000;
    options.book_min = 1200;
    options.book_max = 1400;
    SimulatedNetwork network(options);
    const std::size_t healthy = first_node(network, SimBehaviour::healthy);
    const auto book = network.address_book(healthy);
    const auto v2 = network.getaddr_answer(healthy, true);
    const auto v1 = network.getaddr_answer(healthy, false);
    EXPECT_GE(book.size(), 1200u);
    EXPECT_EQ(v2.size(), 1000u);
    EXPECT_LT(v1.size(), v2.size());
    for (const auto& entry : v1) EXPECT_FALSE(entry.service.address.is_tor());
    EXPECT_TRUE(network.getaddr_answer(first_node(network, SimBehaviour::silent), true).empty());
}

TEST(SimulatedNetwork, models_ten_thousand_nodes_in_little_memory) {
    SimulatedNetworkOptions options;  // the defaults: 10,000 nodes, 20% refused, 5% onion
    options.port = 8333;
    SimulatedNetwork network(options);
    EXPECT_EQ(network.size(), 10'000u);
    EXPECT_EQ(network.count(SimBehaviour::refused), 2'000u);
    std::printf("10,000 nodes: model %zu bytes, %zu listeners, %zu descriptors before connections\n",
                network.model_bytes(), network.listener_count(), network.descriptors_needed());
    EXPECT_LT(network.model_bytes(), 2'000'000u);
    EXPECT_LT(network.descriptors_needed(), 10'000u);
    EXPECT_EQ(network.entry_points().size(), 3u);
}

// --- on the wire -------------------------------------------------------------------------

TEST(SimulatedNetwork, healthy_node_shakes_hands_and_answers_getaddr_once) {
    SimulatedNetwork& network = shared_network();
    ASSERT_TRUE(network.running());
    const SimulatedNode node = network.node(first_node(network, SimBehaviour::healthy));
    auto client = Client::connect(node.address);
    ASSERT_TRUE(client.has_value());
    auto version = client->handshake(true);
    ASSERT_TRUE(version.has_value());
    EXPECT_EQ(version->version, node.version);
    EXPECT_EQ(version->services, node.services);
    EXPECT_EQ(version->user_agent, node.user_agent);
    EXPECT_EQ(version->start_height, node.start_height);
    EXPECT_EQ(version->relay, node.relay);

    ASSERT_TRUE(client->send(command::GETADDR));
    const bool v2 = node.version >= 70016;
    auto answer = client->next_named(v2 ? command::ADDRV2 : command::ADDR);
    ASSERT_TRUE(answer.has_value());
    auto addresses = v2 ? decode_addrv2(answer->payload) : decode_addr(answer->payload);
    ASSERT_TRUE(addresses.has_value());
    EXPECT_LE(addresses->size(), 1000u);
    EXPECT_FALSE(addresses->empty());
    std::set<NetService> got;
    for (const auto& address : *addresses) got.insert(address.service);
    EXPECT_EQ(got, services_of(network.getaddr_answer(node.index, true)));

    // A second getaddr is ignored: the pong to a later ping arrives with no addr before it.
    ASSERT_TRUE(client->send(command::GETADDR));
    ASSERT_TRUE(client->send(command::PING, encode_nonce(99)));
    auto pong = client->next_named(command::PONG);
    ASSERT_TRUE(pong.has_value());
    EXPECT_EQ(decode_nonce(pong->payload).value(), 99u);
    for (const auto& skipped : client->skipped()) {
        EXPECT_NE(skipped, command::ADDR);
        EXPECT_NE(skipped, command::ADDRV2);
    }
}

TEST(SimulatedNetwork, answers_getaddr_with_legacy_addr_without_sendaddrv2) {
    SimulatedNetwork& network = shared_network();
    const SimulatedNode node = network.node(first_node(network, SimBehaviour::healthy));
    auto client = Client::connect(node.address);
    ASSERT_TRUE(client.has_value());
    ASSERT_TRUE(client->handshake(false).has_value());
    ASSERT_TRUE(client->send(command::GETADDR));
    auto answer = client->next_named(command::ADDR);
    ASSERT_TRUE(answer.has_value());
    auto addresses = decode_addr(answer->payload);
    ASSERT_TRUE(addresses.has_value());
    std::set<NetService> got;
    for (const auto& address : *addresses) got.insert(address.service);
    EXPECT_EQ(got, services_of(network.getaddr_answer(node.index, false)));
}

TEST(SimulatedNetwork, refused_node_has_no_listener) {
    SimulatedNetwork& network = shared_network();
    const SimulatedNode node = network.node(first_node(network, SimBehaviour::refused));
    auto socket = start_connect(node.address);
    ASSERT_TRUE(socket.has_value());
    ASSERT_TRUE(wait_for_fd(socket->fd(), POLLOUT, 5s));
    auto done = finish_connect(*socket);
    ASSERT_FALSE(done.has_value());
    EXPECT_NE(done.error().find("refused"), std::string::npos) << done.error();
}

TEST(SimulatedNetwork, silent_node_accepts_and_never_answers) {
    SimulatedNetwork& network = shared_network();
    auto client = Client::connect(network.node(first_node(network, SimBehaviour::silent)).address);
    ASSERT_TRUE(client.has_value());
    ASSERT_TRUE(client->send_version());
    EXPECT_FALSE(client->next(400ms).has_value());
    EXPECT_FALSE(client->eof());
    EXPECT_TRUE(client->raw().empty());
}

TEST(SimulatedNetwork, wrong_magic_node_answers_with_another_networks_magic_and_closes) {
    SimulatedNetwork& network = shared_network();
    auto client = Client::connect(network.node(first_node(network, SimBehaviour::wrong_magic)).address);
    ASSERT_TRUE(client.has_value());
    ASSERT_TRUE(client->send_version());
    EXPECT_FALSE(client->next().has_value());
    EXPECT_EQ(client->framing_error(), FramingError::wrong_magic);
    ASSERT_GE(client->raw().size(), 4u);
    EXPECT_TRUE(std::equal(network.options().foreign_magic.begin(),
                           network.options().foreign_magic.end(), client->raw().begin()));
    // What it sent is a whole version message under the foreign magic.
    MessageDecoder foreign(network.options().foreign_magic);
    ByteSpan raw(client->raw());
    auto event = foreign.feed(raw);
    ASSERT_TRUE(event.has_value() && event->has_value());
    EXPECT_EQ(std::get<ReceivedMessage>(**event).command, "version");
}

TEST(SimulatedNetwork, garbage_node_sends_bytes_of_no_network) {
    SimulatedNetwork& network = shared_network();
    auto client = Client::connect(network.node(first_node(network, SimBehaviour::garbage)).address);
    ASSERT_TRUE(client.has_value());
    ASSERT_TRUE(client->send_version());
    EXPECT_FALSE(client->next().has_value());
    EXPECT_EQ(client->framing_error(), FramingError::wrong_magic);
    EXPECT_GE(client->raw().size(), 4u);
    EXPECT_NE(client->raw()[0], network.options().foreign_magic[0]);
}

TEST(SimulatedNetwork, mid_handshake_node_sends_its_version_then_closes) {
    SimulatedNetwork& network = shared_network();
    const SimulatedNode node =
        network.node(first_node(network, SimBehaviour::disconnect_mid_handshake));
    auto client = Client::connect(node.address);
    ASSERT_TRUE(client.has_value());
    ASSERT_TRUE(client->send_version());
    auto version = client->next();
    ASSERT_TRUE(version.has_value());
    EXPECT_EQ(version->command, "version");
    EXPECT_EQ(decode_version(version->payload).value().user_agent, node.user_agent);
    EXPECT_FALSE(client->next().has_value());
    EXPECT_TRUE(client->eof());
}

TEST(SimulatedNetwork, slow_node_delays_every_reply_by_its_latency) {
    SimulatedNetwork& network = shared_network();
    const SimulatedNode node = network.node(first_node(network, SimBehaviour::slow));
    auto client = Client::connect(node.address);
    ASSERT_TRUE(client.has_value());
    const auto start = std::chrono::steady_clock::now();
    ASSERT_TRUE(client->handshake(true).has_value());
    EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(node.latency_ms));
    const auto ping_sent = std::chrono::steady_clock::now();
    ASSERT_TRUE(client->send(command::PING, encode_nonce(5)));
    ASSERT_TRUE(client->next_named(command::PONG).has_value());
    EXPECT_GE(std::chrono::steady_clock::now() - ping_sent, std::chrono::milliseconds(node.latency_ms));
}

// A SOCKS5 client over a blocking socket: the net module's handshake codec.
std::optional<Client> connect_through_proxy(const NetService& proxy, const std::string& name,
                                            std::uint16_t port, std::string* error) {
    auto client = Client::connect(proxy);
    if (!client) return std::nullopt;
    Socks5Handshake handshake(Socks5Destination{name, port}, random_socks5_credentials());
    while (!handshake.done()) {
        const Bytes output = handshake.take_output();
        if (!output.empty() && !send_all(client->fd(), output)) return std::nullopt;
        if (!wait_for_fd(client->fd(), POLLIN, 5s)) return std::nullopt;
        std::uint8_t buffer[512];
        const ssize_t got = ::recv(client->fd(), buffer, sizeof buffer, 0);
        if (got <= 0) break;
        handshake.receive(ByteSpan(buffer, static_cast<std::size_t>(got)));
    }
    if (handshake.state() != Socks5Handshake::State::connected) {
        *error = handshake.error();
        return std::nullopt;
    }
    EXPECT_TRUE(handshake.take_leftover().empty());
    return client;
}

TEST(SimulatedNetwork, socks5_endpoint_reaches_an_onion_node) {
    SimulatedNetwork& network = shared_network();
    const SimulatedNode node = network.node(first_node(network, SimBehaviour::healthy, true));
    ASSERT_TRUE(node.is_onion());
    const std::string name = node.address.address.to_string();
    ASSERT_TRUE(name.ends_with(".onion"));
    std::string error;
    auto client = connect_through_proxy(network.socks_proxy(), name, network.port(), &error);
    ASSERT_TRUE(client.has_value()) << error;
    auto version = client->handshake(true);
    ASSERT_TRUE(version.has_value());
    EXPECT_EQ(version->user_agent, node.user_agent);
    EXPECT_EQ(version->start_height, node.start_height);
    EXPECT_GE(network.stats().socks_connects, 1u);

    // An onion name of no node, and an address outside 127/8, are refused.
    std::string unknown_error;
    const std::string unknown = "pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion";
    EXPECT_FALSE(connect_through_proxy(network.socks_proxy(), unknown, network.port(), &unknown_error));
    EXPECT_FALSE(unknown_error.empty());
    std::string outside_error;
    EXPECT_FALSE(connect_through_proxy(network.socks_proxy(), "8.8.8.8", network.port(), &outside_error));
    EXPECT_FALSE(outside_error.empty());
}

TEST(SimulatedNetwork, socks5_endpoint_bridges_loopback_nodes_and_refuses_dead_ones) {
    SimulatedNetwork& network = shared_network();
    const SimulatedNode healthy = network.node(first_node(network, SimBehaviour::healthy));
    std::string error;
    auto client = connect_through_proxy(network.socks_proxy(), healthy.address.address.to_string(),
                                        network.port(), &error);
    ASSERT_TRUE(client.has_value()) << error;
    auto version = client->handshake(false);
    ASSERT_TRUE(version.has_value());
    EXPECT_EQ(version->user_agent, healthy.user_agent);

    const SimulatedNode refused = network.node(first_node(network, SimBehaviour::refused));
    EXPECT_FALSE(connect_through_proxy(network.socks_proxy(), refused.address.address.to_string(),
                                       network.port(), &error));
    EXPECT_EQ(error, "connection refused");
    const SimulatedNode dead_onion = network.node(first_node(network, SimBehaviour::refused, true));
    EXPECT_FALSE(connect_through_proxy(network.socks_proxy(), dead_onion.address.address.to_string(),
                                       network.port(), &error));
    EXPECT_EQ(error, "onion service descriptor can not be found");
    // The right node on the wrong port is refused too.
    EXPECT_FALSE(connect_through_proxy(network.socks_proxy(), healthy.address.address.to_string(),
                                       static_cast<std::uint16_t>(network.port() + 1), &error));
    EXPECT_EQ(error, "connection refused");
}

TEST(SimulatedNetwork, silent_onion_node_stays_silent_through_the_proxy) {
    SimulatedNetwork& network = shared_network();
    const SimulatedNode node = network.node(first_node(network, SimBehaviour::silent, true));
    std::string error;
    auto client = connect_through_proxy(network.socks_proxy(), node.address.address.to_string(),
                                        network.port(), &error);
    ASSERT_TRUE(client.has_value()) << error;
    ASSERT_TRUE(client->send_version());
    EXPECT_FALSE(client->next(300ms).has_value());
    EXPECT_FALSE(client->eof());
}

TEST(SimulatedNetwork, records_the_port_it_bound_and_its_counters) {
    SimulatedNetwork& network = shared_network();
    EXPECT_NE(network.port(), 0);
    EXPECT_EQ(network.socks_proxy().address.to_string(), "127.0.0.1");
    EXPECT_EQ(network.listener_count(),
              1 + network.size() - network.onion_count() -
                  [&] {
                      std::size_t refused_ipv4 = 0;
                      for (std::size_t i = 0; i < network.size(); ++i) {
                          const auto node = network.node(i);
                          if (node.behaviour == SimBehaviour::refused && !node.is_onion()) ++refused_ipv4;
                      }
                      return refused_ipv4;
                  }());
    auto client = Client::connect(network.node(first_node(network, SimBehaviour::healthy)).address);
    ASSERT_TRUE(client.has_value());
    ASSERT_TRUE(client->handshake(false).has_value());
    const SimulatedNetworkStats stats = network.stats();
    EXPECT_GE(stats.accepted, 1u);
    EXPECT_GE(stats.handshakes, 1u);
    EXPECT_GE(stats.peak_open_connections, 1u);
}

}  // namespace
}  // namespace bitloom
