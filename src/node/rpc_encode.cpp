#include "node/rpc_encode.h"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "chain/block_index.h"
#include "chain/chainstate.h"
#include "chain/undo.h"
#include "consensus/chainparams.h"
#include "encoding/address.h"
#include "encoding/descriptor.h"
#include "primitives/block.h"
#include "primitives/script.h"
#include "primitives/script_asm.h"
#include "primitives/transaction.h"
#include "rpc/json.h"
#include "rpc/json_rpc.h"
#include "util/arith_uint256.h"
#include "util/hex.h"

namespace bitloom {
namespace {

constexpr std::size_t MAX_PUBKEYS_PER_MULTISIG = 20;

// Core's CPubKey::ValidSize: the length the first byte announces (33 for 0x02/0x03, 65 for
// 0x04/0x06/0x07) equals the size.
bool valid_pubkey_size(ByteSpan data) {
    if (data.empty()) return false;
    switch (data[0]) {
        case 0x02:
        case 0x03: return data.size() == 33;
        case 0x04:
        case 0x06:
        case 0x07: return data.size() == 65;
        default: return false;
    }
}

// A number in a multisig template: OP_1..OP_16, or a minimal push of a minimal script number,
// within [min, max] (Core's GetScriptNumber).
std::optional<std::size_t> multisig_number(const ScriptOp& op, std::size_t min, std::size_t max) {
    std::int64_t value = 0;
    if (op.opcode >= OP_1 && op.opcode <= OP_16) {
        value = decode_op_n(op.opcode);
    } else if (op.opcode <= OP_PUSHDATA4) {
        const ByteSpan data = op.data;
        // Minimal push: what push_int / push_data would have produced.
        Script minimal;
        minimal.push_data(data);
        if (data.size() == 1 && data[0] >= 1 && data[0] <= 16) return std::nullopt;
        if (data.size() == 1 && data[0] == 0x81) return std::nullopt;
        if (!minimal.empty() && minimal[0] != op.opcode) return std::nullopt;
        if (data.empty()) return std::nullopt;  // OP_0 is below every minimum used here
        if (data.size() > 4) return std::nullopt;
        // Minimal number encoding: the last byte carries more than the sign.
        if ((data.back() & 0x7f) == 0 && (data.size() == 1 || (data[data.size() - 2] & 0x80) == 0)) {
            return std::nullopt;
        }
        for (std::size_t i = 0; i < data.size(); ++i) {
            value |= static_cast<std::int64_t>(data[i]) << (8 * i);
        }
        if ((data.back() & 0x80) != 0) {
            value &= ~(std::int64_t{0x80} << (8 * (data.size() - 1)));
            value = -value;
        }
    } else {
        return std::nullopt;
    }
    if (value < static_cast<std::int64_t>(min) || value > static_cast<std::int64_t>(max)) {
        return std::nullopt;
    }
    return static_cast<std::size_t>(value);
}

struct Multisig {
    std::size_t required = 0;
    std::vector<ByteSpan> keys;
};

// Core's MatchMultisig: <m> <key>... <n> OP_CHECKMULTISIG with valid-size keys, n keys.
std::optional<Multisig> match_multisig(const Script& script) {
    if (script.empty() || script[script.size() - 1] != OP_CHECKMULTISIG) return std::nullopt;
    std::size_t pos = 0;
    auto op = script.get_op(pos);
    if (!op) return std::nullopt;
    Multisig result;
    const auto required = multisig_number(*op, 1, MAX_PUBKEYS_PER_MULTISIG);
    if (!required) return std::nullopt;
    result.required = *required;
    while (true) {
        op = script.get_op(pos);
        if (!op || !valid_pubkey_size(op->data)) break;
        result.keys.push_back(op->data);
    }
    if (!op) return std::nullopt;
    const auto count = multisig_number(*op, result.required, MAX_PUBKEYS_PER_MULTISIG);
    if (!count || *count != result.keys.size()) return std::nullopt;
    return pos + 1 == script.size() ? std::optional<Multisig>(std::move(result)) : std::nullopt;
}

// The pushed public key of a P2PK script (Core's MatchPayToPubkey).
std::optional<ByteSpan> match_pay_to_pubkey(const Script& script) {
    const ByteSpan bytes = script.span();
    if (bytes.size() == 35 && bytes[0] == 33 && bytes[34] == OP_CHECKSIG &&
        valid_pubkey_size(bytes.subspan(1, 33))) {
        return bytes.subspan(1, 33);
    }
    if (bytes.size() == 67 && bytes[0] == 65 && bytes[66] == OP_CHECKSIG &&
        valid_pubkey_size(bytes.subspan(1, 65))) {
        return bytes.subspan(1, 65);
    }
    return std::nullopt;
}

// BIP66 strict DER: 0x30 len 0x02 rlen R 0x02 slen S, plus the sighash byte (Core's
// IsValidSignatureEncoding).
bool is_valid_signature_encoding(ByteSpan sig) {
    if (sig.size() < 9 || sig.size() > 73) return false;
    if (sig[0] != 0x30) return false;
    if (sig[1] != sig.size() - 3) return false;
    const std::size_t len_r = sig[3];
    if (5 + len_r >= sig.size()) return false;
    const std::size_t len_s = sig[5 + len_r];
    if (len_r + len_s + 7 != sig.size()) return false;
    if (sig[2] != 0x02) return false;
    if (len_r == 0) return false;
    if ((sig[4] & 0x80) != 0) return false;
    if (len_r > 1 && sig[4] == 0x00 && (sig[5] & 0x80) == 0) return false;
    if (sig[len_r + 4] != 0x02) return false;
    if (len_s == 0) return false;
    if ((sig[len_r + 6] & 0x80) != 0) return false;
    if (len_s > 1 && sig[len_r + 6] == 0x00 && (sig[len_r + 7] & 0x80) == 0) return false;
    return true;
}

// The name of a defined sighash type (STRICTENC's set), or empty.
std::string_view sighash_name(std::uint8_t type) {
    switch (type) {
        case 0x01: return "ALL";
        case 0x02: return "NONE";
        case 0x03: return "SINGLE";
        case 0x81: return "ALL|ANYONECANPAY";
        case 0x82: return "NONE|ANYONECANPAY";
        case 0x83: return "SINGLE|ANYONECANPAY";
        default: return {};
    }
}

std::string hex_of(ByteSpan data) { return to_hex(data); }

Json script_sig_to_json(const Script& script) {
    Json out = Json::object();
    out["asm"] = script_to_asm(script, true);
    out["hex"] = hex_of(script.span());
    return out;
}

Json coin_to_prevout_json(const Coin& coin, const ChainParams& params) {
    Json prevout = Json::object();
    prevout["generated"] = coin.coinbase;
    prevout["height"] = coin.height;
    prevout["value"] = amount_to_json(coin.output.value);
    prevout["scriptPubKey"] = script_to_json(coin.output.script_pubkey, params, true, true);
    return prevout;
}

Json coinbase_tx_to_json(const Transaction& coinbase) {
    Json out = Json::object();
    out["version"] = static_cast<std::uint32_t>(coinbase.version());
    out["locktime"] = coinbase.lock_time();
    if (!coinbase.inputs().empty()) {
        const TxIn& input = coinbase.inputs()[0];
        out["sequence"] = input.sequence;
        out["coinbase"] = hex_of(input.script_sig.span());
        if (!input.witness.stack.empty()) out["witness"] = hex_of(input.witness.stack[0]);
    }
    return out;
}

}  // namespace

std::string to_string(ScriptType type) {
    switch (type) {
        case ScriptType::nonstandard: return "nonstandard";
        case ScriptType::anchor: return "anchor";
        case ScriptType::pubkey: return "pubkey";
        case ScriptType::pubkeyhash: return "pubkeyhash";
        case ScriptType::scripthash: return "scripthash";
        case ScriptType::multisig: return "multisig";
        case ScriptType::nulldata: return "nulldata";
        case ScriptType::witness_v0_keyhash: return "witness_v0_keyhash";
        case ScriptType::witness_v0_scripthash: return "witness_v0_scripthash";
        case ScriptType::witness_v1_taproot: return "witness_v1_taproot";
        case ScriptType::witness_unknown: return "witness_unknown";
    }
    return "nonstandard";
}

ScriptType script_type(const Script& script) {
    if (script.is_p2sh()) return ScriptType::scripthash;
    if (const auto program = script.witness_program()) {
        const std::size_t size = program->program.size();
        if (program->version == 0 && size == 20) return ScriptType::witness_v0_keyhash;
        if (program->version == 0 && size == 32) return ScriptType::witness_v0_scripthash;
        if (program->version == 1 && size == 32) return ScriptType::witness_v1_taproot;
        if (program->version == 1 && size == PAY_TO_ANCHOR_PROGRAM.size() &&
            program->program[0] == PAY_TO_ANCHOR_PROGRAM[0] &&
            program->program[1] == PAY_TO_ANCHOR_PROGRAM[1]) {
            return ScriptType::anchor;
        }
        if (program->version != 0) return ScriptType::witness_unknown;
        return ScriptType::nonstandard;
    }
    if (!script.empty() && script[0] == OP_RETURN &&
        Script(script.span().subspan(1)).is_push_only()) {
        return ScriptType::nulldata;
    }
    if (match_pay_to_pubkey(script)) return ScriptType::pubkey;
    if (script.is_p2pkh()) return ScriptType::pubkeyhash;
    if (match_multisig(script)) return ScriptType::multisig;
    return ScriptType::nonstandard;
}

std::string script_to_asm(const Script& script, bool decode_sighash) {
    if (!decode_sighash || script.is_unspendable()) return bitloom::script_to_asm(script);
    const AsmPushFormatter signature_with_sighash = [](ByteSpan data) -> std::optional<std::string> {
        if (!is_valid_signature_encoding(data) || sighash_name(data.back()).empty()) return std::nullopt;
        return hex_of(data.first(data.size() - 1)) + "[" + std::string(sighash_name(data.back())) + "]";
    };
    return bitloom::script_to_asm(script, signature_with_sighash);
}

std::string infer_descriptor(const Script& script, const ChainParams& params) {
    // Keys in pk() and multi() may not be hybrid (0x06/0x07); such scripts fall through to
    // raw(), as in Core's InferPubkey.
    const auto non_hybrid = [](ByteSpan key) { return key[0] == 0x02 || key[0] == 0x03 || key[0] == 0x04; };
    std::string text;
    const ScriptType type = script_type(script);
    std::optional<Multisig> multisig;
    if (type == ScriptType::multisig) multisig = match_multisig(script);
    if (type == ScriptType::pubkey && non_hybrid(*match_pay_to_pubkey(script))) {
        text = "pk(" + hex_of(*match_pay_to_pubkey(script)) + ")";
    } else if (multisig && std::ranges::all_of(multisig->keys, non_hybrid)) {
        text = "multi(" + std::to_string(multisig->required);
        for (const ByteSpan key : multisig->keys) text += "," + hex_of(key);
        text += ")";
    } else {
        // An address descriptor when the script is exactly the template of its destination.
        const Destination destination = extract_destination(script);
        const auto address = encode_address(destination, params.prefixes);
        if (address && script_for_destination(destination) == script) {
            text = "addr(" + *address + ")";
        } else {
            text = "raw(" + hex_of(script.span()) + ")";
        }
    }
    return add_descriptor_checksum(text);
}

Json script_to_json(const Script& script, const ChainParams& params, bool include_hex,
                    bool include_address) {
    Json out = Json::object();
    out["asm"] = script_to_asm(script, false);
    if (include_address) out["desc"] = infer_descriptor(script, params);
    if (include_hex) out["hex"] = hex_of(script.span());
    const ScriptType type = script_type(script);
    if (include_address && type != ScriptType::pubkey) {
        const auto address = encode_address(extract_destination(script), params.prefixes);
        if (address) out["address"] = *address;
    }
    out["type"] = to_string(type);
    return out;
}

Json transaction_to_json(const Transaction& tx, const ChainParams& params,
                         const Uint256* block_hash, const TxUndo* undo, int verbosity,
                         const std::string* hex) {
    Json entry = Json::object();
    entry["txid"] = tx.txid().to_string();
    entry["hash"] = tx.wtxid().to_string();
    entry["version"] = static_cast<std::uint32_t>(tx.version());
    entry["size"] = tx.total_size();
    entry["vsize"] = tx.vsize();
    entry["weight"] = tx.weight();
    entry["locktime"] = tx.lock_time();

    const bool coinbase = tx.is_coinbase();
    const bool have_undo =
        undo != nullptr && !coinbase && undo->spent.size() == tx.inputs().size();
    Amount total_in = 0;
    Json vin = Json::array();
    for (std::size_t i = 0; i < tx.inputs().size(); ++i) {
        const TxIn& input = tx.inputs()[i];
        Json in = Json::object();
        if (coinbase) {
            in["coinbase"] = hex_of(input.script_sig.span());
        } else {
            in["txid"] = input.prevout.txid.to_string();
            in["vout"] = input.prevout.index;
            in["scriptSig"] = script_sig_to_json(input.script_sig);
        }
        if (!input.witness.is_null()) {
            Json witness = Json::array();
            for (const Bytes& item : input.witness.stack) witness.push_back(hex_of(item));
            in["txinwitness"] = std::move(witness);
        }
        if (have_undo) {
            const Coin& coin = undo->spent[i];
            total_in += coin.output.value;
            if (verbosity >= 3) in["prevout"] = coin_to_prevout_json(coin, params);
        }
        in["sequence"] = input.sequence;
        vin.push_back(std::move(in));
    }
    entry["vin"] = std::move(vin);

    Amount total_out = 0;
    Json vout = Json::array();
    for (std::size_t n = 0; n < tx.outputs().size(); ++n) {
        const TxOut& output = tx.outputs()[n];
        Json out = Json::object();
        out["value"] = amount_to_json(output.value);
        out["n"] = n;
        out["scriptPubKey"] = script_to_json(output.script_pubkey, params, true, true);
        vout.push_back(std::move(out));
        total_out += output.value;
    }
    entry["vout"] = std::move(vout);

    if (have_undo) entry["fee"] = amount_to_json(total_in - total_out);
    if (block_hash != nullptr && !block_hash->is_null()) entry["blockhash"] = block_hash->to_string();
    if (hex != nullptr) entry["hex"] = *hex;
    return entry;
}

double difficulty(std::uint32_t bits) {
    int shift = static_cast<int>((bits >> 24) & 0xff);
    double diff = static_cast<double>(0x0000ffff) / static_cast<double>(bits & 0x00ffffff);
    while (shift < 29) {
        diff *= 256.0;
        ++shift;
    }
    while (shift > 29) {
        diff /= 256.0;
        --shift;
    }
    return diff;
}

std::string target_hex(std::uint32_t bits) { return ArithUint256::from_compact(bits).value.to_hex(); }

std::string version_hex(std::int32_t version) { return bits_hex(static_cast<std::uint32_t>(version)); }

std::string bits_hex(std::uint32_t bits) {
    char text[9];
    std::snprintf(text, sizeof text, "%08x", bits);
    return text;
}

Json block_header_to_json(const ChainState& chain, const BlockIndex& index) {
    auto lock = chain.lock();
    const BlockIndex* tip = chain.tip();
    const bool active = chain.in_active_chain(&index);
    const BlockIndex* next = chain.next_in_active_chain(&index);

    Json out = Json::object();
    out["hash"] = index.hash.to_string();
    out["confirmations"] = active && tip != nullptr ? tip->height - index.height + 1 : -1;
    out["height"] = index.height;
    out["version"] = index.version;
    out["versionHex"] = version_hex(index.version);
    out["merkleroot"] = index.merkle_root.to_string();
    out["time"] = index.time;
    out["mediantime"] = index.median_time_past();
    out["nonce"] = index.nonce;
    out["bits"] = bits_hex(index.bits);
    out["target"] = target_hex(index.bits);
    out["difficulty"] = difficulty(index.bits);
    out["chainwork"] = index.chain_work.to_hex();
    out["nTx"] = index.tx_count;
    if (index.prev != nullptr) out["previousblockhash"] = index.prev->hash.to_string();
    if (next != nullptr) out["nextblockhash"] = next->hash.to_string();
    return out;
}

Json block_to_json(const ChainState& chain, const Block& block, const BlockIndex& index,
                   int verbosity) {
    Json out = block_header_to_json(chain, index);
    out["strippedsize"] = block.stripped_size();
    out["size"] = block.total_size();
    out["weight"] = block.weight();
    if (!block.transactions.empty()) out["coinbase_tx"] = coinbase_tx_to_json(*block.transactions[0]);

    Json txs = Json::array();
    if (verbosity <= 1) {
        for (const TransactionRef& tx : block.transactions) txs.push_back(tx->txid().to_string());
    } else {
        std::optional<BlockUndo> undo;
        bool have_undo = false;
        {
            auto lock = chain.lock();
            have_undo = (index.status & block_status::HAVE_UNDO) != 0;
        }
        if (have_undo) {
            auto read = chain.read_undo(&index);
            if (read) undo = std::move(*read);
        }
        for (std::size_t i = 0; i < block.transactions.size(); ++i) {
            const Transaction& tx = *block.transactions[i];
            const TxUndo* tx_undo = nullptr;
            if (undo && i > 0 && i - 1 < undo->transactions.size()) {
                tx_undo = &undo->transactions[i - 1];
            }
            const std::string hex = to_hex(encode(tx));
            txs.push_back(
                transaction_to_json(tx, chain.params(), nullptr, tx_undo, verbosity, &hex));
        }
    }
    out["tx"] = std::move(txs);
    return out;
}

namespace {

std::string type_error_text(const Json& value, std::string_view expected) {
    return "JSON value of type " + std::string(json_type_name(value)) + " is not of expected type " +
           std::string(expected);
}

std::int64_t json_integer_in_range(const Json& value, std::int64_t min, std::int64_t max) {
    if (is_json_amount(value)) throw RpcError(RpcErrorCode::MISC_ERROR, "JSON integer out of range");
    if (!value.is_number()) throw RpcError(RpcErrorCode::TYPE_ERROR, type_error_text(value, "number"));
    if (value.is_number_unsigned()) {
        const auto v = value.get<std::uint64_t>();
        if (v <= static_cast<std::uint64_t>(max)) return static_cast<std::int64_t>(v);
    } else if (value.is_number_integer()) {
        const auto v = value.get<std::int64_t>();
        if (v >= min && v <= max) return v;
    }
    throw RpcError(RpcErrorCode::MISC_ERROR, "JSON integer out of range");
}

}  // namespace

Uint256 parse_hash_param(const Json& value, std::string_view name) {
    if (!value.is_string()) throw RpcError(RpcErrorCode::TYPE_ERROR, type_error_text(value, "string"));
    const std::string& text = value.get_ref<const std::string&>();
    if (auto hash = Uint256::from_string(text)) return *hash;
    if (text.size() != 64) {
        throw RpcError(RpcErrorCode::INVALID_PARAMETER,
                       std::string(name) + " must be of length 64 (not " + std::to_string(text.size()) +
                           ", for '" + text + "')");
    }
    throw RpcError(RpcErrorCode::INVALID_PARAMETER,
                   std::string(name) + " must be hexadecimal string (not '" + text + "')");
}

int json_int_param(const Json& value) {
    return static_cast<int>(json_integer_in_range(value, std::numeric_limits<int>::min(),
                                                  std::numeric_limits<int>::max()));
}

std::uint32_t json_uint32_param(const Json& value) {
    return static_cast<std::uint32_t>(
        json_integer_in_range(value, 0, std::numeric_limits<std::uint32_t>::max()));
}

int parse_verbosity_param(const Json& value, int fallback, bool allow_bool) {
    if (value.is_null()) return fallback;
    if (value.is_boolean()) {
        if (!allow_bool) {
            throw RpcError(RpcErrorCode::TYPE_ERROR, "Verbosity was boolean but only integer allowed");
        }
        return value.get<bool>() ? 1 : 0;
    }
    return json_int_param(value);
}

std::optional<Bytes> parse_hex_strict(std::string_view text) {
    if (text.empty() || text.size() % 2 != 0) return std::nullopt;
    return parse_hex(text);
}

bool scripts_sane(const Transaction& tx) {
    const auto sane = [](const Script& script) {
        return script.has_valid_ops() && script.size() <= MAX_SCRIPT_SIZE;
    };
    if (!tx.is_coinbase()) {
        for (const TxIn& input : tx.inputs()) {
            if (!sane(input.script_sig)) return false;
        }
    }
    for (const TxOut& output : tx.outputs()) {
        if (!sane(output.script_pubkey)) return false;
    }
    return true;
}

std::optional<Transaction> decode_hex_tx(const std::string& hex, bool try_no_witness,
                                         bool try_witness) {
    const auto bytes = parse_hex_strict(hex);
    if (!bytes) return std::nullopt;
    std::optional<Transaction> extended;
    if (try_witness) {
        auto decoded = decode_transaction(*bytes, TxFormat::with_witness);
        if (decoded) extended.emplace(std::move(*decoded));
    }
    if (extended && scripts_sane(*extended)) return extended;
    std::optional<Transaction> legacy;
    if (try_no_witness) {
        auto decoded = decode_transaction(*bytes, TxFormat::no_witness);
        if (decoded) legacy.emplace(std::move(*decoded));
    }
    if (legacy && scripts_sane(*legacy)) return legacy;
    if (extended) return extended;
    return legacy;
}

}  // namespace bitloom
