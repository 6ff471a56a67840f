// Choosing the inbound peer to disconnect when every inbound slot is taken: Bitcoin Core's
// SelectNodeToEvict (node/eviction.cpp), rule for rule.
//
// Candidates that are never evicted: noban peers and every non-inbound connection. Of the
// rest, in this order, each step removes ("protects") candidates from the list:
//   1. 4 by keyed network group (the highest keys: an attacker cannot predict which groups)
//   2. 8 with the lowest minimum ping time
//   3. 4 that most recently sent us transactions accepted to the mempool (ties: relaying
//      transactions, then without a bloom filter, then the longest connected)
//   4. up to 8 peers that relay no transactions but have the relevant services and most
//      recently sent us blocks (the likely block-relay-only peers)
//   5. 4 that most recently sent us blocks (ties: relevant services, then the longest
//      connected)
//   6. half of the rest by the longest uptime, of which up to half (a quarter of the rest) are
//      reserved for peers on disadvantaged networks: CJDNS, I2P, localhost and onion, taken
//      round-robin by network, networks with fewer candidates first, each network's longest
//      connected first (Core's ProtectEvictionCandidatesByRatio)
// Then, when any remaining candidate is marked prefer_evict, only those are considered; among
// them the network group with the most candidates (ties: the group whose youngest member
// connected most recently) loses its most recently connected member.
//
// Sorting is stable, so candidates equal under a rule keep their input order where Core's
// std::sort leaves the order unspecified.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

#include "p2p/net_address.h"

namespace bitloom {

// Core's NodeEvictionCandidate.
struct EvictionCandidate {
    std::int64_t id = 0;
    std::chrono::seconds connected{0};  // when the connection was made
    // The lowest ping round trip seen; the maximum when the peer never answered a ping.
    std::chrono::microseconds min_ping = std::chrono::microseconds::max();
    std::chrono::seconds last_block_time{0};  // last novel block received, 0: never
    std::chrono::seconds last_tx_time{0};     // last novel transaction received, 0: never
    bool relevant_services = false;  // offers the services we want from outbound peers
    bool relay_txs = false;          // the peer relays transactions to us
    bool bloom_filter = false;       // the peer loaded a BIP37 bloom filter
    std::uint64_t keyed_net_group = 0;  // its network group hashed with a secret key
    bool prefer_evict = false;          // e.g. a discouraged address
    bool is_local = false;              // connected from localhost
    Network network = Network::ipv4;    // the network the connection came through
    bool noban = false;                 // NOBAN permission: never evicted
    bool inbound = true;                // only inbound connections are evicted
};

// Core's SelectNodeToEvict: the id of the peer to disconnect, or nullopt when every candidate
// is protected.
std::optional<std::int64_t> select_node_to_evict(std::vector<EvictionCandidate> candidates);

// Step 6 alone (Core's ProtectEvictionCandidatesByRatio): removes the protected candidates
// from `candidates`; what stays is sorted youngest first. Public for its tests.
void protect_eviction_candidates_by_ratio(std::vector<EvictionCandidate>& candidates);

}  // namespace bitloom
