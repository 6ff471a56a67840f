// Parameters of each Bitcoin network: consensus rules (heights, proof-of-work limits,
// deployments), the genesis block built from its recipe, and the network identity (message
// start bytes, ports, DNS seeds, address prefixes).
//
// Values follow Bitcoin Core's chain parameters. The genesis block of every network is built
// here from its coinbase text, output script, time, nonce and bits, and its hash is checked
// against the known value by the tests.
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "encoding/prefixes.h"
#include "primitives/block.h"
#include "util/arith_uint256.h"
#include "util/bytes.h"
#include "util/uint256.h"

namespace bitloom {

// The networks, named as Bitcoin Core's -chain= option names them.
enum class ChainType { main, testnet, testnet4, signet, regtest };

// "main", "test", "testnet4", "signet", "regtest".
std::string_view chain_type_name(ChainType type);
// Accepts the -chain= names above (and "mainnet", "testnet3" as aliases).
std::optional<ChainType> parse_chain_type(std::string_view name);

// A BIP9 version-bits soft fork.
struct Bip9Deployment {
    static constexpr std::int64_t ALWAYS_ACTIVE = -1;
    static constexpr std::int64_t NEVER_ACTIVE = -2;
    static constexpr std::int64_t NO_TIMEOUT = std::numeric_limits<std::int64_t>::max();

    int bit = 28;
    std::int64_t start_time = NEVER_ACTIVE;  // median time past, or ALWAYS/NEVER_ACTIVE
    std::int64_t timeout = NO_TIMEOUT;
    int min_activation_height = 0;
    int threshold = 1815;  // signalling blocks needed in one period
    int period = 2016;
};

// Blocks validated with fewer script rules than their height implies (historical exceptions).
struct ScriptFlagException {
    Uint256 block_hash;
    bool verify_p2sh;     // false: no script flags at all
    bool verify_witness;
};

struct ConsensusParams {
    Uint256 genesis_hash;
    int subsidy_halving_interval = 210000;
    std::vector<ScriptFlagException> script_flag_exceptions;

    // Heights at which the buried soft forks apply (BIP34 coinbase height, BIP65 CLTV, BIP66
    // strict DER, BIP68/112/113 CSV, BIP141/143/147 segwit).
    int bip34_height = 0;
    Uint256 bip34_hash;
    int bip65_height = 0;
    int bip66_height = 0;
    int csv_height = 0;
    int segwit_height = 0;
    int min_bip9_warning_height = 0;

    Bip9Deployment testdummy;
    Bip9Deployment taproot;  // BIPs 340-342

    ArithUint256 pow_limit;
    std::int64_t pow_target_timespan = 14 * 24 * 60 * 60;
    std::int64_t pow_target_spacing = 10 * 60;
    bool pow_allow_min_difficulty_blocks = false;  // testnet's 20-minute rule
    bool enforce_bip94 = false;                     // testnet4's timewarp and min-difficulty fix
    bool pow_no_retargeting = false;                // regtest

    Uint256 minimum_chain_work;
    Uint256 default_assume_valid;

    bool signet_blocks = false;  // BIP325 block signatures required
    Bytes signet_challenge;

    std::int64_t difficulty_adjustment_interval() const {
        return pow_target_timespan / pow_target_spacing;
    }
};

struct ChainParams {
    ChainType type = ChainType::main;
    ConsensusParams consensus;
    std::array<std::uint8_t, 4> message_start{};
    std::uint16_t default_port = 0;
    std::uint16_t rpc_port = 0;
    std::vector<std::string> dns_seeds;
    AddressPrefixes prefixes = MAINNET_ADDRESS_PREFIXES;
    Block genesis;
    int prune_after_height = 1000;
    bool is_mockable = false;  // regtest: -mocktime allowed
};

// The parameters of a network. Built once, on first use, and immutable afterwards.
const ChainParams& chain_params(ChainType type);

// A signet with a custom block-signing challenge (the -signetchallenge option); the message
// start is derived from the challenge as BIP325 says.
ChainParams make_signet_params(ByteSpan challenge, std::vector<std::string> seeds = {});

// The coinbase scriptSig and output script of a genesis block, and the block built from them:
// scriptSig = push(486604799) push_data(0x04) push(text); one output of `reward` paying `output_script`.
Block make_genesis_block(std::string_view coinbase_text, ByteSpan output_script, std::uint32_t time,
                         std::uint32_t nonce, std::uint32_t bits, std::int32_t version,
                         std::int64_t reward);

}  // namespace bitloom
