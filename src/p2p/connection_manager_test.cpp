// The connection manager driven by a simulated clock and simulated remote nodes: each remote
// is a second Peer state machine whose bytes travel through the manager's WriteBytes actions
// and received() calls, so every handshake is a real one. No sockets anywhere.
#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <type_traits>
#include <vector>

#include "p2p/connection_manager.h"
#include "p2p/messages.h"
#include "p2p/protocol.h"

namespace bitloom {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr MessageStart REGTEST{0xfa, 0xbf, 0xb5, 0xda};
constexpr std::uint16_t PORT = 18444;
constexpr PeerTime START = seconds(1'700'000'000);
constexpr std::uint64_t FULL_NODE = services::NODE_NETWORK | services::NODE_WITNESS;

Uint256 seed(std::uint8_t n) {
    Uint256 out;
    out[0] = n;
    out[31] = 0xa5;
    return out;
}

NetService service(std::string_view text) {
    const auto parsed = NetService::parse(text, PORT);
    EXPECT_TRUE(parsed.has_value()) << text;
    return parsed.value_or(NetService{});
}

std::int64_t secs(PeerTime time) { return std::chrono::duration_cast<seconds>(time).count(); }

PeerAddress gossip(std::string_view text, PeerTime seen) {
    return PeerAddress{service(text), FULL_NODE, static_cast<std::uint32_t>(secs(seen))};
}

ConnectionManagerOptions base_options() {
    ConnectionManagerOptions options;
    options.magic = REGTEST;
    options.default_port = PORT;
    options.user_agent = "/bitloom:test/";
    options.start_height = [] { return 100; };
    options.automatic_outbound = false;
    options.addrman_key = seed(1);
    options.random_seed = seed(2);
    return options;
}

template <typename T>
std::vector<T> only(const std::vector<ConnectionAction>& actions) {
    std::vector<T> out;
    for (const auto& action : actions) {
        if (const auto* a = std::get_if<T>(&action)) out.push_back(*a);
    }
    return out;
}

template <typename T>
std::vector<T> events(const std::vector<ConnectionAction>& actions) {
    std::vector<T> out;
    for (const auto& deliver : only<DeliverEvent>(actions)) {
        if (const auto* e = std::get_if<T>(&deliver.event)) out.push_back(*e);
    }
    return out;
}

bool closes(const std::vector<ConnectionAction>& actions, PeerId id) {
    for (const auto& close : only<CloseConnection>(actions)) {
        if (close.id == id) return true;
    }
    return false;
}

// A node on the other end of one connection.
struct Remote {
    std::unique_ptr<Peer> peer;
    MessageDecoder decoder{REGTEST};
    std::vector<ReceivedMessage> from_manager;  // every message the manager wrote to it
    bool closed = false;
};

class Sim {
public:
    explicit Sim(ConnectionManagerOptions options = base_options())
        : manager(std::move(options)) {}

    ConnectionManager manager;
    PeerTime now = START;
    std::map<PeerId, Remote> remotes;
    std::vector<ConnectionAction> log;  // every action since the last take()
    std::uint64_t next_nonce = 0x5000;

    // Actions since the last take().
    std::vector<ConnectionAction> take() {
        pump();
        return std::exchange(log, {});
    }

    // Moves bytes both ways until everything is quiet.
    void pump() {
        for (int round = 0; round < 50; ++round) {
            bool busy = false;
            for (auto& action : manager.take_actions()) {
                busy = true;
                if (const auto* write = std::get_if<WriteBytes>(&action)) deliver(*write);
                if (const auto* close = std::get_if<CloseConnection>(&action)) {
                    remotes[close->id].closed = true;
                }
                log.push_back(std::move(action));
            }
            for (auto& [id, remote] : remotes) {
                if (!remote.peer) continue;
                for (const auto& action : remote.peer->take_actions()) {
                    if (const auto* send = std::get_if<SendBytes>(&action)) {
                        if (remote.closed) continue;
                        busy = true;
                        manager.received(id, send->bytes, now);
                    }
                }
            }
            if (!busy) return;
        }
        FAIL() << "the simulation never went quiet";
    }

    void deliver(const WriteBytes& write) {
        Remote& remote = remotes[write.id];
        ByteSpan data = write.bytes;
        while (!data.empty()) {
            auto event = remote.decoder.feed(data);
            ASSERT_TRUE(event.has_value());
            if (!*event) break;
            if (auto* message = std::get_if<ReceivedMessage>(&**event)) {
                remote.from_manager.push_back(*message);
            }
        }
        if (remote.peer && !remote.closed) remote.peer->received(write.bytes, now);
    }

    std::unique_ptr<Peer> make_remote(PeerDirection direction, std::uint64_t services) {
        PeerConfig config;
        config.magic = REGTEST;
        config.services = services;
        config.user_agent = "/remote:1.0/";
        config.nonce = next_nonce++;
        config.random_u64 = [n = std::uint64_t{900}]() mutable { return n++; };
        config.direction = direction;
        config.address = service("9.9.9.9");
        return std::make_unique<Peer>(config);
    }

    // A remote node connects to us; returns the manager's id (nullopt: refused).
    std::optional<PeerId> inbound(std::string_view from, std::uint64_t services = FULL_NODE) {
        const auto id = manager.accepted(service(from), service("1.1.1.1"), now);
        if (!id) return id;
        Remote& remote = remotes[*id];
        remote.peer = make_remote(PeerDirection::outbound, services);
        remote.peer->connected(now);
        pump();
        return id;
    }

    // The I/O layer connected an OpenConnection; a remote node answers.
    void complete(const OpenConnection& open, std::string_view address = "",
                  std::uint64_t services = FULL_NODE) {
        const NetService remote_address =
            address.empty() ? *open.service : service(address);
        Remote& remote = remotes[open.id];
        remote.peer = make_remote(PeerDirection::inbound, services);
        remote.peer->connected(now);
        manager.connected(open.id, remote_address, service("1.1.1.1:50000"), now);
        pump();
    }

    void remote_send(PeerId id, std::string_view command, ByteSpan payload = {}) {
        remotes.at(id).peer->send(command, payload);
        pump();
    }

    std::vector<ReceivedMessage> sent_to(PeerId id, std::string_view command) {
        std::vector<ReceivedMessage> out;
        for (const auto& m : remotes[id].from_manager) {
            if (m.command == command) out.push_back(m);
        }
        return out;
    }

    void tick(PeerTime step = seconds(1)) {
        now += step;
        manager.tick(now);
        pump();
    }

    PeerStats stats(PeerId id) {
        for (auto& s : manager.peer_stats(now)) {
            if (s.id == id) return s;
        }
        ADD_FAILURE() << "no stats for peer " << id;
        return PeerStats{};
    }
};

std::vector<PeerAddress> fresh_addresses(int count, PeerTime now, int first_octet = 40) {
    std::vector<PeerAddress> out;
    for (int i = 0; i < count; ++i) {
        out.push_back(gossip(std::to_string(first_octet + i / 200) + "." +
                                 std::to_string(i % 200) + ".3.4",
                             now));
    }
    return out;
}

// ---- handshakes --------------------------------------------------------------------------

TEST(ConnectionManager, inbound_handshake_delivers_peer_connected_with_the_peers_details) {
    Sim sim;
    const auto id = sim.inbound("30.1.2.3:5000");
    ASSERT_TRUE(id.has_value());
    EXPECT_EQ(*id, 0);
    const auto actions = sim.take();
    const auto connected = events<PeerConnected>(actions);
    ASSERT_EQ(connected.size(), 1u);
    EXPECT_EQ(connected[0].id, 0);
    EXPECT_EQ(connected[0].type, ConnectionType::inbound);
    EXPECT_EQ(connected[0].address, service("30.1.2.3:5000"));
    EXPECT_EQ(connected[0].info.user_agent, "/remote:1.0/");
    EXPECT_EQ(connected[0].info.services, FULL_NODE);
    EXPECT_TRUE(connected[0].info.wants_addrv2);
    // Inbound peers are not asked for addresses.
    EXPECT_TRUE(sim.sent_to(0, "getaddr").empty());
    EXPECT_EQ(sim.manager.connection_count(), 1u);
    EXPECT_EQ(sim.manager.connection_count(true), 1u);
    EXPECT_EQ(sim.manager.connection_count(false), 0u);
    const auto stats = sim.stats(0);
    EXPECT_TRUE(stats.handshake_complete);
    EXPECT_EQ(stats.type, ConnectionType::inbound);
    EXPECT_GT(stats.bytes_received, 0u);
    EXPECT_EQ(sim.manager.totals().bytes_received, stats.bytes_received);
    EXPECT_EQ(sim.manager.totals().bytes_sent, stats.bytes_sent);
}

TEST(ConnectionManager, application_messages_after_the_handshake_are_delivered) {
    Sim sim;
    const PeerId id = *sim.inbound("30.1.2.3");
    sim.take();
    sim.remote_send(id, command::INV, encode_inv({InvEntry{inv_type::MSG_TX, seed(7)}}));
    const auto messages = events<PeerMessage>(sim.take());
    ASSERT_EQ(messages.size(), 1u);
    EXPECT_EQ(messages[0].id, id);
    EXPECT_EQ(messages[0].command, "inv");
    EXPECT_EQ(messages[0].payload, encode_inv({InvEntry{inv_type::MSG_TX, seed(7)}}));

    sim.manager.send(id, command::GETDATA, encode_inv({}));
    sim.take();
    EXPECT_EQ(sim.sent_to(id, "getdata").size(), 1u);
}

TEST(ConnectionManager, peer_ids_increase_from_zero_across_directions) {
    auto options = base_options();
    options.connect = {"30.9.0.1"};
    Sim sim(options);
    EXPECT_EQ(sim.inbound("30.1.0.1"), 0);
    sim.tick();
    const auto opens = only<OpenConnection>(sim.take());
    ASSERT_EQ(opens.size(), 1u);
    EXPECT_EQ(opens[0].id, 1);
    EXPECT_EQ(sim.inbound("30.2.0.1"), 2);
}

TEST(ConnectionManager, outbound_connect_target_handshake_asks_for_addresses) {
    auto options = base_options();
    options.connect = {"30.9.0.1"};
    Sim sim(options);
    sim.tick();
    const auto opens = only<OpenConnection>(sim.take());
    ASSERT_EQ(opens.size(), 1u);
    EXPECT_EQ(opens[0].type, ConnectionType::manual);
    EXPECT_EQ(opens[0].target, "30.9.0.1:18444");
    sim.complete(opens[0]);
    const auto connected = events<PeerConnected>(sim.take());
    ASSERT_EQ(connected.size(), 1u);
    EXPECT_EQ(connected[0].type, ConnectionType::manual);
    EXPECT_EQ(sim.sent_to(opens[0].id, "getaddr").size(), 1u);
    EXPECT_EQ(sim.sent_to(opens[0].id, "version").size(), 1u);
}

TEST(ConnectionManager, listening_node_advertises_its_address_to_outbound_peers) {
    auto options = base_options();
    options.connect = {"30.9.0.1"};
    options.listening = true;
    options.local_addresses = {service("44.4.4.4")};
    Sim sim(options);
    sim.tick();
    const auto open = only<OpenConnection>(sim.take()).at(0);
    sim.complete(open);
    sim.take();
    const auto addrv2 = sim.sent_to(open.id, "addrv2");
    ASSERT_EQ(addrv2.size(), 1u);
    const auto advertised = decode_addrv2(addrv2[0].payload);
    ASSERT_TRUE(advertised.has_value());
    ASSERT_EQ(advertised->size(), 1u);
    EXPECT_EQ((*advertised)[0].service, service("44.4.4.4"));
    EXPECT_EQ((*advertised)[0].services, DEFAULT_LOCAL_SERVICES);
    // Writes keep the order of the handshake: getaddr follows the peer's announcements.
    std::vector<std::string> order;
    for (const auto& m : sim.remotes[open.id].from_manager) order.push_back(m.command);
    const auto getaddr = std::find(order.begin(), order.end(), "getaddr");
    const auto sendcmpct = std::find(order.begin(), order.end(), "sendcmpct");
    ASSERT_NE(getaddr, order.end());
    ASSERT_NE(sendcmpct, order.end());
    EXPECT_LT(sendcmpct, getaddr);
}

TEST(ConnectionManager, a_connection_to_ourselves_is_detected_by_our_outbound_nonce) {
    auto options = base_options();
    options.connect = {"30.9.0.1"};
    Sim sim(options);
    sim.tick();
    const auto open = only<OpenConnection>(sim.take()).at(0);
    sim.manager.connected(open.id, *open.service, service("1.1.1.1:50000"), sim.now);
    const auto writes = only<WriteBytes>(sim.manager.take_actions());
    ASSERT_EQ(writes.size(), 1u);  // our version
    // The same bytes arrive on an inbound connection: we dialled ourselves.
    const auto self =
        sim.manager.accepted(service("30.9.0.1:40000"), service("1.1.1.1"), sim.now);
    ASSERT_TRUE(self.has_value());
    sim.manager.received(*self, writes[0].bytes, sim.now);
    const auto actions = sim.manager.take_actions();
    EXPECT_TRUE(closes(actions, *self));
    EXPECT_TRUE(events<PeerConnected>(actions).empty());
}

// ---- inbound admission -------------------------------------------------------------------

TEST(ConnectionManager, banned_inbound_is_refused_unless_whitelisted_noban) {
    auto options = base_options();
    options.whitelist = {*parse_whitelist("noban@30.2.0.0/16")};
    Sim sim(options);
    sim.manager.bans().ban(*SubNet::parse("30.0.0.0/8"), secs(START) + 3600, secs(START));
    EXPECT_FALSE(sim.inbound("30.1.0.1").has_value());
    const auto logs = only<LogLine>(sim.take());
    EXPECT_TRUE(std::any_of(logs.begin(), logs.end(), [](const LogLine& line) {
        return line.text.find("dropped (banned)") != std::string::npos;
    }));
    const auto id = sim.inbound("30.2.0.1");
    ASSERT_TRUE(id.has_value());
    EXPECT_EQ(sim.stats(*id).permissions & permissions::NOBAN, permissions::NOBAN);
    // Once the ban expires the address is welcome.
    sim.now += hours(2);
    EXPECT_TRUE(sim.inbound("30.1.0.1").has_value());
}

TEST(ConnectionManager, enforce_bans_closes_connected_banned_peers) {
    Sim sim;
    const PeerId banned = *sim.inbound("30.1.0.1");
    const PeerId other = *sim.inbound("31.1.0.1");
    sim.take();
    sim.manager.bans().ban(*SubNet::parse("30.1.0.1"), secs(START) + 3600, secs(START));
    sim.manager.enforce_bans(sim.now);
    const auto actions = sim.take();
    EXPECT_TRUE(closes(actions, banned));
    EXPECT_FALSE(closes(actions, other));
}

TEST(ConnectionManager, full_inbound_slots_evict_an_unprotected_peer) {
    auto options = base_options();
    options.max_connections = 8 + 2 + 1 + 30;  // 30 inbound slots
    Sim sim(options);
    for (int i = 0; i < 30; ++i) {
        ASSERT_TRUE(sim.inbound(std::to_string(30 + i) + ".1.0.1").has_value()) << i;
        sim.now += seconds(10);
    }
    sim.take();
    const auto newcomer = sim.inbound("90.1.0.1");
    ASSERT_TRUE(newcomer.has_value());
    const auto closed = only<CloseConnection>(sim.take());
    ASSERT_EQ(closed.size(), 1u);
    EXPECT_LT(closed[0].id, 30);
    // The 30 slots count live connections only: the victim's slot went to the newcomer.
    sim.manager.closed(closed[0].id, "evicted", sim.now);
    EXPECT_EQ(sim.manager.connection_count(true), 30u);
}

TEST(ConnectionManager, full_inbound_slots_of_protected_peers_refuse_the_newcomer) {
    auto options = base_options();
    options.max_connections = 8 + 2 + 1 + 3;  // 3 inbound slots: all protected by group
    Sim sim(options);
    for (const char* from : {"30.1.0.1", "31.1.0.1", "32.1.0.1"}) {
        ASSERT_TRUE(sim.inbound(from).has_value());
    }
    sim.take();
    EXPECT_FALSE(sim.inbound("33.1.0.1").has_value());
    const auto actions = sim.take();
    EXPECT_TRUE(only<CloseConnection>(actions).empty());
    const auto logs = only<LogLine>(actions);
    EXPECT_TRUE(std::any_of(logs.begin(), logs.end(), [](const LogLine& line) {
        return line.text.find("connection dropped (full)") != std::string::npos;
    }));
}

TEST(ConnectionManager, discouraged_address_is_refused_only_when_slots_are_nearly_full) {
    auto options = base_options();
    options.max_connections = 8 + 2 + 1 + 3;
    Sim sim(options);
    sim.manager.bans().discourage(service("30.1.0.1").address);
    ASSERT_TRUE(sim.inbound("31.1.0.1").has_value());
    const auto first = sim.inbound("30.1.0.1");  // 1 + 1 < 3: accepted
    ASSERT_TRUE(first.has_value());
    EXPECT_FALSE(sim.inbound("30.1.0.1").has_value());  // 2 + 1 >= 3: refused
}

// ---- outbound policy ---------------------------------------------------------------------

TEST(ConnectionManager, connect_targets_are_the_only_outbound_connections_when_given) {
    auto options = base_options();
    options.connect = {"30.9.0.1", "node.example:1234", "node2.example"};
    Sim sim(options);
    sim.manager.addresses().add(fresh_addresses(50, START), service("5.5.5.5").address, 0,
                                secs(START));
    std::vector<OpenConnection> opens;
    for (int i = 0; i < 30; ++i) {
        sim.tick();
        for (const auto& open : only<OpenConnection>(sim.take())) opens.push_back(open);
    }
    ASSERT_EQ(opens.size(), 3u);
    EXPECT_EQ(opens[0].target, "30.9.0.1:18444");
    EXPECT_EQ(opens[0].service, service("30.9.0.1"));
    EXPECT_EQ(opens[1].target, "node.example:1234");
    EXPECT_FALSE(opens[1].service.has_value());
    EXPECT_EQ(opens[2].target, "node2.example:18444");
    for (const auto& open : opens) EXPECT_EQ(open.type, ConnectionType::manual);

    // A failed target is tried again, at most every five seconds.
    sim.manager.connect_failed(opens[1].id, "refused", sim.now);
    sim.tick();
    auto retry = only<OpenConnection>(sim.take());
    ASSERT_EQ(retry.size(), 1u);
    EXPECT_EQ(retry[0].target, "node.example:1234");
    sim.manager.connect_failed(retry[0].id, "refused", sim.now);
    sim.tick(seconds(4));
    EXPECT_TRUE(only<OpenConnection>(sim.take()).empty());
    sim.tick(seconds(1));
    retry = only<OpenConnection>(sim.take());
    ASSERT_EQ(retry.size(), 1u);
    EXPECT_EQ(retry[0].target, "node.example:1234");
}

// Fills the address manager with two addresses in each of 60 network groups.
void fill_addrman(Sim& sim) {
    std::vector<PeerAddress> addresses;
    for (int group = 0; group < 60; ++group) {
        for (int host = 1; host <= 2; ++host) {
            const std::string text =
                std::to_string(31 + group) + ".7.0." + std::to_string(host);
            addresses.push_back(gossip(text, START - minutes(5)));
        }
    }
    for (const auto& address : addresses) {
        sim.manager.addresses().add(std::span<const PeerAddress>(&address, 1),
                                    service("5.5.5.5").address, 0, secs(START));
    }
    ASSERT_GT(sim.manager.addresses().size(), 100u);
}

std::vector<OpenConnection> tick_and_collect(Sim& sim, int ticks) {
    std::vector<OpenConnection> opens;
    for (int i = 0; i < ticks; ++i) {
        sim.tick();
        for (const auto& open : only<OpenConnection>(sim.take())) opens.push_back(open);
    }
    return opens;
}

TEST(ConnectionManager, automatic_outbound_fills_eight_full_relay_and_two_block_relay_slots) {
    auto options = base_options();
    options.automatic_outbound = true;
    Sim sim(options);
    fill_addrman(sim);
    const auto opens = tick_and_collect(sim, 20);
    int full = 0;
    int block = 0;
    std::set<Bytes> groups;
    for (const auto& open : opens) {
        if (open.type == ConnectionType::feeler) continue;
        if (open.type == ConnectionType::outbound_full_relay) ++full;
        if (open.type == ConnectionType::block_relay_only) ++block;
        ASSERT_TRUE(open.service.has_value());
        EXPECT_EQ(open.target, open.service->to_string());
        groups.insert(open.service->address.group());
    }
    EXPECT_EQ(full, 8);
    EXPECT_EQ(block, 2);
    EXPECT_EQ(groups.size(), 10u);  // never two automatic connections in one group
    // Full relay first, then block-relay-only.
    EXPECT_EQ(opens[0].type, ConnectionType::outbound_full_relay);
    EXPECT_EQ(opens[9].type, ConnectionType::block_relay_only);
}

TEST(ConnectionManager, block_relay_only_connections_take_no_part_in_address_relay) {
    auto options = base_options();
    options.automatic_outbound = true;
    options.max_outbound_full_relay = 0;
    options.max_block_relay_only = 1;
    Sim sim(options);
    fill_addrman(sim);
    const auto opens = tick_and_collect(sim, 1);
    ASSERT_EQ(opens.size(), 1u);
    ASSERT_EQ(opens[0].type, ConnectionType::block_relay_only);
    sim.complete(opens[0]);
    const auto connected = events<PeerConnected>(sim.take());
    ASSERT_EQ(connected.size(), 1u);
    // Our version asked it not to relay transactions, and we do not ask for addresses.
    const auto version = decode_version(sim.sent_to(opens[0].id, "version").at(0).payload);
    ASSERT_TRUE(version.has_value());
    EXPECT_FALSE(version->relay);
    EXPECT_TRUE(sim.sent_to(opens[0].id, "getaddr").empty());
    sim.remote_send(opens[0].id, command::ADDR, encode_addr({gossip("77.1.1.1", sim.now)}));
    EXPECT_FALSE(sim.manager.addresses().find(service("77.1.1.1")).has_value());
    EXPECT_FALSE(sim.stats(opens[0].id).addr_relay_enabled);
}

TEST(ConnectionManager, feeler_opens_after_the_interval_and_disconnects_after_the_handshake) {
    auto options = base_options();
    options.automatic_outbound = true;
    Sim sim(options);
    fill_addrman(sim);
    std::set<NetService> connected;
    for (const auto& open : tick_and_collect(sim, 12)) {
        if (open.type != ConnectionType::feeler) connected.insert(*open.service);
    }
    ASSERT_EQ(connected.size(), 10u);
    sim.tick(hours(1));
    auto opens = only<OpenConnection>(sim.take());
    // A feeler may already have been opened during the first ticks; close it first.
    if (opens.empty()) {
        ADD_FAILURE() << "no feeler after an hour";
        return;
    }
    ASSERT_EQ(opens.size(), 1u);
    EXPECT_EQ(opens[0].type, ConnectionType::feeler);
    EXPECT_FALSE(connected.contains(*opens[0].service));
    // Only one feeler at a time.
    sim.tick(hours(1));
    EXPECT_TRUE(only<OpenConnection>(sim.take()).empty());

    sim.complete(opens[0]);
    const auto actions = sim.take();
    EXPECT_TRUE(closes(actions, opens[0].id));
    EXPECT_TRUE(events<PeerConnected>(actions).empty());
    // The address proved itself: it moved to the tried table.
    EXPECT_TRUE(sim.manager.addresses().find(*opens[0].service)->in_tried);
    sim.manager.closed(opens[0].id, "feeler done", sim.now);
    EXPECT_TRUE(events<PeerDisconnected>(sim.take()).empty());
}

TEST(ConnectionManager, addnode_targets_connect_as_manual_and_are_listed) {
    Sim sim;
    EXPECT_TRUE(sim.manager.add_node("30.5.0.1", AddNodeCommand::add, sim.now).has_value());
    const auto again = sim.manager.add_node("30.5.0.1:18444", AddNodeCommand::add, sim.now);
    ASSERT_FALSE(again.has_value());
    EXPECT_EQ(again.error(), "Error: Node already added");
    const auto removed = sim.manager.add_node("30.5.0.9", AddNodeCommand::remove, sim.now);
    ASSERT_FALSE(removed.has_value());
    EXPECT_EQ(removed.error(),
              "Error: Node could not be removed. It has not been added previously.");

    sim.tick();
    const auto opens = only<OpenConnection>(sim.take());
    ASSERT_EQ(opens.size(), 1u);
    EXPECT_EQ(opens[0].type, ConnectionType::manual);
    EXPECT_EQ(opens[0].target, "30.5.0.1:18444");
    EXPECT_FALSE(sim.manager.added_nodes().at(0).connected);
    sim.complete(opens[0]);
    const auto listed = sim.manager.added_nodes();
    ASSERT_EQ(listed.size(), 1u);
    EXPECT_TRUE(listed[0].connected);
    EXPECT_EQ(listed[0].address, service("30.5.0.1"));

    EXPECT_TRUE(sim.manager.add_node("30.6.0.1", AddNodeCommand::onetry, sim.now).has_value());
    const auto onetry = only<OpenConnection>(sim.take());
    ASSERT_EQ(onetry.size(), 1u);
    EXPECT_EQ(onetry[0].target, "30.6.0.1:18444");
    EXPECT_EQ(sim.manager.added_nodes().size(), 1u);
    EXPECT_TRUE(sim.manager.add_node("30.5.0.1", AddNodeCommand::remove, sim.now).has_value());
    EXPECT_TRUE(sim.manager.added_nodes().empty());
}

TEST(ConnectionManager, seed_node_addr_fetch_disconnects_once_it_answered) {
    auto options = base_options();
    options.seed_nodes = {"30.8.0.1"};
    Sim sim(options);
    sim.tick();
    const auto opens = only<OpenConnection>(sim.take());
    ASSERT_EQ(opens.size(), 1u);
    EXPECT_EQ(opens[0].type, ConnectionType::addr_fetch);
    sim.complete(opens[0]);
    sim.take();
    EXPECT_EQ(sim.sent_to(opens[0].id, "getaddr").size(), 1u);
    sim.remote_send(opens[0].id, command::ADDRV2,
                    encode_addrv2({gossip("60.1.1.1", sim.now), gossip("61.1.1.1", sim.now)}));
    EXPECT_TRUE(closes(sim.take(), opens[0].id));
    EXPECT_TRUE(sim.manager.addresses().find(service("60.1.1.1")).has_value());
}

TEST(ConnectionManager, dns_seeds_are_queried_at_once_when_the_address_manager_is_empty) {
    auto options = base_options();
    options.dns_seeds = {"seed.a.example", "seed.b.example"};
    Sim sim(options);
    sim.tick();
    const auto resolve = only<ResolveSeeds>(sim.take());
    ASSERT_EQ(resolve.size(), 1u);
    std::vector<std::string> hosts = resolve[0].hosts;
    std::sort(hosts.begin(), hosts.end());
    EXPECT_EQ(hosts, (std::vector<std::string>{"x9.seed.a.example", "x9.seed.b.example"}));
    sim.manager.seeds_resolved({service("50.1.1.1").address, service("51.1.1.1").address},
                               sim.now);
    EXPECT_EQ(sim.manager.addresses().size(), 2u);
    EXPECT_EQ(sim.manager.addresses().find(service("50.1.1.1"))->address.services, FULL_NODE);
    sim.tick();
    EXPECT_TRUE(only<ResolveSeeds>(sim.take()).empty());
}

TEST(ConnectionManager, dns_seeds_wait_eleven_seconds_when_some_addresses_are_known) {
    auto options = base_options();
    options.dns_seeds = {"seed.a.example"};
    Sim sim(options);
    sim.manager.addresses().add(fresh_addresses(5, START), service("5.5.5.5").address, 0,
                                secs(START));
    sim.tick();
    EXPECT_TRUE(only<ResolveSeeds>(sim.take()).empty());
    sim.tick(seconds(10));
    EXPECT_TRUE(only<ResolveSeeds>(sim.take()).empty());
    sim.tick(seconds(1));
    ASSERT_EQ(only<ResolveSeeds>(sim.take()).size(), 1u);
    // An empty answer turns the seed into an addr-fetch peer.
    sim.manager.seeds_resolved({}, sim.now);
    sim.tick();
    const auto opens = only<OpenConnection>(sim.take());
    ASSERT_EQ(opens.size(), 1u);
    EXPECT_EQ(opens[0].type, ConnectionType::addr_fetch);
    EXPECT_EQ(opens[0].target, "seed.a.example:18444");
}

TEST(ConnectionManager, fixed_seeds_are_added_after_a_minute_without_addresses) {
    auto options = base_options();
    options.automatic_outbound = true;
    options.dns_seeds = {"seed.a.example"};
    options.fixed_seeds = {gossip("70.1.1.1", START), gossip("71.1.1.1", START)};
    Sim sim(options);
    sim.tick();
    EXPECT_EQ(sim.manager.addresses().size(), 0u);
    sim.tick(seconds(30));
    EXPECT_EQ(sim.manager.addresses().size(), 0u);
    sim.tick(seconds(31));
    EXPECT_EQ(sim.manager.addresses().size(), 2u);
}

TEST(ConnectionManager, fixed_seeds_are_added_at_once_without_other_sources) {
    auto options = base_options();
    options.automatic_outbound = true;
    options.fixed_seeds = {gossip("70.1.1.1", START)};
    Sim sim(options);
    sim.tick();
    EXPECT_EQ(sim.manager.addresses().size(), 1u);
}

// ---- addresses ---------------------------------------------------------------------------

// An addr payload of `count` entries, beyond the writer's limit when count > 1000.
Bytes oversized_addr(std::size_t count, PeerTime now) {
    const Bytes one = encode_addr({gossip("60.1.1.1", now)});
    Bytes payload{0xfd, static_cast<std::uint8_t>(count), static_cast<std::uint8_t>(count >> 8)};
    for (std::size_t i = 0; i < count; ++i) {
        payload.insert(payload.end(), one.begin() + 1, one.end());
    }
    return payload;
}

TEST(ConnectionManager, addr_with_more_than_1000_entries_closes_and_discourages) {
    Sim sim;
    const PeerId id = *sim.inbound("30.1.0.1");
    sim.take();
    sim.remote_send(id, command::ADDR, oversized_addr(1001, sim.now));
    const auto actions = sim.take();
    EXPECT_TRUE(closes(actions, id));
    EXPECT_TRUE(sim.manager.bans().is_discouraged(service("30.1.0.1").address));
    EXPECT_TRUE(events<PeerMessage>(actions).empty());
}

TEST(ConnectionManager, a_truncated_addr_closes_and_discourages) {
    Sim sim;
    const PeerId id = *sim.inbound("30.1.0.1");
    sim.take();
    Bytes truncated = oversized_addr(3, sim.now);
    truncated.resize(truncated.size() - 5);
    sim.remote_send(id, command::ADDRV2, truncated);
    EXPECT_TRUE(closes(sim.take(), id));
    EXPECT_TRUE(sim.manager.bans().is_discouraged(service("30.1.0.1").address));
}

TEST(ConnectionManager, addr_with_1000_entries_is_accepted) {
    Sim sim;
    const PeerId id = *sim.inbound("30.1.0.1");
    sim.take();
    sim.remote_send(id, command::ADDR, oversized_addr(1000, sim.now));
    EXPECT_FALSE(closes(sim.take(), id));
    EXPECT_FALSE(sim.manager.bans().is_discouraged(service("30.1.0.1").address));
}

TEST(ConnectionManager, token_bucket_drops_excess_addresses_and_counts_them) {
    auto options = base_options();
    options.whitelist = {*parse_whitelist("addr@31.0.0.0/8")};
    Sim sim(options);
    const PeerId id = *sim.inbound("30.1.0.1");
    const PeerId trusted = *sim.inbound("31.1.0.1");
    sim.take();
    // The bucket starts with one token.
    sim.remote_send(id, command::ADDR, encode_addr(fresh_addresses(10, sim.now)));
    EXPECT_EQ(sim.stats(id).addr_processed, 1u);
    EXPECT_EQ(sim.stats(id).addr_rate_limited, 9u);
    // 0.1 tokens per second: 100 s later, ten more.
    sim.now += seconds(100);
    sim.remote_send(id, command::ADDR, encode_addr(fresh_addresses(20, sim.now, 80)));
    EXPECT_EQ(sim.stats(id).addr_processed, 11u);
    EXPECT_EQ(sim.stats(id).addr_rate_limited, 19u);
    EXPECT_TRUE(sim.stats(id).addr_relay_enabled);
    // The addr permission lifts the limit.
    sim.remote_send(trusted, command::ADDR, encode_addr(fresh_addresses(30, sim.now, 90)));
    EXPECT_EQ(sim.stats(trusted).addr_processed, 30u);
    EXPECT_EQ(sim.stats(trusted).addr_rate_limited, 0u);
}

TEST(ConnectionManager, our_getaddr_raises_the_bucket_for_the_answer) {
    auto options = base_options();
    options.connect = {"30.9.0.1"};
    Sim sim(options);
    sim.tick();
    const auto open = only<OpenConnection>(sim.take()).at(0);
    sim.complete(open);
    sim.take();
    sim.remote_send(open.id, command::ADDR, encode_addr(fresh_addresses(500, sim.now)));
    EXPECT_EQ(sim.stats(open.id).addr_processed, 500u);
    EXPECT_EQ(sim.stats(open.id).addr_rate_limited, 0u);
    EXPECT_GT(sim.manager.addresses().size(), 100u);
}

std::vector<PeerAddress> addresses_sent(Sim& sim, PeerId id) {
    std::vector<PeerAddress> out;
    for (const auto& m : sim.sent_to(id, "addrv2")) {
        const auto decoded = decode_addrv2(m.payload);
        EXPECT_TRUE(decoded.has_value());
        if (decoded) out.insert(out.end(), decoded->begin(), decoded->end());
    }
    for (const auto& m : sim.sent_to(id, "addr")) {
        const auto decoded = decode_addr(m.payload);
        EXPECT_TRUE(decoded.has_value());
        if (decoded) out.insert(out.end(), decoded->begin(), decoded->end());
    }
    return out;
}

TEST(ConnectionManager, getaddr_is_answered_once_and_only_to_inbound_peers) {
    auto options = base_options();
    options.connect = {"30.9.0.1"};
    Sim sim(options);
    sim.manager.addresses().add(fresh_addresses(100, START), service("5.5.5.5").address, 0,
                                secs(START));
    const std::size_t known = sim.manager.addresses().size();
    const PeerId id = *sim.inbound("30.1.0.1");
    sim.take();
    sim.remote_send(id, command::GETADDR);
    const auto answer = addresses_sent(sim, id);
    EXPECT_EQ(answer.size(), known * 23 / 100);  // 23% of the table
    EXPECT_EQ(sim.sent_to(id, "addrv2").size(), 1u);
    sim.remote_send(id, command::GETADDR);
    sim.tick(minutes(10));
    EXPECT_EQ(sim.sent_to(id, "addrv2").size(), 1u);

    // Outbound peers are never answered.
    const auto open = only<OpenConnection>(sim.take()).at(0);
    sim.complete(open);
    sim.remote_send(open.id, command::GETADDR);
    sim.tick(minutes(10));
    EXPECT_TRUE(addresses_sent(sim, open.id).empty());
    // getaddr is not passed on to the processing layer.
    for (const auto& message : events<PeerMessage>(sim.take())) {
        EXPECT_NE(message.command, "getaddr");
    }
}

TEST(ConnectionManager, getaddr_answers_are_cached_per_network_and_local_socket) {
    Sim sim;
    sim.manager.addresses().add(fresh_addresses(100, START), service("5.5.5.5").address, 0,
                                secs(START));
    const PeerId first = *sim.inbound("30.1.0.1");
    const PeerId second = *sim.inbound("31.1.0.1");
    sim.remote_send(first, command::GETADDR);
    sim.remote_send(second, command::GETADDR);
    auto a = addresses_sent(sim, first);
    auto b = addresses_sent(sim, second);
    ASSERT_FALSE(a.empty());
    auto key = [](const PeerAddress& x, const PeerAddress& y) { return x.service < y.service; };
    std::sort(a.begin(), a.end(), key);
    std::sort(b.begin(), b.end(), key);
    EXPECT_EQ(a, b);
}

TEST(ConnectionManager, fresh_addresses_from_small_messages_are_relayed_to_other_peers) {
    Sim sim;
    std::vector<PeerId> ids;
    for (int i = 0; i < 4; ++i) ids.push_back(*sim.inbound(std::to_string(30 + i) + ".1.0.1"));
    // Peers take part in relay once they sent an address message.
    for (const PeerId id : ids) sim.remote_send(id, command::ADDR, encode_addr({}));
    sim.take();
    sim.remote_send(ids[0], command::ADDR, encode_addr({gossip("66.1.1.1", sim.now)}));
    sim.tick(minutes(5));
    int relayed = 0;
    for (const PeerId id : ids) {
        for (const auto& a : addresses_sent(sim, id)) {
            if (a.service == service("66.1.1.1")) {
                EXPECT_NE(id, ids[0]);
                ++relayed;
            }
        }
    }
    EXPECT_EQ(relayed, 2);  // reachable addresses go to two peers
}

// ---- misbehaviour and disconnection ------------------------------------------------------

TEST(ConnectionManager, misbehaving_closes_and_discourages_but_spares_noban_and_manual) {
    auto options = base_options();
    options.whitelist = {*parse_whitelist("noban@31.0.0.0/8")};
    options.connect = {"32.9.0.1"};
    Sim sim(options);
    const PeerId plain = *sim.inbound("30.1.0.1");
    const PeerId sibling = *sim.inbound("30.1.0.1:4000");
    const PeerId noban = *sim.inbound("31.1.0.1");
    const PeerId local = *sim.inbound("127.0.0.1:4001");
    sim.tick();
    const auto open = only<OpenConnection>(sim.take()).at(0);
    sim.complete(open);
    sim.take();

    sim.manager.misbehaving(plain, "bad block");
    auto actions = sim.take();
    EXPECT_TRUE(closes(actions, plain));
    EXPECT_TRUE(closes(actions, sibling));  // every connection from the address
    EXPECT_TRUE(sim.manager.bans().is_discouraged(service("30.1.0.1").address));

    sim.manager.misbehaving(noban, "bad block");
    sim.manager.misbehaving(open.id, "bad block");
    actions = sim.take();
    EXPECT_TRUE(only<CloseConnection>(actions).empty());
    EXPECT_FALSE(sim.manager.bans().is_discouraged(service("31.1.0.1").address));

    sim.manager.misbehaving(local, "bad block");
    EXPECT_TRUE(closes(sim.take(), local));
    EXPECT_FALSE(sim.manager.bans().is_discouraged(service("127.0.0.1").address));
}

TEST(ConnectionManager, receive_backlog_pauses_reading_until_processed) {
    auto options = base_options();
    options.max_receive_queue_bytes = 1000;
    Sim sim(options);
    const PeerId id = *sim.inbound("30.1.0.1");
    sim.take();
    const Bytes blob(600, 0x42);
    sim.remote_send(id, "blob", blob);
    EXPECT_TRUE(only<SetReceivePaused>(sim.take()).empty());
    sim.remote_send(id, "blob", blob);
    auto paused = only<SetReceivePaused>(sim.take());
    ASSERT_EQ(paused.size(), 1u);
    EXPECT_EQ(paused[0].id, id);
    EXPECT_TRUE(paused[0].paused);
    sim.remote_send(id, "blob", blob);  // bytes already in flight are still delivered
    EXPECT_TRUE(only<SetReceivePaused>(sim.take()).empty());

    sim.manager.message_processed(id, 600);
    EXPECT_TRUE(sim.manager.take_actions().empty());  // 1200 > 1000
    sim.manager.message_processed(id, 600);
    const auto resumed = only<SetReceivePaused>(sim.manager.take_actions());
    ASSERT_EQ(resumed.size(), 1u);
    EXPECT_FALSE(resumed[0].paused);
}

TEST(ConnectionManager, disconnect_of_an_announced_peer_delivers_peer_disconnected) {
    Sim sim;
    const PeerId announced = *sim.inbound("30.1.0.1");
    const PeerId silent =
        *sim.manager.accepted(service("31.1.0.1"), service("1.1.1.1"), sim.now);
    sim.take();
    sim.manager.disconnect(announced, "test");
    sim.manager.disconnect(silent, "test");
    auto actions = sim.take();
    EXPECT_TRUE(closes(actions, announced));
    EXPECT_TRUE(closes(actions, silent));
    EXPECT_TRUE(events<PeerDisconnected>(actions).empty());  // only once the socket closed
    sim.manager.closed(announced, "closed", sim.now);
    sim.manager.closed(silent, "closed", sim.now);
    const auto gone = events<PeerDisconnected>(sim.take());
    ASSERT_EQ(gone.size(), 1u);
    EXPECT_EQ(gone[0].id, announced);
    EXPECT_EQ(sim.manager.connection_count(), 0u);
    // Calls about a closed peer are ignored.
    sim.manager.send(announced, command::PING, encode_nonce(1));
    sim.manager.disconnect(announced, "again");
    EXPECT_TRUE(sim.take().empty());
}

TEST(ConnectionManager, disconnect_node_by_address_or_id) {
    Sim sim;
    const PeerId a = *sim.inbound("30.1.0.1:4000");
    const PeerId b = *sim.inbound("31.1.0.1:4000");
    sim.take();
    EXPECT_TRUE(sim.manager.disconnect_node("30.1.0.1:4000"));
    EXPECT_TRUE(sim.manager.disconnect_node(b));
    EXPECT_FALSE(sim.manager.disconnect_node("32.1.0.1:4000"));
    EXPECT_FALSE(sim.manager.disconnect_node(PeerId{99}));
    const auto actions = sim.take();
    EXPECT_TRUE(closes(actions, a));
    EXPECT_TRUE(closes(actions, b));
}

TEST(ConnectionManager, network_inactive_closes_everything_and_opens_nothing) {
    auto options = base_options();
    options.connect = {"30.9.0.1"};
    Sim sim(options);
    const PeerId a = *sim.inbound("30.1.0.1");
    const PeerId b = *sim.inbound("31.1.0.1");
    sim.tick();
    const auto open = only<OpenConnection>(sim.take()).at(0);  // still connecting
    sim.manager.set_network_active(false);
    EXPECT_FALSE(sim.manager.network_active());
    const auto actions = sim.take();
    EXPECT_TRUE(closes(actions, a));
    EXPECT_TRUE(closes(actions, b));
    EXPECT_TRUE(closes(actions, open.id));
    for (const PeerId id : {a, b, open.id}) sim.manager.closed(id, "closed", sim.now);
    EXPECT_EQ(events<PeerDisconnected>(sim.take()).size(), 2u);

    EXPECT_FALSE(sim.inbound("32.1.0.1").has_value());
    sim.tick(seconds(10));
    EXPECT_TRUE(only<OpenConnection>(sim.take()).empty());
    sim.manager.set_network_active(true);
    sim.tick(seconds(10));
    EXPECT_EQ(only<OpenConnection>(sim.take()).size(), 1u);
}

TEST(ConnectionManager, ping_all_sends_a_ping_at_the_next_tick) {
    Sim sim;
    const PeerId id = *sim.inbound("30.1.0.1");
    sim.take();
    const std::size_t pings = sim.sent_to(id, "ping").size();
    sim.tick();
    EXPECT_EQ(sim.sent_to(id, "ping").size(), pings);
    sim.manager.ping_all();
    sim.tick();
    EXPECT_EQ(sim.sent_to(id, "ping").size(), pings + 1);
}

TEST(ConnectionManager, silent_inbound_peer_times_out) {
    Sim sim;
    const PeerId id = *sim.manager.accepted(service("30.1.0.1"), service("1.1.1.1"), sim.now);
    sim.tick(seconds(60));
    EXPECT_FALSE(closes(sim.take(), id));
    sim.tick(seconds(1));
    EXPECT_TRUE(closes(sim.take(), id));
}

TEST(ConnectionManager, ping_round_trips_show_in_peer_stats) {
    Sim sim;
    const PeerId id = *sim.inbound("30.1.0.1");  // the remote answers our first ping at once
    sim.take();
    const auto stats = sim.stats(id);
    ASSERT_TRUE(stats.min_ping.has_value());
    EXPECT_EQ(*stats.min_ping, PeerTime{0});
    EXPECT_FALSE(stats.ping_wait.has_value());
    EXPECT_EQ(stats.connected_time, secs(START));
    EXPECT_GT(stats.bytes_sent_per_command.at("version"), 0u);
    EXPECT_EQ(stats.network_group, service("30.1.0.1").address.group());
}

TEST(ConnectionManager, addr_fetch_peer_that_never_answers_is_dropped_after_five_minutes) {
    auto options = base_options();
    options.seed_nodes = {"30.8.0.1"};
    Sim sim(options);
    sim.tick();
    const auto open = only<OpenConnection>(sim.take()).at(0);
    sim.complete(open);
    sim.take();
    sim.tick(minutes(5) - seconds(1));
    EXPECT_FALSE(closes(sim.take(), open.id));
    sim.tick(seconds(2));
    EXPECT_TRUE(closes(sim.take(), open.id));
}

TEST(ConnectionManager, seed_nodes_get_thirty_seconds_before_dns_seeds) {
    auto options = base_options();
    options.seed_nodes = {"30.8.0.1"};
    options.dns_seeds = {"seed.a.example"};
    Sim sim(options);
    sim.tick();  // the clock starts here
    EXPECT_TRUE(only<ResolveSeeds>(sim.take()).empty());
    sim.tick(seconds(30));
    EXPECT_TRUE(only<ResolveSeeds>(sim.take()).empty());
    sim.tick(seconds(1));  // more than 30 seconds later
    EXPECT_EQ(only<ResolveSeeds>(sim.take()).size(), 1u);
}

TEST(ConnectionManager, calls_about_unknown_peers_are_ignored) {
    Sim sim;
    sim.manager.received(PeerId{42}, Bytes{1, 2, 3}, sim.now);
    sim.manager.connected(PeerId{42}, service("30.1.0.1"), service("1.1.1.1"), sim.now);
    sim.manager.connect_failed(PeerId{42}, "no", sim.now);
    sim.manager.closed(PeerId{42}, "no", sim.now);
    sim.manager.send(PeerId{42}, command::PING, encode_nonce(1));
    sim.manager.misbehaving(PeerId{42}, "no");
    sim.manager.message_processed(PeerId{42}, 10);
    sim.manager.note_useful(PeerId{42}, ConnectionManager::Useful::block, sim.now);
    EXPECT_TRUE(sim.manager.take_actions().empty());
}

TEST(ConnectionManager, garbage_from_a_peer_closes_only_that_connection) {
    Sim sim;
    const PeerId bad = *sim.inbound("30.1.0.1");
    const PeerId good = *sim.inbound("31.1.0.1");
    sim.take();
    sim.manager.received(bad, Bytes(100, 0xee), sim.now);
    const auto actions = sim.take();
    EXPECT_TRUE(closes(actions, bad));
    EXPECT_FALSE(closes(actions, good));
}

// Random socket events, garbage and valid traffic, in any order: nothing crashes, and the
// processing layer's view stays consistent (PeerConnected at most once per id and before any
// PeerMessage; PeerDisconnected only after PeerConnected, at most once).
TEST(ConnectionManager, random_event_sequences_keep_the_event_stream_consistent) {
    auto options = base_options();
    options.automatic_outbound = true;
    options.max_connections = 8 + 2 + 1 + 6;
    options.max_receive_queue_bytes = 2000;
    Sim sim(options);
    fill_addrman(sim);
    FastRandom rng(seed(99));
    std::set<PeerId> announced;
    std::set<PeerId> gone;
    std::set<PeerId> known;
    std::size_t steps = 0;
    auto check = [&](const std::vector<ConnectionAction>& actions) {
        for (const auto& action : actions) {
            if (const auto* open = std::get_if<OpenConnection>(&action)) known.insert(open->id);
            if (const auto* close = std::get_if<CloseConnection>(&action)) {
                EXPECT_TRUE(known.contains(close->id)) << close->id;
            }
            const auto* deliver = std::get_if<DeliverEvent>(&action);
            if (deliver == nullptr) continue;
            if (const auto* c = std::get_if<PeerConnected>(&deliver->event)) {
                EXPECT_TRUE(announced.insert(c->id).second) << c->id;
            } else if (const auto* m = std::get_if<PeerMessage>(&deliver->event)) {
                EXPECT_TRUE(announced.contains(m->id) && !gone.contains(m->id)) << m->id;
            } else if (const auto* d = std::get_if<PeerDisconnected>(&deliver->event)) {
                EXPECT_TRUE(announced.contains(d->id)) << d->id;
                EXPECT_TRUE(gone.insert(d->id).second) << d->id;
            }
        }
    };
    std::vector<PeerId> live;
    std::vector<OpenConnection> pending;
    for (; steps < 3000; ++steps) {
        const auto choice = rng.randrange(10);
        const PeerId some = live.empty() ? PeerId{0}
                                         : live[rng.randrange(live.size())];
        switch (choice) {
            case 0: {
                const std::string from = std::to_string(30 + rng.randrange(60)) + ".1.0." +
                                         std::to_string(1 + rng.randrange(200));
                if (auto id = sim.inbound(from)) {
                    known.insert(*id);
                    live.push_back(*id);
                }
                break;
            }
            case 1: sim.tick(seconds(1 + static_cast<int>(rng.randrange(120)))); break;
            case 2: sim.manager.received(some, rng.randbytes(rng.randrange(64)), sim.now); break;
            case 3:
                if (sim.remotes.contains(some) && sim.remotes[some].peer) {
                    sim.remote_send(some, "blob", Bytes(rng.randrange(1500), 7));
                }
                break;
            case 4:
                if (sim.remotes.contains(some) && sim.remotes[some].peer) {
                    sim.remote_send(some, command::ADDR,
                                    encode_addr(fresh_addresses(
                                        static_cast<int>(rng.randrange(20)), sim.now, 100)));
                }
                break;
            case 5: sim.manager.message_processed(some, rng.randrange(3000)); break;
            case 6: sim.manager.disconnect(some, "random"); break;
            case 7: sim.manager.misbehaving(some, "random"); break;
            case 8:
                sim.manager.closed(some, "random", sim.now);
                std::erase(live, some);
                break;
            case 9:
                for (const auto& open : std::exchange(pending, {})) {
                    sim.complete(open);
                    live.push_back(open.id);
                }
                break;
        }
        sim.pump();
        auto actions = std::exchange(sim.log, {});
        for (const auto& close : only<CloseConnection>(actions)) {
            sim.manager.closed(close.id, "closed", sim.now);
            std::erase(live, close.id);
        }
        sim.pump();
        for (auto& more : std::exchange(sim.log, {})) actions.push_back(std::move(more));
        for (const auto& open : only<OpenConnection>(actions)) {
            if (open.service) pending.push_back(open);
        }
        check(actions);
    }
    std::cout << "random manager steps: " << steps << ", peers announced: " << announced.size()
              << "\n";
    EXPECT_GT(announced.size(), 0u);
}

static_assert(std::is_move_constructible_v<ConnectionManager>);

// ---- persistence and parsing -------------------------------------------------------------

TEST(ConnectionManager, bans_and_addresses_round_trip_through_their_files) {
    Sim sim;
    sim.manager.bans().ban(*SubNet::parse("30.0.0.0/8"), secs(START) + 3600, secs(START));
    sim.manager.addresses().add(fresh_addresses(20, START), service("5.5.5.5").address, 0,
                                secs(START));
    const Bytes bans = sim.manager.save_bans();
    const Bytes addresses = sim.manager.save_addresses();
    Sim other;
    ASSERT_TRUE(other.manager.load_bans(bans).has_value());
    ASSERT_TRUE(other.manager.load_addresses(addresses).has_value());
    EXPECT_TRUE(other.manager.bans().is_banned(service("30.1.1.1").address, secs(START)));
    EXPECT_EQ(other.manager.addresses().size(), sim.manager.addresses().size());
    EXPECT_FALSE(other.manager.load_bans(Bytes{1, 2, 3}).has_value());
    EXPECT_FALSE(other.manager.load_addresses(Bytes{1, 2, 3}).has_value());
    EXPECT_TRUE(other.manager.bans().is_banned(service("30.1.1.1").address, secs(START)));
}

TEST(ConnectionManager, whitelist_entries_parse_as_core_does) {
    const auto bare = parse_whitelist("1.2.3.0/24");
    ASSERT_TRUE(bare.has_value());
    EXPECT_EQ(bare->subnet.to_string(), "1.2.3.0/24");
    EXPECT_EQ(bare->flags & permissions::IMPLICIT, permissions::IMPLICIT);
    EXPECT_EQ(permission_names(bare->flags),
              (std::vector<std::string>{"noban", "relay", "mempool", "download"}));

    const auto listed = parse_whitelist("bloom,addr,,forcerelay@1.2.3.4");
    ASSERT_TRUE(listed.has_value());
    EXPECT_EQ(permission_names(listed->flags),
              (std::vector<std::string>{"bloomfilter", "forcerelay", "relay", "addr"}));
    EXPECT_EQ(permission_names(parse_whitelist("all@::1")->flags).size(), 7u);

    const auto bad_permission = parse_whitelist("noban,bogus@1.2.3.4");
    ASSERT_FALSE(bad_permission.has_value());
    EXPECT_EQ(bad_permission.error(), "Invalid P2P permission: 'bogus'");
    const auto bad_net = parse_whitelist("noban@1.2.3.400");
    ASSERT_FALSE(bad_net.has_value());
    EXPECT_EQ(bad_net.error(), "Invalid netmask specified in -whitelist: '1.2.3.400'");
}

TEST(ConnectionManager, connection_types_print_as_getpeerinfo_shows_them) {
    EXPECT_EQ(to_string(ConnectionType::inbound), "inbound");
    EXPECT_EQ(to_string(ConnectionType::outbound_full_relay), "outbound-full-relay");
    EXPECT_EQ(to_string(ConnectionType::block_relay_only), "block-relay-only");
    EXPECT_EQ(to_string(ConnectionType::manual), "manual");
    EXPECT_EQ(to_string(ConnectionType::feeler), "feeler");
    EXPECT_EQ(to_string(ConnectionType::addr_fetch), "addr-fetch");
    EXPECT_FALSE(is_outbound(ConnectionType::inbound));
    EXPECT_TRUE(is_outbound(ConnectionType::feeler));
}

}  // namespace
}  // namespace bitloom
