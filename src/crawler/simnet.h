// A simulated Bitcoin network for the crawler's tests and benchmarks: one process that plays N
// nodes (default 10,000), each on its own loopback address 127.x.y.z and all on one port, with
// its own protocol version, user agent, services, start height, address book and behaviour,
// plus a SOCKS5 endpoint on 127.0.0.1 that serves some of the nodes as Tor v3 `.onion`
// addresses. Everything is drawn from a seed: the same options give the same network.
//
// Addresses. Node i (and after the nodes, the fake addresses) takes the i-th address of the
// sequence 127.0.0.2, 127.0.0.3, ..., 127.0.0.254, 127.0.1.1, ..., 127.0.1.254, 127.0.2.1, ...
// (127.0.0.1 and every address ending in .0 or .255 are skipped). Onion nodes keep their
// slot unused and are known only by their onion name. Fake addresses have no listener.
//
// Behaviour of a node towards a connection (SimBehaviour):
//   healthy   answers like Bitcoin Core as the inbound side: on `version` it sends version,
//             then wtxidrelay and sendaddrv2 (when both sides speak 70016), then verack;
//             answers ping with pong after the handshake, and the first getaddr after the
//             handshake with up to MAX_ADDR_TO_SEND (1,000) entries of its address book, as
//             one addrv2 message when the client sent sendaddrv2 before its verack and the
//             node speaks 70016, as addr (without onion entries) otherwise. Later getaddrs
//             on the same connection are ignored, as are messages before the handshake.
//   slow      healthy, but every byte it sends leaves latency_ms (drawn per node from
//             [latency_min_ms, latency_max_ms]) after the request that caused it.
//   refused   has no listener: connections are refused (through SOCKS5: reply 0x05
//             "connection refused" for an IPv4 destination, 0xf0 "onion service descriptor
//             can not be found" for an onion name).
//   silent    accepts, reads and discards everything, never sends a byte.
//   wrong_magic  answers the first bytes it receives with version and verack framed with
//             `foreign_magic` (another network's), then closes.
//   garbage   answers the first bytes it receives with 64..255 random bytes whose first four
//             are no network's magic, then reads and discards; it never closes by itself.
//   disconnect_mid_handshake  answers version with its version (no verack), then closes.
//
// Address books. Node i's book is a random sample of the other nodes (recent entries, aged
// 0..1 day, and stale ones, aged 10..60 days) plus fake entries (127/8 addresses and onion
// names that no node answers on, aged 0..7 days), in random order; its size is drawn from
// [book_min, book_max]. A getaddr gets the first 1,000 entries (see getaddr_answer()). The
// books are not stored: each is regenerated from the seed when needed (a few extra entries
// per node, kept in a table, are appended so that every node can be found; see
// entry_points()). Timestamps sent on the wire are `now - age`.
//
// SOCKS5 (RFC 1928, server side; the client is net/socks5.h): methods 0x02 (any username and
// password is accepted, as Tor does for stream isolation) or 0x00; CONNECT only. A domain
// name `<name>.onion` of an onion node on the network's port is bridged, inside the process,
// to that node's behaviour on the same socket; an IPv4 destination in 127/8 is bridged to
// the node with that address. Anything else is refused with 0x02 ("connection not allowed by
// ruleset"); unknown onion names with 0xf0. Nothing is ever dialled.
//
// Safety: the simulator only binds listeners on 127/8 and only answers connections it
// accepted from 127/8 (asserted); it never opens a connection of its own.
//
// File descriptors: one listening socket per node that has one (every IPv4 node that is not
// `refused`), one for the SOCKS5 endpoint, two for the reactor, and one per open
// connection. start() raises the soft RLIMIT_NOFILE to the hard limit and fails when that is
// below descriptors_needed() (10,000 nodes with the default shares need 7,667 plus the
// connections; a crawler in the same process needs one more per connection it makes).
//
// Threading: the model (everything before start(), and every const accessor) is immutable
// after construction and may be read from any thread. start() runs the I/O on one thread of
// its own until stop() or destruction.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "p2p/net_address.h"
#include "p2p/protocol.h"
#include "util/result.h"

namespace bitloom {

enum class SimBehaviour : std::uint8_t {
    healthy,
    slow,
    refused,
    silent,
    wrong_magic,
    garbage,
    disconnect_mid_handshake,
};
// "healthy", "slow", "refused", "silent", "wrong_magic", "garbage",
// "disconnect_mid_handshake".
std::string_view to_string(SimBehaviour behaviour);
// Whether a node of this behaviour completes a handshake and answers getaddr.
inline bool answers_getaddr(SimBehaviour behaviour) {
    return behaviour == SimBehaviour::healthy || behaviour == SimBehaviour::slow;
}

struct SimulatedNetworkOptions {
    std::size_t nodes = 10'000;  // 1 .. 16,000,000
    std::uint64_t seed = 1;
    MessageStart magic{0xf9, 0xbe, 0xb4, 0xd9};          // mainnet
    MessageStart foreign_magic{0x1c, 0x16, 0x3f, 0x28};  // testnet4: spoken by wrong_magic
    // The port every node listens on; 0: start() picks one that is free on every node address.
    std::uint16_t port = 8333;
    std::uint16_t socks_port = 0;  // the SOCKS5 endpoint on 127.0.0.1; 0: a free one

    // Shares of all nodes, drawn as exact counts (rounded) and assigned at random.
    double unreachable_share = 0.2;  // refused
    double silent_share = 0.02;
    double wrong_magic_share = 0.02;
    double garbage_share = 0.02;
    double mid_handshake_share = 0.02;
    // Share of the remaining (answering) nodes that are slow.
    double slow_share = 0.25;
    std::uint32_t latency_min_ms = 50;
    std::uint32_t latency_max_ms = 200;
    // Share of all nodes reachable only as .onion through the SOCKS5 endpoint.
    double onion_share = 0.05;

    std::size_t book_min = 50;
    std::size_t book_max = 1500;
    double stale_share = 0.1;  // of each book's entries
    double fake_share = 0.05;  // of each book's entries
    // How many fake addresses exist (0: nodes / 10, at least 1); an onion_share of them
    // (rounded) are onion names, the rest 127/8 addresses.
    std::size_t fake_addresses = 0;
    std::size_t entry_point_count = 3;
    std::int32_t best_height = 900'000;
};

// The ground truth about one node.
struct SimulatedNode {
    std::size_t index = 0;
    NetService address;  // 127.x.y.z:port, or <name>.onion:port
    SimBehaviour behaviour = SimBehaviour::healthy;
    std::uint32_t latency_ms = 0;  // non-zero only for slow nodes
    std::int32_t version = 0;
    std::uint64_t services = 0;
    std::string_view user_agent;  // shared, lives as long as the program
    std::int32_t start_height = 0;
    bool relay = true;
    bool is_onion() const { return address.address.is_tor(); }
};

enum class BookEntryKind : std::uint8_t { live, stale, fake };
std::string_view to_string(BookEntryKind kind);

struct SimulatedBookEntry {
    NetService service;
    std::uint64_t services = 0;
    std::uint32_t age_seconds = 0;
    BookEntryKind kind = BookEntryKind::live;
    std::optional<std::size_t> node;  // the node it names; nullopt for fake entries
};

// Counters of the running simulator (read from any thread).
struct SimulatedNetworkStats {
    std::uint64_t accepted = 0;            // connections accepted (including SOCKS5)
    std::uint64_t handshakes = 0;          // versions answered by healthy/slow nodes
    std::uint64_t getaddr_answers = 0;
    std::uint64_t socks_connects = 0;      // SOCKS5 CONNECTs bridged to a node
    std::uint64_t open_connections = 0;
    std::uint64_t peak_open_connections = 0;
};

class SimulatedNetwork {
public:
    // Builds the model (no sockets). Options out of range (no nodes, shares outside [0, 1]
    // or summing above 1, latency_min_ms > latency_max_ms, book_min > book_max) are
    // programmer errors (asserted).
    explicit SimulatedNetwork(SimulatedNetworkOptions options);
    ~SimulatedNetwork();  // stop()s
    SimulatedNetwork(const SimulatedNetwork&) = delete;
    SimulatedNetwork& operator=(const SimulatedNetwork&) = delete;

    // Raises RLIMIT_NOFILE, binds every listener and starts the I/O thread. Fails (nothing
    // left bound) when descriptors are short or an address:port is taken. Call once.
    Result<void, std::string> start();
    // Stops the I/O thread and closes every socket. Idempotent.
    void stop();
    bool running() const { return thread_.joinable(); }

    const SimulatedNetworkOptions& options() const { return options_; }
    // The nodes' port: options().port, or after start() the one chosen for port 0.
    std::uint16_t port() const { return port_; }
    // The SOCKS5 endpoint, valid after start().
    NetService socks_proxy() const { return socks_proxy_; }

    std::size_t size() const { return nodes_.size(); }
    SimulatedNode node(std::size_t index) const;
    // The whole book, in order.
    std::vector<SimulatedBookEntry> address_book(std::size_t index) const;
    // What the node's first getaddr yields: the first 1,000 book entries; without `addrv2`
    // (or when the node is older than 70016) the onion entries among them are left out.
    // Empty for nodes that do not answer getaddr.
    std::vector<SimulatedBookEntry> getaddr_answer(std::size_t index, bool addrv2) const;
    // The node at `address` (its port must be port()); nullopt for fake and unknown ones.
    std::optional<std::size_t> find(const NetService& address) const;
    // The first entry_point_count answering IPv4 nodes (by index), to start a crawl from.
    // Every node is in the getaddr answer (addrv2) of some answering IPv4 node that a crawl
    // from the first of them reaches (provided some book had room for the entries added to
    // make it so). The books do not depend on entry_point_count.
    std::vector<std::size_t> entry_points() const { return entry_points_; }
    // How many nodes of the behaviour there are (onion ones included).
    std::size_t count(SimBehaviour behaviour) const;
    std::size_t onion_count() const { return onion_nodes_; }

    // Listening sockets start() opens (node listeners and the SOCKS5 endpoint), and the
    // descriptors it needs before any connection: those plus the reactor's two and a margin.
    std::size_t listener_count() const;
    std::size_t descriptors_needed() const { return listener_count() + 64; }
    // Heap bytes held by the model (node records, onion names, extra book entries).
    std::size_t model_bytes() const;

    SimulatedNetworkStats stats() const;

    // The ground truth as JSON:
    //   {"seed":S,"port":P,"magic":"f9beb4d9","socks_proxy":"127.0.0.1:9050"|null,
    //    "entry_points":[i...],
    //    "fake_addresses":["127.a.b.c:P"|"<name>.onion:P", ...],
    //    "nodes":[{"index":i,"address":"...","network":"ipv4"|"onion","behaviour":"...",
    //              "latency_ms":n,"version":n,"user_agent":"...","services":n,
    //              "start_height":n,"relay":true|false,
    //              "book":[id...],"stale":[id...]}, ...]}
    //   A book id below the node count is that node; id = nodes + k is fake_addresses[k].
    //   "stale" lists the ids of the book's stale entries. Without `books`, both are left out.
    std::string export_json(bool books = true) const;

private:
    struct NodeRecord {
        std::uint64_t services = 0;
        std::int32_t version = 0;
        std::int32_t start_height = 0;
        std::uint32_t book_size = 0;  // generated entries (extras come on top)
        std::int32_t onion = -1;      // index into onion_keys_, or -1
        std::uint16_t latency_ms = 0;
        SimBehaviour behaviour = SimBehaviour::healthy;
        std::uint8_t agent = 0;
        bool relay = true;
    };
    class Server;

    // Book ids: [0, nodes) nodes, then fake IPv4 addresses, then fake onion names. Entries
    // are ids, with STALE_BIT set on stale ones.
    static constexpr std::uint32_t STALE_BIT = 0x8000'0000u;
    std::vector<std::uint32_t> book_ids(std::size_t index) const;
    SimulatedBookEntry describe_entry(std::size_t index, std::uint32_t id) const;
    NetService address_of_id(std::uint32_t id) const;
    void build();
    void ensure_discoverable();

    SimulatedNetworkOptions options_;
    std::uint16_t port_ = 0;
    NetService socks_proxy_;
    std::vector<NodeRecord> nodes_;
    std::size_t fake_ipv4_ = 0;
    std::size_t fake_onion_ = 0;
    std::size_t onion_nodes_ = 0;
    std::vector<std::array<std::uint8_t, 32>> onion_keys_;  // onion nodes, then fake onions
    std::unordered_map<std::string, std::uint32_t> onion_ids_;  // key bytes -> book id
    std::unordered_map<std::uint32_t, std::vector<std::uint32_t>> extra_entries_;
    std::vector<std::size_t> entry_points_;

    std::unique_ptr<Server> server_;
    std::thread thread_;
};

}  // namespace bitloom
