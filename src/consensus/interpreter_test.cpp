#include "consensus/interpreter.h"

#include <gtest/gtest.h>

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "consensus/script_error.h"
#include "consensus/script_flags.h"
#include "consensus/script_num.h"
#include "crypto/hash.h"
#include "crypto/pubkey.h"
#include "crypto/sha256.h"
#include "crypto/taproot.h"
#include "primitives/script_asm.h"
#include "testutil/vectors.h"
#include "util/hex.h"

namespace bitloom {
namespace {

using testutil::hex;
namespace f = script_flags;

}  // namespace

void PrintTo(ScriptError error, std::ostream* os) { *os << to_string(error); }

namespace {

Script assemble(std::string_view text) {
    auto script = parse_script_asm(text);
    EXPECT_TRUE(script.has_value()) << text;
    return script ? *script : Script();
}

// Signatures are "valid" when they equal VALID_ECDSA / VALID_SCHNORR; records what it saw.
class FakeChecker : public SignatureChecker {
public:
    static inline const Bytes VALID_ECDSA = Bytes{0x30, 0x01, 0x01};
    static inline const Bytes VALID_SCHNORR = Bytes(64, 0x5a);

    bool check_ecdsa_signature(ByteSpan signature, ByteSpan, const Script& script_code,
                               SigVersion) const override {
        last_script_code = script_code;
        ++ecdsa_calls;
        return Bytes(signature.begin(), signature.end()) == VALID_ECDSA;
    }
    bool check_schnorr_signature(ByteSpan signature, ByteSpan, SigVersion version,
                                 ScriptExecutionData& execdata,
                                 ScriptError* error) const override {
        ++schnorr_calls;
        last_version = version;
        annex_present = execdata.annex_init && execdata.annex_present;
        annex_hash = execdata.annex_hash;
        if (Bytes(signature.begin(), signature.end()) == VALID_SCHNORR) return true;
        if (error) *error = ScriptError::SCHNORR_SIG;
        return false;
    }
    bool check_lock_time(std::int64_t lock_time) const override {
        return lock_time <= max_lock_time;
    }
    bool check_sequence(std::int64_t sequence) const override { return sequence <= max_sequence; }

    std::int64_t max_lock_time = 0;
    std::int64_t max_sequence = 0;
    mutable Script last_script_code;
    mutable int ecdsa_calls = 0;
    mutable int schnorr_calls = 0;
    mutable SigVersion last_version = SigVersion::base;
    mutable bool annex_present = false;
    mutable Uint256 annex_hash;
};

struct EvalResult {
    bool ok;
    ScriptError error;
    std::vector<Bytes> stack;
};

EvalResult eval(const Script& script, ScriptFlags flags = 0, SigVersion version = SigVersion::base,
                std::vector<Bytes> stack = {}, const SignatureChecker& checker = FakeChecker{}) {
    ScriptExecutionData execdata;
    execdata.validation_weight_left = 1'000'000;
    execdata.validation_weight_left_init = true;
    ScriptError error = ScriptError::UNKNOWN_ERROR;
    const bool ok = eval_script(stack, script, flags, checker, version, execdata, &error);
    return {ok, error, std::move(stack)};
}

ScriptError eval_error(std::string_view text, ScriptFlags flags = 0,
                       SigVersion version = SigVersion::base) {
    return eval(assemble(text), flags, version).error;
}

// ---- Script numbers ---------------------------------------------------------------------------

TEST(ScriptNum, round_trips_values_through_the_encoding) {
    for (std::int64_t v : {0LL, 1LL, -1LL, 127LL, 128LL, -128LL, 255LL, 32767LL, -32768LL,
                           2147483647LL, -2147483647LL, 549755813887LL}) {
        const Bytes encoded = ScriptNum(v).encode();
        EXPECT_EQ(encoded, encode_script_num(v)) << v;
        const auto decoded = ScriptNum::decode(encoded, true, 8);
        ASSERT_TRUE(decoded.has_value()) << v;
        EXPECT_EQ(decoded->value(), v);
    }
}

TEST(ScriptNum, rejects_operands_longer_than_the_limit) {
    EXPECT_TRUE(ScriptNum::decode(hex("ffffff7f"), true).has_value());
    EXPECT_FALSE(ScriptNum::decode(hex("0000008000"), false).has_value());
    EXPECT_TRUE(ScriptNum::decode(hex("0000008000"), false, 5).has_value());
}

TEST(ScriptNum, minimal_encoding_forbids_redundant_trailing_bytes_only) {
    EXPECT_FALSE(ScriptNum::is_minimally_encoded(hex("00")));
    EXPECT_FALSE(ScriptNum::is_minimally_encoded(hex("80")));      // negative zero
    EXPECT_FALSE(ScriptNum::is_minimally_encoded(hex("0100")));
    EXPECT_FALSE(ScriptNum::is_minimally_encoded(hex("0180")));
    EXPECT_TRUE(ScriptNum::is_minimally_encoded(hex("ff00")));     // 255 needs the 0x00
    EXPECT_TRUE(ScriptNum::is_minimally_encoded(hex("ff80")));     // -255
    EXPECT_TRUE(ScriptNum::is_minimally_encoded(hex("")));
    // Non-minimal values still decode without the requirement: 0x0100 is 1.
    EXPECT_EQ(ScriptNum::decode(hex("0100"), false)->value(), 1);
    EXPECT_EQ(ScriptNum::decode(hex("80"), false)->value(), 0);
}

TEST(ScriptNum, clamps_to_int_for_counts) {
    EXPECT_EQ(ScriptNum(5'000'000'000LL).to_int(), INT_MAX);
    EXPECT_EQ(ScriptNum(-5'000'000'000LL).to_int(), INT_MIN);
}

TEST(Interpreter, arithmetic_results_may_exceed_four_bytes_but_cannot_be_reused) {
    const auto pushed = eval(assemble("2147483647 DUP ADD"));
    ASSERT_TRUE(pushed.ok);
    EXPECT_EQ(pushed.stack.back(), hex("feffffff00"));
    EXPECT_EQ(eval_error("2147483647 DUP ADD 1ADD"), ScriptError::SCRIPTNUM);
}

TEST(Interpreter, minimaldata_rejects_non_minimal_number_operands) {
    EXPECT_EQ(eval_error("0x02 0x0100 1ADD DROP 1"), ScriptError::OK);
    EXPECT_EQ(eval_error("0x02 0x0100 1ADD DROP 1", f::MINIMALDATA), ScriptError::SCRIPTNUM);
    // The push itself must be minimal too.
    EXPECT_EQ(eval_error("0x01 0x05 DROP 1"), ScriptError::OK);
    EXPECT_EQ(eval_error("0x01 0x05 DROP 1", f::MINIMALDATA), ScriptError::MINIMALDATA);
    EXPECT_EQ(eval_error("0x4c 0x01 0x07 DROP 1", f::MINIMALDATA), ScriptError::MINIMALDATA);
    // A non-minimal operand that arrived on the stack pre-pushed fails as a number.
    const auto result = eval(assemble("1ADD"), f::MINIMALDATA, SigVersion::base, {hex("0100")});
    EXPECT_EQ(result.error, ScriptError::SCRIPTNUM);
}

// ---- Limits -----------------------------------------------------------------------------------

Script repeated(std::string_view op, int count, std::string_view tail = "") {
    std::string text;
    for (int i = 0; i < count; ++i) {
        text += op;
        text += ' ';
    }
    text += tail;
    return assemble(text);
}

TEST(Interpreter, allows_201_non_push_operations_and_rejects_202) {
    EXPECT_EQ(eval(repeated("NOP", 200, "1 NOP")).error, ScriptError::OK);
    EXPECT_EQ(eval(repeated("NOP", 202, "1")).error, ScriptError::OP_COUNT);
    // Pushes do not count.
    EXPECT_EQ(eval(repeated("1", 500, "NOP")).error, ScriptError::OK);
    // Tapscript has no operation limit.
    EXPECT_EQ(eval(repeated("NOP", 500, "1"), 0, SigVersion::tapscript).error, ScriptError::OK);
}

TEST(Interpreter, multisig_key_count_adds_to_the_operation_count) {
    // 190 NOPs + CHECKMULTISIG (1) + 11 keys > 201.
    std::string keys;
    for (int i = 0; i < 11; ++i) keys += "0 ";
    EXPECT_EQ(eval(repeated("NOP", 190, "0 0 " + keys + "11 CHECKMULTISIG")).error,
              ScriptError::OP_COUNT);
    EXPECT_EQ(eval(repeated("NOP", 189, "0 0 " + keys + "11 CHECKMULTISIG")).error,
              ScriptError::OK);
}

TEST(Interpreter, rejects_pushes_over_520_bytes_even_unexecuted) {
    Script ok_script;
    ok_script.push_data(Bytes(520, 1));
    EXPECT_EQ(eval(ok_script).error, ScriptError::OK);
    Script big;
    big.push_opcode(OP_0).push_opcode(OP_IF).push_data(Bytes(521, 1)).push_opcode(OP_ENDIF);
    EXPECT_EQ(eval(big).error, ScriptError::PUSH_SIZE);
}

TEST(Interpreter, script_size_limit_applies_to_legacy_and_v0_but_not_tapscript) {
    Script script;
    for (int i = 0; i < 20; ++i) script.push_data(Bytes(500, 1)).push_opcode(OP_DROP);
    script.push_opcode(OP_1);
    ASSERT_GT(script.size(), MAX_SCRIPT_SIZE);
    EXPECT_EQ(eval(script, 0, SigVersion::base).error, ScriptError::SCRIPT_SIZE);
    EXPECT_EQ(eval(script, 0, SigVersion::witness_v0).error, ScriptError::SCRIPT_SIZE);
    EXPECT_EQ(eval(script, 0, SigVersion::tapscript).error, ScriptError::OK);
}

TEST(Interpreter, stack_and_altstack_together_hold_at_most_1000_elements) {
    EXPECT_EQ(eval(repeated("1", 999, "TOALTSTACK 1")).error, ScriptError::OK);
    EXPECT_EQ(eval(repeated("1", 1000, "TOALTSTACK 1")).error, ScriptError::STACK_SIZE);
    EXPECT_EQ(eval(repeated("1", 1001)).error, ScriptError::STACK_SIZE);
}

// ---- Conditionals -----------------------------------------------------------------------------

TEST(Interpreter, nested_conditionals_execute_only_the_taken_branches) {
    const auto r = eval(assemble("1 IF 0 IF 2 ELSE 3 ENDIF ELSE 4 ENDIF 0 NOTIF 5 ENDIF"));
    ASSERT_TRUE(r.ok);
    ASSERT_EQ(r.stack.size(), 2U);
    EXPECT_EQ(r.stack[0], hex("03"));
    EXPECT_EQ(r.stack[1], hex("05"));
}

TEST(Interpreter, each_else_toggles_the_branch) {
    const auto r = eval(assemble("1 IF 2 ELSE 3 ELSE 4 ELSE 5 ENDIF"));
    ASSERT_TRUE(r.ok);
    ASSERT_EQ(r.stack.size(), 2U);
    EXPECT_EQ(r.stack[0], hex("02"));
    EXPECT_EQ(r.stack[1], hex("04"));
}

TEST(Interpreter, unbalanced_conditionals_fail) {
    EXPECT_EQ(eval_error("1 IF 1"), ScriptError::UNBALANCED_CONDITIONAL);
    EXPECT_EQ(eval_error("1 ENDIF"), ScriptError::UNBALANCED_CONDITIONAL);
    EXPECT_EQ(eval_error("1 ELSE 1 ENDIF"), ScriptError::UNBALANCED_CONDITIONAL);
    EXPECT_EQ(eval_error("IF 1 ENDIF"), ScriptError::INVALID_STACK_OPERATION);
}

TEST(Interpreter, verif_and_disabled_opcodes_fail_even_in_unexecuted_branches) {
    EXPECT_EQ(eval_error("0 IF VERIF ENDIF 1"), ScriptError::BAD_OPCODE);
    EXPECT_EQ(eval_error("0 IF VERNOTIF ENDIF 1"), ScriptError::BAD_OPCODE);
    EXPECT_EQ(eval_error("0 IF CAT ENDIF 1"), ScriptError::DISABLED_OPCODE);
    // Merely reserved opcodes are fine when not executed.
    EXPECT_EQ(eval_error("0 IF VER RESERVED 0xba ENDIF 1"), ScriptError::OK);
    EXPECT_EQ(eval_error("1 IF VER ENDIF 1"), ScriptError::BAD_OPCODE);
}

TEST(Interpreter, minimalif_is_policy_in_witness_v0_and_consensus_in_tapscript) {
    const Script script = assemble("IF 1 ENDIF");
    const std::vector<Bytes> two{hex("02")};
    EXPECT_TRUE(eval(script, f::MINIMALIF, SigVersion::base, two).ok);
    EXPECT_TRUE(eval(script, 0, SigVersion::witness_v0, two).ok);
    EXPECT_EQ(eval(script, f::MINIMALIF, SigVersion::witness_v0, two).error,
              ScriptError::MINIMALIF);
    EXPECT_EQ(eval(script, 0, SigVersion::tapscript, two).error,
              ScriptError::TAPSCRIPT_MINIMALIF);
    EXPECT_EQ(eval(script, 0, SigVersion::tapscript, {hex("00")}).error,
              ScriptError::TAPSCRIPT_MINIMALIF);
    EXPECT_TRUE(eval(script, 0, SigVersion::tapscript, {hex("01")}).ok);
}

TEST(Interpreter, cast_to_bool_treats_negative_zero_as_false) {
    EXPECT_FALSE(cast_to_bool(hex("")));
    EXPECT_FALSE(cast_to_bool(hex("0000")));
    EXPECT_FALSE(cast_to_bool(hex("000080")));
    EXPECT_TRUE(cast_to_bool(hex("800000")));
    EXPECT_TRUE(cast_to_bool(hex("01")));
}

TEST(Interpreter, stack_operations_move_the_right_elements) {
    const auto r = eval(assemble("1 2 3 4 5 6 2ROT 3 ROLL 2SWAP TUCK"));
    ASSERT_TRUE(r.ok);
    // 1 2 3 4 5 6 -> 2ROT -> 3 4 5 6 1 2 -> 3 ROLL -> 3 4 6 1 2 5 -> 2SWAP -> 3 4 2 5 6 1
    // -> TUCK -> 3 4 2 5 1 6 1
    std::string got;
    for (const Bytes& e : r.stack) got += to_hex(e) + " ";
    EXPECT_EQ(got, "03 04 02 05 01 06 01 ");
}

TEST(Interpreter, sha1_matches_the_fips_example) {
    const auto r = eval(assemble("'abc' SHA1"));
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(to_hex(r.stack.back()), "a9993e364706816aba3e25717850c26c9cd0d89d");
    const auto long_input = eval(assemble(
        "'abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq' SHA1"));
    EXPECT_EQ(to_hex(long_input.stack.back()), "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
}

// ---- Lock times -------------------------------------------------------------------------------

TEST(Interpreter, checklocktimeverify_reads_five_byte_operands_and_asks_the_checker) {
    FakeChecker checker;
    checker.max_lock_time = 0xffffffffLL;
    const ScriptFlags flags = f::CHECKLOCKTIMEVERIFY;
    EXPECT_EQ(eval(assemble("4294967295 CHECKLOCKTIMEVERIFY"), flags, SigVersion::base, {},
                   checker).error,
              ScriptError::OK);
    EXPECT_EQ(eval(assemble("0x06 0x000000000001 CHECKLOCKTIMEVERIFY"), flags, SigVersion::base,
                   {}, checker).error,
              ScriptError::SCRIPTNUM);
    EXPECT_EQ(eval(assemble("-1 CHECKLOCKTIMEVERIFY"), flags, SigVersion::base, {}, checker).error,
              ScriptError::NEGATIVE_LOCKTIME);
    checker.max_lock_time = 10;
    EXPECT_EQ(eval(assemble("11 CHECKLOCKTIMEVERIFY"), flags, SigVersion::base, {}, checker).error,
              ScriptError::UNSATISFIED_LOCKTIME);
    // Without the flag it is NOP2, and not discouraged.
    EXPECT_EQ(eval(assemble("11 CHECKLOCKTIMEVERIFY"), f::DISCOURAGE_UPGRADABLE_NOPS,
                   SigVersion::base, {}, checker).error,
              ScriptError::OK);
}

TEST(Interpreter, checksequenceverify_with_the_disable_flag_is_a_nop) {
    FakeChecker checker;  // accepts nothing above 0
    const ScriptFlags flags = f::CHECKSEQUENCEVERIFY;
    EXPECT_EQ(eval(assemble("0x05 0x0000008000 CHECKSEQUENCEVERIFY"), flags, SigVersion::base, {},
                   checker).error,
              ScriptError::OK);
    EXPECT_EQ(eval(assemble("1 CHECKSEQUENCEVERIFY"), flags, SigVersion::base, {}, checker).error,
              ScriptError::UNSATISFIED_LOCKTIME);
    EXPECT_EQ(eval(assemble("-1 CHECKSEQUENCEVERIFY"), flags, SigVersion::base, {}, checker).error,
              ScriptError::NEGATIVE_LOCKTIME);
}

TEST(Interpreter, upgradable_nops_are_discouraged_only_with_the_flag) {
    EXPECT_EQ(eval_error("1 NOP1 NOP4 NOP10"), ScriptError::OK);
    EXPECT_EQ(eval_error("1 NOP10", f::DISCOURAGE_UPGRADABLE_NOPS),
              ScriptError::DISCOURAGE_UPGRADABLE_NOPS);
}

// ---- Signatures and scriptCode ----------------------------------------------------------------

TEST(Interpreter, find_and_delete_removes_pushes_only_at_operation_boundaries) {
    struct Row {
        const char* script;
        const char* pattern;
        const char* expected;
        int count;
    };
    const Row rows[] = {
        {"0302ff03", "0302ff03", "", 1},
        {"0302ff030302ff03", "0302ff03", "", 2},
        {"0302ff030302ff03", "02", "0302ff030302ff03", 0},
        {"0302ff030302ff03", "ff", "0302ff030302ff03", 0},
        {"0302ff030302ff03", "03", "02ff0302ff03", 2},
        {"02feed5169", "feed51", "02feed5169", 0},
        {"02feed5169", "02feed51", "69", 1},
        {"516902feed5169", "feed51", "516902feed5169", 0},
        {"516902feed5169", "02feed51", "516969", 1},
        {"0003feed", "03feed", "00", 1},
        {"0003feed", "00", "03feed", 1},
    };
    for (const Row& row : rows) {
        Script script(hex(row.script));
        EXPECT_EQ(find_and_delete(script, hex(row.pattern)), row.count) << row.script;
        EXPECT_EQ(to_hex(script.span()), row.expected) << row.script << " - " << row.pattern;
    }
}

TEST(Interpreter, checksig_in_base_removes_the_signature_from_the_script_code) {
    FakeChecker checker;
    const Bytes sig = FakeChecker::VALID_ECDSA;
    Script script;
    script.push_data(sig).push_opcode(OP_DROP).push_opcode(OP_CHECKSIG);
    const std::vector<Bytes> stack{sig, hex("02")};
    EXPECT_TRUE(eval(script, 0, SigVersion::base, stack, checker).ok);
    EXPECT_EQ(to_hex(checker.last_script_code.span()), "75ac");
    // Witness v0 signs the script as it is.
    EXPECT_TRUE(eval(script, 0, SigVersion::witness_v0, stack, checker).ok);
    EXPECT_EQ(checker.last_script_code, script);
    // CONST_SCRIPTCODE turns the removal into an error.
    EXPECT_EQ(eval(script, f::CONST_SCRIPTCODE, SigVersion::base, stack, checker).error,
              ScriptError::SIG_FINDANDDELETE);
}

TEST(Interpreter, codeseparator_starts_the_script_code_and_is_banned_by_const_scriptcode) {
    FakeChecker checker;
    const Script script = assemble("1 CODESEPARATOR DROP CHECKSIG");
    EXPECT_TRUE(
        eval(script, 0, SigVersion::base, {FakeChecker::VALID_ECDSA, hex("02")}, checker).ok);
    EXPECT_EQ(to_hex(checker.last_script_code.span()), "75ac");
    EXPECT_EQ(eval_error("0 IF CODESEPARATOR ENDIF 1", f::CONST_SCRIPTCODE),
              ScriptError::OP_CODESEPARATOR);
    EXPECT_EQ(eval_error("CODESEPARATOR 1", f::CONST_SCRIPTCODE, SigVersion::witness_v0),
              ScriptError::OK);
}

TEST(Interpreter, nullfail_requires_empty_signatures_on_failure) {
    FakeChecker checker;
    const Script script = assemble("CHECKSIG NOT");
    EXPECT_TRUE(eval(script, f::NULLFAIL, SigVersion::base, {hex(""), hex("02")}, checker).ok);
    EXPECT_TRUE(eval(script, 0, SigVersion::base, {hex("3000"), hex("02")}, checker).ok);
    EXPECT_EQ(eval(script, f::NULLFAIL, SigVersion::base, {hex("3000"), hex("02")}, checker).error,
              ScriptError::SIG_NULLFAIL);
}

TEST(Interpreter, checkmultisig_checks_dummy_and_counts) {
    FakeChecker checker;
    const Bytes sig = FakeChecker::VALID_ECDSA;
    const Script one_of_two = assemble("1 0x01 0x02 0x01 0x03 2 CHECKMULTISIG");
    EXPECT_TRUE(eval(one_of_two, 0, SigVersion::base, {hex(""), sig}, checker).ok);
    EXPECT_TRUE(eval(one_of_two, 0, SigVersion::base, {hex("01"), sig}, checker).ok);
    EXPECT_EQ(eval(one_of_two, f::NULLDUMMY, SigVersion::base, {hex("01"), sig}, checker).error,
              ScriptError::SIG_NULLDUMMY);
    EXPECT_EQ(eval_error("0 0 2 0 0 2 CHECKMULTISIG"), ScriptError::INVALID_STACK_OPERATION);
    EXPECT_EQ(eval_error("0 0 3 0 0 2 CHECKMULTISIG"), ScriptError::SIG_COUNT);
    EXPECT_EQ(eval_error("0 0 21 CHECKMULTISIG"), ScriptError::PUBKEY_COUNT);
    EXPECT_EQ(eval_error("0 0 0 1 CHECKMULTISIG", 0, SigVersion::tapscript),
              ScriptError::TAPSCRIPT_CHECKMULTISIG);
}

TEST(Interpreter, pubkey_type_rules_follow_the_flags) {
    FakeChecker checker;
    const Script script = assemble("CHECKSIG");
    const Bytes uncompressed = [] {
        Bytes key(65, 0x11);
        key[0] = 0x04;
        return key;
    }();
    EXPECT_EQ(eval(script, f::STRICTENC, SigVersion::base, {hex(""), hex("05")}, checker).error,
              ScriptError::PUBKEYTYPE);
    EXPECT_EQ(eval(script, f::WITNESS_PUBKEYTYPE, SigVersion::witness_v0, {hex(""), uncompressed},
                   checker).error,
              ScriptError::WITNESS_PUBKEYTYPE);
    EXPECT_EQ(eval(script, f::WITNESS_PUBKEYTYPE, SigVersion::base, {hex(""), uncompressed},
                   checker).error,
              ScriptError::OK);
}

// ---- Tapscript --------------------------------------------------------------------------------

const Bytes INTERNAL_KEY = hex("79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798");

struct TaprootSpend {
    Script script_pubkey;
    ScriptWitness witness;
};

// A single-leaf taproot output for `leaf` and a script-path witness spending it.
TaprootSpend taproot_spend(const Script& leaf, std::vector<Bytes> arguments,
                           std::uint8_t leaf_version = TAPROOT_LEAF_TAPSCRIPT,
                           std::optional<Bytes> annex = std::nullopt) {
    const auto internal = XOnlyPublicKey::parse(INTERNAL_KEY);
    EXPECT_TRUE(internal.has_value());
    const Uint256 leaf_hash = tap_leaf_hash(leaf_version, leaf.span());
    const auto tweaked = internal->create_tap_tweak(leaf_hash);
    EXPECT_TRUE(tweaked.has_value());
    TaprootSpend spend;
    spend.script_pubkey.push_opcode(OP_1).push_data(tweaked->key.span());
    spend.witness.stack = std::move(arguments);
    spend.witness.stack.emplace_back(leaf.begin(), leaf.end());
    spend.witness.stack.push_back(
        tap_control_block(leaf_version, tweaked->parity, *internal, {}));
    if (annex) spend.witness.stack.push_back(*annex);
    return spend;
}

constexpr ScriptFlags TAPROOT_FLAGS = f::P2SH | f::WITNESS | f::TAPROOT;

ScriptError verify(const TaprootSpend& spend, ScriptFlags flags = TAPROOT_FLAGS,
                   const SignatureChecker& checker = FakeChecker{}) {
    ScriptError error = ScriptError::UNKNOWN_ERROR;
    const bool ok = verify_script(Script(), spend.script_pubkey, &spend.witness, flags, checker,
                                  &error);
    EXPECT_EQ(ok, error == ScriptError::OK);
    return error;
}

TEST(Tapscript, op_success_makes_the_script_succeed_before_anything_runs) {
    // 0x50 (OP_RESERVED) is OP_SUCCESS80; the script would otherwise return and leave no stack.
    EXPECT_EQ(verify(taproot_spend(assemble("RETURN 0x50"), {})), ScriptError::OK);
    // Even oversized arguments and an initial stack over 1000 are overridden.
    EXPECT_EQ(verify(taproot_spend(assemble("0x50"), {Bytes(600, 1)})), ScriptError::OK);
    EXPECT_EQ(verify(taproot_spend(assemble("0xba 0x50"), {}),
                     TAPROOT_FLAGS | f::DISCOURAGE_OP_SUCCESS),
              ScriptError::DISCOURAGE_OP_SUCCESS);
    // A push that runs off the end before the OP_SUCCESS is found is a bad opcode...
    EXPECT_EQ(verify(taproot_spend(Script(hex("4c05")), {})), ScriptError::BAD_OPCODE);
    // ...but one after it is never reached.
    EXPECT_EQ(verify(taproot_spend(Script(hex("504c05")), {})), ScriptError::OK);
}

TEST(Tapscript, opcodes_disabled_in_legacy_are_op_success) {
    EXPECT_EQ(verify(taproot_spend(assemble("CAT"), {})), ScriptError::OK);
    EXPECT_EQ(verify(taproot_spend(assemble("MUL"), {})), ScriptError::OK);
    EXPECT_FALSE(is_op_success(OP_CHECKSIGADD));
    EXPECT_FALSE(is_op_success(OP_VERIF));
    EXPECT_TRUE(is_op_success(0xfe));
    EXPECT_FALSE(is_op_success(0xff));
}

TEST(Tapscript, checksigadd_adds_one_per_valid_signature) {
    const Bytes key(32, 0x02);
    Script leaf;
    leaf.push_opcode(OP_0).push_data(key).push_opcode(OP_CHECKSIGADD);
    leaf.push_data(key).push_opcode(OP_CHECKSIGADD).push_opcode(OP_1).push_opcode(OP_NUMEQUAL);
    // Arguments bottom to top: sig for the second key, sig for the first.
    EXPECT_EQ(verify(taproot_spend(leaf, {Bytes{}, FakeChecker::VALID_SCHNORR})), ScriptError::OK);
    EXPECT_EQ(verify(taproot_spend(leaf, {Bytes{}, Bytes{}})), ScriptError::EVAL_FALSE);
    EXPECT_EQ(verify(taproot_spend(leaf, {Bytes{}, Bytes(64, 1)})), ScriptError::SCHNORR_SIG);
    // Not available outside tapscript.
    EXPECT_EQ(eval_error("0 0 0 CHECKSIGADD", 0, SigVersion::witness_v0), ScriptError::BAD_OPCODE);
}

TEST(Tapscript, pubkey_sizes_other_than_32_bytes) {
    const Script leaf = assemble("CHECKSIG");
    EXPECT_EQ(verify(taproot_spend(leaf, {FakeChecker::VALID_SCHNORR, Bytes{}})),
              ScriptError::TAPSCRIPT_EMPTY_PUBKEY);
    // An unknown key type accepts any non-empty signature (reserved for upgrades).
    EXPECT_EQ(verify(taproot_spend(leaf, {Bytes{7}, Bytes(33, 2)})), ScriptError::OK);
    EXPECT_EQ(verify(taproot_spend(leaf, {Bytes{7}, Bytes(33, 2)}),
                     TAPROOT_FLAGS | f::DISCOURAGE_UPGRADABLE_PUBKEYTYPE),
              ScriptError::DISCOURAGE_UPGRADABLE_PUBKEYTYPE);
}

TEST(Tapscript, signature_checks_are_limited_by_the_witness_size_budget) {
    const Bytes key(32, 0x02);
    // Each "DUP key CHECKSIGVERIFY" adds 35 witness bytes but costs 50 units.
    auto spend_with = [&](int checks) {
        Script leaf;
        for (int i = 0; i < checks; ++i) {
            leaf.push_opcode(OP_DUP).push_data(key).push_opcode(OP_CHECKSIGVERIFY);
        }
        leaf.push_data(key).push_opcode(OP_CHECKSIG);
        return taproot_spend(leaf, {FakeChecker::VALID_SCHNORR});
    };
    auto witness_size = [](const ScriptWitness& witness) {
        std::size_t size = 1;
        for (const Bytes& e : witness.stack) size += (e.size() < 253 ? 1 : 3) + e.size();
        return static_cast<std::int64_t>(size);
    };
    bool saw_pass = false;
    bool saw_fail = false;
    for (int checks = 0; checks < 40; ++checks) {
        const TaprootSpend spend = spend_with(checks);
        const std::int64_t budget = witness_size(spend.witness) + VALIDATION_WEIGHT_OFFSET;
        const bool within = VALIDATION_WEIGHT_PER_SIGOP_PASSED * (checks + 1) <= budget;
        EXPECT_EQ(verify(spend),
                  within ? ScriptError::OK : ScriptError::TAPSCRIPT_VALIDATION_WEIGHT)
            << checks;
        (within ? saw_pass : saw_fail) = true;
    }
    EXPECT_TRUE(saw_pass);
    EXPECT_TRUE(saw_fail);
    // Empty signatures cost nothing.
    Script leaf;
    for (int i = 0; i < 100; ++i) {
        leaf.push_opcode(OP_0).push_data(key).push_opcode(OP_CHECKSIG).push_opcode(OP_DROP);
    }
    leaf.push_opcode(OP_1);
    EXPECT_EQ(verify(taproot_spend(leaf, {})), ScriptError::OK);
}

TEST(Tapscript, initial_stack_is_limited_to_1000_elements) {
    Script leaf;
    for (int i = 0; i < 499; ++i) leaf.push_opcode(OP_2DROP);
    leaf.push_opcode(OP_DROP);
    EXPECT_EQ(verify(taproot_spend(leaf, std::vector<Bytes>(1000, Bytes{1}))), ScriptError::OK);
    leaf.push_opcode(OP_DROP);
    EXPECT_EQ(verify(taproot_spend(leaf, std::vector<Bytes>(1001, Bytes{1}))),
              ScriptError::STACK_SIZE);
}

TEST(Taproot, control_block_and_commitment_are_checked) {
    TaprootSpend spend = taproot_spend(assemble("1"), {});
    EXPECT_EQ(verify(spend), ScriptError::OK);
    TaprootSpend short_control = spend;
    short_control.witness.stack.back().pop_back();
    EXPECT_EQ(verify(short_control), ScriptError::TAPROOT_WRONG_CONTROL_SIZE);
    TaprootSpend long_control = spend;
    long_control.witness.stack.back().resize(33 + 32 * 129);
    EXPECT_EQ(verify(long_control), ScriptError::TAPROOT_WRONG_CONTROL_SIZE);
    TaprootSpend other_script = spend;
    other_script.witness.stack[0] = hex("52");
    EXPECT_EQ(verify(other_script), ScriptError::WITNESS_PROGRAM_MISMATCH);
    TaprootSpend flipped_parity = spend;
    flipped_parity.witness.stack.back()[0] ^= 1;
    EXPECT_EQ(verify(flipped_parity), ScriptError::WITNESS_PROGRAM_MISMATCH);
    // Without the TAPROOT flag, v1 programs are anyone-can-spend.
    EXPECT_EQ(verify(other_script, f::P2SH | f::WITNESS), ScriptError::OK);
}

TEST(Taproot, unknown_leaf_versions_succeed_unless_discouraged) {
    const TaprootSpend spend = taproot_spend(assemble("RETURN"), {}, 0xc2);
    EXPECT_EQ(verify(spend), ScriptError::OK);
    EXPECT_EQ(verify(spend, TAPROOT_FLAGS | f::DISCOURAGE_UPGRADABLE_TAPROOT_VERSION),
              ScriptError::DISCOURAGE_UPGRADABLE_TAPROOT_VERSION);
}

TEST(Taproot, key_path_passes_the_annex_to_the_checker) {
    FakeChecker checker;
    TaprootSpend spend = taproot_spend(assemble("1"), {});
    const Bytes annex = hex("50aabb");
    spend.witness.stack = {FakeChecker::VALID_SCHNORR, annex};
    EXPECT_EQ(verify(spend, TAPROOT_FLAGS, checker), ScriptError::OK);
    EXPECT_EQ(checker.last_version, SigVersion::taproot);
    EXPECT_TRUE(checker.annex_present);
    Bytes serialized{static_cast<std::uint8_t>(annex.size())};
    serialized.insert(serialized.end(), annex.begin(), annex.end());
    EXPECT_EQ(checker.annex_hash, sha256(serialized));

    // A single element is the signature even when it starts with 0x50.
    spend.witness.stack = {hex("50")};
    EXPECT_EQ(verify(spend, TAPROOT_FLAGS, checker), ScriptError::SCHNORR_SIG);
    EXPECT_FALSE(checker.annex_present);
    spend.witness.stack = {};
    EXPECT_EQ(verify(spend, TAPROOT_FLAGS, checker), ScriptError::WITNESS_PROGRAM_WITNESS_EMPTY);
}

TEST(Taproot, script_path_ignores_the_annex_for_execution) {
    FakeChecker checker;
    const Bytes key(32, 0x02);
    Script leaf;
    leaf.push_data(key).push_opcode(OP_CHECKSIG);
    const TaprootSpend spend =
        taproot_spend(leaf, {FakeChecker::VALID_SCHNORR}, TAPROOT_LEAF_TAPSCRIPT, hex("5001"));
    EXPECT_EQ(verify(spend, TAPROOT_FLAGS, checker), ScriptError::OK);
    EXPECT_EQ(checker.last_version, SigVersion::tapscript);
    EXPECT_TRUE(checker.annex_present);
}

// ---- Witness v0 and P2SH ------------------------------------------------------------------------

TEST(Witness, p2wpkh_runs_the_implied_script_with_the_signature_checker) {
    FakeChecker checker;
    const Bytes pubkey = hex("02aabbccddeeff00112233445566778899aabbccddeeff00112233445566778899");
    Script script_pubkey;
    script_pubkey.push_opcode(OP_0).push_data(hash160(pubkey).span());
    ScriptWitness witness{{FakeChecker::VALID_ECDSA, pubkey}};
    const ScriptFlags flags = f::P2SH | f::WITNESS;
    ScriptError error = ScriptError::UNKNOWN_ERROR;
    EXPECT_TRUE(verify_script(Script(), script_pubkey, &witness, flags, checker, &error));
    EXPECT_EQ(error, ScriptError::OK);
    EXPECT_EQ(checker.ecdsa_calls, 1);
    EXPECT_TRUE(checker.last_script_code.is_p2pkh());

    witness.stack.push_back({});
    EXPECT_FALSE(verify_script(Script(), script_pubkey, &witness, flags, checker, &error));
    EXPECT_EQ(error, ScriptError::WITNESS_PROGRAM_MISMATCH);
    witness.stack.pop_back();
    EXPECT_FALSE(verify_script(assemble("0"), script_pubkey, &witness, flags, checker, &error));
    EXPECT_EQ(error, ScriptError::WITNESS_MALLEATED);
}

TEST(Witness, unknown_versions_and_anchors) {
    const ScriptFlags flags = f::P2SH | f::WITNESS | f::DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM;
    ScriptWitness empty;
    ScriptError error = ScriptError::UNKNOWN_ERROR;
    const Script v2 = assemble("2 0x02 0x0001");
    EXPECT_TRUE(verify_script(Script(), v2, &empty, f::P2SH | f::WITNESS, FakeChecker{}, &error));
    EXPECT_FALSE(verify_script(Script(), v2, &empty, flags, FakeChecker{}, &error));
    EXPECT_EQ(error, ScriptError::DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM);
    const Script anchor = assemble("1 0x02 0x4e73");
    EXPECT_TRUE(verify_script(Script(), anchor, &empty, flags, FakeChecker{}, &error));
    EXPECT_EQ(error, ScriptError::OK);
}

TEST(Witness, a_witness_on_a_non_witness_output_is_unexpected) {
    ScriptWitness witness{{hex("01")}};
    ScriptError error = ScriptError::UNKNOWN_ERROR;
    EXPECT_FALSE(verify_script(Script(), assemble("1"), &witness, f::P2SH | f::WITNESS,
                               FakeChecker{}, &error));
    EXPECT_EQ(error, ScriptError::WITNESS_UNEXPECTED);
    EXPECT_TRUE(verify_script(Script(), assemble("1"), &witness, f::P2SH, FakeChecker{}, &error));
}

TEST(P2sh, runs_the_redeem_script_and_requires_a_push_only_script_sig) {
    const Script redeem = assemble("2 EQUAL");
    Script script_pubkey;
    script_pubkey.push_opcode(OP_HASH160).push_data(hash160(redeem.span()).span());
    script_pubkey.push_opcode(OP_EQUAL);
    Script script_sig;
    script_sig.push_opcode(OP_2).push_data(redeem.span());
    ScriptError error = ScriptError::UNKNOWN_ERROR;
    EXPECT_TRUE(verify_script(script_sig, script_pubkey, nullptr, f::P2SH, FakeChecker{}, &error));
    Script wrong_arg;
    wrong_arg.push_opcode(OP_3).push_data(redeem.span());
    EXPECT_FALSE(verify_script(wrong_arg, script_pubkey, nullptr, f::P2SH, FakeChecker{}, &error));
    EXPECT_EQ(error, ScriptError::EVAL_FALSE);
    // Without BIP16 only the hash is checked.
    EXPECT_TRUE(verify_script(wrong_arg, script_pubkey, nullptr, 0, FakeChecker{}, &error));
    Script not_push_only;
    not_push_only.push_opcode(OP_2).push_opcode(OP_NOP).push_data(redeem.span());
    EXPECT_FALSE(
        verify_script(not_push_only, script_pubkey, nullptr, f::P2SH, FakeChecker{}, &error));
    EXPECT_EQ(error, ScriptError::SIG_PUSHONLY);
}

TEST(ScriptErrors, names_and_messages_match_bitcoin_core) {
    EXPECT_EQ(to_string(ScriptError::SIG_NULLFAIL), "NULLFAIL");
    EXPECT_EQ(parse_script_error("NULLFAIL"), ScriptError::SIG_NULLFAIL);
    EXPECT_EQ(to_string(ScriptError::SCRIPTNUM), "SCRIPTNUM");
    EXPECT_EQ(script_error_message(ScriptError::EVAL_FALSE),
              "Script evaluated without error but finished with a false/empty top stack element");
    EXPECT_EQ(script_error_message(ScriptError::OP_CODESEPARATOR),
              "Using OP_CODESEPARATOR in non-witness script");
    EXPECT_FALSE(parse_script_error("NOT_AN_ERROR").has_value());
}

TEST(ScriptFlagNames, parse_and_format_round_trip) {
    EXPECT_EQ(parse_script_flags("P2SH,WITNESS"), f::P2SH | f::WITNESS);
    EXPECT_EQ(parse_script_flags(""), f::NONE);
    EXPECT_EQ(parse_script_flags("NONE"), f::NONE);
    std::string unknown;
    EXPECT_FALSE(parse_script_flags("P2SH,BOGUS", &unknown).has_value());
    EXPECT_EQ(unknown, "BOGUS");
    EXPECT_EQ(format_script_flags(f::P2SH | f::TAPROOT), "P2SH,TAPROOT");
    EXPECT_EQ(parse_script_flags(format_script_flags(f::ALL)), f::ALL);
    EXPECT_EQ(format_script_flags(f::NONE), "NONE");
}

}  // namespace
}  // namespace bitloom
