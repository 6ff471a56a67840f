# Blockchain and raw-transaction RPC methods, and the JSON forms of scripts, transactions and
# blocks they share.
list(APPEND MODULE_SOURCES rpc_encode.cpp rpc_blockchain.cpp rpc_rawtransaction.cpp)
list(APPEND MODULE_TESTS rpc_encode_test.cpp rpc_blockchain_test.cpp)
