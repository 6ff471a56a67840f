// One behaviour suite run against both KvStore implementations (in memory and LevelDB), plus
// the LevelDB-only properties: data survives a reopen, and a second open is refused.
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "crypto/random.h"
#include "storage/kv_store.h"
#include "util/hex.h"
#include "testutil/temp_dir.h"

namespace bitloom {
namespace {

using testutil::TempDir;

Bytes b(std::string_view text) {
    const ByteSpan span = as_bytes(text);
    return Bytes(span.begin(), span.end());
}

std::unique_ptr<KvStore> open_or_die(const std::filesystem::path& path, LevelDbOptions options = {}) {
    auto store = open_leveldb(path.string(), options);
    EXPECT_TRUE(store.has_value()) << (store ? "" : store.error().message);
    return store ? std::move(*store) : nullptr;
}

enum class Backend { memory, leveldb };

class KvStoreBehaviour : public ::testing::TestWithParam<Backend> {
protected:
    void SetUp() override {
        if (GetParam() == Backend::memory) {
            store_ = std::make_unique<MemoryKvStore>();
        } else {
            store_ = open_or_die(dir_.path() / "db");
        }
        ASSERT_NE(store_, nullptr);
    }

    void put(std::string_view key, std::string_view value) {
        KvBatch batch;
        batch.put(as_bytes(key), as_bytes(value));
        ASSERT_TRUE(store_->write(batch, false).has_value());
    }

    std::optional<Bytes> get(std::string_view key) {
        auto value = store_->get(as_bytes(key));
        EXPECT_TRUE(value.has_value());
        return value ? *value : std::nullopt;
    }

    std::vector<std::pair<Bytes, Bytes>> entries_with_prefix(ByteSpan prefix, std::size_t limit = 1000) {
        std::vector<std::pair<Bytes, Bytes>> seen;
        const auto result = store_->for_each_with_prefix(prefix, [&](ByteSpan key, ByteSpan value) {
            seen.emplace_back(Bytes(key.begin(), key.end()), Bytes(value.begin(), value.end()));
            return seen.size() < limit;
        });
        EXPECT_TRUE(result.has_value());
        return seen;
    }

    testutil::TempDir dir_{"bitloom-kv-test"};
    std::unique_ptr<KvStore> store_;
};

TEST_P(KvStoreBehaviour, returns_nothing_for_an_absent_key) {
    EXPECT_EQ(get("missing"), std::nullopt);
    put("present", "1");
    EXPECT_EQ(get("missing"), std::nullopt);
    EXPECT_EQ(get("presen"), std::nullopt);
    EXPECT_EQ(get("present!"), std::nullopt);
}

TEST_P(KvStoreBehaviour, returns_the_value_that_was_put) {
    put("key", "value");
    EXPECT_EQ(get("key"), b("value"));
    put("key", "replaced");
    EXPECT_EQ(get("key"), b("replaced"));
}

TEST_P(KvStoreBehaviour, stores_empty_values_and_binary_keys) {
    const Bytes key = {0x00, 0xff, 0x00};
    KvBatch batch;
    batch.put(key, {});
    ASSERT_TRUE(store_->write(batch, true).has_value());
    const auto value = store_->get(key);
    ASSERT_TRUE(value.has_value());
    EXPECT_EQ(*value, Bytes{});
}

TEST_P(KvStoreBehaviour, applies_a_batch_in_order) {
    put("erased", "old");
    KvBatch batch;
    batch.put(as_bytes("a"), as_bytes("first"));
    batch.erase(as_bytes("a"));
    batch.erase(as_bytes("b"));
    batch.put(as_bytes("b"), as_bytes("second"));
    batch.put(as_bytes("c"), as_bytes("1"));
    batch.put(as_bytes("c"), as_bytes("2"));
    batch.erase(as_bytes("erased"));
    EXPECT_EQ(batch.size(), 7u);
    EXPECT_EQ(batch.approximate_bytes(), 1u + 5 + 1 + 1 + 1 + 6 + 1 + 1 + 1 + 1 + 6);
    ASSERT_TRUE(store_->write(batch, true).has_value());
    EXPECT_EQ(get("a"), std::nullopt);
    EXPECT_EQ(get("b"), b("second"));
    EXPECT_EQ(get("c"), b("2"));
    EXPECT_EQ(get("erased"), std::nullopt);
}

TEST_P(KvStoreBehaviour, an_empty_batch_changes_nothing) {
    put("k", "v");
    KvBatch batch;
    batch.put(as_bytes("x"), as_bytes("y"));
    batch.clear();
    EXPECT_TRUE(batch.empty());
    EXPECT_EQ(batch.approximate_bytes(), 0u);
    ASSERT_TRUE(store_->write(batch, false).has_value());
    EXPECT_EQ(get("k"), b("v"));
    EXPECT_EQ(get("x"), std::nullopt);
}

TEST_P(KvStoreBehaviour, iterates_a_prefix_in_bytewise_key_order) {
    // Written out of order; 0x80 and 0xff must sort after ASCII (unsigned bytes).
    for (const auto& key : {"pb", "pa\xff", "p", "pa", "pa\x80", "q", "o\xff", "pab"}) put(key, key);
    const auto seen = entries_with_prefix(as_bytes("pa"));
    const std::vector<Bytes> expected = {b("pa"), b("pab"), b("pa\x80"), b("pa\xff")};
    ASSERT_EQ(seen.size(), expected.size());
    for (std::size_t i = 0; i < seen.size(); ++i) {
        EXPECT_EQ(seen[i].first, expected[i]) << i;
        EXPECT_EQ(seen[i].second, expected[i]) << i;
    }
    EXPECT_EQ(entries_with_prefix(as_bytes("p")).size(), 6u);
    EXPECT_EQ(entries_with_prefix(as_bytes("z")).size(), 0u);
    EXPECT_EQ(entries_with_prefix({}).size(), 8u);
}

TEST_P(KvStoreBehaviour, stops_iterating_when_the_visitor_says_so) {
    for (const auto& key : {"k1", "k2", "k3", "k4"}) put(key, "v");
    const auto seen = entries_with_prefix(as_bytes("k"), 2);
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_EQ(seen[0].first, b("k1"));
    EXPECT_EQ(seen[1].first, b("k2"));
}

TEST_P(KvStoreBehaviour, handles_many_keys) {
    KvBatch batch;
    for (int i = 0; i < 5000; ++i) {
        Bytes key = {0x43, static_cast<std::uint8_t>(i >> 8), static_cast<std::uint8_t>(i)};
        batch.put(key, Bytes(40, static_cast<std::uint8_t>(i)));
    }
    ASSERT_TRUE(store_->write(batch, false).has_value());
    int count = 0;
    Bytes previous;
    ASSERT_TRUE(store_->for_each_with_prefix(Bytes{0x43}, [&](ByteSpan key, ByteSpan value) {
        EXPECT_LT(previous, Bytes(key.begin(), key.end()));
        previous.assign(key.begin(), key.end());
        EXPECT_EQ(value.size(), 40u);
        ++count;
        return true;
    }).has_value());
    EXPECT_EQ(count, 5000);
}

INSTANTIATE_TEST_SUITE_P(Backends, KvStoreBehaviour,
                         ::testing::Values(Backend::memory, Backend::leveldb),
                         [](const ::testing::TestParamInfo<Backend>& param_info) {
                             return param_info.param == Backend::memory ? "memory" : "leveldb";
                         });

TEST(MemoryKvStore, copies_share_their_contents) {
    MemoryKvStore store;
    MemoryKvStore copy = store;
    KvBatch batch;
    batch.put(as_bytes("k"), as_bytes("v"));
    ASSERT_TRUE(copy.write(batch, false).has_value());
    EXPECT_EQ(store.size(), 1u);
    EXPECT_EQ(store.disk_size(), 0u);
}

TEST(LevelDbStore, keeps_data_across_a_reopen) {
    testutil::TempDir dir("bitloom-kv-test");
    const auto path = dir.path() / "nested" / "db";
    {
        auto store = open_or_die(path);
        ASSERT_NE(store, nullptr);
        KvBatch batch;
        batch.put(as_bytes("kept"), as_bytes("yes"));
        batch.put(as_bytes("gone"), as_bytes("soon"));
        ASSERT_TRUE(store->write(batch, true).has_value());
        batch.clear();
        batch.erase(as_bytes("gone"));
        ASSERT_TRUE(store->write(batch, false).has_value());
    }
    auto store = open_or_die(path);
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(*store->get(as_bytes("kept")), b("yes"));
    EXPECT_EQ(*store->get(as_bytes("gone")), std::nullopt);
    EXPECT_GT(store->disk_size(), 0u);
}

TEST(LevelDbStore, wipe_starts_from_an_empty_database) {
    testutil::TempDir dir("bitloom-kv-test");
    {
        auto store = open_or_die(dir.path());
        ASSERT_NE(store, nullptr);
        KvBatch batch;
        batch.put(as_bytes("k"), as_bytes("v"));
        ASSERT_TRUE(store->write(batch, true).has_value());
    }
    LevelDbOptions options;
    options.wipe = true;
    auto store = open_or_die(dir.path(), options);
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(*store->get(as_bytes("k")), std::nullopt);
}

TEST(LevelDbStore, refuses_a_second_open_of_the_same_directory_as_locked) {
    testutil::TempDir dir("bitloom-kv-test");
    auto first = open_or_die(dir.path());
    ASSERT_NE(first, nullptr);
    const auto second = open_leveldb(dir.path().string(), {});
    ASSERT_FALSE(second.has_value());
    EXPECT_EQ(second.error().error, StorageError::locked) << second.error().message;
    EXPECT_EQ(to_string(second.error().error), "locked by another process");
}

TEST(LevelDbStore, fails_to_open_a_missing_database_without_create_if_missing) {
    testutil::TempDir dir("bitloom-kv-test");
    LevelDbOptions options;
    options.create_if_missing = false;
    const auto store = open_leveldb((dir.path() / "absent").string(), options);
    ASSERT_FALSE(store.has_value());
    EXPECT_EQ(store.error().error, StorageError::not_found) << store.error().message;
}

}  // namespace
}  // namespace bitloom
