#include "node/node.h"

#include <gtest/gtest.h>

namespace bitloom {
namespace {

TEST(RpcAllowIp, loopback_is_always_allowed) {
    EXPECT_TRUE(peer_allowed("127.0.0.1:5000", {}));
    EXPECT_TRUE(peer_allowed("127.8.9.10:5000", {}));
    EXPECT_TRUE(peer_allowed("[::1]:5000", {}));
    EXPECT_FALSE(peer_allowed("10.0.0.1:5000", {}));
    EXPECT_FALSE(peer_allowed("[2001:db8::1]:5000", {}));
}

TEST(RpcAllowIp, matches_addresses_prefixes_and_netmasks) {
    const std::vector<std::string> allowed = {"10.1.2.3", "192.168.0.0/16", "172.16.0.0/255.240.0.0",
                                              "2001:db8::/32"};
    EXPECT_TRUE(peer_allowed("10.1.2.3:1", allowed));
    EXPECT_FALSE(peer_allowed("10.1.2.4:1", allowed));
    EXPECT_TRUE(peer_allowed("192.168.77.1:1", allowed));
    EXPECT_FALSE(peer_allowed("192.169.0.1:1", allowed));
    EXPECT_TRUE(peer_allowed("172.31.255.255:1", allowed));
    EXPECT_FALSE(peer_allowed("172.32.0.0:1", allowed));
    EXPECT_TRUE(peer_allowed("[2001:db8:ffff::5]:1", allowed));
    EXPECT_FALSE(peer_allowed("[2001:db9::5]:1", allowed));
    // An IPv4-mapped IPv6 peer matches the IPv4 entries.
    EXPECT_TRUE(peer_allowed("[::ffff:192.168.1.1]:1", allowed));
}

TEST(RpcAllowIp, rejects_malformed_entries) {
    EXPECT_TRUE(valid_allow_entry("1.2.3.4"));
    EXPECT_TRUE(valid_allow_entry("1.2.3.0/24"));
    EXPECT_TRUE(valid_allow_entry("1.2.3.0/255.255.255.0"));
    EXPECT_TRUE(valid_allow_entry("::/0"));
    EXPECT_FALSE(valid_allow_entry("1.2.3.4/33"));
    EXPECT_FALSE(valid_allow_entry("1.2.3.0/255.0.255.0"));
    EXPECT_FALSE(valid_allow_entry("example.com"));
    EXPECT_FALSE(valid_allow_entry("1.2.3.4/"));
    EXPECT_FALSE(valid_allow_entry(""));
    EXPECT_FALSE(peer_allowed("garbage", {"0.0.0.0/0"}));
}

}  // namespace
}  // namespace bitloom
