// Proof-of-work difficulty rules (Bitcoin Core's pow.cpp): which nBits the next block must
// carry, and which bits transitions are possible at all. (A header's own proof of work and the
// work it adds to its chain are in primitives/pow.h.)
//
// Retargeting, with I = params.difficulty_adjustment_interval() (2016 on mainnet):
//   a block at a height that is not a multiple of I carries its parent's bits, except on
//   networks with pow_allow_min_difficulty_blocks (testnet), where a block timed more than
//   2 * pow_target_spacing after its parent may carry the pow_limit bits, and otherwise
//   carries the bits of the last ancestor that is at a multiple of I or does not carry
//   pow_limit's bits;
//   a block at a multiple of I carries target(base) * clamp(T_last - T_first) / timespan,
//   capped at pow_limit, where T_first is the time of the first block of the period that just
//   ended (height - I), the clamp keeps the span within [timespan / 4, timespan * 4], and base
//   is the period's last block (its first block with enforce_bip94, since testnet4's first
//   block of a period can never be a min-difficulty block);
//   with pow_no_retargeting (regtest) the bits never change at multiples of I.
#pragma once

#include <cstdint>

#include "chain/block_index.h"
#include "consensus/chainparams.h"
#include "primitives/block.h"
#include "util/arith_uint256.h"

namespace bitloom {

// Core's GetNextWorkRequired: the bits a block `next` built on `last` must carry. Only
// next.time is read (for the testnet rule). `last` null (the block is a genesis block) gives
// pow_limit's compact form. `last` must have its ancestors linked back to genesis.
std::uint32_t next_work_required(const BlockIndex* last, const BlockHeader& next,
                                 const ConsensusParams& params);

// Core's CalculateNextWorkRequired: the retarget at the end of a period whose last block is
// `last` (non-null) and whose first block has time `first_block_time`. With pow_no_retargeting
// returns last->bits unchanged.
std::uint32_t calculate_next_work_required(const BlockIndex* last, std::int64_t first_block_time,
                                           const ConsensusParams& params);

// Core's PermittedDifficultyTransition: false when a block at `height` with `new_bits` cannot
// follow one with `old_bits` under any timestamps: off a retarget height the bits must not
// change; at one the new target must lie within the (compact-rounded) 4x bounds. Always true
// with pow_allow_min_difficulty_blocks. For headers-sync anti-DoS, not a full check.
bool permitted_difficulty_transition(const ConsensusParams& params, std::int64_t height,
                                     std::uint32_t old_bits, std::uint32_t new_bits);

}  // namespace bitloom
