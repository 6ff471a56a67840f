// POSIX TCP sockets for the I/O layer (Linux): an owning file descriptor, the conversion
// between NetService and struct sockaddr, and the non-blocking listen / accept / connect steps
// the reactor (net/reactor.h) strings together.
//
// Every socket these functions create is non-blocking and close-on-exec. Connected sockets
// (accepted or connected) get TCP_NODELAY, as Bitcoin Core sets it: messages are framed by
// the application, and Nagle's algorithm would only delay pings and small inventories.
// Failures are values: a message naming the step and the system's errno text, e.g.
// "connect: Connection refused (111)".
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "p2p/net_address.h"
#include "util/result.h"

namespace bitloom {

// "<strerror text> (<errno>)" for an errno value; thread-safe.
std::string errno_text(int error);

// Owns one file descriptor and closes it when destroyed. Move-only; -1 means "none".
class Socket {
public:
    Socket() = default;
    explicit Socket(int fd) : fd_(fd) {}
    ~Socket() { reset(); }
    Socket(Socket&& other) noexcept : fd_(other.release()) {}
    Socket& operator=(Socket&& other) noexcept {
        if (this != &other) reset(other.release());
        return *this;
    }
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;

    int fd() const { return fd_; }
    bool valid() const { return fd_ >= 0; }
    // Gives up ownership: returns the descriptor and leaves this object empty.
    int release() {
        int fd = fd_;
        fd_ = -1;
        return fd;
    }
    // Closes the current descriptor (if any) and takes ownership of `fd`.
    void reset(int fd = -1);

private:
    int fd_ = -1;
};

// A socket address with its length, large enough for IPv4 and IPv6.
struct SocketAddress {
    sockaddr_storage storage{};
    socklen_t length = 0;
    const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage); }
    sockaddr* get() { return reinterpret_cast<sockaddr*>(&storage); }
};

// NetService -> sockaddr_in / sockaddr_in6. IPv4 gives AF_INET, IPv6 and CJDNS (an IPv6
// address on the wire) give AF_INET6. nullopt for networks a socket cannot reach directly
// (Tor, I2P): those go through a proxy.
std::optional<SocketAddress> to_socket_address(const NetService& service);
// sockaddr_in / sockaddr_in6 -> NetService. An IPv4-mapped IPv6 address (::ffff:a.b.c.d, as a
// dual-stack listener reports IPv4 peers) becomes IPv4. nullopt for other families.
std::optional<NetService> from_socket_address(const sockaddr* address, socklen_t length);

// The failure of a bind or listen: the errno value (for callers that tell "address in use"
// from other failures) and the message.
struct SocketError {
    int code = 0;
    std::string message;
};

// A listening socket on `address` (port 0: the kernel picks one; see local_address()).
// SO_REUSEADDR is set so a restarted node can bind while old connections sit in TIME_WAIT;
// IPv6 listeners set IPV6_V6ONLY so an IPv4 bind on the same port can coexist.
Result<Socket, SocketError> listen_on(const NetService& address, int backlog = 128);

// An accepted connection and the address it came from.
struct AcceptedSocket {
    Socket socket;
    NetService remote;
};
// Accepts one pending connection from `listener`. nullopt when none is pending (EAGAIN) or
// the pending one vanished before it could be taken (ECONNABORTED and the like); an error
// for failures of the listener itself (EMFILE, ENOBUFS...), which the caller logs.
Result<std::optional<AcceptedSocket>, std::string> accept_from(const Socket& listener);

// Starts a non-blocking connect to `address`. The returned socket is connecting: wait until
// it is writable, then call finish_connect(). Immediate failures (no route, unsupported
// network) are errors.
Result<Socket, std::string> start_connect(const NetService& address);
// The outcome of a connect started by start_connect(), once the socket is writable.
Result<void, std::string> finish_connect(const Socket& socket);

// getsockname / getpeername as NetService.
Result<NetService, std::string> local_address(const Socket& socket);
Result<NetService, std::string> remote_address(const Socket& socket);

}  // namespace bitloom
