# Network addresses and the address manager.
list(APPEND MODULE_SOURCES net_address.cpp)
list(APPEND MODULE_TESTS net_address_test.cpp)
list(APPEND MODULE_SOURCES addrman.cpp)
list(APPEND MODULE_TESTS addrman_test.cpp)
