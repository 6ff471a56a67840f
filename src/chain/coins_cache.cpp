#include "chain/coins_cache.h"

#include <cassert>
#include <utility>

#include "chain/coin_codec.h"
#include "primitives/serialize.h"

namespace bitloom {

namespace {

// Node overhead of an unordered_map entry (key, value, hash link) plus the script's heap block.
constexpr std::size_t ENTRY_OVERHEAD = sizeof(OutPoint) + sizeof(Coin) + 32;

}  // namespace

CoinsCache::CoinsCache(const KvStore& db) : db_(&db) {}

CoinsCache::CoinsCache(CoinsCache& parent) : parent_(&parent) {}

std::size_t CoinsCache::entry_bytes(const Entry& entry) {
    return ENTRY_OVERHEAD + entry.coin.output.script_pubkey.size();
}

std::optional<Coin> CoinsCache::fetch_below(const OutPoint& outpoint) const {
    if (parent_ != nullptr) return parent_->get_coin(outpoint);
    auto value = db_->get(coin_key(outpoint));
    if (!value) {
        if (!read_error_) read_error_ = value.error();
        return std::nullopt;
    }
    if (!*value) return std::nullopt;
    Reader reader(**value);
    auto coin = read_coin(reader);
    if (!coin || !reader.at_end()) {
        if (!read_error_) {
            read_error_ = StorageFailure{StorageError::corruption,
                                        "unreadable coin record for " + outpoint.txid.to_string() + ":" +
                                            std::to_string(outpoint.index)};
        }
        return std::nullopt;
    }
    return std::move(*coin);
}

CoinsCache::Map::iterator CoinsCache::fetch(const OutPoint& outpoint) const {
    auto it = entries_.find(outpoint);
    if (it != entries_.end()) return it;
    auto coin = fetch_below(outpoint);
    if (!coin) return entries_.end();
    Entry entry;
    entry.coin = std::move(*coin);
    entry.spent = false;
    memory_usage_ += entry_bytes(entry);
    return entries_.emplace(outpoint, std::move(entry)).first;
}

std::optional<Coin> CoinsCache::get_coin(const OutPoint& outpoint) const {
    auto it = fetch(outpoint);
    if (it == entries_.end() || it->second.spent) return std::nullopt;
    return it->second.coin;
}

bool CoinsCache::have_coin(const OutPoint& outpoint) const {
    auto it = fetch(outpoint);
    return it != entries_.end() && !it->second.spent;
}

void CoinsCache::mark_dirty(Entry& entry) {
    if ((entry.flags & DIRTY) == 0) {
        entry.flags |= DIRTY;
        ++dirty_count_;
    }
}

void CoinsCache::erase(Map::iterator it) {
    if ((it->second.flags & DIRTY) != 0) --dirty_count_;
    memory_usage_ -= entry_bytes(it->second);
    entries_.erase(it);
}

void CoinsCache::add_coin(const OutPoint& outpoint, Coin coin, bool possible_overwrite) {
    if (coin.output.script_pubkey.is_unspendable()) return;
    auto [it, inserted] = entries_.try_emplace(outpoint);
    Entry& entry = it->second;
    bool fresh = false;
    if (!possible_overwrite) {
        assert(entry.spent && "adding a coin over an unspent one");
        fresh = (entry.flags & DIRTY) == 0;
    }
    if (!inserted) memory_usage_ -= entry_bytes(entry);
    entry.coin = std::move(coin);
    entry.spent = false;
    mark_dirty(entry);
    if (fresh) entry.flags |= FRESH;
    memory_usage_ += entry_bytes(entry);
}

std::optional<Coin> CoinsCache::spend_coin(const OutPoint& outpoint) {
    auto it = fetch(outpoint);
    if (it == entries_.end() || it->second.spent) return std::nullopt;
    Coin spent = std::move(it->second.coin);
    if ((it->second.flags & FRESH) != 0) {
        memory_usage_ -= spent.output.script_pubkey.size();
        it->second.coin.output.script_pubkey = Script();
        erase(it);
    } else {
        memory_usage_ -= spent.output.script_pubkey.size();
        it->second.coin = Coin{};
        it->second.spent = true;
        mark_dirty(it->second);
    }
    return spent;
}

void CoinsCache::add_transaction(const Transaction& tx, int height) {
    const bool coinbase = tx.is_coinbase();
    const Uint256& txid = tx.txid();
    for (std::uint32_t i = 0; i < tx.outputs().size(); ++i) {
        Coin coin{tx.outputs()[i], static_cast<std::uint32_t>(height), coinbase};
        add_coin(OutPoint{txid, i}, std::move(coin), coinbase);
    }
}

void CoinsCache::merge_into_parent() {
    assert(parent_ != nullptr);
    Map& below = parent_->entries_;
    for (auto& [outpoint, child] : entries_) {
        if ((child.flags & DIRTY) == 0) continue;
        auto it = below.find(outpoint);
        if (it == below.end()) {
            // A FRESH coin created and spent in this layer never reached the parent.
            if ((child.flags & FRESH) != 0 && child.spent) continue;
            Entry entry;
            entry.coin = std::move(child.coin);
            entry.spent = child.spent;
            entry.flags = (child.flags & FRESH) != 0 ? FRESH : 0;
            parent_->mark_dirty(entry);
            parent_->memory_usage_ += entry_bytes(entry);
            below.emplace(outpoint, std::move(entry));
            continue;
        }
        Entry& parent = it->second;
        assert(!((child.flags & FRESH) != 0 && !parent.spent) && "FRESH flag over an unspent coin");
        if ((parent.flags & FRESH) != 0 && child.spent) {
            parent_->erase(it);
            continue;
        }
        parent_->memory_usage_ -= entry_bytes(parent);
        parent.coin = std::move(child.coin);
        parent.spent = child.spent;
        parent_->mark_dirty(parent);
        parent_->memory_usage_ += entry_bytes(parent);
    }
    entries_.clear();
    memory_usage_ = 0;
    dirty_count_ = 0;
}

Result<void, StorageFailure> CoinsCache::write_changes(KvBatch& batch, bool keep_entries) {
    assert(db_ != nullptr);
    for (auto it = entries_.begin(); it != entries_.end();) {
        Entry& entry = it->second;
        if ((entry.flags & DIRTY) != 0) {
            Bytes key = coin_key(it->first);
            if (entry.spent) {
                batch.erase(key);
            } else {
                Bytes value;
                Writer writer(value);
                write_coin(writer, entry.coin);
                batch.put(key, value);
            }
        }
        if (!keep_entries || entry.spent) {
            it = entries_.erase(it);
        } else {
            entry.flags = 0;
            ++it;
        }
    }
    dirty_count_ = 0;
    if (!keep_entries) {
        memory_usage_ = 0;
    } else {
        memory_usage_ = 0;
        for (const auto& [outpoint, entry] : entries_) memory_usage_ += entry_bytes(entry);
    }
    return {};
}

std::optional<StorageFailure> CoinsCache::take_read_error() {
    auto error = std::move(read_error_);
    read_error_.reset();
    return error;
}

}  // namespace bitloom
