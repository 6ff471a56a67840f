#include "crawler/dns_server.h"

#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <optional>
#include <utility>

#include "crypto/random.h"

namespace bitloom {

struct DnsSeedServer::Snapshot {
    std::vector<SeedEntry> ipv4;
    std::vector<SeedEntry> ipv6;
};

namespace {

constexpr std::uint16_t DNS_TYPE_OPT = 41;
constexpr std::size_t HEADER_SIZE = 12;
constexpr std::size_t OPT_RECORD_SIZE = 11;
constexpr std::size_t A_RECORD_SIZE = 2 + 10 + 4;
constexpr std::size_t AAAA_RECORD_SIZE = 2 + 10 + 16;

std::uint16_t u16_at(ByteSpan bytes, std::size_t at) {
    return static_cast<std::uint16_t>((bytes[at] << 8) | bytes[at + 1]);
}

// The offset just past the name at `at`, or nullopt if it runs off the end.
std::optional<std::size_t> skip_name(ByteSpan packet, std::size_t at) {
    for (;;) {
        if (at >= packet.size()) return std::nullopt;
        std::uint8_t length = packet[at];
        if ((length & 0xC0) == 0xC0) {
            if (at + 1 >= packet.size()) return std::nullopt;
            return at + 2;
        }
        if ((length & 0xC0) != 0) return std::nullopt;
        if (length == 0) return at + 1;
        at += 1 + std::size_t{length};
    }
}

// The wire size of a dotted name ("a.b" -> 1+1+1+1+1 = 5).
std::size_t wire_name_size(const std::string& name) {
    if (name.empty() || name == ".") return 1;
    std::size_t size = name.size() + 2;
    if (name.back() == '.') --size;
    return size;
}

// `count` entries drawn without replacement from `pool` where (services & required) ==
// required.
std::vector<const SeedEntry*> sample(const std::vector<SeedEntry>& pool, std::uint64_t required,
                                     std::size_t count, FastRandom& random) {
    std::vector<const SeedEntry*> matching;
    for (const SeedEntry& entry : pool) {
        if ((entry.services & required) == required) matching.push_back(&entry);
    }
    count = std::min(count, matching.size());
    for (std::size_t i = 0; i < count; ++i) {
        std::size_t pick = i + static_cast<std::size_t>(random.randrange(matching.size() - i));
        std::swap(matching[i], matching[pick]);
    }
    matching.resize(count);
    return matching;
}

Result<Socket, std::string> bind_udp(const NetService& address) {
    auto socket_address = to_socket_address(address);
    if (!socket_address) return fail("bind: not an IPv4 or IPv6 address: " + address.to_string());
    int family = socket_address->storage.ss_family;
    Socket socket(::socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!socket.valid()) return fail("socket: " + errno_text(errno));
    if (family == AF_INET6) {
        int one = 1;
        setsockopt(socket.fd(), IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    }
    if (::bind(socket.fd(), socket_address->get(), socket_address->length) != 0) {
        return fail("bind " + address.to_string() + ": " + errno_text(errno));
    }
    return socket;
}

}  // namespace

std::size_t dns_edns_payload_size(ByteSpan packet) {
    if (packet.size() < HEADER_SIZE) return 0;
    const std::size_t questions = u16_at(packet, 4);
    const std::size_t before_additional = std::size_t{u16_at(packet, 6)} + u16_at(packet, 8);
    const std::size_t records = before_additional + u16_at(packet, 10);
    std::size_t at = HEADER_SIZE;
    for (std::size_t i = 0; i < questions; ++i) {
        auto end = skip_name(packet, at);
        if (!end || *end + 4 > packet.size()) return 0;
        at = *end + 4;
    }
    for (std::size_t i = 0; i < records; ++i) {  // each record is at least 11 bytes: bounded
        auto end = skip_name(packet, at);
        if (!end || *end + 10 > packet.size()) return 0;
        at = *end;
        const std::uint16_t type = u16_at(packet, at);
        const std::uint16_t payload = u16_at(packet, at + 2);
        const std::size_t rdlength = u16_at(packet, at + 8);
        if (i >= before_additional && type == DNS_TYPE_OPT) {
            return std::max<std::size_t>(payload, DNS_UDP_MAX);  // RFC 6891: below 512 is 512
        }
        at += 10 + rdlength;
        if (at > packet.size()) return 0;
    }
    return 0;
}

Result<DnsServerConfig, std::string> dns_server_config(std::string_view host, std::uint16_t port,
                                                       std::string_view name_server,
                                                       std::string_view mailbox) {
    auto zone = split_dns_name(host);
    if (!zone || zone->empty()) return fail("not a DNS name: \"" + std::string(host) + "\"");
    DnsServerConfig config;
    config.bind = NetService{NetAddress::ipv4({0, 0, 0, 0}), port};
    config.zone.zone = std::move(*zone);
    config.zone.name_server = std::string(name_server);
    config.zone.mailbox = std::string(mailbox);
    return config;
}

std::vector<SeedEntry> select_seed_entries(const std::vector<NodeRecord>& nodes,
                                           const GoodCriteria& criteria, std::int64_t now) {
    std::vector<SeedEntry> entries;
    for (const NodeRecord& node : nodes) {
        const NetAddress& address = node.service.address;
        if (!address.is_ipv4() && !address.is_ipv6()) continue;
        if (is_banned(node, now) || !is_good(node, criteria)) continue;
        entries.push_back(SeedEntry{address, node.handshake.services});
    }
    return entries;
}

Result<std::unique_ptr<DnsSeedServer>, std::string> DnsSeedServer::start(DnsServerConfig config) {
    config.max_udp_size = std::clamp<std::size_t>(config.max_udp_size, DNS_UDP_MAX, 65535);
    auto socket = bind_udp(config.bind);
    if (!socket) return fail(socket.error());
    auto local = bitloom::local_address(*socket);
    if (!local) return fail(local.error());
    Socket wakeup(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
    if (!wakeup.valid()) return fail("eventfd: " + errno_text(errno));
    std::unique_ptr<DnsSeedServer> server(
        new DnsSeedServer(std::move(config), std::move(*socket), std::move(wakeup), *local));
    server->thread_ = std::thread([raw = server.get()] { raw->serve(); });
    return server;
}

DnsSeedServer::DnsSeedServer(DnsServerConfig config, Socket socket, Socket wakeup,
                             NetService local)
    : config_(std::move(config)),
      socket_(std::move(socket)),
      wakeup_(std::move(wakeup)),
      local_(local),
      seeds_(std::make_shared<const Snapshot>()) {}

DnsSeedServer::~DnsSeedServer() { stop(); }

void DnsSeedServer::stop() {
    if (!thread_.joinable()) return;
    std::uint64_t one = 1;
    [[maybe_unused]] auto written = write(wakeup_.fd(), &one, sizeof one);
    thread_.join();
}

void DnsSeedServer::update_seeds(std::vector<SeedEntry> entries) {
    auto snapshot = std::make_shared<Snapshot>();
    for (SeedEntry& entry : entries) {
        if (entry.address.is_ipv4()) {
            snapshot->ipv4.push_back(std::move(entry));
        } else if (entry.address.is_ipv6()) {
            snapshot->ipv6.push_back(std::move(entry));
        }
    }
    std::lock_guard lock(mutex_);
    seeds_ = std::move(snapshot);
}

void DnsSeedServer::update_seeds(const std::vector<NodeRecord>& nodes,
                                 const GoodCriteria& criteria, std::int64_t now) {
    update_seeds(select_seed_entries(nodes, criteria, now));
}

std::shared_ptr<const DnsSeedServer::Snapshot> DnsSeedServer::snapshot() const {
    std::lock_guard lock(mutex_);
    return seeds_;
}

std::size_t DnsSeedServer::seed_count() const {
    auto seeds = snapshot();
    return seeds->ipv4.size() + seeds->ipv6.size();
}

DnsServerStats DnsSeedServer::stats() const {
    return DnsServerStats{received_.load(), answered_.load(), dropped_.load()};
}

void DnsSeedServer::serve() {
    FastRandom random;
    Bytes buffer(65536);
    pollfd fds[2] = {{socket_.fd(), POLLIN, 0}, {wakeup_.fd(), POLLIN, 0}};
    for (;;) {
        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR) continue;
            return;
        }
        if (fds[1].revents != 0) return;
        // Drain what is queued, a bounded number at a time so stop() is seen promptly.
        for (int i = 0; i < 256; ++i) {
            SocketAddress from;
            from.length = sizeof from.storage;
            ssize_t size = recvfrom(socket_.fd(), buffer.data(), buffer.size(), MSG_DONTWAIT,
                                    from.get(), &from.length);
            if (size < 0) break;
            received_.fetch_add(1);
            ByteSpan packet(buffer.data(), static_cast<std::size_t>(size));

            const auto query = parse_dns_query(packet);
            const std::size_t edns = query ? dns_edns_payload_size(packet) : 0;
            const std::size_t limit =
                edns != 0 ? std::clamp(edns, DNS_UDP_MAX, config_.max_udp_size) : DNS_UDP_MAX;
            const std::size_t opt_size = edns != 0 ? OPT_RECORD_SIZE : 0;

            auto seeds = snapshot();
            SeedLookup lookup = [&](std::uint64_t required) {
                DnsAnswers answers;
                const std::uint16_t qtype = query->qtype;
                const bool want4 = qtype != dns_type::AAAA;
                const bool want6 = qtype != dns_type::A;
                std::size_t used = HEADER_SIZE + query->question.size() + opt_size;
                if (qtype == dns_type::ANY && !config_.zone.name_server.empty()) {
                    // Room for the NS and SOA records answered beside the addresses.
                    used += 12 + wire_name_size(config_.zone.name_server);
                    used += 12 + 20 + wire_name_size(config_.zone.name_server) +
                            wire_name_size(config_.zone.mailbox);
                }
                std::size_t budget = limit > used ? limit - used : 0;
                std::size_t max = config_.max_addresses;
                std::size_t count6 = 0;
                if (want6) {
                    std::size_t share = want4 ? budget / 2 : budget;
                    std::size_t cap = want4 ? max / 2 : max;
                    for (const SeedEntry* entry :
                         sample(seeds->ipv6, required, std::min(share / AAAA_RECORD_SIZE, cap),
                                random)) {
                        std::array<std::uint8_t, 16> bytes{};
                        std::copy_n(entry->address.bytes().begin(), 16, bytes.begin());
                        answers.ipv6.push_back(bytes);
                    }
                    count6 = answers.ipv6.size();
                    budget -= count6 * AAAA_RECORD_SIZE;
                }
                if (want4) {
                    std::size_t count = std::min(budget / A_RECORD_SIZE, max - count6);
                    for (const SeedEntry* entry : sample(seeds->ipv4, required, count, random)) {
                        std::array<std::uint8_t, 4> bytes{};
                        std::copy_n(entry->address.bytes().begin(), 4, bytes.begin());
                        answers.ipv4.push_back(bytes);
                    }
                }
                return answers;
            };
            Bytes response = answer_seed_query(packet, config_.zone, lookup, limit - opt_size);
            if (!response.empty() && opt_size != 0 && response.size() + opt_size <= limit) {
                const auto additional = static_cast<std::uint16_t>(u16_at(response, 10) + 1);
                response[10] = static_cast<std::uint8_t>(additional >> 8);
                response[11] = static_cast<std::uint8_t>(additional);
                const auto advertised = static_cast<std::uint16_t>(config_.max_udp_size);
                const std::uint8_t opt[OPT_RECORD_SIZE] = {
                    0, 0, DNS_TYPE_OPT, static_cast<std::uint8_t>(advertised >> 8),
                    static_cast<std::uint8_t>(advertised), 0, 0, 0, 0, 0, 0};
                response.insert(response.end(), opt, opt + OPT_RECORD_SIZE);
            }
            if (response.empty() || response.size() > limit) {
                dropped_.fetch_add(1);
                continue;
            }
            ssize_t sent = sendto(socket_.fd(), response.data(), response.size(),
                                  MSG_DONTWAIT | MSG_NOSIGNAL, from.get(), from.length);
            if (sent == static_cast<ssize_t>(response.size())) {
                answered_.fetch_add(1);
            } else {
                dropped_.fetch_add(1);
            }
        }
    }
}

}  // namespace bitloom
