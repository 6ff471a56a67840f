// The ban list: setban's replace-only-when-longer rule, expiry at Core's edges, sweeping,
// discouragement's bounded rolling memory, and the banlist format's round trip and its
// rejection of every kind of damage.
#include <gtest/gtest.h>

#include <iostream>

#include "crypto/hash.h"
#include "p2p/banman.h"

namespace bitloom {
namespace {

constexpr std::int64_t NOW = 1'700'000'000;
constexpr const char* ONION = "pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion";

SubNet subnet(std::string_view text) {
    const auto parsed = SubNet::parse(text);
    EXPECT_TRUE(parsed.has_value()) << text;
    return parsed.value_or(SubNet{});
}

NetAddress address(std::string_view text) { return *NetAddress::parse(text); }

// Replaces the trailing checksum so that a deliberately altered body passes it.
void reseal(Bytes& file) {
    file.resize(file.size() - 32);
    const Uint256 checksum = hash256(file);
    append(file, checksum.span());
}

TEST(BanMan, banned_subnet_covers_its_addresses_until_it_expires) {
    BanMan bans;
    EXPECT_TRUE(bans.ban(subnet("10.0.0.0/8"), NOW + 100, NOW));
    EXPECT_TRUE(bans.is_banned(address("10.1.2.3"), NOW));
    EXPECT_TRUE(bans.is_banned(address("10.1.2.3"), NOW + 99));
    EXPECT_FALSE(bans.is_banned(address("10.1.2.3"), NOW + 100));  // now < until, as Core
    EXPECT_FALSE(bans.is_banned(address("11.1.2.3"), NOW));
    EXPECT_TRUE(bans.is_banned(subnet("10.0.0.0/8"), NOW));
    EXPECT_FALSE(bans.is_banned(subnet("10.0.0.0/16"), NOW));
}

TEST(BanMan, a_ban_is_replaced_only_by_a_longer_one) {
    BanMan bans;
    EXPECT_TRUE(bans.ban(subnet("1.2.3.4"), NOW + 1000, NOW));
    EXPECT_FALSE(bans.ban(subnet("1.2.3.4"), NOW + 500, NOW + 1));
    EXPECT_FALSE(bans.ban(subnet("1.2.3.4/32"), NOW + 1000, NOW + 2));
    EXPECT_TRUE(bans.ban(subnet("1.2.3.4"), NOW + 2000, NOW + 3));
    const auto listed = bans.list(NOW);
    ASSERT_EQ(listed.size(), 1u);
    EXPECT_EQ(listed[0].entry, (BanEntry{NOW + 3, NOW + 2000}));
    EXPECT_FALSE(bans.ban(SubNet{}, NOW + 10, NOW));
}

TEST(BanMan, unban_removes_exactly_that_subnet) {
    BanMan bans;
    bans.ban(subnet("1.2.3.0/24"), NOW + 100, NOW);
    EXPECT_FALSE(bans.unban(subnet("1.2.3.4")));
    EXPECT_TRUE(bans.unban(subnet("1.2.3.0/24")));
    EXPECT_FALSE(bans.unban(subnet("1.2.3.0/24")));
    EXPECT_FALSE(bans.is_banned(address("1.2.3.4"), NOW));
}

TEST(BanMan, list_sweeps_expired_entries_after_their_last_second) {
    BanMan bans;
    bans.ban(subnet("1.1.1.1"), NOW + 10, NOW);
    bans.ban(subnet("2.2.2.2"), NOW + 20, NOW);
    bans.ban(subnet("2001:db8::/32"), NOW + 30, NOW);
    EXPECT_EQ(bans.list(NOW + 10).size(), 3u);  // swept only once now > until
    const auto listed = bans.list(NOW + 11);
    ASSERT_EQ(listed.size(), 2u);
    EXPECT_EQ(listed[0].subnet, subnet("2.2.2.2"));
    EXPECT_EQ(listed[1].subnet, subnet("2001:db8::/32"));
    EXPECT_EQ(bans.list(NOW + 31).size(), 0u);
}

TEST(BanMan, clear_removes_bans_but_keeps_discouragement) {
    BanMan bans;
    bans.ban(subnet("1.1.1.1"), NOW + 10, NOW);
    bans.discourage(address("3.3.3.3"));
    bans.clear();
    EXPECT_EQ(bans.ban_count(), 0u);
    EXPECT_TRUE(bans.is_discouraged(address("3.3.3.3")));
    bans.clear_discouraged();
    EXPECT_FALSE(bans.is_discouraged(address("3.3.3.3")));
}

TEST(BanMan, discouragement_is_per_address_and_not_a_ban) {
    BanMan bans;
    bans.discourage(address("5.6.7.8"));
    EXPECT_TRUE(bans.is_discouraged(address("5.6.7.8")));
    EXPECT_FALSE(bans.is_discouraged(address("5.6.7.9")));
    EXPECT_FALSE(bans.is_banned(address("5.6.7.8"), NOW));
}

TEST(BanMan, discouragement_forgets_the_oldest_first_within_its_capacity) {
    BanMan bans(3);
    bans.discourage(address("1.0.0.1"));
    bans.discourage(address("1.0.0.2"));
    bans.discourage(address("1.0.0.3"));
    bans.discourage(address("1.0.0.1"));  // refreshed: now the most recent
    bans.discourage(address("1.0.0.4"));  // pushes out 1.0.0.2 (the oldest live entry)
    EXPECT_FALSE(bans.is_discouraged(address("1.0.0.2")));
    EXPECT_TRUE(bans.is_discouraged(address("1.0.0.1")));
    EXPECT_TRUE(bans.is_discouraged(address("1.0.0.3")));
    EXPECT_TRUE(bans.is_discouraged(address("1.0.0.4")));
    bans.discourage(address("1.0.0.5"));
    EXPECT_FALSE(bans.is_discouraged(address("1.0.0.3")));
    EXPECT_TRUE(bans.is_discouraged(address("1.0.0.1")));
    EXPECT_LE(bans.discouraged_count(), 3u);
}

TEST(BanMan, default_discouragement_remembers_fifty_thousand_addresses) {
    BanMan bans;
    for (std::uint32_t i = 0; i < BanMan::DISCOURAGED_CAPACITY + 10; ++i) {
        bans.discourage(NetAddress::ipv4({10, static_cast<std::uint8_t>(i >> 16),
                                          static_cast<std::uint8_t>(i >> 8),
                                          static_cast<std::uint8_t>(i)}));
    }
    EXPECT_EQ(bans.discouraged_count(), BanMan::DISCOURAGED_CAPACITY);
    EXPECT_FALSE(bans.is_discouraged(NetAddress::ipv4({10, 0, 0, 9})));
    EXPECT_TRUE(bans.is_discouraged(NetAddress::ipv4({10, 0, 0, 10})));
}

TEST(BanMan, ban_list_round_trips_through_its_format_without_discouragement) {
    BanMan bans;
    bans.ban(subnet("1.2.3.0/24"), NOW + 100, NOW);
    bans.ban(subnet("8.8.8.8"), NOW + 200, NOW - 5);
    bans.ban(subnet("2001:db8::/48"), NOW + 300, NOW);
    bans.ban(subnet(ONION), NOW + 400, NOW);
    bans.ban(*SubNet::parse("fc00::1", true), NOW + 500, NOW);
    bans.discourage(address("9.9.9.9"));
    const Bytes file = bans.serialize();
    auto loaded = BanMan::deserialize(file);
    ASSERT_TRUE(loaded.has_value()) << loaded.error();
    EXPECT_EQ(loaded->list(NOW), bans.list(NOW));
    EXPECT_FALSE(loaded->is_discouraged(address("9.9.9.9")));
    EXPECT_EQ(loaded->serialize(), file);
    EXPECT_TRUE(loaded->is_banned(*NetAddress::parse("fc00::1", true), NOW));
    EXPECT_FALSE(loaded->is_banned(*NetAddress::parse("fc00::1", false), NOW));
}

TEST(BanMan, empty_ban_list_has_a_fixed_layout) {
    const Bytes file = BanMan().serialize();
    ASSERT_EQ(file.size(), 4u + 1 + 1 + 32);
    EXPECT_EQ(Bytes(file.begin(), file.begin() + 6), (Bytes{'b', 'l', 'b', 'n', 1, 0}));
    EXPECT_TRUE(BanMan::deserialize(file).has_value());
}

TEST(BanMan, damaged_ban_lists_are_rejected) {
    BanMan bans;
    bans.ban(subnet("1.2.3.0/24"), NOW + 100, NOW);
    bans.ban(subnet("2001:db8::/48"), NOW + 300, NOW);
    const Bytes good = bans.serialize();

    auto expect_error = [](const Bytes& file, std::string_view error) {
        const auto result = BanMan::deserialize(file);
        ASSERT_FALSE(result.has_value());
        EXPECT_EQ(result.error(), error);
    };
    Bytes bad = good;
    bad[0] = 'x';
    expect_error(bad, "bad magic");
    bad = good;
    bad[4] = 2;
    expect_error(bad, "unsupported version");
    bad = good;
    bad[10] ^= 1;
    expect_error(bad, "bad checksum");
    expect_error(Bytes(good.begin(), good.begin() + 10), "truncated");
    // Host bits set outside the prefix: 1.2.3.1/24.
    bad = good;
    bad[6 + 1 + 3] = 1;
    reseal(bad);
    expect_error(bad, "invalid subnet");
    // A prefix longer than the address.
    bad = good;
    bad[6 + 1 + 4] = 33;
    reseal(bad);
    expect_error(bad, "invalid subnet");
    // An unknown network.
    bad = good;
    bad[6] = 3;
    reseal(bad);
    expect_error(bad, "unknown network id 3");
    // The count claims one more entry than there is.
    bad = good;
    bad[5] = 3;
    reseal(bad);
    expect_error(bad, "truncated");
    // One entry fewer than the bytes hold.
    bad = good;
    bad[5] = 1;
    reseal(bad);
    expect_error(bad, "trailing data");
    // The same subnet twice.
    BanMan one;
    one.ban(subnet("1.2.3.0/24"), NOW + 100, NOW);
    Bytes twice = one.serialize();
    twice.resize(twice.size() - 32);
    const Bytes entry(twice.begin() + 6, twice.end());
    append(twice, entry);
    twice[5] = 2;
    twice.resize(twice.size() + 32);
    reseal(twice);
    expect_error(twice, "duplicate subnet 1.2.3.0/24");
}

TEST(BanMan, every_truncation_and_byte_flip_of_a_ban_list_fails_cleanly) {
    BanMan bans;
    bans.ban(subnet("1.2.3.0/24"), NOW + 100, NOW);
    bans.ban(subnet(ONION), NOW + 400, NOW);
    const Bytes good = bans.serialize();
    std::size_t cases = 0;
    for (std::size_t length = 0; length < good.size(); ++length, ++cases) {
        EXPECT_FALSE(BanMan::deserialize(ByteSpan(good).first(length)).has_value()) << length;
    }
    for (std::size_t i = 0; i < good.size(); ++i, ++cases) {
        Bytes bad = good;
        bad[i] ^= 0x40;
        EXPECT_FALSE(BanMan::deserialize(bad).has_value()) << i;
        reseal(bad);
        (void)BanMan::deserialize(bad);  // any verdict, but no crash
    }
    std::cout << "damaged ban lists tried: " << cases << "\n";
    EXPECT_GT(cases, 0u);
}

}  // namespace
}  // namespace bitloom
