// The blockchain and raw-transaction RPC methods, called through the dispatcher on a chain
// state that has accepted the regtest chain a reference node mined
// (../shared/test-vectors/regtest-chain-1), and compared with that node's answers.

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <unistd.h>

#include "chain/chainstate.h"
#include "consensus/chainparams.h"
#include "consensus/subsidy.h"
#include "encoding/descriptor.h"
#include "node/context.h"
#include "node/rpc_encode.h"
#include "node/rpc_methods.h"
#include "primitives/block.h"
#include "rpc/json.h"
#include "rpc/json_rpc.h"
#include "testutil/vectors.h"
#include "util/hex.h"

namespace bitloom {
namespace {

std::vector<std::string> keys_of(const Json& object) {
    std::vector<std::string> keys;
    for (const auto& item : object.items()) keys.push_back(item.key());
    return keys;
}

Amount amount_of(const Json& value) {
    auto amount = amount_from_json(value);
    EXPECT_TRUE(amount.has_value()) << value.dump();
    return amount ? *amount : -1;
}

class RpcChainTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        expected_ = testutil::load_json("regtest-chain-1/expected.json");
        const std::string text =
            testutil::read_file_text(testutil::vector_path("regtest-chain-1/blocks.hex"));
        std::istringstream lines(text);
        std::string line;
        while (std::getline(lines, line)) {
            if (line.empty()) continue;
            auto block = decode_block(testutil::hex(line));
            ASSERT_TRUE(block.has_value());
            blocks_.push_back(std::move(*block));
        }
        static std::atomic<int> counter{0};
        data_dir_ = std::filesystem::temp_directory_path() /
                    ("bitloom-rpcchain-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
        std::filesystem::remove_all(data_dir_);
        std::filesystem::create_directories(data_dir_);
        ChainStateOptions options;
        options.data_dir = data_dir_;
        options.in_memory_db = true;
        options.coins_cache_bytes = 16 << 20;
        auto opened = ChainState::open(chain_params(ChainType::regtest), options);
        ASSERT_TRUE(opened.has_value()) << opened.error();
        chain_ = std::move(*opened);
        for (std::size_t i = 0; i < blocks_.size(); ++i) {
            const BlockSubmission submission = chain_->process_new_block(blocks_[i]);
            ASSERT_TRUE(submission.accepted) << "block " << i << " not accepted";
            ASSERT_FALSE(submission.error.has_value()) << "block " << i << " rejected";
        }
        node_ = std::make_unique<NodeContext>();
        node_->params = &chain_params(ChainType::regtest);
        node_->chain = chain_.get();
        dispatcher_ = std::make_unique<RpcDispatcher>();
        register_blockchain_rpcs(*dispatcher_, *node_);
        register_rawtransaction_rpcs(*dispatcher_, *node_);
    }

    static void TearDownTestSuite() {
        dispatcher_.reset();
        node_.reset();
        chain_.reset();
        std::error_code ignored;
        std::filesystem::remove_all(data_dir_, ignored);
    }

    void SetUp() override { ASSERT_TRUE(chain_ != nullptr) << "the chain did not load"; }

    static Json call(std::string_view method, Json params = Json::array()) {
        return dispatcher_->execute(method, params);
    }

    // Runs the call and checks that it fails with `code` and `message`.
    static void expect_error(std::string_view method, Json params, RpcErrorCode code,
                             const std::string& message) {
        try {
            const Json result = dispatcher_->execute(method, params);
            ADD_FAILURE() << method << " " << params.dump() << " succeeded: " << write_json(result);
        } catch (const RpcError& error) {
            EXPECT_EQ(error.code, static_cast<int>(code)) << method << " " << params.dump() << ": " << error.message;
            EXPECT_EQ(error.message, message) << method << " " << params.dump();
        }
    }

    static std::string tip_hash() { return expected_["tip"]["hash"]; }
    static std::string hash_at(int height) { return expected_["active_chain"][height]; }

    // A block of the file by hash.
    static const Block& block_by_hash(const std::string& hash) {
        for (const Block& block : blocks_) {
            if (block.hash().to_string() == hash) return block;
        }
        throw std::runtime_error("no block " + hash);
    }

    static inline nlohmann::json expected_;
    static inline std::vector<Block> blocks_;
    static inline std::filesystem::path data_dir_;
    static inline std::unique_ptr<ChainState> chain_;
    static inline std::unique_ptr<NodeContext> node_;
    static inline std::unique_ptr<RpcDispatcher> dispatcher_;
};

TEST_F(RpcChainTest, BlockCountAndBestBlockHashDescribeTheReferenceTip) {
    EXPECT_EQ(call("getblockcount"), 133);
    EXPECT_EQ(call("getbestblockhash"), tip_hash());
    EXPECT_EQ(write_json(call("getdifficulty")), "4.656542373906925e-10");
}

TEST_F(RpcChainTest, GetBlockHashGivesEveryActiveChainHashAndRejectsOtherHeights) {
    EXPECT_EQ(call("getblockhash", {0}), chain_params(ChainType::regtest).consensus.genesis_hash.to_string());
    EXPECT_EQ(call("getblockhash", {0}), "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206");
    for (int h = 0; h <= 133; ++h) EXPECT_EQ(call("getblockhash", {h}), hash_at(h)) << h;
    testutil::report_cases("getblockhash heights", 134);
    expect_error("getblockhash", {-1}, RpcErrorCode::INVALID_PARAMETER, "Block height out of range");
    expect_error("getblockhash", {1.5}, RpcErrorCode::MISC_ERROR, "JSON integer out of range");
    expect_error("getblockhash", {134}, RpcErrorCode::INVALID_PARAMETER, "Block height out of range");
    expect_error("getblockhash", Json::object({{"height", 134}}), RpcErrorCode::INVALID_PARAMETER,
                 "Block height out of range");
}

TEST_F(RpcChainTest, GetBlockChainInfoHasCoresMembersInCoresOrder) {
    const Json info = call("getblockchaininfo");
    EXPECT_EQ(keys_of(info), (std::vector<std::string>{
                                 "chain", "blocks", "headers", "bestblockhash", "bits", "target",
                                 "difficulty", "time", "mediantime", "verificationprogress",
                                 "initialblockdownload", "chainwork", "size_on_disk", "pruned",
                                 "warnings"}));
    EXPECT_EQ(info["chain"], "regtest");
    EXPECT_EQ(info["blocks"], 133);
    EXPECT_EQ(info["headers"], 133);
    EXPECT_EQ(info["bestblockhash"], tip_hash());
    EXPECT_EQ(info["bits"], "207fffff");
    EXPECT_EQ(info["target"], "7fffff0000000000000000000000000000000000000000000000000000000000");
    EXPECT_EQ(info["chainwork"], expected_["tip"]["chainwork"]);
    EXPECT_EQ(info["mediantime"], expected_["tip"]["mediantime"]);
    EXPECT_EQ(info["pruned"], false);
    EXPECT_EQ(info["warnings"], Json::array());
}

TEST_F(RpcChainTest, GetBlockHeaderGivesTheHeaderAsObjectOrHex) {
    const Json header = call("getblockheader", {tip_hash()});
    EXPECT_EQ(keys_of(header), (std::vector<std::string>{
                                   "hash", "confirmations", "height", "version", "versionHex",
                                   "merkleroot", "time", "mediantime", "nonce", "bits", "target",
                                   "difficulty", "chainwork", "nTx", "previousblockhash"}));
    EXPECT_EQ(header["confirmations"], 1);
    EXPECT_EQ(header["height"], 133);
    EXPECT_EQ(header["chainwork"], expected_["tip"]["chainwork"]);
    EXPECT_EQ(header["mediantime"], expected_["tip"]["mediantime"]);
    EXPECT_EQ(header["previousblockhash"], hash_at(132));

    const Json middle = call("getblockheader", {hash_at(100), true});
    EXPECT_EQ(middle["confirmations"], 34);
    EXPECT_EQ(middle["nextblockhash"], hash_at(101));

    const Json hex = call("getblockheader", {tip_hash(), false});
    ASSERT_TRUE(hex.is_string());
    EXPECT_EQ(hex.get<std::string>().size(), 160u);
    const auto decoded = decode_block_header(testutil::hex(hex.get<std::string>()));
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(decoded->hash().to_string(), tip_hash());

    for (const auto& stale : expected_["stale_blocks"]) {
        EXPECT_EQ(call("getblockheader", {stale})["confirmations"], -1);
    }
    expect_error("getblockheader", {std::string(64, '0')}, RpcErrorCode::INVALID_ADDRESS_OR_KEY, "Block not found");
    expect_error("getblockheader", {"abc"}, RpcErrorCode::INVALID_PARAMETER,
                 "hash must be of length 64 (not 3, for 'abc')");
}

TEST_F(RpcChainTest, GetBlockAnswersAtEveryVerbosity) {
    const std::string hash = hash_at(126);
    const Block& block = block_by_hash(hash);
    ASSERT_EQ(block.transactions.size(), 9u);

    const Json hex = call("getblock", {hash, 0});
    EXPECT_EQ(hex, to_hex(encode(block)));
    EXPECT_EQ(call("getblock", {hash, false}), hex);

    const Json one = call("getblock", {hash});
    EXPECT_EQ(call("getblock", {hash, true}), one);
    EXPECT_EQ(call("getblock", Json::object({{"blockhash", hash}, {"verbose", 1}})), one);
    EXPECT_EQ(keys_of(one), (std::vector<std::string>{
                                "hash", "confirmations", "height", "version", "versionHex",
                                "merkleroot", "time", "mediantime", "nonce", "bits", "target",
                                "difficulty", "chainwork", "nTx", "previousblockhash",
                                "nextblockhash", "strippedsize", "size", "weight", "coinbase_tx",
                                "tx"}));
    EXPECT_EQ(one["height"], 126);
    EXPECT_EQ(one["confirmations"], 8);
    EXPECT_EQ(one["size"].get<std::size_t>(), encode(block).size());
    EXPECT_EQ(one["strippedsize"].get<std::size_t>(), encode(block, TxFormat::no_witness).size());
    EXPECT_EQ(one["nTx"].get<std::size_t>(), block.transactions.size());
    ASSERT_EQ(one["tx"].size(), block.transactions.size());
    for (std::size_t i = 0; i < block.transactions.size(); ++i) {
        EXPECT_EQ(one["tx"][i], block.transactions[i]->txid().to_string());
    }
    EXPECT_EQ(one["coinbase_tx"]["coinbase"], to_hex(block.transactions[0]->inputs()[0].script_sig.span()));

    const Json two = call("getblock", {hash, 2});
    ASSERT_EQ(two["tx"].size(), block.transactions.size());
    EXPECT_FALSE(two["tx"][0].contains("fee"));  // the coinbase
    const Json three = call("getblock", {hash, 3});
    Amount fees = 0;
    for (std::size_t i = 0; i < block.transactions.size(); ++i) {
        const Json& tx = two["tx"][i];
        EXPECT_EQ(tx["txid"], block.transactions[i]->txid().to_string());
        EXPECT_EQ(tx["hex"], to_hex(encode(*block.transactions[i])));
        EXPECT_FALSE(tx.contains("blockhash"));
        if (i == 0) continue;
        ASSERT_TRUE(tx.contains("fee"));
        fees += amount_of(tx["fee"]);
        EXPECT_FALSE(tx["vin"][0].contains("prevout"));
        const Json& prevout = three["tx"][i]["vin"][0]["prevout"];
        EXPECT_EQ(keys_of(prevout), (std::vector<std::string>{"generated", "height", "value", "scriptPubKey"}));
    }
    // A reference miner claims every fee: the coinbase pays the subsidy plus the fees.
    Amount coinbase_out = 0;
    for (const TxOut& out : block.transactions[0]->outputs()) coinbase_out += out.value;
    EXPECT_EQ(coinbase_out, block_subsidy(126, chain_params(ChainType::regtest).consensus) + fees);

    expect_error("getblock", {hash, "x"}, RpcErrorCode::TYPE_ERROR,
                 "JSON value of type string is not of expected type number");
    expect_error("getblock", {std::string(64, 'f')}, RpcErrorCode::INVALID_ADDRESS_OR_KEY, "Block not found");
    expect_error("getblock", {std::string(64, 'g')}, RpcErrorCode::INVALID_PARAMETER,
                 "blockhash must be hexadecimal string (not '" + std::string(64, 'g') + "')");
}

TEST_F(RpcChainTest, GetChainTipsShowsTheActiveTipAndTheStaleBranch) {
    const Json tips = call("getchaintips");
    ASSERT_EQ(tips.size(), 2u) << write_json(tips);
    EXPECT_EQ(write_json(tips[0]),
              R"({"height":133,"hash":")" + tip_hash() + R"(","branchlen":0,"status":"active"})");
    EXPECT_EQ(keys_of(tips[1]), (std::vector<std::string>{"height", "hash", "branchlen", "status"}));
    EXPECT_EQ(tips[1]["status"], "valid-fork");
    EXPECT_EQ(tips[1]["branchlen"], 2);
    const std::set<std::string> stale(expected_["stale_blocks"].begin(), expected_["stale_blocks"].end());
    EXPECT_TRUE(stale.contains(tips[1]["hash"].get<std::string>()));
}

TEST_F(RpcChainTest, GetTxOutSetInfoEqualsTheReferenceNodesStatistics) {
    const nlohmann::json& utxo = expected_["utxo_set"];
    const Json serialized = call("gettxoutsetinfo");
    EXPECT_EQ(keys_of(serialized), (std::vector<std::string>{"height", "bestblock", "txouts", "bogosize",
                                                             "hash_serialized_3", "total_amount",
                                                             "transactions", "disk_size"}));
    EXPECT_EQ(serialized["height"], 133);
    EXPECT_EQ(serialized["bestblock"], utxo["bestblock"].get<std::string>());
    EXPECT_EQ(serialized["txouts"], utxo["txouts"].get<int>());
    EXPECT_EQ(serialized["bogosize"], utxo["bogosize"].get<int>());
    EXPECT_EQ(serialized["transactions"], utxo["transactions"].get<int>());
    EXPECT_EQ(amount_of(serialized["total_amount"]), 665'000'000'000);
    EXPECT_EQ(write_json(serialized["total_amount"]), "6650.00000000");
    EXPECT_EQ(serialized["hash_serialized_3"], expected_["utxo_set_hash_serialized_3"].get<std::string>());

    const Json muhash = call("gettxoutsetinfo", {"muhash"});
    EXPECT_EQ(muhash["muhash"], utxo["muhash"].get<std::string>());
    EXPECT_FALSE(muhash.contains("hash_serialized_3"));
    const Json none = call("gettxoutsetinfo", {"none"});
    EXPECT_FALSE(none.contains("muhash"));
    EXPECT_FALSE(none.contains("hash_serialized_3"));

    expect_error("gettxoutsetinfo", {"sha"}, RpcErrorCode::INVALID_PARAMETER, "'sha' is not a valid hash_type");
    expect_error("gettxoutsetinfo", {"muhash", 10}, RpcErrorCode::INVALID_PARAMETER,
                 "Querying specific block heights requires coinstatsindex");
}

TEST_F(RpcChainTest, GetBlockStatsTotalsAgreeWithTheBlocksAndTheUtxoSet) {
    std::int64_t utxo_growth = 0;
    for (int h = 1; h <= 133; ++h) {
        const Json stats = call("getblockstats", {h});
        const Block& block = block_by_hash(hash_at(h));
        EXPECT_EQ(stats["blockhash"], hash_at(h));
        EXPECT_EQ(stats["height"], h);
        EXPECT_EQ(stats["txs"].get<std::size_t>(), block.transactions.size());
        std::int64_t ins = 0, outs = 0;
        for (const TransactionRef& tx : block.transactions) {
            outs += static_cast<std::int64_t>(tx->outputs().size());
            if (!tx->is_coinbase()) ins += static_cast<std::int64_t>(tx->inputs().size());
        }
        EXPECT_EQ(stats["ins"], ins);
        EXPECT_EQ(stats["outs"], outs);
        EXPECT_EQ(stats["utxo_increase"], outs - ins);
        Amount coinbase_out = 0;
        for (const TxOut& out : block.transactions[0]->outputs()) coinbase_out += out.value;
        EXPECT_EQ(stats["subsidy"].get<Amount>() + stats["totalfee"].get<Amount>(), coinbase_out) << h;
        EXPECT_LE(stats["minfee"].get<Amount>(), stats["maxfee"].get<Amount>());
        EXPECT_EQ(stats["feerate_percentiles"].size(), 5u);
        utxo_growth += stats["utxo_increase_actual"].get<std::int64_t>();
    }
    testutil::report_cases("getblockstats blocks", 133);
    // Every coin of the set was created by one of these blocks (the genesis output never is).
    EXPECT_EQ(utxo_growth, expected_["utxo_set"]["txouts"].get<std::int64_t>());

    const Json selected = call("getblockstats", {hash_at(126), {"txs", "height", "totalfee"}});
    EXPECT_EQ(keys_of(selected), (std::vector<std::string>{"height", "totalfee", "txs"}));
    expect_error("getblockstats", {126, {"nope"}}, RpcErrorCode::INVALID_PARAMETER, "Invalid selected statistic 'nope'");
    expect_error("getblockstats", {134}, RpcErrorCode::INVALID_PARAMETER, "Target block height 134 after current tip 133");
    expect_error("getblockstats", {-2}, RpcErrorCode::INVALID_PARAMETER, "Target block height -2 is negative");
}

TEST_F(RpcChainTest, GetTxOutReturnsUnspentOutputsAndNullForSpentOnes) {
    const Block& tip = block_by_hash(tip_hash());
    const Transaction& coinbase = *tip.transactions[0];
    const Json out = call("gettxout", {coinbase.txid().to_string(), 0});
    EXPECT_EQ(keys_of(out), (std::vector<std::string>{"bestblock", "confirmations", "value", "scriptPubKey", "coinbase"}));
    EXPECT_EQ(out["bestblock"], tip_hash());
    EXPECT_EQ(out["confirmations"], 1);
    EXPECT_EQ(out["coinbase"], true);
    EXPECT_EQ(amount_of(out["value"]), coinbase.outputs()[0].value);
    // Outputs spent by the tip's transactions are gone.
    std::size_t spent = 0;
    for (std::size_t t = 1; t < tip.transactions.size(); ++t) {
        for (const TxIn& in : tip.transactions[t]->inputs()) {
            EXPECT_TRUE(call("gettxout", {in.prevout.txid.to_string(), in.prevout.index}).is_null());
            ++spent;
        }
    }
    EXPECT_TRUE(call("gettxout", {coinbase.txid().to_string(), 99}).is_null());
    expect_error("gettxout", {coinbase.txid().to_string(), -1}, RpcErrorCode::MISC_ERROR, "JSON integer out of range");
}

TEST_F(RpcChainTest, VerifyChainPassesOnTheAcceptedChain) {
    EXPECT_EQ(call("verifychain"), true);
    EXPECT_EQ(call("verifychain", {4, 20}), true);
}

TEST_F(RpcChainTest, GetRawTransactionNeedsABlockHashWithoutTxindex) {
    const std::string block_hash = hash_at(126);
    const Block& block = block_by_hash(block_hash);
    const Transaction& tx = *block.transactions.back();
    const std::string txid = tx.txid().to_string();

    expect_error("getrawtransaction", {txid}, RpcErrorCode::INVALID_ADDRESS_OR_KEY,
                 "No such mempool transaction. Use -txindex or provide a block hash to enable "
                 "blockchain transaction queries. Use gettransaction for wallet transactions.");
    EXPECT_EQ(call("getrawtransaction", {txid, 0, block_hash}), to_hex(encode(tx)));

    const Json one = call("getrawtransaction", {txid, true, block_hash});
    EXPECT_EQ(keys_of(one), (std::vector<std::string>{"in_active_chain", "txid", "hash", "version", "size",
                                                      "vsize", "weight", "locktime", "vin", "vout", "hex",
                                                      "blockhash", "confirmations", "time", "blocktime"}));
    EXPECT_EQ(one["in_active_chain"], true);
    EXPECT_EQ(one["confirmations"], 8);
    EXPECT_EQ(one["blockhash"], block_hash);
    EXPECT_EQ(one["time"], block.header.time);

    const Json two = call("getrawtransaction", {txid, 2, block_hash});
    EXPECT_TRUE(two.contains("fee"));
    EXPECT_TRUE(two["vin"][0].contains("prevout"));

    expect_error("getrawtransaction", {txid, 0, hash_at(125)}, RpcErrorCode::INVALID_ADDRESS_OR_KEY,
                 "No such transaction found in the provided block. Use gettransaction for wallet transactions.");
    expect_error("getrawtransaction", {txid, 0, std::string(64, '1')}, RpcErrorCode::INVALID_ADDRESS_OR_KEY,
                 "Block hash not found");
    expect_error("getrawtransaction",
                 {chain_params(ChainType::regtest).genesis.header.merkle_root.to_string()},
                 RpcErrorCode::INVALID_ADDRESS_OR_KEY,
                 "The genesis block coinbase is not considered an ordinary transaction and cannot be retrieved");
}

TEST_F(RpcChainTest, DecodeRawTransactionDecodesWitnessAndLegacyEncodings) {
    std::size_t decoded = 0;
    for (const Block& block : blocks_) {
        for (const TransactionRef& tx : block.transactions) {
            const Json json = call("decoderawtransaction", {to_hex(encode(*tx))});
            EXPECT_EQ(json["txid"], tx->txid().to_string());
            EXPECT_EQ(json["hash"], tx->wtxid().to_string());
            EXPECT_FALSE(json.contains("hex"));
            ++decoded;
        }
    }
    testutil::report_cases("decoderawtransaction", decoded);
    expect_error("decoderawtransaction", {"zz"}, RpcErrorCode::DESERIALIZATION_ERROR, "TX decode failed");
    expect_error("decoderawtransaction", {""}, RpcErrorCode::DESERIALIZATION_ERROR, "TX decode failed");
    // A witness transaction is not a valid legacy encoding.
    for (const TransactionRef& tx : block_by_hash(tip_hash()).transactions) {
        if (!tx->has_witness()) continue;
        expect_error("decoderawtransaction", {to_hex(encode(*tx)), false}, RpcErrorCode::DESERIALIZATION_ERROR,
                     "TX decode failed");
        EXPECT_EQ(call("decoderawtransaction", {to_hex(encode(*tx)), true})["hash"], tx->wtxid().to_string());
        break;
    }
}

TEST_F(RpcChainTest, DecodeScriptShowsTheWrappingOutputs) {
    const std::string hash = std::string(40, 'a');
    const Json p2pkh = call("decodescript", {"76a914" + hash + "88ac"});
    EXPECT_EQ(keys_of(p2pkh), (std::vector<std::string>{"asm", "desc", "address", "type", "p2sh", "segwit"}));
    EXPECT_EQ(p2pkh["type"], "pubkeyhash");
    EXPECT_EQ(p2pkh["asm"], "OP_DUP OP_HASH160 " + hash + " OP_EQUALVERIFY OP_CHECKSIG");
    EXPECT_TRUE(p2pkh["p2sh"].get<std::string>().starts_with("2"));
    const Json& segwit = p2pkh["segwit"];
    EXPECT_EQ(keys_of(segwit), (std::vector<std::string>{"asm", "desc", "hex", "address", "type", "p2sh-segwit"}));
    EXPECT_EQ(segwit["hex"], "0014" + hash);
    EXPECT_EQ(segwit["type"], "witness_v0_keyhash");
    EXPECT_TRUE(segwit["address"].get<std::string>().starts_with("bcrt1q"));

    const std::string key1 = "02" + std::string(64, '1');
    const std::string key2 = "03" + std::string(64, '2');
    const Json multi = call("decodescript", {"5221" + key1 + "21" + key2 + "52ae"});
    EXPECT_EQ(multi["type"], "multisig");
    EXPECT_FALSE(multi.contains("address"));
    EXPECT_EQ(multi["segwit"]["type"], "witness_v0_scripthash");
    EXPECT_EQ(multi["segwit"]["desc"],
              add_descriptor_checksum("wsh(multi(2," + key1 + "," + key2 + "))"));

    const Json p2wpkh = call("decodescript", {"0014" + hash});
    EXPECT_TRUE(p2wpkh.contains("p2sh"));
    EXPECT_FALSE(p2wpkh.contains("segwit"));
    const Json p2tr = call("decodescript", {"5120" + std::string(64, 'b')});
    EXPECT_EQ(p2tr["type"], "witness_v1_taproot");
    EXPECT_FALSE(p2tr.contains("p2sh"));
    const Json op_return = call("decodescript", {"6a02abcd"});
    EXPECT_EQ(keys_of(op_return), (std::vector<std::string>{"asm", "desc", "type"}));
    const Json empty = call("decodescript", {""});
    EXPECT_EQ(empty["type"], "nonstandard");
    EXPECT_TRUE(empty.contains("segwit"));
    expect_error("decodescript", {"0q"}, RpcErrorCode::INVALID_PARAMETER, "argument must be hexadecimal string (not '0q')");
}

TEST_F(RpcChainTest, GetRawTransactionReportsAStaleBlocksTransactionOutsideTheActiveChain) {
    const std::string stale = expected_["stale_blocks"][1];
    const Block& block = block_by_hash(stale);
    const std::string txid = block.transactions[0]->txid().to_string();
    const Json one = call("getrawtransaction", {txid, 1, stale});
    EXPECT_EQ(one["in_active_chain"], false);
    EXPECT_EQ(one["blockhash"], stale);
    EXPECT_EQ(one["confirmations"], 0);
    EXPECT_FALSE(one.contains("time"));
    EXPECT_FALSE(one.contains("blocktime"));
}

TEST_F(RpcChainTest, GetRawTransactionFindsAnyBlocksTransactionThroughTheTransactionIndex) {
    const std::filesystem::path dir = data_dir_.string() + "-txindex";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    ChainStateOptions options;
    options.data_dir = dir;
    options.in_memory_db = true;
    options.txindex = true;
    auto opened = ChainState::open(chain_params(ChainType::regtest), options);
    ASSERT_TRUE(opened.has_value()) << opened.error();
    std::unique_ptr<ChainState> chain = std::move(*opened);
    for (const Block& block : blocks_) ASSERT_TRUE(chain->process_new_block(block).accepted);
    NodeContext node;
    node.params = &chain_params(ChainType::regtest);
    node.chain = chain.get();
    RpcDispatcher dispatcher;
    register_rawtransaction_rpcs(dispatcher, node);

    std::size_t found = 0;
    for (int h : {1, 111, 126, 133}) {
        for (const TransactionRef& tx : block_by_hash(hash_at(h)).transactions) {
            const Json one = dispatcher.execute("getrawtransaction", {tx->txid().to_string(), 1});
            EXPECT_FALSE(one.contains("in_active_chain"));
            EXPECT_EQ(one["blockhash"], hash_at(h));
            EXPECT_EQ(one["confirmations"], 133 - h + 1);
            EXPECT_EQ(one["hex"], to_hex(encode(*tx)));
            ++found;
        }
    }
    testutil::report_cases("transactions found through the index", found);
    try {
        dispatcher.execute("getrawtransaction", {std::string(64, '3')});
        ADD_FAILURE() << "an unknown transaction was found";
    } catch (const RpcError& error) {
        EXPECT_EQ(error.code, static_cast<int>(RpcErrorCode::INVALID_ADDRESS_OR_KEY));
        EXPECT_EQ(error.message, "No such mempool or blockchain transaction. Use gettransaction for wallet transactions.");
    }
    chain.reset();
    std::filesystem::remove_all(dir);
}

TEST_F(RpcChainTest, EveryMethodIsRegisteredWithHelpInItsCategory) {
    const std::vector<std::string> blockchain = {
        "getbestblockhash", "getblock", "getblockchaininfo", "getblockcount", "getblockhash",
        "getblockheader", "getblockstats", "getchaintips", "getdifficulty", "gettxout",
        "gettxoutsetinfo", "invalidateblock", "preciousblock", "reconsiderblock", "verifychain"};
    const std::vector<std::string> raw = {"decoderawtransaction", "decodescript", "getrawtransaction"};
    for (const std::string& name : blockchain) {
        const RpcMethod* method = dispatcher_->find(name);
        ASSERT_NE(method, nullptr) << name;
        EXPECT_EQ(method->category, "blockchain") << name;
        EXPECT_FALSE(method->help.empty()) << name;
    }
    for (const std::string& name : raw) {
        const RpcMethod* method = dispatcher_->find(name);
        ASSERT_NE(method, nullptr) << name;
        EXPECT_EQ(method->category, "rawtransactions") << name;
    }
    EXPECT_EQ(dispatcher_->method_names().size(), blockchain.size() + raw.size());
    const std::string help = dispatcher_->help("getblock");
    EXPECT_TRUE(help.starts_with("getblock \"blockhash\" ( verbosity )\n")) << help;
}

// Last: it moves the tip (and puts it back).
TEST_F(RpcChainTest, InvalidateAndReconsiderMoveTheTipAndBack) {
    EXPECT_EQ(call("invalidateblock", {hash_at(125)}), nullptr);
    EXPECT_LT(call("getblockcount").get<int>(), 125);
    EXPECT_NE(call("getbestblockhash"), tip_hash());
    bool invalid_tip = false;
    for (const Json& tip : call("getchaintips")) {
        if (tip["hash"] == tip_hash()) invalid_tip = tip["status"] == "invalid";
    }
    EXPECT_TRUE(invalid_tip);
    EXPECT_EQ(call("getblockheader", {tip_hash()})["confirmations"], -1);

    EXPECT_EQ(call("reconsiderblock", {hash_at(125)}), nullptr);
    EXPECT_EQ(call("getblockcount"), 133);
    EXPECT_EQ(call("getbestblockhash"), tip_hash());

    EXPECT_EQ(call("preciousblock", {tip_hash()}), nullptr);
    EXPECT_EQ(call("getbestblockhash"), tip_hash());
    for (const char* method : {"invalidateblock", "reconsiderblock", "preciousblock"}) {
        expect_error(method, {std::string(64, '2')}, RpcErrorCode::INVALID_ADDRESS_OR_KEY, "Block not found");
    }
}

}  // namespace
}  // namespace bitloom
