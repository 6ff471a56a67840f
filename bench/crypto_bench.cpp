// Hash function benchmarks: bitloom_bench --benchmark_filter='SHA|Sip|RIPEMD|MuHash'
//
// Variants the CPU cannot run are reported as skipped rather than measured.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <vector>

#include "crypto/muhash.h"
#include "crypto/random.h"
#include "crypto/ripemd160.h"
#include "crypto/sha256.h"
#include "crypto/siphash.h"
#include "util/bytes.h"
#include "util/uint256.h"

namespace bitloom {
namespace {

constexpr std::size_t MEGABYTE = 1 << 20;

Bytes random_bytes(std::size_t n) {
    FastRandom rng(Uint256::from_string(std::string(64, 'b')).value());
    return rng.randbytes(n);
}

// Pins `impl` for one benchmark run; skips the run when the CPU lacks it.
class Pin {
public:
    Pin(benchmark::State& state, Sha256Impl impl) : ok_(force_sha256_implementation(impl)) {
        if (!ok_) state.SkipWithError("implementation not supported on this CPU");
        else state.SetLabel(sha256_implementation());
    }
    ~Pin() { reset_sha256_implementation(); }
    Pin(const Pin&) = delete;
    Pin& operator=(const Pin&) = delete;
    bool ok() const { return ok_; }

private:
    bool ok_;
};

void SHA256_1MB(benchmark::State& state, Sha256Impl impl) {
    Pin pin(state, impl);
    if (!pin.ok()) return;
    const Bytes data = random_bytes(MEGABYTE);
    for (auto _ : state) {
        Uint256 digest = sha256(data);
        benchmark::DoNotOptimize(digest);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * data.size()));
}

// `batch` independent 64-byte inputs per sha256d64 call.
void SHA256D64(benchmark::State& state, Sha256Impl impl, std::size_t batch) {
    Pin pin(state, impl);
    if (!pin.ok()) return;
    const Bytes in = random_bytes(64 * batch);
    Bytes out(32 * batch);
    for (auto _ : state) {
        sha256d64(out.data(), in.data(), batch);
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * batch));
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * 64 * batch));
}

// Whatever the dispatcher picked, for `state.range(0)` inputs per call.
void SHA256D64_automatic(benchmark::State& state) {
    reset_sha256_implementation();
    state.SetLabel(sha256_implementation());
    const auto batch = static_cast<std::size_t>(state.range(0));
    const Bytes in = random_bytes(64 * batch);
    Bytes out(32 * batch);
    for (auto _ : state) {
        sha256d64(out.data(), in.data(), batch);
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * batch));
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * 64 * batch));
}

// Mining inner loop: the first 64 header bytes are hashed once, each nonce costs the rest.
void SHA256D_header_midstate(benchmark::State& state, Sha256Impl impl) {
    Pin pin(state, impl);
    if (!pin.ok()) return;
    Bytes header = random_bytes(80);
    const Sha256::Midstate mid = Sha256().write(ByteSpan(header).first(64)).midstate();
    std::uint32_t nonce = 0;
    for (auto _ : state) {
        ++nonce;
        header[76] = static_cast<std::uint8_t>(nonce);
        header[77] = static_cast<std::uint8_t>(nonce >> 8);
        Uint256 hash = sha256d_header_from_midstate(mid, header.data() + 64);
        benchmark::DoNotOptimize(hash);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

// For comparison: the 80-byte header hashed from scratch every time.
void SHA256D_header_plain(benchmark::State& state) {
    Bytes header = random_bytes(80);
    state.SetLabel(sha256_implementation());
    std::uint32_t nonce = 0;
    for (auto _ : state) {
        ++nonce;
        header[76] = static_cast<std::uint8_t>(nonce);
        Uint256 hash = sha256d(header);
        benchmark::DoNotOptimize(hash);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

void RIPEMD160_1MB(benchmark::State& state) {
    const Bytes data = random_bytes(MEGABYTE);
    for (auto _ : state) {
        Uint160 digest = ripemd160(data);
        benchmark::DoNotOptimize(digest);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * data.size()));
}

void SipHash_32b_generic(benchmark::State& state) {
    Uint256 value = Uint256(ByteSpan(random_bytes(32)));
    std::uint64_t k0 = 0x0706050403020100ULL;
    for (auto _ : state) {
        const std::uint64_t h = SipHasher(k0, 0x0f0e0d0c0b0a0908ULL).write(value.span()).finalize();
        k0 ^= h;  // chain iterations so the work cannot be hoisted
        benchmark::DoNotOptimize(k0);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * 32));
}

void SipHash_32b_uint256(benchmark::State& state) {
    Uint256 value = Uint256(ByteSpan(random_bytes(32)));
    std::uint64_t k0 = 0x0706050403020100ULL;
    for (auto _ : state) {
        k0 ^= siphash_uint256(k0, 0x0f0e0d0c0b0a0908ULL, value);
        benchmark::DoNotOptimize(k0);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * 32));
}

void MuHash_insert(benchmark::State& state) {
    MuHash3072 acc;
    Bytes element = random_bytes(32);
    std::uint8_t counter = 0;
    for (auto _ : state) {
        element[0] = ++counter;
        acc.insert(element);
    }
    benchmark::DoNotOptimize(acc);
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

void MuHash_finalize(benchmark::State& state) {
    MuHash3072 acc;
    acc.insert(as_bytes("in")).remove(as_bytes("out"));
    for (auto _ : state) {
        Uint256 digest = acc.finalize();
        benchmark::DoNotOptimize(digest);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

}  // namespace

BENCHMARK_CAPTURE(SHA256_1MB, portable, Sha256Impl::portable);
BENCHMARK_CAPTURE(SHA256_1MB, sha_ni, Sha256Impl::sha_ni);

BENCHMARK_CAPTURE(SHA256D64, portable_1way, Sha256Impl::portable, 1);
BENCHMARK_CAPTURE(SHA256D64, sha_ni_1way, Sha256Impl::sha_ni, 1);
BENCHMARK_CAPTURE(SHA256D64, sha_ni_2way, Sha256Impl::sha_ni, 2);
BENCHMARK_CAPTURE(SHA256D64, portable_batch8, Sha256Impl::portable, 8);
BENCHMARK_CAPTURE(SHA256D64, sha_ni_batch8, Sha256Impl::sha_ni, 8);
BENCHMARK_CAPTURE(SHA256D64, avx2_batch8, Sha256Impl::avx2, 8);
BENCHMARK_CAPTURE(SHA256D64, avx512_batch16, Sha256Impl::avx512, 16);
BENCHMARK_CAPTURE(SHA256D64, sha_ni_batch1024, Sha256Impl::sha_ni, 1024);
BENCHMARK_CAPTURE(SHA256D64, avx2_batch1024, Sha256Impl::avx2, 1024);
BENCHMARK_CAPTURE(SHA256D64, avx512_batch1024, Sha256Impl::avx512, 1024);
BENCHMARK(SHA256D64_automatic)->Arg(1)->Arg(2)->Arg(16)->Arg(1024);

BENCHMARK_CAPTURE(SHA256D_header_midstate, portable, Sha256Impl::portable);
BENCHMARK_CAPTURE(SHA256D_header_midstate, sha_ni, Sha256Impl::sha_ni);
BENCHMARK(SHA256D_header_plain);

BENCHMARK(RIPEMD160_1MB);
BENCHMARK(SipHash_32b_generic);
BENCHMARK(SipHash_32b_uint256);
BENCHMARK(MuHash_insert);
BENCHMARK(MuHash_finalize);

}  // namespace bitloom
