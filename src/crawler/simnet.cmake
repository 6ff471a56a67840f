# The simulated network of N Bitcoin nodes on loopback, for the crawler's tests and benchmarks.
list(APPEND MODULE_SOURCES simnet.cpp)
list(APPEND MODULE_TESTS simnet_test.cpp)
