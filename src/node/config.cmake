# Configuration layer: options, bitloom.conf, data directory and logging.
list(APPEND MODULE_SOURCES options.cpp config.cpp datadir.cpp logging.cpp)
list(APPEND MODULE_TESTS options_test.cpp config_test.cpp datadir_test.cpp logging_test.cpp)
