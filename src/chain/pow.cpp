#include "chain/pow.h"

#include <cassert>

namespace bitloom {

std::uint32_t next_work_required(const BlockIndex* last, const BlockHeader& next,
                                 const ConsensusParams& params) {
    const std::uint32_t limit_bits = params.pow_limit.to_compact();
    if (last == nullptr) return limit_bits;

    const std::int64_t interval = params.difficulty_adjustment_interval();
    if ((static_cast<std::int64_t>(last->height) + 1) % interval != 0) {
        if (params.pow_allow_min_difficulty_blocks) {
            if (static_cast<std::int64_t>(next.time) >
                static_cast<std::int64_t>(last->time) + params.pow_target_spacing * 2) {
                return limit_bits;
            }
            const BlockIndex* walk = last;
            while (walk->prev != nullptr && walk->height % interval != 0 &&
                   walk->bits == limit_bits) {
                walk = walk->prev;
            }
            return walk->bits;
        }
        return last->bits;
    }

    const std::int64_t first_height = last->height - (interval - 1);
    assert(first_height >= 0);
    const BlockIndex* first = last->ancestor(static_cast<int>(first_height));
    assert(first != nullptr);
    return calculate_next_work_required(last, first->time, params);
}

std::uint32_t calculate_next_work_required(const BlockIndex* last, std::int64_t first_block_time,
                                           const ConsensusParams& params) {
    if (params.pow_no_retargeting) return last->bits;

    const std::int64_t timespan = params.pow_target_timespan;
    std::int64_t actual = static_cast<std::int64_t>(last->time) - first_block_time;
    if (actual < timespan / 4) actual = timespan / 4;
    if (actual > timespan * 4) actual = timespan * 4;

    std::uint32_t base_bits = last->bits;
    if (params.enforce_bip94) {
        const std::int64_t first_height =
            last->height - (params.difficulty_adjustment_interval() - 1);
        const BlockIndex* first = last->ancestor(static_cast<int>(first_height));
        assert(first != nullptr);
        base_bits = first->bits;
    }

    ArithUint256 target = ArithUint256::from_compact(base_bits).value;
    target *= ArithUint256(static_cast<std::uint64_t>(actual));
    target /= ArithUint256(static_cast<std::uint64_t>(timespan));
    if (target > params.pow_limit) target = params.pow_limit;
    return target.to_compact();
}

namespace {

// old target * timespan_factor / timespan, capped at the limit, rounded through compact form.
ArithUint256 scaled_target(std::uint32_t old_bits, std::int64_t span,
                           const ConsensusParams& params) {
    ArithUint256 target = ArithUint256::from_compact(old_bits).value;
    target *= ArithUint256(static_cast<std::uint64_t>(span));
    target /= ArithUint256(static_cast<std::uint64_t>(params.pow_target_timespan));
    if (target > params.pow_limit) target = params.pow_limit;
    return ArithUint256::from_compact(target.to_compact()).value;
}

}  // namespace

bool permitted_difficulty_transition(const ConsensusParams& params, std::int64_t height,
                                     std::uint32_t old_bits, std::uint32_t new_bits) {
    if (params.pow_allow_min_difficulty_blocks) return true;
    if (height % params.difficulty_adjustment_interval() == 0) {
        const ArithUint256 observed = ArithUint256::from_compact(new_bits).value;
        const ArithUint256 largest =
            scaled_target(old_bits, params.pow_target_timespan * 4, params);
        if (largest < observed) return false;
        const ArithUint256 smallest =
            scaled_target(old_bits, params.pow_target_timespan / 4, params);
        if (smallest > observed) return false;
        return true;
    }
    return old_bits == new_bits;
}

}  // namespace bitloom
