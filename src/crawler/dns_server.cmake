# The DNS seed server: answers A/AAAA queries over UDP with the crawler's good nodes.
list(APPEND MODULE_SOURCES dns_server.cpp)
list(APPEND MODULE_TESTS dns_server_test.cpp)
