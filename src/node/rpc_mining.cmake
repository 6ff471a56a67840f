# Mining and node-control RPC methods (register_mining_rpcs, register_node_rpcs).
list(APPEND MODULE_SOURCES rpc_mining.cpp rpc_node.cpp)
list(APPEND MODULE_TESTS rpc_mining_test.cpp)
