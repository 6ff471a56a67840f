#include "consensus/script_check.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "consensus/chainparams.h"
#include "crypto/hash.h"
#include "crypto/key.h"
#include "encoding/address.h"

namespace bitloom {
namespace {

namespace sf = script_flags;

// Everything block_script_flags may set once every buried deployment is active.
constexpr ScriptFlags ALL_BURIED = sf::P2SH | sf::WITNESS | sf::TAPROOT | sf::DERSIG |
                                   sf::CHECKLOCKTIMEVERIFY | sf::CHECKSEQUENCEVERIFY |
                                   sf::NULLDUMMY;

Uint256 hash_of(std::string_view display_hex) { return Uint256::from_string(display_hex).value(); }

// A hash that is none of the networks' exception blocks.
const Uint256 ORDINARY_BLOCK = hash256(as_bytes("an ordinary block"));

// ---- block_script_flags --------------------------------------------------------------------

TEST(BlockScriptFlags, regtest_genesis_has_segwit_rules_but_not_the_height_one_forks) {
    const auto& params = chain_params(ChainType::regtest).consensus;
    EXPECT_EQ(format_script_flags(block_script_flags(params, 0, params.genesis_hash)),
              format_script_flags(sf::P2SH | sf::WITNESS | sf::TAPROOT | sf::NULLDUMMY));
}

TEST(BlockScriptFlags, regtest_enforces_every_buried_fork_from_height_one) {
    const auto& params = chain_params(ChainType::regtest).consensus;
    for (int height : {1, 2, 133, 1'000'000}) {
        EXPECT_EQ(format_script_flags(block_script_flags(params, height, ORDINARY_BLOCK)),
                  format_script_flags(ALL_BURIED))
            << "height " << height;
    }
}

TEST(BlockScriptFlags, mainnet_turns_each_fork_on_at_its_height) {
    const auto& params = chain_params(ChainType::main).consensus;
    const ScriptFlags always = sf::P2SH | sf::WITNESS | sf::TAPROOT;
    struct Case {
        int height;
        ScriptFlags expected;
    };
    const Case cases[] = {
        {0, always},
        {170'059, always},
        {363'724, always},
        {363'725, always | sf::DERSIG},  // BIP66
        {388'380, always | sf::DERSIG},
        {388'381, always | sf::DERSIG | sf::CHECKLOCKTIMEVERIFY},  // BIP65
        {419'327, always | sf::DERSIG | sf::CHECKLOCKTIMEVERIFY},
        {419'328, always | sf::DERSIG | sf::CHECKLOCKTIMEVERIFY | sf::CHECKSEQUENCEVERIFY},
        {481'823, always | sf::DERSIG | sf::CHECKLOCKTIMEVERIFY | sf::CHECKSEQUENCEVERIFY},
        {481'824, ALL_BURIED},  // segwit: NULLDUMMY (BIP147)
        {900'000, ALL_BURIED},
    };
    for (const Case& c : cases) {
        EXPECT_EQ(format_script_flags(block_script_flags(params, c.height, ORDINARY_BLOCK)),
                  format_script_flags(c.expected))
            << "height " << c.height;
    }
}

TEST(BlockScriptFlags, mainnet_bip16_exception_block_gets_no_flags_at_all) {
    const auto& params = chain_params(ChainType::main).consensus;
    const Uint256 bip16_exception =
        hash_of("00000000000002dc756eebf4f49723ed8d30cc28a5f108eb94b1ba88ac4f9c22");
    EXPECT_EQ(block_script_flags(params, 170'060, bip16_exception), sf::NONE);
    // The same height under another hash is an ordinary block.
    EXPECT_EQ(block_script_flags(params, 170'060, ORDINARY_BLOCK),
              sf::P2SH | sf::WITNESS | sf::TAPROOT);
}

TEST(BlockScriptFlags, mainnet_taproot_exception_block_is_checked_without_taproot) {
    const auto& params = chain_params(ChainType::main).consensus;
    const Uint256 taproot_exception =
        hash_of("0000000000000000000f14c35b2d841e986ab5441de8c585d5ffe55ea1e395ad");
    EXPECT_EQ(format_script_flags(block_script_flags(params, 692'261, taproot_exception)),
              format_script_flags(ALL_BURIED & ~sf::TAPROOT));
}

TEST(BlockScriptFlags, testnet_bip16_exception_block_gets_no_flags_at_all) {
    const auto& params = chain_params(ChainType::testnet).consensus;
    const Uint256 bip16_exception =
        hash_of("00000000dd30457c001f4095d208cc1296b0eed002427aa599874af7a432b105");
    EXPECT_EQ(block_script_flags(params, 514, bip16_exception), sf::NONE);
}

TEST(BlockScriptFlags, never_include_policy_flags) {
    for (ChainType type : {ChainType::main, ChainType::testnet, ChainType::testnet4,
                           ChainType::signet, ChainType::regtest}) {
        const auto& params = chain_params(type).consensus;
        for (int height : {0, 1, 500'000, 10'000'000}) {
            EXPECT_EQ(block_script_flags(params, height, ORDINARY_BLOCK) & ~ALL_BURIED, 0u)
                << chain_type_name(type) << " height " << height;
        }
    }
}

// ---- A synthetic block of signed spends ----------------------------------------------------

enum class SpendKind { p2pkh, p2wpkh, p2tr_key_path };

// One signed input, with what a test needs to forge a cache entry for it.
struct InputRecord {
    SpendKind kind;
    Bytes pubkey;     // serialized public key (ECDSA kinds) or output key (taproot)
    Uint256 sighash;  // what the signature signs
};

struct SyntheticBlock {
    std::vector<TransactionSpends> transactions;
    std::vector<std::vector<InputRecord>> records;  // [tx][input]
};

Script output_script_for(const PrivateKey& key, SpendKind kind) {
    switch (kind) {
        case SpendKind::p2pkh:
            return script_for_destination(PubKeyHash{hash160(key.public_key().serialize())});
        case SpendKind::p2wpkh:
            return script_for_destination(WitnessV0KeyHash{hash160(key.public_key().serialize())});
        case SpendKind::p2tr_key_path:
            return script_for_destination(WitnessV1Taproot{
                key.x_only_public_key().create_tap_tweak(std::nullopt).value().key.bytes()});
    }
    return {};
}

// `tx_count` transactions of `inputs_per_tx` inputs each, the kinds taking turns, every input
// signed with SIGHASH_ALL (SIGHASH_DEFAULT for taproot) by its own key.
SyntheticBlock make_block(int tx_count, unsigned inputs_per_tx) {
    SyntheticBlock block;
    int key_seed = 1;
    for (int t = 0; t < tx_count; ++t) {
        MutableTransaction mtx;
        mtx.version = 2;
        std::vector<TxOut> spent;
        std::vector<PrivateKey> keys;
        std::vector<SpendKind> kinds;
        for (unsigned i = 0; i < inputs_per_tx; ++i) {
            const auto kind = static_cast<SpendKind>((t + i) % 3);
            keys.push_back(PrivateKey::from_bytes(Bytes(32, static_cast<std::uint8_t>(key_seed++)))
                               .value());
            kinds.push_back(kind);
            TxIn in;
            in.prevout.txid = hash256(as_bytes("funding " + std::to_string(t)));
            in.prevout.index = i;
            mtx.inputs.push_back(in);
            spent.push_back(TxOut{100'000 + 1'000 * static_cast<Amount>(i),
                                  output_script_for(keys.back(), kind)});
        }
        mtx.outputs.push_back(TxOut{50'000, Script(Bytes{OP_RETURN})});

        const Transaction unsigned_tx(mtx);
        const PrecomputedTransactionData txdata(unsigned_tx, spent, /*force=*/true);
        std::vector<InputRecord> records;
        for (unsigned i = 0; i < inputs_per_tx; ++i) {
            const PrivateKey& key = keys[i];
            TxIn& in = mtx.inputs[i];
            if (kinds[i] == SpendKind::p2tr_key_path) {
                ScriptExecutionData execdata;
                execdata.annex_init = true;
                const Uint256 sighash =
                    signature_hash_schnorr(execdata, unsigned_tx, i, SIGHASH_DEFAULT,
                                           SigVersion::taproot, txdata)
                        .value();
                const SchnorrSignature signature =
                    key.sign_schnorr_taproot(sighash, std::nullopt).value();
                in.witness.stack.push_back(Bytes(signature.begin(), signature.end()));
                const auto output_key =
                    key.x_only_public_key().create_tap_tweak(std::nullopt).value().key.bytes();
                records.push_back({kinds[i], Bytes(output_key.begin(), output_key.end()), sighash});
                continue;
            }
            const PublicKey public_key = key.public_key();
            const Bytes pubkey(public_key.serialize().begin(), public_key.serialize().end());
            const Script key_hash_code =
                script_for_destination(PubKeyHash{hash160(public_key.serialize())});
            const SigVersion version =
                kinds[i] == SpendKind::p2pkh ? SigVersion::base : SigVersion::witness_v0;
            const Uint256 sighash = signature_hash(key_hash_code, unsigned_tx, i, SIGHASH_ALL,
                                                   spent[i].value, version, &txdata);
            Bytes signature = key.sign_ecdsa(sighash).value();
            signature.push_back(SIGHASH_ALL);
            if (kinds[i] == SpendKind::p2pkh) {
                in.script_sig.push_data(signature).push_data(pubkey);
            } else {
                in.witness.stack = {signature, pubkey};
            }
            records.push_back({kinds[i], pubkey, sighash});
        }
        block.transactions.push_back({make_transaction_ref(std::move(mtx)), std::move(spent)});
        block.records.push_back(std::move(records));
    }
    return block;
}

// The data pushes of a push-only script, in order.
std::vector<Bytes> pushes_of(const Script& script) {
    std::vector<Bytes> pushes;
    std::size_t pos = 0;
    while (auto op = script.get_op(pos)) pushes.emplace_back(op->data.begin(), op->data.end());
    return pushes;
}

// Replaces transaction `t` with a copy in which the signature of input `input` has one bit
// flipped: in the last byte of S for ECDSA (the DER encoding stays valid), in the last byte of
// s for Schnorr.
void corrupt_signature(SyntheticBlock& block, std::size_t t, unsigned input) {
    MutableTransaction mtx = block.transactions[t].tx->to_mutable();
    TxIn& in = mtx.inputs[input];
    if (!in.witness.stack.empty()) {
        Bytes& signature = in.witness.stack[0];
        signature[signature.size() == 64 ? 63 : signature.size() - 2] ^= 0x01;
    } else {
        std::vector<Bytes> pushes = pushes_of(in.script_sig);  // signature, public key
        pushes[0][pushes[0].size() - 2] ^= 0x01;
        in.script_sig = Script();
        in.script_sig.push_data(pushes[0]).push_data(pushes[1]);
    }
    block.transactions[t].tx = make_transaction_ref(std::move(mtx));
}

// The signature of input `input` of `tx` as the signature checker sees it: without the hash
// type byte for ECDSA, the 64 bytes for a SIGHASH_DEFAULT Schnorr signature.
Bytes checked_signature(const Transaction& tx, unsigned input) {
    const TxIn& in = tx.inputs()[input];
    if (in.witness.stack.empty()) {
        Bytes signature = pushes_of(in.script_sig)[0];
        signature.pop_back();
        return signature;
    }
    Bytes signature = in.witness.stack[0];
    if (signature.size() != 64) signature.pop_back();
    return signature;
}

ScriptError expected_error(SpendKind kind) {
    // A wrong ECDSA signature makes OP_CHECKSIG push false (NULLFAIL is policy, not
    // consensus); a wrong key-path signature fails outright.
    return kind == SpendKind::p2tr_key_path ? ScriptError::SCHNORR_SIG : ScriptError::EVAL_FALSE;
}

constexpr int TX_COUNT = 8;
constexpr unsigned INPUTS_PER_TX = 3;
constexpr ScriptFlags FLAGS = ALL_BURIED;

std::string describe(const std::optional<InputCheckFailure>& failure) {
    if (!failure) return "no failure";
    return "tx " + std::to_string(failure->tx_index) + " input " +
           std::to_string(failure->input_index) + " " + std::string(to_string(failure->error));
}

// ---- Verification ----------------------------------------------------------------------------

TEST(ScriptCheck, every_input_of_a_valid_batch_verifies_one_by_one_and_in_parallel) {
    const SyntheticBlock block = make_block(TX_COUNT, INPUTS_PER_TX);
    for (const TransactionSpends& spends : block.transactions) {
        EXPECT_EQ(check_transaction_scripts(*spends.tx, spends.spent_outputs, FLAGS), std::nullopt);
    }
    for (unsigned workers : {0u, 2u}) {
        CheckQueue<ScriptError> queue(workers);
        EXPECT_EQ(describe(check_block_scripts(block.transactions, FLAGS, queue)), "no failure")
            << workers << " workers";
    }
}

TEST(ScriptCheck, an_empty_batch_passes) {
    CheckQueue<ScriptError> queue(2);
    EXPECT_EQ(check_block_scripts({}, FLAGS, queue), std::nullopt);
}

TEST(ScriptCheck, each_bad_input_is_reported_at_its_own_position) {
    const SyntheticBlock valid = make_block(TX_COUNT, INPUTS_PER_TX);
    CheckQueue<ScriptError> queue(2);
    std::size_t cases = 0;
    for (std::size_t t = 0; t < valid.transactions.size(); ++t) {
        for (unsigned i = 0; i < INPUTS_PER_TX; ++i) {
            SyntheticBlock block = valid;
            corrupt_signature(block, t, i);
            const InputCheckFailure expected{t, i, expected_error(block.records[t][i].kind)};
            EXPECT_EQ(describe(check_block_scripts(block.transactions, FLAGS, queue)),
                      describe(expected));
            const TransactionSpends& spends = block.transactions[t];
            EXPECT_EQ(describe(check_transaction_scripts(*spends.tx, spends.spent_outputs, FLAGS)),
                      describe(InputCheckFailure{0, i, expected.error}));
            ++cases;
        }
    }
    EXPECT_EQ(cases, static_cast<std::size_t>(TX_COUNT) * INPUTS_PER_TX);
}

TEST(ScriptCheck, the_lowest_failing_input_is_reported_whatever_the_worker_count) {
    SyntheticBlock block = make_block(TX_COUNT, INPUTS_PER_TX);
    corrupt_signature(block, 5, 2);
    corrupt_signature(block, 2, 1);  // the lowest: (2 + 1) % 3 = 0, a P2PKH input
    corrupt_signature(block, 7, 0);
    corrupt_signature(block, 2, 2);
    const std::string expected = describe(InputCheckFailure{2, 1, ScriptError::EVAL_FALSE});
    for (unsigned workers : {0u, 2u}) {
        CheckQueue<ScriptError> queue(workers);
        for (int run = 0; run < 100; ++run) {
            ASSERT_EQ(describe(check_block_scripts(block.transactions, FLAGS, queue)), expected)
                << workers << " workers, run " << run;
        }
    }
}

TEST(ScriptCheck, a_failure_in_the_last_input_is_found_behind_many_valid_ones) {
    SyntheticBlock block = make_block(TX_COUNT, INPUTS_PER_TX);
    corrupt_signature(block, TX_COUNT - 1, INPUTS_PER_TX - 1);
    CheckQueue<ScriptError> queue(2);
    for (int run = 0; run < 20; ++run) {
        const auto failure = check_block_scripts(block.transactions, FLAGS, queue);
        ASSERT_TRUE(failure.has_value());
        EXPECT_EQ(failure->tx_index, static_cast<std::size_t>(TX_COUNT - 1));
        EXPECT_EQ(failure->input_index, INPUTS_PER_TX - 1);
    }
}

TEST(ScriptCheck, block_flags_decide_whether_a_segwit_spend_is_checked) {
    // Without WITNESS (a pre-segwit block) a P2WPKH output is anyone-can-spend: the bad
    // signature is not looked at. With block flags it is.
    SyntheticBlock block = make_block(1, 3);
    corrupt_signature(block, 0, 1);  // (0 + 1) % 3 = 1: P2WPKH
    const TransactionSpends& spends = block.transactions[0];
    EXPECT_EQ(check_transaction_scripts(*spends.tx, spends.spent_outputs, sf::NONE), std::nullopt);
    EXPECT_EQ(describe(check_transaction_scripts(*spends.tx, spends.spent_outputs, FLAGS)),
              describe(InputCheckFailure{0, 1, ScriptError::EVAL_FALSE}));
}

// ---- Signature cache -------------------------------------------------------------------------

TEST(ScriptCheckCache, block_checks_store_successes_only_when_asked) {
    const SyntheticBlock block = make_block(TX_COUNT, INPUTS_PER_TX);
    CheckQueue<ScriptError> queue(2);
    SignatureCache cache;
    EXPECT_EQ(check_block_scripts(block.transactions, FLAGS, queue, &cache, /*store=*/false),
              std::nullopt);
    EXPECT_EQ(cache.size(), 0u);
    EXPECT_EQ(check_block_scripts(block.transactions, FLAGS, queue, &cache, /*store=*/true),
              std::nullopt);
    EXPECT_EQ(cache.size(), static_cast<std::size_t>(TX_COUNT) * INPUTS_PER_TX)
        << "one entry per verified signature";
    // A second pass finds every signature in the cache and adds nothing.
    EXPECT_EQ(check_block_scripts(block.transactions, FLAGS, queue, &cache, /*store=*/true),
              std::nullopt);
    EXPECT_EQ(cache.size(), static_cast<std::size_t>(TX_COUNT) * INPUTS_PER_TX);
}

TEST(ScriptCheckCache, a_warm_cache_never_hides_a_bad_signature) {
    const SyntheticBlock valid = make_block(TX_COUNT, INPUTS_PER_TX);
    SignatureCache cache;
    CheckQueue<ScriptError> queue(2);
    ASSERT_EQ(check_block_scripts(valid.transactions, FLAGS, queue, &cache, true), std::nullopt);
    for (unsigned i = 0; i < INPUTS_PER_TX; ++i) {  // one input of each kind
        SyntheticBlock block = valid;
        corrupt_signature(block, 4, i);
        EXPECT_EQ(describe(check_block_scripts(block.transactions, FLAGS, queue, &cache, true)),
                  describe(InputCheckFailure{4, i, expected_error(block.records[4][i].kind)}));
        const TransactionSpends& spends = block.transactions[4];
        EXPECT_EQ(describe(check_transaction_scripts(*spends.tx, spends.spent_outputs, FLAGS,
                                                     &cache, true)),
                  describe(InputCheckFailure{0, i, expected_error(block.records[4][i].kind)}));
    }
    EXPECT_EQ(cache.size(), static_cast<std::size_t>(TX_COUNT) * INPUTS_PER_TX)
        << "failures must never be stored";
}

TEST(ScriptCheckCache, block_checks_consult_the_cache_before_verifying) {
    // Plant the entries of signatures that do not verify: a check that consults the cache
    // accepts them, which shows the cache reaches the checker of every kind of input; a check
    // without the cache still rejects them.
    SyntheticBlock block = make_block(TX_COUNT, INPUTS_PER_TX);
    SignatureCache cache;
    for (unsigned i = 0; i < INPUTS_PER_TX; ++i) {
        corrupt_signature(block, 3, i);
        const InputRecord& record = block.records[3][i];
        const Bytes forged = checked_signature(*block.transactions[3].tx, i);
        cache.insert(record.kind == SpendKind::p2tr_key_path
                         ? cache.schnorr_entry(record.sighash, record.pubkey, forged)
                         : cache.ecdsa_entry(record.sighash, record.pubkey, forged));
    }
    for (unsigned workers : {0u, 2u}) {
        CheckQueue<ScriptError> queue(workers);
        EXPECT_EQ(describe(check_block_scripts(block.transactions, FLAGS, queue, &cache, false)),
                  "no failure");
        EXPECT_EQ(describe(check_block_scripts(block.transactions, FLAGS, queue)),
                  describe(InputCheckFailure{3, 0, expected_error(block.records[3][0].kind)}));
    }
}

}  // namespace
}  // namespace bitloom
