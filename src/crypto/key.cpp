#include "crypto/key.h"

#include <secp256k1.h>
#include <secp256k1_extrakeys.h>
#include <secp256k1_recovery.h>
#include <secp256k1_schnorrsig.h>

#include <cstring>

#include "crypto/random.h"
#include "crypto/secp256k1_context.h"
#include "util/endian.h"

namespace bitloom {

namespace {

// Wipes a libsecp256k1 object or buffer that held secret material.
template <typename T>
void wipe(T& object) {
    explicit_bzero(&object, sizeof object);
}

// A keypair that wipes itself.
struct ScopedKeypair {
    secp256k1_keypair keypair;
    ~ScopedKeypair() { wipe(keypair); }
};

bool has_low_r(const secp256k1_context* context, const secp256k1_ecdsa_signature& signature) {
    std::array<std::uint8_t, 64> compact{};
    secp256k1_ecdsa_signature_serialize_compact(context, compact.data(), &signature);
    return compact[0] < 0x80;
}

}  // namespace

PrivateKey::~PrivateKey() { wipe(secret_); }

bool PrivateKey::is_valid_secret(ByteSpan secret) {
    return secret.size() == SIZE &&
           secp256k1_ec_seckey_verify(secp256k1_shared_context(), secret.data()) == 1;
}

Result<PrivateKey, KeyError> PrivateKey::from_bytes(ByteSpan secret, bool compressed) {
    if (secret.size() != SIZE) return fail(KeyError::invalid_size);
    if (!is_valid_secret(secret)) return fail(KeyError::invalid_secret_key);
    PrivateKey key;
    std::memcpy(key.secret_.data(), secret.data(), SIZE);
    key.compressed_ = compressed;
    return key;
}

PrivateKey PrivateKey::generate(bool compressed) {
    PrivateKey key;
    key.compressed_ = compressed;
    // Fewer than 1 in 2^127 draws are out of range; draw again until one is valid.
    do {
        get_strong_random_bytes(key.secret_);
    } while (!is_valid_secret(key.secret_));
    return key;
}

PublicKey PrivateKey::public_key() const {
    const secp256k1_context* context = secp256k1_shared_context();
    secp256k1_pubkey point;
    const int created = secp256k1_ec_pubkey_create(context, &point, secret_.data());
    (void)created;  // the secret was validated at construction
    std::array<std::uint8_t, PublicKey::UNCOMPRESSED_SIZE> encoding{};
    std::size_t size = encoding.size();
    secp256k1_ec_pubkey_serialize(context, encoding.data(), &size, &point,
                                  compressed_ ? SECP256K1_EC_COMPRESSED
                                              : SECP256K1_EC_UNCOMPRESSED);
    return PublicKey::from_trusted_encoding(ByteSpan(encoding.data(), size),
                                            ByteSpan(point.data, sizeof point.data));
}

XOnlyPublicKey PrivateKey::x_only_public_key() const { return public_key().x_only(); }

Result<Bytes, KeyError> PrivateKey::sign_ecdsa(const Uint256& hash, bool grind_low_r) const {
    const secp256k1_context* context = secp256k1_shared_context();
    secp256k1_ecdsa_signature signature;
    int ok = secp256k1_ecdsa_sign(context, &signature, hash.data(), secret_.data(),
                                  secp256k1_nonce_function_rfc6979, nullptr);
    std::array<std::uint8_t, 32> extra_entropy{};
    std::uint32_t counter = 0;
    while (ok && grind_low_r && !has_low_r(context, signature)) {
        write_le32(extra_entropy.data(), ++counter);
        ok = secp256k1_ecdsa_sign(context, &signature, hash.data(), secret_.data(),
                                  secp256k1_nonce_function_rfc6979, extra_entropy.data());
    }
    if (!ok) return fail(KeyError::signing_failed);

    Bytes der(72);
    std::size_t der_size = der.size();
    secp256k1_ecdsa_signature_serialize_der(context, der.data(), &der_size, &signature);
    der.resize(der_size);
    // Guard against faults (hardware or memory corruption) leaking a bad signature.
    if (!public_key().verify_ecdsa(hash, der)) return fail(KeyError::signing_failed);
    return der;
}

Result<CompactSignature, KeyError> PrivateKey::sign_compact(const Uint256& hash) const {
    const secp256k1_context* context = secp256k1_shared_context();
    secp256k1_ecdsa_recoverable_signature signature;
    if (!secp256k1_ecdsa_sign_recoverable(context, &signature, hash.data(), secret_.data(),
                                          secp256k1_nonce_function_rfc6979, nullptr)) {
        return fail(KeyError::signing_failed);
    }
    CompactSignature out{};
    int recovery_id = 0;
    secp256k1_ecdsa_recoverable_signature_serialize_compact(context, out.data() + 1, &recovery_id,
                                                            &signature);
    out[0] = static_cast<std::uint8_t>(27 + recovery_id + (compressed_ ? 4 : 0));
    const auto recovered = PublicKey::recover_compact(hash, out);
    if (!recovered || !(*recovered == public_key())) return fail(KeyError::signing_failed);
    return out;
}

namespace {

// Signs with a ready keypair and checks the result against the keypair's x-only key.
Result<SchnorrSignature, KeyError> sign_with_keypair(const secp256k1_keypair& keypair,
                                                     ByteSpan message,
                                                     const std::optional<Uint256>& aux_rand) {
    const secp256k1_context* context = secp256k1_shared_context();
    std::array<std::uint8_t, 32> aux{};
    if (aux_rand) std::memcpy(aux.data(), aux_rand->data(), aux.size());
    secp256k1_schnorrsig_extraparams params = SECP256K1_SCHNORRSIG_EXTRAPARAMS_INIT;
    params.ndata = aux.data();  // all zero when absent, matching a null aux_rand
    SchnorrSignature signature{};
    if (!secp256k1_schnorrsig_sign_custom(context, signature.data(), message.data(),
                                          message.size(), &keypair, &params)) {
        return fail(KeyError::signing_failed);
    }
    secp256k1_xonly_pubkey public_key;
    if (!secp256k1_keypair_xonly_pub(context, &public_key, nullptr, &keypair) ||
        !secp256k1_schnorrsig_verify(context, signature.data(), message.data(), message.size(),
                                     &public_key)) {
        return fail(KeyError::signing_failed);
    }
    return signature;
}

// Applies the BIP341 TapTweak to `keypair` in place.
bool tweak_keypair_for_taproot(secp256k1_keypair& keypair,
                               const std::optional<Uint256>& merkle_root) {
    const secp256k1_context* context = secp256k1_shared_context();
    secp256k1_xonly_pubkey internal;
    if (!secp256k1_keypair_xonly_pub(context, &internal, nullptr, &keypair)) return false;
    std::array<std::uint8_t, 32> internal_bytes{};
    secp256k1_xonly_pubkey_serialize(context, internal_bytes.data(), &internal);
    const auto internal_key = XOnlyPublicKey::parse(internal_bytes);
    if (!internal_key) return false;
    const Uint256 tweak = internal_key->tap_tweak_hash(merkle_root);
    return secp256k1_keypair_xonly_tweak_add(context, &keypair, tweak.data()) == 1;
}

}  // namespace

Result<SchnorrSignature, KeyError> PrivateKey::sign_schnorr(
    ByteSpan message, const std::optional<Uint256>& aux_rand) const {
    ScopedKeypair scoped;
    if (!secp256k1_keypair_create(secp256k1_shared_context(), &scoped.keypair, secret_.data())) {
        return fail(KeyError::signing_failed);
    }
    return sign_with_keypair(scoped.keypair, message, aux_rand);
}

Result<SchnorrSignature, KeyError> PrivateKey::sign_schnorr_taproot(
    const Uint256& sighash, const std::optional<Uint256>& merkle_root,
    const std::optional<Uint256>& aux_rand) const {
    ScopedKeypair scoped;
    if (!secp256k1_keypair_create(secp256k1_shared_context(), &scoped.keypair, secret_.data())) {
        return fail(KeyError::signing_failed);
    }
    if (!tweak_keypair_for_taproot(scoped.keypair, merkle_root)) {
        return fail(KeyError::invalid_tweak);
    }
    return sign_with_keypair(scoped.keypair, sighash.span(), aux_rand);
}

Result<PrivateKey, KeyError> PrivateKey::tweak_for_taproot(
    const std::optional<Uint256>& merkle_root) const {
    const secp256k1_context* context = secp256k1_shared_context();
    ScopedKeypair scoped;
    if (!secp256k1_keypair_create(context, &scoped.keypair, secret_.data())) {
        return fail(KeyError::invalid_secret_key);
    }
    if (!tweak_keypair_for_taproot(scoped.keypair, merkle_root)) {
        return fail(KeyError::invalid_tweak);
    }
    PrivateKey tweaked;
    tweaked.compressed_ = true;
    if (!secp256k1_keypair_sec(context, tweaked.secret_.data(), &scoped.keypair)) {
        return fail(KeyError::invalid_tweak);
    }
    return tweaked;
}

Result<PrivateKey, KeyError> PrivateKey::add_tweak(ByteSpan tweak) const {
    if (tweak.size() != 32) return fail(KeyError::invalid_size);
    PrivateKey tweaked = *this;
    if (!secp256k1_ec_seckey_tweak_add(secp256k1_shared_context(), tweaked.secret_.data(),
                                       tweak.data())) {
        return fail(KeyError::invalid_tweak);
    }
    return tweaked;
}

}  // namespace bitloom
