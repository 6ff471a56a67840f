#include "consensus/tx_verify.h"

#include <algorithm>
#include <cassert>
#include <string>
#include <utility>
#include <vector>

namespace bitloom {
namespace {

// Core's FormatMoney, for debug messages: "-1.5" -> "-1.50", 12345 sat -> "0.00012345".
std::string format_money(Amount amount) {
    const bool negative = amount < 0;
    // Magnitude without overflow for the most negative value.
    const std::uint64_t magnitude =
        negative ? std::uint64_t{0} - static_cast<std::uint64_t>(amount) : static_cast<std::uint64_t>(amount);
    std::string fraction = std::to_string(magnitude % static_cast<std::uint64_t>(COIN));
    fraction.insert(0, 8 - fraction.size(), '0');
    while (fraction.size() > 2 && fraction.back() == '0') fraction.pop_back();
    return (negative ? "-" : "") + std::to_string(magnitude / static_cast<std::uint64_t>(COIN)) + "." +
           fraction;
}

std::size_t witness_program_sigops(const WitnessProgram& program, const ScriptWitness& witness) {
    if (program.version == 0) {
        if (program.program.size() == 20) return 1;
        if (program.program.size() == 32 && !witness.stack.empty()) {
            return Script(witness.stack.back()).sigop_count(true);
        }
    }
    return 0;
}

// The data of the last operation of a push-only script (empty when that operation is an
// OP_n / OP_1NEGATE, which push no data bytes).
ByteSpan last_push_data(const Script& script) {
    ByteSpan data;
    std::size_t pos = 0;
    while (const auto op = script.get_op(pos)) data = op->data;
    return data;
}

}  // namespace

bool is_final_tx(const Transaction& tx, int block_height, std::int64_t block_time) {
    const auto lock_time = static_cast<std::int64_t>(tx.lock_time());
    if (lock_time == 0) return true;
    const std::int64_t cutoff = lock_time < LOCKTIME_THRESHOLD ? block_height : block_time;
    if (lock_time < cutoff) return true;
    // An unmet lock time binds only while some input can still be replaced.
    return std::all_of(tx.inputs().begin(), tx.inputs().end(),
                       [](const TxIn& input) { return input.sequence == TxIn::SEQUENCE_FINAL; });
}

Result<void, TxValidationError> check_final_tx(const Transaction& tx, int block_height,
                                               std::int64_t block_time) {
    if (!is_final_tx(tx, block_height, block_time)) {
        return fail(tx_invalid(TxValidationResult::consensus, "bad-txns-nonfinal",
                               "non-final transaction"));
    }
    return {};
}

SequenceLocks calculate_sequence_locks(const Transaction& tx, LockTimeFlags flags,
                                       std::span<int> prev_heights,
                                       const SequenceLockContext& context) {
    assert(prev_heights.size() == tx.inputs().size());
    SequenceLocks locks;
    const bool enforce_bip68 =
        static_cast<std::uint32_t>(tx.version()) >= 2 && (flags & LOCKTIME_VERIFY_SEQUENCE) != 0;
    if (!enforce_bip68) return locks;

    for (std::size_t i = 0; i < tx.inputs().size(); ++i) {
        const std::uint32_t sequence = tx.inputs()[i].sequence;
        if (sequence & TxIn::SEQUENCE_LOCKTIME_DISABLE_FLAG) {
            prev_heights[i] = 0;
            continue;
        }
        const int coin_height = prev_heights[i];
        const std::uint32_t value = sequence & TxIn::SEQUENCE_LOCKTIME_MASK;
        // "- 1": BIP68 names the first valid height/time, nLockTime the last invalid one.
        if (sequence & TxIn::SEQUENCE_LOCKTIME_TYPE_FLAG) {
            // Measured from the earliest time the coin's block could have had: its parent's MTP.
            const std::int64_t coin_time = context.median_time_past(std::max(coin_height - 1, 0));
            locks.min_time = std::max(
                locks.min_time,
                coin_time + (static_cast<std::int64_t>(value) << TxIn::SEQUENCE_LOCKTIME_GRANULARITY) - 1);
        } else {
            locks.min_height = std::max(locks.min_height, coin_height + static_cast<int>(value) - 1);
        }
    }
    return locks;
}

bool evaluate_sequence_locks(const SequenceLockContext& context, const SequenceLocks& locks) {
    const int height = context.height();
    assert(height >= 1);
    const std::int64_t parent_time = context.median_time_past(height - 1);
    return locks.min_height < height && locks.min_time < parent_time;
}

Result<void, TxValidationError> check_sequence_locks(const Transaction& tx, LockTimeFlags flags,
                                                     std::span<int> prev_heights,
                                                     const SequenceLockContext& context) {
    if (!evaluate_sequence_locks(context, calculate_sequence_locks(tx, flags, prev_heights, context))) {
        return fail(tx_invalid(TxValidationResult::premature_spend, "non-BIP68-final"));
    }
    return {};
}

unsigned get_legacy_sigop_count(const Transaction& tx) {
    unsigned count = 0;
    for (const auto& input : tx.inputs()) count += input.script_sig.sigop_count(false);
    for (const auto& output : tx.outputs()) count += output.script_pubkey.sigop_count(false);
    return count;
}

unsigned get_p2sh_sigop_count(const Transaction& tx, const CoinsView& coins) {
    if (tx.is_coinbase()) return 0;
    unsigned count = 0;
    for (const auto& input : tx.inputs()) {
        const auto coin = coins.get_coin(input.prevout);
        assert(coin.has_value());
        const Script& script_pubkey = coin->output.script_pubkey;
        if (script_pubkey.is_p2sh()) count += script_pubkey.p2sh_sigop_count(input.script_sig);
    }
    return count;
}

std::size_t count_witness_sigops(const Script& script_sig, const Script& script_pubkey,
                                 const ScriptWitness& witness, ScriptFlags flags) {
    if ((flags & script_flags::WITNESS) == 0) return 0;
    assert((flags & script_flags::P2SH) != 0);

    if (const auto program = script_pubkey.witness_program()) {
        return witness_program_sigops(*program, witness);
    }
    if (script_pubkey.is_p2sh() && script_sig.is_push_only()) {
        const Script redeem_script(last_push_data(script_sig));
        if (const auto program = redeem_script.witness_program()) {
            return witness_program_sigops(*program, witness);
        }
    }
    return 0;
}

std::int64_t get_transaction_sigop_cost(const Transaction& tx, const CoinsView& coins,
                                        ScriptFlags flags) {
    constexpr auto scale = static_cast<std::int64_t>(WITNESS_SCALE_FACTOR);
    std::int64_t cost = static_cast<std::int64_t>(get_legacy_sigop_count(tx)) * scale;
    if (tx.is_coinbase()) return cost;

    if (flags & script_flags::P2SH) {
        cost += static_cast<std::int64_t>(get_p2sh_sigop_count(tx, coins)) * scale;
    }
    for (const auto& input : tx.inputs()) {
        const auto coin = coins.get_coin(input.prevout);
        assert(coin.has_value());
        cost += static_cast<std::int64_t>(
            count_witness_sigops(input.script_sig, coin->output.script_pubkey, input.witness, flags));
    }
    return cost;
}

Result<Amount, TxValidationError> check_tx_inputs(const Transaction& tx, const CoinsView& coins,
                                                  int spend_height) {
    assert(!tx.is_coinbase());

    // Every input must exist before any is judged (Core's HaveInputs comes first).
    std::vector<Coin> spent;
    spent.reserve(tx.inputs().size());
    for (const auto& input : tx.inputs()) {
        auto coin = coins.get_coin(input.prevout);
        if (!coin) {
            return fail(tx_invalid(TxValidationResult::missing_inputs, "bad-txns-inputs-missingorspent",
                                   "check_tx_inputs: inputs missing/spent"));
        }
        spent.push_back(std::move(*coin));
    }

    Amount value_in = 0;
    for (const auto& coin : spent) {
        if (coin.coinbase) {
            const std::int64_t depth = std::int64_t{spend_height} - std::int64_t{coin.height};
            if (depth < COINBASE_MATURITY) {
                return fail(tx_invalid(TxValidationResult::premature_spend,
                                       "bad-txns-premature-spend-of-coinbase",
                                       "tried to spend coinbase at depth " + std::to_string(depth)));
            }
        }
        // Core adds first and then checks both; checking the value first gives the same verdict
        // without a possible signed overflow.
        if (!money_range(coin.output.value)) {
            return fail(tx_invalid(TxValidationResult::consensus, "bad-txns-inputvalues-outofrange"));
        }
        value_in += coin.output.value;
        if (!money_range(value_in)) {
            return fail(tx_invalid(TxValidationResult::consensus, "bad-txns-inputvalues-outofrange"));
        }
    }

    // check_transaction guarantees the outputs sum; a caller that skipped it gets its reason.
    const auto value_out = tx.value_out();
    if (!value_out) {
        return fail(tx_invalid(TxValidationResult::consensus, "bad-txns-txouttotal-toolarge"));
    }
    if (value_in < *value_out) {
        return fail(tx_invalid(TxValidationResult::consensus, "bad-txns-in-belowout",
                               "value in (" + format_money(value_in) + ") < value out (" +
                                   format_money(*value_out) + ")"));
    }
    const Amount fee = value_in - *value_out;
    if (!money_range(fee)) {
        return fail(tx_invalid(TxValidationResult::consensus, "bad-txns-fee-outofrange"));
    }
    return fee;
}

}  // namespace bitloom
