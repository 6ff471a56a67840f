#include "consensus/signature_cache.h"

#include <array>

namespace bitloom {
namespace {

constexpr std::uint8_t ECDSA_KIND = 'E';
constexpr std::uint8_t SCHNORR_KIND = 'S';

}  // namespace

SignatureCache::SignatureCache(std::size_t max_entries)
    : max_entries_(max_entries == 0 ? 1 : max_entries) {
    // Salt padded to one full SHA-256 block, so each entry starts from a saved state.
    std::array<std::uint8_t, 64> block{};
    get_strong_random_bytes(MutableByteSpan(block.data(), 32));
    salted_.write(block);
    entries_.reserve(std::min<std::size_t>(max_entries_, 1u << 16));
}

Uint256 SignatureCache::ecdsa_entry(const Uint256& sighash, ByteSpan pubkey,
                                    ByteSpan der_signature) const {
    Sha256 hasher = salted_;
    hasher.write(&ECDSA_KIND, 1).write(sighash.span()).write(pubkey).write(der_signature);
    return hasher.finalize();
}

Uint256 SignatureCache::schnorr_entry(const Uint256& sighash, ByteSpan pubkey32,
                                      ByteSpan signature64) const {
    Sha256 hasher = salted_;
    hasher.write(&SCHNORR_KIND, 1).write(sighash.span()).write(pubkey32).write(signature64);
    return hasher.finalize();
}

bool SignatureCache::contains(const Uint256& entry) const {
    std::shared_lock lock(mutex_);
    return entries_.contains(entry);
}

void SignatureCache::insert(const Uint256& entry) {
    std::unique_lock lock(mutex_);
    if (entries_.size() >= max_entries_ && !entries_.contains(entry)) {
        // Evict from a random bucket so an attacker cannot choose what survives.
        const std::size_t buckets = entries_.bucket_count();
        std::size_t bucket = eviction_random_.randrange(buckets);
        while (entries_.bucket_size(bucket) == 0) bucket = (bucket + 1) % buckets;
        entries_.erase(*entries_.begin(bucket));
    }
    entries_.insert(entry);
}

std::size_t SignatureCache::size() const {
    std::shared_lock lock(mutex_);
    return entries_.size();
}

bool CachingTransactionSignatureChecker::verify_ecdsa(ByteSpan der_signature,
                                                      const PublicKey& pubkey,
                                                      const Uint256& sighash) const {
    const Uint256 entry = cache_.ecdsa_entry(sighash, pubkey.serialize(), der_signature);
    if (cache_.contains(entry)) return true;
    if (!TransactionSignatureChecker::verify_ecdsa(der_signature, pubkey, sighash)) return false;
    if (store_) cache_.insert(entry);
    return true;
}

bool CachingTransactionSignatureChecker::verify_schnorr(ByteSpan signature64,
                                                        const XOnlyPublicKey& pubkey,
                                                        const Uint256& sighash) const {
    const Uint256 entry = cache_.schnorr_entry(sighash, pubkey.span(), signature64);
    if (cache_.contains(entry)) return true;
    if (!TransactionSignatureChecker::verify_schnorr(signature64, pubkey, sighash)) return false;
    if (store_) cache_.insert(entry);
    return true;
}

}  // namespace bitloom
