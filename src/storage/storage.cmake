# Key-value stores (LevelDB and in memory) and the blk/rev block files.
list(APPEND MODULE_SOURCES kv_store.cpp leveldb_store.cpp block_files.cpp)
list(APPEND MODULE_TESTS kv_store_test.cpp block_files_test.cpp)
