// The chain state: the block index, the active chain, the UTXO set and the block files, and
// the rules that move them (Bitcoin Core's ChainstateManager, Chainstate and BlockManager).
//
// Storage layout inside the network's data directory:
//   blocks/blkNNNNN.dat, blocks/revNNNNN.dat   block and undo records (storage/block_files.h)
//   chainstate/                                one LevelDB database holding
//     'C' txid varint(n)  -> coin                      the UTXO set (chain/coin_codec.h)
//     'B'                 -> block hash:byte[32]       the block the UTXO set corresponds to
//     'b' hash:byte[32]   -> disk_block_index          every known header and its status
//     'f' file:u32be      -> block_file_info           per blk file bookkeeping
//     't' txid:byte[32]   -> block hash:byte[32]       the transaction index (-txindex)
//     'F' name            -> u8                        flags: "txindex" (index complete since
//                                                      genesis); 'R' -> u8: reindex in progress
//   disk_block_index := varint(height) varint(status) varint(tx_count)
//                       [varint(file) when HAVE_DATA or HAVE_UNDO] [varint(data_offset) when
//                       HAVE_DATA] [varint(undo_offset) when HAVE_UNDO] header:byte[80]
//   block_file_info  := varint(blocks) varint(size) varint(undo_size) varint(height_first)
//                       varint(height_last) varint(time_first) varint(time_last)
//
// Crash safety: blocks and undo data are appended to files and fsynced before anything that
// points at them is written; the block index, file infos, UTXO changes, transaction index and
// best block of a flush go to the database in one atomic, synced batch. A restart after a kill
// at any instant therefore finds the state of the last completed flush, with every block it
// references on disk; blocks accepted after that flush must be submitted again (-reindex
// finds them in the block files).
//
// Thread-safety: every public member function takes the chain state's lock; BlockIndex
// pointers handed out stay valid for the object's lifetime, and their hash, height, header
// fields and chain_work never change. Read status, tx_count and positions under lock().
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "chain/block_index.h"
#include "chain/coins_cache.h"
#include "chain/undo.h"
#include "chain/utxo_stats.h"
#include "consensus/block_check.h"
#include "consensus/chainparams.h"
#include "consensus/check_queue.h"
#include "consensus/script_error.h"
#include "consensus/signature_cache.h"
#include "primitives/block.h"
#include "storage/block_files.h"
#include "storage/kv_store.h"
#include "util/result.h"

namespace bitloom {

struct ChainStateOptions {
    std::filesystem::path data_dir;           // the network's data directory
    std::size_t coins_cache_bytes = 450 << 20;  // -dbcache, less what LevelDB gets
    std::size_t db_cache_bytes = 8 << 20;
    bool in_memory_db = false;                // tests: MemoryKvStore instead of LevelDB
    bool reindex = false;                     // -reindex: rebuild from the block files
    bool txindex = false;                     // -txindex
    int script_threads = 0;                   // extra script-check threads (-par - 1)
    std::uint32_t max_block_file_size = BlockFileStore::DEFAULT_MAX_FILE_SIZE;
    std::int64_t flush_interval_seconds = 60;  // periodic flush of the cache and index
    // The node's clock in seconds (mock time aware). Defaults to the system clock.
    std::function<std::int64_t()> now;
    // Progress and event lines for the log. Defaults to nothing.
    std::function<void(const std::string&)> log;
};

// What happened to a submitted block (for submitblock's BIP22 answer and for peers).
struct BlockSubmission {
    bool new_block = false;  // its data was stored now (not known before)
    bool accepted = false;   // it passed the checks that precede storage (or was known valid)
    bool checked = false;    // it was connected (or failed connecting) during activation
    std::optional<BlockValidationError> error;  // why it was rejected, when it was
};

enum class ChainTipStatus { active, valid_fork, valid_headers, headers_only, invalid };
std::string_view to_string(ChainTipStatus status);  // "active", "valid-fork", ...

struct ChainTip {
    const BlockIndex* block;
    int branch_length;  // blocks from the fork point with the active chain
    ChainTipStatus status;
};

class ChainState {
public:
    // Opens (or creates, with the genesis block) the chain state in options.data_dir, loads
    // the block index, replays a pending reindex, and activates the best chain. Errors are
    // messages for the user (e.g. "Error opening block database").
    static Result<std::unique_ptr<ChainState>, std::string> open(const ChainParams& params,
                                                                  ChainStateOptions options);
    ~ChainState();

    ChainState(const ChainState&) = delete;
    ChainState& operator=(const ChainState&) = delete;

    const ChainParams& params() const { return params_; }
    std::unique_lock<std::recursive_mutex> lock() const {
        return std::unique_lock<std::recursive_mutex>(mutex_);
    }

    // --- Blocks and headers -------------------------------------------------------------
    // Core's ProcessNewBlock: context-free checks, header acceptance, contextual checks,
    // storage, then activation of the best chain.
    BlockSubmission process_new_block(const Block& block);
    // Core's ProcessNewBlockHeaders for one header (submitheader).
    Result<const BlockIndex*, BlockValidationError> process_new_header(const BlockHeader& header);

    // --- Queries ------------------------------------------------------------------------
    const BlockIndex* tip() const;
    int height() const;
    // The header with the most work that is not known invalid.
    const BlockIndex* best_header() const;
    const BlockIndex* lookup(const Uint256& hash) const;
    // The active chain's block at `height`, nullptr outside it.
    const BlockIndex* at_height(int height) const;
    bool in_active_chain(const BlockIndex* block) const;
    // The active-chain successor of `block`, nullptr if none or not active.
    const BlockIndex* next_in_active_chain(const BlockIndex* block) const;
    std::vector<ChainTip> chain_tips() const;
    std::vector<Uint256> locator(const BlockIndex* from = nullptr) const;
    bool initial_block_download() const;
    // Transactions in the active chain up to `block` (0 if unknown).
    std::uint64_t chain_tx_count(const BlockIndex* block) const;
    // How far `block` is along the best known header chain, 0..1. Core estimates this from a
    // per-network transaction rate (GuessVerificationProgress); without such data bitloom uses
    // the height ratio to the best header, which agrees with Core's at the tip (1.0).
    double verification_progress(const BlockIndex* block) const;

    // The stored block / undo data. Fail when the data is not (or no longer) on disk.
    Result<Block, std::string> read_block(const BlockIndex* block) const;
    Result<Bytes, std::string> read_block_bytes(const BlockIndex* block) const;
    Result<BlockUndo, std::string> read_undo(const BlockIndex* block) const;

    // The unspent coin at `outpoint` in the active chain's UTXO set.
    std::optional<Coin> get_coin(const OutPoint& outpoint) const;
    // Flushes, then walks the whole UTXO set for gettxoutsetinfo.
    Result<UtxoStats, std::string> utxo_stats();
    std::uint64_t blocks_disk_size() const;
    std::uint64_t coins_disk_size() const;

    bool txindex_enabled() const { return options_.txindex; }
    // The block containing transaction `txid` per the transaction index (nullopt: unknown or
    // no index).
    std::optional<Uint256> find_transaction_block(const Uint256& txid) const;

    // --- Control ------------------------------------------------------------------------
    // Core's InvalidateBlock / ReconsiderBlock / PreciousBlock. Errors are RPC messages.
    Result<void, std::string> invalidate_block(const Uint256& hash);
    Result<void, std::string> reconsider_block(const Uint256& hash);
    Result<void, std::string> precious_block(const Uint256& hash);
    // Core's VerifyDB: levels 0-4 over the last `depth` blocks (0: all). Returns whether every
    // check passed; `message` says what failed.
    bool verify_chain(int level, int depth, std::string& message);

    // Writes the cache and index when needed (`force`: always). Errors are fatal for a node.
    Result<void, std::string> flush(bool force);

    // Coins cache usage in bytes and entries (for logs and getblockchaininfo-like output).
    std::size_t coins_cache_usage() const;

    // Set once a storage failure (a block file or the database could not be read or written)
    // made the chain state unsafe to continue; every later block submission fails with
    // "node-error". The node shuts down when it sees this (Core's AbortNode).
    std::optional<std::string> fatal_error() const;

private:
    ChainState(const ChainParams& params, ChainStateOptions options);
    struct Impl;
    const ChainParams params_;
    ChainStateOptions options_;
    mutable std::recursive_mutex mutex_;
    std::unique_ptr<Impl> impl_;
};

}  // namespace bitloom
