#include "primitives/pow.h"

namespace bitloom {

std::string_view to_string(PowError error) {
    switch (error) {
        case PowError::negative_target: return "negative target";
        case PowError::zero_target: return "zero target";
        case PowError::target_overflow: return "target overflow";
        case PowError::target_above_limit: return "target above proof-of-work limit";
        case PowError::hash_above_target: return "hash above target";
    }
    return "unknown proof-of-work error";
}

Result<ArithUint256, PowError> target_from_bits(std::uint32_t bits, const ArithUint256& pow_limit) {
    const CompactValue target = ArithUint256::from_compact(bits);
    if (target.negative) return fail(PowError::negative_target);
    if (target.overflow) return fail(PowError::target_overflow);
    if (target.value.is_zero()) return fail(PowError::zero_target);
    if (target.value > pow_limit) return fail(PowError::target_above_limit);
    return target.value;
}

Result<void, PowError> check_proof_of_work(const Uint256& hash, std::uint32_t bits,
                                           const ArithUint256& pow_limit) {
    const auto target = target_from_bits(bits, pow_limit);
    if (!target) return fail(target.error());
    if (ArithUint256::from_uint256(hash) > *target) return fail(PowError::hash_above_target);
    return {};
}

ArithUint256 block_work(std::uint32_t bits) {
    const CompactValue target = ArithUint256::from_compact(bits);
    if (target.negative || target.overflow || target.value.is_zero()) return ArithUint256();
    // 2^256 / (target + 1) does not fit; it equals ~target / (target + 1) + 1.
    return (~target.value / (target.value + 1)) + 1;
}

}  // namespace bitloom
