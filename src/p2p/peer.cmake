# The per-peer protocol state machine (handshake, ping/pong, timeouts).
list(APPEND MODULE_SOURCES peer.cpp)
list(APPEND MODULE_TESTS peer_test.cpp)
