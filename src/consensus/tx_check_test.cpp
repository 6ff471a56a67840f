// Transaction rules: context-free checks, finality, BIP68 sequence locks, sigop counting and
// the checks against spent coins, each reject reason and each boundary.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "consensus/coins.h"
#include "consensus/consensus.h"
#include "consensus/script_error.h"
#include "consensus/script_flags.h"
#include "consensus/tx_check.h"
#include "consensus/tx_verify.h"
#include "consensus/validation_result.h"
#include "primitives/script.h"
#include "primitives/transaction.h"

namespace bitloom {
namespace {

constexpr ScriptFlags P2SH_AND_WITNESS = script_flags::P2SH | script_flags::WITNESS;

Uint256 txid_of(std::uint8_t n) {
    Uint256 id;
    id[0] = n;
    id[31] = 0x42;
    return id;
}

OutPoint outpoint(std::uint8_t n, std::uint32_t index = 0) { return OutPoint{txid_of(n), index}; }

Script p2pkh_script() {
    return Script()
        .push_opcode(OP_DUP)
        .push_opcode(OP_HASH160)
        .push_data(Bytes(20, 0x11))
        .push_opcode(OP_EQUALVERIFY)
        .push_opcode(OP_CHECKSIG);
}

// A spend of `prevouts`, one output of `value` paying P2PKH.
MutableTransaction spend(std::vector<OutPoint> prevouts, Amount value = 1000) {
    MutableTransaction tx;
    for (const auto& prevout : prevouts) tx.inputs.push_back(TxIn{prevout, Script(), TxIn::SEQUENCE_FINAL, {}});
    tx.outputs.push_back(TxOut{value, p2pkh_script()});
    return tx;
}

MutableTransaction coinbase(std::size_t script_sig_size) {
    MutableTransaction tx;
    tx.inputs.push_back(TxIn{OutPoint{}, Script(Bytes(script_sig_size, 0x51)), TxIn::SEQUENCE_FINAL, {}});
    tx.outputs.push_back(TxOut{50 * COIN, p2pkh_script()});
    return tx;
}

std::string reason_of(const MutableTransaction& tx) {
    const auto result = check_transaction(Transaction(tx));
    return result ? "" : result.error().reject_reason;
}

// --- check_transaction ----------------------------------------------------------------------

TEST(CheckTransaction, accepts_an_ordinary_spend) {
    EXPECT_TRUE(check_transaction(Transaction(spend({outpoint(1), outpoint(2)}))).has_value());
}

TEST(CheckTransaction, rejects_a_transaction_without_inputs) {
    auto tx = spend({});
    const auto result = check_transaction(Transaction(tx));
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().reject_reason, "bad-txns-vin-empty");
    EXPECT_EQ(result.error().result, TxValidationResult::consensus);
}

TEST(CheckTransaction, rejects_a_transaction_without_outputs) {
    auto tx = spend({outpoint(1)});
    tx.outputs.clear();
    EXPECT_EQ(reason_of(tx), "bad-txns-vout-empty");
}

TEST(CheckTransaction, reports_missing_inputs_before_missing_outputs) {
    EXPECT_EQ(reason_of(MutableTransaction{}), "bad-txns-vin-empty");
}

// A transaction whose legacy encoding is `stripped_size` bytes (one big output script).
MutableTransaction with_stripped_size(std::size_t stripped_size) {
    auto tx = spend({outpoint(1)});
    tx.outputs[0].script_pubkey = Script(Bytes(stripped_size, OP_NOP));
    // The compact size of the script length is 5 bytes for every length used here.
    const std::size_t overhead = Transaction(tx).stripped_size() - stripped_size;
    tx.outputs[0].script_pubkey = Script(Bytes(stripped_size - overhead, OP_NOP));
    return tx;
}

TEST(CheckTransaction, accepts_a_stripped_size_of_exactly_a_quarter_of_the_block_weight) {
    const auto tx = with_stripped_size(MAX_BLOCK_WEIGHT / WITNESS_SCALE_FACTOR);
    ASSERT_EQ(Transaction(tx).stripped_size(), 1'000'000u);
    EXPECT_EQ(reason_of(tx), "");
}

TEST(CheckTransaction, rejects_one_byte_more_as_oversize) {
    const auto tx = with_stripped_size(MAX_BLOCK_WEIGHT / WITNESS_SCALE_FACTOR + 1);
    ASSERT_EQ(Transaction(tx).stripped_size(), 1'000'001u);
    EXPECT_EQ(reason_of(tx), "bad-txns-oversize");
}

TEST(CheckTransaction, does_not_count_the_witness_towards_the_size_limit) {
    auto tx = spend({outpoint(1)});
    tx.inputs[0].witness.stack.push_back(Bytes(1'100'000, 0xaa));
    const Transaction full(tx);
    ASSERT_GT(full.total_size(), 1'100'000u);
    EXPECT_TRUE(check_transaction(full).has_value());
}

TEST(CheckTransaction, rejects_a_negative_output) {
    auto tx = spend({outpoint(1)});
    tx.outputs.push_back(TxOut{-1, Script()});
    EXPECT_EQ(reason_of(tx), "bad-txns-vout-negative");
}

TEST(CheckTransaction, accepts_an_output_of_max_money_and_one_of_zero) {
    auto tx = spend({outpoint(1)}, MAX_MONEY);
    tx.outputs.push_back(TxOut{0, Script()});
    EXPECT_EQ(reason_of(tx), "");
}

TEST(CheckTransaction, rejects_an_output_above_max_money) {
    EXPECT_EQ(reason_of(spend({outpoint(1)}, MAX_MONEY + 1)), "bad-txns-vout-toolarge");
}

TEST(CheckTransaction, rejects_outputs_whose_sum_exceeds_max_money) {
    auto tx = spend({outpoint(1)}, MAX_MONEY);
    tx.outputs.push_back(TxOut{1, Script()});
    EXPECT_EQ(reason_of(tx), "bad-txns-txouttotal-toolarge");
}

TEST(CheckTransaction, checks_each_output_value_before_the_running_total) {
    // The first two overflow the total, but the third is negative: Core stops at the total.
    auto tx = spend({outpoint(1)}, MAX_MONEY);
    tx.outputs.push_back(TxOut{MAX_MONEY, Script()});
    tx.outputs.push_back(TxOut{-5, Script()});
    EXPECT_EQ(reason_of(tx), "bad-txns-txouttotal-toolarge");
}

TEST(CheckTransaction, rejects_two_inputs_spending_the_same_outpoint) {
    EXPECT_EQ(reason_of(spend({outpoint(1), outpoint(1)})), "bad-txns-inputs-duplicate");
}

TEST(CheckTransaction, finds_a_duplicate_among_many_inputs) {
    std::vector<OutPoint> prevouts;
    for (std::uint8_t i = 0; i < 50; ++i) prevouts.push_back(outpoint(i, i));
    EXPECT_EQ(reason_of(spend(prevouts)), "");
    prevouts.push_back(outpoint(17, 17));
    EXPECT_EQ(reason_of(spend(prevouts)), "bad-txns-inputs-duplicate");
}

TEST(CheckTransaction, treats_the_same_txid_with_different_indexes_as_distinct) {
    EXPECT_EQ(reason_of(spend({outpoint(1, 0), outpoint(1, 1), outpoint(1, 2)})), "");
}

TEST(CheckTransaction, rejects_a_coinbase_script_sig_shorter_than_two_bytes) {
    EXPECT_EQ(reason_of(coinbase(0)), "bad-cb-length");
    EXPECT_EQ(reason_of(coinbase(1)), "bad-cb-length");
}

TEST(CheckTransaction, accepts_coinbase_script_sigs_of_two_to_one_hundred_bytes) {
    EXPECT_EQ(reason_of(coinbase(2)), "");
    EXPECT_EQ(reason_of(coinbase(100)), "");
}

TEST(CheckTransaction, rejects_a_coinbase_script_sig_longer_than_one_hundred_bytes) {
    EXPECT_EQ(reason_of(coinbase(101)), "bad-cb-length");
}

TEST(CheckTransaction, rejects_a_null_prevout_outside_a_coinbase) {
    EXPECT_EQ(reason_of(spend({outpoint(1), OutPoint{}})), "bad-txns-prevout-null");
}

TEST(CheckTransaction, treats_a_zero_txid_with_a_real_index_as_not_null) {
    EXPECT_EQ(reason_of(spend({OutPoint{Uint256(), 0}})), "");
}

// --- Coins ----------------------------------------------------------------------------------

TEST(MemoryCoinsView, finds_added_coins_and_forgets_spent_ones) {
    MemoryCoinsView coins;
    const Coin coin{TxOut{5000, p2pkh_script()}, 7, false};
    coins.add(outpoint(1), coin);
    EXPECT_EQ(coins.get_coin(outpoint(1)), coin);
    EXPECT_TRUE(coins.have_coin(outpoint(1)));
    EXPECT_FALSE(coins.have_coin(outpoint(1, 1)));
    EXPECT_TRUE(coins.spend(outpoint(1)));
    EXPECT_FALSE(coins.spend(outpoint(1)));
    EXPECT_FALSE(coins.get_coin(outpoint(1)).has_value());
    EXPECT_EQ(coins.size(), 0u);
}

TEST(MemoryCoinsView, adds_every_output_of_a_transaction_with_its_coinbase_flag) {
    MemoryCoinsView coins;
    auto tx = coinbase(4);
    tx.outputs.push_back(TxOut{7, Script()});
    const Transaction cb(tx);
    coins.add_transaction(cb, 12);
    ASSERT_EQ(coins.size(), 2u);
    const auto second = coins.get_coin(OutPoint{cb.txid(), 1});
    ASSERT_TRUE(second.has_value());
    EXPECT_EQ(second->output.value, 7);
    EXPECT_EQ(second->height, 12u);
    EXPECT_TRUE(second->coinbase);
}

TEST(OutPointHasher, is_deterministic_for_a_fixed_salt_and_separates_indexes) {
    const OutPointHasher a(1, 2), b(1, 2), c(3, 4);
    EXPECT_EQ(a(outpoint(9, 1)), b(outpoint(9, 1)));
    EXPECT_NE(a(outpoint(9, 1)), a(outpoint(9, 2)));
    EXPECT_NE(a(outpoint(9, 1)), c(outpoint(9, 1)));
}

// --- Finality (nLockTime) -------------------------------------------------------------------

Transaction locked(std::uint32_t lock_time, std::uint32_t sequence) {
    auto tx = spend({outpoint(1), outpoint(2)});
    tx.lock_time = lock_time;
    tx.inputs[1].sequence = sequence;
    return Transaction(tx);
}

TEST(IsFinalTx, treats_lock_time_zero_as_final) {
    EXPECT_TRUE(is_final_tx(locked(0, 0), 0, 0));
}

TEST(IsFinalTx, applies_a_height_lock_strictly_below_the_block_height) {
    const auto tx = locked(100, 0);
    EXPECT_FALSE(is_final_tx(tx, 99, 2'000'000'000));
    EXPECT_FALSE(is_final_tx(tx, 100, 2'000'000'000));
    EXPECT_TRUE(is_final_tx(tx, 101, 0));
}

TEST(IsFinalTx, applies_a_time_lock_strictly_below_the_block_time) {
    const std::uint32_t when = LOCKTIME_THRESHOLD + 1000;
    const auto tx = locked(when, 0);
    EXPECT_FALSE(is_final_tx(tx, 10'000'000, when));
    EXPECT_TRUE(is_final_tx(tx, 0, when + 1));
}

TEST(IsFinalTx, reads_lock_times_below_the_threshold_as_heights) {
    const auto tx = locked(LOCKTIME_THRESHOLD - 1, 0);
    EXPECT_FALSE(is_final_tx(tx, 1000, 4'000'000'000));
    EXPECT_TRUE(is_final_tx(tx, LOCKTIME_THRESHOLD, 0));
    const auto time_locked = locked(LOCKTIME_THRESHOLD, 0);
    EXPECT_FALSE(is_final_tx(time_locked, 2'000'000'000, LOCKTIME_THRESHOLD));
    EXPECT_TRUE(is_final_tx(time_locked, 0, LOCKTIME_THRESHOLD + 1));
}

TEST(IsFinalTx, ignores_an_unmet_lock_time_when_every_sequence_is_final) {
    EXPECT_TRUE(is_final_tx(locked(100, TxIn::SEQUENCE_FINAL), 50, 0));
    EXPECT_FALSE(is_final_tx(locked(100, TxIn::MAX_SEQUENCE_NONFINAL), 50, 0));
}

TEST(CheckFinalTx, rejects_a_non_final_transaction_as_bad_txns_nonfinal) {
    const auto result = check_final_tx(locked(100, 0), 100, 0);
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().reject_reason, "bad-txns-nonfinal");
    EXPECT_EQ(result.error().result, TxValidationResult::consensus);
    EXPECT_TRUE(check_final_tx(locked(100, 0), 101, 0).has_value());
}

// --- BIP68 sequence locks -------------------------------------------------------------------

// A chain whose block at height h has median time past 1'600'000'000 + 600 * h.
class TableContext : public SequenceLockContext {
public:
    explicit TableContext(int height) : height_(height) {}
    int height() const override { return height_; }
    std::int64_t median_time_past(int height) const override {
        EXPECT_GE(height, 0);
        EXPECT_LT(height, height_);
        asked_.push_back(height);
        return mtp(height);
    }
    static std::int64_t mtp(int height) { return 1'600'000'000 + 600 * std::int64_t{height}; }
    mutable std::vector<int> asked_;

private:
    int height_;
};

Transaction with_sequences(std::int32_t version, std::vector<std::uint32_t> sequences) {
    MutableTransaction tx;
    tx.version = version;
    for (std::size_t i = 0; i < sequences.size(); ++i) {
        tx.inputs.push_back(TxIn{outpoint(static_cast<std::uint8_t>(i + 1)), Script(), sequences[i], {}});
    }
    tx.outputs.push_back(TxOut{1, p2pkh_script()});
    return Transaction(tx);
}

TEST(SequenceLocks, turns_a_height_lock_into_the_last_invalid_height) {
    const auto tx = with_sequences(2, {10});
    std::vector<int> heights{100};
    const TableContext context(500);
    const auto locks = calculate_sequence_locks(tx, LOCKTIME_VERIFY_SEQUENCE, heights, context);
    EXPECT_EQ(locks, (SequenceLocks{109, -1}));
    EXPECT_FALSE(evaluate_sequence_locks(TableContext(109), locks));
    EXPECT_TRUE(evaluate_sequence_locks(TableContext(110), locks));
}

TEST(SequenceLocks, measures_a_time_lock_from_the_median_time_of_the_coins_parent_block) {
    const std::uint32_t two_units = TxIn::SEQUENCE_LOCKTIME_TYPE_FLAG | 2;
    const auto tx = with_sequences(2, {two_units});
    std::vector<int> heights{100};
    const TableContext context(500);
    const auto locks = calculate_sequence_locks(tx, LOCKTIME_VERIFY_SEQUENCE, heights, context);
    ASSERT_EQ(context.asked_, std::vector<int>{99});
    const std::int64_t min_time = TableContext::mtp(99) + 2 * 512 - 1;
    EXPECT_EQ(locks, (SequenceLocks{-1, min_time}));

    // The block's parent must have an MTP above min_time. mtp(h) = base + 600h, and
    // mtp(99) + 1023 lies between mtp(100) and mtp(101).
    EXPECT_FALSE(evaluate_sequence_locks(TableContext(101), locks));  // parent 100: mtp(99) + 600
    EXPECT_TRUE(evaluate_sequence_locks(TableContext(102), locks));   // parent 101: mtp(99) + 1200
}

TEST(SequenceLocks, uses_the_genesis_median_time_for_a_coin_at_height_zero) {
    const auto tx = with_sequences(2, {TxIn::SEQUENCE_LOCKTIME_TYPE_FLAG | 1});
    std::vector<int> heights{0};
    const TableContext context(10);
    const auto locks = calculate_sequence_locks(tx, LOCKTIME_VERIFY_SEQUENCE, heights, context);
    EXPECT_EQ(context.asked_, std::vector<int>{0});
    EXPECT_EQ(locks.min_time, TableContext::mtp(0) + 511);
}

TEST(SequenceLocks, takes_the_strictest_lock_of_all_inputs) {
    const auto tx = with_sequences(2, {5, 20, TxIn::SEQUENCE_LOCKTIME_TYPE_FLAG | 1,
                                       TxIn::SEQUENCE_LOCKTIME_TYPE_FLAG | 3});
    std::vector<int> heights{200, 190, 50, 40};
    const auto locks = calculate_sequence_locks(tx, LOCKTIME_VERIFY_SEQUENCE, heights, TableContext(300));
    EXPECT_EQ(locks.min_height, 209);  // max(204, 209)
    EXPECT_EQ(locks.min_time, std::max(TableContext::mtp(49) + 511, TableContext::mtp(39) + 1535));
}

TEST(SequenceLocks, ignores_inputs_with_the_disable_flag_and_zeroes_their_heights) {
    const auto tx = with_sequences(2, {TxIn::SEQUENCE_LOCKTIME_DISABLE_FLAG | 50, 3});
    std::vector<int> heights{400, 100};
    const auto locks = calculate_sequence_locks(tx, LOCKTIME_VERIFY_SEQUENCE, heights, TableContext(500));
    EXPECT_EQ(locks, (SequenceLocks{102, -1}));
    EXPECT_EQ(heights, (std::vector<int>{0, 100}));
}

TEST(SequenceLocks, treats_the_final_sequence_as_disabled) {
    const auto tx = with_sequences(2, {TxIn::SEQUENCE_FINAL});
    std::vector<int> heights{499};
    EXPECT_EQ(calculate_sequence_locks(tx, LOCKTIME_VERIFY_SEQUENCE, heights, TableContext(500)),
              SequenceLocks{});
}

TEST(SequenceLocks, are_not_enforced_for_version_one) {
    const auto tx = with_sequences(1, {10});
    std::vector<int> heights{100};
    const TableContext context(101);
    const auto locks = calculate_sequence_locks(tx, LOCKTIME_VERIFY_SEQUENCE, heights, context);
    EXPECT_EQ(locks, SequenceLocks{});
    EXPECT_TRUE(evaluate_sequence_locks(context, locks));
}

TEST(SequenceLocks, are_enforced_for_negative_versions_read_as_unsigned) {
    const auto tx = with_sequences(-1, {10});
    std::vector<int> heights{100};
    EXPECT_EQ(calculate_sequence_locks(tx, LOCKTIME_VERIFY_SEQUENCE, heights, TableContext(101)).min_height,
              109);
}

TEST(SequenceLocks, are_not_enforced_without_the_verify_sequence_flag) {
    const auto tx = with_sequences(2, {10});
    std::vector<int> heights{100};
    EXPECT_EQ(calculate_sequence_locks(tx, 0, heights, TableContext(101)), SequenceLocks{});
}

TEST(SequenceLocks, ignore_bits_outside_the_mask_and_flags) {
    // Bits 16..21 and 23..30 carry no meaning.
    const auto tx = with_sequences(2, {0x003f0000U | 4});
    std::vector<int> heights{10};
    EXPECT_EQ(calculate_sequence_locks(tx, LOCKTIME_VERIFY_SEQUENCE, heights, TableContext(20)).min_height,
              13);
}

TEST(SequenceLocks, zero_value_locks_are_met_in_the_next_block) {
    const auto tx = with_sequences(2, {0, TxIn::SEQUENCE_LOCKTIME_TYPE_FLAG});
    std::vector<int> heights{20, 20};
    const TableContext context(21);
    const auto locks = calculate_sequence_locks(tx, LOCKTIME_VERIFY_SEQUENCE, heights, context);
    EXPECT_EQ(locks, (SequenceLocks{19, TableContext::mtp(19) - 1}));
    EXPECT_TRUE(evaluate_sequence_locks(context, locks));
}

TEST(CheckSequenceLocks, rejects_an_unmet_lock_as_non_bip68_final) {
    const auto tx = with_sequences(2, {10});
    std::vector<int> heights{100};
    const auto result = check_sequence_locks(tx, LOCKTIME_VERIFY_SEQUENCE, heights, TableContext(109));
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().reject_reason, "non-BIP68-final");
    EXPECT_EQ(result.error().result, TxValidationResult::premature_spend);
    heights = {100};
    EXPECT_TRUE(check_sequence_locks(tx, LOCKTIME_VERIFY_SEQUENCE, heights, TableContext(110)).has_value());
}

// --- Signature operations -------------------------------------------------------------------

Script multisig(int required, int keys) {
    Script script;
    script.push_int(required);
    for (int i = 0; i < keys; ++i) script.push_data(Bytes(33, static_cast<std::uint8_t>(0x02 + (i & 1))));
    script.push_int(keys);
    script.push_opcode(OP_CHECKMULTISIG);
    return script;
}

Script p2sh_of(const Script&) {
    return Script().push_opcode(OP_HASH160).push_data(Bytes(20, 0x33)).push_opcode(OP_EQUAL);
}

Script p2wpkh_script() { return Script().push_opcode(OP_0).push_data(Bytes(20, 0x44)); }
Script p2wsh_script() { return Script().push_opcode(OP_0).push_data(Bytes(32, 0x55)); }
Script p2tr_script() { return Script().push_opcode(OP_1).push_data(Bytes(32, 0x66)); }

ScriptWitness witness_of(std::vector<Bytes> items) { return ScriptWitness{std::move(items)}; }
Bytes bytes_of(const Script& script) { return Bytes(script.begin(), script.end()); }

TEST(LegacySigops, count_checksigs_in_script_sigs_and_twenty_per_multisig_in_outputs) {
    auto tx = spend({outpoint(1)});
    tx.inputs[0].script_sig = Script().push_opcode(OP_CHECKSIG).push_opcode(OP_CHECKSIGVERIFY);
    tx.outputs.push_back(TxOut{1, multisig(1, 2)});
    // 2 in the scriptSig, 1 in the P2PKH output, 20 for the (inaccurately counted) multisig.
    EXPECT_EQ(get_legacy_sigop_count(Transaction(tx)), 23u);
}

TEST(LegacySigops, do_not_look_inside_p2sh_redeem_scripts) {
    auto tx = spend({outpoint(1)});
    tx.inputs[0].script_sig = Script().push_data(bytes_of(multisig(2, 3)));
    tx.outputs[0].script_pubkey = Script();
    EXPECT_EQ(get_legacy_sigop_count(Transaction(tx)), 0u);
}

class SigopCost : public ::testing::Test {
protected:
    void add_coin(const OutPoint& where, Script script_pubkey, bool coinbase = false) {
        coins_.add(where, Coin{TxOut{10'000, std::move(script_pubkey)}, 1, coinbase});
    }
    MemoryCoinsView coins_;
};

TEST_F(SigopCost, counts_the_redeem_script_of_a_p2sh_spend_accurately) {
    const Script redeem = multisig(2, 3);
    add_coin(outpoint(1), p2sh_of(redeem));
    auto tx = spend({outpoint(1)});
    tx.outputs[0].script_pubkey = Script();
    tx.inputs[0].script_sig = Script().push_opcode(OP_0).push_data(Bytes(71, 1)).push_data(bytes_of(redeem));
    const Transaction t(tx);
    EXPECT_EQ(get_p2sh_sigop_count(t, coins_), 3u);
    EXPECT_EQ(get_transaction_sigop_cost(t, coins_, script_flags::P2SH), 3 * 4);
    EXPECT_EQ(get_transaction_sigop_cost(t, coins_, script_flags::NONE), 0);
}

TEST_F(SigopCost, gives_no_p2sh_sigops_for_a_script_sig_that_is_not_push_only) {
    const Script redeem = multisig(2, 3);
    add_coin(outpoint(1), p2sh_of(redeem));
    auto tx = spend({outpoint(1)});
    tx.outputs[0].script_pubkey = Script();
    tx.inputs[0].script_sig = Script().push_opcode(OP_NOP).push_data(bytes_of(redeem));
    EXPECT_EQ(get_p2sh_sigop_count(Transaction(tx), coins_), 0u);
}

TEST_F(SigopCost, ignores_redeem_script_shaped_pushes_for_non_p2sh_coins) {
    add_coin(outpoint(1), Script().push_opcode(OP_TRUE));
    auto tx = spend({outpoint(1)});
    tx.outputs[0].script_pubkey = Script();
    tx.inputs[0].script_sig = Script().push_data(bytes_of(multisig(2, 3)));
    EXPECT_EQ(get_p2sh_sigop_count(Transaction(tx), coins_), 0u);
}

TEST_F(SigopCost, counts_one_for_p2wpkh_only_under_the_witness_flag) {
    add_coin(outpoint(1), p2wpkh_script());
    auto tx = spend({outpoint(1)});
    tx.outputs[0].script_pubkey = Script();
    tx.inputs[0].witness = witness_of({Bytes(71, 1), Bytes(33, 2)});
    const Transaction t(tx);
    EXPECT_EQ(get_transaction_sigop_cost(t, coins_, P2SH_AND_WITNESS), 1);
    EXPECT_EQ(get_transaction_sigop_cost(t, coins_, script_flags::P2SH), 0);
}

TEST_F(SigopCost, counts_the_witness_script_of_p2wsh_accurately) {
    add_coin(outpoint(1), p2wsh_script());
    auto tx = spend({outpoint(1)});
    tx.outputs[0].script_pubkey = Script();
    tx.inputs[0].witness = witness_of({Bytes(), Bytes(71, 1), bytes_of(multisig(2, 3))});
    EXPECT_EQ(get_transaction_sigop_cost(Transaction(tx), coins_, P2SH_AND_WITNESS), 3);
}

TEST_F(SigopCost, counts_nothing_for_p2wsh_with_an_empty_witness) {
    add_coin(outpoint(1), p2wsh_script());
    auto tx = spend({outpoint(1)});
    tx.outputs[0].script_pubkey = Script();
    EXPECT_EQ(get_transaction_sigop_cost(Transaction(tx), coins_, P2SH_AND_WITNESS), 0);
}

TEST_F(SigopCost, counts_witness_programs_wrapped_in_p2sh) {
    add_coin(outpoint(1), p2sh_of(p2wpkh_script()));
    add_coin(outpoint(2), p2sh_of(p2wsh_script()));
    auto tx = spend({outpoint(1), outpoint(2)});
    tx.outputs[0].script_pubkey = Script();
    tx.inputs[0].script_sig = Script().push_data(bytes_of(p2wpkh_script()));
    tx.inputs[0].witness = witness_of({Bytes(71, 1), Bytes(33, 2)});
    tx.inputs[1].script_sig = Script().push_data(bytes_of(p2wsh_script()));
    tx.inputs[1].witness = witness_of({Bytes(), bytes_of(multisig(1, 5))});
    const Transaction t(tx);
    // The redeem scripts are witness programs, with no legacy sigops of their own.
    EXPECT_EQ(get_p2sh_sigop_count(t, coins_), 0u);
    EXPECT_EQ(get_transaction_sigop_cost(t, coins_, P2SH_AND_WITNESS), 1 + 5);
}

TEST_F(SigopCost, counts_nothing_for_taproot_and_unknown_witness_versions) {
    add_coin(outpoint(1), p2tr_script());
    add_coin(outpoint(2), Script().push_opcode(OP_2).push_data(Bytes(20, 7)));
    auto tx = spend({outpoint(1), outpoint(2)});
    tx.outputs[0].script_pubkey = Script();
    tx.inputs[0].witness = witness_of({bytes_of(multisig(1, 5)), Bytes{0xc0}});
    tx.inputs[1].witness = witness_of({Bytes(71, 1)});
    EXPECT_EQ(get_transaction_sigop_cost(Transaction(tx), coins_, P2SH_AND_WITNESS), 0);
}

TEST(WitnessSigops, find_no_program_when_the_p2sh_script_sig_ends_with_a_number) {
    EXPECT_EQ(count_witness_sigops(Script().push_data(bytes_of(p2wpkh_script())).push_opcode(OP_1),
                                   p2sh_of(Script()), witness_of({Bytes(1, 1)}), P2SH_AND_WITNESS),
              0u);
    EXPECT_EQ(count_witness_sigops(Script().push_data(bytes_of(p2wpkh_script())), p2sh_of(Script()),
                                   witness_of({Bytes(1, 1)}), P2SH_AND_WITNESS),
              1u);
}

TEST(WitnessSigops, find_no_program_behind_a_script_sig_that_is_not_push_only) {
    const Script script_sig = Script().push_opcode(OP_NOP).push_data(bytes_of(p2wpkh_script()));
    EXPECT_EQ(count_witness_sigops(script_sig, p2sh_of(Script()), witness_of({Bytes(1, 1)}), P2SH_AND_WITNESS),
              0u);
}

TEST(WitnessSigops, look_inside_the_redeem_script_only_for_p2sh_outputs) {
    const Script script_sig = Script().push_data(bytes_of(p2wpkh_script()));
    EXPECT_EQ(count_witness_sigops(script_sig, Script().push_opcode(OP_TRUE), witness_of({Bytes(1, 1)}),
                                   P2SH_AND_WITNESS),
              0u);
}

TEST_F(SigopCost, sums_legacy_p2sh_and_witness_costs) {
    const Script redeem = multisig(1, 2);
    add_coin(outpoint(1), p2sh_of(redeem));
    add_coin(outpoint(2), p2wpkh_script());
    auto tx = spend({outpoint(1), outpoint(2)});  // one P2PKH output: 1 legacy sigop
    tx.inputs[0].script_sig = Script().push_opcode(OP_0).push_data(Bytes(71, 1)).push_data(bytes_of(redeem));
    tx.inputs[1].witness = witness_of({Bytes(71, 1), Bytes(33, 2)});
    EXPECT_EQ(get_transaction_sigop_cost(Transaction(tx), coins_, P2SH_AND_WITNESS), 1 * 4 + 2 * 4 + 1);
}

TEST_F(SigopCost, counts_only_legacy_sigops_for_a_coinbase) {
    auto tx = coinbase(4);
    tx.outputs.push_back(TxOut{0, multisig(1, 1)});
    // The coinbase's inputs are not looked up: the view is empty.
    EXPECT_EQ(get_transaction_sigop_cost(Transaction(tx), coins_, P2SH_AND_WITNESS), (1 + 20) * 4);
}

// --- check_tx_inputs ------------------------------------------------------------------------

class CheckTxInputs : public ::testing::Test {
protected:
    void add_coin(const OutPoint& where, Amount value, std::uint32_t height = 1, bool coinbase = false) {
        coins_.add(where, Coin{TxOut{value, p2pkh_script()}, height, coinbase});
    }
    std::string reason(const MutableTransaction& tx, int spend_height = 1000) const {
        const auto result = check_tx_inputs(Transaction(tx), coins_, spend_height);
        return result ? "" : result.error().reject_reason;
    }
    MemoryCoinsView coins_;
};

TEST_F(CheckTxInputs, returns_inputs_minus_outputs_as_the_fee) {
    add_coin(outpoint(1), 3000);
    add_coin(outpoint(2), 2000);
    const auto fee = check_tx_inputs(Transaction(spend({outpoint(1), outpoint(2)}, 4200)), coins_, 10);
    ASSERT_TRUE(fee.has_value()) << to_string(fee.error());
    EXPECT_EQ(*fee, 800);
}

TEST_F(CheckTxInputs, accepts_a_zero_fee) {
    add_coin(outpoint(1), 1000);
    const auto fee = check_tx_inputs(Transaction(spend({outpoint(1)}, 1000)), coins_, 10);
    ASSERT_TRUE(fee.has_value());
    EXPECT_EQ(*fee, 0);
}

TEST_F(CheckTxInputs, rejects_a_missing_input) {
    add_coin(outpoint(1), 3000);
    const auto result = check_tx_inputs(Transaction(spend({outpoint(1), outpoint(2)})), coins_, 10);
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().reject_reason, "bad-txns-inputs-missingorspent");
    EXPECT_EQ(result.error().result, TxValidationResult::missing_inputs);
}

TEST_F(CheckTxInputs, rejects_a_spent_input) {
    add_coin(outpoint(1), 3000);
    EXPECT_EQ(reason(spend({outpoint(1)})), "");
    coins_.spend(outpoint(1));
    EXPECT_EQ(reason(spend({outpoint(1)})), "bad-txns-inputs-missingorspent");
}

TEST_F(CheckTxInputs, reports_a_missing_input_before_an_immature_one) {
    add_coin(outpoint(1), 3000, 990, true);
    EXPECT_EQ(reason(spend({outpoint(1), outpoint(2)})), "bad-txns-inputs-missingorspent");
}

TEST_F(CheckTxInputs, rejects_a_coinbase_spent_after_ninety_nine_blocks) {
    add_coin(outpoint(1), 50 * COIN, 100, true);
    const auto result = check_tx_inputs(Transaction(spend({outpoint(1)})), coins_, 199);
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().reject_reason, "bad-txns-premature-spend-of-coinbase");
    EXPECT_EQ(result.error().result, TxValidationResult::premature_spend);
    EXPECT_EQ(result.error().debug_message, "tried to spend coinbase at depth 99");
}

TEST_F(CheckTxInputs, accepts_a_coinbase_spent_after_one_hundred_blocks) {
    add_coin(outpoint(1), 50 * COIN, 100, true);
    EXPECT_EQ(reason(spend({outpoint(1)}), 100 + COINBASE_MATURITY), "");
}

TEST_F(CheckTxInputs, lets_ordinary_coins_be_spent_in_the_block_that_creates_them) {
    add_coin(outpoint(1), 5000, 700, false);
    EXPECT_EQ(reason(spend({outpoint(1)}), 700), "");
}

TEST_F(CheckTxInputs, rejects_a_coin_value_above_max_money) {
    add_coin(outpoint(1), MAX_MONEY + 1);
    EXPECT_EQ(reason(spend({outpoint(1)})), "bad-txns-inputvalues-outofrange");
}

TEST_F(CheckTxInputs, rejects_a_negative_coin_value) {
    add_coin(outpoint(1), 5000);
    add_coin(outpoint(2), -1);
    EXPECT_EQ(reason(spend({outpoint(1), outpoint(2)})), "bad-txns-inputvalues-outofrange");
}

TEST_F(CheckTxInputs, rejects_input_values_summing_above_max_money) {
    add_coin(outpoint(1), MAX_MONEY);
    add_coin(outpoint(2), 1);
    EXPECT_EQ(reason(spend({outpoint(1), outpoint(2)})), "bad-txns-inputvalues-outofrange");
}

TEST_F(CheckTxInputs, does_not_overflow_on_an_extreme_coin_value) {
    add_coin(outpoint(1), MAX_MONEY);
    add_coin(outpoint(2), INT64_MAX);
    EXPECT_EQ(reason(spend({outpoint(1), outpoint(2)})), "bad-txns-inputvalues-outofrange");
}

TEST_F(CheckTxInputs, rejects_outputs_worth_more_than_the_inputs) {
    add_coin(outpoint(1), 1000);
    const auto result = check_tx_inputs(Transaction(spend({outpoint(1)}, 1001)), coins_, 10);
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().reject_reason, "bad-txns-in-belowout");
    EXPECT_EQ(result.error().result, TxValidationResult::consensus);
    EXPECT_EQ(result.error().debug_message, "value in (0.00001) < value out (0.00001001)");
    EXPECT_EQ(to_string(result.error()),
              "bad-txns-in-belowout, value in (0.00001) < value out (0.00001001)");
}

TEST_F(CheckTxInputs, formats_whole_coins_with_two_decimals_in_the_debug_message) {
    add_coin(outpoint(1), 2 * COIN);
    const auto result = check_tx_inputs(Transaction(spend({outpoint(1)}, 3 * COIN + COIN / 2)), coins_, 10);
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().debug_message, "value in (2.00) < value out (3.50)");
}

// --- Result type ----------------------------------------------------------------------------

TEST(TxValidationError, prints_the_reason_alone_without_a_debug_message) {
    EXPECT_EQ(to_string(tx_invalid(TxValidationResult::consensus, "bad-txns-vin-empty")),
              "bad-txns-vin-empty");
    EXPECT_EQ(to_string(TxValidationResult::missing_inputs), "missing-inputs");
}

TEST(TxValidationError, words_a_script_failure_as_core_does) {
    const auto error = mandatory_script_failure(ScriptError::EVAL_FALSE);
    EXPECT_EQ(error.result, TxValidationResult::consensus);
    EXPECT_EQ(error.reject_reason,
              "mandatory-script-verify-flag-failed (Script evaluated without error but finished "
              "with a false/empty top stack element)");
}

TEST(ConsensusConstants, have_bitcoin_cores_values) {
    EXPECT_EQ(MAX_BLOCK_WEIGHT, 4'000'000u);
    EXPECT_EQ(MAX_BLOCK_SERIALIZED_SIZE, 4'000'000u);
    EXPECT_EQ(MAX_BLOCK_SIGOPS_COST, 80'000);
    EXPECT_EQ(COINBASE_MATURITY, 100);
    EXPECT_EQ(LOCKTIME_THRESHOLD, 500'000'000u);
    EXPECT_EQ(MIN_TRANSACTION_WEIGHT, 240u);
    EXPECT_EQ(MIN_SERIALIZABLE_TRANSACTION_WEIGHT, 40u);
}

}  // namespace
}  // namespace bitloom
