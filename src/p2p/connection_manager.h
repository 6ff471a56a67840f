// The connection manager: every connection's life from the decision to open it (or the accept)
// to its close, as Bitcoin Core's CConnman and the address half of its PeerManager do it, with
// no sockets and no clock of its own. The I/O layer (net/network_service.h) feeds it socket
// events and performs the actions it hands out; the message-processing layer (peerman/) gets
// the application messages and answers through send(), disconnect() and misbehaving().
//
// What it owns:
//   - one Peer (p2p/peer.h) per connection: framing, handshake, ping/pong, timeouts;
//   - the address manager (p2p/addrman.h) and the ban list (p2p/banman.h);
//   - the outbound policy: -connect targets (only those, when given), added nodes (-addnode,
//     addnode RPC; at most max_addnode), then automatic connections from the address manager
//     until max_outbound_full_relay full-relay and max_block_relay_only block-relay-only
//     connections are open, never two automatic ones in the same network group; a feeler
//     every FEELER_INTERVAL (2 min, exponential) when the outbound slots are full; addr-fetch
//     connections to -seednode entries (disconnected once they answered getaddr); DNS seeds
//     (ResolveSeeds) when the address manager is empty, after 11 s with some addresses; the
//     fixed seeds after a minute without any address;
//   - inbound admission: banned addresses are refused (unless whitelisted noban); once
//     inbound slots (max_connections - outbound slots) are full one inbound peer is chosen by
//     select_node_to_evict (p2p/eviction.h) and disconnected, or the new one refused;
//   - addr, addrv2 and getaddr (these are not delivered to the processing layer): Core's rules:
//     getaddr answered once per connection and only to inbound peers, with a cached reply of
//     up to 1,000 addresses (23%); more than 1,000 entries in one addr/addrv2, or one that
//     does not decode, is misbehaviour
//     (disconnect and discourage); a token bucket of 0.1 addresses/s per peer (burst 1,000,
//     starting at 1 and raised by 1,000 when we send getaddr; peers with the addr permission
//     unlimited) drops the excess; fresh addresses (< 10 min) from
//     small messages (<= 10 entries) are relayed to 1 or 2 peers chosen by hashing the address
//     with the day; block-relay-only and feeler connections take no part in address relay.
//     On an outbound full-relay handshake: getaddr is sent, our own address is advertised
//     when listening and known. The address manager learns good()/attempt()/connected().
//   - per-peer queued bytes: application messages delivered but not yet processed
//     (message_processed()). Above max_receive_queue_bytes the connection's reading pauses
//     (SetReceivePaused) until the processing layer catches up (Core's -maxreceivebuffer).
//
// Threading: not thread-safe; the owner serialises every call (one mutex) and performs the
// returned actions in order.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <variant>
#include <vector>

#include "p2p/addrman.h"
#include "p2p/banman.h"
#include "crypto/random.h"
#include "p2p/net_address.h"
#include "p2p/peer.h"
#include "p2p/subnet.h"
#include "util/bytes.h"
#include "util/uint256.h"

namespace bitloom {

// Core's NodeId: assigned in increasing order from 0, never reused within a run.
using PeerId = std::int64_t;

enum class ConnectionType {
    inbound,
    outbound_full_relay,
    block_relay_only,
    manual,      // -connect, -addnode, addnode RPC
    feeler,      // short-lived: tests an address, disconnects after the handshake
    addr_fetch,  // -seednode: asks for addresses, disconnects after the answer
};
// getpeerinfo's connection_type: "inbound", "outbound-full-relay", "block-relay-only",
// "manual", "feeler", "addr-fetch".
std::string_view to_string(ConnectionType type);
bool is_outbound(ConnectionType type);

// Core's NetPermissionFlags (from -whitelist / -whitebind).
namespace permissions {
inline constexpr std::uint32_t NONE = 0;
inline constexpr std::uint32_t BLOOMFILTER = 1 << 1;
inline constexpr std::uint32_t RELAY = 1 << 3;
inline constexpr std::uint32_t FORCERELAY = (1 << 2) | RELAY;
inline constexpr std::uint32_t DOWNLOAD = 1 << 6;
inline constexpr std::uint32_t NOBAN = (1 << 4) | DOWNLOAD;
inline constexpr std::uint32_t MEMPOOL = 1 << 5;
inline constexpr std::uint32_t ADDR = 1 << 7;
inline constexpr std::uint32_t IMPLICIT = 1u << 31;
}  // namespace permissions
// getpeerinfo's permissions list: "bloomfilter", "noban", "forcerelay", "relay", "mempool",
// "download", "addr" (the implied ones of a combined flag included, as Core lists them).
std::vector<std::string> permission_names(std::uint32_t flags);
// Parses "perm1,perm2,...@subnet" (or "@subnet"-less subnet alone: the default set "noban,
// mempool,relay" with IMPLICIT). Errors are Core's messages.
struct WhitelistEntry {
    SubNet subnet;
    std::uint32_t flags = permissions::NONE;
};
Result<WhitelistEntry, std::string> parse_whitelist(std::string_view text);

struct ConnectionManagerOptions {
    MessageStart magic{};
    std::uint16_t default_port = 8333;
    std::uint64_t local_services = DEFAULT_LOCAL_SERVICES;
    std::string user_agent;                    // "/bitloom:0.1.0/"
    std::function<std::int32_t()> start_height;  // our best height, for the version message
    bool blocks_only = false;                  // -blocksonly: version's relay flag false
    int max_connections = 125;                 // -maxconnections (inbound + outbound)
    int max_outbound_full_relay = 8;
    int max_block_relay_only = 2;
    int max_addnode = 8;
    bool automatic_outbound = true;  // false with -connect (any value) or -noconnect
    bool listening = false;          // accepting inbound connections (-listen)
    std::vector<std::string> connect;    // -connect targets ("host[:port]")
    std::vector<std::string> add_nodes;  // -addnode targets
    std::vector<std::string> seed_nodes; // -seednode targets
    std::vector<std::string> dns_seeds;  // the network's seeds when -dnsseed (else empty)
    std::vector<PeerAddress> fixed_seeds;  // when -fixedseeds (else empty)
    // Networks outbound connections and stored addresses may use (-onlynet); empty: IPv4 and
    // IPv6 (Core's default without -proxy/-onion/-i2psam/-cjdnsreachable).
    std::set<Network> reachable;
    std::vector<WhitelistEntry> whitelist;
    // Addresses of ours to advertise (-externalip, or learnt from local interfaces).
    std::vector<NetService> local_addresses;
    std::size_t max_receive_queue_bytes = 5'000'000;
    Uint256 addrman_key;   // for a fresh address manager (random)
    Uint256 random_seed;   // seeds every random choice (random; fixed in tests)
};

// --- What the processing layer receives -------------------------------------------------
struct PeerConnected {  // the handshake completed
    PeerId id;
    PeerInfo info;
    ConnectionType type;
    NetService address;
    std::uint32_t permissions = permissions::NONE;
};
struct PeerMessage {
    PeerId id;
    std::string command;
    Bytes payload;
};
struct PeerDisconnected {  // sent only for peers that were announced with PeerConnected
    PeerId id;
};
using NetEvent = std::variant<PeerConnected, PeerMessage, PeerDisconnected>;

// --- Actions for the I/O layer ----------------------------------------------------------
struct OpenConnection {
    PeerId id;
    // What to connect to: "host:port" for names (-connect, -addnode, -seednode), else the
    // address's to_string(). `service` is set when the target is an address.
    std::string target;
    std::optional<NetService> service;
    ConnectionType type;
};
struct WriteBytes {
    PeerId id;
    Bytes bytes;
};
struct CloseConnection {
    PeerId id;
};
struct SetReceivePaused {
    PeerId id;
    bool paused;
};
struct ResolveSeeds {  // resolve these names; hand the answers to seeds_resolved()
    std::vector<std::string> hosts;
};
struct DeliverEvent {
    NetEvent event;
};
struct LogLine {
    std::string category;  // Core's -debug categories: "net", "addrman", ...; "" always shown
    std::string text;
};
using ConnectionAction = std::variant<OpenConnection, WriteBytes, CloseConnection,
                                      SetReceivePaused, ResolveSeeds, DeliverEvent, LogLine>;

// --- Reports for RPC --------------------------------------------------------------------
struct PeerStats {  // one getpeerinfo entry
    PeerId id;
    NetService address;
    std::optional<NetService> local_address;
    ConnectionType type;
    std::uint32_t permissions = permissions::NONE;
    bool handshake_complete = false;
    PeerInfo info;
    std::int64_t connected_time = 0;    // seconds
    std::int64_t last_send = 0;         // seconds, 0: never
    std::int64_t last_receive = 0;
    std::int64_t last_block = 0;        // note_useful
    std::int64_t last_transaction = 0;
    std::uint64_t bytes_sent = 0;
    std::uint64_t bytes_received = 0;
    std::map<std::string, std::uint64_t> bytes_sent_per_command;
    std::map<std::string, std::uint64_t> bytes_received_per_command;
    std::optional<PeerTime> last_ping, min_ping, ping_wait;
    std::uint64_t addr_processed = 0;
    std::uint64_t addr_rate_limited = 0;
    bool addr_relay_enabled = false;
    Bytes network_group;  // for the mapped_as-free "network" / diversity reports
};
struct NetTotals {
    std::uint64_t bytes_received = 0;
    std::uint64_t bytes_sent = 0;
};
enum class AddNodeCommand { add, remove, onetry };
struct AddedNodeInfo {
    std::string target;
    bool connected = false;
    std::optional<NetService> address;  // when connected
    bool inbound = false;
};

class ConnectionManager {
public:
    explicit ConnectionManager(ConnectionManagerOptions options);

    // Persistence: the address manager (peers.dat content, p2p/addrman.h format) and the ban
    // list (banlist.dat content, p2p/banman.h format). load_* replace the current state and
    // fail on damaged data (the caller logs it and starts empty, as Core does).
    Result<void, std::string> load_addresses(ByteSpan data);
    Bytes save_addresses() const;
    Result<void, std::string> load_bans(ByteSpan data);
    Bytes save_bans() const;

    // --- Socket events (I/O layer) ---
    // An inbound connection from `remote` arrived on `local`. Returns the new peer's id, or
    // nullopt when it is refused (banned, no slot, network inactive); the caller then closes
    // the socket. An eviction queues a CloseConnection for the victim.
    std::optional<PeerId> accepted(const NetService& remote, const NetService& local, PeerTime now);
    // An OpenConnection finished: the socket is connected (the peer sends its version now),
    // or the attempt failed (the address manager counts the failure).
    void connected(PeerId id, const NetService& remote, const NetService& local, PeerTime now);
    void connect_failed(PeerId id, std::string_view error, PeerTime now);
    void received(PeerId id, ByteSpan data, PeerTime now);
    // The socket closed (remote close, error, or after our CloseConnection).
    void closed(PeerId id, std::string_view why, PeerTime now);
    // Timeouts, pings, outbound decisions, feelers, seeds. Call about once a second.
    void tick(PeerTime now);
    void seeds_resolved(const std::vector<NetAddress>& addresses, PeerTime now);

    // --- Processing layer ---
    void send(PeerId id, std::string_view command, ByteSpan payload);
    void disconnect(PeerId id, std::string_view why);
    // Core's Misbehaving + MaybeDiscourageAndDisconnect: noban and manual peers are kept
    // (logged only); a peer from a local address is disconnected but not discouraged; any
    // other peer's address is discouraged and every connection from that address closed.
    void misbehaving(PeerId id, std::string_view why);
    // The processing layer finished with `bytes` of a delivered PeerMessage's payload.
    void message_processed(PeerId id, std::size_t bytes);
    enum class Useful { block, transaction };
    void note_useful(PeerId id, Useful what, PeerTime now);

    // --- RPC ---
    std::vector<PeerStats> peer_stats(PeerTime now) const;
    NetTotals totals() const;
    std::size_t connection_count(std::optional<bool> inbound = std::nullopt) const;
    Result<void, std::string> add_node(std::string_view target, AddNodeCommand command, PeerTime now);
    std::vector<AddedNodeInfo> added_nodes() const;
    // disconnectnode: by address text ("1.2.3.4:8333") or by id. False: no such peer.
    bool disconnect_node(std::string_view address);
    bool disconnect_node(PeerId id);
    void set_network_active(bool active);  // false closes every connection and stops new ones
    bool network_active() const { return network_active_; }
    void ping_all();                       // each ready peer pings at its next tick
    BanMan& bans() { return bans_; }       // setban/listbanned/clearbanned; callers then call
    void enforce_bans(PeerTime now);       // ... this to drop connected banned peers
    AddrMan& addresses() { return addrman_; }  // getnodeaddresses, addpeeraddress

    std::vector<ConnectionAction> take_actions();

private:
    // A bounded set of address keys a peer is known to have (Core's m_addr_known).
    class KnownAddresses {
    public:
        static constexpr std::size_t CAPACITY = 5000;
        bool contains(std::uint64_t key) const { return keys_.contains(key); }
        void insert(std::uint64_t key);
        void clear();

    private:
        std::unordered_set<std::uint64_t> keys_;
        std::deque<std::uint64_t> order_;
    };

    struct Connection {
        PeerId id = 0;
        ConnectionType type = ConnectionType::inbound;
        std::string target;                  // OpenConnection's target; "" for inbound
        std::optional<NetService> address;   // the remote, once known
        std::optional<NetService> local;
        std::uint32_t permissions = permissions::NONE;
        std::optional<Peer> peer;            // from accepted() / connected()
        std::uint64_t nonce = 0;             // our version nonce
        bool count_failure = false;          // addrman attempt() counts a failure
        bool closing = false;                // CloseConnection queued
        bool handling = false;               // inside handle_peer_actions
        bool announced = false;              // PeerConnected delivered
        bool handshake_complete = false;
        bool prefer_evict = false;
        PeerTime connected_time{};
        PeerTime last_send{}, last_receive{};
        PeerTime last_block{}, last_transaction{};
        std::size_t queued_bytes = 0;        // delivered, not yet processed
        bool receive_paused = false;
        // Address relay (Core's Peer::m_addr_*).
        bool addr_relay_enabled = false;
        bool getaddr_sent = false;
        bool getaddr_received = false;
        double addr_token_bucket = 1.0;
        PeerTime addr_token_timestamp{};
        std::uint64_t addr_processed = 0;
        std::uint64_t addr_rate_limited = 0;
        std::vector<PeerAddress> addrs_to_send;
        KnownAddresses addr_known;
        PeerTime next_addr_send{};
        PeerTime next_local_addr_send{};
        Bytes group;
        std::uint64_t keyed_group = 0;
    };
    struct CachedAddrResponse {
        std::vector<PeerAddress> addresses;
        PeerTime expiration{};
    };
    struct ConnectTarget {  // a -connect entry
        std::string target;
        PeerTime next_attempt{};
    };

    template <typename Action, typename... Args>
    void queue(Args&&... args) {
        actions_.emplace_back(std::in_place_type<Action>, std::forward<Args>(args)...);
    }
    void log(std::string text, std::string category = "net");
    Connection* find(PeerId id);
    const Connection* find(PeerId id) const;
    PeerId open(std::string target, std::optional<NetService> service, ConnectionType type,
                bool count_failure, PeerTime now);
    void start_peer(Connection& connection, PeerTime now);
    void handle_peer_actions(Connection& connection, PeerTime now);
    void on_handshake(Connection& connection, PeerTime now);
    void on_application_message(Connection& connection, ApplicationMessage message,
                                PeerTime now);
    void on_addr(Connection& connection, std::string_view command, ByteSpan payload,
                 PeerTime now);
    void on_getaddr(Connection& connection, PeerTime now);
    void push_address(Connection& connection, const PeerAddress& address);
    void relay_address(PeerId from, const PeerAddress& address, bool reachable, PeerTime now);
    void maybe_send_addr(Connection& connection, PeerTime now);
    std::optional<PeerAddress> local_address_for(const Connection& connection,
                                                 PeerTime now) const;
    void close(Connection& connection, std::string_view why);
    bool attempt_to_evict();
    void open_connections(PeerTime now);
    void open_automatic(PeerTime now);
    void maybe_add_fixed_seeds(PeerTime now);
    void process_dns_seeds(PeerTime now);
    bool is_reachable(Network network) const;
    std::vector<Network> reachable_networks() const;
    bool is_our_address(const NetAddress& address) const;
    bool connected_to_address(const NetAddress& address) const;
    bool connected_to_target(std::string_view target) const;
    bool is_added_node(const NetService& service) const;
    std::uint32_t inbound_permissions(const NetAddress& address) const;
    int inbound_slots() const;
    int full_outbound_count() const;
    std::uint64_t address_key(const NetService& service) const;
    PeerTime exponential(PeerTime now, PeerTime average);

    ConnectionManagerOptions options_;
    AddrMan addrman_;
    BanMan bans_;
    bool network_active_ = true;

    // Shared with each Peer's callbacks, so that the manager can be moved.
    std::shared_ptr<FastRandom> rng_;
    std::shared_ptr<std::set<std::uint64_t>> local_nonces_;
    std::uint64_t group_k0_ = 0, group_k1_ = 0;  // keyed network groups (eviction)
    std::uint64_t relay_k0_ = 0, relay_k1_ = 0;  // address relay destinations and keys

    std::map<PeerId, Connection> connections_;
    PeerId next_id_ = 0;
    std::vector<ConnectionAction> actions_;
    NetTotals totals_;

    std::vector<ConnectTarget> connect_targets_;
    std::vector<std::string> added_nodes_;
    PeerTime next_added_check_{};
    std::deque<std::string> addr_fetches_;
    std::map<std::pair<Network, std::optional<NetService>>, CachedAddrResponse> addr_cache_;

    std::optional<PeerTime> start_;  // the first tick
    PeerTime next_feeler_{};
    bool add_fixed_seeds_ = true;
    // DNS seeding (Core's ThreadDNSAddressSeed as a state machine).
    enum class SeedPhase { waiting_for_seed_nodes, deciding, querying, done };
    SeedPhase seed_phase_ = SeedPhase::waiting_for_seed_nodes;
    std::vector<std::string> seeds_left_;
    std::size_t seeds_right_now_ = 0;
    std::optional<PeerTime> seeds_wait_until_;
    std::vector<std::string> seeds_in_flight_;
};

}  // namespace bitloom
