// The blockchain RPC methods: queries of the block tree, the active chain and the UTXO set,
// and the invalidate / reconsider / precious controls. Results and errors follow Bitcoin
// Core's rpc/blockchain.cpp.

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "chain/block_index.h"
#include "chain/chainstate.h"
#include "consensus/subsidy.h"
#include "node/rpc_encode.h"
#include "node/rpc_methods.h"
#include "primitives/block.h"
#include "primitives/serialize.h"
#include "rpc/json.h"
#include "rpc/json_rpc.h"
#include "util/hex.h"

namespace bitloom {
namespace {

// The chain state, or Core's error when it is not loaded.
ChainState& chain_of(NodeContext& node) {
    if (node.chain == nullptr) throw RpcError(RpcErrorCode::INTERNAL_ERROR, "Node chainman not found");
    return *node.chain;
}

const BlockIndex& lookup_block(const ChainState& chain, const Uint256& hash) {
    const BlockIndex* index = chain.lookup(hash);
    if (index == nullptr) throw RpcError(RpcErrorCode::INVALID_ADDRESS_OR_KEY, "Block not found");
    return *index;
}

// Core's ParseHashOrHeight.
const BlockIndex& parse_hash_or_height(const ChainState& chain, const Json& value) {
    if (value.is_number()) {
        const int height = json_int_param(value);
        if (height < 0) {
            throw RpcError(RpcErrorCode::INVALID_PARAMETER,
                           "Target block height " + std::to_string(height) + " is negative");
        }
        auto lock = chain.lock();
        const int tip = chain.height();
        if (height > tip) {
            throw RpcError(RpcErrorCode::INVALID_PARAMETER, "Target block height " + std::to_string(height) +
                                                                " after current tip " + std::to_string(tip));
        }
        return *chain.at_height(height);
    }
    return lookup_block(chain, parse_hash_param(value, "hash_or_height"));
}

std::uint32_t status_of(const ChainState& chain, const BlockIndex& index) {
    auto lock = chain.lock();
    return index.status;
}

// Core's GetBlockChecked / GetUndoChecked (this node does not prune).
Block read_block_checked(const ChainState& chain, const BlockIndex& index) {
    if ((status_of(chain, index) & block_status::HAVE_DATA) == 0) {
        throw RpcError(RpcErrorCode::MISC_ERROR, "Block not available (not fully downloaded)");
    }
    auto block = chain.read_block(&index);
    if (!block) throw RpcError(RpcErrorCode::MISC_ERROR, "Block not found on disk");
    return std::move(*block);
}

BlockUndo read_undo_checked(const ChainState& chain, const BlockIndex& index) {
    if (index.height == 0) return {};
    if ((status_of(chain, index) & block_status::HAVE_UNDO) == 0) {
        throw RpcError(RpcErrorCode::MISC_ERROR, "Undo data not available");
    }
    auto undo = chain.read_undo(&index);
    if (!undo) throw RpcError(RpcErrorCode::MISC_ERROR, "Can't read undo data from disk");
    return std::move(*undo);
}

RpcParam param(std::string name, RpcType type, bool optional, std::string default_description,
               std::string description) {
    return RpcParam(std::move(name), type, optional, std::move(default_description), std::move(description));
}

void add(RpcDispatcher& dispatcher, std::string name, std::vector<RpcParam> params, std::string help,
         RpcHandler handler) {
    RpcMethod method;
    method.name = std::move(name);
    method.category = "blockchain";
    method.params = std::move(params);
    method.help = std::move(help);
    method.handler = std::move(handler);
    dispatcher.add(std::move(method));
}

// --- getblockstats ------------------------------------------------------------------------

// Bytes a coin adds to the UTXO set's memory estimate beyond its serialized output: the
// outpoint, the height/coinbase code and the coinbase flag (Core's PER_UTXO_OVERHEAD).
constexpr std::int64_t PER_UTXO_OVERHEAD = 32 + 4 + 4 + 1;
constexpr std::int64_t MAX_BLOCK_SERIALIZED_SIZE = 4'000'000;
constexpr std::size_t NUM_PERCENTILES = 5;

std::int64_t serialized_output_size(const TxOut& output) {
    SizeCounter counter;
    serialize(counter, output);
    return static_cast<std::int64_t>(counter.size());
}

// The two mainnet blocks whose coinbases repeat earlier ones (BIP30's exceptions).
bool is_bip30_repeat(const BlockIndex& index) {
    return (index.height == 91842 &&
            index.hash.to_string() == "00000000000a4d0a398161ffc163c503763b1f4360639393e0e4c8e300e0caec") ||
           (index.height == 91880 &&
            index.hash.to_string() == "00000000000743f190a18c5577a3c2d2a1f610ae9601ac046a38084ccb7cd721");
}

template <typename T>
T truncated_median(std::vector<T> values) {
    if (values.empty()) return 0;
    std::sort(values.begin(), values.end());
    const std::size_t size = values.size();
    if (size % 2 == 0) return (values[size / 2 - 1] + values[size / 2]) / 2;
    return values[size / 2];
}

// Feerates at the 10th, 25th, 50th, 75th and 90th percentile of the block's weight.
std::vector<std::int64_t> percentiles_by_weight(std::vector<std::pair<std::int64_t, std::int64_t>> feerates,
                                                std::int64_t total_weight) {
    std::vector<std::int64_t> result(NUM_PERCENTILES, 0);
    if (feerates.empty()) return result;
    std::sort(feerates.begin(), feerates.end());
    const double weights[NUM_PERCENTILES] = {
        total_weight / 10.0, total_weight / 4.0, total_weight / 2.0, (total_weight * 3.0) / 4.0,
        (total_weight * 9.0) / 10.0};
    std::int64_t cumulative = 0;
    std::size_t next = 0;
    for (const auto& [feerate, weight] : feerates) {
        cumulative += weight;
        while (next < NUM_PERCENTILES && cumulative >= weights[next]) {
            result[next] = feerate;
            ++next;
        }
    }
    for (std::size_t i = next; i < NUM_PERCENTILES; ++i) result[i] = feerates.back().first;
    return result;
}

Json block_stats(const ChainState& chain, const BlockIndex& index, const Block& block, const BlockUndo& undo) {
    std::int64_t max_fee = 0, max_feerate = 0, min_fee = MAX_MONEY, min_feerate = MAX_MONEY;
    std::int64_t total_out = 0, total_fee = 0, inputs = 0, outputs = 0;
    std::int64_t max_tx_size = 0, min_tx_size = MAX_BLOCK_SERIALIZED_SIZE;
    std::int64_t sw_total_size = 0, sw_total_weight = 0, sw_txs = 0, total_size = 0, total_weight = 0;
    std::int64_t utxos = 0, utxo_size_inc = 0, utxo_size_inc_actual = 0;
    std::vector<std::int64_t> fees, tx_sizes;
    std::vector<std::pair<std::int64_t, std::int64_t>> feerates;

    for (std::size_t i = 0; i < block.transactions.size(); ++i) {
        const Transaction& tx = *block.transactions[i];
        outputs += static_cast<std::int64_t>(tx.outputs().size());
        std::int64_t tx_total_out = 0;
        for (const TxOut& output : tx.outputs()) {
            tx_total_out += output.value;
            const std::int64_t size = serialized_output_size(output) + PER_UTXO_OVERHEAD;
            utxo_size_inc += size;
            if (index.height == 0 || (is_bip30_repeat(index) && tx.is_coinbase())) continue;
            if (output.script_pubkey.is_unspendable()) continue;
            ++utxos;
            utxo_size_inc_actual += size;
        }
        if (tx.is_coinbase()) continue;

        inputs += static_cast<std::int64_t>(tx.inputs().size());
        total_out += tx_total_out;

        const auto tx_size = static_cast<std::int64_t>(tx.total_size());
        tx_sizes.push_back(tx_size);
        max_tx_size = std::max(max_tx_size, tx_size);
        min_tx_size = std::min(min_tx_size, tx_size);
        total_size += tx_size;

        const auto weight = static_cast<std::int64_t>(tx.weight());
        total_weight += weight;
        if (tx.has_witness()) {
            ++sw_txs;
            sw_total_size += tx_size;
            sw_total_weight += weight;
        }

        if (i - 1 >= undo.transactions.size()) {
            throw RpcError(RpcErrorCode::MISC_ERROR, "Can't read undo data from disk");
        }
        std::int64_t tx_total_in = 0;
        for (const Coin& coin : undo.transactions[i - 1].spent) {
            tx_total_in += coin.output.value;
            const std::int64_t size = serialized_output_size(coin.output) + PER_UTXO_OVERHEAD;
            utxo_size_inc -= size;
            utxo_size_inc_actual -= size;
        }
        const std::int64_t fee = tx_total_in - tx_total_out;
        fees.push_back(fee);
        max_fee = std::max(max_fee, fee);
        min_fee = std::min(min_fee, fee);
        total_fee += fee;
        const std::int64_t feerate = weight != 0 ? (fee * 4) / weight : 0;
        feerates.emplace_back(feerate, weight);
        max_feerate = std::max(max_feerate, feerate);
        min_feerate = std::min(min_feerate, feerate);
    }

    const auto non_coinbase = static_cast<std::int64_t>(block.transactions.size()) - 1;
    Json percentiles = Json::array();
    for (const std::int64_t value : percentiles_by_weight(std::move(feerates), total_weight)) {
        percentiles.push_back(value);
    }

    Json out = Json::object();
    out["avgfee"] = non_coinbase > 0 ? total_fee / non_coinbase : 0;
    out["avgfeerate"] = total_weight != 0 ? (total_fee * 4) / total_weight : 0;
    out["avgtxsize"] = non_coinbase > 0 ? total_size / non_coinbase : 0;
    out["blockhash"] = index.hash.to_string();
    out["feerate_percentiles"] = std::move(percentiles);
    out["height"] = index.height;
    out["ins"] = inputs;
    out["maxfee"] = max_fee;
    out["maxfeerate"] = max_feerate;
    out["maxtxsize"] = max_tx_size;
    out["medianfee"] = truncated_median(fees);
    out["mediantime"] = index.median_time_past();
    out["mediantxsize"] = truncated_median(tx_sizes);
    out["minfee"] = min_fee == MAX_MONEY ? 0 : min_fee;
    out["minfeerate"] = min_feerate == MAX_MONEY ? 0 : min_feerate;
    out["mintxsize"] = min_tx_size == MAX_BLOCK_SERIALIZED_SIZE ? 0 : min_tx_size;
    out["outs"] = outputs;
    out["subsidy"] = block_subsidy(index.height, chain.params().consensus);
    out["swtotal_size"] = sw_total_size;
    out["swtotal_weight"] = sw_total_weight;
    out["swtxs"] = sw_txs;
    out["time"] = index.time;
    out["total_out"] = total_out;
    out["total_size"] = total_size;
    out["total_weight"] = total_weight;
    out["totalfee"] = total_fee;
    out["txs"] = block.transactions.size();
    out["utxo_increase"] = outputs - inputs;
    out["utxo_size_inc"] = utxo_size_inc;
    out["utxo_increase_actual"] = utxos - inputs;
    out["utxo_size_inc_actual"] = utxo_size_inc_actual;
    return out;
}

}  // namespace

void register_blockchain_rpcs(RpcDispatcher& dispatcher, NodeContext& node) {
    NodeContext* ctx = &node;

    add(dispatcher, "getblockchaininfo", {},
        "Returns the state of block processing: the network, the active chain's tip and its work, "
        "and the storage in use.\n",
        [ctx](const RpcCall&) -> Json {
            ChainState& chain = chain_of(*ctx);
            auto lock = chain.lock();
            const BlockIndex* tip = chain.tip();
            const BlockIndex* best_header = chain.best_header();
            Json out = Json::object();
            out["chain"] = std::string(chain_type_name(chain.params().type));
            out["blocks"] = chain.height();
            out["headers"] = best_header != nullptr ? best_header->height : -1;
            out["bestblockhash"] = tip->hash.to_string();
            out["bits"] = bits_hex(tip->bits);
            out["target"] = target_hex(tip->bits);
            out["difficulty"] = difficulty(tip->bits);
            out["time"] = tip->time;
            out["mediantime"] = tip->median_time_past();
            out["verificationprogress"] = chain.verification_progress(tip);
            out["initialblockdownload"] = chain.initial_block_download();
            out["chainwork"] = tip->chain_work.to_hex();
            out["size_on_disk"] = chain.blocks_disk_size();
            out["pruned"] = false;
            if (chain.params().type == ChainType::signet) {
                out["signet_challenge"] = to_hex(chain.params().consensus.signet_challenge);
            }
            out["warnings"] = Json::array();
            return out;
        });

    add(dispatcher, "getblockcount", {},
        "Returns the height of the active chain's tip (the most-work fully-validated chain); the "
        "genesis block has height 0.\n",
        [ctx](const RpcCall&) -> Json { return chain_of(*ctx).height(); });

    add(dispatcher, "getbestblockhash", {},
        "Returns the hash of the active chain's tip.\n",
        [ctx](const RpcCall&) -> Json { return chain_of(*ctx).tip()->hash.to_string(); });

    add(dispatcher, "getblockhash",
        {param("height", RpcType::number, false, "", "The height in the active chain")},
        "Returns the hash of the active chain's block at the given height.\n",
        [ctx](const RpcCall& call) -> Json {
            ChainState& chain = chain_of(*ctx);
            const int height = json_int_param(call.param(0));
            auto lock = chain.lock();
            if (height < 0 || height > chain.height()) {
                throw RpcError(RpcErrorCode::INVALID_PARAMETER, "Block height out of range");
            }
            return chain.at_height(height)->hash.to_string();
        });

    add(dispatcher, "getblock",
        {param("blockhash", RpcType::string_hex, false, "", "The hash of the block"),
         param("verbosity|verbose", RpcType::any, true, "1",
               "0: the block as hex; 1: an object with the transaction ids; 2: with transaction "
               "objects; 3: with transaction objects and the outputs their inputs spend")},
        "Returns a block: hex-encoded (verbosity 0) or as an object (verbosity 1 to 3).\n",
        [ctx](const RpcCall& call) -> Json {
            ChainState& chain = chain_of(*ctx);
            const Uint256 hash = parse_hash_param(call.param(0), "blockhash");
            const int verbosity = parse_verbosity_param(call.param(1), 1, true);
            const BlockIndex& index = lookup_block(chain, hash);
            if (verbosity <= 0) {
                if ((status_of(chain, index) & block_status::HAVE_DATA) == 0) {
                    throw RpcError(RpcErrorCode::MISC_ERROR, "Block not available (not fully downloaded)");
                }
                auto bytes = chain.read_block_bytes(&index);
                if (!bytes) throw RpcError(RpcErrorCode::MISC_ERROR, "Block not found on disk");
                return to_hex(*bytes);
            }
            const Block block = read_block_checked(chain, index);
            return block_to_json(chain, block, index, verbosity);
        });

    add(dispatcher, "getblockheader",
        {param("blockhash", RpcType::string_hex, false, "", "The hash of the block"),
         param("verbose", RpcType::boolean, true, "true",
               "true for an object, false for the hex-encoded 80-byte header")},
        "Returns a block header, as an object or hex-encoded.\n",
        [ctx](const RpcCall& call) -> Json {
            ChainState& chain = chain_of(*ctx);
            const Uint256 hash = parse_hash_param(call.param(0), "hash");
            const bool verbose = call.get_bool_or(1, true);
            const BlockIndex& index = lookup_block(chain, hash);
            if (!verbose) {
                const auto bytes = index.header().encode();
                return to_hex(bytes);
            }
            return block_header_to_json(chain, index);
        });

    add(dispatcher, "getchaintips", {},
        "Lists the tips of every branch of the block tree: the active chain's tip and the stale or "
        "unvalidated branches, with their length from the fork point and their status (active, "
        "valid-fork, valid-headers, headers-only, invalid).\n",
        [ctx](const RpcCall&) -> Json {
            ChainState& chain = chain_of(*ctx);
            Json out = Json::array();
            for (const ChainTip& tip : chain.chain_tips()) {
                Json entry = Json::object();
                entry["height"] = tip.block->height;
                entry["hash"] = tip.block->hash.to_string();
                entry["branchlen"] = tip.branch_length;
                entry["status"] = std::string(to_string(tip.status));
                out.push_back(std::move(entry));
            }
            return out;
        });

    add(dispatcher, "getdifficulty", {},
        "Returns the active chain tip's proof-of-work difficulty, as a multiple of the minimum "
        "difficulty.\n",
        [ctx](const RpcCall&) -> Json { return difficulty(chain_of(*ctx).tip()->bits); });

    add(dispatcher, "getblockstats",
        {param("hash_or_height", RpcType::any, false, "", "The block's hash or its height in the active chain"),
         param("stats", RpcType::array, true, "all values", "The statistics to return (names as in the result)")},
        "Computes statistics of one block from its transactions and undo data. Amounts are in "
        "satoshis, feerates in satoshis per virtual byte.\n",
        [ctx](const RpcCall& call) -> Json {
            ChainState& chain = chain_of(*ctx);
            if (call.param(0).is_null()) {
                throw RpcError(RpcErrorCode::TYPE_ERROR, "JSON value of type null is not of expected type number");
            }
            const BlockIndex& index = parse_hash_or_height(chain, call.param(0));
            std::set<std::string> selected;
            if (call.has(1)) {
                for (const Json& stat : call.get_array(1)) {
                    if (!stat.is_string()) {
                        throw RpcError(RpcErrorCode::TYPE_ERROR, "JSON value of type " +
                                                                     std::string(json_type_name(stat)) +
                                                                     " is not of expected type string");
                    }
                    selected.insert(stat.get<std::string>());
                }
            }
            const Block block = read_block_checked(chain, index);
            const BlockUndo undo = read_undo_checked(chain, index);
            Json all = block_stats(chain, index, block, undo);
            if (selected.empty()) return all;
            Json out = Json::object();
            for (const std::string& stat : selected) {
                if (!all.contains(stat)) {
                    throw RpcError(RpcErrorCode::INVALID_PARAMETER, "Invalid selected statistic '" + stat + "'");
                }
                out[stat] = all[stat];
            }
            return out;
        });

    add(dispatcher, "gettxoutsetinfo",
        {param("hash_type", RpcType::string, true, "hash_serialized_3",
               "The UTXO set hash to compute: 'hash_serialized_3', 'muhash' or 'none'"),
         param("hash_or_height", RpcType::any, true, "the current best block",
               "The block at which to report (needs coinstatsindex)"),
         param("use_index", RpcType::boolean, true, "true", "Use coinstatsindex when available")},
        "Returns statistics of the UTXO set at the active chain's tip. Walks the whole set, so it "
        "may take a while.\n",
        [ctx](const RpcCall& call) -> Json {
            ChainState& chain = chain_of(*ctx);
            const std::string hash_type = call.get_string_or(0, "hash_serialized_3");
            if (hash_type != "hash_serialized_3" && hash_type != "muhash" && hash_type != "none") {
                throw RpcError(RpcErrorCode::INVALID_PARAMETER, "'" + hash_type + "' is not a valid hash_type");
            }
            if (call.has(1)) {
                throw RpcError(RpcErrorCode::INVALID_PARAMETER,
                               "Querying specific block heights requires coinstatsindex");
            }
            auto lock = chain.lock();
            auto stats = chain.utxo_stats();
            if (!stats || !stats->total_amount) {
                throw RpcError(RpcErrorCode::INTERNAL_ERROR, "Unable to read UTXO set");
            }
            const BlockIndex* tip = chain.tip();
            Json out = Json::object();
            out["height"] = tip->height;
            out["bestblock"] = tip->hash.to_string();
            out["txouts"] = stats->txouts;
            out["bogosize"] = stats->bogosize;
            if (hash_type == "hash_serialized_3" && stats->hash_serialized_3) {
                out["hash_serialized_3"] = stats->hash_serialized_3->to_string();
            }
            if (hash_type == "muhash" && stats->muhash) out["muhash"] = stats->muhash->to_string();
            out["total_amount"] = amount_to_json(*stats->total_amount);
            out["transactions"] = stats->transactions;
            out["disk_size"] = chain.coins_disk_size();
            return out;
        });

    add(dispatcher, "gettxout",
        {param("txid", RpcType::string, false, "", "The transaction id"),
         param("n", RpcType::number, false, "", "The output index"),
         param("include_mempool", RpcType::boolean, true, "true", "Whether to look in the mempool too")},
        "Returns an unspent transaction output, or null when it is spent or unknown.\n",
        [ctx](const RpcCall& call) -> Json {
            ChainState& chain = chain_of(*ctx);
            const Uint256 txid = parse_hash_param(call.param(0), "txid");
            const auto n = json_uint32_param(call.param(1));
            (void)call.get_bool_or(2, true);
            auto lock = chain.lock();
            const auto coin = chain.get_coin(OutPoint{txid, n});
            if (!coin) return nullptr;
            const BlockIndex* tip = chain.tip();
            Json out = Json::object();
            out["bestblock"] = tip->hash.to_string();
            out["confirmations"] = static_cast<std::int64_t>(tip->height) - coin->height + 1;
            out["value"] = amount_to_json(coin->output.value);
            out["scriptPubKey"] = script_to_json(coin->output.script_pubkey, chain.params(), true, true);
            out["coinbase"] = coin->coinbase;
            return out;
        });

    add(dispatcher, "verifychain",
        {param("checklevel", RpcType::number, true, "3",
               "How thorough: 0 reads the blocks, 1 checks them, 2 reads their undo data, 3 "
               "disconnects the tip blocks in memory, 4 reconnects them (each level includes the "
               "lower ones)"),
         param("nblocks", RpcType::number, true, "6", "How many blocks to check (0: all)")},
        "Checks the last blocks of the active chain against the stored data. Returns whether "
        "every check passed.\n",
        [ctx](const RpcCall& call) -> Json {
            ChainState& chain = chain_of(*ctx);
            const int level = call.has(0) ? json_int_param(call.param(0)) : 3;
            const int depth = call.has(1) ? json_int_param(call.param(1)) : 6;
            std::string message;
            const bool ok = chain.verify_chain(level, depth, message);
            if (!ok && ctx->logger != nullptr) ctx->logger->log_warning("Verification failed: {}", message);
            return ok;
        });

    const auto control = [ctx](std::string_view name) {
        return [ctx, name](const RpcCall& call) -> Json {
            ChainState& chain = chain_of(*ctx);
            const Uint256 hash = parse_hash_param(call.param(0), "blockhash");
            (void)lookup_block(chain, hash);
            Result<void, std::string> result = name == "invalidateblock" ? chain.invalidate_block(hash)
                                               : name == "reconsiderblock" ? chain.reconsider_block(hash)
                                                                           : chain.precious_block(hash);
            if (!result) throw RpcError(RpcErrorCode::DATABASE_ERROR, result.error());
            return nullptr;
        };
    };
    add(dispatcher, "invalidateblock",
        {param("blockhash", RpcType::string_hex, false, "", "The hash of the block to mark invalid")},
        "Marks a block and its descendants invalid; the active chain moves to the best valid "
        "branch.\n",
        control("invalidateblock"));
    add(dispatcher, "reconsiderblock",
        {param("blockhash", RpcType::string_hex, false, "", "The hash of the block to reconsider")},
        "Clears the invalid marks of a block, its ancestors and descendants set by "
        "invalidateblock (or by failed validation) and activates the best chain again.\n",
        control("reconsiderblock"));
    add(dispatcher, "preciousblock",
        {param("blockhash", RpcType::string_hex, false, "", "The hash of the block to prefer")},
        "Treats a block as if it had arrived before the other blocks with the same work, so that "
        "its branch wins ties. A later call overrides an earlier one; the preference is not kept "
        "across restarts.\n",
        control("preciousblock"));
}

}  // namespace bitloom
