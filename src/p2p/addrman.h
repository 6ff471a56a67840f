// The address manager: Bitcoin Core's AddrMan as pure logic. It keeps the addresses a node has
// heard of in a "new" table (1024 buckets of 64 slots, an address in up to 8 of them) and the
// addresses it has connected to in a "tried" table (256 buckets of 64 slots). Bucket choices
// hash a secret 32-byte key with the address group and the group of the peer that told us, so
// one source (or one /16) can only ever fill a few buckets.
//
// Bucket formulas (all hashes SHA256d, cheap = first 8 bytes little-endian; `key` is written
// as 32 raw bytes, vectors with a CompactSize length, integers little-endian):
//   service_key      := address bytes (IPv4 as ::ffff:a.b.c.d, 16 bytes) || port:u16be
//   tried_bucket     := cheap(key || group(addr) || u64(cheap(key || service_key) % 8)) % 256
//   new_bucket       := cheap(key || group(src) ||
//                             u64(cheap(key || group(addr) || group(src)) % 64)) % 1024
//   bucket_position  := cheap(key || u8('N' new / 'K' tried) || i32(bucket) || service_key) % 64
//
// Persistence (serialize / deserialize):
//   addrman_file := magic:"blam" version:u8(=1) key:byte[32]
//                   new_count:u32le tried_count:u32le
//                   entry[new_count] entry[tried_count] checksum:byte[32]
//     checksum   SHA256d of every byte before it
//   entry        := address:peer source:net_address last_try:i64le last_success:i64le
//                   attempts:i32le [new entries only: ref_count:u8 bucket:u16le[ref_count]]
//   peer         := net_address port:u16be services:u64le time:u32le
//   net_address  := network_id:u8 address:byte[4 | 16 | 32]   (BIP155 ids and sizes)
// Decoding is strict: counts within the tables' capacity, 1..8 distinct new buckets below 1024,
// routable addresses, no duplicate, each slot (recomputed from the key) free, the checksum and
// no trailing bytes; anything else is rejected with an AddrManError and no table is built.
// Transient state (the collision queue, attempt counting windows) is not saved, as in Core.
//
// Time is always passed in (`now`, seconds since the epoch); randomness comes from a FastRandom
// seeded by the caller, so a run is reproducible from (key, seed, inputs). Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "crypto/random.h"
#include "p2p/net_address.h"
#include "util/bytes.h"
#include "util/result.h"
#include "util/uint256.h"

namespace bitloom {

namespace addrman {
inline constexpr int NEW_BUCKET_COUNT = 1024;
inline constexpr int TRIED_BUCKET_COUNT = 256;
inline constexpr int BUCKET_SIZE = 64;
inline constexpr int TRIED_BUCKETS_PER_GROUP = 8;
inline constexpr int NEW_BUCKETS_PER_SOURCE_GROUP = 64;
inline constexpr int NEW_BUCKETS_PER_ADDRESS = 8;
inline constexpr std::int64_t HORIZON = 30 * 24 * 3600;  // not seen for this long: terrible
inline constexpr int RETRIES = 3;                        // failures without any success
inline constexpr int MAX_FAILURES = 10;                  // failures ...
inline constexpr std::int64_t MIN_FAIL = 7 * 24 * 3600;  // ... with no success this recent
inline constexpr std::int64_t REPLACEMENT = 4 * 3600;    // tried entry recently good: keep it
inline constexpr std::size_t TRIED_COLLISION_LIMIT = 10;
inline constexpr std::int64_t TEST_WINDOW = 40 * 60;
// Core's getaddr answer limits (net_processing's MAX_ADDR_TO_SEND and MAX_PCT_ADDR_TO_SEND).
inline constexpr std::size_t MAX_ADDR_TO_SEND = 1000;
inline constexpr std::size_t MAX_PCT_ADDR_TO_SEND = 23;
}  // namespace addrman

enum class AddrManError {
    bad_magic,            // not an address manager file
    unsupported_version,  // a format version this code does not read
    bad_checksum,         // the trailing SHA256d does not match: a damaged file
    truncated,            // the input ends inside a field
    too_many_entries,     // a count above the tables' capacity
    invalid_entry,        // an unknown network, an unroutable address, a bad bucket list...
    duplicate_entry,      // the same service twice
    slot_conflict,        // two entries claim one table slot
    trailing_data,        // bytes between the last entry and the checksum
};
std::string_view to_string(AddrManError error);

// What the manager knows about one address (a copy; the manager is not changed).
struct AddressInfo {
    PeerAddress address;
    NetAddress source;          // who told us first
    std::int64_t last_try = 0;  // last connection attempt
    std::int64_t last_success = 0;
    int attempts = 0;   // failures counted since the last success
    int ref_count = 0;  // new-table references (0 when tried)
    bool in_tried = false;

    // Core's IsTerrible: not worth keeping or advertising at `now`.
    bool is_terrible(std::int64_t now) const;
    // Core's GetChance: the relative chance Select() takes this entry once it lands on it.
    double chance(std::int64_t now) const;
};

// An address picked by select() or select_tried_collision(), with its last attempt time.
struct SelectedAddress {
    PeerAddress address;
    std::int64_t last_try = 0;
};

class AddrMan {
public:
    // `key` keys every bucket choice (keep it secret and stable); `random_seed` seeds the
    // FastRandom behind add's stochastic references, select and get_addr.
    AddrMan(const Uint256& key, const Uint256& random_seed);

    // Adds gossiped addresses learnt from `source`, each seen `time_penalty` seconds earlier
    // than it claims (no penalty when an address announces itself). Unroutable addresses are
    // ignored. A known address gets fresher time and more services, and with probability
    // 2^-refs one more new-table reference. Returns true when any slot was taken.
    bool add(std::span<const PeerAddress> addresses, const NetAddress& source,
             std::int64_t time_penalty, std::int64_t now);
    // A connection to `service` succeeded: records it and moves the entry to the tried table.
    // With `test_before_evict`, an occupied tried slot queues a collision instead (see
    // resolve_collisions) and nothing moves. Returns true when the entry moved to tried.
    bool good(const NetService& service, std::int64_t now, bool test_before_evict = true);
    // A connection attempt was made; `count_failure` counts it as a failure (at most once per
    // success recorded anywhere since, as in Core).
    void attempt(const NetService& service, bool count_failure, std::int64_t now);
    // We are still connected: refreshes the entry's time when it is over 20 minutes old.
    void connected(const NetService& service, std::int64_t now);
    void set_services(const NetService& service, std::uint64_t services);

    // Settles queued tried-table collisions: the old entry stays when it succeeded within
    // REPLACEMENT, loses to the new one when its last attempt (over a minute ago, within
    // REPLACEMENT) failed, or when the new entry's success is over TEST_WINDOW old.
    void resolve_collisions(std::int64_t now);
    // A random tried entry that a queued collision would evict (to test by connecting).
    std::optional<SelectedAddress> select_tried_collision();

    // Picks an address to connect to, from either table at 50% each (only new when
    // `new_only`), restricted to `networks` when not empty, weighted by chance(). nullopt when
    // nothing matches.
    std::optional<SelectedAddress> select(bool new_only, std::span<const Network> networks,
                                          std::int64_t now);
    // Up to `max_addresses` (0: no limit) and `max_pct` percent (0: no limit) of all entries in
    // random order, of `network` only when given (by network class: 6to4 and Teredo count as
    // IPv4), skipping terrible ones when `filtered`.
    std::vector<PeerAddress> get_addr(std::size_t max_addresses, std::size_t max_pct,
                                      std::optional<Network> network, std::int64_t now,
                                      bool filtered = true);

    // Entry count, optionally for one network and one table (true: new, false: tried).
    std::size_t size(std::optional<Network> network = std::nullopt,
                     std::optional<bool> in_new = std::nullopt) const;
    std::optional<AddressInfo> find(const NetService& service) const;
    std::size_t collision_count() const { return tried_collisions_.size(); }

    // The bucket formulas above, for tests and diagnostics.
    int tried_bucket(const NetService& service) const;
    int new_bucket(const NetService& service, const NetAddress& source) const;
    int bucket_position(const NetService& service, bool new_table, int bucket) const;
    // The new buckets an entry occupies (empty for a tried or unknown one).
    std::vector<int> new_buckets_of(const NetService& service) const;
    // Checks every internal invariant (table slots vs reference counts, counters, the random
    // order); true when consistent. For tests.
    bool check_consistency() const;

    // The whole table in the format at the top of this file.
    Bytes serialize() const;
    // Rebuilds a manager from serialize()'s output. The key comes from the file (bucket
    // positions depend on it); `random_seed` seeds the new manager's FastRandom. Never throws;
    // any damage or inconsistency gives an error.
    static Result<AddrMan, AddrManError> deserialize(ByteSpan data, const Uint256& random_seed);

private:
    struct Entry {
        AddressInfo info;
        std::int64_t last_count_attempt = 0;
        std::size_t random_pos = 0;
    };
    struct Counts {
        std::size_t new_entries = 0;
        std::size_t tried_entries = 0;
    };

    int find_id(const NetService& service) const;
    int create(const PeerAddress& address, const NetAddress& source);
    void remove(int id);
    void clear_new(int bucket, int position);
    void make_tried(int id);
    bool add_one(const PeerAddress& address, const NetAddress& source, std::int64_t time_penalty,
                 std::int64_t now);
    bool good_internal(int id, std::int64_t now, bool test_before_evict);
    void swap_random(std::size_t a, std::size_t b);
    int& new_slot(int bucket, int position) {
        return new_table_[static_cast<std::size_t>(bucket * addrman::BUCKET_SIZE + position)];
    }
    int& tried_slot(int bucket, int position) {
        return tried_table_[static_cast<std::size_t>(bucket * addrman::BUCKET_SIZE + position)];
    }
    int new_slot_at(int bucket, int position) const {
        return new_table_[static_cast<std::size_t>(bucket * addrman::BUCKET_SIZE + position)];
    }
    int tried_slot_at(int bucket, int position) const {
        return tried_table_[static_cast<std::size_t>(bucket * addrman::BUCKET_SIZE + position)];
    }

    Uint256 key_;
    FastRandom rng_;
    std::unordered_map<int, Entry> entries_;
    std::map<NetService, int> ids_;
    std::vector<int> random_order_;  // every id, shuffled lazily by get_addr
    std::vector<int> new_table_;     // NEW_BUCKET_COUNT * BUCKET_SIZE ids, -1 when empty
    std::vector<int> tried_table_;   // TRIED_BUCKET_COUNT * BUCKET_SIZE ids, -1 when empty
    std::set<int> tried_collisions_;
    std::map<Network, Counts> counts_;
    std::size_t new_count_ = 0;
    std::size_t tried_count_ = 0;
    int next_id_ = 0;
    std::int64_t last_good_ = 1;  // Core starts it at 1 so the first failure counts
};

}  // namespace bitloom
