#include "peerman/headers_sync.h"

#include <cassert>

#include "chain/contextual_check.h"
#include "chain/pow.h"
#include "crypto/random.h"
#include "crypto/siphash.h"
#include "primitives/pow.h"

namespace bitloom {

HeadersSyncSalt HeadersSyncSalt::random() {
    FastRandom rng;
    return HeadersSyncSalt{rng.rand64(), rng.rand64(), rng.rand64()};
}

std::string_view to_string(HeadersSyncPhase phase) {
    switch (phase) {
    case HeadersSyncPhase::presync: return "presync";
    case HeadersSyncPhase::redownload: return "redownload";
    case HeadersSyncPhase::final: return "final";
    }
    return "unknown";
}

std::string_view to_string(HeadersSyncError error) {
    switch (error) {
    case HeadersSyncError::empty_message: return "no headers to process";
    case HeadersSyncError::non_continuous: return "non-continuous headers";
    case HeadersSyncError::invalid_pow: return "header with invalid proof of work";
    case HeadersSyncError::invalid_difficulty: return "invalid difficulty transition";
    case HeadersSyncError::too_many_commitments: return "exceeded max commitments";
    case HeadersSyncError::commitment_mismatch: return "commitment mismatch";
    }
    return "unknown";
}

HeadersSyncState::HeadersSyncState(const BlockIndex* chain_start, const ConsensusParams& params,
                                   const ArithUint256& minimum_required_work, std::int64_t now,
                                   const HeadersSyncSalt& salt, HeadersSyncLimits limits)
    : chain_start_(chain_start),
      params_(params),
      minimum_required_work_(minimum_required_work),
      salt_(salt),
      limits_(limits),
      commit_offset_(static_cast<std::size_t>(salt.offset_seed % limits.commitment_period)),
      presync_work_(chain_start->chain_work),
      presync_last_(chain_start->header()),
      presync_last_hash_(chain_start->hash),
      presync_height_(chain_start->height) {
    assert(limits.commitment_period > 0);
    // The longest chain that can be valid by now: 6 blocks a second (the median-time-past
    // rule's fastest rate) from chain_start up to the furthest allowed timestamp.
    const std::int64_t seconds = now - chain_start->median_time_past() + MAX_FUTURE_BLOCK_TIME;
    max_commitments_ = seconds <= 0 ? 0
                                    : 6 * static_cast<std::uint64_t>(seconds) /
                                          limits.commitment_period;
}

bool HeadersSyncState::commitment_bit(const Uint256& hash) const {
    return (siphash_uint256(salt_.k0, salt_.k1, hash) & 1) != 0;
}

void HeadersSyncState::finish() {
    std::vector<bool>().swap(commitments_);
    next_commitment_ = 0;
    std::deque<CompressedHeader>().swap(buffer_);
    release_all_ = false;
    phase_ = HeadersSyncPhase::final;
}

HeadersSyncResult HeadersSyncState::process_next_headers(std::span<const BlockHeader> headers,
                                                         bool full_message) {
    HeadersSyncResult result;
    if (headers.empty() || phase_ == HeadersSyncPhase::final) {
        result.error = HeadersSyncError::empty_message;
        return result;
    }
    result = phase_ == HeadersSyncPhase::presync ? presync(headers, full_message)
                                                 : redownload(headers, full_message);
    if (!(result.success && result.request_more)) finish();
    return result;
}

std::optional<HeadersSyncError> HeadersSyncState::check_presync_header(const BlockHeader& header) {
    if (header.prev_block != presync_last_hash_) return HeadersSyncError::non_continuous;
    const Uint256 hash = header.hash();
    if (!check_proof_of_work(hash, header.bits, params_.pow_limit)) return HeadersSyncError::invalid_pow;
    const std::int64_t height = presync_height_ + 1;
    // A chain that compresses its work into few blocks (faster difficulty growth than the
    // retarget allows) is what a weak attacker would send; no valid chain does that.
    if (!permitted_difficulty_transition(params_, height, presync_last_.bits, header.bits)) {
        return HeadersSyncError::invalid_difficulty;
    }
    if (static_cast<std::size_t>(height) % limits_.commitment_period == commit_offset_) {
        commitments_.push_back(commitment_bit(hash));
        if (commitments_.size() > max_commitments_) return HeadersSyncError::too_many_commitments;
    }
    presync_work_ += block_work(header.bits);
    presync_last_ = header;
    presync_last_hash_ = hash;
    presync_height_ = height;
    return std::nullopt;
}

HeadersSyncResult HeadersSyncState::presync(std::span<const BlockHeader> headers, bool full_message) {
    HeadersSyncResult result;
    for (const BlockHeader& header : headers) {
        if (auto error = check_presync_header(header)) {
            result.error = error;
            return result;
        }
    }
    result.success = true;
    if (presync_work_ >= minimum_required_work_) {
        // Enough work: download the same chain again from the start, checking commitments.
        buffer_.clear();
        buffer_last_height_ = chain_start_->height;
        buffer_first_prev_hash_ = chain_start_->hash;
        buffer_last_hash_ = chain_start_->hash;
        buffer_last_bits_ = chain_start_->bits;
        redownload_work_ = chain_start_->chain_work;
        phase_ = HeadersSyncPhase::redownload;
        result.request_more = true;
    } else {
        // A message that is not full ends the peer's chain, and it has too little work.
        result.request_more = full_message;
    }
    return result;
}

std::optional<HeadersSyncError> HeadersSyncState::check_redownloaded_header(const BlockHeader& header) {
    if (header.prev_block != buffer_last_hash_) return HeadersSyncError::non_continuous;
    const Uint256 hash = header.hash();
    if (!check_proof_of_work(hash, header.bits, params_.pow_limit)) return HeadersSyncError::invalid_pow;
    const std::int64_t height = buffer_last_height_ + 1;
    if (!permitted_difficulty_transition(params_, height, buffer_last_bits_, header.bits)) {
        return HeadersSyncError::invalid_difficulty;
    }
    redownload_work_ += block_work(header.bits);
    if (redownload_work_ >= minimum_required_work_) release_all_ = true;

    // Past the point where the chain has the minimum work nothing is left to prove; before
    // it, every committed header must match what the presync saw.
    if (!release_all_ && static_cast<std::size_t>(height) % limits_.commitment_period == commit_offset_) {
        if (next_commitment_ >= commitments_.size()) return HeadersSyncError::commitment_mismatch;
        if (commitments_[next_commitment_++] != commitment_bit(hash)) {
            return HeadersSyncError::commitment_mismatch;
        }
    }
    buffer_.push_back(CompressedHeader{header.version, header.merkle_root, header.time, header.bits,
                                       header.nonce});
    buffer_last_hash_ = hash;
    buffer_last_bits_ = header.bits;
    buffer_last_height_ = height;
    return std::nullopt;
}

std::vector<BlockHeader> HeadersSyncState::pop_ready_headers() {
    std::vector<BlockHeader> ready;
    while (buffer_.size() > limits_.redownload_buffer_size || (!buffer_.empty() && release_all_)) {
        const CompressedHeader& compressed = buffer_.front();
        BlockHeader header;
        header.version = compressed.version;
        header.prev_block = buffer_first_prev_hash_;
        header.merkle_root = compressed.merkle_root;
        header.time = compressed.time;
        header.bits = compressed.bits;
        header.nonce = compressed.nonce;
        buffer_first_prev_hash_ = header.hash();
        ready.push_back(header);
        buffer_.pop_front();
    }
    return ready;
}

HeadersSyncResult HeadersSyncState::redownload(std::span<const BlockHeader> headers, bool full_message) {
    HeadersSyncResult result;
    for (const BlockHeader& header : headers) {
        if (auto error = check_redownloaded_header(header)) {
            result.error = error;
            return result;
        }
    }
    result.success = true;
    result.headers_to_store = pop_ready_headers();
    if (buffer_.empty() && release_all_) {
        result.request_more = false;  // everything released: done
    } else {
        // A message that is not full while the chain is not done: the peer no longer serves
        // the chain it showed us. Give up (what was released stays valid).
        result.request_more = full_message;
    }
    return result;
}

std::vector<Uint256> HeadersSyncState::next_headers_request_locator() const {
    if (phase_ == HeadersSyncPhase::final) return {};
    std::vector<Uint256> locator;
    const Uint256& last = phase_ == HeadersSyncPhase::presync ? presync_last_hash_ : buffer_last_hash_;
    if (last != chain_start_->hash) locator.push_back(last);
    const std::vector<Uint256> start = ActiveChain{}.locator(chain_start_);
    locator.insert(locator.end(), start.begin(), start.end());
    return locator;
}

}  // namespace bitloom
