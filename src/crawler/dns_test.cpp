// The seed server's DNS codec: hand-built queries and their answers, every rejection, the
// 512-byte limit, the x<hex> service filter, and random garbage that must never crash.
#include <gtest/gtest.h>

#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "crawler/dns.h"

namespace bitloom {
namespace {

// A query with one question for `name` (dotted), built by hand.
Bytes make_query(std::uint16_t id, std::string_view name, std::uint16_t qtype,
                 std::uint16_t qclass = dns_class::IN, std::uint16_t flags = 0x0100) {
    Bytes out = {static_cast<std::uint8_t>(id >> 8), static_cast<std::uint8_t>(id),
                 static_cast<std::uint8_t>(flags >> 8), static_cast<std::uint8_t>(flags),
                 0, 1, 0, 0, 0, 0, 0, 0};
    std::size_t start = 0;
    while (start < name.size()) {
        std::size_t dot = name.find('.', start);
        if (dot == std::string_view::npos) dot = name.size();
        out.push_back(static_cast<std::uint8_t>(dot - start));
        out.insert(out.end(), name.begin() + static_cast<std::ptrdiff_t>(start),
                   name.begin() + static_cast<std::ptrdiff_t>(dot));
        start = dot + 1;
    }
    out.push_back(0);
    out.push_back(static_cast<std::uint8_t>(qtype >> 8));
    out.push_back(static_cast<std::uint8_t>(qtype));
    out.push_back(static_cast<std::uint8_t>(qclass >> 8));
    out.push_back(static_cast<std::uint8_t>(qclass));
    return out;
}

std::uint16_t u16_at(const Bytes& bytes, std::size_t at) {
    return static_cast<std::uint16_t>((bytes[at] << 8) | bytes[at + 1]);
}

int rcode_of(const Bytes& response) { return response[3] & 0x0F; }
std::uint16_t answer_count(const Bytes& response) { return u16_at(response, 6); }
bool truncated(const Bytes& response) { return (response[2] & 0x02) != 0; }

SeedZone test_zone() {
    SeedZone zone;
    zone.zone = {"seed", "example", "com"};
    zone.name_server = "ns.example.com";
    zone.mailbox = "admin.example.com";
    zone.ttl = 3600;
    return zone;
}

// Hands out `v4` IPv4 and `v6` IPv6 addresses, remembering the filter it was asked for.
struct FakeNodes {
    std::size_t v4 = 3;
    std::size_t v6 = 2;
    std::uint64_t asked = 0;
    SeedLookup lookup() {
        return [this](std::uint64_t required) {
            asked = required;
            DnsAnswers answers;
            for (std::size_t i = 0; i < v4; ++i) {
                answers.ipv4.push_back({10, 0, static_cast<std::uint8_t>(i >> 8),
                                        static_cast<std::uint8_t>(i)});
            }
            for (std::size_t i = 0; i < v6; ++i) {
                std::array<std::uint8_t, 16> ip{0x20, 0x01, 0x0d, 0xb8};
                ip[15] = static_cast<std::uint8_t>(i);
                answers.ipv6.push_back(ip);
            }
            return answers;
        };
    }
};

TEST(DnsParse, reads_a_hand_built_query) {
    const Bytes packet = make_query(0xBEEF, "x9.Seed.Example.com", dns_type::AAAA);
    const auto query = parse_dns_query(packet);
    ASSERT_TRUE(query.has_value());
    EXPECT_EQ(query->id, 0xBEEF);
    EXPECT_TRUE(query->recursion_desired);
    EXPECT_EQ(query->labels, (std::vector<std::string>{"x9", "Seed", "Example", "com"}));
    EXPECT_EQ(query->qtype, dns_type::AAAA);
    EXPECT_EQ(query->qclass, dns_class::IN);
    EXPECT_EQ(query->question, Bytes(packet.begin() + 12, packet.end()));
}

TEST(DnsParse, ignores_an_edns_record_after_the_question) {
    Bytes packet = make_query(1, "seed.example.com", dns_type::A);
    packet[11] = 1;  // arcount
    const Bytes opt = {0, 0, 41, 0x10, 0, 0, 0, 0, 0, 0, 0};
    packet.insert(packet.end(), opt.begin(), opt.end());
    EXPECT_TRUE(parse_dns_query(packet).has_value());
}

TEST(DnsParse, rejects_each_kind_of_bad_query) {
    Bytes compressed = make_query(1, "a", dns_type::A);
    compressed[12] = 0xC0;
    compressed[13] = 0x0C;
    Bytes reserved = make_query(1, "a", dns_type::A);
    reserved[12] = 0x41;
    Bytes long_label = make_query(1, std::string(63, 'a'), dns_type::A);
    long_label[12] = 64;
    long_label.insert(long_label.begin() + 13, 'a');
    std::string long_name;
    for (int i = 0; i < 5; ++i) long_name += std::string(50, 'b') + ".";
    long_name += "c";
    Bytes two_questions = make_query(1, "a", dns_type::A);
    two_questions[5] = 2;
    Bytes no_type = make_query(1, "seed", dns_type::A);
    no_type.resize(no_type.size() - 3);
    Bytes cut_label = make_query(1, "seed", dns_type::A);
    cut_label.resize(15);

    const std::pair<Bytes, DnsParseError> cases[] = {
        {Bytes(11, 0), DnsParseError::too_short},
        {make_query(1, "a", dns_type::A, dns_class::IN, 0x8000), DnsParseError::not_a_query},
        {make_query(1, "a", dns_type::A, dns_class::IN, 0x1000), DnsParseError::not_implemented},
        {two_questions, DnsParseError::bad_question_count},
        {compressed, DnsParseError::compression_in_query},
        {reserved, DnsParseError::bad_label_type},
        {long_label, DnsParseError::bad_label_type},  // 64 = 0x40
        {make_query(1, long_name, dns_type::A), DnsParseError::name_too_long},
        {no_type, DnsParseError::truncated},
        {cut_label, DnsParseError::truncated},
        {Bytes{0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0}, DnsParseError::truncated},
    };
    int run = 0;
    for (const auto& [packet, error] : cases) {
        const auto query = parse_dns_query(packet);
        ASSERT_FALSE(query.has_value()) << run;
        EXPECT_EQ(query.error(), error) << run << ": " << to_string(query.error());
        ++run;
    }
    std::printf("bad query cases: %d\n", run);
    EXPECT_GT(run, 0);
}

TEST(DnsParse, accepts_a_name_of_exactly_255_bytes) {
    // 3 labels of 63 + 1 of 61: 4 * 1 + 3 * 63 + 61 + 1 = 255.
    const std::string name = std::string(63, 'a') + "." + std::string(63, 'b') + "." +
                             std::string(63, 'c') + "." + std::string(61, 'd');
    EXPECT_TRUE(parse_dns_query(make_query(1, name, dns_type::A)).has_value());
    EXPECT_FALSE(parse_dns_query(make_query(1, name + "d", dns_type::A)).has_value());
}

TEST(DnsResponse, answers_a_with_pointers_to_the_question_name) {
    FakeNodes nodes;
    const Bytes query = make_query(0x1234, "seed.example.com", dns_type::A);
    const Bytes response = answer_seed_query(query, test_zone(), nodes.lookup());
    EXPECT_EQ(u16_at(response, 0), 0x1234);
    EXPECT_EQ(response[2], 0x85);  // QR, AA, RD
    EXPECT_EQ(rcode_of(response), 0);
    EXPECT_EQ(u16_at(response, 4), 1);
    EXPECT_EQ(answer_count(response), 3);
    EXPECT_EQ(nodes.asked, 0x9u);
    std::size_t at = query.size();
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(u16_at(response, at), 0xC00C);
        EXPECT_EQ(u16_at(response, at + 2), dns_type::A);
        EXPECT_EQ(u16_at(response, at + 4), dns_class::IN);
        EXPECT_EQ(u16_at(response, at + 6), 0);
        EXPECT_EQ(u16_at(response, at + 8), 3600);
        EXPECT_EQ(u16_at(response, at + 10), 4);
        EXPECT_EQ(response[at + 12], 10);
        EXPECT_EQ(response[at + 15], i);
        at += 16;
    }
    EXPECT_EQ(at, response.size());
}

TEST(DnsResponse, answers_aaaa_with_ipv6_only_and_any_with_both) {
    FakeNodes nodes;
    const Bytes aaaa =
        answer_seed_query(make_query(1, "seed.example.com", dns_type::AAAA), test_zone(),
                          nodes.lookup());
    EXPECT_EQ(answer_count(aaaa), 2);
    EXPECT_EQ(aaaa.size(), 12 + 22 + 2 * (12 + 16));
    const Bytes any = answer_seed_query(make_query(1, "seed.example.com", dns_type::ANY),
                                        test_zone(), nodes.lookup());
    EXPECT_EQ(answer_count(any), 1 + 1 + 3 + 2);  // SOA, NS, A, AAAA
}

TEST(DnsResponse, answers_ns_and_soa_at_the_apex) {
    FakeNodes nodes;
    const Bytes ns = answer_seed_query(make_query(1, "seed.example.com", dns_type::NS),
                                       test_zone(), nodes.lookup());
    ASSERT_EQ(answer_count(ns), 1);
    const std::size_t at = 12 + 22;
    EXPECT_EQ(u16_at(ns, at + 2), dns_type::NS);
    EXPECT_EQ(u16_at(ns, at + 10), 16);  // 2ns7example3com0
    EXPECT_EQ(ns[at + 12], 2);
    EXPECT_EQ(ns[at + 13], 'n');
    const Bytes soa = answer_seed_query(make_query(1, "SEED.example.COM", dns_type::SOA),
                                        test_zone(), nodes.lookup());
    ASSERT_EQ(answer_count(soa), 1);
    EXPECT_EQ(u16_at(soa, at + 2), dns_type::SOA);
    EXPECT_EQ(u16_at(soa, at + 10), 16 + 19 + 20);
    EXPECT_EQ(nodes.asked, 0u);  // no address lookup for NS or SOA
}

TEST(DnsResponse, refuses_names_outside_the_zone_and_other_classes) {
    FakeNodes nodes;
    const Bytes outside = answer_seed_query(make_query(7, "example.com", dns_type::A),
                                            test_zone(), nodes.lookup());
    EXPECT_EQ(rcode_of(outside), 5);
    EXPECT_EQ(answer_count(outside), 0);
    EXPECT_EQ(rcode_of(answer_seed_query(make_query(7, "seed.example.org", dns_type::A),
                                         test_zone(), nodes.lookup())),
              5);
    EXPECT_EQ(rcode_of(answer_seed_query(make_query(7, "seed.example.com", dns_type::A, 3),
                                         test_zone(), nodes.lookup())),
              5);
}

TEST(DnsResponse, gives_nxdomain_for_an_unknown_subdomain) {
    FakeNodes nodes;
    for (const char* name : {"www.seed.example.com", "xg.seed.example.com",
                             "x.seed.example.com", "a.x9.seed.example.com"}) {
        const Bytes response =
            answer_seed_query(make_query(7, name, dns_type::A), test_zone(), nodes.lookup());
        EXPECT_EQ(rcode_of(response), 3) << name;
        EXPECT_EQ(answer_count(response), 0) << name;
    }
}

TEST(DnsResponse, answers_formerr_and_notimp_to_bad_queries_and_nothing_to_responses) {
    FakeNodes nodes;
    Bytes compressed = make_query(0x4242, "a", dns_type::A);
    compressed[12] = 0xC0;
    const Bytes formerr = answer_seed_query(compressed, test_zone(), nodes.lookup());
    ASSERT_EQ(formerr.size(), 12u);
    EXPECT_EQ(u16_at(formerr, 0), 0x4242);
    EXPECT_EQ(rcode_of(formerr), 1);
    EXPECT_EQ(u16_at(formerr, 4), 0);
    const Bytes notimp = answer_seed_query(
        make_query(1, "seed.example.com", dns_type::A, dns_class::IN, 0x2000), test_zone(),
        nodes.lookup());
    ASSERT_EQ(notimp.size(), 12u);
    EXPECT_EQ(rcode_of(notimp), 4);
    EXPECT_TRUE(answer_seed_query(make_query(1, "seed.example.com", dns_type::A, 1, 0x8000),
                                  test_zone(), nodes.lookup())
                    .empty());
    EXPECT_TRUE(answer_seed_query(Bytes(5, 0), test_zone(), nodes.lookup()).empty());
}

TEST(DnsResponse, truncates_at_512_bytes_and_sets_tc) {
    FakeNodes nodes;
    nodes.v4 = 100;
    const Bytes query = make_query(1, "seed.example.com", dns_type::A);
    const Bytes response = answer_seed_query(query, test_zone(), nodes.lookup());
    EXPECT_LE(response.size(), 512u);
    EXPECT_TRUE(truncated(response));
    EXPECT_EQ(answer_count(response), (512 - query.size()) / 16);
    EXPECT_EQ(response.size(), query.size() + 16u * answer_count(response));

    nodes.v4 = 3;
    EXPECT_FALSE(truncated(answer_seed_query(query, test_zone(), nodes.lookup())));
    nodes.v4 = 100;
    const Bytes large = answer_seed_query(query, test_zone(), nodes.lookup(), 4096);
    EXPECT_FALSE(truncated(large));
    EXPECT_EQ(answer_count(large), 100);
}

TEST(ServiceFilter, reads_hex_after_x_in_either_case) {
    EXPECT_EQ(parse_service_filter_label("x9"), 9u);
    EXPECT_EQ(parse_service_filter_label("X40D"), 0x40Du);
    EXPECT_EQ(parse_service_filter_label("xffffffffffffffff"), UINT64_MAX);
    EXPECT_FALSE(parse_service_filter_label("x").has_value());
    EXPECT_FALSE(parse_service_filter_label("x1ffffffffffffffff").has_value());
    EXPECT_FALSE(parse_service_filter_label("y9").has_value());
    EXPECT_FALSE(parse_service_filter_label("x9g").has_value());
}

TEST(ServiceFilter, passes_the_subdomain_filter_to_the_lookup) {
    FakeNodes nodes;
    const Bytes response = answer_seed_query(make_query(1, "x409.seed.example.com", dns_type::A),
                                             test_zone(), nodes.lookup());
    EXPECT_EQ(rcode_of(response), 0);
    EXPECT_EQ(nodes.asked, 0x409u);
    const auto match = match_seed_name({"X1", "seed", "EXAMPLE", "com"},
                                       {"seed", "example", "com"}, 9);
    EXPECT_EQ(match.kind, SeedNameMatch::Kind::service_filter);
    EXPECT_EQ(match.required_services, 1u);
    EXPECT_EQ(match_seed_name({"seed", "example", "com"}, {"seed", "example", "com"}, 9).kind,
              SeedNameMatch::Kind::apex);
}

TEST(SplitDnsName, accepts_valid_names_and_rejects_empty_or_long_labels) {
    EXPECT_EQ(split_dns_name("a.b."), (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(split_dns_name(".")->size(), 0u);
    EXPECT_FALSE(split_dns_name("a..b").has_value());
    EXPECT_FALSE(split_dns_name(std::string(64, 'a')).has_value());
    EXPECT_FALSE(split_dns_name(".a").has_value());
}

TEST(DnsFuzz, never_crashes_on_random_or_mutated_packets) {
    std::mt19937_64 rng(2026);
    FakeNodes nodes;
    nodes.v4 = 40;
    nodes.v6 = 40;
    const SeedZone zone = test_zone();
    const Bytes valid = make_query(1, "x9.seed.example.com", dns_type::ANY);
    std::size_t parsed = 0;
    std::size_t answered = 0;
    constexpr int CASES = 200'000;
    for (int i = 0; i < CASES; ++i) {
        Bytes packet;
        if (i % 2 == 0) {
            packet.resize(rng() % 300);
            for (auto& b : packet) b = static_cast<std::uint8_t>(rng());
            if (packet.size() > 5 && (rng() & 1)) {
                packet[2] &= 0x07;  // make it look like a query more often
                packet[4] = 0;
                packet[5] = 1;
            }
        } else {
            packet = valid;
            const int flips = 1 + static_cast<int>(rng() % 4);
            for (int f = 0; f < flips; ++f) {
                packet[rng() % packet.size()] = static_cast<std::uint8_t>(rng());
            }
            if (rng() % 4 == 0) packet.resize(rng() % (packet.size() + 1));
        }
        if (parse_dns_query(packet)) ++parsed;
        const Bytes response = answer_seed_query(packet, zone, nodes.lookup());
        ASSERT_LE(response.size(), 512u);
        if (!response.empty()) {
            ++answered;
            ASSERT_GE(response.size(), 12u);
            ASSERT_EQ(response[0], packet[0]);
            ASSERT_EQ(response[1], packet[1]);
            ASSERT_NE(response[2] & 0x80, 0);
        }
    }
    std::printf("fuzzed packets: %d, parsed: %zu, answered: %zu\n", CASES, parsed, answered);
    EXPECT_GT(parsed, 0u);
    EXPECT_GT(answered, 0u);
}

}  // namespace
}  // namespace bitloom
