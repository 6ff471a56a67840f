// The mining and node RPCs against a regtest chain state in memory: block generation to
// addresses and descriptors, generateblock with a signed transaction, BIP22 answers of
// submitblock, submitheader, mock time, and the error codes and messages Core gives.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "chain/chainstate.h"
#include "chain/contextual_check.h"
#include "chain/pow.h"
#include "consensus/block_check.h"
#include "consensus/chainparams.h"
#include "consensus/sighash.h"
#include "consensus/subsidy.h"
#include "crypto/key.h"
#include "crypto/random.h"
#include "encoding/address.h"
#include "encoding/wif.h"
#include "miner/block_assembly.h"
#include "node/context.h"
#include "node/rpc_methods.h"
#include "primitives/block.h"
#include "util/hex.h"
#include "testutil/temp_dir.h"

namespace bitloom {
namespace {

using testutil::TempDir;

const ChainParams& regtest() { return chain_params(ChainType::regtest); }

// A key with its P2WPKH output script and bcrt1q address.
struct WalletKey {
    PrivateKey key = PrivateKey::generate();
    Script script = script_for_destination(WitnessV0KeyHash{key.public_key().id()});
    std::string address = *encode_address(WitnessV0KeyHash{key.public_key().id()}, regtest().prefixes);
    std::string wif = encode_wif(key, regtest().prefixes);
};

class MiningRpc : public ::testing::Test {
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
        node_.request_shutdown = [this] { ++shutdown_requests_; };
        register_mining_rpcs(dispatcher_, node_);
        register_node_rpcs(dispatcher_, node_);
    }

    Json call(std::string_view method, Json params = Json::array()) {
        return dispatcher_.execute(method, params);
    }

    // The RpcError a call throws; fails the test when it succeeds.
    RpcError call_error(std::string_view method, Json params) {
        try {
            Json result = dispatcher_.execute(method, params);
            ADD_FAILURE() << method << " succeeded: " << result.dump();
        } catch (const RpcError& error) {
            return error;
        }
        return RpcError(0, "");
    }

    // A block on `prev` paying the subsidy to `script`, with nonce ground (regtest).
    Block block_on(const BlockIndex* prev, const Script& script, std::int64_t time,
                   std::vector<TransactionRef> transactions = {}, Amount extra_value = 0) {
        BlockTemplateInputs inputs;
        inputs.prev_hash = prev->hash;
        inputs.height = prev->height + 1;
        inputs.time = static_cast<std::uint32_t>(time);
        BlockHeader next;
        next.time = inputs.time;
        inputs.bits = next_work_required(prev, next, regtest().consensus);
        inputs.coinbase_value = block_subsidy(inputs.height, regtest().consensus) + extra_value;
        inputs.coinbase_script = script;
        inputs.transactions = std::move(transactions);
        inputs.segwit_active = segwit_active_after(prev, regtest().consensus);
        Block block = assemble_block(inputs);
        EXPECT_TRUE(grind_nonce(block, regtest().consensus.pow_limit, 1'000'000));
        return block;
    }

    testutil::TempDir dir_{"bitloom-rpcmining"};
    NodeContext node_;
    std::unique_ptr<ChainState> chain_;
    RpcDispatcher dispatcher_;
    int shutdown_requests_ = 0;
};

#define EXPECT_RPC_ERROR(expr, expected_code, expected_message) \
    do {                                                        \
        const RpcError error_ = (expr);                         \
        EXPECT_EQ(error_.code, static_cast<int>(expected_code)); \
        EXPECT_EQ(error_.message, expected_message);            \
    } while (false)

// A transaction spending `outpoint` (a P2WPKH output of `owner` worth `value`) to
// `destination`, paying `fee`, signed with SIGHASH_ALL.
Transaction spend_p2wpkh(const WalletKey& owner, const OutPoint& outpoint, Amount value,
                         const Script& destination, Amount fee) {
    MutableTransaction tx;
    tx.version = 2;
    TxIn input;
    input.prevout = outpoint;
    input.sequence = TxIn::MAX_SEQUENCE_NONFINAL;
    tx.inputs.push_back(input);
    tx.outputs.push_back(TxOut{value - fee, destination});
    const Transaction unsigned_tx(tx);

    Script script_code;
    script_code.push_opcode(OP_DUP).push_opcode(OP_HASH160);
    const Uint160 key_id = owner.key.public_key().id();
    script_code.push_data(ByteSpan(key_id.data(), key_id.size()));
    script_code.push_opcode(OP_EQUALVERIFY).push_opcode(OP_CHECKSIG);
    const Uint256 sighash = signature_hash(script_code, unsigned_tx, 0, SIGHASH_ALL, value,
                                           SigVersion::witness_v0, nullptr);
    auto signature = owner.key.sign_ecdsa(sighash);
    EXPECT_TRUE(signature.has_value());
    Bytes sig = *signature;
    sig.push_back(SIGHASH_ALL);
    const PublicKey pubkey = owner.key.public_key();
    const ByteSpan pubkey_bytes = pubkey.serialize();
    tx.inputs[0].witness.stack = {sig, Bytes(pubkey_bytes.begin(), pubkey_bytes.end())};
    return Transaction(std::move(tx));
}

TEST_F(MiningRpc, generatetoaddress_mines_101_blocks_paying_the_address) {
    WalletKey owner;
    const Json hashes = call("generatetoaddress", Json::array({101, owner.address}));
    ASSERT_TRUE(hashes.is_array());
    ASSERT_EQ(hashes.size(), 101u);
    EXPECT_EQ(chain_->height(), 101);
    for (int h = 1; h <= 101; ++h) {
        const BlockIndex* at = chain_->at_height(h);
        ASSERT_NE(at, nullptr);
        EXPECT_EQ(at->hash.to_string(), hashes[static_cast<std::size_t>(h - 1)].get<std::string>());
    }
    auto block = chain_->read_block(chain_->at_height(1));
    ASSERT_TRUE(block.has_value()) << block.error();
    const Transaction& coinbase = *block->transactions.at(0);
    EXPECT_EQ(coinbase.outputs().at(0).script_pubkey, owner.script);
    EXPECT_EQ(coinbase.outputs().at(0).value, 50 * COIN);
    const auto coin = chain_->get_coin(OutPoint{coinbase.txid(), 0});
    ASSERT_TRUE(coin.has_value());
    EXPECT_TRUE(coin->coinbase);
    EXPECT_EQ(coin->height, 1u);
}

TEST_F(MiningRpc, generatetoaddress_accepts_named_parameters_and_stops_when_tries_run_out) {
    WalletKey owner;
    Json named = {{"nblocks", 2}, {"address", owner.address}};
    EXPECT_EQ(dispatcher_.execute("generatetoaddress", named).size(), 2u);
    // Zero tries: nothing is mined, and the answer is an empty list, as in Core.
    const Json none = call("generatetoaddress", Json::array({3, owner.address, 0}));
    EXPECT_EQ(none, Json::array());
    EXPECT_EQ(chain_->height(), 2);
}

TEST_F(MiningRpc, generatetoaddress_refuses_an_address_of_another_network) {
    const WalletKey owner;
    const std::string mainnet_address =
        *encode_address(WitnessV0KeyHash{owner.key.public_key().id()}, chain_params(ChainType::main).prefixes);
    EXPECT_RPC_ERROR(call_error("generatetoaddress", Json::array({1, mainnet_address})),
                     RpcErrorCode::INVALID_ADDRESS_OR_KEY, "Error: Invalid address");
    EXPECT_RPC_ERROR(call_error("generatetoaddress", Json::array({1, "not an address"})),
                     RpcErrorCode::INVALID_ADDRESS_OR_KEY, "Error: Invalid address");
    EXPECT_EQ(chain_->height(), 0);
}

TEST_F(MiningRpc, generated_blocks_signal_testdummy_while_it_is_started_or_locked_in) {
    // Regtest's testdummy (bit 28, periods of 144, threshold 108) starts in the second period,
    // locks in after one period of signalling and is active from the fourth: Core's blocks
    // carry 0x30000000 at heights 144..431 and 0x20000000 before and after.
    ASSERT_EQ(call("generatetodescriptor", Json::array({433, "raw(51)"})).size(), 433u);
    EXPECT_EQ(chain_->at_height(1)->version, 0x20000000);
    EXPECT_EQ(chain_->at_height(143)->version, 0x20000000);
    EXPECT_EQ(chain_->at_height(144)->version, 0x30000000);
    EXPECT_EQ(chain_->at_height(431)->version, 0x30000000);
    EXPECT_EQ(chain_->at_height(432)->version, 0x20000000);
    EXPECT_EQ(chain_->at_height(433)->version, 0x20000000);
}

TEST_F(MiningRpc, generatetodescriptor_pays_raw_and_addr_descriptors) {
    const Json raw = call("generatetodescriptor", Json::array({1, "raw(51)"}));
    ASSERT_EQ(raw.size(), 1u);
    auto first = chain_->read_block(chain_->at_height(1));
    ASSERT_TRUE(first.has_value());
    EXPECT_EQ(to_hex(first->transactions.at(0)->outputs().at(0).script_pubkey.span()), "51");

    WalletKey owner;
    const Json addr = call("generatetodescriptor", Json::array({2, "addr(" + owner.address + ")"}));
    ASSERT_EQ(addr.size(), 2u);
    auto third = chain_->read_block(chain_->at_height(3));
    ASSERT_TRUE(third.has_value());
    EXPECT_EQ(third->transactions.at(0)->outputs().at(0).script_pubkey, owner.script);
    EXPECT_EQ(chain_->height(), 3);
}

TEST_F(MiningRpc, generatetodescriptor_reports_the_descriptor_error) {
    const RpcError error = call_error("generatetodescriptor", Json::array({1, "nonsense(00)"}));
    EXPECT_EQ(error.code, static_cast<int>(RpcErrorCode::INVALID_ADDRESS_OR_KEY));
    EXPECT_FALSE(error.message.empty());
    EXPECT_EQ(chain_->height(), 0);
}

TEST_F(MiningRpc, generateblock_confirms_a_signed_transaction_spending_a_mature_coinbase) {
    WalletKey owner;
    WalletKey payee;
    ASSERT_EQ(call("generatetodescriptor", Json::array({1, "wpkh(" + owner.wif + ")"})).size(), 1u);
    ASSERT_EQ(call("generatetoaddress", Json::array({100, payee.address})).size(), 100u);

    auto first = chain_->read_block(chain_->at_height(1));
    ASSERT_TRUE(first.has_value());
    const Transaction& coinbase = *first->transactions.at(0);
    ASSERT_EQ(coinbase.outputs().at(0).script_pubkey, owner.script);
    const OutPoint funding{coinbase.txid(), 0};
    const Transaction spend = spend_p2wpkh(owner, funding, 50 * COIN, payee.script, 10'000);

    // submit=false: the block comes back as hex and the chain does not move.
    const Json unsubmitted =
        call("generateblock", Json::array({payee.address, Json::array({to_hex(encode(spend))}), false}));
    ASSERT_TRUE(unsubmitted.contains("hex"));
    EXPECT_EQ(chain_->height(), 101);
    auto bytes = parse_hex(unsubmitted["hex"].get<std::string>());
    ASSERT_TRUE(bytes.has_value());
    auto decoded = decode_block(*bytes);
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(decoded->hash().to_string(), unsubmitted["hash"].get<std::string>());
    ASSERT_EQ(decoded->transactions.size(), 2u);
    EXPECT_EQ(decoded->transactions[1]->wtxid(), spend.wtxid());

    // submit (default true): the transaction is confirmed.
    const Json mined = call("generateblock", Json::array({"addr(" + payee.address + ")",
                                                          Json::array({to_hex(encode(spend))})}));
    EXPECT_FALSE(mined.contains("hex"));
    EXPECT_EQ(chain_->height(), 102);
    EXPECT_EQ(chain_->tip()->hash.to_string(), mined["hash"].get<std::string>());
    EXPECT_FALSE(chain_->get_coin(funding).has_value());
    const auto created = chain_->get_coin(OutPoint{spend.txid(), 0});
    ASSERT_TRUE(created.has_value());
    EXPECT_EQ(created->output.value, 50 * COIN - 10'000);
    EXPECT_EQ(created->height, 102u);
    // As in Core, the coinbase claims the subsidy only.
    auto tip_block = chain_->read_block(chain_->tip());
    ASSERT_TRUE(tip_block.has_value());
    EXPECT_EQ(tip_block->transactions.at(0)->outputs().at(0).value, 50 * COIN);

    // Spending the same coin again: refused with Core's TestBlockValidity reason.
    const RpcError again = call_error("generateblock", Json::array({payee.address, Json::array({to_hex(encode(spend))})}));
    EXPECT_EQ(again.code, static_cast<int>(RpcErrorCode::VERIFY_ERROR));
    EXPECT_EQ(again.message.rfind("TestBlockValidity failed: bad-txns-inputs-missingorspent", 0), 0u)
        << again.message;
    EXPECT_EQ(chain_->height(), 102);
}

TEST_F(MiningRpc, generateblock_reports_core_errors_for_bad_arguments) {
    WalletKey owner;
    EXPECT_RPC_ERROR(call_error("generateblock", Json::array({"nowhere", Json::array()})),
                     RpcErrorCode::INVALID_ADDRESS_OR_KEY, "Error: Invalid address or descriptor");
    const std::string txid(64, 'a');
    EXPECT_RPC_ERROR(call_error("generateblock", Json::array({owner.address, Json::array({txid})})),
                     RpcErrorCode::INVALID_ADDRESS_OR_KEY, "Transaction " + txid + " not in mempool.");
    EXPECT_RPC_ERROR(call_error("generateblock", Json::array({owner.address, Json::array({"zz"})})),
                     RpcErrorCode::DESERIALIZATION_ERROR,
                     "Transaction decode failed for zz. Make sure the tx has at least one input.");
    // An empty block is fine.
    const Json empty = call("generateblock", Json::array({owner.address, Json::array()}));
    EXPECT_EQ(chain_->tip()->hash.to_string(), empty["hash"].get<std::string>());
}

TEST_F(MiningRpc, submitblock_answers_null_then_duplicate_for_the_same_block) {
    WalletKey owner;
    const Json unsubmitted = call("generateblock", Json::array({owner.address, Json::array(), false}));
    const std::string hex = unsubmitted["hex"].get<std::string>();
    EXPECT_EQ(call("submitblock", Json::array({hex})), Json(nullptr));
    EXPECT_EQ(chain_->tip()->hash.to_string(), unsubmitted["hash"].get<std::string>());
    EXPECT_EQ(call("submitblock", Json::array({hex, "ignored"})), Json("duplicate"));
}

TEST_F(MiningRpc, submitblock_refuses_undecodable_blocks_with_code_minus_22) {
    EXPECT_RPC_ERROR(call_error("submitblock", Json::array({"00zz"})),
                     RpcErrorCode::DESERIALIZATION_ERROR, "Block decode failed");
    EXPECT_RPC_ERROR(call_error("submitblock", Json::array({"0000"})),
                     RpcErrorCode::DESERIALIZATION_ERROR, "Block decode failed");
    EXPECT_RPC_ERROR(call_error("submitblock", Json::array({""})),
                     RpcErrorCode::DESERIALIZATION_ERROR, "Block decode failed");

    Block no_coinbase;
    MutableTransaction tx;
    tx.inputs.push_back(TxIn{OutPoint{Uint256::from_string(std::string(64, '2')).value(), 0}, {}, TxIn::SEQUENCE_FINAL, {}});
    tx.outputs.push_back(TxOut{1, Script()});
    no_coinbase.transactions.push_back(make_transaction_ref(std::move(tx)));
    // A block that decodes is judged by the block rules, as Core's submitblock does: this one
    // fails its (empty) proof of work first.
    EXPECT_EQ(call("submitblock", Json::array({to_hex(encode(no_coinbase))})), Json("high-hash"));
}

TEST_F(MiningRpc, submitblock_answers_prev_blk_not_found_for_an_orphan) {
    WalletKey owner;
    Block orphan = block_on(chain_->tip(), owner.script, chain_->tip()->median_time_past() + 1);
    orphan.header.prev_block = Uint256::from_string(std::string(64, '3')).value();
    orphan.header.nonce = 0;
    ASSERT_TRUE(grind_nonce(orphan, regtest().consensus.pow_limit, 1'000'000));
    EXPECT_EQ(call("submitblock", Json::array({to_hex(encode(orphan))})), Json("prev-blk-not-found"));
}

TEST_F(MiningRpc, submitblock_reports_the_reject_reason_of_an_invalid_block) {
    WalletKey owner;
    const std::int64_t time = chain_->tip()->median_time_past() + 1;
    const Block greedy = block_on(chain_->tip(), owner.script, time, {}, 1);
    EXPECT_EQ(call("submitblock", Json::array({to_hex(encode(greedy))})), Json("bad-cb-amount"));
    EXPECT_EQ(chain_->height(), 0);
}

TEST_F(MiningRpc, submitblock_adds_the_missing_witness_nonce_before_processing) {
    WalletKey owner;
    const Block block = block_on(chain_->tip(), owner.script, chain_->tip()->median_time_past() + 1);
    ASSERT_TRUE(block.transactions.at(0)->has_witness());
    Block stripped = block;
    MutableTransaction coinbase = stripped.transactions[0]->to_mutable();
    coinbase.inputs[0].witness.stack.clear();
    stripped.transactions[0] = make_transaction_ref(std::move(coinbase));
    EXPECT_EQ(call("submitblock", Json::array({to_hex(encode(stripped))})), Json(nullptr));
    EXPECT_EQ(chain_->tip()->hash, block.hash());
}

TEST_F(MiningRpc, submitblock_answers_inconclusive_for_a_valid_block_on_a_shorter_branch) {
    WalletKey owner;
    ASSERT_EQ(call("generatetoaddress", Json::array({2, owner.address})).size(), 2u);
    const BlockIndex* parent = chain_->at_height(1);
    const Block sibling = block_on(parent, owner.script, chain_->tip()->time + 1);
    EXPECT_EQ(call("submitblock", Json::array({to_hex(encode(sibling))})), Json("inconclusive"));
    EXPECT_EQ(chain_->height(), 2);
    EXPECT_NE(chain_->lookup(sibling.hash()), nullptr);
}

TEST_F(MiningRpc, submitheader_accepts_a_header_whose_parent_is_known) {
    WalletKey owner;
    const Block block = block_on(chain_->tip(), owner.script, chain_->tip()->median_time_past() + 1);
    const auto header_bytes = block.header.encode();
    EXPECT_EQ(call("submitheader", Json::array({to_hex(header_bytes)})), Json(nullptr));
    EXPECT_NE(chain_->lookup(block.hash()), nullptr);
    EXPECT_EQ(chain_->height(), 0);

    // A header on top of an unknown block.
    BlockHeader orphan = block.header;
    orphan.prev_block = Uint256::from_string(std::string(64, '1')).value();
    EXPECT_RPC_ERROR(call_error("submitheader", Json::array({to_hex(orphan.encode())})),
                     RpcErrorCode::VERIFY_ERROR,
                     "Must submit previous header (" + std::string(64, '1') + ") first");
}

TEST_F(MiningRpc, submitheader_refuses_undecodable_and_invalid_headers) {
    EXPECT_RPC_ERROR(call_error("submitheader", Json::array({"00"})),
                     RpcErrorCode::DESERIALIZATION_ERROR, "Block header decode failed");
    WalletKey owner;
    Block block = block_on(chain_->tip(), owner.script, chain_->tip()->median_time_past() + 1);
    // A nonce whose hash misses the target.
    while (check_block_header(block.header, regtest().consensus)) ++block.header.nonce;
    EXPECT_RPC_ERROR(call_error("submitheader", Json::array({to_hex(block.header.encode())})),
                     RpcErrorCode::VERIFY_ERROR, "high-hash");
}

TEST_F(MiningRpc, setmocktime_sets_the_time_of_generated_blocks) {
    WalletKey owner;
    const std::int64_t mock = chain_->tip()->time + 100'000;
    EXPECT_EQ(call("setmocktime", Json::array({mock})), Json(nullptr));
    EXPECT_EQ(node_.mock_time.load(), mock);
    ASSERT_EQ(call("generatetoaddress", Json::array({1, owner.address})).size(), 1u);
    EXPECT_EQ(chain_->tip()->time, static_cast<std::uint32_t>(mock));
    // The same clock again: the next block still follows the median time past.
    ASSERT_EQ(call("generatetoaddress", Json::array({1, owner.address})).size(), 1u);
    EXPECT_EQ(chain_->tip()->time, static_cast<std::uint32_t>(chain_->tip()->prev->median_time_past() + 1));
    EXPECT_EQ(call("setmocktime", Json::array({0})), Json(nullptr));
    EXPECT_EQ(node_.mock_time.load(), 0);
}

TEST_F(MiningRpc, setmocktime_refuses_negative_times) {
    EXPECT_RPC_ERROR(call_error("setmocktime", Json::array({-1})), RpcErrorCode::INVALID_PARAMETER,
                     "Mocktime must be in the range [0, 9223372036], not -1.");
}

TEST(NodeRpc, setmocktime_is_for_regtest_only) {
    NodeContext node;
    node.params = &chain_params(ChainType::main);
    RpcDispatcher dispatcher;
    register_node_rpcs(dispatcher, node);
    try {
        dispatcher.execute("setmocktime", Json::array({1}));
        ADD_FAILURE() << "setmocktime succeeded on main";
    } catch (const RpcError& error) {
        EXPECT_EQ(error.code, static_cast<int>(RpcErrorCode::MISC_ERROR));
        EXPECT_EQ(error.message, "setmocktime is for regression testing (-regtest mode) only");
    }
    EXPECT_EQ(node.mock_time.load(), 0);
}

TEST_F(MiningRpc, getmininginfo_describes_the_tip_and_the_next_block) {
    WalletKey owner;
    ASSERT_EQ(call("generatetoaddress", Json::array({5, owner.address})).size(), 5u);
    const Json info = call("getmininginfo");
    EXPECT_EQ(info["blocks"], 5);
    EXPECT_EQ(info["bits"], "207fffff");
    EXPECT_DOUBLE_EQ(info["difficulty"].get<double>(), 4.656542373906925e-10);
    EXPECT_EQ(info["target"], "7fffff0000000000000000000000000000000000000000000000000000000000");
    EXPECT_TRUE(info["networkhashps"].is_number());
    EXPECT_EQ(info["pooledtx"], 0);
    EXPECT_EQ(info["chain"], "regtest");
    EXPECT_EQ(info["next"]["height"], 6);
    EXPECT_EQ(info["next"]["bits"], "207fffff");
    EXPECT_EQ(info["warnings"], Json::array());
    EXPECT_FALSE(info.contains("signet_challenge"));
}

TEST_F(MiningRpc, getnetworkhashps_checks_its_arguments_as_core) {
    EXPECT_EQ(call("getnetworkhashps"), Json(0));
    EXPECT_RPC_ERROR(call_error("getnetworkhashps", Json::array({0})), RpcErrorCode::INVALID_PARAMETER,
                     "Invalid nblocks. Must be a positive number or -1.");
    EXPECT_RPC_ERROR(call_error("getnetworkhashps", Json::array({120, 5})),
                     RpcErrorCode::INVALID_PARAMETER, "Block does not exist at specified height");
    WalletKey owner;
    const std::int64_t start = chain_->tip()->time;
    for (int i = 1; i <= 3; ++i) {
        call("setmocktime", Json::array({start + 600 * i}));
        call("generatetoaddress", Json::array({1, owner.address}));
    }
    // Three blocks of regtest work (2 hashes each) over 1200 seconds.
    const double rate = call("getnetworkhashps", Json::array({2})).get<double>();
    EXPECT_DOUBLE_EQ(rate, 4.0 / 1200.0);
}

TEST_F(MiningRpc, control_methods_are_registered) {
    EXPECT_EQ(call("stop"), Json("Bitloom server stopping"));
    EXPECT_EQ(shutdown_requests_, 1);
    EXPECT_TRUE(call("uptime").is_number_integer());
    const std::string help = call("help").get<std::string>();
    EXPECT_NE(help.find("generatetoaddress"), std::string::npos);
    EXPECT_NE(help.find("getmininginfo"), std::string::npos);
    EXPECT_EQ(help.find("setmocktime"), std::string::npos);  // hidden, as in Core
    const std::string generateblock_help = call("help", Json::array({"generateblock"})).get<std::string>();
    EXPECT_EQ(generateblock_help.substr(0, generateblock_help.find('\n')),
              "generateblock \"output\" [\"rawtx/txid\",...] ( submit )");
    const std::string submitblock_help = call("help", Json::array({"submitblock"})).get<std::string>();
    EXPECT_EQ(submitblock_help.substr(0, submitblock_help.find('\n')), "submitblock \"hexdata\" ( \"dummy\" )");
}

}  // namespace
}  // namespace bitloom
