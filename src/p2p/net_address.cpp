#include "p2p/net_address.h"

#include <algorithm>
#include <bit>
#include <cstring>

#include "crypto/random.h"
#include "crypto/siphash.h"
#include "util/endian.h"

namespace bitloom {
namespace {

constexpr std::size_t TORV3_PUBKEY_SIZE = 32;
constexpr std::uint8_t TORV3_VERSION = 3;
constexpr std::size_t TORV3_NAME_LENGTH = 56;  // base32 of 35 bytes
constexpr std::size_t I2P_NAME_LENGTH = 52;    // base32 of 32 bytes, unpadded

// Tor v2 addresses were once carried in IPv6 under this prefix (OnionCat).
constexpr std::array<std::uint8_t, 6> TORV2_IN_IPV6_PREFIX{0xfd, 0x87, 0xd8, 0x7e, 0xeb, 0x43};
constexpr std::array<std::uint8_t, 12> IPV4_IN_IPV6_PREFIX{0, 0, 0, 0, 0,    0,
                                                           0, 0, 0, 0, 0xff, 0xff};

// Core's `enum Network` values, which lead every group so groups stay comparable with Core's.
constexpr std::uint8_t CLASS_UNROUTABLE = 0;
constexpr std::uint8_t CLASS_IPV4 = 1;
constexpr std::uint8_t CLASS_IPV6 = 2;
constexpr std::uint8_t CLASS_ONION = 3;
constexpr std::uint8_t CLASS_I2P = 4;
constexpr std::uint8_t CLASS_CJDNS = 5;

std::size_t size_for(Network network) {
    switch (network) {
        case Network::ipv4: return 4;
        case Network::ipv6: return 16;
        case Network::onion: return 32;
        case Network::i2p: return 32;
        case Network::cjdns: return 16;
    }
    return 0;
}

}  // namespace

namespace {

// SHA3-256 (FIPS 202): Keccak-f[1600] with rate 136 bytes and domain padding 0x06. Only the
// Tor v3 checksum needs it, so it lives here rather than in crypto.
class Sha3_256 {
public:
    Sha3_256& write(ByteSpan data) {
        for (std::uint8_t byte : data) {
            state_[pos_ / 8] ^= std::uint64_t{byte} << (8 * (pos_ % 8));
            if (++pos_ == RATE) {
                permute();
                pos_ = 0;
            }
        }
        return *this;
    }
    std::array<std::uint8_t, 32> finalize() {
        state_[pos_ / 8] ^= std::uint64_t{0x06} << (8 * (pos_ % 8));
        state_[(RATE - 1) / 8] ^= std::uint64_t{0x80} << (8 * ((RATE - 1) % 8));
        permute();
        std::array<std::uint8_t, 32> out{};
        for (std::size_t i = 0; i < out.size(); ++i) {
            out[i] = static_cast<std::uint8_t>(state_[i / 8] >> (8 * (i % 8)));
        }
        return out;
    }

private:
    static constexpr std::size_t RATE = 136;

    void permute() {
        static constexpr std::uint64_t ROUND_CONSTANTS[24] = {
            0x0000000000000001, 0x0000000000008082, 0x800000000000808a, 0x8000000080008000,
            0x000000000000808b, 0x0000000080000001, 0x8000000080008081, 0x8000000000008009,
            0x000000000000008a, 0x0000000000000088, 0x0000000080008009, 0x000000008000000a,
            0x000000008000808b, 0x800000000000008b, 0x8000000000008089, 0x8000000000008003,
            0x8000000000008002, 0x8000000000000080, 0x000000000000800a, 0x800000008000000a,
            0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008};
        // Rotation offsets and lane order of the combined rho and pi steps.
        static constexpr int ROTATIONS[24] = {1,  3,  6,  10, 15, 21, 28, 36, 45, 55, 2,  14,
                                              27, 41, 56, 8,  25, 43, 62, 18, 39, 61, 20, 44};
        static constexpr int PI_LANES[24] = {10, 7,  11, 17, 18, 3, 5,  16, 8,  21, 24, 4,
                                             15, 23, 19, 13, 12, 2, 20, 14, 22, 9,  6,  1};
        auto& a = state_;
        for (std::uint64_t round_constant : ROUND_CONSTANTS) {
            std::uint64_t column[5];
            for (int x = 0; x < 5; ++x)
                column[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
            for (int x = 0; x < 5; ++x) {
                const std::uint64_t d = column[(x + 4) % 5] ^ std::rotl(column[(x + 1) % 5], 1);
                for (int y = 0; y < 25; y += 5) a[y + x] ^= d;
            }
            std::uint64_t carried = a[1];
            for (int i = 0; i < 24; ++i) {
                const int lane = PI_LANES[i];
                const std::uint64_t next = a[lane];
                a[lane] = std::rotl(carried, ROTATIONS[i]);
                carried = next;
            }
            for (int y = 0; y < 25; y += 5) {
                std::uint64_t row[5];
                for (int x = 0; x < 5; ++x) row[x] = a[y + x];
                for (int x = 0; x < 5; ++x)
                    a[y + x] = row[x] ^ (~row[(x + 1) % 5] & row[(x + 2) % 5]);
            }
            a[0] ^= round_constant;
        }
    }

    std::array<std::uint64_t, 25> state_{};
    std::size_t pos_ = 0;
};

}  // namespace

std::array<std::uint8_t, 32> sha3_256(ByteSpan data) { return Sha3_256().write(data).finalize(); }

namespace {

std::array<std::uint8_t, 2> torv3_checksum(ByteSpan pubkey) {
    const std::uint8_t version = TORV3_VERSION;
    Bytes preimage(as_bytes(".onion checksum").begin(), as_bytes(".onion checksum").end());
    append(preimage, pubkey);
    preimage.push_back(version);
    const auto digest = sha3_256(preimage);
    return {digest[0], digest[1]};
}

constexpr std::string_view BASE32_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567";

// RFC 4648 base32, lowercase, without padding.
std::string encode_base32(ByteSpan data) {
    std::string out;
    std::uint32_t acc = 0;
    int bits = 0;
    for (std::uint8_t byte : data) {
        acc = (acc << 8) | byte;
        bits += 8;
        while (bits >= 5) {
            bits -= 5;
            out.push_back(BASE32_ALPHABET[(acc >> bits) & 31]);
        }
    }
    if (bits > 0) out.push_back(BASE32_ALPHABET[(acc << (5 - bits)) & 31]);
    return out;
}

// Unpadded base32 in either case; fails on other characters and on non-zero padding bits.
std::optional<Bytes> decode_base32(std::string_view text) {
    Bytes out;
    std::uint32_t acc = 0;
    int bits = 0;
    for (char c : text) {
        int value;
        if (c >= 'a' && c <= 'z') {
            value = c - 'a';
        } else if (c >= 'A' && c <= 'Z') {
            value = c - 'A';
        } else if (c >= '2' && c <= '7') {
            value = c - '2' + 26;
        } else {
            return std::nullopt;
        }
        acc = ((acc << 5) | static_cast<std::uint32_t>(value)) & 0xfff;
        bits += 5;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<std::uint8_t>(acc >> bits));
        }
    }
    if (bits >= 5 || (acc & ((1u << bits) - 1)) != 0) return std::nullopt;
    return out;
}

bool ends_with_ignoring_case(std::string_view text, std::string_view suffix) {
    if (text.size() < suffix.size()) return false;
    return std::equal(suffix.begin(), suffix.end(),
                      text.end() - static_cast<std::ptrdiff_t>(suffix.size()), [](char a, char b) {
                          return a == (b >= 'A' && b <= 'Z' ? static_cast<char>(b - 'A' + 'a') : b);
                      });
}

// A decimal number of 1 to `max_digits` digits without a leading zero, at most `max_value`.
std::optional<std::uint32_t> parse_decimal(std::string_view text, std::size_t max_digits,
                                           std::uint32_t max_value) {
    if (text.empty() || text.size() > max_digits) return std::nullopt;
    if (text.size() > 1 && text[0] == '0') return std::nullopt;
    std::uint32_t value = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        value = value * 10 + static_cast<std::uint32_t>(c - '0');
    }
    if (value > max_value) return std::nullopt;
    return value;
}

std::optional<std::array<std::uint8_t, 4>> parse_ipv4(std::string_view text) {
    std::array<std::uint8_t, 4> out{};
    for (std::size_t i = 0; i < 4; ++i) {
        const std::size_t dot = i < 3 ? text.find('.') : text.size();
        if (dot == std::string_view::npos) return std::nullopt;
        const auto octet = parse_decimal(text.substr(0, dot), 3, 255);
        if (!octet) return std::nullopt;
        out[i] = static_cast<std::uint8_t>(*octet);
        text.remove_prefix(i < 3 ? dot + 1 : dot);
    }
    return out;
}

std::optional<std::uint16_t> parse_hex_group(std::string_view text) {
    if (text.empty() || text.size() > 4) return std::nullopt;
    std::uint16_t value = 0;
    for (char c : text) {
        int digit;
        if (c >= '0' && c <= '9') {
            digit = c - '0';
        } else if (c >= 'a' && c <= 'f') {
            digit = c - 'a' + 10;
        } else if (c >= 'A' && c <= 'F') {
            digit = c - 'A' + 10;
        } else {
            return std::nullopt;
        }
        value = static_cast<std::uint16_t>((value << 4) | digit);
    }
    return value;
}

// Groups of one side of "::" (or of a whole address without it); the last may be a dotted
// quad when `allow_ipv4_tail`.
std::optional<std::vector<std::uint16_t>> parse_ipv6_groups(std::string_view text,
                                                            bool allow_ipv4_tail) {
    std::vector<std::uint16_t> groups;
    if (text.empty()) return groups;
    while (true) {
        const std::size_t colon = text.find(':');
        const std::string_view part = text.substr(0, colon);
        if (colon == std::string_view::npos && allow_ipv4_tail &&
            part.find('.') != std::string_view::npos) {
            const auto ipv4 = parse_ipv4(part);
            if (!ipv4) return std::nullopt;
            groups.push_back(static_cast<std::uint16_t>(((*ipv4)[0] << 8) | (*ipv4)[1]));
            groups.push_back(static_cast<std::uint16_t>(((*ipv4)[2] << 8) | (*ipv4)[3]));
            return groups;
        }
        const auto group = parse_hex_group(part);
        if (!group) return std::nullopt;
        groups.push_back(*group);
        if (groups.size() > 8) return std::nullopt;
        if (colon == std::string_view::npos) return groups;
        text.remove_prefix(colon + 1);
    }
}

std::optional<std::array<std::uint8_t, 16>> parse_ipv6(std::string_view text) {
    std::vector<std::uint16_t> head;
    std::vector<std::uint16_t> tail;
    const std::size_t gap = text.find("::");
    if (gap == std::string_view::npos) {
        auto groups = parse_ipv6_groups(text, true);
        if (!groups || groups->size() != 8) return std::nullopt;
        head = std::move(*groups);
    } else {
        const std::string_view after = text.substr(gap + 2);
        if (after.find("::") != std::string_view::npos) return std::nullopt;
        auto before_groups = parse_ipv6_groups(text.substr(0, gap), false);
        auto after_groups = parse_ipv6_groups(after, true);
        if (!before_groups || !after_groups) return std::nullopt;
        // "::" stands for at least one zero group.
        if (before_groups->size() + after_groups->size() > 7) return std::nullopt;
        head = std::move(*before_groups);
        tail = std::move(*after_groups);
    }
    std::array<std::uint8_t, 16> out{};
    for (std::size_t i = 0; i < head.size(); ++i) {
        out[2 * i] = static_cast<std::uint8_t>(head[i] >> 8);
        out[2 * i + 1] = static_cast<std::uint8_t>(head[i]);
    }
    const std::size_t tail_start = 8 - tail.size();
    for (std::size_t i = 0; i < tail.size(); ++i) {
        out[2 * (tail_start + i)] = static_cast<std::uint8_t>(tail[i] >> 8);
        out[2 * (tail_start + i) + 1] = static_cast<std::uint8_t>(tail[i]);
    }
    return out;
}

std::string ipv4_to_string(const std::uint8_t* b) {
    return std::to_string(b[0]) + "." + std::to_string(b[1]) + "." + std::to_string(b[2]) + "." +
           std::to_string(b[3]);
}

// RFC 5952: lowercase, no leading zeros, the first longest run of two or more zero groups
// replaced by "::".
std::string ipv6_to_string(const std::uint8_t* b) {
    std::uint16_t groups[8];
    for (int i = 0; i < 8; ++i)
        groups[i] = static_cast<std::uint16_t>((b[2 * i] << 8) | b[2 * i + 1]);
    int best_start = -1;
    int best_length = 1;
    for (int i = 0; i < 8;) {
        if (groups[i] != 0) {
            ++i;
            continue;
        }
        int j = i;
        while (j < 8 && groups[j] == 0) ++j;
        if (j - i > best_length) {
            best_start = i;
            best_length = j - i;
        }
        i = j;
    }
    static constexpr char HEX[] = "0123456789abcdef";
    std::string out;
    for (int i = 0; i < 8; ++i) {
        if (i == best_start) {
            out += "::";
            i += best_length - 1;
            continue;
        }
        if (!out.empty() && out.back() != ':') out += ':';
        bool started = false;
        for (int shift = 12; shift >= 0; shift -= 4) {
            const int digit = (groups[i] >> shift) & 0xf;
            if (digit != 0 || started || shift == 0) {
                out += HEX[digit];
                started = true;
            }
        }
    }
    return out;
}

bool has_prefix(ByteSpan bytes, std::initializer_list<std::uint8_t> prefix) {
    return bytes.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), bytes.begin());
}

}  // namespace

std::string_view to_string(Network network) {
    switch (network) {
        case Network::ipv4: return "ipv4";
        case Network::ipv6: return "ipv6";
        case Network::onion: return "onion";
        case Network::i2p: return "i2p";
        case Network::cjdns: return "cjdns";
    }
    return "unknown";
}

std::optional<Network> parse_network_name(std::string_view name) {
    const auto is = [&](std::string_view candidate) {
        return name.size() == candidate.size() && ends_with_ignoring_case(name, candidate);
    };
    for (Network network :
         {Network::ipv4, Network::ipv6, Network::onion, Network::i2p, Network::cjdns}) {
        if (is(to_string(network))) return network;
    }
    if (is("tor")) return Network::onion;
    return std::nullopt;
}

NetAddress NetAddress::ipv4(std::array<std::uint8_t, 4> bytes) {
    NetAddress out;
    out.network_ = Network::ipv4;
    std::copy(bytes.begin(), bytes.end(), out.bytes_.begin());
    return out;
}

NetAddress NetAddress::ipv6(std::array<std::uint8_t, 16> bytes) {
    if (std::equal(IPV4_IN_IPV6_PREFIX.begin(), IPV4_IN_IPV6_PREFIX.end(), bytes.begin())) {
        return ipv4({bytes[12], bytes[13], bytes[14], bytes[15]});
    }
    NetAddress out;
    if (std::equal(TORV2_IN_IPV6_PREFIX.begin(), TORV2_IN_IPV6_PREFIX.end(), bytes.begin())) {
        return out;
    }
    std::copy(bytes.begin(), bytes.end(), out.bytes_.begin());
    return out;
}

std::optional<NetAddress> NetAddress::from_bip155(std::uint8_t network_id, ByteSpan bytes) {
    NetAddress out;
    switch (network_id) {
        case static_cast<std::uint8_t>(Network::ipv4):
        case static_cast<std::uint8_t>(Network::ipv6):
        case static_cast<std::uint8_t>(Network::onion):
        case static_cast<std::uint8_t>(Network::i2p):
        case static_cast<std::uint8_t>(Network::cjdns):
            out.network_ = static_cast<Network>(network_id);
            break;
        default: return std::nullopt;
    }
    if (bytes.size() != size_for(out.network_)) return std::nullopt;
    if (out.network_ == Network::cjdns && bytes[0] != 0xfc) return std::nullopt;
    if (out.network_ == Network::ipv6 &&
        (std::equal(IPV4_IN_IPV6_PREFIX.begin(), IPV4_IN_IPV6_PREFIX.end(), bytes.begin()) ||
         std::equal(TORV2_IN_IPV6_PREFIX.begin(), TORV2_IN_IPV6_PREFIX.end(), bytes.begin()))) {
        return std::nullopt;
    }
    std::copy(bytes.begin(), bytes.end(), out.bytes_.begin());
    return out;
}

std::optional<NetAddress> NetAddress::parse(std::string_view text, bool cjdns_fc) {
    if (ends_with_ignoring_case(text, ".onion")) {
        const std::string_view name = text.substr(0, text.size() - 6);
        if (name.size() != TORV3_NAME_LENGTH) return std::nullopt;
        const auto decoded = decode_base32(name);
        if (!decoded || decoded->size() != TORV3_PUBKEY_SIZE + 3) return std::nullopt;
        const ByteSpan pubkey(decoded->data(), TORV3_PUBKEY_SIZE);
        const auto checksum = torv3_checksum(pubkey);
        if ((*decoded)[32] != checksum[0] || (*decoded)[33] != checksum[1] ||
            (*decoded)[34] != TORV3_VERSION) {
            return std::nullopt;
        }
        return from_bip155(static_cast<std::uint8_t>(Network::onion), pubkey);
    }
    if (ends_with_ignoring_case(text, ".b32.i2p")) {
        const std::string_view name = text.substr(0, text.size() - 8);
        if (name.size() != I2P_NAME_LENGTH) return std::nullopt;
        const auto decoded = decode_base32(name);
        if (!decoded) return std::nullopt;
        return from_bip155(static_cast<std::uint8_t>(Network::i2p), *decoded);
    }
    if (text.find(':') == std::string_view::npos) {
        const auto ipv4_bytes = parse_ipv4(text);
        if (!ipv4_bytes) return std::nullopt;
        return ipv4(*ipv4_bytes);
    }
    const auto ipv6_bytes = parse_ipv6(text);
    if (!ipv6_bytes) return std::nullopt;
    if (cjdns_fc && (*ipv6_bytes)[0] == 0xfc) {
        return from_bip155(static_cast<std::uint8_t>(Network::cjdns), *ipv6_bytes);
    }
    return ipv6(*ipv6_bytes);
}

ByteSpan NetAddress::bytes() const { return ByteSpan(bytes_.data(), size_for(network_)); }

std::optional<std::array<std::uint8_t, 16>> NetAddress::legacy_bytes() const {
    std::array<std::uint8_t, 16> out{};
    if (network_ == Network::ipv4) {
        std::copy(IPV4_IN_IPV6_PREFIX.begin(), IPV4_IN_IPV6_PREFIX.end(), out.begin());
        std::copy(bytes_.begin(), bytes_.begin() + 4, out.begin() + 12);
        return out;
    }
    if (network_ == Network::ipv6) {
        std::copy(bytes_.begin(), bytes_.begin() + 16, out.begin());
        return out;
    }
    return std::nullopt;
}

std::string NetAddress::to_string() const {
    switch (network_) {
        case Network::ipv4: return ipv4_to_string(bytes_.data());
        case Network::ipv6:
        case Network::cjdns: return ipv6_to_string(bytes_.data());
        case Network::onion: {
            Bytes name(bytes_.begin(), bytes_.begin() + TORV3_PUBKEY_SIZE);
            const auto checksum = torv3_checksum(name);
            name.push_back(checksum[0]);
            name.push_back(checksum[1]);
            name.push_back(TORV3_VERSION);
            return encode_base32(name) + ".onion";
        }
        case Network::i2p: return encode_base32(bytes()) + ".b32.i2p";
    }
    return {};
}

bool NetAddress::is_local() const {
    if (is_ipv4()) return bytes_[0] == 127 || bytes_[0] == 0;
    if (is_ipv6()) return has_prefix(bytes(), {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
    return false;
}

bool NetAddress::is_rfc1918() const {
    return is_ipv4() && (bytes_[0] == 10 || (bytes_[0] == 192 && bytes_[1] == 168) ||
                         (bytes_[0] == 172 && bytes_[1] >= 16 && bytes_[1] <= 31));
}

bool NetAddress::is_rfc2544() const {
    return is_ipv4() && bytes_[0] == 198 && (bytes_[1] == 18 || bytes_[1] == 19);
}

bool NetAddress::is_rfc3927() const { return is_ipv4() && bytes_[0] == 169 && bytes_[1] == 254; }

bool NetAddress::is_rfc6598() const {
    return is_ipv4() && bytes_[0] == 100 && bytes_[1] >= 64 && bytes_[1] <= 127;
}

bool NetAddress::is_rfc5737() const {
    return is_ipv4() && (has_prefix(bytes(), {192, 0, 2}) || has_prefix(bytes(), {198, 51, 100}) ||
                         has_prefix(bytes(), {203, 0, 113}));
}

bool NetAddress::is_rfc3849() const {
    return is_ipv6() && has_prefix(bytes(), {0x20, 0x01, 0x0d, 0xb8});
}

bool NetAddress::is_rfc3964() const { return is_ipv6() && has_prefix(bytes(), {0x20, 0x02}); }

bool NetAddress::is_rfc6052() const {
    return is_ipv6() && has_prefix(bytes(), {0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0});
}

bool NetAddress::is_rfc4380() const {
    return is_ipv6() && has_prefix(bytes(), {0x20, 0x01, 0x00, 0x00});
}

bool NetAddress::is_rfc4862() const {
    return is_ipv6() && has_prefix(bytes(), {0xfe, 0x80, 0, 0, 0, 0, 0, 0});
}

bool NetAddress::is_rfc4193() const { return is_ipv6() && (bytes_[0] & 0xfe) == 0xfc; }

bool NetAddress::is_rfc6145() const {
    return is_ipv6() && has_prefix(bytes(), {0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0});
}

bool NetAddress::is_rfc4843() const {
    return is_ipv6() && has_prefix(bytes(), {0x20, 0x01, 0x00}) && (bytes_[3] & 0xf0) == 0x10;
}

bool NetAddress::is_rfc7343() const {
    return is_ipv6() && has_prefix(bytes(), {0x20, 0x01, 0x00}) && (bytes_[3] & 0xf0) == 0x20;
}

bool NetAddress::is_he_net() const {
    return is_ipv6() && has_prefix(bytes(), {0x20, 0x01, 0x04, 0x70});
}

bool NetAddress::is_multicast() const {
    if (is_ipv4()) return (bytes_[0] & 0xf0) == 0xe0;
    if (is_ipv6()) return bytes_[0] == 0xff;
    return false;
}

bool NetAddress::is_valid() const {
    if (is_ipv6() &&
        std::all_of(bytes_.begin(), bytes_.begin() + 16, [](std::uint8_t b) { return b == 0; })) {
        return false;
    }
    if (is_cjdns() && bytes_[0] != 0xfc) return false;
    if (is_rfc3849()) return false;
    if (is_ipv4()) {
        const bool any = bytes_[0] == 0 && bytes_[1] == 0 && bytes_[2] == 0 && bytes_[3] == 0;
        const bool none =
            bytes_[0] == 0xff && bytes_[1] == 0xff && bytes_[2] == 0xff && bytes_[3] == 0xff;
        if (any || none) return false;
    }
    return true;
}

bool NetAddress::is_routable() const {
    return is_valid() && !(is_rfc1918() || is_rfc2544() || is_rfc3927() || is_rfc4862() ||
                           is_rfc6598() || is_rfc5737() || is_rfc4193() || is_rfc4843() ||
                           is_rfc7343() || is_local());
}

std::optional<std::array<std::uint8_t, 4>> NetAddress::linked_ipv4() const {
    if (!is_routable()) return std::nullopt;
    const auto* b = bytes_.data();
    if (is_ipv4()) return std::array<std::uint8_t, 4>{b[0], b[1], b[2], b[3]};
    if (is_rfc6052() || is_rfc6145())
        return std::array<std::uint8_t, 4>{b[12], b[13], b[14], b[15]};
    if (is_rfc3964()) return std::array<std::uint8_t, 4>{b[2], b[3], b[4], b[5]};
    if (is_rfc4380()) {
        // Teredo stores the client's address inverted in the last four bytes.
        return std::array<std::uint8_t, 4>{
            static_cast<std::uint8_t>(~b[12]), static_cast<std::uint8_t>(~b[13]),
            static_cast<std::uint8_t>(~b[14]), static_cast<std::uint8_t>(~b[15])};
    }
    return std::nullopt;
}

// The first byte is the network class as Core numbers it (0 unroutable, 1 IPv4, 2 IPv6,
// 3 onion, 4 I2P, 5 CJDNS), then the address prefix; the last partial byte has its unused
// low bits set.
Bytes NetAddress::group() const {
    if (is_local() || !is_routable()) return Bytes{CLASS_UNROUTABLE};
    if (const auto ipv4_bytes = linked_ipv4())
        return Bytes{CLASS_IPV4, (*ipv4_bytes)[0], (*ipv4_bytes)[1]};
    std::uint8_t net_class = CLASS_IPV6;
    int bits = 32;
    switch (network_) {
        case Network::onion:
            net_class = CLASS_ONION;
            bits = 4;
            break;
        case Network::i2p:
            net_class = CLASS_I2P;
            bits = 4;
            break;
        case Network::cjdns:
            net_class = CLASS_CJDNS;
            bits = 12;
            break;
        case Network::ipv6: bits = is_he_net() ? 36 : 32; break;
        case Network::ipv4: break;
    }
    Bytes out{net_class};
    const std::size_t whole_bytes = static_cast<std::size_t>(bits / 8);
    out.insert(out.end(), bytes_.begin(),
               bytes_.begin() + static_cast<std::ptrdiff_t>(whole_bytes));
    const int rest = bits % 8;
    if (rest > 0)
        out.push_back(static_cast<std::uint8_t>(bytes_[whole_bytes] | ((1 << (8 - rest)) - 1)));
    return out;
}

std::string NetService::to_string() const {
    const std::string host = address.to_string();
    if (address.is_ipv6() || address.is_cjdns()) return "[" + host + "]:" + std::to_string(port);
    return host + ":" + std::to_string(port);
}

std::optional<NetService> NetService::parse(std::string_view text, std::uint16_t default_port) {
    return parse(text, default_port, false);
}

std::optional<NetService> NetService::parse(std::string_view text, std::uint16_t default_port,
                                            bool cjdns_fc) {
    std::string_view host = text;
    std::uint16_t port = default_port;
    const std::size_t colon = text.rfind(':');
    if (colon != std::string_view::npos) {
        const bool bracketed = text.front() == '[' && colon > 0 && text[colon - 1] == ']';
        const bool multi_colon =
            colon > 0 && text.substr(0, colon).find(':') != std::string_view::npos;
        if (bracketed || !multi_colon) {
            const auto parsed = parse_decimal(text.substr(colon + 1), 5, 65535);
            if (!parsed || *parsed == 0) return std::nullopt;
            port = static_cast<std::uint16_t>(*parsed);
            host = text.substr(0, colon);
        }
    }
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
        if (host.find(':') == std::string_view::npos) return std::nullopt;
    }
    const auto address = NetAddress::parse(host, cjdns_fc);
    if (!address) return std::nullopt;
    return NetService{*address, port};
}

NetServiceHasher::NetServiceHasher() {
    std::array<std::uint8_t, 16> salt{};
    get_strong_random_bytes(salt);
    k0_ = read_le64(salt.data());
    k1_ = read_le64(salt.data() + 8);
}

std::size_t NetServiceHasher::operator()(const NetService& service) const {
    SipHasher hasher(k0_, k1_);
    const std::uint8_t network = static_cast<std::uint8_t>(service.address.network());
    hasher.write(ByteSpan(&network, 1));
    hasher.write(service.address.bytes());
    hasher.write_u64(service.port);
    return static_cast<std::size_t>(hasher.finalize());
}

}  // namespace bitloom
