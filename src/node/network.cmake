# The peer-to-peer side of the node: options, the network service and the processing thread.
list(APPEND MODULE_SOURCES network.cpp)
list(APPEND MODULE_TESTS network_test.cpp)
