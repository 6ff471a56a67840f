#include "net/resolve.h"

#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <charconv>

#include "net/socket.h"

namespace bitloom {

namespace {

std::optional<std::uint16_t> parse_port(std::string_view text) {
    if (text.empty() || text.size() > 5) return std::nullopt;
    if (!std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return std::nullopt;
    }
    unsigned value = 0;
    std::from_chars(text.data(), text.data() + text.size(), value);
    if (value == 0 || value > 65535) return std::nullopt;
    return static_cast<std::uint16_t>(value);
}

// One getaddrinfo pass; appends the answers (deduplicated) to `out`.
int lookup(const std::string& host, int flags, std::vector<NetAddress>& out) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_protocol = IPPROTO_TCP;
    hints.ai_flags = flags;
    addrinfo* answers = nullptr;
    const int status = ::getaddrinfo(host.c_str(), nullptr, &hints, &answers);
    if (status != 0) return status;
    for (const addrinfo* answer = answers; answer != nullptr; answer = answer->ai_next) {
        auto service = from_socket_address(answer->ai_addr, answer->ai_addrlen);
        if (!service) continue;
        if (std::find(out.begin(), out.end(), service->address) == out.end()) {
            out.push_back(service->address);
        }
    }
    ::freeaddrinfo(answers);
    return 0;
}

}  // namespace

bool is_onion_name(std::string_view host) {
    constexpr std::string_view suffix = ".onion";
    if (host.size() < suffix.size()) return false;
    const std::string_view tail = host.substr(host.size() - suffix.size());
    return std::equal(tail.begin(), tail.end(), suffix.begin(), [](char a, char b) {
        return (a >= 'A' && a <= 'Z' ? static_cast<char>(a - 'A' + 'a') : a) == b;
    });
}

std::optional<HostPort> split_host_port(std::string_view text) {
    HostPort out;
    std::string_view host = text;
    const std::size_t colon = text.rfind(':');
    if (colon != std::string_view::npos) {
        const bool bracketed = !text.empty() && text.front() == '[' && colon > 0 &&
                               text[colon - 1] == ']';
        const bool other_colon = text.substr(0, colon).find(':') != std::string_view::npos;
        if (bracketed || !other_colon) {
            auto port = parse_port(text.substr(colon + 1));
            if (!port) return std::nullopt;
            out.port = port;
            host = text.substr(0, colon);
        }
    }
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
    }
    if (host.empty()) return std::nullopt;
    out.host = std::string(host);
    return out;
}

std::optional<NetService> resolve_numeric(std::string_view text, std::uint16_t default_port) {
    auto split = split_host_port(text);
    if (!split) return std::nullopt;
    auto address = NetAddress::parse(split->host);
    if (!address) return std::nullopt;
    return NetService{*address, split->port.value_or(default_port)};
}

Result<std::vector<NetService>, std::string> resolve(std::string_view text,
                                                     std::uint16_t default_port,
                                                     bool allow_lookup) {
    auto split = split_host_port(text);
    if (!split) return fail("invalid address or port: \"" + std::string(text) + "\"");
    const std::uint16_t port = split->port.value_or(default_port);
    if (auto address = NetAddress::parse(split->host)) {
        return std::vector<NetService>{NetService{*address, port}};
    }
    if (split->host.find('\0') != std::string::npos) {
        return fail(std::string("invalid host name"));
    }
    if (is_onion_name(split->host)) {
        // Never ask DNS about a Tor name: that would tell the resolver where we connect.
        return fail("invalid onion address: \"" + split->host + "\"");
    }
    if (!allow_lookup) {
        return fail("cannot resolve \"" + split->host + "\": name lookups are disabled");
    }
    std::vector<NetAddress> addresses;
    // AI_ADDRCONFIG keeps IPv6 answers away from hosts without IPv6 (as Core asks); on a
    // host with only loopback interfaces it can hide every answer, so retry without it.
    int status = lookup(split->host, AI_ADDRCONFIG, addresses);
    if (status != 0 || addresses.empty()) {
        addresses.clear();
        status = lookup(split->host, 0, addresses);
    }
    if (status != 0) {
        return fail("cannot resolve \"" + split->host + "\": " + ::gai_strerror(status));
    }
    if (addresses.empty()) return fail("cannot resolve \"" + split->host + "\": no addresses");
    std::vector<NetService> out;
    out.reserve(addresses.size());
    for (const NetAddress& address : addresses) out.push_back(NetService{address, port});
    return out;
}

}  // namespace bitloom
