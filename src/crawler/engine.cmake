# The crawl engine: the scheduler (pure) and the asynchronous crawler on net::Reactor, tested
# against fake nodes and the simulated network (simnet.h), all on 127.0.0.0/8.
list(APPEND MODULE_SOURCES scheduler.cpp crawler.cpp)
list(APPEND MODULE_TESTS scheduler_test.cpp crawler_test.cpp crawler_simnet_test.cpp)
