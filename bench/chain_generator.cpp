#include "chain_generator.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <cstdio>
#include <stdexcept>
#include <system_error>
#include <utility>

#include "consensus/chainparams.h"
#include "consensus/sighash.h"
#include "consensus/subsidy.h"
#include "crypto/hash.h"
#include "crypto/key.h"
#include "crypto/random.h"
#include "crypto/sha256.h"
#include "miner/block_assembly.h"
#include "primitives/serialize.h"

namespace bitloom::bench {
namespace {

constexpr int COINBASE_MATURITY = 100;
constexpr std::uint32_t BLOCK_SPACING = 600;
constexpr std::size_t KEY_COUNT = 512;
constexpr std::size_t FANOUT_WIDTH = 40;
// Fan out matured coinbases while fewer outputs than this are spendable.
constexpr std::size_t POOL_LOW_WATER = 3000;
constexpr Amount MIN_OUTPUT = 546;
constexpr std::uint32_t SEQUENCE_RBF = 0xfffffffd;  // final for BIP68, opts in to replacement
// Leave room below MAX_BLOCK_WEIGHT (4,000,000) for the coinbase.
constexpr std::size_t BLOCK_WEIGHT_BUDGET = 3'900'000;

// One key and every output script the generator pays to with it.
struct KeyScripts {
    PrivateKey key;
    PublicKey public_key;
    PrivateKey taproot_key;  // tweaked for a key-path-only output (BIP86)
    Script p2wpkh;
    Script p2pkh;        // also the BIP143 script code of both P2WPKH forms
    Script p2sh_redeem;  // the P2WPKH program a P2SH-P2WPKH output wraps
    Script p2sh_p2wpkh;
    Script p2tr;
    Script multisig;  // 2-of-3 witness script over this key and the next two
    Script p2wsh;
};

struct Spendable {
    OutPoint outpoint;
    Amount value = 0;
    OutputKind kind = OutputKind::p2wpkh;
    std::uint32_t key = 0;
};

Script p2pkh_script(const Uint160& id) {
    Script s;
    s.push_opcode(OP_DUP).push_opcode(OP_HASH160).push_data(id.span());
    s.push_opcode(OP_EQUALVERIFY).push_opcode(OP_CHECKSIG);
    return s;
}

Script witness_v0_script(ByteSpan program) {
    Script s;
    s.push_opcode(OP_0).push_data(program);
    return s;
}

PrivateKey derive_key(std::uint64_t seed, std::uint32_t index) {
    for (std::uint32_t attempt = 0;; ++attempt) {
        Bytes material;
        Writer writer(material);
        writer.write_bytes(as_bytes("import-chain-key"));
        writer.write_u64(seed);
        writer.write_u32(index);
        writer.write_u32(attempt);
        const Uint256 secret = hash256(material);
        auto key = PrivateKey::from_bytes(secret.span(), true);
        if (key) return *key;
    }
}

std::vector<KeyScripts> make_keys(std::uint64_t seed) {
    std::vector<PrivateKey> keys;
    keys.reserve(KEY_COUNT);
    for (std::uint32_t i = 0; i < KEY_COUNT; ++i) keys.push_back(derive_key(seed, i));

    std::vector<KeyScripts> out;
    out.reserve(KEY_COUNT);
    for (std::uint32_t i = 0; i < KEY_COUNT; ++i) {
        const PrivateKey& key = keys[i];
        const PublicKey pub = key.public_key();
        const Uint160 id = pub.id();
        auto tweaked = key.tweak_for_taproot(std::nullopt);
        if (!tweaked) throw std::runtime_error("taproot tweak failed");

        Script p2sh_redeem = witness_v0_script(id.span());
        Script p2sh;
        p2sh.push_opcode(OP_HASH160).push_data(hash160(p2sh_redeem.span()).span());
        p2sh.push_opcode(OP_EQUAL);

        Script p2tr;
        p2tr.push_opcode(OP_1).push_data(tweaked->x_only_public_key().span());

        Script multisig;
        multisig.push_opcode(OP_2);
        for (std::uint32_t j = 0; j < 3; ++j) {
            multisig.push_data(keys[(i + j) % KEY_COUNT].public_key().serialize());
        }
        multisig.push_opcode(OP_3).push_opcode(OP_CHECKMULTISIG);
        Script p2wsh = witness_v0_script(sha256(multisig.span()).span());

        out.push_back(KeyScripts{key, pub, *tweaked, witness_v0_script(id.span()), p2pkh_script(id),
                                 std::move(p2sh_redeem), std::move(p2sh), std::move(p2tr),
                                 std::move(multisig), std::move(p2wsh)});
    }
    return out;
}

const Script& output_script(const KeyScripts& k, OutputKind kind) {
    switch (kind) {
        case OutputKind::p2wpkh:
            return k.p2wpkh;
        case OutputKind::p2pkh:
            return k.p2pkh;
        case OutputKind::p2sh_p2wpkh:
            return k.p2sh_p2wpkh;
        case OutputKind::p2tr:
            return k.p2tr;
        case OutputKind::p2wsh_multisig:
            return k.p2wsh;
    }
    return k.p2wpkh;
}

Bytes ecdsa_signature(const PrivateKey& key, const Uint256& sighash) {
    auto der = key.sign_ecdsa(sighash);
    if (!der) throw std::runtime_error("ECDSA signing failed");
    Bytes sig = std::move(*der);
    sig.push_back(SIGHASH_ALL);
    return sig;
}

Bytes to_bytes(ByteSpan span) { return Bytes(span.begin(), span.end()); }

class Generator {
public:
    Generator(const GeneratorOptions& options, GeneratorStats* stats)
        : options_(options),
          params_(chain_params(ChainType::regtest)),
          keys_(make_keys(options.seed)),
          rng_(seed_hash(options.seed)),
          stats_(stats) {}

    std::vector<Block> run(const std::function<void(int)>& progress) {
        std::vector<Block> blocks;
        Uint256 prev = params_.genesis.hash();
        std::uint64_t transactions = 0;
        for (int height = 1;; ++height) {
            if (height > options_.target_blocks && transactions >= options_.target_transactions)
                break;
            Block block = make_block(height, prev, transactions);
            transactions += block.transactions.size();
            prev = block.hash();
            blocks.push_back(std::move(block));
            if (progress) progress(height);
        }
        if (stats_) {
            stats_->blocks = blocks.size();
            stats_->transactions = transactions;
        }
        return blocks;
    }

private:
    static Uint256 seed_hash(std::uint64_t seed) {
        Bytes material;
        Writer writer(material);
        writer.write_bytes(as_bytes("import-chain"));
        writer.write_u64(seed);
        return hash256(material);
    }

    OutputKind random_kind() {
        const std::uint64_t r = rng_.randrange(100);
        if (options_.reference_mix) {
            if (r < 50) return OutputKind::p2wpkh;
            if (r < 80) return OutputKind::p2pkh;
            return OutputKind::p2sh_p2wpkh;
        }
        if (r < 35) return OutputKind::p2wpkh;
        if (r < 55) return OutputKind::p2pkh;
        if (r < 70) return OutputKind::p2sh_p2wpkh;
        if (r < 90) return OutputKind::p2tr;
        return OutputKind::p2wsh_multisig;
    }
    std::uint32_t random_key() { return static_cast<std::uint32_t>(rng_.randrange(KEY_COUNT)); }

    Spendable take_random_spendable() {
        const std::size_t i = rng_.randrange(pool_.size());
        std::swap(pool_[i], pool_.back());
        Spendable out = pool_.back();
        pool_.pop_back();
        return out;
    }

    // Builds, signs and returns a transaction spending `inputs` to `values` (one output each,
    // of random kinds and keys); the new outputs are queued for the pool after this block.
    TransactionRef make_transaction(const std::vector<Spendable>& inputs,
                                    const std::vector<Amount>& values, std::uint32_t lock_time) {
        MutableTransaction tx;
        tx.version = 2;
        tx.lock_time = lock_time;
        for (const Spendable& in : inputs) {
            TxIn txin;
            txin.prevout = in.outpoint;
            txin.sequence = SEQUENCE_RBF;
            tx.inputs.push_back(std::move(txin));
        }
        std::vector<std::pair<OutputKind, std::uint32_t>> owners;
        for (Amount value : values) {
            const OutputKind kind = random_kind();
            const std::uint32_t key = random_key();
            owners.emplace_back(kind, key);
            tx.outputs.push_back(TxOut{value, output_script(keys_[key], kind)});
        }

        std::vector<TxOut> spent;
        spent.reserve(inputs.size());
        for (const Spendable& in : inputs) {
            spent.push_back(TxOut{in.value, output_script(keys_[in.key], in.kind)});
        }
        const Transaction unsigned_tx(tx);
        const PrecomputedTransactionData txdata(unsigned_tx, spent, true);

        for (unsigned i = 0; i < inputs.size(); ++i)
            sign_input(tx.inputs[i], unsigned_tx, i, inputs[i], txdata);

        TransactionRef ref = make_transaction_ref(std::move(tx));
        for (std::uint32_t n = 0; n < values.size(); ++n) {
            pending_.push_back(
                Spendable{OutPoint{ref->txid(), n}, values[n], owners[n].first, owners[n].second});
        }
        if (stats_) stats_->inputs += inputs.size();
        return ref;
    }

    void sign_input(TxIn& txin, const Transaction& tx, unsigned index, const Spendable& in,
                    const PrecomputedTransactionData& txdata) {
        const KeyScripts& k = keys_[in.key];
        std::uint64_t signatures = 1;
        switch (in.kind) {
            case OutputKind::p2pkh: {
                const Uint256 hash = signature_hash(k.p2pkh, tx, index, SIGHASH_ALL, in.value,
                                                    SigVersion::base, &txdata);
                txin.script_sig.push_data(ecdsa_signature(k.key, hash));
                txin.script_sig.push_data(k.public_key.serialize());
                break;
            }
            case OutputKind::p2wpkh:
            case OutputKind::p2sh_p2wpkh: {
                const Uint256 hash = signature_hash(k.p2pkh, tx, index, SIGHASH_ALL, in.value,
                                                    SigVersion::witness_v0, &txdata);
                txin.witness.stack.push_back(ecdsa_signature(k.key, hash));
                txin.witness.stack.push_back(to_bytes(k.public_key.serialize()));
                if (in.kind == OutputKind::p2sh_p2wpkh)
                    txin.script_sig.push_data(k.p2sh_redeem.span());
                break;
            }
            case OutputKind::p2tr: {
                ScriptExecutionData execdata;
                execdata.annex_init = true;
                execdata.annex_present = false;
                const auto hash = signature_hash_schnorr(execdata, tx, index, SIGHASH_DEFAULT,
                                                         SigVersion::taproot, txdata);
                if (!hash) throw std::runtime_error("taproot signature hash failed");
                auto sig = k.taproot_key.sign_schnorr(hash->span());
                if (!sig) throw std::runtime_error("Schnorr signing failed");
                txin.witness.stack.push_back(to_bytes(*sig));
                break;
            }
            case OutputKind::p2wsh_multisig: {
                const Uint256 hash = signature_hash(k.multisig, tx, index, SIGHASH_ALL, in.value,
                                                    SigVersion::witness_v0, &txdata);
                // Two of the three keys, in the order the script lists them.
                static constexpr std::array<std::array<std::uint32_t, 2>, 3> PAIRS{
                    {{0, 1}, {0, 2}, {1, 2}}};
                const auto& pair = PAIRS[rng_.randrange(3)];
                txin.witness.stack.emplace_back();  // CHECKMULTISIG's extra pop (NULLDUMMY)
                for (std::uint32_t j : pair) {
                    const KeyScripts& signer = keys_[(in.key + j) % KEY_COUNT];
                    txin.witness.stack.push_back(ecdsa_signature(signer.key, hash));
                }
                txin.witness.stack.push_back(to_bytes(k.multisig.span()));
                signatures = 2;
                break;
            }
        }
        if (stats_) {
            stats_->signatures += signatures;
            stats_->inputs_by_kind[static_cast<std::size_t>(in.kind)] += 1;
        }
    }

    // Splits `total` into `count` parts of at least MIN_OUTPUT with random weights 1..4.
    std::vector<Amount> split(Amount total, std::size_t count) {
        count = std::max<std::size_t>(
            1, std::min<std::size_t>(count, static_cast<std::size_t>(total / MIN_OUTPUT)));
        std::vector<Amount> weights(count);
        Amount weight_sum = 0;
        for (auto& w : weights) {
            w = 1 + static_cast<Amount>(rng_.randrange(4));
            weight_sum += w;
        }
        std::vector<Amount> values(count);
        const Amount spread = total - MIN_OUTPUT * static_cast<Amount>(count);
        Amount given = 0;
        for (std::size_t i = 0; i + 1 < count; ++i) {
            values[i] = MIN_OUTPUT + spread / weight_sum * weights[i];
            given += values[i];
        }
        values[count - 1] = total - given;
        return values;
    }

    Block make_block(int height, const Uint256& prev, std::uint64_t transactions_so_far) {
        std::vector<TransactionRef> txs;
        Amount fees = 0;
        std::size_t weight = 0;
        const std::uint32_t lock_time = static_cast<std::uint32_t>(height - 1);

        // The coinbase maturing now: fan it out while the pool is small, else pool it.
        if (height > COINBASE_MATURITY) {
            const Spendable coinbase =
                coinbases_[static_cast<std::size_t>(height - COINBASE_MATURITY - 1)];
            if (pool_.size() < POOL_LOW_WATER) {
                const Amount fee = 1000;
                TransactionRef root = make_transaction(
                    {coinbase},
                    std::vector<Amount>(FANOUT_WIDTH, (coinbase.value - fee) / FANOUT_WIDTH),
                    lock_time);
                fees += coinbase.value - *root->value_out();
                txs.push_back(root);
                // The root's outputs are the last FANOUT_WIDTH pending ones: spend them here.
                std::vector<Spendable> level(pending_.end() - FANOUT_WIDTH, pending_.end());
                pending_.resize(pending_.size() - FANOUT_WIDTH);
                for (const Spendable& in : level) {
                    const Amount each = (in.value - fee) / FANOUT_WIDTH;
                    TransactionRef leaf =
                        make_transaction({in}, std::vector<Amount>(FANOUT_WIDTH, each), lock_time);
                    fees += in.value - *leaf->value_out();
                    txs.push_back(std::move(leaf));
                }
            } else {
                pool_.push_back(coinbase);
            }
        }
        for (const auto& tx : txs) weight += tx->weight();

        // This block's share of the transactions still to make (the coinbase counts as one).
        const std::uint64_t made = transactions_so_far;
        const std::uint64_t remaining_tx =
            options_.target_transactions > made ? options_.target_transactions - made : 0;
        const std::uint64_t blocks_left =
            options_.target_blocks >= height
                ? static_cast<std::uint64_t>(options_.target_blocks - height + 1)
                : 1;
        const std::uint64_t share =
            height > COINBASE_MATURITY ? (remaining_tx + blocks_left - 1) / blocks_left : 0;

        while (txs.size() + 1 < share && !pool_.empty() && weight < BLOCK_WEIGHT_BUDGET) {
            std::vector<Spendable> inputs{take_random_spendable()};
            if (rng_.randrange(4) == 0 && !pool_.empty()) inputs.push_back(take_random_spendable());
            Amount total = 0;
            for (const auto& in : inputs) total += in.value;
            Amount fee = 200 + static_cast<Amount>(rng_.randrange(500));
            if (total <= fee + MIN_OUTPUT) fee = total / 2;
            const std::uint64_t r = rng_.randrange(4);
            const std::size_t outputs = r == 0 ? 1 : (r == 3 ? 3 : 2);
            TransactionRef tx = make_transaction(inputs, split(total - fee, outputs), lock_time);
            fees += fee;
            weight += tx->weight();
            txs.push_back(std::move(tx));
        }

        BlockTemplateInputs in;
        in.prev_hash = prev;
        in.height = height;
        in.time = block_time_at(height);
        in.bits = params_.genesis.header.bits;
        in.coinbase_value = block_subsidy(height, params_.consensus) + fees;
        const OutputKind kind = random_kind();
        const std::uint32_t key = random_key();
        in.coinbase_script = output_script(keys_[key], kind);
        in.transactions = std::move(txs);
        Block block = assemble_block(in);
        if (!grind_nonce(block, params_.consensus.pow_limit, 1'000'000)) {
            throw std::runtime_error("no proof of work found");
        }
        coinbases_.push_back(
            Spendable{OutPoint{block.transactions[0]->txid(), 0}, in.coinbase_value, kind, key});

        // Outputs of this block become spendable in the next.
        pool_.insert(pool_.end(), pending_.begin(), pending_.end());
        pending_.clear();
        return block;
    }

    const GeneratorOptions options_;
    const ChainParams& params_;
    std::vector<KeyScripts> keys_;
    FastRandom rng_;
    GeneratorStats* stats_;
    std::vector<Spendable> pool_;       // confirmed, unspent, not coinbase-immature
    std::vector<Spendable> pending_;    // created in the block being built
    std::vector<Spendable> coinbases_;  // by height - 1
};

constexpr std::array<std::uint8_t, 8> CHAIN_FILE_MAGIC{'B', 'L', 'M', 'C', 'H', 'N', '0', '1'};

void put_u32(std::ofstream& out, std::uint32_t v) {
    const std::uint8_t bytes[4] = {static_cast<std::uint8_t>(v), static_cast<std::uint8_t>(v >> 8),
                                   static_cast<std::uint8_t>(v >> 16),
                                   static_cast<std::uint8_t>(v >> 24)};
    out.write(reinterpret_cast<const char*>(bytes), 4);
}

bool get_u32(std::ifstream& in, std::uint32_t& v) {
    std::uint8_t bytes[4];
    if (!in.read(reinterpret_cast<char*>(bytes), 4)) return false;
    v = static_cast<std::uint32_t>(bytes[0]) | static_cast<std::uint32_t>(bytes[1]) << 8 |
        static_cast<std::uint32_t>(bytes[2]) << 16 | static_cast<std::uint32_t>(bytes[3]) << 24;
    return true;
}

}  // namespace

std::string_view to_string(OutputKind kind) {
    switch (kind) {
        case OutputKind::p2wpkh:
            return "P2WPKH";
        case OutputKind::p2pkh:
            return "P2PKH";
        case OutputKind::p2sh_p2wpkh:
            return "P2SH-P2WPKH";
        case OutputKind::p2tr:
            return "P2TR";
        case OutputKind::p2wsh_multisig:
            return "P2WSH 2-of-3";
    }
    return "?";
}

std::vector<Block> generate_chain(const GeneratorOptions& options, GeneratorStats* stats,
                                  const std::function<void(int)>& progress) {
    if (options.target_blocks <= COINBASE_MATURITY) {
        throw std::invalid_argument("target_blocks must be above the coinbase maturity (100)");
    }
    if (stats) *stats = GeneratorStats{};
    Generator generator(options, stats);
    return generator.run(progress);
}

std::uint32_t block_time_at(int height) {
    return chain_params(ChainType::regtest).genesis.header.time +
           BLOCK_SPACING * static_cast<std::uint32_t>(height);
}

std::string chain_file_name(const GeneratorOptions& options) {
    return "import-chain-" + std::to_string(options.seed) + "-" +
           std::to_string(options.target_transactions) + "-" +
           std::to_string(options.target_blocks) + (options.reference_mix ? "-refmix" : "") +
           ".dat";
}

Result<void, std::string> write_chain_file(const std::filesystem::path& path,
                                           const std::vector<Block>& blocks) {
    std::error_code ec;
    if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
    if (ec) return fail("cannot create " + path.parent_path().string() + ": " + ec.message());
    std::filesystem::path temporary = path;
    temporary += ".tmp";
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        if (!out) return fail("cannot write " + temporary.string());
        out.write(reinterpret_cast<const char*>(CHAIN_FILE_MAGIC.data()), CHAIN_FILE_MAGIC.size());
        put_u32(out, static_cast<std::uint32_t>(blocks.size()));
        for (const Block& block : blocks) {
            const Bytes bytes = encode(block);
            put_u32(out, static_cast<std::uint32_t>(bytes.size()));
            out.write(reinterpret_cast<const char*>(bytes.data()),
                      static_cast<std::streamsize>(bytes.size()));
        }
        out.flush();
        if (!out) return fail("error writing " + temporary.string());
    }
    std::filesystem::rename(temporary, path, ec);
    if (ec) return fail("cannot rename " + temporary.string() + ": " + ec.message());
    return {};
}

Result<ChainFileReader, std::string> ChainFileReader::open(const std::filesystem::path& path) {
    ChainFileReader reader;
    reader.file_.open(path, std::ios::binary);
    if (!reader.file_) return fail("cannot open " + path.string());
    std::array<std::uint8_t, CHAIN_FILE_MAGIC.size()> magic{};
    if (!reader.file_.read(reinterpret_cast<char*>(magic.data()), magic.size()) ||
        magic != CHAIN_FILE_MAGIC || !get_u32(reader.file_, reader.count_)) {
        return fail(path.string() + " is not a chain file");
    }
    return reader;
}

Result<std::optional<Block>, std::string> ChainFileReader::next() {
    if (read_ == count_) return std::optional<Block>{};
    std::uint32_t length = 0;
    if (!get_u32(file_, length))
        return fail("chain file truncated at block " + std::to_string(read_));
    buffer_.resize(length);
    if (!file_.read(reinterpret_cast<char*>(buffer_.data()), length)) {
        return fail("chain file truncated in block " + std::to_string(read_));
    }
    auto block = decode_block(buffer_);
    if (!block)
        return fail("block " + std::to_string(read_) +
                    " does not decode: " + std::string(bitloom::to_string(block.error())));
    ++read_;
    return std::optional<Block>(std::move(*block));
}

}  // namespace bitloom::bench
