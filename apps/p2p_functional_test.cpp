// Whole-node P2P tests: real bitloomd processes on loopback ports chosen at run time, connected
// to each other with -connect, or talked to over the wire by a raw test peer
// (apps/functional_harness.h). CTest passes the binaries' directory in BITLOOM_BIN_DIR.
//
// Every node runs with -dnsseed=0 -fixedseeds=0, binds 127.0.0.1, and has explicit -connect
// targets on loopback or -connect=0, so nothing dials out of the machine.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "consensus/chainparams.h"
#include "encoding/address.h"
#include "encoding/prefixes.h"
#include "functional_harness.h"
#include "p2p/messages.h"
#include "p2p/peer.h"
#include "p2p/protocol.h"
#include "primitives/serialize.h"
#include "testutil/temp_dir.h"
#include "testutil/vectors.h"

namespace bitloom {
namespace {

using namespace std::chrono_literals;
using harness::NodeOptions;
using harness::NodeProcess;
using harness::TestPeer;
using harness::wait_until;
using testutil::TempDir;

// A node's resident memory after every flood must stay below this (generous: an idle regtest
// node uses a few tens of MB).
constexpr std::uint64_t RSS_LIMIT_KIB = 300 * 1024;

const MessageStart& regtest_magic() { return chain_params(ChainType::regtest).message_start; }

// A P2WPKH regtest address (key hash 0x11...11) for generatetoaddress.
const std::string& mining_address() {
    static const std::string address = [] {
        std::array<std::uint8_t, 20> hash{};
        hash.fill(0x11);
        return encode_address(WitnessV0KeyHash{Uint160(hash)}, REGTEST_ADDRESS_PREFIXES).value();
    }();
    return address;
}

testing::AssertionResult started(NodeProcess& node) {
    auto result = node.start();
    if (result) return testing::AssertionSuccess();
    return testing::AssertionFailure() << "bitloomd did not start: " << result.error();
}

// The result of an RPC call that must succeed (a null Json after recording the failure).
Json ok(NodeProcess& node, const std::string& method, Json params = Json::array()) {
    auto result = node.result_of(method, std::move(params));
    if (!result) {
        ADD_FAILURE() << result.error();
        return Json();
    }
    return *result;
}

int block_count(NodeProcess& node) {
    auto count = node.result_of("getblockcount");
    return count && count->is_number_integer() ? count->get<int>() : -1;
}

std::string best_hash(NodeProcess& node) {
    auto hash = node.result_of("getbestblockhash");
    return hash && hash->is_string() ? hash->get<std::string>() : std::string();
}

int connection_count(NodeProcess& node) {
    auto count = node.result_of("getconnectioncount");
    return count && count->is_number_integer() ? count->get<int>() : -1;
}

// Mines `count` blocks at `node` in batches; returns the last block's hash.
std::string mine(NodeProcess& node, int count) {
    std::string last;
    for (int done = 0; done < count;) {
        const int batch = std::min(count - done, 250);
        Json hashes = ok(node, "generatetoaddress", Json::array({batch, mining_address()}));
        if (!hashes.is_array() || hashes.size() != static_cast<std::size_t>(batch)) {
            ADD_FAILURE() << "generatetoaddress returned " << write_json(hashes);
            return last;
        }
        last = hashes.back().get<std::string>();
        done += batch;
    }
    return last;
}

// An honest version message's payload.
Bytes version_payload() {
    VersionMessage version;
    version.version = PROTOCOL_VERSION;
    version.services = services::NODE_NETWORK | services::NODE_WITNESS;
    version.time = 1'700'000'000;
    version.addr_recv = NetService{NetAddress::ipv4({127, 0, 0, 1}), 18444};
    version.nonce = 0x0123456789abcdefULL;
    version.user_agent = "";
    version.start_height = 0;
    return encode_version(version);
}

TEST(P2pFunctional, a_block_mined_at_either_end_of_a_line_of_five_nodes_reaches_the_other_end) {
    TempDir dir("bitloom-p2p");
    std::vector<std::unique_ptr<NodeProcess>> nodes;
    for (int i = 0; i < 5; ++i) {
        NodeOptions options;
        if (i > 0) options.connect = {nodes.back()->p2p_address()};
        nodes.push_back(std::make_unique<NodeProcess>(dir.path() / ("node" + std::to_string(i)), options));
        ASSERT_TRUE(started(*nodes.back())) << "node " << i;
    }
    for (int i = 0; i < 5; ++i) {
        const int expected = (i == 0 || i == 4) ? 1 : 2;
        ASSERT_TRUE(wait_until([&] { return connection_count(*nodes[i]) == expected; }, 30s))
            << "node " << i << " has " << connection_count(*nodes[i]) << " connections, expected " << expected
            << "\n" << nodes[i]->log_tail();
    }

    const std::string first = mine(*nodes[0], 1);
    ASSERT_FALSE(first.empty());
    EXPECT_TRUE(wait_until([&] { return best_hash(*nodes[4]) == first; }, 60s))
        << "node 4 is at " << best_hash(*nodes[4]) << " height " << block_count(*nodes[4]) << "\n"
        << nodes[4]->log_tail();

    const std::string second = mine(*nodes[4], 1);
    ASSERT_FALSE(second.empty());
    EXPECT_TRUE(wait_until([&] { return best_hash(*nodes[0]) == second; }, 60s))
        << "node 0 is at " << best_hash(*nodes[0]) << " height " << block_count(*nodes[0]) << "\n"
        << nodes[0]->log_tail();
    for (int i = 0; i < 5; ++i) {
        EXPECT_TRUE(wait_until([&] { return best_hash(*nodes[i]) == second; }, 30s)) << "node " << i;
        EXPECT_EQ(block_count(*nodes[i]), 2) << "node " << i;
    }
    for (auto& node : nodes) EXPECT_EQ(node->stop(), 0);
}

TEST(P2pFunctional, a_sixth_node_syncs_2000_blocks_from_a_line_of_five_and_survives_losing_its_main_source) {
    constexpr int CHAIN_LENGTH = 2000;
    constexpr int SOURCES = 5;
    TempDir dir("bitloom-p2p");
    // Five nodes in a line; 2,000 blocks mined at one end travel to the other, hop by hop.
    std::vector<std::unique_ptr<NodeProcess>> sources;
    std::vector<std::string> targets;
    for (int i = 0; i < SOURCES; ++i) {
        NodeOptions line;
        if (i > 0) line.connect = {sources.back()->p2p_address()};
        sources.push_back(std::make_unique<NodeProcess>(dir.path() / ("source" + std::to_string(i)), line));
        ASSERT_TRUE(started(*sources.back())) << "source " << i;
        targets.push_back(sources.back()->p2p_address());
    }
    ASSERT_TRUE(wait_until([&] { return connection_count(*sources[SOURCES - 1]) == 1; }, 30s));
    const std::string tip = mine(*sources[0], CHAIN_LENGTH);
    ASSERT_EQ(block_count(*sources[0]), CHAIN_LENGTH);
    for (int i = 0; i < SOURCES; ++i) {
        ASSERT_TRUE(wait_until([&] { return best_hash(*sources[i]) == tip; }, 120s))
            << "source " << i << " is at height " << block_count(*sources[i]) << "\n"
            << sources[i]->log_tail();
    }

    NodeOptions options;
    options.connect = targets;
    NodeProcess syncing(dir.path() / "syncing", options);
    const auto start = std::chrono::steady_clock::now();
    ASSERT_TRUE(started(syncing));

    // Once a quarter of the chain is in, every source is frozen (SIGSTOP) so that the sync
    // stops midway; the source that has sent the most block bytes is then killed (SIGKILL)
    // and the others resume. A regtest chain of empty blocks syncs in well under a second, so
    // the poll is tight.
    auto block_bytes_by_peer = [&] {
        std::vector<std::pair<std::string, std::uint64_t>> out;
        auto peers = syncing.result_of("getpeerinfo");
        if (!peers || !peers->is_array()) return out;
        for (const auto& peer : *peers) {
            const Json per_msg = peer.value("bytesrecv_per_msg", Json::object());
            out.emplace_back(peer.value("addr", std::string()), per_msg.value("block", std::uint64_t{0}));
        }
        return out;
    };
    const bool flowing = wait_until([&] { return block_count(syncing) >= CHAIN_LENGTH / 4; }, 120s, 1ms);
    for (auto& source : sources) source->pause();
    ASSERT_TRUE(flowing) << "the sync did not reach a quarter of the chain\n" << syncing.log_tail();
    const int height_at_kill = block_count(syncing);
    std::string most_addr;
    std::uint64_t most = 0;
    for (const auto& [addr, bytes] : block_bytes_by_peer()) {
        std::printf("[sync] at height %d: %llu block bytes from %s\n", height_at_kill,
                    static_cast<unsigned long long>(bytes), addr.c_str());
        if (bytes > most) {
            most = bytes;
            most_addr = addr;
        }
    }
    int killed = -1;
    for (int i = 0; i < SOURCES; ++i) {
        if (sources[i]->p2p_address() == most_addr) {
            sources[i]->kill_hard();
            killed = i;
        }
    }
    for (auto& source : sources) source->resume();
    EXPECT_LT(height_at_kill, CHAIN_LENGTH) << "the sync finished before a source could be killed midway";
    ASSERT_GE(killed, 0) << "no source has the address '" << most_addr << "'";
    EXPECT_TRUE(wait_until([&] { return block_count(syncing) == CHAIN_LENGTH; }, 120s));
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("[sync] %d blocks in %.2f s; source %d killed at height %d\n", block_count(syncing), seconds,
                killed, height_at_kill);
    EXPECT_EQ(block_count(syncing), CHAIN_LENGTH) << syncing.log_tail();
    EXPECT_EQ(best_hash(syncing), tip);
    EXPECT_TRUE(wait_until([&] { return connection_count(syncing) == SOURCES - 1; }, 30s))
        << "connections after the kill: " << connection_count(syncing);
    EXPECT_TRUE(wait_until(
        [&] {
            auto info = syncing.result_of("getblockchaininfo");
            return info && info->value("initialblockdownload", true) == false;
        },
        30s))
        << "still in initial block download";
    Json info = ok(syncing, "getblockchaininfo");
    EXPECT_GT(info["verificationprogress"].get<double>(), 0.99);
    EXPECT_EQ(syncing.stop(), 0);
    for (auto& source : sources) {
        if (source->running()) {
            EXPECT_EQ(source->stop(), 0);
        }
    }
}

TEST(P2pFunctional, net_rpcs_add_disconnect_and_ban_peers_as_bitcoin_core_does) {
    TempDir dir("bitloom-p2p");
    NodeProcess a(dir.path() / "a");
    NodeProcess b(dir.path() / "b");
    ASSERT_TRUE(started(a));
    ASSERT_TRUE(started(b));
    EXPECT_TRUE(ok(b, "addnode", Json::array({a.p2p_address(), "onetry"})).is_null());
    ASSERT_TRUE(wait_until([&] { return connection_count(a) == 1 && connection_count(b) == 1; }, 30s))
        << "connections: " << connection_count(a) << " and " << connection_count(b);

    const Json a_peers = ok(a, "getpeerinfo");
    ASSERT_EQ(a_peers.size(), 1U) << write_json(a_peers);
    EXPECT_EQ(a_peers[0]["inbound"], true);
    EXPECT_EQ(a_peers[0]["connection_type"], "inbound");
    const Json b_peers = ok(b, "getpeerinfo");
    ASSERT_EQ(b_peers.size(), 1U) << write_json(b_peers);
    EXPECT_EQ(b_peers[0]["inbound"], false);
    EXPECT_EQ(b_peers[0]["connection_type"], "manual");
    EXPECT_EQ(b_peers[0]["addr"], a.p2p_address());
    Json network = ok(a, "getnetworkinfo");
    EXPECT_EQ(network["connections"], 1);
    EXPECT_EQ(network["connections_in"], 1);
    EXPECT_EQ(network["connections_out"], 0);

    EXPECT_TRUE(ok(b, "disconnectnode", Json::array({a.p2p_address()})).is_null());
    EXPECT_TRUE(wait_until([&] { return connection_count(a) == 0 && connection_count(b) == 0; }, 30s))
        << "connections: " << connection_count(a) << " and " << connection_count(b);

    // A banned address is refused at once; after clearbanned it is welcome again.
    EXPECT_TRUE(ok(a, "setban", Json::array({"127.0.0.1", "add"})).is_null());
    Json banned = ok(a, "listbanned");
    ASSERT_EQ(banned.size(), 1U) << write_json(banned);
    EXPECT_EQ(banned[0]["address"], "127.0.0.1/32");
    {
        auto peer = TestPeer::connect(a.p2p_port(), regtest_magic());
        ASSERT_TRUE(peer) << peer.error().message;
        (void)peer->send(command::VERSION, version_payload());
        EXPECT_TRUE(peer->wait_closed(20s)) << "a banned address was not refused";
    }
    EXPECT_TRUE(ok(a, "clearbanned").is_null());
    EXPECT_EQ(ok(a, "listbanned"), Json::array());
    auto peer = TestPeer::connect(a.p2p_port(), regtest_magic());
    ASSERT_TRUE(peer) << peer.error().message;
    auto handshake = peer->handshake();
    EXPECT_TRUE(handshake) << handshake.error().message;
    EXPECT_EQ(a.stop(), 0);
    EXPECT_EQ(b.stop(), 0);
}

// --- Hostile input -----------------------------------------------------------------------
//
// One node with -connect=0 takes every case on its own connection. Each case asserts that
// the offending connection is closed by the node, that the node is still running, answers
// RPC, completes an honest handshake and a ping, and that its resident memory is bounded
// (the bad checksum, the truncated addr and the ping flood say what they expect instead).

// A header with our magic, `command`, a length field of `length` and a zero checksum.
Bytes raw_header(std::string_view command, std::uint32_t length) {
    Bytes out(regtest_magic().begin(), regtest_magic().end());
    for (std::size_t i = 0; i < COMMAND_SIZE; ++i) {
        out.push_back(i < command.size() ? static_cast<std::uint8_t>(command[i]) : 0);
    }
    Writer writer(out);
    writer.write_u32(length);
    writer.write_u32(0);
    return out;
}

Bytes message(std::string_view command, ByteSpan payload) { return encode_message(regtest_magic(), command, payload); }

// An addr payload of `count` entries with public, routable IPv4 addresses (the node runs
// with -connect=0 and never dials them).
Bytes addr_payload(std::size_t count) {
    Bytes out;
    Writer writer(out);
    writer.write_compact_size(count);
    for (std::size_t i = 0; i < count; ++i) {
        writer.write_u32(1'700'000'000);
        writer.write_u64(services::NODE_NETWORK | services::NODE_WITNESS);
        const std::uint8_t ip[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 23, static_cast<std::uint8_t>(i >> 8),
                                     static_cast<std::uint8_t>(i), 7};
        writer.write_bytes(ip);
        out.push_back(0x20);  // port 8333, big-endian
        out.push_back(0x8d);
    }
    return out;
}

// An addrv2 payload of `count` IPv4 entries (as addr_payload's).
Bytes addrv2_payload(std::size_t count) {
    Bytes out;
    Writer writer(out);
    writer.write_compact_size(count);
    for (std::size_t i = 0; i < count; ++i) {
        writer.write_u32(1'700'000'000);
        writer.write_compact_size(services::NODE_NETWORK | services::NODE_WITNESS);
        writer.write_u8(1);  // IPv4
        writer.write_compact_size(4);
        const std::uint8_t ip[4] = {23, static_cast<std::uint8_t>(i >> 8), static_cast<std::uint8_t>(i), 9};
        writer.write_bytes(ip);
        out.push_back(0x20);
        out.push_back(0x8d);
    }
    return out;
}

Bytes inv_payload(std::size_t count) {
    Bytes out;
    Writer writer(out);
    writer.write_compact_size(count);
    std::mt19937_64 random(7);
    for (std::size_t i = 0; i < count; ++i) {
        writer.write_u32(inv_type::MSG_WITNESS_TX);
        for (int word = 0; word < 4; ++word) writer.write_u64(random());
    }
    return out;
}

// `count` headers chained from the regtest genesis block (not mined: the proof of work is
// wrong, which a node only finds after it accepted the message's size).
Bytes headers_payload(std::size_t count) {
    Bytes out;
    Writer writer(out);
    writer.write_compact_size(count);
    BlockHeader header = chain_params(ChainType::regtest).genesis.header;
    for (std::size_t i = 0; i < count; ++i) {
        header.prev_block = header.hash();
        header.time += 1;
        header.nonce = static_cast<std::uint32_t>(i);
        writer.write_bytes(header.encode());
        writer.write_u8(0);
    }
    return out;
}

class HostileInput : public testing::Test {
protected:
    static void SetUpTestSuite() {
        dir_ = std::make_unique<TempDir>("bitloom-p2p-hostile");
        NodeOptions options;
        options.extra_args = {"-debug=net"};
        node_ = std::make_unique<NodeProcess>(dir_->path(), options);
        auto result = node_->start();
        if (!result) start_error_ = result.error();
    }
    static void TearDownTestSuite() {
        if (node_ && node_->running()) {
            EXPECT_EQ(node_->stop(), 0);
        }
        node_.reset();
        dir_.reset();
    }
    void SetUp() override {
        ASSERT_TRUE(start_error_.empty()) << "bitloomd did not start: " << start_error_;
        ASSERT_TRUE(node_->alive()) << "bitloomd is no longer running";
    }

    static Result<TestPeer, harness::PeerFailure> connect() {
        return TestPeer::connect(node_->p2p_port(), regtest_magic());
    }

    // The node is running, answers RPC, accepts an honest peer and answers its ping, and its
    // resident memory is below RSS_LIMIT_KIB.
    static void expect_node_healthy(const std::string& after) {
        ASSERT_TRUE(node_->alive()) << "bitloomd died after " << after;
        EXPECT_EQ(block_count(*node_), 0) << "RPC after " << after;
        auto peer = connect();
        ASSERT_TRUE(peer) << "connect after " << after << ": " << peer.error().message;
        auto handshake = peer->handshake();
        EXPECT_TRUE(handshake) << "honest handshake after " << after << ": " << to_string(handshake.error().error)
                               << " " << handshake.error().message;
        if (handshake) {
            auto pong = peer->ping_pong(0x5eed);
            EXPECT_TRUE(pong) << "honest ping after " << after << ": " << pong.error().message;
        }
        const auto rss = node_->status_kib("VmRSS");
        ASSERT_TRUE(rss.has_value());
        EXPECT_LT(*rss, RSS_LIMIT_KIB) << "VmRSS after " << after;
        std::printf("[hostile] after %s: node healthy, VmRSS %llu KiB\n", after.c_str(),
                    static_cast<unsigned long long>(*rss));
    }

    // Sends `bytes` on a fresh connection (after an honest handshake when `handshake_first`)
    // and expects the node to close that connection and stay healthy.
    static void expect_dropped(const std::string& what, const Bytes& bytes, bool handshake_first) {
        auto peer = connect();
        ASSERT_TRUE(peer) << peer.error().message;
        if (handshake_first) {
            auto handshake = peer->handshake();
            ASSERT_TRUE(handshake) << handshake.error().message;
        }
        // The node may close the connection before it has read everything: a failed send is
        // fine, the close is what is checked.
        (void)peer->send_raw(bytes, 30s);
        EXPECT_TRUE(peer->wait_closed(20s)) << "the connection survived " << what << "\n" << node_->log_tail();
        expect_node_healthy(what);
    }

    static inline std::unique_ptr<TempDir> dir_;
    static inline std::unique_ptr<NodeProcess> node_;
    static inline std::string start_error_;
};

TEST_F(HostileInput, a_message_with_the_wrong_network_magic_drops_the_connection) {
    const MessageStart mainnet = chain_params(ChainType::main).message_start;
    ASSERT_NE(mainnet, regtest_magic());
    expect_dropped("wrong magic", encode_message(mainnet, command::VERSION, version_payload()), false);
}

TEST_F(HostileInput, a_length_field_above_four_million_drops_the_connection_before_the_payload) {
    Bytes bytes = raw_header(command::VERSION, MAX_PROTOCOL_MESSAGE_LENGTH + 1);
    bytes.resize(bytes.size() + 1000, 0x42);
    expect_dropped("length 4,000,001", bytes, false);
}

TEST_F(HostileInput, a_length_field_of_four_gigabytes_after_the_handshake_drops_the_connection) {
    expect_dropped("length 0xffffffff", raw_header(command::BLOCK, 0xffffffff), true);
}

TEST_F(HostileInput, garbage_bytes_drop_the_connection) {
    std::mt19937 random(42);
    Bytes bytes(4096);
    for (auto& byte : bytes) byte = static_cast<std::uint8_t>(random());
    bytes[0] = 0;  // never the magic
    expect_dropped("4096 garbage bytes", bytes, false);
}

TEST_F(HostileInput, a_truncated_version_drops_the_connection) {
    Bytes payload = version_payload();
    payload.resize(40);  // ends inside addr_recv
    expect_dropped("truncated version", message(command::VERSION, payload), false);
}

TEST_F(HostileInput, a_version_with_an_overlong_user_agent_drops_the_connection) {
    // version..nonce take 80 bytes, then the user agent's length (0 in version_payload()).
    Bytes payload = version_payload();
    ASSERT_EQ(payload[80], 0);
    Bytes agent;
    Writer writer(agent);
    writer.write_var_bytes(Bytes(MAX_SUBVERSION_LENGTH + 44, 'x'));
    payload.erase(payload.begin() + 80);
    payload.insert(payload.begin() + 80, agent.begin(), agent.end());
    expect_dropped("version with a 300-byte user agent", message(command::VERSION, payload), false);
}

TEST_F(HostileInput, truncated_headers_after_the_handshake_drop_the_connection) {
    Bytes payload = headers_payload(3);
    payload.resize(1 + 81 + 40);  // the second header ends early
    expect_dropped("truncated headers", message(command::HEADERS, payload), true);
}

TEST_F(HostileInput, a_truncated_inv_after_the_handshake_drops_the_connection) {
    Bytes payload = inv_payload(10);
    payload.resize(1 + 3 * 36);  // announces 10 entries, carries 3
    expect_dropped("truncated inv", message(command::INV, payload), true);
}

// Bitcoin Core logs and ignores an addr message that does not decode; bitloom treats it as every
// other malformed payload and drops the peer.
TEST_F(HostileInput, a_truncated_addr_after_the_handshake_drops_the_connection) {
    Bytes payload = addr_payload(5);
    payload.resize(1 + 30 + 10);  // announces 5 entries, the second ends early
    expect_dropped("truncated addr", message(command::ADDR, payload), true);
}

TEST_F(HostileInput, a_truncated_block_after_the_handshake_drops_the_connection) {
    Bytes payload;
    Writer writer(payload);
    writer.write_bytes(chain_params(ChainType::regtest).genesis.header.encode());
    writer.write_compact_size(1);
    writer.write_u32(2);        // transaction version
    writer.write_u8(1);         // one input...
    writer.write_bytes(Bytes(20, 0));  // ...that ends inside its outpoint
    expect_dropped("truncated block", message(command::BLOCK, payload), true);
}

TEST_F(HostileInput, more_than_2000_headers_drop_the_connection) {
    expect_dropped("2001 headers", message(command::HEADERS, headers_payload(MAX_HEADERS_RESULTS + 1)), true);
}

TEST_F(HostileInput, more_than_50000_inventory_entries_drop_the_connection) {
    expect_dropped("50001 inv entries", message(command::INV, inv_payload(MAX_INV_SZ + 1)), true);
}

TEST_F(HostileInput, more_than_1000_addr_entries_drop_the_connection) {
    expect_dropped("1001 addr entries", message(command::ADDR, addr_payload(MAX_ADDR_TO_SEND + 1)), true);
}

TEST_F(HostileInput, more_than_1000_addrv2_entries_drop_the_connection) {
    expect_dropped("1001 addrv2 entries", message(command::ADDRV2, addrv2_payload(MAX_ADDR_TO_SEND + 1)), true);
}

TEST_F(HostileInput, a_bad_checksum_drops_the_message_but_keeps_the_connection) {
    auto peer = connect();
    ASSERT_TRUE(peer) << peer.error().message;
    ASSERT_TRUE(peer->handshake());
    Bytes bad = message(command::PING, encode_nonce(111));
    bad[MESSAGE_HEADER_SIZE - 1] ^= 0xff;
    ASSERT_TRUE(peer->send_raw(bad));
    ASSERT_TRUE(peer->send(command::PING, encode_nonce(222)));
    // The first pong must answer 222: 111 was never delivered.
    for (;;) {
        auto pong = peer->receive_command(command::PONG, 20s);
        ASSERT_TRUE(pong) << "no pong after a bad checksum: " << pong.error().message << "\n" << node_->log_tail();
        auto nonce = decode_nonce(pong->payload);
        ASSERT_TRUE(nonce);
        EXPECT_NE(*nonce, 111U) << "the message with the bad checksum was processed";
        if (*nonce == 222) break;
    }
    expect_node_healthy("a bad checksum");
}

TEST_F(HostileInput, a_flood_of_pings_leaves_the_node_running_with_bounded_memory) {
    constexpr int PINGS = 20'000;
    auto peer = connect();
    ASSERT_TRUE(peer) << peer.error().message;
    ASSERT_TRUE(peer->handshake());
    Bytes flood;
    for (int i = 1; i <= PINGS; ++i) append(flood, message(command::PING, encode_nonce(static_cast<std::uint64_t>(i))));
    // The pongs are read while the pings are written, so neither side's buffers fill up.
    std::atomic<int> pongs{0};
    std::thread reader([&] {
        while (pongs.load() < PINGS) {
            auto pong = peer->receive_command(command::PONG, 30s);
            if (!pong) break;
            pongs.fetch_add(1);
        }
    });
    auto sent = peer->send_raw(flood, 60s);
    reader.join();
    std::printf("[hostile] ping flood: %d pings sent (%s), %d pongs received\n", PINGS,
                sent ? "all" : "not all", pongs.load());
    // The node may disconnect a flooding peer; it must neither die nor grow without bound.
    expect_node_healthy("a flood of 20,000 pings");
}

}  // namespace
}  // namespace bitloom
