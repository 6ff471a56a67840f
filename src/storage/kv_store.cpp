#include "storage/kv_store.h"

#include <algorithm>
#include <cassert>
#include <map>
#include <utility>

namespace bitloom {

std::string_view to_string(StorageError error) {
    switch (error) {
        case StorageError::io_error: return "I/O error";
        case StorageError::corruption: return "corrupted data";
        case StorageError::not_found: return "not found";
        case StorageError::locked: return "locked by another process";
        case StorageError::invalid_argument: return "invalid argument";
    }
    return "unknown storage error";
}

void KvBatch::put(ByteSpan key, ByteSpan value) {
    ops_.push_back(Op{Bytes(key.begin(), key.end()), Bytes(value.begin(), value.end())});
    bytes_ += key.size() + value.size();
}

void KvBatch::erase(ByteSpan key) {
    ops_.push_back(Op{Bytes(key.begin(), key.end()), std::nullopt});
    bytes_ += key.size();
}

void KvBatch::clear() {
    ops_.clear();
    bytes_ = 0;
}

namespace {

// memcmp order on byte strings, with lookups by span (no copy of the key).
struct BytewiseLess {
    using is_transparent = void;
    static bool less(ByteSpan a, ByteSpan b) {
        return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end());
    }
    bool operator()(const Bytes& a, const Bytes& b) const { return less(a, b); }
    bool operator()(const Bytes& a, ByteSpan b) const { return less(a, b); }
    bool operator()(ByteSpan a, const Bytes& b) const { return less(a, b); }
};

bool starts_with(ByteSpan key, ByteSpan prefix) {
    return key.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), key.begin());
}

}  // namespace

struct MemoryKvStore::Impl {
    std::map<Bytes, Bytes, BytewiseLess> entries;
};

MemoryKvStore::MemoryKvStore() : impl_(std::make_shared<Impl>()) {}

Result<std::optional<Bytes>, StorageFailure> MemoryKvStore::get(ByteSpan key) const {
    const auto it = impl_->entries.find(key);
    if (it == impl_->entries.end()) return std::optional<Bytes>{};
    return std::optional<Bytes>{it->second};
}

Result<void, StorageFailure> MemoryKvStore::write(const KvBatch& batch, bool /*sync*/) {
    auto& entries = impl_->entries;
    for (const auto& op : batch.ops()) {
        if (op.value) {
            entries.insert_or_assign(op.key, *op.value);
        } else {
            entries.erase(op.key);
        }
    }
    return {};
}

Result<void, StorageFailure> MemoryKvStore::for_each_with_prefix(
    ByteSpan prefix, const std::function<bool(ByteSpan key, ByteSpan value)>& visit) const {
    const auto& entries = impl_->entries;
    for (auto it = entries.lower_bound(prefix); it != entries.end() && starts_with(it->first, prefix);
         ++it) {
        if (!visit(it->first, it->second)) break;
    }
    return {};
}

std::size_t MemoryKvStore::size() const { return impl_->entries.size(); }

}  // namespace bitloom
