// Network addresses as the P2P protocol carries them: BIP155's networks (IPv4, IPv6, Tor v3,
// I2P, CJDNS), a port, and the classification the address manager and the crawler need
// (routable or not, network group).
//
// Format (BIP155, addrv2):
//   net_address_v2 := network_id:u8 length:compact_size address:byte[length]
//     network_id 1 IPv4 (4 bytes), 2 IPv6 (16), 3 TorV2 (10, obsolete: rejected),
//     4 TorV3 (32: the ed25519 public key), 5 I2P (32: SHA-256 of the destination),
//     6 CJDNS (16, first byte 0xfc); unknown ids are skipped by readers (length <= 512)
// Format (legacy addr): address:byte[16]   IPv6, or IPv4 mapped as ::ffff:a.b.c.d; Tor v2 and
//   other networks cannot be carried. Ports are big-endian u16 on the wire.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "util/bytes.h"
#include "util/result.h"

namespace bitloom {

enum class Network : std::uint8_t { ipv4 = 1, ipv6 = 2, onion = 4, i2p = 5, cjdns = 6 };

// "ipv4", "ipv6", "onion", "i2p", "cjdns" (Core's GetNetworkName).
std::string_view to_string(Network network);
// Either case; "tor" is accepted for onion, as Core's ParseNetwork does.
std::optional<Network> parse_network_name(std::string_view name);

// SHA3-256 (FIPS 202). Only Tor v3 names need it; public for its known-answer test.
std::array<std::uint8_t, 32> sha3_256(ByteSpan data);

// A host on one of the networks; `bytes` holds size_for(network) meaningful bytes.
class NetAddress {
public:
    NetAddress() = default;  // IPv6 ::
    static NetAddress ipv4(std::array<std::uint8_t, 4> bytes);
    static NetAddress ipv6(std::array<std::uint8_t, 16> bytes);  // maps ::ffff:a.b.c.d to IPv4
    // From a BIP155 network id and address bytes; nullopt for an unknown or obsolete network
    // or a wrong length (CJDNS must start with 0xfc).
    static std::optional<NetAddress> from_bip155(std::uint8_t network_id, ByteSpan bytes);
    // Parses "1.2.3.4", "2001:db8::1", "<56 base32 chars>.onion" (v3, checksum checked),
    // "<52 base32 chars>.b32.i2p", "fc00::1" (CJDNS when `cjdns_fc` says fc00::/8 is CJDNS).
    // IPv4 is a strict dotted quad (no leading zeros, no shorthand); IPv6 is RFC 4291 text
    // (with an optional dotted-quad tail, no zone id); base32 is RFC 4648 in either case.
    // An IPv6 address inside the Tor v2 prefix fd87:d87e:eb43::/48 parses as :: (invalid), as
    // in Core. from_bip155() rejects (nullopt) an IPv6 payload that is IPv4-mapped or in that
    // prefix, where Core keeps it as the invalid ::.
    static std::optional<NetAddress> parse(std::string_view text, bool cjdns_fc = false);

    Network network() const { return network_; }
    ByteSpan bytes() const;  // 4, 16 or 32 bytes
    // The 16-byte legacy form: IPv6 as is, IPv4 mapped; nullopt for other networks.
    std::optional<std::array<std::uint8_t, 16>> legacy_bytes() const;

    // Textual form as Core prints it (IPv6 compressed, onion/i2p names).
    std::string to_string() const;

    // Core's CNetAddr classification.
    bool is_local() const;        // 127/8, ::1, 0.0.0.0/8
    bool is_rfc1918() const;      // 10/8, 172.16/12, 192.168/16
    bool is_routable() const;     // not local, private, reserved, documentation... (Core's list)
    bool is_ipv4() const { return network_ == Network::ipv4; }
    bool is_ipv6() const { return network_ == Network::ipv6; }
    bool is_tor() const { return network_ == Network::onion; }
    bool is_i2p() const { return network_ == Network::i2p; }
    bool is_cjdns() const { return network_ == Network::cjdns; }

    // The finer classification Core's CNetAddr offers; each is false outside its network
    // (IPv4 ranges on IPv4 addresses, IPv6 ranges on IPv6 addresses).
    bool is_valid() const;        // not ::, 0.0.0.0, 255.255.255.255, 2001:db8::/32
    bool is_rfc2544() const;      // 198.18/15 (benchmarking)
    bool is_rfc3927() const;      // 169.254/16 (IPv4 link-local)
    bool is_rfc6598() const;      // 100.64/10 (carrier-grade NAT)
    bool is_rfc5737() const;      // 192.0.2/24, 198.51.100/24, 203.0.113/24 (documentation)
    bool is_rfc3849() const;      // 2001:db8::/32 (IPv6 documentation)
    bool is_rfc3964() const;      // 2002::/16 (6to4)
    bool is_rfc6052() const;      // 64:ff9b::/96 (IPv4-embedded, well-known prefix)
    bool is_rfc4380() const;      // 2001::/32 (Teredo)
    bool is_rfc4862() const;      // fe80::/64 (IPv6 link-local)
    bool is_rfc4193() const;      // fc00::/7 (unique local; CJDNS addresses are not IPv6)
    bool is_rfc6145() const;      // ::ffff:0:0:0/96 (IPv4-translated)
    bool is_rfc4843() const;      // 2001:10::/28 (ORCHID)
    bool is_rfc7343() const;      // 2001:20::/28 (ORCHIDv2)
    bool is_he_net() const;       // 2001:470::/32 (Hurricane Electric, grouped by /36)
    // 224/4 and ff00::/8. Core's is_routable() does not exclude multicast, and neither does
    // bitloom's (address relay must agree with Core's); callers that dial may skip them.
    bool is_multicast() const;
    // The IPv4 address an IPv6 address carries (6to4, Teredo, RFC 6052/6145), or an IPv4
    // address itself; nullopt for other addresses and for unroutable ones (Core's
    // HasLinkedIPv4/GetLinkedIPv4).
    std::optional<std::array<std::uint8_t, 4>> linked_ipv4() const;
    // Core's GetGroup without an ASMap: the bytes that group addresses for bucketing and
    // outbound diversity (/16 for IPv4, /32 for IPv6, the network plus 4 bits for Tor/I2P...).
    Bytes group() const;

    friend bool operator==(const NetAddress&, const NetAddress&) = default;
    friend auto operator<=>(const NetAddress&, const NetAddress&) = default;

private:
    Network network_ = Network::ipv6;
    std::array<std::uint8_t, 32> bytes_{};
};

// A network address and port.
struct NetService {
    NetAddress address;
    std::uint16_t port = 0;
    // "1.2.3.4:8333", "[2001:db8::1]:8333", "xyz.onion:8333".
    std::string to_string() const;
    // Parses the forms above; `default_port` when none is given.
    // A port given explicitly must be 1..65535. fc00::/8 parses as IPv6 unless `cjdns_fc`.
    static std::optional<NetService> parse(std::string_view text, std::uint16_t default_port);
    static std::optional<NetService> parse(std::string_view text, std::uint16_t default_port,
                                           bool cjdns_fc);
    friend bool operator==(const NetService&, const NetService&) = default;
    friend auto operator<=>(const NetService&, const NetService&) = default;
};

// Salted SipHash of an address's network, bytes and port, for hash tables keyed by addresses
// that peers choose (a fixed hash would let them pick colliding addresses).
class NetServiceHasher {
public:
    NetServiceHasher();  // a random salt per hasher
    std::size_t operator()(const NetService& service) const;

private:
    std::uint64_t k0_;
    std::uint64_t k1_;
};

// Core's ServiceFlags.
namespace services {
inline constexpr std::uint64_t NODE_NONE = 0;
inline constexpr std::uint64_t NODE_NETWORK = 1 << 0;
inline constexpr std::uint64_t NODE_BLOOM = 1 << 2;
inline constexpr std::uint64_t NODE_WITNESS = 1 << 3;
inline constexpr std::uint64_t NODE_COMPACT_FILTERS = 1 << 6;
inline constexpr std::uint64_t NODE_NETWORK_LIMITED = 1 << 10;
inline constexpr std::uint64_t NODE_P2P_V2 = 1 << 11;
}  // namespace services

// An address as gossiped: the service, its advertised services and when it was last seen.
struct PeerAddress {
    NetService service;
    std::uint64_t services = 0;
    std::uint32_t time = 0;  // seconds since the epoch
    friend bool operator==(const PeerAddress&, const PeerAddress&) = default;
};

}  // namespace bitloom
