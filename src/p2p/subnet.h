// Subnets of network addresses, as Bitcoin Core's CSubNet: the unit of -whitelist, setban and
// listbanned.
//
// Text forms accepted by parse() (Core's LookupSubNet, numeric hosts only):
//   subnet := host                      a single address
//           | host "/" prefix_length    decimal, 0..32 (IPv4) or 0..128 (IPv6)
//           | host "/" netmask          a mask of the host's network, only 1 bits then 0 bits
//   host   := IPv4 dotted quad | IPv6 text | Tor v3 ".onion" | I2P ".b32.i2p" | CJDNS
// Address bits outside the prefix are cleared ("1.2.3.4/24" is 1.2.3.0/24). Tor, I2P and
// CJDNS subnets are single addresses only (no "/" part), as in Core.
//
// Printed form (Core's CSubNet::ToString): "1.2.3.0/24", "1.2.3.4/32", "2001:db8::/64"; a Tor,
// I2P or CJDNS subnet prints as its address alone.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "p2p/net_address.h"

namespace bitloom {

struct SubNet {
public:
    // An invalid subnet: matches nothing, prints as "" and parses from nothing.
    SubNet() = default;

    // The single address `address` (prefix = all its bits). Valid for every address, as in
    // Core (a subnet of an invalid address such as 0.0.0.0 never matches anything).
    static SubNet single(const NetAddress& address);
    // `address` with its first `prefix_length` bits; nullopt for a prefix beyond the address
    // length, or for a Tor/I2P/CJDNS address with a prefix other than its full length.
    static std::optional<SubNet> from_prefix(const NetAddress& address, int prefix_length);
    // The text forms above; nullopt for anything else. `cjdns_fc`: fc00::/8 is CJDNS.
    static std::optional<SubNet> parse(std::string_view text, bool cjdns_fc = false);

    bool is_valid() const { return valid_; }
    // The network address (bits outside the prefix cleared) and the prefix length in bits.
    const NetAddress& network() const { return network_; }
    int prefix_length() const { return prefix_length_; }
    // True when the prefix covers the whole address.
    bool is_single_address() const;

    // Core's CSubNet::Match: false for an invalid subnet, an invalid address, or an address
    // of another network; otherwise whether the prefix bits agree.
    bool matches(const NetAddress& address) const;

    // The printed form above.
    std::string to_string() const;

    friend bool operator==(const SubNet&, const SubNet&) = default;
    friend auto operator<=>(const SubNet&, const SubNet&) = default;

private:
    bool valid_ = false;
    NetAddress network_;
    int prefix_length_ = 0;
};

}  // namespace bitloom
