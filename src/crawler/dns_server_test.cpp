// The DNS seed server over real UDP on loopback: answers come from the good set and honour the
// service filter, other names are refused or NXDOMAIN, responses fit the query's size limit
// (512 bytes, or the EDNS0 payload size), snapshots swap atomically, and stop() is clean.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "crawler/dns_server.h"

namespace bitloom {
namespace {

constexpr std::int64_t NOW = 1'700'000'000;

// A query for `name` (dotted); with `edns_payload` > 0, an EDNS0 OPT record advertising it.
Bytes make_query(std::uint16_t id, std::string_view name, std::uint16_t qtype,
                 std::uint16_t edns_payload = 0, std::uint16_t flags = 0x0100) {
    Bytes out = {static_cast<std::uint8_t>(id >> 8), static_cast<std::uint8_t>(id),
                 static_cast<std::uint8_t>(flags >> 8), static_cast<std::uint8_t>(flags),
                 0, 1, 0, 0, 0, 0, 0, static_cast<std::uint8_t>(edns_payload > 0 ? 1 : 0)};
    std::size_t start = 0;
    while (start < name.size()) {
        std::size_t dot = name.find('.', start);
        if (dot == std::string_view::npos) dot = name.size();
        out.push_back(static_cast<std::uint8_t>(dot - start));
        out.insert(out.end(), name.begin() + static_cast<std::ptrdiff_t>(start),
                   name.begin() + static_cast<std::ptrdiff_t>(dot));
        start = dot + 1;
    }
    out.insert(out.end(), {0, static_cast<std::uint8_t>(qtype >> 8),
                           static_cast<std::uint8_t>(qtype), 0, 1});
    if (edns_payload > 0) {
        out.insert(out.end(), {0, 0, 41, static_cast<std::uint8_t>(edns_payload >> 8),
                               static_cast<std::uint8_t>(edns_payload), 0, 0, 0, 0, 0, 0});
    }
    return out;
}

std::uint16_t u16_at(const Bytes& bytes, std::size_t at) {
    return static_cast<std::uint16_t>((bytes[at] << 8) | bytes[at + 1]);
}

// A response taken apart: the header fields and the address records.
struct Response {
    Bytes raw;
    std::uint16_t id = 0;
    int rcode = -1;
    bool authoritative = false;
    bool truncated = false;
    std::uint16_t additional = 0;
    std::vector<std::string> ipv4;  // dotted quads
    std::vector<std::string> ipv6;  // NetAddress::to_string
    std::size_t other_records = 0;
    std::optional<std::uint16_t> opt_payload;  // an OPT record's UDP payload size
};

std::optional<std::size_t> skip_name(const Bytes& p, std::size_t at) {
    for (;;) {
        if (at >= p.size()) return std::nullopt;
        if ((p[at] & 0xC0) == 0xC0) {
            return at + 2 <= p.size() ? std::optional(at + 2) : std::nullopt;
        }
        if (p[at] == 0) return at + 1;
        at += 1 + std::size_t{p[at]};
    }
}

// Parses a response; ADD_FAILURE and nullopt when it is malformed.
std::optional<Response> parse_response(const Bytes& raw) {
    Response r;
    r.raw = raw;
    if (raw.size() < 12) {
        ADD_FAILURE() << "response of " << raw.size() << " bytes";
        return std::nullopt;
    }
    r.id = u16_at(raw, 0);
    EXPECT_TRUE(raw[2] & 0x80) << "QR not set";
    r.authoritative = (raw[2] & 0x04) != 0;
    r.truncated = (raw[2] & 0x02) != 0;
    r.rcode = raw[3] & 0x0F;
    std::size_t questions = u16_at(raw, 4);
    std::size_t records = std::size_t{u16_at(raw, 6)} + u16_at(raw, 8) + u16_at(raw, 10);
    r.additional = u16_at(raw, 10);
    std::size_t at = 12;
    for (std::size_t i = 0; i < questions; ++i) {
        auto end = skip_name(raw, at);
        if (!end || *end + 4 > raw.size()) {
            ADD_FAILURE() << "truncated question";
            return std::nullopt;
        }
        at = *end + 4;
    }
    for (std::size_t i = 0; i < records; ++i) {
        auto end = skip_name(raw, at);
        if (!end || *end + 10 > raw.size()) {
            ADD_FAILURE() << "truncated record " << i;
            return std::nullopt;
        }
        at = *end;
        std::uint16_t type = u16_at(raw, at);
        std::uint16_t klass = u16_at(raw, at + 2);
        std::size_t length = u16_at(raw, at + 8);
        at += 10;
        if (at + length > raw.size()) {
            ADD_FAILURE() << "truncated rdata " << i;
            return std::nullopt;
        }
        if (type == dns_type::A && length == 4) {
            r.ipv4.push_back(NetAddress::ipv4({raw[at], raw[at + 1], raw[at + 2], raw[at + 3]})
                                 .to_string());
        } else if (type == dns_type::AAAA && length == 16) {
            std::array<std::uint8_t, 16> bytes{};
            std::copy_n(raw.begin() + static_cast<std::ptrdiff_t>(at), 16, bytes.begin());
            r.ipv6.push_back(NetAddress::ipv6(bytes).to_string());
        } else if (type == 41) {
            r.opt_payload = klass;
        } else {
            ++r.other_records;
        }
        at += length;
    }
    EXPECT_EQ(at, raw.size()) << "trailing bytes";
    return r;
}

// A UDP client socket on loopback.
class Client {
public:
    Client() : fd_(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) { EXPECT_GE(fd_, 0); }
    ~Client() { close(fd_); }
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    // Sends `packet` to `server` and waits up to `wait_ms` for one datagram back.
    std::optional<Bytes> ask(const NetService& server, const Bytes& packet, int wait_ms = 3000) {
        sockaddr_in to{};
        to.sin_family = AF_INET;
        to.sin_port = htons(server.port);
        to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (sendto(fd_, packet.data(), packet.size(), 0, reinterpret_cast<sockaddr*>(&to),
                   sizeof to) != static_cast<ssize_t>(packet.size())) {
            ADD_FAILURE() << "sendto failed";
            return std::nullopt;
        }
        pollfd pfd{fd_, POLLIN, 0};
        if (poll(&pfd, 1, wait_ms) != 1) return std::nullopt;
        Bytes buffer(65536);
        ssize_t size = recv(fd_, buffer.data(), buffer.size(), 0);
        if (size < 0) return std::nullopt;
        buffer.resize(static_cast<std::size_t>(size));
        return buffer;
    }

    std::optional<Response> query(const NetService& server, const Bytes& packet) {
        auto raw = ask(server, packet);
        if (!raw) {
            ADD_FAILURE() << "no answer";
            return std::nullopt;
        }
        auto response = parse_response(*raw);
        if (response) {
            EXPECT_EQ(response->id, u16_at(packet, 0));
        }
        return response;
    }

private:
    int fd_;
};

DnsServerConfig test_config() {
    DnsServerConfig config;
    config.bind = NetService{NetAddress::ipv4({127, 0, 0, 1}), 0};
    config.zone.zone = {"seed", "example"};
    config.zone.name_server = "ns.seed.example";
    config.zone.mailbox = "admin.seed.example";
    config.zone.ttl = 600;
    return config;
}

std::unique_ptr<DnsSeedServer> start_server(DnsServerConfig config = test_config()) {
    auto server = DnsSeedServer::start(std::move(config));
    EXPECT_TRUE(server.has_value()) << (server ? "" : server.error());
    if (!server) std::abort();
    EXPECT_NE((*server)->local_address().port, 0);
    return std::move(*server);
}

NetAddress public_ipv4(std::uint32_t n) {
    return NetAddress::ipv4({static_cast<std::uint8_t>(1 + n / 65536 % 100),
                             static_cast<std::uint8_t>(n / 256), static_cast<std::uint8_t>(n), 7});
}

NetAddress public_ipv6(std::uint32_t n) {
    std::array<std::uint8_t, 16> bytes{0x2a, 0x01, 0x04, 0xf8};
    bytes[14] = static_cast<std::uint8_t>(n >> 8);
    bytes[15] = static_cast<std::uint8_t>(n);
    return NetAddress::ipv6(bytes);
}

// A node that is good (one successful handshake) with `services`, or one never tried.
NodeRecord node(const NetAddress& address, std::uint64_t services, bool good = true) {
    NodeRecord record = new_node_record(NetService{address, 8333}, NOW - 5000);
    if (good) {
        AttemptOutcome outcome;
        outcome.success = true;
        outcome.handshake.protocol_version = 70016;
        outcome.handshake.services = services;
        outcome.handshake.start_height = 900'000;
        record_attempt(record, NOW - 100, outcome);
    }
    return record;
}

constexpr std::uint64_t FULL = services::NODE_NETWORK | services::NODE_WITNESS;

TEST(DnsSeedServer, answers_a_and_aaaa_queries_with_a_sample_of_good_nodes_only) {
    std::vector<NodeRecord> nodes;
    std::set<std::string> good4, good6;
    for (std::uint32_t i = 0; i < 60; ++i) {
        nodes.push_back(node(public_ipv4(i), FULL));
        good4.insert(nodes.back().service.address.to_string());
    }
    for (std::uint32_t i = 0; i < 20; ++i) {
        nodes.push_back(node(public_ipv6(i), FULL));
        good6.insert(nodes.back().service.address.to_string());
    }
    for (std::uint32_t i = 100; i < 140; ++i) nodes.push_back(node(public_ipv4(i), FULL, false));
    nodes.push_back(node(public_ipv4(200), services::NODE_NETWORK));  // no witness: not good
    NodeRecord banned = node(public_ipv4(201), FULL);
    banned.ban_until = NOW + 1000;
    nodes.push_back(banned);
    NodeRecord onion = node(*NetAddress::from_bip155(4, Bytes(32, 0x11)), FULL);
    nodes.push_back(onion);

    auto server = start_server();
    server->update_seeds(nodes, GoodCriteria{}, NOW);
    EXPECT_EQ(server->seed_count(), 80u);
    Client client;

    auto a = client.query(server->local_address(), make_query(0x1234, "seed.example", dns_type::A));
    ASSERT_TRUE(a.has_value());
    EXPECT_EQ(a->rcode, 0);
    EXPECT_TRUE(a->authoritative);
    EXPECT_FALSE(a->truncated);
    EXPECT_TRUE(a->ipv6.empty());
    EXPECT_GT(a->ipv4.size(), 10u);
    EXPECT_LE(a->raw.size(), DNS_UDP_MAX);
    std::set<std::string> distinct(a->ipv4.begin(), a->ipv4.end());
    EXPECT_EQ(distinct.size(), a->ipv4.size());
    for (const std::string& address : a->ipv4) EXPECT_TRUE(good4.contains(address)) << address;

    auto aaaa = client.query(server->local_address(),
                             make_query(0x1235, "SEED.Example", dns_type::AAAA));
    ASSERT_TRUE(aaaa.has_value());
    EXPECT_EQ(aaaa->rcode, 0);
    EXPECT_TRUE(aaaa->ipv4.empty());
    EXPECT_EQ(aaaa->ipv6.size(), 17u);  // (512 - 12 header - 18 question) / 28 per record
    for (const std::string& address : aaaa->ipv6) EXPECT_TRUE(good6.contains(address)) << address;

    auto any = client.query(server->local_address(), make_query(7, "seed.example", dns_type::ANY));
    ASSERT_TRUE(any.has_value());
    EXPECT_FALSE(any->ipv4.empty());
    EXPECT_FALSE(any->ipv6.empty());
    EXPECT_EQ(any->other_records, 2u);  // NS and SOA
    EXPECT_LE(any->ipv4.size() + any->ipv6.size(), 32u);
    EXPECT_LE(any->raw.size(), DNS_UDP_MAX);
    std::printf("A: %zu addresses in %zu bytes; AAAA: %zu in %zu; ANY: %zu + %zu in %zu\n",
                a->ipv4.size(), a->raw.size(), aaaa->ipv6.size(), aaaa->raw.size(),
                any->ipv4.size(), any->ipv6.size(), any->raw.size());
}

TEST(DnsSeedServer, a_service_filter_subdomain_hands_out_only_nodes_with_those_bits) {
    std::vector<NodeRecord> nodes;
    std::set<std::string> limited;
    for (std::uint32_t i = 0; i < 40; ++i) {
        bool with_limited = i % 4 == 0;
        nodes.push_back(
            node(public_ipv4(i), FULL | (with_limited ? services::NODE_NETWORK_LIMITED : 0)));
        if (with_limited) limited.insert(nodes.back().service.address.to_string());
    }
    auto server = start_server();
    server->update_seeds(nodes, GoodCriteria{}, NOW);
    Client client;
    auto filtered =
        client.query(server->local_address(), make_query(1, "x409.seed.example", dns_type::A));
    ASSERT_TRUE(filtered.has_value());
    EXPECT_EQ(filtered->rcode, 0);
    EXPECT_EQ(filtered->ipv4.size(), limited.size());  // all ten fit
    for (const std::string& address : filtered->ipv4) {
        EXPECT_TRUE(limited.contains(address)) << address;
    }
    auto upper =
        client.query(server->local_address(), make_query(2, "X409.seed.example", dns_type::A));
    ASSERT_TRUE(upper.has_value());
    EXPECT_EQ(upper->ipv4.size(), limited.size());
    auto all = client.query(server->local_address(), make_query(3, "x9.seed.example", dns_type::A));
    ASSERT_TRUE(all.has_value());
    EXPECT_GT(all->ipv4.size(), limited.size());
    // Bits no node has: an empty NOERROR answer.
    auto none =
        client.query(server->local_address(), make_query(4, "x80.seed.example", dns_type::A));
    ASSERT_TRUE(none.has_value());
    EXPECT_EQ(none->rcode, 0);
    EXPECT_TRUE(none->ipv4.empty());
}

TEST(DnsSeedServer, refuses_other_zones_and_answers_nxdomain_for_unknown_names_in_its_own) {
    auto server = start_server();
    server->update_seeds({node(public_ipv4(1), FULL)}, GoodCriteria{}, NOW);
    Client client;
    const NetService& at = server->local_address();
    auto outside = client.query(at, make_query(1, "example.org", dns_type::A));
    ASSERT_TRUE(outside.has_value());
    EXPECT_EQ(outside->rcode, static_cast<int>(DnsRcode::refused));
    EXPECT_FALSE(outside->authoritative);
    EXPECT_TRUE(outside->ipv4.empty());
    auto unknown = client.query(at, make_query(2, "www.seed.example", dns_type::A));
    ASSERT_TRUE(unknown.has_value());
    EXPECT_EQ(unknown->rcode, static_cast<int>(DnsRcode::name_error));
    EXPECT_TRUE(unknown->ipv4.empty());
    auto ns = client.query(at, make_query(3, "seed.example", dns_type::NS));
    ASSERT_TRUE(ns.has_value());
    EXPECT_EQ(ns->other_records, 1u);
    EXPECT_TRUE(ns->ipv4.empty());

    Bytes garbage = make_query(4, "seed.example", dns_type::A);
    garbage.resize(15);  // the question cut short
    auto formerr = client.query(at, garbage);
    ASSERT_TRUE(formerr.has_value());
    EXPECT_EQ(formerr->rcode, static_cast<int>(DnsRcode::format_error));
    EXPECT_EQ(formerr->raw.size(), 12u);

    // A response (QR set) and a runt are never answered.
    EXPECT_FALSE(client.ask(at, make_query(5, "seed.example", dns_type::A, 0, 0x8100), 300));
    EXPECT_FALSE(client.ask(at, Bytes{1, 2, 3}, 300));
    DnsServerStats stats = server->stats();
    EXPECT_EQ(stats.received, 6u);
    EXPECT_EQ(stats.answered, 4u);
    EXPECT_EQ(stats.dropped, 2u);
}

TEST(DnsSeedServer, responses_never_exceed_the_size_the_query_allows) {
    DnsServerConfig config = test_config();
    config.max_addresses = 1000;
    auto server = start_server(config);
    std::vector<NodeRecord> nodes;
    for (std::uint32_t i = 0; i < 1000; ++i) nodes.push_back(node(public_ipv4(i), FULL));
    for (std::uint32_t i = 0; i < 1000; ++i) nodes.push_back(node(public_ipv6(i), FULL));
    server->update_seeds(nodes, GoodCriteria{}, NOW);
    Client client;
    const NetService& at = server->local_address();

    struct Case {
        std::uint16_t qtype;
        std::uint16_t edns;  // 0: none
        std::size_t limit;
    };
    const Case cases[] = {
        {dns_type::A, 0, 512},      {dns_type::AAAA, 0, 512},   {dns_type::ANY, 0, 512},
        {dns_type::A, 100, 512},    {dns_type::A, 1232, 1232},  {dns_type::AAAA, 900, 900},
        {dns_type::ANY, 1232, 1232}, {dns_type::A, 65000, 1232}, {dns_type::AAAA, 4096, 1232},
    };
    int ran = 0;
    for (const Case& c : cases) {
        Bytes query = make_query(static_cast<std::uint16_t>(ran), "seed.example", c.qtype, c.edns);
        auto r = client.query(at, query);
        ASSERT_TRUE(r.has_value());
        EXPECT_LE(r->raw.size(), c.limit) << "case " << ran;
        EXPECT_FALSE(r->truncated);
        std::size_t addresses = r->ipv4.size() + r->ipv6.size();
        // Full: another record of the kind asked for would not have fitted.
        std::size_t smallest = c.qtype == dns_type::AAAA ? 28 : 16;
        EXPECT_GT(r->raw.size() + 2 * smallest, c.limit) << "case " << ran << " underfilled";
        if (c.edns != 0) {
            ASSERT_TRUE(r->opt_payload.has_value()) << "case " << ran;
            EXPECT_EQ(*r->opt_payload, 1232);
        } else {
            EXPECT_FALSE(r->opt_payload.has_value());
        }
        std::printf("qtype %u edns %u: %zu addresses, %zu bytes (limit %zu)\n", c.qtype, c.edns,
                    addresses, r->raw.size(), c.limit);
        ++ran;
    }
    EXPECT_EQ(ran, 9);
}

TEST(DnsSeedServer, successive_answers_are_different_random_samples) {
    std::vector<NodeRecord> nodes;
    for (std::uint32_t i = 0; i < 300; ++i) nodes.push_back(node(public_ipv4(i), FULL));
    auto server = start_server();
    server->update_seeds(nodes, GoodCriteria{}, NOW);
    Client client;
    std::set<std::string> seen;
    std::size_t per_answer = 0;
    for (std::uint16_t i = 0; i < 10; ++i) {
        auto r = client.query(server->local_address(), make_query(i, "seed.example", dns_type::A));
        ASSERT_TRUE(r.has_value());
        per_answer = r->ipv4.size();
        seen.insert(r->ipv4.begin(), r->ipv4.end());
    }
    EXPECT_GT(seen.size(), 3 * per_answer);
    std::printf("10 answers of %zu addresses covered %zu of 300 nodes\n", per_answer, seen.size());
}

TEST(DnsSeedServer, each_answer_comes_from_one_whole_snapshot_while_another_thread_updates) {
    std::vector<SeedEntry> first, second;
    std::set<std::string> first_set;
    for (std::uint32_t i = 0; i < 50; ++i) {
        first.push_back(SeedEntry{public_ipv4(i), FULL});
        first_set.insert(public_ipv4(i).to_string());
        second.push_back(SeedEntry{public_ipv4(1000 + i), FULL});
    }
    auto server = start_server();
    server->update_seeds(first);
    std::atomic<bool> done{false};
    std::thread updater([&] {
        for (int i = 0; !done.load(); ++i) {
            server->update_seeds(i % 2 == 0 ? second : first);
            std::this_thread::yield();
        }
    });
    Client client;
    int mixed = 0, from_first = 0, from_second = 0;
    for (std::uint16_t i = 0; i < 200; ++i) {
        auto r = client.query(server->local_address(), make_query(i, "seed.example", dns_type::A));
        if (!r) break;
        std::size_t in_first = 0;
        for (const std::string& address : r->ipv4) in_first += first_set.contains(address) ? 1 : 0;
        if (in_first == r->ipv4.size()) {
            ++from_first;
        } else if (in_first == 0) {
            ++from_second;
        } else {
            ++mixed;
        }
    }
    done = true;
    updater.join();
    EXPECT_EQ(mixed, 0);
    EXPECT_EQ(from_first + from_second, 200);
    std::printf("200 answers during updates: %d from the first set, %d from the second\n",
                from_first, from_second);
}

TEST(DnsSeedServer, stops_promptly_and_then_answers_nothing) {
    auto server = start_server();
    NetService at = server->local_address();
    Client client;
    ASSERT_TRUE(client.ask(at, make_query(1, "seed.example", dns_type::A)).has_value());
    auto start = std::chrono::steady_clock::now();
    server->stop();
    server->stop();
    auto elapsed = std::chrono::steady_clock::now() - start;
    EXPECT_LT(elapsed, std::chrono::milliseconds(500));
    EXPECT_FALSE(client.ask(at, make_query(2, "seed.example", dns_type::A), 200).has_value());
    server.reset();  // the destructor after stop() is fine
}

TEST(DnsSeedServer, start_fails_cleanly_for_a_taken_port_or_an_unbindable_address) {
    auto first = start_server();
    DnsServerConfig config = test_config();
    config.bind = first->local_address();
    auto taken = DnsSeedServer::start(config);
    ASSERT_FALSE(taken.has_value());
    std::printf("taken port: %s\n", taken.error().c_str());
    config.bind = NetService{*NetAddress::from_bip155(4, Bytes(32, 0x22)), 53};
    auto onion = DnsSeedServer::start(config);
    ASSERT_FALSE(onion.has_value());
    std::printf("onion address: %s\n", onion.error().c_str());
}

TEST(DnsSeedServer, garbage_datagrams_never_get_oversized_answers_and_the_server_keeps_answering) {
    auto server = start_server();
    server->update_seeds({SeedEntry{public_ipv4(1), FULL}});
    Client client;
    const NetService& at = server->local_address();
    std::mt19937 random(53);
    Bytes valid = make_query(9, "x9.seed.example", dns_type::A, 1232);
    int answered = 0;
    constexpr int PACKETS = 300;
    for (int i = 0; i < PACKETS; ++i) {
        Bytes packet;
        if (i % 2 == 0) {
            packet.resize(random() % 600);
            for (auto& byte : packet) byte = static_cast<std::uint8_t>(random());
        } else {
            packet = valid;  // a valid query with some bytes flipped
            for (int flips = 0; flips < 3; ++flips) {
                packet[random() % packet.size()] = static_cast<std::uint8_t>(random());
            }
        }
        auto response = client.ask(at, packet, 20);
        if (!response) continue;
        ++answered;
        ASSERT_LE(response->size(), 1232u);  // no query here may get more
    }
    // Late answers, collected while sending empty datagrams (which get none).
    unsigned drains = 1;
    while (client.ask(at, Bytes{}, 200)) {
        ++answered;
        ++drains;
    }
    auto r = client.query(at, make_query(1, "seed.example", dns_type::A));
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->ipv4.size(), 1u);
    DnsServerStats stats = server->stats();
    EXPECT_EQ(stats.received, PACKETS + drains + 1u);
    std::printf("%d garbage datagrams: %d answered, %llu dropped\n", PACKETS, answered,
                static_cast<unsigned long long>(stats.dropped));
}

TEST(DnsSeedServer, the_command_line_host_becomes_the_zone) {
    auto config = dns_server_config("Seed.Example.", 5353, "ns.seed.example", "admin.seed.example");
    ASSERT_TRUE(config.has_value()) << config.error();
    EXPECT_EQ(config->zone.zone, (std::vector<std::string>{"Seed", "Example"}));
    EXPECT_EQ(config->bind.port, 5353);
    EXPECT_EQ(config->zone.name_server, "ns.seed.example");
    EXPECT_FALSE(dns_server_config("", 53).has_value());
    EXPECT_FALSE(dns_server_config("bad..name", 53).has_value());
    EXPECT_FALSE(dns_server_config(std::string(64, 'a') + ".example", 53).has_value());
    // The zone is matched case-insensitively: a server for "Seed.Example" answers "seed.example".
    config->bind = NetService{NetAddress::ipv4({127, 0, 0, 1}), 0};
    auto server = start_server(*config);
    server->update_seeds({SeedEntry{public_ipv4(1), FULL}});
    Client client;
    auto r = client.query(server->local_address(), make_query(1, "seed.example", dns_type::A));
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->ipv4, (std::vector<std::string>{public_ipv4(1).to_string()}));
}

TEST(DnsSeedServer, finds_the_edns_payload_size_in_the_additional_section) {
    EXPECT_EQ(dns_edns_payload_size(make_query(1, "seed.example", dns_type::A)), 0u);
    EXPECT_EQ(dns_edns_payload_size(make_query(1, "seed.example", dns_type::A, 1400)), 1400u);
    EXPECT_EQ(dns_edns_payload_size(make_query(1, "seed.example", dns_type::A, 200)), 512u);
    Bytes cut = make_query(1, "seed.example", dns_type::A, 1400);
    cut.resize(cut.size() - 3);
    EXPECT_EQ(dns_edns_payload_size(cut), 0u);
    Bytes lying = make_query(1, "seed.example", dns_type::A);
    lying[10] = 0xff;  // 65280 additional records that are not there
    lying[11] = 0xff;
    EXPECT_EQ(dns_edns_payload_size(lying), 0u);
    EXPECT_EQ(dns_edns_payload_size(Bytes{}), 0u);
}

}  // namespace
}  // namespace bitloom
