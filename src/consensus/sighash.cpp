#include "consensus/sighash.h"

#include <cassert>
#include <utility>

#include "crypto/hash.h"
#include "crypto/pubkey.h"
#include "crypto/sha256.h"
#include "primitives/serialize.h"

namespace bitloom {
namespace {

// ---- Transaction-wide hashes ----------------------------------------------------------------

Uint256 prevouts_sha256(const Transaction& tx) {
    HashWriter writer;
    for (const TxIn& in : tx.inputs()) serialize(writer, in.prevout);
    return writer.sha256();
}

Uint256 sequences_sha256(const Transaction& tx) {
    HashWriter writer;
    for (const TxIn& in : tx.inputs()) writer.write_u32(in.sequence);
    return writer.sha256();
}

Uint256 outputs_sha256(const Transaction& tx) {
    HashWriter writer;
    for (const TxOut& out : tx.outputs()) serialize(writer, out);
    return writer.sha256();
}

Uint256 spent_amounts_sha256(const std::vector<TxOut>& spent) {
    HashWriter writer;
    for (const TxOut& out : spent) writer.write_i64(out.value);
    return writer.sha256();
}

Uint256 spent_scripts_sha256(const std::vector<TxOut>& spent) {
    HashWriter writer;
    for (const TxOut& out : spent) writer.write_var_bytes(out.script_pubkey.span());
    return writer.sha256();
}

Uint256 sha256_of(const Uint256& value) { return sha256(value.span()); }

// ---- Legacy -------------------------------------------------------------------------------

// Core's GetScriptOp, including where it leaves the cursor when an operation does not parse:
// past the opcode byte, and past the length bytes when those were present. The legacy
// scriptCode serialization depends on that position, so Script::get_op (which does not move
// on failure) cannot be used here.
bool advance_op(ByteSpan script, std::size_t& pos, std::uint8_t& opcode) {
    if (pos >= script.size()) return false;
    opcode = script[pos++];
    if (opcode > OP_PUSHDATA4) return true;
    std::size_t remaining = script.size() - pos;
    std::uint64_t length = 0;
    if (opcode < OP_PUSHDATA1) {
        length = opcode;
    } else {
        const std::size_t width = opcode == OP_PUSHDATA1 ? 1 : opcode == OP_PUSHDATA2 ? 2 : 4;
        if (remaining < width) return false;
        for (std::size_t i = 0; i < width; ++i) {
            length |= std::uint64_t{script[pos + i]} << (8 * i);
        }
        pos += width;
        remaining -= width;
    }
    if (remaining < length) return false;
    pos += static_cast<std::size_t>(length);
    return true;
}

// The scriptCode with its OP_CODESEPARATORs removed. The length prefix counts every byte but
// the separators; the bytes written stop where the parse stopped, so for a script whose last
// push runs past its end the prefix overstates what follows (as in Core; the hash commits to
// exactly that).
template <ByteSink S>
void serialize_script_code(S& sink, const Script& script_code) {
    const ByteSpan script = script_code.span();
    std::size_t pos = 0;
    std::uint8_t opcode = 0;
    std::size_t separators = 0;
    while (advance_op(script, pos, opcode)) {
        if (opcode == OP_CODESEPARATOR) ++separators;
    }
    sink.write_compact_size(script.size() - separators);

    pos = 0;
    std::size_t chunk_start = 0;
    while (advance_op(script, pos, opcode)) {
        if (opcode == OP_CODESEPARATOR) {
            sink.write_bytes(script.subspan(chunk_start, pos - 1 - chunk_start));
            chunk_start = pos;
        }
    }
    if (chunk_start != script.size()) sink.write_bytes(script.subspan(chunk_start, pos - chunk_start));
}

Uint256 legacy_signature_hash(const Script& script_code, const Transaction& tx,
                              unsigned input_index, std::int32_t hash_type) {
    const bool anyone_can_pay = (hash_type & SIGHASH_ANYONECANPAY) != 0;
    const bool hash_single = (hash_type & 0x1f) == SIGHASH_SINGLE;
    const bool hash_none = (hash_type & 0x1f) == SIGHASH_NONE;

    if (hash_single && input_index >= tx.outputs().size()) {
        Uint256 one;
        one[0] = 1;
        return one;
    }

    HashWriter writer;
    writer.write_i32(tx.version());

    const std::size_t input_count = anyone_can_pay ? 1 : tx.inputs().size();
    writer.write_compact_size(input_count);
    for (std::size_t i = 0; i < input_count; ++i) {
        const std::size_t index = anyone_can_pay ? input_index : i;
        const TxIn& in = tx.inputs()[index];
        serialize(writer, in.prevout);
        if (index == input_index) {
            serialize_script_code(writer, script_code);
        } else {
            writer.write_compact_size(0);
        }
        const bool zero_sequence = index != input_index && (hash_single || hash_none);
        writer.write_u32(zero_sequence ? 0 : in.sequence);
    }

    const std::size_t output_count =
        hash_none ? 0 : hash_single ? std::size_t{input_index} + 1 : tx.outputs().size();
    writer.write_compact_size(output_count);
    for (std::size_t i = 0; i < output_count; ++i) {
        if (hash_single && i != input_index) {
            writer.write_i64(-1);
            writer.write_compact_size(0);
        } else {
            serialize(writer, tx.outputs()[i]);
        }
    }

    writer.write_u32(tx.lock_time());
    writer.write_i32(hash_type);
    return writer.hash256();
}

// ---- BIP143 -------------------------------------------------------------------------------

Uint256 witness_v0_signature_hash(const Script& script_code, const Transaction& tx,
                                  unsigned input_index, std::int32_t hash_type, Amount amount,
                                  const PrecomputedTransactionData* txdata) {
    const bool ready = txdata != nullptr && txdata->bip143_segwit_ready;
    const bool anyone_can_pay = (hash_type & SIGHASH_ANYONECANPAY) != 0;
    const int base_type = hash_type & 0x1f;
    const bool single_or_none = base_type == SIGHASH_SINGLE || base_type == SIGHASH_NONE;

    Uint256 hash_prevouts;
    Uint256 hash_sequence;
    Uint256 hash_outputs;
    if (!anyone_can_pay) {
        hash_prevouts = ready ? txdata->hash_prevouts : sha256_of(prevouts_sha256(tx));
    }
    if (!anyone_can_pay && !single_or_none) {
        hash_sequence = ready ? txdata->hash_sequence : sha256_of(sequences_sha256(tx));
    }
    if (!single_or_none) {
        hash_outputs = ready ? txdata->hash_outputs : sha256_of(outputs_sha256(tx));
    } else if (base_type == SIGHASH_SINGLE && input_index < tx.outputs().size()) {
        HashWriter single;
        serialize(single, tx.outputs()[input_index]);
        hash_outputs = single.hash256();
    }

    const TxIn& in = tx.inputs()[input_index];
    HashWriter writer;
    writer.write_i32(tx.version());
    writer.write_uint256(hash_prevouts);
    writer.write_uint256(hash_sequence);
    serialize(writer, in.prevout);
    writer.write_var_bytes(script_code.span());
    writer.write_i64(amount);
    writer.write_u32(in.sequence);
    writer.write_uint256(hash_outputs);
    writer.write_u32(tx.lock_time());
    writer.write_i32(hash_type);
    return writer.hash256();
}

// ---- BIP341/342 ---------------------------------------------------------------------------

bool valid_schnorr_hash_type(std::uint8_t hash_type) {
    return hash_type <= 0x03 || (hash_type >= 0x81 && hash_type <= 0x83);
}

// Writes 0x00 || sig_msg into `sink`; false (with `sink` partly written) when the message does
// not exist. `single_output_hash`, when given, caches the SHA-256 of the output SINGLE commits
// to (ScriptExecutionData::output_hash).
template <ByteSink S>
bool write_signature_message(S& sink, const ScriptExecutionData& execdata, const Transaction& tx,
                             unsigned input_index, std::uint8_t hash_type, SigVersion version,
                             const PrecomputedTransactionData& txdata,
                             std::optional<Uint256>* single_output_cache) {
    std::uint8_t ext_flag = 0;
    if (version == SigVersion::tapscript) {
        ext_flag = 1;
    } else if (version != SigVersion::taproot) {
        return false;
    }
    assert(input_index < tx.inputs().size());
    if (!txdata.bip341_taproot_ready || !txdata.spent_outputs_ready) return false;
    if (!valid_schnorr_hash_type(hash_type)) return false;

    const std::uint8_t output_type =
        hash_type == SIGHASH_DEFAULT ? SIGHASH_ALL : (hash_type & SIGHASH_OUTPUT_MASK);
    const std::uint8_t input_type = hash_type & SIGHASH_INPUT_MASK;

    // SINGLE without a matching output has no message; decide before writing anything.
    if (output_type == SIGHASH_SINGLE && input_index >= tx.outputs().size()) return false;

    sink.write_u8(0);  // epoch
    sink.write_u8(hash_type);
    sink.write_i32(tx.version());
    sink.write_u32(tx.lock_time());
    if (input_type != SIGHASH_ANYONECANPAY) {
        sink.write_uint256(txdata.prevouts_single_hash);
        sink.write_uint256(txdata.spent_amounts_single_hash);
        sink.write_uint256(txdata.spent_scripts_single_hash);
        sink.write_uint256(txdata.sequences_single_hash);
    }
    if (output_type == SIGHASH_ALL) sink.write_uint256(txdata.outputs_single_hash);

    assert(execdata.annex_init);
    const bool have_annex = execdata.annex_present;
    sink.write_u8(static_cast<std::uint8_t>((ext_flag << 1) + (have_annex ? 1 : 0)));
    if (input_type == SIGHASH_ANYONECANPAY) {
        const TxIn& in = tx.inputs()[input_index];
        serialize(sink, in.prevout);
        serialize(sink, txdata.spent_outputs[input_index]);
        sink.write_u32(in.sequence);
    } else {
        sink.write_u32(input_index);
    }
    if (have_annex) sink.write_uint256(execdata.annex_hash);

    if (output_type == SIGHASH_SINGLE) {
        Uint256 output_hash;
        if (execdata.output_hash) {
            output_hash = *execdata.output_hash;
        } else {
            HashWriter single;
            serialize(single, tx.outputs()[input_index]);
            output_hash = single.sha256();
            if (single_output_cache) *single_output_cache = output_hash;
        }
        sink.write_uint256(output_hash);
    }

    if (version == SigVersion::tapscript) {
        assert(execdata.tapleaf_hash_init);
        sink.write_uint256(execdata.tapleaf_hash);
        sink.write_u8(0);  // key_version: 32-byte BIP340 keys
        assert(execdata.codeseparator_pos_init);
        sink.write_u32(execdata.codeseparator_pos);
    }
    return true;
}

// The "TapSighash" tagged hasher, its two tag blocks already absorbed.
const Sha256& tap_sighash_hasher() {
    static const Sha256 hasher = tagged_hasher("TapSighash");
    return hasher;
}

std::optional<Uint256> schnorr_hash(const ScriptExecutionData& execdata, const Transaction& tx,
                                    unsigned input_index, std::uint8_t hash_type,
                                    SigVersion version, const PrecomputedTransactionData& txdata,
                                    std::optional<Uint256>* single_output_cache) {
    HashWriter writer(tap_sighash_hasher());
    if (!write_signature_message(writer, execdata, tx, input_index, hash_type, version, txdata,
                                 single_output_cache)) {
        return std::nullopt;
    }
    return writer.sha256();
}

}  // namespace

// ---- PrecomputedTransactionData -------------------------------------------------------------

PrecomputedTransactionData::PrecomputedTransactionData(const Transaction& tx,
                                                       std::vector<TxOut> spent, bool force) {
    init(tx, std::move(spent), force);
}

void PrecomputedTransactionData::init(const Transaction& tx, std::vector<TxOut> spent,
                                      bool force) {
    assert(!spent_outputs_ready);
    spent_outputs = std::move(spent);
    if (!spent_outputs.empty()) {
        assert(spent_outputs.size() == tx.inputs().size());
        spent_outputs_ready = true;
    }

    bool uses_bip143 = force;
    bool uses_bip341 = force;
    const auto& inputs = tx.inputs();
    for (std::size_t i = 0; i < inputs.size() && !(uses_bip143 && uses_bip341); ++i) {
        if (inputs[i].witness.is_null()) continue;
        const bool looks_taproot = spent_outputs_ready &&
                                   spent_outputs[i].script_pubkey.size() == 34 &&
                                   spent_outputs[i].script_pubkey[0] == OP_1;
        if (looks_taproot) {
            uses_bip341 = true;
        } else {
            uses_bip143 = true;
        }
    }

    if (uses_bip143 || uses_bip341) {
        prevouts_single_hash = prevouts_sha256(tx);
        sequences_single_hash = sequences_sha256(tx);
        outputs_single_hash = outputs_sha256(tx);
    }
    if (uses_bip143) {
        hash_prevouts = sha256_of(prevouts_single_hash);
        hash_sequence = sha256_of(sequences_single_hash);
        hash_outputs = sha256_of(outputs_single_hash);
        bip143_segwit_ready = true;
    }
    if (uses_bip341 && spent_outputs_ready) {
        spent_amounts_single_hash = spent_amounts_sha256(spent_outputs);
        spent_scripts_single_hash = spent_scripts_sha256(spent_outputs);
        bip341_taproot_ready = true;
    }
}

// ---- Signature hashes -----------------------------------------------------------------------

Uint256 signature_hash(const Script& script_code, const Transaction& tx, unsigned input_index,
                       std::int32_t hash_type, Amount amount, SigVersion version,
                       const PrecomputedTransactionData* txdata) {
    assert(input_index < tx.inputs().size());
    if (version == SigVersion::witness_v0) {
        return witness_v0_signature_hash(script_code, tx, input_index, hash_type, amount, txdata);
    }
    return legacy_signature_hash(script_code, tx, input_index, hash_type);
}

std::optional<Uint256> signature_hash_schnorr(const ScriptExecutionData& execdata,
                                              const Transaction& tx, unsigned input_index,
                                              std::uint8_t hash_type, SigVersion version,
                                              const PrecomputedTransactionData& txdata) {
    return schnorr_hash(execdata, tx, input_index, hash_type, version, txdata, nullptr);
}

std::optional<Bytes> signature_message_schnorr(const ScriptExecutionData& execdata,
                                               const Transaction& tx, unsigned input_index,
                                               std::uint8_t hash_type, SigVersion version,
                                               const PrecomputedTransactionData& txdata) {
    Bytes message;
    Writer writer(message);
    if (!write_signature_message(writer, execdata, tx, input_index, hash_type, version, txdata,
                                 nullptr)) {
        return std::nullopt;
    }
    return message;
}

// ---- TransactionSignatureChecker ------------------------------------------------------------

TransactionSignatureChecker::TransactionSignatureChecker(const Transaction& tx,
                                                         unsigned input_index, Amount amount,
                                                         const PrecomputedTransactionData& txdata)
    : tx_(&tx), input_index_(input_index), amount_(amount), txdata_(&txdata) {
    assert(input_index < tx.inputs().size());
}

TransactionSignatureChecker::TransactionSignatureChecker(const Transaction& tx,
                                                         unsigned input_index, Amount amount,
                                                         std::vector<TxOut> spent_outputs)
    : tx_(&tx), input_index_(input_index), amount_(amount) {
    assert(input_index < tx.inputs().size());
    const bool force = !spent_outputs.empty();
    owned_txdata_ =
        std::make_unique<PrecomputedTransactionData>(tx, std::move(spent_outputs), force);
    txdata_ = owned_txdata_.get();
}

bool TransactionSignatureChecker::check_ecdsa_signature(ByteSpan signature, ByteSpan pubkey,
                                                        const Script& script_code,
                                                        SigVersion version) const {
    if (version != SigVersion::base && version != SigVersion::witness_v0) return false;
    const auto key = PublicKey::parse(pubkey);
    if (!key) return false;
    if (signature.empty()) return false;
    const std::int32_t hash_type = signature.back();
    const ByteSpan der = signature.first(signature.size() - 1);
    if (version == SigVersion::witness_v0 && amount_ < 0) return false;
    const Uint256 hash =
        signature_hash(script_code, *tx_, input_index_, hash_type, amount_, version, txdata_);
    return verify_ecdsa(der, *key, hash);
}

bool TransactionSignatureChecker::verify_ecdsa(ByteSpan der_signature, const PublicKey& pubkey,
                                               const Uint256& sighash) const {
    return pubkey.verify_ecdsa(sighash, der_signature);
}

bool TransactionSignatureChecker::verify_schnorr(ByteSpan signature64,
                                                 const XOnlyPublicKey& pubkey,
                                                 const Uint256& sighash) const {
    return pubkey.verify_schnorr(sighash.span(), signature64);
}

bool TransactionSignatureChecker::check_schnorr_signature(ByteSpan signature, ByteSpan pubkey32,
                                                          SigVersion version,
                                                          ScriptExecutionData& execdata,
                                                          ScriptError* error) const {
    const auto fail = [error](ScriptError reason) {
        if (error) *error = reason;
        return false;
    };
    if (signature.size() != 64 && signature.size() != 65) {
        return fail(ScriptError::SCHNORR_SIG_SIZE);
    }
    std::uint8_t hash_type = SIGHASH_DEFAULT;
    if (signature.size() == 65) {
        hash_type = signature.back();
        signature = signature.first(64);
        if (hash_type == SIGHASH_DEFAULT) return fail(ScriptError::SCHNORR_SIG_HASHTYPE);
    }
    const auto hash = schnorr_hash(execdata, *tx_, input_index_, hash_type, version, *txdata_,
                                   &execdata.output_hash);
    if (!hash) return fail(ScriptError::SCHNORR_SIG_HASHTYPE);
    const auto key = XOnlyPublicKey::parse(pubkey32);
    if (!key || !verify_schnorr(signature, *key, *hash)) {
        return fail(ScriptError::SCHNORR_SIG);
    }
    return true;
}

bool TransactionSignatureChecker::check_lock_time(std::int64_t lock_time) const {
    const std::int64_t tx_lock_time = tx_->lock_time();
    const bool same_kind = (tx_lock_time < LOCKTIME_THRESHOLD && lock_time < LOCKTIME_THRESHOLD) ||
                           (tx_lock_time >= LOCKTIME_THRESHOLD && lock_time >= LOCKTIME_THRESHOLD);
    if (!same_kind) return false;
    if (lock_time > tx_lock_time) return false;
    // A final input would let the transaction bypass its lock time altogether (IsFinalTx).
    return tx_->inputs()[input_index_].sequence != TxIn::SEQUENCE_FINAL;
}

bool TransactionSignatureChecker::check_sequence(std::int64_t sequence) const {
    const std::int64_t tx_sequence = tx_->inputs()[input_index_].sequence;
    // BIP68 applies from version 2, the version read as unsigned (so negative versions pass).
    if (static_cast<std::uint32_t>(tx_->version()) < 2) return false;
    if (tx_sequence & TxIn::SEQUENCE_LOCKTIME_DISABLE_FLAG) return false;

    constexpr std::int64_t mask = TxIn::SEQUENCE_LOCKTIME_TYPE_FLAG | TxIn::SEQUENCE_LOCKTIME_MASK;
    constexpr std::int64_t type_flag = TxIn::SEQUENCE_LOCKTIME_TYPE_FLAG;
    const std::int64_t tx_masked = tx_sequence & mask;
    const std::int64_t script_masked = sequence & mask;
    const bool same_kind = (tx_masked < type_flag && script_masked < type_flag) ||
                           (tx_masked >= type_flag && script_masked >= type_flag);
    if (!same_kind) return false;
    return script_masked <= tx_masked;
}

}  // namespace bitloom
