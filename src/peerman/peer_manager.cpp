#include "peerman/peer_manager.h"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "chain/pow.h"
#include "peerman/headers_sync.h"
#include "primitives/pow.h"
#include "primitives/serialize.h"

namespace bitloom {

namespace {

using namespace std::chrono_literals;

// "{}" placeholders replaced by the arguments in order (log and reason texts).
template <typename... Args>
std::string format(std::string_view text, const Args&... args) {
    std::ostringstream out;
    std::size_t pos = 0;
    auto one = [&](const auto& arg) {
        const std::size_t mark = text.find("{}", pos);
        if (mark == std::string_view::npos) return;
        out << text.substr(pos, mark - pos) << arg;
        pos = mark + 2;
    };
    (one(args), ...);
    out << text.substr(pos);
    return out.str();
}

constexpr std::size_t MAX_GETBLOCKS_RESULTS = 500;
constexpr int MAX_CMPCTBLOCK_DEPTH = 5;
constexpr int MAX_BLOCKTXN_DEPTH = 10;
constexpr PeerTime TX_REQUEST_TIMEOUT = 60s;
constexpr PeerTime INBOUND_INVENTORY_INTERVAL = 5s;
constexpr PeerTime OUTBOUND_INVENTORY_INTERVAL = 2s;
constexpr std::size_t MAX_TX_ANNOUNCE_PER_BATCH = 1000;
constexpr std::size_t MAX_RECENT_REJECTS = 50'000;
constexpr std::size_t MAX_TX_REQUESTS_IN_FLIGHT = 5000;

// A set that forgets its oldest members beyond a bound (Core's rolling filters, exact).
class BoundedHashSet {
public:
    explicit BoundedHashSet(std::size_t bound) : bound_(bound) {}
    bool contains(const Uint256& hash) const { return set_.contains(hash); }
    void insert(const Uint256& hash) {
        if (!set_.insert(hash).second) return;
        order_.push_back(hash);
        while (order_.size() > bound_) {
            set_.erase(order_.front());
            order_.pop_front();
        }
    }
    void clear() {
        set_.clear();
        order_.clear();
    }

private:
    std::size_t bound_;
    std::unordered_set<Uint256, BlobHasher> set_;
    std::deque<Uint256> order_;
};

bool outbound(ConnectionType type) { return type != ConnectionType::inbound; }

bool is_block_type(std::uint32_t type) {
    const std::uint32_t base = type & ~inv_type::MSG_WITNESS_FLAG;
    return base == inv_type::MSG_BLOCK || base == inv_type::MSG_CMPCT_BLOCK ||
           base == inv_type::MSG_FILTERED_BLOCK;
}

bool is_tx_type(std::uint32_t type) {
    const std::uint32_t base = type & ~inv_type::MSG_WITNESS_FLAG;
    return base == inv_type::MSG_TX || base == inv_type::MSG_WTX;
}

// Block failures that say the sender gave us something invalid (Core's
// MaybePunishNodeForBlock); time-too-new and missing data are not the sender's fault.
bool block_error_punishes(BlockValidationResult result) {
    switch (result) {
        case BlockValidationResult::consensus:
        case BlockValidationResult::mutated:
        case BlockValidationResult::cached_invalid:
        case BlockValidationResult::invalid_header:
        case BlockValidationResult::invalid_prev:
        case BlockValidationResult::missing_prev:
            return true;
        case BlockValidationResult::time_future:
        case BlockValidationResult::header_low_work:
            return false;
    }
    return false;
}

// A compact block waiting for the transactions it could not fill from the relay pool.
struct PartialBlock {
    BlockHeader header;
    std::vector<TransactionRef> slots;  // null where missing
    std::vector<std::uint16_t> missing;
};

}  // namespace

struct PeerManager::Impl {
    struct PeerData {
        PeerId id = 0;
        ConnectionType type = ConnectionType::inbound;
        PeerInfo info;
        NetService address;
        std::uint32_t permissions = permissions::NONE;
        bool prefers_headers = false;
        bool wants_compact_push = false;  // sendcmpct(announce = true, version 2)
        bool compact_v2 = false;
        bool relay_txs = false;
        std::int64_t fee_filter = 0;
        bool sync_started = false;
        PeerTime headers_requested_at{};
        int unconnecting_headers = 0;
        BoundedHashSet known_blocks{4096};
        BoundedHashSet known_txs{MAX_KNOWN_INVENTORY};
        std::vector<Uint256> txs_to_announce;  // wtxids
        PeerTime next_inv_send{};
        std::deque<InvEntry> getdata_queue;
        std::optional<PartialBlock> partial;
        const BlockIndex* last_block_announced = nullptr;
        std::map<Uint256, PeerTime> tx_requests;  // hashes in flight from this peer
        std::unique_ptr<HeadersSyncState> headers_sync;  // a low-work chain being checked
    };
    struct TxRequest {
        PeerId peer;
        PeerTime time;
        bool by_wtxid;
        std::vector<std::pair<PeerId, bool>> alternatives;  // other announcers
    };

    ChainState& chain;
    PeerManagerOptions options;
    FastRandom random;
    BlockDownloader downloader;
    RelayPool pool;
    std::map<PeerId, PeerData> peers;
    std::unordered_map<Uint256, TxRequest, BlobHasher> tx_requests;
    BoundedHashSet recent_rejects{MAX_RECENT_REJECTS};
    const BlockIndex* last_tip = nullptr;
    std::vector<PeerManagerAction> actions;
    PeerTime now{};

    Impl(ChainState& chain_state, PeerManagerOptions opts)
        : chain(chain_state),
          options(opts),
          random(opts.random_seed),
          downloader(ArithUint256::from_uint256(chain_state.params().consensus.minimum_chain_work)) {
        last_tip = chain.tip();
    }

    // --- Output helpers ---------------------------------------------------------------
    void send(PeerId id, std::string_view command, Bytes payload) {
        actions.emplace_back(std::in_place_type<SendMessage>, id, std::string(command),
                             std::move(payload));
    }
    void misbehaving(PeerId id, std::string why) {
        log("net", format("Misbehaving: peer={}: {}", id, why));
        actions.emplace_back(std::in_place_type<PeerMisbehaved>, id, std::move(why));
    }
    void disconnect(PeerId id, std::string why) {
        actions.emplace_back(std::in_place_type<DisconnectPeer>, id, std::move(why));
    }
    void log(std::string_view category, std::string text) {
        actions.emplace_back(std::in_place_type<PeerLog>, std::string(category), std::move(text));
    }

    PeerData* find(PeerId id) {
        auto it = peers.find(id);
        return it == peers.end() ? nullptr : &it->second;
    }

    bool has_permission(const PeerData& peer, std::uint32_t flag) const {
        return (peer.permissions & flag) == flag;
    }

    // --- Connection life --------------------------------------------------------------
    void connected(const PeerConnected& event) {
        PeerData& peer = peers[event.id];
        peer.id = event.id;
        peer.type = event.type;
        peer.info = event.info;
        peer.address = event.address;
        peer.permissions = event.permissions;
        peer.prefers_headers = event.info.prefers_headers;
        peer.compact_v2 = event.info.compact_blocks;
        peer.wants_compact_push = event.info.compact_blocks_high_bandwidth;
        peer.relay_txs = event.info.relay && event.type != ConnectionType::block_relay_only &&
                         !options.blocks_only;
        peer.next_inv_send = now;
        downloader.add_peer(event.id, outbound(event.type));
        if (peer.relay_txs && options.fee_filter > 0) {
            send(event.id, command::FEEFILTER, encode_feefilter(options.fee_filter));
        }
        maybe_start_sync(peer);
    }

    void disconnected(PeerId id) {
        downloader.remove_peer(id);
        for (auto it = tx_requests.begin(); it != tx_requests.end();) {
            if (it->second.peer == id) {
                retry_tx_request(it);
                if (it->second.peer == id) {
                    it = tx_requests.erase(it);
                    continue;
                }
            }
            ++it;
        }
        peers.erase(id);
    }

    // --- Headers sync -----------------------------------------------------------------
    void send_getheaders(PeerData& peer, const BlockIndex* from, const Uint256& stop = {}) {
        BlockLocatorMessage request;
        request.version = static_cast<std::uint32_t>(PROTOCOL_VERSION);
        request.locator = chain.locator(from);
        request.stop_hash = stop;
        send(peer.id, command::GETHEADERS, encode_block_locator(request));
        peer.headers_requested_at = now;
    }

    bool any_outbound_syncing() const {
        for (const auto& [id, other] : peers) {
            if (other.sync_started && outbound(other.type)) return true;
        }
        return false;
    }

    void maybe_start_sync(PeerData& peer) {
        if (peer.sync_started) return;
        if (peer.type == ConnectionType::feeler || peer.type == ConnectionType::addr_fetch) return;
        if (!outbound(peer.type) && any_outbound_syncing()) return;
        peer.sync_started = true;
        const BlockIndex* best = chain.best_header();
        // Core starts from the best header's parent so that the reply is never empty.
        send_getheaders(peer, best->prev != nullptr ? best->prev : best);
    }

    void on_headers(PeerData& peer, ByteSpan payload) {
        auto decoded = decode_headers(payload);
        if (!decoded) {
            if (decoded.error() == MessageError::too_many_entries) {
                return misbehaving(peer.id, "headers message size > 2000");
            }
            return misbehaving(peer.id, format("malformed headers message: {}",
                                                    to_string(decoded.error())));
        }
        const std::vector<BlockHeader>& headers = *decoded;
        if (headers.empty()) {
            // The peer has no more: a low-work sync in progress ends here.
            if (peer.headers_sync) continue_low_work_sync(peer, headers);
            return;
        }
        for (std::size_t i = 1; i < headers.size(); ++i) {
            if (headers[i].prev_block != headers[i - 1].hash()) {
                return misbehaving(peer.id, "non-continuous headers sequence");
            }
        }
        if (peer.headers_sync) return continue_low_work_sync(peer, headers);
        const BlockIndex* parent = chain.lookup(headers.front().prev_block);
        if (parent == nullptr) {
            ++peer.unconnecting_headers;
            if (peer.unconnecting_headers >= MAX_UNCONNECTING_HEADERS) {
                return misbehaving(peer.id, format("{} non-connecting headers",
                                                   peer.unconnecting_headers));
            }
            send_getheaders(peer, chain.best_header());
            downloader.block_announced(peer.id, headers.back().hash(), chain);
            return;
        }
        peer.unconnecting_headers = 0;
        // A chain with too little work is checked without being stored (headers_sync.h).
        ArithUint256 work;
        {
            auto lock = chain.lock();
            work = parent->chain_work;
        }
        for (const BlockHeader& header : headers) work += block_work(header.bits);
        if (work < anti_dos_work_threshold() && chain.lookup(headers.back().hash()) == nullptr) {
            if (headers.size() != MAX_HEADERS_RESULTS) {
                log("net", format("ignoring low-work chain (height={}) from peer={}",
                                  parent->height + static_cast<int>(headers.size()), peer.id));
                return;
            }
            const std::int64_t seconds = std::chrono::duration_cast<std::chrono::seconds>(now).count();
            peer.headers_sync = std::make_unique<HeadersSyncState>(
                parent, chain.params().consensus, anti_dos_work_threshold(), seconds);
            log("net", format("starting the low-work headers sync with peer={} from height {}",
                              peer.id, parent->height));
            return continue_low_work_sync(peer, headers);
        }
        store_headers(peer, headers);
    }

    // Core's GetAntiDoSWorkThreshold: the minimum chain work, or the work of our tip less
    // 144 blocks' worth when that is more.
    ArithUint256 anti_dos_work_threshold() const {
        auto lock = chain.lock();
        const BlockIndex* tip = chain.tip();
        ArithUint256 near_tip;
        const ArithUint256 allowance = block_work(tip->bits) * ArithUint256(144);
        if (tip->chain_work > allowance) near_tip = tip->chain_work - allowance;
        const ArithUint256 minimum =
            ArithUint256::from_uint256(chain.params().consensus.minimum_chain_work);
        return near_tip > minimum ? near_tip : minimum;
    }

    void continue_low_work_sync(PeerData& peer, const std::vector<BlockHeader>& headers) {
        HeadersSyncResult result = peer.headers_sync->process_next_headers(
            headers, headers.size() == MAX_HEADERS_RESULTS);
        if (!result.success) {
            const HeadersSyncError error = result.error.value_or(HeadersSyncError::empty_message);
            peer.headers_sync.reset();
            if (error == HeadersSyncError::non_continuous || error == HeadersSyncError::invalid_pow ||
                error == HeadersSyncError::invalid_difficulty ||
                error == HeadersSyncError::commitment_mismatch) {
                return misbehaving(peer.id, format("low-work headers sync failed: {}",
                                                   to_string(error)));
            }
            log("net", format("low-work headers sync with peer={} ended: {}", peer.id,
                              to_string(error)));
            return;
        }
        if (result.request_more) {
            BlockLocatorMessage request;
            request.version = static_cast<std::uint32_t>(PROTOCOL_VERSION);
            request.locator = peer.headers_sync->next_headers_request_locator();
            send(peer.id, command::GETHEADERS, encode_block_locator(request));
            peer.headers_requested_at = now;
        } else {
            peer.headers_sync.reset();
        }
        if (!result.headers_to_store.empty()) {
            const bool more = result.request_more;
            store_headers(peer, result.headers_to_store, !more);
        }
    }

    // Stores headers that passed the anti-DoS rules, then asks for more or for blocks.
    void store_headers(PeerData& peer, const std::vector<BlockHeader>& headers,
                       bool may_ask_more = true) {
        const BlockIndex* last = nullptr;
        for (const BlockHeader& header : headers) {
            auto accepted = chain.process_new_header(header);
            if (!accepted) {
                const BlockValidationError& error = accepted.error();
                if (block_error_punishes(error.result)) {
                    return misbehaving(peer.id, format("invalid header received: {}",
                                                            to_string(error)));
                }
                log("net", format("header {} from peer={} not accepted: {}",
                                       header.hash().to_string(), peer.id, to_string(error)));
                break;
            }
            last = *accepted;
            peer.known_blocks.insert(last->hash);
        }
        if (last == nullptr) return;
        downloader.process_block_availability(peer.id, chain);
        downloader.update_best_known(peer.id, last);
        if (may_ask_more && headers.size() == MAX_HEADERS_RESULTS) {
            send_getheaders(peer, last);
        } else {
            peer.headers_requested_at = PeerTime{};
        }
        request_blocks(peer);
    }

    // --- Block download ---------------------------------------------------------------
    void request_blocks(PeerData& peer) {
        if (peer.type == ConnectionType::feeler || peer.type == ConnectionType::addr_fetch) return;
        const int in_flight = downloader.in_flight_count(peer.id);
        if (in_flight >= MAX_BLOCKS_IN_TRANSIT_PER_PEER) return;
        std::optional<PeerId> staller;
        auto blocks = downloader.next_blocks(peer.id, MAX_BLOCKS_IN_TRANSIT_PER_PEER - in_flight,
                                             chain, staller);
        if (blocks.empty()) {
            // Core marks a staller only when the asking peer itself waits for nothing.
            if (staller && in_flight == 0) downloader.mark_stalling(*staller, now);
            return;
        }
        std::vector<InvEntry> request;
        request.reserve(blocks.size());
        for (const BlockIndex* block : blocks) {
            request.push_back({inv_type::MSG_WITNESS_BLOCK, block->hash});
            downloader.requested(peer.id, block, now);
        }
        send(peer.id, command::GETDATA, encode_inv(request));
    }

    void accept_block(PeerData* peer, PeerId from, const Block& block) {
        const Uint256 hash = block.hash();
        const std::optional<PeerId> requester = downloader.received(hash, now);
        const bool requested = requester.has_value();
        const BlockIndex* known = chain.lookup(hash);
        if (!requested && known == nullptr) {
            // Unsolicited: only a block that builds on our tip is worth the work.
            if (block.header.prev_block != chain.tip()->hash) {
                log("net", format("unrequested block {} from peer={} ignored",
                                       hash.to_string(), from));
                return;
            }
        }
        const BlockSubmission result = chain.process_new_block(block);
        if (result.error && block_error_punishes(result.error->result)) {
            if (peer != nullptr) {
                if (result.error->result == BlockValidationResult::mutated) {
                    return misbehaving(from, format("mutated block {}: {}", hash.to_string(),
                                                         to_string(*result.error)));
                }
                return misbehaving(from, format("invalid block {}: {}", hash.to_string(),
                                                     to_string(*result.error)));
            }
            return;
        }
        if (result.new_block) {
            actions.emplace_back(std::in_place_type<PeerUseful>, from,
                                 ConnectionManager::Useful::block);
        }
        if (peer != nullptr) {
            peer->known_blocks.insert(hash);
            if (const BlockIndex* index = chain.lookup(hash)) {
                downloader.update_best_known(from, index);
            }
            request_blocks(*peer);
        }
    }

    void on_block(PeerData& peer, ByteSpan payload) {
        auto block = decode_block_message(payload);
        if (!block) {
            return misbehaving(peer.id, format("malformed block message: {}",
                                                    to_string(block.error())));
        }
        accept_block(&peer, peer.id, *block);
    }

    // --- Inventory --------------------------------------------------------------------
    void on_inv(PeerData& peer, ByteSpan payload) {
        auto entries = decode_inv(payload);
        if (!entries) {
            if (entries.error() == MessageError::too_many_entries) {
                return misbehaving(peer.id, "inv message size > 50000");
            }
            return misbehaving(peer.id, format("malformed inv message: {}",
                                                    to_string(entries.error())));
        }
        std::optional<Uint256> unknown_block;
        for (const InvEntry& entry : *entries) {
            if (is_block_type(entry.type)) {
                peer.known_blocks.insert(entry.hash);
                downloader.block_announced(peer.id, entry.hash, chain);
                if (chain.lookup(entry.hash) == nullptr) unknown_block = entry.hash;
            } else if (is_tx_type(entry.type)) {
                if (peer.type == ConnectionType::block_relay_only) {
                    return misbehaving(peer.id, "transaction inv sent in violation of protocol");
                }
                peer.known_txs.insert(entry.hash);
                if (!peer.relay_txs && !options.blocks_only) continue;
                if (options.blocks_only) {
                    log("net", format("transaction inv from peer={} in blocks-only mode",
                                           peer.id));
                    continue;
                }
                consider_tx_request(peer, entry);
            }
        }
        if (unknown_block) send_getheaders(peer, chain.best_header(), *unknown_block);
        request_blocks(peer);
    }

    bool have_transaction(const Uint256& hash, bool by_wtxid) const {
        if (by_wtxid ? pool.find_wtxid(hash) != nullptr : pool.find_txid(hash) != nullptr) {
            return true;
        }
        return recent_rejects.contains(hash);
    }

    void consider_tx_request(PeerData& peer, const InvEntry& entry) {
        const bool by_wtxid = (entry.type & ~inv_type::MSG_WITNESS_FLAG) == inv_type::MSG_WTX;
        if (by_wtxid != peer.info.wtxid_relay) return;  // Core ignores the other kind
        if (have_transaction(entry.hash, by_wtxid)) return;
        auto it = tx_requests.find(entry.hash);
        if (it != tx_requests.end()) {
            if (it->second.peer != peer.id && it->second.alternatives.size() < 8) {
                it->second.alternatives.emplace_back(peer.id, by_wtxid);
            }
            return;
        }
        if (tx_requests.size() >= MAX_TX_REQUESTS_IN_FLIGHT) return;
        tx_requests.emplace(entry.hash, TxRequest{peer.id, now, by_wtxid, {}});
        peer.tx_requests[entry.hash] = now;
        const std::uint32_t type = by_wtxid ? inv_type::MSG_WTX : inv_type::MSG_WITNESS_TX;
        send(peer.id, command::GETDATA, encode_inv({InvEntry{type, entry.hash}}));
    }

    // Moves a timed-out or abandoned request to the next announcer, if any.
    void retry_tx_request(std::unordered_map<Uint256, TxRequest, BlobHasher>::iterator it) {
        TxRequest& request = it->second;
        if (PeerData* old = find(request.peer)) old->tx_requests.erase(it->first);
        while (!request.alternatives.empty()) {
            auto [next, by_wtxid] = request.alternatives.front();
            request.alternatives.erase(request.alternatives.begin());
            PeerData* peer = find(next);
            if (peer == nullptr) continue;
            request.peer = next;
            request.time = now;
            request.by_wtxid = by_wtxid;
            peer->tx_requests[it->first] = now;
            const std::uint32_t type = by_wtxid ? inv_type::MSG_WTX : inv_type::MSG_WITNESS_TX;
            send(next, command::GETDATA, encode_inv({InvEntry{type, it->first}}));
            return;
        }
    }

    void on_notfound(PeerData& peer, ByteSpan payload) {
        auto entries = decode_inv(payload);
        if (!entries) return misbehaving(peer.id, "malformed notfound message");
        for (const InvEntry& entry : *entries) {
            if (!is_tx_type(entry.type)) continue;
            auto it = tx_requests.find(entry.hash);
            if (it == tx_requests.end() || it->second.peer != peer.id) continue;
            retry_tx_request(it);
            if (it->second.peer == peer.id) tx_requests.erase(it);
        }
    }

    // --- Transactions -----------------------------------------------------------------
    void on_tx(PeerData& peer, ByteSpan payload) {
        if (peer.type == ConnectionType::block_relay_only) {
            return misbehaving(peer.id, "transaction sent in violation of protocol");
        }
        auto decoded = decode_tx_message(payload);
        if (!decoded) {
            return misbehaving(peer.id, format("malformed tx message: {}",
                                                    to_string(decoded.error())));
        }
        TransactionRef tx = make_transaction_ref(std::move(*decoded));
        for (const Uint256& hash : {tx->txid(), tx->wtxid()}) {
            auto it = tx_requests.find(hash);
            if (it != tx_requests.end()) {
                if (PeerData* requested_from = find(it->second.peer)) {
                    requested_from->tx_requests.erase(hash);
                }
                tx_requests.erase(it);
            }
            peer.known_txs.insert(hash);
        }
        if (options.blocks_only && !has_permission(peer, permissions::RELAY)) {
            return disconnect(peer.id, "transaction sent in blocks-only mode");
        }
        if (pool.find_wtxid(tx->wtxid()) != nullptr || recent_rejects.contains(tx->wtxid())) return;
        auto accepted = accept_transaction(tx);
        if (!accepted) {
            const TxValidationError& error = accepted.error();
            log("net", format("transaction {} from peer={} not accepted: {}",
                                   tx->txid().to_string(), peer.id, to_string(error)));
            if (error.result != TxValidationResult::missing_inputs) {
                recent_rejects.insert(tx->wtxid());
            }
            if (error.result == TxValidationResult::consensus) {
                misbehaving(peer.id, format("invalid transaction {}: {}", tx->txid().to_string(),
                                                 to_string(error)));
            }
            return;
        }
        actions.emplace_back(std::in_place_type<PeerUseful>, peer.id,
                             ConnectionManager::Useful::transaction);
    }

    Result<Amount, TxValidationError> accept_transaction(const TransactionRef& tx) {
        for (const TxIn& input : tx->inputs()) {
            if (pool.spender(input.prevout)) {
                return fail(tx_invalid(TxValidationResult::conflict, "txn-mempool-conflict"));
            }
        }
        auto fee = check_relay_transaction(chain, *tx);
        if (!fee) return fail(fee.error());
        const std::int64_t seconds =
            std::chrono::duration_cast<std::chrono::seconds>(now).count();
        if (auto added = pool.add(tx, *fee, seconds); !added) return fail(added.error());
        queue_announcement(*tx, *fee);
        return *fee;
    }

    void queue_announcement(const Transaction& tx, Amount fee) {
        const std::int64_t vsize = static_cast<std::int64_t>(tx.vsize());
        const std::int64_t fee_rate = vsize > 0 ? fee * 1000 / vsize : 0;  // sat/kvB
        for (auto& [id, peer] : peers) {
            if (!peer.relay_txs) continue;
            if (peer.fee_filter > 0 && fee_rate < peer.fee_filter) continue;
            const Uint256& hash = peer.info.wtxid_relay ? tx.wtxid() : tx.txid();
            if (peer.known_txs.contains(hash)) continue;
            if (peer.txs_to_announce.size() < MAX_INV_SZ) peer.txs_to_announce.push_back(tx.wtxid());
        }
    }

    void send_tx_announcements(PeerData& peer) {
        if (peer.txs_to_announce.empty() || now < peer.next_inv_send) return;
        const PeerTime interval =
            outbound(peer.type) ? OUTBOUND_INVENTORY_INTERVAL : INBOUND_INVENTORY_INTERVAL;
        // Poisson-spaced batches, as Core trickles its inventory.
        const double u = (static_cast<double>(random.randbits(48)) + 1.0) / 281474976710657.0;
        peer.next_inv_send =
            now + PeerTime(static_cast<std::int64_t>(-std::log(u) *
                                                     static_cast<double>(interval.count())));
        std::vector<InvEntry> inv;
        std::size_t taken = 0;
        for (const Uint256& wtxid : peer.txs_to_announce) {
            if (inv.size() >= MAX_TX_ANNOUNCE_PER_BATCH) break;
            ++taken;
            const RelayEntry* entry = pool.find_wtxid(wtxid);
            if (entry == nullptr) continue;
            const Uint256& hash = peer.info.wtxid_relay ? entry->tx->wtxid() : entry->tx->txid();
            if (peer.known_txs.contains(hash)) continue;
            peer.known_txs.insert(hash);
            inv.push_back({peer.info.wtxid_relay ? inv_type::MSG_WTX : inv_type::MSG_TX, hash});
        }
        peer.txs_to_announce.erase(peer.txs_to_announce.begin(),
                                   peer.txs_to_announce.begin() +
                                       static_cast<std::ptrdiff_t>(taken));
        if (!inv.empty()) send(peer.id, command::INV, encode_inv(inv));
    }

    // --- Serving ----------------------------------------------------------------------
    void on_getheaders(PeerData& peer, ByteSpan payload, bool headers) {
        auto request = decode_block_locator(payload);
        if (!request) {
            if (request.error() == MessageError::too_many_entries) {
                return misbehaving(peer.id, format("{} locator size > {}",
                                                        headers ? "getheaders" : "getblocks",
                                                        MAX_LOCATOR_SZ));
            }
            return misbehaving(peer.id, format("malformed {} message",
                                                    headers ? "getheaders" : "getblocks"));
        }
        if (headers && chain.initial_block_download() &&
            !has_permission(peer, permissions::DOWNLOAD)) {
            log("net", format("ignoring getheaders from peer={} during initial block "
                                   "download", peer.id));
            return;
        }
        auto lock = chain.lock();
        const BlockIndex* start = nullptr;
        if (request->locator.empty()) {
            if (!headers) return;
            start = chain.lookup(request->stop_hash);
            if (start == nullptr) return;
        } else {
            const BlockIndex* fork = nullptr;
            for (const Uint256& hash : request->locator) {
                const BlockIndex* index = chain.lookup(hash);
                if (index != nullptr && chain.in_active_chain(index)) {
                    fork = index;
                    break;
                }
            }
            if (fork == nullptr) fork = chain.at_height(0);
            start = chain.next_in_active_chain(fork);
        }
        if (headers) {
            std::vector<BlockHeader> reply;
            for (const BlockIndex* index = start; index != nullptr;
                 index = chain.next_in_active_chain(index)) {
                reply.push_back(index->header());
                peer.last_block_announced = index;
                if (reply.size() >= MAX_HEADERS_RESULTS || index->hash == request->stop_hash) break;
            }
            if (!request->locator.empty() || !reply.empty()) {
                send(peer.id, command::HEADERS, encode_headers(reply));
            }
        } else {
            std::vector<InvEntry> reply;
            for (const BlockIndex* index = start; index != nullptr;
                 index = chain.next_in_active_chain(index)) {
                if (index->hash == request->stop_hash) break;
                reply.push_back({inv_type::MSG_BLOCK, index->hash});
                if (reply.size() >= MAX_GETBLOCKS_RESULTS) break;
            }
            if (!reply.empty()) send(peer.id, command::INV, encode_inv(reply));
        }
    }

    void on_getdata(PeerData& peer, ByteSpan payload) {
        auto entries = decode_inv(payload);
        if (!entries) {
            if (entries.error() == MessageError::too_many_entries) {
                return misbehaving(peer.id, "getdata message size > 50000");
            }
            return misbehaving(peer.id, "malformed getdata message");
        }
        if (peer.getdata_queue.size() + entries->size() > MAX_INV_SZ) {
            return misbehaving(peer.id, "too many getdata requests outstanding");
        }
        peer.getdata_queue.insert(peer.getdata_queue.end(), entries->begin(), entries->end());
        serve_getdata(peer);
    }

    // Whether a block may be given out: its data is here and it is in the active chain, or a
    // validated fork block (Core refuses others, so peers cannot probe what we have seen).
    bool can_serve(const BlockIndex* index) const {
        if (index == nullptr || (index->status & block_status::HAVE_DATA) == 0) return false;
        return chain.in_active_chain(index) || index->is_valid(block_status::VALID_SCRIPTS);
    }

    bool send_blocked(PeerId id) const {
        return options.send_backlog && options.send_backlog(id) > options.max_send_backlog;
    }

    // Answers up to MAX_GETDATA_SERVED_PER_CALL queued items; returns how many.
    std::size_t serve_getdata(PeerData& peer) {
        std::vector<InvEntry> not_found;
        std::size_t served = 0;
        if (send_blocked(peer.id)) return 0;
        while (!peer.getdata_queue.empty() && served < MAX_GETDATA_SERVED_PER_CALL) {
            const InvEntry entry = peer.getdata_queue.front();
            peer.getdata_queue.pop_front();
            ++served;
            const std::uint32_t base = entry.type & ~inv_type::MSG_WITNESS_FLAG;
            if (is_block_type(entry.type)) {
                if (!serve_block(peer, entry, base)) not_found.push_back(entry);
            } else if (is_tx_type(entry.type)) {
                const RelayEntry* found = base == inv_type::MSG_WTX
                                              ? pool.find_wtxid(entry.hash)
                                              : pool.find_txid(entry.hash);
                if (found == nullptr || !peer.relay_txs) {
                    not_found.push_back(entry);
                    continue;
                }
                const bool witness = base == inv_type::MSG_WTX ||
                                     (entry.type & inv_type::MSG_WITNESS_FLAG) != 0;
                send(peer.id, command::TX,
                     witness ? encode_tx_message(*found->tx)
                             : encode(*found->tx, TxFormat::no_witness));
            } else {
                not_found.push_back(entry);
            }
        }
        if (!not_found.empty()) send(peer.id, command::NOTFOUND, encode_inv(not_found));
        return served;
    }

    bool serve_block(PeerData& peer, const InvEntry& entry, std::uint32_t base) {
        auto lock = chain.lock();
        const BlockIndex* index = chain.lookup(entry.hash);
        if (!can_serve(index)) return false;
        const bool witness = (entry.type & inv_type::MSG_WITNESS_FLAG) != 0;
        if (base == inv_type::MSG_CMPCT_BLOCK && chain.tip()->height - index->height <
                                                     MAX_CMPCTBLOCK_DEPTH) {
            auto block = chain.read_block(index);
            if (!block) return false;
            send(peer.id, command::CMPCTBLOCK, encode_cmpctblock(make_compact(*block)));
            return true;
        }
        if (base == inv_type::MSG_FILTERED_BLOCK) return false;  // no bloom filters
        if (witness || base == inv_type::MSG_CMPCT_BLOCK) {
            auto bytes = chain.read_block_bytes(index);
            if (!bytes) return false;
            send(peer.id, command::BLOCK, std::move(*bytes));
        } else {
            auto block = chain.read_block(index);
            if (!block) return false;
            send(peer.id, command::BLOCK, encode(*block, TxFormat::no_witness));
        }
        return true;
    }

    CompactBlockMessage make_compact(const Block& block) {
        CompactBlockMessage compact;
        compact.header = block.header;
        compact.nonce = random.rand64();
        const ShortIdKeys keys = short_id_keys(block.header, compact.nonce);
        compact.prefilled.push_back(PrefilledTransaction{0, block.transactions.front()});
        for (std::size_t i = 1; i < block.transactions.size(); ++i) {
            compact.short_ids.push_back(short_id(keys, block.transactions[i]->wtxid()));
        }
        return compact;
    }

    void on_mempool(PeerData& peer) {
        if (!has_permission(peer, permissions::MEMPOOL)) {
            return disconnect(peer.id, "mempool request without the mempool permission");
        }
        std::vector<InvEntry> inv;
        for (const RelayEntry* entry : pool.entries()) {
            const Uint256& hash = peer.info.wtxid_relay ? entry->tx->wtxid() : entry->tx->txid();
            peer.known_txs.insert(hash);
            inv.push_back({peer.info.wtxid_relay ? inv_type::MSG_WTX : inv_type::MSG_TX, hash});
            if (inv.size() == MAX_INV_SZ) {
                send(peer.id, command::INV, encode_inv(inv));
                inv.clear();
            }
        }
        if (!inv.empty()) send(peer.id, command::INV, encode_inv(inv));
    }

    // --- Compact blocks ---------------------------------------------------------------
    void on_cmpctblock(PeerData& peer, ByteSpan payload) {
        auto decoded = decode_cmpctblock(payload);
        if (!decoded) {
            return misbehaving(peer.id, format("malformed cmpctblock message: {}",
                                                    to_string(decoded.error())));
        }
        const CompactBlockMessage& compact = *decoded;
        const Uint256 hash = compact.header.hash();
        peer.known_blocks.insert(hash);
        if (chain.lookup(compact.header.prev_block) == nullptr) {
            send_getheaders(peer, chain.best_header());
            return;
        }
        auto header = chain.process_new_header(compact.header);
        if (!header) {
            if (block_error_punishes(header.error().result)) {
                misbehaving(peer.id, format("invalid compact block header: {}",
                                                 to_string(header.error())));
            }
            return;
        }
        const BlockIndex* index = *header;
        downloader.update_best_known(peer.id, index);
        {
            auto lock = chain.lock();
            if ((index->status & block_status::HAVE_DATA) != 0) return;
            if (index->prev != chain.tip()) {
                // Not the next block: fetch it whole through the normal download.
                request_blocks(peer);
                return;
            }
        }
        // Rebuild from the relay pool.
        const std::size_t count = compact.short_ids.size() + compact.prefilled.size();
        PartialBlock partial;
        partial.header = compact.header;
        partial.slots.assign(count, nullptr);
        for (const PrefilledTransaction& prefilled : compact.prefilled) {
            if (prefilled.index >= count) {
                return misbehaving(peer.id, "compact block prefilled index out of range");
            }
            partial.slots[prefilled.index] = prefilled.tx;
        }
        const ShortIdKeys keys = short_id_keys(compact.header, compact.nonce);
        std::unordered_map<std::uint64_t, TransactionRef> by_short_id;
        for (const RelayEntry* entry : pool.entries()) {
            by_short_id.emplace(short_id(keys, entry->tx->wtxid()), entry->tx);
        }
        std::size_t next_short = 0;
        for (std::size_t i = 0; i < count; ++i) {
            if (partial.slots[i] != nullptr) continue;
            const std::uint64_t id = compact.short_ids[next_short++];
            auto found = by_short_id.find(id);
            if (found != by_short_id.end()) {
                partial.slots[i] = found->second;
            } else {
                partial.missing.push_back(static_cast<std::uint16_t>(i));
            }
        }
        if (partial.missing.empty()) {
            finish_compact(peer, std::move(partial));
            return;
        }
        BlockTxnRequest request{hash, partial.missing};
        peer.partial = std::move(partial);
        downloader.requested(peer.id, index, now);
        send(peer.id, command::GETBLOCKTXN, encode_getblocktxn(request));
    }

    void finish_compact(PeerData& peer, PartialBlock partial) {
        Block block;
        block.header = partial.header;
        block.transactions = std::move(partial.slots);
        const Uint256 hash = block.hash();
        // A short-id collision gives a block that does not match its merkle root: fetch the
        // whole block instead of blaming the peer.
        if (!check_block(block, chain.params().consensus, false, true)) {
            if (const BlockIndex* index = chain.lookup(hash)) {
                if (!downloader.is_in_flight(hash)) downloader.requested(peer.id, index, now);
            }
            send(peer.id, command::GETDATA,
                 encode_inv({InvEntry{inv_type::MSG_WITNESS_BLOCK, hash}}));
            return;
        }
        accept_block(&peer, peer.id, block);
    }

    void on_blocktxn(PeerData& peer, ByteSpan payload) {
        auto decoded = decode_blocktxn(payload);
        if (!decoded) return misbehaving(peer.id, "malformed blocktxn message");
        if (!peer.partial || peer.partial->header.hash() != decoded->block_hash) return;
        PartialBlock partial = std::move(*peer.partial);
        peer.partial.reset();
        if (decoded->transactions.size() != partial.missing.size()) {
            return misbehaving(peer.id, "blocktxn with the wrong transaction count");
        }
        for (std::size_t i = 0; i < partial.missing.size(); ++i) {
            partial.slots[partial.missing[i]] = decoded->transactions[i];
        }
        finish_compact(peer, std::move(partial));
    }

    void on_getblocktxn(PeerData& peer, ByteSpan payload) {
        auto request = decode_getblocktxn(payload);
        if (!request) return misbehaving(peer.id, "malformed getblocktxn message");
        auto lock = chain.lock();
        const BlockIndex* index = chain.lookup(request->block_hash);
        if (!can_serve(index)) return;
        if (chain.tip()->height - index->height >= MAX_BLOCKTXN_DEPTH) {
            peer.getdata_queue.push_back({inv_type::MSG_WITNESS_BLOCK, index->hash});
            serve_getdata(peer);
            return;
        }
        auto block = chain.read_block(index);
        if (!block) return;
        BlockTxnMessage reply;
        reply.block_hash = request->block_hash;
        for (std::uint16_t i : request->indexes) {
            if (i >= block->transactions.size()) {
                return misbehaving(peer.id, "getblocktxn with out-of-bounds tx indices");
            }
            reply.transactions.push_back(block->transactions[i]);
        }
        send(peer.id, command::BLOCKTXN, encode_blocktxn(reply));
    }

    // --- Dispatch ---------------------------------------------------------------------
    void process(PeerId id, std::string_view command, ByteSpan payload) {
        PeerData* peer = find(id);
        if (peer == nullptr) return;
        if (command == command::HEADERS) return on_headers(*peer, payload);
        if (command == command::INV) return on_inv(*peer, payload);
        if (command == command::GETDATA) return on_getdata(*peer, payload);
        if (command == command::BLOCK) return on_block(*peer, payload);
        if (command == command::TX) return on_tx(*peer, payload);
        if (command == command::GETHEADERS) return on_getheaders(*peer, payload, true);
        if (command == command::GETBLOCKS) return on_getheaders(*peer, payload, false);
        if (command == command::NOTFOUND) return on_notfound(*peer, payload);
        if (command == command::CMPCTBLOCK) return on_cmpctblock(*peer, payload);
        if (command == command::BLOCKTXN) return on_blocktxn(*peer, payload);
        if (command == command::GETBLOCKTXN) return on_getblocktxn(*peer, payload);
        if (command == command::MEMPOOL) return on_mempool(*peer);
        if (command == command::SENDHEADERS) {
            peer->prefers_headers = true;
            return;
        }
        if (command == command::SENDCMPCT) {
            auto message = decode_sendcmpct(payload);
            if (!message) return misbehaving(id, "malformed sendcmpct message");
            if (message->version == CMPCTBLOCKS_VERSION) {
                peer->compact_v2 = true;
                peer->wants_compact_push = message->announce;
            }
            return;
        }
        if (command == command::FEEFILTER) {
            auto rate = decode_feefilter(payload);
            if (!rate) return misbehaving(id, "malformed feefilter message");
            if (*rate >= 0 && *rate <= MAX_MONEY) peer->fee_filter = *rate;
            return;
        }
        log("net", format("unknown or unhandled message \"{}\" from peer={}",
                               std::string(command), id));
    }

    // --- Periodic work ----------------------------------------------------------------
    void announce_new_blocks() {
        const BlockIndex* tip = chain.tip();
        if (tip == last_tip) return;
        const BlockIndex* fork = last_tip != nullptr ? last_common_ancestor(last_tip, tip) : nullptr;
        const bool reorg = last_tip != nullptr && fork != last_tip;
        // The blocks that became active, oldest first.
        std::vector<const BlockIndex*> connected;
        for (const BlockIndex* index = tip; index != nullptr && index != fork;
             index = index->prev) {
            connected.push_back(index);
            if (connected.size() > static_cast<std::size_t>(MAX_BLOCKS_TO_ANNOUNCE)) break;
        }
        std::reverse(connected.begin(), connected.end());
        const bool many = connected.size() > static_cast<std::size_t>(MAX_BLOCKS_TO_ANNOUNCE);
        last_tip = tip;

        for (const BlockIndex* index : connected) {
            downloader.block_connected();
            auto block = chain.read_block(index);
            if (block) pool.remove_for_block(*block);
        }
        if (reorg) pool.remove_unspendable(chain);
        if (chain.initial_block_download()) return;

        std::optional<Block> tip_block;
        for (auto& [id, peer] : peers) {
            if (peer.type == ConnectionType::feeler || peer.type == ConnectionType::addr_fetch) {
                continue;
            }
            if (peer.known_blocks.contains(tip->hash)) continue;
            if (const BlockIndex* best = downloader.best_known(id);
                best != nullptr && best->ancestor(tip->height) == tip) {
                continue;
            }
            if (peer.wants_compact_push && peer.compact_v2 && connected.size() == 1) {
                if (!tip_block) {
                    auto read = chain.read_block(tip);
                    if (read) tip_block = std::move(*read);
                }
                if (tip_block) {
                    send(id, command::CMPCTBLOCK, encode_cmpctblock(make_compact(*tip_block)));
                    peer.known_blocks.insert(tip->hash);
                    peer.last_block_announced = tip;
                    continue;
                }
            }
            if (peer.prefers_headers && !many) {
                std::vector<BlockHeader> headers;
                for (const BlockIndex* index : connected) {
                    if (peer.known_blocks.contains(index->hash)) continue;
                    headers.push_back(index->header());
                }
                if (!headers.empty()) {
                    send(id, command::HEADERS, encode_headers(headers));
                    peer.known_blocks.insert(tip->hash);
                    peer.last_block_announced = tip;
                    continue;
                }
            }
            send(id, command::INV, encode_inv({InvEntry{inv_type::MSG_BLOCK, tip->hash}}));
            peer.known_blocks.insert(tip->hash);
            peer.last_block_announced = tip;
        }
    }

    void expire_tx_requests() {
        for (auto it = tx_requests.begin(); it != tx_requests.end();) {
            if (now - it->second.time < TX_REQUEST_TIMEOUT) {
                ++it;
                continue;
            }
            const PeerId before = it->second.peer;
            retry_tx_request(it);
            if (it->second.peer == before) {
                it = tx_requests.erase(it);
            } else {
                ++it;
            }
        }
    }

    void periodic() {
        announce_new_blocks();
        const auto spacing = std::chrono::seconds(chain.params().consensus.pow_target_spacing);
        for (const auto& [id, why] : downloader.check_timeouts(now, spacing)) {
            log("net", why);
            disconnect(id, why);
        }
        for (auto& [id, peer] : peers) {
            maybe_start_sync(peer);
            request_blocks(peer);
            send_tx_announcements(peer);
        }
        expire_tx_requests();
    }
};

PeerManager::PeerManager(ChainState& chain, PeerManagerOptions options)
    : impl_(std::make_unique<Impl>(chain, options)) {}

PeerManager::~PeerManager() = default;

void PeerManager::peer_connected(const PeerConnected& peer, PeerTime now) {
    std::lock_guard guard(mutex_);
    impl_->now = now;
    impl_->connected(peer);
}

void PeerManager::peer_disconnected(PeerId id) {
    std::lock_guard guard(mutex_);
    impl_->disconnected(id);
}

void PeerManager::process_message(PeerId id, std::string_view command, ByteSpan payload,
                                  PeerTime now) {
    std::lock_guard guard(mutex_);
    impl_->now = now;
    impl_->process(id, command, payload);
}

void PeerManager::tick(PeerTime now) {
    std::lock_guard guard(mutex_);
    impl_->now = now;
    impl_->periodic();
}

bool PeerManager::process_pending(PeerTime now) {
    std::lock_guard guard(mutex_);
    impl_->now = now;
    bool remaining = false;
    for (auto& [id, peer] : impl_->peers) {
        if (peer.getdata_queue.empty()) continue;
        if (impl_->serve_getdata(peer) > 0 && !peer.getdata_queue.empty()) remaining = true;
    }
    return remaining;
}

Result<Uint256, TxValidationError> PeerManager::submit_transaction(const TransactionRef& tx,
                                                                   PeerTime now) {
    std::lock_guard guard(mutex_);
    impl_->now = now;
    if (impl_->pool.find_wtxid(tx->wtxid()) != nullptr) return tx->txid();
    auto accepted = impl_->accept_transaction(tx);
    if (!accepted) return fail(accepted.error());
    return tx->txid();
}

std::optional<PeerSyncStats> PeerManager::sync_stats(PeerId id) const {
    std::lock_guard guard(mutex_);
    auto it = impl_->peers.find(id);
    if (it == impl_->peers.end()) return std::nullopt;
    const Impl::PeerData& peer = it->second;
    PeerSyncStats stats;
    stats.relay_transactions = peer.relay_txs;
    stats.fee_filter = peer.fee_filter;
    auto lock = impl_->chain.lock();
    if (const BlockIndex* best = impl_->downloader.best_known(id)) {
        stats.synced_headers = best->height;
        const BlockIndex* common = last_common_ancestor(best, impl_->chain.tip());
        stats.synced_blocks = common != nullptr ? common->height : -1;
    }
    for (const BlockIndex* block : impl_->downloader.in_flight(id)) {
        stats.inflight.push_back(block->height);
    }
    return stats;
}

std::size_t PeerManager::relay_pool_size() const {
    std::lock_guard guard(mutex_);
    return impl_->pool.size();
}

std::vector<PeerManagerAction> PeerManager::take_actions() {
    std::lock_guard guard(mutex_);
    return std::exchange(impl_->actions, {});
}

}  // namespace bitloom
