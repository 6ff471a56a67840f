// The JSON forms of scripts and transactions, checked against facts computed independently:
// the transactions of the regtest chain a reference node mined, and hand-built scripts.
#include "node/rpc_encode.h"

#include <cmath>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "chain/undo.h"
#include "consensus/chainparams.h"
#include "crypto/hash.h"
#include "encoding/address.h"
#include "encoding/descriptor.h"
#include "primitives/block.h"
#include "primitives/script.h"
#include "primitives/script_asm.h"
#include "primitives/transaction.h"
#include "rpc/json.h"
#include "testutil/vectors.h"
#include "util/hex.h"

namespace bitloom {
namespace {

Amount amount_of(const Json& value) {
    auto amount = amount_from_json(value);
    EXPECT_TRUE(amount.has_value()) << value.dump();
    return amount ? *amount : -1;
}

const ChainParams& regtest() { return chain_params(ChainType::regtest); }

std::vector<Block> load_chain_blocks() {
    const std::string text =
        testutil::read_file_text(testutil::vector_path("regtest-chain-1/blocks.hex"));
    std::vector<Block> blocks;
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
        if (line.empty()) continue;
        auto block = decode_block(testutil::hex(line));
        if (!block) {
            ADD_FAILURE() << "block " << blocks.size() << " does not decode";
            return {};
        }
        blocks.push_back(std::move(*block));
    }
    return blocks;
}

// The descriptor's checksum is the BIP380 checksum of the text before '#', and the descriptor
// parses back to `script`.
void expect_descriptor_of(const std::string& descriptor, const Script& script) {
    const auto hash = descriptor.find('#');
    ASSERT_NE(hash, std::string::npos) << descriptor;
    EXPECT_EQ(descriptor.substr(hash + 1), descriptor_checksum(descriptor.substr(0, hash))) << descriptor;
    if (descriptor.starts_with("multi(") && script_type(script) == ScriptType::multisig) {
        return;  // bare multi() above 3 keys does not parse as a top-level descriptor
    }
    auto parsed = parse_descriptor(descriptor, regtest().prefixes, true);
    ASSERT_TRUE(parsed.has_value()) << descriptor << ": " << parsed.error().message;
    EXPECT_EQ(to_hex(parsed->span()), to_hex(script.span())) << descriptor;
}

Script script_from_hex(std::string_view hex) { return Script(testutil::hex(hex)); }

TEST(RpcEncode, EveryTransactionOfTheRegtestChainEncodesWithItsOwnIdsAndSizes) {
    const std::vector<Block> blocks = load_chain_blocks();
    ASSERT_FALSE(blocks.empty());
    std::size_t transactions = 0;
    std::size_t witness_transactions = 0;
    for (const Block& block : blocks) {
        for (const TransactionRef& tx : block.transactions) {
            const Json json = transaction_to_json(*tx, regtest());
            ++transactions;
            EXPECT_EQ(json["txid"], tx->txid().to_string());
            EXPECT_EQ(json["hash"], tx->wtxid().to_string());
            const Bytes with = encode(*tx, TxFormat::with_witness);
            const Bytes without = encode(*tx, TxFormat::no_witness);
            const std::size_t weight = without.size() * 3 + with.size();
            EXPECT_EQ(json["size"].get<std::size_t>(), with.size());
            EXPECT_EQ(json["weight"].get<std::size_t>(), weight);
            EXPECT_EQ(json["vsize"].get<std::size_t>(), (weight + 3) / 4);
            EXPECT_EQ(json["locktime"].get<std::uint32_t>(), tx->lock_time());
            ASSERT_EQ(json["vin"].size(), tx->inputs().size());
            ASSERT_EQ(json["vout"].size(), tx->outputs().size());
            if (tx->has_witness()) {
                ++witness_transactions;
                EXPECT_NE(json["txid"], json["hash"]);
            }
            for (std::size_t i = 0; i < tx->inputs().size(); ++i) {
                const Json& in = json["vin"][i];
                const TxIn& input = tx->inputs()[i];
                if (tx->is_coinbase()) {
                    EXPECT_EQ(in.begin().key(), "coinbase");
                    EXPECT_EQ(in["coinbase"], to_hex(input.script_sig.span()));
                } else {
                    EXPECT_EQ(in.begin().key(), "txid");
                    EXPECT_EQ(in["txid"], input.prevout.txid.to_string());
                    EXPECT_EQ(in["vout"].get<std::uint32_t>(), input.prevout.index);
                    EXPECT_EQ(in["scriptSig"]["hex"], to_hex(input.script_sig.span()));
                }
                EXPECT_EQ(in.contains("txinwitness"), !input.witness.stack.empty());
                EXPECT_EQ((--in.end()).key(), "sequence");
                EXPECT_EQ(in["sequence"].get<std::uint32_t>(), input.sequence);
            }
            for (std::size_t n = 0; n < tx->outputs().size(); ++n) {
                const Json& out = json["vout"][n];
                EXPECT_EQ(out["n"].get<std::size_t>(), n);
                EXPECT_EQ(amount_of(out["value"]), tx->outputs()[n].value);
                EXPECT_EQ(out["scriptPubKey"]["hex"], to_hex(tx->outputs()[n].script_pubkey.span()));
                expect_descriptor_of(out["scriptPubKey"]["desc"], tx->outputs()[n].script_pubkey);
            }
            // Key order of Core's TxToUniv.
            std::vector<std::string> keys;
            for (const auto& item : json.items()) keys.push_back(item.key());
            EXPECT_EQ(keys, (std::vector<std::string>{"txid", "hash", "version", "size", "vsize",
                                                      "weight", "locktime", "vin", "vout"}));
        }
    }
    testutil::report_cases("regtest-chain-1 transactions", transactions);
    EXPECT_GT(transactions, 135u);
    EXPECT_GT(witness_transactions, 0u);
}

TEST(RpcEncode, OutputScriptsOfTheRegtestChainGetTheirTypeAddressAndDescriptor) {
    const std::vector<Block> blocks = load_chain_blocks();
    std::map<std::string, std::size_t> types;
    for (const Block& block : blocks) {
        for (const TransactionRef& tx : block.transactions) {
            for (const TxOut& output : tx->outputs()) {
                const Script& script = output.script_pubkey;
                const Json json = script_to_json(script, regtest());
                const std::string type = json["type"];
                ++types[type];
                std::vector<std::string> keys;
                for (const auto& item : json.items()) keys.push_back(item.key());
                const bool has_address = json.contains("address");
                const std::vector<std::string> with_address = {"asm", "desc", "hex", "address", "type"};
                const std::vector<std::string> without_address = {"asm", "desc", "hex", "type"};
                EXPECT_EQ(keys, has_address ? with_address : without_address);
                const std::string address = has_address ? json["address"].get<std::string>() : "";
                const std::string desc = json["desc"];
                if (script.is_p2wpkh()) {
                    EXPECT_EQ(type, "witness_v0_keyhash");
                    EXPECT_TRUE(address.starts_with("bcrt1q") && address.size() == 44) << address;
                } else if (script.is_p2wsh()) {
                    EXPECT_EQ(type, "witness_v0_scripthash");
                    EXPECT_TRUE(address.starts_with("bcrt1q") && address.size() == 64) << address;
                } else if (script.is_p2tr()) {
                    EXPECT_EQ(type, "witness_v1_taproot");
                    EXPECT_TRUE(address.starts_with("bcrt1p")) << address;
                } else if (script.is_p2sh()) {
                    EXPECT_EQ(type, "scripthash");
                    EXPECT_TRUE(address.starts_with("2")) << address;
                } else if (script.is_p2pkh()) {
                    EXPECT_EQ(type, "pubkeyhash");
                    EXPECT_TRUE(address.starts_with("m") || address.starts_with("n")) << address;
                } else if (!script.empty() && script[0] == OP_RETURN) {
                    EXPECT_EQ(type, "nulldata");
                    EXPECT_FALSE(has_address);
                    EXPECT_TRUE(desc.starts_with("raw(" + to_hex(script.span()) + ")#")) << desc;
                    EXPECT_TRUE(json["asm"].get<std::string>().starts_with("OP_RETURN")) << json["asm"];
                }
                if (has_address) {
                    EXPECT_TRUE(desc.starts_with("addr(" + address + ")#")) << desc;
                    auto decoded = decode_address(address, regtest().prefixes);
                    ASSERT_TRUE(decoded.has_value()) << address;
                    EXPECT_EQ(script_for_destination(*decoded), script) << address;
                }
            }
        }
    }
    std::size_t total = 0;
    for (const auto& [type, count] : types) total += count;
    testutil::report_cases("regtest-chain-1 output scripts", total);
    for (const char* type : {"witness_v0_keyhash", "witness_v1_taproot", "scripthash", "pubkeyhash",
                             "nulldata", "witness_v0_scripthash"}) {
        EXPECT_GT(types[type], 0u) << type;
    }
}

TEST(RpcEncode, AssemblyWithoutSighashDecodingEqualsThePrimitivesAssembly) {
    const std::vector<Block> blocks = load_chain_blocks();
    std::size_t scripts = 0;
    for (const Block& block : blocks) {
        for (const TransactionRef& tx : block.transactions) {
            for (const TxIn& input : tx->inputs()) {
                EXPECT_EQ(script_to_asm(input.script_sig, false), script_to_asm(input.script_sig));
                ++scripts;
            }
            for (const TxOut& output : tx->outputs()) {
                EXPECT_EQ(script_to_asm(output.script_pubkey, false), script_to_asm(output.script_pubkey));
                ++scripts;
            }
        }
    }
    testutil::report_cases("scripts compared", scripts);
    EXPECT_GT(scripts, 0u);
}

TEST(RpcEncode, ScriptSigSignaturesShowTheirSighashTypeInBrackets) {
    const std::vector<Block> blocks = load_chain_blocks();
    const std::map<std::uint8_t, std::string> names = {
        {0x01, "[ALL]"}, {0x02, "[NONE]"}, {0x03, "[SINGLE]"}, {0x81, "[ALL|ANYONECANPAY]"},
        {0x82, "[NONE|ANYONECANPAY]"}, {0x83, "[SINGLE|ANYONECANPAY]"}};
    std::size_t p2pkh_spends = 0;
    for (const Block& block : blocks) {
        for (const TransactionRef& tx : block.transactions) {
            if (tx->is_coinbase()) continue;
            const Json json = transaction_to_json(*tx, regtest());
            for (std::size_t i = 0; i < tx->inputs().size(); ++i) {
                const Script& sig = tx->inputs()[i].script_sig;
                // A P2PKH spend: <DER signature + hash type> <33-byte key>.
                std::size_t pos = 0;
                const auto first = sig.get_op(pos);
                const auto second = sig.get_op(pos);
                if (!first || !second || pos != sig.size() || second->data.size() != 33 ||
                    first->data.size() < 60 || first->data[0] != 0x30) {
                    continue;
                }
                ++p2pkh_spends;
                const ByteSpan signature = first->data;
                const auto name = names.find(signature.back());
                ASSERT_NE(name, names.end());
                const std::string expected = to_hex(signature.first(signature.size() - 1)) +
                                             name->second + " " + to_hex(second->data);
                EXPECT_EQ(json["vin"][i]["scriptSig"]["asm"], expected);
            }
        }
    }
    testutil::report_cases("P2PKH scriptSigs", p2pkh_spends);
    EXPECT_GT(p2pkh_spends, 0u);
}

TEST(RpcEncode, AssemblyWritesSmallPushesAsNumbersAndLeavesUndefinedSighashTypesAlone) {
    // OP_0, 1-byte 0x01, 0x81 (-1), 2-byte 0xff00 (255), OP_1NEGATE, OP_16, 5-byte push.
    EXPECT_EQ(script_to_asm(script_from_hex("0001010181" "02ff00" "4f60" "050102030405"), false),
              "0 1 -1 255 -1 16 0102030405");
    // A minimal valid DER signature with each hash type byte.
    const std::string der = "3006020101020101";
    EXPECT_EQ(script_to_asm(script_from_hex("09" + der + "01"), true), der + "[ALL]");
    EXPECT_EQ(script_to_asm(script_from_hex("09" + der + "83"), true), der + "[SINGLE|ANYONECANPAY]");
    EXPECT_EQ(script_to_asm(script_from_hex("09" + der + "04"), true), der + "04");
    EXPECT_EQ(script_to_asm(script_from_hex("09" + der + "01"), false), der + "01");
    // Not decoded inside an unspendable script.
    EXPECT_EQ(script_to_asm(script_from_hex("6a09" + der + "01"), true), "OP_RETURN " + der + "01");
    // A push that runs past the end.
    EXPECT_EQ(script_to_asm(script_from_hex("76a914ab"), false), "OP_DUP OP_HASH160 [error]");
}

TEST(RpcEncode, BareKeyScriptsGetPkAndMultiDescriptorsWithoutAddresses) {
    const std::string key1 = "02" + std::string(64, '1');
    const std::string key2 = "03" + std::string(64, '2');
    const Script p2pk = script_from_hex("21" + key1 + "ac");
    const Json pk = script_to_json(p2pk, regtest());
    EXPECT_EQ(pk["type"], "pubkey");
    EXPECT_FALSE(pk.contains("address"));
    EXPECT_EQ(pk["desc"], add_descriptor_checksum("pk(" + key1 + ")"));
    EXPECT_EQ(pk["asm"], key1 + " OP_CHECKSIG");

    const Script multisig = script_from_hex("5221" + key1 + "21" + key2 + "52ae");
    const Json multi = script_to_json(multisig, regtest());
    EXPECT_EQ(multi["type"], "multisig");
    EXPECT_FALSE(multi.contains("address"));
    EXPECT_EQ(multi["desc"], add_descriptor_checksum("multi(2," + key1 + "," + key2 + ")"));
    expect_descriptor_of(multi["desc"], multisig);

    // Hybrid keys are not inferred as keys.
    const std::string hybrid = "06" + std::string(128, '3');
    const Script hybrid_p2pk = script_from_hex("41" + hybrid + "ac");
    EXPECT_EQ(script_to_json(hybrid_p2pk, regtest())["type"], "pubkey");
    EXPECT_EQ(script_to_json(hybrid_p2pk, regtest())["desc"],
              add_descriptor_checksum("raw(41" + hybrid + "ac)"));
}

TEST(RpcEncode, OtherScriptsGetTheirTypeNames) {
    EXPECT_EQ(to_string(script_type(script_from_hex(""))), "nonstandard");
    EXPECT_EQ(to_string(script_type(script_from_hex("6a"))), "nulldata");
    EXPECT_EQ(to_string(script_type(script_from_hex("6a76"))), "nonstandard");
    EXPECT_EQ(to_string(script_type(script_from_hex("51024e73"))), "anchor");
    EXPECT_EQ(to_string(script_type(script_from_hex("5202abcd"))), "witness_unknown");
    EXPECT_EQ(to_string(script_type(script_from_hex("0003abcdef"))), "nonstandard");
    const Json anchor = script_to_json(script_from_hex("51024e73"), regtest());
    EXPECT_EQ(anchor["address"], "bcrt1pfeesnyr2tx");
    const Json unknown = script_to_json(script_from_hex("5202abcd"), regtest(), false, false);
    std::vector<std::string> keys;
    for (const auto& item : unknown.items()) keys.push_back(item.key());
    EXPECT_EQ(keys, (std::vector<std::string>{"asm", "type"}));
}

TEST(RpcEncode, DifficultyIsTheMinimumTargetOverTheTarget) {
    EXPECT_DOUBLE_EQ(difficulty(0x1d00ffff), 1.0);
    EXPECT_NEAR(difficulty(0x1b0404cb), 16307.420938523983, 1e-6);
    EXPECT_NEAR(difficulty(0x207fffff), 4.656542373906925e-10, 1e-22);
    EXPECT_EQ(target_hex(0x207fffff), "7fffff0000000000000000000000000000000000000000000000000000000000");
    EXPECT_EQ(bits_hex(0x207fffff), "207fffff");
    EXPECT_EQ(version_hex(0x20000000), "20000000");
    EXPECT_EQ(version_hex(-1), "ffffffff");
}

TEST(RpcEncode, PrevoutsAndFeeComeFromTheUndoData) {
    const std::vector<Block> blocks = load_chain_blocks();
    // The first non-coinbase transaction of the chain; its inputs' coins made up by hand.
    for (const Block& block : blocks) {
        for (std::size_t t = 1; t < block.transactions.size(); ++t) {
            const Transaction& tx = *block.transactions[t];
            TxUndo undo;
            Amount total_in = 0;
            for (std::size_t i = 0; i < tx.inputs().size(); ++i) {
                Coin coin;
                coin.output.value = 1000 * COIN + static_cast<Amount>(i);
                coin.output.script_pubkey = script_from_hex("0014" + std::string(40, 'a'));
                coin.height = 7;
                coin.coinbase = i == 0;
                total_in += coin.output.value;
                undo.spent.push_back(coin);
            }
            Amount total_out = 0;
            for (const TxOut& output : tx.outputs()) total_out += output.value;
            const Uint256 hash = block.hash();
            const std::string hex = "00";
            const Json two = transaction_to_json(tx, regtest(), &hash, &undo, 2, &hex);
            EXPECT_FALSE(two["vin"][0].contains("prevout"));
            EXPECT_EQ(amount_of(two["fee"]), total_in - total_out);
            const Json three = transaction_to_json(tx, regtest(), &hash, &undo, 3, &hex);
            const Json& prevout = three["vin"][0]["prevout"];
            EXPECT_EQ(prevout["generated"], true);
            EXPECT_EQ(prevout["height"], 7);
            EXPECT_EQ(amount_of(prevout["value"]), 1000 * COIN);
            EXPECT_EQ(prevout["scriptPubKey"]["type"], "witness_v0_keyhash");
            std::vector<std::string> keys;
            for (const auto& item : three.items()) keys.push_back(item.key());
            EXPECT_EQ(keys, (std::vector<std::string>{"txid", "hash", "version", "size", "vsize", "weight",
                                                      "locktime", "vin", "vout", "fee", "blockhash", "hex"}));
            return;
        }
    }
    FAIL() << "no non-coinbase transaction in the chain";
}

}  // namespace
}  // namespace bitloom
