// The peer-to-peer RPC methods: without a network (the errors Core gives when P2P is not
// running, argument checks, getnetworkinfo from the settings alone), sendrawtransaction against
// a regtest chain in memory with a PeerManager (which needs no sockets), and the connection,
// ban and added-node methods against two network services talking over 127.0.0.1.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "chain/chainstate.h"
#include "consensus/chainparams.h"
#include "net/network_service.h"
#include "node/config.h"
#include "node/context.h"
#include "node/rpc_methods.h"
#include "peerman/peer_manager.h"
#include "primitives/block.h"
#include "primitives/script.h"
#include "primitives/transaction.h"
#include "rpc/json.h"
#include "rpc/json_rpc.h"
#include "testutil/temp_dir.h"
#include "util/hex.h"

namespace bitloom {
namespace {

const ChainParams& regtest() { return chain_params(ChainType::regtest); }

std::vector<std::string> keys_of(const Json& object) {
    std::vector<std::string> keys;
    for (const auto& item : object.items()) keys.push_back(item.key());
    return keys;
}

// The RpcError a call throws; fails the test when it succeeds.
RpcError error_of(const RpcDispatcher& dispatcher, std::string_view method, Json params) {
    try {
        const Json result = dispatcher.execute(method, params);
        ADD_FAILURE() << method << " " << params.dump() << " succeeded: " << write_json(result);
    } catch (const RpcError& error) {
        return error;
    }
    return RpcError(0, "");
}

#define EXPECT_RPC_ERROR(expr, expected_code, expected_message)  \
    do {                                                         \
        const RpcError error_ = (expr);                          \
        EXPECT_EQ(error_.code, static_cast<int>(expected_code)); \
        EXPECT_EQ(error_.message, expected_message);             \
    } while (false)

// One input spending `prevout` (empty scriptSig) and one output of `value` to `script`.
Transaction spend(const OutPoint& prevout, Amount value, Script script) {
    MutableTransaction tx;
    TxIn input;
    input.prevout = prevout;
    tx.inputs.push_back(input);
    tx.outputs.push_back(TxOut{value, std::move(script)});
    return Transaction(std::move(tx));
}

Script op_true() { return Script(Bytes{0x51}); }
Script op_return() { return Script(Bytes{0x6a}); }

std::string hex_of(const Transaction& tx) { return to_hex(encode(tx)); }

OutPoint some_missing_outpoint() {
    OutPoint outpoint;
    outpoint.txid =
        *Uint256::from_string("1111111111111111111111111111111111111111111111111111111111111111");
    outpoint.index = 0;
    return outpoint;
}

class NetRpcWithoutNetwork : public ::testing::Test {
protected:
    void SetUp() override {
        node_.params = &regtest();
        register_net_rpcs(dispatcher_, node_);
    }

    Json call(std::string_view method, Json params = Json::array()) {
        return dispatcher_.execute(method, params);
    }
    RpcError error(std::string_view method, Json params = Json::array()) {
        return error_of(dispatcher_, method, std::move(params));
    }

    NodeContext node_;
    RpcDispatcher dispatcher_;
};

constexpr const char* P2P_DISABLED = "Error: Peer-to-peer functionality missing or disabled";

TEST_F(NetRpcWithoutNetwork, every_peer_method_answers_that_p2p_is_disabled) {
    const std::string decodable = hex_of(spend(some_missing_outpoint(), 1000, op_true()));
    const std::vector<std::pair<std::string, Json>> calls = {
        {"getpeerinfo", Json::array()},
        {"getconnectioncount", Json::array()},
        {"getnettotals", Json::array()},
        {"addnode", Json::array({"127.0.0.1:18444", "add"})},
        {"addnode", Json::array({"127.0.0.1:18444", "remove"})},
        {"addnode", Json::array({"127.0.0.1:18444", "onetry"})},
        {"disconnectnode", Json::array({"127.0.0.1:18444"})},
        {"disconnectnode", Json::array({"", 3})},
        {"getaddednodeinfo", Json::array()},
        {"getnodeaddresses", Json::array()},
        {"getnodeaddresses", Json::array({0, "ipv4"})},
        {"ping", Json::array()},
        {"setnetworkactive", Json::array({false})},
        {"sendrawtransaction", Json::array({decodable})},
    };
    int checked = 0;
    for (const auto& [method, params] : calls) {
        SCOPED_TRACE(method + " " + params.dump());
        EXPECT_RPC_ERROR(error(method, params), RpcErrorCode::CLIENT_P2P_DISABLED, P2P_DISABLED);
        ++checked;
    }
    EXPECT_EQ(checked, 14);
    EXPECT_EQ(static_cast<int>(RpcErrorCode::CLIENT_P2P_DISABLED), -31);
}

TEST_F(NetRpcWithoutNetwork, ban_methods_answer_that_the_ban_database_is_not_loaded) {
    for (const auto& [method, params] : std::vector<std::pair<std::string, Json>>{
             {"setban", Json::array({"1.2.3.4", "add"})},
             {"setban", Json::array({"10.0.0.0/8", "remove"})},
             {"listbanned", Json::array()},
             {"clearbanned", Json::array()}}) {
        SCOPED_TRACE(method + " " + params.dump());
        EXPECT_RPC_ERROR(error(method, params), RpcErrorCode::DATABASE_ERROR,
                         "Error: Ban database not loaded");
    }
}

TEST_F(NetRpcWithoutNetwork, getnetworkinfo_answers_without_the_connection_members) {
    const Json info = call("getnetworkinfo");
    EXPECT_EQ(keys_of(info), (std::vector<std::string>{"version", "subversion", "protocolversion",
                                                       "networks", "relayfee", "incrementalfee",
                                                       "localaddresses", "warnings"}));
    EXPECT_EQ(info["subversion"], "/bitloom:0.1.0/");
    EXPECT_EQ(info["protocolversion"], 70016);
    EXPECT_EQ(write_json(info["relayfee"]), "0.00000100");
    EXPECT_EQ(write_json(info["incrementalfee"]), "0.00000100");
    ASSERT_EQ(info["networks"].size(), 5u);
    const std::vector<std::string> names = {"ipv4", "ipv6", "onion", "i2p", "cjdns"};
    for (std::size_t i = 0; i < names.size(); ++i) {
        const Json& network = info["networks"][i];
        EXPECT_EQ(keys_of(network),
                  (std::vector<std::string>{"name", "limited", "reachable", "proxy",
                                            "proxy_randomize_credentials"}));
        EXPECT_EQ(network["name"], names[i]);
        const bool ip = i < 2;
        EXPECT_EQ(network["reachable"], ip) << names[i];
        EXPECT_EQ(network["limited"], !ip) << names[i];
        EXPECT_EQ(network["proxy"], "");
        EXPECT_EQ(network["proxy_randomize_credentials"], false);
    }
    EXPECT_EQ(info["localaddresses"], Json::array());
    EXPECT_EQ(info["warnings"], Json::array());
}

TEST_F(NetRpcWithoutNetwork,
       getnetworkinfo_takes_proxies_reachability_and_external_addresses_from_the_settings) {
    std::map<std::string, Settings::Values, std::less<>> command_line;
    command_line["proxy"] = {std::string("127.0.0.1:9050")};
    command_line["onlynet"] = {std::string("ipv4"), std::string("onion")};
    command_line["externalip"] = {std::string("8.8.8.8"), std::string("10.0.0.1"),
                                  std::string("[2001:4860::8888]:9999")};
    const Settings settings(std::move(command_line), {}, ChainType::regtest);
    node_.settings = &settings;
    const Json info = call("getnetworkinfo");
    const Json& networks = info["networks"];
    ASSERT_EQ(networks.size(), 5u);
    EXPECT_EQ(networks[0]["reachable"], true);   // ipv4: in -onlynet
    EXPECT_EQ(networks[1]["reachable"], false);  // ipv6: not in -onlynet
    EXPECT_EQ(networks[2]["reachable"], true);   // onion: in -onlynet, through the proxy
    EXPECT_EQ(networks[3]["reachable"], false);  // i2p: no SAM support
    EXPECT_EQ(networks[4]["reachable"], false);  // cjdns: no -cjdnsreachable
    for (const int i : {0, 1, 2, 4}) {
        EXPECT_EQ(networks[i]["proxy"], "127.0.0.1:9050") << i;
        EXPECT_EQ(networks[i]["proxy_randomize_credentials"], true) << i;
    }
    EXPECT_EQ(networks[3]["proxy"], "");
    // 10.0.0.1 is not routable and IPv6 is out of reach: only 8.8.8.8 is announced, with the
    // regtest port and Core's manual score.
    EXPECT_EQ(info["localaddresses"],
              Json::parse(R"([{"address":"8.8.8.8","port":18444,"score":4}])"));
}

TEST_F(NetRpcWithoutNetwork, getnetworkinfo_honours_noonion_and_a_separate_onion_proxy) {
    {
        std::map<std::string, Settings::Values, std::less<>> command_line;
        command_line["proxy"] = {std::string("127.0.0.1:9050")};
        command_line["onion"] = {std::nullopt};  // -noonion
        const Settings settings(std::move(command_line), {}, ChainType::regtest);
        node_.settings = &settings;
        const Json networks = call("getnetworkinfo")["networks"];
        EXPECT_EQ(networks[2]["reachable"], false);
        EXPECT_EQ(networks[2]["proxy"], "");
        EXPECT_EQ(networks[0]["proxy"], "127.0.0.1:9050");
    }
    {
        std::map<std::string, Settings::Values, std::less<>> command_line;
        command_line["onion"] = {std::string("127.0.0.1:9150")};
        command_line["proxyrandomize"] = {std::string("0")};
        const Settings settings(std::move(command_line), {}, ChainType::regtest);
        node_.settings = &settings;
        const Json networks = call("getnetworkinfo")["networks"];
        EXPECT_EQ(networks[0]["proxy"], "");
        EXPECT_EQ(networks[2]["reachable"], true);
        EXPECT_EQ(networks[2]["proxy"], "127.0.0.1:9150");
        EXPECT_EQ(networks[2]["proxy_randomize_credentials"], false);
    }
    node_.settings = nullptr;
}

TEST_F(NetRpcWithoutNetwork, addnode_answers_an_unknown_command_with_its_help) {
    const RpcError failure = error("addnode", Json::array({"127.0.0.1", "connect"}));
    EXPECT_EQ(failure.code, static_cast<int>(RpcErrorCode::MISC_ERROR));
    EXPECT_TRUE(failure.message.starts_with("addnode \"node\" \"command\" ( v2transport )\n"))
        << failure.message;
    EXPECT_NE(failure.message.find("Arguments:"), std::string::npos);
    // A missing command is the dispatcher's argument-count error, also the help.
    EXPECT_EQ(error("addnode", Json::array({"127.0.0.1"})).message, failure.message);
}

TEST_F(NetRpcWithoutNetwork, setban_answers_an_unknown_command_with_its_help) {
    const RpcError failure = error("setban", Json::array({"1.2.3.4", "ban"}));
    EXPECT_EQ(failure.code, static_cast<int>(RpcErrorCode::MISC_ERROR));
    EXPECT_TRUE(failure.message.starts_with("setban \"subnet\" \"command\" ( bantime absolute )\n"))
        << failure.message;
}

TEST_F(NetRpcWithoutNetwork, setban_rejects_text_that_is_no_address_or_subnet) {
    int checked = 0;
    for (const char* text : {"", "1.2.3", "1.2.3.4/33", "1.2.3.4/255.0.255.0", "example.com",
                             "0.0.0.0", "::", "1.2.3.4:8333", "2001:db8::1/129", "x/24"}) {
        SCOPED_TRACE(text);
        EXPECT_RPC_ERROR(error("setban", Json::array({text, "add"})),
                         RpcErrorCode::CLIENT_INVALID_IP_OR_SUBNET, "Error: Invalid IP/Subnet");
        EXPECT_RPC_ERROR(error("setban", Json::array({text, "remove"})),
                         RpcErrorCode::CLIENT_INVALID_IP_OR_SUBNET, "Error: Invalid IP/Subnet");
        ++checked;
    }
    EXPECT_EQ(checked, 10);
    // Valid ones get as far as the ban list.
    for (const char* text :
         {"1.2.3.4", "1.2.3.0/24", "1.2.3.4/255.255.255.0", "2001:4860::1", "2001:4860::/32"}) {
        SCOPED_TRACE(text);
        EXPECT_EQ(error("setban", Json::array({text, "add"})).code,
                  static_cast<int>(RpcErrorCode::DATABASE_ERROR));
    }
}

TEST_F(NetRpcWithoutNetwork, disconnectnode_needs_exactly_one_of_address_and_nodeid) {
    for (const Json& params :
         {Json::array(), Json::array({"127.0.0.1:18444", 1}), Json::array({nullptr, nullptr})}) {
        SCOPED_TRACE(params.dump());
        EXPECT_RPC_ERROR(error("disconnectnode", params), RpcErrorCode::INVALID_PARAMS,
                         "Only one of address and nodeid should be provided.");
    }
    EXPECT_RPC_ERROR(error("disconnectnode", Json::parse(R"({"nodeid": 2})")),
                     RpcErrorCode::CLIENT_P2P_DISABLED, P2P_DISABLED);
    EXPECT_EQ(error("disconnectnode", Json::array({"127.0.0.1:18444", "1"})).code,
              static_cast<int>(RpcErrorCode::TYPE_ERROR));
}

TEST_F(NetRpcWithoutNetwork, getnodeaddresses_checks_its_count_and_network) {
    EXPECT_RPC_ERROR(error("getnodeaddresses", Json::array({-1})), RpcErrorCode::INVALID_PARAMETER,
                     "Address count out of range");
    EXPECT_RPC_ERROR(error("getnodeaddresses", Json::array({1, "tor2"})),
                     RpcErrorCode::INVALID_PARAMETER, "Network not recognized: tor2");
    EXPECT_RPC_ERROR(error("getnodeaddresses", Json::array({1, "onion"})),
                     RpcErrorCode::CLIENT_P2P_DISABLED, P2P_DISABLED);
}

TEST_F(NetRpcWithoutNetwork, setnetworkactive_needs_a_boolean) {
    EXPECT_EQ(error("setnetworkactive", Json::array({"false"})).code,
              static_cast<int>(RpcErrorCode::TYPE_ERROR));
    EXPECT_EQ(error("setnetworkactive", Json::array()).code,
              static_cast<int>(RpcErrorCode::MISC_ERROR));
}

TEST_F(NetRpcWithoutNetwork, sendrawtransaction_checks_its_arguments_before_the_network) {
    for (const char* hex : {"", "0", "zz", "00", "0100000000"}) {
        SCOPED_TRACE(hex);
        EXPECT_RPC_ERROR(error("sendrawtransaction", Json::array({hex})),
                         RpcErrorCode::DESERIALIZATION_ERROR,
                         "TX decode failed. Make sure the tx has at least one input.");
    }
    const std::string burns = hex_of(spend(some_missing_outpoint(), 1000, op_return()));
    EXPECT_RPC_ERROR(error("sendrawtransaction", Json::array({burns})), RpcErrorCode::VERIFY_ERROR,
                     "Unspendable output exceeds maximum configured by user (maxburnamount)");
    EXPECT_RPC_ERROR(error("sendrawtransaction", Json::array({burns, 0, "0.00000999"})),
                     RpcErrorCode::VERIFY_ERROR,
                     "Unspendable output exceeds maximum configured by user (maxburnamount)");
    EXPECT_RPC_ERROR(error("sendrawtransaction", Json::array({burns, 0, "0.00001"})),
                     RpcErrorCode::CLIENT_P2P_DISABLED, P2P_DISABLED);
    EXPECT_RPC_ERROR(error("sendrawtransaction", Json::array({burns, 1, "0.00001"})),
                     RpcErrorCode::INVALID_PARAMETER,
                     "Fee rates larger than or equal to 1BTC/kvB are not accepted");
    EXPECT_RPC_ERROR(error("sendrawtransaction", Json::array({burns, "x", "0.00001"})),
                     RpcErrorCode::TYPE_ERROR, "Invalid amount");
}

TEST_F(NetRpcWithoutNetwork, every_method_is_registered_with_help_in_its_category) {
    const std::vector<std::string> network_methods = {"addnode",
                                                      "clearbanned",
                                                      "disconnectnode",
                                                      "getaddednodeinfo",
                                                      "getconnectioncount",
                                                      "getnettotals",
                                                      "getnetworkinfo",
                                                      "getnodeaddresses",
                                                      "getpeerinfo",
                                                      "listbanned",
                                                      "ping",
                                                      "setban",
                                                      "setnetworkactive"};
    for (const std::string& name : network_methods) {
        const RpcMethod* method = dispatcher_.find(name);
        ASSERT_NE(method, nullptr) << name;
        EXPECT_EQ(method->category, "network") << name;
        EXPECT_NE(method->help.find("Result:\n"), std::string::npos) << name;
        EXPECT_NE(method->help.find("> bitloom-cli " + name), std::string::npos) << name;
    }
    const RpcMethod* send = dispatcher_.find("sendrawtransaction");
    ASSERT_NE(send, nullptr);
    EXPECT_EQ(send->category, "rawtransactions");
    EXPECT_EQ(dispatcher_.method_names().size(), network_methods.size() + 1);
}

// sendrawtransaction against a chain of 101 blocks mined to OP_TRUE outputs, with a PeerManager
// and no network.
class SendRawTransaction : public ::testing::Test {
protected:
    void SetUp() override {
        ChainStateOptions options;
        options.data_dir = dir_.path();
        options.in_memory_db = true;
        options.coins_cache_bytes = 16 << 20;
        options.now = [this] { return node_.now(); };
        auto opened = ChainState::open(regtest(), options);
        ASSERT_TRUE(opened.has_value()) << opened.error();
        chain_ = std::move(*opened);
        node_.params = &regtest();
        node_.chain = chain_.get();
        register_mining_rpcs(dispatcher_, node_);
        register_net_rpcs(dispatcher_, node_);
        ASSERT_EQ(dispatcher_.execute("generatetodescriptor", Json::array({101, "raw(51)"})).size(),
                  101u);
        peers_ = std::make_unique<PeerManager>(*chain_, PeerManagerOptions{});
        node_.peers = peers_.get();
    }

    void TearDown() override { node_.peers = nullptr; }

    // The coinbase transaction of the active chain's block at `height`.
    TransactionRef coinbase_at(int height) {
        auto block = chain_->read_block(chain_->at_height(height));
        EXPECT_TRUE(block.has_value());
        return block ? block->transactions.at(0) : nullptr;
    }

    Json send(const Transaction& tx) {
        return dispatcher_.execute("sendrawtransaction", Json::array({hex_of(tx)}));
    }
    RpcError send_error(const Transaction& tx) {
        return error_of(dispatcher_, "sendrawtransaction", Json::array({hex_of(tx)}));
    }

    testutil::TempDir dir_{"bitloom-rpcnet"};
    NodeContext node_;
    std::unique_ptr<ChainState> chain_;
    std::unique_ptr<PeerManager> peers_;
    RpcDispatcher dispatcher_;
};

TEST_F(SendRawTransaction, accepts_a_valid_spend_and_returns_its_txid_again_when_resent) {
    const TransactionRef coinbase = coinbase_at(1);
    ASSERT_NE(coinbase, nullptr);
    const Transaction tx = spend(OutPoint{coinbase->txid(), 0}, 49 * COIN, op_true());
    EXPECT_EQ(send(tx), Json(tx.txid().to_string()));
    EXPECT_EQ(peers_->relay_pool_size(), 1u);
    EXPECT_EQ(send(tx), Json(tx.txid().to_string()));
    EXPECT_EQ(peers_->relay_pool_size(), 1u);
    // Another spend of the same coin conflicts with the pooled one.
    const Transaction rival = spend(OutPoint{coinbase->txid(), 0}, 48 * COIN, op_true());
    const RpcError conflict = send_error(rival);
    EXPECT_EQ(conflict.code, static_cast<int>(RpcErrorCode::VERIFY_REJECTED));
    EXPECT_TRUE(conflict.message.starts_with("txn-mempool-conflict")) << conflict.message;
}

TEST_F(SendRawTransaction, reports_a_transaction_whose_outputs_are_in_the_utxo_set) {
    const TransactionRef coinbase = coinbase_at(5);
    ASSERT_NE(coinbase, nullptr);
    EXPECT_RPC_ERROR(send_error(*coinbase), RpcErrorCode::VERIFY_ALREADY_IN_CHAIN,
                     "Transaction outputs already in utxo set");
}

TEST_F(SendRawTransaction, reports_missing_inputs_as_a_verify_error) {
    EXPECT_RPC_ERROR(send_error(spend(some_missing_outpoint(), 1000, op_true())),
                     RpcErrorCode::VERIFY_ERROR, "bad-txns-inputs-missingorspent");
}

TEST_F(SendRawTransaction, rejects_invalid_transactions_with_cores_reason) {
    const TransactionRef coinbase = coinbase_at(2);
    ASSERT_NE(coinbase, nullptr);
    MutableTransaction duplicate;
    TxIn input;
    input.prevout = OutPoint{coinbase->txid(), 0};
    duplicate.inputs = {input, input};
    duplicate.outputs.push_back(TxOut{COIN, op_true()});
    EXPECT_RPC_ERROR(send_error(Transaction(duplicate)), RpcErrorCode::VERIFY_REJECTED,
                     "bad-txns-inputs-duplicate");

    const Transaction too_much = spend(OutPoint{coinbase->txid(), 0}, 51 * COIN, op_true());
    const RpcError overspend = send_error(too_much);
    EXPECT_EQ(overspend.code, static_cast<int>(RpcErrorCode::VERIFY_REJECTED));
    EXPECT_TRUE(overspend.message.starts_with("bad-txns-in-belowout")) << overspend.message;

    // The coinbase of the tip is not mature yet.
    const TransactionRef young = coinbase_at(100);
    ASSERT_NE(young, nullptr);
    const RpcError immature = send_error(spend(OutPoint{young->txid(), 0}, COIN, op_true()));
    EXPECT_EQ(immature.code, static_cast<int>(RpcErrorCode::VERIFY_REJECTED));
    EXPECT_TRUE(immature.message.starts_with("bad-txns-premature-spend-of-coinbase"))
        << immature.message;
}

// Two network services on 127.0.0.1 (ports chosen by the system): `a` listens, `b` only
// dials. Each has its own NodeContext, PeerManager and dispatcher; the test's pump() plays
// the processing thread, handing connection events to the PeerManager.
class NetRpcOnLoopback : public ::testing::Test {
protected:
    struct Side {
        testutil::TempDir dir{"bitloom-rpcnet-p2p"};
        NodeContext context;
        std::unique_ptr<NetworkService> service;
        std::unique_ptr<PeerManager> peers;
        RpcDispatcher dispatcher;
    };

    void SetUp() override {
        ChainStateOptions options;
        options.data_dir = chain_dir_.path();
        options.in_memory_db = true;
        options.coins_cache_bytes = 1 << 20;
        auto opened = ChainState::open(regtest(), options);
        ASSERT_TRUE(opened.has_value()) << opened.error();
        chain_ = std::move(*opened);
        start(a_, 1, true);
        start(b_, 2, false);
        ASSERT_NE(a_.service, nullptr);
        ASSERT_NE(b_.service, nullptr);
        ASSERT_EQ(a_.service->bound_addresses().size(), 1u);
        a_address_ = a_.service->bound_addresses()[0].to_string();
    }

    void TearDown() override {
        for (Side* side : {&b_, &a_}) {
            side->context.network = nullptr;
            side->context.peers = nullptr;
            if (side->service) side->service->stop();
        }
    }

    void start(Side& side, std::uint8_t seed, bool listen) {
        NetworkServiceOptions options;
        options.manager.magic = regtest().message_start;
        options.manager.default_port = regtest().default_port;
        options.manager.user_agent = "/bitloom-rpcnet:0.1.0/";
        options.manager.start_height = [] { return 0; };
        options.manager.listening = listen;
        options.manager.automatic_outbound = false;
        options.manager.addrman_key[0] = seed;
        options.manager.random_seed[0] = seed;
        options.listen = listen;
        if (listen) options.bind = {NetService{*NetAddress::parse("127.0.0.1"), 0}};
        options.data_dir = side.dir.path();
        options.log = [](std::string_view, const std::string&) {};
        auto started = NetworkService::start(std::move(options));
        ASSERT_TRUE(started.has_value()) << started.error();
        side.service = std::move(*started);
        side.peers = std::make_unique<PeerManager>(*chain_, PeerManagerOptions{});
        side.context.params = &regtest();
        side.context.chain = chain_.get();
        side.context.network = side.service.get();
        side.context.peers = side.peers.get();
        register_net_rpcs(side.dispatcher, side.context);
    }

    // What the node's processing thread does with delivered events, minus the messages.
    void pump(Side& side) {
        const PeerTime now = std::chrono::seconds(side.context.now());
        while (auto event = side.service->next_event(std::chrono::milliseconds(0))) {
            if (auto* connected = std::get_if<PeerConnected>(&*event)) {
                side.peers->peer_connected(*connected, now);
            } else if (auto* message = std::get_if<PeerMessage>(&*event)) {
                const PeerId id = message->id;
                const std::size_t size = message->payload.size();
                side.service->with_manager(
                    [&](ConnectionManager& manager) { manager.message_processed(id, size); });
            } else if (auto* gone = std::get_if<PeerDisconnected>(&*event)) {
                side.peers->peer_disconnected(gone->id);
            }
        }
        side.peers->take_actions();
    }

    // Pumps both sides until `done` holds; false after 20 seconds.
    bool wait_until(const std::function<bool()>& done) {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (std::chrono::steady_clock::now() < deadline) {
            pump(a_);
            pump(b_);
            if (done()) return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        return false;
    }

    static Json call(Side& side, std::string_view method, Json params = Json::array()) {
        return side.dispatcher.execute(method, params);
    }
    static RpcError error(Side& side, std::string_view method, Json params = Json::array()) {
        return error_of(side.dispatcher, method, std::move(params));
    }
    static std::size_t count(Side& side) {
        return call(side, "getconnectioncount").get<std::size_t>();
    }

    // b dials a once and both finish the handshake (and a's PeerManager knows the peer).
    bool connect_b_to_a() {
        EXPECT_EQ(call(b_, "addnode", Json::array({a_address_, "onetry"})), Json(nullptr));
        return wait_until([&] {
            if (count(a_) != 1 || count(b_) != 1) return false;
            for (Side* side : {&a_, &b_}) {
                const Json peers = call(*side, "getpeerinfo");
                if (peers.size() != 1 || peers[0]["version"] != 70016 ||
                    !peers[0].contains("synced_headers")) {
                    return false;
                }
            }
            return true;
        });
    }

    testutil::TempDir chain_dir_{"bitloom-rpcnet-chain"};
    std::unique_ptr<ChainState> chain_;
    Side a_, b_;
    std::string a_address_;
};

TEST_F(NetRpcOnLoopback, peer_methods_describe_a_loopback_connection_as_core_does) {
    EXPECT_EQ(count(a_), 0u);
    EXPECT_EQ(call(a_, "getpeerinfo"), Json::array());
    const Json idle = call(a_, "getnettotals");
    EXPECT_EQ(keys_of(idle), (std::vector<std::string>{"totalbytesrecv", "totalbytessent",
                                                       "timemillis", "uploadtarget"}));
    EXPECT_EQ(idle["totalbytesrecv"], 0);
    EXPECT_EQ(idle["totalbytessent"], 0);
    EXPECT_EQ(idle["uploadtarget"],
              Json::parse(R"({"timeframe":86400,"target":0,"target_reached":false,)"
                          R"("serve_historical_blocks":true,"bytes_left_in_cycle":0,)"
                          R"("time_left_in_cycle":0})"));
    const std::int64_t before = a_.context.now();

    ASSERT_TRUE(connect_b_to_a());

    const Json from_b = call(b_, "getpeerinfo");
    ASSERT_EQ(from_b.size(), 1u);
    const Json& peer = from_b[0];
    std::vector<std::string> keys;
    for (const std::string& key : keys_of(peer)) {
        if (key != "addrlocal" && key != "pingtime" && key != "minping" && key != "pingwait") {
            keys.push_back(key);
        }
    }
    EXPECT_EQ(keys, (std::vector<std::string>{"id",
                                              "addr",
                                              "addrbind",
                                              "network",
                                              "services",
                                              "servicesnames",
                                              "relaytxes",
                                              "lastsend",
                                              "lastrecv",
                                              "last_transaction",
                                              "last_block",
                                              "bytessent",
                                              "bytesrecv",
                                              "conntime",
                                              "timeoffset",
                                              "version",
                                              "subver",
                                              "inbound",
                                              "bip152_hb_to",
                                              "bip152_hb_from",
                                              "presynced_headers",
                                              "synced_headers",
                                              "synced_blocks",
                                              "inflight",
                                              "addr_relay_enabled",
                                              "addr_processed",
                                              "addr_rate_limited",
                                              "permissions",
                                              "minfeefilter",
                                              "bytessent_per_msg",
                                              "bytesrecv_per_msg",
                                              "connection_type",
                                              "transport_protocol_type",
                                              "session_id"}));
    EXPECT_EQ(peer["addr"], a_address_);
    EXPECT_TRUE(peer["addrbind"].get<std::string>().starts_with("127.0.0.1:")) << peer["addrbind"];
    EXPECT_EQ(peer["network"], "not_publicly_routable");
    EXPECT_EQ(peer["services"], "0000000000000409");
    EXPECT_EQ(peer["servicesnames"], Json::array({"NETWORK", "WITNESS", "NETWORK_LIMITED"}));
    EXPECT_EQ(peer["version"], 70016);
    EXPECT_EQ(peer["subver"], "/bitloom-rpcnet:0.1.0/");
    EXPECT_EQ(peer["inbound"], false);
    EXPECT_EQ(peer["connection_type"], "manual");
    EXPECT_EQ(peer["transport_protocol_type"], "v1");
    EXPECT_EQ(peer["session_id"], "");
    EXPECT_EQ(peer["permissions"], Json::array());
    EXPECT_EQ(write_json(peer["minfeefilter"]), "0.00000000");
    EXPECT_GE(peer["conntime"].get<std::int64_t>(), before);
    EXPECT_LE(peer["conntime"].get<std::int64_t>(), b_.context.now());
    EXPECT_GT(peer["bytessent"].get<std::uint64_t>(), 0u);
    EXPECT_GT(peer["bytesrecv"].get<std::uint64_t>(), 0u);
    EXPECT_GT(peer["bytessent_per_msg"].value("version", 0), 0);
    EXPECT_GT(peer["bytesrecv_per_msg"].value("verack", 0), 0);
    EXPECT_EQ(peer["inflight"], Json::array());

    const Json from_a = call(a_, "getpeerinfo");
    ASSERT_EQ(from_a.size(), 1u);
    EXPECT_EQ(from_a[0]["inbound"], true);
    EXPECT_EQ(from_a[0]["connection_type"], "inbound");
    EXPECT_EQ(from_a[0]["addrbind"], a_address_);

    const Json info = call(a_, "getnetworkinfo");
    EXPECT_EQ(info["connections"], 1);
    EXPECT_EQ(info["connections_in"], 1);
    EXPECT_EQ(info["connections_out"], 0);
    EXPECT_EQ(info["networkactive"], true);
    EXPECT_EQ(info["localservices"], "0000000000000409");
    EXPECT_EQ(info["localrelay"], true);
    EXPECT_EQ(info["timeoffset"], 0);
    EXPECT_EQ(info["localaddresses"], Json::array());  // 127.0.0.1 is not announced
    const Json totals = call(b_, "getnettotals");
    EXPECT_GT(totals["totalbytessent"].get<std::uint64_t>(), 0u);
    EXPECT_GT(totals["totalbytesrecv"].get<std::uint64_t>(), 0u);

    EXPECT_EQ(call(b_, "ping"), Json(nullptr));
    EXPECT_EQ(call(b_, "getaddednodeinfo"), Json::array());  // onetry nodes are not kept
    EXPECT_TRUE(call(a_, "getnodeaddresses", Json::array({0})).is_array());

    EXPECT_RPC_ERROR(error(a_, "disconnectnode", Json::array({"", 9999})),
                     RpcErrorCode::CLIENT_NODE_NOT_CONNECTED, "Node not found in connected nodes");
    EXPECT_RPC_ERROR(error(b_, "disconnectnode", Json::array({"127.0.0.1:1"})),
                     RpcErrorCode::CLIENT_NODE_NOT_CONNECTED, "Node not found in connected nodes");
    EXPECT_EQ(call(a_, "disconnectnode", Json::array({"", from_a[0]["id"]})), Json(nullptr));
    EXPECT_TRUE(wait_until([&] { return count(a_) == 0 && count(b_) == 0; }));
}

TEST_F(NetRpcOnLoopback, bans_are_listed_enforced_and_cleared) {
    ASSERT_TRUE(connect_b_to_a());
    EXPECT_EQ(call(a_, "setban", Json::array({"127.0.0.1", "add"})), Json(nullptr));
    EXPECT_TRUE(wait_until([&] { return count(a_) == 0 && count(b_) == 0; }));

    const std::int64_t now = a_.context.now();
    Json bans = call(a_, "listbanned");
    ASSERT_EQ(bans.size(), 1u);
    EXPECT_EQ(keys_of(bans[0]), (std::vector<std::string>{"address", "ban_created", "banned_until",
                                                          "ban_duration", "time_remaining"}));
    EXPECT_EQ(bans[0]["address"], "127.0.0.1/32");
    EXPECT_EQ(bans[0]["ban_duration"], 86400);
    EXPECT_LE(bans[0]["ban_created"].get<std::int64_t>(), now);
    EXPECT_GT(bans[0]["time_remaining"].get<std::int64_t>(), 86400 - 60);

    EXPECT_RPC_ERROR(error(a_, "setban", Json::array({"127.0.0.1", "add"})),
                     RpcErrorCode::CLIENT_NODE_ALREADY_ADDED, "Error: IP/Subnet already banned");
    EXPECT_RPC_ERROR(error(a_, "setban", Json::array({"10.0.0.0/8", "remove"})),
                     RpcErrorCode::CLIENT_INVALID_IP_OR_SUBNET,
                     "Error: Unban failed. Requested address/subnet was not previously manually "
                     "banned.");
    EXPECT_RPC_ERROR(error(a_, "setban", Json::array({"192.168.0.0/16", "add", 1000, true})),
                     RpcErrorCode::INVALID_PARAMETER, "Error: Absolute timestamp is in the past");
    EXPECT_EQ(call(a_, "setban", Json::array({"127.0.0.0/8", "add", 3600})), Json(nullptr));
    const std::int64_t until = now + 100'000;
    EXPECT_EQ(call(a_, "setban", Json::array({"192.168.0.0/255.255.0.0", "add", until, true})),
              Json(nullptr));
    bans = call(a_, "listbanned");
    ASSERT_EQ(bans.size(), 3u);
    std::map<std::string, Json> by_address;
    for (const Json& ban : bans) by_address[ban["address"].get<std::string>()] = ban;
    ASSERT_TRUE(by_address.contains("127.0.0.0/8"));
    EXPECT_EQ(by_address["127.0.0.0/8"]["ban_duration"], 3600);
    ASSERT_TRUE(by_address.contains("192.168.0.0/16"));
    EXPECT_EQ(by_address["192.168.0.0/16"]["banned_until"], until);

    EXPECT_EQ(call(a_, "setban", Json::array({"127.0.0.0/8", "remove"})), Json(nullptr));
    EXPECT_EQ(call(a_, "listbanned").size(), 2u);
    EXPECT_EQ(call(a_, "clearbanned"), Json(nullptr));
    EXPECT_EQ(call(a_, "listbanned"), Json::array());
    EXPECT_RPC_ERROR(error(a_, "setban", Json::array({"127.0.0.1", "remove"})),
                     RpcErrorCode::CLIENT_INVALID_IP_OR_SUBNET,
                     "Error: Unban failed. Requested address/subnet was not previously manually "
                     "banned.");
}

TEST_F(NetRpcOnLoopback, added_nodes_are_connected_listed_and_removed) {
    EXPECT_EQ(call(b_, "addnode", Json::array({a_address_, "add"})), Json(nullptr));
    EXPECT_RPC_ERROR(error(b_, "addnode", Json::array({a_address_, "add"})),
                     RpcErrorCode::CLIENT_NODE_ALREADY_ADDED, "Error: Node already added");
    for (const char* command : {"add", "onetry", "remove"}) {
        EXPECT_RPC_ERROR(error(b_, "addnode", Json::array({"127.0.0.1:9", command, true})),
                         RpcErrorCode::INVALID_PARAMETER,
                         "Error: v2transport requested but not enabled (see -v2transport)");
    }
    const Json expected = Json::array({Json::object(
        {{"addednode", a_address_},
         {"connected", true},
         {"addresses",
          Json::array({Json::object({{"address", a_address_}, {"connected", "outbound"}})})}})});
    EXPECT_TRUE(wait_until([&] { return call(b_, "getaddednodeinfo") == expected; }))
        << call(b_, "getaddednodeinfo").dump();
    EXPECT_EQ(call(b_, "getaddednodeinfo", Json::array({a_address_})), expected);
    EXPECT_RPC_ERROR(error(b_, "getaddednodeinfo", Json::array({"127.0.0.1:9"})),
                     RpcErrorCode::CLIENT_NODE_NOT_ADDED, "Error: Node has not been added.");
    EXPECT_TRUE(wait_until([&] { return count(b_) == 1; }));
    EXPECT_EQ(call(b_, "getpeerinfo")[0]["connection_type"], "manual");

    EXPECT_EQ(call(b_, "addnode", Json::array({a_address_, "remove"})), Json(nullptr));
    EXPECT_EQ(call(b_, "getaddednodeinfo"), Json::array());
    EXPECT_RPC_ERROR(error(b_, "addnode", Json::array({a_address_, "remove"})),
                     RpcErrorCode::CLIENT_NODE_NOT_ADDED,
                     "Error: Node could not be removed. It has not been added previously.");

    EXPECT_EQ(call(b_, "setnetworkactive", Json::array({false})), Json(false));
    EXPECT_TRUE(wait_until([&] { return count(a_) == 0 && count(b_) == 0; }));
    EXPECT_EQ(call(b_, "getnetworkinfo")["networkactive"], false);
    EXPECT_EQ(call(b_, "setnetworkactive", Json::array({true})), Json(true));
    EXPECT_EQ(call(b_, "getnetworkinfo")["networkactive"], true);
}

}  // namespace
}  // namespace bitloom
