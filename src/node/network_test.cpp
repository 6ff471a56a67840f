#include "node/network.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "node/options.h"
#include "testutil/temp_dir.h"
#include "util/version.h"

namespace bitloom {
namespace {

using testutil::TempDir;

Settings settings_of(const TempDir& dir, std::vector<std::string> args) {
    args.insert(args.begin(), "-datadir=" + dir.path().string());
    args.insert(args.begin(), "bitloomd");
    std::vector<const char*> argv;
    for (const auto& arg : args) argv.push_back(arg.c_str());
    auto settings = load_settings(static_cast<int>(argv.size()), argv.data(), node_options(),
                                  dir.path() / "unused-default");
    EXPECT_TRUE(settings) << (settings ? "" : settings.error());
    return std::move(*settings);
}

Result<NetworkServiceOptions, std::string> options_for(std::vector<std::string> args) {
    TempDir dir("bitloom-network");
    const Settings settings = settings_of(dir, std::move(args));
    return network_options(settings, chain_params(ChainType::regtest), dir.path());
}

TEST(NetworkOptions, listen_on_every_address_and_connect_automatically_by_default) {
    auto options = options_for({});
    ASSERT_TRUE(options) << options.error();
    EXPECT_TRUE(options->listen);
    ASSERT_EQ(options->bind.size(), 2U);
    EXPECT_EQ(options->bind[0].to_string(), "0.0.0.0:18444");
    EXPECT_EQ(options->bind[1].to_string(), "[::]:18444");
    EXPECT_TRUE(options->manager.automatic_outbound);
    EXPECT_TRUE(options->manager.connect.empty());
}

TEST(NetworkOptions, connect_turns_off_automatic_connections_seeds_and_listening) {
    auto options = options_for({"-connect=127.0.0.1:18555", "-connect=127.0.0.2"});
    ASSERT_TRUE(options) << options.error();
    EXPECT_FALSE(options->manager.automatic_outbound);
    EXPECT_FALSE(options->listen);
    EXPECT_TRUE(options->manager.dns_seeds.empty());
    EXPECT_EQ(options->manager.connect,
              (std::vector<std::string>{"127.0.0.1:18555", "127.0.0.2"}));

    auto none = options_for({"-connect=0", "-listen=1", "-bind=127.0.0.1", "-port=18600"});
    ASSERT_TRUE(none) << none.error();
    EXPECT_FALSE(none->manager.automatic_outbound);
    EXPECT_TRUE(none->manager.connect.empty());
    EXPECT_TRUE(none->listen);
    ASSERT_EQ(none->bind.size(), 1U);
    EXPECT_EQ(none->bind[0].to_string(), "127.0.0.1:18600");
}

TEST(NetworkOptions, a_proxy_turns_off_listening_and_serves_onion_too) {
    auto options = options_for({"-proxy=127.0.0.1:9050"});
    ASSERT_TRUE(options) << options.error();
    EXPECT_FALSE(options->listen);
    ASSERT_TRUE(options->proxy);
    ASSERT_TRUE(options->onion_proxy);
    EXPECT_EQ(options->onion_proxy->to_string(), "127.0.0.1:9050");
    auto no_onion = options_for({"-proxy=127.0.0.1:9050", "-noonion"});
    ASSERT_TRUE(no_onion) << no_onion.error();
    EXPECT_FALSE(no_onion->onion_proxy);
}

TEST(NetworkOptions, bad_values_get_cores_start_up_errors) {
    EXPECT_EQ(options_for({"-port=70000"}).error(), "Invalid port specified in -port: '70000'");
    EXPECT_EQ(options_for({"-onlynet=ipx"}).error(), "Unknown network specified in -onlynet: 'ipx'");
    EXPECT_EQ(options_for({"-proxy=not an address"}).error(),
              "Invalid -proxy address or hostname: 'not an address'");
    EXPECT_FALSE(options_for({"-whitelist=noban@not-a-subnet"}));
}

TEST(NetworkOptions, fixed_seeds_come_with_the_network_unless_switched_off) {
    TempDir dir("bitloom-network");
    const Settings plain = settings_of(dir, {});
    auto main_options = network_options(plain, chain_params(ChainType::main), dir.path());
    ASSERT_TRUE(main_options) << main_options.error();
    EXPECT_GT(main_options->manager.fixed_seeds.size(), 500U);
    for (const PeerAddress& seed : main_options->manager.fixed_seeds) {
        EXPECT_EQ(seed.service.port, 8333);
    }
    auto off = network_options(settings_of(dir, {"-fixedseeds=0"}), chain_params(ChainType::main),
                               dir.path());
    ASSERT_TRUE(off) << off.error();
    EXPECT_TRUE(off->manager.fixed_seeds.empty());
    auto regtest = options_for({});
    ASSERT_TRUE(regtest) << regtest.error();
    EXPECT_TRUE(regtest->manager.fixed_seeds.empty());
}

TEST(NetworkOptions, onlynet_and_buffers_are_passed_on) {
    auto options = options_for({"-onlynet=ipv4", "-onlynet=onion", "-maxreceivebuffer=10",
                                "-maxsendbuffer=20", "-maxconnections=12"});
    ASSERT_TRUE(options) << options.error();
    EXPECT_EQ(options->manager.reachable, (std::set<Network>{Network::ipv4, Network::onion}));
    EXPECT_EQ(options->manager.max_receive_queue_bytes, 10'000U);
    EXPECT_EQ(options->max_send_buffer_bytes, 20'000U);
    EXPECT_EQ(options->manager.max_connections, 12);
}

TEST(NodeUserAgent, carries_the_comments_as_bip14_says) {
    TempDir dir("bitloom-network");
    auto plain = node_user_agent(settings_of(dir, {}));
    ASSERT_TRUE(plain);
    EXPECT_EQ(*plain, user_agent());
    auto commented = node_user_agent(settings_of(dir, {"-uacomment=first", "-uacomment=second one"}));
    ASSERT_TRUE(commented) << commented.error();
    EXPECT_EQ(*commented, "/bitloom:" + std::string(version_string()) + "(first; second one)/");
    auto unsafe = node_user_agent(settings_of(dir, {"-uacomment=<script>"}));
    ASSERT_FALSE(unsafe);
    EXPECT_EQ(unsafe.error(), "User Agent comment (<script>) contains unsafe characters.");
    auto too_long = node_user_agent(settings_of(dir, {"-uacomment=" + std::string(300, 'a')}));
    ASSERT_FALSE(too_long);
    EXPECT_NE(too_long.error().find("exceeds maximum length (256)"), std::string::npos);
}

}  // namespace
}  // namespace bitloom
