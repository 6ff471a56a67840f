// The ban list: Bitcoin Core's BanMan. Two independent mechanisms:
//
//   - Manual bans (the setban RPC): subnets with a creation time and an expiry time, in
//     seconds since the epoch. A banned address is refused inbound and never dialled.
//     They are persisted (banlist.dat) in the format below.
//   - Discouragement (misbehaving peers): a bounded, rolling set of the most recently
//     discouraged addresses, as Core's CRollingBloomFilter(50000, 0.000001), but exact: the
//     DISCOURAGED_CAPACITY most recent discouragements are remembered, the oldest forgotten
//     first (discouraging an address again makes it recent). Discouraged peers are accepted
//     inbound only while slots are free and are preferred for eviction. Not persisted, as in
//     Core.
//
// Persistence (serialize / deserialize):
//   banlist_file := magic:"blbn" version:u8(=1) count:compact_size entry[count]
//                   checksum:byte[32]
//     checksum    SHA256d of every byte before it
//   entry       := network_id:u8 address:byte[4 | 16 | 32] prefix_length:u8
//                  created:i64le until:i64le
//     network_id  BIP155 ids (1 IPv4, 2 IPv6, 4 Tor v3, 5 I2P, 6 CJDNS), sizes as there
//     prefix_length  0..32 (IPv4), 0..128 (IPv6); 0xff for Tor, I2P and CJDNS, whose
//                 subnets are single addresses
// Entries are written in the map's order (SubNet's ordering). Decoding is strict: the magic,
// the version, a count no larger than the remaining bytes can hold, known networks with
// their sizes, prefix lengths as above, address bits outside the prefix zero, no duplicate
// subnet, the checksum, and no trailing bytes. Damaged input gives an error, never a crash.
//
// Time is always passed in. Not thread-safe: the owner serialises calls.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "p2p/net_address.h"
#include "p2p/subnet.h"
#include "util/bytes.h"
#include "util/result.h"

namespace bitloom {

// A manual ban (Core's CBanEntry), seconds since the epoch.
struct BanEntry {
    std::int64_t created = 0;
    std::int64_t until = 0;
    friend bool operator==(const BanEntry&, const BanEntry&) = default;
};

struct BannedSubNet {
    SubNet subnet;
    BanEntry entry;
    friend bool operator==(const BannedSubNet&, const BannedSubNet&) = default;
};

class BanMan {
public:
    // Core's m_discouraged holds at least 50,000 addresses.
    static constexpr std::size_t DISCOURAGED_CAPACITY = 50'000;
    // setban's default duration (Core's DEFAULT_MISBEHAVING_BANTIME, 24 hours).
    static constexpr std::int64_t DEFAULT_BAN_TIME = 24 * 60 * 60;

    // `discouraged_capacity` bounds the discouragement set (tests use small values); > 0.
    explicit BanMan(std::size_t discouraged_capacity = DISCOURAGED_CAPACITY);

    // Bans `subnet` from `created` until `until`. An existing ban of the same subnet is
    // replaced only when the new one lasts longer (Core's BanMan::Ban). Returns true when
    // the list changed. An invalid subnet is ignored (false).
    bool ban(const SubNet& subnet, std::int64_t until, std::int64_t created);
    // Removes the ban of exactly `subnet`; false when there was none.
    bool unban(const SubNet& subnet);
    // Whether a ban that has not expired at `now` (now < until) covers `address`.
    bool is_banned(const NetAddress& address, std::int64_t now) const;
    // Whether exactly `subnet` is banned at `now`.
    bool is_banned(const SubNet& subnet, std::int64_t now) const;
    // Drops bans that expired (now > until, Core's SweepBanned), then lists the rest in
    // SubNet order.
    std::vector<BannedSubNet> list(std::int64_t now);
    // Drops expired bans; true when any was dropped.
    bool sweep(std::int64_t now);
    // Removes every manual ban (clearbanned). Discouragement is kept, as in Core.
    void clear();
    std::size_t ban_count() const { return bans_.size(); }

    // Discouragement (not persisted).
    void discourage(const NetAddress& address);
    bool is_discouraged(const NetAddress& address) const;
    void clear_discouraged();
    std::size_t discouraged_count() const { return discouraged_.size(); }

    // The manual bans in the format at the top of this file.
    Bytes serialize() const;
    // Rebuilds the manual bans; the discouragement set starts empty. Errors describe the
    // damage ("bad checksum", "truncated", ...).
    static Result<BanMan, std::string> deserialize(ByteSpan data,
                                                   std::size_t discouraged_capacity =
                                                       DISCOURAGED_CAPACITY);

private:
    std::map<SubNet, BanEntry> bans_;
    std::size_t discouraged_capacity_;
    std::deque<NetAddress> discouraged_order_;  // oldest first, one entry per discourage()
    std::map<NetAddress, std::size_t> discouraged_;  // address -> entries in the deque
};

}  // namespace bitloom
