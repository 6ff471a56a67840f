# Sockets, name resolution, the SOCKS5 client, the epoll reactor, and the network service
# that drives the connection manager (p2p/connection_manager.h) with them.
list(APPEND MODULE_SOURCES socket.cpp resolve.cpp socks5.cpp reactor.cpp network_service.cpp)
list(APPEND MODULE_TESTS socket_test.cpp resolve_test.cpp socks5_test.cpp reactor_test.cpp
     network_service_test.cpp)
