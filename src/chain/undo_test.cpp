// Undo data: Core's bytes for a hand-built block, round trips, the legacy version field, and
// rejection of truncated, oversized and trailing input.
#include "chain/undo.h"

#include <gtest/gtest.h>

#include <string>

#include "primitives/amount.h"
#include "testutil/vectors.h"
#include "util/hex.h"

namespace bitloom {
namespace {

using testutil::hex;

Script p2pkh(std::string_view key_hash) {
    return Script().push_opcode(OP_DUP).push_opcode(OP_HASH160).push_data(hex(key_hash))
        .push_opcode(OP_EQUALVERIFY).push_opcode(OP_CHECKSIG);
}

// One transaction spending a 50 BTC coinbase output created at height 1 and a 1-satoshi
// OP_TRUE output created at height 0; a second transaction spending Core's example coin.
BlockUndo sample_undo() {
    BlockUndo undo;
    undo.transactions.push_back(TxUndo{{
        Coin{TxOut{50 * COIN, p2pkh(std::string(40, '1'))}, 1, true},
        Coin{TxOut{1, Script().push_opcode(OP_1)}, 0, false},
    }});
    undo.transactions.push_back(TxUndo{{
        Coin{TxOut{60'000'000'000, p2pkh("816115944e077fe7c803cfa57f29b36bf87c1d35")}, 203998,
             false},
    }});
    return undo;
}

// The same, written by hand from Core's TxInUndoFormatter: code, a 0 version byte when the
// height is above 0, then the compressed output.
const std::string SAMPLE_HEX =
    "02"                                                  // two transactions
    "02"                                                  // first: two coins
    "03" "00" "32" "00" "1111111111111111111111111111111111111111"  // h=1 coinbase, 50 BTC, P2PKH
    "00" "01" "07" "51"                                   // h=0, 1 sat, raw OP_TRUE
    "01"                                                  // second: one coin
    "97f23c" "00" "835800816115944e077fe7c803cfa57f29b36bf87c1d35";

TEST(BlockUndo, writes_cores_bytes_for_a_hand_built_block) {
    EXPECT_EQ(to_hex(encode_block_undo(sample_undo())), SAMPLE_HEX);
}

TEST(BlockUndo, reads_cores_bytes_for_a_hand_built_block) {
    const auto undo = decode_block_undo(hex(SAMPLE_HEX));
    ASSERT_TRUE(undo.has_value()) << to_string(undo.error());
    EXPECT_EQ(*undo, sample_undo());
}

TEST(BlockUndo, round_trips_empty_and_larger_blocks) {
    EXPECT_EQ(to_hex(encode_block_undo(BlockUndo{})), "00");
    BlockUndo big;
    for (std::uint32_t t = 0; t < 300; ++t) {
        TxUndo tx;
        for (std::uint32_t i = 0; i < t % 7; ++i) {
            tx.spent.push_back(Coin{TxOut{Amount{t * 1000 + i}, Script(Bytes(t % 50, 0x51))}, t,
                                    (i & 1) != 0});
        }
        big.transactions.push_back(std::move(tx));
    }
    const Bytes encoded = encode_block_undo(big);
    const auto back = decode_block_undo(encoded);
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(*back, big);
}

TEST(BlockUndo, accepts_any_value_in_the_legacy_version_field) {
    std::string text = SAMPLE_HEX;
    // The version byte of the first coin (after "02" "02" "03").
    text.replace(6, 2, "7f");
    const auto undo = decode_block_undo(hex(text));
    ASSERT_TRUE(undo.has_value());
    EXPECT_EQ(*undo, sample_undo());
}

TEST(BlockUndo, has_no_version_field_for_a_coin_at_height_zero) {
    const auto undo = decode_block_undo(hex("0101" "00" "01" "07" "51"));
    ASSERT_TRUE(undo.has_value());
    ASSERT_EQ(undo->transactions.size(), 1u);
    EXPECT_EQ(undo->transactions[0].spent[0], (Coin{TxOut{1, Script().push_opcode(OP_1)}, 0, false}));
}

TEST(BlockUndo, rejects_every_truncation) {
    const Bytes good = hex(SAMPLE_HEX);
    for (std::size_t n = 0; n < good.size(); ++n) {
        const auto undo = decode_block_undo(ByteSpan(good).first(n));
        ASSERT_FALSE(undo.has_value()) << n;
        EXPECT_EQ(undo.error(), DecodeError::truncated) << n;
    }
}

TEST(BlockUndo, rejects_trailing_bytes) {
    Bytes bytes = hex(SAMPLE_HEX);
    bytes.push_back(0);
    const auto undo = decode_block_undo(bytes);
    ASSERT_FALSE(undo.has_value());
    EXPECT_EQ(undo.error(), DecodeError::trailing_data);
}

TEST(BlockUndo, refuses_counts_the_input_cannot_hold_before_allocating) {
    // 2^25 transactions / coins claimed with a few bytes of input.
    for (const char* text : {"fe00000002", "01fe00000002000000", "fdffff00", "01fdffff"}) {
        const auto undo = decode_block_undo(hex(text));
        ASSERT_FALSE(undo.has_value()) << text;
        EXPECT_EQ(undo.error(), DecodeError::truncated) << text;
    }
    const auto huge = decode_block_undo(hex("ff0000000001000000"));
    ASSERT_FALSE(huge.has_value());
    EXPECT_EQ(huge.error(), DecodeError::size_too_large);
    const auto non_canonical = decode_block_undo(hex("fd0100"));
    ASSERT_FALSE(non_canonical.has_value());
    EXPECT_EQ(non_canonical.error(), DecodeError::non_canonical_compact_size);
}

TEST(BlockUndo, survives_every_single_byte_change_of_a_valid_encoding) {
    const Bytes good = hex(SAMPLE_HEX);
    std::size_t decoded = 0;
    std::size_t cases = 0;
    for (std::size_t i = 0; i < good.size(); ++i) {
        for (int value = 0; value < 256; ++value) {
            Bytes changed = good;
            changed[i] = static_cast<std::uint8_t>(value);
            const auto undo = decode_block_undo(changed);
            ++cases;
            if (!undo) continue;
            ++decoded;
            // What decodes re-encodes to something that decodes to the same undo data.
            const auto again = decode_block_undo(encode_block_undo(*undo));
            ASSERT_TRUE(again.has_value());
            ASSERT_EQ(*again, *undo);
        }
    }
    testutil::report_cases("block undo single-byte changes", cases);
    EXPECT_GT(decoded, 0u);
    EXPECT_LT(decoded, cases);
}

TEST(BlockUndo, rejects_a_height_code_beyond_32_bits) {
    const auto undo = decode_block_undo(hex("0101" "8efefeff00" "00" "01" "07" "51"));
    ASSERT_FALSE(undo.has_value());
    EXPECT_EQ(undo.error(), DecodeError::size_too_large);
}

}  // namespace
}  // namespace bitloom
