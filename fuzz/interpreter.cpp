// verify_script and eval_script on a scriptSig, scriptPubKey, witness stack and flags taken
// from the input, with the base SignatureChecker (every signature fails) and with a
// TransactionSignatureChecker on a small fixed transaction (so the signature paths run).
//
// Input: flags:u32le selector:u8 script_sig:piece script_pubkey:piece count:u8 item:piece[..]
//        (piece := len:u16le byte[len]; see InputReader)
#include "consensus/interpreter.h"
#include "consensus/script_error.h"
#include "consensus/script_flags.h"
#include "consensus/sighash.h"
#include "fuzz/fuzz_check.h"
#include "primitives/transaction.h"

using namespace bitloom;
using bitloom::fuzz::check;

namespace {

// Two inputs (one non-final sequence, one relative lock), two outputs, a block-height lock
// time: enough for CHECKLOCKTIMEVERIFY, CHECKSEQUENCEVERIFY and SIGHASH_SINGLE to branch.
const Transaction& spending_transaction() {
    static const Transaction tx = [] {
        MutableTransaction mtx;
        mtx.version = 2;
        mtx.lock_time = 500;
        for (std::uint32_t i = 0; i < 2; ++i) {
            TxIn input;
            input.prevout.txid.data()[0] = std::uint8_t(i + 1);
            input.prevout.index = i;
            input.sequence = i == 0 ? TxIn::MAX_SEQUENCE_NONFINAL : 5;
            mtx.inputs.push_back(std::move(input));
            TxOut output;
            output.value = 1000 * (i + 1);
            output.script_pubkey.push_opcode(OP_TRUE);
            mtx.outputs.push_back(std::move(output));
        }
        return Transaction(std::move(mtx));
    }();
    return tx;
}

// The interpreter's documented flag preconditions: WITNESS needs P2SH, CLEANSTACK both.
ScriptFlags usable_flags(ScriptFlags flags) {
    flags &= script_flags::ALL;
    if (flags & script_flags::CLEANSTACK) flags |= script_flags::P2SH | script_flags::WITNESS;
    if (flags & script_flags::WITNESS) flags |= script_flags::P2SH;
    return flags;
}

void run_verify(const Script& script_sig, const Script& script_pubkey,
                const ScriptWitness& witness, ScriptFlags flags, const SignatureChecker& checker) {
    ScriptError error = ScriptError::UNKNOWN_ERROR;
    const bool ok = verify_script(script_sig, script_pubkey, &witness, flags, checker, &error);
    check(ok == (error == ScriptError::OK));
}

void run_eval(const Script& script, const ScriptWitness& witness, ScriptFlags flags,
              const SignatureChecker& checker, SigVersion version) {
    std::vector<Bytes> stack = witness.stack;
    ScriptExecutionData execdata;
    if (version == SigVersion::tapscript) {
        execdata.tapleaf_hash_init = true;
        execdata.annex_init = true;
        execdata.validation_weight_left_init = true;
        execdata.validation_weight_left = 50 + 200;
    }
    ScriptError error = ScriptError::UNKNOWN_ERROR;
    const bool ok = eval_script(stack, script, flags, checker, version, execdata, &error);
    check(ok == (error == ScriptError::OK));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::InputReader in(data, size);
    const ScriptFlags flags = usable_flags(in.u32());
    const std::uint8_t selector = in.byte();
    const Script script_sig(in.piece());
    const Script script_pubkey(in.piece());
    ScriptWitness witness;
    for (unsigned n = in.byte() % 8; n > 0 && !in.empty(); --n) witness.stack.push_back(in.piece());

    const SignatureChecker no_signatures;
    run_verify(script_sig, script_pubkey, witness, flags, no_signatures);

    const Transaction& tx = spending_transaction();
    const unsigned input_index = selector & 1;
    const Amount amount = (selector & 2) ? -1 : 1000;
    std::vector<TxOut> spent(2);
    spent[input_index].value = amount < 0 ? 0 : amount;
    spent[input_index].script_pubkey = script_pubkey;
    const TransactionSignatureChecker tx_checker(tx, input_index, amount, std::move(spent));
    run_verify(script_sig, script_pubkey, witness, flags, tx_checker);

    const SigVersion version = (selector >> 2) % 3 == 0   ? SigVersion::base
                               : (selector >> 2) % 3 == 1 ? SigVersion::witness_v0
                                                          : SigVersion::tapscript;
    run_eval(script_pubkey, witness, flags, tx_checker, version);
    return 0;
}
