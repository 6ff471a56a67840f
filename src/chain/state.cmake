# The UTXO cache and the chain state (block acceptance, activation, storage).
list(APPEND MODULE_SOURCES coins_cache.cpp chainstate.cpp)
list(APPEND MODULE_TESTS chainstate_test.cpp coins_cache_test.cpp)
