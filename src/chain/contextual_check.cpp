#include "chain/contextual_check.h"

#include <algorithm>
#include <cassert>
#include <cstdio>
#include <string>
#include <utility>

#include "chain/pow.h"
#include "consensus/tx_verify.h"
#include "primitives/script.h"

namespace bitloom {
namespace {

std::unexpected<BlockValidationError> invalid(BlockValidationResult result, std::string reason,
                                              std::string debug) {
    return fail(block_invalid(result, std::move(reason), std::move(debug)));
}

std::string hex32(std::int32_t value) {
    char text[9];
    std::snprintf(text, sizeof text, "%08x", static_cast<std::uint32_t>(value));
    return std::string(text);
}

}  // namespace

Result<void, BlockValidationError> contextual_check_block_header(const BlockHeader& header,
                                                                 const BlockIndex* prev,
                                                                 const ConsensusParams& params,
                                                                 std::int64_t adjusted_time) {
    assert(prev != nullptr);
    using enum BlockValidationResult;
    const std::int64_t height = static_cast<std::int64_t>(prev->height) + 1;
    const std::int64_t time = header.time;

    if (header.bits != next_work_required(prev, header, params)) {
        return invalid(invalid_header, "bad-diffbits", "incorrect proof of work");
    }
    if (time <= prev->median_time_past()) {
        return invalid(invalid_header, "time-too-old", "block's timestamp is too early");
    }
    if (params.enforce_bip94 && height % params.difficulty_adjustment_interval() == 0 &&
        time < static_cast<std::int64_t>(prev->time) - MAX_TIMEWARP) {
        return invalid(invalid_header, "time-timewarp-attack",
                       "block's timestamp is too early on diff adjustment block");
    }
    if (time > adjusted_time + MAX_FUTURE_BLOCK_TIME) {
        return invalid(time_future, "time-too-new", "block timestamp too far in the future");
    }
    if ((header.version < 2 && bip34_active_after(prev, params)) ||
        (header.version < 3 && bip66_active_after(prev, params)) ||
        (header.version < 4 && bip65_active_after(prev, params))) {
        const std::string version = "0x" + hex32(header.version);
        return invalid(invalid_header, "bad-version(" + version + ")",
                       "rejected nVersion=" + version + " block");
    }
    return {};
}

Result<void, BlockValidationError> contextual_check_block(const Block& block,
                                                          const BlockIndex* prev,
                                                          const ConsensusParams& params) {
    using enum BlockValidationResult;
    const int height = height_after(prev);

    const bool median_time_cutoff = csv_active_after(prev, params);
    assert(!median_time_cutoff || prev != nullptr);
    const std::int64_t cutoff =
        median_time_cutoff ? prev->median_time_past() : std::int64_t{block.header.time};
    for (const TransactionRef& tx : block.transactions) {
        if (!is_final_tx(*tx, height, cutoff)) {
            return invalid(consensus, "bad-txns-nonfinal", "non-final transaction");
        }
    }

    if (bip34_active_after(prev, params)) {
        Script expected;
        expected.push_int(height);
        const Script& script_sig = block.transactions.at(0)->inputs().at(0).script_sig;
        if (script_sig.size() < expected.size() ||
            !std::equal(expected.begin(), expected.end(), script_sig.begin())) {
            return invalid(consensus, "bad-cb-height", "block height mismatch in coinbase");
        }
    }

    if (auto witness = check_witness_commitment(block, segwit_active_after(prev, params));
        !witness) {
        return fail(std::move(witness.error()));
    }
    return block_weight_check(block);
}

}  // namespace bitloom
