#include "consensus/chainparams.h"

#include <gtest/gtest.h>

#include "primitives/merkle.h"
#include "primitives/pow.h"
#include "util/hex.h"

namespace bitloom {
namespace {

struct KnownGenesis {
    ChainType type;
    const char* hash;
    const char* merkle_root;
};

// The published genesis block hashes of each network.
const KnownGenesis KNOWN_GENESIS[] = {
    {ChainType::main, "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f",
     "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b"},
    {ChainType::testnet, "000000000933ea01ad0ee984209779baaec3ced90fa3f408719526f8d77f4943",
     "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b"},
    {ChainType::testnet4, "00000000da84f2bafbbc53dee25a72ae507ff4914b867c565be350b0da8bf043",
     "7aa0a7ae1e223414cb807e40cd57e667b718e42aaf9306db9102fe28912b7b4e"},
    {ChainType::signet, "00000008819873e925422c1ff0f99f7cc9bbb232af63a077a480a3633bee1ef6",
     "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b"},
    {ChainType::regtest, "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206",
     "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b"},
};

TEST(ChainParams, builds_every_genesis_block_with_its_known_hash) {
    for (const auto& known : KNOWN_GENESIS) {
        const ChainParams& params = chain_params(known.type);
        SCOPED_TRACE(std::string(chain_type_name(known.type)));
        EXPECT_EQ(params.genesis.hash().to_string(), known.hash);
        EXPECT_EQ(params.consensus.genesis_hash.to_string(), known.hash);
        EXPECT_EQ(params.genesis.header.merkle_root.to_string(), known.merkle_root);
        EXPECT_EQ(block_merkle_root(params.genesis).root, params.genesis.header.merkle_root);
        EXPECT_TRUE(params.genesis.header.prev_block.is_null());
        EXPECT_EQ(params.genesis.transactions.size(), 1u);
        EXPECT_TRUE(params.genesis.transactions[0]->is_coinbase());
        EXPECT_EQ(*params.genesis.transactions[0]->value_out(), 50 * COIN);
        EXPECT_TRUE(check_proof_of_work(params.genesis.hash(), params.genesis.header.bits,
                                        params.consensus.pow_limit))
            << "genesis must satisfy its own network's proof of work";
    }
}

TEST(ChainParams, mainnet_genesis_serializes_to_the_well_known_285_bytes) {
    const Bytes encoded = encode(chain_params(ChainType::main).genesis);
    EXPECT_EQ(encoded.size(), 285u);
    // The coinbase scriptSig pushes 486604799 (0x1d00ffff), 4, and the Times headline.
    EXPECT_NE(to_hex(encoded).find("04ffff001d010445546865205469"), std::string::npos);
}

TEST(ChainParams, has_each_networks_identity) {
    const auto& main = chain_params(ChainType::main);
    EXPECT_EQ(to_hex(main.message_start), "f9beb4d9");
    EXPECT_EQ(main.default_port, 8333);
    EXPECT_EQ(main.rpc_port, 8332);
    EXPECT_EQ(main.prefixes.bech32_hrp, "bc");
    EXPECT_FALSE(main.dns_seeds.empty());

    const auto& test = chain_params(ChainType::testnet);
    EXPECT_EQ(to_hex(test.message_start), "0b110907");
    EXPECT_EQ(test.default_port, 18333);
    EXPECT_EQ(test.rpc_port, 18332);

    const auto& t4 = chain_params(ChainType::testnet4);
    EXPECT_EQ(to_hex(t4.message_start), "1c163f28");
    EXPECT_EQ(t4.default_port, 48333);
    EXPECT_EQ(t4.rpc_port, 48332);
    EXPECT_TRUE(t4.consensus.enforce_bip94);
    EXPECT_TRUE(t4.consensus.pow_allow_min_difficulty_blocks);

    const auto& regtest = chain_params(ChainType::regtest);
    EXPECT_EQ(to_hex(regtest.message_start), "fabfb5da");
    EXPECT_EQ(regtest.default_port, 18444);
    EXPECT_EQ(regtest.rpc_port, 18443);
    EXPECT_EQ(regtest.prefixes.bech32_hrp, "bcrt");
    EXPECT_EQ(regtest.consensus.subsidy_halving_interval, 150);
    EXPECT_TRUE(regtest.consensus.pow_no_retargeting);
    EXPECT_TRUE(regtest.dns_seeds.empty());
}

TEST(ChainParams, derives_the_default_signet_message_start_from_its_challenge) {
    const auto& signet = chain_params(ChainType::signet);
    // BIP325's default signet magic.
    EXPECT_EQ(to_hex(signet.message_start), "0a03cf40");
    EXPECT_EQ(signet.default_port, 38333);
    EXPECT_TRUE(signet.consensus.signet_blocks);
    EXPECT_EQ(signet.consensus.signet_challenge.size(), 71u);

    // A different challenge gives a different network.
    const Bytes challenge = *parse_hex("51");  // OP_TRUE
    const ChainParams custom = make_signet_params(challenge);
    EXPECT_NE(custom.message_start, signet.message_start);
    EXPECT_EQ(custom.genesis.hash(), signet.genesis.hash());
}

TEST(ChainParams, uses_the_known_activation_heights) {
    const auto& c = chain_params(ChainType::main).consensus;
    EXPECT_EQ(c.bip34_height, 227931);
    EXPECT_EQ(c.bip65_height, 388381);
    EXPECT_EQ(c.bip66_height, 363725);
    EXPECT_EQ(c.csv_height, 419328);
    EXPECT_EQ(c.segwit_height, 481824);
    EXPECT_EQ(c.taproot.min_activation_height, 709632);
    EXPECT_EQ(c.difficulty_adjustment_interval(), 2016);
    EXPECT_EQ(chain_params(ChainType::regtest).consensus.segwit_height, 0);
    EXPECT_EQ(chain_params(ChainType::regtest).consensus.taproot.start_time,
              Bip9Deployment::ALWAYS_ACTIVE);
}

TEST(ChainParams, parses_chain_names_as_bitcoin_core_does) {
    EXPECT_EQ(parse_chain_type("main"), ChainType::main);
    EXPECT_EQ(parse_chain_type("test"), ChainType::testnet);
    EXPECT_EQ(parse_chain_type("testnet4"), ChainType::testnet4);
    EXPECT_EQ(parse_chain_type("signet"), ChainType::signet);
    EXPECT_EQ(parse_chain_type("regtest"), ChainType::regtest);
    EXPECT_FALSE(parse_chain_type("moon"));
    for (auto type : {ChainType::main, ChainType::testnet, ChainType::testnet4, ChainType::signet,
                      ChainType::regtest})
        EXPECT_EQ(parse_chain_type(chain_type_name(type)), type);
}

}  // namespace
}  // namespace bitloom
