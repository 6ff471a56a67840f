#include "p2p/addrman.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>

#include "crypto/hash.h"
#include "primitives/serialize.h"
#include "util/endian.h"

namespace bitloom {
namespace {

using namespace addrman;

constexpr std::array<std::uint8_t, 4> FILE_MAGIC{'b', 'l', 'a', 'm'};
constexpr std::uint8_t FILE_VERSION = 1;

// Core's CService::GetKey: the legacy 16 bytes for IPv4/IPv6, raw bytes otherwise, then the
// port big-endian.
Bytes service_key(const NetService& service) {
    Bytes key;
    if (const auto legacy = service.address.legacy_bytes()) {
        key.assign(legacy->begin(), legacy->end());
    } else {
        append(key, service.address.bytes());
    }
    key.push_back(static_cast<std::uint8_t>(service.port >> 8));
    key.push_back(static_cast<std::uint8_t>(service.port & 0xff));
    return key;
}

std::uint64_t cheap(HashWriter& writer) { return writer.hash256().cheap_hash(); }

// Core's GetNetClass for an address the manager holds (always routable).
Network network_class(const NetAddress& address) {
    return address.linked_ipv4() ? Network::ipv4 : address.network();
}

std::int64_t clamp_time(std::int64_t t) {
    return std::clamp<std::int64_t>(t, 0, std::numeric_limits<std::uint32_t>::max());
}

void write_net_address(Writer& writer, const NetAddress& address) {
    writer.write_u8(static_cast<std::uint8_t>(address.network()));
    writer.write_bytes(address.bytes());
}

std::size_t address_size(std::uint8_t network_id) {
    switch (network_id) {
        case 1: return 4;
        case 2: return 16;
        case 4: return 32;
        case 5: return 32;
        case 6: return 16;
        default: return 0;
    }
}

AddrManError from_decode(DecodeError) { return AddrManError::truncated; }

Result<NetAddress, AddrManError> read_net_address(Reader& reader) {
    const auto id = reader.read_u8();
    if (!id) return fail(from_decode(id.error()));
    const std::size_t size = address_size(*id);
    if (size == 0) return fail(AddrManError::invalid_entry);
    const auto bytes = reader.read_span(size);
    if (!bytes) return fail(from_decode(bytes.error()));
    const auto address = NetAddress::from_bip155(*id, *bytes);
    if (!address) return fail(AddrManError::invalid_entry);
    return *address;
}

}  // namespace

std::string_view to_string(AddrManError error) {
    switch (error) {
        case AddrManError::bad_magic: return "bad magic";
        case AddrManError::unsupported_version: return "unsupported version";
        case AddrManError::bad_checksum: return "bad checksum";
        case AddrManError::truncated: return "truncated";
        case AddrManError::too_many_entries: return "too many entries";
        case AddrManError::invalid_entry: return "invalid entry";
        case AddrManError::duplicate_entry: return "duplicate entry";
        case AddrManError::slot_conflict: return "slot conflict";
        case AddrManError::trailing_data: return "trailing data";
    }
    return "unknown";
}

bool AddressInfo::is_terrible(std::int64_t now) const {
    if (now - last_try <= 60) return false;  // never drop what was tried in the last minute
    const std::int64_t time = address.time;
    if (time > now + 10 * 60) return true;  // from the future
    if (now - time > HORIZON) return true;
    if (last_success == 0 && attempts >= RETRIES) return true;
    if (now - last_success > MIN_FAIL && attempts >= MAX_FAILURES) return true;
    return false;
}

double AddressInfo::chance(std::int64_t now) const {
    double result = 1.0;
    if (now - last_try < 10 * 60) result *= 0.01;
    result *= std::pow(0.66, std::min(attempts, 8));
    return result;
}

AddrMan::AddrMan(const Uint256& key, const Uint256& random_seed)
    : key_(key),
      rng_(random_seed),
      new_table_(static_cast<std::size_t>(NEW_BUCKET_COUNT * BUCKET_SIZE), -1),
      tried_table_(static_cast<std::size_t>(TRIED_BUCKET_COUNT * BUCKET_SIZE), -1) {}

int AddrMan::tried_bucket(const NetService& service) const {
    HashWriter first;
    first.write_uint256(key_);
    first.write_var_bytes(service_key(service));
    const std::uint64_t hash1 = cheap(first);
    HashWriter second;
    second.write_uint256(key_);
    second.write_var_bytes(service.address.group());
    second.write_u64(hash1 % TRIED_BUCKETS_PER_GROUP);
    return static_cast<int>(cheap(second) % TRIED_BUCKET_COUNT);
}

int AddrMan::new_bucket(const NetService& service, const NetAddress& source) const {
    const Bytes source_group = source.group();
    HashWriter first;
    first.write_uint256(key_);
    first.write_var_bytes(service.address.group());
    first.write_var_bytes(source_group);
    const std::uint64_t hash1 = cheap(first);
    HashWriter second;
    second.write_uint256(key_);
    second.write_var_bytes(source_group);
    second.write_u64(hash1 % NEW_BUCKETS_PER_SOURCE_GROUP);
    return static_cast<int>(cheap(second) % NEW_BUCKET_COUNT);
}

int AddrMan::bucket_position(const NetService& service, bool new_table, int bucket) const {
    HashWriter writer;
    writer.write_uint256(key_);
    writer.write_u8(new_table ? 'N' : 'K');
    writer.write_i32(bucket);
    writer.write_var_bytes(service_key(service));
    return static_cast<int>(cheap(writer) % BUCKET_SIZE);
}

int AddrMan::find_id(const NetService& service) const {
    const auto it = ids_.find(service);
    return it == ids_.end() ? -1 : it->second;
}

int AddrMan::create(const PeerAddress& address, const NetAddress& source) {
    const int id = next_id_++;
    Entry entry;
    entry.info.address = address;
    entry.info.source = source;
    entry.random_pos = random_order_.size();
    entries_.emplace(id, entry);
    ids_.emplace(address.service, id);
    random_order_.push_back(id);
    ++new_count_;
    ++counts_[address.service.address.network()].new_entries;
    return id;
}

void AddrMan::swap_random(std::size_t a, std::size_t b) {
    if (a == b) return;
    std::swap(random_order_[a], random_order_[b]);
    entries_.at(random_order_[a]).random_pos = a;
    entries_.at(random_order_[b]).random_pos = b;
}

void AddrMan::remove(int id) {
    Entry& entry = entries_.at(id);
    assert(!entry.info.in_tried && entry.info.ref_count == 0);
    swap_random(entry.random_pos, random_order_.size() - 1);
    random_order_.pop_back();
    --counts_[entry.info.address.service.address.network()].new_entries;
    --new_count_;
    ids_.erase(entry.info.address.service);
    entries_.erase(id);
}

void AddrMan::clear_new(int bucket, int position) {
    int& slot = new_slot(bucket, position);
    if (slot == -1) return;
    const int id = slot;
    slot = -1;
    Entry& entry = entries_.at(id);
    assert(entry.info.ref_count > 0);
    if (--entry.info.ref_count == 0) remove(id);
}

bool AddrMan::add_one(const PeerAddress& address, const NetAddress& source,
                      std::int64_t time_penalty, std::int64_t now) {
    if (!address.service.address.is_routable()) return false;
    if (address.service.address == source) time_penalty = 0;
    const std::int64_t claimed = address.time;
    int id = find_id(address.service);
    if (id != -1) {
        AddressInfo& info = entries_.at(id).info;
        const bool currently_online = now - claimed < 24 * 3600;
        const std::int64_t update_interval = currently_online ? 3600 : 24 * 3600;
        if (info.address.time < claimed - update_interval - time_penalty) {
            info.address.time = static_cast<std::uint32_t>(clamp_time(claimed - time_penalty));
        }
        info.address.services |= address.services;
        if (claimed <= info.address.time) return false;  // nothing new
        if (info.in_tried) return false;
        if (info.ref_count == NEW_BUCKETS_PER_ADDRESS) return false;
        // Each extra reference is twice as hard to get as the one before.
        if (info.ref_count > 0 && rng_.randrange(std::uint64_t{1} << info.ref_count) != 0)
            return false;
    } else {
        PeerAddress stored = address;
        stored.time = static_cast<std::uint32_t>(clamp_time(claimed - time_penalty));
        id = create(stored, source);
    }
    const int bucket = new_bucket(address.service, source);
    const int position = bucket_position(address.service, true, bucket);
    const int occupant = new_slot_at(bucket, position);
    if (occupant == id) return false;
    bool insert = occupant == -1;
    if (!insert) {
        const AddressInfo& existing = entries_.at(occupant).info;
        const AddressInfo& incoming = entries_.at(id).info;
        if (existing.is_terrible(now) || (existing.ref_count > 1 && incoming.ref_count == 0))
            insert = true;
    }
    if (insert) {
        clear_new(bucket, position);
        ++entries_.at(id).info.ref_count;
        new_slot(bucket, position) = id;
    } else if (entries_.at(id).info.ref_count == 0) {
        remove(id);
    }
    return insert;
}

bool AddrMan::add(std::span<const PeerAddress> addresses, const NetAddress& source,
                  std::int64_t time_penalty, std::int64_t now) {
    bool added = false;
    for (const PeerAddress& address : addresses)
        added |= add_one(address, source, time_penalty, now);
    return added;
}

void AddrMan::make_tried(int id) {
    Entry& entry = entries_.at(id);
    const NetService& service = entry.info.address.service;
    for (int bucket = 0; bucket < NEW_BUCKET_COUNT && entry.info.ref_count > 0; ++bucket) {
        const int position = bucket_position(service, true, bucket);
        if (new_slot_at(bucket, position) == id) {
            new_slot(bucket, position) = -1;
            --entry.info.ref_count;
        }
    }
    --new_count_;
    --counts_[service.address.network()].new_entries;

    const int bucket = tried_bucket(service);
    const int position = bucket_position(service, false, bucket);
    const int evicted_id = tried_slot_at(bucket, position);
    if (evicted_id != -1) {
        // The old tried entry goes back to one slot of the new table.
        Entry& evicted = entries_.at(evicted_id);
        const NetService& evicted_service = evicted.info.address.service;
        evicted.info.in_tried = false;
        tried_slot(bucket, position) = -1;
        --tried_count_;
        --counts_[evicted_service.address.network()].tried_entries;
        const int new_bucket_id = new_bucket(evicted_service, evicted.info.source);
        const int new_position = bucket_position(evicted_service, true, new_bucket_id);
        clear_new(new_bucket_id, new_position);
        evicted.info.ref_count = 1;
        new_slot(new_bucket_id, new_position) = evicted_id;
        ++new_count_;
        ++counts_[evicted_service.address.network()].new_entries;
    }
    tried_slot(bucket, position) = id;
    ++tried_count_;
    ++counts_[service.address.network()].tried_entries;
    entry.info.in_tried = true;
}

bool AddrMan::good_internal(int id, std::int64_t now, bool test_before_evict) {
    last_good_ = now;
    AddressInfo& info = entries_.at(id).info;
    info.last_success = now;
    info.last_try = now;
    info.attempts = 0;
    // The entry's time is left alone so as not to reveal current connections.
    if (info.in_tried || info.ref_count == 0) return false;
    const int bucket = tried_bucket(info.address.service);
    const int position = bucket_position(info.address.service, false, bucket);
    if (test_before_evict && tried_slot_at(bucket, position) != -1) {
        if (tried_collisions_.size() < TRIED_COLLISION_LIMIT) tried_collisions_.insert(id);
        return false;
    }
    make_tried(id);
    return true;
}

bool AddrMan::good(const NetService& service, std::int64_t now, bool test_before_evict) {
    const int id = find_id(service);
    if (id == -1) {
        last_good_ = now;
        return false;
    }
    return good_internal(id, now, test_before_evict);
}

void AddrMan::attempt(const NetService& service, bool count_failure, std::int64_t now) {
    const int id = find_id(service);
    if (id == -1) return;
    Entry& entry = entries_.at(id);
    entry.info.last_try = now;
    if (count_failure && entry.last_count_attempt < last_good_) {
        entry.last_count_attempt = now;
        ++entry.info.attempts;
    }
}

void AddrMan::connected(const NetService& service, std::int64_t now) {
    const int id = find_id(service);
    if (id == -1) return;
    AddressInfo& info = entries_.at(id).info;
    if (now - std::int64_t{info.address.time} > 20 * 60) {
        info.address.time = static_cast<std::uint32_t>(clamp_time(now));
    }
}

void AddrMan::set_services(const NetService& service, std::uint64_t services) {
    const int id = find_id(service);
    if (id == -1) return;
    entries_.at(id).info.address.services = services;
}

void AddrMan::resolve_collisions(std::int64_t now) {
    for (auto it = tried_collisions_.begin(); it != tried_collisions_.end();) {
        const int new_id = *it;
        bool erase = false;
        const auto found = entries_.find(new_id);
        if (found == entries_.end() || !found->second.info.address.service.address.is_valid()) {
            erase = true;
        } else {
            const AddressInfo& incoming = found->second.info;
            const int bucket = tried_bucket(incoming.address.service);
            const int position = bucket_position(incoming.address.service, false, bucket);
            const int old_id = tried_slot_at(bucket, position);
            if (old_id == -1) {
                good_internal(new_id, now, false);  // the collision went away
                erase = true;
            } else {
                const AddressInfo& old = entries_.at(old_id).info;
                if (now - old.last_success < REPLACEMENT) {
                    erase = true;  // the old entry works: keep it
                } else if (now - old.last_try < REPLACEMENT) {
                    // The old entry was tried recently; give that attempt a minute to succeed.
                    if (now - old.last_try > 60) {
                        good_internal(new_id, now, false);
                        erase = true;
                    }
                } else if (now - incoming.last_success > TEST_WINDOW) {
                    // Nobody tested the old entry in time: assume it is gone.
                    good_internal(new_id, now, false);
                    erase = true;
                }
            }
        }
        it = erase ? tried_collisions_.erase(it) : std::next(it);
    }
}

std::optional<SelectedAddress> AddrMan::select_tried_collision() {
    if (tried_collisions_.empty()) return std::nullopt;
    auto it = tried_collisions_.begin();
    std::advance(it, static_cast<std::ptrdiff_t>(rng_.randrange(tried_collisions_.size())));
    const auto found = entries_.find(*it);
    if (found == entries_.end()) {
        tried_collisions_.erase(it);
        return std::nullopt;
    }
    const NetService& service = found->second.info.address.service;
    const int bucket = tried_bucket(service);
    const int old_id = tried_slot_at(bucket, bucket_position(service, false, bucket));
    if (old_id == -1) return std::nullopt;
    const AddressInfo& old = entries_.at(old_id).info;
    return SelectedAddress{old.address, old.last_try};
}

std::optional<SelectedAddress> AddrMan::select(bool new_only, std::span<const Network> networks,
                                               std::int64_t now) {
    if (random_order_.empty()) return std::nullopt;
    const auto wanted = [&](Network network) {
        return networks.empty() ||
               std::find(networks.begin(), networks.end(), network) != networks.end();
    };
    std::size_t new_entries = 0;
    std::size_t tried_entries = 0;
    for (const auto& [network, counts] : counts_) {
        if (!wanted(network)) continue;
        new_entries += counts.new_entries;
        tried_entries += counts.tried_entries;
    }
    if (new_only && new_entries == 0) return std::nullopt;
    if (new_entries + tried_entries == 0) return std::nullopt;
    bool search_tried;
    if (new_only || tried_entries == 0) {
        search_tried = false;
    } else if (new_entries == 0) {
        search_tried = true;
    } else {
        search_tried = rng_.randbool();
    }
    const int bucket_count = search_tried ? TRIED_BUCKET_COUNT : NEW_BUCKET_COUNT;
    double chance_factor = 1.0;
    while (true) {
        const int bucket =
            static_cast<int>(rng_.randrange(static_cast<std::uint64_t>(bucket_count)));
        const int start = static_cast<int>(rng_.randrange(BUCKET_SIZE));
        int id = -1;
        for (int i = 0; i < BUCKET_SIZE; ++i) {
            const int position = (start + i) % BUCKET_SIZE;
            const int candidate =
                search_tried ? tried_slot_at(bucket, position) : new_slot_at(bucket, position);
            if (candidate != -1 &&
                wanted(entries_.at(candidate).info.address.service.address.network())) {
                id = candidate;
                break;
            }
        }
        if (id == -1) continue;  // nothing usable in this bucket: pick another
        const AddressInfo& info = entries_.at(id).info;
        if (static_cast<double>(rng_.randbits(30)) < chance_factor * info.chance(now) * (1 << 30)) {
            return SelectedAddress{info.address, info.last_try};
        }
        chance_factor *= 1.2;
    }
}

std::vector<PeerAddress> AddrMan::get_addr(std::size_t max_addresses, std::size_t max_pct,
                                           std::optional<Network> network, std::int64_t now,
                                           bool filtered) {
    std::size_t limit = random_order_.size();
    if (max_pct != 0) limit = max_pct * limit / 100;
    if (max_addresses != 0) limit = std::min(limit, max_addresses);
    std::vector<PeerAddress> out;
    for (std::size_t n = 0; n < random_order_.size() && out.size() < limit; ++n) {
        const std::size_t pick =
            n + static_cast<std::size_t>(rng_.randrange(random_order_.size() - n));
        swap_random(n, pick);
        const AddressInfo& info = entries_.at(random_order_[n]).info;
        if (network && network_class(info.address.service.address) != *network) continue;
        if (filtered && info.is_terrible(now)) continue;
        out.push_back(info.address);
    }
    return out;
}

std::size_t AddrMan::size(std::optional<Network> network, std::optional<bool> in_new) const {
    if (!network) {
        if (!in_new) return new_count_ + tried_count_;
        return *in_new ? new_count_ : tried_count_;
    }
    const auto it = counts_.find(*network);
    if (it == counts_.end()) return 0;
    if (!in_new) return it->second.new_entries + it->second.tried_entries;
    return *in_new ? it->second.new_entries : it->second.tried_entries;
}

std::optional<AddressInfo> AddrMan::find(const NetService& service) const {
    const int id = find_id(service);
    if (id == -1) return std::nullopt;
    return entries_.at(id).info;
}

std::vector<int> AddrMan::new_buckets_of(const NetService& service) const {
    std::vector<int> out;
    const int id = find_id(service);
    if (id == -1 || entries_.at(id).info.in_tried) return out;
    for (int bucket = 0; bucket < NEW_BUCKET_COUNT; ++bucket) {
        if (new_slot_at(bucket, bucket_position(service, true, bucket)) == id)
            out.push_back(bucket);
    }
    return out;
}

bool AddrMan::check_consistency() const {
    std::unordered_map<int, int> references;
    std::unordered_map<int, int> tried_slots;
    for (int bucket = 0; bucket < NEW_BUCKET_COUNT; ++bucket) {
        for (int position = 0; position < BUCKET_SIZE; ++position) {
            const int id = new_slot_at(bucket, position);
            if (id == -1) continue;
            const auto it = entries_.find(id);
            if (it == entries_.end() || it->second.info.in_tried) return false;
            if (bucket_position(it->second.info.address.service, true, bucket) != position)
                return false;
            ++references[id];
        }
    }
    for (int bucket = 0; bucket < TRIED_BUCKET_COUNT; ++bucket) {
        for (int position = 0; position < BUCKET_SIZE; ++position) {
            const int id = tried_slot_at(bucket, position);
            if (id == -1) continue;
            const auto it = entries_.find(id);
            if (it == entries_.end() || !it->second.info.in_tried) return false;
            const NetService& service = it->second.info.address.service;
            if (tried_bucket(service) != bucket ||
                bucket_position(service, false, bucket) != position)
                return false;
            ++tried_slots[id];
        }
    }
    std::size_t new_entries = 0;
    std::size_t tried_entries = 0;
    std::map<Network, Counts> counts;
    for (const auto& [id, entry] : entries_) {
        const Network network = entry.info.address.service.address.network();
        if (entry.info.in_tried) {
            if (tried_slots[id] != 1 || entry.info.ref_count != 0) return false;
            ++tried_entries;
            ++counts[network].tried_entries;
        } else {
            const int refs = references[id];
            if (refs == 0 || refs != entry.info.ref_count || refs > NEW_BUCKETS_PER_ADDRESS)
                return false;
            ++new_entries;
            ++counts[network].new_entries;
        }
        if (entry.random_pos >= random_order_.size() || random_order_[entry.random_pos] != id)
            return false;
        const auto found = ids_.find(entry.info.address.service);
        if (found == ids_.end() || found->second != id) return false;
    }
    if (new_entries != new_count_ || tried_entries != tried_count_) return false;
    if (random_order_.size() != entries_.size() || ids_.size() != entries_.size()) return false;
    for (const auto& [network, c] : counts_) {
        const Counts expected = counts.contains(network) ? counts.at(network) : Counts{};
        if (c.new_entries != expected.new_entries || c.tried_entries != expected.tried_entries)
            return false;
    }
    return true;
}

Bytes AddrMan::serialize() const {
    Bytes out;
    Writer writer(out);
    writer.write_bytes(FILE_MAGIC);
    writer.write_u8(FILE_VERSION);
    writer.write_uint256(key_);
    writer.write_u32(static_cast<std::uint32_t>(new_count_));
    writer.write_u32(static_cast<std::uint32_t>(tried_count_));
    // Entries in id order so equal tables give equal files.
    std::vector<int> ids;
    ids.reserve(entries_.size());
    for (const auto& [id, entry] : entries_) ids.push_back(id);
    std::sort(ids.begin(), ids.end());
    std::unordered_map<int, std::vector<int>> buckets_by_id;
    for (int bucket = 0; bucket < NEW_BUCKET_COUNT; ++bucket) {
        for (int position = 0; position < BUCKET_SIZE; ++position) {
            const int id = new_slot_at(bucket, position);
            if (id != -1) buckets_by_id[id].push_back(bucket);
        }
    }
    for (const bool tried_pass : {false, true}) {
        for (int id : ids) {
            const AddressInfo& info = entries_.at(id).info;
            if (info.in_tried != tried_pass) continue;
            write_net_address(writer, info.address.service.address);
            std::uint8_t port[2];
            write_be16(port, info.address.service.port);
            writer.write_bytes(port);
            writer.write_u64(info.address.services);
            writer.write_u32(info.address.time);
            write_net_address(writer, info.source);
            writer.write_i64(info.last_try);
            writer.write_i64(info.last_success);
            writer.write_i32(info.attempts);
            if (!tried_pass) {
                const std::vector<int>& buckets = buckets_by_id[id];
                writer.write_u8(static_cast<std::uint8_t>(buckets.size()));
                for (int bucket : buckets) writer.write_u16(static_cast<std::uint16_t>(bucket));
            }
        }
    }
    const Uint256 checksum = hash256(out);
    writer.write_uint256(checksum);
    return out;
}

Result<AddrMan, AddrManError> AddrMan::deserialize(ByteSpan data, const Uint256& random_seed) {
    constexpr std::size_t HEADER_SIZE = 4 + 1 + 32 + 4 + 4;
    if (data.size() < FILE_MAGIC.size() ||
        !std::equal(FILE_MAGIC.begin(), FILE_MAGIC.end(), data.begin())) {
        return fail(AddrManError::bad_magic);
    }
    if (data.size() < 5) return fail(AddrManError::truncated);
    if (data[4] != FILE_VERSION) return fail(AddrManError::unsupported_version);
    if (data.size() < HEADER_SIZE + 32) return fail(AddrManError::truncated);
    const ByteSpan body = data.first(data.size() - 32);
    if (hash256(body) != Uint256(data.last(32))) return fail(AddrManError::bad_checksum);

    Reader reader(body.subspan(5));
    const auto key = reader.read_uint256();
    const auto new_total = reader.read_u32();
    const auto tried_total = reader.read_u32();
    if (!key || !new_total || !tried_total) return fail(AddrManError::truncated);
    if (*new_total > static_cast<std::uint32_t>(NEW_BUCKET_COUNT * BUCKET_SIZE) ||
        *tried_total > static_cast<std::uint32_t>(TRIED_BUCKET_COUNT * BUCKET_SIZE)) {
        return fail(AddrManError::too_many_entries);
    }
    AddrMan result(*key, random_seed);
    const std::uint64_t total = std::uint64_t{*new_total} + *tried_total;
    for (std::uint64_t n = 0; n < total; ++n) {
        const bool tried = n >= *new_total;
        PeerAddress peer;
        const auto address = read_net_address(reader);
        if (!address) return fail(address.error());
        const auto port = reader.read_span(2);
        const auto services = reader.read_u64();
        const auto time = reader.read_u32();
        if (!port || !services || !time) return fail(AddrManError::truncated);
        peer.service = NetService{*address, read_be16(port->data())};
        peer.services = *services;
        peer.time = *time;
        const auto source = read_net_address(reader);
        if (!source) return fail(source.error());
        const auto last_try = reader.read_i64();
        const auto last_success = reader.read_i64();
        const auto attempts = reader.read_i32();
        if (!last_try || !last_success || !attempts) return fail(AddrManError::truncated);
        if (!address->is_routable() || *attempts < 0) return fail(AddrManError::invalid_entry);
        if (result.ids_.contains(peer.service)) return fail(AddrManError::duplicate_entry);

        const int id = result.create(peer, *source);
        Entry& entry = result.entries_.at(id);
        entry.info.last_try = *last_try;
        entry.info.last_success = *last_success;
        entry.info.attempts = *attempts;
        if (tried) {
            const int bucket = result.tried_bucket(peer.service);
            const int position = result.bucket_position(peer.service, false, bucket);
            if (result.tried_slot_at(bucket, position) != -1)
                return fail(AddrManError::slot_conflict);
            --result.new_count_;
            --result.counts_[address->network()].new_entries;
            ++result.tried_count_;
            ++result.counts_[address->network()].tried_entries;
            entry.info.in_tried = true;
            result.tried_slot(bucket, position) = id;
            continue;
        }
        const auto ref_count = reader.read_u8();
        if (!ref_count) return fail(AddrManError::truncated);
        if (*ref_count == 0 || *ref_count > NEW_BUCKETS_PER_ADDRESS)
            return fail(AddrManError::invalid_entry);
        for (std::uint8_t r = 0; r < *ref_count; ++r) {
            const auto bucket = reader.read_u16();
            if (!bucket) return fail(AddrManError::truncated);
            if (*bucket >= NEW_BUCKET_COUNT) return fail(AddrManError::invalid_entry);
            const int position = result.bucket_position(peer.service, true, *bucket);
            const int occupant = result.new_slot_at(*bucket, position);
            if (occupant == id) return fail(AddrManError::invalid_entry);  // a bucket listed twice
            if (occupant != -1) return fail(AddrManError::slot_conflict);
            result.new_slot(*bucket, position) = id;
            ++entry.info.ref_count;
        }
    }
    if (!reader.at_end()) return fail(AddrManError::trailing_data);
    return result;
}

}  // namespace bitloom
