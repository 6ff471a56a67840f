// Context-free block validation (check_block) on mainnet block 413567, the block Bitcoin Core's
// CheckBlockTest (0.55 ms: CheckBlock alone) and DeserializeAndCheckBlockTest (about 1.88 ms:
// decode + CheckBlock) use. The figures compare directly with those two.
//
#include <benchmark/benchmark.h>

#include <string>

#include "bench_vectors.h"
#include "consensus/block_check.h"
#include "consensus/chainparams.h"
#include "primitives/block.h"

namespace {

using namespace bitloom;

using bench::block413567;

const ConsensusParams& mainnet() { return chain_params(ChainType::main).consensus; }

// check_block alone on an already decoded block (Core's CheckBlockTest).
void CheckBlock_413567(benchmark::State& state) {
    const auto block = decode_block(block413567());
    if (!block) {
        state.SkipWithError("block413567.raw missing or undecodable (set BITLOOM_TEST_VECTORS)");
        return;
    }
    for (auto _ : state) {
        auto verdict = check_block(*block, mainnet());
        if (!verdict) {
            state.SkipWithError(to_string(verdict.error()).c_str());
            return;
        }
        benchmark::DoNotOptimize(verdict);
    }
}
BENCHMARK(CheckBlock_413567)->Unit(benchmark::kMillisecond);

// Decode (every txid and wtxid hashed) then check_block (Core's DeserializeAndCheckBlockTest).
void DeserializeAndCheckBlock_413567(benchmark::State& state) {
    const Bytes& raw = block413567();
    if (raw.empty()) {
        state.SkipWithError("block413567.raw not found (set BITLOOM_TEST_VECTORS)");
        return;
    }
    for (auto _ : state) {
        auto block = decode_block(raw);
        if (!block) {
            state.SkipWithError("decode failed");
            return;
        }
        auto verdict = check_block(*block, mainnet());
        if (!verdict) {
            state.SkipWithError(to_string(verdict.error()).c_str());
            return;
        }
        benchmark::DoNotOptimize(block);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * raw.size()));
}
BENCHMARK(DeserializeAndCheckBlock_413567)->Unit(benchmark::kMillisecond);

}  // namespace
