#include "consensus/chainparams.h"

#include <cassert>
#include <mutex>

#include "primitives/merkle.h"
#include "primitives/script.h"
#include "primitives/serialize.h"
#include "util/hex.h"

namespace bitloom {
namespace {

constexpr std::int64_t COIN_VALUE = 100'000'000;

// The coinbase text and output key of Bitcoin's genesis block, reused by testnet3, signet and
// regtest.
constexpr std::string_view MAINNET_GENESIS_TEXT =
    "The Times 03/Jan/2009 Chancellor on brink of second bailout for banks";
constexpr std::string_view MAINNET_GENESIS_KEY =
    "04678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38c4f35504e51ec1"
    "12de5c384df7ba0b8d578a4c702b6bf11d5f";
constexpr std::string_view TESTNET4_GENESIS_TEXT =
    "03/May/2024 000000000000000000001ebd58c244970b3aa9d783bb001011fbe8ea8e98e00e";
constexpr std::string_view TESTNET4_GENESIS_KEY =
    "000000000000000000000000000000000000000000000000000000000000000000";
constexpr std::string_view DEFAULT_SIGNET_CHALLENGE =
    "512103ad5e0edad18cb1f0fc0d28a3d4f1f3e445640337489abb10404f2d1e086be430210359ef5021964fe22d6f8e"
    "05b2463c9540ce96883fe3b278760f048f5189f2e6c452ae";

Bytes hex_bytes(std::string_view hex) {
    auto bytes = parse_hex(hex);
    assert(bytes && "malformed hex constant");
    return *bytes;
}

Uint256 hash_constant(std::string_view display_hex) {
    auto hash = Uint256::from_string(display_hex);
    assert(hash && "malformed hash constant");
    return *hash;
}

ArithUint256 target_constant(std::string_view hex) {
    auto value = ArithUint256::from_hex(hex);
    assert(value && "malformed target constant");
    return *value;
}

Script pay_to_pubkey(std::string_view key_hex) {
    Script script;
    script.push_data(hex_bytes(key_hex));
    script.push_opcode(OP_CHECKSIG);
    return script;
}

Block genesis_of(std::string_view text, std::string_view key_hex, std::uint32_t time,
                 std::uint32_t nonce, std::uint32_t bits) {
    const Script output = pay_to_pubkey(key_hex);
    return make_genesis_block(text, output.span(), time, nonce, bits, 1, 50 * COIN_VALUE);
}

Bip9Deployment always_active_taproot(int threshold) {
    return {.bit = 2,
            .start_time = Bip9Deployment::ALWAYS_ACTIVE,
            .timeout = Bip9Deployment::NO_TIMEOUT,
            .min_activation_height = 0,
            .threshold = threshold,
            .period = 2016};
}

Bip9Deployment never_active_testdummy(int threshold, int period) {
    return {.bit = 28,
            .start_time = Bip9Deployment::NEVER_ACTIVE,
            .timeout = Bip9Deployment::NO_TIMEOUT,
            .min_activation_height = 0,
            .threshold = threshold,
            .period = period};
}

ChainParams make_main() {
    ChainParams p;
    p.type = ChainType::main;
    auto& c = p.consensus;
    c.subsidy_halving_interval = 210000;
    c.script_flag_exceptions = {
        {hash_constant("00000000000002dc756eebf4f49723ed8d30cc28a5f108eb94b1ba88ac4f9c22"), false,
         false},  // BIP16 exception
        {hash_constant("0000000000000000000f14c35b2d841e986ab5441de8c585d5ffe55ea1e395ad"), true,
         true},  // taproot exception
    };
    c.bip34_height = 227931;
    c.bip34_hash = hash_constant("000000000000024b89b42a942fe0d9fea3bb44ab7bd1b19115dd6a759c0808b8");
    c.bip65_height = 388381;
    c.bip66_height = 363725;
    c.csv_height = 419328;
    c.segwit_height = 481824;
    c.min_bip9_warning_height = 483840;
    c.pow_limit = target_constant("00000000ffffffffffffffffffffffffffffffffffffffffffffffffffffffff");
    c.testdummy = never_active_testdummy(1815, 2016);
    c.taproot = {.bit = 2,
                 .start_time = 1619222400,  // 2021-04-24
                 .timeout = 1628640000,     // 2021-08-11
                 .min_activation_height = 709632,
                 .threshold = 1815,
                 .period = 2016};
    c.minimum_chain_work =
        hash_constant("0000000000000000000000000000000000000000dee8e2a309ad8a9820433c68");
    c.default_assume_valid =
        hash_constant("00000000000000000000611fd22f2df7c8fbd0688745c3a6c3bb5109cc2a12cb");
    p.message_start = {0xf9, 0xbe, 0xb4, 0xd9};
    p.default_port = 8333;
    p.rpc_port = 8332;
    p.prune_after_height = 100000;
    p.dns_seeds = {"seed.bitcoin.sipa.be.",         "dnsseed.bluematt.me.",
                   "seed.bitcoin.jonasschnelli.ch.", "seed.btc.petertodd.net.",
                   "seed.bitcoin.sprovoost.nl.",     "dnsseed.emzy.de.",
                   "seed.bitcoin.wiz.biz.",          "seed.mainnet.achownodes.xyz."};
    p.prefixes = MAINNET_ADDRESS_PREFIXES;
    p.genesis = genesis_of(MAINNET_GENESIS_TEXT, MAINNET_GENESIS_KEY, 1231006505, 2083236893,
                           0x1d00ffff);
    return p;
}

ChainParams make_testnet3() {
    ChainParams p;
    p.type = ChainType::testnet;
    auto& c = p.consensus;
    c.subsidy_halving_interval = 210000;
    c.script_flag_exceptions = {
        {hash_constant("00000000dd30457c001f4095d208cc1296b0eed002427aa599874af7a432b105"), false,
         false},  // BIP16 exception
    };
    c.bip34_height = 21111;
    c.bip34_hash = hash_constant("0000000023b3a96d3484e5abb3755c413e7d41500f8e2a5c3f0dd01299cd8ef8");
    c.bip65_height = 581885;
    c.bip66_height = 330776;
    c.csv_height = 770112;
    c.segwit_height = 834624;
    c.min_bip9_warning_height = 836640;
    c.pow_limit = target_constant("00000000ffffffffffffffffffffffffffffffffffffffffffffffffffffffff");
    c.pow_allow_min_difficulty_blocks = true;
    c.testdummy = never_active_testdummy(1512, 2016);
    c.taproot = {.bit = 2,
                 .start_time = 1619222400,
                 .timeout = 1628640000,
                 .min_activation_height = 0,
                 .threshold = 1512,
                 .period = 2016};
    c.minimum_chain_work =
        hash_constant("0000000000000000000000000000000000000000000016dd270dd94fac1d7632");
    c.default_assume_valid =
        hash_constant("0000000000000065c6c38258e201971a3fdfcc2ceee0dd6e85a6c022d45dee34");
    p.message_start = {0x0b, 0x11, 0x09, 0x07};
    p.default_port = 18333;
    p.rpc_port = 18332;
    p.dns_seeds = {"testnet-seed.bitcoin.jonasschnelli.ch.", "seed.tbtc.petertodd.net.",
                   "seed.testnet.bitcoin.sprovoost.nl.", "testnet-seed.bluematt.me.",
                   "seed.testnet.achownodes.xyz."};
    p.prefixes = TESTNET_ADDRESS_PREFIXES;
    p.genesis = genesis_of(MAINNET_GENESIS_TEXT, MAINNET_GENESIS_KEY, 1296688602, 414098458,
                           0x1d00ffff);
    return p;
}

ChainParams make_testnet4() {
    ChainParams p;
    p.type = ChainType::testnet4;
    auto& c = p.consensus;
    c.subsidy_halving_interval = 210000;
    c.bip34_height = 1;
    c.bip65_height = 1;
    c.bip66_height = 1;
    c.csv_height = 1;
    c.segwit_height = 1;
    c.pow_limit = target_constant("00000000ffffffffffffffffffffffffffffffffffffffffffffffffffffffff");
    c.pow_allow_min_difficulty_blocks = true;
    c.enforce_bip94 = true;
    c.testdummy = never_active_testdummy(1512, 2016);
    c.taproot = always_active_taproot(1512);
    c.minimum_chain_work =
        hash_constant("00000000000000000000000000000000000000000000034a4690fe592dc49c7c");
    c.default_assume_valid =
        hash_constant("000000000000000180a58e7fa3b0db84b5ea76377524894f53660d93ac839d9b");
    p.message_start = {0x1c, 0x16, 0x3f, 0x28};
    p.default_port = 48333;
    p.rpc_port = 48332;
    p.dns_seeds = {"seed.testnet4.bitcoin.sprovoost.nl.", "seed.testnet4.wiz.biz."};
    p.prefixes = TESTNET_ADDRESS_PREFIXES;
    p.genesis = genesis_of(TESTNET4_GENESIS_TEXT, TESTNET4_GENESIS_KEY, 1714777860, 393743547,
                           0x1d00ffff);
    return p;
}

ChainParams make_regtest() {
    ChainParams p;
    p.type = ChainType::regtest;
    auto& c = p.consensus;
    c.subsidy_halving_interval = 150;
    c.bip34_height = 1;
    c.bip65_height = 1;
    c.bip66_height = 1;
    c.csv_height = 1;
    c.segwit_height = 0;
    c.pow_limit = target_constant("7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff");
    c.pow_allow_min_difficulty_blocks = true;
    c.pow_no_retargeting = true;
    c.pow_target_timespan = 24 * 60 * 60;
    c.testdummy = {.bit = 28,
                   .start_time = 0,
                   .timeout = Bip9Deployment::NO_TIMEOUT,
                   .min_activation_height = 0,
                   .threshold = 108,
                   .period = 144};
    c.taproot = always_active_taproot(108);
    c.taproot.period = 144;
    p.message_start = {0xfa, 0xbf, 0xb5, 0xda};
    p.default_port = 18444;
    p.rpc_port = 18443;
    p.is_mockable = true;
    p.prefixes = REGTEST_ADDRESS_PREFIXES;
    p.genesis = genesis_of(MAINNET_GENESIS_TEXT, MAINNET_GENESIS_KEY, 1296688602, 2, 0x207fffff);
    return p;
}

void finish(ChainParams& params) { params.consensus.genesis_hash = params.genesis.hash(); }

}  // namespace

std::string_view chain_type_name(ChainType type) {
    switch (type) {
        case ChainType::main: return "main";
        case ChainType::testnet: return "test";
        case ChainType::testnet4: return "testnet4";
        case ChainType::signet: return "signet";
        case ChainType::regtest: return "regtest";
    }
    return "main";
}

std::optional<ChainType> parse_chain_type(std::string_view name) {
    if (name == "main" || name == "mainnet") return ChainType::main;
    if (name == "test" || name == "testnet" || name == "testnet3") return ChainType::testnet;
    if (name == "testnet4") return ChainType::testnet4;
    if (name == "signet") return ChainType::signet;
    if (name == "regtest") return ChainType::regtest;
    return std::nullopt;
}

Block make_genesis_block(std::string_view coinbase_text, ByteSpan output_script, std::uint32_t time,
                         std::uint32_t nonce, std::uint32_t bits, std::int32_t version,
                         std::int64_t reward) {
    MutableTransaction coinbase;
    coinbase.version = 1;
    TxIn input;  // null prevout
    // The 4 is pushed as a one-byte number (01 04), not as OP_4.
    input.script_sig.push_int(486604799)
        .push_data(encode_script_num(4))
        .push_data(as_bytes(coinbase_text));
    coinbase.inputs.push_back(std::move(input));
    coinbase.outputs.push_back(TxOut{reward, Script(output_script)});

    Block block;
    block.header.version = version;
    block.header.time = time;
    block.header.bits = bits;
    block.header.nonce = nonce;
    block.transactions.push_back(make_transaction_ref(std::move(coinbase)));
    block.header.merkle_root = block_merkle_root(block).root;
    return block;
}

ChainParams make_signet_params(ByteSpan challenge, std::vector<std::string> seeds) {
    ChainParams p;
    p.type = ChainType::signet;
    auto& c = p.consensus;
    c.signet_blocks = true;
    c.signet_challenge.assign(challenge.begin(), challenge.end());
    c.subsidy_halving_interval = 210000;
    c.bip34_height = 1;
    c.bip65_height = 1;
    c.bip66_height = 1;
    c.csv_height = 1;
    c.segwit_height = 1;
    c.pow_limit = target_constant("00000377ae000000000000000000000000000000000000000000000000000000");
    c.testdummy = never_active_testdummy(1815, 2016);
    c.taproot = always_active_taproot(1815);
    // BIP325: the message start is the first four bytes of SHA256d(compact_size || challenge).
    HashWriter writer;
    writer.write_var_bytes(challenge);
    const Uint256 digest = writer.hash256();
    std::copy_n(digest.begin(), 4, p.message_start.begin());
    p.default_port = 38333;
    p.rpc_port = 38332;
    p.dns_seeds = std::move(seeds);
    p.prefixes = TESTNET_ADDRESS_PREFIXES;
    p.genesis = genesis_of(MAINNET_GENESIS_TEXT, MAINNET_GENESIS_KEY, 1598918400, 52613770,
                           0x1e0377ae);
    finish(p);
    return p;
}

const ChainParams& chain_params(ChainType type) {
    // Built on first use; function-local statics are initialised once, thread-safely.
    static const ChainParams main_params = [] { auto p = make_main(); finish(p); return p; }();
    static const ChainParams testnet_params = [] { auto p = make_testnet3(); finish(p); return p; }();
    static const ChainParams testnet4_params = [] { auto p = make_testnet4(); finish(p); return p; }();
    static const ChainParams regtest_params = [] { auto p = make_regtest(); finish(p); return p; }();
    static const ChainParams signet_params = [] {
        auto p = make_signet_params(hex_bytes(DEFAULT_SIGNET_CHALLENGE),
                                    {"seed.signet.bitcoin.sprovoost.nl.", "seed.signet.achownodes.xyz."});
        p.consensus.minimum_chain_work =
            hash_constant("0000000000000000000000000000000000000000000000000000067d328e681a");
        p.consensus.default_assume_valid =
            hash_constant("000000128586e26813922680309f04e1de713c7542fee86ed908f56368aefe2e");
        return p;
    }();
    switch (type) {
        case ChainType::main: return main_params;
        case ChainType::testnet: return testnet_params;
        case ChainType::testnet4: return testnet4_params;
        case ChainType::signet: return signet_params;
        case ChainType::regtest: return regtest_params;
    }
    return main_params;
}

}  // namespace bitloom
