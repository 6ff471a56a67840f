// Bitcoin Core's transaction vectors (tx_valid.json, tx_invalid.json), run the way Core's
// transaction_tests run them.
//
// Each case: [[[prevout txid, prevout index, prevout scriptPubKey asm, amount?], ...],
//             serialized transaction hex, flags]; entries whose first element is a string are
// comments.
//   tx_valid:   the flags are EXCLUDED: check_transaction passes and every input verifies
//               under all other flags; it still verifies with any further flag removed, and
//               fails when any single excluded flag is put back (the list is minimal).
//   tx_invalid: "BADTX" means check_transaction must fail. Otherwise check_transaction passes
//               and some input fails under exactly the given flags; it still fails with any
//               flag added, and passes when any single given flag is taken away.
#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "consensus/interpreter.h"
#include "consensus/script_error.h"
#include "consensus/script_flags.h"
#include "consensus/sighash.h"
#include "consensus/tx_check.h"
#include "crypto/random.h"
#include "primitives/script_asm.h"
#include "primitives/transaction.h"
#include "testutil/vectors.h"
#include "util/uint256.h"

namespace bitloom {
namespace {

using nlohmann::json;

// Every flag the vectors may name, plus NONE (as Core's mapFlagNames).
std::vector<ScriptFlags> flag_list() {
    std::vector<ScriptFlags> flags{script_flags::NONE};
    for (ScriptFlags bit = 1; bit <= script_flags::ALL; bit <<= 1) {
        if (bit & script_flags::ALL) flags.push_back(bit);
    }
    return flags;
}

// Core's FillFlags: CLEANSTACK implies WITNESS, WITNESS implies P2SH.
ScriptFlags fill_flags(ScriptFlags flags) {
    if (flags & script_flags::CLEANSTACK) flags |= script_flags::WITNESS;
    if (flags & script_flags::WITNESS) flags |= script_flags::P2SH;
    return flags;
}

// Core's TrimFlags: WITNESS needs P2SH, CLEANSTACK needs WITNESS.
ScriptFlags trim_flags(ScriptFlags flags) {
    if (!(flags & script_flags::P2SH)) flags &= ~script_flags::WITNESS;
    if (!(flags & script_flags::WITNESS)) flags &= ~script_flags::CLEANSTACK;
    return flags;
}

// Core's ExcludeIndividualFlags: each distinct trimmed set with one flag taken out.
std::set<ScriptFlags> exclude_individual_flags(ScriptFlags flags) {
    std::set<ScriptFlags> combinations;
    for (const ScriptFlags flag : flag_list()) {
        const ScriptFlags without = trim_flags(flags & ~flag);
        if (without != flags) combinations.insert(without);
    }
    return combinations;
}

ScriptFlags complement(ScriptFlags flags) { return script_flags::ALL & ~flags; }

struct Prevouts {
    std::map<OutPoint, Script> scripts;
    std::map<OutPoint, Amount> amounts;
};

std::string describe(const json& test) { return test.dump(); }

// Parses the prevout list; nullopt (with a test failure) for a malformed case.
std::optional<Prevouts> parse_prevouts(const json& inputs, const std::string& text) {
    Prevouts prevouts;
    for (const auto& input : inputs) {
        if (!input.is_array() || input.size() < 3 || input.size() > 4) {
            ADD_FAILURE() << "Bad test: " << text;
            return std::nullopt;
        }
        const auto txid = Uint256::from_string(input[0].get<std::string>());
        std::string bad_token;
        auto script = parse_script_asm(input[2].get<std::string>(), &bad_token);
        if (!txid || !script) {
            ADD_FAILURE() << "Bad test (prevout '" << bad_token << "'): " << text;
            return std::nullopt;
        }
        // Indexes are written as signed numbers (-1 for 0xffffffff).
        const OutPoint outpoint{*txid, static_cast<std::uint32_t>(input[1].get<std::int64_t>())};
        prevouts.scripts[outpoint] = std::move(*script);
        if (input.size() == 4) prevouts.amounts[outpoint] = input[3].get<std::int64_t>();
    }
    return prevouts;
}

// The spending context of one case: the transaction, what each input spends, and the shared
// precomputed hashes.
struct Case {
    Transaction tx;
    std::vector<TxOut> spent;
    PrecomputedTransactionData txdata;
};

std::optional<Case> make_case(const json& test, const Prevouts& prevouts, const std::string& text) {
    const Bytes raw = testutil::hex(test[1].get<std::string>());
    auto tx = decode_transaction(raw);
    if (!tx) {
        ADD_FAILURE() << "Bad test (transaction does not decode: " << to_string(tx.error())
                      << "): " << text;
        return std::nullopt;
    }
    std::vector<TxOut> spent;
    for (const auto& input : tx->inputs()) {
        const auto script = prevouts.scripts.find(input.prevout);
        if (script == prevouts.scripts.end()) {
            ADD_FAILURE() << "Bad test (input without a prevout): " << text;
            return std::nullopt;
        }
        const auto amount = prevouts.amounts.find(input.prevout);
        spent.push_back(TxOut{amount == prevouts.amounts.end() ? 0 : amount->second, script->second});
    }
    Case result{std::move(*tx), spent, {}};
    result.txdata.init(result.tx, std::move(spent));
    return result;
}

struct ScriptsOutcome {
    bool valid = true;
    std::size_t input = 0;  // the failing input when !valid
    ScriptError error = ScriptError::OK;
};

// Core's CheckTxScripts: verifies the inputs in order under `flags`, stopping at the first
// failure.
ScriptsOutcome check_tx_scripts(const Case& c, ScriptFlags flags) {
    ScriptsOutcome outcome;
    for (std::size_t i = 0; i < c.tx.inputs().size(); ++i) {
        const TxIn& input = c.tx.inputs()[i];
        const TransactionSignatureChecker checker(c.tx, static_cast<unsigned>(i), c.spent[i].value, c.txdata);
        ScriptError error = ScriptError::UNKNOWN_ERROR;
        const bool ok = verify_script(input.script_sig, c.spent[i].script_pubkey, &input.witness, flags,
                                      checker, &error);
        if (!ok) return ScriptsOutcome{false, i, error};
        if (error != ScriptError::OK) {
            // A success must report OK.
            ADD_FAILURE() << "input " << i << " verified but reported " << to_string(error);
        }
    }
    return outcome;
}

std::string explain(const ScriptsOutcome& outcome, ScriptFlags flags) {
    std::ostringstream out;
    out << "flags " << format_script_flags(flags);
    if (!outcome.valid) out << ", input " << outcome.input << " failed: " << to_string(outcome.error);
    return out.str();
}

struct Counts {
    std::size_t cases = 0;
    std::size_t badtx = 0;
    std::size_t script_runs = 0;
};

TEST(TransactionVectors, every_tx_valid_case_passes_and_its_excluded_flags_are_minimal) {
    const json tests = testutil::load_json("bitcoin-core/tx_valid.json");
    const auto flags = flag_list();
    FastRandom random(Uint256{});
    Counts counts;
    for (const auto& test : tests) {
        if (!test.is_array() || test.empty() || !test[0].is_array()) continue;
        const std::string text = describe(test);
        ++counts.cases;
        ASSERT_EQ(test.size(), 3u) << "Bad test: " << text;
        const auto prevouts = parse_prevouts(test[0], text);
        if (!prevouts) continue;
        const auto c = make_case(test, *prevouts, text);
        if (!c) continue;

        const auto checked = check_transaction(c->tx);
        EXPECT_TRUE(checked.has_value()) << (checked ? "" : checked.error().reject_reason) << ": " << text;

        std::string unknown;
        const auto excluded = parse_script_flags(test[2].get<std::string>(), &unknown);
        if (!excluded) {
            ADD_FAILURE() << "Bad test flags (unknown " << unknown << "): " << text;
            continue;
        }
        if (complement(*excluded) != fill_flags(complement(*excluded))) {
            ADD_FAILURE() << "Bad test flags: " << text;
        }

        const auto expect_valid = [&](ScriptFlags run_flags, const char* what) {
            ++counts.script_runs;
            const auto outcome = check_tx_scripts(*c, run_flags);
            EXPECT_TRUE(outcome.valid) << what << " (" << explain(outcome, run_flags) << "): " << text;
        };
        expect_valid(complement(*excluded), "Tx unexpectedly failed");

        // Removing flags never invalidates a valid transaction.
        for (const ScriptFlags flag : flags) {
            expect_valid(trim_flags(complement(*excluded | flag)), "Tx unexpectedly failed with a flag unset");
            const auto random_flags = static_cast<ScriptFlags>(random.randbits(static_cast<int>(flags.size())));
            expect_valid(trim_flags(complement(*excluded | random_flags)),
                         "Tx unexpectedly failed with random flags unset");
        }

        // Every excluded flag is needed: putting any one back makes the transaction fail.
        for (const ScriptFlags fewer_excluded : exclude_individual_flags(*excluded)) {
            ++counts.script_runs;
            const auto outcome = check_tx_scripts(*c, complement(fewer_excluded));
            EXPECT_FALSE(outcome.valid) << "Too many flags unset (passes under "
                                        << format_script_flags(complement(fewer_excluded)) << "): " << text;
        }
    }
    testutil::report_cases("tx_valid", counts.cases);
    testutil::report_cases("tx_valid script verifications of whole transactions", counts.script_runs);
    ASSERT_GT(counts.cases, 0u);
}

TEST(TransactionVectors, every_tx_invalid_case_fails_and_its_flags_are_minimal) {
    const json tests = testutil::load_json("bitcoin-core/tx_invalid.json");
    const auto flags = flag_list();
    FastRandom random(Uint256{});
    Counts counts;
    for (const auto& test : tests) {
        if (!test.is_array() || test.empty() || !test[0].is_array()) continue;
        const std::string text = describe(test);
        ++counts.cases;
        ASSERT_EQ(test.size(), 3u) << "Bad test: " << text;
        const auto prevouts = parse_prevouts(test[0], text);
        if (!prevouts) continue;
        const auto c = make_case(test, *prevouts, text);
        if (!c) continue;

        const std::string flag_text = test[2].get<std::string>();
        if (!check_transaction(c->tx)) {
            ++counts.badtx;
            EXPECT_EQ(flag_text, "BADTX") << "check_transaction failed unexpectedly: " << text;
            continue;
        }
        std::string unknown;
        const auto given = parse_script_flags(flag_text, &unknown);
        if (!given) {
            ADD_FAILURE() << "Bad test flags (unknown " << unknown << "; a BADTX case that passed "
                          << "check_transaction?): " << text;
            continue;
        }
        if (*given != fill_flags(*given)) ADD_FAILURE() << "Bad test flags: " << text;

        const auto expect_invalid = [&](ScriptFlags run_flags, const char* what) {
            ++counts.script_runs;
            const auto outcome = check_tx_scripts(*c, run_flags);
            EXPECT_FALSE(outcome.valid) << what << " (" << explain(outcome, run_flags) << "): " << text;
            if (!outcome.valid) {
                EXPECT_NE(outcome.error, ScriptError::OK) << "failure reported as OK: " << text;
            }
        };
        expect_invalid(*given, "Tx unexpectedly passed");

        // Adding flags never validates an invalid transaction.
        for (const ScriptFlags flag : flags) {
            expect_invalid(fill_flags(*given | flag), "Tx unexpectedly passed with a flag set");
            const auto random_flags =
                static_cast<ScriptFlags>(random.randbits(static_cast<int>(flags.size()))) & script_flags::ALL;
            expect_invalid(fill_flags(*given | random_flags), "Tx unexpectedly passed with random flags set");
        }

        // Every given flag is needed: without any one of them the transaction passes.
        for (const ScriptFlags fewer : exclude_individual_flags(*given)) {
            ++counts.script_runs;
            const auto outcome = check_tx_scripts(*c, fewer);
            EXPECT_TRUE(outcome.valid) << "Too many flags set (" << explain(outcome, fewer) << "): " << text;
        }
    }
    testutil::report_cases("tx_invalid", counts.cases);
    testutil::report_cases("tx_invalid failing check_transaction (BADTX)", counts.badtx);
    testutil::report_cases("tx_invalid script verifications of whole transactions", counts.script_runs);
    ASSERT_GT(counts.cases, 0u);
}

}  // namespace
}  // namespace bitloom
