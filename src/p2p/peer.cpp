#include "p2p/peer.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <sstream>
#include <utility>

#include "util/endian.h"

namespace bitloom {

namespace {

// Core's ALL_NET_MESSAGE_TYPES: received bytes are counted per command only for these.
constexpr std::array<std::string_view, 35> KNOWN_COMMANDS = {
    "version",    "verack",      "addr",         "addrv2",      "sendaddrv2", "inv",
    "getdata",    "merkleblock", "getblocks",    "getheaders",  "tx",         "headers",
    "block",      "getaddr",     "mempool",      "ping",        "pong",       "notfound",
    "filterload", "filteradd",   "filterclear",  "sendheaders", "feefilter",  "sendcmpct",
    "cmpctblock", "getblocktxn", "blocktxn",     "getcfilters", "cfilter",    "getcfheaders",
    "cfheaders",  "getcfcheckpt", "cfcheckpt",   "wtxidrelay",  "sendtxrcncl",
};
constexpr std::string_view OTHER_COMMAND = "*other*";

bool is_known_command(std::string_view command) {
    return std::find(KNOWN_COMMANDS.begin(), KNOWN_COMMANDS.end(), command) !=
           KNOWN_COMMANDS.end();
}

std::string seconds(PeerTime time) {
    return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(time).count());
}

std::string hex64(std::uint64_t value) {
    std::ostringstream out;
    out << std::hex << value;
    return out.str();
}

}  // namespace

std::string_view to_string(PeerState state) {
    switch (state) {
    case PeerState::connecting: return "connecting";
    case PeerState::awaiting_version: return "awaiting version";
    case PeerState::awaiting_verack: return "awaiting verack";
    case PeerState::ready: return "ready";
    case PeerState::disconnected: return "disconnected";
    }
    return "unknown state";
}

std::string_view to_string(DisconnectReason reason) {
    switch (reason) {
    case DisconnectReason::framing_error: return "framing error";
    case DisconnectReason::malformed_message: return "malformed message";
    case DisconnectReason::obsolete_version: return "obsolete version";
    case DisconnectReason::missing_services: return "missing services";
    case DisconnectReason::self_connection: return "connected to self";
    case DisconnectReason::late_negotiation: return "feature negotiation after verack";
    case DisconnectReason::no_message: return "no message";
    case DisconnectReason::send_timeout: return "send timeout";
    case DisconnectReason::receive_timeout: return "receive timeout";
    case DisconnectReason::handshake_timeout: return "version handshake timeout";
    case DisconnectReason::ping_timeout: return "ping timeout";
    case DisconnectReason::requested: return "requested";
    }
    return "unknown disconnect reason";
}

Peer::Peer(PeerConfig config) : config_(std::move(config)), decoder_(config_.magic) {
    assert(config_.random_u64);
    assert(config_.user_agent.size() <= MAX_SUBVERSION_LENGTH);
}

void Peer::connected(PeerTime now) {
    if (state_ != PeerState::connecting) return;
    clock_ = now;
    connected_at_ = now;
    state_ = PeerState::awaiting_version;
    // Inbound peers stay quiet until they hear a version (Core: "be shy").
    if (config_.direction == PeerDirection::outbound) send_version(now);
}

void Peer::received(ByteSpan data, PeerTime now) {
    if (state_ == PeerState::disconnected || state_ == PeerState::connecting) return;
    clock_ = now;
    if (!data.empty()) last_receive_ = now;
    total_received_ += data.size();
    while (!data.empty() && state_ != PeerState::disconnected) {
        auto event = decoder_.feed(data);
        if (!event) {
            fail(DisconnectReason::framing_error, std::string(to_string(event.error())));
            return;
        }
        if (!*event) break;
        if (auto* dropped = std::get_if<DroppedMessage>(&**event)) {
            ++dropped_messages_;
            bytes_received_[std::string(OTHER_COMMAND)] += MESSAGE_HEADER_SIZE + dropped->length;
            note("dropped message \"" + dropped->command + "\" (" +
                 std::to_string(dropped->length) + " bytes): " +
                 std::string(to_string(dropped->reason)));
            continue;
        }
        handle(std::get<ReceivedMessage>(std::move(**event)), now);
    }
    if (state_ == PeerState::ready) maybe_send_ping(now);
}

void Peer::tick(PeerTime now) {
    if (state_ == PeerState::disconnected || state_ == PeerState::connecting) return;
    clock_ = now;
    check_timeouts(now);
    if (state_ == PeerState::ready) maybe_send_ping(now);
}

void Peer::send(std::string_view command, ByteSpan payload) {
    if (state_ == PeerState::disconnected) return;
    send_message(command, payload);
}

void Peer::disconnect(std::string_view why) {
    if (state_ == PeerState::disconnected) return;
    fail(DisconnectReason::requested, std::string(why));
}

std::vector<PeerAction> Peer::take_actions() { return std::exchange(actions_, {}); }

std::optional<PeerTime> Peer::ping_wait(PeerTime now) const {
    if (ping_nonce_ == 0 || !ping_start_) return std::nullopt;
    return now - *ping_start_;
}

void Peer::send_version(PeerTime now) {
    VersionMessage version;
    version.version = config_.protocol_version;
    version.services = config_.services;
    version.time = std::chrono::duration_cast<std::chrono::seconds>(now).count();
    // Core tells the peer its address only when that is a routable address with a legacy form.
    version.addr_recv_services = config_.address_services;
    if (config_.address.address.is_routable() && config_.address.address.legacy_bytes()) {
        version.addr_recv = config_.address;
    }
    version.addr_from_services = config_.services;
    version.nonce = config_.nonce;
    version.user_agent = config_.user_agent;
    version.start_height = config_.start_height ? config_.start_height() : 0;
    version.relay = config_.relay;
    send_message(command::VERSION, encode_version(version));
}

void Peer::send_message(std::string_view command, ByteSpan payload) {
    Bytes bytes = encode_message(config_.magic, command, payload);
    bytes_sent_[std::string(command)] += bytes.size();
    total_sent_ += bytes.size();
    last_send_ = clock_;
    queue<SendBytes>(std::string(command), std::move(bytes));
}

void Peer::fail(DisconnectReason reason, std::string message) {
    state_ = PeerState::disconnected;
    queue<Disconnect>(reason, std::move(message));
}

void Peer::ignore(std::string text) {
    ++ignored_messages_;
    note(std::move(text));
}

void Peer::note(std::string text) { queue<PeerNote>(std::move(text)); }

void Peer::handle(ReceivedMessage message, PeerTime now) {
    const std::string& command = message.command;
    bytes_received_[is_known_command(command) ? command : std::string(OTHER_COMMAND)] +=
        MESSAGE_HEADER_SIZE + message.payload.size();

    if (command == command::VERSION) {
        on_version(message.payload, now);
        return;
    }
    if (info_.version == 0) {
        ignore("non-version message before version handshake: \"" + command + "\"");
        return;
    }
    if (command == command::VERACK) {
        on_verack();
        return;
    }
    // BIP339 and BIP155 negotiate between version and verack.
    if (command == command::WTXIDRELAY || command == command::SENDADDRV2) {
        if (state_ == PeerState::ready) {
            fail(DisconnectReason::late_negotiation,
                 command + " received after verack");
            return;
        }
        if (command == command::SENDADDRV2) {
            info_.wants_addrv2 = true;
        } else if (info_.common_version < WTXID_RELAY_VERSION) {
            ignore("ignoring wtxidrelay from a peer with an old version");
        } else if (info_.wtxid_relay) {
            ignore("ignoring duplicate wtxidrelay");
        } else {
            info_.wtxid_relay = true;
        }
        return;
    }
    if (state_ != PeerState::ready) {
        ignore("unsupported message \"" + command + "\" prior to verack");
        return;
    }
    if (command == command::PING) {
        on_ping(message.payload);
        return;
    }
    if (command == command::PONG) {
        on_pong(message.payload, now);
        return;
    }
    if (command == command::SENDHEADERS) {
        info_.prefers_headers = true;
    } else if (command == command::SENDCMPCT) {
        auto sendcmpct = decode_sendcmpct(message.payload);
        if (!sendcmpct) {
            fail(DisconnectReason::malformed_message,
                 "malformed sendcmpct: " + std::string(to_string(sendcmpct.error())));
            return;
        }
        // Core only takes note of the version it speaks; other versions are ignored.
        if (sendcmpct->version == CMPCTBLOCKS_VERSION) {
            info_.compact_blocks = true;
            info_.compact_blocks_high_bandwidth = sendcmpct->announce;
        }
    }
    queue<ApplicationMessage>(command, std::move(message.payload));
}

void Peer::on_version(ByteSpan payload, PeerTime now) {
    if (info_.version != 0) {
        ignore("redundant version message");
        return;
    }
    auto version = decode_version(payload);
    if (!version) {
        fail(DisconnectReason::malformed_message,
             "malformed version: " + std::string(to_string(version.error())));
        return;
    }
    if (config_.direction == PeerDirection::outbound &&
        (version->services & config_.required_services) != config_.required_services) {
        fail(DisconnectReason::missing_services,
             "does not offer the expected services (" + hex64(version->services) +
                 " offered, " + hex64(config_.required_services) + " expected)");
        return;
    }
    if (version->version < MIN_PEER_PROTO_VERSION) {
        fail(DisconnectReason::obsolete_version,
             "using obsolete version " + std::to_string(version->version));
        return;
    }
    if (config_.direction == PeerDirection::inbound && config_.is_local_nonce &&
        config_.is_local_nonce(version->nonce)) {
        fail(DisconnectReason::self_connection,
             "connected to self at " + config_.address.to_string());
        return;
    }

    if (config_.direction == PeerDirection::inbound) send_version(now);

    info_.version = version->version;
    info_.common_version = std::min(version->version, config_.protocol_version);
    info_.services = version->services;
    info_.time = version->time;
    info_.addr_recv = version->addr_recv;
    info_.nonce = version->nonce;
    info_.user_agent = std::move(version->user_agent);
    info_.start_height = version->start_height;
    info_.relay = version->relay;

    if (info_.common_version >= WTXID_RELAY_VERSION) send_message(command::WTXIDRELAY, {});
    // BIP155 allows sendaddrv2 at any version; Core spares older peers that may choke on it.
    if (info_.common_version >= 70016) send_message(command::SENDADDRV2, {});
    send_message(command::VERACK, {});
    state_ = PeerState::awaiting_verack;
}

void Peer::on_verack() {
    if (state_ == PeerState::ready) {
        ignore("ignoring redundant verack message");
        return;
    }
    state_ = PeerState::ready;
    queue<HandshakeComplete>(info_);
    if (!config_.announce_after_verack) return;
    if (info_.common_version >= SENDHEADERS_VERSION) send_message(command::SENDHEADERS, {});
    if (info_.common_version >= SHORT_IDS_BLOCKS_VERSION) {
        send_message(command::SENDCMPCT,
                     encode_sendcmpct(SendCmpctMessage{false, CMPCTBLOCKS_VERSION}));
    }
}

void Peer::on_ping(ByteSpan payload) {
    // Before BIP31 pings carried no nonce and expected no answer.
    if (info_.common_version <= BIP0031_VERSION) return;
    auto nonce = decode_nonce(payload);
    if (!nonce) {
        fail(DisconnectReason::malformed_message,
             "malformed ping: " + std::string(to_string(nonce.error())));
        return;
    }
    send_message(command::PONG, encode_nonce(*nonce));
}

// Core's ProcessPong: a short payload or a zero nonce cancels the outstanding ping; another
// nonce is a mismatch (normal when pings overlap) and leaves it outstanding.
void Peer::on_pong(ByteSpan payload, PeerTime now) {
    if (payload.size() < 8) {
        ping_nonce_ = 0;
        ignore("pong: short payload");
        return;
    }
    const std::uint64_t nonce = read_le64(payload.data());
    if (ping_nonce_ == 0) {
        ignore("pong: unsolicited pong without ping");
        return;
    }
    if (nonce == 0) {
        ping_nonce_ = 0;
        ignore("pong: nonce zero");
        return;
    }
    if (nonce != ping_nonce_) {
        ignore("pong: nonce mismatch (expected " + hex64(ping_nonce_) + ", received " +
               hex64(nonce) + ")");
        return;
    }
    ping_nonce_ = 0;
    const PeerTime round_trip = now - *ping_start_;
    if (round_trip.count() < 0) {
        note("pong: timing mishap");
        return;
    }
    last_ping_ = round_trip;
    min_ping_ = min_ping_ ? std::min(*min_ping_, round_trip) : round_trip;
}

void Peer::maybe_send_ping(PeerTime now) {
    const bool due = ping_nonce_ == 0 && (!ping_start_ || now > *ping_start_ + PING_INTERVAL);
    if (!due && !ping_queued_) return;
    ping_queued_ = false;
    std::uint64_t nonce = 0;
    do {
        nonce = config_.random_u64();
    } while (nonce == 0);
    ping_start_ = now;
    if (info_.common_version > BIP0031_VERSION) {
        ping_nonce_ = nonce;
        send_message(command::PING, encode_nonce(nonce));
    } else {
        send_message(command::PING, {});
    }
}

void Peer::check_timeouts(PeerTime now) {
    if (now <= connected_at_ + PEER_CONNECT_TIMEOUT) return;
    if (!last_receive_ || !last_send_) {
        fail(DisconnectReason::no_message,
             "socket no message in first " + seconds(PEER_CONNECT_TIMEOUT) + " seconds");
        return;
    }
    if (now > *last_send_ + TIMEOUT_INTERVAL) {
        fail(DisconnectReason::send_timeout,
             "socket sending timeout: " + seconds(now - *last_send_) + "s");
        return;
    }
    if (now > *last_receive_ + TIMEOUT_INTERVAL) {
        fail(DisconnectReason::receive_timeout,
             "socket receive timeout: " + seconds(now - *last_receive_) + "s");
        return;
    }
    if (state_ != PeerState::ready) {
        fail(DisconnectReason::handshake_timeout, "version handshake timeout");
        return;
    }
    if (ping_nonce_ != 0 && now > *ping_start_ + TIMEOUT_INTERVAL) {
        fail(DisconnectReason::ping_timeout,
             "ping timeout: " + seconds(now - *ping_start_) + "s");
    }
}

}  // namespace bitloom
