# Connection policy: subnets, the ban list, inbound eviction and the connection manager.
list(APPEND MODULE_SOURCES subnet.cpp)
list(APPEND MODULE_TESTS subnet_test.cpp)
list(APPEND MODULE_SOURCES banman.cpp)
list(APPEND MODULE_TESTS banman_test.cpp)
list(APPEND MODULE_SOURCES eviction.cpp)
list(APPEND MODULE_TESTS eviction_test.cpp)
list(APPEND MODULE_SOURCES connection_manager.cpp)
list(APPEND MODULE_TESTS connection_manager_test.cpp)
