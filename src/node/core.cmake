# The composition root: start-up, the RPC server wiring and shutdown.
list(APPEND MODULE_SOURCES node.cpp)
