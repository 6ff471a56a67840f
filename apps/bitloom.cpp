// bitloom: the umbrella tool (self-test, chain parameters, block, address, key and hash
// utilities; the crawler joins it later).
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "consensus/chainparams.h"
#include "crypto/hash.h"
#include "crypto/key.h"
#include "crypto/pubkey.h"
#include "crypto/ripemd160.h"
#include "crypto/sha256.h"
#include "encoding/address.h"
#include "encoding/wif.h"
#include "primitives/merkle.h"
#include "primitives/pow.h"
#include "util/hex.h"
#include "util/version.h"

#include "commands.h"
#include "simnet_command.h"

using namespace bitloom;
using Json = nlohmann::ordered_json;

namespace {

void print_json(const Json& json) { std::printf("%s\n", json.dump(2).c_str()); }

int fail_with(const std::string& message) {
    std::fprintf(stderr, "error: %s\n", message.c_str());
    return 1;
}

std::string script_type(const Destination& dest) {
    struct Namer {
        std::string operator()(const NoDestination&) const { return "nonstandard"; }
        std::string operator()(const PubKeyDestination&) const { return "pubkey"; }
        std::string operator()(const PubKeyHash&) const { return "pubkeyhash"; }
        std::string operator()(const ScriptHash&) const { return "scripthash"; }
        std::string operator()(const WitnessV0KeyHash&) const { return "witness_v0_keyhash"; }
        std::string operator()(const WitnessV0ScriptHash&) const { return "witness_v0_scripthash"; }
        std::string operator()(const WitnessV1Taproot&) const { return "witness_v1_taproot"; }
        std::string operator()(const PayToAnchor&) const { return "anchor"; }
        std::string operator()(const WitnessUnknown&) const { return "witness_unknown"; }
    };
    return std::visit(Namer{}, dest);
}

// --- selftest -------------------------------------------------------------------------------

int run_selftest() {
    int failures = 0;
    auto report = [&](const char* what, bool ok) {
        std::printf("%-8s %s\n", ok ? "ok" : "FAILED", what);
        if (!ok) ++failures;
    };
    std::printf("sha256: %s\n", sha256_implementation().c_str());
    const Uint256 abc = sha256(as_bytes("abc"));
    report("SHA-256 of \"abc\" (FIPS 180-2)",
           to_hex(abc) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    for (auto impl : {Sha256Impl::portable, Sha256Impl::sha_ni, Sha256Impl::avx2}) {
        if (!sha256_impl_supported(impl)) continue;
        force_sha256_implementation(impl);
        std::uint8_t in[64 * 8] = {};
        std::uint8_t out[32 * 8];
        sha256d64(out, in, 8);
        const Uint256 expected = sha256d(ByteSpan(in, 64));
        bool agree = sha256(as_bytes("abc")) == abc;
        for (int i = 0; i < 8; ++i) agree = agree && Uint256(ByteSpan(out + 32 * i, 32)) == expected;
        const char* names[] = {"portable", "sha-ni", "avx2"};
        const std::string label = std::string("SHA-256 variant agrees: ") + names[static_cast<int>(impl)];
        report(label.c_str(), agree);
    }
    reset_sha256_implementation();

    const PrivateKey key = PrivateKey::generate();
    const Uint256 message = sha256(as_bytes("bitloom self-test"));
    auto der = key.sign_ecdsa(message);
    report("ECDSA sign and verify", der && key.public_key().verify_ecdsa(message, *der));
    auto schnorr = key.sign_schnorr(message.span());
    report("BIP340 Schnorr sign and verify",
           schnorr && key.x_only_public_key().verify_schnorr(message.span(), *schnorr));
    Uint256 wrong = message;
    wrong[0] ^= 1;
    report("signature over another message is rejected",
           der && !key.public_key().verify_ecdsa(wrong, *der));
    return failures == 0 ? 0 : 1;
}

// --- chains ---------------------------------------------------------------------------------

int run_chains() {
    std::printf("%-9s %-9s %-6s %-6s %-5s %s\n", "chain", "magic", "port", "rpc", "hrp",
                "genesis block");
    for (auto type : {ChainType::main, ChainType::testnet, ChainType::testnet4, ChainType::signet,
                      ChainType::regtest}) {
        const ChainParams& p = chain_params(type);
        std::printf("%-9s %-9s %-6u %-6u %-5s %s\n", std::string(chain_type_name(type)).c_str(),
                    to_hex(p.message_start).c_str(), p.default_port, p.rpc_port,
                    std::string(p.prefixes.bech32_hrp).c_str(),
                    p.consensus.genesis_hash.to_string().c_str());
    }
    return 0;
}

// --- block ----------------------------------------------------------------------------------

std::optional<Bytes> read_input(const std::string& path) {
    std::string data;
    if (path == "-") {
        data.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    } else {
        std::ifstream in(path, std::ios::binary);
        if (!in) return std::nullopt;
        data.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    // Hex text (as getblock with verbosity 0 prints it) or raw bytes.
    std::string trimmed = data;
    while (!trimmed.empty() && std::isspace(static_cast<unsigned char>(trimmed.back())))
        trimmed.pop_back();
    if (is_hex(trimmed)) return parse_hex(trimmed);
    return Bytes(data.begin(), data.end());
}

int run_block(const std::string& path, ChainType chain) {
    auto bytes = read_input(path);
    if (!bytes) return fail_with("cannot read " + path);
    auto block = decode_block(*bytes);
    if (!block) return fail_with("not a block: " + std::string(to_string(block.error())));
    const ChainParams& params = chain_params(chain);
    const MerkleRoot merkle = block_merkle_root(*block);
    const auto pow = check_proof_of_work(block->hash(), block->header.bits, params.consensus.pow_limit);
    Json out;
    out["hash"] = block->hash().to_string();
    out["size"] = block->total_size();
    out["strippedsize"] = block->stripped_size();
    out["weight"] = block->weight();
    out["version"] = block->header.version;
    out["previousblockhash"] = block->header.prev_block.to_string();
    out["merkleroot"] = block->header.merkle_root.to_string();
    out["time"] = block->header.time;
    out["nonce"] = block->header.nonce;
    char bits[9];
    std::snprintf(bits, sizeof bits, "%08x", block->header.bits);
    out["bits"] = bits;
    out["nTx"] = block->transactions.size();
    out["merkle_root_valid"] = merkle.root == block->header.merkle_root && !merkle.mutated;
    out["proof_of_work_valid"] = pow.has_value();
    if (!pow) out["proof_of_work_error"] = std::string(to_string(pow.error()));
    if (!block->transactions.empty()) {
        if (auto commitment = find_witness_commitment(*block->transactions.front())) {
            const auto& witness = block->transactions.front()->inputs().front().witness;
            bool ok = witness.stack.size() == 1 && witness.stack[0].size() == 32 &&
                      compute_witness_commitment(block_witness_merkle_root(*block).root,
                                                 Uint256(ByteSpan(witness.stack[0]))) == *commitment;
            out["witness_commitment_valid"] = ok;
        }
    }
    print_json(out);
    return pow && merkle.root == block->header.merkle_root && !merkle.mutated ? 0 : 2;
}

// --- address --------------------------------------------------------------------------------

int run_address(const std::string& text, ChainType chain) {
    const AddressPrefixes& prefixes = chain_params(chain).prefixes;
    auto dest = decode_address(text, prefixes);
    Json out;
    if (!dest) {
        auto report = describe_address_error(text, prefixes);
        out["isvalid"] = false;
        out["error"] = report ? report->message : std::string(to_string(dest.error()));
        print_json(out);
        return 1;
    }
    const Script script = script_for_destination(*dest);
    out["isvalid"] = true;
    out["address"] = text;
    out["scriptPubKey"] = to_hex(script.span());
    out["type"] = script_type(*dest);
    if (auto program = script.witness_program()) {
        out["witness_version"] = program->version;
        out["witness_program"] = to_hex(program->program);
    }
    print_json(out);
    return 0;
}

// --- key ------------------------------------------------------------------------------------

int run_key_new(ChainType chain) {
    const AddressPrefixes& prefixes = chain_params(chain).prefixes;
    const PrivateKey key = PrivateKey::generate();
    const PublicKey pub = key.public_key();
    const Uint160 key_hash = hash160(pub.serialize());
    const Script p2wpkh = script_for_destination(WitnessV0KeyHash{key_hash});
    auto tweaked = key.x_only_public_key().create_tap_tweak(std::nullopt);
    if (!tweaked) return fail_with(std::string(to_string(tweaked.error())));
    Json out;
    out["chain"] = std::string(chain_type_name(chain));
    out["wif"] = encode_wif(key, prefixes);
    out["pubkey"] = to_hex(pub.serialize());
    out["p2pkh"] = *encode_address(PubKeyHash{key_hash}, prefixes);
    out["p2sh-p2wpkh"] = *encode_address(ScriptHash{hash160(p2wpkh.span())}, prefixes);
    out["p2wpkh"] = *encode_address(WitnessV0KeyHash{key_hash}, prefixes);
    out["p2tr"] = *encode_address(WitnessV1Taproot{tweaked->key.bytes()}, prefixes);
    print_json(out);
    return 0;
}

// --- hash -----------------------------------------------------------------------------------

int run_hash(const std::string& algorithm, const std::string& hex) {
    auto data = parse_hex(hex);
    if (!data) return fail_with("input is not hex: " + hex);
    std::string digest;
    if (algorithm == "sha256") digest = to_hex(sha256(*data));
    else if (algorithm == "sha256d") digest = to_hex(sha256d(*data));
    else if (algorithm == "hash160") digest = to_hex(hash160(*data));
    else if (algorithm == "ripemd160") digest = to_hex(ripemd160(*data));
    else return fail_with("unknown algorithm " + algorithm + " (sha256, sha256d, hash160, ripemd160)");
    std::printf("%s\n", digest.c_str());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{version_line("bitloom") + "\n\nTools for Bitcoin data and networks.", "bitloom"};
    app.set_version_flag("--version", version_line("bitloom"));
    app.require_subcommand(1);

    const std::map<std::string, ChainType> chains = {
        {"main", ChainType::main},       {"test", ChainType::testnet},
        {"testnet4", ChainType::testnet4}, {"signet", ChainType::signet},
        {"regtest", ChainType::regtest}};
    ChainType chain = ChainType::main;
    auto add_chain = [&](CLI::App* cmd) {
        cmd->add_option("--chain", chain, "Network: main, test, testnet4, signet, regtest")
            ->transform(CLI::CheckedTransformer(chains, CLI::ignore_case));
    };

    int rc = 0;
    app.add_subcommand("selftest", "Check the hash implementations and keys on this machine")
        ->callback([&] { rc = run_selftest(); });
    app.add_subcommand("chains", "List every network's magic, ports and genesis block")
        ->callback([&] { rc = run_chains(); });

    std::string block_path;
    auto* block = app.add_subcommand("block", "Parse a block (raw or hex; '-' for stdin) and check it");
    block->add_option("file", block_path, "Block file")->required();
    add_chain(block);
    block->callback([&] { rc = run_block(block_path, chain); });

    std::string address_text;
    auto* address = app.add_subcommand("address", "Decode an address into its type and script");
    address->add_option("address", address_text, "The address")->required();
    add_chain(address);
    address->callback([&] { rc = run_address(address_text, chain); });

    auto* key = app.add_subcommand("key", "Key tools");
    key->require_subcommand(1);
    auto* key_new = key->add_subcommand("new", "Make a key; print its WIF and addresses");
    add_chain(key_new);
    key_new->callback([&] { rc = run_key_new(chain); });

    std::string algorithm, hex;
    auto* hash = app.add_subcommand("hash", "Hash hex input: sha256, sha256d, hash160, ripemd160");
    hash->add_option("algorithm", algorithm, "Hash function")->required();
    hash->add_option("hex", hex, "Input as hex")->required();
    hash->callback([&] { rc = run_hash(algorithm, hex); });

    add_crawl_command(app);
    add_simnet_command(app);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    return rc;
}
