// Block parsing and checking on mainnet block 413567 (about 1 MB, 1557 transactions), the same
// block Bitcoin Core's DeserializeBlockTest and CheckBlockTest use, plus merkle-root and
// header-hash micro benchmarks.
//
#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <vector>

#include "bench_vectors.h"
#include "primitives/block.h"
#include "primitives/merkle.h"
#include "primitives/pow.h"
#include "util/arith_uint256.h"

namespace {

using namespace bitloom;

using bench::block413567;

const ArithUint256& mainnet_pow_limit() {
    static const ArithUint256 limit =
        ArithUint256::from_hex("00000000ffffffffffffffffffffffffffffffffffffffffffffffffffffffff").value();
    return limit;
}

bool have_block(benchmark::State& state) {
    if (block413567().empty()) {
        state.SkipWithError("block413567.raw not found (set BITLOOM_TEST_VECTORS)");
        return false;
    }
    return true;
}

// Bytes -> Block, including every txid and wtxid (hashed from the received bytes).
void BlockDeserialize(benchmark::State& state) {
    if (!have_block(state)) return;
    const Bytes& raw = block413567();
    for (auto _ : state) {
        auto block = decode_block(raw);
        if (!block) {
            state.SkipWithError("decode failed");
            return;
        }
        benchmark::DoNotOptimize(block);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * raw.size()));
}
BENCHMARK(BlockDeserialize)->Unit(benchmark::kMillisecond);

// Deserialize, then the context-free header checks: merkle root (with mutation check) against
// the header, and proof of work against mainnet's limit.
void BlockDeserializeAndCheck(benchmark::State& state) {
    if (!have_block(state)) return;
    const Bytes& raw = block413567();
    for (auto _ : state) {
        auto block = decode_block(raw);
        if (!block) {
            state.SkipWithError("decode failed");
            return;
        }
        const auto root = block_merkle_root(*block);
        const bool ok = root.root == block->header.merkle_root && !root.mutated &&
                        check_proof_of_work(block->hash(), block->header.bits, mainnet_pow_limit()).has_value();
        if (!ok) {
            state.SkipWithError("block check failed");
            return;
        }
        benchmark::DoNotOptimize(block);
    }
}
BENCHMARK(BlockDeserializeAndCheck)->Unit(benchmark::kMillisecond);

// The checks alone on an already decoded block.
void BlockCheckOnly(benchmark::State& state) {
    if (!have_block(state)) return;
    const auto block = decode_block(block413567());
    if (!block) {
        state.SkipWithError("decode failed");
        return;
    }
    for (auto _ : state) {
        const auto root = block_merkle_root(*block);
        auto pow = check_proof_of_work(block->hash(), block->header.bits, mainnet_pow_limit());
        benchmark::DoNotOptimize(root);
        benchmark::DoNotOptimize(pow);
    }
}
BENCHMARK(BlockCheckOnly)->Unit(benchmark::kMicrosecond);

// Merkle root of 9001 random leaves (as Bitcoin Core's MerkleRoot benchmark); reports
// seconds per leaf in the "per_leaf" counter.
void BlockMerkleRootPerLeaf(benchmark::State& state) {
    constexpr std::size_t LEAVES = 9001;
    std::mt19937_64 rng(1);
    std::vector<Uint256> leaves(LEAVES);
    for (auto& leaf : leaves) {
        for (auto& b : leaf) b = static_cast<std::uint8_t>(rng());
    }
    for (auto _ : state) {
        auto root = compute_merkle_root(leaves);
        benchmark::DoNotOptimize(root);
    }
    state.counters["per_leaf"] = benchmark::Counter(
        static_cast<double>(LEAVES), benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}
BENCHMARK(BlockMerkleRootPerLeaf)->Unit(benchmark::kMicrosecond);

// SHA256d of one 80-byte header (encode + hash).
void BlockHeaderHash(benchmark::State& state) {
    BlockHeader header;
    header.version = 0x20000000;
    header.bits = 0x17034219;
    header.time = 1700000000;
    for (auto _ : state) {
        ++header.nonce;
        auto hash = header.hash();
        benchmark::DoNotOptimize(hash);
    }
}
BENCHMARK(BlockHeaderHash);

}  // namespace
