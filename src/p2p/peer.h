// The per-peer protocol state machine: the version handshake, feature negotiation, ping/pong
// liveness and the inactivity timeouts, as Bitcoin Core's net_processing and CConnman do them,
// with no sockets and no clock of its own.
//
// Inputs are events: connected(now), received(bytes, now), tick(now), and the owner's send()
// and disconnect(). Outputs are queued actions (take_actions()): bytes to write, a disconnect
// with its reason, and notifications (handshake complete, an application message, a note for
// the log). Time is always passed in, so tests drive the machine with a simulated clock.
//
// The handshake, as seen from one side (either side may be the one that connected):
//   outbound:  connected  -> send version                         state awaiting_version
//   inbound:   connected                                          state awaiting_version
//   version received, accepted:
//              inbound: send version; both: send wtxidrelay, sendaddrv2 (when the common
//              version is >= 70016), then verack                  state awaiting_verack
//   verack received: notify HandshakeComplete, send sendheaders (common version >= 70012)
//              and sendcmpct(announce false, version 2) (>= 70014) as Core does,
//              start pinging                                      state ready
//
// What is accepted in each state (Core's ProcessMessage order):
//   - before version: every other message is ignored with a note (Core does not disconnect).
//   - version: rejected (disconnect) when below MIN_PEER_PROTO_VERSION, when an outbound peer
//     lacks PeerConfig::required_services, or when an inbound peer echoes one of our own
//     outstanding nonces (a connection to ourselves). A second version is ignored with a note.
//   - wtxidrelay, sendaddrv2: recorded between version and verack; after verack they
//     disconnect. wtxidrelay from a peer whose common version is below 70016 is ignored.
//   - before verack: every other message is ignored with a note, pings included (Core handles
//     ping only once the handshake is complete).
//   - after verack: ping is answered with a pong of the same nonce; a pong with the
//     outstanding ping's nonce records the round trip (last_ping, min_ping); sendheaders and
//     sendcmpct are recorded in PeerInfo and also passed on; every other message is passed on
//     to the owner as an ApplicationMessage.
//
// Malformed payloads of the messages this class parses (version, ping, sendcmpct) disconnect
// the peer. (Core drops such a message with a logged exception; a peer that cannot encode
// the handshake is not worth keeping.) A pong shorter than 8 bytes, or with nonce 0, cancels
// the outstanding ping as Core's ProcessPong does; a pong with another nonce is ignored.
// Framing errors disconnect; messages dropped by the decoder (bad checksum, invalid command)
// are counted and ignored. The decoder bounds what one peer can make us buffer.
//
// Timeouts (Core's CConnman::InactivityCheck and PeerManager::MaybeSendPing), checked in tick():
//   - only once now > connected + PEER_CONNECT_TIMEOUT (60 s):
//       nothing received or nothing sent yet        -> "socket no message in first 60 seconds"
//       nothing sent for TIMEOUT_INTERVAL (20 min)   -> "socket sending timeout"
//       nothing received for TIMEOUT_INTERVAL        -> "socket receive timeout"
//       handshake not complete                       -> "version handshake timeout"
//       a ping outstanding for more than TIMEOUT_INTERVAL -> "ping timeout"
//   - once ready: a ping is sent when none is outstanding and more than PING_INTERVAL (2 min)
//     has passed since the last one was sent (the first one right after the handshake), or
//     when the owner asked for one (request_ping).
//     Ping nonces come from the caller's random source and are never 0.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "p2p/messages.h"
#include "p2p/net_address.h"
#include "p2p/protocol.h"
#include "util/bytes.h"

namespace bitloom {

// Time as the caller's clock gives it: microseconds since the Unix epoch (the version message
// carries it in seconds).
using PeerTime = std::chrono::microseconds;

// Core's protocol constants.
inline constexpr std::int32_t PROTOCOL_VERSION = 70016;
inline constexpr std::int32_t MIN_PEER_PROTO_VERSION = 31800;
inline constexpr std::int32_t BIP0031_VERSION = 60000;         // pings carry a nonce after it
inline constexpr std::int32_t SENDHEADERS_VERSION = 70012;
inline constexpr std::int32_t SHORT_IDS_BLOCKS_VERSION = 70014;
inline constexpr std::int32_t WTXID_RELAY_VERSION = 70016;
inline constexpr std::uint64_t CMPCTBLOCKS_VERSION = 2;
inline constexpr std::uint64_t DEFAULT_LOCAL_SERVICES =
    services::NODE_NETWORK | services::NODE_WITNESS | services::NODE_NETWORK_LIMITED;
inline constexpr PeerTime PEER_CONNECT_TIMEOUT = std::chrono::seconds(60);
inline constexpr PeerTime PING_INTERVAL = std::chrono::minutes(2);
inline constexpr PeerTime TIMEOUT_INTERVAL = std::chrono::minutes(20);

enum class PeerDirection { inbound, outbound };

enum class PeerState {
    connecting,        // constructed, connected() not yet called
    awaiting_version,  // waiting for the peer's version
    awaiting_verack,   // version accepted and verack sent; waiting for the peer's verack
    ready,             // handshake complete
    disconnected,      // a Disconnect action was queued; every later input is ignored
};
std::string_view to_string(PeerState state);

enum class DisconnectReason {
    framing_error,        // the decoder hit a FramingError (wrong magic, message too large)
    malformed_message,    // a payload this class parses did not decode
    obsolete_version,     // peer version below MIN_PEER_PROTO_VERSION
    missing_services,     // an outbound peer without PeerConfig::required_services
    self_connection,      // an inbound peer sent one of our outstanding nonces
    late_negotiation,     // wtxidrelay or sendaddrv2 after verack
    no_message,           // nothing received or sent in the first PEER_CONNECT_TIMEOUT
    send_timeout,         // nothing sent for TIMEOUT_INTERVAL
    receive_timeout,      // nothing received for TIMEOUT_INTERVAL
    handshake_timeout,    // the handshake did not finish within PEER_CONNECT_TIMEOUT
    ping_timeout,         // no matching pong within TIMEOUT_INTERVAL
    requested,            // the owner called disconnect()
};
std::string_view to_string(DisconnectReason reason);

// Our side of the connection. The callbacks are called synchronously from the event methods.
struct PeerConfig {
    MessageStart magic{};
    std::uint64_t services = DEFAULT_LOCAL_SERVICES;
    std::int32_t protocol_version = PROTOCOL_VERSION;
    std::string user_agent;  // e.g. "/bitloom:0.1.0/"; at most MAX_SUBVERSION_LENGTH bytes
    // Our best height when our version is sent; empty means 0.
    std::function<std::int32_t()> start_height;
    bool relay = true;  // version's relay flag (false for blocks-only / block-relay-only)
    // The nonce in our version message. The owner keeps the nonces of its outbound
    // connections that have not completed the handshake, and answers is_local_nonce with them.
    std::uint64_t nonce = 0;
    std::function<bool(std::uint64_t)> is_local_nonce;  // empty: no self-connection check
    // 64 random bits for ping nonces (required).
    std::function<std::uint64_t()> random_u64;
    PeerDirection direction = PeerDirection::outbound;
    NetService address;                 // the peer's address
    std::uint64_t address_services = 0; // what we know of the peer's services (version's addr_recv)
    // Outbound only: services the peer must offer, else it is disconnected (Core's
    // HasAllDesirableServiceFlags, which the owner skips for feelers and manual connections).
    std::uint64_t required_services = 0;
    // Send sendheaders and sendcmpct after verack as Core does; false leaves both to the owner.
    bool announce_after_verack = true;
};

// What the peer told us, and what it negotiated.
struct PeerInfo {
    std::int32_t version = 0;         // 0 until its version is accepted
    std::int32_t common_version = 0;  // min(ours, theirs)
    std::uint64_t services = 0;
    std::int64_t time = 0;            // its clock, seconds since the epoch
    NetService addr_recv;             // how it sees us
    std::uint64_t nonce = 0;
    std::string user_agent;           // as received (not sanitised)
    std::int32_t start_height = -1;
    bool relay = true;
    bool wtxid_relay = false;         // BIP339 negotiated
    bool wants_addrv2 = false;        // BIP155 sendaddrv2 received
    bool prefers_headers = false;     // BIP130 sendheaders received
    bool compact_blocks = false;      // BIP152 sendcmpct with version 2 received
    bool compact_blocks_high_bandwidth = false;  // ... with announce set (the latest one)
    friend bool operator==(const PeerInfo&, const PeerInfo&) = default;
};

// Actions, in the order they must be performed.
struct SendBytes {
    std::string command;
    Bytes bytes;  // a whole framed message
};
struct Disconnect {
    DisconnectReason reason;
    std::string message;  // for the log: Core's wording plus the detail
};
struct HandshakeComplete {
    PeerInfo info;
};
struct ApplicationMessage {
    std::string command;
    Bytes payload;
};
// Something ignored or noteworthy, for the owner's log (Core's LogPrint lines).
struct PeerNote {
    std::string text;
};
using PeerAction = std::variant<SendBytes, Disconnect, HandshakeComplete, ApplicationMessage,
                                PeerNote>;

class Peer {
public:
    // `config.random_u64` must be set and `config.user_agent` fit MAX_SUBVERSION_LENGTH.
    explicit Peer(PeerConfig config);

    // The connection is established at `now`. Outbound peers send their version. Called once;
    // later calls are ignored, and so is every input before it.
    void connected(PeerTime now);
    // Bytes from the socket, in chunks of any size. Processes every complete message, then
    // sends a ping if one is due.
    void received(ByteSpan data, PeerTime now);
    // Checks the timeouts and sends a ping if one is due. Call at least every few seconds.
    void tick(PeerTime now);
    // Queues a message from the owner. `command` must satisfy is_valid_command_name and the
    // payload fit MAX_PROTOCOL_MESSAGE_LENGTH. Ignored once disconnected. The send counts as
    // activity at the latest `now` the peer was given (for the send timeout).
    void send(std::string_view command, ByteSpan payload);
    // The owner ends the connection (DisconnectReason::requested).
    void disconnect(std::string_view why);
    // Sends a ping at the next tick() or received() once ready, even when one is outstanding
    // (its nonce then replaces the outstanding one), as Core's pingall RPC does.
    void request_ping() { ping_queued_ = true; }

    // The actions queued since the last call, oldest first.
    std::vector<PeerAction> take_actions();

    PeerState state() const { return state_; }
    PeerDirection direction() const { return config_.direction; }
    const NetService& address() const { return config_.address; }
    const PeerInfo& info() const { return info_; }

    // Round trips of matching pongs: the latest and the smallest, nullopt before the first.
    std::optional<PeerTime> last_ping() const { return last_ping_; }
    std::optional<PeerTime> min_ping() const { return min_ping_; }
    // How long the outstanding ping has waited at `now`; nullopt when none is outstanding.
    std::optional<PeerTime> ping_wait(PeerTime now) const;

    // getpeerinfo's bytessent_per_msg / bytesrecv_per_msg: whole messages (header included)
    // per command. Received commands outside Core's list, and dropped messages, are counted
    // under "*other*".
    const std::map<std::string, std::uint64_t>& bytes_sent_per_command() const {
        return bytes_sent_;
    }
    const std::map<std::string, std::uint64_t>& bytes_received_per_command() const {
        return bytes_received_;
    }
    std::uint64_t bytes_sent() const { return total_sent_; }
    std::uint64_t bytes_received() const { return total_received_; }
    // Messages dropped by the decoder (bad checksum, invalid command).
    std::uint64_t dropped_messages() const { return dropped_messages_; }
    // Messages ignored by the state machine (out of order, redundant, mismatched pongs).
    std::uint64_t ignored_messages() const { return ignored_messages_; }

private:
    // Constructs the action in place (a temporary variant trips GCC 12's
    // -Wmaybe-uninitialized on PeerInfo).
    template <typename Action, typename... Args>
    void queue(Args&&... args) {
        actions_.emplace_back(std::in_place_type<Action>, std::forward<Args>(args)...);
    }
    void send_version(PeerTime now);
    void send_message(std::string_view command, ByteSpan payload);
    void fail(DisconnectReason reason, std::string message);
    void ignore(std::string text);
    void note(std::string text);
    void handle(ReceivedMessage message, PeerTime now);
    void on_version(ByteSpan payload, PeerTime now);
    void on_verack();
    void on_ping(ByteSpan payload);
    void on_pong(ByteSpan payload, PeerTime now);
    void maybe_send_ping(PeerTime now);
    void check_timeouts(PeerTime now);

    PeerConfig config_;
    PeerState state_ = PeerState::connecting;
    MessageDecoder decoder_;
    PeerInfo info_;
    std::vector<PeerAction> actions_;

    PeerTime connected_at_{};
    std::optional<PeerTime> last_send_;
    std::optional<PeerTime> last_receive_;
    PeerTime clock_{};  // the latest `now` seen, for sends made outside an event

    std::uint64_t ping_nonce_ = 0;  // 0: no ping outstanding
    bool ping_queued_ = false;      // request_ping() was called
    std::optional<PeerTime> ping_start_;
    std::optional<PeerTime> last_ping_;
    std::optional<PeerTime> min_ping_;

    std::map<std::string, std::uint64_t> bytes_sent_;
    std::map<std::string, std::uint64_t> bytes_received_;
    std::uint64_t total_sent_ = 0;
    std::uint64_t total_received_ = 0;
    std::uint64_t dropped_messages_ = 0;
    std::uint64_t ignored_messages_ = 0;
};

}  // namespace bitloom
