// The node's peer-to-peer side: turns the settings into the I/O layer's and the connection
// manager's options, starts the network service (net/network_service.h), and runs the
// message-processing thread that feeds the peer manager (peerman/peer_manager.h) and carries
// out what it asks for.
//
// Threads: the network service's I/O thread (sockets, framing, handshakes, pings, addr
// gossip) and one processing thread here (headers, blocks, transactions, serving data). A
// slow block therefore delays other peers' block and transaction messages, as in Core, but
// never their pings or the handshakes of new peers.
#pragma once

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>

#include "chain/chainstate.h"
#include "consensus/chainparams.h"
#include "net/network_service.h"
#include "node/config.h"
#include "node/context.h"
#include "node/logging.h"
#include "peerman/peer_manager.h"
#include "util/result.h"

namespace bitloom {

// The network service's options from the settings (Core's option rules: -connect turns off
// automatic connections, DNS seeds and, unless -listen is given, listening; -proxy turns off
// listening by default; -maxconnections=0 turns off both). Errors are Core's start-up
// messages ("Invalid port specified in -port: '70000'", "Unknown network specified in
// -onlynet: 'x'", ...).
Result<NetworkServiceOptions, std::string> network_options(const Settings& settings,
                                                           const ChainParams& params,
                                                           const std::filesystem::path& chain_dir);

// The user agent with the -uacomment values (Core's rules: each comment only of the characters
// letters, digits and " .,;-_/:?@()", and the whole string at most 256 bytes).
Result<std::string, std::string> node_user_agent(const Settings& settings);

class NodeNetwork {
public:
    // Starts listening and connecting, and the processing thread. `chain`, `logger` and
    // `context` must outlive the object; context.network and context.peers are set here.
    static Result<std::unique_ptr<NodeNetwork>, std::string> start(const Settings& settings,
                                                                   const ChainParams& params,
                                                                   ChainState& chain,
                                                                   Logger& logger,
                                                                   NodeContext& context,
                                                                   const std::filesystem::path& chain_dir);
    ~NodeNetwork();
    // Stops the processing thread, closes every connection and saves peers.dat and
    // banlist.dat; clears context.network and context.peers first.
    void stop();

    NetworkService& service() { return *service_; }
    PeerManager& peers() { return *peers_; }

private:
    NodeNetwork(ChainState& chain, Logger& logger, NodeContext& context);
    void run();
    void perform(std::vector<PeerManagerAction> actions);
    PeerTime now() const;

    ChainState& chain_;
    Logger& logger_;
    NodeContext& context_;
    std::unique_ptr<NetworkService> service_;
    std::unique_ptr<PeerManager> peers_;
    std::atomic<bool> stopping_{false};
    std::thread thread_;
};

}  // namespace bitloom
