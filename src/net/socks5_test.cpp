// The SOCKS5 client: the codec byte by byte, then real connections through a small SOCKS5
// server on 127.0.0.1 that relays to a local listener.
#include "net/socks5.h"

#include <gtest/gtest.h>

#include <string>

#include "net/reactor.h"
#include "net/test_support.h"

namespace bitloom {
namespace {

using net_testing::accept_blocking;
using net_testing::loopback;
using net_testing::ReactorHarness;
using net_testing::read_exactly;
using net_testing::send_all;
using net_testing::TestSocksServer;
using net_testing::text_of;

constexpr const char* ONION = "pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion";

Bytes domain_request(std::string_view name, std::uint16_t port) {
    Bytes out = {0x05, 0x01, 0x00, 0x03, static_cast<std::uint8_t>(name.size())};
    append(out, as_bytes(name));
    out.push_back(static_cast<std::uint8_t>(port >> 8));
    out.push_back(static_cast<std::uint8_t>(port & 0xff));
    return out;
}

TEST(Socks5Codec, greets_with_no_authentication_only_when_no_credentials_are_given) {
    Socks5Handshake handshake(Socks5Destination{std::string("example.com"), 8333}, std::nullopt);
    EXPECT_EQ(handshake.take_output(), (Bytes{0x05, 0x01, 0x00}));
    EXPECT_TRUE(handshake.take_output().empty());
    EXPECT_EQ(handshake.state(), Socks5Handshake::State::awaiting_method);
}

TEST(Socks5Codec, offers_username_password_when_credentials_are_given) {
    Socks5Handshake handshake(Socks5Destination{std::string("example.com"), 8333},
                              Socks5Credentials{"user", "pass"});
    EXPECT_EQ(handshake.take_output(), (Bytes{0x05, 0x02, 0x00, 0x02}));
}

TEST(Socks5Codec, sends_a_domain_name_connect_after_the_proxy_accepts_no_authentication) {
    Socks5Handshake handshake(Socks5Destination{std::string(ONION), 8333}, std::nullopt);
    handshake.take_output();
    handshake.receive(Bytes{0x05, 0x00});
    EXPECT_EQ(handshake.take_output(), domain_request(ONION, 8333));
    EXPECT_EQ(handshake.state(), Socks5Handshake::State::awaiting_reply);
}

TEST(Socks5Codec, authenticates_with_rfc1929_then_connects) {
    Socks5Handshake handshake(Socks5Destination{std::string("node.example"), 18333},
                              Socks5Credentials{"alice", "secret"});
    handshake.take_output();
    handshake.receive(Bytes{0x05, 0x02});
    Bytes auth = {0x01, 5};
    append(auth, as_bytes("alice"));
    auth.push_back(6);
    append(auth, as_bytes("secret"));
    EXPECT_EQ(handshake.take_output(), auth);
    EXPECT_EQ(handshake.state(), Socks5Handshake::State::awaiting_auth);
    handshake.receive(Bytes{0x01, 0x00});
    EXPECT_EQ(handshake.take_output(), domain_request("node.example", 18333));
}

TEST(Socks5Codec, sends_ipv4_and_ipv6_destinations_with_address_types_1_and_4) {
    Socks5Handshake v4(Socks5Destination{NetAddress::ipv4({10, 1, 2, 3}), 8333}, std::nullopt);
    v4.take_output();
    v4.receive(Bytes{0x05, 0x00});
    EXPECT_EQ(v4.take_output(), (Bytes{0x05, 0x01, 0x00, 0x01, 10, 1, 2, 3, 0x20, 0x8d}));

    Socks5Handshake v6(Socks5Destination{*NetAddress::parse("2001:db8::1"), 1}, std::nullopt);
    v6.take_output();
    v6.receive(Bytes{0x05, 0x00});
    Bytes expected = {0x05, 0x01, 0x00, 0x04, 0x20, 0x01, 0x0d, 0xb8};
    expected.resize(4 + 15, 0);
    expected.push_back(1);
    expected.push_back(0);
    expected.push_back(1);
    EXPECT_EQ(v6.take_output(), expected);
}

TEST(Socks5Codec, sends_a_tor_address_as_its_name) {
    Socks5Handshake handshake(Socks5Destination{*NetAddress::parse(ONION), 9333}, std::nullopt);
    handshake.take_output();
    handshake.receive(Bytes{0x05, 0x00});
    EXPECT_EQ(handshake.take_output(), domain_request(ONION, 9333));
}

TEST(Socks5Codec, accepts_replies_of_each_address_type_byte_by_byte_and_keeps_what_follows) {
    const Bytes replies[] = {
        {0x05, 0x00, 0x00, 0x01, 1, 2, 3, 4, 0x20, 0x8d},
        {0x05, 0x00, 0x00, 0x04, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0x20, 0x8d},
        {0x05, 0x00, 0x00, 0x03, 3, 'a', 'b', 'c', 0x20, 0x8d},
    };
    int ran = 0;
    for (const Bytes& reply : replies) {
        Socks5Handshake handshake(Socks5Destination{std::string("x.example"), 8333}, std::nullopt);
        handshake.receive(Bytes{0x05, 0x00});
        handshake.take_output();
        for (std::size_t i = 0; i < reply.size(); ++i) {
            EXPECT_EQ(handshake.state(), Socks5Handshake::State::awaiting_reply) << i;
            handshake.receive(ByteSpan(&reply[i], 1));
        }
        EXPECT_EQ(handshake.state(), Socks5Handshake::State::connected);
        EXPECT_TRUE(handshake.take_leftover().empty());
        handshake.receive(as_bytes("more"));
        EXPECT_EQ(text_of(handshake.take_leftover()), "more");
        ++ran;
    }
    // The reply and the first destination bytes in one read.
    Socks5Handshake handshake(Socks5Destination{std::string("x.example"), 8333}, std::nullopt);
    Bytes input = {0x05, 0x00, 0x05, 0x00, 0x00, 0x01, 1, 2, 3, 4, 0, 1};
    append(input, as_bytes("version"));
    handshake.receive(input);
    EXPECT_EQ(handshake.state(), Socks5Handshake::State::connected);
    EXPECT_EQ(text_of(handshake.take_leftover()), "version");
    std::printf("socks5 reply forms: %d\n", ran);
    EXPECT_EQ(ran, 3);
}

TEST(Socks5Codec, reports_each_reply_code_with_core_s_text) {
    const char* expected[] = {"general failure",     "connection not allowed",
                              "network unreachable", "host unreachable",
                              "connection refused",  "TTL expired",
                              "protocol error",      "address type not supported"};
    int ran = 0;
    for (std::uint8_t code = 1; code <= 8; ++code) {
        Socks5Handshake handshake(Socks5Destination{std::string("x.example"), 8333}, std::nullopt);
        handshake.receive(Bytes{0x05, 0x00, 0x05, code, 0x00, 0x01, 0, 0, 0, 0, 0, 0});
        EXPECT_EQ(handshake.state(), Socks5Handshake::State::failed);
        EXPECT_EQ(handshake.error(), expected[code - 1]);
        ++ran;
    }
    EXPECT_EQ(socks5_reply_text(0x09), "unknown");
    EXPECT_EQ(socks5_reply_text(0xf0), "onion service descriptor can not be found");
    std::printf("socks5 reply codes: %d\n", ran);
    EXPECT_EQ(ran, 8);
}

TEST(Socks5Codec, fails_on_a_refused_method_a_bad_version_or_refused_credentials) {
    Socks5Handshake none_acceptable(Socks5Destination{std::string("a.example"), 1}, std::nullopt);
    none_acceptable.receive(Bytes{0x05, 0xff});
    EXPECT_EQ(none_acceptable.state(), Socks5Handshake::State::failed);
    EXPECT_EQ(none_acceptable.error(), "proxy requested wrong authentication method ff");

    Socks5Handshake unasked(Socks5Destination{std::string("a.example"), 1}, std::nullopt);
    unasked.receive(Bytes{0x05, 0x02});  // password auth we did not offer
    EXPECT_EQ(unasked.state(), Socks5Handshake::State::failed);

    Socks5Handshake socks4(Socks5Destination{std::string("a.example"), 1}, std::nullopt);
    socks4.receive(Bytes{0x04, 0x00});
    EXPECT_EQ(socks4.error(), "proxy failed to initialize");

    Socks5Handshake refused(Socks5Destination{std::string("a.example"), 1},
                            Socks5Credentials{"u", "p"});
    refused.receive(Bytes{0x05, 0x02, 0x01, 0x01});
    EXPECT_EQ(refused.error(), "proxy authentication unsuccessful");

    Socks5Handshake malformed(Socks5Destination{std::string("a.example"), 1}, std::nullopt);
    malformed.receive(Bytes{0x05, 0x00, 0x05, 0x00, 0x00, 0x07, 0, 0, 0, 0});
    EXPECT_EQ(malformed.error(), "malformed proxy response");
}

TEST(Socks5Codec, refuses_names_longer_than_255_bytes_before_sending_anything) {
    Socks5Handshake handshake(Socks5Destination{std::string(256, 'a'), 1}, std::nullopt);
    EXPECT_EQ(handshake.state(), Socks5Handshake::State::failed);
    EXPECT_TRUE(handshake.take_output().empty());
    Socks5Handshake longest(Socks5Destination{std::string(255, 'a'), 1}, std::nullopt);
    EXPECT_EQ(longest.state(), Socks5Handshake::State::awaiting_method);
}

TEST(Socks5Codec, random_credentials_differ_each_time) {
    const auto a = random_socks5_credentials();
    const auto b = random_socks5_credentials();
    EXPECT_FALSE(a.username.empty());
    EXPECT_FALSE(a.password.empty());
    EXPECT_NE(a.username, b.username);
    EXPECT_NE(a.password, b.password);
}

// --- Through a proxy, with the reactor --------------------------------------------------

struct Target {
    Socket listener;
    NetService address;
    Target() {
        listener = listen_on(loopback()).value();
        address = local_address(listener).value();
    }
};

TEST(Socks5Proxy, connects_through_the_proxy_to_a_named_destination_and_relays_bytes) {
    Target target;
    TestSocksServer proxy(target.address);
    ReactorHarness harness;
    const NetService reported = *NetService::parse(std::string(ONION) + ":8333", 8333);
    ASSERT_TRUE(harness.call([&](Reactor& reactor) {
        return reactor.connect_via_proxy(7, proxy.address(),
                                         Socks5Destination{std::string(ONION), 8333},
                                         std::nullopt, reported);
    }));
    Socket server_side = accept_blocking(target.listener);
    ASSERT_TRUE(server_side.valid());
    ASSERT_TRUE(harness.wait_until([&] { return harness.connected_.contains(7); }));
    EXPECT_EQ(harness.inspect([&] { return harness.connected_[7].first; }), reported);

    ASSERT_TRUE(harness.call([](Reactor& reactor) { return reactor.write(7, as_bytes("hi")); }));
    auto got = read_exactly(server_side.fd(), 2);
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(text_of(*got), "hi");
    ASSERT_TRUE(send_all(server_side.fd(), as_bytes("there")));
    ASSERT_TRUE(harness.wait_until([&] { return harness.data_[7].size() == 5; }));
    EXPECT_EQ(harness.inspect([&] { return text_of(harness.data_[7]); }), "there");

    auto requests = proxy.requests();
    ASSERT_EQ(requests.size(), 1u);
    EXPECT_EQ(requests[0].atyp, 0x03);
    EXPECT_EQ(requests[0].host, ONION);
    EXPECT_EQ(requests[0].port, 8333);
    EXPECT_FALSE(requests[0].credentials.has_value());
}

TEST(Socks5Proxy, sends_credentials_when_the_proxy_requires_them) {
    Target target;
    const Socks5Credentials credentials = random_socks5_credentials();
    TestSocksServer proxy(target.address, credentials);
    ReactorHarness harness;
    ASSERT_TRUE(harness.call([&](Reactor& reactor) {
        return reactor.connect_via_proxy(3, proxy.address(),
                                         Socks5Destination{NetAddress::ipv4({127, 0, 0, 1}), 4},
                                         credentials, loopback(4));
    }));
    Socket server_side = accept_blocking(target.listener);
    ASSERT_TRUE(server_side.valid());
    ASSERT_TRUE(harness.wait_until([&] { return harness.connected_.contains(3); }));
    auto requests = proxy.requests();
    ASSERT_EQ(requests.size(), 1u);
    EXPECT_EQ(requests[0].atyp, 0x01);
    EXPECT_EQ(requests[0].host, "127.0.0.1");
    ASSERT_TRUE(requests[0].credentials.has_value());
    EXPECT_EQ(requests[0].credentials->username, credentials.username);
}

TEST(Socks5Proxy, reports_the_proxy_s_refusal_as_a_failed_connect) {
    Target target;
    TestSocksServer proxy(target.address, std::nullopt, 0x05);
    ReactorHarness harness;
    ASSERT_TRUE(harness.call([&](Reactor& reactor) {
        return reactor.connect_via_proxy(9, proxy.address(),
                                         Socks5Destination{std::string("peer.example"), 8333},
                                         std::nullopt, loopback(8333));
    }));
    ASSERT_TRUE(harness.wait_until([&] { return harness.failed_.contains(9); }));
    EXPECT_EQ(harness.inspect([&] { return harness.failed_[9]; }), "connection refused");
    EXPECT_FALSE(harness.inspect([&] { return harness.connected_.contains(9); }));
    EXPECT_EQ(harness.call([](Reactor& reactor) { return reactor.connection_count(); }), 0u);
}

TEST(Socks5Proxy, fails_when_the_proxy_wants_credentials_we_do_not_have) {
    Target target;
    TestSocksServer proxy(target.address, Socks5Credentials{"u", "p"});
    ReactorHarness harness;
    ASSERT_TRUE(harness.call([&](Reactor& reactor) {
        return reactor.connect_via_proxy(2, proxy.address(),
                                         Socks5Destination{std::string("peer.example"), 8333},
                                         std::nullopt, loopback(8333));
    }));
    ASSERT_TRUE(harness.wait_until([&] { return harness.failed_.contains(2); }));
    EXPECT_EQ(harness.inspect([&] { return harness.failed_[2]; }),
              "proxy requested wrong authentication method ff");
}

}  // namespace
}  // namespace bitloom
