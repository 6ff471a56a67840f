#include "crypto/sha256.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "crypto/random.h"
#include "util/hex.h"

namespace bitloom {
namespace {

constexpr Sha256Impl ALL_IMPLEMENTATIONS[] = {Sha256Impl::portable, Sha256Impl::sha_ni, Sha256Impl::avx2,
                                             Sha256Impl::avx512};

const char* impl_name(Sha256Impl impl) {
    switch (impl) {
    case Sha256Impl::portable:
        return "portable";
    case Sha256Impl::sha_ni:
        return "sha-ni";
    case Sha256Impl::avx2:
        return "avx2";
    case Sha256Impl::avx512:
        return "avx512";
    }
    return "?";
}

// Pins an implementation for the lifetime of the guard, then restores the automatic choice.
class ForcedImplementation {
public:
    explicit ForcedImplementation(Sha256Impl impl) : active_(force_sha256_implementation(impl)) {}
    ~ForcedImplementation() { reset_sha256_implementation(); }
    ForcedImplementation(const ForcedImplementation&) = delete;
    ForcedImplementation& operator=(const ForcedImplementation&) = delete;
    bool active() const { return active_; }

private:
    bool active_;
};

// The implementations this CPU can run; portable is always among them.
std::vector<Sha256Impl> supported_implementations() {
    std::vector<Sha256Impl> out;
    for (Sha256Impl impl : ALL_IMPLEMENTATIONS)
        if (sha256_impl_supported(impl)) out.push_back(impl);
    return out;
}

// Runs `check(label)` once under each supported implementation and once under the automatic
// choice (which may combine several).
template <typename Check>
void in_every_mode(Check check) {
    for (Sha256Impl impl : supported_implementations()) {
        ForcedImplementation forced(impl);
        ASSERT_TRUE(forced.active()) << impl_name(impl);
        check(std::string(impl_name(impl)));
    }
    reset_sha256_implementation();
    check("automatic: " + sha256_implementation());
}

std::string hex_sha256(ByteSpan data) { return to_hex(sha256(data).span()); }

// Hashes `data` written in pieces cut at the given lengths (cycled) instead of in one call.
Uint256 sha256_in_pieces(ByteSpan data, const std::vector<std::size_t>& cuts) {
    Sha256 hasher;
    std::size_t pos = 0;
    for (std::size_t i = 0; pos < data.size(); ++i) {
        const std::size_t n = std::min(cuts[i % cuts.size()], data.size() - pos);
        hasher.write(data.subspan(pos, n));
        pos += n;
    }
    return hasher.finalize();
}

bool cpu_reports_sha_ni() {
    std::ifstream cpuinfo("/proc/cpuinfo");
    std::string line;
    while (std::getline(cpuinfo, line)) {
        if (line.rfind("flags", 0) != 0) continue;
        std::istringstream words(line);
        std::string word;
        while (words >> word)
            if (word == "sha_ni") return true;
        return false;
    }
    return false;
}

TEST(Sha256, every_implementation_matches_the_nist_vectors) {
    struct Case {
        std::string message;
        const char* digest;
    };
    const Case cases[] = {
        {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
        {"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmn"
         "opqrstnopqrstu",
         "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"},
        {std::string(1000000, 'a'), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"},
        // Bitcoin Core's extra cases around the block boundary and the 80-byte header size.
        {"For this sample, this 63-byte string will be used as input data",
         "f08a78cbbaee082b052ae0708f32fa1e50c5c421aa772ba5dbb406a2ea6be342"},
        {"This is exactly 64 bytes long, not counting the terminating byte",
         "ab64eff7e88e2e46165e29f2bce41826bd4c7b3552f6b382a9e7d3af47c245f8"},
        {"As Bitcoin relies on 80 byte header hashes, we want to have an example for that.",
         "7406e8de7d6e4fffc573daef05aefb8806e7790f55eab5576f31349743cca743"},
    };
    in_every_mode([&](const std::string& mode) {
        for (const Case& c : cases) {
            EXPECT_EQ(hex_sha256(as_bytes(c.message)), c.digest)
                << mode << ", message of " << c.message.size() << " bytes";
            EXPECT_EQ(to_hex(sha256_in_pieces(as_bytes(c.message), {1, 63, 64, 7, 129}).span()), c.digest)
                << mode << ", written in pieces, " << c.message.size() << " bytes";
        }
    });
}

TEST(Sha256, all_implementations_agree_with_portable_on_every_length_up_to_1000) {
    FastRandom rng(Uint256::from_string(std::string(64, '1')).value());
    const Bytes data = rng.randbytes(1000);
    std::vector<Uint256> reference;
    {
        ForcedImplementation forced(Sha256Impl::portable);
        for (std::size_t len = 0; len <= 1000; ++len) reference.push_back(sha256(ByteSpan(data).first(len)));
    }
    std::printf("[sha256] comparing %zu implementation(s) and the automatic choice with portable\n",
                supported_implementations().size());
    in_every_mode([&](const std::string& mode) {
        for (std::size_t len = 0; len <= 1000; ++len) {
            const ByteSpan input = ByteSpan(data).first(len);
            ASSERT_EQ(sha256(input), reference[len]) << mode << ", length " << len;
            const std::size_t cut = static_cast<std::size_t>(rng.randrange(len + 1));
            ASSERT_EQ(Sha256().write(input.first(cut)).write(input.subspan(cut)).finalize(), reference[len])
                << mode << ", length " << len << " split at " << cut;
        }
    });
}

TEST(Sha256, sha256d64_equals_sha256d_for_batches_of_1_to_35_inputs_in_every_implementation) {
    // Up to 35 so that every batch path (16, 8, 2 and 1 inputs) runs with every remainder.
    FastRandom rng(Uint256::from_string(std::string(64, '2')).value());
    in_every_mode([&](const std::string& mode) {
        for (std::size_t count = 1; count <= 35; ++count) {
            const Bytes in = rng.randbytes(64 * count);
            Bytes out(32 * count + 32, 0xee);  // one spare digest that must stay untouched
            sha256d64(out.data(), in.data(), count);
            for (std::size_t i = 0; i < count; ++i) {
                const Uint256 expected = sha256d(ByteSpan(in).subspan(64 * i, 64));
                ASSERT_EQ(Uint256(ByteSpan(out).subspan(32 * i, 32)), expected)
                    << mode << ", batch of " << count << ", input " << i;
            }
            for (std::size_t i = 32 * count; i < out.size(); ++i) ASSERT_EQ(out[i], 0xee) << "wrote past the end";
        }
    });
}

TEST(Sha256, dispatcher_reports_its_choice_and_picks_sha_ni_when_the_cpu_has_it) {
    reset_sha256_implementation();
    const std::string chosen = sha256_implementation();
    std::printf("[sha256] dispatcher picked: %s\n", chosen.c_str());
    ASSERT_FALSE(chosen.empty());
    EXPECT_TRUE(sha256_impl_supported(Sha256Impl::portable));
    if (cpu_reports_sha_ni()) {
        EXPECT_TRUE(sha256_impl_supported(Sha256Impl::sha_ni));
        EXPECT_EQ(chosen.rfind("sha-ni", 0), 0u) << chosen;
    }
}

TEST(Sha256, forcing_an_implementation_changes_the_reported_choice_until_reset) {
    const std::string automatic = sha256_implementation();
    {
        ForcedImplementation forced(Sha256Impl::portable);
        ASSERT_TRUE(forced.active());
        EXPECT_EQ(sha256_implementation(), "portable");
    }
    EXPECT_EQ(sha256_implementation(), automatic);
    for (Sha256Impl impl : ALL_IMPLEMENTATIONS) {
        if (sha256_impl_supported(impl)) continue;
        EXPECT_FALSE(force_sha256_implementation(impl)) << impl_name(impl);
        EXPECT_EQ(sha256_implementation(), automatic);
    }
}

TEST(Sha256, continuing_from_a_midstate_equals_hashing_in_one_go) {
    FastRandom rng(Uint256::from_string(std::string(64, '3')).value());
    const Bytes data = rng.randbytes(300);
    for (std::size_t prefix_blocks = 0; prefix_blocks <= 4; ++prefix_blocks) {
        Sha256 hasher;
        hasher.write(ByteSpan(data).first(64 * prefix_blocks));
        const Sha256::Midstate mid = hasher.midstate();
        EXPECT_EQ(mid.bytes_hashed, 64 * prefix_blocks);
        Sha256 resumed = Sha256::from_midstate(mid);
        resumed.write(ByteSpan(data).subspan(64 * prefix_blocks));
        EXPECT_EQ(resumed.finalize(), sha256(data)) << prefix_blocks << " blocks before the midstate";
    }
}

TEST(Sha256, header_hash_from_midstate_equals_sha256d_of_the_80_bytes) {
    FastRandom rng(Uint256::from_string(std::string(64, '4')).value());
    in_every_mode([&](const std::string& mode) {
        for (int trial = 0; trial < 20; ++trial) {
            Bytes header = rng.randbytes(80);
            const Sha256::Midstate mid = Sha256().write(ByteSpan(header).first(64)).midstate();
            for (std::uint32_t nonce : {0u, 1u, 0xdeadbeefu}) {
                header[76] = static_cast<std::uint8_t>(nonce);
                header[77] = static_cast<std::uint8_t>(nonce >> 8);
                header[78] = static_cast<std::uint8_t>(nonce >> 16);
                header[79] = static_cast<std::uint8_t>(nonce >> 24);
                EXPECT_EQ(sha256d_header_from_midstate(mid, header.data() + 64), sha256d(header)) << mode;
            }
        }
    });
}

TEST(Sha256, sha256d_hashes_the_digest_again) {
    // The genesis block header: its double hash is the well-known genesis block id.
    const auto header = parse_hex(
        "0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27a"
        "c72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c");
    ASSERT_TRUE(header);
    EXPECT_EQ(sha256d(*header).to_string(), "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f");
    EXPECT_EQ(sha256d(*header), sha256(sha256(*header).span()));
}

}  // namespace
}  // namespace bitloom
