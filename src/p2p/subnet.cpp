#include "p2p/subnet.h"

#include <algorithm>
#include <array>

namespace bitloom {

namespace {

int address_bits(const NetAddress& address) { return static_cast<int>(address.bytes().size()) * 8; }

bool prefix_allowed(Network network) {
    return network == Network::ipv4 || network == Network::ipv6;
}

// The number of leading 1 bits of a netmask byte, or -1 when its 1 bits are not leading.
int mask_byte_bits(std::uint8_t byte) {
    for (int bits = 0; bits <= 8; ++bits) {
        if (byte == static_cast<std::uint8_t>(0xff00 >> bits)) return bits;
    }
    return -1;
}

std::optional<int> parse_prefix_length(std::string_view text) {
    if (text.empty() || text.size() > 3) return std::nullopt;
    int value = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        value = value * 10 + (c - '0');
    }
    return value;
}

NetAddress with_prefix(const NetAddress& address, int prefix_length) {
    const ByteSpan bytes = address.bytes();
    std::array<std::uint8_t, 16> masked{};
    std::copy(bytes.begin(), bytes.end(), masked.begin());
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        const int bits = std::clamp(prefix_length - static_cast<int>(i) * 8, 0, 8);
        masked[i] &= static_cast<std::uint8_t>(0xff00 >> bits);
    }
    if (address.is_ipv4()) return NetAddress::ipv4({masked[0], masked[1], masked[2], masked[3]});
    return NetAddress::ipv6(masked);
}

}  // namespace

SubNet SubNet::single(const NetAddress& address) {
    SubNet subnet;
    subnet.valid_ = true;
    subnet.network_ = address;
    subnet.prefix_length_ = address_bits(address);
    return subnet;
}

std::optional<SubNet> SubNet::from_prefix(const NetAddress& address, int prefix_length) {
    if (prefix_length < 0 || prefix_length > address_bits(address)) return std::nullopt;
    if (!prefix_allowed(address.network())) {
        if (prefix_length != address_bits(address)) return std::nullopt;
        return single(address);
    }
    SubNet subnet;
    subnet.valid_ = true;
    subnet.network_ = with_prefix(address, prefix_length);
    subnet.prefix_length_ = prefix_length;
    // ::ffff:0:0/96-style IPv6 prefixes cannot exist: NetAddress maps those bytes to IPv4.
    if (subnet.network_.network() != address.network()) return std::nullopt;
    return subnet;
}

std::optional<SubNet> SubNet::parse(std::string_view text, bool cjdns_fc) {
    if (text.find('\0') != std::string_view::npos) return std::nullopt;
    const std::size_t slash = text.find('/');
    const auto address = NetAddress::parse(text.substr(0, slash), cjdns_fc);
    if (!address) return std::nullopt;
    if (slash == std::string_view::npos) return single(*address);
    if (!prefix_allowed(address->network())) return std::nullopt;

    const std::string_view suffix = text.substr(slash + 1);
    if (const auto prefix = parse_prefix_length(suffix)) return from_prefix(*address, *prefix);

    const auto mask = NetAddress::parse(suffix, false);
    if (!mask || mask->network() != address->network()) return std::nullopt;
    int prefix_length = 0;
    bool zeros_found = false;
    for (const std::uint8_t byte : mask->bytes()) {
        const int bits = mask_byte_bits(byte);
        if (bits < 0 || (zeros_found && bits != 0)) return std::nullopt;
        if (bits < 8) zeros_found = true;
        prefix_length += bits;
    }
    return from_prefix(*address, prefix_length);
}

bool SubNet::is_single_address() const {
    return valid_ && prefix_length_ == address_bits(network_);
}

bool SubNet::matches(const NetAddress& address) const {
    if (!valid_ || !address.is_valid() || address.network() != network_.network()) return false;
    if (!prefix_allowed(network_.network())) return address == network_;
    return with_prefix(address, prefix_length_) == network_;
}

std::string SubNet::to_string() const {
    if (!valid_) return "";
    if (!prefix_allowed(network_.network())) return network_.to_string();
    return network_.to_string() + "/" + std::to_string(prefix_length_);
}

}  // namespace bitloom
