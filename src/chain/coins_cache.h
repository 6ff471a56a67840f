// The UTXO cache: coins read from the coins database or created by connected blocks, held in
// memory until a flush writes the changes back in one atomic batch (Bitcoin Core's
// CCoinsViewCache over CCoinsViewDB).
//
// A cache sits either on the database (the chain state's cache) or on another cache (a
// scratch layer for one block: if the block fails, the layer is dropped and the cache below is
// untouched; if it succeeds, merge_into_parent() moves its changes down).
//
// Entry flags, as Core's:
//   DIRTY  the entry differs from the layer below and must be written on flush
//   FRESH  the layer below has no unspent coin here, so a spend can simply forget the entry
// A spent entry keeps an empty coin (spent == true) until flushed, unless it was FRESH.
//
// Not thread-safe: the chain state serialises access under its lock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <unordered_map>

#include "consensus/coins.h"
#include "primitives/transaction.h"
#include "storage/kv_store.h"
#include "util/result.h"

namespace bitloom {

class CoinsCache final : public CoinsView {
public:
    // A cache over the coins database `db` (coins stored under coin_key(), see coin_codec.h).
    explicit CoinsCache(const KvStore& db);
    // A scratch layer over `parent`.
    explicit CoinsCache(CoinsCache& parent);

    CoinsCache(const CoinsCache&) = delete;
    CoinsCache& operator=(const CoinsCache&) = delete;

    std::optional<Coin> get_coin(const OutPoint& outpoint) const override;
    bool have_coin(const OutPoint& outpoint) const override;

    // Adds an unspent coin. Unless `possible_overwrite`, the caller guarantees no unspent coin
    // exists at `outpoint` (asserted against this layer).
    void add_coin(const OutPoint& outpoint, Coin coin, bool possible_overwrite);

    // Spends the coin at `outpoint`; returns it, or nullopt when there was none.
    std::optional<Coin> spend_coin(const OutPoint& outpoint);

    // Adds every spendable output of `tx` (not OP_RETURN, not over MAX_SCRIPT_SIZE) as created
    // at `height` (Core's AddCoins without its overwrite check: coinbase outputs may overwrite,
    // as the two historical duplicate coinbases did).
    void add_transaction(const Transaction& tx, int height);

    // Estimated heap bytes held by the entries.
    std::size_t memory_usage() const { return memory_usage_; }
    std::size_t entry_count() const { return entries_.size(); }

    // Scratch layer only: applies this layer's changes to the parent and empties this layer.
    void merge_into_parent();

    // Database cache only: appends this cache's changes to `batch` (puts and erases under
    // coin_key()). Afterwards the entries count as written: with `keep_entries`, unspent ones
    // stay cached as clean, otherwise the cache is emptied. Call only once the batch is sure
    // to be written (or drop the cache after a failed write).
    Result<void, StorageFailure> write_changes(KvBatch& batch, bool keep_entries);

    // Number of entries that must be written at the next flush.
    std::size_t dirty_count() const { return dirty_count_; }

    // The first database read failure since the last call, if any. A failed read makes the
    // coin look absent, so callers must check this before judging a block by missing coins.
    std::optional<StorageFailure> take_read_error();

private:
    static constexpr std::uint8_t DIRTY = 1;
    static constexpr std::uint8_t FRESH = 2;

    struct Entry {
        Coin coin;
        bool spent = true;
        std::uint8_t flags = 0;
    };
    using Map = std::unordered_map<OutPoint, Entry, OutPointHasher>;

    // The entry for `outpoint`, fetched from below when absent here; end() when nowhere.
    Map::iterator fetch(const OutPoint& outpoint) const;
    std::optional<Coin> fetch_below(const OutPoint& outpoint) const;
    static std::size_t entry_bytes(const Entry& entry);
    void mark_dirty(Entry& entry);
    void erase(Map::iterator it);

    const KvStore* db_ = nullptr;
    CoinsCache* parent_ = nullptr;
    mutable Map entries_;
    mutable std::size_t memory_usage_ = 0;
    std::size_t dirty_count_ = 0;
    mutable std::optional<StorageFailure> read_error_;
};

}  // namespace bitloom
