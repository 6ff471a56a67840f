// The raw-transaction RPC methods that need no wallet and no mempool: getrawtransaction (from
// a given block or through -txindex), decoderawtransaction and decodescript. Results and errors
// follow Bitcoin Core's rpc/rawtransaction.cpp.

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "chain/block_index.h"
#include "chain/chainstate.h"
#include "crypto/hash.h"
#include "crypto/sha256.h"
#include "encoding/address.h"
#include "encoding/descriptor.h"
#include "node/rpc_encode.h"
#include "node/rpc_methods.h"
#include "primitives/block.h"
#include "primitives/script.h"
#include "primitives/transaction.h"
#include "rpc/json.h"
#include "rpc/json_rpc.h"
#include "util/hex.h"

namespace bitloom {
namespace {

ChainState& chain_of(NodeContext& node) {
    if (node.chain == nullptr) throw RpcError(RpcErrorCode::INTERNAL_ERROR, "Node chainman not found");
    return *node.chain;
}

void add(RpcDispatcher& dispatcher, std::string name, std::vector<RpcParam> params, std::string help,
         RpcHandler handler) {
    RpcMethod method;
    method.name = std::move(name);
    method.category = "rawtransactions";
    method.params = std::move(params);
    method.help = std::move(help);
    method.handler = std::move(handler);
    dispatcher.add(std::move(method));
}

// Core's IsOpSuccess (BIP342's OP_SUCCESSx opcodes).
bool is_op_success(Opcode op) {
    const unsigned v = op;
    return v == 80 || v == 98 || (v >= 126 && v <= 129) || (v >= 131 && v <= 134) ||
           (v >= 137 && v <= 138) || (v >= 141 && v <= 142) || (v >= 149 && v <= 153) ||
           (v >= 187 && v <= 254);
}

// The keys of a P2PK or bare multisig script, in order (empty for other types).
std::vector<ByteSpan> script_keys(const Script& script) {
    std::vector<ByteSpan> keys;
    std::size_t pos = 0;
    while (auto op = script.get_op(pos)) {
        if (op->data.size() == 33 || op->data.size() == 65) keys.push_back(op->data);
    }
    return keys;
}

// The P2WSH descriptor of `witness_script` when it can be inferred inside wsh() without
// knowing private data: a multisig of compressed keys gives "wsh(multi(k,...))#checksum".
std::optional<std::string> wsh_descriptor(const Script& witness_script, const ChainParams& params) {
    if (script_type(witness_script) != ScriptType::multisig) return std::nullopt;
    const std::string inner = infer_descriptor(witness_script, params);
    if (!inner.starts_with("multi(")) return std::nullopt;
    return add_descriptor_checksum("wsh(" + inner.substr(0, inner.find('#')) + ")");
}

Json decode_script(const Script& script, const ChainParams& params) {
    Json out = script_to_json(script, params, false, true);
    const ScriptType type = script_type(script);

    bool can_wrap = false;
    switch (type) {
        case ScriptType::multisig:
        case ScriptType::nonstandard:
        case ScriptType::pubkey:
        case ScriptType::pubkeyhash:
        case ScriptType::witness_v0_keyhash:
        case ScriptType::witness_v0_scripthash:
            can_wrap = true;
            break;
        case ScriptType::nulldata:
        case ScriptType::scripthash:
        case ScriptType::witness_unknown:
        case ScriptType::witness_v1_taproot:
        case ScriptType::anchor:
            can_wrap = false;
            break;
    }
    if (can_wrap && (!script.has_valid_ops() || script.is_unspendable())) can_wrap = false;
    if (can_wrap) {
        std::size_t pos = 0;
        while (auto op = script.get_op(pos)) {
            if (op->opcode == OP_CHECKSIGADD || is_op_success(op->opcode)) {
                can_wrap = false;
                break;
            }
        }
    }
    if (!can_wrap) return out;

    out["p2sh"] = *encode_address(ScriptHash{hash160(script.span())}, params.prefixes);

    bool can_wrap_p2wsh = false;
    switch (type) {
        case ScriptType::multisig:
        case ScriptType::pubkey:
            can_wrap_p2wsh = std::ranges::all_of(script_keys(script), [](ByteSpan key) { return key.size() == 33; });
            break;
        case ScriptType::nonstandard:
        case ScriptType::pubkeyhash:
            can_wrap_p2wsh = true;
            break;
        default:
            can_wrap_p2wsh = false;
            break;
    }
    if (!can_wrap_p2wsh) return out;

    Script segwit;
    std::optional<std::string> descriptor;
    if (type == ScriptType::pubkey) {
        segwit = script_for_destination(WitnessV0KeyHash{hash160(script_keys(script).front())});
    } else if (type == ScriptType::pubkeyhash) {
        segwit = script_for_destination(WitnessV0KeyHash{Uint160(script.span().subspan(3, 20))});
    } else {
        segwit = script_for_destination(WitnessV0ScriptHash{sha256(script.span())});
        descriptor = wsh_descriptor(script, params);
    }
    Json inner = script_to_json(segwit, params, true, true);
    if (descriptor) inner["desc"] = *descriptor;
    inner["p2sh-segwit"] = *encode_address(ScriptHash{hash160(segwit.span())}, params.prefixes);
    out["segwit"] = std::move(inner);
    return out;
}

}  // namespace

void register_rawtransaction_rpcs(RpcDispatcher& dispatcher, NodeContext& node) {
    NodeContext* ctx = &node;

    add(dispatcher, "getrawtransaction",
        {RpcParam("txid", RpcType::string_hex, false, "", "The transaction id"),
         RpcParam("verbosity|verbose", RpcType::any, true, "0",
                  "0: the transaction as hex; 1: as an object; 2: as an object with its fee and "
                  "the outputs its inputs spend"),
         RpcParam("blockhash", RpcType::string_hex, true, "", "The block to look in")},
        "Returns a transaction of a block: of the block given, or, without one, of any block "
        "when the node keeps a transaction index (-txindex). This node has no mempool to search.\n",
        [ctx](const RpcCall& call) -> Json {
            ChainState& chain = chain_of(*ctx);
            const Uint256 txid = parse_hash_param(call.param(0), "parameter 1");
            if (txid == chain.params().genesis.header.merkle_root) {
                throw RpcError(RpcErrorCode::INVALID_ADDRESS_OR_KEY,
                               "The genesis block coinbase is not considered an ordinary transaction "
                               "and cannot be retrieved");
            }
            const int verbosity = parse_verbosity_param(call.param(1), 0, true);

            const BlockIndex* given = nullptr;
            if (call.has(2)) {
                given = chain.lookup(parse_hash_param(call.param(2), "parameter 3"));
                if (given == nullptr) throw RpcError(RpcErrorCode::INVALID_ADDRESS_OR_KEY, "Block hash not found");
            }

            // Find the block, then the transaction in it.
            const BlockIndex* index = given;
            if (index == nullptr && chain.txindex_enabled()) {
                if (const auto hash = chain.find_transaction_block(txid)) index = chain.lookup(*hash);
            }
            std::optional<Block> block;
            TransactionRef tx;
            std::size_t position = 0;
            if (index != nullptr) {
                std::uint32_t status = 0;
                {
                    auto lock = chain.lock();
                    status = index->status;
                }
                if ((status & block_status::HAVE_DATA) == 0) {
                    if (given != nullptr) throw RpcError(RpcErrorCode::MISC_ERROR, "Block not available");
                } else if (auto read = chain.read_block(index)) {
                    block = std::move(*read);
                    for (std::size_t i = 0; i < block->transactions.size(); ++i) {
                        if (block->transactions[i]->txid() == txid) {
                            tx = block->transactions[i];
                            position = i;
                            break;
                        }
                    }
                }
            }
            if (!tx) {
                std::string message;
                if (given != nullptr) {
                    message = "No such transaction found in the provided block";
                } else if (!chain.txindex_enabled()) {
                    message = "No such mempool transaction. Use -txindex or provide a block hash to "
                              "enable blockchain transaction queries";
                } else {
                    message = "No such mempool or blockchain transaction";
                }
                throw RpcError(RpcErrorCode::INVALID_ADDRESS_OR_KEY,
                               message + ". Use gettransaction for wallet transactions.");
            }

            const std::string hex = to_hex(encode(*tx));
            if (verbosity <= 0) return hex;

            Json out = Json::object();
            if (given != nullptr) out["in_active_chain"] = chain.in_active_chain(given);

            std::optional<BlockUndo> undo;
            const TxUndo* tx_undo = nullptr;
            if (verbosity >= 2 && !tx->is_coinbase()) {
                std::uint32_t status = 0;
                {
                    auto lock = chain.lock();
                    status = index->status;
                }
                if ((status & block_status::HAVE_UNDO) != 0) {
                    auto read = chain.read_undo(index);
                    if (!read) {
                        throw RpcError(RpcErrorCode::INTERNAL_ERROR,
                                       "Undo data expected but can't be read. This could be due to disk "
                                       "corruption or a conflict with a pruning event.");
                    }
                    undo = std::move(*read);
                    if (position >= 1 && position - 1 < undo->transactions.size()) {
                        tx_undo = &undo->transactions[position - 1];
                    }
                }
            }
            const Json body = transaction_to_json(*tx, chain.params(), nullptr, tx_undo,
                                                  verbosity >= 2 ? 3 : 1, &hex);
            for (const auto& [key, value] : body.items()) out[key] = value;

            auto lock = chain.lock();
            out["blockhash"] = index->hash.to_string();
            if (chain.in_active_chain(index)) {
                out["confirmations"] = chain.height() - index->height + 1;
                out["time"] = index->time;
                out["blocktime"] = index->time;
            } else {
                out["confirmations"] = 0;
            }
            return out;
        });

    add(dispatcher, "decoderawtransaction",
        {RpcParam("hexstring", RpcType::string_hex, false, "", "The transaction as hex"),
         RpcParam("iswitness", RpcType::boolean, true, "depends on heuristic tests",
                  "Whether the hex is a witness (BIP144) encoding; without it both encodings are "
                  "tried")},
        "Decodes a hex-encoded transaction into an object.\n",
        [ctx](const RpcCall& call) -> Json {
            const ChainParams& params = ctx->chain != nullptr ? ctx->chain->params() : *ctx->params;
            const std::string& hex = call.get_string(0);
            bool try_witness = true;
            bool try_no_witness = true;
            if (call.has(1)) {
                try_witness = call.get_bool(1);
                try_no_witness = !try_witness;
            }
            const auto tx = decode_hex_tx(hex, try_no_witness, try_witness);
            if (!tx) throw RpcError(RpcErrorCode::DESERIALIZATION_ERROR, "TX decode failed");
            return transaction_to_json(*tx, params, nullptr, nullptr, 1, nullptr);
        });

    add(dispatcher, "decodescript",
        {RpcParam("hexstring", RpcType::string_hex, false, "", "The script as hex")},
        "Decodes a hex-encoded script: its assembly, inferred descriptor, type and address, and "
        "the P2SH and segwit outputs that could wrap it.\n",
        [ctx](const RpcCall& call) -> Json {
            const ChainParams& params = ctx->chain != nullptr ? ctx->chain->params() : *ctx->params;
            const std::string& hex = call.get_string(0);
            Script script;
            if (!hex.empty()) {
                const auto bytes = parse_hex_strict(hex);
                if (!bytes) {
                    throw RpcError(RpcErrorCode::INVALID_PARAMETER,
                                   "argument must be hexadecimal string (not '" + hex + "')");
                }
                script = Script(*bytes);
            }
            return decode_script(script, params);
        });
}

}  // namespace bitloom
