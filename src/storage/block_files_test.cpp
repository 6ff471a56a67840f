// Block and undo files: the record format, file rollover, checksums, recovery from a torn tail,
// clean failures on foreign bytes, and the -reindex scan.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "crypto/hash.h"
#include "crypto/random.h"
#include "storage/block_files.h"
#include "util/endian.h"
#include "util/hex.h"
#include "testutil/temp_dir.h"

namespace bitloom {
namespace {

using testutil::TempDir;

constexpr std::array<std::uint8_t, 4> MAGIC = {0xf9, 0xbe, 0xb4, 0xd9};

// A payload of `size` bytes that cannot contain the magic (all bytes below 0x80).
Bytes payload(std::size_t size, std::uint8_t seed) {
    Bytes out(size);
    for (std::size_t i = 0; i < size; ++i) out[i] = static_cast<std::uint8_t>((seed + i * 7) & 0x7f);
    return out;
}

Bytes read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return Bytes(std::istreambuf_iterator<char>(in), {});
}

void append_file(const std::filesystem::path& path, ByteSpan bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::app);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

Uint256 hash_of(std::uint8_t n) {
    Uint256 h;
    h[0] = n;
    h[31] = 0x77;
    return h;
}

struct Found {
    Bytes payload;
    FilePosition pos;
};

std::vector<Found> scan_all(BlockFileStore& store) {
    std::vector<Found> found;
    const auto result = store.scan_blocks([&](ByteSpan bytes, FilePosition pos) {
        found.push_back(Found{Bytes(bytes.begin(), bytes.end()), pos});
        return true;
    });
    EXPECT_TRUE(result.has_value()) << (result ? "" : result.error().message);
    return found;
}

TEST(BlockFileStore, reads_back_the_blocks_and_undo_data_it_wrote) {
    testutil::TempDir dir("bitloom-blocks-test");
    BlockFileStore store(dir.path() / "blocks", MAGIC);
    const Bytes block0 = payload(285, 1), block1 = payload(1000, 2);
    const auto pos0 = store.write_block(block0, 0, 1231006505);
    const auto pos1 = store.write_block(block1, 1, 1231469665);
    ASSERT_TRUE(pos0.has_value() && pos1.has_value());
    EXPECT_EQ(*pos0, (FilePosition{0, 8}));
    EXPECT_EQ(*pos1, (FilePosition{0, 8 + 285 + 8}));
    const Bytes undo1 = payload(50, 3);
    const auto undo_pos = store.write_undo(0, undo1, hash_of(0));
    ASSERT_TRUE(undo_pos.has_value());
    EXPECT_EQ(*undo_pos, (FilePosition{0, 8}));
    ASSERT_TRUE(store.flush().has_value());

    EXPECT_EQ(*store.read_block(*pos0), block0);
    EXPECT_EQ(*store.read_block(*pos1), block1);
    EXPECT_EQ(*store.read_undo(*undo_pos, hash_of(0)), undo1);

    const auto infos = store.file_infos();
    ASSERT_EQ(infos.size(), 1u);
    EXPECT_EQ(infos[0].blocks, 2u);
    EXPECT_EQ(infos[0].size, 8u + 285 + 8 + 1000);
    EXPECT_EQ(infos[0].undo_size, 8u + 50 + 32);
    EXPECT_EQ(infos[0].height_first, 0u);
    EXPECT_EQ(infos[0].height_last, 1u);
    EXPECT_EQ(infos[0].time_first, 1231006505u);
    EXPECT_EQ(infos[0].time_last, 1231469665u);
    EXPECT_EQ(store.take_dirty_files(), std::vector<int>{0});
    EXPECT_TRUE(store.take_dirty_files().empty());
}

TEST(BlockFileStore, writes_records_in_cores_byte_format) {
    testutil::TempDir dir("bitloom-blocks-test");
    BlockFileStore store(dir.path(), MAGIC);
    const Bytes block = payload(10, 9), undo = payload(5, 4);
    ASSERT_TRUE(store.write_block(block, 0, 0).has_value());
    ASSERT_TRUE(store.write_undo(0, undo, hash_of(1)).has_value());
    ASSERT_TRUE(store.flush().has_value());

    Bytes expected_blk = {0xf9, 0xbe, 0xb4, 0xd9, 10, 0, 0, 0};
    append(expected_blk, block);
    EXPECT_EQ(read_file(dir.path() / "blk00000.dat"), expected_blk);

    const Uint256 parent = hash_of(1);
    Bytes checked(parent.begin(), parent.end());
    append(checked, undo);
    Bytes expected_rev = {0xf9, 0xbe, 0xb4, 0xd9, 5, 0, 0, 0};
    append(expected_rev, undo);
    append(expected_rev, hash256(checked).span());
    EXPECT_EQ(read_file(dir.path() / "rev00000.dat"), expected_rev);
}

TEST(BlockFileStore, starts_a_new_file_when_a_record_would_pass_the_size_limit) {
    testutil::TempDir dir("bitloom-blocks-test");
    BlockFileStore store(dir.path(), MAGIC, {}, 1000);
    std::vector<FilePosition> positions;
    for (int i = 0; i < 7; ++i) {
        const auto pos = store.write_block(payload(300, static_cast<std::uint8_t>(i)), i, 100 + i);
        ASSERT_TRUE(pos.has_value());
        positions.push_back(*pos);
        ASSERT_TRUE(store.write_undo(pos->file, payload(20, 0), hash_of(static_cast<std::uint8_t>(i)))
                        .has_value());
    }
    // 308-byte records: three fit in 1000 bytes.
    for (int i = 0; i < 7; ++i) {
        EXPECT_EQ(positions[static_cast<std::size_t>(i)].file, i / 3) << i;
        EXPECT_EQ(positions[static_cast<std::size_t>(i)].offset, 8u + 308 * (i % 3)) << i;
    }
    // A block bigger than the limit still fits alone in a fresh file.
    const auto big = store.write_block(payload(1500, 5), 7, 107);
    ASSERT_TRUE(big.has_value());
    EXPECT_EQ(*big, (FilePosition{3, 8}));
    ASSERT_TRUE(store.flush().has_value());

    const auto infos = store.file_infos();
    ASSERT_EQ(infos.size(), 4u);
    EXPECT_EQ(infos[0].blocks, 3u);
    EXPECT_EQ(infos[0].size, 924u);
    EXPECT_EQ(infos[0].undo_size, 3u * 60);
    EXPECT_EQ(infos[1].height_first, 3u);
    EXPECT_EQ(infos[1].height_last, 5u);
    EXPECT_EQ(infos[2].blocks, 1u);
    EXPECT_EQ(infos[3].size, 1508u);
    for (const char* name : {"blk00000.dat", "blk00003.dat", "rev00002.dat"}) {
        EXPECT_TRUE(std::filesystem::exists(dir.path() / name)) << name;
    }
    EXPECT_EQ(std::filesystem::file_size(dir.path() / "blk00001.dat"), 924u);
    for (int i = 0; i < 7; ++i) {
        EXPECT_EQ(*store.read_block(positions[static_cast<std::size_t>(i)]),
                  payload(300, static_cast<std::uint8_t>(i)));
    }
}

TEST(BlockFileStore, continues_the_last_file_after_a_reopen) {
    testutil::TempDir dir("bitloom-blocks-test");
    std::vector<BlockFileInfo> infos;
    {
        BlockFileStore store(dir.path(), MAGIC, {}, 1000);
        for (int i = 0; i < 4; ++i) ASSERT_TRUE(store.write_block(payload(300, 1), i, 0).has_value());
        ASSERT_TRUE(store.flush().has_value());
        infos = store.file_infos();
    }
    BlockFileStore store(dir.path(), MAGIC, infos, 1000);
    const auto pos = store.write_block(payload(300, 2), 4, 0);
    ASSERT_TRUE(pos.has_value());
    EXPECT_EQ(*pos, (FilePosition{1, 8 + 308}));
    EXPECT_EQ(*store.read_block(FilePosition{0, 8}), payload(300, 1));
}

TEST(BlockFileStore, detects_undo_data_that_fails_its_checksum) {
    testutil::TempDir dir("bitloom-blocks-test");
    BlockFileStore store(dir.path(), MAGIC);
    ASSERT_TRUE(store.write_block(payload(100, 1), 0, 0).has_value());
    const auto pos = store.write_undo(0, payload(40, 2), hash_of(1));
    ASSERT_TRUE(pos.has_value());
    ASSERT_TRUE(store.flush().has_value());

    const auto wrong_parent = store.read_undo(*pos, hash_of(2));
    ASSERT_FALSE(wrong_parent.has_value());
    EXPECT_EQ(wrong_parent.error().error, StorageError::corruption);

    {
        std::fstream file(dir.path() / "rev00000.dat", std::ios::binary | std::ios::in | std::ios::out);
        file.seekp(8 + 10);
        file.put(static_cast<char>(0xee));
    }
    const auto flipped = store.read_undo(*pos, hash_of(1));
    ASSERT_FALSE(flipped.has_value());
    EXPECT_EQ(flipped.error().error, StorageError::corruption) << flipped.error().message;
}

TEST(BlockFileStore, rejects_undo_data_for_a_file_it_does_not_know) {
    testutil::TempDir dir("bitloom-blocks-test");
    BlockFileStore store(dir.path(), MAGIC);
    const auto pos = store.write_undo(0, payload(10, 0), hash_of(0));
    ASSERT_FALSE(pos.has_value());
    EXPECT_EQ(pos.error().error, StorageError::invalid_argument);
}

TEST(BlockFileStore, appends_over_a_torn_tail_left_by_a_crash) {
    testutil::TempDir dir("bitloom-blocks-test");
    std::vector<BlockFileInfo> persisted;
    FilePosition torn;
    {
        BlockFileStore store(dir.path(), MAGIC);
        ASSERT_TRUE(store.write_block(payload(200, 1), 0, 0).has_value());
        ASSERT_TRUE(store.write_block(payload(200, 2), 1, 0).has_value());
        ASSERT_TRUE(store.flush().has_value());
        persisted = store.file_infos();
        torn = *store.write_block(payload(1000, 3), 2, 0);
    }
    // The crash kept only half of the last record.
    const auto blk = dir.path() / "blk00000.dat";
    std::filesystem::resize_file(blk, persisted[0].size + 500);
    {
        const auto read_torn = BlockFileStore(dir.path(), MAGIC, persisted).read_block(torn);
        ASSERT_FALSE(read_torn.has_value());
        EXPECT_EQ(read_torn.error().error, StorageError::corruption);
    }

    BlockFileStore store(dir.path(), MAGIC, persisted);
    const auto pos = store.write_block(payload(100, 4), 2, 0);
    ASSERT_TRUE(pos.has_value());
    EXPECT_EQ(*pos, torn);
    ASSERT_TRUE(store.flush().has_value());
    EXPECT_EQ(*store.read_block(*pos), payload(100, 4));
    EXPECT_EQ(store.file_infos()[0].size, persisted[0].size + 108);

    // The remains of the torn record after the new one are skipped by a scan.
    BlockFileStore rescanned(dir.path(), MAGIC);
    const auto found = scan_all(rescanned);
    ASSERT_EQ(found.size(), 3u);
    EXPECT_EQ(found[2].payload, payload(100, 4));
    EXPECT_EQ(rescanned.file_infos()[0].size, persisted[0].size + 108);
}

TEST(BlockFileStore, fails_cleanly_on_positions_that_hold_no_record) {
    testutil::TempDir dir("bitloom-blocks-test");
    BlockFileStore store(dir.path(), MAGIC);
    ASSERT_TRUE(store.write_block(payload(500, 1), 0, 0).has_value());
    ASSERT_TRUE(store.write_undo(0, payload(100, 1), hash_of(0)).has_value());
    // A forged header claiming 4 GiB, then foreign bytes.
    Bytes forged(MAGIC.begin(), MAGIC.end());
    append(forged, Bytes{0xff, 0xff, 0xff, 0xff});
    append(forged, Bytes(64, 0x01));
    append_file(dir.path() / "blk00000.dat", forged);
    ASSERT_TRUE(store.flush().has_value());

    int cases = 0;
    for (const FilePosition pos : {FilePosition{0, 0}, FilePosition{0, 4}, FilePosition{0, 9},
                                   FilePosition{0, 100}, FilePosition{0, 508 + 8},
                                   FilePosition{0, 1'000'000}, FilePosition{0, 0xffffffff}}) {
        const auto block = store.read_block(pos);
        ASSERT_FALSE(block.has_value()) << pos.offset;
        EXPECT_EQ(block.error().error, StorageError::corruption) << pos.offset;
        const auto undo = store.read_undo(pos, hash_of(0));
        ASSERT_FALSE(undo.has_value()) << pos.offset;
        EXPECT_EQ(undo.error().error, StorageError::corruption) << pos.offset;
        ++cases;
    }
    EXPECT_EQ(cases, 7);

    const auto missing = store.read_block(FilePosition{5, 8});
    ASSERT_FALSE(missing.has_value());
    EXPECT_EQ(missing.error().error, StorageError::not_found);
    const auto null = store.read_block(FilePosition{});
    ASSERT_FALSE(null.has_value());
    EXPECT_EQ(null.error().error, StorageError::invalid_argument);
    // The block store does not mistake a rev file for a blk file's record (different kinds).
    EXPECT_EQ(*store.read_block(FilePosition{0, 8}), payload(500, 1));
}

TEST(BlockFileStore, scan_finds_every_record_and_skips_a_garbage_region) {
    testutil::TempDir dir("bitloom-blocks-test");
    std::vector<std::pair<Bytes, FilePosition>> written;
    std::vector<BlockFileInfo> written_infos;
    {
        BlockFileStore store(dir.path(), MAGIC, {}, 2000);
        for (int i = 0; i < 5; ++i) {
            Bytes block = payload(300 + 50 * static_cast<std::size_t>(i), static_cast<std::uint8_t>(i));
            const auto pos = store.write_block(block, i, 0);
            ASSERT_TRUE(pos.has_value());
            written.emplace_back(block, *pos);
        }
        ASSERT_TRUE(store.flush().has_value());
        written_infos = store.file_infos();
    }
    ASSERT_EQ(written_infos.size(), 2u);
    // Garbage in the middle of file 1: random bytes, a magic with an impossible size, a magic
    // cut by the garbage, then more blocks after it.
    FastRandom rng(hash_of(9));
    Bytes garbage = rng.randbytes(333);
    append(garbage, MAGIC);
    append(garbage, Bytes{0x00, 0x00, 0x00, 0x7f});
    append(garbage, Bytes{MAGIC[0], MAGIC[1], MAGIC[2]});
    append(garbage, Bytes(77, 0x00));
    append_file(dir.path() / "blk00001.dat", garbage);
    written_infos[1].size += static_cast<std::uint32_t>(garbage.size());
    {
        BlockFileStore store(dir.path(), MAGIC, written_infos, 2000);
        for (int i = 5; i < 9; ++i) {
            Bytes block = payload(250, static_cast<std::uint8_t>(i));
            const auto pos = store.write_block(block, i, 0);
            ASSERT_TRUE(pos.has_value());
            written.emplace_back(block, *pos);
        }
        ASSERT_TRUE(store.flush().has_value());
        written_infos = store.file_infos();
    }
    // A torn record at the very end of the last file.
    Bytes tail(MAGIC.begin(), MAGIC.end());
    append(tail, Bytes{0x10, 0x00});
    append_file(dir.path() / ("blk0000" + std::to_string(written_infos.size() - 1) + ".dat"), tail);

    BlockFileStore store(dir.path(), MAGIC);
    const auto found = scan_all(store);
    std::printf("scan found %zu of %zu records\n", found.size(), written.size());
    ASSERT_EQ(found.size(), written.size());
    for (std::size_t i = 0; i < found.size(); ++i) {
        EXPECT_EQ(found[i].payload, written[i].first) << i;
        EXPECT_EQ(found[i].pos, written[i].second) << i;
    }
    const auto rebuilt = store.file_infos();
    ASSERT_EQ(rebuilt.size(), written_infos.size());
    for (std::size_t i = 0; i < rebuilt.size(); ++i) {
        EXPECT_EQ(rebuilt[i].blocks, written_infos[i].blocks) << i;
        EXPECT_EQ(rebuilt[i].size, written_infos[i].size) << i;
    }
    EXPECT_EQ(store.take_dirty_files().size(), rebuilt.size());
    // New blocks go after the last good record, over the torn tail.
    const auto next = store.write_block(payload(10, 0), 9, 0);
    ASSERT_TRUE(next.has_value());
    EXPECT_EQ(*next, (FilePosition{static_cast<int>(rebuilt.size()) - 1, rebuilt.back().size + 8}));
}

TEST(BlockFileStore, scan_stopped_early_still_rebuilds_every_files_info) {
    testutil::TempDir dir("bitloom-blocks-test");
    std::vector<BlockFileInfo> written_infos;
    {
        BlockFileStore store(dir.path(), MAGIC, {}, 1000);
        for (int i = 0; i < 10; ++i) ASSERT_TRUE(store.write_block(payload(200, 1), i, 0).has_value());
        ASSERT_TRUE(store.flush().has_value());
        written_infos = store.file_infos();
    }
    BlockFileStore store(dir.path(), MAGIC);
    int visits = 0;
    ASSERT_TRUE(store.scan_blocks([&](ByteSpan, FilePosition) { return ++visits < 3; }).has_value());
    EXPECT_EQ(visits, 3);
    const auto rebuilt = store.file_infos();
    ASSERT_EQ(rebuilt.size(), written_infos.size());
    for (std::size_t i = 0; i < rebuilt.size(); ++i) {
        EXPECT_EQ(rebuilt[i].blocks, written_infos[i].blocks) << i;
        EXPECT_EQ(rebuilt[i].size, written_infos[i].size) << i;
    }
}

TEST(BlockFileStore, scan_of_an_empty_directory_finds_nothing) {
    testutil::TempDir dir("bitloom-blocks-test");
    BlockFileStore store(dir.path(), MAGIC);
    EXPECT_TRUE(scan_all(store).empty());
    EXPECT_TRUE(store.file_infos().empty());
    const auto pos = store.write_block(payload(10, 0), 0, 0);
    ASSERT_TRUE(pos.has_value());
    EXPECT_EQ(*pos, (FilePosition{0, 8}));
}

TEST(BlockFileStore, keeps_working_with_more_files_than_open_descriptors) {
    testutil::TempDir dir("bitloom-blocks-test");
    BlockFileStore store(dir.path(), MAGIC, {}, 100);
    std::vector<FilePosition> positions;
    for (int i = 0; i < 20; ++i) {
        const auto pos = store.write_block(payload(90, static_cast<std::uint8_t>(i)), i, 0);
        ASSERT_TRUE(pos.has_value());
        ASSERT_TRUE(store.write_undo(pos->file, payload(10, 0), hash_of(0)).has_value());
        positions.push_back(*pos);
    }
    ASSERT_TRUE(store.flush().has_value());
    EXPECT_EQ(positions.back().file, 19);
    for (int i = 19; i >= 0; --i) {
        EXPECT_EQ(*store.read_block(positions[static_cast<std::size_t>(i)]),
                  payload(90, static_cast<std::uint8_t>(i)));
        EXPECT_EQ(*store.read_undo(positions[static_cast<std::size_t>(i)], hash_of(0)), payload(10, 0));
    }
}

}  // namespace
}  // namespace bitloom
