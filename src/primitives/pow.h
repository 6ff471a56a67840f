// Proof of work: the target a header's "bits" field encodes, the check of a hash against it,
// and the work a target represents.
//
// Format: bits := exponent:u8 sign:1 mantissa:u23   (as u32le in the header; target =
// mantissa * 256^(exponent-3), see ArithUint256::from_compact)
#pragma once

#include <cstdint>
#include <string_view>

#include "util/arith_uint256.h"
#include "util/result.h"
#include "util/uint256.h"

namespace bitloom {

enum class PowError {
    negative_target,     // the sign bit is set on a non-zero mantissa
    zero_target,         // the target is zero
    target_overflow,     // the target does not fit in 256 bits
    target_above_limit,  // the target is easier than the chain's proof-of-work limit
    hash_above_target,   // the hash, read as a little-endian number, exceeds the target
};

std::string_view to_string(PowError error);

// The target `bits` encodes, when it is positive, fits in 256 bits and is at most `pow_limit`.
Result<ArithUint256, PowError> target_from_bits(std::uint32_t bits, const ArithUint256& pow_limit);

// The verdict on a header hash: valid when `bits` passes target_from_bits() and `hash` (as a
// number) is at most that target. Pure; costs one compact decode and one comparison.
Result<void, PowError> check_proof_of_work(const Uint256& hash, std::uint32_t bits,
                                           const ArithUint256& pow_limit);

// The expected number of hashes to meet the target `bits` encodes: 2^256 / (target + 1).
// Zero for a negative, zero or overflowing encoding (Bitcoin Core's GetBlockProof).
ArithUint256 block_work(std::uint32_t bits);

}  // namespace bitloom
