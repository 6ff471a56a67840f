// SHA-256 front end: the incremental hasher, the one-shot helpers and the run-time choice of
// implementation (CPUID, then a known-answer self-test of every candidate).
#include "crypto/sha256.h"

#include <algorithm>
#include <atomic>
#include <cassert>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "crypto/sha256_impl.h"
#include "util/endian.h"
#include "util/hex.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

namespace bitloom {
namespace {

using sha256_detail::D64Fn;
using sha256_detail::INITIAL_STATE;
using sha256_detail::TransformFn;

// One consistent set of entry points. The batch paths (2-, 8- and 16-way) are null when the
// backend has none.
struct Backend {
    std::string name;
    TransformFn transform = sha256_detail::transform_portable;
    D64Fn d64_1way = sha256_detail::d64_portable_1way;
    D64Fn d64_2way = nullptr;
    D64Fn d64_8way = nullptr;
    D64Fn d64_16way = nullptr;
};

struct CpuFeatures {
    bool sha_ni = false;
    bool avx2 = false;
    bool avx512 = false;
};

#if defined(__x86_64__) || defined(__i386__)
std::uint64_t read_xcr0() {
    std::uint32_t low = 0, high = 0;
    __asm__("xgetbv" : "=a"(low), "=d"(high) : "c"(0));
    return (std::uint64_t{high} << 32) | low;
}
#endif

CpuFeatures detect_cpu_features() {
    CpuFeatures features;
#if defined(__x86_64__) || defined(__i386__)
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return features;
    const bool ssse3 = (ecx & bit_SSSE3) != 0;
    const bool sse41 = (ecx & bit_SSE4_1) != 0;
    const bool osxsave = (ecx & bit_OSXSAVE) != 0;
    const bool avx = (ecx & bit_AVX) != 0;
    // The OS must save and restore the wide registers: XCR0 bits 1-2 (XMM, YMM) for AVX2,
    // and also bits 5-7 (opmask, upper ZMM halves, ZMM16-31) for AVX-512.
    const std::uint64_t xcr0 = osxsave ? read_xcr0() : 0;
    const bool ymm_state = avx && (xcr0 & 0x06) == 0x06;
    const bool zmm_state = ymm_state && (xcr0 & 0xe0) == 0xe0;
    if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return features;
    features.sha_ni = (ebx & bit_SHA) != 0 && ssse3 && sse41;
    features.avx2 = (ebx & bit_AVX2) != 0 && ymm_state;
    features.avx512 = (ebx & bit_AVX512F) != 0 && zmm_state;
#endif
    return features;
}

const CpuFeatures& cpu_features() {
    static const CpuFeatures features = detect_cpu_features();
    return features;
}

// The single-variant backends that force_sha256_implementation() pins.
Backend single_backend(Sha256Impl impl) {
    Backend b;
    switch (impl) {
    case Sha256Impl::portable:
        b.name = "portable";
        break;
#if defined(__x86_64__) || defined(__i386__)
    case Sha256Impl::sha_ni:
        b.name = "sha-ni(1-way,2-way)";
        b.transform = sha256_detail::transform_shani;
        b.d64_1way = sha256_detail::d64_shani_1way;
        b.d64_2way = sha256_detail::d64_shani_2way;
        break;
    case Sha256Impl::avx2:
        b.name = "portable; sha256d64: avx2(8-way)";
        b.d64_8way = sha256_detail::d64_avx2_8way;
        break;
    case Sha256Impl::avx512:
        b.name = "portable; sha256d64: avx512(16-way)";
        b.d64_16way = sha256_detail::d64_avx512_16way;
        break;
#else
    default:
        break;
#endif
    }
    return b;
}

// Known answers for the self-test.
Bytes from_hex(const char* text) {
    auto bytes = parse_hex(text);
    assert(bytes);
    return *bytes;
}

// The 16 x 64-byte input used to test the d64 paths; every lane differs.
std::array<std::uint8_t, 16 * 64> d64_test_input() {
    std::array<std::uint8_t, 16 * 64> in{};
    for (int i = 0; i < 16; ++i)
        for (int j = 0; j < 64; ++j) in[64 * i + j] = static_cast<std::uint8_t>(i * 0x1f + j * 0x0b + i * j);
    return in;
}
constexpr const char* D64_TEST_OUTPUT[16] = {
    "3dd040bfe100496a184319143ddd6d12904f657c365888c84338c1ffdb8e1d97",
    "d66cd032956d7605ff42a393d7c449312de99717e5a31aa67d5ce36cc288bdcd",
    "ea2eb863dd3ee6c438cf9f6b9bddc44af191b9e785772105569a6ccf0fcd1d28",
    "733e236e7a4b441ceb70cedf647d7921956140c86cac1b9fcf19c45795fdc52b",
    "3b785afc5b58ec90e4456942d373ca879082d8c3bc3ccc4ed110f3d93c82a70a",
    "5e9cd243ee4a0e311f56088347ca5762fc67ef260a3e4bbe6a5e620470ba3e7b",
    "838a0cbbb5cfa3bd3842be4e8f4a523235e23639be2912a4b58e9fc1b3605f42",
    "62647111d8b284f6c8866c1629758528f09d988b0d9617b8589b8b09bf5e4a29",
    "13e1163489b5c66054e23241e82f2174a077a0dfd04f55c01efea091523b75f8",
    "6d2f7d75abe5a0399301da08edf941f6a8e0d2b454b5765976b9723f93831865",
    "3f793a45dc21d5c1441a664fa8bb7a7e10ca512fdd7ae15e67ba3e788411dc78",
    "fee5f6d9cb7bbbaa9e318c45176bce71377a5b20ff9c0583848268310a71e9bc",
    "9c994e930e89bb8b0fa96ba4af20a4cbf0ab589cad0f769c5278148b77549677",
    "9bf6de7ba8094c4808057dedc76f7888fc4b68a5b07c5e78091368a1ea906c37",
    "b8fc3b4cd825ac3557dfe3ccd4e41371d19114f0c345b82c23a4f3fefc9bc011",
    "2a158fcd5f814309e64d9c738f3ad1910742d8380f0ac398e872b5625182f61b",
};

// Pads `message` (shorter than 120 bytes) into one or two blocks, runs `transform` over all
// of them in one call and compares the digest.
bool transform_passes(TransformFn transform, std::string_view message, const char* expected_hex) {
    std::uint8_t blocks[128] = {};
    std::memcpy(blocks, message.data(), message.size());
    blocks[message.size()] = 0x80;
    const std::size_t count = message.size() + 9 <= 64 ? 1 : 2;
    write_be64(blocks + 64 * count - 8, std::uint64_t{message.size()} * 8);
    std::uint32_t state[8];
    std::memcpy(state, INITIAL_STATE, sizeof state);
    transform(state, blocks, count);
    std::uint8_t digest[32];
    for (int i = 0; i < 8; ++i) write_be32(digest + 4 * i, state[i]);
    return Bytes(digest, digest + 32) == from_hex(expected_hex);
}

// Runs `fn` over all 16 test inputs, `lanes` at a time.
bool d64_passes(D64Fn fn, int lanes) {
    if (fn == nullptr) return true;
    const auto in = d64_test_input();
    std::uint8_t out[16 * 32];
    for (int start = 0; start < 16; start += lanes) fn(out + 32 * start, in.data() + 64 * start);
    for (int i = 0; i < 16; ++i) {
        if (Bytes(out + 32 * i, out + 32 * i + 32) != from_hex(D64_TEST_OUTPUT[i])) return false;
    }
    return true;
}

bool self_test(const Backend& backend) {
    return transform_passes(backend.transform, "abc",
                            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") &&
           transform_passes(backend.transform, "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1") &&
           d64_passes(backend.d64_1way, 1) && d64_passes(backend.d64_2way, 2) &&
           d64_passes(backend.d64_8way, 8) && d64_passes(backend.d64_16way, 16);
}

bool cpu_supports(Sha256Impl impl) {
    switch (impl) {
    case Sha256Impl::portable:
        return true;
    case Sha256Impl::sha_ni:
        return sha256_detail::X86_SIMD_BUILT && cpu_features().sha_ni;
    case Sha256Impl::avx2:
        return sha256_detail::X86_SIMD_BUILT && cpu_features().avx2;
    case Sha256Impl::avx512:
        return sha256_detail::X86_SIMD_BUILT && cpu_features().avx512;
    }
    return false;
}

constexpr int IMPL_COUNT = 4;

// The pinnable backends, each with its self-test result; built once per process. A variant
// is only self-tested (and so only executed) when the CPU supports it.
struct Candidates {
    Backend backends[IMPL_COUNT];
    bool usable[IMPL_COUNT];
};

const Candidates& candidates() {
    static const Candidates all = [] {
        Candidates c;
        for (int i = 0; i < IMPL_COUNT; ++i) {
            const auto impl = static_cast<Sha256Impl>(i);
            c.backends[i] = single_backend(impl);
            c.usable[i] = cpu_supports(impl) && self_test(c.backends[i]);
        }
        return c;
    }();
    return all;
}

bool usable(Sha256Impl impl) { return candidates().usable[static_cast<int>(impl)]; }
const Backend& pinned_backend(Sha256Impl impl) { return candidates().backends[static_cast<int>(impl)]; }

// The automatic choice, assembled from the variants that passed: SHA-NI for single hashes
// and for 1 or 2 inputs at a time; AVX-512 for groups of 16 inputs; AVX2 for groups of 8 only
// without SHA-NI. Measured on an AMD Zen 5 with all three, per 64-byte double hash: AVX-512
// 16-way 49 ns, SHA-NI 2-way 101 ns, AVX2 8-way 140 ns, portable 640 ns.
const Backend& automatic_backend() {
    static const Backend chosen = [] {
        // The portable code is the fallback for everything; if it fails, nothing is trustworthy.
        if (!usable(Sha256Impl::portable)) std::abort();
        Backend b = pinned_backend(usable(Sha256Impl::sha_ni) ? Sha256Impl::sha_ni : Sha256Impl::portable);
        std::string batch;
        if (usable(Sha256Impl::avx512)) {
            b.d64_16way = pinned_backend(Sha256Impl::avx512).d64_16way;
            batch = "avx512(16-way)";
        }
        if (usable(Sha256Impl::avx2) && !usable(Sha256Impl::sha_ni)) {
            b.d64_8way = pinned_backend(Sha256Impl::avx2).d64_8way;
            batch += batch.empty() ? "avx2(8-way)" : ", avx2(8-way)";
        }
        if (!batch.empty()) b.name += "; sha256d64: " + batch;
        return b;
    }();
    return chosen;
}

// Test and benchmark override (null: automatic). Process-wide by design, like the CPU it
// describes; atomic so a forced choice is visible to every thread without a lock.
std::atomic<const Backend*>& forced_backend() {
    static std::atomic<const Backend*> forced{nullptr};
    return forced;
}

const Backend& backend() {
    const Backend* forced = forced_backend().load(std::memory_order_acquire);
    return forced != nullptr ? *forced : automatic_backend();
}

void store_digest(const std::uint32_t* state, std::uint8_t* out) {
    for (int i = 0; i < 8; ++i) write_be32(out + 4 * i, state[i]);
}

// SHA256 of a 32-byte digest held as eight state words, written to `out`.
void hash_digest_words(TransformFn transform, const std::uint32_t* digest, std::uint8_t* out) {
    std::uint8_t block[64] = {};
    store_digest(digest, block);
    block[32] = 0x80;
    block[62] = 0x01;  // bit length 256, big-endian in bytes 56..63
    std::uint32_t state[8];
    std::memcpy(state, INITIAL_STATE, sizeof state);
    transform(state, block, 1);
    store_digest(state, out);
}

}  // namespace

Sha256::Sha256() { reset(); }

Sha256& Sha256::reset() {
    std::copy(std::begin(INITIAL_STATE), std::end(INITIAL_STATE), state_.begin());
    bytes_ = 0;
    return *this;
}

Sha256& Sha256::write(ByteSpan data) {
    const std::uint8_t* p = data.data();
    std::size_t size = data.size();
    const std::size_t fill = bytes_ % BLOCK_SIZE;
    bytes_ += size;
    if (fill + size < BLOCK_SIZE) {  // small writes (serializers) only fill the buffer
        if (size != 0) std::memcpy(buffer_.data() + fill, p, size);
        return *this;
    }
    const TransformFn transform = backend().transform;
    if (fill != 0) {  // complete the buffered block
        const std::size_t take = BLOCK_SIZE - fill;
        std::memcpy(buffer_.data() + fill, p, take);
        transform(state_.data(), buffer_.data(), 1);
        p += take;
        size -= take;
    }
    if (size >= BLOCK_SIZE) {
        const std::size_t blocks = size / BLOCK_SIZE;
        transform(state_.data(), p, blocks);
        p += blocks * BLOCK_SIZE;
        size -= blocks * BLOCK_SIZE;
    }
    if (size != 0) std::memcpy(buffer_.data(), p, size);
    return *this;
}

void Sha256::finalize(std::uint8_t out[OUTPUT_SIZE]) {
    const TransformFn transform = backend().transform;
    std::size_t fill = bytes_ % BLOCK_SIZE;
    buffer_[fill++] = 0x80;
    if (fill > BLOCK_SIZE - 8) {
        std::fill(buffer_.begin() + fill, buffer_.end(), 0);
        transform(state_.data(), buffer_.data(), 1);
        fill = 0;
    }
    std::fill(buffer_.begin() + fill, buffer_.end() - 8, 0);
    write_be64(buffer_.data() + BLOCK_SIZE - 8, bytes_ * 8);
    transform(state_.data(), buffer_.data(), 1);
    store_digest(state_.data(), out);
}

Uint256 Sha256::finalize() {
    Uint256 out;
    finalize(out.data());
    return out;
}

Sha256::Midstate Sha256::midstate() const {
    assert(bytes_ % BLOCK_SIZE == 0);
    return Midstate{state_, bytes_};
}

Sha256 Sha256::from_midstate(const Midstate& mid) {
    assert(mid.bytes_hashed % BLOCK_SIZE == 0);
    Sha256 hasher;
    hasher.state_ = mid.state;
    hasher.bytes_ = mid.bytes_hashed;
    return hasher;
}

Uint256 sha256(ByteSpan data) { return Sha256().write(data).finalize(); }

Uint256 sha256d(ByteSpan data) {
    Uint256 first = sha256(data);
    return sha256(first.span());
}

void sha256d64(std::uint8_t* out, const std::uint8_t* in, std::size_t count) {
    const Backend& b = backend();
    if (b.d64_16way != nullptr) {
        for (; count >= 16; count -= 16, in += 16 * 64, out += 16 * 32) b.d64_16way(out, in);
    }
    if (b.d64_8way != nullptr) {
        for (; count >= 8; count -= 8, in += 8 * 64, out += 8 * 32) b.d64_8way(out, in);
    }
    if (b.d64_2way != nullptr) {
        for (; count >= 2; count -= 2, in += 2 * 64, out += 2 * 32) b.d64_2way(out, in);
    }
    for (; count != 0; --count, in += 64, out += 32) b.d64_1way(out, in);
}

Uint256 sha256d_header_from_midstate(const Sha256::Midstate& mid, const std::uint8_t tail[16]) {
    const TransformFn transform = backend().transform;
    std::uint8_t block[64] = {};
    std::memcpy(block, tail, 16);
    block[16] = 0x80;
    write_be64(block + 56, (mid.bytes_hashed + 16) * 8);
    std::uint32_t state[8];
    std::copy(mid.state.begin(), mid.state.end(), state);
    transform(state, block, 1);
    Uint256 out;
    hash_digest_words(transform, state, out.data());
    return out;
}

std::string sha256_implementation() { return backend().name; }

bool sha256_impl_supported(Sha256Impl impl) { return usable(impl); }

bool force_sha256_implementation(Sha256Impl impl) {
    if (!usable(impl)) return false;
    forced_backend().store(&pinned_backend(impl), std::memory_order_release);
    return true;
}

void reset_sha256_implementation() { forced_backend().store(nullptr, std::memory_order_release); }

}  // namespace bitloom
