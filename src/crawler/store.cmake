# The crawler's SQLite database (the module links SQLite::SQLite3; see CMakeLists.txt).
list(APPEND MODULE_SOURCES store.cpp)
list(APPEND MODULE_TESTS store_test.cpp)
