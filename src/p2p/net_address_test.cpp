// Network addresses: parsing and printing on every network, Core's classification of special
// ranges, network groups, and services with ports.
#include <gtest/gtest.h>

#include <iostream>
#include <string>
#include <vector>

#include "crypto/random.h"
#include "p2p/net_address.h"
#include "util/hex.h"

namespace bitloom {
namespace {

constexpr std::string_view TORV3_NAME =
    "pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion";
constexpr std::string_view I2P_NAME =
    "udhdrtrcetjm5sxzskjyr5ztpeszydbh4dpl3pl4utgqqw2v4jna.b32.i2p";

NetAddress must_parse(std::string_view text, bool cjdns_fc = false) {
    const auto address = NetAddress::parse(text, cjdns_fc);
    EXPECT_TRUE(address.has_value()) << text;
    return address.value_or(NetAddress{});
}

Bytes group_of(std::string_view text) { return must_parse(text).group(); }

TEST(Sha3, MatchesKnownAnswers) {
    EXPECT_EQ(to_hex(sha3_256({})),
              "a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a");
    EXPECT_EQ(to_hex(sha3_256(as_bytes("abc"))),
              "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532");
    // 200 bytes cross the 136-byte rate boundary.
    const Bytes a3(200, 0xa3);
    EXPECT_EQ(to_hex(sha3_256(a3)),
              "79f38adec5c20307a98ef76e8324afbfd46cfd81b22e3973c65fa1bd9de31787");
}

TEST(NetworkName, RoundTripsAndAcceptsTorAlias) {
    for (Network network :
         {Network::ipv4, Network::ipv6, Network::onion, Network::i2p, Network::cjdns}) {
        EXPECT_EQ(parse_network_name(to_string(network)), network);
    }
    EXPECT_EQ(parse_network_name("TOR"), Network::onion);
    EXPECT_EQ(parse_network_name("IPv4"), Network::ipv4);
    EXPECT_FALSE(parse_network_name("internal").has_value());
    EXPECT_FALSE(parse_network_name("").has_value());
}

TEST(NetAddressParse, ReadsIpv4) {
    const auto address = must_parse("1.2.3.4");
    EXPECT_TRUE(address.is_ipv4());
    EXPECT_EQ(to_hex(address.bytes()), "01020304");
    EXPECT_EQ(address.to_string(), "1.2.3.4");
    EXPECT_EQ(must_parse("255.255.255.255").to_string(), "255.255.255.255");
    for (std::string_view bad : {"1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.", ".1.2.3",
                                 "1..2.3", "a.b.c.d", "1.2.3.4 ", "", "1234.1.1.1", "257.0.0.1"}) {
        EXPECT_FALSE(NetAddress::parse(bad).has_value()) << bad;
    }
}

TEST(NetAddressParse, ReadsIpv6AndPrintsItCompressed) {
    const std::vector<std::pair<std::string_view, std::string_view>> cases = {
        {"::", "::"},
        {"::1", "::1"},
        {"1::", "1::"},
        {"2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::1"},
        {"1122:3344:5566:7788:9900:aabb:ccdd:eeff", "1122:3344:5566:7788:9900:aabb:ccdd:eeff"},
        {"2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"},  // a single zero group stays
        {"2001:0:0:1:0:0:0:1", "2001:0:0:1::1"},           // the longest run wins
        {"2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"},     // the first of equal runs wins
        {"fe80::a:b", "fe80::a:b"},
        {"::ffff:0:1.2.3.4", "::ffff:0:102:304"},
        {"64:ff9b::1.2.3.4", "64:ff9b::102:304"},
        {"0:0:0:0:0:0:0:0", "::"},
    };
    for (const auto& [text, printed] : cases) {
        const auto address = must_parse(text);
        EXPECT_TRUE(address.is_ipv6()) << text;
        EXPECT_EQ(address.to_string(), printed) << text;
        EXPECT_EQ(must_parse(printed), address) << printed;
    }
    for (std::string_view bad : {":::", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "1::2::3",
                                 "12345::", "g::", "1:2:3:4:5:6:7::8", "::1.2.3",
                                 ":1::", "1::2:", "fe80::1%eth0", "[::1]"}) {
        EXPECT_FALSE(NetAddress::parse(bad).has_value()) << bad;
    }
}

TEST(NetAddressParse, MapsIpv4MappedIpv6ToIpv4) {
    const auto address = must_parse("::ffff:1.2.3.4");
    EXPECT_TRUE(address.is_ipv4());
    EXPECT_EQ(address, must_parse("1.2.3.4"));
    EXPECT_EQ(must_parse("::ffff:102:304"), address);
    EXPECT_EQ(to_hex(*address.legacy_bytes()), "00000000000000000000ffff01020304");
}

TEST(NetAddressParse, TurnsTorV2InIpv6IntoTheInvalidAddress) {
    const auto address = must_parse("fd87:d87e:eb43:edb1:8e4:3588:e546:35ca");
    EXPECT_EQ(address, NetAddress{});
    EXPECT_FALSE(address.is_valid());
}

TEST(NetAddressParse, ReadsTorV3NamesAndChecksTheirChecksum) {
    const auto address = must_parse(TORV3_NAME);
    EXPECT_TRUE(address.is_tor());
    EXPECT_EQ(address.bytes().size(), 32u);
    EXPECT_EQ(address.to_string(), TORV3_NAME);
    EXPECT_FALSE(address.legacy_bytes().has_value());
    EXPECT_TRUE(address.is_routable());
    std::string upper(TORV3_NAME);
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    EXPECT_EQ(must_parse(upper), address);

    std::string corrupted(TORV3_NAME);
    corrupted[0] = 'q';  // the pubkey changes, the checksum no longer matches
    EXPECT_FALSE(NetAddress::parse(corrupted).has_value());
    std::string wrong_version(TORV3_NAME);
    wrong_version[55] = 'a';
    EXPECT_FALSE(NetAddress::parse(wrong_version).has_value());
    EXPECT_FALSE(NetAddress::parse("mfrggzak.onion").has_value());  // Tor v2
    EXPECT_FALSE(NetAddress::parse(".onion").has_value());
    EXPECT_FALSE(NetAddress::parse("pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscry1.onion")
                     .has_value());
}

TEST(NetAddressParse, ReadsI2pNames) {
    const auto address = must_parse(I2P_NAME);
    EXPECT_TRUE(address.is_i2p());
    EXPECT_EQ(address.to_string(), I2P_NAME);
    EXPECT_TRUE(address.is_routable());
    EXPECT_FALSE(NetAddress::parse("udhdrtrcetjm5sxzskjyr5ztpeszydbh4dpl3pl4utgqqw2v4jn.b32.i2p")
                     .has_value());
    EXPECT_FALSE(NetAddress::parse("udhdrtrcetjm5sxzskjyr5ztpeszydbh4dpl3pl4utgqqw2v4jnaa.b32.i2p")
                     .has_value());
    // The last character carries 4 padding bits that must be zero.
    EXPECT_FALSE(NetAddress::parse("udhdrtrcetjm5sxzskjyr5ztpeszydbh4dpl3pl4utgqqw2v4jnb.b32.i2p")
                     .has_value());
    EXPECT_FALSE(NetAddress::parse("udhdrtrcetjm5sxzskjyr5ztpeszydbh4dpl3pl4utgqqw2v4j1a.b32.i2p")
                     .has_value());
}

TEST(NetAddressParse, ReadsCjdnsOnlyWhenAsked) {
    const auto as_cjdns = must_parse("fc00:1:2:3:4:5:6:7", true);
    EXPECT_TRUE(as_cjdns.is_cjdns());
    EXPECT_TRUE(as_cjdns.is_routable());
    EXPECT_EQ(as_cjdns.to_string(), "fc00:1:2:3:4:5:6:7");
    EXPECT_FALSE(as_cjdns.legacy_bytes().has_value());
    const auto as_ipv6 = must_parse("fc00:1:2:3:4:5:6:7", false);
    EXPECT_TRUE(as_ipv6.is_ipv6());
    EXPECT_TRUE(as_ipv6.is_rfc4193());
    EXPECT_FALSE(as_ipv6.is_routable());
    EXPECT_TRUE(must_parse("fd00::1", true).is_ipv6());
}

TEST(NetAddressBip155, AcceptsEachNetworkWithItsLengthOnly) {
    const Bytes four(4, 1), sixteen(16, 0x20), thirty_two(32, 7);
    EXPECT_TRUE(NetAddress::from_bip155(1, four).has_value());
    EXPECT_FALSE(NetAddress::from_bip155(1, sixteen).has_value());
    EXPECT_TRUE(NetAddress::from_bip155(2, sixteen).has_value());
    EXPECT_FALSE(NetAddress::from_bip155(3, Bytes(10, 1)).has_value());  // Tor v2 is obsolete
    EXPECT_TRUE(NetAddress::from_bip155(4, thirty_two).has_value());
    EXPECT_TRUE(NetAddress::from_bip155(5, thirty_two).has_value());
    EXPECT_FALSE(NetAddress::from_bip155(5, four).has_value());
    EXPECT_FALSE(NetAddress::from_bip155(6, sixteen).has_value());  // CJDNS must start with 0xfc
    Bytes cjdns(16, 0);
    cjdns[0] = 0xfc;
    EXPECT_TRUE(NetAddress::from_bip155(6, cjdns).has_value());
    EXPECT_FALSE(NetAddress::from_bip155(7, four).has_value());
    EXPECT_FALSE(NetAddress::from_bip155(0, four).has_value());
    const NetAddress translated = must_parse("::ffff:0:1.2.3.4");  // RFC 6145 is fine
    EXPECT_TRUE(NetAddress::from_bip155(2, translated.bytes()).has_value());
    Bytes ipv4_mapped(16, 0);
    ipv4_mapped[10] = ipv4_mapped[11] = 0xff;
    EXPECT_FALSE(NetAddress::from_bip155(2, ipv4_mapped).has_value());
    const auto round_trip = NetAddress::from_bip155(4, must_parse(TORV3_NAME).bytes());
    ASSERT_TRUE(round_trip.has_value());
    EXPECT_EQ(round_trip->to_string(), TORV3_NAME);
}

TEST(NetAddressClassification, NamesCoreSpecialRanges) {
    EXPECT_TRUE(must_parse("127.0.0.1").is_local());
    EXPECT_TRUE(must_parse("0.1.2.3").is_local());
    EXPECT_TRUE(must_parse("::1").is_local());
    EXPECT_FALSE(must_parse("8.8.8.8").is_local());
    for (auto text : {"10.0.0.1", "192.168.1.1", "172.16.0.1", "172.31.255.255"}) {
        EXPECT_TRUE(must_parse(text).is_rfc1918()) << text;
    }
    EXPECT_FALSE(must_parse("172.32.0.1").is_rfc1918());
    EXPECT_FALSE(must_parse("172.15.0.1").is_rfc1918());
    EXPECT_TRUE(must_parse("198.18.0.0").is_rfc2544());
    EXPECT_TRUE(must_parse("198.19.255.255").is_rfc2544());
    EXPECT_FALSE(must_parse("198.20.0.0").is_rfc2544());
    EXPECT_TRUE(must_parse("169.254.1.1").is_rfc3927());
    EXPECT_TRUE(must_parse("100.64.0.1").is_rfc6598());
    EXPECT_TRUE(must_parse("100.127.255.255").is_rfc6598());
    EXPECT_FALSE(must_parse("100.128.0.0").is_rfc6598());
    EXPECT_TRUE(must_parse("192.0.2.1").is_rfc5737());
    EXPECT_TRUE(must_parse("198.51.100.1").is_rfc5737());
    EXPECT_TRUE(must_parse("203.0.113.1").is_rfc5737());
    EXPECT_TRUE(must_parse("2001:db8::1").is_rfc3849());
    EXPECT_TRUE(must_parse("2002::1").is_rfc3964());
    EXPECT_TRUE(must_parse("64:ff9b::1").is_rfc6052());
    EXPECT_TRUE(must_parse("2001::1").is_rfc4380());
    EXPECT_TRUE(must_parse("fe80::1").is_rfc4862());
    EXPECT_FALSE(must_parse("fe80:1::1").is_rfc4862());
    EXPECT_TRUE(must_parse("fc00::1").is_rfc4193());
    EXPECT_TRUE(must_parse("fdff::1").is_rfc4193());
    EXPECT_TRUE(must_parse("::ffff:0:1.2.3.4").is_rfc6145());
    EXPECT_TRUE(must_parse("2001:10::1").is_rfc4843());
    EXPECT_TRUE(must_parse("2001:1f::1").is_rfc4843());
    EXPECT_TRUE(must_parse("2001:20::1").is_rfc7343());
    EXPECT_TRUE(must_parse("2001:470::1").is_he_net());
    EXPECT_TRUE(must_parse("224.0.0.1").is_multicast());
    EXPECT_TRUE(must_parse("ff02::1").is_multicast());
    // IPv4 ranges never match IPv6 addresses and the other way round.
    EXPECT_FALSE(must_parse("::a00:1").is_rfc1918());
    EXPECT_FALSE(must_parse("32.1.13.184").is_rfc3849());
}

TEST(NetAddressClassification, DecidesValidityAndRoutabilityAsCore) {
    for (auto text : {"::", "0.0.0.0", "255.255.255.255", "2001:db8::1"}) {
        EXPECT_FALSE(must_parse(text).is_valid()) << text;
        EXPECT_FALSE(must_parse(text).is_routable()) << text;
    }
    for (auto text :
         {"127.0.0.1", "10.1.1.1", "198.18.1.1", "169.254.1.1", "100.64.1.1", "192.0.2.1",
          "fe80::1", "fc00::1", "2001:10::1", "2001:20::1", "::1"}) {
        EXPECT_TRUE(must_parse(text).is_valid()) << text;
        EXPECT_FALSE(must_parse(text).is_routable()) << text;
    }
    // Multicast counts as routable, as in Core.
    for (auto text : {"1.2.3.4", "8.8.8.8", "2001:4860::8888", "2002:102:304::1", "2001::1",
                      "64:ff9b::102:304", "2001:470::1", "224.1.1.1", "ff00::1"}) {
        EXPECT_TRUE(must_parse(text).is_routable()) << text;
    }
}

TEST(NetAddressGroup, MatchesCoreGroupsWithoutAsmap) {
    const Bytes unroutable{0};
    EXPECT_EQ(group_of("127.0.0.1"), unroutable);
    EXPECT_EQ(group_of("10.0.0.1"), unroutable);
    EXPECT_EQ(group_of("169.254.1.1"), unroutable);
    EXPECT_EQ(group_of("::1"), unroutable);
    EXPECT_EQ(group_of("::"), unroutable);
    const Bytes ipv4_1_2{1, 1, 2};
    EXPECT_EQ(group_of("1.2.3.4"), ipv4_1_2);
    EXPECT_EQ(group_of("1.2.200.100"), ipv4_1_2);
    EXPECT_EQ(group_of("::FFFF:0:102:304"), ipv4_1_2);                       // RFC 6145
    EXPECT_EQ(group_of("64:FF9B::102:304"), ipv4_1_2);                       // RFC 6052
    EXPECT_EQ(group_of("2002:102:304:9999:9999:9999:9999:9999"), ipv4_1_2);  // 6to4
    EXPECT_EQ(group_of("2001:0:9999:9999:9999:9999:FEFD:FCFB"), ipv4_1_2);   // Teredo
    EXPECT_EQ(group_of("2001:470:abcd:9999:9999:9999:9999:9999"),
              (Bytes{2, 32, 1, 4, 112, 175}));  // he.net /36
    EXPECT_EQ(group_of("2001:2001:9999:9999:9999:9999:9999:9999"),
              (Bytes{2, 32, 1, 32, 1}));                // IPv6 /32
    EXPECT_EQ(group_of(TORV3_NAME), (Bytes{3, 0x7f}));  // 'p' = 15: first 4 bits 0111
    EXPECT_EQ(group_of(I2P_NAME),
              (Bytes{4, static_cast<std::uint8_t>(must_parse(I2P_NAME).bytes()[0] | 0x0f)}));
    const auto cjdns = must_parse("fc12:3456::1", true);
    EXPECT_EQ(cjdns.group(), (Bytes{5, 0xfc, 0x1f}));
}

TEST(NetAddressParse, ReadsBackWhatItPrintsOnEveryNetwork) {
    FastRandom rng(Uint256::from_string(std::string(64, '7')).value());
    std::size_t cases = 0;
    for (int i = 0; i < 4000; ++i) {
        const std::uint8_t network_id =
            static_cast<std::uint8_t>(std::array{1, 2, 4, 5, 6}[rng.randrange(5)]);
        Bytes bytes = rng.randbytes(network_id == 1                        ? 4
                                    : (network_id == 2 || network_id == 6) ? 16
                                                                           : 32);
        if (network_id == 6) bytes[0] = 0xfc;
        if (network_id == 2) {
            // Zero runs exercise the "::" compression.
            const std::size_t start = rng.randrange(16);
            const std::size_t length = rng.randrange(17 - start);
            std::fill_n(bytes.begin() + static_cast<std::ptrdiff_t>(start), length, 0);
            if (bytes[0] == 0xfc) bytes[0] = 0x20;
        }
        const auto address = NetAddress::from_bip155(network_id, bytes);
        if (!address) continue;  // e.g. an IPv4-mapped pattern
        const std::string text = address->to_string();
        EXPECT_EQ(NetAddress::parse(text, network_id == 6), address) << text;
        const NetService with_port{*address, static_cast<std::uint16_t>(1 + rng.randrange(65535))};
        EXPECT_EQ(NetService::parse(with_port.to_string(), 1, network_id == 6), with_port)
            << with_port.to_string();
        ++cases;
    }
    std::cout << "[cases] address print/parse round trips: " << cases << "\n";
    EXPECT_GT(cases, 3000u);
}

TEST(NetAddressParse, NeverCrashesOnArbitraryText) {
    FastRandom rng(Uint256::from_string(std::string(64, '3')).value());
    constexpr std::string_view ALPHABET = "0123456789abcdefABCDEF:.[]%xyz.onionb32i2p ";
    for (int i = 0; i < 20000; ++i) {
        std::string text(rng.randrange(70), ' ');
        for (char& c : text) c = ALPHABET[rng.randrange(ALPHABET.size())];
        const auto parsed = NetAddress::parse(text, rng.randbool());
        if (parsed) {
            EXPECT_FALSE(parsed->to_string().empty());
        }
        (void)NetService::parse(text, 8333);
    }
}

TEST(NetServiceParse, ReadsPortsBracketsAndDefaults) {
    const std::vector<std::tuple<std::string_view, std::string_view>> cases = {
        {"1.2.3.4", "1.2.3.4:8333"},
        {"1.2.3.4:1", "1.2.3.4:1"},
        {"1.2.3.4:65535", "1.2.3.4:65535"},
        {"[::1]", "[::1]:8333"},
        {"[2001:db8::1]:18333", "[2001:db8::1]:18333"},
        {"2001:db8::1", "[2001:db8::1]:8333"},
        {"::1", "[::1]:8333"},
        {"[::ffff:1.2.3.4]:5", "1.2.3.4:5"},
    };
    for (const auto& [text, printed] : cases) {
        const auto service = NetService::parse(text, 8333);
        ASSERT_TRUE(service.has_value()) << text;
        EXPECT_EQ(service->to_string(), printed) << text;
        EXPECT_EQ(NetService::parse(printed, 1), service) << printed;
    }
    const auto onion = NetService::parse(std::string(TORV3_NAME) + ":9050", 8333);
    ASSERT_TRUE(onion.has_value());
    EXPECT_EQ(onion->port, 9050);
    EXPECT_EQ(onion->to_string(), std::string(TORV3_NAME) + ":9050");
    const auto cjdns = NetService::parse("[fc00::5]:7", 8333, true);
    ASSERT_TRUE(cjdns.has_value());
    EXPECT_TRUE(cjdns->address.is_cjdns());
    EXPECT_EQ(cjdns->to_string(), "[fc00::5]:7");
    for (std::string_view bad :
         {"1.2.3.4:0", "1.2.3.4:65536", "1.2.3.4:", "1.2.3.4:x", "[1.2.3.4]:5", "[::1", "::1]:5",
          "", ":8333", "[]:1", "1.2.3.4:08"}) {
        EXPECT_FALSE(NetService::parse(bad, 8333).has_value()) << bad;
    }
}

}  // namespace
}  // namespace bitloom
