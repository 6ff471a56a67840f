// Message processing: what the node does with the application messages of its peers once
// their handshake is complete (Bitcoin Core's PeerManager / net_processing), without sockets
// and without a clock: events and time in, actions out.
//
// Inputs: peer_connected / peer_disconnected / process_message (from the connection manager,
// p2p/connection_manager.h), tick(now) about every 100 ms, and submit_transaction (RPC).
// Outputs (take_actions): messages to send, disconnects, misbehaviour reports (the connection
// manager disconnects and discourages), "useful peer" notes for eviction, and log lines.
//
// Chain sync (headers first):
//   - getheaders (locator from the best header's parent) goes to every outbound peer after its
//     handshake, and to one inbound peer while no outbound peer is syncing. A full headers
//     reply (2,000) is followed by the next getheaders. Unknown announced blocks (inv) are
//     answered with getheaders.
//   - headers: more than 2,000, non-continuous sequences, and headers the chain rejects as
//     invalid are misbehaviour; headers that do not connect are answered with getheaders, and
//     the tenth such message in a row is misbehaviour. While the chain's best header has less
//     work than ChainParams' minimum chain work, a peer's low-work headers are first checked
//     by a HeadersSyncState (peerman/headers_sync.h) and stored only once their chain has
//     enough work.
//   - blocks are fetched in parallel from every peer whose headers lead to more work than our
//     tip (peerman/block_download.h: 16 in flight per peer, a 1,024-block window, stalling
//     and download timeouts disconnect the slow peer); blocks go to ChainState::
//     process_new_block; an invalid block (other than time-too-new or missing data) is
//     misbehaviour of the peer that sent it.
// Serving: getheaders (up to 2,000 from the locator's fork point; ignored during initial
// block download from peers without the download permission), getblocks (up to 500 inv),
// getdata for blocks (witness or not; compact when asked and recent), transactions (from the
// relay pool) and notfound otherwise; at most MAX_GETDATA_SERVED_PER_CALL items are answered
// per message, the rest waiting for process_pending(), so a large getdata cannot monopolise
// the processing thread.
// Announcing: new tip blocks go to each peer as headers (if it sent sendheaders), as a
// compact block (if it asked for high-bandwidth compact blocks), else as inv. Transactions
// accepted into the relay pool (peerman/tx_relay.h) are announced by wtxid or txid inv to
// full-relay peers whose feefilter they meet, trickled in batches.
// Compact blocks (BIP152 version 2): cmpctblock is rebuilt from the relay pool; missing
// transactions are asked for with getblocktxn; a cmpctblock that does not build on a known
// block falls back to headers sync; getblocktxn is answered for recent blocks.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "chain/chainstate.h"
#include "crypto/random.h"
#include "p2p/connection_manager.h"
#include "p2p/messages.h"
#include "peerman/block_download.h"
#include "peerman/tx_relay.h"

namespace bitloom {

struct SendMessage {
    PeerId peer;
    std::string command;
    Bytes payload;
};
struct DisconnectPeer {
    PeerId peer;
    std::string why;
};
struct PeerMisbehaved {
    PeerId peer;
    std::string why;
};
struct PeerUseful {
    PeerId peer;
    ConnectionManager::Useful what;
};
struct PeerLog {
    std::string category;  // "net", "validation", "" (always)
    std::string text;
};
using PeerManagerAction = std::variant<SendMessage, DisconnectPeer, PeerMisbehaved, PeerUseful,
                                       PeerLog>;

struct PeerManagerOptions {
    bool blocks_only = false;    // -blocksonly: no transaction relay
    Uint256 random_seed;         // fixed in tests, random in the node
    std::int64_t fee_filter = 1000;  // sat/kvB sent in feefilter to full-relay peers
    // Bytes queued for a peer and not yet written to its socket. While it is above
    // max_send_backlog, getdata requests wait (Core's fPauseSend). Empty: no limit.
    std::function<std::size_t(PeerId)> send_backlog;
    std::size_t max_send_backlog = 1'000'000;
};

// What getpeerinfo shows of a peer's sync state.
struct PeerSyncStats {
    int synced_headers = -1;  // height of the best header we know the peer has
    int synced_blocks = -1;   // height of the best block we know the peer has
    std::vector<int> inflight;  // heights of blocks in flight from it
    bool relay_transactions = false;
    std::int64_t fee_filter = 0;
    int presynced_headers = -1;
};

class PeerManager {
public:
    static constexpr std::size_t MAX_GETDATA_SERVED_PER_CALL = 16;
    static constexpr int MAX_UNCONNECTING_HEADERS = 10;
    static constexpr int MAX_BLOCKS_TO_ANNOUNCE = 8;
    static constexpr std::size_t MAX_KNOWN_INVENTORY = 50'000;

    PeerManager(ChainState& chain, PeerManagerOptions options);
    ~PeerManager();

    void peer_connected(const PeerConnected& peer, PeerTime now);
    void peer_disconnected(PeerId id);
    void process_message(PeerId id, std::string_view command, ByteSpan payload, PeerTime now);
    // Block requests, stall checks, announcements of new blocks and transactions.
    void tick(PeerTime now);
    // Serves queued getdata items; true when it served some and more remain (items waiting
    // for a send backlog to drain do not count).
    bool process_pending(PeerTime now);

    // sendrawtransaction: checks the transaction, adds it to the relay pool and announces it.
    Result<Uint256, TxValidationError> submit_transaction(const TransactionRef& tx, PeerTime now);

    std::optional<PeerSyncStats> sync_stats(PeerId id) const;
    std::size_t relay_pool_size() const;

    std::vector<PeerManagerAction> take_actions();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    mutable std::mutex mutex_;
};

}  // namespace bitloom
