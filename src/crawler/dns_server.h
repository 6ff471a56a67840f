// A DNS seed server over UDP: answers A and AAAA queries for a zone ("seed.example.com") with a
// random sample of the good nodes the crawler last handed it, as sipa's bitcoin-seeder does.
//
// Packets: one UDP datagram per query and per response; the codec is crawler/dns.h. Names are
// answered as answer_seed_query does: the apex and "x<hex>." service-filter names get
// addresses (each a node whose services include every bit asked for), other names under the
// zone NXDOMAIN, names outside it REFUSED, malformed packets FORMERR, responses nothing.
//
// Size (no amplification): a response never exceeds the size the query allows, 512 bytes, or
// with an EDNS0 OPT record (RFC 6891) in the query the payload size it advertises, clamped to
// [512, max_udp_size]. A query with an OPT record gets one back (version 0, no options,
// advertising max_udp_size):
//   opt := 0x00 type:u16(41) udp_payload:u16 extended_rcode:u8(0) version:u8(0) flags:u16(0)
//          rdlength:u16(0)
// The server picks how many addresses fit, so it never sets TC (a TCP retry would find no
// server): at most max_addresses, then as many as the size allows.
//
// Threads: start() binds the socket and runs the server on its own thread (poll on the socket
// and on an eventfd that stop() signals). update_seeds() may be called from any thread at any
// time; each query sees one whole snapshot. stop() and the destructor join the thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "crawler/dns.h"
#include "crawler/node_stats.h"
#include "net/socket.h"
#include "p2p/net_address.h"
#include "util/result.h"

namespace bitloom {

struct DnsServerConfig {
    NetService bind;  // e.g. 127.0.0.1:0 (the kernel picks the port; see local_address())
    SeedZone zone;
    std::size_t max_addresses = 32;  // per response, both families together
    std::size_t max_udp_size = 1232;  // the most an EDNS0 query may get (at least 512)
};

// The configuration of `bitloom crawl --dns-port PORT --dns-host HOST`: HOST as the zone, bound
// on every IPv4 address (0.0.0.0:PORT), with the NS and SOA records of `name_server` and
// `mailbox` when given (as the seeder's -n and -m). Fails for a HOST that is not a dotted name
// of labels 1..63 bytes (or is the root).
Result<DnsServerConfig, std::string> dns_server_config(std::string_view host, std::uint16_t port,
                                                       std::string_view name_server = "",
                                                       std::string_view mailbox = "");

// One address the server may hand out, with the services its node reported.
struct SeedEntry {
    NetAddress address;  // IPv4 or IPv6
    std::uint64_t services = 0;
};

// The good nodes among `nodes` as seed entries: is_good(node, criteria), not banned at `now`,
// and reachable over plain IPv4 or IPv6 (a DNS answer cannot carry Tor, I2P or CJDNS).
std::vector<SeedEntry> select_seed_entries(const std::vector<NodeRecord>& nodes,
                                           const GoodCriteria& criteria, std::int64_t now);

// Counters since start(), readable from any thread.
struct DnsServerStats {
    std::uint64_t received = 0;  // datagrams read
    std::uint64_t answered = 0;  // responses sent
    std::uint64_t dropped = 0;   // datagrams not answered (responses, runts, send failures)
};

class DnsSeedServer {
public:
    // Binds a UDP socket on config.bind and starts the server thread. Fails with the bind
    // step's message.
    static Result<std::unique_ptr<DnsSeedServer>, std::string> start(DnsServerConfig config);

    ~DnsSeedServer();  // stop()
    DnsSeedServer(const DnsSeedServer&) = delete;
    DnsSeedServer& operator=(const DnsSeedServer&) = delete;

    // The bound address (with the port the kernel chose).
    const NetService& local_address() const { return local_; }

    // Replaces the set handed out with `entries` (entries of other networks are ignored).
    void update_seeds(std::vector<SeedEntry> entries);
    // update_seeds(select_seed_entries(nodes, criteria, now)).
    void update_seeds(const std::vector<NodeRecord>& nodes, const GoodCriteria& criteria,
                      std::int64_t now);
    std::size_t seed_count() const;

    DnsServerStats stats() const;

    // Stops answering and joins the thread; idempotent.
    void stop();

private:
    struct Snapshot;
    DnsSeedServer(DnsServerConfig config, Socket socket, Socket wakeup, NetService local);
    void serve();
    std::shared_ptr<const Snapshot> snapshot() const;

    const DnsServerConfig config_;
    Socket socket_;
    Socket wakeup_;  // an eventfd; stop() writes to it
    NetService local_;
    mutable std::mutex mutex_;
    std::shared_ptr<const Snapshot> seeds_;  // guarded by mutex_
    std::atomic<std::uint64_t> received_{0};
    std::atomic<std::uint64_t> answered_{0};
    std::atomic<std::uint64_t> dropped_{0};
    std::thread thread_;
};

// The UDP payload size an EDNS0 OPT record in `packet` advertises; 0 when the packet has none
// (or does not parse far enough to tell).
std::size_t dns_edns_payload_size(ByteSpan packet);

}  // namespace bitloom
