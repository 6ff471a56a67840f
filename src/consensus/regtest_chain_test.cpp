// Acceptance test of the script checks against a chain a reference node mined and accepted
// (../shared/test-vectors/regtest-chain-1): every input of every transaction verifies against
// the output it spends under the block's consensus flags, and no signature in it survives the
// change of any one of its bytes.
#include "consensus/script_check.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

#include <gtest/gtest.h>

#include "consensus/chainparams.h"
#include "consensus/interpreter.h"
#include "crypto/pubkey.h"
#include "primitives/block.h"
#include "testutil/vectors.h"
#include "util/hex.h"

namespace bitloom {
namespace {

constexpr std::string_view CHAIN_DIR = "regtest-chain-1/";

// A block of the file with the facts the script checks need.
struct ChainBlock {
    Block block;
    Uint256 hash;
    int height = 0;
};

// Where an output was created: block (file order) and transaction position.
struct CreatedOutput {
    TxOut output;
    std::size_t block_index;
    std::size_t tx_index;
};

struct Chain {
    std::vector<ChainBlock> blocks;  // file (mining) order
    std::map<OutPoint, CreatedOutput> outputs;  // every output of every block
};

// Decodes blocks.hex, gives each block its height (its parent's + 1, the regtest genesis
// being 0) and indexes every output by outpoint. Fails the calling test on any surprise.
void load_chain(Chain& chain) {
    const std::string text =
        testutil::read_file_text(testutil::vector_path(std::string(CHAIN_DIR) + "blocks.hex"));
    std::unordered_map<Uint256, int, BlobHasher> heights;
    heights.emplace(chain_params(ChainType::regtest).consensus.genesis_hash, 0);
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
        if (line.empty()) continue;
        const Bytes bytes = testutil::hex(line);
        auto block = decode_block(bytes);
        ASSERT_TRUE(block.has_value()) << "block " << chain.blocks.size() << " does not decode";
        const auto parent = heights.find(block->header.prev_block);
        ASSERT_NE(parent, heights.end()) << "block " << chain.blocks.size()
                                         << " comes before its parent";
        ChainBlock entry{std::move(*block), {}, parent->second + 1};
        entry.hash = entry.block.hash();
        heights.emplace(entry.hash, entry.height);
        const std::size_t block_index = chain.blocks.size();
        for (std::size_t t = 0; t < entry.block.transactions.size(); ++t) {
            const Transaction& tx = *entry.block.transactions[t];
            for (std::uint32_t o = 0; o < tx.outputs().size(); ++o) {
                chain.outputs.insert_or_assign(OutPoint{tx.txid(), o},
                                               CreatedOutput{tx.outputs()[o], block_index, t});
            }
        }
        chain.blocks.push_back(std::move(entry));
    }
}

// The outputs `tx` (transaction `tx_index` of block `block_index`) spends, one per input;
// each must have been created earlier in mining order.
void spent_outputs_of(const Chain& chain, const Transaction& tx, std::size_t block_index,
                      std::size_t tx_index, std::vector<TxOut>& spent) {
    spent.clear();
    for (const TxIn& in : tx.inputs()) {
        const auto created = chain.outputs.find(in.prevout);
        ASSERT_NE(created, chain.outputs.end())
            << "input of " << tx.txid().to_string() << " spends an unknown output";
        const bool earlier = created->second.block_index < block_index ||
                             (created->second.block_index == block_index &&
                              created->second.tx_index < tx_index);
        ASSERT_TRUE(earlier) << tx.txid().to_string() << " spends a later output";
        spent.push_back(created->second.output);
    }
}

// A signature inside one input: in the scriptSig's bytes or in a witness item.
struct SignatureSite {
    unsigned input_index;
    bool in_witness;
    std::size_t item;    // witness item index (in_witness)
    std::size_t offset;  // first byte of the signature within the scriptSig or the item
    std::size_t size;
};

// The signatures of input `input_index` (spending `spent`): scriptSig pushes and non-taproot
// witness items that are strict-DER signatures with a hash type byte; in a taproot spend, the
// 64/65-byte witness items other than the annex, the script and the control block.
void find_signatures(const TxIn& in, unsigned input_index, const TxOut& spent,
                     std::vector<SignatureSite>& sites) {
    std::size_t pos = 0;
    while (auto op = in.script_sig.get_op(pos)) {
        if (!op->data.empty() && is_valid_der_encoding(op->data)) {
            sites.push_back({input_index, false, 0,
                             static_cast<std::size_t>(op->data.data() - in.script_sig.data()),
                             op->data.size()});
        }
    }
    const auto& stack = in.witness.stack;
    const bool taproot = spent.script_pubkey.is_p2tr() && in.script_sig.empty();
    if (!taproot) {
        for (std::size_t i = 0; i < stack.size(); ++i) {
            if (!stack[i].empty() && is_valid_der_encoding(stack[i]))
                sites.push_back({input_index, true, i, 0, stack[i].size()});
        }
        return;
    }
    std::size_t items = stack.size();
    if (items >= 2 && !stack.back().empty() && stack.back()[0] == ANNEX_TAG) --items;
    // Key path: one item, the signature. Script path: arguments, script, control block.
    const std::size_t arguments = items == 1 ? 1 : (items >= 2 ? items - 2 : 0);
    for (std::size_t i = 0; i < arguments; ++i) {
        if (stack[i].size() == 64 || stack[i].size() == 65)
            sites.push_back({input_index, true, i, 0, stack[i].size()});
    }
}

TEST(RegtestChain, block_heights_match_the_reference_nodes_active_chain) {
    Chain chain;
    load_chain(chain);
    ASSERT_FALSE(HasFatalFailure());
    const auto expected = testutil::load_json(std::string(CHAIN_DIR) + "expected.json");
    ASSERT_EQ(chain.blocks.size(), expected["blocks_in_file"].get<std::size_t>());
    const auto& active = expected["active_chain"];
    std::vector<std::string> stale;
    for (const auto& hash : expected["stale_blocks"]) stale.push_back(hash.get<std::string>());
    std::size_t active_found = 0;
    std::size_t stale_found = 0;
    for (const ChainBlock& b : chain.blocks) {
        const std::string hash = b.hash.to_string();
        if (std::find(stale.begin(), stale.end(), hash) != stale.end()) {
            ++stale_found;
            continue;
        }
        ASSERT_LT(static_cast<std::size_t>(b.height), active.size()) << hash;
        EXPECT_EQ(active[b.height].get<std::string>(), hash) << "height " << b.height;
        ++active_found;
    }
    EXPECT_EQ(stale_found, stale.size());
    EXPECT_EQ(active_found + 1, active.size()) << "every active block but genesis is in the file";
    testutil::report_cases("regtest-chain-1 block heights", chain.blocks.size());
}

TEST(RegtestChain, every_input_verifies_and_no_signature_survives_a_flipped_byte) {
    Chain chain;
    load_chain(chain);
    ASSERT_FALSE(HasFatalFailure());
    ASSERT_GT(chain.blocks.size(), 0u);
    const auto start = std::chrono::steady_clock::now();
    const ConsensusParams& params = chain_params(ChainType::regtest).consensus;
    CheckQueue<ScriptError> queue(2);
    std::size_t transactions_verified = 0;
    std::size_t inputs_verified = 0;
    std::size_t signatures_found = 0;
    std::size_t flips_tried = 0;
    std::size_t flips_rejected = 0;
    std::map<ScriptError, std::size_t> flip_errors;
    std::vector<TxOut> spent;
    std::vector<SignatureSite> sites;

    for (std::size_t b = 0; b < chain.blocks.size(); ++b) {
        const ChainBlock& entry = chain.blocks[b];
        const ScriptFlags flags = block_script_flags(params, entry.height, entry.hash);
        ASSERT_NE(flags & script_flags::TAPROOT, 0u);

        // The block path: all non-coinbase transactions in one parallel batch.
        std::vector<TransactionSpends> batch;
        for (std::size_t t = 1; t < entry.block.transactions.size(); ++t) {
            const TransactionRef& tx = entry.block.transactions[t];
            spent_outputs_of(chain, *tx, b, t, spent);
            ASSERT_FALSE(HasFatalFailure());
            batch.push_back({tx, spent});
        }
        const auto block_failure = check_block_scripts(batch, flags, queue);
        EXPECT_FALSE(block_failure.has_value())
            << "block " << entry.hash.to_string() << " tx " << block_failure->tx_index + 1
            << " input " << block_failure->input_index << ": " << to_string(block_failure->error);

        // Input by input, then the tampering.
        for (std::size_t t = 0; t < batch.size(); ++t) {
            const Transaction& tx = *batch[t].tx;
            const PrecomputedTransactionData txdata(tx, batch[t].spent_outputs);
            for (unsigned i = 0; i < tx.inputs().size(); ++i) {
                const auto error = check_input_script(tx, i, txdata, flags);
                EXPECT_FALSE(error.has_value())
                    << tx.txid().to_string() << ":" << i << " " << to_string(*error);
                ++inputs_verified;
            }
            ++transactions_verified;

            sites.clear();
            for (unsigned i = 0; i < tx.inputs().size(); ++i)
                find_signatures(tx.inputs()[i], i, batch[t].spent_outputs[i], sites);
            signatures_found += sites.size();
            const MutableTransaction original = tx.to_mutable();
            for (const SignatureSite& site : sites) {
                // Every byte, in every build: even under ASan+UBSan the whole loop takes
                // seconds, so no sanitizer-only subset is needed.
                for (std::size_t byte = 0; byte < site.size; ++byte) {
                    MutableTransaction tampered = original;
                    TxIn& in = tampered.inputs[site.input_index];
                    if (site.in_witness) {
                        in.witness.stack[site.item][site.offset + byte] ^= 0x01;
                    } else {
                        in.script_sig.data()[site.offset + byte] ^= 0x01;
                    }
                    const Transaction tampered_tx(std::move(tampered));
                    const PrecomputedTransactionData tampered_data(tampered_tx,
                                                                   batch[t].spent_outputs);
                    const auto error =
                        check_input_script(tampered_tx, site.input_index, tampered_data, flags);
                    ++flips_tried;
                    if (error) {
                        ++flips_rejected;
                        ++flip_errors[*error];
                    } else if (flips_tried - flips_rejected <= 10) {  // the first few suffice
                        ADD_FAILURE() << tx.txid().to_string() << ":" << site.input_index
                                      << (site.in_witness ? " witness item " : " scriptSig at ")
                                      << (site.in_witness ? site.item : site.offset)
                                      << ": flipping byte " << byte << " of a " << site.size
                                      << "-byte signature still verifies";
                    }
                }
            }
        }
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    std::printf("[regtest-chain-1] transactions verified: %zu, inputs verified: %zu, "
                "signatures found: %zu, byte flips tried: %zu (rejected: %zu) in %.2f s\n",
                transactions_verified, inputs_verified, signatures_found, flips_tried,
                flips_rejected, seconds);
    for (const auto& [error, count] : flip_errors)
        std::printf("[regtest-chain-1]   flips rejected with %s: %zu\n",
                    std::string(to_string(error)).c_str(), count);
    testutil::report_cases("regtest-chain-1 script checks", inputs_verified);
    EXPECT_GT(transactions_verified, 0u);
    EXPECT_GT(inputs_verified, 0u);
    EXPECT_GT(signatures_found, 0u);
    ASSERT_GT(flips_tried, 0u);
    EXPECT_EQ(flips_rejected, flips_tried);
}

}  // namespace
}  // namespace bitloom
