// Script verification benchmarks:
//   bitloom_bench --benchmark_filter='Verify|BlockInputs|PubKeyParse|Sighash_'
//
// Each interpreter benchmark has a "direct" twin that calls libsecp256k1 on pre-parsed inputs:
// that is the limit a script verifier can approach, and the ratio between the two is what the
// interpreter, signature hashing and key parsing cost on top of the curve arithmetic.
//
//   EcdsaVerify_libsecp256k1             secp256k1_ecdsa_verify, parsed key and signature
//   EcdsaVerify_P2WPKH_interpreter       verify_script on a signed P2WPKH spend (SIGHASH_ALL)
//   SchnorrVerify_libsecp256k1           secp256k1_schnorrsig_verify, parsed x-only key
//   SchnorrVerify_P2TR_keypath_interpreter  verify_script on a signed BIP86 key-path spend
//   BlockInputs_P2WPKH_2000/threads:N    2,000 P2WPKH inputs (1,000 transactions of 2 inputs)
//                                        through a CheckQueue with N-1 workers plus the caller
//   BlockInputs_P2WPKH_2000_libsecp256k1 the same 2,000 signatures, direct, one thread
//   PubKeyParse_* / Sighash_*            the pieces, to attribute the interpreter's overhead
//
// The interpreter benchmarks report `vs_direct`: the interpreter's rate as a fraction of the
// direct rate, the direct rate measured in the same process just before and after the timed
// loop (so machine noise moves both alike).
#include <benchmark/benchmark.h>

#include <secp256k1.h>
#include <secp256k1_extrakeys.h>
#include <secp256k1_schnorrsig.h>

#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "consensus/check_queue.h"
#include "consensus/interpreter.h"
#include "consensus/script_error.h"
#include "consensus/script_flags.h"
#include "consensus/sighash.h"
#include "crypto/key.h"
#include "crypto/pubkey.h"
#include "crypto/secp256k1_context.h"
#include "encoding/address.h"
#include "primitives/transaction.h"
#include "util/bytes.h"
#include "util/uint256.h"

namespace bitloom {
namespace {

// The consensus flags of a block after taproot activation.
constexpr ScriptFlags BLOCK_FLAGS = script_flags::P2SH | script_flags::WITNESS |
                                    script_flags::DERSIG | script_flags::NULLDUMMY |
                                    script_flags::CHECKLOCKTIMEVERIFY |
                                    script_flags::CHECKSEQUENCEVERIFY | script_flags::TAPROOT;

constexpr Amount SPENT_AMOUNT = 1'234'567;

// A deterministic secret key: 0x42, zeros, then `n` big-endian in the last four bytes.
PrivateKey key_number(std::uint32_t n) {
    Bytes secret(32, 0);
    secret[0] = 0x42;  // keeps the keys away from tiny scalars without leaving [1, n-1]
    secret[28] = static_cast<std::uint8_t>(n >> 24);
    secret[29] = static_cast<std::uint8_t>(n >> 16);
    secret[30] = static_cast<std::uint8_t>(n >> 8);
    secret[31] = static_cast<std::uint8_t>(n);
    return PrivateKey::from_bytes(secret).value();
}

Uint256 fake_txid(std::uint32_t n) {
    Uint256 txid;
    for (std::size_t i = 0; i < Uint256::size(); ++i) {
        txid[i] = static_cast<std::uint8_t>((n >> (8 * (i % 4))) + 31 * i);
    }
    return txid;
}

// An unsigned transaction spending `inputs` outpoints into two P2WPKH outputs.
MutableTransaction unsigned_spend(std::uint32_t first_outpoint, unsigned inputs) {
    MutableTransaction tx;
    tx.version = 2;
    tx.lock_time = 0;
    for (unsigned i = 0; i < inputs; ++i) {
        TxIn input;
        input.prevout = OutPoint{fake_txid(first_outpoint + i), i};
        input.sequence = TxIn::MAX_SEQUENCE_NONFINAL;
        tx.inputs.push_back(std::move(input));
    }
    const Script pay_to =
        script_for_destination(WitnessV0KeyHash{key_number(999'999).public_key().id()});
    tx.outputs.push_back(TxOut{SPENT_AMOUNT * inputs / 2, pay_to});
    tx.outputs.push_back(TxOut{SPENT_AMOUNT * inputs / 2 - 1'000, pay_to});
    return tx;
}

// A transaction whose every input spends a P2WPKH output of SPENT_AMOUNT, each signed
// (SIGHASH_ALL) by its own key, with what a validator needs to check it.
struct P2wpkhSpend {
    std::unique_ptr<Transaction> tx;
    std::vector<TxOut> spent_outputs;
    std::unique_ptr<PrecomputedTransactionData> txdata;  // built once, as per transaction
};

P2wpkhSpend make_p2wpkh_spend(std::uint32_t first_key, unsigned inputs) {
    MutableTransaction tx = unsigned_spend(first_key, inputs);
    P2wpkhSpend spend;
    std::vector<PrivateKey> keys;
    for (unsigned i = 0; i < inputs; ++i) {
        keys.push_back(key_number(first_key + i));
        const Uint160 key_id = keys.back().public_key().id();
        spend.spent_outputs.push_back(
            TxOut{SPENT_AMOUNT, script_for_destination(WitnessV0KeyHash{key_id})});
    }
    const Transaction unsigned_tx(tx);
    const PrecomputedTransactionData unsigned_data(unsigned_tx, spend.spent_outputs);
    for (unsigned i = 0; i < inputs; ++i) {
        const PublicKey public_key = keys[i].public_key();
        // BIP143: the scriptCode of a P2WPKH input is the P2PKH script of the same key hash.
        const Script script_code = script_for_destination(PubKeyHash{public_key.id()});
        const Uint256 sighash = signature_hash(script_code, unsigned_tx, i, SIGHASH_ALL,
                                               SPENT_AMOUNT, SigVersion::witness_v0,
                                               &unsigned_data);
        Bytes signature = keys[i].sign_ecdsa(sighash).value();
        signature.push_back(SIGHASH_ALL);
        const ByteSpan key_bytes = public_key.serialize();
        tx.inputs[i].witness.stack = {std::move(signature), Bytes(key_bytes.begin(), key_bytes.end())};
    }
    spend.tx = std::make_unique<Transaction>(std::move(tx));
    spend.txdata = std::make_unique<PrecomputedTransactionData>(*spend.tx, spend.spent_outputs);
    return spend;
}

// One input of a P2WPKH spend, already parsed for libsecp256k1 (the direct benchmark's inputs).
struct ParsedEcdsa {
    secp256k1_pubkey public_key;
    secp256k1_ecdsa_signature signature;
    Uint256 sighash;
};

ParsedEcdsa parse_for_secp256k1(const P2wpkhSpend& spend, unsigned input_index) {
    const secp256k1_context* context = secp256k1_shared_context();
    const auto& stack = spend.tx->inputs()[input_index].witness.stack;
    ParsedEcdsa parsed{};
    const Bytes& signature = stack[0];
    const Bytes& key = stack[1];
    if (!secp256k1_ec_pubkey_parse(context, &parsed.public_key, key.data(), key.size()) ||
        !secp256k1_ecdsa_signature_parse_der(context, &parsed.signature, signature.data(),
                                             signature.size() - 1)) {
        std::abort();
    }
    secp256k1_ecdsa_signature_normalize(context, &parsed.signature, &parsed.signature);
    const Script script_code =
        script_for_destination(PubKeyHash{PublicKey::parse(key).value().id()});
    parsed.sighash = signature_hash(script_code, *spend.tx, input_index, SIGHASH_ALL,
                                    SPENT_AMOUNT, SigVersion::witness_v0, spend.txdata.get());
    return parsed;
}

// A BIP86 key-path spend (no script tree) of one P2TR output, SIGHASH_DEFAULT.
struct P2trSpend {
    std::unique_ptr<Transaction> tx;
    std::vector<TxOut> spent_outputs;
    std::unique_ptr<PrecomputedTransactionData> txdata;
    XOnlyPublicKey output_key;
    Uint256 sighash;
};

P2trSpend make_p2tr_spend() {
    const PrivateKey key = key_number(7);
    const XOnlyPublicKey output_key = key.x_only_public_key().create_tap_tweak(std::nullopt)->key;
    MutableTransaction tx = unsigned_spend(7, 1);
    std::vector<TxOut> spent_outputs{
        TxOut{SPENT_AMOUNT, script_for_destination(WitnessV1Taproot{output_key.bytes()})}};
    const Transaction unsigned_tx(tx);
    // Forced: without a witness yet, the transaction would not get its BIP341 hashes.
    const PrecomputedTransactionData unsigned_data(unsigned_tx, spent_outputs, true);
    ScriptExecutionData execdata;
    execdata.annex_init = true;
    execdata.annex_present = false;
    const Uint256 sighash = signature_hash_schnorr(execdata, unsigned_tx, 0, SIGHASH_DEFAULT,
                                                   SigVersion::taproot, unsigned_data)
                                .value();
    const SchnorrSignature signature = key.sign_schnorr_taproot(sighash, std::nullopt).value();
    tx.inputs[0].witness.stack = {Bytes(signature.begin(), signature.end())};
    auto final_tx = std::make_unique<Transaction>(std::move(tx));
    auto txdata = std::make_unique<PrecomputedTransactionData>(*final_tx, spent_outputs);
    return P2trSpend{std::move(final_tx), std::move(spent_outputs), std::move(txdata), output_key,
                     sighash};
}

bool verify_p2wpkh_input(const Transaction& tx, unsigned input_index, const Script& script_pubkey,
                         const PrecomputedTransactionData& txdata, ScriptError* error) {
    const TransactionSignatureChecker checker(tx, input_index, SPENT_AMOUNT, txdata);
    const TxIn& input = tx.inputs()[input_index];
    return verify_script(input.script_sig, script_pubkey, &input.witness, BLOCK_FLAGS, checker,
                         error);
}

// CPU seconds used by this thread so far: the machines are shared, and CPU time is what
// Google Benchmark's items_per_second is computed from too.
double thread_cpu_seconds() {
    timespec now{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

// CPU seconds per call of `verify`, over `rounds` calls.
template <typename Verify>
double seconds_per_call(Verify&& verify, int rounds) {
    const double start = thread_cpu_seconds();
    for (int i = 0; i < rounds; ++i) benchmark::DoNotOptimize(verify());
    return (thread_cpu_seconds() - start) / rounds;
}

// Runs the timed loop of `state` on `verify` and sets items/s and `vs_direct` (direct seconds
// per verification / interpreter seconds per verification).
template <typename Verify, typename Direct>
void run_against_direct(benchmark::State& state, Verify&& verify, Direct&& direct) {
    constexpr int DIRECT_ROUNDS = 1'000;
    const double direct_before = seconds_per_call(direct, DIRECT_ROUNDS);
    std::int64_t failures = 0;
    const double start = thread_cpu_seconds();
    for (auto _ : state) {
        if (!verify()) ++failures;
    }
    const double elapsed = thread_cpu_seconds() - start;
    const double direct_after = seconds_per_call(direct, DIRECT_ROUNDS);
    if (failures != 0) {
        state.SkipWithError("a verification failed");
        return;
    }
    const double per_call = elapsed / static_cast<double>(state.iterations());
    state.SetItemsProcessed(state.iterations());
    state.counters["vs_direct"] = (direct_before + direct_after) / 2 / per_call;
}

// ---- ECDSA --------------------------------------------------------------------------------

const P2wpkhSpend& single_p2wpkh() {
    static const P2wpkhSpend spend = make_p2wpkh_spend(1, 1);
    return spend;
}

bool direct_ecdsa(const ParsedEcdsa& parsed) {
    return secp256k1_ecdsa_verify(secp256k1_shared_context(), &parsed.signature,
                                  parsed.sighash.data(), &parsed.public_key) == 1;
}

void EcdsaVerify_libsecp256k1(benchmark::State& state) {
    const ParsedEcdsa parsed = parse_for_secp256k1(single_p2wpkh(), 0);
    std::int64_t failures = 0;
    for (auto _ : state) {
        if (!direct_ecdsa(parsed)) ++failures;
    }
    if (failures != 0) state.SkipWithError("a verification failed");
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(EcdsaVerify_libsecp256k1);

void EcdsaVerify_P2WPKH_interpreter(benchmark::State& state) {
    const P2wpkhSpend& spend = single_p2wpkh();
    const ParsedEcdsa parsed = parse_for_secp256k1(spend, 0);
    const Script& script_pubkey = spend.spent_outputs[0].script_pubkey;
    run_against_direct(
        state,
        [&] {
            ScriptError error = ScriptError::OK;
            return verify_p2wpkh_input(*spend.tx, 0, script_pubkey, *spend.txdata, &error);
        },
        [&] { return direct_ecdsa(parsed); });
}
BENCHMARK(EcdsaVerify_P2WPKH_interpreter);

// ---- Schnorr ------------------------------------------------------------------------------

const P2trSpend& single_p2tr() {
    static const P2trSpend spend = make_p2tr_spend();
    return spend;
}

struct ParsedSchnorr {
    secp256k1_xonly_pubkey public_key;
    const std::uint8_t* signature;
    Uint256 sighash;
};

ParsedSchnorr parse_for_secp256k1(const P2trSpend& spend) {
    ParsedSchnorr parsed{};
    if (!secp256k1_xonly_pubkey_parse(secp256k1_shared_context(), &parsed.public_key,
                                      spend.output_key.bytes().data())) {
        std::abort();
    }
    parsed.signature = spend.tx->inputs()[0].witness.stack[0].data();
    parsed.sighash = spend.sighash;
    return parsed;
}

bool direct_schnorr(const ParsedSchnorr& parsed) {
    return secp256k1_schnorrsig_verify(secp256k1_shared_context(), parsed.signature,
                                       parsed.sighash.data(), Uint256::size(),
                                       &parsed.public_key) == 1;
}

void SchnorrVerify_libsecp256k1(benchmark::State& state) {
    const ParsedSchnorr parsed = parse_for_secp256k1(single_p2tr());
    std::int64_t failures = 0;
    for (auto _ : state) {
        if (!direct_schnorr(parsed)) ++failures;
    }
    if (failures != 0) state.SkipWithError("a verification failed");
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(SchnorrVerify_libsecp256k1);

void SchnorrVerify_P2TR_keypath_interpreter(benchmark::State& state) {
    const P2trSpend& spend = single_p2tr();
    const ParsedSchnorr parsed = parse_for_secp256k1(spend);
    const TxIn& input = spend.tx->inputs()[0];
    const Script& script_pubkey = spend.spent_outputs[0].script_pubkey;
    run_against_direct(
        state,
        [&] {
            const TransactionSignatureChecker checker(*spend.tx, 0, SPENT_AMOUNT, *spend.txdata);
            ScriptError error = ScriptError::OK;
            return verify_script(input.script_sig, script_pubkey, &input.witness, BLOCK_FLAGS,
                                 checker, &error);
        },
        [&] { return direct_schnorr(parsed); });
}
BENCHMARK(SchnorrVerify_P2TR_keypath_interpreter);

// ---- The pieces ---------------------------------------------------------------------------

// Decompressing a 33-byte key costs a field square root; the interpreter pays it per check.
void PubKeyParse_compressed_libsecp256k1(benchmark::State& state) {
    const Bytes& key = single_p2wpkh().tx->inputs()[0].witness.stack[1];
    for (auto _ : state) {
        secp256k1_pubkey point;
        benchmark::DoNotOptimize(
            secp256k1_ec_pubkey_parse(secp256k1_shared_context(), &point, key.data(), key.size()));
        benchmark::DoNotOptimize(point);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(PubKeyParse_compressed_libsecp256k1);

void PubKeyParse_xonly_libsecp256k1(benchmark::State& state) {
    const auto& key = single_p2tr().output_key.bytes();
    for (auto _ : state) {
        secp256k1_xonly_pubkey point;
        benchmark::DoNotOptimize(
            secp256k1_xonly_pubkey_parse(secp256k1_shared_context(), &point, key.data()));
        benchmark::DoNotOptimize(point);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(PubKeyParse_xonly_libsecp256k1);

void Sighash_BIP143_P2WPKH(benchmark::State& state) {
    const P2wpkhSpend& spend = single_p2wpkh();
    const Bytes& key = spend.tx->inputs()[0].witness.stack[1];
    const Script script_code =
        script_for_destination(PubKeyHash{PublicKey::parse(key).value().id()});
    for (auto _ : state) {
        benchmark::DoNotOptimize(signature_hash(script_code, *spend.tx, 0, SIGHASH_ALL,
                                                SPENT_AMOUNT, SigVersion::witness_v0,
                                                spend.txdata.get()));
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(Sighash_BIP143_P2WPKH);

void Sighash_BIP341_keypath(benchmark::State& state) {
    const P2trSpend& spend = single_p2tr();
    ScriptExecutionData execdata;
    execdata.annex_init = true;
    for (auto _ : state) {
        benchmark::DoNotOptimize(signature_hash_schnorr(execdata, *spend.tx, 0, SIGHASH_DEFAULT,
                                                        SigVersion::taproot, *spend.txdata));
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(Sighash_BIP341_keypath);

// ---- A block's worth of P2WPKH inputs -----------------------------------------------------

constexpr unsigned BLOCK_TRANSACTIONS = 1'000;
constexpr unsigned INPUTS_PER_TRANSACTION = 2;
constexpr unsigned BLOCK_INPUTS = BLOCK_TRANSACTIONS * INPUTS_PER_TRANSACTION;

// One input to check: what a block validator has at hand once it has looked up the coins and
// built each transaction's PrecomputedTransactionData.
struct InputToCheck {
    const Transaction* tx;
    unsigned input_index;
    const Script* script_pubkey;
    const PrecomputedTransactionData* txdata;
};

struct P2wpkhBlock {
    std::vector<P2wpkhSpend> transactions;
    std::vector<InputToCheck> inputs;
};

const P2wpkhBlock& p2wpkh_block() {
    static const P2wpkhBlock block = [] {
        P2wpkhBlock made;
        made.transactions.reserve(BLOCK_TRANSACTIONS);
        for (unsigned t = 0; t < BLOCK_TRANSACTIONS; ++t) {
            made.transactions.push_back(
                make_p2wpkh_spend(1'000 + t * INPUTS_PER_TRANSACTION, INPUTS_PER_TRANSACTION));
        }
        for (const P2wpkhSpend& spend : made.transactions) {
            for (unsigned i = 0; i < INPUTS_PER_TRANSACTION; ++i) {
                made.inputs.push_back(InputToCheck{spend.tx.get(), i,
                                                   &spend.spent_outputs[i].script_pubkey,
                                                   spend.txdata.get()});
            }
        }
        return made;
    }();
    return block;
}

// The limit for the block benchmark: secp256k1_ecdsa_verify on the same 2,000 inputs, keys and
// signatures parsed and signature hashes computed beforehand, on one thread. Unlike the
// single-input benchmarks, every call sees a different key and signature, as a block does.
void BlockInputs_P2WPKH_2000_libsecp256k1(benchmark::State& state) {
    const P2wpkhBlock& block = p2wpkh_block();
    std::vector<ParsedEcdsa> parsed;
    parsed.reserve(block.inputs.size());
    for (const P2wpkhSpend& spend : block.transactions) {
        for (unsigned i = 0; i < INPUTS_PER_TRANSACTION; ++i) {
            parsed.push_back(parse_for_secp256k1(spend, i));
        }
    }
    std::int64_t failures = 0;
    for (auto _ : state) {
        for (const ParsedEcdsa& input : parsed) {
            if (!direct_ecdsa(input)) ++failures;
        }
    }
    if (failures != 0) state.SkipWithError("a verification failed");
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(parsed.size()));
}
BENCHMARK(BlockInputs_P2WPKH_2000_libsecp256k1)->UseRealTime()->Unit(benchmark::kMillisecond);

// state.range(0) threads in all: the caller plus range(0) - 1 CheckQueue workers. The checks
// (one small closure per input) are built inside the timed loop; the per-transaction
// PrecomputedTransactionData is built once, outside it. No signature cache.
void BlockInputs_P2WPKH_2000(benchmark::State& state) {
    const P2wpkhBlock& block = p2wpkh_block();
    CheckQueue<ScriptError> queue(static_cast<unsigned>(state.range(0) - 1));
    std::vector<CheckQueue<ScriptError>::Check> checks;
    std::int64_t failures = 0;
    for (auto _ : state) {
        checks.clear();
        checks.reserve(block.inputs.size());
        for (const InputToCheck& input : block.inputs) {
            checks.emplace_back([&input]() -> std::optional<ScriptError> {
                ScriptError error = ScriptError::OK;
                if (verify_p2wpkh_input(*input.tx, input.input_index, *input.script_pubkey,
                                        *input.txdata, &error)) {
                    return std::nullopt;
                }
                return error;
            });
        }
        if (queue.run(checks)) ++failures;
    }
    if (failures != 0) state.SkipWithError("the block failed verification");
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(BLOCK_INPUTS));
}
BENCHMARK(BlockInputs_P2WPKH_2000)
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(2)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace bitloom
