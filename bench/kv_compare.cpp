// The UTXO-set workload on LevelDB and RocksDB, to choose the chain state's key-value store.
//
// Workload (per store, in a fresh directory): write N coin records (33-37 byte keys like
// 'C' txid varint(n), 30-50 byte values) in synced batches of 10,000, as cache flushes do;
// read N/4 present and N/4 absent keys in random order after a reopen; erase half the records
// in synced batches; scan everything left in key order. Both stores get a 10-bit bloom filter,
// no compression and an 8 MiB block cache.
//
// Usage: bitloom_kv_compare [records]   (default 1,000,000)
#include <leveldb/cache.h>
#include <leveldb/db.h>
#include <leveldb/filter_policy.h>
#include <leveldb/write_batch.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <algorithm>
#include <unistd.h>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string make_key(std::mt19937_64& random, std::uint32_t index) {
    std::string key(1, 'C');
    for (int i = 0; i < 4; ++i) {
        const std::uint64_t word = random();
        key.append(reinterpret_cast<const char*>(&word), 8);
    }
    key.push_back(static_cast<char>(index & 0x7f));
    return key;
}

std::string make_value(std::mt19937_64& random) {
    std::string value(30 + random() % 21, '\0');
    for (char& c : value) c = static_cast<char>(random());
    return value;
}

std::uint64_t directory_size(const std::filesystem::path& dir) {
    std::uint64_t total = 0;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
        if (entry.is_regular_file()) total += entry.file_size();
    }
    return total;
}

struct Figures {
    double write_s = 0, read_s = 0, erase_s = 0, scan_s = 0;
    std::uint64_t disk_bytes = 0;
    std::size_t found = 0, scanned = 0;
};

// The operations both stores provide, over their native APIs.
template <typename Store>
Figures run(const std::filesystem::path& dir, std::size_t records) {
    std::mt19937_64 random(42);
    std::vector<std::string> keys;
    keys.reserve(records);
    Figures figures;
    {
        Store store(dir);
        auto start = Clock::now();
        for (std::size_t done = 0; done < records;) {
            typename Store::Batch batch;
            for (std::size_t i = 0; i < 10'000 && done < records; ++i, ++done) {
                keys.push_back(make_key(random, static_cast<std::uint32_t>(done)));
                batch.Put(keys.back(), make_value(random));
            }
            store.write(batch);
        }
        figures.write_s = seconds_since(start);
    }
    {
        Store store(dir);
        std::vector<std::string> probes;
        for (std::size_t i = 0; i < records / 4; ++i) probes.push_back(keys[random() % keys.size()]);
        for (std::size_t i = 0; i < records / 4; ++i) probes.push_back(make_key(random, 0));
        std::shuffle(probes.begin(), probes.end(), random);
        auto start = Clock::now();
        for (const std::string& key : probes) figures.found += store.get(key) ? 1 : 0;
        figures.read_s = seconds_since(start);

        start = Clock::now();
        for (std::size_t done = 0; done < records / 2;) {
            typename Store::Batch batch;
            for (std::size_t i = 0; i < 10'000 && done < records / 2; ++i, ++done) batch.Delete(keys[done * 2]);
            store.write(batch);
        }
        figures.erase_s = seconds_since(start);

        start = Clock::now();
        figures.scanned = store.scan();
        figures.scan_s = seconds_since(start);
    }
    figures.disk_bytes = directory_size(dir);
    return figures;
}

class LevelDbStore {
public:
    using Batch = leveldb::WriteBatch;
    explicit LevelDbStore(const std::filesystem::path& dir) {
        options_.create_if_missing = true;
        options_.compression = leveldb::kNoCompression;
        options_.max_file_size = 32 << 20;
        options_.max_open_files = 64;
        options_.write_buffer_size = 4 << 20;
        cache_.reset(leveldb::NewLRUCache(8 << 20));
        filter_.reset(leveldb::NewBloomFilterPolicy(10));
        options_.block_cache = cache_.get();
        options_.filter_policy = filter_.get();
        leveldb::DB* db = nullptr;
        if (!leveldb::DB::Open(options_, dir.string(), &db).ok()) std::abort();
        db_.reset(db);
    }
    void write(Batch& batch) {
        leveldb::WriteOptions options;
        options.sync = true;
        if (!db_->Write(options, &batch).ok()) std::abort();
    }
    bool get(const std::string& key) {
        std::string value;
        return db_->Get(leveldb::ReadOptions(), key, &value).ok();
    }
    std::size_t scan() {
        std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(leveldb::ReadOptions()));
        std::size_t n = 0;
        for (it->SeekToFirst(); it->Valid(); it->Next()) ++n;
        return n;
    }

private:
    leveldb::Options options_;
    std::unique_ptr<leveldb::Cache> cache_;
    std::unique_ptr<const leveldb::FilterPolicy> filter_;
    std::unique_ptr<leveldb::DB> db_;
};

class RocksDbStore {
public:
    using Batch = rocksdb::WriteBatch;
    explicit RocksDbStore(const std::filesystem::path& dir) {
        rocksdb::Options options;
        options.create_if_missing = true;
        options.compression = rocksdb::kNoCompression;
        options.max_open_files = 64;
        options.write_buffer_size = 4 << 20;
        rocksdb::BlockBasedTableOptions table;
        table.block_cache = rocksdb::NewLRUCache(8 << 20);
        table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
        options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
        rocksdb::DB* db = nullptr;
        if (!rocksdb::DB::Open(options, dir.string(), &db).ok()) std::abort();
        db_.reset(db);
    }
    void write(Batch& batch) {
        rocksdb::WriteOptions options;
        options.sync = true;
        if (!db_->Write(options, &batch).ok()) std::abort();
    }
    bool get(const std::string& key) {
        std::string value;
        return db_->Get(rocksdb::ReadOptions(), key, &value).ok();
    }
    std::size_t scan() {
        std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
        std::size_t n = 0;
        for (it->SeekToFirst(); it->Valid(); it->Next()) ++n;
        return n;
    }

private:
    std::unique_ptr<rocksdb::DB> db_;
};

void print(const char* name, const Figures& f, std::size_t records) {
    std::printf("%-8s %10.0f %12.0f %10.0f %10.0f %10.1f   (%zu found, %zu scanned)\n", name,
                records / f.write_s, (records / 2) / f.read_s, (records / 2) / f.erase_s,
                f.scanned / f.scan_s, f.disk_bytes / 1048576.0, f.found, f.scanned);
}

}  // namespace

int main(int argc, char** argv) {
    const std::size_t records = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1'000'000;
    const auto base = std::filesystem::temp_directory_path() / ("bitloom-kv-bench-" + std::to_string(::getpid()));
    std::filesystem::create_directories(base);
    std::printf("UTXO workload, %zu records (see the header of bench/kv_compare.cpp)\n", records);
    std::printf("%-8s %10s %12s %10s %10s %10s\n", "store", "writes/s", "reads/s", "erases/s", "scan/s", "disk MiB");
    const Figures level = run<LevelDbStore>(base / "leveldb", records);
    print("LevelDB", level, records);
    const Figures rocks = run<RocksDbStore>(base / "rocksdb", records);
    print("RocksDB", rocks, records);
    std::filesystem::remove_all(base);
    return 0;
}
