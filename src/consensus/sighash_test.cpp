#include "consensus/sighash.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "crypto/hash.h"
#include "crypto/key.h"
#include "crypto/pubkey.h"
#include "primitives/transaction.h"
#include "testutil/vectors.h"
#include "util/hex.h"

namespace bitloom {
namespace {

using nlohmann::json;
using testutil::hex;

Transaction tx_from_hex(const std::string& text) {
    auto tx = decode_transaction(hex(text));
    EXPECT_TRUE(tx.has_value()) << text;
    if (!tx) return Transaction(MutableTransaction{});
    return std::move(*tx);
}

Script script_from_hex(const std::string& text) { return Script(hex(text)); }

std::string str(const json& value) { return value.get<std::string>(); }

Uint256 uint256_from_hex(const std::string& text) {
    const Bytes bytes = hex(text);
    EXPECT_EQ(bytes.size(), 32u) << text;
    if (bytes.size() != 32) return Uint256{};
    return Uint256(bytes);
}

ScriptExecutionData key_path_execdata() {
    ScriptExecutionData execdata;
    execdata.annex_init = true;
    execdata.annex_present = false;
    return execdata;
}

// ---- Legacy ---------------------------------------------------------------------------------

TEST(LegacySighash, matches_every_bitcoin_core_sighash_vector) {
    const json vectors = testutil::load_json("bitcoin-core/sighash.json");
    std::size_t cases = 0;
    for (const json& row : vectors) {
        if (row.size() == 1) continue;  // comment
        ASSERT_EQ(row.size(), 5u) << row.dump();
        SCOPED_TRACE(row.dump());
        const Transaction tx = tx_from_hex(row.at(0).get<std::string>());
        const Script script_code = script_from_hex(row.at(1).get<std::string>());
        const auto input_index = row.at(2).get<unsigned>();
        const auto hash_type = row.at(3).get<std::int32_t>();
        const auto expected = Uint256::from_string(row.at(4).get<std::string>());
        ASSERT_TRUE(expected.has_value());
        ASSERT_LT(input_index, tx.inputs().size());
        EXPECT_EQ(signature_hash(script_code, tx, input_index, hash_type, 0, SigVersion::base,
                                 nullptr),
                  *expected);
        ++cases;
    }
    testutil::report_cases("sighash.json", cases);
    ASSERT_GT(cases, 0u);
}

MutableTransaction two_in_one_out() {
    MutableTransaction tx;
    tx.version = 1;
    for (std::uint8_t i = 0; i < 2; ++i) {
        TxIn in;
        in.prevout.txid[0] = static_cast<std::uint8_t>(i + 1);
        in.prevout.index = i;
        in.sequence = 0xfffffffe;
        tx.inputs.push_back(in);
    }
    TxOut out;
    out.value = 1000;
    out.script_pubkey = Script(Bytes{OP_1});
    tx.outputs.push_back(out);
    return tx;
}

TEST(LegacySighash, single_without_matching_output_hashes_to_one) {
    const Transaction tx(two_in_one_out());
    Uint256 one;
    one[0] = 1;
    for (const std::int32_t type : {0x03, 0x83, 0x43}) {
        EXPECT_EQ(signature_hash(Script{}, tx, 1, type, 0, SigVersion::base, nullptr), one);
    }
    EXPECT_NE(signature_hash(Script{}, tx, 0, SIGHASH_SINGLE, 0, SigVersion::base, nullptr), one);
    EXPECT_NE(signature_hash(Script{}, tx, 1, SIGHASH_ALL, 0, SigVersion::base, nullptr), one);
}

TEST(LegacySighash, code_separators_are_removed_from_the_script_code) {
    const Transaction tx(two_in_one_out());
    const Script with = script_from_hex("51ab52abab53");
    const Script without = script_from_hex("515253");
    EXPECT_EQ(signature_hash(with, tx, 0, SIGHASH_ALL, 0, SigVersion::base, nullptr),
              signature_hash(without, tx, 0, SIGHASH_ALL, 0, SigVersion::base, nullptr));
    // Inside a push, 0xab is data, not a separator.
    const Script pushed = script_from_hex("01ab");
    const Script stripped = script_from_hex("01");
    EXPECT_NE(signature_hash(pushed, tx, 0, SIGHASH_ALL, 0, SigVersion::base, nullptr),
              signature_hash(stripped, tx, 0, SIGHASH_ALL, 0, SigVersion::base, nullptr));
}

TEST(LegacySighash, truncated_push_commits_to_the_bytes_before_the_failed_parse) {
    // 0xab 0x4c: a separator, then OP_PUSHDATA1 without its length byte. Core's parser stops
    // after the 0x4c, so the serialized code is length 1 followed by that byte: the same as a
    // script "4c" (whose parse also stops right after 0x4c).
    const Transaction tx(two_in_one_out());
    const Script a = script_from_hex("ab4c");
    const Script b = script_from_hex("4c");
    EXPECT_EQ(signature_hash(a, tx, 0, SIGHASH_ALL, 0, SigVersion::base, nullptr),
              signature_hash(b, tx, 0, SIGHASH_ALL, 0, SigVersion::base, nullptr));
    // A push of 5 bytes with 2 present: the length prefix says 3 (the whole script) but only
    // the opcode byte is written, so the trailing bytes do not change the hash.
    const Script c = script_from_hex("05aaaa");
    const Script d = script_from_hex("05bbbb");
    EXPECT_EQ(signature_hash(c, tx, 0, SIGHASH_ALL, 0, SigVersion::base, nullptr),
              signature_hash(d, tx, 0, SIGHASH_ALL, 0, SigVersion::base, nullptr));
}

// ---- BIP143 ---------------------------------------------------------------------------------

struct Bip143Case {
    const char* name;
    const char* tx;
    unsigned input_index;
    const char* script_code;  // without its length prefix
    Amount amount;
    std::int32_t hash_type;
    const char* sighash;  // memory order, as BIP143 prints it
};

constexpr const char* P2SH_P2WSH_TX =
    "010000000136641869ca081e70f394c6948e8af409e18b619df2ed74aa106c1ca29787b96e0100000000ffffffff"
    "0200e9a435000000001976a914389ffce9cd9ae88dcc0631e88a821ffdbe9bfe2688acc0832f0500000000197"
    "6a9147480a33f950689af511e6e84c138dbbd3c3ee41588ac00000000";
constexpr const char* P2SH_P2WSH_SCRIPT =
    "56210307b8ae49ac90a048e9b53357a2354b3334e9c8bee813ecb98e99a7e07e8c3ba32103b28f0c28bfab5455"
    "4ae8c658ac5c3e0ce6e79ad336331f78c428dd43eea8449b21034b8113d703413d57761b8b9781957b8c0ac1df"
    "e69f492580ca4195f50376ba4a21033400f6afecb833092a9a21cfdf1ed1376e58c5d1f47de74683123987e967"
    "a8f42103a6d48b1131e94ba04d9737d61acdaa1322008af9602b3b14862c07a1789aac162102d8b661b0b3302e"
    "e2f162b09e07a55ad5dfbe673a9f01d9f0c19617681024306b56ae";
constexpr const char* P2WSH_SINGLE_TX =
    "0100000002fe3dc9208094f3ffd12645477b3dc56f60ec4fa8e6f5d67c565d1c6b9216b36e0000000000ffffff"
    "ff0815cf020f013ed6cf91d29f4202e8a58726b1ac6c79da47c23d1bee0a6925f80000000000ffffffff0100f2"
    "052a010000001976a914a30741f8145e5acadf23f751864167f32e0963f788ac00000000";
constexpr const char* P2WSH_ACP_TX =
    "0100000002e9b542c5176808107ff1df906f46bb1f2583b16112b95ee5380665ba7fcfc0010000000000ffffff"
    "ff80e68831516392fcd100d186b3c2c7b95c80b53c77e77c35ba03a66b429a2a1b0000000000ffffffff028096"
    "9800000000001976a914de4b231626ef508c9a74a8517e6783c0546d6b2888ac80969800000000001976a91466"
    "48a8cd4531e1ec47f35916de8e259237294d1e88ac00000000";

const Bip143Case BIP143_CASES[] = {
    {"native P2WPKH",
     "0100000002fff7f7881a8099afa6940d42d1e7f6362bec38171ea3edf433541db4e4ad969f0000000000eeff"
     "ffffef51e1b804cc89d182d279655c3aa89e815b1b309fe287d9b2b55d57b90ec68a0100000000ffffffff02"
     "202cb206000000001976a9148280b37df378db99f66f85c95a783a76ac7a6d5988ac9093510d000000001976"
     "a9143bde42dbee7e4dbe6a21b2d50ce2f0167faa815988ac11000000",
     1, "76a9141d0f172a0ecb48aee1be1f2687d2963ae33f71a188ac", 600'000'000, 1,
     "c37af31116d1b27caf68aae9e3ac82f1477929014d5b917657d0eb49478cb670"},
    {"P2SH-P2WPKH",
     "0100000001db6b1b20aa0fd7b23880be2ecbd4a98130974cf4748fb66092ac4d3ceb1a54770100000000feff"
     "ffff02b8b4eb0b000000001976a914a457b684d7f0d539a46a45bbc043f35b59d0d96388ac0008af2f000000"
     "001976a914fd270b1ee6abcaea97fea7ad0402e8bd8ad6d77c88ac92040000",
     0, "76a91479091972186c449eb1ded22b78e40d009bdf008988ac", 1'000'000'000, 1,
     "64f3b0f4dd2bb3aa1ce8566d220cc74dda9df97d8490cc81d89d735c92e59fb6"},
    {"native P2WSH, SINGLE out of range, whole script", P2WSH_SINGLE_TX, 1,
     "21026dccc749adc2a9d0d89497ac511f760f45c47dc5ed9cf352a58ac706453880aeadab210255a9626aebf5e2"
     "9c0e6538428ba0d1dcf6ca98ffdf086aa8ced5e0d0215ea465ac",
     4'900'000'000, 3, "82dde6e4f1e94d02c2b7ad03d2115d691f48d064e9d52f58194a6637e4194391"},
    {"native P2WSH, SINGLE out of range, after the separator", P2WSH_SINGLE_TX, 1,
     "210255a9626aebf5e29c0e6538428ba0d1dcf6ca98ffdf086aa8ced5e0d0215ea465ac", 4'900'000'000, 3,
     "fef7bd749cce710c5c052bd796df1af0d935e59cea63736268bcbe2d2134fc47"},
    {"native P2WSH, SINGLE|ANYONECANPAY, first input", P2WSH_ACP_TX, 0,
     "0063ab68210392972e2eb617b2388771abe27235fd5ac44af8e61693261550447a4c3e39da98ac", 16'777'215,
     0x83, "e9071e75e25b8a1e298a72f0d2e9f4f95a0f5cdf86a533cda597eb402ed13b3a"},
    {"native P2WSH, SINGLE|ANYONECANPAY, second input", P2WSH_ACP_TX, 1,
     "68210392972e2eb617b2388771abe27235fd5ac44af8e61693261550447a4c3e39da98ac", 16'777'215, 0x83,
     "cd72f1f1a433ee9df816857fad88d8ebd97e09a75cd481583eb841c330275e54"},
    {"P2SH-P2WSH ALL", P2SH_P2WSH_TX, 0, P2SH_P2WSH_SCRIPT, 987'654'321, 0x01,
     "185c0be5263dce5b4bb50a047973c1b6272bfbd0103a89444597dc40b248ee7c"},
    {"P2SH-P2WSH NONE", P2SH_P2WSH_TX, 0, P2SH_P2WSH_SCRIPT, 987'654'321, 0x02,
     "e9733bc60ea13c95c6527066bb975a2ff29a925e80aa14c213f686cbae5d2f36"},
    {"P2SH-P2WSH SINGLE", P2SH_P2WSH_TX, 0, P2SH_P2WSH_SCRIPT, 987'654'321, 0x03,
     "1e1f1c303dc025bd664acb72e583e933fae4cff9148bf78c157d1e8f78530aea"},
    {"P2SH-P2WSH ALL|ANYONECANPAY", P2SH_P2WSH_TX, 0, P2SH_P2WSH_SCRIPT, 987'654'321, 0x81,
     "2a67f03e63a6a422125878b40b82da593be8d4efaafe88ee528af6e5a9955c6e"},
    {"P2SH-P2WSH NONE|ANYONECANPAY", P2SH_P2WSH_TX, 0, P2SH_P2WSH_SCRIPT, 987'654'321, 0x82,
     "781ba15f3779d5542ce8ecb5c18716733a5ee42a6f51488ec96154934e2c890a"},
    {"P2SH-P2WSH SINGLE|ANYONECANPAY", P2SH_P2WSH_TX, 0, P2SH_P2WSH_SCRIPT, 987'654'321, 0x83,
     "511e8e52ed574121fc1b654970395502128263f62662e076dc6baf05c2e6a99b"},
    {"no FindAndDelete",
     "010000000169c12106097dc2e0526493ef67f21269fe888ef05c7a3a5dacab38e1ac8387f14c1d000000ffff"
     "ffff0101000000000000000000000000",
     0,
     "ad4830450220487fb382c4974de3f7d834c1b617fe15860828c7f96454490edd6d891556dcc9022100baf95feb"
     "48f845d5bfc9882eb6aeefa1bc3790e39f59eaa46ff7f15ae626c53e01",
     200'000, 1, "71c9cd9b2869b9c70b01b1f0360c148f42dee72297db312638df136f43311f23"},
};

TEST(Bip143Sighash, matches_the_worked_examples_with_and_without_precomputed_data) {
    std::size_t cases = 0;
    for (const Bip143Case& c : BIP143_CASES) {
        SCOPED_TRACE(c.name);
        const Transaction tx = tx_from_hex(c.tx);
        const Script script_code = script_from_hex(c.script_code);
        const std::string expected = c.sighash;
        EXPECT_EQ(to_hex(signature_hash(script_code, tx, c.input_index, c.hash_type, c.amount,
                                        SigVersion::witness_v0, nullptr)
                             .span()),
                  expected);
        // The unsigned transactions carry no witness, so the cache is only filled when forced.
        const PrecomputedTransactionData lazy(tx);
        EXPECT_FALSE(lazy.bip143_segwit_ready);
        const PrecomputedTransactionData forced(tx, {}, true);
        ASSERT_TRUE(forced.bip143_segwit_ready);
        EXPECT_FALSE(forced.bip341_taproot_ready);
        EXPECT_EQ(to_hex(signature_hash(script_code, tx, c.input_index, c.hash_type, c.amount,
                                        SigVersion::witness_v0, &forced)
                             .span()),
                  expected);
        ++cases;
    }
    testutil::report_cases("BIP143 examples", cases);
    ASSERT_GT(cases, 0u);
}

TEST(Bip143Sighash, precomputed_hashes_are_the_double_sha256_of_the_serializations) {
    const Transaction tx = tx_from_hex(BIP143_CASES[6].tx);  // P2SH-P2WSH
    const PrecomputedTransactionData data(tx, {}, true);
    EXPECT_EQ(to_hex(data.hash_prevouts.span()),
              "74afdc312af5183c4198a40ca3c1a275b485496dd3929bca388c4b5e31f7aaa0");
    EXPECT_EQ(to_hex(data.hash_sequence.span()),
              "3bb13029ce7b1f559ef5e747fcac439f1455a2ec7c5f09b72290795e70665044");
    EXPECT_EQ(to_hex(data.hash_outputs.span()),
              "bc4d309071414bed932f98832b27b4d76dad7e6c1346f487a8fdbb8eb90307cc");
}

TEST(Bip143Sighash, transaction_with_a_witness_prepares_the_bip143_cache_without_force) {
    MutableTransaction mtx = two_in_one_out();
    mtx.inputs[1].witness.stack.push_back(Bytes{0x01});
    const Transaction tx(mtx);
    const PrecomputedTransactionData data(tx);
    EXPECT_TRUE(data.bip143_segwit_ready);
    EXPECT_FALSE(data.bip341_taproot_ready);
    const Script code = script_from_hex("51");
    EXPECT_EQ(signature_hash(code, tx, 0, SIGHASH_ALL, 5, SigVersion::witness_v0, &data),
              signature_hash(code, tx, 0, SIGHASH_ALL, 5, SigVersion::witness_v0, nullptr));
}

TEST(Bip143Sighash, ready_cache_is_used_instead_of_rehashing_the_transaction) {
    // Per-input cost must not depend on the number of inputs: with the cache ready, the
    // transaction-wide hashes are read, not recomputed (a doctored cache shows it).
    const Transaction tx = tx_from_hex(BIP143_CASES[6].tx);
    const Script code = script_from_hex(P2SH_P2WSH_SCRIPT);
    PrecomputedTransactionData data(tx, {}, true);
    const Uint256 honest = signature_hash(code, tx, 0, SIGHASH_ALL, 1, SigVersion::witness_v0, &data);
    data.hash_outputs[0] ^= 1;
    EXPECT_NE(signature_hash(code, tx, 0, SIGHASH_ALL, 1, SigVersion::witness_v0, &data), honest);
    data.hash_outputs[0] ^= 1;
    data.hash_prevouts[0] ^= 1;
    EXPECT_NE(signature_hash(code, tx, 0, SIGHASH_ALL, 1, SigVersion::witness_v0, &data), honest);
    data.hash_prevouts[0] ^= 1;
    data.hash_sequence[0] ^= 1;
    EXPECT_NE(signature_hash(code, tx, 0, SIGHASH_ALL, 1, SigVersion::witness_v0, &data), honest);
    data.bip143_segwit_ready = false;  // not ready: computed on the spot, ignoring the fields
    EXPECT_EQ(signature_hash(code, tx, 0, SIGHASH_ALL, 1, SigVersion::witness_v0, &data), honest);
}

TEST(TransactionSignatureChecker, accepts_the_bip143_p2wpkh_and_p2pk_signatures) {
    // The signed native P2WPKH example: input 0 spends a P2PK output (legacy), input 1 a
    // P2WPKH output of 6 BTC.
    const Transaction tx = tx_from_hex(
        "01000000000102fff7f7881a8099afa6940d42d1e7f6362bec38171ea3edf433541db4e4ad969f00000000"
        "494830450221008b9d1dc26ba6a9cb62127b02742fa9d754cd3bebf337f7a55d114c8e5cdd30be02204052"
        "9b194ba3f9281a99f2b1c0a19c0489bc22ede944ccf4ecbab4cc618ef3ed01eeffffffef51e1b804cc89d1"
        "82d279655c3aa89e815b1b309fe287d9b2b55d57b90ec68a0100000000ffffffff02202cb2060000000019"
        "76a9148280b37df378db99f66f85c95a783a76ac7a6d5988ac9093510d000000001976a9143bde42dbee7e"
        "4dbe6a21b2d50ce2f0167faa815988ac000247304402203609e17b84f6a7d30c80bfa610b5b4542f32a8a0"
        "d5447a12fb1366d7f01cc44a0220573a954c4518331561406f90300e8f3358f51928d43c212a8caed02de6"
        "7eebee0121025476c2e83188368da1ff3e292e7acafcdb3566bb0ad253f62fc70f07aeee635711000000");
    const PrecomputedTransactionData data(tx);
    ASSERT_TRUE(data.bip143_segwit_ready);

    const Bytes witness_sig = tx.inputs()[1].witness.stack[0];
    const Bytes witness_key = tx.inputs()[1].witness.stack[1];
    const Script p2wpkh_code = script_from_hex("76a9141d0f172a0ecb48aee1be1f2687d2963ae33f71a188ac");
    const TransactionSignatureChecker segwit(tx, 1, 600'000'000, data);
    EXPECT_TRUE(segwit.check_ecdsa_signature(witness_sig, witness_key, p2wpkh_code,
                                             SigVersion::witness_v0));
    EXPECT_FALSE(segwit.check_ecdsa_signature(witness_sig, witness_key, p2wpkh_code,
                                              SigVersion::base));
    const TransactionSignatureChecker wrong_amount(tx, 1, 600'000'001, data);
    EXPECT_FALSE(wrong_amount.check_ecdsa_signature(witness_sig, witness_key, p2wpkh_code,
                                                    SigVersion::witness_v0));
    const TransactionSignatureChecker unknown_amount(tx, 1, -1, data);
    EXPECT_FALSE(unknown_amount.check_ecdsa_signature(witness_sig, witness_key, p2wpkh_code,
                                                      SigVersion::witness_v0));
    EXPECT_FALSE(segwit.check_ecdsa_signature({}, witness_key, p2wpkh_code,
                                              SigVersion::witness_v0));
    EXPECT_FALSE(segwit.check_ecdsa_signature(witness_sig, hex("02"), p2wpkh_code,
                                              SigVersion::witness_v0));
    Bytes other_type = witness_sig;
    other_type.back() = SIGHASH_NONE;
    EXPECT_FALSE(segwit.check_ecdsa_signature(other_type, witness_key, p2wpkh_code,
                                              SigVersion::witness_v0));

    // Input 0: scriptSig = <sig>, scriptCode = the P2PK output script.
    const Script p2pk = script_from_hex(
        "2103c9f4836b9a4f77fc0d81f7bcb01b7f1b35916864b9476c241ce9fc198bd25432ac");
    const ByteSpan script_sig = tx.inputs()[0].script_sig.span();
    const ByteSpan legacy_sig = script_sig.subspan(1, script_sig[0]);
    const ByteSpan legacy_key = p2pk.span().subspan(1, 33);
    const TransactionSignatureChecker legacy(tx, 0, 625'000'000);  // one-off data
    EXPECT_TRUE(legacy.check_ecdsa_signature(legacy_sig, legacy_key, p2pk, SigVersion::base));
    EXPECT_FALSE(legacy.check_ecdsa_signature(legacy_sig, legacy_key, p2pk,
                                              SigVersion::witness_v0));
    EXPECT_FALSE(legacy.check_ecdsa_signature(legacy_sig, legacy_key, p2pk, SigVersion::tapscript));
}

// ---- BIP341 ---------------------------------------------------------------------------------

// Runs every keyPathSpending case of one copy of the BIP341 wallet vectors.
void check_key_path_vectors(const std::string& file) {
    SCOPED_TRACE(file);
    const json vectors = testutil::load_json(file);
    std::size_t transactions = 0;
    std::size_t inputs = 0;
    for (const json& spending : vectors.at("keyPathSpending")) {
        const Transaction tx = tx_from_hex(str(spending.at("given").at("rawUnsignedTx")));
        std::vector<TxOut> spent;
        for (const json& utxo : spending.at("given").at("utxosSpent")) {
            TxOut out;
            out.value = utxo.at("amountSats").get<Amount>();
            out.script_pubkey = script_from_hex(str(utxo.at("scriptPubKey")));
            spent.push_back(out);
        }
        ASSERT_EQ(spent.size(), tx.inputs().size());

        // Without a witness in the unsigned transaction, only `force` prepares the hashes.
        EXPECT_FALSE(PrecomputedTransactionData(tx, spent).bip341_taproot_ready);
        const PrecomputedTransactionData data(tx, spent, true);
        ASSERT_TRUE(data.bip341_taproot_ready);
        ASSERT_TRUE(data.spent_outputs_ready);
        const json& hashes = spending.at("intermediary");
        EXPECT_EQ(to_hex(data.spent_amounts_single_hash.span()), str(hashes.at("hashAmounts")));
        EXPECT_EQ(to_hex(data.outputs_single_hash.span()), str(hashes.at("hashOutputs")));
        EXPECT_EQ(to_hex(data.prevouts_single_hash.span()), str(hashes.at("hashPrevouts")));
        EXPECT_EQ(to_hex(data.spent_scripts_single_hash.span()), str(hashes.at("hashScriptPubkeys")));
        EXPECT_EQ(to_hex(data.sequences_single_hash.span()), str(hashes.at("hashSequences")));
        ++transactions;

        for (const json& input : spending.at("inputSpending")) {
            const json& given = input.at("given");
            const json& intermediary = input.at("intermediary");
            const auto index = given.at("txinIndex").get<unsigned>();
            const auto hash_type = given.at("hashType").get<std::uint8_t>();
            SCOPED_TRACE("input " + std::to_string(index));

            const ScriptExecutionData execdata = key_path_execdata();
            const auto message = signature_message_schnorr(execdata, tx, index, hash_type,
                                                           SigVersion::taproot, data);
            ASSERT_TRUE(message.has_value());
            EXPECT_EQ(to_hex(*message), str(intermediary.at("sigMsg")));
            const auto sighash =
                signature_hash_schnorr(execdata, tx, index, hash_type, SigVersion::taproot, data);
            ASSERT_TRUE(sighash.has_value());
            EXPECT_EQ(to_hex(sighash->span()), str(intermediary.at("sigHash")));
            EXPECT_EQ(*sighash, tagged_hash("TapSighash", *message));

            // Signing with the tweaked key reproduces the witness; the checker accepts it.
            const auto key = PrivateKey::from_bytes(hex(str(given.at("internalPrivkey"))));
            ASSERT_TRUE(key.has_value());
            std::optional<Uint256> merkle_root;
            if (!given.at("merkleRoot").is_null()) {
                merkle_root = uint256_from_hex(str(given.at("merkleRoot")));
            }
            const auto signature = key->sign_schnorr_taproot(*sighash, merkle_root, Uint256{});
            ASSERT_TRUE(signature.has_value());
            Bytes witness_sig(signature->begin(), signature->end());
            if (hash_type != SIGHASH_DEFAULT) witness_sig.push_back(hash_type);
            EXPECT_EQ(to_hex(witness_sig), str(input.at("expected").at("witness").at(0)));

            const ByteSpan output_key = spent[index].script_pubkey.span().subspan(2, 32);
            const TransactionSignatureChecker checker(tx, index, spent[index].value, data);
            ScriptExecutionData check_data = key_path_execdata();
            ScriptError error = ScriptError::OK;
            EXPECT_TRUE(checker.check_schnorr_signature(witness_sig, output_key,
                                                        SigVersion::taproot, check_data, &error))
                << to_string(error);

            Bytes tampered = witness_sig;
            tampered[0] ^= 1;
            ScriptExecutionData tamper_data = key_path_execdata();
            EXPECT_FALSE(checker.check_schnorr_signature(tampered, output_key,
                                                         SigVersion::taproot, tamper_data,
                                                         &error));
            EXPECT_EQ(error, ScriptError::SCHNORR_SIG);
            ++inputs;
        }
    }
    testutil::report_cases(file + " keyPathSpending transactions", transactions);
    testutil::report_cases(file + " keyPathSpending inputs", inputs);
    ASSERT_GT(transactions, 0u);
    ASSERT_GT(inputs, 0u);
}

// Bitcoin Core's copy and the BIPs repository's copy are both checked.
TEST(TaprootSighash, key_path_vectors_match_hashes_messages_and_signatures) {
    check_key_path_vectors("bitcoin-core/bip341_wallet_vectors.json");
    check_key_path_vectors("bips/bip-0341_wallet-test-vectors.json");
}

struct TaprootFixture {
    Transaction tx;
    std::vector<TxOut> spent;
    PrecomputedTransactionData data;
};

TaprootFixture taproot_fixture() {
    MutableTransaction mtx = two_in_one_out();
    mtx.version = 2;
    for (TxIn& in : mtx.inputs) in.witness.stack.push_back(Bytes(64, 0));
    Transaction tx(mtx);
    std::vector<TxOut> spent(2);
    for (TxOut& out : spent) {
        out.value = 5000;
        out.script_pubkey = Script(hex("5120" + std::string(64, '1')));
    }
    PrecomputedTransactionData data(tx, spent);
    return TaprootFixture{std::move(tx), std::move(spent), std::move(data)};
}

TEST(TaprootSighash, witness_spending_a_taproot_output_prepares_bip341_without_force) {
    const TaprootFixture f = taproot_fixture();
    EXPECT_TRUE(f.data.bip341_taproot_ready);
    EXPECT_FALSE(f.data.bip143_segwit_ready);  // no input looks like segwit v0
}

TEST(TaprootSighash, message_reads_the_precomputed_single_hashes) {
    TaprootFixture f = taproot_fixture();
    const ScriptExecutionData execdata = key_path_execdata();
    const auto honest = signature_hash_schnorr(execdata, f.tx, 0, 0, SigVersion::taproot, f.data);
    ASSERT_TRUE(honest);
    for (Uint256* field : {&f.data.prevouts_single_hash, &f.data.spent_amounts_single_hash,
                           &f.data.spent_scripts_single_hash, &f.data.sequences_single_hash,
                           &f.data.outputs_single_hash}) {
        (*field)[0] ^= 1;
        EXPECT_NE(signature_hash_schnorr(execdata, f.tx, 0, 0, SigVersion::taproot, f.data), honest);
        (*field)[0] ^= 1;
    }
    EXPECT_EQ(signature_hash_schnorr(execdata, f.tx, 0, 0, SigVersion::taproot, f.data), honest);
}

TEST(TaprootSighash, rejects_undefined_hash_types) {
    const TaprootFixture f = taproot_fixture();
    const ScriptExecutionData execdata = key_path_execdata();
    std::size_t valid = 0;
    for (unsigned type = 0; type < 256; ++type) {
        const auto hash = signature_hash_schnorr(execdata, f.tx, 0, static_cast<std::uint8_t>(type),
                                                 SigVersion::taproot, f.data);
        const bool defined = type <= 3 || (type >= 0x81 && type <= 0x83);
        EXPECT_EQ(hash.has_value(), defined) << type;
        valid += hash.has_value() ? 1 : 0;
    }
    EXPECT_EQ(valid, 7u);
}

TEST(TaprootSighash, single_without_corresponding_output_fails) {
    const TaprootFixture f = taproot_fixture();
    const ScriptExecutionData execdata = key_path_execdata();
    EXPECT_TRUE(signature_hash_schnorr(execdata, f.tx, 0, SIGHASH_SINGLE, SigVersion::taproot, f.data));
    EXPECT_FALSE(signature_hash_schnorr(execdata, f.tx, 1, SIGHASH_SINGLE, SigVersion::taproot, f.data));
    EXPECT_FALSE(signature_hash_schnorr(execdata, f.tx, 1, 0x83, SigVersion::taproot, f.data));
    EXPECT_TRUE(signature_hash_schnorr(execdata, f.tx, 1, SIGHASH_NONE, SigVersion::taproot, f.data));
}

TEST(TaprootSighash, fails_without_spent_outputs_or_for_ecdsa_versions) {
    const TaprootFixture f = taproot_fixture();
    const ScriptExecutionData execdata = key_path_execdata();
    const PrecomputedTransactionData no_spent(f.tx);
    EXPECT_FALSE(signature_hash_schnorr(execdata, f.tx, 0, SIGHASH_DEFAULT, SigVersion::taproot,
                                        no_spent));
    EXPECT_FALSE(signature_hash_schnorr(execdata, f.tx, 0, SIGHASH_DEFAULT, SigVersion::base, f.data));
    EXPECT_FALSE(
        signature_hash_schnorr(execdata, f.tx, 0, SIGHASH_DEFAULT, SigVersion::witness_v0, f.data));
}

TEST(TaprootSighash, message_commits_to_annex_and_tapscript_fields) {
    const TaprootFixture f = taproot_fixture();
    const ScriptExecutionData plain = key_path_execdata();
    ScriptExecutionData annexed = plain;
    annexed.annex_present = true;
    annexed.annex_hash[0] = 0x42;
    const auto key_msg = signature_message_schnorr(plain, f.tx, 0, 0, SigVersion::taproot, f.data);
    const auto annex_msg =
        signature_message_schnorr(annexed, f.tx, 0, 0, SigVersion::taproot, f.data);
    ASSERT_TRUE(key_msg && annex_msg);
    // epoch, type, version, lock time, 5 hashes, spend_type, input index.
    ASSERT_EQ(key_msg->size(), 1u + 1 + 4 + 4 + 5 * 32 + 1 + 4);
    EXPECT_EQ((*key_msg)[1 + 1 + 4 + 4 + 5 * 32], 0x00);
    ASSERT_EQ(annex_msg->size(), key_msg->size() + 32);
    EXPECT_EQ((*annex_msg)[1 + 1 + 4 + 4 + 5 * 32], 0x01);

    ScriptExecutionData script = plain;
    script.tapleaf_hash_init = true;
    script.tapleaf_hash[0] = 0x77;
    script.codeseparator_pos_init = true;
    script.codeseparator_pos = 7;
    const auto script_msg =
        signature_message_schnorr(script, f.tx, 0, 0, SigVersion::tapscript, f.data);
    ASSERT_TRUE(script_msg);
    ASSERT_EQ(script_msg->size(), key_msg->size() + 32 + 1 + 4);
    EXPECT_EQ((*script_msg)[1 + 1 + 4 + 4 + 5 * 32], 0x02);  // ext_flag 1
    const std::size_t tail = key_msg->size();
    EXPECT_EQ((*script_msg)[tail], 0x77);
    EXPECT_EQ((*script_msg)[tail + 32], 0x00);  // key_version
    EXPECT_EQ((*script_msg)[tail + 33], 7);     // codesep_pos, little-endian
    ScriptExecutionData other_pos = script;
    other_pos.codeseparator_pos = 0xffffffff;
    EXPECT_NE(signature_hash_schnorr(script, f.tx, 0, 0, SigVersion::tapscript, f.data),
              signature_hash_schnorr(other_pos, f.tx, 0, 0, SigVersion::tapscript, f.data));
}

TEST(TaprootSighash, default_and_all_sign_the_same_fields_but_differ_in_the_type_byte) {
    const TaprootFixture f = taproot_fixture();
    const ScriptExecutionData execdata = key_path_execdata();
    const auto as_default = signature_message_schnorr(execdata, f.tx, 0, 0x00, SigVersion::taproot, f.data);
    const auto as_all = signature_message_schnorr(execdata, f.tx, 0, 0x01, SigVersion::taproot, f.data);
    ASSERT_TRUE(as_default && as_all);
    ASSERT_EQ(as_default->size(), as_all->size());
    EXPECT_EQ((*as_default)[1], 0x00);
    EXPECT_EQ((*as_all)[1], 0x01);
    Bytes patched = *as_default;
    patched[1] = 0x01;
    EXPECT_EQ(patched, *as_all);
}

TEST(TransactionSignatureChecker, schnorr_errors_name_size_hash_type_and_signature) {
    const TaprootFixture f = taproot_fixture();
    const TransactionSignatureChecker checker(f.tx, 1, 5000, f.data);
    const Bytes key = hex(std::string(64, '1'));
    const auto check = [&](const Bytes& sig) {
        ScriptExecutionData execdata = key_path_execdata();
        ScriptError error = ScriptError::OK;
        EXPECT_FALSE(checker.check_schnorr_signature(sig, key, SigVersion::taproot, execdata, &error));
        return error;
    };
    EXPECT_EQ(check(Bytes(63, 1)), ScriptError::SCHNORR_SIG_SIZE);
    EXPECT_EQ(check(Bytes(66, 1)), ScriptError::SCHNORR_SIG_SIZE);
    EXPECT_EQ(check(Bytes{}), ScriptError::SCHNORR_SIG_SIZE);
    Bytes explicit_default(65, 1);
    explicit_default.back() = 0x00;
    EXPECT_EQ(check(explicit_default), ScriptError::SCHNORR_SIG_HASHTYPE);
    Bytes undefined(65, 1);
    undefined.back() = 0x04;
    EXPECT_EQ(check(undefined), ScriptError::SCHNORR_SIG_HASHTYPE);
    Bytes single(65, 1);
    single.back() = SIGHASH_SINGLE;  // input 1 has no output 1
    EXPECT_EQ(check(single), ScriptError::SCHNORR_SIG_HASHTYPE);
    EXPECT_EQ(check(Bytes(64, 1)), ScriptError::SCHNORR_SIG);

    const TransactionSignatureChecker without_outputs(f.tx, 0, 5000);
    ScriptExecutionData execdata = key_path_execdata();
    ScriptError error = ScriptError::OK;
    EXPECT_FALSE(without_outputs.check_schnorr_signature(Bytes(64, 1), key, SigVersion::taproot,
                                                         execdata, &error));
    EXPECT_EQ(error, ScriptError::SCHNORR_SIG_HASHTYPE);
}

TEST(TransactionSignatureChecker, schnorr_single_caches_the_output_hash) {
    const TaprootFixture f = taproot_fixture();
    const TransactionSignatureChecker checker(f.tx, 0, 5000, f.data);
    ScriptExecutionData execdata = key_path_execdata();
    Bytes sig(65, 1);
    sig.back() = SIGHASH_SINGLE;
    ScriptError error = ScriptError::OK;
    EXPECT_FALSE(checker.check_schnorr_signature(sig, hex(std::string(64, '1')),
                                                 SigVersion::taproot, execdata, &error));
    ASSERT_TRUE(execdata.output_hash.has_value());
    HashWriter writer;
    serialize(writer, f.tx.outputs()[0]);
    EXPECT_EQ(*execdata.output_hash, writer.sha256());
}

TEST(TransactionSignatureChecker, one_off_checker_with_spent_outputs_verifies_a_key_path_spend) {
    const auto key = PrivateKey::from_bytes(hex(std::string(64, '3')));
    ASSERT_TRUE(key.has_value());
    const auto output = key->x_only_public_key().create_tap_tweak(std::nullopt);
    ASSERT_TRUE(output.has_value());
    MutableTransaction mtx = two_in_one_out();
    const Transaction tx(mtx);
    std::vector<TxOut> spent(2);
    for (TxOut& out : spent) {
        out.value = 7000;
        out.script_pubkey = Script(hex("5120" + to_hex(output->key.span())));
    }
    const PrecomputedTransactionData data(tx, spent, true);
    const ScriptExecutionData execdata = key_path_execdata();
    const auto sighash = signature_hash_schnorr(execdata, tx, 1, SIGHASH_DEFAULT,
                                                SigVersion::taproot, data);
    ASSERT_TRUE(sighash.has_value());
    const auto sig = key->sign_schnorr_taproot(*sighash, std::nullopt);
    ASSERT_TRUE(sig.has_value());

    const TransactionSignatureChecker checker(tx, 1, 7000, spent);
    ScriptExecutionData check_data = key_path_execdata();
    ScriptError error = ScriptError::OK;
    EXPECT_TRUE(checker.check_schnorr_signature(*sig, output->key.span(), SigVersion::taproot,
                                                check_data, &error));
    // The same signature does not verify for the other input.
    const TransactionSignatureChecker other(tx, 0, 7000, spent);
    EXPECT_FALSE(other.check_schnorr_signature(*sig, output->key.span(), SigVersion::taproot,
                                               check_data, &error));
    EXPECT_EQ(error, ScriptError::SCHNORR_SIG);
}

// ---- Lock time and sequence -----------------------------------------------------------------

Transaction lock_tx(std::int32_t version, std::uint32_t lock_time, std::uint32_t sequence) {
    MutableTransaction mtx;
    mtx.version = version;
    mtx.lock_time = lock_time;
    TxIn in;
    in.prevout.index = 0;
    in.prevout.txid[0] = 9;
    in.sequence = sequence;
    mtx.inputs.push_back(in);
    mtx.outputs.push_back(TxOut{});
    return Transaction(mtx);
}

TEST(CheckLockTime, accepts_heights_up_to_the_transaction_lock_time) {
    const Transaction tx = lock_tx(1, 100, 0);
    const TransactionSignatureChecker checker(tx, 0, 0);
    EXPECT_TRUE(checker.check_lock_time(0));
    EXPECT_TRUE(checker.check_lock_time(99));
    EXPECT_TRUE(checker.check_lock_time(100));
    EXPECT_FALSE(checker.check_lock_time(101));
    EXPECT_FALSE(checker.check_lock_time(LOCKTIME_THRESHOLD));  // a time against a height
}

TEST(CheckLockTime, accepts_times_up_to_the_transaction_lock_time) {
    const Transaction tx = lock_tx(1, LOCKTIME_THRESHOLD + 100, 0);
    const TransactionSignatureChecker checker(tx, 0, 0);
    EXPECT_TRUE(checker.check_lock_time(LOCKTIME_THRESHOLD));
    EXPECT_TRUE(checker.check_lock_time(LOCKTIME_THRESHOLD + 100));
    EXPECT_FALSE(checker.check_lock_time(LOCKTIME_THRESHOLD + 101));
    EXPECT_FALSE(checker.check_lock_time(100));  // a height against a time
    EXPECT_FALSE(checker.check_lock_time(LOCKTIME_THRESHOLD - 1));
    EXPECT_FALSE(checker.check_lock_time(std::int64_t{1} << 33));
}

TEST(CheckLockTime, rejects_an_input_with_final_sequence) {
    const Transaction final_tx = lock_tx(1, 100, TxIn::SEQUENCE_FINAL);
    EXPECT_FALSE(TransactionSignatureChecker(final_tx, 0, 0).check_lock_time(50));
    const Transaction nonfinal = lock_tx(1, 100, TxIn::MAX_SEQUENCE_NONFINAL);
    EXPECT_TRUE(TransactionSignatureChecker(nonfinal, 0, 0).check_lock_time(50));
}

TEST(CheckSequence, compares_block_based_relative_lock_times) {
    const Transaction tx = lock_tx(2, 0, 10);
    const TransactionSignatureChecker checker(tx, 0, 0);
    EXPECT_TRUE(checker.check_sequence(0));
    EXPECT_TRUE(checker.check_sequence(10));
    EXPECT_FALSE(checker.check_sequence(11));
    EXPECT_FALSE(checker.check_sequence(TxIn::SEQUENCE_LOCKTIME_TYPE_FLAG | 5));  // time vs height
    // Bits outside TYPE_FLAG|0xffff carry no meaning.
    EXPECT_TRUE(checker.check_sequence((std::int64_t{1} << 23) | 10));
    EXPECT_TRUE(checker.check_sequence(0x10000 | 10));
}

TEST(CheckSequence, compares_time_based_relative_lock_times) {
    const Transaction tx = lock_tx(2, 0, TxIn::SEQUENCE_LOCKTIME_TYPE_FLAG | 10);
    const TransactionSignatureChecker checker(tx, 0, 0);
    EXPECT_TRUE(checker.check_sequence(TxIn::SEQUENCE_LOCKTIME_TYPE_FLAG | 10));
    EXPECT_TRUE(checker.check_sequence(TxIn::SEQUENCE_LOCKTIME_TYPE_FLAG));
    EXPECT_FALSE(checker.check_sequence(TxIn::SEQUENCE_LOCKTIME_TYPE_FLAG | 11));
    EXPECT_FALSE(checker.check_sequence(5));  // height vs time
}

TEST(CheckSequence, ignores_high_bits_of_the_input_sequence) {
    const Transaction tx = lock_tx(2, 0, (1U << 30) | 0x20000 | 10);
    const TransactionSignatureChecker checker(tx, 0, 0);
    EXPECT_TRUE(checker.check_sequence(10));
    EXPECT_FALSE(checker.check_sequence(11));
}

TEST(CheckSequence, rejects_an_input_with_the_disable_flag) {
    const Transaction tx = lock_tx(2, 0, TxIn::SEQUENCE_LOCKTIME_DISABLE_FLAG | 10);
    EXPECT_FALSE(TransactionSignatureChecker(tx, 0, 0).check_sequence(5));
    const Transaction final_tx = lock_tx(2, 0, TxIn::SEQUENCE_FINAL);
    EXPECT_FALSE(TransactionSignatureChecker(final_tx, 0, 0).check_sequence(0));
}

TEST(CheckSequence, requires_version_two_read_as_unsigned) {
    EXPECT_FALSE(TransactionSignatureChecker(lock_tx(1, 0, 10), 0, 0).check_sequence(5));
    EXPECT_FALSE(TransactionSignatureChecker(lock_tx(0, 0, 10), 0, 0).check_sequence(5));
    EXPECT_TRUE(TransactionSignatureChecker(lock_tx(3, 0, 10), 0, 0).check_sequence(5));
    // Version -1 is 0xffffffff as the unsigned number BIP68 compares.
    EXPECT_TRUE(TransactionSignatureChecker(lock_tx(-1, 0, 10), 0, 0).check_sequence(5));
}

}  // namespace
}  // namespace bitloom
