// Signature hashes and the transaction signature checker.
//
// Three message formats, chosen by SigVersion, exactly as Bitcoin Core computes them:
//
// Legacy (SigVersion::base), double SHA-256 of a modified copy of the transaction, streamed:
//   legacy_msg := version:i32le
//                 n_in:size ( outpoint script_i sequence_i:u32le )[n_in]
//                 n_out:size txout_j[n_out]
//                 lock_time:u32le hash_type:i32le
//   - n_in is 1 with ANYONECANPAY (only the signed input), else every input;
//   - script_i is the scriptCode with every OP_CODESEPARATOR removed for the signed input, an
//     empty script for the others;
//   - sequence_i is 0 for the other inputs under NONE and SINGLE;
//   - n_out is 0 under NONE, input_index+1 under SINGLE (outputs before the signed index are
//     written as value -1 with an empty script), else every output;
//   - SINGLE with input_index >= the number of outputs hashes nothing and yields the value 1
//     (byte 0 = 0x01, the rest 0), Bitcoin's historical quirk.
//
// BIP143 (SigVersion::witness_v0), double SHA-256 of:
//   bip143_msg := version:i32le hash_prevouts[32] hash_sequence[32] outpoint
//                 script_code:script amount:i64le sequence:u32le hash_outputs[32]
//                 lock_time:u32le hash_type:i32le
//
// BIP341/342 (SigVersion::taproot / tapscript), tagged_hash("TapSighash", 0x00 || sig_msg):
//   sig_msg := hash_type:u8 version:i32le lock_time:u32le
//              [sha_prevouts sha_amounts sha_scriptpubkeys sha_sequences]  -- unless ANYONECANPAY
//              [sha_outputs]                                               -- if ALL (or DEFAULT)
//              spend_type:u8                                  -- ext_flag*2 + annex_present
//              ( outpoint spent_txout sequence:u32le | input_index:u32le ) -- ANYONECANPAY or not
//              [sha_annex]                                                 -- if annex present
//              [sha_single_output]                                         -- if SINGLE
//              [tapleaf_hash key_version:u8 codesep_pos:u32le]            -- tapscript only
//   where each sha_* is a single SHA-256 of the concatenated serializations.
//
// PrecomputedTransactionData holds the transaction-wide hashes so that checking every input of
// a transaction costs linear time in its size for BIP143 and BIP341, not quadratic.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "consensus/consensus.h"
#include "consensus/script_error.h"
#include "consensus/signature_checker.h"
#include "crypto/pubkey.h"
#include "primitives/amount.h"
#include "primitives/script.h"
#include "primitives/transaction.h"
#include "util/bytes.h"
#include "util/uint256.h"

namespace bitloom {

// Signature hash types (the last byte of an ECDSA signature, the 65th of a Schnorr one).
inline constexpr std::uint8_t SIGHASH_DEFAULT = 0x00;  // taproot only: ALL, without a type byte
inline constexpr std::uint8_t SIGHASH_ALL = 0x01;
inline constexpr std::uint8_t SIGHASH_NONE = 0x02;
inline constexpr std::uint8_t SIGHASH_SINGLE = 0x03;
inline constexpr std::uint8_t SIGHASH_ANYONECANPAY = 0x80;
// BIP341 splits the type into an output part and an input part.
inline constexpr std::uint8_t SIGHASH_OUTPUT_MASK = 0x03;
inline constexpr std::uint8_t SIGHASH_INPUT_MASK = 0x80;


// Transaction-wide hashes, computed once and shared by the checks of every input.
//
// Built from the transaction alone, it prepares the BIP143 hashes when some input carries a
// witness and does not spend a known taproot output. Given the outputs every input spends (in
// input order), it also prepares the BIP341 hashes when some input carries a witness and
// spends a 34-byte script starting with OP_1 (Core's rule; an input that looks like taproot but
// is not fails validation anyway). `force` prepares everything regardless.
struct PrecomputedTransactionData {
    // Single SHA-256 of: every input's outpoint / sequence, every output, every spent amount
    // (i64le) / spent script (script encoding, with its length). BIP341's sha_* fields.
    Uint256 prevouts_single_hash;
    Uint256 sequences_single_hash;
    Uint256 outputs_single_hash;
    Uint256 spent_amounts_single_hash;
    Uint256 spent_scripts_single_hash;
    // BIP143's double SHA-256 versions of the first three.
    Uint256 hash_prevouts;
    Uint256 hash_sequence;
    Uint256 hash_outputs;

    bool bip143_segwit_ready = false;   // hash_prevouts, hash_sequence, hash_outputs are set
    bool bip341_taproot_ready = false;  // every *_single_hash is set (implies spent outputs)
    bool spent_outputs_ready = false;   // spent_outputs holds one output per input
    std::vector<TxOut> spent_outputs;

    PrecomputedTransactionData() = default;
    // Same as default construction followed by init().
    explicit PrecomputedTransactionData(const Transaction& tx,
                                        std::vector<TxOut> spent_outputs = {}, bool force = false);

    // Prepares the hashes for `tx`. `spent_outputs` is empty (unknown) or holds exactly one
    // output per input (anything else is a programmer error and asserts). May be called only
    // once per object that has no spent outputs yet (as Core's Init).
    void init(const Transaction& tx, std::vector<TxOut> spent_outputs, bool force = false);
};

// The ECDSA-era signature hash (legacy or BIP143, by `version`; taproot and tapscript are
// hashed like base, which no caller should ask for). `hash_type` is the signature's last byte
// (or any 32-bit value: the vectors use many). `amount` is the spent output's value, used by
// BIP143 only. `txdata` may be null; its BIP143 hashes are used when ready, otherwise they are
// computed on the spot. Requires input_index < tx.inputs().size() (asserts).
Uint256 signature_hash(const Script& script_code, const Transaction& tx, unsigned input_index,
                       std::int32_t hash_type, Amount amount, SigVersion version,
                       const PrecomputedTransactionData* txdata);

// The BIP341/342 signature hash. Returns nullopt (an invalid signature) when `hash_type` is
// not one of 0x00-0x03, 0x81-0x83; when it is SINGLE and input_index has no output; when
// `version` is not taproot or tapscript; or when txdata is not bip341_taproot_ready.
// `execdata` must have annex_init set, and for tapscript also tapleaf_hash_init and
// codeseparator_pos_init (programmer errors otherwise: asserts).
// Requires input_index < tx.inputs().size() (asserts).
std::optional<Uint256> signature_hash_schnorr(const ScriptExecutionData& execdata,
                                              const Transaction& tx, unsigned input_index,
                                              std::uint8_t hash_type, SigVersion version,
                                              const PrecomputedTransactionData& txdata);

// The BIP341 sig_msg itself, epoch byte included (0x00 || sig_msg above): what
// signature_hash_schnorr hashes with the "TapSighash" tag. Same failures. For tests and tools.
std::optional<Bytes> signature_message_schnorr(const ScriptExecutionData& execdata,
                                               const Transaction& tx, unsigned input_index,
                                               std::uint8_t hash_type, SigVersion version,
                                               const PrecomputedTransactionData& txdata);

// Checks signatures, lock times and sequences against one input of a transaction (Core's
// GenericTransactionSignatureChecker). Holds references: the transaction and the shared
// precomputed data must outlive the checker.
class TransactionSignatureChecker : public SignatureChecker {
public:
    // `amount` is the value of the output this input spends (BIP143 commits to it; a negative
    // value means unknown and fails every witness_v0 check). `txdata` is shared by the
    // checkers of all inputs of `tx`. Requires input_index < tx.inputs().size() (asserts).
    TransactionSignatureChecker(const Transaction& tx, unsigned input_index, Amount amount,
                                const PrecomputedTransactionData& txdata);
    // For one-off checks: builds its own precomputed data. With `spent_outputs` (one per
    // input) every hash is prepared (force), so taproot checks work too; without, taproot
    // checks fail with SCHNORR_SIG_HASHTYPE (missing data).
    TransactionSignatureChecker(const Transaction& tx, unsigned input_index, Amount amount,
                                std::vector<TxOut> spent_outputs = {});

    // False when the signature is empty, the key does not parse (PublicKey::parse), the
    // version is taproot/tapscript, a witness_v0 check has no amount, or the signature
    // (without its last byte, the hash type) does not verify over signature_hash().
    bool check_ecdsa_signature(ByteSpan signature, ByteSpan pubkey, const Script& script_code,
                               SigVersion version) const override;

    // `signature` is 64 bytes (SIGHASH_DEFAULT) or 65 (the last byte an explicit type, which
    // must not be 0x00). Errors: SCHNORR_SIG_SIZE (other sizes), SCHNORR_SIG_HASHTYPE (explicit
    // 0x00, or signature_hash_schnorr fails), SCHNORR_SIG (bad key or signature). Caches the
    // SINGLE output hash in `execdata`.
    bool check_schnorr_signature(ByteSpan signature, ByteSpan pubkey32, SigVersion version,
                                 ScriptExecutionData& execdata, ScriptError* error) const override;

    // BIP65: `lock_time` (already checked non-negative by the interpreter) is of the same kind
    // as the transaction's (both below LOCKTIME_THRESHOLD or both at/above), not above it, and
    // this input's sequence is not SEQUENCE_FINAL.
    bool check_lock_time(std::int64_t lock_time) const override;

    // BIP112: the transaction version (as unsigned) is at least 2, this input's sequence has no
    // disable flag, and under the mask TYPE_FLAG|0xffff both values are of the same kind (type
    // flag) and `sequence` is not above the input's.
    bool check_sequence(std::int64_t sequence) const override;

protected:
    // The last step of each signature check, once the key is parsed and the signature hash
    // computed: the elliptic-curve verification itself. A caching checker overrides these.
    virtual bool verify_ecdsa(ByteSpan der_signature, const PublicKey& pubkey,
                              const Uint256& sighash) const;
    virtual bool verify_schnorr(ByteSpan signature64, const XOnlyPublicKey& pubkey,
                                const Uint256& sighash) const;

private:
    const Transaction* tx_;
    unsigned input_index_;
    Amount amount_;
    std::unique_ptr<PrecomputedTransactionData> owned_txdata_;  // one-off constructor only
    const PrecomputedTransactionData* txdata_;
};

}  // namespace bitloom
