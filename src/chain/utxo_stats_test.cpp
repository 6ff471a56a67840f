// UTXO set statistics: the figures of a small hand-built set, and Core's gettxoutsetinfo for
// the UTXO set of a chain a reference node mined (../shared/test-vectors/regtest-chain-1).
#include "chain/utxo_stats.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

#include "chain/coin_codec.h"
#include "primitives/block.h"
#include "testutil/vectors.h"
#include "util/hex.h"

namespace bitloom {
namespace {

using testutil::hex;

Uint256 txid_of(std::uint8_t n) {
    Uint256 id;
    id[0] = n;
    return id;
}

TEST(UtxoStats, is_empty_for_no_coins) {
    const UtxoStats stats = UtxoStatsBuilder().stats();
    EXPECT_EQ(stats.transactions, 0u);
    EXPECT_EQ(stats.txouts, 0u);
    EXPECT_EQ(stats.bogosize, 0u);
    EXPECT_EQ(stats.total_amount, Amount{0});
    // SHA256d of nothing, and the digest of the empty set.
    EXPECT_EQ(stats.hash_serialized_3->to_string(),
              "56944c5d3f98413ef45cf54545538103cc9f298e0575820ad3591376e2e0f65d");
    EXPECT_EQ(*stats.muhash, MuHash3072().finalize());
}

TEST(UtxoStats, counts_transactions_outputs_and_bogosize) {
    UtxoStatsBuilder builder;
    const Coin a{TxOut{100, Script(Bytes(25, 0x51))}, 7, true};
    const Coin b{TxOut{250, Script(Bytes(22, 0x51))}, 9, false};
    builder.add(OutPoint{txid_of(1), 0}, a);
    builder.add(OutPoint{txid_of(1), 3}, b);
    builder.add(OutPoint{txid_of(2), 1}, a);
    const UtxoStats stats = builder.stats();
    EXPECT_EQ(stats.transactions, 2u);
    EXPECT_EQ(stats.txouts, 3u);
    EXPECT_EQ(stats.bogosize, 3 * (32 + 4 + 4 + 8 + 2) + 25 + 22 + 25u);
    EXPECT_EQ(stats.total_amount, Amount{450});
}

TEST(UtxoStats, hashes_each_coin_as_outpoint_code_and_output) {
    const OutPoint outpoint{txid_of(1), 2};
    const Coin coin{TxOut{5, Script().push_opcode(OP_1)}, 3, true};
    const Bytes record = encode_utxo_record(outpoint, coin);
    EXPECT_EQ(to_hex(record), to_hex(txid_of(1).span()) + "02000000" "07000000" +
                                  "0500000000000000" "0151");
    UtxoStatsBuilder builder;
    builder.add(outpoint, coin);
    const UtxoStats stats = builder.stats();
    HashWriter hasher;
    hasher.write_bytes(record);
    EXPECT_EQ(*stats.hash_serialized_3, hasher.hash256());
    EXPECT_EQ(*stats.muhash, MuHash3072(record).finalize());
}

TEST(UtxoStats, gives_a_muhash_that_ignores_order_and_a_serialized_hash_that_does_not) {
    const Coin coin{TxOut{5, Script().push_opcode(OP_1)}, 3, false};
    UtxoStatsBuilder forward;
    forward.add(OutPoint{txid_of(1), 0}, coin);
    forward.add(OutPoint{txid_of(2), 0}, coin);
    UtxoStatsBuilder backward;
    backward.add(OutPoint{txid_of(2), 0}, coin);
    backward.add(OutPoint{txid_of(1), 0}, coin);
    EXPECT_EQ(forward.stats().muhash, backward.stats().muhash);
    EXPECT_NE(forward.stats().hash_serialized_3, backward.stats().hash_serialized_3);
}

TEST(UtxoStats, drops_the_total_amount_when_it_overflows) {
    UtxoStatsBuilder builder(UtxoHashes{false, false});
    const Coin huge{TxOut{INT64_MAX, Script()}, 1, false};
    builder.add(OutPoint{txid_of(1), 0}, huge);
    EXPECT_EQ(builder.stats().total_amount, INT64_MAX);
    builder.add(OutPoint{txid_of(1), 1}, huge);
    const UtxoStats stats = builder.stats();
    EXPECT_FALSE(stats.total_amount.has_value());
    EXPECT_FALSE(stats.hash_serialized_3.has_value());
    EXPECT_FALSE(stats.muhash.has_value());
    EXPECT_EQ(stats.txouts, 2u);
}

// --- the reference chain ---------------------------------------------------------------------

struct ChainBlock {
    Block block;
    Uint256 hash;
    std::uint32_t height = 0;
};

TEST(UtxoStats, matches_gettxoutsetinfo_for_the_reference_regtest_chain) {
    const auto expected = testutil::load_json("regtest-chain-1/expected.json");
    const std::vector<std::string> active = expected.at("active_chain");
    ASSERT_GT(active.size(), 1u);

    // Decode every block and give it its height; the file starts after genesis.
    const std::string text =
        testutil::read_file_text(testutil::vector_path("regtest-chain-1/blocks.hex"));
    std::unordered_map<Uint256, std::uint32_t, BlobHasher> heights;
    heights.emplace(*Uint256::from_string(active[0]), 0);
    std::vector<ChainBlock> blocks;
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
        if (line.empty()) continue;
        auto block = decode_block(hex(line));
        ASSERT_TRUE(block.has_value()) << "block " << blocks.size() << " does not decode";
        const auto parent = heights.find(block->header.prev_block);
        ASSERT_NE(parent, heights.end()) << "block " << blocks.size() << " precedes its parent";
        ChainBlock entry{std::move(*block), {}, parent->second + 1};
        entry.hash = entry.block.hash();
        heights.emplace(entry.hash, entry.height);
        blocks.push_back(std::move(entry));
    }
    ASSERT_EQ(blocks.size(), expected.at("blocks_in_file").get<std::size_t>());

    // Connect the active chain's blocks in height order (Core's AddCoins: provably unspendable
    // outputs never enter the set; genesis is never connected).
    std::stable_sort(blocks.begin(), blocks.end(),
                     [](const ChainBlock& a, const ChainBlock& b) { return a.height < b.height; });
    std::map<OutPoint, Coin> coins;
    std::size_t connected = 0;
    std::size_t stale = 0;
    for (const ChainBlock& entry : blocks) {
        ASSERT_LT(entry.height, active.size());
        if (entry.hash.to_string() != active[entry.height]) {
            ++stale;
            continue;
        }
        ++connected;
        for (const TransactionRef& tx : entry.block.transactions) {
            if (!tx->is_coinbase()) {
                for (const TxIn& input : tx->inputs()) {
                    ASSERT_EQ(coins.erase(input.prevout), 1u)
                        << "missing coin " << input.prevout.txid.to_string() << ":"
                        << input.prevout.index;
                }
            }
            for (std::uint32_t i = 0; i < tx->outputs().size(); ++i) {
                const TxOut& output = tx->outputs()[i];
                if (output.script_pubkey.is_unspendable()) continue;
                coins.insert_or_assign(OutPoint{tx->txid(), i},
                                       Coin{output, entry.height, tx->is_coinbase()});
            }
        }
    }
    EXPECT_EQ(connected + 1, active.size());
    EXPECT_EQ(stale, expected.at("stale_blocks").size());

    // Feed the coins in the coins database's key order.
    std::vector<std::pair<Bytes, std::map<OutPoint, Coin>::const_iterator>> ordered;
    for (auto it = coins.begin(); it != coins.end(); ++it) ordered.emplace_back(coin_key(it->first), it);
    std::sort(ordered.begin(), ordered.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    UtxoStatsBuilder builder;
    for (const auto& [key, it] : ordered) builder.add(it->first, it->second);
    const UtxoStats stats = builder.stats();

    const auto& utxo = expected.at("utxo_set");
    const auto expected_amount =
        static_cast<Amount>(std::llround(utxo.at("total_amount").get<double>() * COIN));
    std::printf("[utxo] blocks connected %zu, stale skipped %zu\n", connected, stale);
    std::printf("[utxo] transactions %llu (expected %llu)\n",
                static_cast<unsigned long long>(stats.transactions),
                utxo.at("transactions").get<unsigned long long>());
    std::printf("[utxo] txouts %llu (expected %llu)\n",
                static_cast<unsigned long long>(stats.txouts),
                utxo.at("txouts").get<unsigned long long>());
    std::printf("[utxo] bogosize %llu (expected %llu)\n",
                static_cast<unsigned long long>(stats.bogosize),
                utxo.at("bogosize").get<unsigned long long>());
    std::printf("[utxo] total_amount %lld sat (expected %lld)\n",
                static_cast<long long>(stats.total_amount.value_or(-1)),
                static_cast<long long>(expected_amount));
    std::printf("[utxo] hash_serialized_3 %s\n", stats.hash_serialized_3->to_string().c_str());
    std::printf("[utxo] muhash %s\n", stats.muhash->to_string().c_str());
    testutil::report_cases("regtest-chain-1 utxo set coins", stats.txouts);

    EXPECT_GT(stats.txouts, 0u);
    EXPECT_EQ(stats.transactions, utxo.at("transactions").get<std::uint64_t>());
    EXPECT_EQ(stats.txouts, utxo.at("txouts").get<std::uint64_t>());
    EXPECT_EQ(stats.bogosize, utxo.at("bogosize").get<std::uint64_t>());
    EXPECT_EQ(stats.total_amount, expected_amount);
    EXPECT_EQ(stats.hash_serialized_3->to_string(),
              expected.at("utxo_set_hash_serialized_3").get<std::string>());
    EXPECT_EQ(stats.muhash->to_string(), utxo.at("muhash").get<std::string>());
    EXPECT_EQ(blocks.back().hash.to_string(), utxo.at("bestblock").get<std::string>());
}

}  // namespace
}  // namespace bitloom
