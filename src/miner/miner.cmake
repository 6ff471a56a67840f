# Block assembly: coinbase, block template, nonce grinding, block version.
list(APPEND MODULE_SOURCES block_assembly.cpp)
list(APPEND MODULE_TESTS block_assembly_test.cpp)
