// The script interpreter: runs Bitcoin scripts against a stack, and verifies that an input's
// scriptSig (and witness) satisfy the scriptPubKey it spends, under a set of ScriptFlags.
//
// The rules are Bitcoin Core's (EvalScript / VerifyScript / VerifyWitnessProgram), including
// which error is reported first when a script breaks several rules: the vectors compare errors.
//
//   legacy       := scriptSig evaluated, then scriptPubKey on the same stack   (SigVersion::base)
//   p2sh (BIP16) := ... then the last scriptSig push (the redeem script) on the stack the
//                   scriptSig left, minus that push
//   segwit v0    := witness program 20 bytes: P2WPKH, witness = [sig, pubkey]
//                   witness program 32 bytes: P2WSH, witness = [args..., witness script]
//   taproot      := witness program v1, 32 bytes, not P2SH-wrapped (BIP341):
//                   witness = [sig] (+ annex)                       key path
//                   witness = [args..., script, control] (+ annex)  script path; leaf 0xc0 runs
//                   as tapscript (BIP342), other leaf versions succeed unless discouraged
//   annex        := the last witness element when there are at least two and it starts 0x50
//
// Neither function throws; failures return false with the reason in `*error` (when given).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "consensus/script_error.h"
#include "consensus/script_flags.h"
#include "consensus/signature_checker.h"
#include "primitives/script.h"
#include "util/bytes.h"

namespace bitloom {

// Stack and altstack together may hold at most this many elements (and a tapscript's initial
// witness stack too).
inline constexpr std::size_t MAX_STACK_SIZE = 1000;
// BIP342 signature budget: each executed signature check with a non-empty signature costs
// VALIDATION_WEIGHT_PER_SIGOP_PASSED out of (witness serialized size + VALIDATION_WEIGHT_OFFSET).
inline constexpr std::int64_t VALIDATION_WEIGHT_PER_SIGOP_PASSED = 50;
inline constexpr std::int64_t VALIDATION_WEIGHT_OFFSET = 50;
// Tag of the BIP341 annex (first byte of the last witness element).
inline constexpr std::uint8_t ANNEX_TAG = 0x50;

// Runs `script` on `stack` (Core's EvalScript). `version` selects base/witness_v0/tapscript
// rules (SigVersion::taproot names the key path, which runs no script: do not pass it).
// Limits: base and witness_v0 scripts at most MAX_SCRIPT_SIZE bytes and MAX_OPS_PER_SCRIPT
// non-push operations (CHECKMULTISIG adds its key count); every version: pushes at most
// MAX_SCRIPT_ELEMENT_SIZE bytes, stack + altstack at most MAX_STACK_SIZE after each operation.
// For tapscript the caller sets execdata's tapleaf hash, annex and validation weight (a budget
// left at 0 fails the first non-empty signature); eval_script sets the codeseparator position.
// On failure `stack` holds whatever the script left and `*error` the reason; on success
// `*error` is OK.
bool eval_script(std::vector<Bytes>& stack, const Script& script, ScriptFlags flags,
                 const SignatureChecker& checker, SigVersion version, ScriptExecutionData& execdata,
                 ScriptError* error);

// eval_script with a fresh ScriptExecutionData.
bool eval_script(std::vector<Bytes>& stack, const Script& script, ScriptFlags flags,
                 const SignatureChecker& checker, SigVersion version, ScriptError* error);

// Verifies one input (Core's VerifyScript): scriptSig, then scriptPubKey on the same stack,
// which must end true; then, by the flags, the witness program (WITNESS), the P2SH redeem
// script (P2SH; a P2SH-wrapped witness program needs a scriptSig that is exactly one push of
// it), CLEANSTACK, and that a witness is only given to witness programs. `witness` may be null
// (treated as empty). Flags are used as given: CLEANSTACK is only meaningful with P2SH and
// WITNESS, and WITNESS with P2SH (as in Core, where other combinations are programming errors).
// Returns true and sets `*error` to OK on success.
bool verify_script(const Script& script_sig, const Script& script_pubkey,
                   const ScriptWitness* witness, ScriptFlags flags,
                   const SignatureChecker& checker, ScriptError* error);

// ---- Pieces of the rules, exposed for their callers and tests ------------------------------

// A stack element as a boolean: false for all zero bytes, and for "negative zero" (zeros
// ending in 0x80).
bool cast_to_bool(ByteSpan element);

// Whether a push of `data` with `opcode` is the smallest possible (MINIMALDATA, BIP62 rule 3).
bool check_minimal_push(ByteSpan data, Opcode opcode);

// Whether `opcode` is an OP_SUCCESSx of BIP342 (80, 98, 126-129, 131-134, 137-138, 141-142,
// 149-153, 187-254).
bool is_op_success(std::uint8_t opcode);

// Removes every occurrence of `pattern` that starts at an operation boundary of `script`
// (Core's FindAndDelete) and returns how many were removed. An empty pattern removes nothing.
int find_and_delete(Script& script, ByteSpan pattern);

}  // namespace bitloom
