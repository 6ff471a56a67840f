// BIP340's verification vectors run through the interpreter's Schnorr path: a tapscript
// `<public key> OP_CHECKSIG` evaluated by eval_script with a real TransactionSignatureChecker,
// whose final curve check is pointed at the vector's message instead of a signature hash.
// Everything before that (the tapscript opcode, key-size rules, the validation-weight budget,
// signature size and hash-type handling, x-only key parsing) is the code that judges blocks.
#include <gtest/gtest.h>

#include <sstream>

#include "consensus/interpreter.h"
#include "consensus/script_flags.h"
#include "consensus/sighash.h"
#include "crypto/hash.h"
#include "testutil/vectors.h"

namespace bitloom {
namespace {

using testutil::hex;

class MessageChecker : public TransactionSignatureChecker {
public:
    MessageChecker(const Transaction& tx, const PrecomputedTransactionData& txdata, Bytes message)
        : TransactionSignatureChecker(tx, 0, 1000, txdata), message_(std::move(message)) {}

protected:
    bool verify_schnorr(ByteSpan signature64, const XOnlyPublicKey& pubkey,
                        const Uint256& /*sighash*/) const override {
        return pubkey.verify_schnorr(message_, signature64);
    }

private:
    Bytes message_;
};

// A transaction spending one P2TR output, so the checker has everything BIP341 hashing needs.
struct TaprootSpend {
    Transaction tx{MutableTransaction{}};
    std::vector<TxOut> spent;
};

TaprootSpend make_taproot_spend() {
    TaprootSpend spend;
    MutableTransaction mtx;
    TxIn in;
    in.prevout.txid = hash256(as_bytes("bip340 funding"));
    in.prevout.index = 0;
    in.witness.stack = {Bytes(64, 1)};
    mtx.inputs.push_back(in);
    mtx.outputs.push_back(TxOut{900, Script(Bytes{0x6a})});
    spend.tx = Transaction(mtx);
    Bytes program = {0x51, 0x20};
    program.resize(34, 0x02);
    spend.spent.push_back(TxOut{1000, Script(program)});
    return spend;
}

std::vector<std::string> split_csv(const std::string& line) {
    std::vector<std::string> fields;
    std::stringstream stream(line);
    std::string field;
    while (std::getline(stream, field, ',')) fields.push_back(field);
    if (!line.empty() && line.back() == ',') fields.emplace_back();
    return fields;
}

TEST(Bip340ThroughInterpreter, every_verification_case_gets_its_expected_verdict) {
    const std::string text =
        testutil::read_file_text(testutil::vector_path("bips/bip-0340_test-vectors.csv"));
    const TaprootSpend spend = make_taproot_spend();
    const PrecomputedTransactionData txdata(spend.tx, spend.spent, true);
    const ScriptFlags flags = script_flags::P2SH | script_flags::WITNESS | script_flags::TAPROOT;

    std::stringstream lines(text);
    std::string line;
    std::getline(lines, line);  // header
    std::size_t cases = 0, accepted = 0;
    while (std::getline(lines, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty()) continue;
        const auto fields = split_csv(line);
        ASSERT_GE(fields.size(), 7u) << line;
        const Bytes pubkey = hex(fields[2]);
        const Bytes message = hex(fields[4]);
        const Bytes signature = hex(fields[5]);
        const bool expected = fields[6] == "TRUE";
        SCOPED_TRACE("BIP340 vector " + fields[0]);

        Script script;
        script.push_data(pubkey).push_opcode(OP_CHECKSIG);
        std::vector<Bytes> stack = {signature};
        ScriptExecutionData execdata;
        execdata.tapleaf_hash_init = true;
        execdata.tapleaf_hash = hash256(script.span());
        execdata.codeseparator_pos_init = true;
        execdata.annex_init = true;
        execdata.annex_present = false;
        execdata.validation_weight_left_init = true;
        execdata.validation_weight_left = 50 + 100;
        const MessageChecker checker(spend.tx, txdata, message);
        ScriptError error = ScriptError::OK;
        const bool ran = eval_script(stack, script, flags, checker, SigVersion::tapscript,
                                     execdata, &error);
        const bool verified = ran && stack.size() == 1 && !stack.back().empty();
        EXPECT_EQ(verified, expected) << to_string(error);
        if (!expected) {
            // A failing non-empty signature is an error in tapscript, not a false result.
            EXPECT_FALSE(ran);
            EXPECT_EQ(error, ScriptError::SCHNORR_SIG);
        }
        ++cases;
        accepted += verified;
    }
    testutil::report_cases("bip-0340 verification through the interpreter", cases);
    ASSERT_GT(cases, 0u);
    EXPECT_GT(accepted, 0u);
    EXPECT_LT(accepted, cases);
}

}  // namespace
}  // namespace bitloom
