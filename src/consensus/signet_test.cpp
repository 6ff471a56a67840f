// Tests of the BIP325 block solution check: trivial (OP_TRUE) challenges, a 1-of-1 P2WPKH
// challenge signed with a real key, tampering, malformed solutions, the signet genesis and
// the first blocks of the default signet.
#include "consensus/signet.h"

#include <string_view>

#include <gtest/gtest.h>

#include "consensus/block_check.h"
#include "consensus/chainparams.h"
#include "consensus/sighash.h"
#include "crypto/hash.h"
#include "crypto/key.h"
#include "primitives/merkle.h"
#include "primitives/script.h"
#include "primitives/serialize.h"
#include "testutil/vectors.h"

namespace bitloom {
namespace {

ConsensusParams params_with_challenge(const Script& challenge) {
    ConsensusParams params = chain_params(ChainType::signet).consensus;
    params.signet_challenge.assign(challenge.begin(), challenge.end());
    return params;
}

// The solution encoding: script_sig then the witness stack.
Bytes encode_solution(const Script& script_sig, const ScriptWitness& witness) {
    Bytes out;
    Writer writer(out);
    writer.write_var_bytes(script_sig.span());
    writer.write_compact_size(witness.stack.size());
    for (const Bytes& item : witness.stack) writer.write_var_bytes(item);
    return out;
}

// A block with a coinbase whose witness commitment output is followed, when `solution` is
// given, by the signet push (header || solution), and one more transaction.
Block make_block(const std::optional<Bytes>& solution, bool with_commitment = true) {
    MutableTransaction coinbase;
    coinbase.inputs.resize(1);
    coinbase.inputs[0].script_sig.push_int(1000).push_data(Bytes{0xab, 0xcd});
    coinbase.outputs.push_back(TxOut{50, Script(Bytes{0x51})});
    if (with_commitment) {
        Uint256 commitment;
        commitment.data()[0] = 0x42;
        Script script = witness_commitment_script(commitment);
        if (solution) {
            Bytes push(SIGNET_HEADER.begin(), SIGNET_HEADER.end());
            push.insert(push.end(), solution->begin(), solution->end());
            script.push_data(push);
        }
        coinbase.outputs.push_back(TxOut{0, std::move(script)});
    }
    MutableTransaction spend;
    spend.inputs.resize(1);
    spend.inputs[0].prevout.txid.data()[3] = 7;
    spend.inputs[0].prevout.index = 1;
    spend.outputs.push_back(TxOut{10, Script(Bytes{0x51})});

    Block block;
    block.header.version = 0x20000000;
    block.header.prev_block.data()[0] = 1;
    block.header.time = 1700000000;
    block.header.bits = 0x1e0377ae;
    block.transactions.push_back(make_transaction_ref(std::move(coinbase)));
    block.transactions.push_back(make_transaction_ref(std::move(spend)));
    block.header.merkle_root = block_merkle_root(block).root;
    return block;
}

Script op_true() { return Script(Bytes{0x51}); }

TEST(SignetTransactions, FollowBip325sLayout) {
    const Block block = make_block(encode_solution(Script(Bytes{0x51}), ScriptWitness{}));
    const auto txs = make_signet_transactions(block, op_true());
    ASSERT_TRUE(txs.has_value());
    const Transaction& spend = txs->to_spend;
    EXPECT_EQ(spend.version(), 0);
    EXPECT_EQ(spend.lock_time(), 0U);
    ASSERT_EQ(spend.inputs().size(), 1U);
    EXPECT_TRUE(spend.inputs()[0].prevout.is_null());
    EXPECT_EQ(spend.inputs()[0].sequence, 0U);
    const Script& script_sig = spend.inputs()[0].script_sig;
    ASSERT_EQ(script_sig.size(), 2U + 72U);  // OP_0, a direct push of 72 bytes
    EXPECT_EQ(script_sig[0], 0x00);
    EXPECT_EQ(script_sig[1], 72);
    // The pushed header keeps version, prev and time but has the signet merkle root.
    const auto encoded = block.header.encode();
    EXPECT_TRUE(std::equal(encoded.begin(), encoded.begin() + 36, script_sig.begin() + 2));
    EXPECT_TRUE(std::equal(encoded.begin() + 68, encoded.begin() + 72, script_sig.begin() + 70));
    EXPECT_FALSE(std::equal(encoded.begin() + 36, encoded.begin() + 68, script_sig.begin() + 38));
    ASSERT_EQ(spend.outputs().size(), 1U);
    EXPECT_EQ(spend.outputs()[0].value, 0);
    EXPECT_EQ(spend.outputs()[0].script_pubkey, op_true());

    const Transaction& sign = txs->to_sign;
    EXPECT_EQ(sign.version(), 0);
    ASSERT_EQ(sign.inputs().size(), 1U);
    EXPECT_EQ(sign.inputs()[0].prevout, (OutPoint{spend.txid(), 0}));
    EXPECT_EQ(sign.inputs()[0].sequence, 0U);
    EXPECT_EQ(sign.inputs()[0].script_sig, Script(Bytes{0x51}));
    ASSERT_EQ(sign.outputs().size(), 1U);
    EXPECT_EQ(sign.outputs()[0].script_pubkey, Script(Bytes{0x6a}));

    // The solution is not committed to: another solution gives the same to_spend.
    const Block other = make_block(encode_solution(Script(Bytes{0x00}), ScriptWitness{}));
    const auto other_txs = make_signet_transactions(other, op_true());
    ASSERT_TRUE(other_txs.has_value());
    EXPECT_EQ(other_txs->to_spend.txid(), spend.txid());
}

TEST(CheckSignetBlockSolution, AcceptsAnyBlockWithACommitmentUnderOpTrue) {
    const ConsensusParams params = params_with_challenge(op_true());
    EXPECT_TRUE(check_signet_block_solution(make_block(std::nullopt), params));
    EXPECT_TRUE(check_signet_block_solution(
        make_block(encode_solution(Script(), ScriptWitness{})), params));
}

TEST(CheckSignetBlockSolution, RejectsABlockWithoutAWitnessCommitment) {
    const ConsensusParams params = params_with_challenge(op_true());
    EXPECT_FALSE(check_signet_block_solution(make_block(std::nullopt, false), params));
    Block empty;
    EXPECT_FALSE(check_signet_block_solution(empty, params));
}

TEST(CheckSignetBlockSolution, RejectsSolutionsThatDoNotParseExactly) {
    const ConsensusParams params = params_with_challenge(op_true());
    Bytes trailing = encode_solution(Script(), ScriptWitness{});
    trailing.push_back(0);
    EXPECT_FALSE(check_signet_block_solution(make_block(trailing), params));
    EXPECT_FALSE(check_signet_block_solution(make_block(Bytes{0x05, 0x51}), params));  // truncated
    EXPECT_FALSE(check_signet_block_solution(make_block(Bytes{0x00}), params));  // no witness
}

TEST(CheckSignetBlockSolution, RunsTheSolutionScriptSigBeforeTheChallenge) {
    // A challenge of OP_VERIFY needs a true value from the solution, and the stack it leaves.
    Script push_false;
    push_false.push_opcode(OP_0);
    Script challenge;
    challenge.push_opcode(OP_VERIFY);
    const ConsensusParams verify_params = params_with_challenge(challenge);
    EXPECT_FALSE(check_signet_block_solution(make_block(std::nullopt), verify_params));
    EXPECT_FALSE(check_signet_block_solution(
        make_block(encode_solution(push_false, ScriptWitness{})), verify_params));
    Script push_true;
    push_true.push_opcode(OP_1).push_opcode(OP_1);
    EXPECT_TRUE(check_signet_block_solution(
        make_block(encode_solution(push_true, ScriptWitness{})), verify_params));
}

// Signs `block`'s to_sign input for a P2WPKH challenge of `key` and returns the block with the
// solution in its coinbase.
Block sign_p2wpkh(const PrivateKey& key, const Block& unsigned_block, const Script& challenge,
                  bool corrupt = false) {
    const auto txs = make_signet_transactions(unsigned_block, challenge);
    EXPECT_TRUE(txs.has_value());
    const PublicKey public_key = key.public_key();  // the span below points into it
    const ByteSpan pubkey = public_key.serialize();
    const Uint160 key_hash = hash160(pubkey);
    Script script_code;
    script_code.push_opcode(OP_DUP).push_opcode(OP_HASH160).push_data(key_hash.span());
    script_code.push_opcode(OP_EQUALVERIFY).push_opcode(OP_CHECKSIG);
    const Uint256 sighash = signature_hash(script_code, txs->to_sign, 0, SIGHASH_ALL, 0,
                                           SigVersion::witness_v0, nullptr);
    auto signature = key.sign_ecdsa(sighash);
    EXPECT_TRUE(signature.has_value());
    Bytes sig = *signature;
    sig.push_back(SIGHASH_ALL);
    if (corrupt) sig[10] ^= 0x01;
    ScriptWitness witness;
    witness.stack.push_back(sig);
    witness.stack.emplace_back(pubkey.begin(), pubkey.end());
    return make_block(encode_solution(Script(), witness));
}

TEST(CheckSignetBlockSolution, VerifiesAP2wpkhChallengeSignedWithARealKey) {
    const auto key = PrivateKey::from_bytes(Bytes(32, 0x11));
    ASSERT_TRUE(key.has_value());
    Script challenge;
    challenge.push_opcode(OP_0).push_data(hash160(key->public_key().serialize()).span());
    const ConsensusParams params = params_with_challenge(challenge);

    // The placeholder solution is stripped before signing, so any one will do.
    const Block placeholder = make_block(Bytes{0x00, 0x00});
    const Block signed_block = sign_p2wpkh(*key, placeholder, challenge);
    EXPECT_TRUE(check_signet_block_solution(signed_block, params));

    // A corrupted signature, a block changed after signing, no solution, and another key.
    EXPECT_FALSE(check_signet_block_solution(sign_p2wpkh(*key, placeholder, challenge, true),
                                             params));
    Block later = signed_block;
    later.header.time += 1;
    EXPECT_FALSE(check_signet_block_solution(later, params));
    Block other_prev = signed_block;
    other_prev.header.prev_block.data()[0] ^= 0xff;
    EXPECT_FALSE(check_signet_block_solution(other_prev, params));
    EXPECT_FALSE(check_signet_block_solution(make_block(std::nullopt), params));
    const auto other_key = PrivateKey::from_bytes(Bytes(32, 0x22));
    ASSERT_TRUE(other_key.has_value());
    EXPECT_FALSE(check_signet_block_solution(sign_p2wpkh(*other_key, placeholder, challenge),
                                             params));
    // Bits and nonce are not signed (the nonce is still ground for proof of work).
    Block reground = signed_block;
    reground.header.nonce += 12345;
    EXPECT_TRUE(check_signet_block_solution(reground, params));
}

// Blocks 1-10 of the default signet, as Bitcoin Core's feature_signet.py submits them.
constexpr const char* DEFAULT_SIGNET_BLOCKS[] = {
    "00000020f61eee3b63a380a477a063af32b2bbc97c9ff9f01f2c4225e973988108000000f575c83235984e7dc4afc1f30944c170462e84437ab6f2d52e16878a79e4678bd1914d5fae77031eccf4070001010000000001010000000000000000000000000000000000000000000000000000000000000000ffffffff025151feffffff0200f2052a010000001600149243f727dd5343293eb83174324019ec16c2630f0000000000000000776a24aa21a9ede2f61c3f71d1defd3fa999dfa36953755c690689799962b48bebd836974e8cf94c4fecc7daa2490047304402205e423a8754336ca99dbe16509b877ef1bf98d008836c725005b3c787c41ebe46022047246e4467ad7cc7f1ad98662afcaf14c115e0095a227c7b05c5182591c23e7e01000120000000000000000000000000000000000000000000000000000000000000000000000000",
    "00000020533b53ded9bff4adc94101d32400a144c54edc5ed492a3b26c63b2d686000000b38fef50592017cfafbcab88eb3d9cf50b2c801711cad8299495d26df5e54812e7914d5fae77031ecfdd0b0001010000000001010000000000000000000000000000000000000000000000000000000000000000ffffffff025251feffffff0200f2052a01000000160014fd09839740f0e0b4fc6d5e2527e4022aa9b89dfa0000000000000000776a24aa21a9ede2f61c3f71d1defd3fa999dfa36953755c690689799962b48bebd836974e8cf94c4fecc7daa24900473044022031d64a1692cdad1fc0ced69838169fe19ae01be524d831b95fcf5ea4e6541c3c02204f9dea0801df8b4d0cd0857c62ab35c6c25cc47c930630dc7fe723531daa3e9b01000120000000000000000000000000000000000000000000000000000000000000000000000000",
    "000000202960f3752f0bfa8858a3e333294aedc7808025e868c9dc03e71d88bb320000007765fcd3d5b4966beb338bba2675dc2cf2ad28d4ad1d83bdb6f286e7e27ac1f807924d5fae77031e81d60b0001010000000001010000000000000000000000000000000000000000000000000000000000000000ffffffff025351feffffff0200f2052a010000001600141e5fb426042692ae0e87c070e78c39307a5661c20000000000000000776a24aa21a9ede2f61c3f71d1defd3fa999dfa36953755c690689799962b48bebd836974e8cf94c4fecc7daa2490047304402205de93694763a42954865bcf1540cb82958bc62d0ec4eee02070fb7937cd037f4022067f333753bce47b10bc25eb6e1f311482e994c862a7e0b2d41ab1c8679fd1b1101000120000000000000000000000000000000000000000000000000000000000000000000000000",
    "00000020b06443a13ae1d3d50faef5ecad38c6818194dc46abca3e972e2aacdae800000069a5829097e80fee00ac49a56ea9f82d741a6af84d32b3bc455cf31871e2a8ac27924d5fae77031e9c91050001010000000001010000000000000000000000000000000000000000000000000000000000000000ffffffff025451feffffff0200f2052a0100000016001430db2f8225dcf7751361ab38735de08190318cb70000000000000000776a24aa21a9ede2f61c3f71d1defd3fa999dfa36953755c690689799962b48bebd836974e8cf94c4fecc7daa2490047304402200936f5f9872f6df5dd242026ad52241a68423f7f682e79169a8d85a374eab9b802202cd2979c48b321b3453e65e8f92460db3fca93cbea8539b450c959f4fbe630c601000120000000000000000000000000000000000000000000000000000000000000000000000000",
    "000000207ed403758a4f228a1939418a155e2ebd4ae6b26e5ffd0ae433123f7694010000542e80b609c5bc58af5bdf492e26d4f60cd43a3966c2e063c50444c29b3757a636924d5fae77031ee8601d0001010000000001010000000000000000000000000000000000000000000000000000000000000000ffffffff025551feffffff0200f2052a01000000160014edc207e014df34fa3885dff97d1129d356e1186a0000000000000000776a24aa21a9ede2f61c3f71d1defd3fa999dfa36953755c690689799962b48bebd836974e8cf94c4fecc7daa24900473044022021a3656609f85a66a2c5672ed9322c2158d57251040d2716ed202a1fe14f0c12022057d68bc6611f7a9424a7e00bbf3e27e6ae6b096f60bac624a094bc97a59aa1ff01000120000000000000000000000000000000000000000000000000000000000000000000000000",
    "000000205bea0a88d1422c3df08d766ad72df95084d0700e6f873b75dd4e986c7703000002b57516d33ed60c2bdd9f93d6d5614083324c837e68e5ba6e04287a7285633585924d5fae77031ed171960001010000000001010000000000000000000000000000000000000000000000000000000000000000ffffffff025651feffffff0200f2052a010000001600143ae612599cf96f2442ce572633e0251116eaa52f0000000000000000776a24aa21a9ede2f61c3f71d1defd3fa999dfa36953755c690689799962b48bebd836974e8cf94c4fecc7daa24900473044022059a7c54de76bfdbb1dd44c78ea2dbd2bb4e97f4abad38965f41e76433e56423c022054bf17f04fe17415c0141f60eebd2b839200f574d8ad8d55a0917b92b0eb913401000120000000000000000000000000000000000000000000000000000000000000000000000000",
    "00000020daf3b60d374b19476461f97540498dcfa2eb7016238ec6b1d022f82fb60100007a7ae65b53cb988c2ec92d2384996713821d5645ffe61c9acea60da75cd5edfa1a944d5fae77031e9dbb050001010000000001010000000000000000000000000000000000000000000000000000000000000000ffffffff025751feffffff0200f2052a01000000160014ef2dceae02e35f8137de76768ae3345d99ca68860000000000000000776a24aa21a9ede2f61c3f71d1defd3fa999dfa36953755c690689799962b48bebd836974e8cf94c4fecc7daa2490047304402202b3f946d6447f9bf17d00f3696cede7ee70b785495e5498274ee682a493befd5022045fc0bcf9332243168b5d35507175f9f374a8eba2336873885d12aada67ea5f601000120000000000000000000000000000000000000000000000000000000000000000000000000",
    "00000020457cc5f3c2e1a5655bc20e20e48d33e1b7ea68786c614032b5c518f0b6000000541f36942d82c6e7248275ff15c8933487fbe1819c67a9ecc0f4b70bb7e6cf672a944d5fae77031e8f39860001010000000001010000000000000000000000000000000000000000000000000000000000000000ffffffff025851feffffff0200f2052a0100000016001472a27906947c06d034b38ba2fa13c6391a4832790000000000000000776a24aa21a9ede2f61c3f71d1defd3fa999dfa36953755c690689799962b48bebd836974e8cf94c4fecc7daa2490047304402202d62805ce60cbd60591f97f949b5ea5bd7e2307bcde343e6ea8394da92758e72022053a25370b0aa20da100189b7899a8f8675a0fdc60e38ece6b8a4f98edd94569e01000120000000000000000000000000000000000000000000000000000000000000000000000000",
    "00000020a2eb61eb4f3831baa3a3363e1b42db4462663f756f07423e81ed30322102000077224de7dea0f8d0ec22b1d2e2e255f0a987b96fe7200e1a2e6373f48a2f5b7894954d5fae77031e36867e0001010000000001010000000000000000000000000000000000000000000000000000000000000000ffffffff025951feffffff0200f2052a01000000160014aa0ad9f26801258382e0734dceec03a4a75f60240000000000000000776a24aa21a9ede2f61c3f71d1defd3fa999dfa36953755c690689799962b48bebd836974e8cf94c4fecc7daa2490047304402206fa0d59990eed369bd7375767c9a6c9369fae209152b8674e520da270605528c0220749eed3b12dbe3f583f505d21803e4aef59c8e24c5831951eafa4f15a8f92c4e01000120000000000000000000000000000000000000000000000000000000000000000000000000",
    "00000020a868e8514be5e46dabd6a122132f423f36a43b716a40c394e2a8d063e1010000f4c6c717e99d800c699c25a2006a75a0c5c09f432a936f385e6fce139cdbd1a5e9964d5fae77031e7d026e0001010000000001010000000000000000000000000000000000000000000000000000000000000000ffffffff025a51feffffff0200f2052a01000000160014aaa671c82b138e3b8f510cd801e5f2bd0aa305940000000000000000776a24aa21a9ede2f61c3f71d1defd3fa999dfa36953755c690689799962b48bebd836974e8cf94c4fecc7daa24900473044022042309f4c3c7a1a2ac8c24f890f962df1c0086cec10be0868087cfc427520cb2702201dafee8911c269b7e786e242045bb57cef3f5b0f177010c6159abae42f646cc501000120000000000000000000000000000000000000000000000000000000000000000000000000",
};

// The same challenge as the default signet's, but 2-of-2: the real solutions must fail it.
constexpr std::string_view TWO_OF_TWO_CHALLENGE =
    "522103ad5e0edad18cb1f0fc0d28a3d4f1f3e445640337489abb10404f2d1e086be430210359ef5021964fe22d"
    "6f8e05b2463c9540ce96883fe3b278760f048f5189f2e6c452ae";

TEST(CheckSignetBlockSolution, AcceptsTheFirstBlocksOfTheDefaultSignet) {
    const ChainParams& signet = chain_params(ChainType::signet);
    const ConsensusParams two_of_two = params_with_challenge(Script(testutil::hex(TWO_OF_TWO_CHALLENGE)));
    Uint256 prev = signet.consensus.genesis_hash;
    std::size_t count = 0;
    for (const char* text : DEFAULT_SIGNET_BLOCKS) {
        const auto block = decode_block(testutil::hex(text));
        ASSERT_TRUE(block.has_value()) << count;
        EXPECT_EQ(block->header.prev_block, prev) << count;
        prev = block->hash();
        EXPECT_TRUE(check_block(*block, signet.consensus)) << count;
        EXPECT_TRUE(check_signet_block_solution(*block, signet.consensus)) << count;
        EXPECT_FALSE(check_signet_block_solution(*block, two_of_two)) << count;
        // Any change to the signed header fields breaks the solution.
        Block changed = *block;
        changed.header.version ^= 1;
        EXPECT_FALSE(check_signet_block_solution(changed, signet.consensus)) << count;
        ++count;
    }
    testutil::report_cases("default signet blocks 1-10", count);
    EXPECT_EQ(count, 10U);
}

TEST(CheckSignetBlockSolution, ExemptsTheGenesisBlock) {
    const ChainParams& signet = chain_params(ChainType::signet);
    ASSERT_TRUE(signet.consensus.signet_blocks);
    EXPECT_TRUE(check_signet_block_solution(signet.genesis, signet.consensus));
    // Under a network with another genesis the same block must carry a solution; it has no
    // witness commitment, so it fails.
    ConsensusParams other = signet.consensus;
    other.genesis_hash = Uint256();
    EXPECT_FALSE(check_signet_block_solution(signet.genesis, other));
}

}  // namespace
}  // namespace bitloom
