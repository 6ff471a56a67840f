// Why a transaction was rejected: a verdict class (Bitcoin Core's TxValidationResult), the
// reject reason Core sends in `reject` messages and RPC errors ("bad-txns-vin-empty", ...),
// and a free-form debug message for logs.
//
// Transaction checks return Result<T, TxValidationError>: a value on success, this on failure.
// The reject reason strings are part of the contract: they are Bitcoin Core's, byte for byte,
// because RPC clients and tests match on them.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "consensus/script_error.h"

namespace bitloom {

// What kind of failure, as Core's TxValidationResult (without TX_RESULT_UNSET: a failure always
// has a kind). Higher layers (mempool, relay) decide from it whether to punish the peer.
enum class TxValidationResult {
    consensus,            // invalid by the consensus rules
    inputs_not_standard,  // inputs (covered by the txid) failed policy rules
    not_standard,         // otherwise failed local policy
    missing_inputs,       // some input is unknown or already spent
    premature_spend,      // immature coinbase spend, or a lock time / sequence lock not met
    witness_mutated,      // witness may have been malleated
    witness_stripped,     // witness was stripped
    conflict,             // spends an input a mempool transaction already spends
    mempool_policy,       // violated mempool fee, size, descendant or replacement rules
    no_mempool,           // this node has no mempool
    reconsiderable,       // failed a policy that may pass in a package
    unknown,              // transaction was not validated: its parent was invalid
};

// "consensus", "missing-inputs", ... (stable, for logs).
constexpr std::string_view to_string(TxValidationResult result) {
    switch (result) {
        case TxValidationResult::consensus: return "consensus";
        case TxValidationResult::inputs_not_standard: return "inputs-not-standard";
        case TxValidationResult::not_standard: return "not-standard";
        case TxValidationResult::missing_inputs: return "missing-inputs";
        case TxValidationResult::premature_spend: return "premature-spend";
        case TxValidationResult::witness_mutated: return "witness-mutated";
        case TxValidationResult::witness_stripped: return "witness-stripped";
        case TxValidationResult::conflict: return "conflict";
        case TxValidationResult::mempool_policy: return "mempool-policy";
        case TxValidationResult::no_mempool: return "no-mempool";
        case TxValidationResult::reconsiderable: return "reconsiderable";
        case TxValidationResult::unknown: return "unknown";
    }
    return "unknown";
}

// A validation failure: the kind of failure (a TxValidationResult or BlockValidationResult),
// Bitcoin Core's reject reason string and extra detail for logs.
template <typename Kind>
struct ValidationError {
    Kind result = Kind::consensus;
    std::string reject_reason;  // Core's string, e.g. "bad-txns-inputs-missingorspent"
    std::string debug_message;  // extra detail for logs; may be empty

    friend bool operator==(const ValidationError&, const ValidationError&) = default;
};

// "reason" or "reason, debug message" (Core's ValidationState::ToString).
template <typename Kind>
std::string to_string(const ValidationError<Kind>& error) {
    if (error.debug_message.empty()) return error.reject_reason;
    return error.reject_reason + ", " + error.debug_message;
}

using TxValidationError = ValidationError<TxValidationResult>;

// Builds the error for `reason`: `return tx_invalid(TxValidationResult::consensus, "...");`
inline TxValidationError tx_invalid(TxValidationResult result, std::string reject_reason,
                                    std::string debug_message = {}) {
    return TxValidationError{result, std::move(reject_reason), std::move(debug_message)};
}

// A script that failed under the consensus flags: reason
// "mandatory-script-verify-flag-failed (<Core's message for `error`>)", kind consensus.
inline TxValidationError mandatory_script_failure(ScriptError error) {
    std::string reason = "mandatory-script-verify-flag-failed (";
    reason += script_error_message(error);
    reason += ')';
    return TxValidationError{TxValidationResult::consensus, std::move(reason), {}};
}

}  // namespace bitloom
