# Message processing: sync, relay and serving peers.
list(APPEND MODULE_SOURCES tx_relay.cpp peer_manager.cpp)
list(APPEND MODULE_TESTS peer_manager_test.cpp)
