#include "chain/chainstate.h"

#include <algorithm>
#include <cassert>
#include <chrono>
#include <deque>
#include <map>
#include <utility>

#include "chain/coin_codec.h"
#include "chain/contextual_check.h"
#include "chain/pow.h"
#include "consensus/consensus.h"
#include "consensus/script_check.h"
#include "consensus/subsidy.h"
#include "consensus/tx_check.h"
#include "consensus/tx_verify.h"
#include "primitives/pow.h"
#include "primitives/serialize.h"
#include "primitives/varint.h"
#include "util/hex.h"

namespace bitloom {

std::string_view to_string(ChainTipStatus status) {
    switch (status) {
        case ChainTipStatus::active: return "active";
        case ChainTipStatus::valid_fork: return "valid-fork";
        case ChainTipStatus::valid_headers: return "valid-headers";
        case ChainTipStatus::headers_only: return "headers-only";
        case ChainTipStatus::invalid: return "invalid";
    }
    return "unknown";
}

namespace {

constexpr std::uint8_t KEY_BEST_BLOCK = 'B';
constexpr std::uint8_t KEY_BLOCK_INDEX = 'b';
constexpr std::uint8_t KEY_FILE_INFO = 'f';
constexpr std::uint8_t KEY_TXINDEX = 't';
constexpr std::uint8_t KEY_FLAG = 'F';
constexpr std::uint8_t KEY_REINDEXING = 'R';

// A tip older than this (seconds) means the node is still catching up (Core's
// DEFAULT_MAX_TIP_AGE).
constexpr std::int64_t MAX_TIP_AGE = 24 * 60 * 60;

// Mainnet blocks 91842 and 91880 repeat earlier coinbase transactions (BIP30's exceptions).
constexpr std::string_view BIP30_REPEAT_91842 =
    "00000000000a4d0a398161ffc163c503763b1f4360639393e0e4c8e300e0caec";
constexpr std::string_view BIP30_REPEAT_91880 =
    "00000000000743f190a18c5577a3c2d2a1f610ae9601ac046a38084ccb7cd721";
// From this height BIP34 no longer guarantees unique coinbase txids (Core's
// BIP34_IMPLIES_BIP30_LIMIT).
constexpr int BIP34_IMPLIES_BIP30_LIMIT = 1983702;

Bytes key_with_hash(std::uint8_t prefix, const Uint256& hash) {
    Bytes key;
    key.reserve(33);
    key.push_back(prefix);
    key.insert(key.end(), hash.begin(), hash.end());
    return key;
}

Bytes file_info_key(int file) {
    const auto n = static_cast<std::uint32_t>(file);
    return Bytes{KEY_FILE_INFO, static_cast<std::uint8_t>(n >> 24), static_cast<std::uint8_t>(n >> 16),
                 static_cast<std::uint8_t>(n >> 8), static_cast<std::uint8_t>(n)};
}

Bytes flag_key(std::string_view name) {
    Bytes key(name.size() + 1);
    key[0] = KEY_FLAG;
    std::copy(name.begin(), name.end(), key.begin() + 1);
    return key;
}

Bytes encode_block_index(const BlockIndex& index) {
    Bytes out;
    Writer writer(out);
    write_varint(writer, static_cast<std::uint64_t>(index.height));
    write_varint(writer, index.status);
    write_varint(writer, index.tx_count);
    using namespace block_status;
    if ((index.status & (HAVE_DATA | HAVE_UNDO)) != 0) {
        const int file = (index.status & HAVE_DATA) != 0 ? index.data_pos.file : index.undo_pos.file;
        write_varint(writer, static_cast<std::uint64_t>(file));
    }
    if ((index.status & HAVE_DATA) != 0) write_varint(writer, index.data_pos.offset);
    if ((index.status & HAVE_UNDO) != 0) write_varint(writer, index.undo_pos.offset);
    serialize(writer, index.header());
    return out;
}

struct DiskBlockIndex {
    int height = 0;
    std::uint32_t status = 0;
    std::uint32_t tx_count = 0;
    FilePosition data_pos;
    FilePosition undo_pos;
    BlockHeader header;
};

Result<DiskBlockIndex, DecodeError> decode_block_index(ByteSpan bytes) {
    Reader reader(bytes);
    DiskBlockIndex out;
    auto height = read_varint_u32(reader);
    if (!height) return fail(height.error());
    if (*height > 0x7fffffffU) return fail(DecodeError::size_too_large);
    out.height = static_cast<int>(*height);
    auto status = read_varint_u32(reader);
    if (!status) return fail(status.error());
    out.status = *status;
    auto tx_count = read_varint_u32(reader);
    if (!tx_count) return fail(tx_count.error());
    out.tx_count = *tx_count;
    using namespace block_status;
    int file = -1;
    if ((out.status & (HAVE_DATA | HAVE_UNDO)) != 0) {
        auto f = read_varint_u32(reader);
        if (!f) return fail(f.error());
        if (*f > 0x7fffffffU) return fail(DecodeError::size_too_large);
        file = static_cast<int>(*f);
    }
    if ((out.status & HAVE_DATA) != 0) {
        auto offset = read_varint_u32(reader);
        if (!offset) return fail(offset.error());
        out.data_pos = FilePosition{file, *offset};
    }
    if ((out.status & HAVE_UNDO) != 0) {
        auto offset = read_varint_u32(reader);
        if (!offset) return fail(offset.error());
        out.undo_pos = FilePosition{file, *offset};
    }
    auto header = read_block_header(reader);
    if (!header) return fail(header.error());
    if (!reader.at_end()) return fail(DecodeError::trailing_data);
    out.header = *header;
    return out;
}

Bytes encode_file_info(const BlockFileInfo& info) {
    Bytes out;
    Writer writer(out);
    write_varint(writer, info.blocks);
    write_varint(writer, info.size);
    write_varint(writer, info.undo_size);
    write_varint(writer, info.height_first);
    write_varint(writer, info.height_last);
    write_varint(writer, info.time_first);
    write_varint(writer, info.time_last);
    return out;
}

Result<BlockFileInfo, DecodeError> decode_file_info(ByteSpan bytes) {
    Reader reader(bytes);
    BlockFileInfo info;
    std::uint32_t* fields32[] = {&info.blocks, &info.size, &info.undo_size, &info.height_first,
                                 &info.height_last};
    for (std::uint32_t* field : fields32) {
        auto v = read_varint_u32(reader);
        if (!v) return fail(v.error());
        *field = *v;
    }
    for (std::uint64_t* field : {&info.time_first, &info.time_last}) {
        auto v = read_varint(reader);
        if (!v) return fail(v.error());
        *field = *v;
    }
    if (!reader.at_end()) return fail(DecodeError::trailing_data);
    return info;
}

// The chain a block is connected to, as the sequence-lock rules see it.
class IndexSequenceContext final : public SequenceLockContext {
public:
    explicit IndexSequenceContext(const BlockIndex& block) : block_(block) {}
    int height() const override { return block_.height; }
    std::int64_t median_time_past(int height) const override {
        return block_.ancestor(height)->median_time_past();
    }

private:
    const BlockIndex& block_;
};

std::string block_script_failure_reason(ScriptError error) {
    std::string reason = "block-script-verify-flag-failed (";
    reason += script_error_message(error);
    reason += ')';
    return reason;
}

std::int64_t system_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace

struct ChainState::Impl {
    Impl(const ChainParams& chain_params, ChainStateOptions& chain_options)
        : params(chain_params),
          options(chain_options),
          queue(static_cast<unsigned>(std::max(chain_options.script_threads, 0))) {}

    const ChainParams& params;
    ChainStateOptions& options;
    std::unique_ptr<KvStore> db;
    std::unique_ptr<BlockFileStore> files;
    std::unique_ptr<CoinsCache> coins;
    std::unordered_map<Uint256, std::unique_ptr<BlockIndex>, BlobHasher> index;
    ActiveChain chain;
    std::set<BlockIndex*, BlockIndexWorkLess> candidates;
    // Blocks with data whose parent's data is missing (Core's m_blocks_unlinked).
    std::multimap<BlockIndex*, BlockIndex*> unlinked;
    std::set<BlockIndex*> dirty_index;
    BlockIndex* best_header = nullptr;
    std::int32_t next_sequence_id = 1;
    std::int32_t reverse_sequence_id = -1;
    ArithUint256 last_precious_work;
    std::map<Uint256, Uint256> pending_txindex;
    bool txindex_complete = false;
    SignatureCache signature_cache;
    CheckQueue<ScriptError> queue;
    std::int64_t last_flush = 0;
    mutable std::atomic<bool> ibd_done{false};
    // The block a submission watches for its verdict during activation.
    std::optional<Uint256> watched;
    BlockSubmission* watched_result = nullptr;
    // A block in memory that activation may connect without reading it back.
    const Block* pending_block = nullptr;
    // Set when a storage failure makes continuing unsafe.
    std::optional<std::string> fatal;

    void log(const std::string& line) const {
        if (options.log) options.log(line);
    }
    std::int64_t now() const { return options.now ? options.now() : system_now(); }

    BlockIndex* find(const Uint256& hash) const {
        auto it = index.find(hash);
        return it == index.end() ? nullptr : it->second.get();
    }

    void set_dirty(BlockIndex* block) { dirty_index.insert(block); }

    // Candidate tips: blocks whose chain has all data and passed the transaction checks.
    bool candidate_worthy(const BlockIndex* block) const {
        if (!block->is_valid(block_status::VALID_TRANSACTIONS) || block->chain_tx_count == 0) return false;
        const BlockIndex* tip = chain.tip();
        return tip == nullptr || !BlockIndexWorkLess{}(block, tip);
    }

    void update_best_header(BlockIndex* block) {
        if (block->failed()) return;
        if (best_header == nullptr || best_header->chain_work < block->chain_work) best_header = block;
    }

    // --- Index construction ------------------------------------------------------------

    BlockIndex* add_to_index(const BlockHeader& header, const Uint256& hash) {
        auto owned = std::make_unique<BlockIndex>();
        BlockIndex* block = owned.get();
        block->hash = hash;
        block->version = header.version;
        block->merkle_root = header.merkle_root;
        block->time = header.time;
        block->bits = header.bits;
        block->nonce = header.nonce;
        block->prev = find(header.prev_block);
        if (block->prev != nullptr) {
            block->height = block->prev->height + 1;
            block->build_skip();
        }
        block->chain_work = (block->prev != nullptr ? block->prev->chain_work : ArithUint256()) +
                            block_work(header.bits);
        block->time_max = block->prev != nullptr ? std::max(block->prev->time_max, block->time) : block->time;
        block->raise_validity(block_status::VALID_TREE);
        index.emplace(hash, std::move(owned));
        set_dirty(block);
        update_best_header(block);
        return block;
    }

    // Core's ReceivedBlockTransactions.
    void received_block_transactions(const Block& block, BlockIndex* index_entry, FilePosition pos) {
        index_entry->tx_count = static_cast<std::uint32_t>(block.transactions.size());
        index_entry->chain_tx_count = 0;
        index_entry->data_pos = pos;
        index_entry->status |= block_status::HAVE_DATA;
        if (segwit_active_after(index_entry->prev, params.consensus)) {
            index_entry->status |= block_status::OPT_WITNESS;
        }
        index_entry->raise_validity(block_status::VALID_TRANSACTIONS);
        set_dirty(index_entry);

        if (index_entry->prev != nullptr && index_entry->prev->chain_tx_count == 0) {
            unlinked.emplace(index_entry->prev, index_entry);
            return;
        }
        std::deque<BlockIndex*> queue_of_linked{index_entry};
        while (!queue_of_linked.empty()) {
            BlockIndex* current = queue_of_linked.front();
            queue_of_linked.pop_front();
            current->chain_tx_count =
                (current->prev != nullptr ? current->prev->chain_tx_count : 0) + current->tx_count;
            current->sequence_id = next_sequence_id++;
            if (candidate_worthy(current)) candidates.insert(current);
            auto [first, last] = unlinked.equal_range(current);
            for (auto it = first; it != last; ++it) queue_of_linked.push_back(it->second);
            unlinked.erase(first, last);
        }
    }

    // Core's AcceptBlockHeader.
    Result<BlockIndex*, BlockValidationError> accept_header(const BlockHeader& header) {
        const Uint256 hash = header.hash();
        if (BlockIndex* known = find(hash)) {
            if (known->failed()) {
                return fail(block_invalid(BlockValidationResult::cached_invalid, "duplicate-invalid"));
            }
            return known;
        }
        if (auto ok = check_block_header(header, params.consensus); !ok) return fail(ok.error());
        BlockIndex* prev = find(header.prev_block);
        if (prev == nullptr) {
            return fail(block_invalid(BlockValidationResult::missing_prev, "prev-blk-not-found"));
        }
        if (prev->failed()) {
            return fail(block_invalid(BlockValidationResult::invalid_prev, "bad-prevblk"));
        }
        if (auto ok = contextual_check_block_header(header, prev, params.consensus, now()); !ok) {
            return fail(ok.error());
        }
        return add_to_index(header, hash);
    }

    // Core's AcceptBlock (with force_processing). `stored` is where the block already is on
    // disk (reindex), or null to write it.
    Result<void, BlockValidationError> accept_block(const Block& block, const FilePosition* stored,
                                                    bool& new_block) {
        new_block = false;
        auto header = accept_header(block.header);
        if (!header) return fail(header.error());
        BlockIndex* entry = *header;
        if ((entry->status & block_status::HAVE_DATA) != 0) return {};

        if (auto ok = contextual_check_block(block, entry->prev, params.consensus); !ok) {
            if (ok.error().result != BlockValidationResult::mutated) {
                entry->status |= block_status::FAILED_VALID;
                set_dirty(entry);
                if (best_header == entry) recompute_best_header();
            }
            return fail(ok.error());
        }
        FilePosition pos;
        if (stored != nullptr) {
            pos = *stored;
        } else {
            const Bytes bytes = encode(block);
            auto written = files->write_block(bytes, entry->height, entry->time);
            if (!written) {
                fatal = "Failed to write block: " + written.error().message;
                return fail(block_invalid(BlockValidationResult::consensus, "write-failed", *fatal));
            }
            pos = *written;
        }
        received_block_transactions(block, entry, pos);
        new_block = true;
        return {};
    }

    void recompute_best_header() {
        best_header = nullptr;
        for (auto& [hash, block] : index) update_best_header(block.get());
    }

    void rebuild_candidates() {
        candidates.clear();
        for (auto& [hash, block] : index) {
            if (candidate_worthy(block.get()) && !block->failed()) candidates.insert(block.get());
        }
    }

    // Removes candidates that are worse than the tip (Core's PruneBlockIndexCandidates).
    void prune_candidates() {
        const BlockIndex* tip = chain.tip();
        for (auto it = candidates.begin(); it != candidates.end();) {
            if (BlockIndexWorkLess{}(*it, tip)) {
                it = candidates.erase(it);
            } else {
                ++it;
            }
        }
    }

    // Marks `failed_block` invalid and every descendant as failed-child.
    void invalid_chain_found(BlockIndex* failed_block) {
        failed_block->status |= block_status::FAILED_VALID;
        set_dirty(failed_block);
        for (auto& [hash, block] : index) {
            BlockIndex* candidate = block.get();
            if (candidate != failed_block && candidate->height > failed_block->height &&
                candidate->ancestor(failed_block->height) == failed_block &&
                (candidate->status & block_status::FAILED_CHILD) == 0) {
                candidate->status |= block_status::FAILED_CHILD;
                set_dirty(candidate);
            }
        }
        for (auto it = candidates.begin(); it != candidates.end();) {
            if ((*it)->failed()) {
                it = candidates.erase(it);
            } else {
                ++it;
            }
        }
        recompute_best_header();
        log("InvalidChainFound: invalid block=" + failed_block->hash.to_string() +
            "  height=" + std::to_string(failed_block->height));
    }

    // --- Connecting and disconnecting ---------------------------------------------------

    Result<Block, std::string> load_block(const BlockIndex* block) const {
        if ((block->status & block_status::HAVE_DATA) == 0) {
            return fail(std::string("Block not available (pruned data)"));
        }
        auto bytes = files->read_block(block->data_pos);
        if (!bytes) return fail("Failed to read block " + block->hash.to_string() + ": " + bytes.error().message);
        auto decoded = decode_block(*bytes);
        if (!decoded) {
            return fail("Block " + block->hash.to_string() + " on disk does not parse: " +
                        std::string(to_string(decoded.error())));
        }
        if (decoded->hash() != block->hash) {
            return fail("Block on disk at the recorded position is " + decoded->hash().to_string() +
                        ", expected " + block->hash.to_string());
        }
        return std::move(*decoded);
    }

    Result<BlockUndo, std::string> load_undo(const BlockIndex* block) const {
        if ((block->status & block_status::HAVE_UNDO) == 0) {
            return fail(std::string("Undo data not available"));
        }
        auto bytes = files->read_undo(block->undo_pos, block->prev->hash);
        if (!bytes) return fail("Failed to read undo data of " + block->hash.to_string() + ": " + bytes.error().message);
        auto undo = decode_block_undo(*bytes);
        if (!undo) return fail("Undo data of " + block->hash.to_string() + " does not parse");
        return std::move(*undo);
    }

    bool bip30_enforced(const BlockIndex& block) const {
        if (params.type == ChainType::main &&
            ((block.height == 91842 && block.hash.to_string() == BIP30_REPEAT_91842) ||
             (block.height == 91880 && block.hash.to_string() == BIP30_REPEAT_91880))) {
            return false;
        }
        const BlockIndex* bip34_block = block.prev != nullptr ? block.prev->ancestor(params.consensus.bip34_height) : nullptr;
        const bool bip34_guarantees_unique =
            bip34_block != nullptr && bip34_block->hash == params.consensus.bip34_hash;
        return !bip34_guarantees_unique || block.height >= BIP34_IMPLIES_BIP30_LIMIT;
    }

    // Core's ConnectBlock against `view` (a scratch layer), filling `undo`. Storage failures
    // are reported through `fatal` and return an error with reason "read-failed".
    Result<void, BlockValidationError> connect_block(const Block& block, const BlockIndex& entry,
                                                     CoinsCache& view, BlockUndo& undo) {
        if (entry.hash == params.consensus.genesis_hash) return {};
        const ConsensusParams& consensus = params.consensus;

        if (bip30_enforced(entry)) {
            for (const TransactionRef& tx : block.transactions) {
                for (std::uint32_t i = 0; i < tx->outputs().size(); ++i) {
                    if (view.have_coin(OutPoint{tx->txid(), i})) {
                        return fail(block_invalid(BlockValidationResult::consensus, "bad-txns-BIP30",
                                                  "tried to overwrite transaction"));
                    }
                }
            }
        }

        const ScriptFlags flags = block_script_flags(consensus, entry.height, entry.hash);
        const LockTimeFlags lock_flags = entry.height >= consensus.csv_height ? LOCKTIME_VERIFY_SEQUENCE : 0;
        const IndexSequenceContext sequence_context(entry);

        Amount fees = 0;
        std::int64_t sigop_cost = 0;
        std::vector<TransactionSpends> spends;
        spends.reserve(block.transactions.size());
        undo.transactions.clear();
        undo.transactions.reserve(block.transactions.size());

        for (std::size_t t = 0; t < block.transactions.size(); ++t) {
            const Transaction& tx = *block.transactions[t];
            const bool coinbase = t == 0;
            if (!coinbase) {
                auto fee = check_tx_inputs(tx, view, entry.height);
                if (auto read_error = view.take_read_error()) {
                    fatal = "Failed to read the UTXO set: " + read_error->message;
                    return fail(block_invalid(BlockValidationResult::consensus, "read-failed", *fatal));
                }
                if (!fee) {
                    return fail(block_invalid(BlockValidationResult::consensus, fee.error().reject_reason,
                                              fee.error().debug_message + " in transaction " +
                                                  tx.txid().to_string()));
                }
                fees += *fee;
                if (!money_range(fees)) {
                    return fail(block_invalid(BlockValidationResult::consensus,
                                              "bad-txns-accumulated-fee-outofrange",
                                              "accumulated fee in the block out of range"));
                }
                std::vector<int> prev_heights(tx.inputs().size());
                for (std::size_t i = 0; i < tx.inputs().size(); ++i) {
                    prev_heights[i] = static_cast<int>(view.get_coin(tx.inputs()[i].prevout)->height);
                }
                if (!check_sequence_locks(tx, lock_flags, prev_heights, sequence_context)) {
                    return fail(block_invalid(BlockValidationResult::consensus, "bad-txns-nonfinal",
                                              "contains a non-BIP68-final transaction " +
                                                  tx.txid().to_string()));
                }
            }
            sigop_cost += get_transaction_sigop_cost(tx, view, flags);
            if (sigop_cost > MAX_BLOCK_SIGOPS_COST) {
                return fail(block_invalid(BlockValidationResult::consensus, "bad-blk-sigops",
                                          "too many sigops"));
            }
            if (!coinbase) {
                TransactionSpends spend{block.transactions[t], {}};
                spend.spent_outputs.reserve(tx.inputs().size());
                TxUndo tx_undo;
                tx_undo.spent.reserve(tx.inputs().size());
                for (const TxIn& input : tx.inputs()) {
                    auto coin = view.spend_coin(input.prevout);
                    assert(coin.has_value());  // check_tx_inputs found every coin
                    spend.spent_outputs.push_back(coin->output);
                    tx_undo.spent.push_back(std::move(*coin));
                }
                spends.push_back(std::move(spend));
                undo.transactions.push_back(std::move(tx_undo));
            }
            view.add_transaction(tx, entry.height);
        }

        Amount coinbase_out = 0;
        for (const TxOut& output : block.transactions[0]->outputs()) coinbase_out += output.value;
        const Amount reward = fees + block_subsidy(entry.height, consensus);
        if (coinbase_out > reward) {
            return fail(block_invalid(BlockValidationResult::consensus, "bad-cb-amount",
                                      "coinbase pays too much (actual=" + std::to_string(coinbase_out) +
                                          " vs limit=" + std::to_string(reward) + ")"));
        }

        if (auto failure = check_block_scripts(spends, flags, queue, &signature_cache, true)) {
            const Transaction& tx = *spends[failure->tx_index].tx;
            return fail(block_invalid(BlockValidationResult::consensus,
                                      block_script_failure_reason(failure->error),
                                      "input " + std::to_string(failure->input_index) + " of " +
                                          tx.txid().to_string()));
        }
        return {};
    }

    // Core's DisconnectBlock against `view`. Returns false when the undo data does not match
    // the block (an unclean state).
    bool disconnect_block(const Block& block, const BlockUndo& undo, CoinsCache& view) {
        if (undo.transactions.size() + 1 != block.transactions.size()) return false;
        bool clean = true;
        for (std::size_t t = block.transactions.size(); t-- > 0;) {
            const Transaction& tx = *block.transactions[t];
            for (std::uint32_t i = 0; i < tx.outputs().size(); ++i) {
                if (tx.outputs()[i].script_pubkey.is_unspendable()) continue;
                auto coin = view.spend_coin(OutPoint{tx.txid(), i});
                if (!coin || coin->output != tx.outputs()[i]) clean = false;
            }
            if (t == 0) break;
            const TxUndo& tx_undo = undo.transactions[t - 1];
            if (tx_undo.spent.size() != tx.inputs().size()) return false;
            for (std::size_t i = tx.inputs().size(); i-- > 0;) {
                const OutPoint& prevout = tx.inputs()[i].prevout;
                if (view.have_coin(prevout)) clean = false;
                view.add_coin(prevout, tx_undo.spent[i], true);
            }
        }
        return clean;
    }

    // Connects `entry` (whose parent is the tip). Returns the block's failure, if any;
    // storage failures set `fatal`.
    Result<void, BlockValidationError> connect_tip(BlockIndex* entry) {
        assert(entry->prev == chain.tip());
        std::optional<Block> loaded;
        const Block* block = pending_block;
        if (block == nullptr || block->hash() != entry->hash) {
            auto read = load_block(entry);
            if (!read) {
                fatal = read.error();
                return fail(block_invalid(BlockValidationResult::consensus, "read-failed", *fatal));
            }
            loaded = std::move(*read);
            block = &*loaded;
        }
        CoinsCache view(*coins);
        BlockUndo undo;
        auto connected = connect_block(*block, *entry, view, undo);
        if (fatal) return connected;
        const bool watched_block = watched && *watched == entry->hash;
        if (!connected) {
            if (watched_block) {
                watched_result->checked = true;
                watched_result->error = connected.error();
            }
            log("ConnectBlock " + entry->hash.to_string() + " failed, " + to_string(connected.error()));
            if (connected.error().result != BlockValidationResult::mutated) invalid_chain_found(entry);
            return connected;
        }
        if (watched_block) watched_result->checked = true;
        if (entry->prev != nullptr && (entry->status & block_status::HAVE_UNDO) == 0) {
            const Bytes undo_bytes = encode_block_undo(undo);
            auto written = files->write_undo(entry->data_pos.file, undo_bytes, entry->prev->hash);
            if (!written) {
                fatal = "Failed to write undo data: " + written.error().message;
                return fail(block_invalid(BlockValidationResult::consensus, "write-failed", *fatal));
            }
            entry->undo_pos = *written;
            entry->status |= block_status::HAVE_UNDO;
        }
        entry->raise_validity(block_status::VALID_SCRIPTS);
        set_dirty(entry);
        view.merge_into_parent();
        chain.set_tip(entry);
        if (options.txindex) {
            for (const TransactionRef& tx : block->transactions) pending_txindex[tx->txid()] = entry->hash;
        }
        log_tip("UpdateTip", entry);
        return {};
    }

    Result<void, std::string> disconnect_tip() {
        BlockIndex* entry = chain.tip();
        assert(entry != nullptr && entry->prev != nullptr);
        auto block = load_block(entry);
        if (!block) return fail(block.error());
        auto undo = load_undo(entry);
        if (!undo) return fail(undo.error());
        CoinsCache view(*coins);
        if (!disconnect_block(*block, *undo, view)) {
            log("DisconnectBlock " + entry->hash.to_string() + ": inconsistent undo data, continuing");
        }
        if (auto read_error = coins->take_read_error()) {
            return fail("Failed to read the UTXO set: " + read_error->message);
        }
        view.merge_into_parent();
        chain.set_tip(entry->prev);
        log_tip("DisconnectTip", entry->prev);
        return {};
    }

    void log_tip(const char* what, const BlockIndex* entry) const {
        if (!options.log) return;
        options.log(std::string(what) + ": new best=" + entry->hash.to_string() +
                    " height=" + std::to_string(entry->height) + " version=0x" +
                    to_hex_u32(static_cast<std::uint32_t>(entry->version)) +
                    " tx=" + std::to_string(entry->chain_tx_count) +
                    " cache=" + std::to_string(coins->memory_usage() >> 10) + "KiB(" +
                    std::to_string(coins->entry_count()) + "txo)");
    }

    static std::string to_hex_u32(std::uint32_t value) {
        static constexpr char digits[] = "0123456789abcdef";
        std::string out(8, '0');
        for (int i = 7; i >= 0; --i, value >>= 4) out[static_cast<std::size_t>(i)] = digits[value & 15];
        return out;
    }

    // The best candidate whose whole branch has data and no failures (Core's
    // FindMostWorkChain), dropping candidates that turn out unusable.
    BlockIndex* find_most_work_chain() {
        while (!candidates.empty()) {
            BlockIndex* best = *candidates.rbegin();
            bool usable = true;
            for (BlockIndex* walk = best; walk != nullptr && !chain.contains(walk); walk = walk->prev) {
                if (walk->failed() || (walk->status & block_status::HAVE_DATA) == 0) {
                    usable = false;
                    break;
                }
            }
            if (usable) return best;
            candidates.erase(std::prev(candidates.end()));
        }
        return nullptr;
    }

    // Core's ActivateBestChain. Returns an error only for storage failures.
    Result<void, std::string> activate_best_chain() {
        int connected_since_log = 0;
        auto last_progress = std::chrono::steady_clock::now();
        while (true) {
            BlockIndex* best = find_most_work_chain();
            BlockIndex* tip = chain.tip();
            if (best == nullptr || best == tip) break;
            if (tip != nullptr && !BlockIndexWorkLess{}(tip, best)) break;

            const BlockIndex* fork = chain.find_fork(best);
            while (chain.tip() != fork) {
                if (auto ok = disconnect_tip(); !ok) {
                    fatal = ok.error();
                    return fail(ok.error());
                }
            }
            std::vector<BlockIndex*> path;
            for (BlockIndex* walk = best; walk != fork; walk = walk->prev) path.push_back(walk);
            for (auto it = path.rbegin(); it != path.rend(); ++it) {
                auto ok = connect_tip(*it);
                if (fatal) return fail(*fatal);
                if (!ok) break;
                ++connected_since_log;
                if (options.log && connected_since_log >= 1000 &&
                    std::chrono::steady_clock::now() - last_progress > std::chrono::seconds(10)) {
                    log("Connected " + std::to_string(connected_since_log) + " blocks, height " +
                        std::to_string(chain.height()));
                    connected_since_log = 0;
                    last_progress = std::chrono::steady_clock::now();
                }
                if (auto flushed = flush(false); !flushed) return flushed;
            }
            prune_candidates();
        }
        return {};
    }

    // --- Persistence --------------------------------------------------------------------

    Result<void, std::string> flush(bool force) {
        const std::int64_t current = now();
        const bool cache_full = coins->memory_usage() > options.coins_cache_bytes;
        const bool interval_passed = current - last_flush >= options.flush_interval_seconds;
        if (!force && !cache_full && !interval_passed) return {};
        if (auto ok = files->flush(); !ok) return fail("Failed to sync block files: " + ok.error().message);
        KvBatch batch;
        for (BlockIndex* entry : dirty_index) {
            batch.put(key_with_hash(KEY_BLOCK_INDEX, entry->hash), encode_block_index(*entry));
        }
        const std::vector<BlockFileInfo> infos = files->file_infos();
        for (int file : files->take_dirty_files()) {
            batch.put(file_info_key(file), encode_file_info(infos[static_cast<std::size_t>(file)]));
        }
        for (const auto& [txid, block_hash] : pending_txindex) {
            batch.put(key_with_hash(KEY_TXINDEX, txid), ByteSpan(block_hash.begin(), block_hash.end()));
        }
        if (options.txindex && !txindex_complete) {
            batch.put(flag_key("txindex"), Bytes{1});
            txindex_complete = true;
        }
        const std::size_t usage_before = coins->memory_usage();
        if (auto ok = coins->write_changes(batch, !cache_full); !ok) {
            return fail("Failed to write the UTXO set: " + ok.error().message);
        }
        if (chain.tip() != nullptr) {
            const Uint256& tip_hash = chain.tip()->hash;
            batch.put(Bytes{KEY_BEST_BLOCK}, ByteSpan(tip_hash.begin(), tip_hash.end()));
        }
        if (auto ok = db->write(batch, true); !ok) {
            return fail("Failed to write to the chain state database: " + ok.error().message);
        }
        dirty_index.clear();
        pending_txindex.clear();
        last_flush = current;
        if (cache_full) {
            log("Flushed the UTXO cache (" + std::to_string(usage_before >> 20) + " MiB) to disk");
        }
        return {};
    }

    Result<void, std::string> load_index() {
        std::vector<std::pair<Uint256, DiskBlockIndex>> entries;
        bool corrupt = false;
        auto walked = db->for_each_with_prefix(Bytes{KEY_BLOCK_INDEX}, [&](ByteSpan key, ByteSpan value) {
            if (key.size() != 33) {
                corrupt = true;
                return false;
            }
            auto decoded = decode_block_index(value);
            if (!decoded) {
                corrupt = true;
                return false;
            }
            Uint256 hash;
            std::copy(key.begin() + 1, key.end(), hash.begin());
            entries.emplace_back(hash, *decoded);
            return true;
        });
        if (!walked) return fail("Error reading the block index: " + walked.error().message);
        if (corrupt) return fail(std::string("Error loading block database: an entry does not parse"));

        std::sort(entries.begin(), entries.end(),
                  [](const auto& a, const auto& b) { return a.second.height < b.second.height; });
        for (auto& [hash, disk] : entries) {
            if (disk.header.hash() != hash) {
                return fail("Error loading block database: entry " + hash.to_string() + " has another header");
            }
            auto owned = std::make_unique<BlockIndex>();
            BlockIndex* block = owned.get();
            block->hash = hash;
            block->height = disk.height;
            block->version = disk.header.version;
            block->merkle_root = disk.header.merkle_root;
            block->time = disk.header.time;
            block->bits = disk.header.bits;
            block->nonce = disk.header.nonce;
            block->status = disk.status;
            block->tx_count = disk.tx_count;
            block->data_pos = disk.data_pos;
            block->undo_pos = disk.undo_pos;
            if (disk.height > 0) {
                block->prev = find(disk.header.prev_block);
                if (block->prev == nullptr || block->prev->height + 1 != disk.height) {
                    return fail("Error loading block database: block " + hash.to_string() +
                                " has no parent in the index");
                }
                block->build_skip();
            } else if (hash != params.consensus.genesis_hash) {
                return fail("Error loading block database: it belongs to another network (genesis " +
                            hash.to_string() + "); use another -datadir or -reindex");
            }
            block->chain_work = (block->prev != nullptr ? block->prev->chain_work : ArithUint256()) +
                                block_work(block->bits);
            block->time_max = block->prev != nullptr ? std::max(block->prev->time_max, block->time) : block->time;
            if (block->prev != nullptr && block->prev->failed() && !block->failed()) {
                block->status |= block_status::FAILED_CHILD;
                set_dirty(block);
            }
            if (block->tx_count > 0) {
                if (block->prev == nullptr) {
                    block->chain_tx_count = block->tx_count;
                } else if (block->prev->chain_tx_count > 0) {
                    block->chain_tx_count = block->prev->chain_tx_count + block->tx_count;
                } else {
                    unlinked.emplace(block->prev, block);
                }
            }
            index.emplace(hash, std::move(owned));
            update_best_header(block);
        }

        auto files_walked = std::vector<BlockFileInfo>();
        bool bad_info = false;
        auto infos = db->for_each_with_prefix(Bytes{KEY_FILE_INFO}, [&](ByteSpan key, ByteSpan value) {
            if (key.size() != 5) return true;
            const std::uint32_t file = (std::uint32_t{key[1]} << 24) | (std::uint32_t{key[2]} << 16) |
                                       (std::uint32_t{key[3]} << 8) | key[4];
            auto info = decode_file_info(value);
            if (!info || file > 100000) {
                bad_info = true;
                return false;
            }
            if (files_walked.size() <= file) files_walked.resize(file + 1);
            files_walked[file] = *info;
            return true;
        });
        if (!infos || bad_info) return fail(std::string("Error loading block database: bad file information"));
        file_infos_loaded = std::move(files_walked);

        auto txindex_flag = db->get(flag_key("txindex"));
        txindex_complete = txindex_flag && *txindex_flag;
        return {};
    }

    std::vector<BlockFileInfo> file_infos_loaded;

    Result<void, std::string> load_tip() {
        auto best = db->get(Bytes{KEY_BEST_BLOCK});
        if (!best) return fail("Error reading the chain state: " + best.error().message);
        if (!*best) return {};
        if ((*best)->size() != 32) return fail(std::string("Error reading the chain state: bad best block record"));
        Uint256 hash;
        std::copy((*best)->begin(), (*best)->end(), hash.begin());
        BlockIndex* tip = find(hash);
        if (tip == nullptr) {
            return fail("The chain state's best block " + hash.to_string() +
                        " is not in the block index. Restart with -reindex to rebuild it.");
        }
        chain.set_tip(tip);
        return {};
    }

    // Stores and indexes the genesis block of a new chain state.
    Result<void, std::string> add_genesis(const FilePosition* stored) {
        const Block& genesis = params.genesis;
        BlockIndex* entry = find(genesis.hash());
        if (entry == nullptr) entry = add_to_index(genesis.header, genesis.hash());
        if ((entry->status & block_status::HAVE_DATA) != 0) return {};
        FilePosition pos;
        if (stored != nullptr) {
            pos = *stored;
        } else {
            auto written = files->write_block(encode(genesis), 0, genesis.header.time);
            if (!written) return fail("Failed to write the genesis block: " + written.error().message);
            pos = *written;
        }
        received_block_transactions(genesis, entry, pos);
        return {};
    }

    // Rebuilds the index from the blk files (-reindex).
    Result<void, std::string> reindex() {
        log("Reindexing the block files");
        {
            KvBatch batch;
            batch.put(Bytes{KEY_REINDEXING}, Bytes{1});
            if (auto ok = db->write(batch, true); !ok) return fail("Failed to mark the reindex: " + ok.error().message);
        }
        std::multimap<Uint256, FilePosition> waiting_for_parent;
        std::size_t seen = 0;
        std::size_t accepted = 0;
        auto last_progress = std::chrono::steady_clock::now();
        std::optional<std::string> failure;

        auto accept_at = [&](const Block& block, FilePosition pos) {
            if (block.hash() == params.consensus.genesis_hash) {
                if (auto ok = add_genesis(&pos); !ok) failure = ok.error();
                ++accepted;
                return;
            }
            if (!check_block(block, params.consensus)) return;
            bool is_new = false;
            if (accept_block(block, &pos, is_new) && is_new) ++accepted;
        };

        auto scanned = files->scan_blocks([&](ByteSpan payload, FilePosition pos) {
            ++seen;
            auto block = decode_block(payload);
            if (!block) return true;
            const Uint256 hash = block->hash();
            if (BlockIndex* known = find(hash); known != nullptr && (known->status & block_status::HAVE_DATA) != 0) {
                return true;
            }
            if (hash != params.consensus.genesis_hash && find(block->header.prev_block) == nullptr) {
                waiting_for_parent.emplace(block->header.prev_block, pos);
                return true;
            }
            accept_at(*block, pos);
            std::deque<Uint256> ready{hash};
            while (!ready.empty() && !failure) {
                const Uint256 parent = ready.front();
                ready.pop_front();
                auto [first, last] = waiting_for_parent.equal_range(parent);
                std::vector<FilePosition> children;
                for (auto it = first; it != last; ++it) children.push_back(it->second);
                waiting_for_parent.erase(first, last);
                for (FilePosition child_pos : children) {
                    auto bytes = files->read_block(child_pos);
                    if (!bytes) continue;
                    auto child = decode_block(*bytes);
                    if (!child) continue;
                    accept_at(*child, child_pos);
                    ready.push_back(child->hash());
                }
            }
            if (std::chrono::steady_clock::now() - last_progress > std::chrono::seconds(5)) {
                log("Reindexing: " + std::to_string(seen) + " block records read, " +
                    std::to_string(accepted) + " indexed");
                last_progress = std::chrono::steady_clock::now();
            }
            return !failure.has_value() && !fatal.has_value();
        });
        if (!scanned) return fail("Failed to read the block files: " + scanned.error().message);
        if (failure) return fail(*failure);
        if (fatal) return fail(*fatal);
        log("Reindexing: " + std::to_string(seen) + " block records read, " + std::to_string(accepted) +
            " indexed, " + std::to_string(waiting_for_parent.size()) + " without a known parent");
        if (find(params.consensus.genesis_hash) == nullptr) {
            if (auto ok = add_genesis(nullptr); !ok) return ok;
        }
        return {};
    }
};

ChainState::ChainState(const ChainParams& params, ChainStateOptions options)
    : params_(params), options_(std::move(options)), impl_(std::make_unique<Impl>(params_, options_)) {}

ChainState::~ChainState() {
    if (impl_ && impl_->db && !impl_->fatal) {
        auto lock_guard = lock();
        (void)impl_->flush(true);
    }
}

Result<std::unique_ptr<ChainState>, std::string> ChainState::open(const ChainParams& params,
                                                                   ChainStateOptions options) {
    std::unique_ptr<ChainState> state(new ChainState(params, std::move(options)));
    Impl& impl = *state->impl_;
    const ChainStateOptions& opts = state->options_;

    std::error_code ec;
    std::filesystem::create_directories(opts.data_dir / "blocks", ec);
    if (ec) return fail("Cannot create " + (opts.data_dir / "blocks").string() + ": " + ec.message());

    if (opts.in_memory_db) {
        impl.db = std::make_unique<MemoryKvStore>();
    } else {
        LevelDbOptions db_options;
        db_options.cache_bytes = opts.db_cache_bytes;
        db_options.wipe = opts.reindex;
        auto db = open_leveldb((opts.data_dir / "chainstate").string(), db_options);
        if (!db) return fail("Error opening block database: " + db.error().message);
        impl.db = std::move(*db);
    }
    impl.coins = std::make_unique<CoinsCache>(*impl.db);

    bool reindex = opts.reindex;
    if (!reindex) {
        auto pending = impl.db->get(Bytes{KEY_REINDEXING});
        if (!pending) return fail("Error reading the chain state: " + pending.error().message);
        if (*pending) {
            impl.log("A reindex was interrupted; starting it again");
            reindex = true;
            // Forget the half-built index: the reindex rebuilds it from the files.
            KvBatch wipe;
            auto walked = impl.db->for_each_with_prefix({}, [&](ByteSpan key, ByteSpan) {
                wipe.erase(key);
                return true;
            });
            if (!walked) return fail("Error reading the chain state: " + walked.error().message);
            if (auto ok = impl.db->write(wipe, true); !ok) return fail("Error resetting the chain state: " + ok.error().message);
        }
    }
    if (auto ok = impl.load_index(); !ok) return fail(ok.error());
    if (opts.txindex && !impl.txindex_complete && !impl.index.empty()) {
        return fail(std::string(
            "The transaction index can only be enabled on a new data directory or with -reindex"));
    }
    auto infos = reindex ? std::vector<BlockFileInfo>{} : impl.file_infos_loaded;
    impl.files = std::make_unique<BlockFileStore>(opts.data_dir / "blocks", params.message_start,
                                                  std::move(infos), opts.max_block_file_size);

    if (reindex) {
        if (auto ok = impl.reindex(); !ok) return fail(ok.error());
    } else if (impl.index.empty()) {
        if (auto ok = impl.add_genesis(nullptr); !ok) return fail(ok.error());
    } else if (auto ok = impl.load_tip(); !ok) {
        return fail(ok.error());
    }
    impl.rebuild_candidates();
    impl.last_flush = impl.now();
    if (auto ok = impl.activate_best_chain(); !ok) return fail(ok.error());
    if (reindex) {
        KvBatch batch;
        batch.erase(Bytes{KEY_REINDEXING});
        if (auto ok = impl.db->write(batch, true); !ok) return fail("Failed to finish the reindex: " + ok.error().message);
    }
    if (auto ok = impl.flush(true); !ok) return fail(ok.error());
    if (const BlockIndex* tip = impl.chain.tip()) {
        impl.log("Loaded best chain: hashBestChain=" + tip->hash.to_string() +
                 " height=" + std::to_string(tip->height) +
                 " date=" + std::to_string(tip->time));
    }
    return state;
}

BlockSubmission ChainState::process_new_block(const Block& block) {
    auto guard = lock();
    Impl& impl = *impl_;
    BlockSubmission result;
    if (impl.fatal) {
        result.error = block_invalid(BlockValidationResult::consensus, "node-error", *impl.fatal);
        return result;
    }
    if (auto ok = check_block(block, params_.consensus); !ok) {
        result.checked = true;
        result.error = ok.error();
        return result;
    }
    bool new_block = false;
    if (auto ok = impl.accept_block(block, nullptr, new_block); !ok) {
        result.checked = true;
        result.error = ok.error();
        return result;
    }
    result.accepted = true;
    result.new_block = new_block;
    impl.watched = block.hash();
    impl.watched_result = &result;
    impl.pending_block = &block;
    auto activated = impl.activate_best_chain();
    impl.watched.reset();
    impl.watched_result = nullptr;
    impl.pending_block = nullptr;
    if (!activated) {
        result.error = block_invalid(BlockValidationResult::consensus, "node-error", activated.error());
    }
    if (auto flushed = impl.flush(false); !flushed && !impl.fatal) impl.fatal = flushed.error();
    return result;
}

Result<const BlockIndex*, BlockValidationError> ChainState::process_new_header(const BlockHeader& header) {
    auto guard = lock();
    auto accepted = impl_->accept_header(header);
    if (!accepted) return fail(accepted.error());
    return *accepted;
}

const BlockIndex* ChainState::tip() const {
    auto guard = lock();
    return impl_->chain.tip();
}

int ChainState::height() const {
    auto guard = lock();
    return impl_->chain.height();
}

const BlockIndex* ChainState::best_header() const {
    auto guard = lock();
    return impl_->best_header != nullptr ? impl_->best_header : impl_->chain.tip();
}

const BlockIndex* ChainState::lookup(const Uint256& hash) const {
    auto guard = lock();
    return impl_->find(hash);
}

const BlockIndex* ChainState::at_height(int height) const {
    auto guard = lock();
    return impl_->chain.at(height);
}

bool ChainState::in_active_chain(const BlockIndex* block) const {
    auto guard = lock();
    return impl_->chain.contains(block);
}

const BlockIndex* ChainState::next_in_active_chain(const BlockIndex* block) const {
    auto guard = lock();
    return impl_->chain.next(block);
}

std::vector<ChainTip> ChainState::chain_tips() const {
    auto guard = lock();
    const Impl& impl = *impl_;
    // Leaves of the block tree: blocks no other block names as its parent.
    std::set<const BlockIndex*> parents;
    for (const auto& [hash, block] : impl.index) {
        if (block->prev != nullptr) parents.insert(block->prev);
    }
    std::vector<ChainTip> tips;
    for (const auto& [hash, block] : impl.index) {
        const BlockIndex* leaf = block.get();
        if (parents.contains(leaf) && leaf != impl.chain.tip()) continue;
        ChainTip tip{leaf, 0, ChainTipStatus::active};
        tip.branch_length = leaf->height - impl.chain.find_fork(leaf)->height;
        if (impl.chain.contains(leaf)) {
            tip.status = ChainTipStatus::active;
        } else if (leaf->failed()) {
            tip.status = ChainTipStatus::invalid;
        } else if (leaf->chain_tx_count == 0) {
            tip.status = ChainTipStatus::headers_only;
        } else if (leaf->is_valid(block_status::VALID_SCRIPTS)) {
            tip.status = ChainTipStatus::valid_fork;
        } else if (leaf->is_valid(block_status::VALID_TREE)) {
            tip.status = ChainTipStatus::valid_headers;
        } else {
            tip.status = ChainTipStatus::headers_only;
        }
        tips.push_back(tip);
    }
    std::sort(tips.begin(), tips.end(), [](const ChainTip& a, const ChainTip& b) {
        if (a.block->height != b.block->height) return a.block->height > b.block->height;
        return a.block->hash.to_string() < b.block->hash.to_string();
    });
    return tips;
}

std::vector<Uint256> ChainState::locator(const BlockIndex* from) const {
    auto guard = lock();
    return impl_->chain.locator(from);
}

bool ChainState::initial_block_download() const {
    if (impl_->ibd_done.load()) return false;
    auto guard = lock();
    const BlockIndex* tip = impl_->chain.tip();
    if (tip == nullptr) return true;
    if (tip->chain_work < ArithUint256::from_uint256(params_.consensus.minimum_chain_work)) return true;
    if (static_cast<std::int64_t>(tip->time) < impl_->now() - MAX_TIP_AGE) return true;
    impl_->ibd_done.store(true);
    return false;
}

std::uint64_t ChainState::chain_tx_count(const BlockIndex* block) const {
    auto guard = lock();
    return block->chain_tx_count;
}

double ChainState::verification_progress(const BlockIndex* block) const {
    auto guard = lock();
    if (block == nullptr || block->chain_tx_count == 0) return 0.0;
    // Without a transaction-rate estimate for the chain, the known chain is the whole chain.
    const BlockIndex* best = impl_->best_header != nullptr ? impl_->best_header : impl_->chain.tip();
    if (best == nullptr || best->height <= 0) return 1.0;
    return std::min(1.0, static_cast<double>(block->height) / static_cast<double>(best->height));
}

Result<Block, std::string> ChainState::read_block(const BlockIndex* block) const {
    auto guard = lock();
    return impl_->load_block(block);
}

Result<Bytes, std::string> ChainState::read_block_bytes(const BlockIndex* block) const {
    auto guard = lock();
    if ((block->status & block_status::HAVE_DATA) == 0) return fail(std::string("Block not available (pruned data)"));
    auto bytes = impl_->files->read_block(block->data_pos);
    if (!bytes) return fail("Failed to read block: " + bytes.error().message);
    return std::move(*bytes);
}

Result<BlockUndo, std::string> ChainState::read_undo(const BlockIndex* block) const {
    auto guard = lock();
    return impl_->load_undo(block);
}

std::optional<Coin> ChainState::get_coin(const OutPoint& outpoint) const {
    auto guard = lock();
    auto coin = impl_->coins->get_coin(outpoint);
    (void)impl_->coins->take_read_error();
    return coin;
}

Result<UtxoStats, std::string> ChainState::utxo_stats() {
    auto guard = lock();
    if (auto ok = impl_->flush(true); !ok) return fail(ok.error());
    UtxoStatsBuilder builder;
    bool corrupt = false;
    auto walked = impl_->db->for_each_with_prefix(Bytes{COIN_KEY_PREFIX}, [&](ByteSpan key, ByteSpan value) {
        auto outpoint = decode_coin_key(key);
        auto coin = decode_coin(value);
        if (!outpoint || !coin) {
            corrupt = true;
            return false;
        }
        builder.add(*outpoint, *coin);
        return true;
    });
    if (!walked) return fail("Unable to read UTXO set: " + walked.error().message);
    if (corrupt) return fail(std::string("Unable to read UTXO set: a coin record does not parse"));
    return builder.stats();
}

std::uint64_t ChainState::blocks_disk_size() const {
    auto guard = lock();
    std::uint64_t total = 0;
    for (const BlockFileInfo& info : impl_->files->file_infos()) total += info.size + info.undo_size;
    return total;
}

std::uint64_t ChainState::coins_disk_size() const {
    auto guard = lock();
    return impl_->db->disk_size();
}

std::optional<Uint256> ChainState::find_transaction_block(const Uint256& txid) const {
    auto guard = lock();
    if (!options_.txindex) return std::nullopt;
    if (auto it = impl_->pending_txindex.find(txid); it != impl_->pending_txindex.end()) return it->second;
    auto value = impl_->db->get(key_with_hash(KEY_TXINDEX, txid));
    if (!value || !*value || (*value)->size() != 32) return std::nullopt;
    Uint256 hash;
    std::copy((*value)->begin(), (*value)->end(), hash.begin());
    return hash;
}

Result<void, std::string> ChainState::invalidate_block(const Uint256& hash) {
    auto guard = lock();
    Impl& impl = *impl_;
    BlockIndex* target = impl.find(hash);
    if (target == nullptr) return fail(std::string("Block not found"));
    if (target->prev == nullptr) return fail(std::string("Cannot invalidate the genesis block"));
    while (impl.chain.contains(target)) {
        if (auto ok = impl.disconnect_tip(); !ok) {
            impl.fatal = ok.error();
            return fail(ok.error());
        }
    }
    impl.invalid_chain_found(target);
    impl.rebuild_candidates();
    if (auto ok = impl.activate_best_chain(); !ok) return ok;
    return impl.flush(false);
}

Result<void, std::string> ChainState::reconsider_block(const Uint256& hash) {
    auto guard = lock();
    Impl& impl = *impl_;
    BlockIndex* target = impl.find(hash);
    if (target == nullptr) return fail(std::string("Block not found"));
    for (auto& [h, block] : impl.index) {
        BlockIndex* entry = block.get();
        if (!entry->failed()) continue;
        const bool descendant = entry->height >= target->height && entry->ancestor(target->height) == target;
        const bool ancestor = target->ancestor(entry->height) == entry;
        if (descendant || ancestor) {
            entry->status &= ~block_status::FAILED_MASK;
            impl.set_dirty(entry);
        }
    }
    impl.recompute_best_header();
    impl.rebuild_candidates();
    if (auto ok = impl.activate_best_chain(); !ok) return ok;
    return impl.flush(false);
}

Result<void, std::string> ChainState::precious_block(const Uint256& hash) {
    auto guard = lock();
    Impl& impl = *impl_;
    BlockIndex* target = impl.find(hash);
    if (target == nullptr) return fail(std::string("Block not found"));
    const BlockIndex* tip = impl.chain.tip();
    if (target->chain_work < tip->chain_work) return {};
    if (impl.last_precious_work < tip->chain_work) impl.reverse_sequence_id = -1;
    impl.last_precious_work = tip->chain_work;
    impl.candidates.erase(target);
    target->sequence_id = impl.reverse_sequence_id;
    if (impl.reverse_sequence_id > std::numeric_limits<std::int32_t>::min()) --impl.reverse_sequence_id;
    if (target->is_valid(block_status::VALID_TRANSACTIONS) && target->chain_tx_count > 0) {
        impl.candidates.insert(target);
    }
    return impl.activate_best_chain();
}

bool ChainState::verify_chain(int level, int depth, std::string& message) {
    auto guard = lock();
    Impl& impl = *impl_;
    const BlockIndex* tip = impl.chain.tip();
    if (tip == nullptr || tip->height < 1) return true;
    level = std::clamp(level, 0, 4);
    if (depth <= 0 || depth > tip->height) depth = tip->height;
    impl.log("Verifying last " + std::to_string(depth) + " blocks at level " + std::to_string(level));

    CoinsCache view(*impl.coins);
    std::vector<std::pair<const BlockIndex*, Block>> disconnected;
    const BlockIndex* walk = tip;
    for (; walk != nullptr && walk->prev != nullptr && walk->height > tip->height - depth; walk = walk->prev) {
        auto block = impl.load_block(walk);
        if (!block) {
            message = "*** ReadBlock failed at " + std::to_string(walk->height) + ", hash=" + walk->hash.to_string();
            return false;
        }
        if (level >= 1) {
            if (auto ok = check_block(*block, params_.consensus); !ok) {
                message = "*** found bad block at " + std::to_string(walk->height) + ", hash=" +
                          walk->hash.to_string() + " (" + to_string(ok.error()) + ")";
                return false;
            }
        }
        std::optional<BlockUndo> undo;
        if (level >= 2 && (walk->status & block_status::HAVE_UNDO) != 0) {
            auto read = impl.load_undo(walk);
            if (!read) {
                message = "*** found bad undo data at " + std::to_string(walk->height) + ", hash=" + walk->hash.to_string();
                return false;
            }
            undo = std::move(*read);
        }
        if (level >= 3 && undo && view.memory_usage() + impl.coins->memory_usage() <= impl.options.coins_cache_bytes) {
            if (!impl.disconnect_block(*block, *undo, view)) {
                message = "*** irrecoverable inconsistency in block data at " + std::to_string(walk->height) +
                          ", hash=" + walk->hash.to_string();
                return false;
            }
            disconnected.emplace_back(walk, std::move(*block));
        }
    }
    if (level >= 4) {
        for (auto it = disconnected.rbegin(); it != disconnected.rend(); ++it) {
            BlockUndo undo;
            if (auto ok = impl.connect_block(it->second, *it->first, view, undo); !ok) {
                message = "*** found unconnectable block at " + std::to_string(it->first->height) +
                          ", hash=" + it->first->hash.to_string() + " (" + to_string(ok.error()) + ")";
                return false;
            }
        }
    }
    (void)impl.coins->take_read_error();
    impl.log("Verification: No coin database inconsistencies in last " + std::to_string(depth) + " blocks");
    return true;
}

Result<void, std::string> ChainState::flush(bool force) {
    auto guard = lock();
    return impl_->flush(force);
}

std::optional<std::string> ChainState::fatal_error() const {
    auto guard = lock();
    return impl_->fatal;
}

std::size_t ChainState::coins_cache_usage() const {
    auto guard = lock();
    return impl_->coins->memory_usage();
}

}  // namespace bitloom
