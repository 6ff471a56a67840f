#include "p2p/connection_manager.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>

#include "crypto/siphash.h"
#include "p2p/eviction.h"
#include "p2p/messages.h"
#include "p2p/protocol.h"

namespace bitloom {

namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

// Core's constants (net.h, net_processing.cpp).
constexpr PeerTime FEELER_INTERVAL = minutes(2);
constexpr PeerTime ADDED_NODE_RETRY = seconds(60);     // after an attempt
constexpr PeerTime ADDED_NODE_RECHECK = seconds(2);    // when nothing was attempted
constexpr PeerTime CONNECT_RETRY = seconds(5);         // -connect targets
constexpr PeerTime AVG_ADDRESS_BROADCAST_INTERVAL = seconds(30);
constexpr PeerTime AVG_LOCAL_ADDRESS_BROADCAST_INTERVAL = hours(24);
constexpr PeerTime ADDR_FETCH_TIMEOUT = 10 * AVG_ADDRESS_BROADCAST_INTERVAL;
constexpr PeerTime ROTATE_ADDR_RELAY_DEST_INTERVAL = hours(24);
constexpr double MAX_ADDR_RATE_PER_SECOND = 0.1;
constexpr double MAX_ADDR_PROCESSING_TOKEN_BUCKET = MAX_ADDR_TO_SEND;
constexpr std::int64_t ADDR_TIME_PENALTY = 2 * 60 * 60;
constexpr PeerTime SEED_NODE_TIMEOUT = seconds(30);
constexpr int SEED_OUTBOUND_CONNECTION_THRESHOLD = 2;
constexpr std::size_t DNSSEEDS_TO_QUERY_AT_ONCE = 3;
constexpr PeerTime DNSSEEDS_DELAY_FEW_PEERS = seconds(11);
constexpr PeerTime DNSSEEDS_DELAY_MANY_PEERS = minutes(5);
constexpr std::size_t DNSSEEDS_DELAY_PEER_THRESHOLD = 1000;
constexpr PeerTime FIXED_SEEDS_DELAY = minutes(1);
constexpr int MAX_FEELER_CONNECTIONS = 1;
// What we want from outbound peers (Core's desirable services outside of the tip checks).
constexpr std::uint64_t DESIRABLE_SERVICES = services::NODE_NETWORK | services::NODE_WITNESS;
// The service bits DNS seeds are asked for ("x9.").
constexpr std::uint64_t SEED_SERVICES = services::NODE_NETWORK | services::NODE_WITNESS;

std::int64_t to_seconds(PeerTime time) {
    return std::chrono::duration_cast<seconds>(time).count();
}

bool has_permission(std::uint32_t flags, std::uint32_t permission) {
    return (flags & permission) == permission;
}

bool has_all_desirable_services(std::uint64_t services) {
    return (services & DESIRABLE_SERVICES) == DESIRABLE_SERVICES;
}

bool may_have_useful_address_db(std::uint64_t services) {
    return (services & (services::NODE_NETWORK | services::NODE_NETWORK_LIMITED)) != 0;
}

// Core's IsBadPort: ports of other well-known services, avoided for automatic connections.
bool is_bad_port(std::uint16_t port) {
    static constexpr std::array<std::uint16_t, 85> BAD_PORTS = {
        1,    7,    9,    11,   13,   15,   17,   19,   20,   21,   22,   23,   25,   37,
        42,   43,   53,   69,   77,   79,   87,   95,   101,  102,  103,  104,  109,  110,
        111,  113,  115,  117,  119,  123,  135,  137,  139,  143,  161,  179,  389,  427,
        465,  512,  513,  514,  515,  526,  530,  531,  532,  540,  548,  554,  556,  563,
        587,  601,  636,  989,  990,  993,  995,  1719, 1720, 1723, 2049, 3306, 3389, 3659,
        4045, 5060, 5061, 5432, 5900, 6000, 6566, 6665, 6666, 6667, 6668, 6669, 6697, 10080,
        27017};
    return std::find(BAD_PORTS.begin(), BAD_PORTS.end(), port) != BAD_PORTS.end();
}

// "host:port" for a name target; the address's form when the target is an address.
std::pair<std::string, std::optional<NetService>> normalise_target(std::string_view text,
                                                                   std::uint16_t default_port) {
    if (auto service = NetService::parse(text, default_port)) {
        return {service->to_string(), service};
    }
    const std::size_t colon = text.rfind(':');
    if (colon != std::string_view::npos && text.find(':') == colon) return {std::string(text), {}};
    return {std::string(text) + ":" + std::to_string(default_port), {}};
}

bool addr_compatible(const PeerInfo& info, const NetAddress& address) {
    return info.wants_addrv2 || address.legacy_bytes().has_value();
}

std::string with_peer(std::string text, PeerId id) {
    return text + ", peer=" + std::to_string(id);
}

}  // namespace

// --- Names --------------------------------------------------------------------------------

std::string_view to_string(ConnectionType type) {
    switch (type) {
        case ConnectionType::inbound: return "inbound";
        case ConnectionType::outbound_full_relay: return "outbound-full-relay";
        case ConnectionType::block_relay_only: return "block-relay-only";
        case ConnectionType::manual: return "manual";
        case ConnectionType::feeler: return "feeler";
        case ConnectionType::addr_fetch: return "addr-fetch";
    }
    return "unknown";
}

bool is_outbound(ConnectionType type) { return type != ConnectionType::inbound; }

std::vector<std::string> permission_names(std::uint32_t flags) {
    std::vector<std::string> out;
    if (has_permission(flags, permissions::BLOOMFILTER)) out.emplace_back("bloomfilter");
    if (has_permission(flags, permissions::NOBAN)) out.emplace_back("noban");
    if (has_permission(flags, permissions::FORCERELAY)) out.emplace_back("forcerelay");
    if (has_permission(flags, permissions::RELAY)) out.emplace_back("relay");
    if (has_permission(flags, permissions::MEMPOOL)) out.emplace_back("mempool");
    if (has_permission(flags, permissions::DOWNLOAD)) out.emplace_back("download");
    if (has_permission(flags, permissions::ADDR)) out.emplace_back("addr");
    return out;
}

Result<WhitelistEntry, std::string> parse_whitelist(std::string_view text) {
    WhitelistEntry entry;
    std::string_view net = text;
    const std::size_t at = text.find('@');
    if (at == std::string_view::npos) {
        entry.flags = permissions::IMPLICIT | permissions::NOBAN | permissions::MEMPOOL |
                      permissions::RELAY;
    } else {
        std::string_view list = text.substr(0, at);
        net = text.substr(at + 1);
        while (true) {
            const std::size_t comma = list.find(',');
            const std::string_view name = list.substr(0, comma);
            if (name == "bloomfilter" || name == "bloom") {
                entry.flags |= permissions::BLOOMFILTER;
            } else if (name == "noban") {
                entry.flags |= permissions::NOBAN;
            } else if (name == "forcerelay") {
                entry.flags |= permissions::FORCERELAY;
            } else if (name == "mempool") {
                entry.flags |= permissions::MEMPOOL;
            } else if (name == "download") {
                entry.flags |= permissions::DOWNLOAD;
            } else if (name == "all") {
                entry.flags |= permissions::BLOOMFILTER | permissions::FORCERELAY |
                               permissions::RELAY | permissions::NOBAN | permissions::MEMPOOL |
                               permissions::DOWNLOAD | permissions::ADDR;
            } else if (name == "relay") {
                entry.flags |= permissions::RELAY;
            } else if (name == "addr") {
                entry.flags |= permissions::ADDR;
            } else if (name == "in" || name.empty()) {
                // Inbound is the only direction a whitelist entry applies to here.
            } else {
                return fail("Invalid P2P permission: '" + std::string(name) + "'");
            }
            if (comma == std::string_view::npos) break;
            list = list.substr(comma + 1);
        }
    }
    const auto subnet = SubNet::parse(net);
    if (!subnet) {
        return fail("Invalid netmask specified in -whitelist: '" + std::string(net) + "'");
    }
    entry.subnet = *subnet;
    return entry;
}

// --- KnownAddresses -----------------------------------------------------------------------

void ConnectionManager::KnownAddresses::insert(std::uint64_t key) {
    if (!keys_.insert(key).second) return;
    order_.push_back(key);
    if (order_.size() > CAPACITY) {
        keys_.erase(order_.front());
        order_.pop_front();
    }
}

void ConnectionManager::KnownAddresses::clear() {
    keys_.clear();
    order_.clear();
}

// --- Construction and persistence ---------------------------------------------------------

ConnectionManager::ConnectionManager(ConnectionManagerOptions options)
    : options_(std::move(options)),
      addrman_(options_.addrman_key, FastRandom(options_.random_seed).rand256()),
      rng_(std::make_shared<FastRandom>(options_.random_seed)),
      local_nonces_(std::make_shared<std::set<std::uint64_t>>()) {
    // The first draw seeded the address manager; skip past it.
    rng_->rand256();
    group_k0_ = rng_->rand64();
    group_k1_ = rng_->rand64();
    relay_k0_ = rng_->rand64();
    relay_k1_ = rng_->rand64();
    for (const std::string& target : options_.connect) {
        connect_targets_.push_back(ConnectTarget{target, {}});
    }
    for (const std::string& target : options_.add_nodes) {
        if (std::find(added_nodes_.begin(), added_nodes_.end(), target) == added_nodes_.end()) {
            added_nodes_.push_back(target);
        }
    }
    addr_fetches_.assign(options_.seed_nodes.begin(), options_.seed_nodes.end());
    seeds_left_ = options_.dns_seeds;
    std::shuffle(seeds_left_.begin(), seeds_left_.end(), *rng_);
    if (options_.seed_nodes.empty()) seed_phase_ = SeedPhase::deciding;
    if (seeds_left_.empty()) seed_phase_ = SeedPhase::done;
}

Result<void, std::string> ConnectionManager::load_addresses(ByteSpan data) {
    auto loaded = AddrMan::deserialize(data, rng_->rand256());
    if (!loaded) return fail(std::string(to_string(loaded.error())));
    addrman_ = std::move(*loaded);
    return {};
}

Bytes ConnectionManager::save_addresses() const { return addrman_.serialize(); }

Result<void, std::string> ConnectionManager::load_bans(ByteSpan data) {
    auto loaded = BanMan::deserialize(data);
    if (!loaded) return fail(loaded.error());
    bans_ = std::move(*loaded);
    return {};
}

Bytes ConnectionManager::save_bans() const { return bans_.serialize(); }

// --- Helpers ------------------------------------------------------------------------------

void ConnectionManager::log(std::string text, std::string category) {
    queue<LogLine>(std::move(category), std::move(text));
}

ConnectionManager::Connection* ConnectionManager::find(PeerId id) {
    const auto it = connections_.find(id);
    return it == connections_.end() ? nullptr : &it->second;
}

const ConnectionManager::Connection* ConnectionManager::find(PeerId id) const {
    const auto it = connections_.find(id);
    return it == connections_.end() ? nullptr : &it->second;
}

PeerTime ConnectionManager::exponential(PeerTime now, PeerTime average) {
    const double uniform =
        static_cast<double>(rng_->randbits(48)) / static_cast<double>(std::uint64_t{1} << 48);
    const double unscaled = -std::log1p(-uniform);
    return now + PeerTime(static_cast<PeerTime::rep>(
                     unscaled * static_cast<double>(average.count()) + 0.5));
}

std::uint64_t ConnectionManager::address_key(const NetService& service) const {
    SipHasher hasher(relay_k0_, relay_k1_);
    const std::uint8_t network = static_cast<std::uint8_t>(service.address.network());
    hasher.write(ByteSpan(&network, 1));
    hasher.write(service.address.bytes());
    const std::uint8_t port[2] = {static_cast<std::uint8_t>(service.port >> 8),
                                  static_cast<std::uint8_t>(service.port)};
    hasher.write(ByteSpan(port, 2));
    return hasher.finalize();
}

std::vector<Network> ConnectionManager::reachable_networks() const {
    if (options_.reachable.empty()) return {Network::ipv4, Network::ipv6};
    return std::vector<Network>(options_.reachable.begin(), options_.reachable.end());
}

bool ConnectionManager::is_reachable(Network network) const {
    const auto networks = reachable_networks();
    return std::find(networks.begin(), networks.end(), network) != networks.end();
}

bool ConnectionManager::is_our_address(const NetAddress& address) const {
    return std::any_of(options_.local_addresses.begin(), options_.local_addresses.end(),
                       [&](const NetService& local) { return local.address == address; });
}

bool ConnectionManager::connected_to_address(const NetAddress& address) const {
    return std::any_of(connections_.begin(), connections_.end(), [&](const auto& item) {
        return item.second.address && item.second.address->address == address;
    });
}

bool ConnectionManager::connected_to_target(std::string_view target) const {
    const auto [name, service] = normalise_target(target, options_.default_port);
    return std::any_of(connections_.begin(), connections_.end(), [&](const auto& item) {
        const Connection& c = item.second;
        if (c.target == name) return true;
        return service && c.address && *c.address == *service;
    });
}

bool ConnectionManager::is_added_node(const NetService& service) const {
    return std::any_of(added_nodes_.begin(), added_nodes_.end(), [&](const std::string& node) {
        const auto parsed = NetService::parse(node, options_.default_port);
        return parsed && *parsed == service;
    });
}

std::uint32_t ConnectionManager::inbound_permissions(const NetAddress& address) const {
    std::uint32_t flags = permissions::NONE;
    for (const WhitelistEntry& entry : options_.whitelist) {
        if (entry.subnet.matches(address)) flags |= entry.flags;
    }
    // The implicit set of a bare -whitelist subnet (Core with -whitelistrelay's default).
    if (flags & permissions::IMPLICIT) {
        flags &= ~permissions::IMPLICIT;
        flags |= permissions::RELAY | permissions::MEMPOOL | permissions::NOBAN;
    }
    return flags;
}

int ConnectionManager::inbound_slots() const {
    return std::max(0, options_.max_connections - options_.max_outbound_full_relay -
                           options_.max_block_relay_only - MAX_FEELER_CONNECTIONS);
}

int ConnectionManager::full_outbound_count() const {
    return static_cast<int>(std::count_if(connections_.begin(), connections_.end(),
                                          [](const auto& item) {
                                              return item.second.type ==
                                                         ConnectionType::outbound_full_relay &&
                                                     item.second.handshake_complete;
                                          }));
}

// --- Opening and accepting ----------------------------------------------------------------

PeerId ConnectionManager::open(std::string target, std::optional<NetService> service,
                               ConnectionType type, bool count_failure, PeerTime now) {
    const PeerId id = next_id_++;
    Connection& c = connections_[id];
    c.id = id;
    c.type = type;
    c.target = target;
    c.address = service;
    c.count_failure = count_failure;
    c.connected_time = now;
    c.nonce = rng_->rand64();
    queue<OpenConnection>(id, std::move(target), std::move(service), type);
    return id;
}

void ConnectionManager::start_peer(Connection& c, PeerTime now) {
    PeerConfig config;
    config.magic = options_.magic;
    config.services = options_.local_services;
    config.user_agent = options_.user_agent;
    config.start_height = options_.start_height;
    config.relay = !options_.blocks_only && c.type != ConnectionType::block_relay_only;
    config.nonce = c.nonce;
    config.is_local_nonce = [nonces = local_nonces_](std::uint64_t nonce) {
        return nonces->contains(nonce);
    };
    config.random_u64 = [rng = rng_] { return rng->rand64(); };
    config.direction = is_outbound(c.type) ? PeerDirection::outbound : PeerDirection::inbound;
    config.address = *c.address;
    if (const auto known = addrman_.find(*c.address)) {
        config.address_services = known->address.services;
    }
    // Core does not ask feelers and manual connections for the services it wants.
    if (c.type == ConnectionType::outbound_full_relay ||
        c.type == ConnectionType::block_relay_only || c.type == ConnectionType::addr_fetch) {
        config.required_services = DESIRABLE_SERVICES;
    }
    c.group = c.address->address.group();
    c.keyed_group = SipHasher(group_k0_, group_k1_).write(c.group).finalize();
    c.connected_time = now;
    c.addr_token_timestamp = now;
    c.peer.emplace(std::move(config));
    if (is_outbound(c.type)) local_nonces_->insert(c.nonce);
    c.peer->connected(now);
    handle_peer_actions(c, now);
}

std::optional<PeerId> ConnectionManager::accepted(const NetService& remote,
                                                  const NetService& local, PeerTime now) {
    if (!network_active_) {
        log("connection from " + remote.to_string() +
            " dropped: not accepting new connections");
        return std::nullopt;
    }
    const std::uint32_t flags = inbound_permissions(remote.address);
    const bool noban = has_permission(flags, permissions::NOBAN);
    if (!noban && bans_.is_banned(remote.address, to_seconds(now))) {
        log("connection from " + remote.to_string() + " dropped (banned)");
        return std::nullopt;
    }
    const bool discouraged = bans_.is_discouraged(remote.address);
    const int inbound = static_cast<int>(
        std::count_if(connections_.begin(), connections_.end(), [](const auto& item) {
            return item.second.type == ConnectionType::inbound && !item.second.closing;
        }));
    const int max_inbound = inbound_slots();
    if (!noban && inbound + 1 >= max_inbound && discouraged) {
        log("connection from " + remote.to_string() + " dropped (discouraged)");
        return std::nullopt;
    }
    if (inbound >= max_inbound && !attempt_to_evict()) {
        log("failed to find an eviction candidate - connection dropped (full)");
        return std::nullopt;
    }

    const PeerId id = next_id_++;
    Connection& c = connections_[id];
    c.id = id;
    c.type = ConnectionType::inbound;
    c.address = remote;
    c.local = local;
    c.permissions = flags;
    c.prefer_evict = discouraged;
    c.nonce = rng_->rand64();
    log(with_peer("connection from " + remote.to_string() + " accepted", id));
    start_peer(c, now);
    return id;
}

bool ConnectionManager::attempt_to_evict() {
    std::vector<EvictionCandidate> candidates;
    for (const auto& [id, c] : connections_) {
        if (c.type != ConnectionType::inbound || c.closing || !c.peer) continue;
        EvictionCandidate candidate;
        candidate.id = id;
        candidate.connected = std::chrono::duration_cast<seconds>(c.connected_time);
        if (const auto ping = c.peer->min_ping()) candidate.min_ping = *ping;
        candidate.last_block_time = std::chrono::duration_cast<seconds>(c.last_block);
        candidate.last_tx_time = std::chrono::duration_cast<seconds>(c.last_transaction);
        candidate.relevant_services =
            c.handshake_complete && has_all_desirable_services(c.peer->info().services);
        candidate.relay_txs = c.handshake_complete && c.peer->info().relay;
        candidate.keyed_net_group = c.keyed_group;
        candidate.prefer_evict = c.prefer_evict;
        candidate.is_local = c.address->address.is_local();
        candidate.network = c.address->address.network();
        candidate.noban = has_permission(c.permissions, permissions::NOBAN);
        candidate.inbound = true;
        candidates.push_back(candidate);
    }
    const auto victim = select_node_to_evict(std::move(candidates));
    if (!victim) return false;
    Connection& c = connections_.at(*victim);
    log(with_peer("selected " + std::string(to_string(c.type)) +
                      " connection for eviction; disconnecting",
                  c.id));
    close(c, "evicted for an inbound connection");
    return true;
}

void ConnectionManager::connected(PeerId id, const NetService& remote, const NetService& local,
                                  PeerTime now) {
    Connection* c = find(id);
    if (c == nullptr || c->peer || c->closing) return;
    c->address = remote;
    c->local = local;
    // Core records every attempt to an address chosen from the address manager.
    if (c->type == ConnectionType::outbound_full_relay ||
        c->type == ConnectionType::block_relay_only || c->type == ConnectionType::feeler) {
        addrman_.attempt(remote, c->count_failure, to_seconds(now));
    }
    log(with_peer("connection to " + remote.to_string() + " established (" +
                      std::string(to_string(c->type)) + ")",
                  id));
    start_peer(*c, now);
}

void ConnectionManager::connect_failed(PeerId id, std::string_view error, PeerTime now) {
    Connection* c = find(id);
    if (c == nullptr) return;
    if (c->address && (c->type == ConnectionType::outbound_full_relay ||
                       c->type == ConnectionType::block_relay_only ||
                       c->type == ConnectionType::feeler)) {
        addrman_.attempt(*c->address, c->count_failure, to_seconds(now));
    }
    log(with_peer("connection to " + c->target + " failed: " + std::string(error), id));
    local_nonces_->erase(c->nonce);
    connections_.erase(id);
}

void ConnectionManager::received(PeerId id, ByteSpan data, PeerTime now) {
    Connection* c = find(id);
    if (c == nullptr || !c->peer) return;
    totals_.bytes_received += data.size();
    if (!data.empty()) c->last_receive = now;
    c->peer->received(data, now);
    handle_peer_actions(*c, now);
    if (c->handshake_complete && !c->closing) maybe_send_addr(*c, now);
}

void ConnectionManager::closed(PeerId id, std::string_view why, PeerTime now) {
    Connection* c = find(id);
    if (c == nullptr) return;
    if (c->handshake_complete && c->address && is_outbound(c->type) &&
        c->type != ConnectionType::block_relay_only) {
        addrman_.connected(*c->address, to_seconds(now));
    }
    local_nonces_->erase(c->nonce);
    log(with_peer("connection closed: " + std::string(why), id));
    if (c->announced) queue<DeliverEvent>(NetEvent(PeerDisconnected{id}));
    connections_.erase(id);
}

void ConnectionManager::close(Connection& c, std::string_view why) {
    if (c.closing) return;
    if (c.peer && c.peer->state() != PeerState::disconnected) {
        c.peer->disconnect(why);
        handle_peer_actions(c, PeerTime{});
        return;
    }
    c.closing = true;
    log(with_peer("disconnecting: " + std::string(why), c.id));
    queue<CloseConnection>(c.id);
}

// --- The peer's actions -------------------------------------------------------------------

// Performs the peer's actions in the order it queued them. Handlers may make the peer queue
// more (a getaddr, a disconnect): a nested call for the same connection returns at once and
// the loop here picks those up after the current batch, so writes keep the peer's order.
void ConnectionManager::handle_peer_actions(Connection& c, PeerTime now) {
    if (!c.peer || c.handling) return;
    c.handling = true;
    while (true) {
        std::vector<PeerAction> actions = c.peer->take_actions();
        if (actions.empty()) break;
        for (PeerAction& action : actions) {
            // Once the peer is disconnecting, what it received after the cause is dropped.
            const bool ending = c.closing || c.peer->state() == PeerState::disconnected;
            if (auto* send = std::get_if<SendBytes>(&action)) {
                if (c.closing) continue;
                totals_.bytes_sent += send->bytes.size();
                c.last_send = now > c.last_send ? now : c.last_send;
                queue<WriteBytes>(c.id, std::move(send->bytes));
            } else if (auto* disconnect = std::get_if<Disconnect>(&action)) {
                if (c.closing) continue;
                c.closing = true;
                log(with_peer("disconnecting: " + disconnect->message, c.id));
                queue<CloseConnection>(c.id);
            } else if (std::holds_alternative<HandshakeComplete>(action)) {
                if (!ending) on_handshake(c, now);
            } else if (auto* message = std::get_if<ApplicationMessage>(&action)) {
                if (!ending) on_application_message(c, std::move(*message), now);
            } else if (auto* note = std::get_if<PeerNote>(&action)) {
                log(with_peer(std::move(note->text), c.id));
            }
        }
    }
    c.handling = false;
}

void ConnectionManager::on_handshake(Connection& c, PeerTime now) {
    c.handshake_complete = true;
    local_nonces_->erase(c.nonce);
    const PeerInfo& info = c.peer->info();
    if (is_outbound(c.type)) {
        addrman_.set_services(*c.address, info.services);
        addrman_.good(*c.address, to_seconds(now));
    }
    if (c.type == ConnectionType::feeler) {
        log(with_peer("feeler connection completed; disconnecting", c.id));
        close(c, "feeler connection completed");
        return;
    }
    c.announced = true;
    queue<DeliverEvent>(NetEvent(PeerConnected{c.id, info, c.type, *c.address, c.permissions}));
    // Outbound peers (block-relay-only excepted) learn our address and are asked for theirs.
    if (is_outbound(c.type) && c.type != ConnectionType::block_relay_only) {
        c.addr_relay_enabled = true;
        if (options_.listening) {
            if (const auto local = local_address_for(c, now)) push_address(c, *local);
        }
        c.peer->send(command::GETADDR, {});
        c.getaddr_sent = true;
        c.addr_token_bucket += MAX_ADDR_TO_SEND;
        handle_peer_actions(c, now);
    }
    maybe_send_addr(c, now);
}

void ConnectionManager::on_application_message(Connection& c, ApplicationMessage message,
                                               PeerTime now) {
    if (message.command == command::ADDR || message.command == command::ADDRV2) {
        on_addr(c, message.command, message.payload, now);
        return;
    }
    if (message.command == command::GETADDR) {
        on_getaddr(c, now);
        return;
    }
    if (!c.announced) return;
    const std::size_t size = message.payload.size();
    c.queued_bytes += size;
    queue<DeliverEvent>(
        NetEvent(PeerMessage{c.id, std::move(message.command), std::move(message.payload)}));
    if (!c.receive_paused && c.queued_bytes > options_.max_receive_queue_bytes) {
        c.receive_paused = true;
        queue<SetReceivePaused>(c.id, true);
    }
}

// --- Address relay ------------------------------------------------------------------------

void ConnectionManager::on_addr(Connection& c, std::string_view command, ByteSpan payload,
                                PeerTime now) {
    if (c.type == ConnectionType::block_relay_only || c.type == ConnectionType::feeler) {
        log(with_peer("ignoring " + std::string(command) + " message from " +
                          std::string(to_string(c.type)) + " peer",
                      c.id));
        return;
    }
    auto decoded = command == command::ADDR ? decode_addr(payload) : decode_addrv2(payload);
    if (!decoded) {
        if (decoded.error() == MessageError::too_many_entries) {
            misbehaving(c.id, std::string(command) + " message size > " +
                                  std::to_string(MAX_ADDR_TO_SEND));
        } else {
            // Core drops an undecodable message and keeps the peer; bitloom treats every
            // malformed payload alike and lets the peer go.
            misbehaving(c.id, "malformed " + std::string(command) + " message: " +
                                  std::string(to_string(decoded.error())));
        }
        return;
    }
    c.addr_relay_enabled = true;
    std::vector<PeerAddress>& addresses = *decoded;
    const std::size_t count = addresses.size();
    const std::int64_t now_s = to_seconds(now);

    if (c.addr_token_bucket < MAX_ADDR_PROCESSING_TOKEN_BUCKET) {
        const PeerTime elapsed = std::max(now - c.addr_token_timestamp, PeerTime{0});
        const double increment =
            std::chrono::duration<double>(elapsed).count() * MAX_ADDR_RATE_PER_SECOND;
        c.addr_token_bucket =
            std::min(c.addr_token_bucket + increment, MAX_ADDR_PROCESSING_TOKEN_BUCKET);
    }
    c.addr_token_timestamp = now;
    const bool rate_limited = !has_permission(c.permissions, permissions::ADDR);

    std::uint64_t processed = 0;
    std::uint64_t limited = 0;
    std::vector<PeerAddress> accepted;
    std::shuffle(addresses.begin(), addresses.end(), *rng_);
    for (PeerAddress& address : addresses) {
        if (c.addr_token_bucket < 1.0) {
            if (rate_limited) {
                ++limited;
                continue;
            }
        } else {
            c.addr_token_bucket -= 1.0;
        }
        if (!may_have_useful_address_db(address.services) &&
            !has_all_desirable_services(address.services)) {
            continue;
        }
        if (address.time <= 100'000'000 || address.time > now_s + 10 * 60) {
            address.time = static_cast<std::uint32_t>(now_s - 5 * 24 * 60 * 60);
        }
        c.addr_known.insert(address_key(address.service));
        if (bans_.is_discouraged(address.service.address) ||
            bans_.is_banned(address.service.address, now_s)) {
            continue;
        }
        ++processed;
        const bool reachable = is_reachable(address.service.address.network());
        if (address.time > now_s - 10 * 60 && !c.getaddr_sent && count <= 10 &&
            address.service.address.is_routable()) {
            relay_address(c.id, address, reachable, now);
        }
        if (reachable) accepted.push_back(address);
    }
    c.addr_processed += processed;
    c.addr_rate_limited += limited;
    log(with_peer("received " + std::string(command) + ": " + std::to_string(count) +
                      " addresses (" + std::to_string(processed) + " processed, " +
                      std::to_string(limited) + " rate-limited)",
                  c.id));
    addrman_.add(accepted, c.address->address, ADDR_TIME_PENALTY, now_s);
    if (count < MAX_ADDR_TO_SEND) c.getaddr_sent = false;
    // More than one address: not just a self-announcement.
    if (c.type == ConnectionType::addr_fetch && count > 1) {
        log(with_peer("addrfetch connection completed; disconnecting", c.id));
        close(c, "addrfetch connection completed");
    }
}

void ConnectionManager::on_getaddr(Connection& c, PeerTime now) {
    // Only inbound peers are answered, which keeps our address manager from being probed
    // through our outbound connections.
    if (c.type != ConnectionType::inbound) {
        log(with_peer("ignoring \"getaddr\" from " + std::string(to_string(c.type)) +
                          " connection",
                      c.id));
        return;
    }
    c.addr_relay_enabled = true;
    if (c.getaddr_received) {
        log(with_peer("ignoring repeated \"getaddr\"", c.id));
        return;
    }
    c.getaddr_received = true;
    c.addrs_to_send.clear();
    const std::int64_t now_s = to_seconds(now);
    auto unwanted = [&](const PeerAddress& a) {
        return bans_.is_discouraged(a.service.address) ||
               bans_.is_banned(a.service.address, now_s);
    };
    std::vector<PeerAddress> addresses;
    if (has_permission(c.permissions, permissions::ADDR)) {
        addresses = addrman_.get_addr(addrman::MAX_ADDR_TO_SEND, addrman::MAX_PCT_ADDR_TO_SEND,
                                      std::nullopt, now_s);
        std::erase_if(addresses, unwanted);
    } else {
        // One cached answer per network and local socket, kept 21 to 27 hours.
        CachedAddrResponse& cache = addr_cache_[{c.address->address.network(), c.local}];
        if (cache.expiration < now) {
            cache.addresses = addrman_.get_addr(addrman::MAX_ADDR_TO_SEND,
                                                addrman::MAX_PCT_ADDR_TO_SEND, std::nullopt,
                                                now_s);
            std::erase_if(cache.addresses, unwanted);
            cache.expiration = now + hours(21) +
                               PeerTime(static_cast<PeerTime::rep>(rng_->randrange(
                                   static_cast<std::uint64_t>(PeerTime(hours(6)).count()))));
        }
        addresses = cache.addresses;
    }
    for (const PeerAddress& address : addresses) push_address(c, address);
    maybe_send_addr(c, now);
}

void ConnectionManager::push_address(Connection& c, const PeerAddress& address) {
    if (!address.service.address.is_valid()) return;
    if (c.addr_known.contains(address_key(address.service))) return;
    if (!c.peer || !addr_compatible(c.peer->info(), address.service.address)) return;
    if (c.addrs_to_send.size() >= MAX_ADDR_TO_SEND) {
        c.addrs_to_send[rng_->randrange(c.addrs_to_send.size())] = address;
    } else {
        c.addrs_to_send.push_back(address);
    }
}

void ConnectionManager::relay_address(PeerId from, const PeerAddress& address, bool reachable,
                                      PeerTime now) {
    // The same destinations for a given address within a day, so a peer cannot make us relay
    // its address more widely by repeating it.
    const std::uint64_t hash_address = address_key(address.service);
    const auto day_seconds =
        static_cast<std::uint64_t>(to_seconds(ROTATE_ADDR_RELAY_DEST_INTERVAL));
    const std::uint64_t time_address =
        (static_cast<std::uint64_t>(to_seconds(now)) + hash_address) / day_seconds;
    SipHasher hasher(relay_k0_, relay_k1_);
    hasher.write_u64(hash_address).write_u64(time_address);
    const std::size_t relay_count = (reachable || (hasher.finalize() & 1)) ? 2 : 1;

    std::array<std::pair<std::uint64_t, Connection*>, 2> best{{{0, nullptr}, {0, nullptr}}};
    for (auto& [id, c] : connections_) {
        if (!c.addr_relay_enabled || id == from || c.closing || !c.handshake_complete) continue;
        if (!addr_compatible(c.peer->info(), address.service.address)) continue;
        const std::uint64_t key =
            SipHasher(hasher).write_u64(static_cast<std::uint64_t>(id)).finalize();
        for (std::size_t i = 0; i < relay_count; ++i) {
            if (key > best[i].first) {
                std::copy(best.begin() + static_cast<std::ptrdiff_t>(i),
                          best.begin() + static_cast<std::ptrdiff_t>(relay_count - 1),
                          best.begin() + static_cast<std::ptrdiff_t>(i + 1));
                best[i] = {key, &c};
                break;
            }
        }
    }
    for (std::size_t i = 0; i < relay_count && best[i].second != nullptr; ++i) {
        push_address(*best[i].second, address);
    }
}

std::optional<PeerAddress> ConnectionManager::local_address_for(const Connection& c,
                                                                PeerTime now) const {
    const NetService* chosen = nullptr;
    for (const NetService& local : options_.local_addresses) {
        if (!local.address.is_routable() || !addr_compatible(c.peer->info(), local.address)) {
            continue;
        }
        if (chosen == nullptr ||
            (local.address.network() == c.address->address.network() &&
             chosen->address.network() != c.address->address.network())) {
            chosen = &local;
        }
    }
    if (chosen == nullptr) return std::nullopt;
    return PeerAddress{*chosen, options_.local_services,
                       static_cast<std::uint32_t>(to_seconds(now))};
}

void ConnectionManager::maybe_send_addr(Connection& c, PeerTime now) {
    if (!c.addr_relay_enabled || !c.handshake_complete || c.closing) return;
    if (options_.listening && c.next_local_addr_send < now) {
        // Clear what the peer knows so that the self-announcement goes out again.
        if (c.next_local_addr_send != PeerTime{}) c.addr_known.clear();
        if (const auto local = local_address_for(c, now)) push_address(c, *local);
        c.next_local_addr_send = exponential(now, AVG_LOCAL_ADDRESS_BROADCAST_INTERVAL);
    }
    if (now <= c.next_addr_send) return;
    c.next_addr_send = exponential(now, AVG_ADDRESS_BROADCAST_INTERVAL);
    std::erase_if(c.addrs_to_send, [&](const PeerAddress& address) {
        const std::uint64_t key = address_key(address.service);
        if (c.addr_known.contains(key)) return true;
        c.addr_known.insert(key);
        return false;
    });
    if (c.addrs_to_send.empty()) return;
    if (c.peer->info().wants_addrv2) {
        c.peer->send(command::ADDRV2, encode_addrv2(c.addrs_to_send));
    } else {
        c.peer->send(command::ADDR, encode_addr(c.addrs_to_send));
    }
    c.addrs_to_send.clear();
    c.addrs_to_send.shrink_to_fit();
    handle_peer_actions(c, now);
}

// --- Timers and the outbound policy -------------------------------------------------------

void ConnectionManager::tick(PeerTime now) {
    if (!start_) {
        start_ = now;
        next_feeler_ = exponential(now, FEELER_INTERVAL);
    }
    std::vector<PeerId> ids;
    for (const auto& [id, c] : connections_) ids.push_back(id);
    for (const PeerId id : ids) {
        Connection* c = find(id);
        if (c == nullptr || !c->peer) continue;
        c->peer->tick(now);
        handle_peer_actions(*c, now);
        if (c->closing || !c->handshake_complete) continue;
        if (c->type == ConnectionType::addr_fetch &&
            now - c->connected_time > ADDR_FETCH_TIMEOUT) {
            log(with_peer("addrfetch connection timeout; disconnecting", id));
            close(*c, "addrfetch connection timeout");
            continue;
        }
        maybe_send_addr(*c, now);
    }
    if (!network_active_) return;
    open_connections(now);
    process_dns_seeds(now);
}

void ConnectionManager::open_connections(PeerTime now) {
    // -seednode: one addr-fetch connection per tick (Core's ProcessAddrFetch).
    if (!addr_fetches_.empty()) {
        const std::string target = addr_fetches_.front();
        addr_fetches_.pop_front();
        auto [name, service] = normalise_target(target, options_.default_port);
        if (!connected_to_target(target)) {
            open(name, service, ConnectionType::addr_fetch, false, now);
        }
    }
    // -connect: only these, reconnected when they drop.
    for (ConnectTarget& target : connect_targets_) {
        if (now < target.next_attempt || connected_to_target(target.target)) continue;
        auto [name, service] = normalise_target(target.target, options_.default_port);
        open(name, service, ConnectionType::manual, false, now);
        target.next_attempt = now + CONNECT_RETRY;
    }
    // Added nodes (Core's ThreadOpenAddedConnections).
    if (now >= next_added_check_) {
        int manual = static_cast<int>(std::count_if(
            connections_.begin(), connections_.end(), [&](const auto& item) {
                return item.second.type == ConnectionType::manual &&
                       std::any_of(added_nodes_.begin(), added_nodes_.end(),
                                   [&](const std::string& node) {
                                       return normalise_target(node, options_.default_port)
                                                  .first == item.second.target;
                                   });
            }));
        bool tried = false;
        for (const std::string& node : added_nodes_) {
            if (manual >= options_.max_addnode) break;
            if (connected_to_target(node)) continue;
            auto [name, service] = normalise_target(node, options_.default_port);
            open(name, service, ConnectionType::manual, false, now);
            ++manual;
            tried = true;
        }
        next_added_check_ = now + (tried ? ADDED_NODE_RETRY : ADDED_NODE_RECHECK);
    }
    if (options_.automatic_outbound) open_automatic(now);
}

void ConnectionManager::maybe_add_fixed_seeds(PeerTime now) {
    if (!add_fixed_seeds_ || options_.fixed_seeds.empty()) return;
    std::vector<Network> empty_networks;
    for (const Network network : reachable_networks()) {
        if (addrman_.size(network) == 0) empty_networks.push_back(network);
    }
    if (empty_networks.empty()) return;
    const bool other_sources = !options_.dns_seeds.empty() || !options_.seed_nodes.empty() ||
                               !added_nodes_.empty();
    if (now <= *start_ + FIXED_SEEDS_DELAY && other_sources) return;

    const std::int64_t now_s = to_seconds(now);
    std::vector<PeerAddress> seeds;
    for (PeerAddress seed : options_.fixed_seeds) {
        const Network network = seed.service.address.network();
        if (std::find(empty_networks.begin(), empty_networks.end(), network) ==
            empty_networks.end()) {
            continue;
        }
        // Seen between one and two weeks ago.
        const std::int64_t week = 7 * 24 * 60 * 60;
        seed.time = static_cast<std::uint32_t>(
            now_s - week - static_cast<std::int64_t>(rng_->randrange(week)));
        seeds.push_back(seed);
    }
    for (const PeerAddress& seed : seeds) {
        addrman_.add(std::span<const PeerAddress>(&seed, 1), seed.service.address, 0, now_s);
    }
    add_fixed_seeds_ = false;
    log("added " + std::to_string(seeds.size()) + " fixed seeds from reachable networks", "");
}

void ConnectionManager::open_automatic(PeerTime now) {
    maybe_add_fixed_seeds(now);

    int full_relay = 0;
    int block_relay = 0;
    bool feeler_open = false;
    int privacy_peers = 0;
    std::set<Bytes> groups;
    for (const auto& [id, c] : connections_) {
        if (c.type == ConnectionType::outbound_full_relay) ++full_relay;
        if (c.type == ConnectionType::block_relay_only) ++block_relay;
        if (c.type == ConnectionType::feeler) feeler_open = true;
        if (c.type != ConnectionType::manual && c.type != ConnectionType::outbound_full_relay &&
            c.type != ConnectionType::block_relay_only) {
            continue;
        }
        if (!c.address) continue;  // a name still being resolved
        const NetAddress& address = c.address->address;
        if (address.is_tor() || address.is_i2p() || address.is_cjdns()) {
            ++privacy_peers;
        } else {
            groups.insert(address.group());
        }
    }

    ConnectionType type = ConnectionType::outbound_full_relay;
    if (full_relay < options_.max_outbound_full_relay) {
        type = ConnectionType::outbound_full_relay;
    } else if (block_relay < options_.max_block_relay_only) {
        type = ConnectionType::block_relay_only;
    } else if (now > next_feeler_ && !feeler_open) {
        next_feeler_ = exponential(now, FEELER_INTERVAL);
        type = ConnectionType::feeler;
    } else {
        return;
    }
    const bool feeler = type == ConnectionType::feeler;

    const std::int64_t now_s = to_seconds(now);
    addrman_.resolve_collisions(now_s);
    const std::vector<Network> networks = reachable_networks();
    std::optional<SelectedAddress> chosen;
    for (int tries = 1; tries <= 100; ++tries) {
        std::optional<SelectedAddress> selected;
        if (feeler) {
            // A tried-table collision first: test the entry that would be evicted.
            selected = addrman_.select_tried_collision();
            if (!selected) {
                selected = addrman_.select(true, networks, now_s);
            } else if (connected_to_address(selected->address.service.address)) {
                addrman_.good(selected->address.service, now_s);
                selected = addrman_.select(true, networks, now_s);
            }
        } else {
            selected = addrman_.select(false, networks, now_s);
        }
        if (!selected) break;
        const NetService& service = selected->address.service;
        if (!feeler && groups.contains(service.address.group())) continue;
        if (!service.address.is_valid() || is_our_address(service.address)) break;
        if (!is_reachable(service.address.network())) continue;
        // Only consider very recently tried addresses after 30 failed tries.
        if (now_s - selected->last_try < 10 * 60 && tries < 30) continue;
        const std::uint64_t offered = selected->address.services;
        if (!feeler && !has_all_desirable_services(offered)) continue;
        if (feeler && !may_have_useful_address_db(offered)) continue;
        if (tries < 50 && (service.address.is_ipv4() || service.address.is_ipv6()) &&
            is_bad_port(service.port)) {
            continue;
        }
        if (is_added_node(service)) continue;
        // What Core's OpenNetworkConnection refuses.
        if (connected_to_address(service.address) || bans_.is_discouraged(service.address) ||
            bans_.is_banned(service.address, now_s)) {
            continue;
        }
        chosen = selected;
        break;
    }
    if (!chosen) return;
    // Failures count once we have outbound connections to two distinct groups (not offline).
    const int threshold = std::min(options_.max_connections - 1, 2);
    const bool count_failure =
        static_cast<int>(groups.size()) + privacy_peers >= threshold;
    if (feeler) log("making feeler connection to " + chosen->address.service.to_string());
    open(chosen->address.service.to_string(), chosen->address.service, type, count_failure, now);
}

void ConnectionManager::process_dns_seeds(PeerTime now) {
    switch (seed_phase_) {
        case SeedPhase::waiting_for_seed_nodes:
            if (now <= *start_ + SEED_NODE_TIMEOUT &&
                full_outbound_count() < SEED_OUTBOUND_CONNECTION_THRESHOLD) {
                return;
            }
            seed_phase_ = SeedPhase::deciding;
            [[fallthrough]];
        case SeedPhase::deciding:
            seeds_right_now_ = addrman_.size() == 0 ? seeds_left_.size() : 0;
            if (full_outbound_count() >= SEED_OUTBOUND_CONNECTION_THRESHOLD &&
                seeds_right_now_ == 0) {
                log("skipping DNS seeds: enough peers have been found", "");
                seed_phase_ = SeedPhase::done;
                return;
            }
            seed_phase_ = SeedPhase::querying;
            [[fallthrough]];
        case SeedPhase::querying: {
            if (seeds_left_.empty()) {
                seed_phase_ = SeedPhase::done;
                return;
            }
            if (seeds_right_now_ == 0) {
                if (!seeds_wait_until_) {
                    if (addrman_.size() == 0) {
                        seeds_right_now_ = DNSSEEDS_TO_QUERY_AT_ONCE;
                    } else {
                        seeds_wait_until_ = now + (addrman_.size() >= DNSSEEDS_DELAY_PEER_THRESHOLD
                                                       ? DNSSEEDS_DELAY_MANY_PEERS
                                                       : DNSSEEDS_DELAY_FEW_PEERS);
                        log("waiting " + std::to_string(to_seconds(*seeds_wait_until_ - now)) +
                                " seconds before querying DNS seeds",
                            "");
                        return;
                    }
                } else {
                    if (full_outbound_count() >= SEED_OUTBOUND_CONNECTION_THRESHOLD) {
                        log("P2P peers available; finished DNS seeding", "");
                        seed_phase_ = SeedPhase::done;
                        return;
                    }
                    if (now < *seeds_wait_until_) return;
                    seeds_wait_until_.reset();
                    seeds_right_now_ = DNSSEEDS_TO_QUERY_AT_ONCE;
                }
            }
            const std::size_t count = std::min(seeds_right_now_, seeds_left_.size());
            ResolveSeeds request;
            seeds_in_flight_.clear();
            for (std::size_t i = 0; i < count; ++i) {
                const std::string& seed = seeds_left_[i];
                log("loading addresses from DNS seed " + seed, "");
                // "x9.seed.example": the seed's answer for nodes with our service bits.
                char hex[17] = {};
                std::to_chars(hex, hex + 16, SEED_SERVICES, 16);
                request.hosts.push_back("x" + std::string(hex) + "." + seed);
                seeds_in_flight_.push_back(seed);
            }
            seeds_left_.erase(seeds_left_.begin(),
                              seeds_left_.begin() + static_cast<std::ptrdiff_t>(count));
            seeds_right_now_ -= count;
            queue<ResolveSeeds>(std::move(request));
            if (seeds_left_.empty()) seed_phase_ = SeedPhase::done;
            return;
        }
        case SeedPhase::done: return;
    }
}

void ConnectionManager::seeds_resolved(const std::vector<NetAddress>& addresses, PeerTime now) {
    const std::int64_t now_s = to_seconds(now);
    std::vector<PeerAddress> found;
    for (const NetAddress& address : addresses) {
        // A random age between three and seven days.
        const std::int64_t day = 24 * 60 * 60;
        const auto time = static_cast<std::uint32_t>(
            now_s - 3 * day - static_cast<std::int64_t>(rng_->randrange(4 * day)));
        found.push_back(PeerAddress{NetService{address, options_.default_port}, SEED_SERVICES,
                                    time});
    }
    if (found.empty()) {
        // The seeds could not answer for our service bits: ask them as peers instead.
        for (const std::string& seed : seeds_in_flight_) addr_fetches_.push_back(seed);
    }
    for (const PeerAddress& address : found) {
        addrman_.add(std::span<const PeerAddress>(&address, 1), address.service.address, 0,
                     now_s);
    }
    seeds_in_flight_.clear();
    log(std::to_string(found.size()) + " addresses found from DNS seeds", "");
}

// --- The processing layer -----------------------------------------------------------------

void ConnectionManager::send(PeerId id, std::string_view command, ByteSpan payload) {
    Connection* c = find(id);
    if (c == nullptr || !c->peer || c->closing) return;
    c->peer->send(command, payload);
    handle_peer_actions(*c, c->last_receive > c->last_send ? c->last_receive : c->last_send);
}

void ConnectionManager::disconnect(PeerId id, std::string_view why) {
    if (Connection* c = find(id)) close(*c, why);
}

void ConnectionManager::misbehaving(PeerId id, std::string_view why) {
    Connection* c = find(id);
    if (c == nullptr) return;
    log(with_peer("Misbehaving: " + std::string(why), id));
    if (has_permission(c->permissions, permissions::NOBAN)) {
        log(with_peer("Warning: not punishing noban peer", id), "");
        return;
    }
    if (c->type == ConnectionType::manual) {
        log(with_peer("Warning: not punishing manually connected peer", id), "");
        return;
    }
    if (!c->address) {
        close(*c, why);
        return;
    }
    const NetAddress address = c->address->address;
    if (address.is_local()) {
        log(with_peer("Warning: disconnecting but not discouraging local peer", id));
        close(*c, why);
        return;
    }
    log(with_peer("disconnecting and discouraging peer", id));
    bans_.discourage(address);
    for (auto& [other_id, other] : connections_) {
        if (other.address && other.address->address == address) close(other, why);
    }
}

void ConnectionManager::message_processed(PeerId id, std::size_t bytes) {
    Connection* c = find(id);
    if (c == nullptr) return;
    c->queued_bytes -= std::min(bytes, c->queued_bytes);
    if (c->receive_paused && c->queued_bytes <= options_.max_receive_queue_bytes) {
        c->receive_paused = false;
        queue<SetReceivePaused>(id, false);
    }
}

void ConnectionManager::note_useful(PeerId id, Useful what, PeerTime now) {
    Connection* c = find(id);
    if (c == nullptr) return;
    (what == Useful::block ? c->last_block : c->last_transaction) = now;
}

// --- RPC ----------------------------------------------------------------------------------

std::vector<PeerStats> ConnectionManager::peer_stats(PeerTime now) const {
    std::vector<PeerStats> out;
    for (const auto& [id, c] : connections_) {
        if (!c.peer) continue;
        PeerStats stats;
        stats.id = id;
        stats.address = *c.address;
        stats.local_address = c.local;
        stats.type = c.type;
        stats.permissions = c.permissions;
        stats.handshake_complete = c.handshake_complete;
        stats.info = c.peer->info();
        stats.connected_time = to_seconds(c.connected_time);
        stats.last_send = to_seconds(c.last_send);
        stats.last_receive = to_seconds(c.last_receive);
        stats.last_block = to_seconds(c.last_block);
        stats.last_transaction = to_seconds(c.last_transaction);
        stats.bytes_sent = c.peer->bytes_sent();
        stats.bytes_received = c.peer->bytes_received();
        stats.bytes_sent_per_command = c.peer->bytes_sent_per_command();
        stats.bytes_received_per_command = c.peer->bytes_received_per_command();
        stats.last_ping = c.peer->last_ping();
        stats.min_ping = c.peer->min_ping();
        stats.ping_wait = c.peer->ping_wait(now);
        stats.addr_processed = c.addr_processed;
        stats.addr_rate_limited = c.addr_rate_limited;
        stats.addr_relay_enabled = c.addr_relay_enabled;
        stats.network_group = c.group;
        out.push_back(std::move(stats));
    }
    return out;
}

NetTotals ConnectionManager::totals() const { return totals_; }

std::size_t ConnectionManager::connection_count(std::optional<bool> inbound) const {
    return static_cast<std::size_t>(
        std::count_if(connections_.begin(), connections_.end(), [&](const auto& item) {
            if (!item.second.peer) return false;
            return !inbound || *inbound == (item.second.type == ConnectionType::inbound);
        }));
}

Result<void, std::string> ConnectionManager::add_node(std::string_view target,
                                                      AddNodeCommand command, PeerTime now) {
    switch (command) {
        case AddNodeCommand::add: {
            const auto service = NetService::parse(target, options_.default_port);
            for (const std::string& node : added_nodes_) {
                const auto existing = NetService::parse(node, options_.default_port);
                if (node == target || (service && existing && *service == *existing)) {
                    return fail(std::string("Error: Node already added"));
                }
            }
            added_nodes_.emplace_back(target);
            next_added_check_ = now;
            return {};
        }
        case AddNodeCommand::remove: {
            const auto it = std::find(added_nodes_.begin(), added_nodes_.end(), target);
            if (it == added_nodes_.end()) {
                return fail(std::string(
                    "Error: Node could not be removed. It has not been added previously."));
            }
            added_nodes_.erase(it);
            return {};
        }
        case AddNodeCommand::onetry: {
            if (!network_active_ || connected_to_target(target)) return {};
            auto [name, service] = normalise_target(target, options_.default_port);
            open(name, service, ConnectionType::manual, false, now);
            return {};
        }
    }
    return {};
}

std::vector<AddedNodeInfo> ConnectionManager::added_nodes() const {
    std::vector<AddedNodeInfo> out;
    for (const std::string& node : added_nodes_) {
        AddedNodeInfo info;
        info.target = node;
        const auto [name, service] = normalise_target(node, options_.default_port);
        for (const auto& [id, c] : connections_) {
            if (!c.peer) continue;
            if (c.target == name || (service && *c.address == *service)) {
                info.connected = true;
                info.address = c.address;
                info.inbound = c.type == ConnectionType::inbound;
                break;
            }
        }
        out.push_back(std::move(info));
    }
    return out;
}

bool ConnectionManager::disconnect_node(std::string_view address) {
    for (auto& [id, c] : connections_) {
        if (c.target == address || (c.address && c.address->to_string() == address)) {
            close(c, "disconnectnode");
            return true;
        }
    }
    return false;
}

bool ConnectionManager::disconnect_node(PeerId id) {
    Connection* c = find(id);
    if (c == nullptr) return false;
    close(*c, "disconnectnode");
    return true;
}

void ConnectionManager::set_network_active(bool active) {
    if (network_active_ == active) return;
    network_active_ = active;
    log(std::string("SetNetworkActive: ") + (active ? "true" : "false"), "");
    if (active) return;
    for (auto& [id, c] : connections_) close(c, "network deactivated");
}

void ConnectionManager::ping_all() {
    for (auto& [id, c] : connections_) {
        if (c.peer) c.peer->request_ping();
    }
}

void ConnectionManager::enforce_bans(PeerTime now) {
    const std::int64_t now_s = to_seconds(now);
    for (auto& [id, c] : connections_) {
        if (c.address && bans_.is_banned(c.address->address, now_s)) close(c, "banned");
    }
}

std::vector<ConnectionAction> ConnectionManager::take_actions() {
    return std::exchange(actions_, {});
}

}  // namespace bitloom
