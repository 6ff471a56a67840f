#include "crawler/simnet.h"

#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cassert>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <variant>

#include "net/reactor.h"
#include "net/socket.h"
#include "p2p/messages.h"

namespace bitloom {

std::string_view to_string(SimBehaviour behaviour) {
    switch (behaviour) {
        case SimBehaviour::healthy: return "healthy";
        case SimBehaviour::slow: return "slow";
        case SimBehaviour::refused: return "refused";
        case SimBehaviour::silent: return "silent";
        case SimBehaviour::wrong_magic: return "wrong_magic";
        case SimBehaviour::garbage: return "garbage";
        case SimBehaviour::disconnect_mid_handshake: return "disconnect_mid_handshake";
    }
    return "unknown";
}

std::string_view to_string(BookEntryKind kind) {
    switch (kind) {
        case BookEntryKind::live: return "live";
        case BookEntryKind::stale: return "stale";
        case BookEntryKind::fake: return "fake";
    }
    return "unknown";
}

namespace {

constexpr std::int32_t ADDRV2_VERSION = 70016;  // BIP155 and wtxidrelay
constexpr std::uint32_t DAY = 86'400;

// Stream tags: each part of the model draws from its own stream, so changing how one part
// is drawn leaves the others as they were.
enum class Stream : std::uint64_t { behaviour = 1, slow, onion, node, book, age, fake, garbage, nonce };

std::uint64_t mix64(std::uint64_t x) {
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}
std::uint64_t stream_seed(std::uint64_t seed, Stream stream, std::uint64_t index = 0,
                          std::uint64_t extra = 0) {
    return mix64(mix64(mix64(seed) ^ static_cast<std::uint64_t>(stream)) ^ index) ^ mix64(extra);
}

// splitmix64: small, fast and good enough for drawing a model.
class Rng {
public:
    explicit Rng(std::uint64_t seed) : state_(seed) {}
    std::uint64_t next() {
        state_ += 0x9e3779b97f4a7c15ull;
        std::uint64_t z = state_;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    }
    // Uniform in [0, range); range > 0.
    std::uint64_t below(std::uint64_t range) {
        assert(range > 0);
        const std::uint64_t limit = UINT64_MAX - UINT64_MAX % range;
        std::uint64_t value;
        do value = next();
        while (value >= limit);
        return value % range;
    }
    // Uniform in [low, high].
    std::uint64_t between(std::uint64_t low, std::uint64_t high) { return low + below(high - low + 1); }
    bool chance(double p) { return static_cast<double>(next() >> 11) * 0x1.0p-53 < p; }
    template <typename T>
    void shuffle(std::vector<T>& items) {
        for (std::size_t i = items.size(); i > 1; --i) std::swap(items[i - 1], items[below(i)]);
    }

private:
    std::uint64_t state_;
};

std::size_t share_count(double share, std::size_t total) {
    return static_cast<std::size_t>(std::llround(share * static_cast<double>(total)));
}

// `count` distinct values from [0, universe) other than `exclude` (pass universe to exclude
// none), in draw order.
std::vector<std::uint32_t> sample_distinct(Rng& rng, std::size_t universe, std::size_t exclude,
                                           std::size_t count) {
    const std::size_t available = universe - (exclude < universe ? 1 : 0);
    count = std::min(count, available);
    std::vector<std::uint32_t> out;
    out.reserve(count);
    if (count * 2 > available) {
        std::vector<std::uint32_t> all;
        all.reserve(available);
        for (std::size_t v = 0; v < universe; ++v) {
            if (v != exclude) all.push_back(static_cast<std::uint32_t>(v));
        }
        for (std::size_t i = 0; i < count; ++i) {
            std::swap(all[i], all[i + rng.below(all.size() - i)]);
            out.push_back(all[i]);
        }
        return out;
    }
    std::vector<std::uint64_t> taken((universe + 63) / 64, 0);
    while (out.size() < count) {
        const std::size_t v = rng.below(universe);
        if (v == exclude || (taken[v / 64] >> (v % 64) & 1) != 0) continue;
        taken[v / 64] |= std::uint64_t{1} << (v % 64);
        out.push_back(static_cast<std::uint32_t>(v));
    }
    return out;
}

// Loopback slots: slot k <-> 127.x.y.z as described in the header.
constexpr std::size_t SLOTS_PER_BLOCK = 254;
constexpr std::size_t MAX_SLOTS = 65'536 * SLOTS_PER_BLOCK - 1;

NetAddress slot_address(std::size_t slot) {
    assert(slot < MAX_SLOTS);
    const std::size_t shifted = slot + 1;
    const std::size_t block = shifted / SLOTS_PER_BLOCK;
    const std::size_t last = shifted % SLOTS_PER_BLOCK + 1;
    return NetAddress::ipv4({127, static_cast<std::uint8_t>(block >> 8),
                             static_cast<std::uint8_t>(block & 0xff),
                             static_cast<std::uint8_t>(last)});
}

bool in_loopback_range(const NetAddress& address) {
    return address.is_ipv4() && address.bytes()[0] == 127;
}

std::optional<std::size_t> address_slot(const NetAddress& address) {
    if (!in_loopback_range(address)) return std::nullopt;
    const ByteSpan b = address.bytes();
    if (b[3] == 0 || b[3] == 255) return std::nullopt;
    const std::size_t shifted = (std::size_t{b[1]} << 8 | b[2]) * SLOTS_PER_BLOCK + b[3] - 1;
    if (shifted == 0) return std::nullopt;  // 127.0.0.1
    return shifted - 1;
}

struct Agent {
    std::string_view name;
    std::int32_t version;
    std::uint64_t services;
    unsigned weight;
};
constexpr std::uint64_t CORE_RECENT = services::NODE_NETWORK | services::NODE_WITNESS |
                                      services::NODE_NETWORK_LIMITED | services::NODE_P2P_V2;
constexpr std::uint64_t CORE_OLDER =
    services::NODE_NETWORK | services::NODE_WITNESS | services::NODE_NETWORK_LIMITED;
constexpr std::array<Agent, 12> AGENTS = {{
    {"/Satoshi:28.1.0/", 70016, CORE_RECENT, 30},
    {"/Satoshi:27.1.0/", 70016, CORE_RECENT, 25},
    {"/Satoshi:26.0.0/", 70016, CORE_OLDER, 15},
    {"/Satoshi:25.1.0/", 70016, CORE_OLDER, 8},
    {"/Satoshi:24.0.1/", 70016, CORE_OLDER, 6},
    {"/Satoshi:22.0.0/", 70016, CORE_OLDER, 4},
    {"/Satoshi:0.21.1/", 70016, CORE_OLDER, 3},
    {"/Satoshi:0.20.1/", 70015, CORE_OLDER, 3},
    {"/Satoshi:0.18.0/", 70015, CORE_OLDER | services::NODE_BLOOM, 2},
    {"/Satoshi:0.16.3/", 70015, CORE_OLDER | services::NODE_BLOOM, 2},
    {"/btcd:0.24.2/", 70016, services::NODE_NETWORK | services::NODE_WITNESS, 1},
    {"/Satoshi:27.0.0/Knots:20240801/", 70016, CORE_OLDER | services::NODE_COMPACT_FILTERS, 1},
}};

std::uint8_t pick_agent(Rng& rng) {
    unsigned total = 0;
    for (const Agent& agent : AGENTS) total += agent.weight;
    auto ticket = static_cast<unsigned>(rng.below(total));
    for (std::size_t i = 0; i < AGENTS.size(); ++i) {
        if (ticket < AGENTS[i].weight) return static_cast<std::uint8_t>(i);
        ticket -= AGENTS[i].weight;
    }
    return 0;
}

std::string json_string(std::string_view text) {
    std::string out = "\"";
    for (char c : text) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (static_cast<unsigned char>(c) < 0x20) {
            char buffer[8];
            std::snprintf(buffer, sizeof buffer, "\\u%04x", static_cast<unsigned>(c));
            out += buffer;
        } else {
            out += c;
        }
    }
    return out + "\"";
}

std::uint32_t unix_now() {
    return static_cast<std::uint32_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                          std::chrono::system_clock::now().time_since_epoch())
                                          .count());
}

}  // namespace

// --- the model ---------------------------------------------------------------------------

SimulatedNetwork::SimulatedNetwork(SimulatedNetworkOptions options)
    : options_(std::move(options)), port_(options_.port) {
    const auto& o = options_;
    assert(o.nodes > 0);
    for (double share : {o.unreachable_share, o.silent_share, o.wrong_magic_share,
                         o.garbage_share, o.mid_handshake_share, o.slow_share, o.onion_share,
                         o.stale_share, o.fake_share}) {
        assert(share >= 0.0 && share <= 1.0);
        (void)share;
    }
    assert(o.unreachable_share + o.silent_share + o.wrong_magic_share + o.garbage_share +
               o.mid_handshake_share <=
           1.0 + 1e-9);
    assert(o.stale_share + o.fake_share <= 1.0 + 1e-9);
    assert(o.latency_min_ms <= o.latency_max_ms && o.latency_max_ms <= 65'535);
    assert(o.book_min <= o.book_max);
    build();
    ensure_discoverable();
}

SimulatedNetwork::~SimulatedNetwork() { stop(); }

void SimulatedNetwork::build() {
    const auto& o = options_;
    const std::size_t n = o.nodes;
    const std::size_t fakes = o.fake_addresses != 0 ? o.fake_addresses : std::max<std::size_t>(1, n / 10);
    fake_onion_ = std::min(fakes, share_count(o.onion_share, fakes));
    fake_ipv4_ = fakes - fake_onion_;
    assert(n + fake_ipv4_ <= MAX_SLOTS && n + fakes < STALE_BIT);
    nodes_.assign(n, NodeRecord{});

    // Behaviours: exact counts, placed at random.
    std::vector<SimBehaviour> behaviours(n, SimBehaviour::healthy);
    std::size_t at = 0;
    auto place = [&](SimBehaviour behaviour, double share) {
        const std::size_t count = std::min(share_count(share, n), n - at);
        for (std::size_t i = 0; i < count; ++i) behaviours[at++] = behaviour;
    };
    place(SimBehaviour::refused, o.unreachable_share);
    place(SimBehaviour::silent, o.silent_share);
    place(SimBehaviour::wrong_magic, o.wrong_magic_share);
    place(SimBehaviour::garbage, o.garbage_share);
    place(SimBehaviour::disconnect_mid_handshake, o.mid_handshake_share);
    const std::size_t healthy = n - at;
    const std::size_t slow = std::min(healthy, share_count(o.slow_share, healthy));
    for (std::size_t i = 0; i < slow; ++i) behaviours[at++] = SimBehaviour::slow;
    Rng(stream_seed(o.seed, Stream::behaviour)).shuffle(behaviours);

    // Onion nodes and their names.
    std::vector<std::uint32_t> order(n);
    for (std::size_t i = 0; i < n; ++i) order[i] = static_cast<std::uint32_t>(i);
    Rng onion_rng(stream_seed(o.seed, Stream::onion));
    onion_rng.shuffle(order);
    const std::size_t onions = std::min(n, share_count(o.onion_share, n));
    std::sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(onions));
    auto new_onion_key = [&](Rng& rng) {
        std::array<std::uint8_t, 32> key{};
        for (std::size_t i = 0; i < key.size(); i += 8) {
            const std::uint64_t word = rng.next();
            std::memcpy(key.data() + i, &word, 8);
        }
        return key;
    };
    onion_keys_.reserve(onions + fake_onion_);
    for (std::size_t k = 0; k < onions; ++k) {
        nodes_[order[k]].onion = static_cast<std::int32_t>(k);
        onion_keys_.push_back(new_onion_key(onion_rng));
        onion_ids_.emplace(std::string(onion_keys_.back().begin(), onion_keys_.back().end()),
                           order[k]);
    }
    onion_nodes_ = onions;
    Rng fake_rng(stream_seed(o.seed, Stream::fake));
    for (std::size_t k = 0; k < fake_onion_; ++k) {
        onion_keys_.push_back(new_onion_key(fake_rng));
        onion_ids_.emplace(std::string(onion_keys_.back().begin(), onion_keys_.back().end()),
                           static_cast<std::uint32_t>(n + fake_ipv4_ + k));
    }

    // Per-node attributes.
    const std::size_t largest_book = std::min(o.book_max, n - 1 + fakes);
    const std::size_t smallest_book = std::min(o.book_min, largest_book);
    for (std::size_t i = 0; i < n; ++i) {
        NodeRecord& node = nodes_[i];
        Rng rng(stream_seed(o.seed, Stream::node, i));
        node.behaviour = behaviours[i];
        node.agent = pick_agent(rng);
        node.version = AGENTS[node.agent].version;
        node.services = AGENTS[node.agent].services;
        if (rng.chance(0.1)) node.services &= ~services::NODE_NETWORK;  // pruned
        const auto lag = rng.below(100);
        if (lag < 85) {
            node.start_height = o.best_height - static_cast<std::int32_t>(rng.below(3));
        } else if (lag < 95) {
            node.start_height = o.best_height - static_cast<std::int32_t>(rng.between(3, 1000));
        } else {
            node.start_height =
                static_cast<std::int32_t>(rng.below(static_cast<std::uint64_t>(std::max(o.best_height, 1))));
        }
        node.relay = !rng.chance(0.05);
        node.book_size = static_cast<std::uint32_t>(rng.between(smallest_book, largest_book));
        if (node.behaviour == SimBehaviour::slow) {
            node.latency_ms = static_cast<std::uint16_t>(rng.between(o.latency_min_ms, o.latency_max_ms));
        }
    }
}

std::vector<std::uint32_t> SimulatedNetwork::book_ids(std::size_t index) const {
    const std::size_t n = nodes_.size();
    const std::size_t fakes = fake_ipv4_ + fake_onion_;
    const std::size_t size = nodes_[index].book_size;
    Rng rng(stream_seed(options_.seed, Stream::book, index));
    std::size_t fake_count = std::min(fakes, share_count(options_.fake_share, size));
    const std::size_t node_count = std::min(size - fake_count, n - 1);
    fake_count = std::min(fakes, size - node_count);
    const std::size_t stale_count = std::min(node_count, share_count(options_.stale_share, size));

    std::vector<std::uint32_t> ids = sample_distinct(rng, n, index, node_count);
    for (std::size_t i = 0; i < stale_count; ++i) ids[i] |= STALE_BIT;
    for (std::uint32_t fake : sample_distinct(rng, fakes, fakes, fake_count)) {
        ids.push_back(static_cast<std::uint32_t>(n) + fake);
    }
    rng.shuffle(ids);
    if (auto extra = extra_entries_.find(static_cast<std::uint32_t>(index));
        extra != extra_entries_.end()) {
        ids.insert(ids.end(), extra->second.begin(), extra->second.end());
    }
    return ids;
}

NetService SimulatedNetwork::address_of_id(std::uint32_t id) const {
    id &= ~STALE_BIT;
    const std::size_t n = nodes_.size();
    auto onion_service = [&](std::size_t key_index) {
        const auto& key = onion_keys_[key_index];
        return NetService{*NetAddress::from_bip155(static_cast<std::uint8_t>(Network::onion),
                                                   ByteSpan(key.data(), key.size())),
                          port_};
    };
    if (id < n) {
        if (nodes_[id].onion >= 0) return onion_service(static_cast<std::size_t>(nodes_[id].onion));
        return NetService{slot_address(id), port_};
    }
    if (id < n + fake_ipv4_) return NetService{slot_address(id), port_};
    return onion_service(onion_nodes_ + (id - n - fake_ipv4_));
}

SimulatedBookEntry SimulatedNetwork::describe_entry(std::size_t index, std::uint32_t id) const {
    const std::uint32_t plain = id & ~STALE_BIT;
    SimulatedBookEntry entry;
    entry.service = address_of_id(plain);
    Rng rng(stream_seed(options_.seed, Stream::age, index, plain));
    if (plain >= nodes_.size()) {
        entry.kind = BookEntryKind::fake;
        entry.services = services::NODE_NETWORK | services::NODE_WITNESS;
        entry.age_seconds = static_cast<std::uint32_t>(rng.below(7 * DAY));
    } else {
        entry.node = plain;
        entry.services = nodes_[plain].services;
        if ((id & STALE_BIT) != 0) {
            entry.kind = BookEntryKind::stale;
            entry.age_seconds = static_cast<std::uint32_t>(rng.between(10 * DAY, 60 * DAY));
        } else {
            entry.age_seconds = static_cast<std::uint32_t>(rng.below(DAY));
        }
    }
    return entry;
}

void SimulatedNetwork::ensure_discoverable() {
    const std::size_t n = nodes_.size();
    auto ipv4_answering = [&](std::size_t i) {
        return answers_getaddr(nodes_[i].behaviour) && nodes_[i].onion < 0;
    };
    // The guarantee is built from the first entry point alone, so the books do not depend on
    // how many entry points are asked for.
    const std::size_t wanted = std::max<std::size_t>(options_.entry_point_count, 1);
    for (std::size_t i = 0; i < n && entry_points_.size() < wanted; ++i) {
        if (ipv4_answering(i)) entry_points_.push_back(i);
    }
    if (entry_points_.empty()) return;

    std::vector<bool> reached(n, false);
    std::vector<std::size_t> queue;
    std::vector<std::size_t> hosts_with_room;  // reached IPv4 answering nodes, book < 1,000
    std::vector<std::size_t> effective_size(n, 0);
    auto reach = [&](std::size_t i) {
        if (reached[i]) return;
        reached[i] = true;
        if (ipv4_answering(i)) queue.push_back(i);
    };
    auto drain = [&] {
        while (!queue.empty()) {
            const std::size_t host = queue.back();
            queue.pop_back();
            const auto ids = book_ids(host);
            effective_size[host] = ids.size();
            if (ids.size() < MAX_ADDR_TO_SEND) hosts_with_room.push_back(host);
            const bool v2 = nodes_[host].version >= ADDRV2_VERSION;
            for (std::size_t k = 0; k < std::min(ids.size(), MAX_ADDR_TO_SEND); ++k) {
                const std::uint32_t target = ids[k] & ~STALE_BIT;
                if (target >= n || (nodes_[target].onion >= 0 && !v2)) continue;
                reach(target);
            }
        }
    };
    reach(entry_points_.front());
    drain();

    Rng rng(stream_seed(options_.seed, Stream::book, n + 1));
    for (std::size_t target = 0; target < n; ++target) {
        if (reached[target]) continue;
        const bool needs_v2 = nodes_[target].onion >= 0;
        std::optional<std::size_t> chosen;
        for (int attempt = 0; attempt < 64 && !hosts_with_room.empty() && !chosen; ++attempt) {
            const std::size_t pick = rng.below(hosts_with_room.size());
            const std::size_t host = hosts_with_room[pick];
            if (effective_size[host] >= MAX_ADDR_TO_SEND) {
                hosts_with_room[pick] = hosts_with_room.back();
                hosts_with_room.pop_back();
                continue;
            }
            if (needs_v2 && nodes_[host].version < ADDRV2_VERSION) continue;
            chosen = host;
        }
        if (!chosen) continue;  // no book has room: the node stays undiscoverable
        extra_entries_[static_cast<std::uint32_t>(*chosen)].push_back(
            static_cast<std::uint32_t>(target));
        ++effective_size[*chosen];
        reach(target);
        drain();
    }
}

SimulatedNode SimulatedNetwork::node(std::size_t index) const {
    const NodeRecord& record = nodes_.at(index);
    SimulatedNode out;
    out.index = index;
    out.address = address_of_id(static_cast<std::uint32_t>(index));
    out.behaviour = record.behaviour;
    out.latency_ms = record.latency_ms;
    out.version = record.version;
    out.services = record.services;
    out.user_agent = AGENTS[record.agent].name;
    out.start_height = record.start_height;
    out.relay = record.relay;
    return out;
}

std::vector<SimulatedBookEntry> SimulatedNetwork::address_book(std::size_t index) const {
    assert(index < nodes_.size());
    const auto ids = book_ids(index);
    std::vector<SimulatedBookEntry> out;
    out.reserve(ids.size());
    for (std::size_t k = 0; k < ids.size(); ++k) out.push_back(describe_entry(index, ids[k]));
    return out;
}

std::vector<SimulatedBookEntry> SimulatedNetwork::getaddr_answer(std::size_t index,
                                                                 bool addrv2) const {
    assert(index < nodes_.size());
    if (!answers_getaddr(nodes_[index].behaviour)) return {};
    const bool v2 = addrv2 && nodes_[index].version >= ADDRV2_VERSION;
    const auto ids = book_ids(index);
    std::vector<SimulatedBookEntry> out;
    for (std::size_t k = 0; k < std::min(ids.size(), MAX_ADDR_TO_SEND); ++k) {
        SimulatedBookEntry entry = describe_entry(index, ids[k]);
        if (!v2 && entry.service.address.is_tor()) continue;
        out.push_back(std::move(entry));
    }
    return out;
}

std::optional<std::size_t> SimulatedNetwork::find(const NetService& address) const {
    if (address.port != port_) return std::nullopt;
    if (address.address.is_tor()) {
        const ByteSpan key = address.address.bytes();
        auto it = onion_ids_.find(std::string(key.begin(), key.end()));
        if (it == onion_ids_.end() || it->second >= nodes_.size()) return std::nullopt;
        return it->second;
    }
    const auto slot = address_slot(address.address);
    if (!slot || *slot >= nodes_.size() || nodes_[*slot].onion >= 0) return std::nullopt;
    return *slot;
}

std::size_t SimulatedNetwork::count(SimBehaviour behaviour) const {
    return static_cast<std::size_t>(std::count_if(
        nodes_.begin(), nodes_.end(), [&](const NodeRecord& r) { return r.behaviour == behaviour; }));
}

std::size_t SimulatedNetwork::listener_count() const {
    std::size_t count = 1;  // the SOCKS5 endpoint
    for (const NodeRecord& record : nodes_) {
        if (record.onion < 0 && record.behaviour != SimBehaviour::refused) ++count;
    }
    return count;
}

std::size_t SimulatedNetwork::model_bytes() const {
    std::size_t bytes = nodes_.capacity() * sizeof(NodeRecord) +
                        onion_keys_.capacity() * sizeof(onion_keys_[0]) +
                        onion_ids_.size() * (32 + sizeof(std::string) + 4 + 2 * sizeof(void*)) +
                        onion_ids_.bucket_count() * sizeof(void*) +
                        entry_points_.capacity() * sizeof(std::size_t);
    for (const auto& [host, extra] : extra_entries_) {
        bytes += extra.capacity() * 4 + sizeof(extra) + 4 + 2 * sizeof(void*);
    }
    return bytes + extra_entries_.bucket_count() * sizeof(void*);
}

std::string SimulatedNetwork::export_json(bool books) const {
    const std::size_t n = nodes_.size();
    std::string out;
    out.reserve(books ? n * 4096 : n * 256);
    char hex[9];
    std::snprintf(hex, sizeof hex, "%02x%02x%02x%02x", options_.magic[0], options_.magic[1],
                  options_.magic[2], options_.magic[3]);
    out += "{\"seed\":" + std::to_string(options_.seed) + ",\"port\":" + std::to_string(port_) +
           ",\"magic\":\"" + hex + "\",\"socks_proxy\":" +
           (running() ? json_string(socks_proxy_.to_string()) : std::string("null")) +
           ",\"entry_points\":[";
    for (std::size_t k = 0; k < entry_points_.size(); ++k) {
        if (k > 0) out += ',';
        out += std::to_string(entry_points_[k]);
    }
    out += "],\"fake_addresses\":[";
    for (std::size_t k = 0; k < fake_ipv4_ + fake_onion_; ++k) {
        if (k > 0) out += ',';
        out += json_string(address_of_id(static_cast<std::uint32_t>(n + k)).to_string());
    }
    out += "],\"nodes\":[";
    for (std::size_t i = 0; i < n; ++i) {
        const SimulatedNode info = node(i);
        if (i > 0) out += ",\n";
        out += "{\"index\":" + std::to_string(i) +
               ",\"address\":" + json_string(info.address.to_string()) + ",\"network\":\"" +
               std::string(to_string(info.address.address.network())) +
               "\",\"behaviour\":\"" + std::string(to_string(info.behaviour)) +
               "\",\"latency_ms\":" + std::to_string(info.latency_ms) +
               ",\"version\":" + std::to_string(info.version) +
               ",\"user_agent\":" + json_string(info.user_agent) +
               ",\"services\":" + std::to_string(info.services) +
               ",\"start_height\":" + std::to_string(info.start_height) +
               ",\"relay\":" + (info.relay ? "true" : "false");
        if (books) {
            const auto ids = book_ids(i);
            std::string stale;
            out += ",\"book\":[";
            for (std::size_t k = 0; k < ids.size(); ++k) {
                const std::string id = std::to_string(ids[k] & ~STALE_BIT);
                if (k > 0) out += ',';
                out += id;
                if ((ids[k] & STALE_BIT) != 0) stale += (stale.empty() ? "" : ",") + id;
            }
            out += "],\"stale\":[" + stale + "]";
        }
        out += '}';
    }
    out += "]}\n";
    return out;
}

// --- the server --------------------------------------------------------------------------

class SimulatedNetwork::Server {
public:
    explicit Server(const SimulatedNetwork& network) : network_(network) {}

    // Creates the reactor and binds every listener; `port` 0 picks one free for all nodes.
    Result<void, std::string> open(std::uint16_t port, std::uint16_t socks_port,
                                   std::uint16_t& bound_port, NetService& socks);
    void run() { reactor_->run(); }
    void stop() { reactor_->stop(); }

    std::atomic<std::uint64_t> accepted{0}, handshakes{0}, getaddr_answers{0}, socks_connects{0},
        open_connections{0}, peak_open_connections{0};

private:
    enum class Stage : std::uint8_t { socks_greeting, socks_auth, socks_request, p2p };
    struct Session {
        explicit Session(const MessageStart& magic) : decoder(magic) {}
        NetService remote;
        std::uint32_t node = UINT32_MAX;
        Stage stage = Stage::p2p;
        Bytes socks_input;
        MessageDecoder decoder;
        bool got_version = false;
        bool got_verack = false;
        bool wants_addrv2 = false;
        bool answered_getaddr = false;
        bool reacted = false;
        bool closing = false;
    };
    struct Delayed {
        std::chrono::steady_clock::time_point due;
        std::uint64_t sequence = 0;
        ConnectionId id = 0;
        Bytes bytes;
        bool close = false;
        bool operator>(const Delayed& other) const {
            return due != other.due ? due > other.due : sequence > other.sequence;
        }
    };

    Result<void, std::string> bind_all(std::uint16_t port, std::uint16_t socks_port,
                                       std::uint16_t& bound_port, NetService& socks,
                                       bool& address_in_use);
    void on_accept(Socket socket, const NetService& remote, const NetService& local);
    void on_data(ConnectionId id, ByteSpan data);
    void on_closed(ConnectionId id);
    void on_timer();
    void handle_socks(ConnectionId id, Session& session);
    void handle_p2p(ConnectionId id, Session& session, ByteSpan data);
    void handle_message(ConnectionId id, Session& session, const ReceivedMessage& message);
    Bytes frame(std::string_view command, ByteSpan payload) const {
        return encode_message(network_.options_.magic, command, payload);
    }
    Bytes own_version(const Session& session, const MessageStart& magic) const;
    // Sends now, or after the node's latency; with `close`, closes the connection after.
    void send(ConnectionId id, Session& session, Bytes bytes, bool close = false);
    void finish(ConnectionId id, Session& session);
    void forget(ConnectionId id);

    const SimulatedNetwork& network_;
    std::unique_ptr<Reactor> reactor_;
    NetService socks_address_;
    std::unordered_map<ConnectionId, Session> sessions_;
    std::vector<Delayed> delayed_;  // a min-heap on (due, sequence)
    std::uint64_t next_sequence_ = 0;
    ConnectionId next_id_ = 1;
};

Result<void, std::string> SimulatedNetwork::Server::open(std::uint16_t port,
                                                         std::uint16_t socks_port,
                                                         std::uint16_t& bound_port,
                                                         NetService& socks) {
    for (int attempt = 0;; ++attempt) {
        ReactorOptions options;
        options.timer_interval = std::chrono::milliseconds(5);
        ReactorCallbacks callbacks;
        callbacks.on_accept = [this](Socket socket, const NetService& remote,
                                     const NetService& local) {
            on_accept(std::move(socket), remote, local);
        };
        callbacks.on_data = [this](ConnectionId id, ByteSpan data) { on_data(id, data); };
        callbacks.on_closed = [this](ConnectionId id, const std::string&) { on_closed(id); };
        callbacks.on_timer = [this] { on_timer(); };
        auto reactor = Reactor::create(options, std::move(callbacks));
        if (!reactor) return fail("reactor: " + reactor.error());
        reactor_ = std::move(*reactor);
        bool in_use = false;
        auto bound = bind_all(port, socks_port, bound_port, socks, in_use);
        if (bound) return {};
        reactor_.reset();
        if (!in_use || port != 0 || attempt >= 8) return fail(bound.error());
    }
}

Result<void, std::string> SimulatedNetwork::Server::bind_all(std::uint16_t port,
                                                             std::uint16_t socks_port,
                                                             std::uint16_t& bound_port,
                                                             NetService& socks,
                                                             bool& address_in_use) {
    auto bind_one = [&](const NetService& address) -> Result<NetService, std::string> {
        assert(in_loopback_range(address.address));
        auto listener = listen_on(address);
        if (!listener) {
            address_in_use = listener.error().code == EADDRINUSE;
            return fail(address.to_string() + ": " + listener.error().message);
        }
        return reactor_->add_listener(std::move(*listener));
    };
    std::uint16_t chosen = port;
    for (std::size_t i = 0; i < network_.nodes_.size(); ++i) {
        const NodeRecord& record = network_.nodes_[i];
        if (record.onion >= 0 || record.behaviour == SimBehaviour::refused) continue;
        auto bound = bind_one(NetService{slot_address(i), chosen});
        if (!bound) return fail(bound.error());
        chosen = bound->port;
    }
    if (chosen == 0) {
        // No node listens: take a free port for the records anyway.
        auto probe = listen_on(NetService{slot_address(0), 0});
        if (!probe) return fail(probe.error().message);
        chosen = local_address(*probe).value().port;
    }
    auto socks_bound = bind_one(NetService{NetAddress::ipv4({127, 0, 0, 1}), socks_port});
    if (!socks_bound) return fail(socks_bound.error());
    socks_address_ = *socks_bound;
    bound_port = chosen;
    socks = *socks_bound;
    return {};
}

void SimulatedNetwork::Server::on_accept(Socket socket, const NetService& remote,
                                         const NetService& local) {
    // Only loopback listeners exist, so every peer is on 127/8; nothing is ever sent elsewhere.
    assert(in_loopback_range(remote.address));
    if (!in_loopback_range(remote.address)) return;
    const ConnectionId id = next_id_++;
    Session session(network_.options_.magic);
    session.remote = remote;
    if (local == socks_address_) {
        session.stage = Stage::socks_greeting;
    } else {
        const auto slot = address_slot(local.address);
        if (!slot || *slot >= network_.nodes_.size()) return;  // not ours: dropped
        session.node = static_cast<std::uint32_t>(*slot);
    }
    if (!reactor_->adopt(id, std::move(socket), remote)) return;
    sessions_.emplace(id, std::move(session));
    ++accepted;
    const auto open = ++open_connections;
    if (open > peak_open_connections) peak_open_connections = open;
}

void SimulatedNetwork::Server::forget(ConnectionId id) {
    if (sessions_.erase(id) > 0) --open_connections;
}

void SimulatedNetwork::Server::on_closed(ConnectionId id) { forget(id); }

void SimulatedNetwork::Server::on_data(ConnectionId id, ByteSpan data) {
    auto it = sessions_.find(id);
    if (it == sessions_.end()) return;
    Session& session = it->second;
    if (session.closing) return;
    if (session.stage != Stage::p2p) {
        append(session.socks_input, data);
        handle_socks(id, session);
    } else {
        handle_p2p(id, session, data);
    }
    if (session.closing) {
        // finish() closed it at once when nothing was delayed; otherwise the timer will.
        if (!reactor_->unsent_bytes(id)) forget(id);
    }
}

void SimulatedNetwork::Server::send(ConnectionId id, Session& session, Bytes bytes, bool close) {
    assert(in_loopback_range(session.remote.address));
    const std::uint32_t latency =
        session.node == UINT32_MAX ? 0 : network_.nodes_[session.node].latency_ms;
    if (close) session.closing = true;
    if (latency == 0) {
        reactor_->write(id, bytes);
        if (close) reactor_->close(id);
        return;
    }
    delayed_.push_back(Delayed{std::chrono::steady_clock::now() + std::chrono::milliseconds(latency),
                               next_sequence_++, id, std::move(bytes), close});
    std::push_heap(delayed_.begin(), delayed_.end(), std::greater<>{});
}

void SimulatedNetwork::Server::finish(ConnectionId id, Session& session) {
    send(id, session, Bytes{}, true);
}

void SimulatedNetwork::Server::on_timer() {
    const auto now = std::chrono::steady_clock::now();
    while (!delayed_.empty() && delayed_.front().due <= now) {
        std::pop_heap(delayed_.begin(), delayed_.end(), std::greater<>{});
        Delayed action = std::move(delayed_.back());
        delayed_.pop_back();
        if (!sessions_.contains(action.id)) continue;
        if (!action.bytes.empty()) reactor_->write(action.id, action.bytes);
        if (action.close) {
            reactor_->close(action.id);
            forget(action.id);
        }
    }
}

void SimulatedNetwork::Server::handle_socks(ConnectionId id, Session& session) {
    Bytes& in = session.socks_input;
    auto consume = [&](std::size_t count) {
        in.erase(in.begin(), in.begin() + static_cast<std::ptrdiff_t>(count));
    };
    if (session.stage == Stage::socks_greeting) {
        if (in.size() < 2) return;
        if (in[0] != 0x05) return finish(id, session);
        const std::size_t length = 2 + std::size_t{in[1]};
        if (in.size() < length) return;
        const bool password = std::find(in.begin() + 2, in.begin() + static_cast<std::ptrdiff_t>(length), 0x02) !=
                              in.begin() + static_cast<std::ptrdiff_t>(length);
        const bool none = std::find(in.begin() + 2, in.begin() + static_cast<std::ptrdiff_t>(length), 0x00) !=
                          in.begin() + static_cast<std::ptrdiff_t>(length);
        consume(length);
        if (!password && !none) return send(id, session, Bytes{0x05, 0xff}, true);
        send(id, session, Bytes{0x05, static_cast<std::uint8_t>(password ? 0x02 : 0x00)});
        session.stage = password ? Stage::socks_auth : Stage::socks_request;
    }
    if (session.stage == Stage::socks_auth) {
        if (in.size() < 2) return;
        const std::size_t user = in[1];
        if (in.size() < 3 + user) return;
        const std::size_t length = 3 + user + in[2 + user];
        if (in.size() < length) return;
        consume(length);
        send(id, session, Bytes{0x01, 0x00});
        session.stage = Stage::socks_request;
    }
    if (session.stage != Stage::socks_request || in.size() < 5) return;
    std::size_t length = 0;
    std::optional<NetAddress> host;
    bool named = false;
    switch (in[3]) {
        case 0x01:
            length = 10;
            if (in.size() >= length) host = NetAddress::ipv4({in[4], in[5], in[6], in[7]});
            break;
        case 0x03:
            length = 7 + std::size_t{in[4]};
            named = true;
            if (in.size() >= length) {
                host = NetAddress::parse(std::string_view(
                    reinterpret_cast<const char*>(in.data() + 5), in[4]));
            }
            break;
        case 0x04:
            length = 22;
            break;
        default:
            return send(id, session, Bytes{0x05, 0x08, 0x00, 0x01, 0, 0, 0, 0, 0, 0}, true);
    }
    if (in.size() < length) return;
    const std::uint16_t port = static_cast<std::uint16_t>(in[length - 2] << 8 | in[length - 1]);
    const std::uint8_t command = in[1];
    consume(length);
    auto refuse = [&](std::uint8_t code) {
        send(id, session, Bytes{0x05, code, 0x00, 0x01, 0, 0, 0, 0, 0, 0}, true);
    };
    if (command != 0x01) return refuse(0x07);  // command not supported
    if (!host) return refuse(named ? 0x04 : 0x02);  // an unknown name, or IPv6
    std::optional<std::size_t> node;
    if (host->is_tor()) {
        node = network_.find(NetService{*host, network_.port_});
        if (!node || network_.nodes_[*node].behaviour == SimBehaviour::refused) return refuse(0xf0);
    } else if (in_loopback_range(*host)) {
        node = network_.find(NetService{*host, network_.port_});
        if (!node || network_.nodes_[*node].behaviour == SimBehaviour::refused) return refuse(0x05);
    } else {
        return refuse(0x02);  // connection not allowed by ruleset
    }
    if (port != network_.port_) return refuse(0x05);
    send(id, session, Bytes{0x05, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0});
    ++socks_connects;
    session.node = static_cast<std::uint32_t>(*node);
    session.stage = Stage::p2p;
    Bytes rest = std::move(in);
    in.clear();
    if (!rest.empty()) handle_p2p(id, session, rest);
}

Bytes SimulatedNetwork::Server::own_version(const Session& session, const MessageStart& magic) const {
    const SimulatedNode node = network_.node(session.node);
    VersionMessage version;
    version.version = node.version;
    version.services = node.services;
    version.time = unix_now();
    // Core sends an empty addr_recv for an unroutable peer (loopback is one).
    version.addr_from_services = node.services;
    version.nonce = stream_seed(network_.options_.seed, Stream::nonce, session.node,
                                static_cast<std::uint64_t>(accepted.load()));
    version.user_agent = std::string(node.user_agent);
    version.start_height = node.start_height;
    version.relay = node.relay;
    return encode_message(magic, command::VERSION, encode_version(version));
}

void SimulatedNetwork::Server::handle_p2p(ConnectionId id, Session& session, ByteSpan data) {
    const NodeRecord& node = network_.nodes_[session.node];
    switch (node.behaviour) {
        case SimBehaviour::silent:
        case SimBehaviour::refused:
            return;
        case SimBehaviour::garbage: {
            if (session.reacted) return;
            session.reacted = true;
            Rng rng(stream_seed(network_.options_.seed, Stream::garbage, session.node));
            Bytes junk(rng.between(64, 255));
            for (auto& byte : junk) byte = static_cast<std::uint8_t>(rng.next());
            // The first byte of no network's magic (f9, 0b, 1c, 0a, fa): any known magic fails.
            junk[0] = 0x42;
            return send(id, session, std::move(junk));
        }
        case SimBehaviour::wrong_magic: {
            if (session.reacted) return;
            session.reacted = true;
            const MessageStart& foreign = network_.options_.foreign_magic;
            Bytes out = own_version(session, foreign);
            append(out, encode_message(foreign, command::VERACK, {}));
            return send(id, session, std::move(out), true);
        }
        case SimBehaviour::healthy:
        case SimBehaviour::slow:
        case SimBehaviour::disconnect_mid_handshake:
            break;
    }
    while (!data.empty() && !session.closing) {
        auto event = session.decoder.feed(data);
        if (!event) return finish(id, session);  // wrong magic or oversized: Core disconnects
        if (!*event) break;
        if (const auto* message = std::get_if<ReceivedMessage>(&**event)) {
            handle_message(id, session, *message);
        }
    }
}

void SimulatedNetwork::Server::handle_message(ConnectionId id, Session& session,
                                              const ReceivedMessage& message) {
    const NodeRecord& node = network_.nodes_[session.node];
    const std::string& name = message.command;
    if (name == command::VERSION) {
        if (session.got_version) return;
        auto version = decode_version(message.payload);
        if (!version) return finish(id, session);
        session.got_version = true;
        Bytes out = own_version(session, network_.options_.magic);
        if (node.behaviour == SimBehaviour::disconnect_mid_handshake) {
            return send(id, session, std::move(out), true);
        }
        if (std::min(version->version, node.version) >= ADDRV2_VERSION) {
            append(out, frame(command::WTXIDRELAY, {}));
            append(out, frame(command::SENDADDRV2, {}));
        }
        append(out, frame(command::VERACK, {}));
        ++handshakes;
        return send(id, session, std::move(out));
    }
    if (!session.got_version) return;  // Core ignores everything before version
    if (name == command::VERACK) {
        session.got_verack = true;
    } else if (name == command::SENDADDRV2) {
        if (!session.got_verack) session.wants_addrv2 = true;
    } else if (!session.got_verack) {
        return;  // Core ignores other messages before the handshake completes
    } else if (name == command::PING) {
        if (auto nonce = decode_nonce(message.payload)) {
            send(id, session, frame(command::PONG, encode_nonce(*nonce)));
        }
    } else if (name == command::GETADDR) {
        if (session.answered_getaddr) return;  // once per connection, as Core
        session.answered_getaddr = true;
        const bool v2 = session.wants_addrv2 && node.version >= ADDRV2_VERSION;
        const auto answer = network_.getaddr_answer(session.node, v2);
        const std::uint32_t now = unix_now();
        std::vector<PeerAddress> addresses;
        addresses.reserve(answer.size());
        for (const auto& entry : answer) {
            addresses.push_back(PeerAddress{entry.service, entry.services,
                                            now - std::min(now, entry.age_seconds)});
        }
        ++getaddr_answers;
        send(id, session,
             v2 ? frame(command::ADDRV2, encode_addrv2(addresses))
                : frame(command::ADDR, encode_addr(addresses)));
    }
}

// --- running -----------------------------------------------------------------------------

Result<void, std::string> SimulatedNetwork::start() {
    assert(!running());
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return fail("getrlimit: " + errno_text(errno));
    if (limit.rlim_cur != limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        if (::setrlimit(RLIMIT_NOFILE, &limit) != 0) return fail("setrlimit: " + errno_text(errno));
    }
    if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < descriptors_needed()) {
        return fail("the simulated network needs " + std::to_string(descriptors_needed()) +
                    " file descriptors plus one per connection; the limit is " +
                    std::to_string(limit.rlim_cur) + " (raise it with ulimit -n)");
    }
    auto server = std::make_unique<Server>(*this);
    std::uint16_t bound_port = 0;
    NetService socks;
    auto opened = server->open(options_.port, options_.socks_port, bound_port, socks);
    if (!opened) return fail(opened.error());
    port_ = bound_port;
    socks_proxy_ = socks;
    server_ = std::move(server);
    thread_ = std::thread([server = server_.get()] { server->run(); });
    return {};
}

void SimulatedNetwork::stop() {
    if (!server_) return;
    server_->stop();
    if (thread_.joinable()) thread_.join();
    server_.reset();
}

SimulatedNetworkStats SimulatedNetwork::stats() const {
    SimulatedNetworkStats out;
    if (!server_) return out;
    out.accepted = server_->accepted;
    out.handshakes = server_->handshakes;
    out.getaddr_answers = server_->getaddr_answers;
    out.socks_connects = server_->socks_connects;
    out.open_connections = server_->open_connections;
    out.peak_open_connections = server_->peak_open_connections;
    return out;
}

}  // namespace bitloom
