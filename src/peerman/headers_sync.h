// Low-work headers sync (Bitcoin Core's HeadersSyncState, v24+): the anti-DoS download of a
// peer's headers chain when it does not yet connect to a chain with the minimum chain work.
// Storing every header a peer sends would let anyone fill our memory with cheap, low-work
// headers; instead the chain is downloaded twice:
//
//   PRESYNC     the headers are checked as they come (each links to the previous one, meets
//               its own proof of work, and makes a permitted difficulty transition from its
//               parent's bits) and only their total work is kept, plus a 1-bit salted
//               commitment to one header in every `commitment_period` (at heights h with
//               h % period == commit_offset). When the work reaches the minimum chain work,
//               the sync moves on; a chain that ends (a headers message that is not full)
//               before it does is given up, having stored nothing.
//   REDOWNLOAD  the same chain is asked for again from the start. Each header is checked as
//               before and against its commitment bit (until the buffered chain's own work
//               reaches the minimum, after which no more are checked); headers wait in a buffer
//               until `redownload_buffer_size` headers on top of them have been checked, or
//               until the minimum work is reached, and only then are handed out for storage
//               (HeadersSyncResult::headers_to_store), in chain order. A peer that sends a
//               different chain the second time fails a commitment with probability 1/2 per
//               commitment, long before the buffer lets a header out.
//   FINAL       done (all released), or given up; the object is spent.
//
// Memory bound, per peer: the commitments take one bit per `commitment_period` headers, at
// most max_commitments = 6 * (now - chain_start's median time past + MAX_FUTURE_BLOCK_TIME) /
// commitment_period bits (6 headers a second is the fastest a valid chain can grow); a longer
// chain is given up. The redownload buffer holds at most redownload_buffer_size headers plus
// one headers message's worth (48 bytes each, the prev hash left out): with the mainnet
// constants and 2,000-header messages, (14,827 + 2,000) * 48 bytes, about 0.8 MB, plus ~0.7 MB
// of commitments for a chain from genesis.
//
// The salt (SipHash key) and the commitment offset must be secret to the peer: take them from
// HeadersSyncSalt::random(). Not thread-safe; one object per peer sync.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "chain/block_index.h"
#include "consensus/chainparams.h"
#include "primitives/block.h"
#include "util/arith_uint256.h"
#include "util/uint256.h"

namespace bitloom {

// Core's constants (headerssync.cpp, from contrib/devtools/headerssync-params.py), the same
// for every network.
inline constexpr std::size_t HEADER_COMMITMENT_PERIOD = 624;
inline constexpr std::size_t REDOWNLOAD_BUFFER_SIZE = 14827;

struct HeadersSyncLimits {
    std::size_t commitment_period = HEADER_COMMITMENT_PERIOD;      // > 0
    std::size_t redownload_buffer_size = REDOWNLOAD_BUFFER_SIZE;
};

// The per-sync secrets: the SipHash key of the commitment bits, and the seed of the offset
// (commit_offset = offset_seed % commitment_period).
struct HeadersSyncSalt {
    std::uint64_t k0 = 0;
    std::uint64_t k1 = 0;
    std::uint64_t offset_seed = 0;

    // Fresh values from the fast random generator, seeded from the OS.
    static HeadersSyncSalt random();
};

enum class HeadersSyncPhase { presync, redownload, final };
std::string_view to_string(HeadersSyncPhase phase);  // "presync", "redownload", "final"

// Why a sync was given up.
enum class HeadersSyncError {
    empty_message,          // no headers given, or the sync is already final
    non_continuous,         // a header does not link to the one before it
    invalid_pow,            // a header's hash does not meet its bits (or bits are invalid)
    invalid_difficulty,     // a bits change no timestamps could justify
    too_many_commitments,   // the chain is longer than any valid chain can be by now
    commitment_mismatch,    // the redownloaded chain is not the presynced one
};
std::string_view to_string(HeadersSyncError error);

struct HeadersSyncResult {
    // Headers checked against the commitments and part of a chain with the minimum work,
    // in chain order, the first linking to chain_start or the previous batch's last one.
    std::vector<BlockHeader> headers_to_store;
    // False when the peer's headers failed a check (error says which).
    bool success = false;
    // Ask the peer for more headers (getheaders with next_headers_request_locator()).
    bool request_more = false;
    std::optional<HeadersSyncError> error;
};

class HeadersSyncState {
public:
    // Syncs a peer's chain that builds on `chain_start` (non-null, a block we have with all
    // its ancestors linked) until it has `minimum_required_work` in total. `now` (seconds,
    // the node's clock) bounds the chain's length. `chain_start` and `params` must outlive
    // this object.
    HeadersSyncState(const BlockIndex* chain_start, const ConsensusParams& params,
                     const ArithUint256& minimum_required_work, std::int64_t now,
                     const HeadersSyncSalt& salt = HeadersSyncSalt::random(),
                     HeadersSyncLimits limits = {});

    // Processes the peer's next headers message, `full_message` when it carried the most a
    // message may (MAX_HEADERS_RESULTS: the peer may have more). After a result without
    // success, or without request_more, the state is final and every buffer is freed.
    HeadersSyncResult process_next_headers(std::span<const BlockHeader> headers, bool full_message);

    // The locator for the next getheaders: the last header received in this phase, then
    // chain_start's locator. Empty once final.
    std::vector<Uint256> next_headers_request_locator() const;

    HeadersSyncPhase state() const { return phase_; }

    // Presync progress (for logs and getpeerinfo): the height, time and total work of the last
    // header checked in the presync phase.
    std::int64_t presync_height() const { return presync_height_; }
    std::uint32_t presync_time() const { return presync_last_.time; }
    const ArithUint256& presync_work() const { return presync_work_; }
    // Commitments stored and the most allowed (see the memory bound above).
    std::size_t commitments() const { return commitments_.size() - next_commitment_; }
    std::uint64_t max_commitments() const { return max_commitments_; }
    // Headers waiting in the redownload buffer.
    std::size_t buffered() const { return buffer_.size(); }

private:
    // A header without its prev hash (48 bytes); the prev hash follows from the chain.
    struct CompressedHeader {
        std::int32_t version;
        Uint256 merkle_root;
        std::uint32_t time;
        std::uint32_t bits;
        std::uint32_t nonce;
    };
    static_assert(sizeof(CompressedHeader) == 48, "the memory bound above assumes 48 bytes");

    HeadersSyncResult presync(std::span<const BlockHeader> headers, bool full_message);
    HeadersSyncResult redownload(std::span<const BlockHeader> headers, bool full_message);
    std::optional<HeadersSyncError> check_presync_header(const BlockHeader& header);
    std::optional<HeadersSyncError> check_redownloaded_header(const BlockHeader& header);
    std::vector<BlockHeader> pop_ready_headers();
    bool commitment_bit(const Uint256& hash) const;
    void finish();

    const BlockIndex* chain_start_;
    const ConsensusParams& params_;
    const ArithUint256 minimum_required_work_;
    const HeadersSyncSalt salt_;
    const HeadersSyncLimits limits_;
    const std::size_t commit_offset_;
    std::uint64_t max_commitments_ = 0;
    HeadersSyncPhase phase_ = HeadersSyncPhase::presync;

    // Presync.
    std::vector<bool> commitments_;  // bit-packed; read from next_commitment_ in redownload
    std::size_t next_commitment_ = 0;
    ArithUint256 presync_work_;
    BlockHeader presync_last_;
    Uint256 presync_last_hash_;
    std::int64_t presync_height_ = 0;

    // Redownload.
    std::deque<CompressedHeader> buffer_;
    Uint256 buffer_first_prev_hash_;  // prev hash of buffer_.front()
    Uint256 buffer_last_hash_;        // hash of buffer_.back() (or chain_start)
    std::uint32_t buffer_last_bits_ = 0;
    std::int64_t buffer_last_height_ = 0;
    ArithUint256 redownload_work_;
    bool release_all_ = false;  // the redownloaded chain reached the minimum work
};

}  // namespace bitloom
