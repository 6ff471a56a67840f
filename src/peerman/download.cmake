# Block download scheduling and the low-work headers sync (anti-DoS presync).
list(APPEND MODULE_SOURCES block_download.cpp headers_sync.cpp)
list(APPEND MODULE_TESTS block_download_test.cpp headers_sync_test.cpp)
