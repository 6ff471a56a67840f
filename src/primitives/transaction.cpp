#include "primitives/transaction.h"

#include <cassert>
#include <limits>

#include "crypto/sha256.h"

namespace bitloom {
namespace {

bool any_witness(const std::vector<TxIn>& inputs) {
    for (const TxIn& in : inputs) {
        if (!in.witness.is_null()) return true;
    }
    return false;
}

// One encoder for MutableTransaction and Transaction.
template <ByteSink S>
void serialize_parts(S& sink, std::int32_t version, const std::vector<TxIn>& inputs,
                     const std::vector<TxOut>& outputs, std::uint32_t lock_time, bool witness) {
    sink.write_i32(version);
    if (witness) {
        sink.write_u8(0x00);  // marker
        sink.write_u8(0x01);  // flag
    }
    sink.write_compact_size(inputs.size());
    for (const TxIn& in : inputs) serialize(sink, in);
    sink.write_compact_size(outputs.size());
    for (const TxOut& out : outputs) serialize(sink, out);
    if (witness) {
        for (const TxIn& in : inputs) serialize(sink, in.witness);
    }
    sink.write_u32(lock_time);
}

// SHA256d over the concatenation of up to three byte ranges.
Uint256 hash256_of(ByteSpan a, ByteSpan b = {}, ByteSpan c = {}) {
    Sha256 hasher;
    hasher.write(a);
    if (!b.empty()) hasher.write(b);
    if (!c.empty()) hasher.write(c);
    const Uint256 once = hasher.finalize();
    return sha256(once.span());
}

Result<void, DecodeError> read_inputs(Reader& reader, std::vector<TxIn>& inputs) {
    const auto count = reader.read_count(MIN_TXIN_SIZE);
    if (!count) return fail(count.error());
    inputs.clear();
    inputs.reserve(*count);
    for (std::size_t i = 0; i < *count; ++i) {
        TxIn& in = inputs.emplace_back();
        // Fixed-size part in one bounds check: the count check guarantees 41 bytes per
        // remaining input, but not that earlier inputs left them.
        const auto prevout = reader.read_span(36);
        if (!prevout) return fail(prevout.error());
        in.prevout.txid = Uint256(prevout->first(32));
        in.prevout.index = read_le32(prevout->data() + 32);
        const auto script = reader.read_var_span();
        if (!script) return fail(script.error());
        in.script_sig.assign(*script);
        const auto sequence = reader.read_u32();
        if (!sequence) return fail(sequence.error());
        in.sequence = *sequence;
    }
    return {};
}

Result<void, DecodeError> read_outputs(Reader& reader, std::vector<TxOut>& outputs) {
    const auto count = reader.read_count(MIN_TXOUT_SIZE);
    if (!count) return fail(count.error());
    outputs.clear();
    outputs.reserve(*count);
    for (std::size_t i = 0; i < *count; ++i) {
        TxOut& out = outputs.emplace_back();
        const auto value = reader.read_i64();
        if (!value) return fail(value.error());
        out.value = *value;
        const auto script = reader.read_var_span();
        if (!script) return fail(script.error());
        out.script_pubkey.assign(*script);
    }
    return {};
}

Result<void, DecodeError> read_witness_into(Reader& reader, ScriptWitness& witness) {
    const auto count = reader.read_count(1);
    if (!count) return fail(count.error());
    witness.stack.clear();
    witness.stack.reserve(*count);
    for (std::size_t i = 0; i < *count; ++i) {
        const auto item = reader.read_var_span();
        if (!item) return fail(item.error());
        witness.stack.emplace_back(item->begin(), item->end());
    }
    return {};
}

}  // namespace

// --- MutableTransaction / Transaction ------------------------------------------------------

bool MutableTransaction::has_witness() const { return any_witness(inputs); }

Uint256 MutableTransaction::txid() const {
    HashWriter hasher;
    serialize(hasher, *this, TxFormat::no_witness);
    return hasher.hash256();
}

Uint256 MutableTransaction::wtxid() const {
    HashWriter hasher;
    serialize(hasher, *this, TxFormat::with_witness);
    return hasher.hash256();
}

Transaction::Transaction(MutableTransaction tx)
    : version_(tx.version),
      inputs_(std::move(tx.inputs)),
      outputs_(std::move(tx.outputs)),
      lock_time_(tx.lock_time),
      has_witness_(any_witness(inputs_)) {
    HashWriter legacy;
    serialize_parts(legacy, version_, inputs_, outputs_, lock_time_, false);
    stripped_size_ = static_cast<std::uint32_t>(legacy.size());
    txid_ = legacy.hash256();
    if (has_witness_) {
        HashWriter extended;
        serialize_parts(extended, version_, inputs_, outputs_, lock_time_, true);
        assert(extended.size() <= std::numeric_limits<std::uint32_t>::max());
        total_size_ = static_cast<std::uint32_t>(extended.size());
        wtxid_ = extended.hash256();
    } else {
        total_size_ = stripped_size_;
        wtxid_ = txid_;
    }
}

Transaction::Transaction(MutableTransaction&& tx, const Computed& computed)
    : version_(tx.version),
      inputs_(std::move(tx.inputs)),
      outputs_(std::move(tx.outputs)),
      lock_time_(tx.lock_time),
      txid_(computed.txid),
      wtxid_(computed.wtxid),
      total_size_(static_cast<std::uint32_t>(computed.total_size)),
      stripped_size_(static_cast<std::uint32_t>(computed.stripped_size)),
      has_witness_(computed.total_size != computed.stripped_size) {}

std::optional<Amount> Transaction::value_out() const {
    Amount total = 0;
    for (const TxOut& out : outputs_) {
        if (!money_range(out.value)) return std::nullopt;
        total += out.value;  // both terms are at most MAX_MONEY: no overflow
        if (!money_range(total)) return std::nullopt;
    }
    return total;
}

MutableTransaction Transaction::to_mutable() const {
    MutableTransaction tx;
    tx.version = version_;
    tx.inputs = inputs_;
    tx.outputs = outputs_;
    tx.lock_time = lock_time_;
    return tx;
}

// --- Serialization -------------------------------------------------------------------------

template <ByteSink S>
void serialize(S& sink, const OutPoint& outpoint) {
    sink.write_uint256(outpoint.txid);
    sink.write_u32(outpoint.index);
}

template <ByteSink S>
void serialize(S& sink, const TxIn& input) {
    serialize(sink, input.prevout);
    sink.write_var_bytes(input.script_sig.span());
    sink.write_u32(input.sequence);
}

template <ByteSink S>
void serialize(S& sink, const TxOut& output) {
    sink.write_i64(output.value);
    sink.write_var_bytes(output.script_pubkey.span());
}

template <ByteSink S>
void serialize(S& sink, const ScriptWitness& witness) {
    sink.write_compact_size(witness.stack.size());
    for (const Bytes& item : witness.stack) sink.write_var_bytes(item);
}

template <ByteSink S>
void serialize(S& sink, const MutableTransaction& tx, TxFormat format) {
    const bool witness = format == TxFormat::with_witness && tx.has_witness();
    serialize_parts(sink, tx.version, tx.inputs, tx.outputs, tx.lock_time, witness);
}

template <ByteSink S>
void serialize(S& sink, const Transaction& tx, TxFormat format) {
    const bool witness = format == TxFormat::with_witness && tx.has_witness();
    serialize_parts(sink, tx.version(), tx.inputs(), tx.outputs(), tx.lock_time(), witness);
}

#define BITLOOM_INSTANTIATE_TX_SERIALIZE(Sink)                                        \
    template void serialize(Sink&, const OutPoint&);                                   \
    template void serialize(Sink&, const TxIn&);                                       \
    template void serialize(Sink&, const TxOut&);                                      \
    template void serialize(Sink&, const ScriptWitness&);                              \
    template void serialize(Sink&, const MutableTransaction&, TxFormat);               \
    template void serialize(Sink&, const Transaction&, TxFormat);
BITLOOM_INSTANTIATE_TX_SERIALIZE(Writer)
BITLOOM_INSTANTIATE_TX_SERIALIZE(SizeCounter)
BITLOOM_INSTANTIATE_TX_SERIALIZE(HashWriter)
#undef BITLOOM_INSTANTIATE_TX_SERIALIZE

Bytes encode(const MutableTransaction& tx, TxFormat format) {
    SizeCounter counter;
    serialize(counter, tx, format);
    Bytes out;
    out.reserve(counter.size());
    Writer writer(out);
    serialize(writer, tx, format);
    return out;
}

Bytes encode(const Transaction& tx, TxFormat format) {
    const bool witness = format == TxFormat::with_witness && tx.has_witness();
    Bytes out;
    out.reserve(witness ? tx.total_size() : tx.stripped_size());
    Writer writer(out);
    serialize(writer, tx, format);
    return out;
}

// --- Deserialization -----------------------------------------------------------------------

Result<OutPoint, DecodeError> read_outpoint(Reader& reader) {
    const auto bytes = reader.read_span(36);
    if (!bytes) return fail(bytes.error());
    return OutPoint{Uint256(bytes->first(32)), read_le32(bytes->data() + 32)};
}

Result<Script, DecodeError> read_script(Reader& reader) {
    const auto span = reader.read_var_span();
    if (!span) return fail(span.error());
    return Script(*span);
}

Result<TxIn, DecodeError> read_txin(Reader& reader) {
    TxIn in;
    auto prevout = read_outpoint(reader);
    if (!prevout) return fail(prevout.error());
    in.prevout = *prevout;
    auto script = read_script(reader);
    if (!script) return fail(script.error());
    in.script_sig = std::move(*script);
    const auto sequence = reader.read_u32();
    if (!sequence) return fail(sequence.error());
    in.sequence = *sequence;
    return in;
}

Result<TxOut, DecodeError> read_txout(Reader& reader) {
    TxOut out;
    const auto value = reader.read_i64();
    if (!value) return fail(value.error());
    out.value = *value;
    auto script = read_script(reader);
    if (!script) return fail(script.error());
    out.script_pubkey = std::move(*script);
    return out;
}

Result<ScriptWitness, DecodeError> read_witness(Reader& reader) {
    ScriptWitness witness;
    if (auto ok = read_witness_into(reader, witness); !ok) return fail(ok.error());
    return witness;
}

Result<Transaction, DecodeError> read_transaction(Reader& reader, TxFormat format) {
    const bool allow_witness = format == TxFormat::with_witness;
    const ByteSpan input = reader.data();
    const std::size_t start = reader.position();

    MutableTransaction tx;
    const auto version = reader.read_i32();
    if (!version) return fail(version.error());
    tx.version = *version;

    // Bytes [body_start, body_end) hold the input and output vectors.
    std::size_t body_start = reader.position();
    std::uint8_t flags = 0;
    if (auto ok = read_inputs(reader, tx.inputs); !ok) return fail(ok.error());
    if (tx.inputs.empty() && allow_witness) {
        const auto flag = reader.read_u8();
        if (!flag) return fail(flag.error());
        flags = *flag;
        if (flags != 0) {
            body_start = reader.position();
            if (auto ok = read_inputs(reader, tx.inputs); !ok) return fail(ok.error());
            if (auto ok = read_outputs(reader, tx.outputs); !ok) return fail(ok.error());
        }
        // flags == 0: the byte just read was an empty output vector.
    } else {
        if (auto ok = read_outputs(reader, tx.outputs); !ok) return fail(ok.error());
    }
    const std::size_t body_end = reader.position();

    if ((flags & 1) && allow_witness) {
        flags ^= 1;
        bool some_witness = false;
        for (TxIn& in : tx.inputs) {
            if (auto ok = read_witness_into(reader, in.witness); !ok) return fail(ok.error());
            some_witness = some_witness || !in.witness.is_null();
        }
        if (!some_witness) return fail(DecodeError::superfluous_witness);
    }
    if (flags != 0) return fail(DecodeError::unknown_witness_flag);
    const std::size_t witness_end = reader.position();

    const auto lock_time = reader.read_u32();
    if (!lock_time) return fail(lock_time.error());
    tx.lock_time = *lock_time;
    const std::size_t end = reader.position();

    Transaction::Computed computed;
    computed.total_size = end - start;
    if (witness_end != body_end) {
        // Segwit: the txid skips marker, flag and witnesses.
        const ByteSpan version_bytes = input.subspan(start, 4);
        const ByteSpan body = input.subspan(body_start, body_end - body_start);
        const ByteSpan lock_time_bytes = input.subspan(witness_end, 4);
        computed.stripped_size = 4 + body.size() + 4;
        computed.txid = hash256_of(version_bytes, body, lock_time_bytes);
        computed.wtxid = hash256_of(input.subspan(start, end - start));
    } else {
        computed.stripped_size = computed.total_size;
        computed.txid = hash256_of(input.subspan(start, end - start));
        computed.wtxid = computed.txid;
    }
    return Transaction(std::move(tx), computed);
}

Result<Transaction, DecodeError> decode_transaction(ByteSpan bytes, TxFormat format) {
    Reader reader(bytes);
    auto tx = read_transaction(reader, format);
    if (!tx) return tx;
    if (auto ok = reader.expect_end(); !ok) return fail(ok.error());
    return tx;
}

}  // namespace bitloom
