#include "primitives/block.h"

#include <gtest/gtest.h>

#include <string>

#include "crypto/sha256.h"
#include "util/hex.h"

namespace bitloom {
namespace {

// Bitcoin's mainnet genesis header (facts: fields and hash).
BlockHeader genesis_header() {
    BlockHeader header;
    header.version = 1;
    header.merkle_root =
        Uint256::from_string("4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b").value();
    header.time = 1231006505;
    header.bits = 0x1d00ffff;
    header.nonce = 2083236893;
    return header;
}
constexpr const char* GENESIS_HASH = "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f";

MutableTransaction coinbase(std::uint8_t tag, bool with_witness) {
    MutableTransaction tx;
    TxIn in;
    in.script_sig = Script().push_int(tag).push_int(1000);
    if (with_witness) in.witness.stack = {Bytes(32, 0)};
    tx.inputs.push_back(in);
    tx.outputs.push_back(TxOut{50 * COIN, Script().push_opcode(OP_1).push_data(Bytes(32, tag))});
    return tx;
}

TEST(Block, genesis_header_encodes_to_80_bytes_and_hashes_to_its_known_hash) {
    const BlockHeader header = genesis_header();
    const auto bytes = header.encode();
    EXPECT_EQ(to_hex(ByteSpan(bytes).first(4)), "01000000");
    EXPECT_EQ(to_hex(ByteSpan(bytes).subspan(72, 4)), "ffff001d");
    EXPECT_EQ(header.hash().to_string(), GENESIS_HASH);
    EXPECT_EQ(header.hash(), sha256d(bytes));
}

TEST(Block, header_round_trips_through_the_reader) {
    const BlockHeader header = genesis_header();
    const auto bytes = header.encode();
    const auto decoded = decode_block_header(bytes);
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(*decoded, header);

    Bytes via_writer;
    Writer writer(via_writer);
    serialize(writer, header);
    EXPECT_EQ(via_writer, Bytes(bytes.begin(), bytes.end()));
}

TEST(Block, header_decoding_needs_exactly_80_bytes) {
    const auto bytes = genesis_header().encode();
    EXPECT_EQ(decode_block_header(ByteSpan(bytes).first(79)).error(), DecodeError::truncated);
    Bytes longer(bytes.begin(), bytes.end());
    longer.push_back(0);
    EXPECT_EQ(decode_block_header(longer).error(), DecodeError::trailing_data);
}

TEST(Block, round_trips_with_and_without_witnesses) {
    Block block;
    block.header = genesis_header();
    block.transactions.push_back(make_transaction_ref(coinbase(7, true)));
    block.transactions.push_back(make_transaction_ref(coinbase(8, false)));

    const Bytes raw = encode(block);
    EXPECT_EQ(raw.size(), block.total_size());
    const auto decoded = decode_block(raw);
    ASSERT_TRUE(decoded.has_value()) << to_string(decoded.error());
    ASSERT_EQ(decoded->transactions.size(), 2u);
    EXPECT_EQ(decoded->header, block.header);
    EXPECT_EQ(*decoded->transactions[0], *block.transactions[0]);
    EXPECT_EQ(encode(*decoded), raw);

    const Bytes stripped = encode(block, TxFormat::no_witness);
    EXPECT_EQ(stripped.size(), block.stripped_size());
    EXPECT_LT(block.stripped_size(), block.total_size());
    EXPECT_EQ(block.weight(), 3 * block.stripped_size() + block.total_size());
}

TEST(Block, block_sizes_add_header_count_and_transactions) {
    Block block;
    EXPECT_EQ(block.total_size(), 81u);
    EXPECT_EQ(block.weight(), 4u * 81);
    block.transactions.push_back(make_transaction_ref(coinbase(1, false)));
    EXPECT_EQ(block.total_size(), 81u + block.transactions[0]->total_size());
}

TEST(Block, a_transaction_count_beyond_the_remaining_bytes_fails_at_once) {
    Bytes raw;
    const auto header = genesis_header().encode();
    raw.assign(header.begin(), header.end());
    raw.insert(raw.end(), {0xfd, 0x00, 0x10});  // 4096 transactions
    raw.resize(raw.size() + 100, 0);            // room for at most 10
    const auto decoded = decode_block(raw);
    ASSERT_FALSE(decoded.has_value());
    EXPECT_EQ(decoded.error(), DecodeError::truncated);
}

TEST(Block, decode_rejects_trailing_bytes) {
    Block block;
    block.header = genesis_header();
    block.transactions.push_back(make_transaction_ref(coinbase(1, false)));
    Bytes raw = encode(block);
    raw.push_back(0);
    EXPECT_EQ(decode_block(raw).error(), DecodeError::trailing_data);
}

}  // namespace
}  // namespace bitloom
