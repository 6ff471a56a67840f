// The peer state machine driven by a simulated clock and a scripted (or a second, real) peer:
// both handshakes, the exact version we send, every rejection, the timeouts at their edges,
// ping/pong, framing errors, and messages passed on after the handshake.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "p2p/messages.h"
#include "p2p/peer.h"
#include "p2p/protocol.h"
#include "util/endian.h"

namespace bitloom {
namespace {

using std::chrono::seconds;

constexpr MessageStart REGTEST{0xfa, 0xbf, 0xb5, 0xda};
constexpr MessageStart MAINNET{0xf9, 0xbe, 0xb4, 0xd9};
constexpr PeerTime START = seconds(1'700'000'000);
constexpr std::uint64_t OUR_NONCE = 0x1122334455667788;
constexpr std::uint64_t THEIR_NONCE = 0x0102030405060708;

// A deterministic random source: 1000, 1001, 1002, ...
std::function<std::uint64_t()> counter_from(std::uint64_t first) {
    return [next = first]() mutable { return next++; };
}

NetService service(const char* text) { return *NetService::parse(text, 18444); }

PeerConfig config_for(PeerDirection direction, std::uint64_t nonce = OUR_NONCE) {
    PeerConfig config;
    config.magic = REGTEST;
    config.user_agent = "/bitloom:0.1.0/";
    config.start_height = [] { return 812345; };
    config.nonce = nonce;
    config.random_u64 = counter_from(1000);
    config.direction = direction;
    config.address = service("8.8.4.4:18444");
    return config;
}

VersionMessage their_version(std::int32_t version = PROTOCOL_VERSION,
                             std::uint64_t nonce = THEIR_NONCE) {
    VersionMessage message;
    message.version = version;
    message.services = services::NODE_NETWORK | services::NODE_WITNESS;
    message.time = 1'700'000'123;
    message.nonce = nonce;
    message.user_agent = "/Satoshi:27.0.0/";
    message.start_height = 840000;
    message.relay = false;
    return message;
}

Bytes wire(std::string_view command, ByteSpan payload = {}) {
    return encode_message(REGTEST, command, payload);
}
Bytes wire_version(const VersionMessage& message) {
    return wire(command::VERSION, encode_version(message));
}

template <typename T>
std::vector<T> only(const std::vector<PeerAction>& actions) {
    std::vector<T> out;
    for (const auto& action : actions) {
        if (const auto* a = std::get_if<T>(&action)) out.push_back(*a);
    }
    return out;
}

std::vector<std::string> sent_commands(const std::vector<PeerAction>& actions) {
    std::vector<std::string> out;
    for (const auto& send : only<SendBytes>(actions)) out.push_back(send.command);
    return out;
}

// Every message in the bytes of the SendBytes actions, decoded as a peer would.
std::vector<ReceivedMessage> sent_messages(const std::vector<PeerAction>& actions) {
    std::vector<ReceivedMessage> out;
    for (const auto& send : only<SendBytes>(actions)) {
        MessageDecoder decoder(REGTEST);
        ByteSpan data = send.bytes;
        auto event = decoder.feed(data);
        EXPECT_TRUE(event && *event && data.empty());
        if (event && *event) out.push_back(std::get<ReceivedMessage>(**event));
    }
    return out;
}

std::optional<Disconnect> disconnect_of(const std::vector<PeerAction>& actions) {
    const auto all = only<Disconnect>(actions);
    EXPECT_LE(all.size(), 1u);
    if (all.empty()) return std::nullopt;
    return all.front();
}

// Drives an outbound peer through the handshake with a scripted remote; returns the actions.
std::vector<PeerAction> complete_outbound_handshake(Peer& peer, PeerTime now) {
    peer.connected(now);
    Bytes remote = wire_version(their_version());
    append(remote, wire(command::WTXIDRELAY));
    append(remote, wire(command::SENDADDRV2));
    append(remote, wire(command::VERACK));
    peer.received(remote, now);
    return peer.take_actions();
}

// Delivers each peer's SendBytes to the other until both are quiet.
void pump(Peer& a, std::vector<PeerAction>& a_log, Peer& b, std::vector<PeerAction>& b_log,
          PeerTime now) {
    for (int round = 0; round < 20; ++round) {
        auto from_a = a.take_actions();
        auto from_b = b.take_actions();
        if (from_a.empty() && from_b.empty()) return;
        for (const auto& send : only<SendBytes>(from_a)) b.received(send.bytes, now);
        for (const auto& send : only<SendBytes>(from_b)) a.received(send.bytes, now);
        a_log.insert(a_log.end(), from_a.begin(), from_a.end());
        b_log.insert(b_log.end(), from_b.begin(), from_b.end());
    }
    FAIL() << "the peers never went quiet";
}

// ---- handshakes ----

TEST(Peer, two_instances_complete_the_handshake_through_their_actions) {
    auto outbound_config = config_for(PeerDirection::outbound, 111);
    auto inbound_config = config_for(PeerDirection::inbound, 222);
    inbound_config.user_agent = "/other:1.0/";
    inbound_config.start_height = [] { return 7; };
    inbound_config.relay = false;
    // The inbound side's own outstanding nonces do not include the outbound side's.
    const std::set<std::uint64_t> outstanding{333};
    inbound_config.is_local_nonce = [&](std::uint64_t n) { return outstanding.contains(n); };
    inbound_config.random_u64 = counter_from(5000);
    Peer outbound(outbound_config);
    Peer inbound(inbound_config);
    EXPECT_EQ(outbound.state(), PeerState::connecting);

    outbound.connected(START);
    inbound.connected(START);
    EXPECT_EQ(outbound.state(), PeerState::awaiting_version);
    EXPECT_EQ(inbound.state(), PeerState::awaiting_version);
    std::vector<PeerAction> out_log, in_log;
    pump(outbound, out_log, inbound, in_log, START);

    EXPECT_EQ(outbound.state(), PeerState::ready);
    EXPECT_EQ(inbound.state(), PeerState::ready);
    const std::vector<std::string> expected{"version",     "wtxidrelay", "sendaddrv2", "verack",
                                            "sendheaders", "sendcmpct",  "ping",       "pong"};
    EXPECT_EQ(sent_commands(out_log), expected);
    EXPECT_EQ(sent_commands(in_log), expected);

    const auto done = only<HandshakeComplete>(out_log);
    ASSERT_EQ(done.size(), 1u);
    EXPECT_EQ(done[0].info.user_agent, "/other:1.0/");
    EXPECT_EQ(done[0].info.start_height, 7);
    EXPECT_FALSE(done[0].info.relay);
    EXPECT_EQ(done[0].info.nonce, 222u);
    EXPECT_EQ(done[0].info.services, DEFAULT_LOCAL_SERVICES);
    EXPECT_TRUE(done[0].info.wtxid_relay);
    EXPECT_TRUE(done[0].info.wants_addrv2);
    EXPECT_EQ(only<HandshakeComplete>(in_log).size(), 1u);
    EXPECT_EQ(inbound.info().user_agent, "/bitloom:0.1.0/");
    EXPECT_EQ(inbound.info().start_height, 812345);

    // sendheaders and sendcmpct arrived after verack: recorded and passed on.
    EXPECT_TRUE(outbound.info().prefers_headers);
    EXPECT_TRUE(outbound.info().compact_blocks);
    EXPECT_FALSE(outbound.info().compact_blocks_high_bandwidth);
    const auto passed_on = only<ApplicationMessage>(out_log);
    ASSERT_EQ(passed_on.size(), 2u);
    EXPECT_EQ(passed_on[0].command, "sendheaders");
    EXPECT_EQ(passed_on[1].command, "sendcmpct");

    // The pings were answered and timed (no simulated time passed).
    EXPECT_EQ(outbound.min_ping(), PeerTime(0));
    EXPECT_EQ(inbound.min_ping(), PeerTime(0));
    EXPECT_TRUE(only<Disconnect>(out_log).empty());
    EXPECT_TRUE(only<Disconnect>(in_log).empty());
}

TEST(Peer, outbound_version_carries_our_exact_fields) {
    Peer peer(config_for(PeerDirection::outbound));
    peer.connected(START);
    const auto actions = peer.take_actions();
    ASSERT_EQ(sent_commands(actions), std::vector<std::string>{"version"});
    const Bytes bytes = only<SendBytes>(actions)[0].bytes;

    Bytes payload;
    const auto le = [&](std::uint64_t value, int size) {
        for (int i = 0; i < size; ++i) {
            payload.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
        }
    };
    le(70016, 4);                          // version
    le(0x409, 8);                          // NODE_NETWORK | NODE_WITNESS | NODE_NETWORK_LIMITED
    le(1'700'000'000, 8);                  // time
    le(0, 8);                              // addr_recv services (unknown)
    for (int i = 0; i < 10; ++i) payload.push_back(0);
    payload.insert(payload.end(), {0xff, 0xff, 8, 8, 4, 4, 0x48, 0x0c});  // ::ffff:8.8.4.4, 18444
    le(0x409, 8);                          // addr_from services
    for (int i = 0; i < 18; ++i) payload.push_back(0);  // addr_from :: port 0
    le(OUR_NONCE, 8);
    payload.push_back(15);
    append(payload, as_bytes("/bitloom:0.1.0/"));
    le(812345, 4);                         // start height
    payload.push_back(1);                  // relay

    ASSERT_EQ(bytes.size(), MESSAGE_HEADER_SIZE + payload.size());
    EXPECT_TRUE(std::equal(REGTEST.begin(), REGTEST.end(), bytes.begin()));
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(bytes.data() + 4)), "version");
    EXPECT_EQ(read_le32(bytes.data() + 16), payload.size());
    EXPECT_EQ(Bytes(bytes.begin() + MESSAGE_HEADER_SIZE, bytes.end()), payload);
    EXPECT_EQ(bytes, wire(command::VERSION, payload));
    EXPECT_EQ(peer.bytes_sent_per_command().at("version"), bytes.size());
}

TEST(Peer, outbound_version_hides_an_unroutable_peer_address_and_honours_relay) {
    auto config = config_for(PeerDirection::outbound);
    config.address = service("192.168.1.5:18444");
    config.relay = false;
    Peer peer(config);
    peer.connected(START);
    const auto messages = sent_messages(peer.take_actions());
    ASSERT_EQ(messages.size(), 1u);
    const auto version = decode_version(messages[0].payload);
    ASSERT_TRUE(version);
    EXPECT_EQ(version->addr_recv, NetService{});
    EXPECT_FALSE(version->relay);
}

TEST(Peer, inbound_waits_for_the_peers_version_before_answering_with_its_own) {
    Peer peer(config_for(PeerDirection::inbound));
    peer.connected(START);
    EXPECT_TRUE(peer.take_actions().empty());
    peer.received(wire_version(their_version()), START);
    EXPECT_EQ(sent_commands(peer.take_actions()),
              (std::vector<std::string>{"version", "wtxidrelay", "sendaddrv2", "verack"}));
    EXPECT_EQ(peer.state(), PeerState::awaiting_verack);
    EXPECT_EQ(peer.info().user_agent, "/Satoshi:27.0.0/");
    EXPECT_EQ(peer.info().start_height, 840000);
    EXPECT_FALSE(peer.info().relay);

    peer.received(wire(command::VERACK), START + seconds(1));
    const auto actions = peer.take_actions();
    EXPECT_EQ(peer.state(), PeerState::ready);
    ASSERT_EQ(only<HandshakeComplete>(actions).size(), 1u);
    EXPECT_EQ(only<HandshakeComplete>(actions)[0].info.version, PROTOCOL_VERSION);
    EXPECT_EQ(sent_commands(actions),
              (std::vector<std::string>{"sendheaders", "sendcmpct", "ping"}));
}

TEST(Peer, negotiation_messages_are_skipped_for_a_peer_below_70016) {
    Peer peer(config_for(PeerDirection::outbound));
    peer.connected(START);
    peer.take_actions();
    Bytes remote = wire_version(their_version(70015));
    append(remote, wire(command::WTXIDRELAY));
    append(remote, wire(command::VERACK));
    peer.received(remote, START);
    const auto actions = peer.take_actions();
    EXPECT_EQ(sent_commands(actions),
              (std::vector<std::string>{"verack", "sendheaders", "sendcmpct", "ping"}));
    EXPECT_EQ(peer.info().common_version, 70015);
    EXPECT_FALSE(peer.info().wtxid_relay);
    EXPECT_EQ(peer.ignored_messages(), 1u);
}

TEST(Peer, announcements_after_verack_can_be_left_to_the_owner) {
    auto config = config_for(PeerDirection::outbound);
    config.announce_after_verack = false;
    Peer peer(config);
    const auto actions = complete_outbound_handshake(peer, START);
    EXPECT_EQ(sent_commands(actions), (std::vector<std::string>{"version", "wtxidrelay",
                                                                "sendaddrv2", "verack", "ping"}));
}

// ---- rejections ----

TEST(Peer, inbound_peer_echoing_an_outstanding_nonce_is_a_connection_to_self) {
    auto config = config_for(PeerDirection::inbound);
    const std::set<std::uint64_t> outstanding{42, 43};
    config.is_local_nonce = [&](std::uint64_t n) { return outstanding.contains(n); };
    Peer peer(config);
    peer.connected(START);
    peer.received(wire_version(their_version(PROTOCOL_VERSION, 43)), START);
    const auto actions = peer.take_actions();
    const auto disconnect = disconnect_of(actions);
    ASSERT_TRUE(disconnect);
    EXPECT_EQ(disconnect->reason, DisconnectReason::self_connection);
    EXPECT_TRUE(sent_commands(actions).empty());
    EXPECT_EQ(peer.state(), PeerState::disconnected);

    Peer other(config);
    other.connected(START);
    other.received(wire_version(their_version(PROTOCOL_VERSION, 44)), START);
    EXPECT_FALSE(disconnect_of(other.take_actions()));
}

TEST(Peer, outbound_connections_do_not_check_for_self_connection) {
    auto config = config_for(PeerDirection::outbound);
    config.is_local_nonce = [](std::uint64_t) { return true; };
    Peer peer(config);
    complete_outbound_handshake(peer, START);
    EXPECT_EQ(peer.state(), PeerState::ready);
}

TEST(Peer, peer_version_below_31800_is_rejected_and_31800_accepted) {
    Peer old_peer(config_for(PeerDirection::inbound));
    old_peer.connected(START);
    old_peer.received(wire_version(their_version(31799)), START);
    const auto disconnect = disconnect_of(old_peer.take_actions());
    ASSERT_TRUE(disconnect);
    EXPECT_EQ(disconnect->reason, DisconnectReason::obsolete_version);
    EXPECT_EQ(disconnect->message, "using obsolete version 31799");

    Peer oldest_accepted(config_for(PeerDirection::inbound));
    oldest_accepted.connected(START);
    oldest_accepted.received(wire_version(their_version(31800)), START);
    const auto actions = oldest_accepted.take_actions();
    EXPECT_FALSE(disconnect_of(actions));
    EXPECT_EQ(sent_commands(actions), (std::vector<std::string>{"version", "verack"}));
}

TEST(Peer, outbound_peer_without_required_services_is_rejected) {
    auto config = config_for(PeerDirection::outbound);
    config.required_services = services::NODE_NETWORK | services::NODE_COMPACT_FILTERS;
    Peer peer(config);
    peer.connected(START);
    peer.received(wire_version(their_version()), START);
    const auto disconnect = disconnect_of(peer.take_actions());
    ASSERT_TRUE(disconnect);
    EXPECT_EQ(disconnect->reason, DisconnectReason::missing_services);
}

TEST(Peer, redundant_version_is_ignored_as_core_does) {
    Peer peer(config_for(PeerDirection::outbound));
    complete_outbound_handshake(peer, START);
    auto second = their_version();
    second.user_agent = "/changed/";
    peer.received(wire_version(second), START);
    EXPECT_FALSE(disconnect_of(peer.take_actions()));
    EXPECT_EQ(peer.info().user_agent, "/Satoshi:27.0.0/");
    EXPECT_EQ(peer.ignored_messages(), 1u);
}

TEST(Peer, messages_before_version_are_ignored_without_disconnect) {
    Peer peer(config_for(PeerDirection::inbound));
    peer.connected(START);
    Bytes remote = wire(command::VERACK);
    append(remote, wire(command::PING, encode_nonce(9)));
    append(remote, wire(command::INV, encode_inv({})));
    peer.received(remote, START);
    const auto actions = peer.take_actions();
    EXPECT_TRUE(only<SendBytes>(actions).empty());
    EXPECT_FALSE(disconnect_of(actions));
    EXPECT_EQ(only<PeerNote>(actions).size(), 3u);
    EXPECT_EQ(peer.ignored_messages(), 3u);
    EXPECT_EQ(peer.state(), PeerState::awaiting_version);

    // The handshake still works afterwards.
    peer.received(wire_version(their_version()), START);
    peer.received(wire(command::VERACK), START);
    EXPECT_EQ(peer.state(), PeerState::ready);
}

TEST(Peer, messages_between_version_and_verack_are_ignored_pings_included) {
    Peer peer(config_for(PeerDirection::outbound));
    peer.connected(START);
    peer.received(wire_version(their_version()), START);
    peer.take_actions();
    Bytes remote = wire(command::PING, encode_nonce(9));
    append(remote, wire(command::HEADERS, encode_headers({})));
    peer.received(remote, START);
    const auto actions = peer.take_actions();
    EXPECT_TRUE(only<SendBytes>(actions).empty());
    EXPECT_TRUE(only<ApplicationMessage>(actions).empty());
    EXPECT_EQ(peer.ignored_messages(), 2u);
}

TEST(Peer, wtxidrelay_or_sendaddrv2_after_verack_disconnects) {
    for (const auto negotiation : {command::WTXIDRELAY, command::SENDADDRV2}) {
        Peer peer(config_for(PeerDirection::outbound));
        complete_outbound_handshake(peer, START);
        peer.received(wire(negotiation), START);
        const auto disconnect = disconnect_of(peer.take_actions());
        ASSERT_TRUE(disconnect) << negotiation;
        EXPECT_EQ(disconnect->reason, DisconnectReason::late_negotiation);
        EXPECT_EQ(disconnect->message, std::string(negotiation) + " received after verack");
    }
}

// ---- timeouts ----

TEST(Peer, handshake_times_out_after_60_seconds_but_not_before) {
    Peer peer(config_for(PeerDirection::outbound));
    peer.connected(START);
    peer.received(wire_version(their_version()), START + seconds(1));  // but no verack
    peer.take_actions();
    peer.tick(START + seconds(30));
    peer.tick(START + seconds(60));
    EXPECT_TRUE(peer.take_actions().empty());
    EXPECT_EQ(peer.state(), PeerState::awaiting_verack);

    peer.tick(START + seconds(60) + PeerTime(1));
    const auto disconnect = disconnect_of(peer.take_actions());
    ASSERT_TRUE(disconnect);
    EXPECT_EQ(disconnect->reason, DisconnectReason::handshake_timeout);
    EXPECT_EQ(disconnect->message, "version handshake timeout");

    // Nothing happens after a disconnect.
    peer.received(wire(command::VERACK), START + seconds(61));
    peer.tick(START + seconds(3600));
    EXPECT_TRUE(peer.take_actions().empty());
}

TEST(Peer, silent_peer_is_dropped_for_sending_nothing_in_the_first_60_seconds) {
    Peer peer(config_for(PeerDirection::inbound));
    peer.connected(START);
    peer.tick(START + seconds(60));
    EXPECT_TRUE(peer.take_actions().empty());
    peer.tick(START + seconds(61));
    const auto disconnect = disconnect_of(peer.take_actions());
    ASSERT_TRUE(disconnect);
    EXPECT_EQ(disconnect->reason, DisconnectReason::no_message);
}

TEST(Peer, handshake_finished_in_time_survives_the_60_second_check) {
    Peer peer(config_for(PeerDirection::outbound));
    peer.connected(START);
    peer.received(wire_version(their_version()), START + seconds(30));
    peer.received(wire(command::VERACK), START + seconds(59));
    peer.tick(START + seconds(90));
    EXPECT_FALSE(disconnect_of(peer.take_actions()));
    EXPECT_EQ(peer.state(), PeerState::ready);
}

TEST(Peer, pings_every_two_minutes_once_the_last_one_is_answered) {
    Peer peer(config_for(PeerDirection::outbound));
    auto messages = sent_messages(complete_outbound_handshake(peer, START));
    ASSERT_EQ(messages.back().command, "ping");
    EXPECT_EQ(*decode_nonce(messages.back().payload), 1000u);  // from the random source
    EXPECT_EQ(peer.ping_wait(START + seconds(3)), seconds(3));

    peer.received(wire(command::PONG, encode_nonce(1000)), START + seconds(3));
    EXPECT_EQ(peer.last_ping(), seconds(3));
    EXPECT_EQ(peer.min_ping(), seconds(3));
    EXPECT_FALSE(peer.ping_wait(START + seconds(3)));

    peer.tick(START + seconds(120));
    EXPECT_TRUE(peer.take_actions().empty());
    peer.tick(START + seconds(120) + PeerTime(1));
    messages = sent_messages(peer.take_actions());
    ASSERT_EQ(messages.size(), 1u);
    EXPECT_EQ(messages[0].command, "ping");
    EXPECT_EQ(*decode_nonce(messages[0].payload), 1001u);

    // A faster answer lowers the minimum; a slower one does not.
    const PeerTime second_ping = START + seconds(120) + PeerTime(1);
    peer.received(wire(command::PONG, encode_nonce(1001)),
                  second_ping + std::chrono::milliseconds(250));
    EXPECT_EQ(peer.min_ping(), std::chrono::milliseconds(250));
    peer.tick(second_ping + seconds(121));
    messages = sent_messages(peer.take_actions());
    ASSERT_EQ(messages.size(), 1u);
    peer.received(wire(command::PONG, encode_nonce(1002)), second_ping + seconds(125));
    EXPECT_EQ(peer.last_ping(), seconds(4));
    EXPECT_EQ(peer.min_ping(), std::chrono::milliseconds(250));
}

TEST(Peer, requested_ping_goes_out_at_the_next_tick_even_with_one_outstanding) {
    Peer peer(config_for(PeerDirection::outbound));
    complete_outbound_handshake(peer, START);  // ping 1000 outstanding
    peer.tick(START + seconds(5));
    EXPECT_TRUE(sent_messages(peer.take_actions()).empty());

    peer.request_ping();
    peer.tick(START + seconds(6));
    auto messages = sent_messages(peer.take_actions());
    ASSERT_EQ(messages.size(), 1u);
    EXPECT_EQ(messages[0].command, "ping");
    EXPECT_EQ(*decode_nonce(messages[0].payload), 1001u);
    // The old nonce no longer matches; the new one is timed from the requested ping.
    peer.received(wire(command::PONG, encode_nonce(1000)), START + seconds(7));
    EXPECT_FALSE(peer.last_ping());
    peer.received(wire(command::PONG, encode_nonce(1001)), START + seconds(8));
    EXPECT_EQ(peer.last_ping(), seconds(2));
    peer.tick(START + seconds(9));
    EXPECT_TRUE(sent_messages(peer.take_actions()).empty());  // one ping per request
}

TEST(Peer, ping_requested_before_the_handshake_waits_for_it) {
    Peer peer(config_for(PeerDirection::outbound));
    peer.connected(START);
    peer.take_actions();
    peer.request_ping();
    peer.tick(START + seconds(1));
    EXPECT_TRUE(only<SendBytes>(peer.take_actions()).empty());
}

TEST(Peer, ping_nonces_are_never_zero) {
    auto config = config_for(PeerDirection::outbound);
    config.random_u64 = counter_from(0);
    Peer peer(config);
    const auto messages = sent_messages(complete_outbound_handshake(peer, START));
    EXPECT_EQ(*decode_nonce(messages.back().payload), 1u);
}

TEST(Peer, unanswered_ping_times_out_after_twenty_minutes) {
    Peer peer(config_for(PeerDirection::outbound));
    complete_outbound_handshake(peer, START);  // ping 1000 sent at START
    // Other traffic keeps the socket timeouts quiet, so only the ping can time out.
    for (int minute = 1; minute <= 20; ++minute) {
        const PeerTime now = START + seconds(60 * minute);
        peer.received(wire(command::INV, encode_inv({})), now);
        peer.send(command::INV, encode_inv({}));
        peer.tick(now);
        EXPECT_FALSE(disconnect_of(peer.take_actions())) << minute;
    }
    // No second ping while the first is outstanding.
    EXPECT_EQ(peer.bytes_sent_per_command().at("ping"), MESSAGE_HEADER_SIZE + 8);

    peer.tick(START + seconds(1200) + PeerTime(1));
    const auto disconnect = disconnect_of(peer.take_actions());
    ASSERT_TRUE(disconnect);
    EXPECT_EQ(disconnect->reason, DisconnectReason::ping_timeout);
}

TEST(Peer, silent_ready_peer_hits_the_receive_timeout) {
    Peer peer(config_for(PeerDirection::outbound));
    complete_outbound_handshake(peer, START);
    for (int minute = 1; minute <= 20; ++minute) {
        peer.send(command::INV, encode_inv({}));
        peer.tick(START + seconds(60 * minute));
    }
    peer.take_actions();
    peer.tick(START + seconds(1200) + PeerTime(1));
    const auto disconnect = disconnect_of(peer.take_actions());
    ASSERT_TRUE(disconnect);
    EXPECT_EQ(disconnect->reason, DisconnectReason::receive_timeout);
}

TEST(Peer, pong_with_a_mismatched_nonce_is_ignored_and_the_ping_stays_outstanding) {
    Peer peer(config_for(PeerDirection::outbound));
    complete_outbound_handshake(peer, START);
    peer.received(wire(command::PONG, encode_nonce(999)), START + seconds(1));
    const auto actions = peer.take_actions();
    EXPECT_FALSE(disconnect_of(actions));
    ASSERT_EQ(only<PeerNote>(actions).size(), 1u);
    EXPECT_NE(only<PeerNote>(actions)[0].text.find("nonce mismatch"), std::string::npos);
    EXPECT_FALSE(peer.min_ping());
    EXPECT_EQ(peer.ping_wait(START + seconds(2)), seconds(2));

    peer.received(wire(command::PONG, encode_nonce(1000)), START + seconds(2));
    EXPECT_EQ(peer.min_ping(), seconds(2));
}

TEST(Peer, pong_with_zero_nonce_or_short_payload_cancels_the_ping_as_core_does) {
    for (const Bytes& payload : {encode_nonce(0), Bytes{1, 2, 3}}) {
        Peer peer(config_for(PeerDirection::outbound));
        complete_outbound_handshake(peer, START);
        peer.received(wire(command::PONG, payload), START + seconds(1));
        EXPECT_FALSE(disconnect_of(peer.take_actions()));
        EXPECT_FALSE(peer.ping_wait(START + seconds(1)));
        EXPECT_FALSE(peer.min_ping());
    }
}

TEST(Peer, pings_are_answered_with_the_same_nonce) {
    Peer peer(config_for(PeerDirection::outbound));
    complete_outbound_handshake(peer, START);
    peer.received(wire(command::PING, encode_nonce(0xdeadbeefcafe)), START + seconds(5));
    const auto messages = sent_messages(peer.take_actions());
    ASSERT_EQ(messages.size(), 1u);
    EXPECT_EQ(messages[0].command, "pong");
    EXPECT_EQ(*decode_nonce(messages[0].payload), 0xdeadbeefcafeu);
}

// ---- framing and malformed input ----

TEST(Peer, wrong_magic_disconnects_with_the_framing_reason) {
    Peer peer(config_for(PeerDirection::inbound));
    peer.connected(START);
    peer.received(encode_message(MAINNET, command::VERSION, encode_version(their_version())),
                  START);
    const auto disconnect = disconnect_of(peer.take_actions());
    ASSERT_TRUE(disconnect);
    EXPECT_EQ(disconnect->reason, DisconnectReason::framing_error);
    EXPECT_EQ(disconnect->message, "wrong magic");
}

TEST(Peer, oversized_message_disconnects_before_its_payload_arrives) {
    Peer peer(config_for(PeerDirection::inbound));
    peer.connected(START);
    Bytes header = wire(command::BLOCK);
    write_le32(header.data() + 16, MAX_PROTOCOL_MESSAGE_LENGTH + 1);
    peer.received(header, START);
    const auto disconnect = disconnect_of(peer.take_actions());
    ASSERT_TRUE(disconnect);
    EXPECT_EQ(disconnect->reason, DisconnectReason::framing_error);
    EXPECT_EQ(disconnect->message, "message too large");
}

TEST(Peer, garbage_input_disconnects) {
    Peer peer(config_for(PeerDirection::inbound));
    peer.connected(START);
    const std::string text = "GET / HTTP/1.1\r\nHost: example\r\n\r\n";
    peer.received(as_bytes(text), START);
    const auto disconnect = disconnect_of(peer.take_actions());
    ASSERT_TRUE(disconnect);
    EXPECT_EQ(disconnect->reason, DisconnectReason::framing_error);
    EXPECT_EQ(peer.state(), PeerState::disconnected);
}

TEST(Peer, malformed_version_disconnects) {
    Peer peer(config_for(PeerDirection::inbound));
    peer.connected(START);
    peer.received(wire(command::VERSION, Bytes{0x80, 0x11, 0x01}), START);
    const auto disconnect = disconnect_of(peer.take_actions());
    ASSERT_TRUE(disconnect);
    EXPECT_EQ(disconnect->reason, DisconnectReason::malformed_message);
    EXPECT_EQ(disconnect->message, "malformed version: " +
                                       std::string(to_string(MessageError::truncated)));
}

TEST(Peer, malformed_ping_disconnects_once_ready) {
    Peer peer(config_for(PeerDirection::outbound));
    complete_outbound_handshake(peer, START);
    peer.received(wire(command::PING, Bytes{1, 2}), START);
    const auto disconnect = disconnect_of(peer.take_actions());
    ASSERT_TRUE(disconnect);
    EXPECT_EQ(disconnect->reason, DisconnectReason::malformed_message);
}

TEST(Peer, message_with_a_bad_checksum_is_dropped_and_the_stream_goes_on) {
    Peer peer(config_for(PeerDirection::inbound));
    peer.connected(START);
    Bytes corrupt = wire_version(their_version());
    corrupt[20] ^= 0x01;  // checksum byte
    Bytes remote = corrupt;
    append(remote, wire_version(their_version()));
    // Fed one byte at a time: the decoder must cope with any split.
    for (std::uint8_t byte : remote) peer.received(ByteSpan(&byte, 1), START);
    const auto actions = peer.take_actions();
    EXPECT_FALSE(disconnect_of(actions));
    EXPECT_EQ(peer.dropped_messages(), 1u);
    EXPECT_EQ(peer.state(), PeerState::awaiting_verack);
    EXPECT_EQ(peer.bytes_received_per_command().at("*other*"), corrupt.size());
    EXPECT_EQ(peer.bytes_received(), remote.size());
}

// ---- after the handshake ----

TEST(Peer, messages_after_the_handshake_are_passed_to_the_owner) {
    Peer peer(config_for(PeerDirection::outbound));
    complete_outbound_handshake(peer, START);
    const Bytes inv = encode_inv({InvEntry{inv_type::MSG_WTX, Uint256()}});
    Bytes remote = wire(command::INV, inv);
    append(remote, wire("futurecmd", Bytes{7, 7}));
    peer.received(remote, START + seconds(1));
    const auto forwarded = only<ApplicationMessage>(peer.take_actions());
    ASSERT_EQ(forwarded.size(), 2u);
    EXPECT_EQ(forwarded[0].command, "inv");
    EXPECT_EQ(forwarded[0].payload, inv);
    EXPECT_EQ(forwarded[1].command, "futurecmd");
    EXPECT_EQ(forwarded[1].payload, (Bytes{7, 7}));
    EXPECT_EQ(peer.bytes_received_per_command().at("inv"), MESSAGE_HEADER_SIZE + inv.size());
    EXPECT_EQ(peer.bytes_received_per_command().at("*other*"), MESSAGE_HEADER_SIZE + 2);
    EXPECT_EQ(peer.bytes_received_per_command().count("futurecmd"), 0u);
}

TEST(Peer, owner_messages_are_framed_and_counted_until_disconnect) {
    Peer peer(config_for(PeerDirection::outbound));
    complete_outbound_handshake(peer, START);
    const Bytes locator = encode_block_locator(BlockLocatorMessage{PROTOCOL_VERSION, {}, {}});
    peer.send(command::GETHEADERS, locator);
    auto actions = peer.take_actions();
    ASSERT_EQ(only<SendBytes>(actions).size(), 1u);
    EXPECT_EQ(only<SendBytes>(actions)[0].bytes, wire(command::GETHEADERS, locator));
    EXPECT_EQ(peer.bytes_sent_per_command().at("getheaders"), MESSAGE_HEADER_SIZE + locator.size());

    peer.disconnect("shutting down");
    actions = peer.take_actions();
    const auto disconnect = disconnect_of(actions);
    ASSERT_TRUE(disconnect);
    EXPECT_EQ(disconnect->reason, DisconnectReason::requested);
    peer.send(command::GETHEADERS, locator);
    EXPECT_TRUE(peer.take_actions().empty());
}

TEST(Peer, high_bandwidth_compact_block_request_is_recorded) {
    Peer peer(config_for(PeerDirection::outbound));
    complete_outbound_handshake(peer, START);
    peer.received(wire(command::SENDCMPCT, encode_sendcmpct({true, 2})), START);
    EXPECT_TRUE(peer.info().compact_blocks);
    EXPECT_TRUE(peer.info().compact_blocks_high_bandwidth);
    peer.received(wire(command::SENDCMPCT, encode_sendcmpct({false, 1})), START);
    EXPECT_TRUE(peer.info().compact_blocks_high_bandwidth);  // version 1 is ignored
    peer.received(wire(command::SENDCMPCT, Bytes{1}), START);
    const auto disconnect = disconnect_of(peer.take_actions());
    ASSERT_TRUE(disconnect);
    EXPECT_EQ(disconnect->reason, DisconnectReason::malformed_message);
}

}  // namespace
}  // namespace bitloom
