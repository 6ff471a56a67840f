// Append-only block and undo files, in Bitcoin Core's layout and record format, so a data
// directory's blocks/ folder reads the same as Core's:
//
//   <dir>/blkNNNNN.dat := record*     block records     (NNNNN: file number, 5 digits)
//   <dir>/revNNNNN.dat := record*     undo records
//   block record := magic:byte[4] size:u32le block:byte[size]
//   undo record  := magic:byte[4] size:u32le undo:byte[size] checksum:byte[32]
//                   checksum = SHA256d(prev_block_hash || undo)
//
// `magic` is the network's message start. A record's position (FilePosition) is the offset of
// its payload (just after `size`), as Core's FlatFilePos. A new blk file is started when the
// next record would take the current one past max_file_size (a record larger than that gets a
// fresh file to itself); the rev file with the same number holds the undo data of that file's
// blocks, with no size limit.
//
// Crash safety: records are appended; flush() fsyncs every file written since the last flush.
// Nothing below a file's recorded size (BlockFileInfo) is ever overwritten, so a crash can only
// leave a torn record after it, which the next append overwrites; callers reference a position
// only after flush() returned, and reads of torn or foreign bytes fail with `corruption`.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <vector>

#include "storage/kv_store.h"
#include "util/bytes.h"
#include "util/result.h"
#include "util/uint256.h"

namespace bitloom {

struct FilePosition {
    int file = -1;               // -1: none
    std::uint32_t offset = 0;    // of the payload
    bool is_null() const { return file < 0; }
    friend bool operator==(const FilePosition&, const FilePosition&) = default;
};

// Bookkeeping per blk file (Core's CBlockFileInfo), persisted by the chain state.
struct BlockFileInfo {
    std::uint32_t blocks = 0;
    std::uint32_t size = 0;       // bytes used in blkNNNNN.dat
    std::uint32_t undo_size = 0;  // bytes used in revNNNNN.dat
    std::uint32_t height_first = 0;
    std::uint32_t height_last = 0;
    std::uint64_t time_first = 0;
    std::uint64_t time_last = 0;
    friend bool operator==(const BlockFileInfo&, const BlockFileInfo&) = default;
};

// Thread-compatible: the chain state serialises every call under its lock.
class BlockFileStore {
public:
    static constexpr std::uint32_t DEFAULT_MAX_FILE_SIZE = 0x8000000;  // 128 MiB, as Core

    // `dir` is created if missing. `files` is the persisted state (empty for a new store); the
    // next block goes to the last file listed (or file 0). Writes past each file's recorded size
    // (left by a crash) are overwritten by the next append to that file.
    BlockFileStore(std::filesystem::path dir, std::array<std::uint8_t, 4> magic,
                   std::vector<BlockFileInfo> files = {},
                   std::uint32_t max_file_size = DEFAULT_MAX_FILE_SIZE);
    ~BlockFileStore();

    // Appends a block record; returns where its payload is. Updates the file's info with
    // `height` and `time`.
    Result<FilePosition, StorageFailure> write_block(ByteSpan block_bytes, int height,
                                                     std::uint32_t time);
    // Appends an undo record to the rev file with number `block_file` (the blk file of the
    // block it undoes).
    Result<FilePosition, StorageFailure> write_undo(int block_file, ByteSpan undo_bytes,
                                                    const Uint256& prev_block_hash);

    // The payload at `pos` (checks the magic and that the record fits in the file). Fails
    // `corruption` when `pos` does not hold a record (never reads or allocates past the end of
    // the file), `not_found` when the file is missing, `invalid_argument` for a null position.
    Result<Bytes, StorageFailure> read_block(FilePosition pos) const;
    // The undo payload at `pos`, after checking its checksum against `prev_block_hash`; the
    // same failures as read_block, and `corruption` on a checksum mismatch.
    Result<Bytes, StorageFailure> read_undo(FilePosition pos, const Uint256& prev_block_hash) const;

    // fsyncs every file appended to since the last flush, and `dir` when a file was created.
    Result<void, StorageFailure> flush();

    // Persisted state to store with the block index (index = file number); empty until the
    // first block of a new store is written.
    std::vector<BlockFileInfo> file_infos() const;
    // File numbers whose info changed since the last call (to write only those).
    std::vector<int> take_dirty_files();

    // Walks every block record of every blkNNNNN.dat from file 0 in order (for -reindex), calling
    // `visit(payload, position)`; skips bytes that are not a record start (a torn tail) by
    // scanning for the next magic, as Core's LoadExternalBlockFile does. Stops when `visit`
    // returns false; the walk then goes on reading record headers only, so the infos still
    // cover every file. A record counts when the magic is followed by a size of at most
    // 16,000,000 bytes that fits in the file. Afterwards the file infos are the ones the scan
    // found (blocks and sizes up to the last complete record; heights, times and undo sizes 0,
    // as the undo data is rewritten when the blocks are connected again) and every file counts
    // as dirty, so later blocks are appended after the last good record.
    Result<void, StorageFailure> scan_blocks(
        const std::function<bool(ByteSpan payload, FilePosition pos)>& visit);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace bitloom
