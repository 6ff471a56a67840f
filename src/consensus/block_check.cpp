#include "consensus/block_check.h"

#include <cstdint>
#include <cstring>

#include "consensus/consensus.h"
#include "consensus/signet.h"
#include "consensus/tx_check.h"
#include "consensus/tx_verify.h"
#include "primitives/merkle.h"
#include "primitives/pow.h"

namespace bitloom {

namespace {

using enum BlockValidationResult;

std::unexpected<BlockValidationError> invalid(BlockValidationResult result, std::string reason,
                                              std::string debug) {
    return fail(block_invalid(result, std::move(reason), std::move(debug)));
}

}  // namespace

Result<void, BlockValidationError> check_block_header(const BlockHeader& header,
                                                      const ConsensusParams& params) {
    if (!check_proof_of_work(header.hash(), header.bits, params.pow_limit)) {
        return invalid(invalid_header, "high-hash", "proof of work failed");
    }
    return {};
}

Result<void, BlockValidationError> check_block(const Block& block, const ConsensusParams& params,
                                               bool check_pow, bool check_merkle_root) {
    if (check_pow) {
        if (auto header = check_block_header(block.header, params); !header) return header;
        if (params.signet_blocks && !check_signet_block_solution(block, params)) {
            return invalid(consensus, "bad-signet-blksig", "signet block signature validation failure");
        }
    }

    if (check_merkle_root) {
        const MerkleRoot computed = block_merkle_root(block);
        if (block.header.merkle_root != computed.root) {
            return invalid(mutated, "bad-txnmrklroot", "hashMerkleRoot mismatch");
        }
        if (computed.mutated) return invalid(mutated, "bad-txns-duplicate", "duplicate transaction");
    }

    const auto& txs = block.transactions;
    if (txs.empty() || txs.size() * WITNESS_SCALE_FACTOR > MAX_BLOCK_WEIGHT ||
        block.stripped_size() * WITNESS_SCALE_FACTOR > MAX_BLOCK_WEIGHT) {
        return invalid(consensus, "bad-blk-length", "size limits failed");
    }

    if (!txs[0]->is_coinbase()) return invalid(consensus, "bad-cb-missing", "first tx is not coinbase");
    for (std::size_t i = 1; i < txs.size(); ++i) {
        if (txs[i]->is_coinbase()) return invalid(consensus, "bad-cb-multiple", "more than one coinbase");
    }

    for (const TransactionRef& tx : txs) {
        if (auto checked = check_transaction(*tx); !checked) {
            return invalid(consensus, std::move(checked.error().reject_reason),
                           "Transaction check failed (tx hash " + tx->txid().to_string() + ") " +
                               checked.error().debug_message);
        }
    }

    // Summed in 64 bits: a block of ~1M minimal transactions cannot overflow it.
    std::uint64_t sigops = 0;
    for (const TransactionRef& tx : txs) sigops += get_legacy_sigop_count(*tx);
    if (sigops * WITNESS_SCALE_FACTOR > static_cast<std::uint64_t>(MAX_BLOCK_SIGOPS_COST)) {
        return invalid(consensus, "bad-blk-sigops", "out-of-bounds SigOpCount");
    }
    return {};
}

Result<void, BlockValidationError> check_witness_commitment(const Block& block,
                                                            bool segwit_active) {
    if (segwit_active && !block.transactions.empty()) {
        const Transaction& coinbase = *block.transactions[0];
        if (const auto position = witness_commitment_index(coinbase)) {
            const std::vector<Bytes>* stack =
                coinbase.inputs().empty() ? nullptr : &coinbase.inputs()[0].witness.stack;
            if (stack == nullptr || stack->size() != 1 || (*stack)[0].size() != Uint256::SIZE) {
                return invalid(mutated, "bad-witness-nonce-size",
                               "check_witness_commitment : invalid witness reserved value size");
            }
            const Uint256 nonce{ByteSpan((*stack)[0])};
            const Uint256 expected =
                compute_witness_commitment(block_witness_merkle_root(block).root, nonce);
            // The commitment sits after OP_RETURN, the push and the 4-byte tag.
            const Script& script = coinbase.outputs()[*position].script_pubkey;
            if (std::memcmp(expected.data(), script.data() + 6, Uint256::SIZE) != 0) {
                return invalid(mutated, "bad-witness-merkle-match",
                               "check_witness_commitment : witness merkle commitment mismatch");
            }
            return {};
        }
    }
    for (const TransactionRef& tx : block.transactions) {
        if (tx->has_witness()) {
            return invalid(mutated, "unexpected-witness",
                           "check_witness_commitment : unexpected witness data found");
        }
    }
    return {};
}

Result<void, BlockValidationError> block_weight_check(const Block& block) {
    if (block.weight() > MAX_BLOCK_WEIGHT) {
        return invalid(consensus, "bad-blk-weight", "ContextualCheckBlock : weight limit failed");
    }
    return {};
}

}  // namespace bitloom
