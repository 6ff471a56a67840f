// The mining RPCs (Bitcoin Core's rpc/mining.cpp): block and header submission, block
// generation for test networks, and the mining summary.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "chain/contextual_check.h"
#include "chain/pow.h"
#include "consensus/subsidy.h"
#include "encoding/address.h"
#include "encoding/descriptor.h"
#include "miner/block_assembly.h"
#include "node/rpc_encode.h"
#include "node/rpc_methods.h"
#include "primitives/block.h"
#include "primitives/merkle.h"
#include "primitives/serialize.h"
#include "util/hex.h"

namespace bitloom {
namespace {

// Core's DEFAULT_MAX_TRIES: hashes generate* may try in one call, across all its blocks.
constexpr std::uint64_t DEFAULT_MAX_TRIES = 1'000'000;
// Core's DEFAULT_BLOCK_MIN_TX_FEE (sat/kvB), shown by getmininginfo.
constexpr std::int64_t DEFAULT_BLOCK_MIN_TX_FEE = 1;
// Core's MAX_TIMEWARP (BIP94): how far before its parent a period's first block may be.
constexpr std::int64_t MAX_TIMEWARP = 600;

ChainState& chain_of(NodeContext& node) {
    if (node.chain == nullptr) {
        throw RpcError(RpcErrorCode::INTERNAL_ERROR, "Node chainman not found");
    }
    return *node.chain;
}

// Core's GetDifficulty: how many times harder than difficulty 1 (bits 0x1d00ffff) `bits` is.
double difficulty_of(std::uint32_t bits) {
    int shift = static_cast<int>((bits >> 24) & 0xff);
    double difficulty = static_cast<double>(0x0000ffff) / static_cast<double>(bits & 0x00ffffff);
    while (shift < 29) {
        difficulty *= 256.0;
        ++shift;
    }
    while (shift > 29) {
        difficulty /= 256.0;
        --shift;
    }
    return difficulty;
}

std::string bits_hex(std::uint32_t bits) {
    const std::uint8_t bytes[4] = {static_cast<std::uint8_t>(bits >> 24),
                                   static_cast<std::uint8_t>(bits >> 16),
                                   static_cast<std::uint8_t>(bits >> 8),
                                   static_cast<std::uint8_t>(bits)};
    return to_hex(bytes);
}

std::string target_of(std::uint32_t bits) { return ArithUint256::from_compact(bits).value.to_hex(); }

// Core's UpdateTime for a block on `prev`: after the median time past, at least the node's
// clock, and (BIP94) not too far before its parent at a period's first block.
std::int64_t next_block_time(const BlockIndex& prev, const ConsensusParams& consensus,
                             std::int64_t now) {
    std::int64_t time = std::max(prev.median_time_past() + 1, now);
    if (consensus.enforce_bip94 &&
        (prev.height + 1) % consensus.difficulty_adjustment_interval() == 0) {
        time = std::max(time, static_cast<std::int64_t>(prev.time) - MAX_TIMEWARP);
    }
    return time;
}

// BIP9 deployment states (Core's ThresholdState).
enum class Bip9State { defined, started, locked_in, active, failed };

// Core's VERSIONBITS_TOP_MASK: the top three bits, which must read 001 for a block to signal.
constexpr std::uint32_t VERSIONBITS_TOP_MASK = 0xe0000000;

bool signals(const BlockIndex& block, const Bip9Deployment& deployment) {
    const auto version = static_cast<std::uint32_t>(block.version);
    return (version & VERSIONBITS_TOP_MASK) == static_cast<std::uint32_t>(VERSIONBITS_TOP_BITS) &&
           (version & (std::uint32_t{1} << deployment.bit)) != 0;
}

// Core's AbstractThresholdConditionChecker::GetStateFor without its cache: the state of
// `deployment` for a block built on `prev`. States change only at period boundaries, so it
// walks back period by period to one that starts before the start time (or to genesis), then
// replays the transitions forward.
Bip9State bip9_state_after(const BlockIndex* prev, const Bip9Deployment& deployment) {
    if (deployment.start_time == Bip9Deployment::ALWAYS_ACTIVE) return Bip9State::active;
    if (deployment.start_time == Bip9Deployment::NEVER_ACTIVE) return Bip9State::failed;
    const int period = deployment.period;
    if (prev != nullptr) prev = prev->ancestor(prev->height - ((prev->height + 1) % period));

    std::vector<const BlockIndex*> to_compute;
    while (prev != nullptr && prev->median_time_past() >= deployment.start_time) {
        to_compute.push_back(prev);
        prev = prev->ancestor(prev->height - period);
    }
    Bip9State state = Bip9State::defined;
    for (auto it = to_compute.rbegin(); it != to_compute.rend(); ++it) {
        const BlockIndex* last = *it;  // the last block of a period
        switch (state) {
            case Bip9State::defined:
                if (last->median_time_past() >= deployment.start_time) state = Bip9State::started;
                break;
            case Bip9State::started: {
                int count = 0;
                const BlockIndex* block = last;
                for (int i = 0; i < period && block != nullptr; ++i, block = block->prev) {
                    if (signals(*block, deployment)) ++count;
                }
                if (count >= deployment.threshold) {
                    state = Bip9State::locked_in;
                } else if (last->median_time_past() >= deployment.timeout) {
                    state = Bip9State::failed;
                }
                break;
            }
            case Bip9State::locked_in:
                if (last->height + 1 >= deployment.min_activation_height) state = Bip9State::active;
                break;
            case Bip9State::active:
            case Bip9State::failed:
                break;
        }
    }
    return state;
}

// Core's ComputeBlockVersion: the top bits plus the bit of each deployment that is started or
// locked in for a block built on `prev`.
std::int32_t next_block_version(const BlockIndex* prev, const ConsensusParams& consensus) {
    std::vector<int> bits;
    for (const Bip9Deployment* deployment : {&consensus.testdummy, &consensus.taproot}) {
        const Bip9State state = bip9_state_after(prev, *deployment);
        if (state == Bip9State::started || state == Bip9State::locked_in) {
            bits.push_back(deployment->bit);
        }
    }
    return compute_block_version(bits);
}

// Core's DecodeHexBlk / DecodeHexBlockHeader: hex, then the structure from its start
// (trailing bytes are ignored, as Core's stream read ignores them).

std::optional<Block> decode_hex_block(std::string_view text) {
    auto bytes = parse_hex_strict(text);
    if (!bytes) return std::nullopt;
    Reader reader(*bytes);
    auto block = read_block(reader);
    if (!block) return std::nullopt;
    return std::move(*block);
}

std::optional<BlockHeader> decode_hex_header(std::string_view text) {
    auto bytes = parse_hex_strict(text);
    if (!bytes) return std::nullopt;
    Reader reader(*bytes);
    auto header = read_block_header(reader);
    if (!header) return std::nullopt;
    return *header;
}

// Core's DecodeHexTx as generateblock calls it: the extended (witness) encoding only, so a
// transaction without inputs does not decode.
std::optional<Transaction> decode_hex_transaction(std::string_view text) {
    auto bytes = parse_hex_strict(text);
    if (!bytes) return std::nullopt;
    auto tx = decode_transaction(*bytes, TxFormat::with_witness);
    if (!tx) return std::nullopt;
    return std::move(*tx);
}

// Core's UpdateUncommittedBlockStructures: a block whose coinbase commits to its witnesses
// but carries no witness nonce gets the 32 zero bytes a miner would have put there.
void add_witness_nonce_if_missing(Block& block, const BlockIndex* prev,
                                  const ConsensusParams& consensus) {
    if (block.transactions.empty()) return;
    const Transaction& coinbase = *block.transactions.front();
    if (!witness_commitment_index(coinbase)) return;
    if (!segwit_active_after(prev, consensus) || coinbase.has_witness()) return;
    MutableTransaction tx = coinbase.to_mutable();
    tx.inputs.at(0).witness.stack.assign(1, Bytes(32, 0));
    block.transactions.front() = make_transaction_ref(std::move(tx));
}

// The output script a descriptor names, or the descriptor's error (Core's
// getScriptFromDescriptor, for the non-ranged descriptors bitloom parses).
Result<Script, std::string> script_from_descriptor(std::string_view descriptor,
                                                   const ChainParams& params) {
    auto parsed = parse_descriptor(descriptor, params.prefixes);
    if (!parsed) return fail(parsed.error().message);
    return std::move(*parsed);
}

// A block on the active tip paying the subsidy to `coinbase_script` and holding
// `transactions` after the coinbase, with nonce 0. A non-zero `extra_nonce` goes into the
// coinbase's script_sig (for a new search space once the nonces of a block are used up).
Block next_block(const NodeContext& node, const ChainState& chain, const Script& coinbase_script,
                 std::vector<TransactionRef> transactions, std::uint32_t extra_nonce) {
    auto lock = chain.lock();
    const BlockIndex* prev = chain.tip();
    const ConsensusParams& consensus = chain.params().consensus;

    BlockTemplateInputs inputs;
    inputs.prev_hash = prev->hash;
    inputs.height = prev->height + 1;
    inputs.version = next_block_version(prev, consensus);
    inputs.time = static_cast<std::uint32_t>(next_block_time(*prev, consensus, node.now()));
    BlockHeader next;
    next.prev_block = prev->hash;
    next.time = inputs.time;
    inputs.bits = next_work_required(prev, next, consensus);
    inputs.coinbase_value = block_subsidy(inputs.height, consensus);
    inputs.coinbase_script = coinbase_script;
    inputs.transactions = std::move(transactions);
    inputs.segwit_active = segwit_active_after(prev, consensus);
    if (extra_nonce != 0) inputs.extra_nonce = encode_script_num(extra_nonce);
    return assemble_block(inputs);
}

// Core's GenerateBlock without submission: grinds the nonce, charging the failed tries to
// `max_tries`. Returns true with the solved block; false when the tries ran out; true with
// `exhausted` set when the nonce space ran out (the caller builds a new block).
bool solve_block(Block& block, const ConsensusParams& consensus, std::uint64_t& max_tries,
                 bool& exhausted) {
    exhausted = false;
    if (max_tries == 0) return false;
    const std::uint32_t start = block.header.nonce;
    const bool found = grind_nonce(block, consensus.pow_limit, max_tries);
    const std::uint64_t failed = std::uint64_t{block.header.nonce} - start;
    if (found) {
        max_tries -= failed;
        return true;
    }
    if (block.header.nonce == std::numeric_limits<std::uint32_t>::max() && failed < max_tries) {
        max_tries -= failed;
        exhausted = true;
        return true;
    }
    max_tries = 0;
    return false;
}

// Core's generateBlocks: mines up to `count` blocks on the tip, submitting each, and returns
// their hashes (fewer when `max_tries` runs out).
Json generate_blocks(NodeContext& node, const Script& coinbase_script, std::int64_t count,
                     std::uint64_t max_tries) {
    ChainState& chain = chain_of(node);
    const ConsensusParams& consensus = chain.params().consensus;
    Json hashes = Json::array();
    std::uint32_t extra_nonce = 0;
    while (count > 0) {
        Block block = next_block(node, chain, coinbase_script, {}, extra_nonce);
        bool exhausted = false;
        if (!solve_block(block, consensus, max_tries, exhausted)) break;
        if (exhausted) {
            ++extra_nonce;
            continue;
        }
        const BlockSubmission submission = chain.process_new_block(block);
        if (!submission.accepted) {
            throw RpcError(RpcErrorCode::INTERNAL_ERROR, "ProcessNewBlock, block not accepted");
        }
        hashes.push_back(block.hash().to_string());
        --count;
    }
    return hashes;
}

std::uint64_t max_tries_param(const RpcCall& call, std::size_t index) {
    if (!call.has(index)) return DEFAULT_MAX_TRIES;
    return static_cast<std::uint64_t>(call.get_int(index));
}

int nblocks_param(const RpcCall& call, std::size_t index) {
    const std::int64_t n = call.get_int(index);
    if (n < std::numeric_limits<int>::min() || n > std::numeric_limits<int>::max()) {
        throw RpcError(RpcErrorCode::TYPE_ERROR, "JSON integer out of range");
    }
    return static_cast<int>(n);
}

// Core's GetNetworkHashPS: work done over the last `lookup` blocks before the block at
// `height` (the tip when -1), divided by the time they spanned.
double network_hash_ps(const ChainState& chain, int lookup, int height) {
    if (lookup < -1 || lookup == 0) {
        throw RpcError(RpcErrorCode::INVALID_PARAMETER,
                       "Invalid nblocks. Must be a positive number or -1.");
    }
    auto lock = chain.lock();
    if (height < -1 || height > chain.height()) {
        throw RpcError(RpcErrorCode::INVALID_PARAMETER, "Block does not exist at specified height");
    }
    const BlockIndex* last = height >= 0 ? chain.at_height(height) : chain.tip();
    if (last == nullptr || last->height == 0) return 0;
    if (lookup == -1) {
        lookup = static_cast<int>(last->height % chain.params().consensus.difficulty_adjustment_interval()) + 1;
    }
    lookup = std::min(lookup, last->height);

    const BlockIndex* first = last;
    std::int64_t min_time = last->time;
    std::int64_t max_time = min_time;
    for (int i = 0; i < lookup; ++i) {
        first = first->prev;
        min_time = std::min<std::int64_t>(min_time, first->time);
        max_time = std::max<std::int64_t>(max_time, first->time);
    }
    if (min_time == max_time) return 0;
    const ArithUint256 work = last->chain_work - first->chain_work;
    return work.to_double() / static_cast<double>(max_time - min_time);
}

Json submitblock(NodeContext& node, const RpcCall& call) {
    ChainState& chain = chain_of(node);
    std::optional<Block> block = decode_hex_block(call.get_string(0));
    if (!block) throw RpcError(RpcErrorCode::DESERIALIZATION_ERROR, "Block decode failed");
    // No "does not start with a coinbase" refusal here: Core's submitblock lets the block
    // checks answer with "bad-cb-missing".
    {
        auto lock = chain.lock();
        if (const BlockIndex* prev = chain.lookup(block->header.prev_block)) {
            add_witness_nonce_if_missing(*block, prev, chain.params().consensus);
        }
    }
    const BlockSubmission submission = chain.process_new_block(*block);
    // Core's BIP22 answer.
    if (!submission.new_block && submission.accepted) return "duplicate";
    if (submission.error) {
        if (submission.error->reject_reason.empty()) return "rejected";
        return submission.error->reject_reason;
    }
    if (!submission.checked) return "inconclusive";
    return nullptr;
}

Json submitheader(NodeContext& node, const RpcCall& call) {
    ChainState& chain = chain_of(node);
    std::optional<BlockHeader> header = decode_hex_header(call.get_string(0));
    if (!header) throw RpcError(RpcErrorCode::DESERIALIZATION_ERROR, "Block header decode failed");
    if (chain.lookup(header->prev_block) == nullptr) {
        throw RpcError(RpcErrorCode::VERIFY_ERROR,
                       "Must submit previous header (" + header->prev_block.to_string() + ") first");
    }
    auto accepted = chain.process_new_header(*header);
    if (!accepted) throw RpcError(RpcErrorCode::VERIFY_ERROR, accepted.error().reject_reason);
    return nullptr;
}

Json generatetoaddress(NodeContext& node, const RpcCall& call) {
    const int count = nblocks_param(call, 0);
    const std::uint64_t max_tries = max_tries_param(call, 2);
    ChainState& chain = chain_of(node);
    auto destination = decode_address(call.get_string(1), chain.params().prefixes);
    if (!destination) throw RpcError(RpcErrorCode::INVALID_ADDRESS_OR_KEY, "Error: Invalid address");
    return generate_blocks(node, script_for_destination(*destination), count, max_tries);
}

Json generatetodescriptor(NodeContext& node, const RpcCall& call) {
    const int count = nblocks_param(call, 0);
    const std::uint64_t max_tries = max_tries_param(call, 2);
    ChainState& chain = chain_of(node);
    auto script = script_from_descriptor(call.get_string(1), chain.params());
    if (!script) throw RpcError(RpcErrorCode::INVALID_ADDRESS_OR_KEY, script.error());
    return generate_blocks(node, *script, count, max_tries);
}

// Core's generateblock. The coinbase claims the subsidy only (Core builds it before adding the
// transactions, so their fees are left unclaimed). Core runs TestBlockValidity before mining;
// here inputs that are neither unspent nor created earlier in the block are refused with
// Core's reason before mining, and other rule breaks surface when the block is processed.
Json generateblock(NodeContext& node, const RpcCall& call) {
    ChainState& chain = chain_of(node);
    const ChainParams& params = chain.params();
    const std::string& output = call.get_string(0);

    Script coinbase_script;
    if (auto script = script_from_descriptor(output, params)) {
        coinbase_script = std::move(*script);
    } else if (auto destination = decode_address(output, params.prefixes)) {
        coinbase_script = script_for_destination(*destination);
    } else {
        throw RpcError(RpcErrorCode::INVALID_ADDRESS_OR_KEY, "Error: Invalid address or descriptor");
    }

    std::vector<TransactionRef> transactions;
    for (const Json& item : call.get_array(1)) {
        if (!item.is_string()) {
            throw RpcError(RpcErrorCode::TYPE_ERROR, "JSON value of type " +
                                                         std::string(json_type_name(item)) +
                                                         " is not of expected type string");
        }
        const std::string& text = item.get_ref<const std::string&>();
        if (Uint256::from_string(text)) {
            // No mempool yet: no txid can name a transaction in it.
            throw RpcError(RpcErrorCode::INVALID_ADDRESS_OR_KEY,
                           "Transaction " + text + " not in mempool.");
        }
        std::optional<Transaction> tx = decode_hex_transaction(text);
        if (!tx) {
            throw RpcError(RpcErrorCode::DESERIALIZATION_ERROR,
                           "Transaction decode failed for " + text +
                               ". Make sure the tx has at least one input.");
        }
        transactions.push_back(make_transaction_ref(std::move(*tx)));
    }
    const bool submit = call.get_bool_or(2, true);

    Block block;
    {
        auto lock = chain.lock();
        std::vector<OutPoint> created;
        std::vector<OutPoint> spent;
        for (const TransactionRef& tx : transactions) {
            for (const TxIn& input : tx->inputs()) {
                const bool in_block =
                    std::find(created.begin(), created.end(), input.prevout) != created.end();
                const bool double_spent =
                    std::find(spent.begin(), spent.end(), input.prevout) != spent.end();
                if (double_spent || (!in_block && !chain.get_coin(input.prevout))) {
                    throw RpcError(RpcErrorCode::VERIFY_ERROR,
                                   "TestBlockValidity failed: bad-txns-inputs-missingorspent, "
                                   "CheckTxInputs: inputs missing/spent in transaction " +
                                       tx->txid().to_string());
                }
                spent.push_back(input.prevout);
            }
            for (std::uint32_t n = 0; n < tx->outputs().size(); ++n) {
                created.push_back(OutPoint{tx->txid(), n});
            }
        }
        block = next_block(node, chain, coinbase_script, std::move(transactions), 0);
    }

    std::uint64_t max_tries = DEFAULT_MAX_TRIES;
    bool exhausted = false;
    if (!solve_block(block, params.consensus, max_tries, exhausted) || exhausted) {
        throw RpcError(RpcErrorCode::MISC_ERROR, "Failed to make block.");
    }
    Json result = Json::object();
    result["hash"] = block.hash().to_string();
    if (!submit) {
        result["hex"] = to_hex(encode(block));
        return result;
    }
    const BlockSubmission submission = chain.process_new_block(block);
    if (submission.error) {
        throw RpcError(RpcErrorCode::VERIFY_ERROR,
                       "TestBlockValidity failed: " + to_string(*submission.error));
    }
    if (!submission.accepted) {
        throw RpcError(RpcErrorCode::INTERNAL_ERROR, "ProcessNewBlock, block not accepted");
    }
    return result;
}

Json getnetworkhashps(NodeContext& node, const RpcCall& call) {
    const std::int64_t lookup = call.get_int_or(0, 120);
    const std::int64_t height = call.get_int_or(1, -1);
    const auto clamp = [](std::int64_t v) {
        return static_cast<int>(std::clamp<std::int64_t>(v, std::numeric_limits<int>::min(),
                                                         std::numeric_limits<int>::max()));
    };
    return network_hash_ps(chain_of(node), clamp(lookup), clamp(height));
}

Json getmininginfo(NodeContext& node, const RpcCall&) {
    ChainState& chain = chain_of(node);
    const ChainParams& params = chain.params();
    auto lock = chain.lock();
    const BlockIndex* tip = chain.tip();

    Json result = Json::object();
    result["blocks"] = tip->height;
    result["bits"] = bits_hex(tip->bits);
    result["difficulty"] = difficulty_of(tip->bits);
    result["target"] = target_of(tip->bits);
    result["networkhashps"] = network_hash_ps(chain, 120, -1);
    result["pooledtx"] = 0;
    result["blockmintxfee"] = amount_to_json(DEFAULT_BLOCK_MIN_TX_FEE);
    result["chain"] = std::string(chain_type_name(params.type));

    // Core's NextEmptyBlockIndex: the block the tip would get next.
    BlockHeader next_header;
    next_header.prev_block = tip->hash;
    next_header.time =
        static_cast<std::uint32_t>(next_block_time(*tip, params.consensus, node.now()));
    const std::uint32_t next_bits = next_work_required(tip, next_header, params.consensus);
    Json next = Json::object();
    next["height"] = tip->height + 1;
    next["bits"] = bits_hex(next_bits);
    next["difficulty"] = difficulty_of(next_bits);
    next["target"] = target_of(next_bits);
    result["next"] = std::move(next);

    if (params.type == ChainType::signet) {
        result["signet_challenge"] = to_hex(params.consensus.signet_challenge);
    }
    result["warnings"] = Json::array();
    return result;
}

}  // namespace

void register_mining_rpcs(RpcDispatcher& dispatcher, NodeContext& node) {
    const auto bind = [&node](Json (*handler)(NodeContext&, const RpcCall&)) {
        return [&node, handler](const RpcCall& call) { return handler(node, call); };
    };

    dispatcher.add(RpcMethod{
        "submitblock",
        "mining",
        {
            {"hexdata", RpcType::string_hex, false, "", "The block, serialized and hex-encoded.", ""},
            {"dummy", RpcType::string, true, "ignored", "Accepted for BIP22 compatibility; not used.", ""},
        },
        "Hands a complete block to the node for validation and, when it is valid, for\n"
        "inclusion in the chain. The answer follows BIP22.\n"
        "\n"
        "Result (when the block was accepted):\n"
        "null    (json null)\n"
        "\n"
        "Result (otherwise):\n"
        "\"str\"    (string) \"duplicate\", \"inconclusive\", or the reason the block was rejected\n"
        "\n"
        "Examples:\n"
        "> bitloom-cli submitblock \"blockhex\"\n",
        bind(submitblock),
    });

    dispatcher.add(RpcMethod{
        "submitheader",
        "mining",
        {
            {"hexdata", RpcType::string_hex, false, "", "The 80-byte block header, hex-encoded.", ""},
        },
        "Checks a block header and, when it is valid, adds it to the known headers as a\n"
        "possible chain tip. Fails when the header is invalid or its parent is unknown.\n"
        "\n"
        "Result:\n"
        "null    (json null)\n"
        "\n"
        "Examples:\n"
        "> bitloom-cli submitheader \"headerhex\"\n",
        bind(submitheader),
    });

    dispatcher.add(RpcMethod{
        "generatetoaddress",
        "generating",
        {
            {"nblocks", RpcType::number, false, "", "How many blocks to mine now.", ""},
            {"address", RpcType::string, false, "", "Where each block's coinbase pays.", ""},
            {"maxtries", RpcType::number, true, "1000000",
             "Nonces to try in total before giving up.", ""},
        },
        "Mines blocks on the current tip at once (meant for regtest) and returns their hashes.\n"
        "\n"
        "Result:\n"
        "[           (json array) the new blocks' hashes\n"
        "  \"hex\",    (string) a block hash\n"
        "  ...\n"
        "]\n"
        "\n"
        "Examples:\n"
        "> bitloom-cli generatetoaddress 11 \"myaddress\"\n",
        bind(generatetoaddress),
    });

    dispatcher.add(RpcMethod{
        "generatetodescriptor",
        "generating",
        {
            {"num_blocks", RpcType::number, false, "", "How many blocks to mine now.", ""},
            {"descriptor", RpcType::string, false, "",
             "Output descriptor naming where each block's coinbase pays.", ""},
            {"maxtries", RpcType::number, true, "1000000",
             "Nonces to try in total before giving up.", ""},
        },
        "Mines blocks on the current tip at once (meant for regtest), paying the output the\n"
        "descriptor names, and returns their hashes.\n"
        "\n"
        "Result:\n"
        "[           (json array) the new blocks' hashes\n"
        "  \"hex\",    (string) a block hash\n"
        "  ...\n"
        "]\n"
        "\n"
        "Examples:\n"
        "> bitloom-cli generatetodescriptor 11 \"mydescriptor\"\n",
        bind(generatetodescriptor),
    });

    dispatcher.add(RpcMethod{
        "generateblock",
        "generating",
        {
            {"output", RpcType::string, false, "",
             "Address or descriptor the coinbase pays.", ""},
            {"transactions", RpcType::array, false, "",
             "Raw transactions (hex) or txids of mempool transactions, in block order.",
             "[\"rawtx/txid\",...]"},
            {"submit", RpcType::boolean, true, "true",
             "Whether to submit the block, or only return it as hex.", ""},
        },
        "Mines one block on the current tip holding the given transactions, in the given order,\n"
        "and returns its hash.\n"
        "\n"
        "Result:\n"
        "{                    (json object)\n"
        "  \"hash\" : \"hex\",    (string) the block's hash\n"
        "  \"hex\" : \"hex\"      (string, optional) the serialized block, when submit=false\n"
        "}\n"
        "\n"
        "Examples:\n"
        "> bitloom-cli generateblock \"myaddress\" '[\"rawtx\"]'\n",
        bind(generateblock),
    });

    dispatcher.add(RpcMethod{
        "getnetworkhashps",
        "mining",
        {
            {"nblocks", RpcType::number, true, "120",
             "Blocks to average over, or -1 for those since the last difficulty change.", ""},
            {"height", RpcType::number, true, "-1",
             "Estimate as of the block at this height (-1: the tip).", ""},
        },
        "Estimates the network's hash rate from the work and times of recent blocks.\n"
        "\n"
        "Result:\n"
        "n    (numeric) hashes per second\n"
        "\n"
        "Examples:\n"
        "> bitloom-cli getnetworkhashps\n",
        bind(getnetworkhashps),
    });

    dispatcher.add(RpcMethod{
        "getmininginfo",
        "mining",
        {},
        "Summarises the chain tip and the next block from a miner's point of view.\n"
        "\n"
        "Result:\n"
        "{                         (json object)\n"
        "  \"blocks\" : n,           (numeric) height of the tip\n"
        "  \"bits\" : \"hex\",         (string) the tip's compact target\n"
        "  \"difficulty\" : n,       (numeric) the tip's difficulty\n"
        "  \"target\" : \"hex\",       (string) the tip's target\n"
        "  \"networkhashps\" : n,    (numeric) estimated hashes per second\n"
        "  \"pooledtx\" : n,         (numeric) transactions in the mempool\n"
        "  \"blockmintxfee\" : n,    (numeric) lowest fee rate for block inclusion, BTC/kvB\n"
        "  \"chain\" : \"str\",        (string) the network's name\n"
        "  \"signet_challenge\" : \"hex\", (string, optional) the block challenge, on signet\n"
        "  \"next\" : {              (json object) the next block\n"
        "    \"height\" : n,         (numeric) its height\n"
        "    \"bits\" : \"hex\",       (string) its compact target\n"
        "    \"difficulty\" : n,     (numeric) its difficulty\n"
        "    \"target\" : \"hex\"      (string) its target\n"
        "  },\n"
        "  \"warnings\" : [          (json array) network and chain warnings\n"
        "    \"str\",                (string) a warning\n"
        "    ...\n"
        "  ]\n"
        "}\n"
        "\n"
        "Examples:\n"
        "> bitloom-cli getmininginfo\n",
        bind(getmininginfo),
    });
}

}  // namespace bitloom
