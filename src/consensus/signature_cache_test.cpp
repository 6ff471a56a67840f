#include "consensus/signature_cache.h"

#include <gtest/gtest.h>

#include "crypto/hash.h"
#include "crypto/key.h"
#include "encoding/address.h"

namespace bitloom {
namespace {

struct SignedSpend {
    PrivateKey key = PrivateKey::from_bytes(Bytes(32, 0x11)).value();
    Transaction tx{MutableTransaction{}};
    Script script_code;
    Amount amount = 50'000;
    Bytes signature;  // DER + hash type
};

// A one-input transaction spending a P2WPKH output, signed with BIP143.
SignedSpend make_signed_spend() {
    SignedSpend spend;
    MutableTransaction mtx;
    mtx.version = 2;
    TxIn in;
    in.prevout.txid = hash256(as_bytes("funding"));
    in.prevout.index = 0;
    mtx.inputs.push_back(in);
    mtx.outputs.push_back(TxOut{40'000, Script(Bytes{0x6a})});
    spend.tx = Transaction(mtx);
    const Uint160 key_hash = hash160(spend.key.public_key().serialize());
    spend.script_code = script_for_destination(PubKeyHash{key_hash});  // BIP143 P2WPKH code
    const Uint256 sighash = signature_hash(spend.script_code, spend.tx, 0, SIGHASH_ALL,
                                           spend.amount, SigVersion::witness_v0, nullptr);
    spend.signature = spend.key.sign_ecdsa(sighash).value();
    spend.signature.push_back(SIGHASH_ALL);
    return spend;
}

TEST(SignatureCache, stores_successful_verifications_only_when_asked) {
    const SignedSpend spend = make_signed_spend();
    const PrecomputedTransactionData txdata(spend.tx);
    SignatureCache cache;
    const PublicKey public_key = spend.key.public_key();
    const ByteSpan pubkey = public_key.serialize();

    CachingTransactionSignatureChecker reader(spend.tx, 0, spend.amount, txdata, cache, false);
    EXPECT_TRUE(reader.check_ecdsa_signature(spend.signature, pubkey, spend.script_code,
                                             SigVersion::witness_v0));
    EXPECT_EQ(cache.size(), 0u);

    CachingTransactionSignatureChecker writer(spend.tx, 0, spend.amount, txdata, cache, true);
    EXPECT_TRUE(writer.check_ecdsa_signature(spend.signature, pubkey, spend.script_code,
                                             SigVersion::witness_v0));
    EXPECT_EQ(cache.size(), 1u);

    Bytes bad = spend.signature;
    bad[10] ^= 0x01;
    EXPECT_FALSE(writer.check_ecdsa_signature(bad, pubkey, spend.script_code,
                                              SigVersion::witness_v0));
    EXPECT_EQ(cache.size(), 1u) << "failures must never be cached";
}

TEST(SignatureCache, a_hit_skips_the_curve_verification) {
    // Plant the entry of a signature that does not verify: a checker that consults the cache
    // accepts it, which shows the lookup happens before (and instead of) verification.
    const SignedSpend spend = make_signed_spend();
    const PrecomputedTransactionData txdata(spend.tx);
    SignatureCache cache;
    const PublicKey public_key = spend.key.public_key();
    const ByteSpan pubkey = public_key.serialize();
    Bytes forged = spend.signature;
    forged[10] ^= 0x01;
    const Uint256 sighash = signature_hash(spend.script_code, spend.tx, 0, SIGHASH_ALL,
                                           spend.amount, SigVersion::witness_v0, &txdata);
    cache.insert(cache.ecdsa_entry(sighash, pubkey, ByteSpan(forged).first(forged.size() - 1)));

    CachingTransactionSignatureChecker cached(spend.tx, 0, spend.amount, txdata, cache, false);
    EXPECT_TRUE(cached.check_ecdsa_signature(forged, pubkey, spend.script_code,
                                             SigVersion::witness_v0));
    TransactionSignatureChecker plain(spend.tx, 0, spend.amount, txdata);
    EXPECT_FALSE(plain.check_ecdsa_signature(forged, pubkey, spend.script_code,
                                             SigVersion::witness_v0));
}

TEST(SignatureCache, entries_depend_on_every_field_and_on_the_salt) {
    SignatureCache a;
    SignatureCache b;
    const Uint256 hash = hash256(as_bytes("x"));
    const Bytes key(33, 2);
    const Bytes sig(70, 3);
    EXPECT_NE(a.ecdsa_entry(hash, key, sig), b.ecdsa_entry(hash, key, sig));
    EXPECT_NE(a.ecdsa_entry(hash, key, sig), a.schnorr_entry(hash, key, sig));
    Bytes other_sig = sig;
    other_sig[0] ^= 1;
    EXPECT_NE(a.ecdsa_entry(hash, key, sig), a.ecdsa_entry(hash, key, other_sig));
    EXPECT_EQ(a.ecdsa_entry(hash, key, sig), a.ecdsa_entry(hash, key, sig));
}

TEST(SignatureCache, stays_within_its_bound) {
    SignatureCache cache(100);
    for (int i = 0; i < 1000; ++i) cache.insert(hash256(as_bytes("entry " + std::to_string(i))));
    EXPECT_EQ(cache.size(), 100u);
    EXPECT_TRUE(cache.contains(hash256(as_bytes("entry 999"))));
}

}  // namespace
}  // namespace bitloom
