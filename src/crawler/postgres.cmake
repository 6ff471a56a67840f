# The crawl store on PostgreSQL (the module links libpq; see CMakeLists.txt). The tests start a
# private cluster with the server binaries of Debian's postgresql package.
list(APPEND MODULE_SOURCES store_postgres.cpp)
list(APPEND MODULE_TESTS postgres_test_cluster.cpp store_postgres_test.cpp)
