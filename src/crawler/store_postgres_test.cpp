// What only the PostgreSQL store does: open() dispatches on a URL, key=value conninfo works,
// an unreachable server is cannot_open, and several crawlers share one database (opening it
// together migrates once; each sees what the others commit). The behaviour both backends
// share is tested in store_test.cpp on each.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "crawler/postgres_test_cluster.h"
#include "crawler/store.h"

namespace bitloom {
namespace {

constexpr std::int64_t T0 = 1'700'000'000;

NetService service(std::uint32_t n) {
    return NetService{NetAddress::ipv4({static_cast<std::uint8_t>(11 + n / 65536 % 100),
                                        static_cast<std::uint8_t>(n >> 8),
                                        static_cast<std::uint8_t>(n), 1}),
                      8333};
}

// The shared cluster, or a failed assertion saying why it could not be started.
#define REQUIRE_CLUSTER()                                                                 \
    PostgresTestCluster& cluster = PostgresTestCluster::shared();                         \
    ASSERT_TRUE(cluster.ok()) << "cannot run the PostgreSQL store tests: " << cluster.error()

TEST(PostgresStore, open_takes_a_postgresql_url_and_open_postgres_key_value_pairs) {
    REQUIRE_CLUSTER();
    std::string url = cluster.create_database();
    ASSERT_FALSE(url.empty()) << cluster.error();
    ASSERT_TRUE(url.starts_with("postgresql://"));
    {
        auto store = CrawlStore::open(url);
        ASSERT_TRUE(store.has_value()) << store.error().message;
        ASSERT_TRUE(store->upsert_node(new_node_record(service(1), T0)).has_value());
    }
    // The same database named as key=value pairs: "...?host=DIR&port=N" -> "host=DIR port=N".
    std::string query = url.substr(url.find('?') + 1);
    std::string database = url.substr(url.find("@/") + 2, url.find('?') - url.find("@/") - 2);
    std::string pairs = "user=postgres dbname=" + database;
    for (std::size_t start = 0; start < query.size();) {
        std::size_t end = query.find('&', start);
        if (end == std::string::npos) end = query.size();
        pairs += " " + query.substr(start, end - start);
        start = end + 1;
    }
    auto store = CrawlStore::open_postgres(pairs);
    ASSERT_TRUE(store.has_value()) << pairs << ": " << store.error().message;
    EXPECT_EQ(store->counts().value().known, 1u);
}

TEST(PostgresStore, an_unreachable_server_is_cannot_open_with_libpq_message) {
    auto store = CrawlStore::open("postgresql://postgres@/nothing?host=/nonexistent-dir&port=1");
    ASSERT_FALSE(store.has_value());
    EXPECT_EQ(store.error().error, StoreError::cannot_open);
    EXPECT_NE(store.error().message.find("connect"), std::string::npos);
    std::printf("unreachable: %s (%s)\n", std::string(to_string(store.error().error)).c_str(),
                store.error().message.c_str());
    REQUIRE_CLUSTER();
    auto missing = CrawlStore::open(cluster.url("no_such_database"));
    ASSERT_FALSE(missing.has_value());
    EXPECT_EQ(missing.error().error, StoreError::cannot_open);
    std::printf("missing database: %s\n", missing.error().message.c_str());
}

TEST(PostgresStore, crawlers_opening_one_database_together_migrate_it_once) {
    REQUIRE_CLUSTER();
    std::string url = cluster.create_database();
    ASSERT_FALSE(url.empty()) << cluster.error();
    constexpr int CRAWLERS = 6;
    std::atomic<int> opened{0};
    std::vector<std::string> errors(CRAWLERS);
    std::vector<std::thread> threads;
    for (int i = 0; i < CRAWLERS; ++i) {
        threads.emplace_back([&, i] {
            auto store = CrawlStore::open(url);
            if (!store) {
                errors[static_cast<std::size_t>(i)] = store.error().message;
                return;
            }
            ++opened;
            for (std::uint32_t n = 0; n < 50; ++n) {
                auto id = store->upsert_node(
                    new_node_record(service(static_cast<std::uint32_t>(i) * 1000 + n), T0));
                if (!id) errors[static_cast<std::size_t>(i)] = id.error().message;
            }
        });
    }
    for (std::thread& thread : threads) thread.join();
    for (int i = 0; i < CRAWLERS; ++i) EXPECT_EQ(errors[static_cast<std::size_t>(i)], "");
    EXPECT_EQ(opened.load(), CRAWLERS);
    auto store = CrawlStore::open(url);
    ASSERT_TRUE(store.has_value());
    EXPECT_EQ(store->schema_version().value(), 1);
    EXPECT_EQ(store->counts().value().known, CRAWLERS * 50u);
    EXPECT_TRUE(store->integrity_check().has_value());
}

TEST(PostgresStore, a_batch_is_invisible_to_another_crawler_until_committed) {
    REQUIRE_CLUSTER();
    std::string url = cluster.create_database();
    ASSERT_FALSE(url.empty()) << cluster.error();
    auto writer = CrawlStore::open(url);
    auto reader = CrawlStore::open(url);
    ASSERT_TRUE(writer.has_value() && reader.has_value());
    ASSERT_TRUE(writer->begin_batch().has_value());
    ASSERT_TRUE(writer->upsert_node(new_node_record(service(1), T0)).has_value());
    ASSERT_TRUE(writer->upsert_node(new_node_record(service(2), T0)).has_value());
    EXPECT_EQ(reader->counts().value().known, 0u);
    EXPECT_EQ(writer->counts().value().known, 2u);  // the writer sees its own batch
    ASSERT_TRUE(writer->commit_batch().has_value());
    EXPECT_EQ(reader->counts().value().known, 2u);
    // The reader updates a node the writer made; the writer sees the new fields.
    NodeRecord record = reader->load_node(service(1)).value();
    record.last_seen = T0 + 99;
    ASSERT_TRUE(reader->upsert_node(record).has_value());
    EXPECT_EQ(writer->load_node(service(1)).value().last_seen, T0 + 99);
    ASSERT_TRUE(reader->add_advertisement(service(1), service(2), T0).has_value());
    ASSERT_TRUE(writer->add_advertisement(service(1), service(2), T0 + 5).has_value());
    EXPECT_EQ(reader->advertisement_count(service(1), service(2)).value(), 2u);
}

}  // namespace
}  // namespace bitloom
