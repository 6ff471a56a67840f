// Bitcoin Core's script_tests.json: every case runs through verify_script with the real
// TransactionSignatureChecker and must fail (or pass) with exactly the expected error.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "consensus/interpreter.h"
#include "consensus/script_error.h"
#include "consensus/script_flags.h"
#include "consensus/sighash.h"
#include "crypto/pubkey.h"
#include "crypto/taproot.h"
#include "primitives/script_asm.h"
#include "primitives/transaction.h"
#include "testutil/vectors.h"

namespace bitloom {
namespace {

// The vectors' "#CONTROLBLOCK#" / "#TAPROOTOUTPUT#" placeholders stand for a single-leaf tree
// over the "#SCRIPT#" witness element with some internal key; the generator's x coordinate
// serves.
constexpr std::string_view INTERNAL_KEY_HEX =
    "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798";

struct Case {
    ScriptWitness witness;
    Amount amount = 0;
    Script script_sig;
    Script script_pubkey;
    ScriptFlags flags = 0;
    ScriptError expected = ScriptError::OK;
    std::string description;
};

Transaction crediting_transaction(const Script& script_pubkey, Amount amount) {
    MutableTransaction tx;
    tx.version = 1;
    tx.lock_time = 0;
    TxIn input;
    input.prevout = OutPoint{};
    input.script_sig.push_opcode(OP_0).push_opcode(OP_0);
    input.sequence = TxIn::SEQUENCE_FINAL;
    tx.inputs.push_back(input);
    tx.outputs.push_back(TxOut{amount, script_pubkey});
    return Transaction(std::move(tx));
}

Transaction spending_transaction(const Case& c, const Transaction& credit) {
    MutableTransaction tx;
    tx.version = 1;
    tx.lock_time = 0;
    TxIn input;
    input.prevout = OutPoint{credit.txid(), 0};
    input.script_sig = c.script_sig;
    input.witness = c.witness;
    input.sequence = TxIn::SEQUENCE_FINAL;
    tx.inputs.push_back(input);
    tx.outputs.push_back(TxOut{credit.outputs()[0].value, Script()});
    return Transaction(std::move(tx));
}

ScriptError run_case(const Case& c, ScriptFlags flags) {
    const Transaction credit = crediting_transaction(c.script_pubkey, c.amount);
    const Transaction spend = spending_transaction(c, credit);
    const TransactionSignatureChecker checker(spend, 0, c.amount, {credit.outputs()[0]});
    ScriptError error = ScriptError::UNKNOWN_ERROR;
    const bool ok = verify_script(c.script_sig, c.script_pubkey, &c.witness, flags, checker,
                                  &error);
    EXPECT_EQ(ok, error == ScriptError::OK) << c.description;
    return error;
}

Script parse_asm_or_fail(const std::string& text, const std::string& where) {
    std::string bad;
    auto script = parse_script_asm(text, &bad);
    EXPECT_TRUE(script.has_value()) << where << ": bad token '" << bad << "' in " << text;
    return script ? *script : Script();
}

// Parses one vector row; nullopt for comment rows.
std::optional<Case> parse_case(const nlohmann::json& row) {
    if (row.size() < 4) return std::nullopt;
    Case c;
    c.description = row.dump();
    std::size_t pos = 0;
    std::optional<Bytes> tap_leaf_script;
    if (row[0].is_array()) {
        const auto& items = row[0];
        for (std::size_t i = 0; i + 1 < items.size(); ++i) {
            const std::string element = items[i].get<std::string>();
            static constexpr std::string_view SCRIPT_FLAG = "#SCRIPT#";
            if (element.starts_with(SCRIPT_FLAG)) {
                const Script leaf = parse_asm_or_fail(element.substr(SCRIPT_FLAG.size()),
                                                      c.description);
                c.witness.stack.emplace_back(leaf.begin(), leaf.end());
                tap_leaf_script = c.witness.stack.back();
            } else if (element == "#CONTROLBLOCK#") {
                EXPECT_TRUE(tap_leaf_script.has_value()) << c.description;
                const auto internal = XOnlyPublicKey::parse(testutil::hex(INTERNAL_KEY_HEX));
                EXPECT_TRUE(internal.has_value());
                const Uint256 leaf_hash =
                    tap_leaf_hash(TAPROOT_LEAF_TAPSCRIPT, tap_leaf_script.value_or(Bytes{}));
                const auto tweaked = internal->create_tap_tweak(leaf_hash);
                EXPECT_TRUE(tweaked.has_value());
                c.witness.stack.push_back(tap_control_block(TAPROOT_LEAF_TAPSCRIPT,
                                                            tweaked->parity, *internal, {}));
            } else {
                c.witness.stack.push_back(testutil::hex(element));
            }
        }
        c.amount = static_cast<Amount>(std::llround(items.back().get<double>() * 1e8));
        pos = 1;
    }
    if (row.size() < pos + 4) return std::nullopt;
    c.script_sig = parse_asm_or_fail(row[pos].get<std::string>(), c.description);
    const std::string pubkey_text = row[pos + 1].get<std::string>();
    if (pubkey_text == "0x51 0x20 #TAPROOTOUTPUT#") {
        const auto internal = XOnlyPublicKey::parse(testutil::hex(INTERNAL_KEY_HEX));
        EXPECT_TRUE(internal.has_value());
        const Uint256 leaf_hash =
            tap_leaf_hash(TAPROOT_LEAF_TAPSCRIPT, tap_leaf_script.value_or(Bytes{}));
        const auto tweaked = internal->create_tap_tweak(leaf_hash);
        EXPECT_TRUE(tweaked.has_value());
        c.script_pubkey.push_opcode(OP_1).push_data(tweaked->key.span());
    } else {
        c.script_pubkey = parse_asm_or_fail(pubkey_text, c.description);
    }
    std::string unknown;
    const auto flags = parse_script_flags(row[pos + 2].get<std::string>(), &unknown);
    EXPECT_TRUE(flags.has_value()) << "unknown flag " << unknown << " in " << c.description;
    c.flags = flags.value_or(0);
    const auto expected = parse_script_error(row[pos + 3].get<std::string>());
    EXPECT_TRUE(expected.has_value()) << c.description;
    c.expected = expected.value_or(ScriptError::UNKNOWN_ERROR);
    return c;
}

std::vector<Case> load_cases() {
    const auto rows = testutil::load_json("bitcoin-core/script_tests.json");
    std::vector<Case> cases;
    for (const auto& row : rows) {
        if (auto c = parse_case(row)) cases.push_back(std::move(*c));
    }
    return cases;
}

TEST(ScriptVectors, every_case_of_script_tests_json_gives_the_expected_error) {
    const std::vector<Case> cases = load_cases();
    std::size_t passed = 0;
    for (const Case& c : cases) {
        const ScriptError error = run_case(c, c.flags);
        EXPECT_EQ(to_string(error), to_string(c.expected)) << c.description;
        if (error == c.expected) ++passed;
    }
    testutil::report_cases("script_tests.json", cases.size());
    std::printf("[vectors] script_tests.json: %zu of %zu cases give the expected error\n", passed,
                cases.size());
    ASSERT_GT(cases.size(), 0U);
    EXPECT_EQ(passed, cases.size());
}

// As in Core's test: flags only add restrictions, so a passing case keeps passing with any of
// the first 16 flags removed, and a failing case keeps failing with any of them added.
TEST(ScriptVectors, removing_flags_keeps_valid_cases_valid_and_adding_keeps_invalid_invalid) {
    const std::vector<Case> cases = load_cases();
    ASSERT_GT(cases.size(), 0U);
    std::uint32_t rng = 12345;
    std::size_t runs = 0;
    for (const Case& c : cases) {
        const bool expect_ok = c.expected == ScriptError::OK;
        for (int trial = 0; trial < 4; ++trial) {
            rng = rng * 1103515245U + 12345U;
            const ScriptFlags extra = (rng >> 8) & 0xffff;
            const ScriptFlags flags = expect_ok ? (c.flags & ~extra) : (c.flags | extra);
            if ((flags & script_flags::CLEANSTACK) != 0 &&
                (~flags & (script_flags::P2SH | script_flags::WITNESS)) != 0) {
                continue;
            }
            if ((flags & script_flags::WITNESS) != 0 && (flags & script_flags::P2SH) == 0) continue;
            const ScriptError error = run_case(c, flags);
            EXPECT_EQ(error == ScriptError::OK, expect_ok)
                << c.description << " with flags " << format_script_flags(flags);
            ++runs;
        }
    }
    testutil::report_cases("script_tests.json flag variations", runs);
    ASSERT_GT(runs, 0U);
}

}  // namespace
}  // namespace bitloom
