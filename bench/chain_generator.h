// A generator of realistic regtest chains for the block import benchmark, built from bitloom's
// own primitives (keys, signature hashes, block assembly), and the cache file that keeps a
// generated chain between runs.
//
// The chain starts at the regtest genesis block and is a pure function of the options (the
// seed included): key i is SHA256d("import-chain-key" || seed:u64le || i:u32le || 0:u32le)
// (the last field counts up in the negligible case of an invalid secret), every random choice
// comes from FastRandom seeded with SHA256d("import-chain" || seed:u64le). Its shape:
//   heights 1..100   coinbase-only blocks paying the generator's keys;
//   from 101 on      each block first spends the coinbase that has just matured: while the
//                    pool of spendable outputs is small, through a two-level fan-out (one
//                    transaction to FANOUT_WIDTH outputs, each of those to FANOUT_WIDTH more),
//                    afterwards as an ordinary payment; then ordinary payments fill the block
//                    up to its share of the remaining transaction target.
// An ordinary payment spends 1 or 2 confirmed outputs (75% / 25%) and creates 1 to 3 outputs
// (25% / 50% / 25%), paying a fee of 200..699 satoshis. Outputs are P2WPKH, P2PKH,
// P2SH-P2WPKH, P2TR (key path, BIP86 tweak) and 2-of-3 P2WSH multisig, in proportions of
// about 35/20/15/20/10 (or see reference_mix), and every input is correctly signed (ECDSA with
// SIGHASH_ALL, Schnorr with SIGHASH_DEFAULT). Transactions only spend outputs of earlier blocks.
// Block times are genesis time + 600 * height, so a chain state judging the chain needs a clock of
// at least the last block's time (see last_block_time).
//
// Blocks carry the BIP34 height, the BIP141 witness commitment and a regtest proof of work
// (miner/block_assembly.h). Transaction counts include the coinbases, as Core's chain
// transaction counts do.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "primitives/block.h"
#include "util/result.h"

namespace bitloom::bench {

struct GeneratorOptions {
    std::uint64_t seed = 1;
    // Generation stops at the first block where both targets are met.
    std::uint64_t target_transactions = 200'000;
    int target_blocks = 700;  // at least 101 (100 blocks of coinbases must mature first)
    // Only P2WPKH, P2PKH and P2SH-P2WPKH outputs (50/30/20), the kinds of the Bitcoin Core sync
    // in ../shared/BENCHMARK-ANCHORS.md, instead of the mix of all five kinds.
    bool reference_mix = false;
};

// Output (and so input) kinds the generator uses.
enum class OutputKind { p2wpkh, p2pkh, p2sh_p2wpkh, p2tr, p2wsh_multisig };
inline constexpr std::size_t OUTPUT_KIND_COUNT = 5;
std::string_view to_string(OutputKind kind);  // "P2WPKH", "P2PKH", ...

struct GeneratorStats {
    std::uint64_t blocks = 0;        // generated (genesis excluded)
    std::uint64_t transactions = 0;  // coinbases included
    std::uint64_t inputs = 0;        // signed inputs (coinbase inputs excluded)
    std::uint64_t signatures = 0;    // signatures made (a 2-of-3 multisig input has two)
    std::uint64_t inputs_by_kind[OUTPUT_KIND_COUNT] = {};
};

// Generates the chain: blocks at heights 1..N, in order. `stats`, when given, is filled.
// `progress`, when given, is called after each block with its height.
std::vector<Block> generate_chain(const GeneratorOptions& options, GeneratorStats* stats = nullptr,
                                  const std::function<void(int)>& progress = {});

// The time of the regtest block at `height` in a generated chain.
std::uint32_t block_time_at(int height);
// The time of the last block of a chain of `block_count` generated blocks.
inline std::uint32_t last_block_time(std::uint64_t block_count) {
    return block_time_at(static_cast<int>(block_count));
}

// The cache file's name for `options`:
// import-chain-<seed>-<target_transactions>-<target_blocks>[-refmix].dat.
std::string chain_file_name(const GeneratorOptions& options);

// The cache file:
//   chain_file := magic:"BLMCHN01" count:u32le (length:u32le block:byte[length])[count]
// where each block is its network encoding (with witnesses), in chain order.
//
// Writes `blocks` to `path` (through a temporary file renamed into place, so a reader never
// sees a partial file). Errors are messages.
Result<void, std::string> write_chain_file(const std::filesystem::path& path,
                                           const std::vector<Block>& blocks);

// Reads a chain file one block at a time, so that a reader holds one block in memory.
class ChainFileReader {
public:
    // Errors: the file cannot be opened or its header is not a chain file's.
    static Result<ChainFileReader, std::string> open(const std::filesystem::path& path);

    std::uint32_t count() const { return count_; }
    // The next block, nullopt after the last one. Errors: a truncated file or a block that does
    // not decode.
    Result<std::optional<Block>, std::string> next();

private:
    ChainFileReader() = default;
    std::ifstream file_;
    std::uint32_t count_ = 0;
    std::uint32_t read_ = 0;
    Bytes buffer_;
};

}  // namespace bitloom::bench
