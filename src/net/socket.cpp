#include "net/socket.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

namespace bitloom {

namespace {

std::string failure(std::string_view step, int error) {
    std::string text(step);
    text += ": ";
    text += errno_text(error);
    return text;
}

void set_int_option(int fd, int level, int name, int value) {
    // Best effort: a socket without the option still works.
    (void)::setsockopt(fd, level, name, &value, sizeof(value));
}

}  // namespace

std::string errno_text(int error) {
    std::array<char, 256> buffer{};
    // GNU strerror_r returns the message, possibly not in `buffer`.
    const char* message = ::strerror_r(error, buffer.data(), buffer.size());
    return std::string(message) + " (" + std::to_string(error) + ")";
}

void Socket::reset(int fd) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
}

std::optional<SocketAddress> to_socket_address(const NetService& service) {
    SocketAddress out;
    const NetAddress& address = service.address;
    if (address.is_ipv4()) {
        sockaddr_in in{};
        in.sin_family = AF_INET;
        in.sin_port = htons(service.port);
        std::memcpy(&in.sin_addr, address.bytes().data(), 4);
        std::memcpy(&out.storage, &in, sizeof(in));
        out.length = sizeof(in);
        return out;
    }
    if (address.is_ipv6() || address.is_cjdns()) {
        sockaddr_in6 in6{};
        in6.sin6_family = AF_INET6;
        in6.sin6_port = htons(service.port);
        std::memcpy(&in6.sin6_addr, address.bytes().data(), 16);
        std::memcpy(&out.storage, &in6, sizeof(in6));
        out.length = sizeof(in6);
        return out;
    }
    return std::nullopt;
}

std::optional<NetService> from_socket_address(const sockaddr* address, socklen_t length) {
    if (address == nullptr) return std::nullopt;
    if (address->sa_family == AF_INET && length >= static_cast<socklen_t>(sizeof(sockaddr_in))) {
        sockaddr_in in{};
        std::memcpy(&in, address, sizeof(in));
        std::array<std::uint8_t, 4> bytes{};
        std::memcpy(bytes.data(), &in.sin_addr, 4);
        return NetService{NetAddress::ipv4(bytes), ntohs(in.sin_port)};
    }
    if (address->sa_family == AF_INET6 &&
        length >= static_cast<socklen_t>(sizeof(sockaddr_in6))) {
        sockaddr_in6 in6{};
        std::memcpy(&in6, address, sizeof(in6));
        std::array<std::uint8_t, 16> bytes{};
        std::memcpy(bytes.data(), &in6.sin6_addr, 16);
        return NetService{NetAddress::ipv6(bytes), ntohs(in6.sin6_port)};
    }
    return std::nullopt;
}

Result<Socket, SocketError> listen_on(const NetService& address, int backlog) {
    auto socket_address = to_socket_address(address);
    if (!socket_address) {
        return fail(SocketError{EAFNOSUPPORT, "cannot listen on " + address.to_string() +
                                                  ": not an IPv4 or IPv6 address"});
    }
    const int family = socket_address->get()->sa_family;
    Socket socket(::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP));
    if (!socket.valid()) {
        const int error = errno;
        return fail(SocketError{error, failure("socket", error)});
    }
    set_int_option(socket.fd(), SOL_SOCKET, SO_REUSEADDR, 1);
    if (family == AF_INET6) set_int_option(socket.fd(), IPPROTO_IPV6, IPV6_V6ONLY, 1);
    if (::bind(socket.fd(), socket_address->get(), socket_address->length) != 0) {
        const int error = errno;
        return fail(SocketError{error, failure("bind", error)});
    }
    if (::listen(socket.fd(), backlog) != 0) {
        const int error = errno;
        return fail(SocketError{error, failure("listen", error)});
    }
    return socket;
}

Result<std::optional<AcceptedSocket>, std::string> accept_from(const Socket& listener) {
    SocketAddress remote;
    remote.length = sizeof(remote.storage);
    const int fd = ::accept4(listener.fd(), remote.get(), &remote.length,
                             SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
        const int error = errno;
        switch (error) {
        case EAGAIN:
#if EAGAIN != EWOULDBLOCK
        case EWOULDBLOCK:
#endif
        case EINTR:
        case ECONNABORTED:
        case EPROTO:
        case EPERM:  // refused by a firewall rule
            return std::optional<AcceptedSocket>();
        default:
            return fail(failure("accept", error));
        }
    }
    Socket socket(fd);
    auto service = from_socket_address(remote.get(), remote.length);
    if (!service) return fail(std::string("accept: unsupported address family"));
    set_int_option(socket.fd(), IPPROTO_TCP, TCP_NODELAY, 1);
    return std::optional<AcceptedSocket>(AcceptedSocket{std::move(socket), *service});
}

Result<Socket, std::string> start_connect(const NetService& address) {
    auto socket_address = to_socket_address(address);
    if (!socket_address) {
        return fail("cannot connect to " + address.to_string() +
                    " directly: not an IPv4 or IPv6 address");
    }
    Socket socket(::socket(socket_address->get()->sa_family,
                           SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP));
    if (!socket.valid()) return fail(failure("socket", errno));
    set_int_option(socket.fd(), IPPROTO_TCP, TCP_NODELAY, 1);
    int result;
    do {
        result = ::connect(socket.fd(), socket_address->get(), socket_address->length);
    } while (result != 0 && errno == EINTR);
    if (result != 0 && errno != EINPROGRESS) return fail(failure("connect", errno));
    return socket;
}

Result<void, std::string> finish_connect(const Socket& socket) {
    int error = 0;
    socklen_t length = sizeof(error);
    if (::getsockopt(socket.fd(), SOL_SOCKET, SO_ERROR, &error, &length) != 0) {
        return fail(failure("getsockopt", errno));
    }
    if (error != 0) return fail(failure("connect", error));
    return {};
}

Result<NetService, std::string> local_address(const Socket& socket) {
    SocketAddress address;
    address.length = sizeof(address.storage);
    if (::getsockname(socket.fd(), address.get(), &address.length) != 0) {
        return fail(failure("getsockname", errno));
    }
    auto service = from_socket_address(address.get(), address.length);
    if (!service) return fail(std::string("getsockname: unsupported address family"));
    return *service;
}

Result<NetService, std::string> remote_address(const Socket& socket) {
    SocketAddress address;
    address.length = sizeof(address.storage);
    if (::getpeername(socket.fd(), address.get(), &address.length) != 0) {
        return fail(failure("getpeername", errno));
    }
    auto service = from_socket_address(address.get(), address.length);
    if (!service) return fail(std::string("getpeername: unsupported address family"));
    return *service;
}

}  // namespace bitloom
