// Context-free block checks (Bitcoin Core's CheckBlockHeader and CheckBlock) and the two block
// rules Core applies in ContextualCheckBlock that need no chain state beyond "is segwit active":
// the witness commitment (CheckWitnessMalleation) and the weight limit.
//
// Every check returns Result<void, BlockValidationError>: nothing on success, the first broken
// rule otherwise. Reject reasons are Core's, byte for byte; debug messages follow Core's text.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "consensus/chainparams.h"
#include "consensus/validation_result.h"
#include "primitives/block.h"
#include "util/result.h"

namespace bitloom {

// What kind of block failure, as Core's BlockValidationResult (without BLOCK_RESULT_UNSET).
// Peers are punished by kind: `mutated` means the bytes may have been altered in flight, so the
// block hash itself is not marked invalid.
enum class BlockValidationResult {
    consensus,         // invalid by consensus rules (excluding the kinds below)
    cached_invalid,    // this block was cached as being invalid
    invalid_header,    // invalid proof of work or time too old
    mutated,           // the block's data did not match the data committed to by the PoW
    missing_prev,      // we don't have the previous block
    invalid_prev,      // a block this one builds on is invalid
    time_future,       // block timestamp was more than two hours in the future
    header_low_work,   // the block header may be on a too-little-work chain
};

// "consensus", "mutated", ... (stable, for logs).
constexpr std::string_view to_string(BlockValidationResult result) {
    switch (result) {
        case BlockValidationResult::consensus: return "consensus";
        case BlockValidationResult::cached_invalid: return "cached-invalid";
        case BlockValidationResult::invalid_header: return "invalid-header";
        case BlockValidationResult::mutated: return "mutated";
        case BlockValidationResult::missing_prev: return "missing-prev";
        case BlockValidationResult::invalid_prev: return "invalid-prev";
        case BlockValidationResult::time_future: return "time-future";
        case BlockValidationResult::header_low_work: return "header-low-work";
    }
    return "unknown";
}

using BlockValidationError = ValidationError<BlockValidationResult>;

// Builds the error: `return fail(block_invalid(BlockValidationResult::mutated, "..."));`
inline BlockValidationError block_invalid(BlockValidationResult result, std::string reject_reason,
                                          std::string debug_message = {}) {
    return BlockValidationError{result, std::move(reject_reason), std::move(debug_message)};
}

// Core's CheckBlockHeader: the header's hash meets the target its bits encode, and that target
// is within params.pow_limit. Fails "high-hash" (invalid_header). One SHA256d.
Result<void, BlockValidationError> check_block_header(const BlockHeader& header,
                                                      const ConsensusParams& params);

// Core's CheckBlock, without its fChecked cache. In this order, first failure wins:
//   "high-hash"           (invalid_header) proof of work, when check_pow
//   "bad-signet-blksig"   the BIP325 block solution, on signet chains when check_pow
//   "bad-txnmrklroot"     (mutated) header merkle root != root of the txids, when
//                         check_merkle_root
//   "bad-txns-duplicate"  (mutated) the root matched only thanks to a repeated subtree
//                         (CVE-2012-2459), when check_merkle_root
//   "bad-blk-length"      no transactions, or count * WITNESS_SCALE_FACTOR > MAX_BLOCK_WEIGHT, or
//                         stripped size * WITNESS_SCALE_FACTOR > MAX_BLOCK_WEIGHT
//   "bad-cb-missing"      the first transaction is not a coinbase
//   "bad-cb-multiple"     a later transaction is a coinbase
//   <tx's reason>         the first transaction failing check_transaction, with debug message
//                         "Transaction check failed (tx hash <txid>) <tx debug message>"
//   "bad-blk-sigops"      legacy sigops * WITNESS_SCALE_FACTOR > MAX_BLOCK_SIGOPS_COST
// All but the first two (mutated) and high-hash are kind consensus.
// Not checked here: witness data (see check_witness_commitment), weight (block_weight_check),
// anything needing the chain (bits, time, height, coinbase value, inputs, scripts).
Result<void, BlockValidationError> check_block(const Block& block, const ConsensusParams& params,
                                               bool check_pow = true,
                                               bool check_merkle_root = true);

// Core's CheckWitnessMalleation (run from ContextualCheckBlock). Expects a block that passed
// check_block (so the first transaction is a coinbase). With segwit_active and a witness
// commitment output in the coinbase (the last matching one counts):
//   "bad-witness-nonce-size"    (mutated) the coinbase input's witness is not one 32-byte item
//   "bad-witness-merkle-match"  (mutated) SHA256d(witness root || nonce) != the commitment
// Otherwise (segwit inactive, or no commitment):
//   "unexpected-witness"        (mutated) some transaction has witness data
Result<void, BlockValidationError> check_witness_commitment(const Block& block,
                                                            bool segwit_active);

// ContextualCheckBlock's weight rule: "bad-blk-weight" (consensus) when the BIP141 weight
// exceeds MAX_BLOCK_WEIGHT. Meaningful only after the witness commitment is checked (an
// unmalleated witness); before segwit every block has weight 4 * size, which the same limit
// then bounds.
Result<void, BlockValidationError> block_weight_check(const Block& block);

}  // namespace bitloom
