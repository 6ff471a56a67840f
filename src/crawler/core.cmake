# The crawler's pure core: node records and reliability, the seeder's dump format, the DNS codec.
list(APPEND MODULE_SOURCES node_stats.cpp seeds_dump.cpp dns.cpp)
list(APPEND MODULE_TESTS node_stats_test.cpp seeds_dump_test.cpp dns_test.cpp)
