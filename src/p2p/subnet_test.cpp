// Subnets: every text form Core's LookupSubNet accepts, what it rejects, matching across
// networks, Core's printed forms, and ordering for use as a map key.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "p2p/subnet.h"

namespace bitloom {
namespace {

constexpr const char* ONION = "pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion";

NetAddress address(std::string_view text) {
    const auto parsed = NetAddress::parse(text);
    EXPECT_TRUE(parsed.has_value()) << text;
    return parsed.value_or(NetAddress{});
}

std::string printed(std::string_view text) {
    const auto subnet = SubNet::parse(text);
    return subnet ? subnet->to_string() : "(invalid)";
}

TEST(SubNet, single_addresses_print_with_their_full_prefix) {
    EXPECT_EQ(printed("1.2.3.4"), "1.2.3.4/32");
    EXPECT_EQ(printed("2001:db8::1"), "2001:db8::1/128");
    EXPECT_EQ(printed("1.2.3.4/32"), "1.2.3.4/32");
}

TEST(SubNet, prefix_lengths_clear_the_host_bits) {
    EXPECT_EQ(printed("1.2.3.0/24"), "1.2.3.0/24");
    EXPECT_EQ(printed("1.2.3.4/24"), "1.2.3.0/24");
    EXPECT_EQ(printed("1.2.255.4/17"), "1.2.128.0/17");
    EXPECT_EQ(printed("0.0.0.0/0"), "0.0.0.0/0");
    EXPECT_EQ(printed("2001:db8:1:2:3:4:5:6/64"), "2001:db8:1:2::/64");
    EXPECT_EQ(printed("2001:db8::/32"), "2001:db8::/32");
    EXPECT_EQ(printed("::/0"), "::/0");
}

TEST(SubNet, netmasks_become_prefix_lengths) {
    EXPECT_EQ(printed("1.2.3.0/255.255.255.0"), "1.2.3.0/24");
    EXPECT_EQ(printed("1.2.3.4/255.255.240.0"), "1.2.0.0/20");
    EXPECT_EQ(printed("1.2.3.4/255.255.255.255"), "1.2.3.4/32");
    EXPECT_EQ(printed("1.2.3.4/0.0.0.0"), "0.0.0.0/0");
    EXPECT_EQ(printed("2001:db8::1/ffff:ffff:ffff:ffff::"), "2001:db8::/64");
}

TEST(SubNet, rejects_malformed_or_inconsistent_text) {
    for (const char* text :
         {"", "/24", "1.2.3.4/", "1.2.3.4/33", "1.2.3.4/-1", "1.2.3.4/24/1", "1.2.3.4/ 24",
          "1.2.3.4/255.0.255.0", "1.2.3.4/255.255.255.1", "1.2.3.4/ffff::", "2001:db8::/129",
          "2001:db8::/255.255.0.0", "example.com", "1.2.3", "1.2.3.4/1000"}) {
        EXPECT_FALSE(SubNet::parse(text).has_value()) << text;
    }
    EXPECT_FALSE(SubNet::parse(std::string_view("1.2.3.4\0/8", 10)).has_value());
}

TEST(SubNet, onion_i2p_and_cjdns_are_single_addresses) {
    const auto onion = SubNet::parse(ONION);
    ASSERT_TRUE(onion.has_value());
    EXPECT_EQ(onion->to_string(), ONION);
    EXPECT_TRUE(onion->is_single_address());
    EXPECT_EQ(onion->prefix_length(), 256);
    EXPECT_TRUE(onion->matches(address(ONION)));
    EXPECT_FALSE(SubNet::parse(std::string(ONION) + "/8").has_value());
    EXPECT_FALSE(SubNet::from_prefix(address(ONION), 8).has_value());
    EXPECT_TRUE(SubNet::from_prefix(address(ONION), 256).has_value());

    const auto cjdns = SubNet::parse("fc00::1", true);
    ASSERT_TRUE(cjdns.has_value());
    EXPECT_EQ(cjdns->network().network(), Network::cjdns);
    EXPECT_EQ(cjdns->to_string(), "fc00::1");
    EXPECT_TRUE(cjdns->matches(*NetAddress::parse("fc00::1", true)));
    EXPECT_FALSE(cjdns->matches(*NetAddress::parse("fc00::2", true)));
    // Without the CJDNS reading, fc00::/8 is an ordinary IPv6 range.
    EXPECT_EQ(printed("fc00::1/8"), "fc00::/8");
}

TEST(SubNet, matches_within_the_prefix_and_the_same_network_only) {
    const auto subnet = *SubNet::parse("10.1.0.0/16");
    EXPECT_TRUE(subnet.matches(address("10.1.0.1")));
    EXPECT_TRUE(subnet.matches(address("10.1.255.255")));
    EXPECT_FALSE(subnet.matches(address("10.2.0.1")));
    EXPECT_FALSE(subnet.matches(address("2001:db8::1")));
    // An IPv4-mapped IPv6 address is the IPv4 address.
    EXPECT_TRUE(subnet.matches(address("::ffff:10.1.2.3")));

    const auto everything = *SubNet::parse("0.0.0.0/0");
    EXPECT_TRUE(everything.matches(address("8.8.8.8")));
    EXPECT_FALSE(everything.matches(address("0.0.0.0")));  // invalid addresses never match
    EXPECT_FALSE(everything.matches(address("2001::1")));

    const auto v6 = *SubNet::parse("2001:470:1::/48");
    EXPECT_TRUE(v6.matches(address("2001:470:1:ffff::1")));
    EXPECT_FALSE(v6.matches(address("2001:470:2::1")));
    EXPECT_FALSE(SubNet{}.matches(address("1.2.3.4")));
    EXPECT_EQ(SubNet{}.to_string(), "");
}

TEST(SubNet, equal_subnets_written_differently_compare_equal_and_order_as_keys) {
    EXPECT_EQ(*SubNet::parse("1.2.3.4/24"), *SubNet::parse("1.2.3.0/255.255.255.0"));
    EXPECT_NE(*SubNet::parse("1.2.3.0/24"), *SubNet::parse("1.2.3.0/25"));
    std::map<SubNet, int> bans;
    bans[*SubNet::parse("1.2.3.0/24")] = 1;
    bans[*SubNet::parse("1.2.3.99/24")] = 2;
    bans[*SubNet::parse("1.2.3.0/25")] = 3;
    bans[*SubNet::parse("2001:db8::/32")] = 4;
    EXPECT_EQ(bans.size(), 3u);
    EXPECT_EQ(bans.at(*SubNet::parse("1.2.3.0/24")), 2);
}

TEST(SubNet, single_of_an_address_matches_only_that_address) {
    const SubNet one = SubNet::single(address("192.168.1.7"));
    EXPECT_TRUE(one.is_valid());
    EXPECT_TRUE(one.is_single_address());
    EXPECT_TRUE(one.matches(address("192.168.1.7")));
    EXPECT_FALSE(one.matches(address("192.168.1.8")));
    EXPECT_EQ(one.to_string(), "192.168.1.7/32");
}

}  // namespace
}  // namespace bitloom
