#include "consensus/script_check.h"

#include <algorithm>
#include <cassert>
#include <memory>
#include <utility>

#include "consensus/interpreter.h"

namespace bitloom {

ScriptFlags block_script_flags(const ConsensusParams& params, int height,
                               const Uint256& block_hash) {
    ScriptFlags flags = script_flags::P2SH | script_flags::WITNESS | script_flags::TAPROOT;
    const auto exception =
        std::find_if(params.script_flag_exceptions.begin(), params.script_flag_exceptions.end(),
                     [&](const ScriptFlagException& e) { return e.block_hash == block_hash; });
    if (exception != params.script_flag_exceptions.end()) {
        flags = (exception->verify_p2sh ? script_flags::P2SH : script_flags::NONE) |
                (exception->verify_witness ? script_flags::WITNESS : script_flags::NONE);
    }
    if (height >= params.bip66_height) flags |= script_flags::DERSIG;
    if (height >= params.bip65_height) flags |= script_flags::CHECKLOCKTIMEVERIFY;
    if (height >= params.csv_height) flags |= script_flags::CHECKSEQUENCEVERIFY;
    if (height >= params.segwit_height) flags |= script_flags::NULLDUMMY;
    return flags;
}

std::optional<ScriptError> check_input_script(const Transaction& tx, unsigned input_index,
                                              const PrecomputedTransactionData& txdata,
                                              ScriptFlags flags, SignatureCache* cache,
                                              bool store) {
    assert(input_index < tx.inputs().size());
    assert(txdata.spent_outputs_ready && txdata.spent_outputs.size() == tx.inputs().size());
    const TxIn& input = tx.inputs()[input_index];
    const TxOut& spent = txdata.spent_outputs[input_index];
    ScriptError error = ScriptError::UNKNOWN_ERROR;
    bool valid;
    if (cache != nullptr) {
        const CachingTransactionSignatureChecker checker(tx, input_index, spent.value, txdata,
                                                         *cache, store);
        valid = verify_script(input.script_sig, spent.script_pubkey, &input.witness, flags,
                              checker, &error);
    } else {
        const TransactionSignatureChecker checker(tx, input_index, spent.value, txdata);
        valid = verify_script(input.script_sig, spent.script_pubkey, &input.witness, flags,
                              checker, &error);
    }
    if (valid) return std::nullopt;
    // verify_script reports a reason with every failure; keep the contract (never OK) even if
    // it did not.
    return error == ScriptError::OK ? ScriptError::UNKNOWN_ERROR : error;
}

std::optional<InputCheckFailure> check_transaction_scripts(const Transaction& tx,
                                                           const PrecomputedTransactionData& txdata,
                                                           ScriptFlags flags,
                                                           SignatureCache* cache, bool store) {
    for (unsigned i = 0; i < tx.inputs().size(); ++i) {
        if (auto error = check_input_script(tx, i, txdata, flags, cache, store))
            return InputCheckFailure{0, i, *error};
    }
    return std::nullopt;
}

std::optional<InputCheckFailure> check_transaction_scripts(const Transaction& tx,
                                                           std::vector<TxOut> spent_outputs,
                                                           ScriptFlags flags,
                                                           SignatureCache* cache, bool store) {
    assert(spent_outputs.size() == tx.inputs().size());
    const PrecomputedTransactionData txdata(tx, std::move(spent_outputs));
    return check_transaction_scripts(tx, txdata, flags, cache, store);
}

std::optional<InputCheckFailure> check_block_scripts(std::span<const TransactionSpends> transactions,
                                                     ScriptFlags flags,
                                                     CheckQueue<ScriptError>& queue,
                                                     SignatureCache* cache, bool store) {
    // The checks point into `txdata` and `first_check`: both are sized before any check is
    // made and not touched again until the batch is over.
    std::vector<std::unique_ptr<const PrecomputedTransactionData>> txdata;
    std::vector<std::size_t> first_check;  // index of the first check of each transaction
    txdata.reserve(transactions.size());
    first_check.reserve(transactions.size());
    std::size_t check_count = 0;
    for (const TransactionSpends& spends : transactions) {
        assert(spends.tx != nullptr);
        assert(spends.spent_outputs.size() == spends.tx->inputs().size());
        txdata.push_back(
            std::make_unique<const PrecomputedTransactionData>(*spends.tx, spends.spent_outputs));
        first_check.push_back(check_count);
        check_count += spends.tx->inputs().size();
    }

    std::vector<CheckQueue<ScriptError>::Check> checks;
    checks.reserve(check_count);
    for (std::size_t t = 0; t < transactions.size(); ++t) {
        const Transaction* tx = transactions[t].tx.get();
        const PrecomputedTransactionData* data = txdata[t].get();
        for (unsigned i = 0; i < tx->inputs().size(); ++i) {
            checks.emplace_back([tx, i, data, flags, cache, store] {
                return check_input_script(*tx, i, *data, flags, cache, store);
            });
        }
    }

    const auto failure = queue.run(checks);
    if (!failure) return std::nullopt;
    // The transaction whose checks start at or before the failing one, last of those (a
    // transaction without inputs owns no check and is skipped by upper_bound).
    const auto owner =
        std::upper_bound(first_check.begin(), first_check.end(), failure->index) - 1;
    const auto tx_index = static_cast<std::size_t>(owner - first_check.begin());
    return InputCheckFailure{tx_index, static_cast<unsigned>(failure->index - *owner),
                             failure->error};
}

}  // namespace bitloom
