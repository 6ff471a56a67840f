// Transaction rules that need context: lock-time finality (nLockTime), BIP68 relative lock
// times (nSequence), signature-operation counting, and the checks against the coins a
// transaction spends (Bitcoin Core's consensus/tx_verify.h).
//
// Nothing here reads a chain or a database: the caller passes the block height and times, the
// coins through a CoinsView, and ancestors' median times through a SequenceLockContext.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "consensus/coins.h"
#include "consensus/consensus.h"
#include "consensus/script_flags.h"
#include "consensus/validation_result.h"
#include "primitives/amount.h"
#include "primitives/script.h"
#include "primitives/transaction.h"
#include "util/result.h"

namespace bitloom {

// --- Absolute lock time (nLockTime) -------------------------------------------------------

// Core's IsFinalTx: true when `tx` may be included in a block at `block_height` whose lock-time
// cutoff is `block_time` (the previous block's median time past once BIP113 is active, the
// block's own time before). Final when lock_time is 0; or when lock_time is below the height
// (lock_time < LOCKTIME_THRESHOLD) or below the time (otherwise), strictly; or, whatever the
// lock time, when every input's sequence is SEQUENCE_FINAL.
bool is_final_tx(const Transaction& tx, int block_height, std::int64_t block_time);

// is_final_tx as a check: fails with kind consensus, "bad-txns-nonfinal" (debug
// "non-final transaction"), as a block containing `tx` would.
Result<void, TxValidationError> check_final_tx(const Transaction& tx, int block_height,
                                               std::int64_t block_time);

// --- Relative lock time (BIP68) -----------------------------------------------------------

// The block a transaction is judged for, seen from the sequence-lock rules: its height and
// the median time past of its ancestors. Implemented by the chain (over block indexes) and by
// tests (over a table).
class SequenceLockContext {
public:
    virtual ~SequenceLockContext() = default;

    // Height of the block that would contain the transaction (the tip's height + 1 when
    // checking for the next block or the mempool). At least 1.
    virtual int height() const = 0;
    // Median time past (BIP113) of this chain's block at `height`, 0 <= height < height().
    virtual std::int64_t median_time_past(int height) const = 0;
};

// The lock pair of Core's CalculateSequenceLocks, in nLockTime's "last invalid" terms: the
// transaction may be in a block of height > min_height whose parent's median time past is
// > min_time. -1 means no constraint.
struct SequenceLocks {
    int min_height = -1;
    std::int64_t min_time = -1;

    friend bool operator==(const SequenceLocks&, const SequenceLocks&) = default;
};

// Core's CalculateSequenceLocks. BIP68 applies only when `flags` has LOCKTIME_VERIFY_SEQUENCE
// and the version, read as unsigned (so negative versions count), is at least 2; otherwise the
// result is {-1, -1}. Each input whose sequence lacks SEQUENCE_LOCKTIME_DISABLE_FLAG adds:
//   type flag clear: min_height >= prev_height + value - 1
//   type flag set:   min_time   >= MTP(block at max(prev_height - 1, 0)) + (value << 9) - 1
// where value = sequence & SEQUENCE_LOCKTIME_MASK.
// `prev_heights` holds, per input, the height of the block that created the coin it spends
// (for a coin that is itself unconfirmed, context.height()); it must have one entry per input
// (asserted), each at most context.height(). As in Core, the entries of inputs whose lock is
// disabled are set to 0, so that afterwards the largest entry is the highest block the
// result depends on.
SequenceLocks calculate_sequence_locks(const Transaction& tx, LockTimeFlags flags,
                                       std::span<int> prev_heights,
                                       const SequenceLockContext& context);

// Core's EvaluateSequenceLocks: true when a block at context.height(), whose parent has median
// time past MTP(context.height() - 1), satisfies `locks`.
bool evaluate_sequence_locks(const SequenceLockContext& context, const SequenceLocks& locks);

// Both steps (Core's SequenceLocks) as a check: fails with kind premature_spend,
// "non-BIP68-final" (the mempool's reason; a block reports it as "bad-txns-nonfinal").
Result<void, TxValidationError> check_sequence_locks(const Transaction& tx, LockTimeFlags flags,
                                                     std::span<int> prev_heights,
                                                     const SequenceLockContext& context);

// --- Signature operations -----------------------------------------------------------------

// Core's GetLegacySigOpCount: inaccurate (multisig counts 20) sigops of every scriptSig and
// every output script.
unsigned get_legacy_sigop_count(const Transaction& tx);

// Core's GetP2SHSigOpCount: for each input spending a P2SH output, the accurate sigop count of
// the redeem script its scriptSig pushes last (0 unless the scriptSig is push-only). 0 for a
// coinbase. Every input's coin must be in `coins` (asserted): call after check_tx_inputs.
unsigned get_p2sh_sigop_count(const Transaction& tx, const CoinsView& coins);

// Core's CountWitnessSigOps for one input: 0 unless `flags` has WITNESS (which requires P2SH,
// asserted). For a witness program in `script_pubkey`, or in the redeem script a push-only
// `script_sig` pushes last when `script_pubkey` is P2SH: version 0 with 20 bytes (P2WPKH)
// counts 1; version 0 with 32 bytes (P2WSH) counts the accurate sigops of the witness's last
// item (the witness script), 0 with an empty witness. Other versions count 0 (taproot has its
// own budget).
std::size_t count_witness_sigops(const Script& script_sig, const Script& script_pubkey,
                                 const ScriptWitness& witness, ScriptFlags flags);

// Core's GetTransactionSigOpCost, the unit of MAX_BLOCK_SIGOPS_COST:
//   legacy * WITNESS_SCALE_FACTOR
//   + (not coinbase and flags has P2SH) p2sh * WITNESS_SCALE_FACTOR
//   + (not coinbase) the witness sigops of each input.
// For a non-coinbase, every input's coin must be in `coins` (asserted).
std::int64_t get_transaction_sigop_cost(const Transaction& tx, const CoinsView& coins,
                                        ScriptFlags flags);

// --- Inputs -------------------------------------------------------------------------------

// Core's Consensus::CheckTxInputs for a non-coinbase `tx` (asserted) that passed
// check_transaction, to be included in a block at `spend_height`. Returns the fee (inputs
// minus outputs), or the first failure:
//   missing_inputs   "bad-txns-inputs-missingorspent"       some input's coin is not in `coins`
//                                                            (checked for all inputs first)
//   premature_spend  "bad-txns-premature-spend-of-coinbase" a coinbase coin with
//                                                            spend_height - height < COINBASE_MATURITY
//   consensus        "bad-txns-inputvalues-outofrange"      a coin's value, or the running sum,
//                                                            outside 0..MAX_MONEY
//   consensus        "bad-txns-in-belowout"                 inputs sum below outputs sum
//   consensus        "bad-txns-fee-outofrange"              fee outside 0..MAX_MONEY
// Scripts are not run here.
Result<Amount, TxValidationError> check_tx_inputs(const Transaction& tx, const CoinsView& coins,
                                                  int spend_height);

}  // namespace bitloom
