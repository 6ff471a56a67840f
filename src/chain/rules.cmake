# Block index, proof-of-work retargeting and the contextual header/block rules.
list(APPEND MODULE_SOURCES block_index.cpp pow.cpp contextual_check.cpp)
list(APPEND MODULE_TESTS block_index_test.cpp pow_test.cpp contextual_check_test.cpp)
