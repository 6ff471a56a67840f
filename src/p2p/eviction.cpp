#include "p2p/eviction.h"

#include <algorithm>
#include <array>
#include <functional>
#include <map>

namespace bitloom {

namespace {

using Candidates = std::vector<EvictionCandidate>;
using Predicate = std::function<bool(const EvictionCandidate&)>;

bool youngest_first(const EvictionCandidate& a, const EvictionCandidate& b) {
    return a.connected > b.connected;
}
bool highest_ping_first(const EvictionCandidate& a, const EvictionCandidate& b) {
    return a.min_ping > b.min_ping;
}
bool by_net_group(const EvictionCandidate& a, const EvictionCandidate& b) {
    return a.keyed_net_group < b.keyed_net_group;
}
bool by_block_time(const EvictionCandidate& a, const EvictionCandidate& b) {
    // Many peers never relayed a block: fall through to the services, then the uptime.
    if (a.last_block_time != b.last_block_time) return a.last_block_time < b.last_block_time;
    if (a.relevant_services != b.relevant_services) return b.relevant_services;
    return a.connected > b.connected;
}
bool by_tx_time(const EvictionCandidate& a, const EvictionCandidate& b) {
    if (a.last_tx_time != b.last_tx_time) return a.last_tx_time < b.last_tx_time;
    if (a.relay_txs != b.relay_txs) return b.relay_txs;
    if (a.bloom_filter != b.bloom_filter) return a.bloom_filter;
    return a.connected > b.connected;
}
// Transaction-relaying peers first, then the others by block time.
bool by_block_relay_only_time(const EvictionCandidate& a, const EvictionCandidate& b) {
    if (a.relay_txs != b.relay_txs) return a.relay_txs;
    if (a.last_block_time != b.last_block_time) return a.last_block_time < b.last_block_time;
    if (a.relevant_services != b.relevant_services) return b.relevant_services;
    return a.connected > b.connected;
}

// Sorts by `compare` and removes those of the last `k` candidates that satisfy `predicate`.
template <typename Compare>
void erase_last_k(Candidates& candidates, Compare compare, std::size_t k,
                  const Predicate& predicate = [](const EvictionCandidate&) { return true; }) {
    std::stable_sort(candidates.begin(), candidates.end(), compare);
    const std::size_t erase_size = std::min(k, candidates.size());
    const auto tail = candidates.end() - static_cast<std::ptrdiff_t>(erase_size);
    candidates.erase(std::remove_if(tail, candidates.end(), predicate), candidates.end());
}

// A disadvantaged network: CJDNS, I2P, onion, or localhost (any network).
struct ProtectedNetwork {
    bool is_local;
    Network network;
    std::size_t count;
    bool contains(const EvictionCandidate& c) const {
        return is_local ? c.is_local : c.network == network;
    }
};

}  // namespace

void protect_eviction_candidates_by_ratio(Candidates& candidates) {
    const std::size_t total_protect_size = candidates.size() / 2;

    // Equal counts keep this order: earlier networks recover unused slots first.
    std::array<ProtectedNetwork, 4> networks{{{false, Network::cjdns, 0},
                                              {false, Network::i2p, 0},
                                              {true, Network::ipv4, 0},
                                              {false, Network::onion, 0}}};
    for (ProtectedNetwork& n : networks) {
        n.count = static_cast<std::size_t>(std::count_if(
            candidates.begin(), candidates.end(), [&n](const auto& c) { return n.contains(c); }));
    }
    std::stable_sort(networks.begin(), networks.end(),
                     [](const ProtectedNetwork& a, const ProtectedNetwork& b) {
                         return a.count < b.count;
                     });

    const std::size_t max_protect_by_network = total_protect_size / 2;
    std::size_t num_protected = 0;
    while (num_protected < max_protect_by_network) {
        const auto num_networks = static_cast<std::size_t>(std::count_if(
            networks.begin(), networks.end(), [](const ProtectedNetwork& n) { return n.count; }));
        if (num_networks == 0) break;
        const std::size_t to_protect = max_protect_by_network - num_protected;
        const std::size_t per_network = std::max<std::size_t>(to_protect / num_networks, 1);
        bool protected_at_least_one = false;
        for (ProtectedNetwork& n : networks) {
            if (n.count == 0) continue;
            const std::size_t before = candidates.size();
            // Members of the network last, the longest connected at the very end.
            const auto compare = [&n](const EvictionCandidate& a, const EvictionCandidate& b) {
                if (n.is_local && a.is_local != b.is_local) return b.is_local;
                if (!n.is_local && (a.network == n.network) != (b.network == n.network)) {
                    return b.network == n.network;
                }
                return a.connected > b.connected;
            };
            erase_last_k(candidates, compare, per_network,
                         [&n](const EvictionCandidate& c) { return n.contains(c); });
            const std::size_t after = candidates.size();
            if (before > after) {
                protected_at_least_one = true;
                const std::size_t delta = before - after;
                num_protected += delta;
                if (num_protected >= max_protect_by_network) break;
                n.count -= delta;
            }
        }
        if (!protected_at_least_one) break;
    }

    const std::size_t remaining_to_protect = total_protect_size - num_protected;
    erase_last_k(candidates, youngest_first, remaining_to_protect);
}

std::optional<std::int64_t> select_node_to_evict(Candidates candidates) {
    std::erase_if(candidates, [](const EvictionCandidate& c) { return c.noban || !c.inbound; });

    erase_last_k(candidates, by_net_group, 4);
    erase_last_k(candidates, highest_ping_first, 8);
    erase_last_k(candidates, by_tx_time, 4);
    erase_last_k(candidates, by_block_relay_only_time, 8, [](const EvictionCandidate& c) {
        return !c.relay_txs && c.relevant_services;
    });
    erase_last_k(candidates, by_block_time, 4);
    protect_eviction_candidates_by_ratio(candidates);
    if (candidates.empty()) return std::nullopt;

    if (std::any_of(candidates.begin(), candidates.end(),
                    [](const EvictionCandidate& c) { return c.prefer_evict; })) {
        std::erase_if(candidates, [](const EvictionCandidate& c) { return !c.prefer_evict; });
    }

    // The candidates are sorted youngest first: each group's first member is its youngest.
    std::map<std::uint64_t, std::vector<const EvictionCandidate*>> groups;
    std::uint64_t most_group = 0;
    std::size_t most_connections = 0;
    std::chrono::seconds most_connections_time{0};
    for (const EvictionCandidate& c : candidates) {
        auto& group = groups[c.keyed_net_group];
        group.push_back(&c);
        const auto group_time = group.front()->connected;
        if (group.size() > most_connections ||
            (group.size() == most_connections && group_time > most_connections_time)) {
            most_connections = group.size();
            most_connections_time = group_time;
            most_group = c.keyed_net_group;
        }
    }
    return groups[most_group].front()->id;
}

}  // namespace bitloom
