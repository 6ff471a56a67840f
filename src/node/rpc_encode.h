// JSON forms of scripts, transactions, headers and blocks as Bitcoin Core's RPC results show
// them (core_write.cpp's ScriptToUniv / TxToUniv, rpc/blockchain.cpp's blockheaderToJSON /
// blockToJSON). Key names and their order are Core's; amounts are amount_to_json values.
//
// Shapes (members in this order; `?` marks members that are present only sometimes):
//   script   := {"asm", "desc", "hex"?, "address"?, "type"}
//               hex when include_hex; address when include_address and the script pays to a
//               destination with an address
//   tx       := {"txid", "hash", "version", "size", "vsize", "weight", "locktime",
//                "vin": [input], "vout": [output], "fee"?, "hex"?, "blockhash"?}
//   input    := {"coinbase", "txinwitness"?, "sequence"}                      (coinbase input)
//             | {"txid", "vout", "scriptSig": {"asm", "hex"}, "txinwitness"?, "prevout"?,
//                "sequence"}
//   prevout  := {"generated", "height", "value", "scriptPubKey": script}
//   output   := {"value", "n", "scriptPubKey": script}
//   header   := {"hash", "confirmations", "height", "version", "versionHex", "merkleroot",
//                "time", "mediantime", "nonce", "bits", "target", "difficulty", "chainwork",
//                "nTx", "previousblockhash"?, "nextblockhash"?}
//   block    := header members, then "strippedsize", "size", "weight",
//               "coinbase_tx": {"version", "locktime", "sequence", "coinbase", "witness"?},
//               "tx": [txid] (verbosity 1) | [tx] (verbosity 2 and 3)
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "rpc/json.h"
#include "util/uint256.h"

namespace bitloom {

class Script;
class Transaction;
struct TxUndo;
struct ChainParams;
class ChainState;
struct BlockIndex;
struct Block;

// Core's TxoutType, with GetTxnOutputType's names: "nonstandard", "anchor", "pubkey",
// "pubkeyhash", "scripthash", "multisig", "nulldata", "witness_v0_keyhash",
// "witness_v0_scripthash", "witness_v1_taproot", "witness_unknown".
enum class ScriptType {
    nonstandard,
    anchor,
    pubkey,
    pubkeyhash,
    scripthash,
    multisig,
    nulldata,
    witness_v0_keyhash,
    witness_v0_scripthash,
    witness_v1_taproot,
    witness_unknown,
};
std::string to_string(ScriptType type);

// Core's Solver classification of an output script (only the type).
ScriptType script_type(const Script& script);

// Core's ScriptToAsmStr. With `decode_sighash`, pushes that parse as DER signatures (with a
// known sighash byte) show the byte as "[ALL]", "[NONE]", "[SINGLE]", "[ALL|ANYONECANPAY]",
// ...; use it for scriptSigs (Core passes true there, false for output scripts). Without
// `decode_sighash` the text equals primitives/script_asm.h's script_to_asm(script).
std::string script_to_asm(const Script& script, bool decode_sighash);

// Core's InferDescriptor(...)->ToString() with checksum for a script whose keys are not known:
// "addr(<address>)#c" for scripts with an address, "pk(<hex>)#c" for P2PK,
// "multi(k,<hex>,...)#c" for bare multisig, "raw(<hex>)#c" otherwise.
std::string infer_descriptor(const Script& script, const ChainParams& params);

// Core's ScriptToUniv (see `script` above).
Json script_to_json(const Script& script, const ChainParams& params, bool include_hex = true,
                    bool include_address = true);

// Core's TxToUniv. `block_hash` adds "blockhash" (last). `undo`, when given, holds the coins the
// inputs spend (ignored for a coinbase) and adds "fee"; with verbosity >= 3 each input also
// gets "prevout". `hex`, when given, is added as "hex" before "blockhash" (the callers decide:
// getrawtransaction and decoderawtransaction differ). Verbosity 1 and 2 produce the same tx
// object; only 3 adds prevouts.
Json transaction_to_json(const Transaction& tx, const ChainParams& params,
                         const Uint256* block_hash = nullptr, const TxUndo* undo = nullptr,
                         int verbosity = 1, const std::string* hex = nullptr);

// Core's GetDifficulty: pow_limit-of-mainnet difficulty 1 divided by the target of `bits`.
double difficulty(std::uint32_t bits);

// The target of `bits` as 64 hex digits (Core's GetTarget(...).GetHex()).
std::string target_hex(std::uint32_t bits);

// "%08x" of a block version (versionHex) / of compact bits ("bits").
std::string version_hex(std::int32_t version);
std::string bits_hex(std::uint32_t bits);

// getblockheader's verbose result for `index` (see `header` above). Confirmations: tip height
// - height + 1 in the active chain, -1 outside it. Takes the chain state's lock.
Json block_header_to_json(const ChainState& chain, const BlockIndex& index);

// getblock's result for verbosity 1 (txids), 2 (transaction objects with "fee" when undo data
// is available) and 3 (plus "prevout" on each input). Reads the block's undo data itself.
Json block_to_json(const ChainState& chain, const Block& block, const BlockIndex& index,
                   int verbosity);

// --- RPC argument helpers (they throw RpcError from rpc/json_rpc.h, Core's codes and texts) ---

// Core's ParseHashV: 64 hex digits (either case) naming a hash, shown in display order.
// Errors: a non-string -> -3 "JSON value of type <t> is not of expected type string"; wrong
// length -> -8 "<name> must be of length 64 (not <n>, for '<text>')"; otherwise -8 "<name> must
// be hexadecimal string (not '<text>')".
Uint256 parse_hash_param(const Json& value, std::string_view name);

// UniValue's getInt<int> / getInt<uint32_t>: an integral JSON number within the type's range.
// Errors: a non-number -> -3 "JSON value of type <t> is not of expected type number"; a
// fraction or a value outside the range -> -1 "JSON integer out of range".
int json_int_param(const Json& value);
std::uint32_t json_uint32_param(const Json& value);

// Core's ParseVerbosity: null -> `fallback`; a boolean -> 0/1 when `allow_bool` (-3 "Verbosity
// was boolean but only integer allowed" otherwise); else json_int_param.
int parse_verbosity_param(const Json& value, int fallback, bool allow_bool);

// Core's IsHex + ParseHex: an even, non-zero number of hex digits; nullopt otherwise.
std::optional<Bytes> parse_hex_strict(std::string_view text);
// Core's CheckTxScriptsSanity: every script (but a coinbase's scriptSig) has only defined
// opcodes and is at most MAX_SCRIPT_SIZE bytes.
bool scripts_sane(const Transaction& tx);
// Core's DecodeHexTx: try the extended (witness) and the legacy encodings as allowed, prefer one
// whose scripts are sane, and the extended one when both or neither are.
std::optional<Transaction> decode_hex_tx(const std::string& hex, bool try_no_witness,
                                         bool try_witness);

}  // namespace bitloom
