// The LevelDB implementation of KvStore; the only file that includes LevelDB's headers.
#include <leveldb/cache.h>
#include <leveldb/db.h>
#include <leveldb/filter_policy.h>
#include <leveldb/iterator.h>
#include <leveldb/options.h>
#include <leveldb/slice.h>
#include <leveldb/status.h>
#include <leveldb/write_batch.h>

#include <filesystem>
#include <memory>
#include <string>
#include <system_error>
#include <utility>

#include "storage/kv_store.h"

namespace bitloom {
namespace {

constexpr int BLOOM_FILTER_BITS_PER_KEY = 10;
constexpr int MAX_OPEN_FILES = 64;
// Larger table files than LevelDB's 2 MiB default, so a multi-gigabyte UTXO set needs far fewer
// files than MAX_OPEN_FILES would have to cycle through (Core uses the same size).
constexpr std::size_t TABLE_FILE_BYTES = 32 << 20;

// An empty span may have a null data pointer, which LevelDB passes on to memcmp and memcpy;
// an empty Slice points at "".
leveldb::Slice to_slice(ByteSpan bytes) {
    if (bytes.empty()) return {};
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

ByteSpan to_span(const leveldb::Slice& slice) {
    return {reinterpret_cast<const std::uint8_t*>(slice.data()), slice.size()};
}

StorageFailure to_failure(const leveldb::Status& status) {
    std::string message = status.ToString();
    StorageError error = StorageError::io_error;
    if (status.IsCorruption()) {
        error = StorageError::corruption;
    } else if (status.IsNotFound()) {
        error = StorageError::not_found;
    } else if (status.IsInvalidArgument() && message.find("does not exist") != std::string::npos) {
        error = StorageError::not_found;  // opened without create_if_missing
    } else if (status.IsInvalidArgument() || status.IsNotSupportedError()) {
        error = StorageError::invalid_argument;
    } else if (status.IsIOError() && message.find("IO error: lock ") == 0) {
        // LevelDB reports a held LOCK file as an I/O error whose message starts "lock <path>",
        // both for another process (fcntl fails) and for a second open in this process.
        error = StorageError::locked;
    }
    return StorageFailure{error, std::move(message)};
}

class LevelDbStore final : public KvStore {
public:
    LevelDbStore(std::string path, std::unique_ptr<const leveldb::FilterPolicy> filter,
                 std::unique_ptr<leveldb::Cache> cache, std::unique_ptr<leveldb::DB> db)
        : path_(std::move(path)),
          filter_(std::move(filter)),
          cache_(std::move(cache)),
          db_(std::move(db)) {}

    Result<std::optional<Bytes>, StorageFailure> get(ByteSpan key) const override {
        std::string value;
        const leveldb::Status status = db_->Get(leveldb::ReadOptions(), to_slice(key), &value);
        if (status.IsNotFound()) return std::optional<Bytes>{};
        if (!status.ok()) return fail(to_failure(status));
        return std::optional<Bytes>{Bytes(value.begin(), value.end())};
    }

    Result<void, StorageFailure> write(const KvBatch& batch, bool sync) override {
        leveldb::WriteBatch leveldb_batch;
        for (const auto& op : batch.ops()) {
            if (op.value) {
                leveldb_batch.Put(to_slice(op.key), to_slice(*op.value));
            } else {
                leveldb_batch.Delete(to_slice(op.key));
            }
        }
        leveldb::WriteOptions options;
        options.sync = sync;
        const leveldb::Status status = db_->Write(options, &leveldb_batch);
        if (!status.ok()) return fail(to_failure(status));
        return {};
    }

    Result<void, StorageFailure> for_each_with_prefix(
        ByteSpan prefix,
        const std::function<bool(ByteSpan key, ByteSpan value)>& visit) const override {
        leveldb::ReadOptions options;
        options.fill_cache = false;  // a scan would evict the entries point lookups need
        const std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(options));
        const leveldb::Slice wanted = to_slice(prefix);
        for (it->Seek(wanted); it->Valid() && it->key().starts_with(wanted); it->Next()) {
            if (!visit(to_span(it->key()), to_span(it->value()))) break;
        }
        if (!it->status().ok()) return fail(to_failure(it->status()));
        return {};
    }

    std::uint64_t disk_size() const override {
        std::uint64_t total = 0;
        std::error_code ec;
        for (std::filesystem::directory_iterator it(path_, ec), end; !ec && it != end;
             it.increment(ec)) {
            std::error_code size_ec;
            const auto size = it->file_size(size_ec);
            if (!size_ec) total += size;
        }
        return total;
    }

private:
    std::string path_;
    // Declared before db_ so that they outlive it: the database refers to both.
    std::unique_ptr<const leveldb::FilterPolicy> filter_;
    std::unique_ptr<leveldb::Cache> cache_;
    std::unique_ptr<leveldb::DB> db_;
};

}  // namespace

Result<std::unique_ptr<KvStore>, StorageFailure> open_leveldb(const std::string& path,
                                                              const LevelDbOptions& options) {
    if (path.empty()) return fail(StorageFailure{StorageError::invalid_argument, "empty database path"});

    std::unique_ptr<const leveldb::FilterPolicy> filter(
        leveldb::NewBloomFilterPolicy(BLOOM_FILTER_BITS_PER_KEY));
    std::unique_ptr<leveldb::Cache> cache(leveldb::NewLRUCache(options.cache_bytes));

    leveldb::Options leveldb_options;
    leveldb_options.create_if_missing = options.create_if_missing;
    leveldb_options.paranoid_checks = false;
    leveldb_options.max_open_files = MAX_OPEN_FILES;
    leveldb_options.write_buffer_size = options.write_buffer_bytes;
    leveldb_options.max_file_size = TABLE_FILE_BYTES;
    leveldb_options.block_cache = cache.get();
    leveldb_options.filter_policy = filter.get();
    // Keys and values are mostly hashes and scripts, which do not compress.
    leveldb_options.compression = leveldb::kNoCompression;

    if (options.wipe) {
        const leveldb::Status status = leveldb::DestroyDB(path, leveldb_options);
        if (!status.ok()) return fail(to_failure(status));
    }
    if (options.create_if_missing) {
        std::error_code ec;
        std::filesystem::create_directories(path, ec);
        if (ec) {
            return fail(StorageFailure{StorageError::io_error,
                                       "cannot create directory " + path + ": " + ec.message()});
        }
    }

    leveldb::DB* raw_db = nullptr;
    const leveldb::Status status = leveldb::DB::Open(leveldb_options, path, &raw_db);
    std::unique_ptr<leveldb::DB> db(raw_db);
    if (!status.ok()) return fail(to_failure(status));
    return std::unique_ptr<KvStore>(
        std::make_unique<LevelDbStore>(path, std::move(filter), std::move(cache), std::move(db)));
}

}  // namespace bitloom
