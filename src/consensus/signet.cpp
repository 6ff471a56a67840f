#include "consensus/signet.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "consensus/interpreter.h"
#include "consensus/sighash.h"
#include "primitives/merkle.h"
#include "primitives/serialize.h"

namespace bitloom {
namespace {

// Finds the signet push in `commitment`. When found, returns the solution bytes and rewrites
// `commitment` with that push cut down to the header. The rewrite re-encodes every push
// minimally for its length (as Core's CScript << does) and drops whatever follows an
// operation that does not parse.
std::optional<Bytes> take_signet_solution(Script& commitment) {
    Script rewritten;
    std::optional<Bytes> solution;
    std::size_t pos = 0;
    while (const auto op = commitment.get_op(pos)) {
        if (op->data.empty()) {
            rewritten.push_back(op->opcode);
            continue;
        }
        ByteSpan data = op->data;
        if (!solution && data.size() > SIGNET_HEADER.size() &&
            std::equal(SIGNET_HEADER.begin(), SIGNET_HEADER.end(), data.begin())) {
            solution.emplace(data.begin() + SIGNET_HEADER.size(), data.end());
            data = data.first(SIGNET_HEADER.size());
        }
        rewritten.push_data(data);
    }
    if (solution) commitment = std::move(rewritten);
    return solution;
}

}  // namespace

std::optional<SignetTransactions> make_signet_transactions(const Block& block,
                                                           const Script& challenge) {
    if (block.transactions.empty()) return std::nullopt;
    MutableTransaction coinbase = block.transactions[0]->to_mutable();
    const auto commitment_index = witness_commitment_index(*block.transactions[0]);
    if (!commitment_index) return std::nullopt;

    MutableTransaction to_sign;
    to_sign.version = 0;
    to_sign.lock_time = 0;
    to_sign.inputs.resize(1);
    to_sign.inputs[0].sequence = 0;
    to_sign.outputs.push_back(TxOut{0, Script().push_opcode(OP_RETURN)});

    Script& commitment = coinbase.outputs[*commitment_index].script_pubkey;
    if (const auto solution = take_signet_solution(commitment)) {
        Reader reader(*solution);
        auto script_sig = read_script(reader);
        if (!script_sig) return std::nullopt;
        auto witness = read_witness(reader);
        if (!witness || !reader.at_end()) return std::nullopt;
        to_sign.inputs[0].script_sig = std::move(*script_sig);
        to_sign.inputs[0].witness = std::move(*witness);
    }

    std::vector<Uint256> leaves;
    leaves.reserve(block.transactions.size());
    leaves.push_back(coinbase.txid());
    for (std::size_t i = 1; i < block.transactions.size(); ++i) {
        leaves.push_back(block.transactions[i]->txid());
    }
    BlockHeader signed_header = block.header;
    signed_header.merkle_root = compute_merkle_root(leaves).root;
    // version, prev_block, merkle root and time: the header without bits and nonce.
    const auto encoded = signed_header.encode();
    const ByteSpan block_data(encoded.data(), 4 + 32 + 32 + 4);

    MutableTransaction to_spend;
    to_spend.version = 0;
    to_spend.lock_time = 0;
    to_spend.inputs.resize(1);
    to_spend.inputs[0].sequence = 0;
    to_spend.inputs[0].script_sig.push_opcode(OP_0).push_data(block_data);
    to_spend.outputs.push_back(TxOut{0, challenge});

    Transaction spend(std::move(to_spend));
    to_sign.inputs[0].prevout = OutPoint{spend.txid(), 0};
    return SignetTransactions{std::move(spend), Transaction(std::move(to_sign))};
}

bool check_signet_block_solution(const Block& block, const ConsensusParams& params) {
    if (block.hash() == params.genesis_hash) return true;

    const Script challenge(params.signet_challenge);
    const auto txs = make_signet_transactions(block, challenge);
    if (!txs) return false;

    const TxOut& spent = txs->to_spend.outputs()[0];
    const TxIn& input = txs->to_sign.inputs()[0];
    const TransactionSignatureChecker checker(txs->to_sign, 0, spent.value,
                                              std::vector<TxOut>{spent});
    ScriptError error = ScriptError::OK;
    return verify_script(input.script_sig, spent.script_pubkey, &input.witness,
                         SIGNET_SCRIPT_FLAGS, checker, &error);
}

}  // namespace bitloom
