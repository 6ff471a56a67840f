// Turning "host[:port]" text into addresses, as Bitcoin Core's SplitHostPort and Lookup do.
//
// Grammar of the text (Core's SplitHostPort):
//   target := "[" host6 "]" [":" port]   bracketed IPv6 (or any host), optional port
//           | host ":" port               a host with no other colon
//           | host                        anything else, including bare IPv6 ("2001:db8::1")
//   port   := decimal 1..65535
// Numeric hosts (IPv4 dotted quads, IPv6 text, Tor v3 ".onion" and I2P ".b32.i2p" names) are
// parsed without any lookup; other names are looked up through getaddrinfo(3) only when the
// caller allows it (Core's -dns), since a lookup can leak what we connect to and may block.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "p2p/net_address.h"
#include "util/result.h"

namespace bitloom {

struct HostPort {
    std::string host;                  // brackets removed
    std::optional<std::uint16_t> port;  // when the text gives one
};
// Splits `text` by the grammar above. nullopt for an empty host or a port that is not a
// decimal number in 1..65535 (Core treats a bad port as an invalid target).
std::optional<HostPort> split_host_port(std::string_view text);

// The addresses `text` names, each with the port from the text or `default_port`.
// Numeric forms give one address and never touch the resolver. Names are looked up when
// `allow_lookup` (blocking: call from a worker thread), giving every distinct IPv4 and IPv6
// answer in the resolver's order; errors: a malformed target, a name when lookups are not
// allowed, getaddrinfo's failure text, or a name with no answers.
Result<std::vector<NetService>, std::string> resolve(std::string_view text,
                                                     std::uint16_t default_port,
                                                     bool allow_lookup);

// True when `host` ends with ".onion" (either case): a Tor name, never looked up.
bool is_onion_name(std::string_view host);

// The numeric case alone: the address `text` names when it needs no lookup, else nullopt.
std::optional<NetService> resolve_numeric(std::string_view text, std::uint16_t default_port);

}  // namespace bitloom
