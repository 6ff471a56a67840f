# UTXO set and undo disk formats (Core's coins database and rev*.dat records) and the UTXO set
# statistics of gettxoutsetinfo.
list(APPEND MODULE_SOURCES coin_codec.cpp undo.cpp utxo_stats.cpp)
list(APPEND MODULE_TESTS coin_codec_test.cpp undo_test.cpp utxo_stats_test.cpp)
