# The composition root: start-up, the RPC server wiring and shutdown.
list(APPEND MODULE_SOURCES node.cpp)
list(APPEND MODULE_TESTS node_test.cpp)
