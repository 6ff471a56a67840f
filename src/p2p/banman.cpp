#include "p2p/banman.h"

#include <cassert>
#include <cstring>
#include <optional>

#include "crypto/hash.h"
#include "primitives/serialize.h"

namespace bitloom {

namespace {

constexpr std::uint8_t MAGIC[4] = {'b', 'l', 'b', 'n'};
constexpr std::uint8_t VERSION = 1;
constexpr std::size_t CHECKSUM_SIZE = 32;
constexpr std::uint8_t WHOLE_ADDRESS = 0xff;  // the prefix byte of Tor, I2P and CJDNS subnets
// network_id, the smallest address, prefix_length, created, until.
constexpr std::size_t MIN_ENTRY_SIZE = 1 + 4 + 1 + 8 + 8;

}  // namespace

BanMan::BanMan(std::size_t discouraged_capacity) : discouraged_capacity_(discouraged_capacity) {
    assert(discouraged_capacity_ > 0);
}

bool BanMan::ban(const SubNet& subnet, std::int64_t until, std::int64_t created) {
    if (!subnet.is_valid()) return false;
    auto [it, inserted] = bans_.try_emplace(subnet, BanEntry{created, until});
    if (inserted) return true;
    if (it->second.until >= until) return false;
    it->second = BanEntry{created, until};
    return true;
}

bool BanMan::unban(const SubNet& subnet) { return bans_.erase(subnet) > 0; }

bool BanMan::is_banned(const NetAddress& address, std::int64_t now) const {
    for (const auto& [subnet, entry] : bans_) {
        if (now < entry.until && subnet.matches(address)) return true;
    }
    return false;
}

bool BanMan::is_banned(const SubNet& subnet, std::int64_t now) const {
    const auto it = bans_.find(subnet);
    return it != bans_.end() && now < it->second.until;
}

bool BanMan::sweep(std::int64_t now) {
    const std::size_t before = bans_.size();
    std::erase_if(bans_, [now](const auto& item) {
        return !item.first.is_valid() || now > item.second.until;
    });
    return bans_.size() != before;
}

std::vector<BannedSubNet> BanMan::list(std::int64_t now) {
    sweep(now);
    std::vector<BannedSubNet> out;
    out.reserve(bans_.size());
    for (const auto& [subnet, entry] : bans_) out.push_back(BannedSubNet{subnet, entry});
    return out;
}

void BanMan::clear() { bans_.clear(); }

void BanMan::discourage(const NetAddress& address) {
    discouraged_order_.push_back(address);
    ++discouraged_[address];
    while (discouraged_order_.size() > discouraged_capacity_) {
        const auto oldest = discouraged_.find(discouraged_order_.front());
        if (--oldest->second == 0) discouraged_.erase(oldest);
        discouraged_order_.pop_front();
    }
}

bool BanMan::is_discouraged(const NetAddress& address) const {
    return discouraged_.contains(address);
}

void BanMan::clear_discouraged() {
    discouraged_order_.clear();
    discouraged_.clear();
}

Bytes BanMan::serialize() const {
    Bytes out;
    Writer writer(out);
    writer.write_bytes(ByteSpan(MAGIC, sizeof(MAGIC)));
    writer.write_u8(VERSION);
    writer.write_compact_size(bans_.size());
    for (const auto& [subnet, entry] : bans_) {
        writer.write_u8(static_cast<std::uint8_t>(subnet.network().network()));
        writer.write_bytes(subnet.network().bytes());
        const Network network = subnet.network().network();
        const bool has_prefix = network == Network::ipv4 || network == Network::ipv6;
        writer.write_u8(has_prefix ? static_cast<std::uint8_t>(subnet.prefix_length())
                                   : WHOLE_ADDRESS);
        writer.write_i64(entry.created);
        writer.write_i64(entry.until);
    }
    const Uint256 checksum = hash256(out);
    writer.write_bytes(checksum.span());
    return out;
}

Result<BanMan, std::string> BanMan::deserialize(ByteSpan data, std::size_t discouraged_capacity) {
    if (data.size() < sizeof(MAGIC) + 1 + 1 + CHECKSUM_SIZE) return fail(std::string("truncated"));
    if (std::memcmp(data.data(), MAGIC, sizeof(MAGIC)) != 0) return fail(std::string("bad magic"));
    if (data[sizeof(MAGIC)] != VERSION) return fail(std::string("unsupported version"));
    const ByteSpan body = data.first(data.size() - CHECKSUM_SIZE);
    const Uint256 checksum = hash256(body);
    if (std::memcmp(checksum.data(), data.data() + body.size(), CHECKSUM_SIZE) != 0) {
        return fail(std::string("bad checksum"));
    }

    Reader reader(body.subspan(sizeof(MAGIC) + 1));
    const auto count = reader.read_compact_size();
    if (!count) return fail(std::string(to_string(count.error())));
    if (*count > reader.remaining() / MIN_ENTRY_SIZE) return fail(std::string("truncated"));

    BanMan result(discouraged_capacity);
    for (std::uint64_t i = 0; i < *count; ++i) {
        const auto network_id = reader.read_u8();
        if (!network_id) return fail(std::string("truncated"));
        std::size_t size = 0;
        switch (*network_id) {
            case 1: size = 4; break;
            case 2: size = 16; break;
            case 4: size = 32; break;
            case 5: size = 32; break;
            case 6: size = 16; break;
            default: return fail("unknown network id " + std::to_string(*network_id));
        }
        const auto bytes = reader.read_span(size);
        if (!bytes) return fail(std::string("truncated"));
        const auto address = NetAddress::from_bip155(*network_id, *bytes);
        if (!address || address->network() != static_cast<Network>(*network_id)) {
            return fail(std::string("invalid address"));
        }
        const auto prefix_length = reader.read_u8();
        const auto created = reader.read_i64();
        const auto until = reader.read_i64();
        if (!prefix_length || !created || !until) return fail(std::string("truncated"));
        const bool has_prefix = address->is_ipv4() || address->is_ipv6();
        if (has_prefix == (*prefix_length == WHOLE_ADDRESS)) {
            return fail(std::string("invalid subnet"));
        }
        const auto subnet = has_prefix ? SubNet::from_prefix(*address, *prefix_length)
                                       : std::optional<SubNet>(SubNet::single(*address));
        // A subnet written by serialize() has no bits outside its prefix.
        if (!subnet || subnet->network() != *address) {
            return fail(std::string("invalid subnet"));
        }
        if (!result.bans_.try_emplace(*subnet, BanEntry{*created, *until}).second) {
            return fail("duplicate subnet " + subnet->to_string());
        }
    }
    if (!reader.at_end()) return fail(std::string("trailing data"));
    return result;
}

}  // namespace bitloom
