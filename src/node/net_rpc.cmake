# Peer-to-peer RPC methods (register_net_rpcs): getnetworkinfo, getpeerinfo, bans, added nodes,
# sendrawtransaction.
list(APPEND MODULE_SOURCES rpc_net.cpp)
list(APPEND MODULE_TESTS rpc_net_test.cpp)
