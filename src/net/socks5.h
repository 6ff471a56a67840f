// The client side of a SOCKS5 proxy handshake (RFC 1928, with RFC 1929 username/password
// authentication), as Bitcoin Core speaks it to Tor and other proxies: a pure codec and state
// machine with no socket. The caller writes what output() holds, feeds what it reads to
// receive(), and once the state is `connected` the stream carries the destination's bytes
// (leftover() holds any that arrived with the proxy's reply).
//
// Messages (all integers big-endian):
//   greeting     := 0x05 nmethods:u8 method:u8[nmethods]
//                   methods offered: 0x00 (no authentication), and 0x02 (username/password)
//                   when credentials are given
//   method_reply := 0x05 method:u8                      0xff: no acceptable method
//   auth         := 0x01 ulen:u8 username:byte[ulen] plen:u8 password:byte[plen]
//                   (only when the proxy chose 0x02; 1 <= ulen, plen <= 255)
//   auth_reply   := version:u8 status:u8                status 0x00: success
//   request      := 0x05 0x01 (CONNECT) 0x00 atyp:u8 destination port:u16
//                   atyp 0x01: IPv4 (4 bytes); 0x03: domain name (len:u8 name:byte[len],
//                   1..255 bytes); 0x04: IPv6 (16 bytes)
//   reply        := 0x05 rep:u8 0x00 atyp:u8 bound_address port:u16
//                   rep 0x00: succeeded; 0x01..0x08 the RFC's failures; Tor's extended
//                   codes 0xf0..0xf7 for onion services; the bound address has the request's
//                   atyp layouts (the client ignores it)
//
// Tor stream isolation: with -proxyrandomize Core sends a fresh username/password for every
// connection, so Tor puts each on its own circuit; random_credentials() makes such a pair.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "p2p/net_address.h"
#include "util/bytes.h"
#include "util/result.h"

namespace bitloom {

// RFC 1929 credentials.
struct Socks5Credentials {
    std::string username;
    std::string password;
};
// A fresh pair of random credentials (hex text) for stream isolation.
Socks5Credentials random_socks5_credentials();

// Where the proxy should connect: a name it resolves itself (sent as a domain name, atyp 3:
// Tor names, or -connect names), or an IPv4/IPv6 address (atyp 1/4). An address of another
// network (Tor, I2P) is sent as its text form, a domain name.
struct Socks5Destination {
    std::variant<std::string, NetAddress> host;
    std::uint16_t port = 0;
};

// The text Core gives a reply code ("general failure", "connection not allowed", "network
// unreachable", "host unreachable", "connection refused", "TTL expired", "protocol error",
// "address type not supported", Tor's onion service codes), "unknown" for others.
std::string_view socks5_reply_text(std::uint8_t code);

class Socks5Handshake {
public:
    enum class State { awaiting_method, awaiting_auth, awaiting_reply, connected, failed };

    // Queues the greeting. `credentials` (each part 1..255 bytes) are offered with method 0x02;
    // without them only "no authentication" is offered. An unusable destination (a name of 0
    // or more than 255 bytes) or unusable credentials fail at once (state() == failed).
    Socks5Handshake(Socks5Destination destination, std::optional<Socks5Credentials> credentials);

    State state() const { return state_; }
    bool done() const { return state_ == State::connected || state_ == State::failed; }
    // Why the handshake failed (empty otherwise), e.g. "connection refused".
    const std::string& error() const { return error_; }

    // Bytes to send to the proxy, taken (the internal buffer is emptied).
    Bytes take_output();
    // Feeds bytes read from the proxy. Consumes what the handshake needs; bytes after the
    // final reply go to leftover(). Bytes received once done() are appended to leftover().
    void receive(ByteSpan data);
    // Destination bytes that arrived together with the proxy's reply, taken.
    Bytes take_leftover();

private:
    void fail_with(std::string error);
    void send_request();
    // Processes input_ as far as the current state allows.
    void advance();

    Socks5Destination destination_;
    std::optional<Socks5Credentials> credentials_;
    State state_ = State::awaiting_method;
    std::string error_;
    Bytes output_;
    Bytes input_;
    Bytes leftover_;
};

}  // namespace bitloom
