// Script checks of whole transactions and blocks: which script rules a block is validated
// under, and the verification of every input against the output it spends, one transaction at
// a time or a block's worth at once on a CheckQueue (Bitcoin Core's GetBlockScriptFlags,
// CheckInputScripts and CScriptCheck, without the script-execution cache).
//
// Nothing here looks coins up: callers pass, for each transaction, the outputs its inputs
// spend (`spent_outputs[i]` is the output input i spends), as they found them in their view.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <vector>

#include "consensus/chainparams.h"
#include "consensus/check_queue.h"
#include "consensus/script_error.h"
#include "consensus/script_flags.h"
#include "consensus/sighash.h"
#include "consensus/signature_cache.h"
#include "primitives/transaction.h"
#include "util/uint256.h"

namespace bitloom {

// The consensus script flags for the block `block_hash` at `height` (Core's
// GetBlockScriptFlags): P2SH, WITNESS and TAPROOT always, unless the block is one of
// params.script_flag_exceptions, which replaces those three with P2SH (if verify_p2sh) and
// WITNESS (if verify_witness); then DERSIG from bip66_height, CHECKLOCKTIMEVERIFY from
// bip65_height, CHECKSEQUENCEVERIFY from csv_height and NULLDUMMY from segwit_height (each
// "from" inclusive). Policy flags are never included.
ScriptFlags block_script_flags(const ConsensusParams& params, int height, const Uint256& block_hash);

// Where the scripts of a transaction or block failed, and why.
struct InputCheckFailure {
    std::size_t tx_index;  // position in the batch given to check_block_scripts; 0 otherwise
    unsigned input_index;
    ScriptError error;     // never OK

    friend bool operator==(const InputCheckFailure&, const InputCheckFailure&) = default;
};

// Verifies input `input_index` of `tx` (Core's CScriptCheck): verify_script of its scriptSig
// and witness against txdata.spent_outputs[input_index] under `flags`, with a
// CachingTransactionSignatureChecker when `cache` is given (recording successes only when
// `store`), a plain TransactionSignatureChecker otherwise. Returns nullopt when the input is
// valid, the script error otherwise.
// Requires: txdata was built for `tx` with spent outputs (spent_outputs_ready) and
// input_index < tx.inputs().size() (asserts).
std::optional<ScriptError> check_input_script(const Transaction& tx, unsigned input_index,
                                              const PrecomputedTransactionData& txdata,
                                              ScriptFlags flags, SignatureCache* cache = nullptr,
                                              bool store = false);

// Verifies every input of `tx` in order and returns the first that fails (tx_index 0), or
// nullopt when all pass (Core's CheckInputScripts on one thread, without its script-execution
// cache). `txdata` must be built for `tx` with its spent outputs (asserts).
std::optional<InputCheckFailure> check_transaction_scripts(const Transaction& tx,
                                                           const PrecomputedTransactionData& txdata,
                                                           ScriptFlags flags,
                                                           SignatureCache* cache = nullptr,
                                                           bool store = false);

// The same, building the precomputed data from `spent_outputs` (one per input, in input order;
// another count is a programmer error and asserts). A coinbase has nothing to verify: do not
// pass one.
std::optional<InputCheckFailure> check_transaction_scripts(const Transaction& tx,
                                                           std::vector<TxOut> spent_outputs,
                                                           ScriptFlags flags,
                                                           SignatureCache* cache = nullptr,
                                                           bool store = false);

// A non-coinbase transaction of a block with the outputs its inputs spend.
struct TransactionSpends {
    TransactionRef tx;                 // never null
    std::vector<TxOut> spent_outputs;  // one per input of *tx, in input order
};

// Verifies every input of every transaction in `transactions` (normally a block's
// transactions after the coinbase, in block order) under `flags`, as one batch of
// `queue`: one check per input, with one PrecomputedTransactionData per transaction shared by
// its checks and kept alive until the batch is over.
//
// Returns nullopt when every input is valid. Otherwise the failure with the lowest
// (tx_index, input_index), where tx_index is the position in `transactions`: the same answer
// whatever the number of workers and their timing (inputs after the first failure seen may be
// skipped, which can only leave out higher failures).
//
// Thread-safety: the call blocks until the batch is done; concurrent calls on one queue are
// serialised by the queue. The checks only read `transactions` (which must not change during
// the call) and the per-transaction data this function owns; `cache` is shared by all workers
// and is itself thread-safe (with `store`, successes are inserted from several threads).
// Requires: every spent_outputs has one output per input (asserts).
std::optional<InputCheckFailure> check_block_scripts(std::span<const TransactionSpends> transactions,
                                                     ScriptFlags flags,
                                                     CheckQueue<ScriptError>& queue,
                                                     SignatureCache* cache = nullptr,
                                                     bool store = false);

}  // namespace bitloom
