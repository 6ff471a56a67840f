// The control and network RPCs (Bitcoin Core's rpc/node.cpp and rpc/net.cpp): mock time, the
// network summary and the peer list. The node has no P2P layer yet, so it reports no
// connections and no peers.
#include <charconv>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "node/rpc_methods.h"
#include "util/version.h"

namespace bitloom {
namespace {

// Core's PROTOCOL_VERSION.
constexpr int PROTOCOL_VERSION = 70016;
// Service bits offered: NODE_NETWORK | NODE_WITNESS | NODE_NETWORK_LIMITED.
constexpr std::uint64_t NODE_NETWORK = 1;
constexpr std::uint64_t NODE_WITNESS = 1 << 3;
constexpr std::uint64_t NODE_NETWORK_LIMITED = 1 << 10;
constexpr std::uint64_t LOCAL_SERVICES = NODE_NETWORK | NODE_WITNESS | NODE_NETWORK_LIMITED;
// Core's DEFAULT_MIN_RELAY_TX_FEE and DEFAULT_INCREMENTAL_RELAY_FEE, sat/kvB.
constexpr std::int64_t MIN_RELAY_TX_FEE = 100;
constexpr std::int64_t INCREMENTAL_RELAY_FEE = 100;
// The largest mock time Core accepts: std::chrono::nanoseconds::max() in seconds.
constexpr std::int64_t MAX_MOCK_TIME = std::numeric_limits<std::int64_t>::max() / 1'000'000'000;

// Core's CLIENT_VERSION encoding of "major.minor.build": 10000 * major + 100 * minor + build.
int client_version() {
    const std::string_view text = version_string();
    int parts[3] = {0, 0, 0};
    std::size_t pos = 0;
    for (int& part : parts) {
        if (pos >= text.size()) break;
        const auto [end, ec] = std::from_chars(text.data() + pos, text.data() + text.size(), part);
        if (ec != std::errc{}) break;
        pos = static_cast<std::size_t>(end - text.data()) + 1;
    }
    return 10000 * parts[0] + 100 * parts[1] + parts[2];
}

std::string services_hex(std::uint64_t services) {
    static constexpr char DIGITS[] = "0123456789abcdef";
    std::string out(16, '0');
    for (int i = 15; i >= 0; --i) {
        out[static_cast<std::size_t>(i)] = DIGITS[services & 0xf];
        services >>= 4;
    }
    return out;
}

Json service_names(std::uint64_t services) {
    Json names = Json::array();
    if (services & NODE_NETWORK) names.push_back("NETWORK");
    if (services & NODE_WITNESS) names.push_back("WITNESS");
    if (services & NODE_NETWORK_LIMITED) names.push_back("NETWORK_LIMITED");
    return names;
}

Json setmocktime(NodeContext& node, const RpcCall& call) {
    if (node.params == nullptr || !node.params->is_mockable) {
        throw RpcError(RpcErrorCode::MISC_ERROR,
                       "setmocktime is for regression testing (-regtest mode) only");
    }
    const std::int64_t time = call.get_int(0);
    if (time < 0 || time > MAX_MOCK_TIME) {
        throw RpcError(RpcErrorCode::INVALID_PARAMETER,
                       "Mocktime must be in the range [0, " + std::to_string(MAX_MOCK_TIME) +
                           "], not " + std::to_string(time) + ".");
    }
    node.mock_time.store(time);
    return nullptr;
}

Json getnetworkinfo(NodeContext&, const RpcCall&) {
    Json result = Json::object();
    result["version"] = client_version();
    result["subversion"] = user_agent();
    result["protocolversion"] = PROTOCOL_VERSION;
    result["localservices"] = services_hex(LOCAL_SERVICES);
    result["localservicesnames"] = service_names(LOCAL_SERVICES);
    result["localrelay"] = true;
    result["timeoffset"] = 0;
    result["networkactive"] = true;
    result["connections"] = 0;
    result["connections_in"] = 0;
    result["connections_out"] = 0;
    Json networks = Json::array();
    for (const char* name : {"ipv4", "ipv6", "onion", "i2p", "cjdns"}) {
        // Without a proxy, I2P SAM bridge or -cjdnsreachable, Core reaches only IP networks.
        const bool reachable = std::string_view(name) == "ipv4" || std::string_view(name) == "ipv6";
        Json network = Json::object();
        network["name"] = name;
        network["limited"] = !reachable;
        network["reachable"] = reachable;
        network["proxy"] = "";
        network["proxy_randomize_credentials"] = false;
        networks.push_back(std::move(network));
    }
    result["networks"] = std::move(networks);
    result["relayfee"] = amount_to_json(MIN_RELAY_TX_FEE);
    result["incrementalfee"] = amount_to_json(INCREMENTAL_RELAY_FEE);
    result["localaddresses"] = Json::array();
    result["warnings"] = Json::array();
    return result;
}

Json getpeerinfo(NodeContext&, const RpcCall&) { return Json::array(); }

Json getconnectioncount(NodeContext&, const RpcCall&) { return 0; }

}  // namespace

void register_node_rpcs(RpcDispatcher& dispatcher, NodeContext& node) {
    const auto bind = [&node](Json (*handler)(NodeContext&, const RpcCall&)) {
        return [&node, handler](const RpcCall& call) { return handler(node, call); };
    };

    dispatcher.add(make_help_method(dispatcher));
    dispatcher.add(make_stop_method([&node] {
        if (node.request_shutdown) node.request_shutdown();
    }));
    dispatcher.add(make_uptime_method(node.started));

    dispatcher.add(RpcMethod{
        "setmocktime",
        "hidden",
        {
            {"timestamp", RpcType::number, false, "",
             "Seconds since the epoch to use as the node's clock; 0 returns to the system clock.",
             ""},
        },
        "Sets the node's clock (regtest only).\n"
        "\n"
        "Result:\n"
        "null    (json null)\n",
        bind(setmocktime),
    });

    dispatcher.add(RpcMethod{
        "getnetworkinfo",
        "network",
        {},
        "Describes the node's peer-to-peer networking: versions, services, connection counts,\n"
        "networks, fee rates and local addresses.\n"
        "\n"
        "Result:\n"
        "{                                  (json object)\n"
        "  \"version\" : n,                   (numeric) the server version\n"
        "  \"subversion\" : \"str\",            (string) the user agent\n"
        "  \"protocolversion\" : n,           (numeric) the P2P protocol version\n"
        "  \"localservices\" : \"hex\",         (string) service bits offered\n"
        "  \"localservicesnames\" : [\"str\"],  (json array) the same, by name\n"
        "  \"localrelay\" : true|false,       (boolean) whether peers are asked to relay transactions\n"
        "  \"timeoffset\" : n,                (numeric) clock offset from peers, seconds\n"
        "  \"connections\" : n,               (numeric) open connections\n"
        "  \"connections_in\" : n,            (numeric) inbound ones\n"
        "  \"connections_out\" : n,           (numeric) outbound ones\n"
        "  \"networkactive\" : true|false,    (boolean) whether P2P networking is on\n"
        "  \"networks\" : [{...}],            (json array) per network: name, limited, reachable,\n"
        "                                   proxy, proxy_randomize_credentials\n"
        "  \"relayfee\" : n,                  (numeric) minimum relay fee rate, BTC/kvB\n"
        "  \"incrementalfee\" : n,            (numeric) minimum fee rate increment, BTC/kvB\n"
        "  \"localaddresses\" : [{...}],      (json array) addresses the node announces\n"
        "  \"warnings\" : [\"str\"]             (json array) network and chain warnings\n"
        "}\n"
        "\n"
        "Examples:\n"
        "> bitloom-cli getnetworkinfo\n",
        bind(getnetworkinfo),
    });

    dispatcher.add(RpcMethod{
        "getpeerinfo",
        "network",
        {},
        "Lists the connected peers, one object each.\n"
        "\n"
        "Result:\n"
        "[{...}]    (json array) one object per peer\n"
        "\n"
        "Examples:\n"
        "> bitloom-cli getpeerinfo\n",
        bind(getpeerinfo),
    });

    dispatcher.add(RpcMethod{
        "getconnectioncount",
        "network",
        {},
        "Counts the open peer connections.\n"
        "\n"
        "Result:\n"
        "n    (numeric) the number of connections\n"
        "\n"
        "Examples:\n"
        "> bitloom-cli getconnectioncount\n",
        bind(getconnectioncount),
    });
}

}  // namespace bitloom
