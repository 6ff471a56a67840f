// A cache of signatures already verified, so that a transaction checked when it entered the
// mempool is not checked again when it arrives in a block.
//
// An entry is SHA256(salt || kind || sighash || pubkey || signature), with a random 32-byte
// salt chosen per cache so that nobody can predict entries. Only successful verifications are
// stored; a hit means "this exact signature over this exact hash by this key was valid".
// The cache is bounded: when it is full, inserting evicts a randomly chosen entry.
// Thread-safe: lookups take a shared lock, inserts an exclusive one.
#pragma once

#include <cstddef>
#include <mutex>
#include <shared_mutex>
#include <unordered_set>

#include "consensus/sighash.h"
#include "crypto/random.h"
#include "crypto/sha256.h"
#include "util/uint256.h"

namespace bitloom {

class SignatureCache {
public:
    // Bitcoin Core's default budget is 32 MiB of entries; an entry here costs about 64 bytes.
    static constexpr std::size_t DEFAULT_MAX_ENTRIES = 1u << 19;

    explicit SignatureCache(std::size_t max_entries = DEFAULT_MAX_ENTRIES);

    Uint256 ecdsa_entry(const Uint256& sighash, ByteSpan pubkey, ByteSpan der_signature) const;
    Uint256 schnorr_entry(const Uint256& sighash, ByteSpan pubkey32, ByteSpan signature64) const;

    bool contains(const Uint256& entry) const;
    void insert(const Uint256& entry);
    std::size_t size() const;

private:
    Sha256 salted_;  // SHA-256 state after the 64-byte salt block
    std::size_t max_entries_;
    mutable std::shared_mutex mutex_;
    std::unordered_set<Uint256, BlobHasher> entries_;  // guarded by mutex_
    FastRandom eviction_random_;                       // guarded by mutex_
};

// A TransactionSignatureChecker that consults `cache` before each elliptic-curve verification
// and, when `store` is set, records successes (the mempool stores; block validation only
// reads, as in Bitcoin Core).
class CachingTransactionSignatureChecker : public TransactionSignatureChecker {
public:
    CachingTransactionSignatureChecker(const Transaction& tx, unsigned input_index, Amount amount,
                                       const PrecomputedTransactionData& txdata,
                                       SignatureCache& cache, bool store)
        : TransactionSignatureChecker(tx, input_index, amount, txdata), cache_(cache), store_(store) {}

protected:
    bool verify_ecdsa(ByteSpan der_signature, const PublicKey& pubkey,
                      const Uint256& sighash) const override;
    bool verify_schnorr(ByteSpan signature64, const XOnlyPublicKey& pubkey,
                        const Uint256& sighash) const override;

private:
    SignatureCache& cache_;
    bool store_;
};

}  // namespace bitloom
