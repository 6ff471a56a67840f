#include "miner/block_assembly.h"

#include <cassert>
#include <limits>
#include <utility>

#include "primitives/merkle.h"
#include "primitives/pow.h"

namespace bitloom {

Transaction make_coinbase(int height, Amount value, const Script& output_script,
                          const std::optional<Uint256>& witness_root, ByteSpan extra_nonce) {
    assert(height >= 1);
    MutableTransaction tx;
    tx.version = 2;
    tx.lock_time = static_cast<std::uint32_t>(height - 1);

    TxIn input;
    input.prevout = OutPoint{};
    input.sequence = TxIn::MAX_SEQUENCE_NONFINAL;
    input.script_sig.push_int(height);
    if (!extra_nonce.empty()) {
        input.script_sig.push_data(extra_nonce);
    } else if (input.script_sig.size() < 2) {
        input.script_sig.push_opcode(OP_0);
    }

    tx.outputs.push_back(TxOut{value, output_script});
    if (witness_root) {
        const Uint256 nonce;  // zero
        input.witness.stack.emplace_back(nonce.begin(), nonce.end());
        tx.outputs.push_back(
            TxOut{0, witness_commitment_script(compute_witness_commitment(*witness_root, nonce))});
    }
    tx.inputs.push_back(std::move(input));
    return Transaction(std::move(tx));
}

Block assemble_block(const BlockTemplateInputs& inputs) {
    std::optional<Uint256> witness_root;
    if (inputs.segwit_active) {
        std::vector<Uint256> wtxids;
        wtxids.reserve(inputs.transactions.size() + 1);
        wtxids.emplace_back();  // the coinbase's counts as zero
        for (const auto& tx : inputs.transactions) wtxids.push_back(tx->wtxid());
        witness_root = compute_merkle_root(wtxids).root;
    }

    Block block;
    block.transactions.reserve(inputs.transactions.size() + 1);
    block.transactions.push_back(make_transaction_ref(make_coinbase(
        inputs.height, inputs.coinbase_value, inputs.coinbase_script, witness_root,
        inputs.extra_nonce)));
    block.transactions.insert(block.transactions.end(), inputs.transactions.begin(),
                              inputs.transactions.end());

    block.header.version = inputs.version;
    block.header.prev_block = inputs.prev_hash;
    block.header.time = inputs.time;
    block.header.bits = inputs.bits;
    block.header.nonce = 0;
    block.header.merkle_root = block_merkle_root(block).root;
    return block;
}

bool grind_nonce(Block& block, const ArithUint256& pow_limit, std::uint64_t max_tries,
                 const std::atomic<bool>* stop) {
    const auto target = target_from_bits(block.header.bits, pow_limit);
    if (!target) return false;
    for (std::uint64_t tries = 0; tries < max_tries; ++tries) {
        if (stop != nullptr && stop->load(std::memory_order_relaxed)) return false;
        if (ArithUint256::from_uint256(block.header.hash()) <= *target) return true;
        if (block.header.nonce == std::numeric_limits<std::uint32_t>::max()) return false;
        ++block.header.nonce;
    }
    return false;
}

std::int32_t compute_block_version(const std::vector<int>& signalling_bits) {
    std::uint32_t version = VERSIONBITS_TOP_BITS;
    for (const int bit : signalling_bits) {
        assert(bit >= 0 && bit <= 28);
        version |= std::uint32_t{1} << bit;
    }
    return static_cast<std::int32_t>(version);
}

}  // namespace bitloom
