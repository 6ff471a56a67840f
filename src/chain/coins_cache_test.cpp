#include "chain/coins_cache.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <memory>
#include <random>

#include "chain/coin_codec.h"
#include "storage/kv_store.h"

namespace bitloom {
namespace {

OutPoint outpoint(std::uint8_t tag, std::uint32_t index) {
    Uint256 txid;
    txid.begin()[0] = tag;
    return OutPoint{txid, index};
}

Coin coin(Amount value, std::uint32_t height = 1) {
    Coin out;
    out.output.value = value;
    out.output.script_pubkey = Script(Bytes{0x51});
    out.height = height;
    return out;
}

// Writes the cache's changes to the store.
void flush(CoinsCache& cache, KvStore& db, bool keep) {
    KvBatch batch;
    ASSERT_TRUE(cache.write_changes(batch, keep));
    ASSERT_TRUE(db.write(batch, false));
}

std::size_t stored_coins(const KvStore& db) {
    std::size_t count = 0;
    EXPECT_TRUE(db.for_each_with_prefix(Bytes{COIN_KEY_PREFIX}, [&](ByteSpan, ByteSpan) {
        ++count;
        return true;
    }));
    return count;
}

TEST(CoinsCache, reads_through_to_the_database_and_writes_changes_back) {
    MemoryKvStore db;
    {
        CoinsCache cache(db);
        cache.add_coin(outpoint(1, 0), coin(10), false);
        cache.add_coin(outpoint(1, 1), coin(20), false);
        EXPECT_EQ(cache.dirty_count(), 2U);
        flush(cache, db, false);
        EXPECT_EQ(cache.entry_count(), 0U);
    }
    EXPECT_EQ(stored_coins(db), 2U);
    CoinsCache cache(db);
    ASSERT_TRUE(cache.get_coin(outpoint(1, 1)).has_value());
    EXPECT_EQ(cache.get_coin(outpoint(1, 1))->output.value, 20);
    EXPECT_EQ(cache.dirty_count(), 0U);  // a read is not a change
    EXPECT_TRUE(cache.spend_coin(outpoint(1, 0)).has_value());
    EXPECT_FALSE(cache.have_coin(outpoint(1, 0)));
    flush(cache, db, true);
    EXPECT_EQ(stored_coins(db), 1U);
}

TEST(CoinsCache, a_fresh_coin_spent_before_a_flush_never_reaches_the_database) {
    MemoryKvStore db;
    CoinsCache cache(db);
    cache.add_coin(outpoint(2, 0), coin(5), false);
    auto spent = cache.spend_coin(outpoint(2, 0));
    ASSERT_TRUE(spent.has_value());
    EXPECT_EQ(spent->output.value, 5);
    EXPECT_EQ(cache.entry_count(), 0U);
    EXPECT_EQ(cache.dirty_count(), 0U);
    flush(cache, db, false);
    EXPECT_EQ(stored_coins(db), 0U);
}

TEST(CoinsCache, a_failed_scratch_layer_leaves_the_layer_below_untouched) {
    MemoryKvStore db;
    CoinsCache base(db);
    base.add_coin(outpoint(3, 0), coin(7), false);
    {
        CoinsCache scratch(base);
        EXPECT_TRUE(scratch.spend_coin(outpoint(3, 0)).has_value());
        scratch.add_coin(outpoint(4, 0), coin(8), false);
        // dropped without merging
    }
    EXPECT_TRUE(base.have_coin(outpoint(3, 0)));
    EXPECT_FALSE(base.have_coin(outpoint(4, 0)));
}

TEST(CoinsCache, merging_a_scratch_layer_applies_spends_and_creations) {
    MemoryKvStore db;
    {
        CoinsCache cache(db);
        cache.add_coin(outpoint(5, 0), coin(1), false);
        flush(cache, db, false);
    }
    CoinsCache base(db);
    base.add_coin(outpoint(6, 0), coin(2), false);  // fresh in base
    CoinsCache scratch(base);
    EXPECT_TRUE(scratch.spend_coin(outpoint(5, 0)).has_value());  // from the database
    EXPECT_TRUE(scratch.spend_coin(outpoint(6, 0)).has_value());  // fresh below: forgotten
    scratch.add_coin(outpoint(7, 0), coin(3), false);
    scratch.add_coin(outpoint(8, 0), coin(4), false);
    EXPECT_TRUE(scratch.spend_coin(outpoint(8, 0)).has_value());  // created and spent here
    scratch.merge_into_parent();
    EXPECT_EQ(scratch.entry_count(), 0U);
    EXPECT_FALSE(base.have_coin(outpoint(5, 0)));
    EXPECT_FALSE(base.have_coin(outpoint(6, 0)));
    EXPECT_TRUE(base.have_coin(outpoint(7, 0)));
    EXPECT_FALSE(base.have_coin(outpoint(8, 0)));
    flush(base, db, false);
    EXPECT_EQ(stored_coins(db), 1U);
    CoinsCache reread(db);
    EXPECT_TRUE(reread.have_coin(outpoint(7, 0)));
}

TEST(CoinsCache, unspendable_outputs_are_never_added) {
    MemoryKvStore db;
    CoinsCache cache(db);
    Coin op_return = coin(0);
    op_return.output.script_pubkey = Script(Bytes{0x6a, 0x01, 0x00});
    cache.add_coin(outpoint(9, 0), op_return, false);
    EXPECT_FALSE(cache.have_coin(outpoint(9, 0)));
    EXPECT_EQ(cache.entry_count(), 0U);
}

TEST(CoinsCache, memory_usage_follows_the_entries) {
    MemoryKvStore db;
    CoinsCache cache(db);
    EXPECT_EQ(cache.memory_usage(), 0U);
    for (std::uint32_t i = 0; i < 100; ++i) cache.add_coin(outpoint(10, i), coin(i + 1), false);
    const std::size_t full = cache.memory_usage();
    EXPECT_GT(full, 100U * 36);
    for (std::uint32_t i = 0; i < 100; ++i) ASSERT_TRUE(cache.spend_coin(outpoint(10, i)));
    EXPECT_EQ(cache.memory_usage(), 0U);
}

// A random sequence of adds, spends, scratch layers and flushes agrees with a plain map.
TEST(CoinsCache, agrees_with_a_simple_model_under_random_operations) {
    MemoryKvStore db;
    std::map<std::pair<std::uint8_t, std::uint32_t>, Amount> model;
    std::mt19937 random(7);
    auto base = std::make_unique<CoinsCache>(db);
    std::size_t operations = 0;
    for (int round = 0; round < 200; ++round) {
        CoinsCache scratch(*base);
        auto layer_model = model;
        const bool keep = random() % 3 != 0;
        for (int op = 0; op < 30; ++op, ++operations) {
            const std::uint8_t tag = static_cast<std::uint8_t>(random() % 8);
            const std::uint32_t index = random() % 8;
            const auto key = std::pair{tag, index};
            if (layer_model.contains(key)) {
                auto spent = scratch.spend_coin(outpoint(tag, index));
                ASSERT_TRUE(spent.has_value());
                ASSERT_EQ(spent->output.value, layer_model[key]);
                layer_model.erase(key);
            } else {
                const Amount value = static_cast<Amount>(random() % 1000 + 1);
                scratch.add_coin(outpoint(tag, index), coin(value), false);
                layer_model[key] = value;
            }
        }
        if (keep) {
            scratch.merge_into_parent();
            model = layer_model;
        }
        if (random() % 4 == 0) {
            flush(*base, db, random() % 2 == 0);
            if (random() % 2 == 0) base = std::make_unique<CoinsCache>(db);
        }
        for (std::uint8_t tag = 0; tag < 8; ++tag) {
            for (std::uint32_t index = 0; index < 8; ++index) {
                auto found = base->get_coin(outpoint(tag, index));
                const auto it = model.find({tag, index});
                ASSERT_EQ(found.has_value(), it != model.end()) << "round " << round;
                if (found) {
                    ASSERT_EQ(found->output.value, it->second);
                }
            }
        }
    }
    std::printf("[coins-cache] random operations checked: %zu\n", operations);
}

}  // namespace
}  // namespace bitloom
