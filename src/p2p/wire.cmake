list(APPEND MODULE_SOURCES protocol.cpp messages.cpp)
list(APPEND MODULE_TESTS protocol_test.cpp messages_test.cpp)
