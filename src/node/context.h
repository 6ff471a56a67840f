// What the node's parts share: the composition root (node.h) fills one NodeContext and hands
// it to the RPC method groups, which keep a reference for their handlers.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>

#include "chain/chainstate.h"
#include "consensus/chainparams.h"
#include "node/config.h"
#include "node/logging.h"

namespace bitloom {
class NetworkService;
class PeerManager;
}  // namespace bitloom

namespace bitloom {

struct NodeContext {
    const ChainParams* params = nullptr;
    const Settings* settings = nullptr;
    Logger* logger = nullptr;
    ChainState* chain = nullptr;  // null until the chain state is loaded
    // The P2P layer (net/network_service.h, peerman/peer_manager.h); null until it is
    // started (after the chain state) and after shutdown began. RPC handlers check for null
    // and answer Core's "Error: Peer-to-peer functionality missing or disabled".
    NetworkService* network = nullptr;
    PeerManager* peers = nullptr;

    // -mocktime / setmocktime: seconds since the epoch, 0 for the system clock.
    std::atomic<std::int64_t> mock_time{0};
    std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
    // Asks the node to shut down; returns at once (the `stop` RPC, signals).
    std::function<void()> request_shutdown;

    // The node's clock in seconds: the mock time when set, the system clock otherwise.
    std::int64_t now() const {
        const std::int64_t mock = mock_time.load();
        if (mock != 0) return mock;
        return std::chrono::duration_cast<std::chrono::seconds>(
                   std::chrono::system_clock::now().time_since_epoch())
            .count();
    }
};

}  // namespace bitloom
