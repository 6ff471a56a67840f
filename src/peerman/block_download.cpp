#include "peerman/block_download.h"

#include <algorithm>
#include <cassert>

namespace bitloom {

namespace {

// How many successors of the walk's position are read per step: ancestor() costs about as
// much as following ~100 prev pointers, so reading in batches keeps the walk linear.
constexpr int WALK_BATCH = 128;

}  // namespace

BlockDownloader::BlockDownloader(ArithUint256 minimum_chain_work)
    : minimum_chain_work_(minimum_chain_work) {}

BlockDownloader::PeerState* BlockDownloader::find(PeerId id) {
    auto it = peers_.find(id);
    return it == peers_.end() ? nullptr : &it->second;
}

const BlockDownloader::PeerState* BlockDownloader::find(PeerId id) const {
    auto it = peers_.find(id);
    return it == peers_.end() ? nullptr : &it->second;
}

void BlockDownloader::add_peer(PeerId id, bool preferred_download) {
    auto [it, inserted] = peers_.try_emplace(id);
    if (inserted) it->second.preferred_download = preferred_download;
}

void BlockDownloader::remove_peer(PeerId id) {
    auto it = peers_.find(id);
    if (it == peers_.end()) return;
    for (const BlockIndex* block : it->second.in_flight) in_flight_.erase(block->hash);
    if (!it->second.in_flight.empty()) --peers_downloading_from_;
    peers_.erase(it);
}

bool BlockDownloader::has_peer(PeerId id) const { return find(id) != nullptr; }

int BlockDownloader::preferred_download_peers() const {
    return static_cast<int>(std::ranges::count_if(
        peers_, [](const auto& entry) { return entry.second.preferred_download; }));
}

void BlockDownloader::update_best_known(PeerId id, const BlockIndex* block) {
    PeerState* peer = find(id);
    if (peer == nullptr || block == nullptr) return;
    if (peer->best_known == nullptr || block->chain_work >= peer->best_known->chain_work) {
        peer->best_known = block;
    }
}

void BlockDownloader::process_block_availability(PeerId id, const ChainState& chain) {
    PeerState* peer = find(id);
    if (peer == nullptr || !peer->last_unknown) return;
    const BlockIndex* block = chain.lookup(*peer->last_unknown);
    if (block == nullptr || block->chain_work.is_zero()) return;
    peer->last_unknown.reset();
    update_best_known(id, block);
}

void BlockDownloader::block_announced(PeerId id, const Uint256& hash, const ChainState& chain) {
    PeerState* peer = find(id);
    if (peer == nullptr) return;
    process_block_availability(id, chain);
    const BlockIndex* block = chain.lookup(hash);
    if (block != nullptr && !block->chain_work.is_zero()) {
        update_best_known(id, block);
    } else {
        peer->last_unknown = hash;
    }
}

const BlockIndex* BlockDownloader::best_known(PeerId id) const {
    const PeerState* peer = find(id);
    return peer == nullptr ? nullptr : peer->best_known;
}

std::vector<const BlockIndex*> BlockDownloader::next_blocks(PeerId id, int count,
                                                            const ChainState& chain,
                                                            std::optional<PeerId>& staller) {
    std::vector<const BlockIndex*> blocks;
    PeerState* peer = find(id);
    if (peer == nullptr) return blocks;
    count = std::min(count, MAX_BLOCKS_IN_TRANSIT_PER_PEER - static_cast<int>(peer->in_flight.size()));
    if (count <= 0) return blocks;

    auto guard = chain.lock();
    process_block_availability(id, chain);
    const BlockIndex* best = peer->best_known;
    const BlockIndex* tip = chain.tip();
    if (best == nullptr || tip == nullptr || best->chain_work < tip->chain_work ||
        best->chain_work < minimum_chain_work_) {
        return blocks;
    }
    if (peer->last_common == nullptr) {
        // A guess; wrong in either direction is corrected just below.
        peer->last_common = chain.at_height(std::min(best->height, chain.height()));
    }
    // The peer may have moved to another branch since: step back to a common ancestor.
    peer->last_common = last_common_ancestor(peer->last_common, best);
    if (peer->last_common == best) return blocks;

    const int window_end = peer->last_common->height + BLOCK_DOWNLOAD_WINDOW;
    // One block past the window is looked at, to tell a full window (stalling) apart.
    const int max_height = std::min(best->height, window_end + 1);
    std::optional<PeerId> waiting_for;
    std::vector<const BlockIndex*> batch;
    const BlockIndex* walk = peer->last_common;
    blocks.reserve(static_cast<std::size_t>(count));
    while (walk->height < max_height) {
        const int wanted = count - static_cast<int>(blocks.size());
        const int step = std::min(max_height - walk->height, std::max(wanted, WALK_BATCH));
        batch.resize(static_cast<std::size_t>(step));
        walk = best->ancestor(walk->height + step);
        batch.back() = walk;
        for (std::size_t i = batch.size() - 1; i > 0; --i) batch[i - 1] = batch[i]->prev;

        for (const BlockIndex* block : batch) {
            if (!block->is_valid(block_status::VALID_TREE)) return blocks;  // an invalid chain
            const bool active = chain.in_active_chain(block);
            if (active || (block->status & block_status::HAVE_DATA) != 0) {
                if (active || block->chain_tx_count != 0) peer->last_common = block;
                continue;
            }
            auto flight = in_flight_.find(block->hash);
            if (flight == in_flight_.end()) {
                if (block->height > window_end) {
                    if (blocks.empty() && waiting_for && *waiting_for != id) staller = waiting_for;
                    return blocks;
                }
                blocks.push_back(block);
                if (static_cast<int>(blocks.size()) == count) return blocks;
            } else if (!waiting_for) {
                waiting_for = flight->second;  // the first missing block is held by this peer
            }
        }
    }
    return blocks;
}

bool BlockDownloader::requested(PeerId id, const BlockIndex* block, PeerTime now) {
    PeerState* peer = find(id);
    if (peer == nullptr || block == nullptr) return false;
    auto flight = in_flight_.find(block->hash);
    if (flight != in_flight_.end()) {
        if (flight->second == id) return false;
        remove_request(block->hash, now);
    }
    peer->in_flight.push_back(block);
    in_flight_.emplace(block->hash, id);
    if (peer->in_flight.size() == 1) {
        peer->downloading_since = now;
        ++peers_downloading_from_;
    }
    return true;
}

void BlockDownloader::remove_request(const Uint256& hash, PeerTime now) {
    auto flight = in_flight_.find(hash);
    if (flight == in_flight_.end()) return;
    PeerState* peer = find(flight->second);
    in_flight_.erase(flight);
    assert(peer != nullptr);
    auto it = std::ranges::find_if(peer->in_flight,
                                   [&](const BlockIndex* block) { return block->hash == hash; });
    assert(it != peer->in_flight.end());
    if (it == peer->in_flight.begin()) {
        // The oldest request was answered: the next one is timed from now.
        peer->downloading_since = std::max(peer->downloading_since, now);
    }
    peer->in_flight.erase(it);
    if (peer->in_flight.empty()) --peers_downloading_from_;
    peer->stalling_since.reset();
}

std::optional<PeerId> BlockDownloader::received(const Uint256& hash, PeerTime now) {
    auto flight = in_flight_.find(hash);
    if (flight == in_flight_.end()) return std::nullopt;
    const PeerId from = flight->second;
    remove_request(hash, now);
    return from;
}

bool BlockDownloader::is_in_flight(const Uint256& hash) const { return in_flight_.contains(hash); }

std::optional<PeerId> BlockDownloader::in_flight_from(const Uint256& hash) const {
    auto flight = in_flight_.find(hash);
    if (flight == in_flight_.end()) return std::nullopt;
    return flight->second;
}

std::vector<const BlockIndex*> BlockDownloader::in_flight(PeerId id) const {
    const PeerState* peer = find(id);
    return peer == nullptr ? std::vector<const BlockIndex*>{} : peer->in_flight;
}

int BlockDownloader::in_flight_count(PeerId id) const {
    const PeerState* peer = find(id);
    return peer == nullptr ? 0 : static_cast<int>(peer->in_flight.size());
}

int BlockDownloader::in_flight_total() const { return static_cast<int>(in_flight_.size()); }

bool BlockDownloader::mark_stalling(PeerId staller, PeerTime now) {
    PeerState* peer = find(staller);
    if (peer == nullptr || peer->stalling_since) return false;
    peer->stalling_since = now;
    return true;
}

std::optional<PeerTime> BlockDownloader::stalling_since(PeerId id) const {
    const PeerState* peer = find(id);
    return peer == nullptr ? std::nullopt : peer->stalling_since;
}

void BlockDownloader::block_connected() {
    const auto decayed = std::chrono::duration_cast<std::chrono::seconds>(stalling_timeout_ * 0.85);
    stalling_timeout_ = std::max(decayed, BLOCK_STALLING_TIMEOUT_DEFAULT);
}

std::vector<std::pair<PeerId, std::string>> BlockDownloader::check_timeouts(
    PeerTime now, std::chrono::seconds target_spacing) {
    std::vector<std::pair<PeerId, std::string>> disconnect;
    for (auto& [id, peer] : peers_) {
        if (peer.disconnect_reported) continue;
        if (peer.stalling_since && *peer.stalling_since < now - stalling_timeout_) {
            disconnect.emplace_back(id, "Peer=" + std::to_string(id) +
                                            " is stalling block download, disconnecting");
            peer.disconnect_reported = true;
            // So that a slow link of ours does not cost us every peer in turn.
            stalling_timeout_ = std::min(2 * stalling_timeout_, BLOCK_STALLING_TIMEOUT_MAX);
            continue;
        }
        if (!peer.in_flight.empty()) {
            const int others = peers_downloading_from_ - 1;
            const auto allowed = std::chrono::duration_cast<PeerTime>(
                target_spacing * (BLOCK_DOWNLOAD_TIMEOUT_BASE + BLOCK_DOWNLOAD_TIMEOUT_PER_PEER * others));
            if (now > peer.downloading_since + allowed) {
                disconnect.emplace_back(id, "Timeout downloading block " +
                                                peer.in_flight.front()->hash.to_string() +
                                                " from peer=" + std::to_string(id) +
                                                ", disconnecting");
                peer.disconnect_reported = true;
            }
        }
    }
    return disconnect;
}

}  // namespace bitloom
