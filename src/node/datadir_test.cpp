// Data directory layout, the exclusive lock and the PID file.
#include <gtest/gtest.h>

#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "node/datadir.h"
#include "testutil/temp_dir.h"

namespace bitloom {
namespace {

using testutil::TempDir;

TEST(DataDir, default_is_dot_bitloom_in_home) {
    const char* home = std::getenv("HOME");
    if (home != nullptr && *home != '\0')
        EXPECT_EQ(default_data_dir(), std::filesystem::path(home) / ".bitloom");
    else
        EXPECT_EQ(default_data_dir(), std::filesystem::path("/.bitloom"));
}

TEST(DataDir, chain_subdirectories_match_core) {
    const std::filesystem::path base = "/data";
    EXPECT_EQ(chain_data_dir(base, ChainType::main), base);
    EXPECT_EQ(chain_data_dir(base, ChainType::testnet), base / "testnet3");
    EXPECT_EQ(chain_data_dir(base, ChainType::testnet4), base / "testnet4");
    EXPECT_EQ(chain_data_dir(base, ChainType::signet), base / "signet");
    EXPECT_EQ(chain_data_dir(base, ChainType::regtest), base / "regtest");
}

TEST(DataDir, resolves_relative_paths_against_a_base) {
    EXPECT_EQ(resolve_path("/data/regtest", "debug.log"), std::filesystem::path("/data/regtest/debug.log"));
    EXPECT_EQ(resolve_path("/data/regtest", "/var/log/x.log"), std::filesystem::path("/var/log/x.log"));
}

TEST(DataDir, creates_the_chain_directory) {
    testutil::TempDir dir("bitloom-datadir");
    const auto chain_dir = chain_data_dir(dir.path(), ChainType::regtest);
    ASSERT_TRUE(ensure_directory(chain_dir));
    EXPECT_TRUE(std::filesystem::is_directory(chain_dir));
    EXPECT_TRUE(ensure_directory(chain_dir));  // already there
    std::ofstream(dir.path() / "file") << "x";
    EXPECT_FALSE(ensure_directory(dir.path() / "file"));
}

TEST(DirectoryLock, second_lock_fails_with_cores_message) {
    testutil::TempDir dir("bitloom-datadir");
    auto first = DirectoryLock::acquire(dir.path());
    ASSERT_TRUE(first) << first.error();
    EXPECT_TRUE(std::filesystem::exists(dir.path() / ".lock"));
    auto second = DirectoryLock::acquire(dir.path());
    ASSERT_FALSE(second);
    EXPECT_EQ(second.error(), "Cannot obtain a lock on directory " + dir.path().string() +
                                  ". bitloomd is probably already running.");
}

TEST(DirectoryLock, is_released_when_destroyed_or_moved_out) {
    testutil::TempDir dir("bitloom-datadir");
    {
        auto first = DirectoryLock::acquire(dir.path());
        ASSERT_TRUE(first);
        DirectoryLock moved = std::move(*first);
        EXPECT_FALSE(DirectoryLock::acquire(dir.path()));
    }
    EXPECT_TRUE(DirectoryLock::acquire(dir.path()));
}

TEST(DirectoryLock, fails_for_a_missing_directory) {
    testutil::TempDir dir("bitloom-datadir");
    auto lock = DirectoryLock::acquire(dir.path() / "missing");
    ASSERT_FALSE(lock);
    EXPECT_NE(lock.error().find("Cannot write to directory"), std::string::npos);
}

TEST(PidFile, holds_the_process_id_until_destroyed) {
    testutil::TempDir dir("bitloom-datadir");
    const auto path = dir.path() / "bitloomd.pid";
    {
        auto pid = PidFile::create(path);
        ASSERT_TRUE(pid) << pid.error();
        std::ifstream in(path);
        long written = 0;
        in >> written;
        EXPECT_EQ(written, static_cast<long>(::getpid()));
    }
    EXPECT_FALSE(std::filesystem::exists(path));
    EXPECT_FALSE(PidFile::create(dir.path() / "missing" / "x.pid"));
}

}  // namespace
}  // namespace bitloom
