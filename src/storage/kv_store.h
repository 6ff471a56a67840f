// An ordered key-value store: the one interface the chain state uses for its databases (block
// index and UTXO set). Two implementations: LevelDB on disk (open_leveldb) and a std::map in
// memory (MemoryKvStore) for tests.
//
// Keys and values are byte strings; keys sort bytewise (memcmp order, shorter first on a common
// prefix), as LevelDB's default comparator does. A KvBatch is applied atomically: after a crash
// either all of its operations are visible or none are. With `sync`, write() returns only after
// the batch is on stable storage.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/bytes.h"
#include "util/result.h"

namespace bitloom {

enum class StorageError {
    io_error,       // the operating system reported a read or write failure
    corruption,     // stored data failed a checksum or does not parse
    not_found,      // a file or record that must exist is missing
    locked,         // another process holds the database or data directory lock
    invalid_argument,
};
std::string_view to_string(StorageError error);

// The error and the store's own message (LevelDB's Status text, a path, ...).
struct StorageFailure {
    StorageError error = StorageError::io_error;
    std::string message;
};

// Writes and erasures applied in order, atomically.
class KvBatch {
public:
    void put(ByteSpan key, ByteSpan value);
    void erase(ByteSpan key);
    void clear();
    bool empty() const { return ops_.empty(); }
    std::size_t size() const { return ops_.size(); }
    // Bytes of keys and values held (for deciding when to split work).
    std::size_t approximate_bytes() const { return bytes_; }

    struct Op {
        Bytes key;
        std::optional<Bytes> value;  // nullopt: erase
    };
    const std::vector<Op>& ops() const { return ops_; }

private:
    std::vector<Op> ops_;
    std::size_t bytes_ = 0;
};

class KvStore {
public:
    virtual ~KvStore() = default;

    // The value at `key`, nullopt when absent.
    virtual Result<std::optional<Bytes>, StorageFailure> get(ByteSpan key) const = 0;

    // Applies `batch` atomically; with `sync`, durably.
    virtual Result<void, StorageFailure> write(const KvBatch& batch, bool sync) = 0;

    // Calls `visit(key, value)` for every entry whose key starts with `prefix`, in key order,
    // until it returns false. The store must not be written from inside `visit`.
    virtual Result<void, StorageFailure> for_each_with_prefix(
        ByteSpan prefix, const std::function<bool(ByteSpan key, ByteSpan value)>& visit) const = 0;

    // Bytes the store occupies on disk (0 in memory); an estimate.
    virtual std::uint64_t disk_size() const = 0;
};

// In-memory store. Thread-compatible (callers serialise access). A copy is a second handle on
// the same contents (writes through either are seen by both), so a test can hand a store to a
// component and inspect it afterwards, or "reopen" it by constructing the component again.
class MemoryKvStore final : public KvStore {
public:
    MemoryKvStore();  // empty
    Result<std::optional<Bytes>, StorageFailure> get(ByteSpan key) const override;
    Result<void, StorageFailure> write(const KvBatch& batch, bool sync) override;
    Result<void, StorageFailure> for_each_with_prefix(
        ByteSpan prefix,
        const std::function<bool(ByteSpan key, ByteSpan value)>& visit) const override;
    std::uint64_t disk_size() const override { return 0; }
    std::size_t size() const;

private:
    struct Impl;
    std::shared_ptr<Impl> impl_;  // never null; shared by copies
};

struct LevelDbOptions {
    std::size_t cache_bytes = 8 << 20;         // LevelDB block cache
    std::size_t write_buffer_bytes = 4 << 20;  // memtable size before a flush to a table file
    bool create_if_missing = true;
    bool wipe = false;  // delete the existing database first (-reindex)
};

// Opens (creating the directory and parents if needed) a LevelDB database at `path`.
// Fails `locked` when another process has it open, `corruption` when LevelDB says so.
// Thread-safe for concurrent get/write/for_each (LevelDB's guarantee).
Result<std::unique_ptr<KvStore>, StorageFailure> open_leveldb(const std::string& path,
                                                              const LevelDbOptions& options);

}  // namespace bitloom
