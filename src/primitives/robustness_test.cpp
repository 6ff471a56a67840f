// Hostile input: every decoder is fed random bytes, truncations and single-byte mutations of
// real blocks, and must answer with a value or a DecodeError: no crash, no exception, and no
// allocation out of proportion to the input (a claimed length or count must never be trusted
// before the bytes that back it are there). Runs under ASan/UBSan in the sanitizer build.
#include <gtest/gtest.h>

#include <cstdlib>
#include <exception>
#include <new>
#include <random>
#include <string>

#include "primitives/block.h"
#include "primitives/merkle.h"
#include "primitives/script.h"
#include "primitives/serialize.h"
#include "primitives/transaction.h"
#include "testutil/vectors.h"
#include "util/hex.h"

// Allocation accounting for this test binary: while `tracking` is on, every operator new adds
// its request to `requested`. Test-only state, touched by one thread.
namespace {
struct AllocationCounter {
    bool tracking = false;
    std::size_t requested = 0;
    std::size_t largest = 0;
};
AllocationCounter& allocations() {
    static AllocationCounter counter;
    return counter;
}
void* counted_alloc(std::size_t n) {
    AllocationCounter& c = allocations();
    if (c.tracking) {
        c.requested += n;
        if (n > c.largest) c.largest = n;
    }
    if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
    throw std::bad_alloc();
}
}  // namespace

void* operator new(std::size_t n) { return counted_alloc(n); }
void* operator new[](std::size_t n) { return counted_alloc(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

namespace bitloom {
namespace {

// Allowed heap use while decoding n input bytes. The in-memory forms are larger than the wire
// forms: a 10-byte transaction becomes a shared Transaction of ~170 bytes, an empty 1-byte
// witness item a 24-byte vector.
constexpr std::size_t BYTES_PER_INPUT_BYTE = 32;
constexpr std::size_t ALLOCATION_SLACK = 4096;

class TrackAllocations {
public:
    TrackAllocations() {
        allocations().requested = 0;
        allocations().largest = 0;
        allocations().tracking = true;
    }
    ~TrackAllocations() { allocations().tracking = false; }
    std::size_t requested() const { return allocations().requested; }
};

struct Outcome {
    std::size_t decoded = 0;  // decoders that returned a value
    std::size_t failed = 0;   // decoders that returned an error
};

template <typename R>
void tally(const R& result, Outcome& outcome) {
    if (result.has_value()) {
        ++outcome.decoded;
    } else {
        ++outcome.failed;
        EXPECT_FALSE(to_string(result.error()).empty());
    }
}

// Exercises the script helpers on arbitrary bytes; all of them must stay inside the script.
std::size_t walk_script(ByteSpan bytes) {
    const Script script(bytes);
    std::size_t ops = 0;
    std::size_t pos = 0;
    while (auto op = script.get_op(pos)) {
        EXPECT_LE(op->data.size(), script.size());
        ++ops;
    }
    EXPECT_LE(pos, script.size());
    (void)script.is_push_only();
    (void)script.has_valid_ops();
    (void)script.sigop_count(true);
    (void)script.sigop_count(false);
    (void)script.p2sh_sigop_count(script);
    (void)script.witness_program();
    (void)script.is_unspendable();
    return ops;
}

// Feeds `input` to every decoder, checking the allocation bound for each.
Outcome feed_all(ByteSpan input) {
    Outcome outcome;
    const std::size_t limit = BYTES_PER_INPUT_BYTE * input.size() + ALLOCATION_SLACK;
    auto bounded = [&](const char* what, auto&& decode) {
        try {
            TrackAllocations track;
            decode();
            EXPECT_LE(track.requested(), limit) << what << " on " << input.size() << " bytes";
        } catch (const std::exception& e) {
            ADD_FAILURE() << what << " threw " << e.what();
        } catch (...) {
            ADD_FAILURE() << what << " threw";
        }
    };

    bounded("compact sizes", [&] {
        Reader reader(input);
        while (true) {
            const auto n = reader.read_compact_size();
            tally(n, outcome);
            if (!n) break;
        }
    });
    bounded("sizes and var_bytes", [&] {
        Reader reader(input);
        while (true) {
            const auto bytes = reader.read_var_bytes();
            tally(bytes, outcome);
            if (!bytes) break;
        }
    });
    bounded("script ops", [&] { walk_script(input); });
    bounded("outpoint", [&] {
        Reader reader(input);
        tally(read_outpoint(reader), outcome);
    });
    bounded("txin", [&] {
        Reader reader(input);
        tally(read_txin(reader), outcome);
    });
    bounded("txout", [&] {
        Reader reader(input);
        tally(read_txout(reader), outcome);
    });
    bounded("witness", [&] {
        Reader reader(input);
        tally(read_witness(reader), outcome);
    });
    bounded("transaction", [&] { tally(decode_transaction(input), outcome); });
    bounded("legacy transaction", [&] { tally(decode_transaction(input, TxFormat::no_witness), outcome); });
    bounded("header", [&] { tally(decode_block_header(input), outcome); });
    bounded("block", [&] {
        const auto block = decode_block(input);
        tally(block, outcome);
        // A decoded block must survive the rest of the pipeline too.
        if (block) {
            (void)block_merkle_root(*block);
            (void)block_witness_merkle_root(*block);
            EXPECT_EQ(encode(*block).size(), block->total_size());
        }
    });
    return outcome;
}

Bytes random_bytes(std::mt19937_64& rng, std::size_t n) {
    Bytes out(n);
    for (auto& b : out) b = static_cast<std::uint8_t>(rng());
    return out;
}

// The header, a count and the first `count` transactions of block 413567, re-encoded as a
// block of their own (its merkle root no longer matches, which decoding does not check).
Bytes mainnet_prefix_block(std::size_t count) {
    const Bytes raw = testutil::read_file_bytes(testutil::vector_path("bitcoin-core/block413567.raw"));
    auto full = decode_block(raw);
    EXPECT_TRUE(full.has_value());
    if (!full) return {};
    full->transactions.resize(count);
    return encode(*full);
}

// Regtest block 126 of the file (line 126): nine transactions, five of them segwit.
Bytes regtest_segwit_block() {
    const std::string text = testutil::read_file_text(testutil::vector_path("regtest-chain-1/blocks.hex"));
    std::size_t start = 0;
    for (int line = 0; line < 125; ++line) start = text.find('\n', start) + 1;
    const std::size_t end = text.find('\n', start);
    auto bytes = parse_hex(text.substr(start, end - start));
    EXPECT_TRUE(bytes.has_value());
    return bytes.value_or(Bytes{});
}

TEST(Robustness, a_huge_claimed_count_with_three_bytes_of_data_fails_fast_without_allocating) {
    // CompactSize 2^25 (= MAX_SIZE, so the size check passes) followed by three bytes.
    const Bytes input = {0xfe, 0x00, 0x00, 0x00, 0x02, 0x01, 0x02, 0x03};
    auto expect_truncated_and_small = [&](const char* what, auto&& decode) {
        TrackAllocations track;
        const auto result = decode();
        const std::size_t used = track.requested();
        ASSERT_FALSE(result.has_value()) << what;
        EXPECT_EQ(result.error(), DecodeError::truncated) << what;
        EXPECT_LE(used, 256u) << what;
    };
    expect_truncated_and_small("var_bytes", [&] { Reader r(input); return r.read_var_bytes(); });
    expect_truncated_and_small("witness", [&] { Reader r(input); return read_witness(r); });
    expect_truncated_and_small("vector<u8>", [&] {
        Reader r(input);
        return r.read_vector<std::uint8_t>(1, [](Reader& rr) { return rr.read_u8(); });
    });
    // As the input count of a transaction.
    Bytes tx = {0x01, 0x00, 0x00, 0x00};
    tx.insert(tx.end(), input.begin(), input.end());
    expect_truncated_and_small("transaction", [&] { return decode_transaction(tx); });
    // As a block's transaction count.
    Bytes block(80, 0);
    block.insert(block.end(), input.begin(), input.end());
    expect_truncated_and_small("block", [&] { return decode_block(block); });
}

TEST(Robustness, the_allocation_counter_sees_allocations) {
    // Guards the guard: if operator new were not replaced, every bound above would pass.
    TrackAllocations track;
    auto* bytes = new Bytes(1000, 0);
    const std::size_t used = track.requested();
    delete bytes;
    EXPECT_GE(used, 1000u);
}

TEST(Robustness, random_byte_strings_never_crash_throw_or_overallocate) {
    std::mt19937_64 rng(0x5eed1234);
    std::uniform_int_distribution<std::size_t> length(0, 2000);
    Outcome total;
    const std::size_t cases = 3000;
    for (std::size_t i = 0; i < cases; ++i) {
        const Bytes input = random_bytes(rng, length(rng));
        const Outcome o = feed_all(input);
        total.decoded += o.decoded;
        total.failed += o.failed;
        if (::testing::Test::HasFailure()) break;
    }
    testutil::report_cases("random byte strings", cases);
    EXPECT_GT(total.failed, 0u);
}

TEST(Robustness, random_inputs_shaped_like_transactions_never_crash) {
    // Random bytes rarely get past a version and a count; these start like a transaction
    // (version, marker/flag or a small input count) so the deeper fields see garbage too.
    std::mt19937_64 rng(77);
    const std::size_t cases = 3000;
    std::size_t decoded = 0;
    for (std::size_t i = 0; i < cases; ++i) {
        Bytes input = {0x02, 0x00, 0x00, 0x00};
        if (rng() & 1) input.insert(input.end(), {0x00, 0x01});
        input.push_back(static_cast<std::uint8_t>(rng() % 3));
        const Bytes tail = random_bytes(rng, rng() % 300);
        for (std::uint8_t b : tail) input.push_back((rng() % 4 == 0) ? static_cast<std::uint8_t>(b % 3) : b);
        const Outcome o = feed_all(input);
        decoded += o.decoded;
        if (::testing::Test::HasFailure()) break;
    }
    testutil::report_cases("transaction-shaped random inputs", cases);
    EXPECT_GT(decoded, 0u);
}

TEST(Robustness, every_truncation_of_real_blocks_fails_cleanly) {
    const Bytes blocks[] = {mainnet_prefix_block(6), regtest_segwit_block()};
    std::size_t cases = 0;
    for (const Bytes& block : blocks) {
        ASSERT_GT(block.size(), 80u);
        ASSERT_TRUE(decode_block(block).has_value());
        for (std::size_t n = 0; n < block.size(); ++n) {
            const ByteSpan prefix = ByteSpan(block).first(n);
            const auto decoded = decode_block(prefix);
            ASSERT_FALSE(decoded.has_value()) << n;
            EXPECT_EQ(decoded.error(), DecodeError::truncated) << n;
            // The transactions alone (after header and count), cut at every length.
            if (n > 81) {
                TrackAllocations track;
                Reader reader(prefix.subspan(81));
                while (!reader.at_end()) {
                    if (!read_transaction(reader)) break;
                }
                EXPECT_LE(track.requested(), BYTES_PER_INPUT_BYTE * n + ALLOCATION_SLACK);
            }
            ++cases;
        }
    }
    testutil::report_cases("block truncations", cases);
}

TEST(Robustness, single_byte_mutations_of_real_blocks_never_crash_throw_or_overallocate) {
    const Bytes blocks[] = {mainnet_prefix_block(6), regtest_segwit_block()};
    std::mt19937_64 rng(424242);
    const std::size_t per_block = 1500;
    std::size_t decoded = 0, failed = 0;
    for (const Bytes& original : blocks) {
        ASSERT_GT(original.size(), 80u);
        for (std::size_t i = 0; i < per_block; ++i) {
            Bytes mutated = original;
            const std::size_t at = rng() % mutated.size();
            std::uint8_t value = static_cast<std::uint8_t>(rng());
            if (value == mutated[at]) value ^= 0x01;
            mutated[at] = value;
            const Outcome o = feed_all(mutated);
            decoded += o.decoded;
            failed += o.failed;
            if (::testing::Test::HasFailure()) return;
        }
    }
    testutil::report_cases("single-byte block mutations", 2 * per_block);
    // Most mutations land in hashes and signatures and still decode; some break the structure.
    EXPECT_GT(decoded, 0u);
    EXPECT_GT(failed, 0u);
}

}  // namespace
}  // namespace bitloom
