#include "net/socks5.h"

#include <array>
#include <cstdio>

#include "crypto/random.h"
#include "util/hex.h"

namespace bitloom {

namespace {

constexpr std::uint8_t SOCKS_VERSION = 0x05;
constexpr std::uint8_t AUTH_VERSION = 0x01;
constexpr std::uint8_t METHOD_NO_AUTH = 0x00;
constexpr std::uint8_t METHOD_USER_PASSWORD = 0x02;
constexpr std::uint8_t COMMAND_CONNECT = 0x01;
constexpr std::uint8_t ATYP_IPV4 = 0x01;
constexpr std::uint8_t ATYP_DOMAIN = 0x03;
constexpr std::uint8_t ATYP_IPV6 = 0x04;

}  // namespace

Socks5Credentials random_socks5_credentials() {
    std::array<std::uint8_t, 8> user{};
    std::array<std::uint8_t, 8> password{};
    get_strong_random_bytes(user);
    get_strong_random_bytes(password);
    return Socks5Credentials{to_hex(user), to_hex(password)};
}

std::string_view socks5_reply_text(std::uint8_t code) {
    switch (code) {
    case 0x00: return "succeeded";
    case 0x01: return "general failure";
    case 0x02: return "connection not allowed";
    case 0x03: return "network unreachable";
    case 0x04: return "host unreachable";
    case 0x05: return "connection refused";
    case 0x06: return "TTL expired";
    case 0x07: return "protocol error";
    case 0x08: return "address type not supported";
    case 0xf0: return "onion service descriptor can not be found";
    case 0xf1: return "onion service descriptor is invalid";
    case 0xf2: return "onion service introduction failed";
    case 0xf3: return "onion service rendezvous failed";
    case 0xf4: return "onion service missing client authorization";
    case 0xf5: return "onion service wrong client authorization";
    case 0xf6: return "onion service invalid address";
    case 0xf7: return "onion service introduction timed out";
    default: return "unknown";
    }
}

Socks5Handshake::Socks5Handshake(Socks5Destination destination,
                                 std::optional<Socks5Credentials> credentials)
    : destination_(std::move(destination)), credentials_(std::move(credentials)) {
    if (const auto* name = std::get_if<std::string>(&destination_.host)) {
        if (name->empty() || name->size() > 255) {
            fail_with("hostname too long");
            return;
        }
    }
    if (credentials_) {
        const auto& c = *credentials_;
        if (c.username.empty() || c.username.size() > 255 || c.password.empty() ||
            c.password.size() > 255) {
            fail_with("proxy username or password too long");
            return;
        }
        output_ = {SOCKS_VERSION, 0x02, METHOD_NO_AUTH, METHOD_USER_PASSWORD};
    } else {
        output_ = {SOCKS_VERSION, 0x01, METHOD_NO_AUTH};
    }
}

Bytes Socks5Handshake::take_output() {
    Bytes out;
    out.swap(output_);
    return out;
}

Bytes Socks5Handshake::take_leftover() {
    Bytes out;
    out.swap(leftover_);
    return out;
}

void Socks5Handshake::receive(ByteSpan data) {
    if (done()) {
        if (state_ == State::connected) append(leftover_, data);
        return;
    }
    append(input_, data);
    advance();
}

void Socks5Handshake::fail_with(std::string error) {
    state_ = State::failed;
    error_ = std::move(error);
    output_.clear();
    input_.clear();
}

void Socks5Handshake::send_request() {
    output_.insert(output_.end(), {SOCKS_VERSION, COMMAND_CONNECT, 0x00});
    const NetAddress* address = std::get_if<NetAddress>(&destination_.host);
    if (address != nullptr && address->is_ipv4()) {
        output_.push_back(ATYP_IPV4);
        append(output_, address->bytes());
    } else if (address != nullptr && address->is_ipv6()) {
        output_.push_back(ATYP_IPV6);
        append(output_, address->bytes());
    } else {
        const std::string name =
            address != nullptr ? address->to_string() : std::get<std::string>(destination_.host);
        output_.push_back(ATYP_DOMAIN);
        output_.push_back(static_cast<std::uint8_t>(name.size()));
        append(output_, as_bytes(name));
    }
    output_.push_back(static_cast<std::uint8_t>(destination_.port >> 8));
    output_.push_back(static_cast<std::uint8_t>(destination_.port & 0xff));
    state_ = State::awaiting_reply;
}

void Socks5Handshake::advance() {
    while (!done()) {
        switch (state_) {
        case State::awaiting_method: {
            if (input_.size() < 2) return;
            const std::uint8_t version = input_[0];
            const std::uint8_t method = input_[1];
            input_.erase(input_.begin(), input_.begin() + 2);
            if (version != SOCKS_VERSION) return fail_with("proxy failed to initialize");
            if (method == METHOD_USER_PASSWORD && credentials_) {
                const auto& c = *credentials_;
                output_.push_back(AUTH_VERSION);
                output_.push_back(static_cast<std::uint8_t>(c.username.size()));
                append(output_, as_bytes(c.username));
                output_.push_back(static_cast<std::uint8_t>(c.password.size()));
                append(output_, as_bytes(c.password));
                state_ = State::awaiting_auth;
            } else if (method == METHOD_NO_AUTH) {
                send_request();
            } else {
                std::array<char, 8> hex{};
                std::snprintf(hex.data(), hex.size(), "%02x", method);
                return fail_with(std::string("proxy requested wrong authentication method ") +
                                 hex.data());
            }
            break;
        }
        case State::awaiting_auth: {
            if (input_.size() < 2) return;
            const std::uint8_t version = input_[0];
            const std::uint8_t status = input_[1];
            input_.erase(input_.begin(), input_.begin() + 2);
            if (version != AUTH_VERSION || status != 0x00) {
                return fail_with("proxy authentication unsuccessful");
            }
            send_request();
            break;
        }
        case State::awaiting_reply: {
            if (input_.size() < 5) return;
            if (input_[0] != SOCKS_VERSION) return fail_with("malformed proxy response");
            if (input_[1] != 0x00) return fail_with(std::string(socks5_reply_text(input_[1])));
            if (input_[2] != 0x00) return fail_with("malformed proxy response");
            std::size_t length;  // the whole reply
            switch (input_[3]) {
            case ATYP_IPV4: length = 4 + 4 + 2; break;
            case ATYP_IPV6: length = 4 + 16 + 2; break;
            case ATYP_DOMAIN: length = 4 + 1 + std::size_t{input_[4]} + 2; break;
            default: return fail_with("malformed proxy response");
            }
            if (input_.size() < length) return;
            leftover_.assign(input_.begin() + static_cast<std::ptrdiff_t>(length), input_.end());
            input_.clear();
            state_ = State::connected;
            break;
        }
        case State::connected:
        case State::failed:
            return;
        }
    }
}

}  // namespace bitloom
