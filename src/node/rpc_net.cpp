// The peer-to-peer RPC methods (Bitcoin Core's rpc/net.cpp, and sendrawtransaction from its
// rpc/mempool.cpp): the network summary, the peer list, traffic totals, manual connections,
// bans, known addresses and transaction broadcast. Field names, their order and meaning, and
// the error codes and messages are Core's.
//
// Every method but getnetworkinfo needs the P2P layer (NodeContext::network, and ::peers for
// getpeerinfo and sendrawtransaction); without it the answer is Core's RPC_CLIENT_P2P_DISABLED,
// and for the ban list Core's RPC_DATABASE_ERROR "Error: Ban database not loaded". Arguments
// are checked before that (Core checks some of them after it), so a bad argument is reported
// the same way whether or not P2P is running.
//
// The connection manager is reached only through NetworkService::with_manager, which holds the
// I/O layer's lock and then performs what the call queued (closing banned or disconnected
// peers, opening a onetry connection). PeerManager is called outside that lock.

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "chain/chainstate.h"
#include "net/network_service.h"
#include "node/network.h"
#include "node/rpc_encode.h"
#include "node/rpc_methods.h"
#include "p2p/connection_manager.h"
#include "p2p/net_address.h"
#include "p2p/peer.h"
#include "p2p/subnet.h"
#include "peerman/peer_manager.h"
#include "primitives/script.h"
#include "primitives/transaction.h"
#include "rpc/json.h"
#include "rpc/json_rpc.h"
#include "util/amount.h"
#include "util/hex.h"
#include "util/version.h"

namespace bitloom {
namespace {

// Core's DEFAULT_MIN_RELAY_TX_FEE and DEFAULT_INCREMENTAL_RELAY_FEE (sat/kvB), since 29.1.
constexpr std::int64_t MIN_RELAY_TX_FEE = 100;
constexpr std::int64_t INCREMENTAL_RELAY_FEE = 100;
// Core's MAX_UPLOAD_TIMEFRAME: the -maxuploadtarget cycle (no target is ever set here).
constexpr std::int64_t UPLOAD_TIMEFRAME = 24 * 60 * 60;
// Core's default Tor SOCKS port, for -proxy / -onion given without one.
constexpr std::uint16_t DEFAULT_TOR_PROXY_PORT = 9050;
// Core's local address scores (LOCAL_BIND, LOCAL_MANUAL).
constexpr int LOCAL_BIND = 2;
constexpr int LOCAL_MANUAL = 4;
// Core's TimeOffsets: the median needs this many outbound samples, else it is 0.
constexpr std::size_t MIN_TIME_OFFSET_SAMPLES = 5;

constexpr std::string_view P2P_DISABLED = "Error: Peer-to-peer functionality missing or disabled";

NetworkService& network_of(NodeContext& node) {
    if (node.network == nullptr) {
        throw RpcError(RpcErrorCode::CLIENT_P2P_DISABLED, std::string(P2P_DISABLED));
    }
    return *node.network;
}

PeerManager& peers_of(NodeContext& node) {
    if (node.peers == nullptr) {
        throw RpcError(RpcErrorCode::CLIENT_P2P_DISABLED, std::string(P2P_DISABLED));
    }
    return *node.peers;
}

// The ban list lives in the connection manager; Core's error when there is none.
NetworkService& ban_list_of(NodeContext& node) {
    if (node.network == nullptr) {
        throw RpcError(RpcErrorCode::DATABASE_ERROR, "Error: Ban database not loaded");
    }
    return *node.network;
}

ChainState& chain_of(NodeContext& node) {
    if (node.chain == nullptr)
        throw RpcError(RpcErrorCode::INTERNAL_ERROR, "Node chainman not found");
    return *node.chain;
}

// The node's clock (mock time included) as the P2P layer takes it.
PeerTime peer_time(const NodeContext& node) { return std::chrono::seconds(node.now()); }

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

std::string services_hex(std::uint64_t flags) {
    static constexpr char DIGITS[] = "0123456789abcdef";
    std::string out(16, '0');
    for (int i = 15; i >= 0; --i) {
        out[static_cast<std::size_t>(i)] = DIGITS[flags & 0xf];
        flags >>= 4;
    }
    return out;
}

// Core's GetServicesNames: every set bit, unknown ones as "UNKNOWN[2^n]".
Json service_names(std::uint64_t flags) {
    Json names = Json::array();
    for (int bit = 0; bit < 64; ++bit) {
        const std::uint64_t flag = std::uint64_t{1} << bit;
        if ((flags & flag) == 0) continue;
        switch (flag) {
            case services::NODE_NETWORK: names.push_back("NETWORK"); break;
            case services::NODE_BLOOM: names.push_back("BLOOM"); break;
            case services::NODE_WITNESS: names.push_back("WITNESS"); break;
            case services::NODE_COMPACT_FILTERS: names.push_back("COMPACT_FILTERS"); break;
            case services::NODE_NETWORK_LIMITED: names.push_back("NETWORK_LIMITED"); break;
            case services::NODE_P2P_V2: names.push_back("P2P_V2"); break;
            default: names.push_back("UNKNOWN[2^" + std::to_string(bit) + "]"); break;
        }
    }
    return names;
}

// Core's SanitizeString (SAFE_CHARS_DEFAULT), as getpeerinfo's subver shows user agents.
std::string sanitize(std::string_view text) {
    static constexpr std::string_view SAFE =
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,;-_/:?@()";
    std::string out;
    for (const char c : text) {
        if (SAFE.find(c) != std::string_view::npos) out.push_back(c);
    }
    return out;
}

// Core's GetNetworkName(GetNetClass()): unroutable addresses are "not_publicly_routable", and
// IPv6 addresses that carry an IPv4 one (6to4, Teredo, ...) count as IPv4.
std::string network_class_name(const NetAddress& address) {
    if (!address.is_routable()) return "not_publicly_routable";
    if (address.linked_ipv4()) return "ipv4";
    return std::string(to_string(address.network()));
}

constexpr Network ALL_NETWORKS[] = {Network::ipv4, Network::ipv6, Network::onion, Network::i2p,
                                    Network::cjdns};

// What the settings say about each network, with Core's start-up rules: -onlynet limits the
// reachable networks; -proxy serves IPv4, IPv6, CJDNS and (unless -onion overrides it) Tor;
// Tor is reachable only through a proxy; CJDNS only with -cjdnsreachable; I2P never (bitloom
// has no SAM client).
struct NetworkSettings {
    std::set<Network> reachable;
    std::map<Network, NetService> proxies;
    bool randomize_credentials = false;
    bool cjdns_fc = false;  // fc00::/8 is CJDNS
};

std::optional<NetService> proxy_setting(const Settings& settings, std::string_view name) {
    if (!settings.is_set(name) || settings.is_negated(name)) return std::nullopt;
    const std::string text = settings.get_or(name, "");
    if (text.empty() || text == "0") return std::nullopt;
    auto service = NetService::parse(text, DEFAULT_TOR_PROXY_PORT);
    if (!service || !service->address.is_valid()) return std::nullopt;
    return service;
}

NetworkSettings network_settings(const NodeContext& node) {
    NetworkSettings out;
    if (node.settings == nullptr) {
        out.reachable = {Network::ipv4, Network::ipv6};
        return out;
    }
    const Settings& settings = *node.settings;
    const std::vector<std::string> only = settings.get_all("onlynet");
    if (only.empty()) {
        out.reachable.insert(std::begin(ALL_NETWORKS), std::end(ALL_NETWORKS));
    }
    for (const std::string& name : only) {
        if (auto network = parse_network_name(name)) out.reachable.insert(*network);
    }
    out.cjdns_fc = settings.get_bool("cjdnsreachable", false);
    if (!out.cjdns_fc) out.reachable.erase(Network::cjdns);
    out.reachable.erase(Network::i2p);

    const std::optional<NetService> proxy = proxy_setting(settings, "proxy");
    std::optional<NetService> onion = proxy;
    if (settings.is_negated("onion") || settings.get_or("onion", "") == "0") {
        onion.reset();
    } else if (auto own = proxy_setting(settings, "onion")) {
        onion = own;
    }
    if (proxy) {
        for (const Network network : {Network::ipv4, Network::ipv6, Network::cjdns}) {
            out.proxies[network] = *proxy;
        }
    }
    if (onion) {
        out.proxies[Network::onion] = *onion;
    } else {
        out.reachable.erase(Network::onion);
    }
    out.randomize_credentials = settings.get_bool("proxyrandomize", true);
    return out;
}

Json networks_json(const NetworkSettings& settings) {
    Json networks = Json::array();
    for (const Network network : ALL_NETWORKS) {
        const bool reachable = settings.reachable.contains(network);
        const auto proxy = settings.proxies.find(network);
        const bool has_proxy = proxy != settings.proxies.end();
        Json entry = Json::object();
        entry["name"] = std::string(to_string(network));
        entry["limited"] = !reachable;
        entry["reachable"] = reachable;
        entry["proxy"] = has_proxy ? proxy->second.to_string() : std::string();
        entry["proxy_randomize_credentials"] = has_proxy && settings.randomize_credentials;
        networks.push_back(std::move(entry));
    }
    return networks;
}

// Core's mapLocalHost as AddLocal fills it: -externalip addresses (LOCAL_MANUAL) and, with
// -discover, the routable addresses we listen on (LOCAL_BIND). Only routable addresses of
// reachable networks count; a second sighting of an address raises its score by one.
Json local_addresses_json(const NodeContext& node, const NetworkSettings& networks,
                          const std::vector<NetService>& bound) {
    struct LocalInfo {
        int score = 0;
        std::uint16_t port = 0;
    };
    std::map<NetAddress, LocalInfo> locals;
    bool discover = false;
    const auto add_local = [&](const NetService& service, int score) {
        if (!service.address.is_routable()) return;
        if (!discover && score < LOCAL_MANUAL) return;
        if (!networks.reachable.contains(service.address.network())) return;
        const auto [it, added] = locals.try_emplace(service.address);
        if (added || score >= it->second.score) {
            it->second.score = score + (added ? 0 : 1);
            it->second.port = service.port;
        }
    };
    if (node.settings != nullptr) {
        const Settings& settings = *node.settings;
        std::uint16_t port = node.params != nullptr ? node.params->default_port : 0;
        const std::int64_t port_setting = settings.get_int("port", 0);
        if (port_setting >= 1 && port_setting <= 65535)
            port = static_cast<std::uint16_t>(port_setting);
        const std::vector<std::string> external = settings.get_all("externalip");
        const bool discover_default =
            !bound.empty() && external.empty() && !settings.is_set("proxy");
        discover = settings.get_bool("discover", discover_default);
        for (const std::string& text : external) {
            if (auto service = NetService::parse(text, port, networks.cjdns_fc)) {
                add_local(*service, LOCAL_MANUAL);
            }
        }
    }
    for (const NetService& service : bound) add_local(service, LOCAL_BIND);

    Json out = Json::array();
    for (const auto& [address, info] : locals) {
        Json entry = Json::object();
        entry["address"] = address.to_string();
        entry["port"] = info.port;
        entry["score"] = info.score;
        out.push_back(std::move(entry));
    }
    return out;
}

// A peer's clock offset in seconds: its version's time against our clock when it connected.
std::int64_t time_offset(const PeerStats& peer) {
    if (peer.info.version == 0) return 0;
    return peer.info.time - peer.connected_time;
}

// Core's TimeOffsets::Median over the outbound peers: 0 with fewer than 5 samples.
std::int64_t median_outbound_offset(const std::vector<PeerStats>& peers) {
    std::vector<std::int64_t> offsets;
    for (const PeerStats& peer : peers) {
        if (peer.handshake_complete && is_outbound(peer.type)) offsets.push_back(time_offset(peer));
    }
    if (offsets.size() < MIN_TIME_OFFSET_SAMPLES) return 0;
    std::sort(offsets.begin(), offsets.end());
    return offsets[offsets.size() / 2];
}

double seconds_of(PeerTime time) { return static_cast<double>(time.count()) / 1e6; }

Json per_command_json(const std::map<std::string, std::uint64_t>& bytes) {
    Json out = Json::object();
    for (const auto& [command, count] : bytes) {
        if (count > 0) out[command] = count;
    }
    return out;
}

Json peer_json(const PeerStats& peer, const std::optional<PeerSyncStats>& sync) {
    Json out = Json::object();
    out["id"] = peer.id;
    out["addr"] = peer.address.to_string();
    if (peer.local_address && peer.local_address->address.is_valid()) {
        out["addrbind"] = peer.local_address->to_string();
    }
    if (peer.info.addr_recv.address.is_valid()) out["addrlocal"] = peer.info.addr_recv.to_string();
    out["network"] = network_class_name(peer.address.address);
    out["services"] = services_hex(peer.info.services);
    out["servicesnames"] = service_names(peer.info.services);
    out["relaytxes"] = sync ? sync->relay_transactions : false;
    out["lastsend"] = peer.last_send;
    out["lastrecv"] = peer.last_receive;
    out["last_transaction"] = peer.last_transaction;
    out["last_block"] = peer.last_block;
    out["bytessent"] = peer.bytes_sent;
    out["bytesrecv"] = peer.bytes_received;
    out["conntime"] = peer.connected_time;
    out["timeoffset"] = time_offset(peer);
    if (peer.last_ping && peer.last_ping->count() > 0)
        out["pingtime"] = seconds_of(*peer.last_ping);
    if (peer.min_ping) out["minping"] = seconds_of(*peer.min_ping);
    if (peer.ping_wait && peer.ping_wait->count() > 0)
        out["pingwait"] = seconds_of(*peer.ping_wait);
    out["version"] = peer.info.version;
    out["subver"] = sanitize(peer.info.user_agent);
    out["inbound"] = peer.type == ConnectionType::inbound;
    // We never ask a peer for high-bandwidth compact blocks (our sendcmpct announces 0).
    out["bip152_hb_to"] = false;
    out["bip152_hb_from"] = peer.info.compact_blocks_high_bandwidth;
    if (sync) {
        out["presynced_headers"] = sync->presynced_headers;
        out["synced_headers"] = sync->synced_headers;
        out["synced_blocks"] = sync->synced_blocks;
        Json inflight = Json::array();
        for (const int height : sync->inflight) inflight.push_back(height);
        out["inflight"] = std::move(inflight);
        out["addr_relay_enabled"] = peer.addr_relay_enabled;
        out["addr_processed"] = peer.addr_processed;
        out["addr_rate_limited"] = peer.addr_rate_limited;
    }
    Json permissions = Json::array();
    for (const std::string& name : permission_names(peer.permissions)) permissions.push_back(name);
    out["permissions"] = std::move(permissions);
    out["minfeefilter"] = amount_to_json(sync ? sync->fee_filter : 0);
    out["bytessent_per_msg"] = per_command_json(peer.bytes_sent_per_command);
    out["bytesrecv_per_msg"] = per_command_json(peer.bytes_received_per_command);
    out["connection_type"] = std::string(to_string(peer.type));
    out["transport_protocol_type"] = "v1";
    out["session_id"] = "";
    return out;
}

// --- Handlers ------------------------------------------------------------------------------

Json getnetworkinfo(NodeContext& node, const RpcCall&) {
    Json result = Json::object();
    result["version"] = client_version();
    if (node.settings != nullptr) {
        auto agent = node_user_agent(*node.settings);
        result["subversion"] = agent ? *agent : user_agent();
    } else {
        result["subversion"] = user_agent();
    }
    result["protocolversion"] = PROTOCOL_VERSION;

    struct Snapshot {
        std::vector<PeerStats> peers;
        std::size_t all = 0, inbound = 0, outbound = 0;
        bool active = false;
    };
    std::optional<Snapshot> snapshot;
    std::vector<NetService> bound;
    if (node.network != nullptr) {
        const PeerTime now = peer_time(node);
        snapshot = node.network->with_manager([now](ConnectionManager& manager) {
            Snapshot taken;
            taken.peers = manager.peer_stats(now);
            taken.all = manager.connection_count();
            taken.inbound = manager.connection_count(true);
            taken.outbound = manager.connection_count(false);
            taken.active = manager.network_active();
            return taken;
        });
        bound = node.network->bound_addresses();
        result["localservices"] = services_hex(DEFAULT_LOCAL_SERVICES);
        result["localservicesnames"] = service_names(DEFAULT_LOCAL_SERVICES);
    }
    if (node.peers != nullptr) {
        const bool blocks_only =
            node.settings != nullptr && node.settings->get_bool("blocksonly", false);
        result["localrelay"] = !blocks_only;
        result["timeoffset"] = snapshot ? median_outbound_offset(snapshot->peers) : 0;
    }
    if (snapshot) {
        result["networkactive"] = snapshot->active;
        result["connections"] = snapshot->all;
        result["connections_in"] = snapshot->inbound;
        result["connections_out"] = snapshot->outbound;
    }
    const NetworkSettings networks = network_settings(node);
    result["networks"] = networks_json(networks);
    result["relayfee"] = amount_to_json(MIN_RELAY_TX_FEE);
    result["incrementalfee"] = amount_to_json(INCREMENTAL_RELAY_FEE);
    result["localaddresses"] = local_addresses_json(node, networks, bound);
    result["warnings"] = Json::array();
    return result;
}

Json getpeerinfo(NodeContext& node, const RpcCall&) {
    NetworkService& network = network_of(node);
    PeerManager& peers = peers_of(node);
    const PeerTime now = peer_time(node);
    const std::vector<PeerStats> stats =
        network.with_manager([now](ConnectionManager& manager) { return manager.peer_stats(now); });
    Json out = Json::array();
    for (const PeerStats& peer : stats) out.push_back(peer_json(peer, peers.sync_stats(peer.id)));
    return out;
}

Json getconnectioncount(NodeContext& node, const RpcCall&) {
    return network_of(node).with_manager(
        [](ConnectionManager& manager) { return manager.connection_count(); });
}

Json getnettotals(NodeContext& node, const RpcCall&) {
    const NetTotals totals =
        network_of(node).with_manager([](ConnectionManager& manager) { return manager.totals(); });
    Json out = Json::object();
    out["totalbytesrecv"] = totals.bytes_received;
    out["totalbytessent"] = totals.bytes_sent;
    out["timemillis"] = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    // No -maxuploadtarget: Core's values for a target of 0.
    Json upload = Json::object();
    upload["timeframe"] = UPLOAD_TIMEFRAME;
    upload["target"] = 0;
    upload["target_reached"] = false;
    upload["serve_historical_blocks"] = true;
    upload["bytes_left_in_cycle"] = 0;
    upload["time_left_in_cycle"] = 0;
    out["uploadtarget"] = std::move(upload);
    return out;
}

Json addnode(NodeContext& node, const RpcCall& call, const std::string& usage) {
    const std::string& command = call.get_string(1);
    AddNodeCommand parsed;
    if (command == "add") {
        parsed = AddNodeCommand::add;
    } else if (command == "remove") {
        parsed = AddNodeCommand::remove;
    } else if (command == "onetry") {
        parsed = AddNodeCommand::onetry;
    } else {
        throw RpcError(RpcErrorCode::MISC_ERROR, usage);
    }
    const std::string& target = call.get_string(0);
    NetworkService& network = network_of(node);
    // No BIP324 transport here: asking for it is Core's error when -v2transport is off (for
    // every command, as in Core).
    if (call.get_bool_or(2, false)) {
        throw RpcError(RpcErrorCode::INVALID_PARAMETER,
                       "Error: v2transport requested but not enabled (see -v2transport)");
    }
    const PeerTime now = peer_time(node);
    const auto added = network.with_manager(
        [&](ConnectionManager& manager) { return manager.add_node(target, parsed, now); });
    if (!added) {
        if (parsed == AddNodeCommand::add) {
            throw RpcError(RpcErrorCode::CLIENT_NODE_ALREADY_ADDED, "Error: Node already added");
        }
        if (parsed == AddNodeCommand::remove) {
            throw RpcError(RpcErrorCode::CLIENT_NODE_NOT_ADDED,
                           "Error: Node could not be removed. It has not been added previously.");
        }
        throw RpcError(RpcErrorCode::MISC_ERROR, added.error());
    }
    return nullptr;
}

Json disconnectnode(NodeContext& node, const RpcCall& call) {
    const Json& address = call.param(0);
    const Json& id = call.param(1);
    const bool by_address = !address.is_null() && id.is_null();
    const bool by_id =
        !id.is_null() &&
        (address.is_null() || (address.is_string() && address.get<std::string>().empty()));
    if (!by_address && !by_id) {
        throw RpcError(RpcErrorCode::INVALID_PARAMS,
                       "Only one of address and nodeid should be provided.");
    }
    const std::string text = by_address ? call.get_string(0) : std::string();
    const PeerId peer = by_id ? call.get_int(1) : 0;
    NetworkService& network = network_of(node);
    const bool found = network.with_manager([&](ConnectionManager& manager) {
        return by_address ? manager.disconnect_node(std::string_view(text))
                          : manager.disconnect_node(peer);
    });
    if (!found) {
        throw RpcError(RpcErrorCode::CLIENT_NODE_NOT_CONNECTED,
                       "Node not found in connected nodes");
    }
    return nullptr;
}

Json getaddednodeinfo(NodeContext& node, const RpcCall& call) {
    std::vector<AddedNodeInfo> nodes = network_of(node).with_manager(
        [](ConnectionManager& manager) { return manager.added_nodes(); });
    if (call.has(0)) {
        const std::string& wanted = call.get_string(0);
        const auto it = std::find_if(nodes.begin(), nodes.end(), [&](const AddedNodeInfo& info) {
            return info.target == wanted;
        });
        if (it == nodes.end()) {
            throw RpcError(RpcErrorCode::CLIENT_NODE_NOT_ADDED, "Error: Node has not been added.");
        }
        nodes = {*it};
    }
    Json out = Json::array();
    for (const AddedNodeInfo& info : nodes) {
        Json entry = Json::object();
        entry["addednode"] = info.target;
        entry["connected"] = info.connected;
        Json addresses = Json::array();
        if (info.connected) {
            Json address = Json::object();
            address["address"] = info.address ? info.address->to_string() : std::string();
            address["connected"] = info.inbound ? "inbound" : "outbound";
            addresses.push_back(std::move(address));
        }
        entry["addresses"] = std::move(addresses);
        out.push_back(std::move(entry));
    }
    return out;
}

Json getnodeaddresses(NodeContext& node, const RpcCall& call) {
    const std::int64_t count = call.get_int_or(0, 1);
    if (count > std::numeric_limits<int>::max() || count < std::numeric_limits<int>::min()) {
        throw RpcError(RpcErrorCode::TYPE_ERROR, "JSON integer out of range");
    }
    if (count < 0) throw RpcError(RpcErrorCode::INVALID_PARAMETER, "Address count out of range");
    std::optional<Network> network_filter;
    if (call.has(1)) {
        const std::string& name = call.get_string(1);
        network_filter = parse_network_name(name);
        if (!network_filter) {
            throw RpcError(RpcErrorCode::INVALID_PARAMETER, "Network not recognized: " + name);
        }
    }
    const std::int64_t now = node.now();
    const std::vector<PeerAddress> addresses =
        network_of(node).with_manager([&](ConnectionManager& manager) {
            return manager.addresses().get_addr(static_cast<std::size_t>(count), 0, network_filter,
                                                now);
        });
    Json out = Json::array();
    for (const PeerAddress& address : addresses) {
        Json entry = Json::object();
        entry["time"] = address.time;
        entry["services"] = address.services;
        entry["address"] = address.service.address.to_string();
        entry["port"] = address.service.port;
        entry["network"] = network_class_name(address.service.address);
        out.push_back(std::move(entry));
    }
    return out;
}

Json ping(NodeContext& node, const RpcCall&) {
    network_of(node).with_manager([](ConnectionManager& manager) { manager.ping_all(); });
    return nullptr;
}

Json setban(NodeContext& node, const RpcCall& call, const std::string& usage) {
    const std::string command = call.get_string_or(1, "");
    if (command != "add" && command != "remove") throw RpcError(RpcErrorCode::MISC_ERROR, usage);

    // Core's rule: text with a '/' is a subnet, anything else a single (numeric) address.
    const std::string& text = call.get_string(0);
    const bool cjdns_fc =
        node.settings != nullptr && node.settings->get_bool("cjdnsreachable", false);
    std::optional<SubNet> subnet;
    if (text.find('/') != std::string::npos) {
        subnet = SubNet::parse(text, cjdns_fc);
        if (subnet && !subnet->is_valid()) subnet.reset();
    } else if (auto address = NetAddress::parse(text, cjdns_fc); address && address->is_valid()) {
        subnet = SubNet::single(*address);
    }
    if (!subnet)
        throw RpcError(RpcErrorCode::CLIENT_INVALID_IP_OR_SUBNET, "Error: Invalid IP/Subnet");
    const bool single = text.find('/') == std::string::npos;

    NetworkService& network = ban_list_of(node);
    const std::int64_t now = node.now();
    if (command == "remove") {
        const bool removed = network.with_manager(
            [&](ConnectionManager& manager) { return manager.bans().unban(*subnet); });
        if (!removed) {
            throw RpcError(RpcErrorCode::CLIENT_INVALID_IP_OR_SUBNET,
                           "Error: Unban failed. Requested address/subnet was not previously "
                           "manually banned.");
        }
        return nullptr;
    }

    const bool banned = network.with_manager([&](ConnectionManager& manager) {
        return single ? manager.bans().is_banned(subnet->network(), now)
                      : manager.bans().is_banned(*subnet, now);
    });
    if (banned)
        throw RpcError(RpcErrorCode::CLIENT_NODE_ALREADY_ADDED, "Error: IP/Subnet already banned");
    std::int64_t ban_time = call.get_int_or(2, 0);
    bool absolute = call.get_bool_or(3, false);
    if (absolute && ban_time < now) {
        throw RpcError(RpcErrorCode::INVALID_PARAMETER, "Error: Absolute timestamp is in the past");
    }
    // Core's BanMan::Ban: a non-positive time means the default duration (-bantime) from now.
    if (ban_time <= 0) {
        ban_time = node.settings != nullptr
                       ? node.settings->get_int("bantime", BanMan::DEFAULT_BAN_TIME)
                       : BanMan::DEFAULT_BAN_TIME;
        absolute = false;
    }
    const std::int64_t until = absolute ? ban_time : now + ban_time;
    const PeerTime peer_now = peer_time(node);
    network.with_manager([&](ConnectionManager& manager) {
        manager.bans().ban(*subnet, until, now);
        manager.enforce_bans(peer_now);
    });
    return nullptr;
}

Json listbanned(NodeContext& node, const RpcCall&) {
    const std::int64_t now = node.now();
    const std::vector<BannedSubNet> bans = ban_list_of(node).with_manager(
        [now](ConnectionManager& manager) { return manager.bans().list(now); });
    Json out = Json::array();
    for (const BannedSubNet& ban : bans) {
        Json entry = Json::object();
        entry["address"] = ban.subnet.to_string();
        entry["ban_created"] = ban.entry.created;
        entry["banned_until"] = ban.entry.until;
        entry["ban_duration"] = ban.entry.until - ban.entry.created;
        entry["time_remaining"] = ban.entry.until - now;
        out.push_back(std::move(entry));
    }
    return out;
}

Json clearbanned(NodeContext& node, const RpcCall&) {
    ban_list_of(node).with_manager([](ConnectionManager& manager) { manager.bans().clear(); });
    return nullptr;
}

Json setnetworkactive(NodeContext& node, const RpcCall& call) {
    const bool active = call.get_bool(0);
    return network_of(node).with_manager([active](ConnectionManager& manager) {
        manager.set_network_active(active);
        return manager.network_active();
    });
}

Json sendrawtransaction(NodeContext& node, const RpcCall& call) {
    const Amount max_burn = call.has(2) ? call.get_amount(2) : 0;
    auto decoded = decode_hex_tx(call.get_string(0), true, true);
    if (!decoded) {
        throw RpcError(RpcErrorCode::DESERIALIZATION_ERROR,
                       "TX decode failed. Make sure the tx has at least one input.");
    }
    for (const TxOut& output : decoded->outputs()) {
        const Script& script = output.script_pubkey;
        if ((script.is_unspendable() || !script.has_valid_ops()) && output.value > max_burn) {
            throw RpcError(RpcErrorCode::VERIFY_ERROR,
                           "Unspendable output exceeds maximum configured by user (maxburnamount)");
        }
    }
    // Checked as Core does, but not applied: the relay pool does not report fees.
    if (call.has(1) && call.get_amount(1) >= COIN) {
        throw RpcError(RpcErrorCode::INVALID_PARAMETER,
                       "Fee rates larger than or equal to 1BTC/kvB are not accepted");
    }

    PeerManager& peers = peers_of(node);
    ChainState& chain = chain_of(node);
    const TransactionRef tx = make_transaction_ref(std::move(*decoded));
    {
        auto lock = chain.lock();
        for (std::uint32_t index = 0; index < tx->outputs().size(); ++index) {
            if (chain.get_coin(OutPoint{tx->txid(), index})) {
                throw RpcError(RpcErrorCode::VERIFY_ALREADY_IN_CHAIN,
                               "Transaction outputs already in utxo set");
            }
        }
    }
    auto submitted = peers.submit_transaction(tx, peer_time(node));
    if (!submitted) {
        const TxValidationError& error = submitted.error();
        throw RpcError(error.result == TxValidationResult::missing_inputs
                           ? RpcErrorCode::VERIFY_ERROR
                           : RpcErrorCode::VERIFY_REJECTED,
                       to_string(error));
    }
    return submitted->to_string();
}

// --- Help texts ----------------------------------------------------------------------------

constexpr std::string_view GETNETWORKINFO_HELP =
    "Describes the node's peer-to-peer side: versions, services, connection counts, the\n"
    "networks it can reach, relay fee rates and the addresses it announces. Without a running\n"
    "P2P layer the service, relay, time offset and connection members are left out.\n"
    "\n"
    "Result:\n"
    "{                                        (json object)\n"
    "  \"version\" : n,                         (numeric) the server version\n"
    "  \"subversion\" : \"str\",                  (string) the user agent sent to peers\n"
    "  \"protocolversion\" : n,                 (numeric) the P2P protocol version\n"
    "  \"localservices\" : \"hex\",               (string) service bits offered to peers\n"
    "  \"localservicesnames\" : [               (json array) the same bits by name\n"
    "    \"str\",                                (string) a service name\n"
    "    ...\n"
    "  ],\n"
    "  \"localrelay\" : true|false,             (boolean) whether peers are asked to relay "
    "transactions\n"
    "  \"timeoffset\" : n,                      (numeric) median clock offset of outbound peers, "
    "seconds\n"
    "  \"connections\" : n,                     (numeric) open connections\n"
    "  \"connections_in\" : n,                  (numeric) inbound ones\n"
    "  \"connections_out\" : n,                 (numeric) outbound ones\n"
    "  \"networkactive\" : true|false,          (boolean) whether P2P networking is switched on\n"
    "  \"networks\" : [                         (json array) one entry per network\n"
    "    {                                    (json object)\n"
    "      \"name\" : \"str\",                    (string) ipv4, ipv6, onion, i2p or cjdns\n"
    "      \"limited\" : true|false,            (boolean) whether the network is out of reach "
    "(-onlynet)\n"
    "      \"reachable\" : true|false,          (boolean) whether outbound connections may use it\n"
    "      \"proxy\" : \"str\",                   (string) host:port of its proxy, or empty\n"
    "      \"proxy_randomize_credentials\" : true|false  (boolean) whether each connection gets "
    "new\n"
    "                                         proxy credentials\n"
    "    },\n"
    "    ...\n"
    "  ],\n"
    "  \"relayfee\" : n,                        (numeric) minimum relay fee rate, BTC/kvB\n"
    "  \"incrementalfee\" : n,                  (numeric) minimum fee rate step for replacement, "
    "BTC/kvB\n"
    "  \"localaddresses\" : [                   (json array) addresses this node announces\n"
    "    {                                    (json object)\n"
    "      \"address\" : \"str\",                 (string) the address\n"
    "      \"port\" : n,                        (numeric) its port\n"
    "      \"score\" : n                        (numeric) how strongly it is preferred\n"
    "    },\n"
    "    ...\n"
    "  ],\n"
    "  \"warnings\" : [                         (json array) network and chain warnings\n"
    "    \"str\",                                (string) a warning\n"
    "    ...\n"
    "  ]\n"
    "}\n"
    "\n"
    "Examples:\n"
    "> bitloom-cli getnetworkinfo\n";

constexpr std::string_view GETPEERINFO_HELP =
    "Lists every open peer connection, one object each.\n"
    "\n"
    "Result:\n"
    "[                                   (json array)\n"
    "  {                                 (json object)\n"
    "    \"id\" : n,                       (numeric) the peer's id, never reused while the node "
    "runs\n"
    "    \"addr\" : \"str\",                 (string) the peer's host:port\n"
    "    \"addrbind\" : \"str\",             (string, optional) our end of the connection, "
    "ip:port\n"
    "    \"addrlocal\" : \"str\",            (string, optional) our address as the peer reported "
    "it\n"
    "    \"network\" : \"str\",              (string) ipv4, ipv6, onion, i2p, cjdns or\n"
    "                                    not_publicly_routable\n"
    "    \"services\" : \"hex\",             (string) the service bits the peer offers\n"
    "    \"servicesnames\" : [             (json array) the same bits by name\n"
    "      \"str\",                         (string) a service name\n"
    "      ...\n"
    "    ],\n"
    "    \"relaytxes\" : true|false,       (boolean) whether transactions are relayed to the peer\n"
    "    \"lastsend\" : xxx,               (numeric) time of the last send, seconds since the "
    "epoch\n"
    "    \"lastrecv\" : xxx,               (numeric) time of the last receive\n"
    "    \"last_transaction\" : xxx,       (numeric) time of the last new valid transaction from "
    "it\n"
    "    \"last_block\" : xxx,             (numeric) time of the last new block from it\n"
    "    \"bytessent\" : n,                (numeric) bytes sent to it\n"
    "    \"bytesrecv\" : n,                (numeric) bytes received from it\n"
    "    \"conntime\" : xxx,               (numeric) when the connection opened\n"
    "    \"timeoffset\" : n,               (numeric) its clock minus ours, seconds\n"
    "    \"pingtime\" : n,                 (numeric, optional) the latest ping round trip, "
    "seconds\n"
    "    \"minping\" : n,                  (numeric, optional) the smallest ping round trip, "
    "seconds\n"
    "    \"pingwait\" : n,                 (numeric, optional) how long the outstanding ping has "
    "waited\n"
    "    \"version\" : n,                  (numeric) its protocol version, 0 before its version "
    "message\n"
    "    \"subver\" : \"str\",               (string) its user agent\n"
    "    \"inbound\" : true|false,         (boolean) whether the peer opened the connection\n"
    "    \"bip152_hb_to\" : true|false,    (boolean) whether we chose it as a high-bandwidth "
    "compact\n"
    "                                    block peer\n"
    "    \"bip152_hb_from\" : true|false,  (boolean) whether it chose us as one\n"
    "    \"presynced_headers\" : n,        (numeric) height of the low-work header pre-sync with "
    "it,\n"
    "                                    -1 when none runs\n"
    "    \"synced_headers\" : n,           (numeric) the best header we know it has\n"
    "    \"synced_blocks\" : n,            (numeric) the best block we know it has\n"
    "    \"inflight\" : [                  (json array) heights of the blocks requested from it\n"
    "      n,                            (numeric) a height\n"
    "      ...\n"
    "    ],\n"
    "    \"addr_relay_enabled\" : true|false,  (boolean) whether addresses are exchanged with it\n"
    "    \"addr_processed\" : n,           (numeric) addresses from it that were processed\n"
    "    \"addr_rate_limited\" : n,        (numeric) addresses from it dropped by the rate limit\n"
    "    \"permissions\" : [               (json array) permissions granted by "
    "-whitelist/-whitebind\n"
    "      \"str\",                         (string) bloomfilter, noban, forcerelay, relay, "
    "mempool,\n"
    "                                    download or addr\n"
    "      ...\n"
    "    ],\n"
    "    \"minfeefilter\" : n,             (numeric) the fee rate filter it sent, BTC/kvB\n"
    "    \"bytessent_per_msg\" : {         (json object) bytes sent, by message type (types with\n"
    "      \"msg\" : n,                     none are left out)\n"
    "      ...\n"
    "    },\n"
    "    \"bytesrecv_per_msg\" : {         (json object) bytes received, by message type; unknown\n"
    "      \"msg\" : n,                     types are counted under *other*\n"
    "      ...\n"
    "    },\n"
    "    \"connection_type\" : \"str\",      (string) inbound, outbound-full-relay, "
    "block-relay-only,\n"
    "                                    manual, feeler or addr-fetch\n"
    "    \"transport_protocol_type\" : \"str\",  (string) always v1 (unencrypted): BIP324 is not\n"
    "                                    supported\n"
    "    \"session_id\" : \"str\"            (string) the BIP324 session id: always empty\n"
    "  },\n"
    "  ...\n"
    "]\n"
    "\n"
    "The sync members (presynced_headers to addr_rate_limited) are left out until the peer's\n"
    "handshake is complete.\n"
    "\n"
    "Examples:\n"
    "> bitloom-cli getpeerinfo\n";

constexpr std::string_view GETNETTOTALS_HELP =
    "Reports the bytes sent and received over every connection since the node started, and the\n"
    "upload target (bitloom has none: its values are those of an unset -maxuploadtarget).\n"
    "\n"
    "Result:\n"
    "{                                     (json object)\n"
    "  \"totalbytesrecv\" : n,               (numeric) bytes received\n"
    "  \"totalbytessent\" : n,               (numeric) bytes sent\n"
    "  \"timemillis\" : xxx,                 (numeric) the system clock, milliseconds since the "
    "epoch\n"
    "  \"uploadtarget\" : {                  (json object)\n"
    "    \"timeframe\" : n,                  (numeric) length of the measuring cycle, seconds\n"
    "    \"target\" : n,                     (numeric) the target in bytes (0: none)\n"
    "    \"target_reached\" : true|false,    (boolean) whether the target is reached\n"
    "    \"serve_historical_blocks\" : true|false,  (boolean) whether old blocks are still served\n"
    "    \"bytes_left_in_cycle\" : n,        (numeric) bytes left in this cycle\n"
    "    \"time_left_in_cycle\" : n          (numeric) seconds left in this cycle\n"
    "  }\n"
    "}\n"
    "\n"
    "Examples:\n"
    "> bitloom-cli getnettotals\n";

constexpr std::string_view GETADDEDNODEINFO_HELP =
    "Reports on the nodes added with addnode or -addnode (onetry nodes are not kept), all of\n"
    "them or the one named.\n"
    "\n"
    "Result:\n"
    "[                                (json array)\n"
    "  {                              (json object)\n"
    "    \"addednode\" : \"str\",         (string) the node as it was given to addnode\n"
    "    \"connected\" : true|false,    (boolean) whether it is connected\n"
    "    \"addresses\" : [              (json array) the connection, only when connected\n"
    "      {                          (json object)\n"
    "        \"address\" : \"str\",       (string) the address connected to, ip:port\n"
    "        \"connected\" : \"str\"      (string) inbound or outbound\n"
    "      },\n"
    "      ...\n"
    "    ]\n"
    "  },\n"
    "  ...\n"
    "]\n"
    "\n"
    "Examples:\n"
    "> bitloom-cli getaddednodeinfo \"192.168.0.201\"\n";

constexpr std::string_view GETNODEADDRESSES_HELP =
    "Returns addresses from the address manager, in random order, leaving out ones that look\n"
    "stale or unreliable; the manager may know more.\n"
    "\n"
    "Result:\n"
    "[                         (json array)\n"
    "  {                       (json object)\n"
    "    \"time\" : xxx,         (numeric) when the address was last seen, seconds since the "
    "epoch\n"
    "    \"services\" : n,       (numeric) the service bits it advertised\n"
    "    \"address\" : \"str\",    (string) the address\n"
    "    \"port\" : n,           (numeric) its port\n"
    "    \"network\" : \"str\"     (string) ipv4, ipv6, onion, i2p or cjdns\n"
    "  },\n"
    "  ...\n"
    "]\n"
    "\n"
    "Examples:\n"
    "> bitloom-cli getnodeaddresses 8\n"
    "> bitloom-cli -named getnodeaddresses network=onion count=12\n";

constexpr std::string_view LISTBANNED_HELP =
    "Lists the manual bans (setban) that have not expired.\n"
    "\n"
    "Result:\n"
    "[                              (json array)\n"
    "  {                            (json object)\n"
    "    \"address\" : \"str\",         (string) the banned address or subnet\n"
    "    \"ban_created\" : xxx,       (numeric) when the ban was made, seconds since the epoch\n"
    "    \"banned_until\" : xxx,      (numeric) when it expires\n"
    "    \"ban_duration\" : xxx,      (numeric) its length in seconds\n"
    "    \"time_remaining\" : xxx     (numeric) seconds until it expires\n"
    "  },\n"
    "  ...\n"
    "]\n"
    "\n"
    "Examples:\n"
    "> bitloom-cli listbanned\n";

constexpr std::string_view SENDRAWTRANSACTION_HELP =
    "Checks a serialized transaction against the active chain and, when it is valid, keeps it\n"
    "for relay and announces it to the connected peers. Announcing a transaction this way tells\n"
    "the peers that it started here.\n"
    "\n"
    "maxfeerate is checked for range but not applied: this node has no mempool yet and does not\n"
    "compare fee rates.\n"
    "Errors: -22 when the hex does not decode, -25 when an input is missing or spent, -26 with\n"
    "the reject reason when the transaction is invalid, -27 when its outputs are already in the\n"
    "UTXO set.\n"
    "\n"
    "Result:\n"
    "\"hex\"    (string) the transaction id\n"
    "\n"
    "Examples:\n"
    "> bitloom-cli sendrawtransaction \"signedhex\"\n";

}  // namespace

void register_net_rpcs(RpcDispatcher& dispatcher, NodeContext& node) {
    const auto bind = [&node](Json (*handler)(NodeContext&, const RpcCall&)) {
        return [&node, handler](const RpcCall& call) { return handler(node, call); };
    };
    const auto add = [&dispatcher](std::string name, std::vector<RpcParam> params,
                                   std::string_view help, RpcHandler handler,
                                   std::string category = "network") {
        dispatcher.add(RpcMethod{std::move(name), std::move(category), std::move(params),
                                 std::string(help), std::move(handler)});
    };
    // For methods that answer a bad command with their own help text, as Core does.
    const auto usage_of = [](std::string name, std::vector<RpcParam> params,
                             std::string_view help) {
        return RpcDispatcher::method_help(
            RpcMethod{std::move(name), "network", std::move(params), std::string(help), {}});
    };

    add("getnetworkinfo", {}, GETNETWORKINFO_HELP, bind(getnetworkinfo));
    add("getpeerinfo", {}, GETPEERINFO_HELP, bind(getpeerinfo));
    add("getconnectioncount", {},
        "Counts the open peer connections, inbound and outbound.\n"
        "\n"
        "Result:\n"
        "n    (numeric) the number of connections\n"
        "\n"
        "Examples:\n"
        "> bitloom-cli getconnectioncount\n",
        bind(getconnectioncount));
    add("getnettotals", {}, GETNETTOTALS_HELP, bind(getnettotals));

    {
        std::vector<RpcParam> params = {
            {"node", RpcType::string, false, "",
             "The peer's IP address or host name, with an optional :port"},
            {"command", RpcType::string, false, "",
             "'add' keeps the node connected (reconnecting when it drops), 'remove' takes it off "
             "the list, 'onetry' connects to it once"},
            {"v2transport", RpcType::boolean, true, "false",
             "Use BIP324 encrypted transport (not supported: true is an error; ignored for "
             "'remove' otherwise)"},
        };
        const std::string_view help =
            "Adds a node to the list of nodes kept connected, removes one from it, or connects to\n"
            "one once. Added nodes are manual connections: they are not disconnected for\n"
            "misbehaviour and need not offer the services asked of automatic peers. At most 8\n"
            "are connected at a time, outside the -maxconnections limit.\n"
            "\n"
            "Result:\n"
            "null    (json null)\n"
            "\n"
            "Examples:\n"
            "> bitloom-cli addnode \"192.168.0.6:8333\" \"onetry\"\n";
        auto usage = std::make_shared<const std::string>(usage_of("addnode", params, help));
        add("addnode", std::move(params), help,
            [&node, usage](const RpcCall& call) { return addnode(node, call, *usage); });
    }

    add("disconnectnode",
        {
            {"address", RpcType::string, true, "fallback to nodeid",
             "The peer's ip:port as getpeerinfo shows it"},
            {"nodeid", RpcType::number, true, "fallback to address",
             "The peer's id (see getpeerinfo)"},
        },
        "Closes the connection to one peer, named by its address or by its id (not both). To\n"
        "name it by id, pass an empty address or use the named nodeid argument alone.\n"
        "\n"
        "Result:\n"
        "null    (json null)\n"
        "\n"
        "Examples:\n"
        "> bitloom-cli disconnectnode \"192.168.0.6:8333\"\n"
        "> bitloom-cli disconnectnode \"\" 1\n",
        bind(disconnectnode));

    add("getaddednodeinfo",
        {{"node", RpcType::string, true, "all nodes", "Report only on this node"}},
        GETADDEDNODEINFO_HELP, bind(getaddednodeinfo));

    add("getnodeaddresses",
        {
            {"count", RpcType::number, true, "1", "How many addresses at most; 0 for all"},
            {"network", RpcType::string, true, "all networks",
             "Only addresses of this network: ipv4, ipv6, onion, i2p or cjdns"},
        },
        GETNODEADDRESSES_HELP, bind(getnodeaddresses));

    add("ping", {},
        "Makes every connected peer get a ping at the next opportunity; the round trips appear\n"
        "in getpeerinfo's pingtime and minping.\n"
        "\n"
        "Result:\n"
        "null    (json null)\n"
        "\n"
        "Examples:\n"
        "> bitloom-cli ping\n",
        bind(ping));

    {
        std::vector<RpcParam> params = {
            {"subnet", RpcType::string, false, "",
             "An IP address, or a subnet as address/prefix-length or address/netmask"},
            {"command", RpcType::string, false, "",
             "'add' bans the address or subnet, 'remove' lifts its ban"},
            {"bantime", RpcType::number, true, "0",
             "How long the ban lasts in seconds, or with absolute its end as a UNIX time; 0 "
             "uses -bantime (24 hours by default)"},
            {"absolute", RpcType::boolean, true, "false", "Whether bantime is a UNIX time"},
        };
        const std::string_view help =
            "Bans an IP address or subnet, or lifts a ban. Banned addresses are disconnected and\n"
            "refused; the ban list is kept across restarts.\n"
            "\n"
            "Result:\n"
            "null    (json null)\n"
            "\n"
            "Examples:\n"
            "> bitloom-cli setban \"192.168.0.6\" \"add\" 86400\n"
            "> bitloom-cli setban \"192.168.0.0/24\" \"add\"\n";
        auto usage = std::make_shared<const std::string>(usage_of("setban", params, help));
        add("setban", std::move(params), help,
            [&node, usage](const RpcCall& call) { return setban(node, call, *usage); });
    }

    add("listbanned", {}, LISTBANNED_HELP, bind(listbanned));
    add("clearbanned", {},
        "Lifts every manual ban.\n"
        "\n"
        "Result:\n"
        "null    (json null)\n"
        "\n"
        "Examples:\n"
        "> bitloom-cli clearbanned\n",
        bind(clearbanned));
    add("setnetworkactive",
        {{"state", RpcType::boolean, false, "", "true switches P2P networking on, false off"}},
        "Switches all peer-to-peer networking on or off; switching it off closes every\n"
        "connection.\n"
        "\n"
        "Result:\n"
        "true|false    (boolean) the new state\n"
        "\n"
        "Examples:\n"
        "> bitloom-cli setnetworkactive false\n",
        bind(setnetworkactive));

    add("sendrawtransaction",
        {
            {"hexstring", RpcType::string_hex, false, "",
             "The serialized transaction, hex-encoded"},
            {"maxfeerate", RpcType::amount, true, "\"0.10\"",
             "Highest fee rate accepted, BTC/kvB; rates of 1 BTC/kvB or more are refused (range "
             "checked only)"},
            {"maxburnamount", RpcType::amount, true, "\"0.00\"",
             "Largest value, in BTC, allowed in one provably unspendable output (such as "
             "OP_RETURN)"},
        },
        SENDRAWTRANSACTION_HELP, bind(sendrawtransaction), "rawtransactions");
}

}  // namespace bitloom
