// Transactions: outpoints, inputs, outputs, and the immutable Transaction with cached ids.
//
// Format (BIP144; integers little-endian, `size` and `script` as in serialize.h / script.h):
//   outpoint := txid:byte[32] index:u32le
//   txin     := prevout:outpoint script_sig:script sequence:u32le
//   txout    := value:i64le script_pubkey:script
//   witness  := items:size (len:size byte[len])[items]
//   tx       := version:i32le vin:size txin[vin] vout:size txout[vout] lock_time:u32le
//             | version:i32le marker:0x00 flag:0x01
//               vin:size txin[vin] vout:size txout[vout] witness[vin] lock_time:u32le
//
// Decoding follows Bitcoin Core: after the version, a zero input count followed by a non-zero
// byte means marker+flag, and the inputs and outputs follow; a zero input count followed by
// 0x00 is a transaction with no inputs and no outputs. With the flag's witness bit, one witness
// per input is read and at least one must be non-empty ("superfluous witness record"
// otherwise); any other flag bit is rejected ("unknown transaction optional data").
//
// Ids: txid = SHA256d(legacy encoding); wtxid = SHA256d(segwit encoding), which equals the
// txid when the transaction has no witness. Both are computed once, when a Transaction is
// constructed, and hashed straight from the received bytes when it is decoded.
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "primitives/amount.h"
#include "primitives/script.h"
#include "primitives/serialize.h"
#include "util/bytes.h"
#include "util/result.h"
#include "util/uint256.h"

namespace bitloom {

// Weight of a witness byte is 1, of any other byte WITNESS_SCALE_FACTOR (BIP141).
inline constexpr std::size_t WITNESS_SCALE_FACTOR = 4;

// Smallest encodings, used to bound element counts against the bytes that remain.
inline constexpr std::size_t MIN_TXIN_SIZE = 32 + 4 + 1 + 4;
inline constexpr std::size_t MIN_TXOUT_SIZE = 8 + 1;
inline constexpr std::size_t MIN_TRANSACTION_SIZE = 4 + 1 + 1 + 4;

// Which encoding to write or accept.
enum class TxFormat {
    with_witness,  // BIP144 extended encoding when the transaction has a witness
    no_witness,    // always the legacy encoding (and decoding never looks for a marker)
};

struct OutPoint {
    static constexpr std::uint32_t NULL_INDEX = 0xffffffff;

    Uint256 txid;
    std::uint32_t index = NULL_INDEX;

    // The coinbase input's outpoint: zero txid and index 0xffffffff.
    bool is_null() const { return index == NULL_INDEX && txid.is_null(); }

    friend bool operator==(const OutPoint&, const OutPoint&) = default;
    friend std::strong_ordering operator<=>(const OutPoint&, const OutPoint&) = default;
};

struct TxIn {
    // Sequence numbers (BIP68 relative lock-time fields).
    static constexpr std::uint32_t SEQUENCE_FINAL = 0xffffffff;
    static constexpr std::uint32_t MAX_SEQUENCE_NONFINAL = SEQUENCE_FINAL - 1;
    static constexpr std::uint32_t SEQUENCE_LOCKTIME_DISABLE_FLAG = 1U << 31;
    static constexpr std::uint32_t SEQUENCE_LOCKTIME_TYPE_FLAG = 1U << 22;
    static constexpr std::uint32_t SEQUENCE_LOCKTIME_MASK = 0x0000ffff;
    static constexpr int SEQUENCE_LOCKTIME_GRANULARITY = 9;

    OutPoint prevout;
    Script script_sig;
    std::uint32_t sequence = SEQUENCE_FINAL;
    ScriptWitness witness;  // not part of `txin` on the wire; see `tx`

    friend bool operator==(const TxIn&, const TxIn&) = default;
};

struct TxOut {
    Amount value = 0;
    Script script_pubkey;

    friend bool operator==(const TxOut&, const TxOut&) = default;
};

// A transaction being built or edited. Ids are computed on each call.
struct MutableTransaction {
    std::int32_t version = 2;
    std::vector<TxIn> inputs;
    std::vector<TxOut> outputs;
    std::uint32_t lock_time = 0;

    bool has_witness() const;
    Uint256 txid() const;
    Uint256 wtxid() const;

    friend bool operator==(const MutableTransaction&, const MutableTransaction&) = default;
};

// An immutable transaction whose txid, wtxid and sizes are computed once, at construction.
class Transaction {
public:
    // Hashes `tx` (one pass without witness, one more with it when it has a witness).
    explicit Transaction(MutableTransaction tx);

    std::int32_t version() const { return version_; }
    const std::vector<TxIn>& inputs() const { return inputs_; }
    const std::vector<TxOut>& outputs() const { return outputs_; }
    std::uint32_t lock_time() const { return lock_time_; }

    const Uint256& txid() const { return txid_; }
    const Uint256& wtxid() const { return wtxid_; }
    // Some input has a non-empty witness.
    bool has_witness() const { return has_witness_; }
    // One input, spending the null outpoint.
    bool is_coinbase() const { return inputs_.size() == 1 && inputs_[0].prevout.is_null(); }

    // Encoded size with witness (BIP144) and without (legacy encoding).
    std::size_t total_size() const { return total_size_; }
    std::size_t stripped_size() const { return stripped_size_; }
    // BIP141 weight: stripped_size * (WITNESS_SCALE_FACTOR - 1) + total_size.
    std::size_t weight() const { return stripped_size_ * (WITNESS_SCALE_FACTOR - 1) + total_size_; }
    // Virtual size: weight / 4 rounded up.
    std::size_t vsize() const { return (weight() + WITNESS_SCALE_FACTOR - 1) / WITNESS_SCALE_FACTOR; }

    // Sum of the output values; nullopt when an output or a partial sum leaves money_range().
    std::optional<Amount> value_out() const;

    MutableTransaction to_mutable() const;

    // Compares contents (and so ids).
    friend bool operator==(const Transaction& a, const Transaction& b) {
        return a.wtxid_ == b.wtxid_ && a.txid_ == b.txid_;
    }

private:
    friend Result<Transaction, DecodeError> read_transaction(Reader& reader, TxFormat format);
    struct Computed {
        Uint256 txid;
        Uint256 wtxid;
        std::size_t total_size;
        std::size_t stripped_size;
    };
    Transaction(MutableTransaction&& tx, const Computed& computed);

    std::int32_t version_;
    std::vector<TxIn> inputs_;
    std::vector<TxOut> outputs_;
    std::uint32_t lock_time_;
    Uint256 txid_;
    Uint256 wtxid_;
    std::uint32_t total_size_;
    std::uint32_t stripped_size_;
    bool has_witness_;
};

// Transactions are shared between blocks, the mempool and relay without copying.
using TransactionRef = std::shared_ptr<const Transaction>;
inline TransactionRef make_transaction_ref(Transaction tx) {
    return std::make_shared<const Transaction>(std::move(tx));
}
inline TransactionRef make_transaction_ref(MutableTransaction tx) {
    return std::make_shared<const Transaction>(Transaction(std::move(tx)));
}

// Serialization into any ByteSink (Writer, SizeCounter, HashWriter).
template <ByteSink S>
void serialize(S& sink, const OutPoint& outpoint);
template <ByteSink S>
void serialize(S& sink, const TxIn& input);  // the `txin` production: no witness
template <ByteSink S>
void serialize(S& sink, const TxOut& output);
template <ByteSink S>
void serialize(S& sink, const ScriptWitness& witness);
template <ByteSink S>
void serialize(S& sink, const MutableTransaction& tx, TxFormat format = TxFormat::with_witness);
template <ByteSink S>
void serialize(S& sink, const Transaction& tx, TxFormat format = TxFormat::with_witness);

// The whole encoding as bytes.
Bytes encode(const MutableTransaction& tx, TxFormat format = TxFormat::with_witness);
Bytes encode(const Transaction& tx, TxFormat format = TxFormat::with_witness);

// Readers for each production. They never throw; on error the reader's position is somewhere
// inside the structure.
Result<OutPoint, DecodeError> read_outpoint(Reader& reader);
Result<Script, DecodeError> read_script(Reader& reader);
Result<TxIn, DecodeError> read_txin(Reader& reader);
Result<TxOut, DecodeError> read_txout(Reader& reader);
Result<ScriptWitness, DecodeError> read_witness(Reader& reader);
Result<Transaction, DecodeError> read_transaction(Reader& reader,
                                                  TxFormat format = TxFormat::with_witness);

// Decodes exactly one transaction that fills `bytes` (trailing bytes are an error).
Result<Transaction, DecodeError> decode_transaction(ByteSpan bytes,
                                                    TxFormat format = TxFormat::with_witness);

}  // namespace bitloom
