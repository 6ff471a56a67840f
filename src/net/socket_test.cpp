// Sockets on loopback: address conversion, listen/accept/connect, and the errors of each.
#include "net/socket.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace bitloom {
namespace {

NetService service(std::string_view text) {
    auto parsed = NetService::parse(text, 0);
    EXPECT_TRUE(parsed.has_value()) << text;
    return parsed.value_or(NetService{});
}

NetService loopback_any_port() { return NetService{NetAddress::ipv4({127, 0, 0, 1}), 0}; }

// Waits (generously) until `fd` is ready for `events`.
bool wait_for(int fd, short events) {
    pollfd entry{fd, events, 0};
    return ::poll(&entry, 1, 10'000) == 1;
}

TEST(Socket, converts_ipv4_services_to_socket_addresses_and_back) {
    const NetService original = service("127.0.0.1:18444");
    auto address = to_socket_address(original);
    ASSERT_TRUE(address.has_value());
    EXPECT_EQ(address->get()->sa_family, AF_INET);
    EXPECT_EQ(address->length, sizeof(sockaddr_in));
    sockaddr_in in{};
    std::memcpy(&in, address->get(), sizeof(in));
    EXPECT_EQ(ntohs(in.sin_port), 18444);
    auto back = from_socket_address(address->get(), address->length);
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(*back, original);
}

TEST(Socket, converts_ipv6_services_to_socket_addresses_and_back) {
    const NetService original = service("[2001:db8::1]:8333");
    auto address = to_socket_address(original);
    ASSERT_TRUE(address.has_value());
    EXPECT_EQ(address->get()->sa_family, AF_INET6);
    auto back = from_socket_address(address->get(), address->length);
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(*back, original);
}

TEST(Socket, reads_ipv4_mapped_ipv6_socket_addresses_as_ipv4) {
    sockaddr_in6 in6{};
    in6.sin6_family = AF_INET6;
    in6.sin6_port = htons(8333);
    const std::uint8_t mapped[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 1, 2, 3};
    std::memcpy(&in6.sin6_addr, mapped, 16);
    auto back = from_socket_address(reinterpret_cast<const sockaddr*>(&in6), sizeof(in6));
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(back->to_string(), "10.1.2.3:8333");
}

TEST(Socket, has_no_socket_address_for_tor_or_unknown_families) {
    const auto onion = NetService::parse(
        "pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion:8333", 8333);
    ASSERT_TRUE(onion.has_value());
    EXPECT_FALSE(to_socket_address(*onion).has_value());
    sockaddr unix_like{};
    unix_like.sa_family = AF_UNIX;
    EXPECT_FALSE(from_socket_address(&unix_like, sizeof(unix_like)).has_value());
}

TEST(Socket, listens_on_a_kernel_chosen_loopback_port_and_accepts_a_connection) {
    auto listener = listen_on(loopback_any_port());
    ASSERT_TRUE(listener.has_value()) << listener.error().message;
    auto bound = local_address(*listener);
    ASSERT_TRUE(bound.has_value());
    EXPECT_EQ(bound->address.to_string(), "127.0.0.1");
    ASSERT_NE(bound->port, 0);

    auto nothing = accept_from(*listener);
    ASSERT_TRUE(nothing.has_value());
    EXPECT_FALSE(nothing->has_value());

    auto client = start_connect(*bound);
    ASSERT_TRUE(client.has_value()) << client.error();
    ASSERT_TRUE(wait_for(client->fd(), POLLOUT));
    ASSERT_TRUE(finish_connect(*client).has_value());

    ASSERT_TRUE(wait_for(listener->fd(), POLLIN));
    auto accepted = accept_from(*listener);
    ASSERT_TRUE(accepted.has_value()) << accepted.error();
    ASSERT_TRUE(accepted->has_value());
    auto client_local = local_address(*client);
    ASSERT_TRUE(client_local.has_value());
    EXPECT_EQ((*accepted)->remote, *client_local);
    auto client_remote = remote_address(*client);
    ASSERT_TRUE(client_remote.has_value());
    EXPECT_EQ(*client_remote, *bound);

    const char message[] = "hello";
    ASSERT_EQ(::send(client->fd(), message, 5, MSG_NOSIGNAL), 5);
    ASSERT_TRUE(wait_for((*accepted)->socket.fd(), POLLIN));
    char received[8] = {};
    ASSERT_EQ(::recv((*accepted)->socket.fd(), received, sizeof(received), 0), 5);
    EXPECT_EQ(std::string(received, 5), "hello");
}

TEST(Socket, binding_a_taken_port_reports_address_in_use) {
    auto first = listen_on(loopback_any_port());
    ASSERT_TRUE(first.has_value());
    auto bound = local_address(*first);
    ASSERT_TRUE(bound.has_value());
    auto second = listen_on(*bound);
    ASSERT_FALSE(second.has_value());
    EXPECT_EQ(second.error().code, EADDRINUSE);
    EXPECT_NE(second.error().message.find("bind: "), std::string::npos)
        << second.error().message;
    EXPECT_NE(second.error().message.find("(" + std::to_string(EADDRINUSE) + ")"),
              std::string::npos)
        << second.error().message;
}

TEST(Socket, connecting_to_a_closed_loopback_port_is_refused) {
    NetService closed_port;
    {
        auto listener = listen_on(loopback_any_port());
        ASSERT_TRUE(listener.has_value());
        closed_port = local_address(*listener).value();
    }  // closed: nothing listens there now
    auto client = start_connect(closed_port);
    if (!client) {
        EXPECT_NE(client.error().find("refused"), std::string::npos) << client.error();
        return;
    }
    ASSERT_TRUE(wait_for(client->fd(), POLLOUT));
    auto result = finish_connect(*client);
    ASSERT_FALSE(result.has_value());
    EXPECT_NE(result.error().find("connect: "), std::string::npos) << result.error();
    EXPECT_NE(result.error().find("(" + std::to_string(ECONNREFUSED) + ")"), std::string::npos)
        << result.error();
}

TEST(Socket, listens_on_ipv6_loopback_when_the_host_has_it) {
    const NetService any6{*NetAddress::parse("::1"), 0};
    auto listener = listen_on(any6);
    if (!listener) GTEST_SKIP() << "no IPv6 loopback: " << listener.error().message;
    auto bound = local_address(*listener);
    ASSERT_TRUE(bound.has_value());
    EXPECT_EQ(bound->address.to_string(), "::1");
    int v6only = 0;
    socklen_t length = sizeof(v6only);
    ASSERT_EQ(::getsockopt(listener->fd(), IPPROTO_IPV6, IPV6_V6ONLY, &v6only, &length), 0);
    EXPECT_EQ(v6only, 1);
}

TEST(Socket, cannot_connect_directly_to_a_tor_address) {
    const auto onion = NetService::parse(
        "pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion:8333", 8333);
    ASSERT_TRUE(onion.has_value());
    auto client = start_connect(*onion);
    ASSERT_FALSE(client.has_value());
    EXPECT_NE(client.error().find("directly"), std::string::npos);
}

TEST(Socket, errno_text_names_the_error_and_its_number) {
    const std::string text = errno_text(ECONNREFUSED);
    EXPECT_NE(text.find("refused"), std::string::npos) << text;
    EXPECT_NE(text.find("(" + std::to_string(ECONNREFUSED) + ")"), std::string::npos);
}

}  // namespace
}  // namespace bitloom
