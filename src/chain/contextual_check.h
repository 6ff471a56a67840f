// Block rules that need the block's place in the chain (Bitcoin Core's ContextualCheckBlockHeader
// and ContextualCheckBlock): the difficulty, the timestamp's bounds, the minimum version, lock
// time finality, the BIP34 height in the coinbase, the witness commitment and the weight.
//
// They read only the parent's index (and, through it, its ancestors) and the consensus
// parameters; nothing here looks at coins. Reject reasons are Core's, byte for byte.
//
// Deployments are buried at heights: a rule "active after prev" applies to the block whose
// height is prev->height + 1 (0 for a genesis block, prev null) when that height reaches the
// rule's height in ConsensusParams.
#pragma once

#include <cstdint>

#include "chain/block_index.h"
#include "consensus/block_check.h"
#include "consensus/chainparams.h"
#include "primitives/block.h"
#include "util/result.h"

namespace bitloom {

// A block may be at most this far (seconds) ahead of the node's clock.
inline constexpr std::int64_t MAX_FUTURE_BLOCK_TIME = 2 * 60 * 60;
// BIP94: the first block of a difficulty period may be at most this much (seconds) earlier
// than its parent.
inline constexpr std::int64_t MAX_TIMEWARP = 600;

// Height of a block built on `prev` (0 when prev is null).
inline int height_after(const BlockIndex* prev) { return prev == nullptr ? 0 : prev->height + 1; }

// Whether each buried deployment applies to a block built on `prev`.
inline bool bip34_active_after(const BlockIndex* prev, const ConsensusParams& params) {
    return height_after(prev) >= params.bip34_height;
}
inline bool bip66_active_after(const BlockIndex* prev, const ConsensusParams& params) {
    return height_after(prev) >= params.bip66_height;
}
inline bool bip65_active_after(const BlockIndex* prev, const ConsensusParams& params) {
    return height_after(prev) >= params.bip65_height;
}
inline bool csv_active_after(const BlockIndex* prev, const ConsensusParams& params) {
    return height_after(prev) >= params.csv_height;
}
inline bool segwit_active_after(const BlockIndex* prev, const ConsensusParams& params) {
    return height_after(prev) >= params.segwit_height;
}

// Core's ContextualCheckBlockHeader for `header` built on `prev` (non-null: the genesis block
// is never checked), with the node's clock reading `adjusted_time` (seconds). In this order:
//   "bad-diffbits"            (invalid_header) bits != next_work_required(prev, header)
//   "time-too-old"            (invalid_header) time <= prev->median_time_past()
//   "time-timewarp-attack"    (invalid_header) with enforce_bip94, at a height that is a
//                             multiple of the adjustment interval: time < prev->time - MAX_TIMEWARP
//   "time-too-new"            (time_future) time > adjusted_time + MAX_FUTURE_BLOCK_TIME
//   "bad-version(0x%08x)"     (invalid_header) version < 2 once BIP34 applies, < 3 once BIP66,
//                             < 4 once BIP65; the version as 8 lower-case hex digits of its
//                             two's complement
Result<void, BlockValidationError> contextual_check_block_header(const BlockHeader& header,
                                                                 const BlockIndex* prev,
                                                                 const ConsensusParams& params,
                                                                 std::int64_t adjusted_time);

// Core's ContextualCheckBlock for `block` (which passed check_block) built on `prev` (null for
// a genesis block). In this order, first failure wins:
//   "bad-txns-nonfinal"   (consensus) some transaction is not final at the block's height with
//                         the lock-time cutoff prev->median_time_past() once CSV (BIP113)
//                         applies, the block's own time before
//   "bad-cb-height"       (consensus) once BIP34 applies, the coinbase scriptSig does not begin
//                         with the script-number push of the height (Script().push_int(height))
//   the witness commitment's reasons (check_witness_commitment, segwit active after prev)
//   "bad-blk-weight"      (consensus) weight above MAX_BLOCK_WEIGHT
Result<void, BlockValidationError> contextual_check_block(const Block& block,
                                                          const BlockIndex* prev,
                                                          const ConsensusParams& params);

}  // namespace bitloom
