// Public keys and signature checks on secp256k1: ECDSA as Bitcoin's legacy and segwit v0
// scripts use it, BIP340 Schnorr and the BIP341 taproot tweak.
//
// Encodings (SEC1, as Bitcoin accepts them):
//   compressed   := (0x02 | 0x03) x[32]          -- 0x03 when y is odd
//   uncompressed := 0x04 x[32] y[32]
//   hybrid       := (0x06 | 0x07) x[32] y[32]    -- 0x07 when y is odd; valid for consensus
//                                                   (CPubKey::IsFullyValid), refused by the
//                                                   strict-encoding policy checks below
//   x-only       := x[32]                        -- BIP340: the point with that x and even y
//
// ECDSA signatures in scripts are DER:
//   signature := 0x30 len 0x02 len(R) R 0x02 len(S) S      (then one sighash byte in scripts)
// Verification parses them with the lax BER-like rules Bitcoin Core has always applied (see
// parse_der_lax), so that every signature ever accepted stays valid; BIP66 strictness and the
// LOW_S policy are separate predicates (is_valid_der_encoding, is_low_der_signature).
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "util/bytes.h"
#include "util/result.h"
#include "util/uint256.h"

namespace bitloom {

enum class KeyError {
    invalid_size,            // the input has the wrong number of bytes
    invalid_encoding,        // the bytes are not a point (or x coordinate) on the curve
    invalid_secret_key,      // a secret key of zero or not below the curve order
    invalid_tweak,           // a tweak not below the curve order, or one that cancels the key
    invalid_signature,       // a signature that cannot be parsed or used for recovery
    signing_failed,          // libsecp256k1 refused, or the fresh signature did not verify
};
std::string_view to_string(KeyError error);

// A BIP340 signature: R.x[32] s[32].
using SchnorrSignature = std::array<std::uint8_t, 64>;
// A compact ECDSA signature with recovery information, as `signmessage` produces:
//   header[1] R[32] S[32], header = 27 + recovery_id + (compressed ? 4 : 0).
using CompactSignature = std::array<std::uint8_t, 65>;

class XOnlyPublicKey;

// A full public key: a valid curve point together with the encoding it was parsed from.
class PublicKey {
public:
    static constexpr std::size_t COMPRESSED_SIZE = 33;
    static constexpr std::size_t UNCOMPRESSED_SIZE = 65;

    // Accepts exactly what Bitcoin Core's CPubKey::IsFullyValid accepts: 33 bytes starting
    // 0x02/0x03 or 65 bytes starting 0x04/0x06/0x07 that encode a point on the curve (for
    // hybrid keys the prefix must match the parity of y). Errors: invalid_size when the input is
    // empty or its length does not fit the prefix, invalid_encoding for an unknown prefix or a
    // point that is not on the curve.
    static Result<PublicKey, KeyError> parse(ByteSpan bytes);

    // The encoding as parsed or created (a hybrid key stays hybrid).
    ByteSpan serialize() const { return {data_.data(), size_}; }
    std::size_t size() const { return size_; }
    // True for the 33-byte encoding.
    bool is_compressed() const { return size_ == COMPRESSED_SIZE; }
    // The same point re-encoded as 33 / 65 (0x04) bytes.
    PublicKey compressed() const;
    PublicKey uncompressed() const;
    // The BIP340 x-only key of this point (its y parity is dropped).
    XOnlyPublicKey x_only() const;
    // HASH160 of the encoding: the key id of P2PKH and P2WPKH outputs.
    Uint160 id() const;

    // ECDSA check as Bitcoin's script interpreter performs it: `der_signature` (without the
    // sighash byte) is parsed with parse_der_lax, normalised to low S, then verified against
    // `hash`. Returns false for an unparseable signature or a wrong one.
    bool verify_ecdsa(const Uint256& hash, ByteSpan der_signature) const;

    // Recovers the key that made `signature` (a CompactSignature; any other size fails) over
    // `hash`. The header byte is interpreted as Bitcoin Core does: recovery id = (h - 27) & 3,
    // compressed = (h - 27) & 4, so BIP137 headers (35..42) also work. The result has the
    // encoding the header asks for. Error: invalid_signature.
    static Result<PublicKey, KeyError> recover_compact(const Uint256& hash, ByteSpan signature);

    // P + tweak*G (BIP32 public derivation), keeping this key's compressed/uncompressed form.
    // Errors: invalid_size (tweak not 32 bytes), invalid_tweak (tweak >= n or result infinity).
    Result<PublicKey, KeyError> add_tweak(ByteSpan tweak) const;

    // Byte-wise comparison of the encodings.
    friend bool operator==(const PublicKey& a, const PublicKey& b) {
        return a.serialize().size() == b.serialize().size() &&
               std::equal(a.serialize().begin(), a.serialize().end(), b.serialize().begin());
    }

private:
    PublicKey() = default;
    friend class PrivateKey;
    // Wraps an encoding libsecp256k1 produced together with the point it came from (the 64
    // opaque bytes of a secp256k1_pubkey); no validation.
    static PublicKey from_trusted_encoding(ByteSpan encoding, ByteSpan parsed_point);
    std::array<std::uint8_t, UNCOMPRESSED_SIZE> data_{};
    std::uint8_t size_ = 0;
    // libsecp256k1's parsed form of the point, kept so that verification never parses (and
    // decompresses) the key a second time.
    std::array<std::uint8_t, 64> point_{};
};

// The output of a BIP341 tweak: Q = P + t*G as an x-only key plus the parity of Q's y
// (true = odd), which goes into bit 0 of a script-path control block.
struct TweakedXOnlyPublicKey;

// A BIP340 x-only public key: 32 bytes that are the x coordinate of a curve point.
class XOnlyPublicKey {
public:
    static constexpr std::size_t SIZE = 32;

    // Errors: invalid_size (not 32 bytes), invalid_encoding (x is not on the curve, or >= p).
    static Result<XOnlyPublicKey, KeyError> parse(ByteSpan bytes);

    ByteSpan span() const { return data_; }
    const std::array<std::uint8_t, SIZE>& bytes() const { return data_; }

    // BIP340 verification of a 64-byte signature over a message of any length. Returns false
    // for a signature of another size.
    bool verify_schnorr(ByteSpan message, ByteSpan signature) const;

    // BIP341 tweak of this (internal) key: t = tagged_hash("TapTweak", P || merkle_root), with
    // the merkle root left out when there is no script tree.
    Uint256 tap_tweak_hash(const std::optional<Uint256>& merkle_root) const;
    // Q = P + t*G. Error: invalid_tweak (t >= n; happens with negligible probability).
    Result<TweakedXOnlyPublicKey, KeyError> create_tap_tweak(
        const std::optional<Uint256>& merkle_root) const;
    // Whether this key is the BIP341 output key of `internal` committing to `merkle_root`, with
    // y parity `parity` (true = odd): the script-path commitment check of the interpreter.
    bool check_tap_tweak(const XOnlyPublicKey& internal, const Uint256& merkle_root,
                         bool parity) const;

    friend bool operator==(const XOnlyPublicKey&, const XOnlyPublicKey&) = default;
    friend auto operator<=>(const XOnlyPublicKey& a, const XOnlyPublicKey& b) {
        return a.data_ <=> b.data_;
    }

private:
    XOnlyPublicKey() = default;
    friend class PublicKey;
    friend class PrivateKey;
    std::array<std::uint8_t, SIZE> data_{};
    // libsecp256k1's parsed form (the 64 opaque bytes of a secp256k1_xonly_pubkey).
    std::array<std::uint8_t, 64> point_{};
};

struct TweakedXOnlyPublicKey {
    XOnlyPublicKey key;
    bool parity = false;
};

// ---- ECDSA signature encodings --------------------------------------------------------------

// Parses a DER-ish ECDSA signature (no sighash byte) with the tolerant rules Bitcoin Core's
// consensus has always used (ecdsa_signature_parse_der_lax):
//   - 0x30, then a length whose value is ignored (long form: its bytes are skipped);
//   - twice: 0x02, a length (short form, or long form with any number of leading zero length
//     bytes and at most 3 significant ones), then that many bytes, which must be present;
//   - anything after S is ignored; leading zero bytes of R and S are ignored.
// Returns R || S as two 32-byte big-endian numbers, or nullopt when the structure is broken.
// If R or S does not fit in 32 bytes or is not below the curve order, both are returned as
// zero: the signature parses but can never verify (exactly Bitcoin Core's behaviour).
std::optional<std::array<std::uint8_t, 64>> parse_der_lax(ByteSpan signature);

// BIP66 strict DER check of a script signature *including* its trailing sighash byte: the
// SCRIPT_VERIFY_DERSIG / consensus rule. Checks structure and minimal, positive integers only.
bool is_valid_der_encoding(ByteSpan signature_with_hashtype);

// Whether a DER signature (no sighash byte) has S <= n/2. False when it does not parse.
bool check_low_s(ByteSpan der_signature);

// The SCRIPT_VERIFY_LOW_S rule on a script signature including its sighash byte: strict DER
// (is_valid_der_encoding) and low S. Callers that need to tell the two failures apart check
// is_valid_der_encoding first.
bool is_low_der_signature(ByteSpan signature_with_hashtype);

// SCRIPT_VERIFY_STRICTENC: 33 bytes starting 0x02/0x03, or 65 bytes starting 0x04. Looks at
// the encoding only (does not check that the point is on the curve).
bool is_compressed_or_uncompressed_pubkey(ByteSpan pubkey);
// SCRIPT_VERIFY_WITNESS_PUBKEYTYPE: 33 bytes starting 0x02/0x03.
bool is_compressed_pubkey(ByteSpan pubkey);

}  // namespace bitloom
