#include "storage/block_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include "crypto/sha256.h"
#include "util/endian.h"

namespace bitloom {
namespace {

constexpr std::size_t HEADER_SIZE = 8;     // magic, size
constexpr std::size_t CHECKSUM_SIZE = 32;  // after an undo payload
// A record whose size field exceeds this is not a block (four times the largest block Core
// accepts, as a loose bound); scan_blocks skips it.
constexpr std::uint32_t MAX_SCANNED_RECORD = 4'000'000 * 4;
constexpr std::size_t MAX_OPEN_FDS = 8;
constexpr std::size_t SCAN_WINDOW = 1 << 16;

enum class FileKind : std::uint8_t { block, undo };

std::string file_name(FileKind kind, int file) {
    char name[32];
    std::snprintf(name, sizeof name, "%s%05d.dat", kind == FileKind::block ? "blk" : "rev", file);
    return name;
}

StorageFailure os_failure(std::string_view what, const std::filesystem::path& path, int error) {
    return StorageFailure{error == ENOENT ? StorageError::not_found : StorageError::io_error,
                          std::string(what) + " " + path.string() + ": " + std::strerror(error)};
}

StorageFailure corruption(const std::filesystem::path& path, std::uint64_t offset,
                          std::string_view what) {
    return StorageFailure{StorageError::corruption,
                          path.string() + " at " + std::to_string(offset) + ": " + std::string(what)};
}

// pwrite/pread of the whole span, retrying short transfers and EINTR. Returns errno, or 0.
int write_all(int fd, ByteSpan data, std::uint64_t offset) {
    while (!data.empty()) {
        const ssize_t n = ::pwrite(fd, data.data(), data.size(), static_cast<off_t>(offset));
        if (n < 0) {
            if (errno == EINTR) continue;
            return errno;
        }
        data = data.subspan(static_cast<std::size_t>(n));
        offset += static_cast<std::uint64_t>(n);
    }
    return 0;
}

// Returns errno, or 0; EIO when the file ends before the span is filled.
int read_all(int fd, MutableByteSpan out, std::uint64_t offset) {
    while (!out.empty()) {
        const ssize_t n = ::pread(fd, out.data(), out.size(), static_cast<off_t>(offset));
        if (n < 0) {
            if (errno == EINTR) continue;
            return errno;
        }
        if (n == 0) return EIO;
        out = out.subspan(static_cast<std::size_t>(n));
        offset += static_cast<std::uint64_t>(n);
    }
    return 0;
}

Uint256 undo_checksum(const Uint256& prev_block_hash, ByteSpan undo) {
    Sha256 hasher;
    hasher.write(prev_block_hash.span()).write(undo);
    const Uint256 once = hasher.finalize();
    return sha256(once.span());
}

}  // namespace

struct BlockFileStore::Impl {
    struct OpenFile {
        FileKind kind;
        int file;
        int fd;
        std::uint64_t last_use;
    };

    std::filesystem::path dir;
    std::array<std::uint8_t, 4> magic;
    std::vector<BlockFileInfo> infos;
    std::uint32_t max_file_size;
    std::set<int> dirty;                            // infos changed since take_dirty_files()
    std::set<std::pair<FileKind, int>> unsynced;    // written since flush()
    mutable bool directory_unsynced = false;        // a file was created since flush()
    // Open descriptors, at most MAX_OPEN_FDS; the least recently used is closed first.
    mutable std::vector<OpenFile> open_files;
    mutable std::uint64_t use_counter = 0;

    ~Impl() {
        for (const auto& open : open_files) ::close(open.fd);
    }

    std::filesystem::path path_of(FileKind kind, int file) const { return dir / file_name(kind, file); }

    // A read-write descriptor for the file; with `create`, a missing file is created.
    Result<int, StorageFailure> fd_for(FileKind kind, int file, bool create) const {
        for (auto& open : open_files) {
            if (open.kind == kind && open.file == file) {
                open.last_use = ++use_counter;
                return open.fd;
            }
        }
        const auto path = path_of(kind, file);
        int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
        if (fd < 0 && errno == ENOENT && create) {
            fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
            if (fd >= 0) {
                directory_unsynced = true;
            } else if (errno == EEXIST) {
                fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
            }
        }
        if (fd < 0) return fail(os_failure("cannot open", path, errno));
        if (open_files.size() >= MAX_OPEN_FDS) {
            const auto oldest = std::min_element(
                open_files.begin(), open_files.end(),
                [](const OpenFile& a, const OpenFile& b) { return a.last_use < b.last_use; });
            ::close(oldest->fd);
            open_files.erase(oldest);
        }
        open_files.push_back(OpenFile{kind, file, fd, ++use_counter});
        return fd;
    }

    Result<std::uint64_t, StorageFailure> length_of(int fd, FileKind kind, int file) const {
        struct stat st {};
        if (::fstat(fd, &st) != 0) return fail(os_failure("cannot stat", path_of(kind, file), errno));
        return static_cast<std::uint64_t>(st.st_size);
    }

    // Writes magic, size, payload and `trailer` at `offset` of the file.
    Result<void, StorageFailure> append_record(FileKind kind, int file, std::uint64_t offset,
                                               ByteSpan payload, ByteSpan trailer) {
        const auto fd = fd_for(kind, file, true);
        if (!fd) return fail(fd.error());
        Bytes header(HEADER_SIZE);
        std::copy(magic.begin(), magic.end(), header.begin());
        write_le32(header.data() + 4, static_cast<std::uint32_t>(payload.size()));
        for (const ByteSpan part : {ByteSpan(header), payload, trailer}) {
            if (const int error = write_all(*fd, part, offset)) {
                return fail(os_failure("cannot write", path_of(kind, file), error));
            }
            offset += part.size();
        }
        unsynced.insert({kind, file});
        return {};
    }

    // Reads the record whose payload starts at `pos.offset`, checking the magic and that the
    // payload and `trailer_size` more bytes lie inside the file. Returns payload then trailer.
    Result<Bytes, StorageFailure> read_record(FileKind kind, FilePosition pos,
                                              std::size_t trailer_size) const {
        if (pos.is_null()) {
            return fail(StorageFailure{StorageError::invalid_argument, "null file position"});
        }
        const auto path = path_of(kind, pos.file);
        if (pos.offset < HEADER_SIZE) return fail(corruption(path, pos.offset, "no record header"));
        const auto fd = fd_for(kind, pos.file, false);
        if (!fd) return fail(fd.error());
        const auto length = length_of(*fd, kind, pos.file);
        if (!length) return fail(length.error());
        const std::uint64_t start = pos.offset - HEADER_SIZE;
        if (pos.offset > *length) return fail(corruption(path, start, "record past end of file"));

        std::uint8_t header[HEADER_SIZE];
        if (const int error = read_all(*fd, header, start)) {
            return fail(os_failure("cannot read", path, error));
        }
        if (!std::equal(magic.begin(), magic.end(), header)) {
            return fail(corruption(path, start, "bad record magic"));
        }
        const std::uint64_t size = read_le32(header + 4);
        if (size + trailer_size > *length - pos.offset) {
            return fail(corruption(path, start, "record size exceeds file"));
        }
        Bytes record(static_cast<std::size_t>(size + trailer_size));
        if (const int error = read_all(*fd, record, pos.offset)) {
            return fail(os_failure("cannot read", path, error));
        }
        return record;
    }

    BlockFileInfo& info(int file) {
        if (infos.size() <= static_cast<std::size_t>(file)) infos.resize(static_cast<std::size_t>(file) + 1);
        dirty.insert(file);
        return infos[static_cast<std::size_t>(file)];
    }

    // The offset of the first magic at or after `from` in the file, if any.
    Result<std::optional<std::uint64_t>, StorageFailure> find_magic(int fd, int file, std::uint64_t from,
                                                                    std::uint64_t length) const {
        Bytes window(SCAN_WINDOW);
        while (from + magic.size() <= length) {
            const std::size_t count = static_cast<std::size_t>(
                std::min<std::uint64_t>(SCAN_WINDOW, length - from));
            if (const int error = read_all(fd, MutableByteSpan(window.data(), count), from)) {
                return fail(os_failure("cannot read", path_of(FileKind::block, file), error));
            }
            const auto end = window.begin() + static_cast<std::ptrdiff_t>(count);
            const auto found = std::search(window.begin(), end, magic.begin(), magic.end());
            if (found != end) return std::optional<std::uint64_t>{from + static_cast<std::uint64_t>(found - window.begin())};
            if (count < magic.size()) break;
            // Keep the last three bytes: a magic may straddle two windows.
            from += count - (magic.size() - 1);
        }
        return std::optional<std::uint64_t>{};
    }
};

BlockFileStore::BlockFileStore(std::filesystem::path dir, std::array<std::uint8_t, 4> magic,
                               std::vector<BlockFileInfo> files, std::uint32_t max_file_size)
    : impl_(std::make_unique<Impl>()) {
    impl_->dir = std::move(dir);
    impl_->magic = magic;
    impl_->infos = std::move(files);
    impl_->max_file_size = max_file_size;
    // A failure here shows up as an error from the first write.
    std::error_code ec;
    std::filesystem::create_directories(impl_->dir, ec);
}

BlockFileStore::~BlockFileStore() = default;

Result<FilePosition, StorageFailure> BlockFileStore::write_block(ByteSpan block_bytes, int height,
                                                                 std::uint32_t time) {
    Impl& s = *impl_;
    if (height < 0) return fail(StorageFailure{StorageError::invalid_argument, "negative block height"});
    const std::uint64_t record_size = HEADER_SIZE + block_bytes.size();
    constexpr std::uint64_t OFFSET_LIMIT = std::numeric_limits<std::uint32_t>::max();
    if (record_size > OFFSET_LIMIT) {
        return fail(StorageFailure{StorageError::invalid_argument, "block too large for a block file"});
    }

    int file = s.infos.empty() ? 0 : static_cast<int>(s.infos.size()) - 1;
    std::uint64_t used = s.infos.empty() ? 0 : s.infos.back().size;
    if (used > 0 && (used + record_size > s.max_file_size || used + record_size > OFFSET_LIMIT)) {
        ++file;
        used = 0;
    }
    if (auto written = s.append_record(FileKind::block, file, used, block_bytes, {}); !written) {
        return fail(written.error());
    }

    BlockFileInfo& info = s.info(file);
    const auto h = static_cast<std::uint32_t>(height);
    if (info.blocks == 0) {
        info.height_first = info.height_last = h;
        info.time_first = info.time_last = time;
    } else {
        info.height_first = std::min(info.height_first, h);
        info.height_last = std::max(info.height_last, h);
        info.time_first = std::min<std::uint64_t>(info.time_first, time);
        info.time_last = std::max<std::uint64_t>(info.time_last, time);
    }
    info.blocks += 1;
    info.size = static_cast<std::uint32_t>(used + record_size);
    return FilePosition{file, static_cast<std::uint32_t>(used + HEADER_SIZE)};
}

Result<FilePosition, StorageFailure> BlockFileStore::write_undo(int block_file, ByteSpan undo_bytes,
                                                                const Uint256& prev_block_hash) {
    Impl& s = *impl_;
    if (block_file < 0 || static_cast<std::size_t>(block_file) >= s.infos.size()) {
        return fail(StorageFailure{StorageError::invalid_argument,
                                   "undo data for unknown block file " + std::to_string(block_file)});
    }
    const std::uint64_t used = s.infos[static_cast<std::size_t>(block_file)].undo_size;
    const std::uint64_t record_size = HEADER_SIZE + undo_bytes.size() + CHECKSUM_SIZE;
    if (used + record_size > std::numeric_limits<std::uint32_t>::max()) {
        return fail(StorageFailure{StorageError::invalid_argument, "undo file would exceed 4 GiB"});
    }
    const Uint256 checksum = undo_checksum(prev_block_hash, undo_bytes);
    if (auto written = s.append_record(FileKind::undo, block_file, used, undo_bytes, checksum.span());
        !written) {
        return fail(written.error());
    }
    s.info(block_file).undo_size = static_cast<std::uint32_t>(used + record_size);
    return FilePosition{block_file, static_cast<std::uint32_t>(used + HEADER_SIZE)};
}

Result<Bytes, StorageFailure> BlockFileStore::read_block(FilePosition pos) const {
    return impl_->read_record(FileKind::block, pos, 0);
}

Result<Bytes, StorageFailure> BlockFileStore::read_undo(FilePosition pos,
                                                        const Uint256& prev_block_hash) const {
    auto record = impl_->read_record(FileKind::undo, pos, CHECKSUM_SIZE);
    if (!record) return record;
    const std::size_t size = record->size() - CHECKSUM_SIZE;
    const Uint256 expected = undo_checksum(prev_block_hash, ByteSpan(record->data(), size));
    if (!std::equal(expected.begin(), expected.end(), record->begin() + static_cast<std::ptrdiff_t>(size))) {
        return fail(corruption(impl_->path_of(FileKind::undo, pos.file), pos.offset - HEADER_SIZE,
                               "undo checksum mismatch"));
    }
    record->resize(size);
    return record;
}

Result<void, StorageFailure> BlockFileStore::flush() {
    Impl& s = *impl_;
    while (!s.unsynced.empty()) {
        const auto [kind, file] = *s.unsynced.begin();
        const auto fd = s.fd_for(kind, file, false);
        if (!fd) return fail(fd.error());
        if (::fsync(*fd) != 0) return fail(os_failure("cannot fsync", s.path_of(kind, file), errno));
        s.unsynced.erase(s.unsynced.begin());
    }
    if (s.directory_unsynced) {
        const int fd = ::open(s.dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) return fail(os_failure("cannot open", s.dir, errno));
        const int result = ::fsync(fd);
        const int error = errno;
        ::close(fd);
        if (result != 0) return fail(os_failure("cannot fsync", s.dir, error));
        s.directory_unsynced = false;
    }
    return {};
}

std::vector<BlockFileInfo> BlockFileStore::file_infos() const { return impl_->infos; }

std::vector<int> BlockFileStore::take_dirty_files() {
    std::vector<int> files(impl_->dirty.begin(), impl_->dirty.end());
    impl_->dirty.clear();
    return files;
}

Result<void, StorageFailure> BlockFileStore::scan_blocks(
    const std::function<bool(ByteSpan payload, FilePosition pos)>& visit) {
    Impl& s = *impl_;
    std::vector<BlockFileInfo> found;
    bool visiting = true;  // false once `visit` asked to stop: the walk goes on for the infos only
    for (int file = 0;; ++file) {
        const auto fd = s.fd_for(FileKind::block, file, false);
        if (!fd) {
            if (fd.error().error == StorageError::not_found) break;
            return fail(fd.error());
        }
        const auto length = s.length_of(*fd, FileKind::block, file);
        if (!length) return fail(length.error());
        BlockFileInfo info;
        std::uint64_t cursor = 0;
        while (true) {
            const auto start = s.find_magic(*fd, file, cursor, *length);
            if (!start) return fail(start.error());
            if (!*start || **start + HEADER_SIZE > *length) break;
            std::uint8_t size_bytes[4];
            if (const int error = read_all(*fd, size_bytes, **start + 4)) {
                return fail(os_failure("cannot read", s.path_of(FileKind::block, file), error));
            }
            const std::uint32_t size = read_le32(size_bytes);
            const std::uint64_t payload_at = **start + HEADER_SIZE;
            if (size > MAX_SCANNED_RECORD || size > *length - payload_at ||
                payload_at + size > std::numeric_limits<std::uint32_t>::max()) {
                cursor = **start + 1;  // not a record start: look for the next magic
                continue;
            }
            const FilePosition pos{file, static_cast<std::uint32_t>(payload_at)};
            if (visiting) {
                Bytes payload(size);
                if (const int error = read_all(*fd, payload, payload_at)) {
                    return fail(os_failure("cannot read", s.path_of(FileKind::block, file), error));
                }
                visiting = visit(payload, pos);
            }
            info.blocks += 1;
            info.size = static_cast<std::uint32_t>(payload_at + size);
            cursor = payload_at + size;
        }
        found.push_back(info);
    }
    s.infos = std::move(found);
    s.dirty.clear();
    for (int file = 0; file < static_cast<int>(s.infos.size()); ++file) s.dirty.insert(file);
    return {};
}

}  // namespace bitloom
