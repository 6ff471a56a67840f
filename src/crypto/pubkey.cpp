#include "crypto/pubkey.h"

#include <secp256k1.h>
#include <secp256k1_extrakeys.h>
#include <secp256k1_recovery.h>
#include <secp256k1_schnorrsig.h>

#include <cassert>
#include <cstring>

#include "crypto/hash.h"
#include "crypto/secp256k1_context.h"
#include "crypto/sha256.h"

namespace bitloom {

std::string_view to_string(KeyError error) {
    switch (error) {
        case KeyError::invalid_size: return "invalid size";
        case KeyError::invalid_encoding: return "invalid encoding";
        case KeyError::invalid_secret_key: return "invalid secret key";
        case KeyError::invalid_tweak: return "invalid tweak";
        case KeyError::invalid_signature: return "invalid signature";
        case KeyError::signing_failed: return "signing failed";
    }
    return "unknown key error";
}

namespace {

bool load_point(ByteSpan encoding, secp256k1_pubkey& point) {
    return secp256k1_ec_pubkey_parse(secp256k1_shared_context(), &point, encoding.data(),
                                     encoding.size()) == 1;
}

bool load_x_only(ByteSpan encoding, secp256k1_xonly_pubkey& point) {
    return encoding.size() == XOnlyPublicKey::SIZE &&
           secp256k1_xonly_pubkey_parse(secp256k1_shared_context(), &point, encoding.data()) == 1;
}

static_assert(sizeof(secp256k1_pubkey) == 64 && sizeof(secp256k1_xonly_pubkey) == 64);

ByteSpan point_bytes(const secp256k1_pubkey& point) { return {point.data, sizeof point.data}; }

secp256k1_pubkey stored_point(const std::array<std::uint8_t, 64>& bytes) {
    secp256k1_pubkey point;
    std::memcpy(point.data, bytes.data(), sizeof point.data);
    return point;
}

secp256k1_xonly_pubkey stored_x_only(const std::array<std::uint8_t, 64>& bytes) {
    secp256k1_xonly_pubkey point;
    std::memcpy(point.data, bytes.data(), sizeof point.data);
    return point;
}

std::array<std::uint8_t, PublicKey::UNCOMPRESSED_SIZE> encode_point(const secp256k1_pubkey& point,
                                                                     bool compressed,
                                                                     std::size_t& size) {
    std::array<std::uint8_t, PublicKey::UNCOMPRESSED_SIZE> out{};
    size = out.size();
    secp256k1_ec_pubkey_serialize(secp256k1_shared_context(), out.data(), &size, &point,
                                  compressed ? SECP256K1_EC_COMPRESSED : SECP256K1_EC_UNCOMPRESSED);
    return out;
}

// One DER length as the lax parser reads it (see parse_der_lax in the header). Advances `pos`.
std::optional<std::size_t> read_lax_integer_length(ByteSpan in, std::size_t& pos) {
    if (pos == in.size()) return std::nullopt;
    std::size_t length = in[pos++];
    if ((length & 0x80) == 0) return length;
    std::size_t length_bytes = length - 0x80;
    if (length_bytes > in.size() - pos) return std::nullopt;
    while (length_bytes > 0 && in[pos] == 0) {
        ++pos;
        --length_bytes;
    }
    if (length_bytes >= 4) return std::nullopt;
    length = 0;
    for (; length_bytes > 0; --length_bytes) length = (length << 8) | in[pos++];
    return length;
}

// R and S of a lax-parsed signature as subspans of the input (leading zeros included).
std::optional<std::array<ByteSpan, 2>> split_der_lax(ByteSpan in) {
    std::size_t pos = 0;
    if (pos == in.size() || in[pos] != 0x30) return std::nullopt;
    ++pos;
    if (pos == in.size()) return std::nullopt;
    const std::size_t sequence_length = in[pos++];
    if (sequence_length & 0x80) {
        const std::size_t length_bytes = sequence_length - 0x80;
        if (length_bytes > in.size() - pos) return std::nullopt;
        pos += length_bytes;  // the sequence length itself is never used
    }
    std::array<ByteSpan, 2> integers;
    for (ByteSpan& integer : integers) {
        if (pos == in.size() || in[pos] != 0x02) return std::nullopt;
        ++pos;
        const auto length = read_lax_integer_length(in, pos);
        if (!length || *length > in.size() - pos) return std::nullopt;
        integer = in.subspan(pos, *length);
        pos += *length;
    }
    return integers;
}

// Lax parse into libsecp256k1's form; out-of-range values become the all-zero signature.
std::optional<secp256k1_ecdsa_signature> parse_signature_lax(ByteSpan in) {
    const auto integers = split_der_lax(in);
    if (!integers) return std::nullopt;
    std::array<std::uint8_t, 64> compact{};
    bool overflow = false;
    for (std::size_t i = 0; i < 2; ++i) {
        ByteSpan value = (*integers)[i];
        while (!value.empty() && value.front() == 0) value = value.subspan(1);
        if (value.size() > 32) {
            overflow = true;
        } else if (!value.empty()) {
            std::memcpy(compact.data() + 32 * i + (32 - value.size()), value.data(), value.size());
        }
    }
    const secp256k1_context* context = secp256k1_shared_context();
    secp256k1_ecdsa_signature signature;
    if (overflow || !secp256k1_ecdsa_signature_parse_compact(context, &signature, compact.data())) {
        compact.fill(0);
        const int zero_parses =
            secp256k1_ecdsa_signature_parse_compact(context, &signature, compact.data());
        (void)zero_parses;  // zero is below the order: always accepted
    }
    return signature;
}

}  // namespace

// ---- PublicKey ------------------------------------------------------------------------------

Result<PublicKey, KeyError> PublicKey::parse(ByteSpan bytes) {
    if (bytes.empty()) return fail(KeyError::invalid_size);
    std::size_t expected_size = 0;
    switch (bytes[0]) {
        case 0x02:
        case 0x03: expected_size = COMPRESSED_SIZE; break;
        case 0x04:
        case 0x06:
        case 0x07: expected_size = UNCOMPRESSED_SIZE; break;
        default: return fail(KeyError::invalid_encoding);
    }
    if (bytes.size() != expected_size) return fail(KeyError::invalid_size);
    secp256k1_pubkey point;
    if (!load_point(bytes, point)) return fail(KeyError::invalid_encoding);
    return from_trusted_encoding(bytes, point_bytes(point));
}

PublicKey PublicKey::from_trusted_encoding(ByteSpan encoding, ByteSpan parsed_point) {
    PublicKey key;
    std::memcpy(key.data_.data(), encoding.data(), encoding.size());
    key.size_ = static_cast<std::uint8_t>(encoding.size());
    std::memcpy(key.point_.data(), parsed_point.data(), key.point_.size());
    return key;
}

PublicKey PublicKey::compressed() const {
    const secp256k1_pubkey point = stored_point(point_);
    std::size_t size = 0;
    const auto encoding = encode_point(point, true, size);
    return from_trusted_encoding(ByteSpan(encoding.data(), size), point_);
}

PublicKey PublicKey::uncompressed() const {
    const secp256k1_pubkey point = stored_point(point_);
    std::size_t size = 0;
    const auto encoding = encode_point(point, false, size);
    return from_trusted_encoding(ByteSpan(encoding.data(), size), point_);
}

XOnlyPublicKey PublicKey::x_only() const {
    const secp256k1_pubkey point = stored_point(point_);
    secp256k1_xonly_pubkey x_only_point;
    const int converted = secp256k1_xonly_pubkey_from_pubkey(secp256k1_shared_context(),
                                                             &x_only_point, nullptr, &point);
    assert(converted == 1 && "a parsed point always has an x-only form");
    (void)converted;
    XOnlyPublicKey key;
    std::memcpy(key.data_.data(), data_.data() + 1, XOnlyPublicKey::SIZE);
    std::memcpy(key.point_.data(), x_only_point.data, key.point_.size());
    return key;
}

Uint160 PublicKey::id() const { return hash160(serialize()); }

bool PublicKey::verify_ecdsa(const Uint256& hash, ByteSpan der_signature) const {
    const secp256k1_context* context = secp256k1_shared_context();
    const secp256k1_pubkey point = stored_point(point_);
    auto signature = parse_signature_lax(der_signature);
    if (!signature) return false;
    // libsecp256k1 only accepts low-S signatures; consensus accepts both.
    secp256k1_ecdsa_signature_normalize(context, &*signature, &*signature);
    return secp256k1_ecdsa_verify(context, &*signature, hash.data(), &point) == 1;
}

Result<PublicKey, KeyError> PublicKey::recover_compact(const Uint256& hash, ByteSpan signature) {
    if (signature.size() != std::tuple_size_v<CompactSignature>) {
        return fail(KeyError::invalid_signature);
    }
    const int header = signature[0] - 27;
    const int recovery_id = header & 3;
    const bool compressed = (header & 4) != 0;
    const secp256k1_context* context = secp256k1_shared_context();
    secp256k1_ecdsa_recoverable_signature recoverable;
    if (!secp256k1_ecdsa_recoverable_signature_parse_compact(context, &recoverable,
                                                             signature.data() + 1, recovery_id)) {
        return fail(KeyError::invalid_signature);
    }
    secp256k1_pubkey point;
    if (!secp256k1_ecdsa_recover(context, &point, &recoverable, hash.data())) {
        return fail(KeyError::invalid_signature);
    }
    std::size_t size = 0;
    const auto encoding = encode_point(point, compressed, size);
    return from_trusted_encoding(ByteSpan(encoding.data(), size), point_bytes(point));
}

Result<PublicKey, KeyError> PublicKey::add_tweak(ByteSpan tweak) const {
    if (tweak.size() != 32) return fail(KeyError::invalid_size);
    secp256k1_pubkey point = stored_point(point_);
    if (!secp256k1_ec_pubkey_tweak_add(secp256k1_shared_context(), &point, tweak.data())) {
        return fail(KeyError::invalid_tweak);
    }
    std::size_t size = 0;
    const auto encoding = encode_point(point, is_compressed(), size);
    return from_trusted_encoding(ByteSpan(encoding.data(), size), point_bytes(point));
}

// ---- XOnlyPublicKey -------------------------------------------------------------------------

Result<XOnlyPublicKey, KeyError> XOnlyPublicKey::parse(ByteSpan bytes) {
    if (bytes.size() != SIZE) return fail(KeyError::invalid_size);
    secp256k1_xonly_pubkey point;
    if (!load_x_only(bytes, point)) return fail(KeyError::invalid_encoding);
    XOnlyPublicKey key;
    std::memcpy(key.data_.data(), bytes.data(), SIZE);
    std::memcpy(key.point_.data(), point.data, key.point_.size());
    return key;
}

bool XOnlyPublicKey::verify_schnorr(ByteSpan message, ByteSpan signature) const {
    if (signature.size() != std::tuple_size_v<SchnorrSignature>) return false;
    const secp256k1_xonly_pubkey point = stored_x_only(point_);
    return secp256k1_schnorrsig_verify(secp256k1_shared_context(), signature.data(),
                                       message.data(), message.size(), &point) == 1;
}

Uint256 XOnlyPublicKey::tap_tweak_hash(const std::optional<Uint256>& merkle_root) const {
    Sha256 hasher = tagged_hasher("TapTweak");
    hasher.write(span());
    if (merkle_root) hasher.write(merkle_root->span());
    return hasher.finalize();
}

Result<TweakedXOnlyPublicKey, KeyError> XOnlyPublicKey::create_tap_tweak(
    const std::optional<Uint256>& merkle_root) const {
    const secp256k1_context* context = secp256k1_shared_context();
    const secp256k1_xonly_pubkey internal = stored_x_only(point_);
    const Uint256 tweak = tap_tweak_hash(merkle_root);
    secp256k1_pubkey output;
    if (!secp256k1_xonly_pubkey_tweak_add(context, &output, &internal, tweak.data())) {
        return fail(KeyError::invalid_tweak);
    }
    secp256k1_xonly_pubkey output_x_only;
    int parity = 0;
    if (!secp256k1_xonly_pubkey_from_pubkey(context, &output_x_only, &parity, &output)) {
        return fail(KeyError::invalid_tweak);
    }
    XOnlyPublicKey key;
    secp256k1_xonly_pubkey_serialize(context, key.data_.data(), &output_x_only);
    std::memcpy(key.point_.data(), output_x_only.data, key.point_.size());
    return TweakedXOnlyPublicKey{key, parity != 0};
}

bool XOnlyPublicKey::check_tap_tweak(const XOnlyPublicKey& internal, const Uint256& merkle_root,
                                     bool parity) const {
    const secp256k1_xonly_pubkey internal_point = stored_x_only(internal.point_);
    const Uint256 tweak = internal.tap_tweak_hash(merkle_root);
    return secp256k1_xonly_pubkey_tweak_add_check(secp256k1_shared_context(), data_.data(),
                                                  parity ? 1 : 0, &internal_point,
                                                  tweak.data()) == 1;
}

// ---- Signature encodings --------------------------------------------------------------------

std::optional<std::array<std::uint8_t, 64>> parse_der_lax(ByteSpan signature) {
    const auto parsed = parse_signature_lax(signature);
    if (!parsed) return std::nullopt;
    std::array<std::uint8_t, 64> compact{};
    secp256k1_ecdsa_signature_serialize_compact(secp256k1_shared_context(), compact.data(),
                                                &*parsed);
    return compact;
}

bool is_valid_der_encoding(ByteSpan sig) {
    // 0x30 total 0x02 len(R) R 0x02 len(S) S hashtype, with total = everything after it but
    // the hashtype; R and S minimal, positive, non-empty.
    const std::size_t size = sig.size();
    if (size < 9 || size > 73) return false;
    if (sig[0] != 0x30 || sig[1] != size - 3) return false;
    const std::size_t r_size = sig[3];
    if (5 + r_size >= size) return false;
    const std::size_t s_size = sig[5 + r_size];
    if (r_size + s_size + 7 != size) return false;

    if (sig[2] != 0x02 || r_size == 0) return false;
    if (sig[4] & 0x80) return false;                                       // negative R
    if (r_size > 1 && sig[4] == 0x00 && !(sig[5] & 0x80)) return false;    // padded R

    const std::size_t s_at = r_size + 6;
    if (sig[r_size + 4] != 0x02 || s_size == 0) return false;
    if (sig[s_at] & 0x80) return false;                                    // negative S
    if (s_size > 1 && sig[s_at] == 0x00 && !(sig[s_at + 1] & 0x80)) return false;  // padded S
    return true;
}

bool check_low_s(ByteSpan der_signature) {
    auto signature = parse_signature_lax(der_signature);
    if (!signature) return false;
    // normalize() returns 1 exactly when S was high (it would have changed it).
    return secp256k1_ecdsa_signature_normalize(secp256k1_shared_context(), nullptr,
                                               &*signature) == 0;
}

bool is_low_der_signature(ByteSpan signature_with_hashtype) {
    if (!is_valid_der_encoding(signature_with_hashtype)) return false;
    return check_low_s(signature_with_hashtype.first(signature_with_hashtype.size() - 1));
}

bool is_compressed_or_uncompressed_pubkey(ByteSpan pubkey) {
    if (pubkey.size() < PublicKey::COMPRESSED_SIZE) return false;
    if (pubkey[0] == 0x04) return pubkey.size() == PublicKey::UNCOMPRESSED_SIZE;
    if (pubkey[0] == 0x02 || pubkey[0] == 0x03) return pubkey.size() == PublicKey::COMPRESSED_SIZE;
    return false;
}

bool is_compressed_pubkey(ByteSpan pubkey) {
    return pubkey.size() == PublicKey::COMPRESSED_SIZE && (pubkey[0] == 0x02 || pubkey[0] == 0x03);
}

}  // namespace bitloom
