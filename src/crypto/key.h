// Private keys on secp256k1: generation, ECDSA (Bitcoin Core's low-R, RFC6979 signing), BIP340
// Schnorr signing and the BIP341 taproot tweak.
//
// A secret key is 32 big-endian bytes holding a number in [1, n-1], n the curve order.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "crypto/pubkey.h"
#include "util/bytes.h"
#include "util/result.h"
#include "util/uint256.h"

namespace bitloom {

// A valid secp256k1 secret key plus the flag saying which public-key encoding it stands for
// (compressed or not, as WIF records it). The secret is overwritten with zeros when the object
// (or any copy of it) is destroyed; it is never logged or formatted by this class.
class PrivateKey {
public:
    static constexpr std::size_t SIZE = 32;

    // Errors: invalid_size (not 32 bytes), invalid_secret_key (zero or >= n).
    static Result<PrivateKey, KeyError> from_bytes(ByteSpan secret, bool compressed = true);
    // A fresh key from the OS CSPRNG (get_strong_random_bytes, which aborts rather than
    // return weak bytes).
    static PrivateKey generate(bool compressed = true);
    // True when `secret` is 32 bytes encoding a number in [1, n-1].
    static bool is_valid_secret(ByteSpan secret);

    PrivateKey(const PrivateKey&) = default;
    PrivateKey(PrivateKey&&) = default;
    PrivateKey& operator=(const PrivateKey&) = default;
    PrivateKey& operator=(PrivateKey&&) = default;
    ~PrivateKey();

    // The 32 secret bytes (valid while this object lives).
    ByteSpan secret() const { return secret_; }
    bool is_compressed() const { return compressed_; }

    // The public key, encoded compressed or uncompressed according to is_compressed().
    PublicKey public_key() const;
    // The BIP340 x-only public key (the x coordinate of secret*G).
    XOnlyPublicKey x_only_public_key() const;

    // ECDSA signature of `hash`, DER-encoded (no sighash byte), always low-S. Deterministic
    // (RFC6979). With `grind_low_r` (the default, as in Bitcoin Core) it re-signs with extra
    // nonce data = a little-endian 32-bit counter (1, 2, ...) in a zeroed 32-byte buffer until
    // R's top bit is clear, so R encodes in 32 bytes and the DER signature is at most 70 bytes;
    // the result is byte-identical to Bitcoin Core's CKey::Sign. The signature is verified
    // before it is returned. Error: signing_failed.
    Result<Bytes, KeyError> sign_ecdsa(const Uint256& hash, bool grind_low_r = true) const;

    // Recoverable ECDSA signature (RFC6979, no grinding) in the 65-byte `signmessage` form:
    // header 27 + recovery id (+4 when is_compressed()), then R and S. Error: signing_failed.
    Result<CompactSignature, KeyError> sign_compact(const Uint256& hash) const;

    // BIP340 signature of `message` (any length) by this key, untweaked. `aux_rand` is the
    // BIP340 auxiliary randomness; without it the all-zero value is used (deterministic
    // signatures, as the BIP340 test vectors and BIP341 wallet vectors expect). Wallets should
    // pass 32 fresh random bytes. The signature is verified before it is returned.
    // Error: signing_failed.
    Result<SchnorrSignature, KeyError> sign_schnorr(
        ByteSpan message, const std::optional<Uint256>& aux_rand = std::nullopt) const;

    // BIP341 key-path signature: signs `sighash` with this (internal) key tweaked by
    // tagged_hash("TapTweak", P || merkle_root), where an absent merkle root means an output
    // without a script tree (the tweak then commits to P alone, as BIP86 requires). Kept apart
    // from sign_schnorr by name so that forgetting an argument can never silently drop the
    // tweak. Errors: invalid_tweak, signing_failed.
    Result<SchnorrSignature, KeyError> sign_schnorr_taproot(
        const Uint256& sighash, const std::optional<Uint256>& merkle_root,
        const std::optional<Uint256>& aux_rand = std::nullopt) const;

    // The BIP341 tweaked secret key: (d' + t) mod n where d' is this secret negated if needed
    // so that its point has even y, and t the TapTweak hash above. Its x-only public key is
    // the output key of XOnlyPublicKey::create_tap_tweak. Error: invalid_tweak.
    Result<PrivateKey, KeyError> tweak_for_taproot(const std::optional<Uint256>& merkle_root) const;

    // (secret + tweak) mod n, the BIP32 private derivation step; keeps the compressed flag.
    // Errors: invalid_size (tweak not 32 bytes), invalid_tweak (tweak >= n or a zero result).
    Result<PrivateKey, KeyError> add_tweak(ByteSpan tweak) const;

private:
    PrivateKey() = default;
    std::array<std::uint8_t, SIZE> secret_{};
    bool compressed_ = true;
};

}  // namespace bitloom
