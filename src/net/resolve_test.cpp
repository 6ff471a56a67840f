// Host/port splitting and resolution. Only numeric forms and "localhost" are resolved: no
// test asks a DNS server anything.
#include "net/resolve.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

namespace bitloom {
namespace {

constexpr const char* ONION = "pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion";

TEST(SplitHostPort, splits_each_form_of_the_grammar) {
    struct Case {
        const char* text;
        const char* host;
        std::optional<std::uint16_t> port;
    };
    const Case cases[] = {
        {"example.com", "example.com", std::nullopt},
        {"example.com:8333", "example.com", 8333},
        {"1.2.3.4", "1.2.3.4", std::nullopt},
        {"1.2.3.4:18444", "1.2.3.4", 18444},
        {"[::1]:8333", "::1", 8333},
        {"[::1]", "::1", std::nullopt},
        {"2001:db8::1", "2001:db8::1", std::nullopt},
        {"::1", "::1", std::nullopt},
        {"[2001:db8::1]:65535", "2001:db8::1", 65535},
        {"localhost:1", "localhost", 1},
    };
    int ran = 0;
    for (const Case& c : cases) {
        auto split = split_host_port(c.text);
        ASSERT_TRUE(split.has_value()) << c.text;
        EXPECT_EQ(split->host, c.host) << c.text;
        EXPECT_EQ(split->port, c.port) << c.text;
        ++ran;
    }
    std::printf("split_host_port: %d cases\n", ran);
    EXPECT_GT(ran, 0);
}

TEST(SplitHostPort, rejects_bad_ports_and_empty_hosts) {
    for (const char* text : {"host:", "host:0", "host:65536", "host:-1", "host:12a", "[::1]:x",
                             ":8333", "", "[]:8333", "host:123456"}) {
        EXPECT_FALSE(split_host_port(text).has_value()) << text;
    }
}

TEST(Resolve, parses_numeric_ipv4_without_a_lookup) {
    auto result = resolve("127.0.0.1:18444", 8333, false);
    ASSERT_TRUE(result.has_value()) << result.error();
    ASSERT_EQ(result->size(), 1u);
    EXPECT_EQ((*result)[0].to_string(), "127.0.0.1:18444");
}

TEST(Resolve, uses_the_default_port_when_none_is_given) {
    auto result = resolve("10.0.0.1", 8333, false);
    ASSERT_TRUE(result.has_value());
    ASSERT_EQ(result->size(), 1u);
    EXPECT_EQ((*result)[0].to_string(), "10.0.0.1:8333");
}

TEST(Resolve, parses_bracketed_and_bare_ipv6) {
    auto bracketed = resolve("[2001:db8::2]:18333", 8333, false);
    ASSERT_TRUE(bracketed.has_value());
    EXPECT_EQ((*bracketed)[0].to_string(), "[2001:db8::2]:18333");
    auto bare = resolve("2001:db8::2", 8333, false);
    ASSERT_TRUE(bare.has_value());
    EXPECT_EQ((*bare)[0].to_string(), "[2001:db8::2]:8333");
}

TEST(Resolve, parses_tor_names_without_a_lookup) {
    auto result = resolve(std::string(ONION) + ":9050", 8333, false);
    ASSERT_TRUE(result.has_value()) << result.error();
    ASSERT_EQ(result->size(), 1u);
    EXPECT_TRUE((*result)[0].address.is_tor());
    EXPECT_EQ((*result)[0].port, 9050);
    EXPECT_TRUE(resolve_numeric(ONION, 8333).has_value());
}

TEST(Resolve, never_looks_up_a_malformed_onion_name) {
    auto result = resolve("notavalidname.onion", 8333, true);
    ASSERT_FALSE(result.has_value());
    EXPECT_NE(result.error().find("onion"), std::string::npos) << result.error();
    EXPECT_TRUE(is_onion_name("abc.ONION"));
    EXPECT_FALSE(is_onion_name("onion"));
}

TEST(Resolve, refuses_names_when_lookups_are_disabled) {
    auto result = resolve("localhost:8333", 8333, false);
    ASSERT_FALSE(result.has_value());
    EXPECT_NE(result.error().find("disabled"), std::string::npos) << result.error();
    EXPECT_FALSE(resolve_numeric("localhost", 8333).has_value());
}

TEST(Resolve, rejects_a_malformed_target) {
    EXPECT_FALSE(resolve("127.0.0.1:0", 8333, false).has_value());
    EXPECT_FALSE(resolve("127.0.0.1:99999", 8333, true).has_value());
    EXPECT_FALSE(resolve("", 8333, true).has_value());
}

TEST(Resolve, looks_up_localhost_to_a_loopback_address) {
    auto result = resolve("localhost:18444", 8333, true);
    ASSERT_TRUE(result.has_value()) << result.error();
    ASSERT_FALSE(result->empty());
    for (const NetService& found : *result) {
        EXPECT_TRUE(found.address.is_local()) << found.to_string();
        EXPECT_EQ(found.port, 18444);
    }
    // Every answer appears once.
    for (std::size_t i = 0; i < result->size(); ++i) {
        EXPECT_EQ(std::count(result->begin(), result->end(), (*result)[i]), 1);
    }
}

}  // namespace
}  // namespace bitloom
