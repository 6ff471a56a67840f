// Block download scheduling: which blocks to ask each peer for, which requests are in flight,
// and which peers hold the download back (Bitcoin Core's mapBlocksInFlight,
// FindNextBlocksToDownload, UpdateBlockAvailability, and the stalling and block download
// timeouts of its SendMessages).
//
// The model, as in Core:
//   - every peer has a best known block: the most-work header it announced (headers, inv,
//     cmpctblock) or that we learnt it has; blocks are fetched only from peers whose best known
//     block has at least the work of our tip (and of the minimum chain work);
//   - a block is in flight from at most one peer at a time, and a peer has at most
//     MAX_BLOCKS_IN_TRANSIT_PER_PEER blocks in flight;
//   - blocks are handed out in height order along the path from the peer's last common block
//     with us (the last block of that path that is on our active chain or whose data and all
//     its ancestors' data we have) toward its best known block, never beyond the last common
//     block's height + BLOCK_DOWNLOAD_WINDOW; while the active chain is the only thing stored
//     past the fork, that is tip height + BLOCK_DOWNLOAD_WINDOW;
//   - when a peer could fetch nothing because the window is full, and the first block still
//     missing in the window is in flight from another peer, that other peer is the staller:
//     once stalling has lasted longer than the stalling timeout (2 s, doubled by each such
//     disconnection up to 64 s, and brought back toward 2 s by 15% per connected block), it
//     is disconnected;
//   - a peer whose oldest in-flight request is older than
//     target_spacing * (BLOCK_DOWNLOAD_TIMEOUT_BASE + BLOCK_DOWNLOAD_TIMEOUT_PER_PEER * n),
//     n = the other peers with blocks in flight, is disconnected.
//
// Time is the caller's clock (PeerTime), passed to each call: no sleeps, no clock of its own.
// Threading: not thread-safe; the owner serialises calls. next_blocks() takes the chain
// state's lock while it reads the block index. BlockIndex pointers passed in must come from
// the ChainState given to next_blocks()/block_announced() and stay valid for its lifetime.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "chain/block_index.h"
#include "chain/chainstate.h"
#include "p2p/peer.h"
#include "util/arith_uint256.h"
#include "util/uint256.h"

namespace bitloom {

// Core's NodeId (the same alias as p2p/connection_manager.h's).
using PeerId = std::int64_t;

// Core's net_processing constants.
inline constexpr int MAX_BLOCKS_IN_TRANSIT_PER_PEER = 16;
inline constexpr int BLOCK_DOWNLOAD_WINDOW = 1024;
inline constexpr std::chrono::seconds BLOCK_STALLING_TIMEOUT_DEFAULT{2};
inline constexpr std::chrono::seconds BLOCK_STALLING_TIMEOUT_MAX{64};
// In units of the network's target block spacing.
inline constexpr double BLOCK_DOWNLOAD_TIMEOUT_BASE = 1.0;
inline constexpr double BLOCK_DOWNLOAD_TIMEOUT_PER_PEER = 0.5;

class BlockDownloader {
public:
    // `minimum_chain_work`: peers whose best known block has less work are not downloaded
    // from (Core's -minimumchainwork; zero disables the check).
    explicit BlockDownloader(ArithUint256 minimum_chain_work = ArithUint256{});

    // --- Peers --------------------------------------------------------------------------
    // Starts tracking `id` (a no-op when it is tracked). `preferred_download`: Core's
    // fPreferredDownload (outbound or download-permitted, not a limited client).
    void add_peer(PeerId id, bool preferred_download);
    // Forgets `id`; its in-flight blocks become requestable from other peers.
    void remove_peer(PeerId id);
    bool has_peer(PeerId id) const;
    // Tracked peers with preferred_download (Core's m_num_preferred_download_peers).
    int preferred_download_peers() const;

    // --- What peers have ----------------------------------------------------------------
    // Core's UpdateBlockAvailability for a known header: `block` becomes the peer's best
    // known block when it has at least the work of the current one. Unknown peers and null
    // blocks are ignored.
    void update_best_known(PeerId id, const BlockIndex* block);
    // An announcement of `hash` (inv): like update_best_known() when the chain knows the
    // header, otherwise remembered and applied once it does (Core's hashLastUnknownBlock,
    // ProcessBlockAvailability).
    void block_announced(PeerId id, const Uint256& hash, const ChainState& chain);
    // Applies a remembered announcement whose header the chain now knows.
    void process_block_availability(PeerId id, const ChainState& chain);
    // The peer's best known block; nullptr when none or the peer is unknown.
    const BlockIndex* best_known(PeerId id) const;

    // --- Choosing blocks ----------------------------------------------------------------
    // Core's FindNextBlocksToDownload: up to min(count, MAX_BLOCKS_IN_TRANSIT_PER_PEER -
    // in_flight_count(id)) blocks to request from `id`, lowest height first, along its best
    // known chain from its last common block with our active chain; skips blocks we have
    // (HAVE_DATA, or on the active chain) and blocks in flight from anyone; stops at a block
    // that is not VALID_TREE or is failed. Returns nothing when the peer is unknown, has no
    // best known block, or that block has less work than our tip or the minimum chain work.
    // The blocks are not marked requested: call requested() for those actually asked for.
    //
    // `staller` is set (and otherwise left alone) when nothing could be returned only
    // because the window is full, and the first missing block of the window is in flight from
    // another peer: that peer. Core marks it with mark_stalling() when `id` itself has no
    // block in flight.
    std::vector<const BlockIndex*> next_blocks(PeerId id, int count, const ChainState& chain,
                                               std::optional<PeerId>& staller);

    // --- Requests -----------------------------------------------------------------------
    // Records that `block` was requested from `id` at `now` (Core's BlockRequested). A
    // request of the same block from another peer is dropped first (one peer per block).
    // Returns false (and changes nothing) when the peer is unknown or already has it in
    // flight.
    bool requested(PeerId id, const BlockIndex* block, PeerTime now);
    // A block arrived (from anyone): ends its request. Returns the peer that had it in
    // flight, if any. That peer's stall ends, and its download clock restarts at `now` when
    // this was its oldest request (Core's RemoveBlockRequest).
    std::optional<PeerId> received(const Uint256& hash, PeerTime now);
    bool is_in_flight(const Uint256& hash) const;
    // The peer the block is in flight from.
    std::optional<PeerId> in_flight_from(const Uint256& hash) const;
    // The blocks in flight from `id`, oldest request first (empty for an unknown peer).
    std::vector<const BlockIndex*> in_flight(PeerId id) const;
    int in_flight_count(PeerId id) const;
    int in_flight_total() const;
    // Peers with at least one block in flight (Core's m_peers_downloading_from).
    int peers_downloading_from() const { return peers_downloading_from_; }

    // --- Timeouts -----------------------------------------------------------------------
    // `staller` holds the download window back since `now`, unless a stall of it is already
    // being timed. Returns whether a new stall started. Unknown peers are ignored.
    bool mark_stalling(PeerId staller, PeerTime now);
    // When the peer's current stall began, if it is stalling.
    std::optional<PeerTime> stalling_since(PeerId id) const;
    // The current stalling timeout, within [BLOCK_STALLING_TIMEOUT_DEFAULT,
    // BLOCK_STALLING_TIMEOUT_MAX].
    std::chrono::seconds stalling_timeout() const { return stalling_timeout_; }
    // A block was connected to the active chain (Core's BlockConnected): the stalling timeout
    // becomes 85% of itself, in whole seconds, but not below BLOCK_STALLING_TIMEOUT_DEFAULT.
    void block_connected();

    // The peers to disconnect at `now`, in peer id order, with the reason for the log:
    //   "Peer=N is stalling block download, disconnecting" when its stall began more than
    //   stalling_timeout() before `now`; each doubles stalling_timeout() (up to the max), so
    //   a later peer in the same pass is judged by the doubled value;
    //   "Timeout downloading block <hash> from peer=N, disconnecting" when its oldest request
    //   has been waited on for more than target_spacing * (BLOCK_DOWNLOAD_TIMEOUT_BASE +
    //   BLOCK_DOWNLOAD_TIMEOUT_PER_PEER * (peers_downloading_from() - 1)).
    // A peer is reported once; it keeps its requests until remove_peer().
    std::vector<std::pair<PeerId, std::string>> check_timeouts(PeerTime now,
                                                               std::chrono::seconds target_spacing);

private:
    struct PeerState {
        bool preferred_download = false;
        const BlockIndex* best_known = nullptr;
        std::optional<Uint256> last_unknown;     // announced, header not known yet
        const BlockIndex* last_common = nullptr;  // with our active chain, along best_known
        std::vector<const BlockIndex*> in_flight;  // request order
        PeerTime downloading_since{0};           // since when its oldest request is waited on
        std::optional<PeerTime> stalling_since;
        bool disconnect_reported = false;
    };

    PeerState* find(PeerId id);
    const PeerState* find(PeerId id) const;
    void remove_request(const Uint256& hash, PeerTime now);

    ArithUint256 minimum_chain_work_;
    std::map<PeerId, PeerState> peers_;
    std::map<Uint256, PeerId> in_flight_;
    int peers_downloading_from_ = 0;
    std::chrono::seconds stalling_timeout_ = BLOCK_STALLING_TIMEOUT_DEFAULT;
};

}  // namespace bitloom
