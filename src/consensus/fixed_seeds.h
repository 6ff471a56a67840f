// Fixed seeds: the node addresses Bitcoin Core compiles in for each network, tried when the
// DNS seeds give no peers (Core's contrib/seeds/nodes_main.txt, nodes_test.txt,
// nodes_testnet4.txt, nodes_signet.txt).
//
// Each entry is text, "host:port":
//   entry := ipv4 ":" port | "[" ipv6 "]" ":" port | base32{56} ".onion" ":" port
// with the port the network's default P2P port. Only IPv4, IPv6 and Tor v3 onion entries are
// kept; the source lists' I2P and CJDNS entries are left out (fixed_seeds.cpp counts them).
// Parsing an entry into a network address is the caller's job.
#pragma once

#include <span>
#include <string_view>

#include "consensus/chainparams.h"

namespace bitloom {

// Bitcoin Core's fixed seed addresses for each network (contrib/seeds/nodes_*.txt), as text
// "host:port" entries; regtest has none. The span views static data and stays valid for the
// life of the program; entries are distinct and come in the source lists' order.
std::span<const std::string_view> fixed_seeds(ChainType chain);

}  // namespace bitloom
