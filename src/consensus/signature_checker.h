// The interface between the script interpreter and the transaction it runs in.
//
// The interpreter (consensus/interpreter.h) knows scripts and stacks; a SignatureChecker knows
// the spending transaction: it computes signature hashes and checks signatures, lock times and
// sequences. TransactionSignatureChecker (consensus/sighash.h) is the real one; the base class
// answers "no" to everything, which is what a script run outside any transaction gets.
#pragma once

#include <cstdint>
#include <optional>

#include "consensus/script_error.h"
#include "primitives/script.h"
#include "util/bytes.h"
#include "util/uint256.h"

namespace bitloom {

// Which rules a script runs under (BIP141/BIP342).
enum class SigVersion {
    base,        // bare scripts and P2SH redeem scripts
    witness_v0,  // P2WPKH/P2WSH (BIP143 signature hashing)
    taproot,     // BIP341 key path (signature hashing only; no script runs)
    tapscript,   // BIP342 leaf version 0xc0
};

// What a tapscript execution knows beyond its stack (BIP341/342).
struct ScriptExecutionData {
    bool tapleaf_hash_init = false;
    Uint256 tapleaf_hash;

    bool codeseparator_pos_init = false;
    std::uint32_t codeseparator_pos = 0xffffffff;  // opcode position of the last executed one

    bool annex_init = false;
    bool annex_present = false;
    Uint256 annex_hash;  // SHA256 of compact_size(annex) || annex

    bool validation_weight_left_init = false;
    std::int64_t validation_weight_left = 0;  // BIP342 budget

    std::optional<Uint256> output_hash;  // cached SHA256 of the output for SIGHASH_SINGLE
};

class SignatureChecker {
public:
    virtual ~SignatureChecker() = default;

    // ECDSA (base and witness_v0). `signature` ends with the sighash type byte; `script_code` is
    // the script being executed from the last OP_CODESEPARATOR (already with FindAndDelete
    // applied by the interpreter for SigVersion::base).
    virtual bool check_ecdsa_signature(ByteSpan /*signature*/, ByteSpan /*pubkey*/,
                                       const Script& /*script_code*/,
                                       SigVersion /*version*/) const {
        return false;
    }

    // BIP340 signature (taproot key path and tapscript): 64 bytes, or 65 with an explicit
    // hash type. On failure sets `error` (SCHNORR_SIG_SIZE, SCHNORR_SIG_HASHTYPE, SCHNORR_SIG).
    virtual bool check_schnorr_signature(ByteSpan /*signature*/, ByteSpan /*pubkey32*/,
                                         SigVersion /*version*/,
                                         ScriptExecutionData& /*execdata*/,
                                         ScriptError* error) const {
        if (error) *error = ScriptError::SCHNORR_SIG;
        return false;
    }

    // OP_CHECKLOCKTIMEVERIFY / OP_CHECKSEQUENCEVERIFY against the spending transaction.
    virtual bool check_lock_time(std::int64_t /*lock_time*/) const { return false; }
    virtual bool check_sequence(std::int64_t /*sequence*/) const { return false; }
};

}  // namespace bitloom
