#include "primitives/transaction.h"

#include <gtest/gtest.h>

#include <string>

#include "crypto/sha256.h"
#include "util/hex.h"
#include "testutil/vectors.h"

namespace bitloom {
namespace {

using testutil::hex;

// BIP143's "Native P2WPKH" example, signed: input 0 spends a P2PK output (signature in the
// script_sig, empty witness), input 1 a P2WPKH output (signature and key in the witness).
// Expected sizes and ids were worked out independently of this code from the BIP's byte
// breakdown: 343 bytes, 233 without marker, flag and witnesses.
constexpr const char* BIP143_P2WPKH_TX =
    "01000000000102fff7f7881a8099afa6940d42d1e7f6362bec38171ea3edf433541db4e4ad969f000000004948"
    "30450221008b9d1dc26ba6a9cb62127b02742fa9d754cd3bebf337f7a55d114c8e5cdd30be022040529b194ba3"
    "f9281a99f2b1c0a19c0489bc22ede944ccf4ecbab4cc618ef3ed01eeffffffef51e1b804cc89d182d279655c3a"
    "a89e815b1b309fe287d9b2b55d57b90ec68a0100000000ffffffff02202cb206000000001976a9148280b37df3"
    "78db99f66f85c95a783a76ac7a6d5988ac9093510d000000001976a9143bde42dbee7e4dbe6a21b2d50ce2f016"
    "7faa815988ac000247304402203609e17b84f6a7d30c80bfa610b5b4542f32a8a0d5447a12fb1366d7f01cc44a"
    "0220573a954c4518331561406f90300e8f3358f51928d43c212a8caed02de67eebee0121025476c2e83188368d"
    "a1ff3e292e7acafcdb3566bb0ad253f62fc70f07aeee635711000000";
constexpr const char* BIP143_P2WPKH_TXID =
    "e8151a2af31c368a35053ddd4bdb285a8595c769a3ad83e0fa02314a602d4609";
constexpr const char* BIP143_P2WPKH_WTXID =
    "c36c38370907df2324d9ce9d149d191192f338b37665a82e78e76a12c909b762";

MutableTransaction sample_transaction(bool with_witness) {
    MutableTransaction tx;
    tx.version = 2;
    TxIn in;
    in.prevout = OutPoint{Uint256::from_string(std::string(63, '0') + "1").value(), 3};
    in.script_sig = Script().push_data(Bytes(10, 0xaa));
    in.sequence = 0xfffffffd;
    if (with_witness) in.witness.stack = {Bytes(71, 0x30), Bytes(33, 0x02)};
    tx.inputs.push_back(in);
    TxOut out;
    out.value = 50 * COIN;
    out.script_pubkey = Script().push_opcode(OP_0).push_data(Bytes(20, 0x11));
    tx.outputs.push_back(out);
    tx.lock_time = 500;
    return tx;
}

TEST(Transaction, decodes_a_segwit_transaction_with_its_ids_sizes_and_weight) {
    const Bytes raw = hex(BIP143_P2WPKH_TX);
    const auto tx = decode_transaction(raw);
    ASSERT_TRUE(tx.has_value()) << to_string(tx.error());

    EXPECT_TRUE(tx->has_witness());
    EXPECT_EQ(tx->version(), 1);
    ASSERT_EQ(tx->inputs().size(), 2u);
    ASSERT_EQ(tx->outputs().size(), 2u);
    EXPECT_EQ(tx->lock_time(), 0x11u);
    EXPECT_TRUE(tx->inputs()[0].witness.is_null());
    ASSERT_EQ(tx->inputs()[1].witness.stack.size(), 2u);
    EXPECT_EQ(tx->inputs()[1].witness.stack[0].size(), 71u);
    EXPECT_EQ(tx->inputs()[0].sequence, 0xffffffeeu);
    EXPECT_EQ(tx->outputs()[0].value, 112340000);
    EXPECT_TRUE(tx->outputs()[0].script_pubkey.is_p2pkh());

    EXPECT_EQ(tx->total_size(), 343u);
    EXPECT_EQ(tx->stripped_size(), 233u);
    EXPECT_EQ(tx->weight(), 1042u);
    EXPECT_EQ(tx->vsize(), 261u);
    EXPECT_EQ(tx->txid().to_string(), BIP143_P2WPKH_TXID);
    EXPECT_EQ(tx->wtxid().to_string(), BIP143_P2WPKH_WTXID);
}

TEST(Transaction, segwit_transaction_re_encodes_byte_for_byte_in_both_formats) {
    const Bytes raw = hex(BIP143_P2WPKH_TX);
    const auto tx = decode_transaction(raw);
    ASSERT_TRUE(tx.has_value());
    EXPECT_EQ(encode(*tx), raw);
    const Bytes stripped = encode(*tx, TxFormat::no_witness);
    EXPECT_EQ(stripped.size(), tx->stripped_size());
    EXPECT_EQ(sha256d(stripped), tx->txid());
    EXPECT_EQ(sha256d(raw), tx->wtxid());

    // The stripped form decodes to the same txid, without witnesses.
    const auto legacy = decode_transaction(stripped);
    ASSERT_TRUE(legacy.has_value());
    EXPECT_FALSE(legacy->has_witness());
    EXPECT_EQ(legacy->txid(), tx->txid());
    EXPECT_EQ(legacy->wtxid(), tx->txid());
}

TEST(Transaction, constructing_from_a_mutable_transaction_gives_the_decoded_ids) {
    const auto decoded = decode_transaction(hex(BIP143_P2WPKH_TX));
    ASSERT_TRUE(decoded.has_value());
    const MutableTransaction mutable_tx = decoded->to_mutable();
    EXPECT_EQ(mutable_tx.txid(), decoded->txid());
    EXPECT_EQ(mutable_tx.wtxid(), decoded->wtxid());
    const Transaction rebuilt(mutable_tx);
    EXPECT_EQ(rebuilt.txid(), decoded->txid());
    EXPECT_EQ(rebuilt.wtxid(), decoded->wtxid());
    EXPECT_EQ(rebuilt.total_size(), decoded->total_size());
    EXPECT_EQ(rebuilt.stripped_size(), decoded->stripped_size());
    EXPECT_EQ(rebuilt, *decoded);
}

TEST(Transaction, without_witness_txid_equals_wtxid_and_weight_is_four_times_size) {
    const Transaction tx(sample_transaction(false));
    EXPECT_FALSE(tx.has_witness());
    EXPECT_EQ(tx.txid(), tx.wtxid());
    EXPECT_EQ(tx.total_size(), tx.stripped_size());
    EXPECT_EQ(tx.weight(), 4 * tx.total_size());
    EXPECT_EQ(tx.vsize(), tx.total_size());
    const Bytes raw = encode(tx);
    EXPECT_EQ(raw.size(), tx.total_size());
    EXPECT_EQ(to_hex(raw).substr(0, 10), "0200000001");  // no marker
}

TEST(Transaction, witness_changes_the_wtxid_but_not_the_txid) {
    const Transaction plain(sample_transaction(false));
    const Transaction witnessed(sample_transaction(true));
    EXPECT_EQ(plain.txid(), witnessed.txid());
    EXPECT_NE(plain.wtxid(), witnessed.wtxid());
    // Marker, flag, one witness of two items (1 + 1+71 + 1+33 bytes).
    EXPECT_EQ(witnessed.total_size(), plain.total_size() + 2 + 107);
    EXPECT_EQ(witnessed.vsize(), (plain.total_size() * 4 + 2 + 107 + 3) / 4);
}

TEST(Transaction, round_trips_through_encode_and_decode) {
    for (bool witness : {false, true}) {
        const MutableTransaction original = sample_transaction(witness);
        const Bytes raw = encode(original);
        const auto decoded = decode_transaction(raw);
        ASSERT_TRUE(decoded.has_value()) << witness;
        EXPECT_EQ(decoded->to_mutable(), original);
        EXPECT_EQ(decoded->txid(), original.txid());
        EXPECT_EQ(decoded->wtxid(), original.wtxid());
    }
}

TEST(Transaction, rejects_a_witness_flag_with_only_empty_witnesses) {
    MutableTransaction tx = sample_transaction(true);
    Bytes raw = encode(tx);
    // Replace the witness (02, 71-byte item, 33-byte item) with an empty one (00).
    const std::size_t witness_start = raw.size() - 4 - (1 + 1 + 71 + 1 + 33);
    raw.erase(raw.begin() + witness_start, raw.end() - 4);
    raw.insert(raw.begin() + witness_start, 0x00);
    const auto decoded = decode_transaction(raw);
    ASSERT_FALSE(decoded.has_value());
    EXPECT_EQ(decoded.error(), DecodeError::superfluous_witness);
}

TEST(Transaction, rejects_unknown_flag_bits) {
    for (std::uint8_t flag : {0x02, 0x03, 0x80}) {
        Bytes raw = encode(sample_transaction(true));
        raw[5] = flag;
        const auto decoded = decode_transaction(raw);
        ASSERT_FALSE(decoded.has_value()) << int{flag};
        // Flag 0x03 reads the witnesses first, then rejects the leftover bit.
        EXPECT_EQ(decoded.error(), DecodeError::unknown_witness_flag) << int{flag};
    }
}

TEST(Transaction, zero_inputs_then_zero_byte_is_an_empty_transaction) {
    const Bytes raw = hex("01000000" "00" "00" "00000000");
    const auto tx = decode_transaction(raw);
    ASSERT_TRUE(tx.has_value());
    EXPECT_TRUE(tx->inputs().empty());
    EXPECT_TRUE(tx->outputs().empty());
    EXPECT_EQ(encode(*tx), raw);
}

TEST(Transaction, no_witness_format_never_looks_for_a_marker) {
    // Read as legacy, marker 0x00 and flag 0x01 are "no inputs, one output": a different and
    // shorter transaction that leaves the rest of the bytes unread.
    const Bytes raw = encode(sample_transaction(true));
    EXPECT_TRUE(decode_transaction(raw, TxFormat::with_witness).has_value());
    EXPECT_FALSE(decode_transaction(raw, TxFormat::no_witness).has_value());
}

TEST(Transaction, decode_rejects_trailing_bytes) {
    Bytes raw = encode(sample_transaction(false));
    raw.push_back(0);
    const auto decoded = decode_transaction(raw);
    ASSERT_FALSE(decoded.has_value());
    EXPECT_EQ(decoded.error(), DecodeError::trailing_data);
}

TEST(Transaction, every_strict_prefix_fails_to_decode) {
    const Bytes raw = hex(BIP143_P2WPKH_TX);
    for (std::size_t n = 0; n < raw.size(); ++n) {
        const auto decoded = decode_transaction(ByteSpan(raw).first(n));
        EXPECT_FALSE(decoded.has_value()) << n;
    }
}

TEST(Transaction, recognises_coinbase_by_its_single_null_prevout) {
    MutableTransaction tx = sample_transaction(false);
    EXPECT_FALSE(Transaction(tx).is_coinbase());
    tx.inputs[0].prevout = OutPoint{};
    EXPECT_TRUE(tx.inputs[0].prevout.is_null());
    EXPECT_TRUE(Transaction(tx).is_coinbase());
    tx.inputs.push_back(tx.inputs[0]);
    EXPECT_FALSE(Transaction(tx).is_coinbase());
}

TEST(Transaction, value_out_sums_outputs_within_money_range) {
    MutableTransaction tx = sample_transaction(false);
    tx.outputs.push_back(TxOut{25 * COIN, Script()});
    EXPECT_EQ(Transaction(tx).value_out(), 75 * COIN);

    tx.outputs[1].value = -1;
    EXPECT_FALSE(Transaction(tx).value_out().has_value());
    tx.outputs[1].value = MAX_MONEY;
    EXPECT_FALSE(Transaction(tx).value_out().has_value());  // the sum exceeds MAX_MONEY
    tx.outputs[0].value = 0;
    EXPECT_EQ(Transaction(tx).value_out(), MAX_MONEY);
}

TEST(Transaction, reads_outpoints_inputs_and_outputs_individually) {
    const Bytes raw = hex(std::string(64, 'a') + "01000000" "02" "51" "52" "feffffff"
                          "00e1f50500000000" "01" "6a");
    Reader reader(raw);
    const auto in = read_txin(reader);
    ASSERT_TRUE(in.has_value());
    EXPECT_EQ(in->prevout.index, 1u);
    EXPECT_EQ(to_hex(in->script_sig.span()), "5152");
    EXPECT_EQ(in->sequence, 0xfffffffeu);
    const auto out = read_txout(reader);
    ASSERT_TRUE(out.has_value());
    EXPECT_EQ(out->value, COIN);
    EXPECT_TRUE(out->script_pubkey.is_unspendable());
    EXPECT_TRUE(reader.at_end());

    Bytes encoded;
    Writer writer(encoded);
    serialize(writer, *in);
    serialize(writer, *out);
    EXPECT_EQ(encoded, raw);
}

TEST(Transaction, size_counter_agrees_with_cached_sizes) {
    const Transaction tx(sample_transaction(true));
    SizeCounter with, without;
    serialize(with, tx);
    serialize(without, tx, TxFormat::no_witness);
    EXPECT_EQ(with.size(), tx.total_size());
    EXPECT_EQ(without.size(), tx.stripped_size());
}

}  // namespace
}  // namespace bitloom
