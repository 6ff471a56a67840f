#include "consensus/tx_check.h"

#include <algorithm>
#include <vector>

#include "consensus/consensus.h"
#include "primitives/amount.h"

namespace bitloom {
namespace {

TxValidationError consensus_failure(const char* reason) {
    return tx_invalid(TxValidationResult::consensus, reason);
}

bool has_duplicate_inputs(const std::vector<TxIn>& inputs) {
    if (inputs.size() < 2) return false;
    if (inputs.size() == 2) return inputs[0].prevout == inputs[1].prevout;
    std::vector<const OutPoint*> sorted;
    sorted.reserve(inputs.size());
    for (const auto& input : inputs) sorted.push_back(&input.prevout);
    std::sort(sorted.begin(), sorted.end(),
              [](const OutPoint* a, const OutPoint* b) { return *a < *b; });
    return std::adjacent_find(sorted.begin(), sorted.end(), [](const OutPoint* a, const OutPoint* b) {
               return *a == *b;
           }) != sorted.end();
}

}  // namespace

Result<void, TxValidationError> check_transaction(const Transaction& tx) {
    if (tx.inputs().empty()) return fail(consensus_failure("bad-txns-vin-empty"));
    if (tx.outputs().empty()) return fail(consensus_failure("bad-txns-vout-empty"));
    if (tx.stripped_size() * WITNESS_SCALE_FACTOR > MAX_BLOCK_WEIGHT) {
        return fail(consensus_failure("bad-txns-oversize"));
    }

    // Each value is range-checked before it is added, so the sum cannot overflow (CVE-2010-5139).
    Amount total = 0;
    for (const auto& output : tx.outputs()) {
        if (output.value < 0) return fail(consensus_failure("bad-txns-vout-negative"));
        if (output.value > MAX_MONEY) return fail(consensus_failure("bad-txns-vout-toolarge"));
        total += output.value;
        if (!money_range(total)) return fail(consensus_failure("bad-txns-txouttotal-toolarge"));
    }

    // CVE-2018-17144: nothing later notices an outpoint spent twice by one transaction.
    if (has_duplicate_inputs(tx.inputs())) return fail(consensus_failure("bad-txns-inputs-duplicate"));

    if (tx.is_coinbase()) {
        const std::size_t length = tx.inputs()[0].script_sig.size();
        if (length < 2 || length > 100) return fail(consensus_failure("bad-cb-length"));
    } else {
        for (const auto& input : tx.inputs()) {
            if (input.prevout.is_null()) return fail(consensus_failure("bad-txns-prevout-null"));
        }
    }
    return {};
}

}  // namespace bitloom
