#include "consensus/fixed_seeds.h"

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdio>
#include <set>
#include <string>
#include <string_view>

namespace bitloom {
namespace {

constexpr ChainType NETWORKS_WITH_SEEDS[] = {ChainType::main, ChainType::testnet,
                                             ChainType::testnet4, ChainType::signet};

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f'); }
bool is_base32(char c) { return (c >= 'a' && c <= 'z') || (c >= '2' && c <= '7'); }

// Four dot-separated decimal parts of 1-3 digits, each at most 255, no leading zeros.
bool looks_like_ipv4(std::string_view host) {
    int parts = 0;
    while (true) {
        const std::size_t dot = host.find('.');
        const std::string_view part = host.substr(0, dot);
        if (part.empty() || part.size() > 3) return false;
        for (char c : part)
            if (!is_digit(c)) return false;
        if (part.size() > 1 && part[0] == '0') return false;
        if (std::stoi(std::string(part)) > 255) return false;
        ++parts;
        if (dot == std::string_view::npos) break;
        host.remove_prefix(dot + 1);
    }
    return parts == 4;
}

// "[...]" holding lowercase hex digits and colons only, with at least two colons.
bool looks_like_bracketed_ipv6(std::string_view host) {
    if (host.size() < 4 || host.front() != '[' || host.back() != ']') return false;
    const std::string_view inner = host.substr(1, host.size() - 2);
    std::size_t colons = 0;
    for (char c : inner) {
        if (c == ':') ++colons;
        else if (!is_hex(c)) return false;
    }
    return colons >= 2 && colons <= 7;
}

// 56 base32 characters (a Tor v3 service id) followed by ".onion".
bool looks_like_onion_v3(std::string_view host) {
    constexpr std::string_view SUFFIX = ".onion";
    if (host.size() != 56 + SUFFIX.size() || !host.ends_with(SUFFIX)) return false;
    for (char c : host.substr(0, 56))
        if (!is_base32(c)) return false;
    return true;
}

TEST(FixedSeeds, each_network_has_a_plausible_number_of_seeds) {
    const std::size_t main = fixed_seeds(ChainType::main).size();
    const std::size_t test = fixed_seeds(ChainType::testnet).size();
    const std::size_t testnet4 = fixed_seeds(ChainType::testnet4).size();
    const std::size_t signet = fixed_seeds(ChainType::signet).size();
    const std::size_t regtest = fixed_seeds(ChainType::regtest).size();
    std::printf("[fixed-seeds] main: %zu, test: %zu, testnet4: %zu, signet: %zu, regtest: %zu\n",
                main, test, testnet4, signet, regtest);
    EXPECT_GT(main, 500u);
    EXPECT_GT(test, 20u);
    EXPECT_GT(testnet4, 50u);
    EXPECT_GT(signet, 50u);
    EXPECT_EQ(regtest, 0u);
}

TEST(FixedSeeds, every_entry_uses_its_networks_default_port) {
    for (ChainType chain : NETWORKS_WITH_SEEDS) {
        SCOPED_TRACE(std::string(chain_type_name(chain)));
        const std::string suffix = ":" + std::to_string(chain_params(chain).default_port);
        std::size_t checked = 0;
        for (std::string_view entry : fixed_seeds(chain)) {
            EXPECT_TRUE(entry.ends_with(suffix)) << entry;
            ++checked;
        }
        EXPECT_GT(checked, 0u);
    }
}

TEST(FixedSeeds, no_network_lists_an_entry_twice) {
    for (ChainType chain : NETWORKS_WITH_SEEDS) {
        SCOPED_TRACE(std::string(chain_type_name(chain)));
        const auto seeds = fixed_seeds(chain);
        const std::set<std::string_view> distinct(seeds.begin(), seeds.end());
        EXPECT_EQ(distinct.size(), seeds.size());
    }
}

TEST(FixedSeeds, every_host_is_ipv4_bracketed_ipv6_or_onion_v3) {
    for (ChainType chain : NETWORKS_WITH_SEEDS) {
        SCOPED_TRACE(std::string(chain_type_name(chain)));
        std::size_t ipv4 = 0, ipv6 = 0, onion = 0;
        for (std::string_view entry : fixed_seeds(chain)) {
            const std::size_t colon = entry.rfind(':');
            ASSERT_NE(colon, std::string_view::npos) << entry;
            const std::string_view host = entry.substr(0, colon);
            if (looks_like_ipv4(host)) ++ipv4;
            else if (looks_like_bracketed_ipv6(host)) ++ipv6;
            else if (looks_like_onion_v3(host)) ++onion;
            else ADD_FAILURE() << "not an IPv4, bracketed IPv6 or v3 onion host: " << entry;
        }
        std::printf("[fixed-seeds] %s: %zu IPv4, %zu IPv6, %zu onion\n",
                    std::string(chain_type_name(chain)).c_str(), ipv4, ipv6, onion);
        EXPECT_GT(ipv4 + ipv6 + onion, 0u);
    }
}

TEST(FixedSeeds, leaves_out_i2p_and_cjdns_entries) {
    for (ChainType chain : NETWORKS_WITH_SEEDS) {
        for (std::string_view entry : fixed_seeds(chain)) {
            EXPECT_EQ(entry.find(".i2p"), std::string_view::npos) << entry;
            EXPECT_FALSE(entry.starts_with("[fc")) << entry;
        }
    }
}

}  // namespace
}  // namespace bitloom
