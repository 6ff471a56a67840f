// The option table: Core's names, no duplicates, registration with ArgsParser and the list of
// accepted-but-unused options.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "node/options.h"
#include "util/args.h"

namespace bitloom {
namespace {

TEST(NodeOptions, names_are_unique) {
    std::set<std::string_view> names;
    for (const auto& option : node_options())
        EXPECT_TRUE(names.insert(option.name).second) << option.name;
    EXPECT_GT(names.size(), 100u);
}

TEST(NodeOptions, include_bitcoin_core_names_from_every_category) {
    for (std::string_view name :
         {"?", "version", "alertnotify", "conf", "datadir", "daemon", "daemonwait", "dbcache",
          "debuglogfile", "includeconf", "loadblock", "par", "pid", "printtoconsole", "reindex",
          "reindex-chainstate", "txindex", "blocksdir", "shutdownnotify", "startupnotify",
          "blocknotify", "assumevalid", "prune", "addnode", "bind", "connect", "discover", "dns",
          "dnsseed", "fixedseeds", "listen", "listenonion", "maxconnections", "onion", "onlynet",
          "port", "proxy", "seednode", "timeout", "whitebind", "whitelist", "externalip",
          "maxuploadtarget", "networkactive", "i2psam", "cjdnsreachable", "natpmp", "upnp",
          "debug", "debugexclude", "logips", "logtimestamps", "logthreadnames",
          "logsourcelocations", "mocktime", "checkblocks", "checklevel", "shrinkdebugfile",
          "uacomment", "chain", "regtest", "signet", "testnet", "testnet4", "signetchallenge",
          "signetseednode", "testactivationheight", "blockmaxweight", "blockmintxfee",
          "minrelaytxfee", "datacarrier", "datacarriersize", "bytespersigop",
          "permitbaremultisig", "whitelistrelay", "server", "rest", "rpcallowip", "rpcauth",
          "rpcbind", "rpccookiefile", "rpccookieperms", "rpcpassword", "rpcport", "rpcthreads",
          "rpcuser", "rpcwhitelist", "rpcworkqueue", "rpcservertimeout"})
        EXPECT_NE(find_option(node_options(), name), nullptr) << name;
}

TEST(NodeOptions, mark_cores_network_only_options) {
    std::set<std::string_view> network_only;
    for (const auto& option : node_options())
        if (option.network_only) network_only.insert(option.name);
    EXPECT_EQ(network_only, (std::set<std::string_view>{"addnode", "bind", "connect", "port",
                                                        "rpcbind", "rpcport", "wallet"}));
}

TEST(NodeOptions, register_with_the_command_line_parser) {
    ArgsParser args;
    register_node_options(args);
    const char* argv[] = {"bitloomd", "-dbcache=100", "-nolisten", "-regtest", "-debug",
                          "-debug=net", "-server"};
    ASSERT_TRUE(args.parse(7, argv));
    EXPECT_EQ(args.get("dbcache"), "100");
    EXPECT_FALSE(args.get_bool("listen", true));
    EXPECT_EQ(args.get_all("debug"), (std::vector<std::string>{"1", "net"}));
    const std::string help = args.help_text();
    EXPECT_NE(help.find("Connection options:"), std::string::npos);
    EXPECT_NE(help.find("  -dbcache=<n>"), std::string::npos);
    EXPECT_NE(help.find("RPC server options:"), std::string::npos);
}

TEST(NodeOptions, reject_unknown_options_on_the_command_line) {
    ArgsParser args;
    register_node_options(args);
    const char* argv[] = {"bitloomd", "-notanoption=1"};
    auto parsed = args.parse(2, argv);
    ASSERT_FALSE(parsed);
    EXPECT_EQ(parsed.error().message(), "Invalid parameter -notanoption=1");
}

TEST(NodeOptions, name_the_options_accepted_but_not_used_yet) {
    ArgsParser args;
    register_node_options(args);
    const char* argv[] = {"bitloomd", "-onlynet=ipv4", "-noupnp", "-dbcache=300", "-maxmempool=5",
                          "-natpmp"};
    ASSERT_TRUE(args.parse(6, argv));
    EXPECT_EQ(options_not_yet_used(args),
              (std::vector<std::string>{"-maxmempool", "-natpmp", "-upnp"}));
}

TEST(NodeOptions, used_options_are_not_reported_as_unused) {
    for (std::string_view name : {"datadir", "conf", "dbcache", "debug", "printtoconsole", "server",
                                  "rpcport", "rpcuser", "chain", "regtest", "prune", "txindex"}) {
        const OptionSpec* option = find_option(node_options(), name);
        ASSERT_NE(option, nullptr) << name;
        EXPECT_FALSE(option->not_used) << name;
    }
}

}  // namespace
}  // namespace bitloom
